//! One raw span → one [`Event`]: ids decoded, times checked, role decided
//! (`exports.md` §3.5), attributes turned into [`Text`] spans of the source.

use std::borrow::Cow;

use super::model::{Any, RawSpan, ResourceAttrs};
use crate::event::{Event, EventKind, Level, Request, SourceId, Sql, Text};
use crate::span::{AttrValue, Span, SpanAttr, SpanKind, SpanRole, SpanStatus};
use crate::time::{Clock, Timestamp};

/// Where the spans being converted come from: a line (or document) of a source.
pub(super) struct Batch<'w> {
    pub id: SourceId,
    /// The whole source, which borrowed strings point into.
    pub whole: &'w [u8],
    /// 1-based line of the batch.
    pub line: u64,
    /// Byte offset and length of the batch.
    pub offset: u64,
    pub len: usize,
}

/// Attributes of one span, by key, before they become [`SpanAttr`]s.
type Kept<'w> = Vec<(Cow<'w, str>, Any<'w>)>;

impl<'w> Batch<'w> {
    /// The event for `raw`, and a problem (bad ids, end before start) if any.
    pub fn event(
        &self,
        resource: &ResourceAttrs<'w>,
        scope: &str,
        raw: RawSpan<'w>,
    ) -> (Event, Option<String>) {
        let mut problem = None;
        let name = raw.name;
        let trace_id = decode_id::<16>(&raw.trace_id).unwrap_or_else(|| {
            problem = Some(format!("span '{name}': invalid traceId '{}'", raw.trace_id));
            [0; 16]
        });
        let span_id = decode_id::<8>(&raw.span_id).unwrap_or_else(|| {
            problem = Some(format!("span '{name}': invalid spanId '{}'", raw.span_id));
            [0; 8]
        });
        let parent_span_id = match raw.parent_span_id.as_deref() {
            None | Some("") => None,
            Some(p) => decode_id::<8>(p).or_else(|| {
                problem = Some(format!("span '{name}': invalid parentSpanId '{p}'"));
                None
            }),
        };
        let start_ns = raw.start_time_unix_nano.0.unwrap_or(0).max(0) as u64;
        let end_ns = raw.end_time_unix_nano.0.unwrap_or(0).max(0) as u64;
        if end_ns != 0 && end_ns < start_ns {
            problem = Some(format!("span '{name}': ends before it starts; duration taken as 0"));
        }
        let duration_ns = end_ns.saturating_sub(start_ns);
        let kind = SpanKind::from_code(raw.kind.0.unwrap_or(0));
        let status = SpanStatus::from_code(raw.status.code.0.unwrap_or(0));
        let mut kept = raw.attributes.kept;
        let name_text = self.text(name.clone());
        let role = self.role(scope, kind, (&name, &name_text), &mut kept, duration_ns);
        let span = Span {
            trace_id,
            span_id,
            parent_span_id,
            start_ns,
            duration_ns,
            scope: self.text_ref(scope),
            name: name_text,
            kind,
            status,
            status_message: raw.status.message.filter(|m| !m.is_empty()).map(|m| self.text(m)),
            service: resource.service.as_deref().map(|s| self.text_ref(s)),
            instance: resource.instance.as_deref().map(|s| self.text_ref(s)),
            task_id: raw.attributes.task.map(|t| self.text(t)),
            events: raw.events.0,
            role,
            attributes: kept.into_iter().map(|(k, v)| self.attr(k, v)).collect(),
        };
        (self.wrap(span), problem)
    }

    fn wrap(&self, span: Span) -> Event {
        Event {
            time: Timestamp((span.start_ns / 1000) as i64),
            clock: Clock::Utc,
            source: self.id,
            line: self.line,
            lines: 1,
            offset: self.offset,
            len: u32::try_from(self.len).unwrap_or(u32::MAX),
            level: if span.status == SpanStatus::Error { Level::Error } else { Level::Info },
            kind: EventKind::Span(Box::new(span)),
        }
    }

    /// Request, SQL, task or other; the attributes a role consumes leave `kept`.
    fn role(
        &self,
        scope: &str,
        kind: SpanKind,
        (name, name_text): (&str, &Text),
        kept: &mut Kept<'w>,
        duration_ns: u64,
    ) -> SpanRole {
        let duration_ms = duration_ns as f64 / 1e6;
        if kind == SpanKind::Server {
            if let Some(method) = first_str(kept, &["http.request.method", "http.method"]) {
                return SpanRole::Request(self.request(method, kept, name, duration_ms));
            }
        }
        if is_sql(scope, name) {
            return SpanRole::Sql(self.sql(name_text.clone(), kept, duration_ms));
        }
        let task_scope = scope.starts_with("Octopus.Task");
        let task_value =
            kept.iter().any(|(_, v)| v.text().is_some_and(|t| t.contains("ServerTasks-")));
        if task_scope || task_value {
            return SpanRole::Task;
        }
        SpanRole::Other
    }

    fn request(&self, method: Cow<'w, str>, kept: &Kept<'w>, name: &str, ms: f64) -> Request {
        let path = first_str(kept, &["url.path", "http.target"]);
        let query = first_str(kept, &["url.query"]).filter(|q| !q.is_empty());
        let url = match (path, query) {
            (Some(p), Some(q)) => Cow::Owned(format!("{p}?{q}")),
            (Some(p), None) => p,
            (None, _) => first_str(kept, &["url.full", "http.route"])
                .unwrap_or_else(|| Cow::Owned(name.to_string())),
        };
        let status = first_int(kept, &["http.response.status_code", "http.status_code"])
            .and_then(|s| u16::try_from(s).ok());
        Request {
            method: self.text(method),
            url: self.text(url),
            host: first_str(kept, &["server.address"]).map(|h| self.text(h)),
            duration_ms: ms,
            status,
            correlation_id: None,
            browser: None,
        }
    }

    fn sql(&self, operation: Text, kept: &mut Kept<'w>, ms: f64) -> Sql {
        let statement = take_str(kept, &["db.statement", "db.query.text"]);
        let transaction = first_str(kept, &["db.transaction.sqlclient_id", "db.transaction.ef_id"])
            .filter(|t| !t.is_empty());
        Sql {
            operation,
            duration_ms: ms,
            first_record_ms: None,
            transaction: transaction.map(|t| self.text(t)),
            statement: statement.map_or(Text::Owned("".into()), |s| self.text(s)),
        }
    }

    fn attr(&self, key: Cow<'w, str>, value: Any<'w>) -> SpanAttr {
        let value = match value {
            Any::Str(s) => AttrValue::Str(self.text(s)),
            Any::Int(i) => AttrValue::Int(i),
            Any::Double(d) => AttrValue::Double(d),
            Any::Bool(b) => AttrValue::Bool(b),
            Any::Null => AttrValue::Null,
            Any::Raw(r) => AttrValue::Json(self.text(Cow::Borrowed(r))),
        };
        SpanAttr { key: self.text(key), value }
    }

    /// A span of the source when `s` was borrowed from it, else an owned copy.
    fn text(&self, s: Cow<'w, str>) -> Text {
        match s {
            Cow::Borrowed(b) => self.text_ref(b),
            Cow::Owned(o) => Text::Owned(o.into_boxed_str()),
        }
    }

    /// A span of the source when `s` lies inside it, else an owned copy.
    fn text_ref(&self, s: &str) -> Text {
        let whole = self.whole.as_ptr_range();
        let inside =
            whole.contains(&s.as_ptr()) && s.len() <= whole.end as usize - s.as_ptr() as usize;
        match inside {
            true => Text::span_of(self.whole, 0, s.as_bytes()),
            false => Text::Owned(s.into()),
        }
    }
}

/// The span names `Octopus.DataAccess` gives SQL commands.
fn is_sql(scope: &str, name: &str) -> bool {
    scope == "Octopus.DataAccess"
        && (name == "SQL" || name == "EF SQL" || name.starts_with("Stored Procedure: "))
}

fn first_str<'w>(kept: &Kept<'w>, keys: &[&str]) -> Option<Cow<'w, str>> {
    keys.iter().find_map(|k| {
        kept.iter().find_map(|(key, v)| match v {
            Any::Str(s) if key == k => Some(s.clone()),
            _ => None,
        })
    })
}

fn take_str<'w>(kept: &mut Kept<'w>, keys: &[&str]) -> Option<Cow<'w, str>> {
    let found = first_str(kept, keys);
    kept.retain(|(k, _)| !keys.contains(&k.as_ref()));
    found
}

fn first_int(kept: &Kept<'_>, keys: &[&str]) -> Option<i64> {
    keys.iter().find_map(|k| {
        kept.iter().find_map(|(key, v)| match v {
            Any::Int(i) if key == k => Some(*i),
            Any::Str(s) if key == k => s.trim().parse().ok(),
            _ => None,
        })
    })
}

/// An id of `N` bytes from hex (either case), or from base64 (what a plain
/// protobuf JSON mapping writes: 24 or 12 characters).
pub fn decode_id<const N: usize>(text: &str) -> Option<[u8; N]> {
    let b = text.as_bytes();
    if b.len() == N * 2 {
        let mut out = [0u8; N];
        for (o, pair) in out.iter_mut().zip(b.chunks_exact(2)) {
            *o = hex_digit(pair[0])? << 4 | hex_digit(pair[1])?;
        }
        return Some(out);
    }
    if b.len() == N.div_ceil(3) * 4 {
        return base64_id(b);
    }
    None
}

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn base64_id<const N: usize>(b: &[u8]) -> Option<[u8; N]> {
    let mut bits = 0u32;
    let mut nbits = 0;
    let mut out = [0u8; N];
    let mut n = 0;
    for &c in b.iter().take_while(|c| **c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        bits = bits << 6 | v as u32;
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            *out.get_mut(n)? = (bits >> nbits) as u8;
            n += 1;
        }
    }
    (n == N).then_some(out)
}
