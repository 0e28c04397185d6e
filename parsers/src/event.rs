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
    /// Web-server or proxy detail, present only for access logs (W3C, IIS,
    /// nginx, ingress-nginx, HAProxy, Traefik): boxed, the server log never has it.
    pub access: Option<Box<AccessDetail>>,
}

/// Which web server or proxy wrote an access-log request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AccessOrigin {
    /// Octopus's own W3C request log (`Web-yyyy-MM-dd.log`, tab-separated).
    W3cOctopus,
    /// IIS W3C log (`u_ex*.log`), in front of Octopus as a reverse proxy.
    Iis,
    /// nginx `combined` (with or without the timing extensions).
    Nginx,
    /// ingress-nginx's `upstreaminfo` format.
    IngressNginx,
    /// HAProxy `option httplog`.
    Haproxy,
    /// Traefik access log (CLF or JSON).
    Traefik,
}

impl AccessOrigin {
    /// Name used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            AccessOrigin::W3cOctopus => "w3c-octopus",
            AccessOrigin::Iis => "iis",
            AccessOrigin::Nginx => "nginx",
            AccessOrigin::IngressNginx => "ingress-nginx",
            AccessOrigin::Haproxy => "haproxy",
            AccessOrigin::Traefik => "traefik",
        }
    }

    /// Whether the producer is a proxy in front of Octopus (its duration
    /// includes the network between proxy and server), rather than Octopus
    /// itself (`W3cOctopus`).
    pub fn is_proxy(self) -> bool {
        self != AccessOrigin::W3cOctopus
    }
}

/// What an access log says about a request beyond [`Request`]'s common fields.
///
/// Times are milliseconds; `None` means not logged (or logged as `-`/`-1`).
/// [`Request::duration_ms`] is the producer's total: `time-taken` (W3C),
/// `$request_time` (nginx), `Ta`/`Tt` (HAProxy), `Duration` (Traefik).
#[derive(Clone, Debug)]
pub struct AccessDetail {
    /// Which producer.
    pub origin: AccessOrigin,
    /// The logged time was the request's start (HAProxy, Traefik): the event's
    /// time is start + duration. Otherwise the log was written at the end.
    pub logged_at_start: bool,
    /// The line has no duration at all (nginx `combined`): `duration_ms` is 0.
    pub untimed: bool,
    /// IIS writes `+` for each space in user names, user agents and referers;
    /// [`AccessDetail::decoded`] puts the spaces back.
    pub plus_is_space: bool,
    /// Query string without `?`, when logged apart from the path (W3C
    /// `cs-uri-query`); other logs keep it in [`Request::url`].
    pub query: Option<Text>,
    /// Client address (`c-ip`, `$remote_addr`, HAProxy `ip:port`, `ClientHost`).
    pub client: Option<Text>,
    /// Authenticated user (`cs-username`, `$remote_user`, `ClientUsername`).
    pub user: Option<Text>,
    /// `User-Agent` header.
    pub user_agent: Option<Text>,
    /// Server port (`s-port`).
    pub server_port: Option<u16>,
    /// IIS `sc-substatus`.
    pub substatus: Option<u16>,
    /// IIS `sc-win32-status`.
    pub win32_status: Option<u32>,
    /// Bytes sent to the client (`sc-bytes`, `$body_bytes_sent`, HAProxy bytes read,
    /// `DownstreamContentSize`).
    pub bytes_sent: Option<u64>,
    /// Bytes received from the client (`cs-bytes`, `$request_length`, `RequestContentSize`).
    pub bytes_received: Option<u64>,
    /// Time the upstream (Octopus) took, as the proxy saw it: nginx
    /// `$upstream_response_time` (summed over retries), HAProxy `Tr`, Traefik
    /// `OriginDuration`. The proxy's own share is `duration_ms − upstream_ms`.
    pub upstream_ms: Option<f64>,
    /// Connecting to the upstream (HAProxy `Tc`, nginx `$upstream_connect_time`).
    pub upstream_connect_ms: Option<f64>,
    /// Until the upstream's response headers (nginx `$upstream_header_time`).
    pub upstream_header_ms: Option<f64>,
    /// Waiting in the proxy's queues (HAProxy `Tw`).
    pub queue_ms: Option<f64>,
    /// Receiving the request from the client (HAProxy `TR`/`Tq`).
    pub client_ms: Option<f64>,
    /// Final upstream status (nginx `$upstream_status`, Traefik `OriginStatus`).
    pub upstream_status: Option<u16>,
    /// Upstream address(es) as logged (`10.0.0.5:8080`, or a retry list).
    pub upstream_addr: Option<Text>,
    /// Upstream name: ingress-nginx `[$proxy_upstream_name]`, HAProxy
    /// `backend/server`, Traefik `ServiceName`.
    pub upstream_name: Option<Text>,
    /// Upstream attempts (nginx lists, HAProxy retries + 1), when more than one.
    pub upstream_tries: Option<u16>,
    /// Request id (`$req_id`).
    pub request_id: Option<Text>,
    /// HAProxy termination state (`----`, `cD--`, `SH--` …).
    pub termination: Option<Text>,
}

impl AccessDetail {
    /// An empty detail for `origin`.
    pub fn new(origin: AccessOrigin) -> AccessDetail {
        AccessDetail {
            origin,
            logged_at_start: false,
            untimed: false,
            plus_is_space: false,
            query: None,
            client: None,
            user: None,
            user_agent: None,
            server_port: None,
            substatus: None,
            win32_status: None,
            bytes_sent: None,
            bytes_received: None,
            upstream_ms: None,
            upstream_connect_ms: None,
            upstream_header_ms: None,
            queue_ms: None,
            client_ms: None,
            upstream_status: None,
            upstream_addr: None,
            upstream_name: None,
            upstream_tries: None,
            request_id: None,
            termination: None,
        }
    }

    /// A text field as a user would read it: IIS's `+` turned back into spaces.
    pub fn decoded<'a>(&self, t: &'a Text, source: &'a [u8]) -> std::borrow::Cow<'a, str> {
        let s = t.resolve(source);
        if self.plus_is_space && s.contains('+') {
            s.replace('+', " ").into()
        } else {
            s
        }
    }
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
    /// host apart, else the URL as logged; a query logged apart (W3C) is put back
    /// after `?`.
    pub fn full_url<'a>(&'a self, source: &'a [u8]) -> std::borrow::Cow<'a, str> {
        let query = self.access.as_ref().and_then(|a| a.query.as_ref());
        let url = match &self.host {
            Some(h) => format!("http://{}{}", h.resolve(source), self.url.resolve(source)).into(),
            None => self.url.resolve(source),
        };
        match query {
            Some(q) => format!("{url}?{}", q.resolve(source)).into(),
            None => url,
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
