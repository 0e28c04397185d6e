//! A span's attributes, filtered and turned into [`SpanAttr`]s while serde
//! reads them: no intermediate list, one allocation per span.
//!
//! The visitor needs two facts about the line being read, which serde's derive
//! cannot pass down: where the source's bytes start (to make [`Text`] spans of
//! borrowed strings) and whether the line mentions `ServerTasks-` at all (so
//! that nearly all lines skip the per-value search). The reader sets them in a
//! thread-local [`Context`] for the duration of one line ([`with_context`]).

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, SeqAccess, Visitor};

use super::model::{task_id_in, Any, KeyValue};
use crate::event::Text;
use crate::span::{AttrValue, SpanAttr};

/// Where borrowed strings point: the whole source, and whether to look for task ids.
#[derive(Clone, Copy, Default)]
pub(super) struct Context {
    base: usize,
    len: usize,
    scan_tasks: bool,
}

thread_local! {
    static CONTEXT: Cell<Context> = const { Cell::new(Context { base: 0, len: 0, scan_tasks: false }) };
}

/// Runs `f` with the context of a line of `whole` (which `scan_tasks` says
/// mentions `ServerTasks-`), restoring the previous context after.
pub(super) fn with_context<T>(whole: &[u8], scan_tasks: bool, f: impl FnOnce() -> T) -> T {
    let ctx = Context { base: whole.as_ptr() as usize, len: whole.len(), scan_tasks };
    let before = CONTEXT.replace(ctx);
    let out = f();
    CONTEXT.set(before);
    out
}

/// A span of the source when `s` lies inside it, else an owned copy.
pub(super) fn text_in(ctx: Context, s: &str) -> Text {
    let at = (s.as_ptr() as usize).wrapping_sub(ctx.base);
    if at < ctx.len && s.len() <= ctx.len - at {
        Text::Span { start: at as u64, len: s.len() as u32 }
    } else {
        Text::Owned(s.into())
    }
}

fn text_of(ctx: Context, s: Cow<'_, str>) -> Text {
    match s {
        Cow::Borrowed(b) => text_in(ctx, b),
        Cow::Owned(o) => Text::Owned(o.into_boxed_str()),
    }
}

/// Attributes the span roles read, by position in [`SpanAttrs::kept`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Known {
    HttpRequestMethod,
    HttpMethod,
    UrlPath,
    HttpTarget,
    UrlQuery,
    UrlFull,
    HttpRoute,
    ServerAddress,
    StatusCode,
    OldStatusCode,
    DbStatement,
    DbQueryText,
    TxSqlClient,
    TxEf,
}

const KNOWN: usize = 14;

fn known(key: &str) -> Option<Known> {
    use Known::*;
    Some(match key {
        "http.request.method" => HttpRequestMethod,
        "http.method" => HttpMethod,
        "url.path" => UrlPath,
        "http.target" => HttpTarget,
        "url.query" => UrlQuery,
        "url.full" => UrlFull,
        "http.route" => HttpRoute,
        "server.address" => ServerAddress,
        "http.response.status_code" => StatusCode,
        "http.status_code" => OldStatusCode,
        "db.statement" => DbStatement,
        "db.query.text" => DbQueryText,
        "db.transaction.sqlclient_id" => TxSqlClient,
        "db.transaction.ef_id" => TxEf,
        _ => return None,
    })
}

/// The attributes of a span octodiag keeps: those [`keep_key`] selects, plus any
/// whose value names a `ServerTasks-N` (the first such id goes to `task`).
#[derive(Default)]
pub struct SpanAttrs {
    /// Kept attributes in file order.
    pub kept: Vec<SpanAttr>,
    /// Index in `kept` of each [`Known`] attribute (`u8::MAX`: absent).
    known: [u8; KNOWN],
    /// The first `ServerTasks-N` found in any attribute value.
    pub task: Option<Text>,
    /// Whether any kept value mentions `ServerTasks-`.
    pub names_task: bool,
}

impl<'de> Deserialize<'de> for SpanAttrs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<SpanAttrs, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SpanAttrs;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of key/value objects")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<SpanAttrs, A::Error> {
                let ctx = CONTEXT.get();
                let mut attrs = SpanAttrs { known: [u8::MAX; KNOWN], ..SpanAttrs::default() };
                while let Some(kv) = seq.next_element::<KeyValue<'de>>()? {
                    attrs.take(ctx, kv);
                }
                Ok(attrs)
            }
            fn visit_unit<E: de::Error>(self) -> Result<SpanAttrs, E> {
                Ok(SpanAttrs { known: [u8::MAX; KNOWN], ..SpanAttrs::default() })
            }
        }
        d.deserialize_any(V)
    }
}

impl SpanAttrs {
    fn take(&mut self, ctx: Context, kv: KeyValue<'_>) {
        let task = if ctx.scan_tasks { kv.value.text().and_then(task_id_in) } else { None };
        if let (None, Some(range)) = (&self.task, task.clone()) {
            self.task = kv.value.text().map(|t| match &kv.value {
                Any::Str(Cow::Owned(_)) => Text::Owned(t[range].into()),
                _ => text_in(ctx, &t[range]),
            });
        }
        self.names_task |= task.is_some();
        if task.is_none() && !keep_key(&kv.key) {
            return;
        }
        if self.kept.capacity() == 0 {
            // Spans keep a handful of attributes: one allocation, not four.
            self.kept.reserve_exact(8);
        }
        if let Some(k) = known(&kv.key) {
            self.known[k as usize] = u8::try_from(self.kept.len()).unwrap_or(u8::MAX);
        }
        let value = match kv.value {
            Any::Str(s) => AttrValue::Str(text_of(ctx, s)),
            Any::Int(i) => AttrValue::Int(i),
            Any::Double(d) => AttrValue::Double(d),
            Any::Bool(b) => AttrValue::Bool(b),
            Any::Null => AttrValue::Null,
            Any::Raw(r) => AttrValue::Json(text_in(ctx, r)),
        };
        self.kept.push(SpanAttr { key: text_of(ctx, kv.key), value });
    }

    /// The value of the first of `keys` present.
    pub(super) fn get(&self, keys: &[Known]) -> Option<&AttrValue> {
        keys.iter()
            .map(|k| self.known[*k as usize])
            .find(|&i| i != u8::MAX)
            .and_then(|i| self.kept.get(i as usize))
            .map(|a| &a.value)
    }

    /// The string value of the first of `keys` present.
    pub(super) fn str(&self, keys: &[Known]) -> Option<&Text> {
        keys.iter().find_map(|k| match self.get(&[*k]) {
            Some(AttrValue::Str(t)) => Some(t),
            _ => None,
        })
    }

    /// Takes the first of `keys` out of the kept attributes (the others stay).
    pub(super) fn take_str(&mut self, keys: &[Known]) -> Option<Text> {
        let k =
            keys.iter().copied().find(|k| matches!(self.get(&[*k]), Some(AttrValue::Str(_))))?;
        let i = self.known[k as usize];
        self.known[k as usize] = u8::MAX;
        for slot in self.known.iter_mut().filter(|s| **s != u8::MAX && **s > i) {
            *slot -= 1;
        }
        match self.kept.remove(i as usize).value {
            AttrValue::Str(t) => Some(t),
            _ => None,
        }
    }
}

/// Attribute keys worth keeping: HTTP, database and Octopus ones; not the
/// test-harness keys (`test.*`, `teamcity.*`) that fill the public sample.
pub fn keep_key(key: &str) -> bool {
    let b = key.as_bytes();
    match b.first() {
        Some(b'h') => key.starts_with("http."),
        Some(b'u') => key.starts_with("url."),
        Some(b'd') => key.starts_with("db.") || key.starts_with("document."),
        Some(b'o') => key.starts_with("octopus."),
        Some(b's') => key == "server.address" || key == "server.port",
        Some(b'p') => key == "peer.service",
        Some(b'e') => key == "error.type" || key.starts_with("ef."),
        _ => false,
    }
}
