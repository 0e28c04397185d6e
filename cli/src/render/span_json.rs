//! The NDJSON fields of a `span` event (an OpenTelemetry span), kept apart
//! from the other event kinds.
//!
//! | field | meaning |
//! |-------|---------|
//! | `role` | `request`, `sql`, `task`, `other` |
//! | `name`, `scope` | span name and instrumentation scope |
//! | `span_kind`, `status`, `status_message` | OTLP kind (`server`, `client`, …) and status (`unset`, `ok`, `error`) |
//! | `trace_id`, `span_id`, `parent_span_id` | lower-case hex (`parent_span_id` null on roots) |
//! | `duration_ms`, `end` | exact duration; end time (RFC 3339, UTC); `time` is the start |
//! | `service`, `instance`, `task_id` | `service.name`, `service.instance.id`, the first `ServerTasks-N` |
//! | `events` | number of span events |
//! | request role | `method`, `url` (redacted), `host`, `status` |
//! | sql role | `operation`, `statement` (full text, secrets redacted), `transaction` |
//! | `attributes` | the kept attributes, key → value (strings redacted) |

use octodiag_parsers::redact::{redact_api_keys, redact_form, redact_url};
use octodiag_parsers::span::{hex_id, AttrValue, Span, SpanRole};
use octodiag_parsers::{Clock, Text};
use serde_json::{json, Map, Value};

/// Adds the span's fields to an event object.
pub fn put_span(m: &mut Map<String, Value>, s: &Span, b: &[u8]) {
    let text = |t: &Text| redact_api_keys(&t.resolve(b)).into_owned();
    let opt = |t: &Option<Text>| t.as_ref().map(text);
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_string(), v);
    };
    put("role", s.role.as_str().into());
    put("name", text(&s.name).into());
    put("scope", text(&s.scope).into());
    put("span_kind", s.kind.as_str().into());
    put("status", s.status.as_str().into());
    put("status_message", json!(opt(&s.status_message)));
    put("trace_id", hex_id(&s.trace_id).into());
    put("span_id", hex_id(&s.span_id).into());
    put("parent_span_id", json!(s.parent_span_id.map(|p| hex_id(&p))));
    put("duration_ms", json!(s.duration_ms()));
    put("end", s.end().rfc3339(Clock::Utc).into());
    put("service", json!(opt(&s.service)));
    put("instance", json!(opt(&s.instance)));
    put("task_id", json!(opt(&s.task_id)));
    put("events", s.events.into());
    match &s.role {
        SpanRole::Request(r) => {
            put("method", text(&r.method).into());
            put("url", redact_url(&r.url.resolve(b)).into_owned().into());
            put("host", json!(r.host.as_ref().map(text)));
            put("http_status", json!(r.status));
        }
        SpanRole::Sql(q) => {
            put("operation", text(&q.operation).into());
            put("statement", text(&q.statement).into());
            put("transaction", json!(q.transaction.as_ref().map(text)));
        }
        SpanRole::Task | SpanRole::Other => {}
    }
    put("attributes", attributes(s, b));
}

fn attributes(s: &Span, b: &[u8]) -> Value {
    let mut out = Map::new();
    for a in &s.attributes {
        let key = a.key.resolve(b).into_owned();
        let value = match &a.value {
            AttrValue::Str(t) if key == "url.query" => {
                redact_api_keys(&redact_form(&t.resolve(b))).into_owned().into()
            }
            AttrValue::Str(t) if key.starts_with("url.") || key == "http.target" => {
                redact_url(&t.resolve(b)).into_owned().into()
            }
            AttrValue::Str(t) | AttrValue::Json(t) => {
                redact_api_keys(&t.resolve(b)).into_owned().into()
            }
            AttrValue::Int(i) => json!(i),
            AttrValue::Double(d) => json!(d),
            AttrValue::Bool(x) => json!(x),
            AttrValue::Null => Value::Null,
        };
        out.insert(key, value);
    }
    Value::Object(out)
}
