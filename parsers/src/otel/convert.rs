//! One raw span → one [`Event`]: ids decoded, times checked, role decided
//! (`exports.md` §3.5), attributes turned into [`Text`] spans of the source.

use std::borrow::Cow;

use super::attrs::{Known, SpanAttrs};
use super::model::{RawSpan, ResourceAttrs};
use crate::event::{Event, EventKind, Level, Request, SourceId, Sql, Text};
use crate::span::{AttrValue, Span, SpanKind, SpanRole, SpanStatus};
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

impl<'w> Batch<'w> {
    /// The event for `raw`, and a problem (bad ids, end before start) if any.
    pub fn event(
        &self,
        resource: &ResourceAttrs<'w>,
        scope: &str,
        raw: RawSpan<'w>,
    ) -> (Event, Option<String>) {
        let (Ids { trace_id, span_id, parent_span_id }, mut problem) = ids(&raw, &raw.name);
        let name = raw.name;
        let start_ns = raw.start_time_unix_nano.0.unwrap_or(0).max(0) as u64;
        let end_ns = raw.end_time_unix_nano.0.unwrap_or(0).max(0) as u64;
        if end_ns != 0 && end_ns < start_ns {
            problem = Some(format!("span '{name}': ends before it starts; duration taken as 0"));
        }
        let duration_ns = end_ns.saturating_sub(start_ns);
        let kind = SpanKind::from_code(raw.kind.0.unwrap_or(0));
        let status = SpanStatus::from_code(raw.status.code.0.unwrap_or(0));
        let mut attrs = raw.attributes;
        let name_text = self.text(name.clone());
        let role = self.role(scope, kind, (&name, &name_text), &mut attrs, duration_ns);
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
            task_id: attrs.task,
            events: raw.events.0,
            role,
            attributes: attrs.kept,
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

    /// Request, SQL, task or other; the attributes a role consumes leave `attrs`.
    fn role(
        &self,
        scope: &str,
        kind: SpanKind,
        (name, name_text): (&str, &Text),
        attrs: &mut SpanAttrs,
        duration_ns: u64,
    ) -> SpanRole {
        let duration_ms = duration_ns as f64 / 1e6;
        if kind == SpanKind::Server {
            if let Some(method) = attrs.str(&[Known::HttpRequestMethod, Known::HttpMethod]) {
                return SpanRole::Request(self.request(method.clone(), attrs, name, duration_ms));
            }
        }
        if is_sql(scope, name) {
            return SpanRole::Sql(self.sql(name_text.clone(), attrs, duration_ms));
        }
        if scope.starts_with("Octopus.Task") || attrs.names_task {
            return SpanRole::Task;
        }
        SpanRole::Other
    }

    fn request(&self, method: Text, attrs: &SpanAttrs, name: &str, ms: f64) -> Request {
        let path = attrs.str(&[Known::UrlPath, Known::HttpTarget]);
        let query =
            attrs.str(&[Known::UrlQuery]).map(|q| q.resolve(self.whole)).filter(|q| !q.is_empty());
        let url = match (path, query) {
            (Some(p), Some(q)) => Text::Owned(format!("{}?{q}", p.resolve(self.whole)).into()),
            (Some(p), None) => p.clone(),
            (None, _) => attrs
                .str(&[Known::UrlFull, Known::HttpRoute])
                .cloned()
                .unwrap_or_else(|| Text::Owned(name.into())),
        };
        let status = match attrs.get(&[Known::StatusCode, Known::OldStatusCode]) {
            Some(AttrValue::Int(i)) => u16::try_from(*i).ok(),
            Some(AttrValue::Str(t)) => t.resolve(self.whole).trim().parse().ok(),
            _ => None,
        };
        Request {
            method,
            url,
            host: attrs.str(&[Known::ServerAddress]).cloned(),
            duration_ms: ms,
            status,
            correlation_id: None,
            browser: None,
            access: None,
        }
    }

    fn sql(&self, operation: Text, attrs: &mut SpanAttrs, ms: f64) -> Sql {
        let statement = attrs.take_str(&[Known::DbStatement, Known::DbQueryText]);
        let transaction = attrs
            .str(&[Known::TxSqlClient, Known::TxEf])
            .filter(|t| !t.resolve(self.whole).is_empty())
            .cloned();
        Sql {
            operation,
            duration_ms: ms,
            first_record_ms: None,
            transaction,
            statement: statement.unwrap_or_else(|| Text::Owned("".into())),
        }
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

/// A span's decoded ids.
struct Ids {
    trace_id: [u8; 16],
    span_id: [u8; 8],
    parent_span_id: Option<[u8; 8]>,
}

/// Decodes the ids (an invalid one becomes zeros, or no parent) and says which was bad.
fn ids(raw: &RawSpan<'_>, name: &str) -> (Ids, Option<String>) {
    let mut problem = None;
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
    (Ids { trace_id, span_id, parent_span_id }, problem)
}

/// The span names `Octopus.DataAccess` gives SQL commands.
fn is_sql(scope: &str, name: &str) -> bool {
    scope == "Octopus.DataAccess"
        && (name == "SQL" || name == "EF SQL" || name.starts_with("Stored Procedure: "))
}

/// An id of `N` bytes from hex (either case), or from base64 (what a plain
/// protobuf JSON mapping writes: 24 or 12 characters).
pub fn decode_id<const N: usize>(text: &str) -> Option<[u8; N]> {
    let b = text.as_bytes();
    if b.len() == N * 2 {
        // Branch-free over a table: ids are decoded three times per span.
        let mut out = [0u8; N];
        let mut bad = 0u8;
        for (o, pair) in out.iter_mut().zip(b.chunks_exact(2)) {
            let (hi, lo) = (HEX[pair[0] as usize], HEX[pair[1] as usize]);
            bad |= hi | lo;
            *o = hi << 4 | lo;
        }
        return (bad & 0xF0 == 0).then_some(out);
    }
    if b.len() == N.div_ceil(3) * 4 {
        return base64_id(b);
    }
    None
}

/// Hex digit values (either case); 0xFF for anything else.
const HEX: [u8; 256] = {
    let mut t = [0xFFu8; 256];
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
