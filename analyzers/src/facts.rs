//! Facts: the events analysis needs, compact, with texts resolved and
//! redacted, endpoints normalised and times moved to UTC.
//!
//! Server-log events are folded into facts while they are parsed (each
//! parallel chunk has its own [`Part`], the parser's sink), so a large log
//! never exists as millions of events and its bytes are read once. The other
//! events (HAR, task logs) are folded after parsing. Times stay as logged
//! until the server's offset is derived from the facts themselves
//! ([`crate::clock::align`]); then [`Facts::to_utc`] moves them.

use std::borrow::Cow;
use std::sync::OnceLock;

use octodiag_parsers::event::BrowserTiming;
use octodiag_parsers::redact::{redact_api_keys, redact_url};
use octodiag_parsers::{
    Clock, Event, EventKind, EventSink, Level, SqlErrorKind, Text, Timestamp, UtcOffset,
};
use rayon::prelude::*;
use regex::Regex;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::dataset::Dataset;
use crate::endpoint::endpoint_into;

/// A quotable line: where it is and what it says (redacted, escaped on output).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Evidence {
    /// Input path.
    pub source: String,
    /// 1-based line (HAR: entry index).
    pub line: u64,
    /// The first line of the entry, cut to 300 characters, secrets redacted.
    pub excerpt: String,
}

/// A request, from the server log or a HAR file. Kept compact (80 bytes): a
/// large log has a million of them.
#[derive(Clone, Debug)]
pub struct Req {
    /// When it ended (UTC once [`Facts::to_utc`] ran); see [`Req::start`].
    pub end: Timestamp,
    /// Duration in milliseconds.
    pub ms: f64,
    /// Index into [`Facts::endpoints`] (whose text begins with the method).
    pub endpoint: u32,
    /// Input index.
    pub source: u32,
    /// Line / entry index.
    pub line: u64,
    /// Byte range of the entry in its input (0, 0 for HAR entries).
    pub at: (u64, u32),
    /// Status, when known.
    pub status: Option<u16>,
    /// Logged level.
    pub level: Level,
    /// The time is still on the server's local clock (see [`Facts::to_utc`]).
    pub local: bool,
    /// Correlation id (32 hex digits) as bytes: compared, never printed.
    pub correlation: Option<Correlation>,
    /// What only some requests have: a path to match browser and server, browser timings.
    pub extra: Option<Box<ReqExtra>>,
}

/// The rarer parts of a [`Req`], boxed so that the common case stays small.
#[derive(Clone, Debug, Default)]
pub struct ReqExtra {
    /// URL path and query (redacted), for matching browser and server: kept for
    /// browser entries, and for server requests only when a HAR file was given.
    pub path: Option<Box<str>>,
    /// Browser timings (HAR only).
    pub browser: Option<BrowserTiming>,
}

impl Req {
    /// When it started: the end less the duration (server lines are logged at the
    /// end; HAR entries, logged at the start, were given `end = start + duration`).
    pub fn start(&self) -> Timestamp {
        self.end.add_micros(-duration_micros(self.ms))
    }

    /// The redacted path and query, when kept.
    pub fn path(&self) -> Option<&str> {
        self.extra.as_ref()?.path.as_deref()
    }

    /// Browser timings (HAR entries).
    pub fn browser(&self) -> Option<&BrowserTiming> {
        self.extra.as_ref()?.browser.as_ref()
    }

    /// [`Req::endpoint`] as an index.
    pub fn endpoint_index(&self) -> usize {
        self.endpoint as usize
    }
}

/// Milliseconds as whole microseconds, the way start and end are kept consistent.
fn duration_micros(ms: f64) -> i64 {
    (ms * 1000.0) as i64
}

/// A 32-hex-digit correlation id as its 16 bytes (byte-aligned: it packs into a
/// fact's padding, where a `u128` forced 16-byte alignment).
pub type Correlation = [u8; 16];

/// A slow SQL operation (at or above [`crate::sql::SLOW_SQL_MS`]; faster ones are only counted).
/// Its texts are interned in [`Facts::names`], and what analysis reads from the
/// transaction name (component, task, correlation id) is extracted once, here.
#[derive(Clone, Debug)]
pub struct SqlFact {
    /// When it was logged (the operation ended then).
    pub time: Timestamp,
    /// Milliseconds.
    pub ms: f64,
    /// Operation words (`Reader`, `Execute reader`…): a [`Facts::names`] index.
    pub operation: u32,
    /// Table named in the statement, when found: a [`Facts::names`] index.
    pub table: Option<u32>,
    /// The transaction's component ([`crate::sql::component`]), redacted: a [`Facts::names`] index.
    pub component: u32,
    /// `N` of the `ServerTasks-N` named in the transaction.
    pub task: Option<std::num::NonZeroU64>,
    /// Correlation id at the end of a web-request transaction name.
    pub correlation: Option<Correlation>,
    /// Input index.
    pub source: u32,
    /// Line.
    pub line: u64,
    /// Byte range of the entry.
    pub at: (u64, u32),
    /// Still on the server's local clock.
    pub local: bool,
}

/// Something that shows pressure on the database connection pool.
#[derive(Clone, Debug)]
pub struct Pressure {
    /// When.
    pub time: Timestamp,
    /// `N transactions active`, or the dump's transaction count.
    pub active: Option<u32>,
    /// What it was: `transactions-active`, `high-transactions-dump`, `pool-exhausted`,
    /// `command-timeout`, `deadlock`, `sql-error`.
    pub what: &'static str,
    /// Transaction name, when given.
    pub transaction: Option<String>,
    /// Input index.
    pub source: u32,
    /// Line.
    pub line: u64,
    /// Byte range of the entry.
    pub at: (u64, u32),
    /// Still on the server's local clock.
    pub local: bool,
}

/// A server start (version banner).
#[derive(Clone, Debug)]
pub struct Start {
    /// When.
    pub time: Timestamp,
    /// Version.
    pub version: String,
    /// PID, when the layout has it.
    pub pid: Option<u32>,
    /// Input index.
    pub source: u32,
    /// Line.
    pub line: u64,
    /// Byte range of the entry.
    pub at: (u64, u32),
    /// Still on the server's local clock.
    pub local: bool,
}

/// A plain point event worth counting (errors, Halibut failures, task lines).
#[derive(Clone, Debug)]
pub struct Point {
    /// When.
    pub time: Timestamp,
    /// Input index.
    pub source: u32,
    /// Line.
    pub line: u64,
    /// A short label (task description, endpoint, event kind…).
    pub label: Cow<'static, str>,
    /// Milliseconds, when the line gives a duration.
    pub ms: Option<f64>,
    /// Byte range of the entry.
    pub at: (u64, u32),
    /// Still on the server's local clock.
    pub local: bool,
}

/// Everything the analyses read. Times are as logged while the facts are
/// collected (the server's offset is not known yet: it is derived from them),
/// and UTC after [`Facts::to_utc`].
#[derive(Debug, Default)]
pub struct Facts {
    /// Server-side requests, by end time.
    pub requests: Vec<Req>,
    /// Browser (HAR) requests, by start time.
    pub browser: Vec<Req>,
    /// Normalised endpoints; `Req::endpoint` indexes this.
    pub endpoints: Vec<String>,
    /// Slow SQL ([`crate::sql::SLOW_SQL_MS`] or more).
    pub sql: Vec<SqlFact>,
    /// When each faster SQL operation was logged (they are counted, not kept), and whether
    /// that time is local.
    pub sql_fast: Vec<(Timestamp, bool)>,
    /// Interned short texts that [`SqlFact`] refers to by index.
    pub names: Vec<String>,
    /// Pool pressure and SQL errors.
    pub pressure: Vec<Pressure>,
    /// Server starts.
    pub starts: Vec<Start>,
    /// ERROR and FATAL entries.
    pub errors: Vec<Point>,
    /// Halibut communication failures (label: endpoint).
    pub halibut_failures: Vec<Point>,
    /// `Executing task "…" "…" after Nms.` lines (label: description, ms).
    pub task_lines: Vec<Point>,
    /// Versions seen in server logs.
    pub versions: Vec<String>,
    /// Distinct `Projects-N` ids seen in request URLs.
    pub project_ids: rustc_hash::FxHashSet<u64>,
}

impl Facts {
    /// An interned text of [`Facts::names`].
    pub fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", String::as_str)
    }

    /// The HTTP method of a request (the first word of its endpoint).
    pub fn method(&self, r: &Req) -> &str {
        let ep = self.endpoints.get(r.endpoint_index()).map_or("", String::as_str);
        ep.split(' ').next().unwrap_or(ep)
    }

    /// SQL operations counted, slow and fast.
    pub fn sql_total(&self) -> usize {
        self.sql.len() + self.sql_fast.len()
    }

    /// Moves every local time to UTC with the server's `offset`, then orders
    /// each list by time (the analyses binary-search them; mixed clocks can
    /// reorder events once in UTC).
    pub fn to_utc(&mut self, offset: UtcOffset) {
        let utc = |t: &mut Timestamp, local: &mut bool| {
            if std::mem::take(local) {
                *t = t.local_to_utc(offset);
            }
        };
        for r in self.requests.iter_mut().chain(self.browser.iter_mut()) {
            utc(&mut r.end, &mut r.local);
        }
        self.sql.iter_mut().for_each(|s| utc(&mut s.time, &mut s.local));
        self.sql_fast.iter_mut().for_each(|(t, l)| utc(t, l));
        self.pressure.iter_mut().for_each(|p| utc(&mut p.time, &mut p.local));
        self.starts.iter_mut().for_each(|p| utc(&mut p.time, &mut p.local));
        let points = self.errors.iter_mut().chain(&mut self.halibut_failures);
        points.chain(&mut self.task_lines).for_each(|p| utc(&mut p.time, &mut p.local));
        sort_if_needed(&mut self.requests, |r| r.end);
        sort_if_needed(&mut self.browser, |r| r.start());
        sort_if_needed(&mut self.sql, |s| s.time);
        sort_if_needed(&mut self.pressure, |p| p.time);
        sort_if_needed(&mut self.errors, |p| p.time);
        sort_if_needed(&mut self.halibut_failures, |p| p.time);
        sort_if_needed(&mut self.task_lines, |p| p.time);
        sort_if_needed(&mut self.starts, |p| p.time);
    }

    fn shift_lines(&mut self, by: u64) {
        self.requests.iter_mut().for_each(|r| r.line += by);
        self.sql.iter_mut().for_each(|s| s.line += by);
        self.pressure.iter_mut().for_each(|p| p.line += by);
        self.starts.iter_mut().for_each(|p| p.line += by);
        let points = self.errors.iter_mut().chain(&mut self.halibut_failures);
        points.chain(&mut self.task_lines).for_each(|p| p.line += by);
    }
}

/// Stable sort by key, skipped when already sorted (the usual case: one clock per run).
fn sort_if_needed<T>(v: &mut [T], key: impl Fn(&T) -> Timestamp) {
    if !v.is_sorted_by_key(&key) {
        v.sort_by_key(key);
    }
}

/// Converts an event time to UTC with the server offset (identity for UTC clocks).
pub fn to_utc(t: Timestamp, clock: Clock, offset: UtcOffset) -> Timestamp {
    match clock {
        Clock::Utc => t,
        Clock::Local => t.local_to_utc(offset),
    }
}

/// Short texts interned to small ids, so that millions of facts share a few strings.
#[derive(Debug, Default)]
struct Interner {
    ids: FxHashMap<Box<str>, u32>,
}

impl Interner {
    fn id(&mut self, names: &mut Vec<String>, text: &str) -> u32 {
        self.id_as(names, text, str::to_string)
    }

    /// The id of `text` redacted ([`redact_text`]), redacting only texts not seen before.
    fn id_redacted(&mut self, names: &mut Vec<String>, text: &str) -> u32 {
        self.id_as(names, text, redact_text)
    }

    fn id_as(&mut self, names: &mut Vec<String>, text: &str, name: fn(&str) -> String) -> u32 {
        if let Some(id) = self.ids.get(text) {
            return *id;
        }
        let id = names.len() as u32;
        self.ids.insert(text.into(), id);
        names.push(name(text));
        id
    }
}

/// Folds events into facts as they are parsed: one `Part` per parallel chunk
/// (it is the server-log parser's [`EventSink`]), joined by [`collect`].
#[derive(Debug, Default)]
pub struct Part {
    facts: Facts,
    endpoint_ids: FxHashMap<String, u32>,
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
    const CHUNK: usize = 1 << 16;
    let keep_paths = data.inputs.iter().any(|i| i.format == octodiag_parsers::Format::Har);
    let rest: Vec<Part> = data
        .events
        .par_chunks(CHUNK)
        .map(|events| {
            let mut part = Part::new(keep_paths);
            for e in events {
                let bytes = data.inputs.get(e.source as usize).map_or(&[][..], |i| i.bytes);
                part.fold(e, bytes);
            }
            part
        })
        .collect();
    join(folded.into_iter().chain(rest).collect())
}

/// Joins parts in order, mapping each part's endpoint and name ids onto one table.
/// The result is the same for any chunking. The big lists are copied side by
/// side (rayon), each freeing its parts' memory as it goes.
fn join(parts: Vec<Part>) -> Facts {
    let mut f = Facts::default();
    let mut endpoint_ids: FxHashMap<String, u32> = FxHashMap::default();
    let mut names = Interner::default();
    let mut lists = Vec::with_capacity(parts.len());
    for part in parts {
        let mut part = part.facts;
        let remap: Vec<u32> = std::mem::take(&mut part.endpoints)
            .into_iter()
            .map(|ep| match endpoint_ids.get(&ep) {
                Some(i) => *i,
                None => {
                    endpoint_ids.insert(ep.clone(), f.endpoints.len() as u32);
                    f.endpoints.push(ep);
                    f.endpoints.len() as u32 - 1
                }
            })
            .collect();
        let rename: Vec<u32> = part.names.iter().map(|n| names.id(&mut f.names, n)).collect();
        f.pressure.append(&mut part.pressure);
        f.starts.append(&mut part.starts);
        f.errors.append(&mut part.errors);
        f.halibut_failures.append(&mut part.halibut_failures);
        f.task_lines.append(&mut part.task_lines);
        f.project_ids.extend(part.project_ids.drain());
        for v in part.versions.drain(..) {
            if !f.versions.contains(&v) {
                f.versions.push(v);
            }
        }
        lists.push((part, remap, rename));
    }
    let requests = lists.iter().map(|(p, ..)| p.requests.len()).sum();
    let sql = lists.iter().map(|(p, ..)| p.sql.len()).sum();
    let mut requests_of = Vec::with_capacity(lists.len());
    let mut sql_of = Vec::with_capacity(lists.len());
    for (p, remap, rename) in lists {
        requests_of.push((p.requests, p.browser, remap));
        sql_of.push((p.sql, p.sql_fast, rename));
    }
    let ((reqs, browser), (slow_sql, fast_sql)) = rayon::join(
        || {
            let mut reqs = Vec::with_capacity(requests);
            let mut browser = Vec::new();
            for (r, b, remap) in requests_of {
                let renamed = |r: Req| Req { endpoint: remap[r.endpoint_index()], ..r };
                reqs.extend(r.into_iter().map(renamed));
                browser.extend(b.into_iter().map(renamed));
            }
            (reqs, browser)
        },
        || {
            let mut slow = Vec::with_capacity(sql);
            let mut fast = Vec::new();
            for (s, f, rename) in sql_of {
                slow.extend(s.into_iter().map(|s| SqlFact {
                    operation: rename[s.operation as usize],
                    table: s.table.map(|t| rename[t as usize]),
                    component: rename[s.component as usize],
                    ..s
                }));
                fast.extend(f);
            }
            (slow, fast)
        },
    );
    (f.requests, f.browser, f.sql, f.sql_fast) = (reqs, browser, slow_sql, fast_sql);
    f
}

/// Entries kept in each of a part's caches before it starts afresh: bounds
/// memory on logs whose paths or statements never repeat.
const CACHE_MAX: usize = 1 << 16;

/// Statements longer than this are matched without caching them.
const CACHED_STATEMENT_MAX: usize = 1024;

/// A 32-hex correlation id as bytes.
pub fn correlation_key(text: &str) -> Option<Correlation> {
    // Branch-free over a table: `u128::from_str_radix` cost 100 ns a call, and a
    // byte-by-byte check with early exits most of the rest (two ids per request
    // and SQL line).
    const HEX: [u8; 256] = {
        let mut t = [0xFF; 256];
        let mut i = 0;
        while i < 10 {
            t[b'0' as usize + i] = i as u8;
            i += 1;
        }
        let mut i = 0;
        while i < 6 {
            t[b'a' as usize + i] = 10 + i as u8;
            t[b'A' as usize + i] = 10 + i as u8;
            i += 1;
        }
        t
    };
    let hex: &[u8; 32] = text.as_bytes().try_into().ok()?;
    let mut out = [0u8; 16];
    let mut bad = 0u8;
    for (o, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
        let (hi, lo) = (HEX[pair[0] as usize], HEX[pair[1] as usize]);
        bad |= hi | lo;
        *o = hi << 4 | lo;
    }
    (bad & 0xF0 == 0).then_some(out)
}

/// A correlation id as the 32 lower-case hex digits it was logged as.
pub fn correlation_text(c: Correlation) -> String {
    format!("{:032x}", u128::from_be_bytes(c))
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
    fn fold(&mut self, e: &Event, b: &[u8]) {
        let local = e.clock == Clock::Local;
        let (time, at) = (e.time, (e.offset, e.len));
        let point = |label: Cow<'static, str>, ms: Option<f64>| Point {
            time,
            source: e.source,
            line: e.line,
            label,
            ms,
            at,
            local,
        };
        let pressure = |what, active, transaction| Pressure {
            time,
            active,
            what,
            transaction,
            source: e.source,
            line: e.line,
            at,
            local,
        };
        if e.level >= Level::Error {
            self.facts.errors.push(point(Cow::Borrowed(e.kind.name()), None));
        }
        let f = &mut self.facts;
        match &e.kind {
            EventKind::Request(r) => self.request(e, r, b),
            EventKind::Sql(s) => self.sql(e, s, b),
            EventKind::SqlError { error, transaction } => {
                let what = match error {
                    SqlErrorKind::PoolExhausted => "pool-exhausted",
                    SqlErrorKind::CommandTimeout => "command-timeout",
                    SqlErrorKind::Deadlock => "deadlock",
                    SqlErrorKind::Other => "sql-error",
                };
                let transaction = transaction.as_ref().map(|t| redact_text(&t.resolve(b)));
                f.pressure.push(pressure(what, None, transaction));
            }
            EventKind::Transactions(t) => {
                let (what, active) = match t.active {
                    Some(n) => ("transactions-active", Some(n)),
                    None => ("high-transactions-dump", Some(t.dump.len() as u32)),
                };
                f.pressure.push(pressure(what, active, None));
            }
            EventKind::ServerStart { version, pid, .. } => {
                let version = version.resolve(b).into_owned();
                if !f.versions.contains(&version) {
                    f.versions.push(version.clone());
                }
                let (source, line, pid) = (e.source, e.line, *pid);
                f.starts.push(Start { time, version, pid, source, line, at, local });
            }
            EventKind::Halibut { endpoint, failure: true, .. } => {
                f.halibut_failures.push(point(endpoint.resolve(b).into_owned().into(), None));
            }
            EventKind::TaskExecuted { description, duration_ms, .. } => {
                let label = description.resolve(b).into_owned().into();
                f.task_lines.push(point(label, Some(*duration_ms)));
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
        let f = &mut self.facts;
        // Server lines are logged when the response is sent, HAR entries at the start.
        let end = match r.browser {
            Some(_) => e.time.add_micros(duration_micros(r.duration_ms)),
            None => e.time,
        };
        let keep_path = self.keep_paths || r.browser.is_some();
        let path = keep_path
            .then(|| redact_url(crate::endpoint::path_with_query(&url)).into_owned().into());
        let browser = r.browser.as_deref().cloned();
        let from_browser = browser.is_some();
        let extra = (path.is_some() || from_browser).then(|| Box::new(ReqExtra { path, browser }));
        let req = Req {
            end,
            ms: r.duration_ms,
            endpoint,
            source: e.source,
            line: e.line,
            at: (e.offset, e.len),
            status: r.status,
            level: e.level,
            local: e.clock == Clock::Local,
            correlation: r.correlation_id.as_ref().and_then(|c| correlation_key(&c.resolve(b))),
            extra,
        };
        if from_browser {
            f.browser.push(req);
        } else {
            f.requests.push(req);
        }
    }

    /// The endpoint id of a request, through the raw-path cache.
    fn endpoint_of(&mut self, method: &str, url: &str) -> u32 {
        self.buf.clear();
        self.buf.push_str(method);
        self.buf.push(' ');
        self.buf.push_str(crate::endpoint::path_of(url));
        if let Some(id) = self.raw_endpoints.get(self.buf.as_str()) {
            return *id;
        }
        let mut normalised = String::with_capacity(self.buf.len());
        endpoint_into(&mut normalised, method, url);
        let f = &mut self.facts;
        let id = match self.endpoint_ids.get(normalised.as_str()) {
            Some(i) => *i,
            None => {
                self.endpoint_ids.insert(normalised.clone(), f.endpoints.len() as u32);
                f.endpoints.push(normalised);
                f.endpoints.len() as u32 - 1
            }
        };
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
        if s.duration_ms < crate::sql::SLOW_SQL_MS {
            self.facts.sql_fast.push((e.time, local));
            return;
        }
        let table = self.table_id(span_bytes(&s.statement, b));
        let transaction = s.transaction.as_ref().map(|t| t.resolve(b));
        let transaction = transaction.as_deref();
        let component = crate::sql::component(transaction);
        let f = &mut self.facts;
        f.sql.push(SqlFact {
            time: e.time,
            ms: s.duration_ms,
            operation: self.names.id(&mut f.names, &s.operation.resolve(b)),
            table,
            component: self.names.id_redacted(&mut f.names, component),
            task: transaction.and_then(crate::sql::task_number).and_then(std::num::NonZeroU64::new),
            correlation: transaction.and_then(crate::sql::correlation_in),
            source: e.source,
            line: e.line,
            at: (e.offset, e.len),
            local,
        });
    }
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

/// Redacts secrets in free text: Octopus API keys, bearer tokens, secret query values.
pub fn redact_text(text: &str) -> String {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"(?i)\b(api[-_]?key|access_token|id_token|refresh_token|token|password|pwd|secret|client_secret|csrf[-_a-z]*)=([^&\s'\x22]+)")
            .expect("static regex")
    });
    let keys = redact_api_keys(text);
    // Every pattern needs `=`: most texts (transaction names) skip the regex.
    if !keys.contains('=') {
        return keys.into_owned();
    }
    re.replace_all(&keys, "$1=REDACTED").into_owned()
}

/// The quotable first line of an event's entry (`at` is its byte range).
pub fn evidence_of(data: &Dataset<'_>, source: u32, line: u64, at: (u64, u32)) -> Evidence {
    let (offset, len) = at;
    let input = data.inputs.get(source as usize);
    let name = input.map_or("?", |i| i.name).to_string();
    let bytes = input.map_or(&[][..], |i| i.bytes);
    let start = offset as usize;
    let end = (start + len as usize).min(bytes.len());
    let entry = bytes.get(start..end).unwrap_or_default();
    let first = entry.split(|b| *b == b'\n').next().unwrap_or_default();
    let text = String::from_utf8_lossy(first);
    let text = text.trim_end_matches('\r');
    let cut: String = text.chars().take(300).collect();
    Evidence { source: name, line, excerpt: redact_text(&cut) }
}

/// The quotable text of line `line` (1-based) of an input, found by scanning:
/// used only for the few task-log lines quoted as evidence.
pub fn evidence_at_line(data: &Dataset<'_>, source: u32, line: u64) -> Evidence {
    let input = data.inputs.get(source as usize);
    let bytes = input.map_or(&[][..], |i| i.bytes);
    let text =
        bytes.split(|b| *b == b'\n').nth(line.saturating_sub(1) as usize).unwrap_or_default();
    let text = String::from_utf8_lossy(text);
    let cut: String = text.trim_end_matches('\r').chars().take(300).collect();
    Evidence { source: input.map_or("?", |i| i.name).to_string(), line, excerpt: redact_text(&cut) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_from_statements() {
        assert_eq!(table_of(b"DELETE FROM dbo.[Release] WHERE [Id] = @id"), Some("Release"));
        assert_eq!(table_of(b"SELECT * FROM dbo.[Dashboard] ORDER BY Id"), Some("Dashboard"));
        assert_eq!(table_of(b"INSERT INTO [ServerTask] (Id) VALUES (1)"), Some("ServerTask"));
        assert_eq!(
            table_of(b"UPDATE dbo.[DeploymentHistory] SET x = 1"),
            Some("DeploymentHistory")
        );
        assert_eq!(table_of(b"SELECT 1"), None);
        assert_eq!(
            correlation_key("ed1b1080c090462f9aaa52b7ccd6b314").map(correlation_text).as_deref(),
            Some("ed1b1080c090462f9aaa52b7ccd6b314")
        );
        assert_eq!(correlation_key("ed1b1080c090462f9aaa52b7ccd6b31"), None);
        assert_eq!(correlation_key("ed1b1080c090462f9aaa52b7ccd6b31g"), None);
        assert_eq!(
            correlation_key("ED1B1080C090462F9AAA52B7CCD6B314"),
            correlation_key("ed1b1080c090462f9aaa52b7ccd6b314")
        );
    }

    #[test]
    fn free_text_redaction() {
        assert_eq!(
            redact_text("GET /api/x?apikey=API-ABCDEFGHIJKLMNOPQRSTUV&skip=1 token=abc"),
            "GET /api/x?apikey=REDACTED&skip=1 token=REDACTED"
        );
        assert_eq!(
            redact_text("Authorization: Bearer abc.def.ghi9"),
            "Authorization: Bearer REDACTED"
        );
    }
}

#[cfg(test)]
mod folding_tests {
    use octodiag_parsers::server_log::{parse, parse_into, ServerLogOptions};

    use super::*;

    const SAMPLE: &[u8] = include_bytes!("../../testdata/server-log/mixed-versions.txt");
    /// 353, 588, 60007, 412 and 1204 ms; and one of 1 ms.
    const SLOW_SQL: usize = 5;
    const SQL_TOTAL: usize = 6;

    fn fold(chunk_size: usize) -> Facts {
        let opts = ServerLogOptions { chunk_size, keep_generic: false };
        let (_, parts) = parse_into(0, SAMPLE, &opts, &|| Part::new(false));
        join(parts)
    }

    fn summary(f: &Facts) -> Vec<String> {
        let reqs = f.requests.iter().map(|r| {
            format!(
                "req {} {} {} {} {:?}",
                r.line,
                f.endpoints[r.endpoint_index()],
                r.ms,
                r.end.0,
                r.at
            )
        });
        let sql = f.sql.iter().map(|s| {
            let table = s.table.map(|t| f.name(t));
            format!("sql {} {} {table:?} {} {:?}", s.line, f.name(s.operation), s.ms, s.task)
        });
        let points =
            f.errors.iter().chain(&f.task_lines).map(|p| format!("pt {} {}", p.line, p.label));
        reqs.chain(sql).chain(points).collect()
    }

    /// Folding while parsing gives the same facts for any chunking, with whole-file
    /// line numbers, as folding the events of a whole-file parse.
    #[test]
    fn folded_facts_do_not_depend_on_chunks() {
        let whole = fold(1 << 30);
        // The sample's 4 request lines; its SQL lines of 300 ms or more are kept, the rest counted.
        assert_eq!(whole.requests.len(), 4);
        assert_eq!((whole.sql.len(), whole.sql_total()), (SLOW_SQL, SQL_TOTAL));
        for size in [1, 64, 300, 4096] {
            assert_eq!(summary(&fold(size)), summary(&whole), "chunk size {size}");
        }
        let log = parse(0, SAMPLE, &ServerLogOptions { chunk_size: 1 << 30, keep_generic: false });
        let mut part = Part::new(false);
        log.events.iter().for_each(|e| part.fold(e, SAMPLE));
        assert_eq!(summary(&join(vec![part])), summary(&whole));
    }

    /// Local times move by the offset; UTC ones stay.
    #[test]
    fn to_utc_moves_local_times_only() {
        let mut f = fold(1 << 30);
        let before: Vec<(i64, bool)> = f.requests.iter().map(|r| (r.end.0, r.local)).collect();
        assert!(before.iter().any(|b| b.1), "the sample has local times");
        f.to_utc(UtcOffset { minutes: 600 });
        for (r, (t, local)) in f.requests.iter().zip(before) {
            let shift = if local { -600 * 60_000_000 } else { 0 };
            assert_eq!(r.end.0, t + shift);
            assert!(!r.local);
        }
    }
}
