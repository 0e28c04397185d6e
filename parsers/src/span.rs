//! Spans from OpenTelemetry trace files: the [`Span`] an
//! [`EventKind::Span`](crate::EventKind::Span) event carries.
//!
//! A span keeps what analysis can join on (trace, span and parent ids, the
//! process instance, a `ServerTasks-N` id) and what it measures (exact start
//! and duration in nanoseconds). Its [`SpanRole`] says what the span *is*,
//! with the same [`Request`] and [`Sql`] types the server log produces, so
//! code written for server-log requests and statements can take them as well.
//!
//! Event time: the event carrying a span is timed at the span's **start**, on
//! the UTC clock (server-log `Request took`/`Reader took` lines are timed at
//! the end: use [`Span::end`] to compare like with like).

use crate::event::{Request, Sql, Text};
use crate::time::Timestamp;

/// One OpenTelemetry span, with the attributes octodiag uses.
#[derive(Clone, Debug)]
pub struct Span {
    /// 16-byte trace id (all zero when the file's id was missing or invalid).
    pub trace_id: [u8; 16],
    /// 8-byte span id (all zero when missing or invalid).
    pub span_id: [u8; 8],
    /// The parent span, absent on roots (it may be outside the file).
    pub parent_span_id: Option<[u8; 8]>,
    /// Start, nanoseconds since the Unix epoch (UTC).
    pub start_ns: u64,
    /// End minus start, nanoseconds (0 when the end is missing or before the start).
    pub duration_ns: u64,
    /// Instrumentation scope (`Octopus.DataAccess`, `System.Net.Http`, …).
    pub scope: Text,
    /// Span name (`SQL`, `EF SQL`, `GET /api/{spaceId}/projects`, …).
    pub name: Text,
    /// Span kind.
    pub kind: SpanKind,
    /// Status code.
    pub status: SpanStatus,
    /// Status message, when set.
    pub status_message: Option<Text>,
    /// Resource `service.name`.
    pub service: Option<Text>,
    /// Resource `service.instance.id`: one per server process, a node identity candidate.
    pub instance: Option<Text>,
    /// The first `ServerTasks-N` found in the span's attribute values.
    pub task_id: Option<Text>,
    /// Number of span events (`Starting Transaction`, exceptions, …); their content is not kept.
    pub events: u32,
    /// What the span is.
    pub role: SpanRole,
    /// Selected attributes (HTTP, database, `octopus.*`, document ids, anything naming a
    /// task), in file order. The SQL text of an SQL span is in [`SpanRole::Sql`] only.
    pub attributes: Vec<SpanAttr>,
}

/// What a span is, by the rules of `exports.md` §3.5.
#[derive(Clone, Debug)]
pub enum SpanRole {
    /// An inbound HTTP request: kind SERVER with `http.request.method` (or the older
    /// `http.method`). `url` is `url.path[?url.query]` (else `http.target`, `url.full`,
    /// `http.route`); `host` is `server.address`; the route template is among the attributes.
    Request(Request),
    /// A SQL command: scope `Octopus.DataAccess`, name `SQL`, `EF SQL` or
    /// `Stored Procedure: …`. `operation` is the span name, `statement` the full
    /// `db.statement` / `db.query.text` (empty when absent), `transaction` the
    /// `db.transaction.sqlclient_id` (else `db.transaction.ef_id`).
    Sql(Sql),
    /// Task execution: a scope starting `Octopus.Task`, or an attribute value naming a
    /// `ServerTasks-N` ([`Span::task_id`]).
    Task,
    /// Anything else (Git, file system, unit of work, outbound HTTP, …).
    Other,
}

impl SpanRole {
    /// Name used in JSON output.
    pub fn as_str(&self) -> &'static str {
        match self {
            SpanRole::Request(_) => "request",
            SpanRole::Sql(_) => "sql",
            SpanRole::Task => "task",
            SpanRole::Other => "other",
        }
    }
}

/// OTLP `Span.kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum SpanKind {
    /// 0, or a value outside the enum.
    #[default]
    Unspecified,
    /// 1.
    Internal,
    /// 2: an inbound request.
    Server,
    /// 3: an outbound call (SQL, HTTP).
    Client,
    /// 4.
    Producer,
    /// 5.
    Consumer,
}

impl SpanKind {
    /// From the OTLP integer (unknown values are `Unspecified`).
    pub fn from_code(code: i64) -> SpanKind {
        match code {
            1 => SpanKind::Internal,
            2 => SpanKind::Server,
            3 => SpanKind::Client,
            4 => SpanKind::Producer,
            5 => SpanKind::Consumer,
            _ => SpanKind::Unspecified,
        }
    }

    /// Name used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            SpanKind::Unspecified => "unspecified",
            SpanKind::Internal => "internal",
            SpanKind::Server => "server",
            SpanKind::Client => "client",
            SpanKind::Producer => "producer",
            SpanKind::Consumer => "consumer",
        }
    }
}

/// OTLP `Status.code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum SpanStatus {
    /// 0: not set (the norm; the Octopus sample never sets it).
    #[default]
    Unset,
    /// 1.
    Ok,
    /// 2: the operation failed.
    Error,
}

impl SpanStatus {
    /// From the OTLP integer (unknown values are `Unset`).
    pub fn from_code(code: i64) -> SpanStatus {
        match code {
            1 => SpanStatus::Ok,
            2 => SpanStatus::Error,
            _ => SpanStatus::Unset,
        }
    }

    /// Name used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            SpanStatus::Unset => "unset",
            SpanStatus::Ok => "ok",
            SpanStatus::Error => "error",
        }
    }
}

/// One kept attribute.
#[derive(Clone, Debug)]
pub struct SpanAttr {
    /// Attribute key (`db.spid`, `http.route`, …).
    pub key: Text,
    /// Its value.
    pub value: AttrValue,
}

/// An OTLP `AnyValue`.
#[derive(Clone, Debug, PartialEq)]
pub enum AttrValue {
    /// `stringValue`.
    Str(Text),
    /// `intValue` (written as a JSON number or a decimal string).
    Int(i64),
    /// `doubleValue`.
    Double(f64),
    /// `boolValue`.
    Bool(bool),
    /// `{}`: an empty `AnyValue` (the sample's `db.transaction.sqlclient_id` outside a
    /// transaction).
    Null,
    /// `arrayValue`, `kvlistValue` or `bytesValue`, kept as the JSON text of the value.
    Json(Text),
}

impl Span {
    /// The end of the span, in microseconds like every [`Timestamp`].
    pub fn end(&self) -> Timestamp {
        Timestamp(((self.start_ns + self.duration_ns) / 1000) as i64)
    }

    /// Duration in milliseconds.
    pub fn duration_ms(&self) -> f64 {
        self.duration_ns as f64 / 1e6
    }

    /// The value of the kept attribute `key`, if any.
    pub fn attribute<'a>(&'a self, key: &str, source: &[u8]) -> Option<&'a AttrValue> {
        self.attributes.iter().find(|a| a.key.resolve(source) == key).map(|a| &a.value)
    }
}

/// Lower-case hex of an id, as OTLP/JSON writes it.
pub fn hex_id(id: &[u8]) -> String {
    use std::fmt::Write;
    id.iter().fold(String::with_capacity(id.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
