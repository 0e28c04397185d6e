//! Folding events into facts. Server-log events are folded while they are
//! parsed (each parallel chunk has its own [`Part`], the parser's sink), so a
//! large log never exists as millions of events and its bytes are read once.
//! The other events (HAR, task logs) are folded after parsing.

use std::borrow::Cow;
use std::num::NonZeroU64;
use std::sync::OnceLock;

use octodiag_parsers::redact::redact_url;
use octodiag_parsers::{Clock, Event, EventKind, EventSink, Level, SqlErrorKind, Text};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::intern::Interner;
use super::kinds::{Point, Pressure, PressureKind, ReqExtra, Request, Sql, Stamp, Start};
use super::Facts;
use crate::dataset::Dataset;
use crate::endpoint::{endpoint_into, path_of, path_with_query};
use crate::evidence::redact_text;
use crate::origin::{Fact, Origin};
use crate::slow::SLOW_SQL_MS;
use crate::transaction::{component, correlation_in, correlation_key, task_number};
use crate::units::micros;

/// Entries kept in each of a part's caches before it starts afresh: bounds
/// memory on logs whose paths or statements never repeat.
const CACHE_MAX: usize = 1 << 16;

/// Statements longer than this are matched without caching them.
const CACHED_STATEMENT_MAX: usize = 1024;

/// Events folded after parsing are split into chunks of this many, folded in parallel.
const EVENT_CHUNK: usize = 1 << 16;

/// Folds events into facts as they are parsed: one `Part` per parallel chunk
/// (it is the server-log parser's [`EventSink`]), joined by [`collect`].
#[derive(Debug, Default)]
pub struct Part {
    pub(super) facts: Facts,
    endpoint_ids: Interner,
    /// Raw `METHOD path` (host and query dropped) → endpoint id. Most requests
    /// repeat a path seen before (95% in the generated logs, polling endpoints in
    /// real ones): hashing it is far cheaper than normalising it again.
    raw_endpoints: FxHashMap<Box<str>, u32>,
    /// SQL statement → its table's name id, for the same reason (the regex is the
    /// costly part of folding a slow SQL line).
    tables: FxHashMap<Box<[u8]>, Option<u32>>,
    names: Interner,
    buf: String,
    keep_paths: bool,
}

impl Part {
    /// A new part; `keep_paths` keeps server requests' paths (a HAR file will be matched to them).
    pub fn new(keep_paths: bool) -> Part {
        Part { keep_paths, buf: String::with_capacity(128), ..Part::default() }
    }
}

impl EventSink for Part {
    #[inline]
    fn event(&mut self, event: Event, source: &[u8]) {
        self.fold(&event, source);
    }

    fn shift_lines(&mut self, by: u64) {
        self.facts.shift_lines(by);
    }
}

/// Joins the parts folded while parsing with the facts of the remaining
/// events (HAR and task-log events, few by comparison), in order. Times stay
/// as logged until [`Facts::to_utc`].
pub fn collect(data: &Dataset<'_>, folded: Vec<Part>) -> Facts {
    let keep_paths = data.inputs.iter().any(|i| i.format == octodiag_parsers::Format::Har);
    let rest: Vec<Part> = data
        .events
        .par_chunks(EVENT_CHUNK)
        .map(|events| {
            let mut part = Part::new(keep_paths);
            for e in events {
                let bytes = data.inputs.get(e.source as usize).map_or(&[][..], |i| i.bytes);
                part.fold(e, bytes);
            }
            part
        })
        .collect();
    super::join::join(folded.into_iter().chain(rest).collect())
}

/// The number of the first `Projects-N` id in a URL.
fn project_id(url: &str) -> Option<u64> {
    static FINDER: OnceLock<memchr::memmem::Finder<'static>> = OnceLock::new();
    let finder = FINDER.get_or_init(|| memchr::memmem::Finder::new("Projects-"));
    let i = finder.find(url.as_bytes())? + "Projects-".len();
    let digits = url[i..].bytes().take_while(u8::is_ascii_digit).count();
    url[i..i + digits].parse().ok()
}

impl Part {
    /// Folds one event (`b`: its source's bytes) into the facts.
    pub(super) fn fold(&mut self, e: &Event, b: &[u8]) {
        if e.level >= Level::Error {
            let label = Cow::Borrowed(e.kind.name());
            self.facts.errors.push(fact_of(e, Point { label, ms: None }));
        }
        let f = &mut self.facts;
        match &e.kind {
            EventKind::Request(r) => self.request(e, r, b),
            EventKind::Sql(s) => self.sql(e, s, b),
            EventKind::SqlError { error, transaction } => {
                let what = match error {
                    SqlErrorKind::PoolExhausted => PressureKind::PoolExhausted,
                    SqlErrorKind::CommandTimeout => PressureKind::CommandTimeout,
                    SqlErrorKind::Deadlock => PressureKind::Deadlock,
                    SqlErrorKind::Other => PressureKind::SqlError,
                };
                let transaction = transaction.as_ref().map(|t| redact_text(&t.resolve(b)));
                f.pressure.push(fact_of(e, Pressure { active: None, kind: what, transaction }));
            }
            EventKind::Transactions(t) => {
                let (what, active) = match t.active {
                    Some(n) => (PressureKind::TransactionsActive, Some(n)),
                    None => (PressureKind::HighTransactionsDump, Some(t.dump.len() as u32)),
                };
                f.pressure.push(fact_of(e, Pressure { active, kind: what, transaction: None }));
            }
            EventKind::ServerStart { version, pid, .. } => {
                let version = version.resolve(b).into_owned();
                if !f.versions.contains(&version) {
                    f.versions.push(version.clone());
                }
                f.starts.push(fact_of(e, Start { version, pid: *pid }));
            }
            EventKind::Halibut { endpoint, failure: true, .. } => {
                let label = endpoint.resolve(b).into_owned().into();
                f.halibut_failures.push(fact_of(e, Point { label, ms: None }));
            }
            EventKind::Environment { machine: Some(m), .. } => {
                let label = m.resolve(b).into_owned().into();
                f.machines.push(fact_of(e, Point { label, ms: None }));
            }
            EventKind::TaskExecuted { description, duration_ms, .. } => {
                let label = description.resolve(b).into_owned().into();
                f.task_lines.push(fact_of(e, Point { label, ms: Some(*duration_ms) }));
            }
            _ => {}
        }
    }

    fn request(&mut self, e: &Event, r: &octodiag_parsers::Request, b: &[u8]) {
        let method = r.method.resolve(b);
        let url = r.url.resolve(b);
        if let Some(id) = project_id(&url) {
            self.facts.project_ids.insert(id);
        }
        let endpoint = self.endpoint_of(&method, &url);
        // Server lines are logged when the response is sent, HAR entries at the start.
        let end = match r.browser {
            Some(_) => e.time.add_micros(micros(r.duration_ms)),
            None => e.time,
        };
        let keep_path = self.keep_paths || r.browser.is_some();
        let path = keep_path.then(|| redact_url(path_with_query(&url)).into_owned().into());
        let browser = r.browser.as_deref().cloned();
        let from_browser = browser.is_some();
        let extra = (path.is_some() || from_browser).then(|| Box::new(ReqExtra { path, browser }));
        let request = Request {
            ms: r.duration_ms,
            endpoint,
            status: r.status,
            level: e.level,
            correlation: r.correlation_id.as_ref().and_then(|c| correlation_key(&c.resolve(b))),
            extra,
        };
        let fact = Fact { time: end, ..fact_of(e, request) };
        if from_browser {
            self.facts.browser.push(fact);
        } else {
            self.facts.requests.push(fact);
        }
    }

    /// The endpoint id of a request, through the raw-path cache.
    fn endpoint_of(&mut self, method: &str, url: &str) -> u32 {
        self.buf.clear();
        self.buf.push_str(method);
        self.buf.push(' ');
        self.buf.push_str(path_of(url));
        if let Some(id) = self.raw_endpoints.get(self.buf.as_str()) {
            return *id;
        }
        let mut normalised = String::with_capacity(self.buf.len());
        endpoint_into(&mut normalised, method, url);
        let id = self.endpoint_ids.id(&mut self.facts.endpoints, &normalised);
        if self.raw_endpoints.len() >= CACHE_MAX {
            self.raw_endpoints.clear();
        }
        self.raw_endpoints.insert(self.buf.as_str().into(), id);
        id
    }

    /// The name id of the table a statement names, through the statement cache.
    fn table_id(&mut self, statement: &[u8]) -> Option<u32> {
        let cacheable = statement.len() <= CACHED_STATEMENT_MAX;
        if cacheable {
            if let Some(id) = self.tables.get(statement) {
                return *id;
            }
        }
        let id = table_of(statement).map(|t| self.names.id(&mut self.facts.names, t));
        if cacheable {
            if self.tables.len() >= CACHE_MAX {
                self.tables.clear();
            }
            self.tables.insert(statement.into(), id);
        }
        id
    }

    fn sql(&mut self, e: &Event, s: &octodiag_parsers::Sql, b: &[u8]) {
        let local = e.clock == Clock::Local;
        // Only slow statements are analysed: the rest are counted, never resolved.
        if s.duration_ms < SLOW_SQL_MS {
            self.facts.sql_fast.push(Stamp { time: e.time, local });
            return;
        }
        let table = self.table_id(span_bytes(&s.statement, b));
        let transaction = s.transaction.as_ref().map(|t| t.resolve(b));
        let transaction = transaction.as_deref();
        let names = &mut self.facts.names;
        let sql = Sql {
            ms: s.duration_ms,
            operation: self.names.id(names, &s.operation.resolve(b)),
            table,
            component: self.names.id_as(names, component(transaction), redact_text),
            task: transaction.and_then(task_number).and_then(NonZeroU64::new),
            correlation: transaction.and_then(correlation_in),
        };
        self.facts.sql.push(Fact::new(e.time, local, Origin::of(e), sql));
    }
}

/// A fact of `what` at the event's time and origin.
fn fact_of<T>(e: &Event, what: T) -> Fact<T> {
    Fact::new(e.time, e.clock == Clock::Local, Origin::of(e), what)
}

/// The bytes of a text (a span of `b`, or owned), without decoding them.
fn span_bytes<'a>(t: &'a Text, b: &'a [u8]) -> &'a [u8] {
    match t {
        Text::Span { start, len } => {
            let s = *start as usize;
            b.get(s..s + *len as usize).unwrap_or_default()
        }
        Text::Owned(s) => s.as_bytes(),
    }
}

/// The table an SQL statement reads or writes (`dbo.[Release]` → `Release`).
/// Works on bytes: statements can be long, and need no UTF-8 check for this.
pub fn table_of(statement: &[u8]) -> Option<&str> {
    static RE: OnceLock<regex::bytes::Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::bytes::Regex::new(r"(?i)\b(?:FROM|INTO|UPDATE|JOIN|DELETE\s+FROM)\s+(?:\[?dbo\]?\.)?\[?([A-Za-z_][A-Za-z0-9_]*)\]?")
            .expect("static regex")
    });
    let caps = re.captures(statement)?;
    // The capture is ASCII by the pattern.
    let name = std::str::from_utf8(caps.get(1)?.as_bytes()).ok()?;
    (!name.eq_ignore_ascii_case("select")).then_some(name)
}

#[cfg(test)]
mod tests;
