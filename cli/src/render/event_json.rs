//! The NDJSON shape of an event, kept apart from the domain types.
//!
//! # Format
//!
//! One JSON object per line. Every object has:
//!
//! | field    | type    | meaning |
//! |----------|---------|---------|
//! | `source` | string  | the input's path (`bundle.zip!/Logs/OctopusServer.txt` for zip members) |
//! | `line`   | integer | 1-based line where the entry starts (HAR: 1-based entry index) |
//! | `time`   | string  | RFC 3339; `Z` suffix when UTC, no suffix when server-local and no offset is known |
//! | `kind`   | string  | `request`, `request-start`, `sql`, `sql-error`, `transactions`, `web-error`, `halibut`, `server-start`, `environment`, `node-name`, `task`, `task-canceled`, `log`, `span` |
//! | `level`  | string  | `trace`, `debug`, `info`, `warn`, `error`, `fatal` |
//! | `lines`  | integer | present when the entry spans more than one line |
//!
//! Kind-specific fields are listed in the README ("Events output"). Secret
//! query values in URLs are replaced by `REDACTED`. Requests from web-server and
//! proxy logs carry an `access` object (see [`access_json`]).

use octodiag_parsers::event::{AccessDetail, BrowserTiming, Transactions};
use octodiag_parsers::redact::{redact_api_keys, redact_url};
use octodiag_parsers::{Clock, Event, EventKind, Request, Text, UtcOffset};
use serde_json::{json, Map, Value};

/// Builds the JSON object for one event. `bytes` is its source, `name` the source's path.
pub fn event_to_json(e: &Event, bytes: &[u8], name: &str, offset: Option<UtcOffset>) -> Value {
    let mut m = Map::new();
    m.insert("source".into(), name.into());
    m.insert("line".into(), e.line.into());
    m.insert("time".into(), time_string(e, offset).into());
    m.insert("kind".into(), e.kind.name().into());
    m.insert("level".into(), e.level.as_str().into());
    if e.lines > 1 {
        m.insert("lines".into(), e.lines.into());
    }
    add_kind_fields(&mut m, &e.kind, bytes);
    Value::Object(m)
}

/// The event's time as RFC 3339, converted to UTC when the offset is known.
pub fn time_string(e: &Event, offset: Option<UtcOffset>) -> String {
    match (e.clock, offset) {
        (Clock::Local, Some(o)) => e.time.local_to_utc(o).rfc3339(Clock::Utc),
        (clock, _) => e.time.rfc3339(clock),
    }
}

fn text(t: &Text, bytes: &[u8]) -> String {
    redact_api_keys(&t.resolve(bytes)).into_owned()
}

fn url(t: &Text, bytes: &[u8]) -> String {
    redact_url(&t.resolve(bytes)).into_owned()
}

fn add_kind_fields(m: &mut Map<String, Value>, kind: &EventKind, b: &[u8]) {
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_string(), v);
    };
    match kind {
        EventKind::Request(r) => put_request(&mut put, r, b),
        EventKind::RequestStart { method, url: u, correlation_id } => {
            put("method", text(method, b).into());
            put("url", url(u, b).into());
            put("correlation_id", json!(correlation_id.as_ref().map(|c| text(c, b))));
        }
        EventKind::Sql(s) => {
            put("operation", text(&s.operation, b).into());
            put("duration_ms", json!(s.duration_ms));
            put("first_record_ms", json!(s.first_record_ms));
            put("transaction", json!(s.transaction.as_ref().map(|t| text(t, b))));
            put("statement", text(&s.statement, b).into());
        }
        EventKind::SqlError { error, transaction } => {
            put("error", error.as_str().into());
            put("transaction", json!(transaction.as_ref().map(|t| text(t, b))));
        }
        EventKind::Transactions(t) => put_transactions(&mut put, t, b),
        EventKind::WebError { message } => put("message", text(message, b).into()),
        EventKind::Halibut { endpoint, message, failure } => {
            put("endpoint", text(endpoint, b).into());
            put("message", text(message, b).into());
            put("failure", (*failure).into());
        }
        EventKind::ServerStart { version, instance, pid } => {
            put("version", text(version, b).into());
            put("instance", text(instance, b).into());
            put("pid", json!(pid));
        }
        EventKind::Environment { machine, processors } => {
            put("machine", json!(machine.as_ref().map(|t| text(t, b))));
            put("processors", json!(processors));
        }
        EventKind::NodeName { name } => put("node", text(name, b).into()),
        EventKind::TaskExecuted { description, outcome, duration_ms } => {
            put("description", text(description, b).into());
            put("outcome", text(outcome, b).into());
            put("duration_ms", json!(duration_ms));
        }
        EventKind::TaskCanceledNodeOffline { description, node } => {
            put("description", text(description, b).into());
            put("node", text(node, b).into());
        }
        EventKind::Span(s) => super::span_json::put_span(m, s, b),
        _ => {}
    }
}

fn put_request(put: &mut impl FnMut(&str, Value), r: &Request, b: &[u8]) {
    put("method", text(&r.method, b).into());
    put("url", redact_url(&r.full_url(b)).into_owned().into());
    put("duration_ms", json!(r.duration_ms));
    put("status", json!(r.status));
    put("correlation_id", json!(r.correlation_id.as_ref().map(|c| text(c, b))));
    if let Some(t) = &r.browser {
        put("browser", browser_json(t));
    }
    if let Some(a) = &r.access {
        put("access", access_json(a, b));
    }
}

fn put_transactions(put: &mut impl FnMut(&str, Value), t: &Transactions, b: &[u8]) {
    put("active", json!(t.active));
    if !t.dump.is_empty() {
        let list: Vec<Value> = t
            .dump
            .iter()
            .map(|x| {
                json!({"name": x.name.as_ref().map(|n| text(n, b)), "commands": x.commands, "age_s": x.age_s})
            })
            .collect();
        put("transactions", Value::Array(list));
    }
}

fn browser_json(t: &BrowserTiming) -> Value {
    json!({
        "blocked": t.blocked, "dns": t.dns, "connect": t.connect, "ssl": t.ssl,
        "send": t.send, "wait": t.wait, "receive": t.receive,
        "blocked_queueing": t.blocked_queueing, "cached": t.cached, "failed": t.failed,
        "page": t.page, "server_ip": t.server_ip, "connection": t.connection,
    })
}

/// A web-server or proxy request's detail: `origin`, then only what the line
/// logged (`logged_at_start` and `untimed` only when true). User names and
/// agents are kept (they tell who was waiting), with API keys and tokens in
/// them redacted; the query is part of `url`, redacted there.
fn access_json(a: &AccessDetail, b: &[u8]) -> Value {
    let t = |x: &Option<Text>| x.as_ref().map(|x| redact_api_keys(&a.decoded(x, b)).into_owned());
    let all = json!({
        "origin": a.origin.as_str(),
        "logged_at_start": a.logged_at_start.then_some(true), "untimed": a.untimed.then_some(true),
        "client": t(&a.client), "user": t(&a.user), "user_agent": t(&a.user_agent),
        "server_port": a.server_port, "substatus": a.substatus, "win32_status": a.win32_status,
        "bytes_sent": a.bytes_sent, "bytes_received": a.bytes_received,
        "upstream_ms": a.upstream_ms, "upstream_connect_ms": a.upstream_connect_ms,
        "upstream_header_ms": a.upstream_header_ms, "queue_ms": a.queue_ms, "client_ms": a.client_ms,
        "upstream_status": a.upstream_status, "upstream_addr": t(&a.upstream_addr),
        "upstream_name": t(&a.upstream_name), "upstream_tries": a.upstream_tries,
        "request_id": t(&a.request_id), "termination": t(&a.termination),
    });
    match all {
        Value::Object(mut m) => {
            m.retain(|_, v| !v.is_null());
            Value::Object(m)
        }
        other => other,
    }
}
