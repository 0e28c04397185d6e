//! The one normalised record every parser produces: [`Event`].
//!
//! An event keeps where it came from (source, byte range, first line, number of
//! physical lines) so that evidence can be quoted later without keeping the
//! text of every line in memory. Strings that analysis needs (a URL, a
//! transaction name) are stored as [`Text`]: a span into the source bytes when
//! the parser could borrow them, or an owned string when it had to decode
//! (JSON escapes in HAR files).

use crate::time::{Clock, Timestamp};

/// Index of a source in the list the run opened.
pub type SourceId = u32;

/// A string an event refers to: a byte span inside its source, or owned text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Text {
    /// Bytes `start..start+len` of the event's source.
    Span {
        /// Byte offset from the start of the source.
        start: u64,
        /// Length in bytes.
        len: u32,
    },
    /// Text that had to be decoded and so could not borrow from the source.
    Owned(Box<str>),
}

impl Text {
    /// A span covering `sub`, which must lie inside `whole`, whose first byte sits at
    /// offset `base` of the source.
    pub fn span_of(whole: &[u8], base: u64, sub: &[u8]) -> Text {
        let start = sub.as_ptr() as usize - whole.as_ptr() as usize;
        Text::Span { start: base + start as u64, len: sub.len() as u32 }
    }

    /// Resolves the text against its source bytes; invalid UTF-8 becomes U+FFFD.
    pub fn resolve<'a>(&'a self, source: &'a [u8]) -> std::borrow::Cow<'a, str> {
        match self {
            Text::Owned(s) => std::borrow::Cow::Borrowed(s),
            Text::Span { start, len } => {
                let s = *start as usize;
                let bytes = source.get(s..s + *len as usize).unwrap_or_default();
                // Valid UTF-8 (the norm) borrows without the lossy decoder's chunking.
                match std::str::from_utf8(bytes) {
                    Ok(text) => std::borrow::Cow::Borrowed(text),
                    Err(_) => String::from_utf8_lossy(bytes),
                }
            }
        }
    }
}

/// Severity, normalised across formats (NLog levels, task-log categories, HAR).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Level {
    /// NLog TRACE.
    Trace,
    /// NLog DEBUG, task-log Verbose.
    Debug,
    /// NLog INFO, task-log Info.
    #[default]
    Info,
    /// NLog WARN, task-log Warning.
    Warn,
    /// NLog ERROR, task-log Error.
    Error,
    /// NLog FATAL, task-log Fatal.
    Fatal,
}

impl Level {
    /// Lower-case name used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Trace => "trace",
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
            Level::Fatal => "fatal",
        }
    }
}

/// One parsed, normalised record.
#[derive(Clone, Debug)]
pub struct Event {
    /// When it happened, on `clock`.
    pub time: Timestamp,
    /// Which clock `time` is on.
    pub clock: Clock,
    /// The source it came from.
    pub source: SourceId,
    /// 1-based line where the entry starts (HAR: 1-based entry index).
    pub line: u64,
    /// Number of physical lines in the entry (1 for a single line).
    pub lines: u32,
    /// Byte offset of the entry in its source.
    pub offset: u64,
    /// Length of the entry in bytes (without the final line ending).
    pub len: u32,
    /// Severity.
    pub level: Level,
    /// What it means.
    pub kind: EventKind,
}

/// What an event means, by meaning rather than by file format.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum EventKind {
    /// A completed HTTP request (server `Request took`, newer `"HTTP" "GET" … completed`, or a
    /// HAR entry).
    Request(Request),
    /// A request start line (TRACE, verbose logging only).
    RequestStart {
        /// HTTP method.
        method: Text,
        /// Absolute URL as logged.
        url: Text,
        /// 32-hex correlation id, when logged.
        correlation_id: Option<Text>,
    },
    /// A timed SQL operation (`Reader took …`, `Execute reader took …`, …).
    Sql(Sql),
    /// An SQL failure: time-out, deadlock, pool exhaustion or other.
    SqlError {
        /// Which kind of failure.
        error: SqlErrorKind,
        /// The transaction name, when the message gives it.
        transaction: Option<Text>,
    },
    /// Transaction pressure: `N transactions active` or the high-transactions dump.
    Transactions(Box<Transactions>),
    /// `Unhandled exception from web server: …`.
    WebError {
        /// The message after the prefix.
        message: Text,
    },
    /// A Halibut (Tentacle communication) line.
    Halibut {
        /// `listen://…`, `poll://…`, `https://…`.
        endpoint: Text,
        /// The text after the endpoint and thread id.
        message: Text,
        /// Whether the text reports a failure (time-out, refused, error).
        failure: bool,
    },
    /// Server start: the version banner (`Octopus.Server version …`).
    ServerStart {
        /// Version as logged.
        version: Text,
        /// Instance name.
        instance: Text,
        /// Process id from the line layout (3.15+), when present.
        pid: Option<u32>,
    },
    /// Start-up `Environment Information:` block.
    Environment {
        /// `MachineName:` value, when present.
        machine: Option<Text>,
        /// `ProcessorCount:` value.
        processors: Option<u32>,
    },
    /// `Defaulting server node name to '…'` and similar lines naming the node.
    NodeName {
        /// The node name, unquoted.
        name: Text,
    },
    /// `Executing task "…" "…" after Nms.`
    TaskExecuted {
        /// The task description.
        description: Text,
        /// The outcome word (`abandoned`, …).
        outcome: Text,
        /// Milliseconds.
        duration_ms: f64,
    },
    /// `Marking the task … as canceled because the node … went offline …`.
    TaskCanceledNodeOffline {
        /// The task description.
        description: Text,
        /// The node that went offline.
        node: Text,
    },
    /// Any other entry, kept with its level so nothing is dropped.
    Log,
    /// A span from an OpenTelemetry trace file (timed at its start, UTC); its
    /// [`SpanRole`](crate::span::SpanRole) says whether it is a request, SQL, a task or other.
    Span(Box<crate::span::Span>),
}

/// A completed HTTP request.
#[derive(Clone, Debug)]
pub struct Request {
    /// HTTP method.
    pub method: Text,
    /// URL as logged: absolute, or the path alone when the log gives the host apart.
    pub url: Text,
    /// The host, when logged apart from the path (the ASP.NET Core form).
    pub host: Option<Text>,
    /// Total duration in milliseconds.
    pub duration_ms: f64,
    /// HTTP status, when known.
    pub status: Option<u16>,
    /// 32-hex correlation id (server log) when present.
    pub correlation_id: Option<Text>,
    /// Browser-side detail, present only for HAR entries.
    pub browser: Option<Box<BrowserTiming>>,
}

/// Browser-side detail of a HAR entry.
#[derive(Clone, Debug, Default)]
pub struct BrowserTiming {
    /// Phases in milliseconds; `None` when the exporter wrote -1 or nothing.
    pub blocked: Option<f64>,
    /// DNS lookup.
    pub dns: Option<f64>,
    /// TCP connect (includes ssl per HAR 1.2).
    pub connect: Option<f64>,
    /// TLS handshake.
    pub ssl: Option<f64>,
    /// Sending the request.
    pub send: Option<f64>,
    /// Waiting for the first byte (server time plus network round trip).
    pub wait: Option<f64>,
    /// Downloading the response.
    pub receive: Option<f64>,
    /// Chrome's `_blocked_queueing`.
    pub blocked_queueing: Option<f64>,
    /// Served from a browser cache (`_fromCache`, or a 304 with no wait).
    pub cached: bool,
    /// Failed (status 0 or `_error`).
    pub failed: bool,
    /// The page id the entry belongs to.
    pub page: Option<Box<str>>,
    /// `serverIPAddress`.
    pub server_ip: Option<Box<str>>,
    /// `connection` id.
    pub connection: Option<Box<str>>,
}

/// A timed SQL operation.
#[derive(Clone, Debug)]
pub struct Sql {
    /// Operation as logged: `Reader`, `Execute reader`, `Insert`, …
    pub operation: Text,
    /// Milliseconds.
    pub duration_ms: f64,
    /// `(Nms until the first record)` in R0/R1 reader lines.
    pub first_record_ms: Option<f64>,
    /// Transaction name, when logged.
    pub transaction: Option<Text>,
    /// The statement (first line only; continuation lines stay in the entry).
    pub statement: Text,
}

/// Kinds of SQL failure recognised in messages and exceptions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SqlErrorKind {
    /// `Timeout expired. … prior to completion of the operation`.
    CommandTimeout,
    /// `… chosen as the deadlock victim`.
    Deadlock,
    /// `… prior to obtaining a connection from the pool`.
    PoolExhausted,
    /// `Error while executing SQL command …` without one of the above.
    Other,
}

impl SqlErrorKind {
    /// Name used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            SqlErrorKind::CommandTimeout => "command-timeout",
            SqlErrorKind::Deadlock => "deadlock",
            SqlErrorKind::PoolExhausted => "pool-exhausted",
            SqlErrorKind::Other => "other",
        }
    }
}

/// Transaction pressure.
#[derive(Clone, Debug, Default)]
pub struct Transactions {
    /// `N transactions active`, when that form was logged.
    pub active: Option<u32>,
    /// The transactions listed in a high-number dump.
    pub dump: Vec<TransactionInfo>,
}

/// One transaction in a high-number dump.
#[derive(Clone, Debug)]
pub struct TransactionInfo {
    /// Its name, when given.
    pub name: Option<Text>,
    /// Number of commands run.
    pub commands: u32,
    /// Age in seconds at the time of the dump.
    pub age_s: f64,
}

impl Request {
    /// The URL as a user would write it: `http://host/path` when the log gave the
    /// host apart, else the URL as logged.
    pub fn full_url<'a>(&'a self, source: &'a [u8]) -> std::borrow::Cow<'a, str> {
        match &self.host {
            Some(h) => format!("http://{}{}", h.resolve(source), self.url.resolve(source)).into(),
            None => self.url.resolve(source),
        }
    }
}

impl EventKind {
    /// The `kind` name used in JSON output.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Request(_) => "request",
            EventKind::RequestStart { .. } => "request-start",
            EventKind::Sql(_) => "sql",
            EventKind::SqlError { .. } => "sql-error",
            EventKind::Transactions(_) => "transactions",
            EventKind::WebError { .. } => "web-error",
            EventKind::Halibut { .. } => "halibut",
            EventKind::ServerStart { .. } => "server-start",
            EventKind::Environment { .. } => "environment",
            EventKind::NodeName { .. } => "node-name",
            EventKind::TaskExecuted { .. } => "task",
            EventKind::TaskCanceledNodeOffline { .. } => "task-canceled",
            EventKind::Log => "log",
            EventKind::Span(_) => "span",
        }
    }
}
