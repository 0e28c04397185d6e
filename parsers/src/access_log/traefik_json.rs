//! Traefik's JSON access log (`accessLog.format: json`): one object per line.
//!
//! ```text
//! {"ClientHost":"10.0.0.9","DownstreamStatus":200,"Duration":12345678,"OriginDuration":12000000,
//!  "OriginStatus":200,"RequestMethod":"GET","RequestPath":"/api/tasks?skip=0\u0026take=10",
//!  "StartUTC":"2025-10-10T13:55:36.123456789Z","request_User-Agent":"Mozilla/5.0 …", …}
//! ```
//!
//! `Duration` and `OriginDuration` are Go `time.Duration`s: nanoseconds.
//! `StartUTC` is the start, so the end is start + `Duration`. Go escapes `&`,
//! `<` and `>` in strings (`\u0026`), so a path with a query usually has to be
//! decoded: those texts are owned, every other one is a span into the line.
//! Lines without `RequestMethod` are Traefik's own messages, kept as `log`
//! events at their `level`.

use super::common::{Collector, LineRequest};
use crate::event::{AccessDetail, AccessOrigin, Level, Text};
use crate::json_line::{unescape_into, Members, Value};
use crate::server_log::framing::Line;
use crate::time::{parse_iso8601, Clock, Timestamp};

/// The members of one line that we use.
#[derive(Default)]
struct Fields<'a> {
    start_utc: Option<Value<'a>>,
    start_local: Option<Value<'a>>,
    time: Option<Value<'a>>,
    duration_ns: Option<i64>,
    origin_ns: Option<i64>,
    method: Option<Value<'a>>,
    path: Option<Value<'a>>,
    host: Option<Value<'a>>,
    status: Option<i64>,
    origin_status: Option<i64>,
    client: Option<Value<'a>>,
    user: Option<Value<'a>>,
    user_agent: Option<Value<'a>>,
    service: Option<Value<'a>>,
    service_addr: Option<Value<'a>>,
    request_id: Option<Value<'a>>,
    bytes_sent: Option<i64>,
    bytes_received: Option<i64>,
    retries: Option<i64>,
    level: Option<Value<'a>>,
}

impl<'a> Fields<'a> {
    fn take(&mut self, key: &[u8], v: Value<'a>) {
        match key {
            b"StartUTC" => self.start_utc = Some(v),
            b"StartLocal" => self.start_local = Some(v),
            b"time" => self.time = Some(v),
            b"Duration" => self.duration_ns = v.int(),
            b"OriginDuration" => self.origin_ns = v.int(),
            b"RequestMethod" => self.method = Some(v),
            b"RequestPath" => self.path = Some(v),
            b"RequestHost" => self.host = Some(v),
            b"DownstreamStatus" => self.status = v.int(),
            b"OriginStatus" => self.origin_status = v.int(),
            b"ClientHost" => self.client = Some(v),
            b"ClientUsername" => self.user = Some(v),
            b"request_User-Agent" => self.user_agent = Some(v),
            b"ServiceName" => self.service = Some(v),
            b"ServiceAddr" => self.service_addr = Some(v),
            b"request_X-Request-Id" | b"request_X-Request-ID" => self.request_id = Some(v),
            b"DownstreamContentSize" => self.bytes_sent = v.int(),
            b"RequestContentSize" => self.bytes_received = v.int(),
            b"RetryAttempts" => self.retries = v.int(),
            b"level" => self.level = Some(v),
            _ => {}
        }
    }
}

/// A string member as a [`Text`]: a span when it has no escapes, else decoded.
fn text(out: &Collector<'_>, v: Option<Value<'_>>) -> Option<Text> {
    let Some(Value::Str { raw, escaped }) = v else { return None };
    if raw.is_empty() || raw == b"-" {
        return None;
    }
    if !escaped {
        return Some(out.text(raw));
    }
    let mut buf = Vec::with_capacity(raw.len());
    unescape_into(raw, &mut buf);
    Some(Text::Owned(String::from_utf8_lossy(&buf).into()))
}

/// An RFC 3339 string member as a UTC instant.
fn instant(v: Option<Value<'_>>) -> Option<Timestamp> {
    let raw = v?.plain_str()?;
    match parse_iso8601(std::str::from_utf8(raw).ok()?)? {
        (t, true) => Some(t),
        (_, false) => None,
    }
}

/// Parses one line into `out`.
pub(crate) fn line(out: &mut Collector<'_>, line: &Line<'_>, n: u64) {
    let Some(members) = Members::of(line.text) else {
        return out.problem(n, "not a JSON object; skipped");
    };
    let mut f = Fields::default();
    let mut members = members;
    for (k, v) in members.by_ref() {
        f.take(k, v);
    }
    if members.failed() {
        return out.problem(n, "malformed JSON; line skipped");
    }
    let start = instant(f.start_utc).or_else(|| instant(f.start_local));
    let logged = instant(f.time);
    let (Some(method), Some(path)) = (text(out, f.method), text(out, f.path)) else {
        return match start.or(logged) {
            Some(t) => out.other_at(line, n, (t, Clock::Utc), level(f.level)),
            None => out.problem(n, "no time in a Traefik JSON line; skipped"),
        };
    };
    let duration_ms = f.duration_ns.map(|ns| ns as f64 / 1e6);
    let end = match (start, duration_ms) {
        (Some(s), Some(ms)) => s.add_micros((ms * 1000.0) as i64),
        (Some(s), None) => s,
        (None, _) => match logged {
            Some(t) => t,
            None => return out.problem(n, "no StartUTC or time; line skipped"),
        },
    };
    let detail = detail(out, &f, start.is_some(), duration_ms.is_none());
    let status = f.status.or(f.origin_status).and_then(|s| u16::try_from(s).ok());
    let r = LineRequest {
        end: (end, Clock::Utc),
        method,
        url: path,
        host: text(out, f.host),
        duration_ms: duration_ms.unwrap_or(0.0),
        status,
        detail,
    };
    out.request(line, n, r);
}

fn detail(out: &Collector<'_>, f: &Fields<'_>, at_start: bool, untimed: bool) -> AccessDetail {
    let mut d = AccessDetail::new(AccessOrigin::Traefik);
    d.logged_at_start = at_start;
    d.untimed = untimed;
    d.client = text(out, f.client);
    d.user = text(out, f.user);
    d.user_agent = text(out, f.user_agent);
    d.upstream_ms = f.origin_ns.map(|ns| ns as f64 / 1e6);
    d.upstream_status = f.origin_status.and_then(|s| u16::try_from(s).ok());
    d.upstream_name = text(out, f.service);
    d.upstream_addr = text(out, f.service_addr);
    d.request_id = text(out, f.request_id);
    d.bytes_sent = f.bytes_sent.and_then(|b| u64::try_from(b).ok());
    d.bytes_received = f.bytes_received.and_then(|b| u64::try_from(b).ok());
    d.upstream_tries = f.retries.filter(|r| *r > 0).and_then(|r| u16::try_from(r + 1).ok());
    d
}

fn level(v: Option<Value<'_>>) -> Level {
    match v.and_then(Value::plain_str) {
        Some(b"error" | b"fatal" | b"panic") => Level::Error,
        Some(b"warn" | b"warning") => Level::Warn,
        Some(b"debug") => Level::Debug,
        Some(b"trace") => Level::Trace,
        _ => Level::Info,
    }
}

/// Whether a line is a Traefik access entry (for detection): two of its
/// distinctive keys, counted up to where the line ends or breaks off.
pub(crate) fn is_access_entry(line: &[u8]) -> bool {
    let Some(members) = Members::of(line) else { return false };
    let mut keys = 0;
    for (k, _) in members {
        if matches!(k, b"RequestMethod" | b"DownstreamStatus" | b"StartUTC" | b"OriginDuration") {
            keys += 1;
        }
    }
    keys >= 2
}
