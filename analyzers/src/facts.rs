//! Facts: the events analysis needs, with times moved to UTC, texts resolved
//! and redacted, endpoints normalised. Built in one pass over the events.

use std::borrow::Cow;
use std::sync::OnceLock;

use octodiag_parsers::event::BrowserTiming;
use octodiag_parsers::redact::{redact_api_keys, redact_url};
use octodiag_parsers::{Clock, Event, EventKind, Level, SqlErrorKind, Timestamp, UtcOffset};
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

/// A request, from the server log or a HAR file.
#[derive(Clone, Debug)]
pub struct Req {
    /// When it started (UTC).
    pub start: Timestamp,
    /// When it ended (UTC).
    pub end: Timestamp,
    /// Duration in milliseconds.
    pub ms: f64,
    /// Index into [`Facts::endpoints`].
    pub endpoint: usize,
    /// URL path and query (redacted), for matching browser and server: kept for
    /// browser entries, and for server requests only when a HAR file was given.
    pub path: Option<String>,
    /// HTTP method.
    pub method: Cow<'static, str>,
    /// Status, when known.
    pub status: Option<u16>,
    /// Correlation id (32 hex digits) as a number: compared, never printed.
    pub correlation: Option<u128>,
    /// Input index.
    pub source: u32,
    /// Line / entry index.
    pub line: u64,
    /// Logged level.
    pub level: Level,
    /// Browser timings (HAR only).
    pub browser: Option<Box<BrowserTiming>>,
    /// Byte range of the entry in its input (0, 0 for HAR entries).
    pub at: (u64, u32),
}

/// A timed SQL operation.
#[derive(Clone, Debug)]
pub struct SqlFact {
    /// When it was logged (UTC; the operation ended then).
    pub time: Timestamp,
    /// Milliseconds.
    pub ms: f64,
    /// Operation words.
    pub operation: Cow<'static, str>,
    /// Table named in the statement, when found.
    pub table: Option<String>,
    /// Transaction name.
    pub transaction: Option<String>,
    /// Input index and line.
    pub source: u32,
    /// Line.
    pub line: u64,
    /// Byte range of the entry.
    pub at: (u64, u32),
}

/// Something that shows pressure on the database connection pool.
#[derive(Clone, Debug)]
pub struct Pressure {
    /// When (UTC).
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
}

/// A server start (version banner).
#[derive(Clone, Debug)]
pub struct Start {
    /// When (UTC).
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
}

/// A plain point event worth counting (errors, Halibut failures, task lines).
#[derive(Clone, Debug)]
pub struct Point {
    /// When (UTC).
    pub time: Timestamp,
    /// Input index.
    pub source: u32,
    /// Line.
    pub line: u64,
    /// A short label (task description, endpoint, …).
    pub label: String,
    /// Milliseconds, when the line gives a duration.
    pub ms: Option<f64>,
    /// Byte range of the entry.
    pub at: (u64, u32),
}

/// Everything the analyses read, in UTC.
#[derive(Debug, Default)]
pub struct Facts {
    /// Server-side requests, by end time.
    pub requests: Vec<Req>,
    /// Browser (HAR) requests, by start time.
    pub browser: Vec<Req>,
    /// Normalised endpoints; `Req::endpoint` indexes this.
    pub endpoints: Vec<String>,
    /// Timed SQL.
    pub sql: Vec<SqlFact>,
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

/// Builds the facts from every event, moving local times to UTC with `offset`.
pub fn collect(data: &Dataset<'_>, offset: UtcOffset) -> Facts {
    // Events are cut into chunks collected in parallel (rayon), each with its own
    // endpoint table; the chunks are then joined in order and their endpoint ids
    // mapped onto one table. The result is the same for any chunking.
    const CHUNK: usize = 1 << 16;
    let parts: Vec<(Facts, FxHashMap<String, usize>)> =
        data.events.par_chunks(CHUNK).map(|events| collect_chunk(data, events, offset)).collect();
    let mut f = Facts::default();
    f.requests.reserve_exact(parts.iter().map(|p| p.0.requests.len()).sum());
    f.sql.reserve_exact(parts.iter().map(|p| p.0.sql.len()).sum());
    f.pressure.reserve_exact(parts.iter().map(|p| p.0.pressure.len()).sum());
    let mut ids: FxHashMap<String, usize> = FxHashMap::default();
    for (part, _) in parts {
        let remap: Vec<usize> = part
            .endpoints
            .into_iter()
            .map(|ep| match ids.get(&ep) {
                Some(i) => *i,
                None => {
                    ids.insert(ep.clone(), f.endpoints.len());
                    f.endpoints.push(ep);
                    f.endpoints.len() - 1
                }
            })
            .collect();
        f.requests.extend(part.requests.into_iter().map(|mut r| {
            r.endpoint = remap[r.endpoint];
            r
        }));
        f.browser.extend(part.browser.into_iter().map(|mut r| {
            r.endpoint = remap[r.endpoint];
            r
        }));
        f.sql.extend(part.sql);
        f.pressure.extend(part.pressure);
        f.starts.extend(part.starts);
        f.errors.extend(part.errors);
        f.halibut_failures.extend(part.halibut_failures);
        f.task_lines.extend(part.task_lines);
        f.project_ids.extend(part.project_ids);
        for v in part.versions {
            if !f.versions.contains(&v) {
                f.versions.push(v);
            }
        }
    }
    // Mixed clocks (zone-suffixed and local logs) can reorder events once in UTC;
    // the analyses binary-search these lists, so sort them.
    sort_if_needed(&mut f.requests, |r| r.end);
    sort_if_needed(&mut f.browser, |r| r.start);
    sort_if_needed(&mut f.sql, |s| s.time);
    sort_if_needed(&mut f.pressure, |p| p.time);
    sort_if_needed(&mut f.errors, |p| p.time);
    f
}

/// Collects the facts of one run of consecutive events.
fn collect_chunk(
    data: &Dataset<'_>,
    events: &[Event],
    offset: UtcOffset,
) -> (Facts, FxHashMap<String, usize>) {
    let keep_paths = data.inputs.iter().any(|i| i.format == octodiag_parsers::Format::Har);
    let mut f = Facts::default();
    let mut endpoint_ids: FxHashMap<String, usize> = FxHashMap::default();
    let mut buf = String::with_capacity(128);
    for e in events {
        let bytes = data.inputs.get(e.source as usize).map_or(&[][..], |i| i.bytes);
        let time = to_utc(e.time, e.clock, offset);
        collect_one(keep_paths, &mut f, &mut endpoint_ids, &mut buf, e, bytes, time);
        if e.level >= Level::Error {
            let at = (e.offset, e.len);
            f.errors.push(Point {
                time,
                source: e.source,
                line: e.line,
                label: e.kind.name().into(),
                ms: None,
                at,
            });
        }
    }
    (f, endpoint_ids)
}

const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];
const SQL_OPERATIONS: &[&str] = &[
    "Reader",
    "Process reader",
    "Execute reader",
    "Executing reader",
    "Insert",
    "Update",
    "Delete",
    "Execute non query",
    "Executing non query",
    "Executing DELETE query",
    "Scalar",
    "Execute scalar",
];

/// A common word as a static string (no allocation), anything else owned.
fn known(text: Cow<'_, str>, words: &'static [&'static str]) -> Cow<'static, str> {
    match words.iter().find(|w| **w == text) {
        Some(w) => Cow::Borrowed(w),
        None => Cow::Owned(text.into_owned()),
    }
}

/// A 32-hex correlation id as a number.
pub fn correlation_key(text: &str) -> Option<u128> {
    (text.len() == 32).then(|| u128::from_str_radix(text, 16).ok()).flatten()
}

/// The number of the first `Projects-N` id in a URL.
fn project_id(url: &str) -> Option<u64> {
    static FINDER: OnceLock<memchr::memmem::Finder<'static>> = OnceLock::new();
    let finder = FINDER.get_or_init(|| memchr::memmem::Finder::new("Projects-"));
    let i = finder.find(url.as_bytes())? + "Projects-".len();
    let digits = url[i..].bytes().take_while(u8::is_ascii_digit).count();
    url[i..i + digits].parse().ok()
}

fn collect_one(
    keep_paths: bool,
    f: &mut Facts,
    ids: &mut FxHashMap<String, usize>,
    buf: &mut String,
    e: &Event,
    b: &[u8],
    time: Timestamp,
) {
    let at = (e.offset, e.len);
    let point = |label: String, ms: Option<f64>| Point {
        time,
        source: e.source,
        line: e.line,
        label,
        ms,
        at,
    };
    match &e.kind {
        EventKind::Request(r) => {
            let method = known(r.method.resolve(b), METHODS);
            let url = r.url.resolve(b);
            if let Some(id) = project_id(&url) {
                f.project_ids.insert(id);
            }
            buf.clear();
            endpoint_into(buf, &method, &url);
            let idx = match ids.get(buf.as_str()) {
                Some(i) => *i,
                None => {
                    ids.insert(buf.clone(), f.endpoints.len());
                    f.endpoints.push(buf.clone());
                    f.endpoints.len() - 1
                }
            };
            let dur = (r.duration_ms * 1000.0) as i64;
            let (start, end) = if r.browser.is_some() {
                (time, time.add_micros(dur))
            } else {
                (time.add_micros(-dur), time)
            };
            let req = Req {
                start,
                end,
                ms: r.duration_ms,
                endpoint: idx,
                path: (keep_paths || r.browser.is_some())
                    .then(|| redact_url(crate::endpoint::path_with_query(&url)).into_owned()),
                method,
                status: r.status,
                correlation: r.correlation_id.as_ref().and_then(|c| correlation_key(&c.resolve(b))),
                source: e.source,
                line: e.line,
                level: e.level,
                browser: r.browser.clone(),
                at,
            };
            if req.browser.is_some() {
                f.browser.push(req);
            } else {
                f.requests.push(req);
            }
        }
        EventKind::Sql(s) => {
            // Only slow statements are grouped by table: skip resolving and the regex for the rest.
            let slow = s.duration_ms >= crate::sql::SLOW_SQL_MS;
            f.sql.push(SqlFact {
                time,
                ms: s.duration_ms,
                operation: known(s.operation.resolve(b), SQL_OPERATIONS),
                table: if slow { table_of(&s.statement.resolve(b)) } else { None },
                transaction: s.transaction.as_ref().map(|t| redact_text(&t.resolve(b))),
                source: e.source,
                line: e.line,
                at,
            });
        }
        EventKind::SqlError { error, transaction } => {
            let what = match error {
                SqlErrorKind::PoolExhausted => "pool-exhausted",
                SqlErrorKind::CommandTimeout => "command-timeout",
                SqlErrorKind::Deadlock => "deadlock",
                SqlErrorKind::Other => "sql-error",
            };
            let transaction = transaction.as_ref().map(|t| redact_text(&t.resolve(b)));
            f.pressure.push(Pressure {
                time,
                active: None,
                what,
                transaction,
                source: e.source,
                line: e.line,
                at,
            });
        }
        EventKind::Transactions(t) => {
            let (what, active) = match t.active {
                Some(n) => ("transactions-active", Some(n)),
                None => ("high-transactions-dump", Some(t.dump.len() as u32)),
            };
            f.pressure.push(Pressure {
                time,
                active,
                what,
                transaction: None,
                source: e.source,
                line: e.line,
                at,
            });
        }
        EventKind::ServerStart { version, pid, .. } => {
            let version = version.resolve(b).into_owned();
            if !f.versions.contains(&version) {
                f.versions.push(version.clone());
            }
            f.starts.push(Start { time, version, pid: *pid, source: e.source, line: e.line, at });
        }
        EventKind::Halibut { endpoint, failure: true, .. } => {
            f.halibut_failures.push(point(endpoint.resolve(b).into_owned(), None));
        }
        EventKind::TaskExecuted { description, duration_ms, .. } => {
            f.task_lines.push(point(description.resolve(b).into_owned(), Some(*duration_ms)));
        }
        _ => {}
    }
}

/// The table an SQL statement reads or writes (`dbo.[Release]` → `Release`).
pub fn table_of(statement: &str) -> Option<String> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"(?i)\b(?:FROM|INTO|UPDATE|JOIN|DELETE\s+FROM)\s+(?:\[?dbo\]?\.)?\[?([A-Za-z_][A-Za-z0-9_]*)\]?")
            .expect("static regex")
    });
    let caps = re.captures(statement)?;
    let name = caps.get(1)?.as_str();
    (!name.eq_ignore_ascii_case("select")).then(|| name.to_string())
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
        assert_eq!(
            table_of("DELETE FROM dbo.[Release] WHERE [Id] = @id").as_deref(),
            Some("Release")
        );
        assert_eq!(
            table_of("SELECT * FROM dbo.[Dashboard] ORDER BY Id").as_deref(),
            Some("Dashboard")
        );
        assert_eq!(
            table_of("INSERT INTO [ServerTask] (Id) VALUES (1)").as_deref(),
            Some("ServerTask")
        );
        assert_eq!(
            table_of("UPDATE dbo.[DeploymentHistory] SET x = 1").as_deref(),
            Some("DeploymentHistory")
        );
        assert_eq!(table_of("SELECT 1"), None);
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
