//! Interpretation: an entry's message (first line plus continuation lines)
//! becomes a typed [`EventKind`]. The grammar lives in [`super::grammar`];
//! this module only decides which production applies and keeps spans.

use std::sync::OnceLock;

use memchr::memmem::Finder;

use super::grammar::{self, trim_end};
use crate::event::{
    EventKind, Level, Request, Sql, SqlErrorKind, Text, TransactionInfo, Transactions,
};

/// What the interpreter needs to know about an entry.
pub struct EntryView<'a> {
    /// The whole source (spans are offsets into it).
    pub source: &'a [u8],
    /// The message on the first line.
    pub message: &'a [u8],
    /// Continuation lines, raw (may be empty).
    pub continuation: &'a [u8],
    /// The entry's level.
    pub level: Level,
    /// The PID from the header, when the layout has one.
    pub pid: Option<u32>,
}

impl EntryView<'_> {
    fn text(&self, sub: &[u8]) -> Text {
        Text::span_of(self.source, 0, sub)
    }
}

/// Maps an entry to its event kind. Unrecognised messages stay [`EventKind::Log`].
pub fn interpret(e: &EntryView<'_>) -> EventKind {
    let m = e.message;
    let Some(&first) = m.first() else { return EventKind::Log };
    let kind = match first {
        b'R' if m.starts_with(b"Request took ") => request_took(e),
        b'"' => http_completed(e),
        b'l' | b'p' | b'h' | b'w' => halibut(e),
        b'O' => server_start(e),
        b'E' if m.starts_with(b"Environment Information:") => Some(environment(e)),
        b'E' if m.starts_with(b"Executing task \"") => executing_task(e),
        b'E' if m.starts_with(b"Error while executing SQL command") => sql_error_wrapped(e),
        b'E' if m.starts_with(b"Exception occurred while executing a reader") => {
            sql_error_wrapped(e)
        }
        b'D' if m.starts_with(b"Defaulting server node name") => node_name(e),
        b'M' if m.starts_with(b"Marking the task ") => task_canceled(e),
        b'U' if m.starts_with(b"Unhandled exception from web server:") => Some(web_error(e)),
        b'T' if m.starts_with(b"There are a high number of transactions active") => Some(dump(e)),
        b'0'..=b'9' => transactions_active(e),
        b'A'..=b'Z' if e.level == Level::Trace => request_start(e),
        _ => None,
    };
    let kind = match kind {
        Some(k) => k,
        None => sql_timing(e).unwrap_or(EventKind::Log),
    };
    // An error whose text names an SQL failure is that SQL failure, even when it
    // surfaced as an unhandled web-server exception: pool exhaustion is the cause
    // support needs to see, the failed request its symptom.
    match kind {
        EventKind::Log | EventKind::WebError { .. } if e.level >= Level::Warn => {
            sql_error_in_text(e).unwrap_or(kind)
        }
        k => k,
    }
}

fn request_took(e: &EntryView<'_>) -> Option<EventKind> {
    let (_, r) = grammar::request_took(e.message).ok()?;
    Some(EventKind::Request(Request {
        method: e.text(r.method),
        url: e.text(r.url),
        host: None,
        duration_ms: r.ms,
        status: None,
        correlation_id: r.correlation.map(|c| e.text(c)),
        browser: None,
        access: None,
    }))
}

fn http_completed(e: &EntryView<'_>) -> Option<EventKind> {
    let (_, r) = grammar::http_completed(e.message).ok()?;
    // The 2025 form logs host and path as two quoted strings: keep both as spans
    // (no allocation per line); the path alone is what analysis normalises.
    let (url, host) = if r.path.is_empty() {
        (e.text(r.host), None)
    } else {
        (e.text(r.path), Some(e.text(r.host)))
    };
    Some(EventKind::Request(Request {
        method: e.text(r.method),
        url,
        host,
        duration_ms: r.ms,
        status: Some(r.status),
        correlation_id: None,
        browser: None,
        access: None,
    }))
}

fn request_start(e: &EntryView<'_>) -> Option<EventKind> {
    let (_, (method, url, corr)) = grammar::request_start(e.message).ok()?;
    Some(EventKind::RequestStart {
        method: e.text(method),
        url: e.text(url),
        correlation_id: corr.map(|c| e.text(c)),
    })
}

fn sql_timing(e: &EntryView<'_>) -> Option<EventKind> {
    let (_, s) = grammar::sql_took(e.message).ok()?;
    Some(EventKind::Sql(Sql {
        operation: e.text(s.operation),
        duration_ms: s.ms,
        first_record_ms: s.first_record_ms,
        transaction: s.transaction.map(|t| e.text(t)),
        statement: e.text(trim_end(s.statement)),
    }))
}

fn halibut(e: &EntryView<'_>) -> Option<EventKind> {
    let (_, (endpoint, message)) = grammar::halibut(e.message).ok()?;
    let failure = e.level >= Level::Error || is_halibut_failure(message);
    Some(EventKind::Halibut { endpoint: e.text(endpoint), message: e.text(message), failure })
}

/// Substring finders built once: `memmem::find` would build a searcher per call,
/// which dominated the profile for Halibut and error lines.
fn finders(
    needles: &'static [&'static [u8]],
    cell: &'static OnceLock<Vec<Finder<'static>>>,
) -> &'static [Finder<'static>] {
    cell.get_or_init(|| needles.iter().map(Finder::new).collect())
}

/// Halibut texts that report a failed exchange (§1.7.F).
pub fn is_halibut_failure(text: &[u8]) -> bool {
    static CELL: OnceLock<Vec<Finder<'static>>> = OnceLock::new();
    const MARKERS: &[&[u8]] = &[
        b"timed out",
        b"actively refused",
        b"internal error",
        b"exceeded the maximum",
        b"No messages received from client for timeout period",
        b"was cancelled before it could be collected",
        b"did not collect the request",
    ];
    finders(MARKERS, &CELL).iter().any(|f| f.find(text).is_some())
}

fn server_start(e: &EntryView<'_>) -> Option<EventKind> {
    let (_, (version, instance)) = grammar::version_banner(e.message).ok()?;
    Some(EventKind::ServerStart {
        version: e.text(version),
        instance: e.text(instance),
        pid: e.pid,
    })
}

fn environment(e: &EntryView<'_>) -> EventKind {
    let mut machine = None;
    let mut processors = None;
    for line in e.continuation.split(|b| *b == b'\n') {
        let line = trim_end(line);
        let trimmed = line.trim_ascii_start();
        if let Some(v) = trimmed.strip_prefix(b"MachineName: ") {
            machine = Some(e.text(v));
        } else if let Some(v) = trimmed.strip_prefix(b"ProcessorCount: ") {
            processors = std::str::from_utf8(v).ok().and_then(|s| s.trim().parse().ok());
        }
    }
    EventKind::Environment { machine, processors }
}

fn node_name(e: &EntryView<'_>) -> Option<EventKind> {
    let (_, name) = grammar::node_name(e.message).ok()?;
    Some(EventKind::NodeName { name: e.text(name) })
}

fn executing_task(e: &EntryView<'_>) -> Option<EventKind> {
    let (_, (description, outcome, ms)) = grammar::executing_task(e.message).ok()?;
    Some(EventKind::TaskExecuted {
        description: e.text(description),
        outcome: e.text(outcome),
        duration_ms: ms,
    })
}

fn task_canceled(e: &EntryView<'_>) -> Option<EventKind> {
    let (_, (description, node)) = grammar::task_canceled_node_offline(e.message).ok()?;
    Some(EventKind::TaskCanceledNodeOffline {
        description: e.text(description),
        node: e.text(node),
    })
}

fn web_error(e: &EntryView<'_>) -> EventKind {
    let rest = &e.message[b"Unhandled exception from web server:".len()..];
    EventKind::WebError { message: e.text(trim_end(rest.trim_ascii_start())) }
}

fn transactions_active(e: &EntryView<'_>) -> Option<EventKind> {
    let (_, n) = grammar::transactions_active(e.message).ok()?;
    Some(EventKind::Transactions(Box::new(Transactions { active: Some(n), dump: Vec::new() })))
}

fn dump(e: &EntryView<'_>) -> EventKind {
    let dump = e
        .continuation
        .split(|b| *b == b'\n')
        .filter_map(|l| grammar::dump_transaction(trim_end(l)).ok())
        .map(|(_, (name, commands, age_s))| TransactionInfo {
            name: name.map(|n| e.text(n)),
            commands,
            age_s,
        })
        .collect();
    EventKind::Transactions(Box::new(Transactions { active: None, dump }))
}

fn sql_error_wrapped(e: &EntryView<'_>) -> Option<EventKind> {
    let transaction =
        grammar::transaction_name(skip_to_quote(e.message)).ok().map(|(_, n)| e.text(n));
    let error = sql_error_kind(e.message)
        .or_else(|| sql_error_kind(e.continuation))
        .unwrap_or(SqlErrorKind::Other);
    Some(EventKind::SqlError { error, transaction })
}

/// Error-level entries whose text (or exception) names an SQL failure.
fn sql_error_in_text(e: &EntryView<'_>) -> Option<EventKind> {
    let error = sql_error_kind(e.message).or_else(|| sql_error_kind(e.continuation))?;
    let transaction = find_transaction_name(e);
    Some(EventKind::SqlError { error, transaction })
}

fn find_transaction_name(e: &EntryView<'_>) -> Option<Text> {
    for hay in [e.message, e.continuation] {
        if let Some(i) = memchr::memmem::find(hay, b"Transaction '") {
            let rest = &hay[i + b"Transaction ".len()..];
            let end = memchr::memchr(b'\'', &rest[1..])?;
            return Some(e.text(&rest[1..1 + end]));
        }
    }
    None
}

fn skip_to_quote(m: &[u8]) -> &[u8] {
    match memchr::memmem::find(m, b" '") {
        Some(i) => &m[i..],
        None => b"",
    }
}

/// Classifies SQL failure text by the substrings SqlClient uses (§1.7.C/D).
pub fn sql_error_kind(text: &[u8]) -> Option<SqlErrorKind> {
    static CELL: OnceLock<Vec<Finder<'static>>> = OnceLock::new();
    const NEEDLES: &[&[u8]] = &[
        b"deadlock victim",
        b"was deadlocked on",
        b"connection from the pool",
        b"max pool size was reached",
        b"Execution Timeout Expired",
        b"Timeout expired",
        b"prior to completion of the operation",
        b"SqlException",
    ];
    let f = finders(NEEDLES, &CELL);
    let has = |i: usize| f[i].find(text).is_some();
    if has(0) || has(1) {
        Some(SqlErrorKind::Deadlock)
    } else if has(2) || has(3) {
        Some(SqlErrorKind::PoolExhausted)
    } else if has(4) || (has(5) && has(6)) {
        Some(SqlErrorKind::CommandTimeout)
    } else if has(7) {
        Some(SqlErrorKind::Other)
    } else {
        None
    }
}
