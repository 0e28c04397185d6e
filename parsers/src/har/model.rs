//! Borrowed serde structs for the subset of a HAR entry that analysis needs.
//!
//! Only the fields listed here are decoded. Everything else, above all
//! `response.content.text` (often base64 and most of the file), is skipped by
//! serde as `IgnoredAny`, which neither copies nor validates it: a lone UTF-16
//! surrogate or invalid UTF-8 inside a body cannot fail an entry.
//!
//! Exporters break the HAR 1.2 "required" rules in every way (har.md §7):
//! `null` for numbers, `timings: {}`, strings where numbers belong, missing
//! objects. So every field here is optional and decoded by a tolerant type
//! ([`Str`], [`Num`], [`Loose`]) that turns a value of the wrong JSON type into
//! "absent" instead of failing the entry. What still fails an entry is JSON
//! that serde cannot read at all (bad syntax, lone surrogates in a field we
//! keep, nesting deeper than 128); the caller then repairs or skips that entry.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize as DeriveDeserialize;

/// One element of `log.entries`, reduced to what becomes a request event.
#[derive(Debug, Default, DeriveDeserialize)]
#[serde(default)]
pub(crate) struct Entry<'a> {
    /// ISO 8601 start, in any of the forms of har.md §5.
    #[serde(rename = "startedDateTime", borrow)]
    pub started: Str<'a>,
    /// Total duration in ms, as the exporter computed it.
    pub time: Num,
    /// Method and URL.
    #[serde(borrow)]
    pub request: Loose<Req<'a>>,
    /// Status, error and headers.
    #[serde(borrow)]
    pub response: Loose<Resp<'a>>,
    /// The phases.
    pub timings: Loose<Timings>,
    /// Page id; absent when `pages` is missing or empty.
    #[serde(borrow)]
    pub pageref: Str<'a>,
    /// IP of the server (Chrome writes `""` for failed requests).
    #[serde(rename = "serverIPAddress", borrow)]
    pub server_ip: Str<'a>,
    /// Connection id or port, depending on the exporter.
    #[serde(borrow)]
    pub connection: Str<'a>,
    /// Chromium: `"memory"` or `"disk"` when served from cache.
    #[serde(rename = "_fromCache", borrow)]
    pub from_cache: Str<'a>,
    /// An error text some writers put on the entry rather than the response.
    #[serde(rename = "_error", borrow)]
    pub error: Str<'a>,
    /// Safari: `"Memory Cache"`, `"Disk Cache"`, `"Network Load"`, `"Service Worker"`.
    #[serde(rename = "_fetchType", borrow)]
    pub fetch_type: Str<'a>,
}

/// `entry.request`.
#[derive(Debug, Default, DeriveDeserialize)]
#[serde(default)]
pub(crate) struct Req<'a> {
    /// HTTP method.
    #[serde(borrow)]
    pub method: Str<'a>,
    /// Absolute URL (may also be `data:`, `blob:`, `ws(s):`).
    #[serde(borrow)]
    pub url: Str<'a>,
}

/// `entry.response`.
#[derive(Debug, Default, DeriveDeserialize)]
#[serde(default)]
pub(crate) struct Resp<'a> {
    /// HTTP status; 0 when the request failed.
    pub status: Num,
    /// Chromium/Safari/mitmproxy error text (`net::ERR_…`), `null` when none.
    #[serde(rename = "_error", borrow)]
    pub error: Str<'a>,
    /// Only the correlation id is kept from the headers; nothing else
    /// (cookies, tokens) ever leaves this module.
    #[serde(borrow)]
    pub headers: CorrelationHeader<'a>,
}

/// `entry.timings`. Every phase may be missing, `null` or -1.
#[derive(Debug, Default, DeriveDeserialize)]
#[serde(default)]
pub(crate) struct Timings {
    /// Queueing and stalls.
    pub blocked: Num,
    /// DNS.
    pub dns: Num,
    /// TCP connect, TLS included.
    pub connect: Num,
    /// TLS (inside `connect` per HAR 1.2).
    pub ssl: Num,
    /// Sending.
    pub send: Num,
    /// Time to first byte.
    pub wait: Num,
    /// Download.
    pub receive: Num,
    /// Chromium's queueing part of `blocked`.
    #[serde(rename = "_blocked_queueing")]
    pub blocked_queueing: Num,
}

impl Timings {
    /// The phases that make up `time` (ssl excluded: it is inside `connect`).
    pub fn phases(&self) -> [Num; 6] {
        [self.blocked, self.dns, self.connect, self.send, self.wait, self.receive]
    }
}

/// A string that may borrow from the input. Anything that is not a string
/// becomes absent, except numbers and booleans, which become their text
/// (`"connection": 443` is as useful as `"443"`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Str<'a>(pub Option<Cow<'a, str>>);

impl<'a> Str<'a> {
    /// The text, if present and not empty.
    pub fn non_empty(&self) -> Option<&str> {
        self.0.as_deref().filter(|s| !s.is_empty())
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrVisitor(PhantomData))
    }
}

struct StrVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for StrVisitor<'a> {
    type Value = Str<'a>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Str(Some(Cow::Borrowed(v))))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Str(Some(Cow::Owned(v.to_owned()))))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Str(Some(Cow::Owned(v))))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Str(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Str(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Str(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Str(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Str(None))
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Str(None))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        Str::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        drain_seq(seq).map(|()| Str(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        drain_map(map).map(|()| Str(None))
    }
}

/// A number in milliseconds (or a status). `null`, non-finite values and
/// other JSON types become absent; numeric strings (`"200"`) are read.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(crate) struct Num(pub Option<f64>);

impl Num {
    /// The value when it is present and not negative: -1 (and any other
    /// negative, e.g. mitmproxy's old -1000) means "unknown" in HAR.
    pub fn known(self) -> Option<f64> {
        self.0.filter(|v| *v >= 0.0)
    }
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NumVisitor)
    }
}

struct NumVisitor;

impl<'de> Visitor<'de> for NumVisitor {
    type Value = Num;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number")
    }
    fn visit_f64<E>(self, v: f64) -> Result<Num, E> {
        Ok(Num(Some(v).filter(|v| v.is_finite())))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Num, E> {
        Ok(Num(Some(v as f64)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Num, E> {
        Ok(Num(Some(v as f64)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Num, E> {
        Ok(Num(v.trim().parse::<f64>().ok().filter(|v| v.is_finite())))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Num, E> {
        Ok(Num(None))
    }
    fn visit_unit<E>(self) -> Result<Num, E> {
        Ok(Num(None))
    }
    fn visit_none<E>(self) -> Result<Num, E> {
        Ok(Num(None))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Num, D::Error> {
        Num::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Num, A::Error> {
        drain_seq(seq).map(|()| Num(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Num, A::Error> {
        drain_map(map).map(|()| Num(None))
    }
}

/// An object of type `T`, or absent when the exporter wrote `null`, a
/// scalar or an array in its place.
#[derive(Debug)]
pub(crate) struct Loose<T>(pub Option<T>);

impl<T> Default for Loose<T> {
    fn default() -> Self {
        Loose(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Loose<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LooseVisitor(PhantomData))
    }
}

struct LooseVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for LooseVisitor<T> {
    type Value = Loose<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Loose<T>, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|t| Loose(Some(t)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Loose<T>, A::Error> {
        drain_seq(seq).map(|()| Loose(None))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Loose<T>, E> {
        Ok(Loose(None))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Loose<T>, E> {
        Ok(Loose(None))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Loose<T>, E> {
        Ok(Loose(None))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Loose<T>, E> {
        Ok(Loose(None))
    }
    fn visit_str<E>(self, _: &str) -> Result<Loose<T>, E> {
        Ok(Loose(None))
    }
    fn visit_unit<E>(self) -> Result<Loose<T>, E> {
        Ok(Loose(None))
    }
    fn visit_none<E>(self) -> Result<Loose<T>, E> {
        Ok(Loose(None))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Loose<T>, D::Error> {
        Loose::deserialize(d)
    }
}

/// The response headers, scanned for a correlation id without keeping the
/// list (and so without keeping any cookie or token).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct CorrelationHeader<'a>(pub Option<Cow<'a, str>>);

/// Header names that may carry a request id that the server also logs.
///
/// The Octopus Server log writes a 32-hex correlation id after the URL of a
/// `Request took` line (octopus.md §2), but no public source documents a
/// response header that carries it (har.md §8.3 leaves this open). These are
/// the conventional names; a value counts only if it has the server log's
/// shape (32 hexadecimal characters), so a header that means something else
/// is not mistaken for it.
pub const CORRELATION_HEADERS: &[&str] =
    &["x-correlation-id", "x-octopus-correlation-id", "x-request-id", "request-id"];

/// Whether `value` has the shape of a server-log correlation id.
pub(crate) fn is_correlation_id(value: &str) -> bool {
    value.len() == 32 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

#[derive(DeriveDeserialize)]
struct Header<'a> {
    #[serde(default, borrow)]
    name: Str<'a>,
    #[serde(default, borrow)]
    value: Str<'a>,
}

impl<'a> Header<'a> {
    fn correlation_id(self) -> Option<Cow<'a, str>> {
        let name = self.name.0?;
        let value = self.value.0?;
        let named = CORRELATION_HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h));
        (named && is_correlation_id(&value)).then_some(value)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for CorrelationHeader<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(HeadersVisitor(PhantomData))
    }
}

struct HeadersVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for HeadersVisitor<'a> {
    type Value = CorrelationHeader<'a>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of headers")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(Loose(h)) = seq.next_element::<Loose<Header<'a>>>()? {
            if found.is_none() {
                found = h.and_then(Header::correlation_id);
            }
        }
        Ok(CorrelationHeader(found))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        drain_map(map).map(|()| CorrelationHeader(None))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(CorrelationHeader(None))
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(CorrelationHeader(None))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(CorrelationHeader(None))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(CorrelationHeader(None))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(CorrelationHeader(None))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(CorrelationHeader(None))
    }
}

fn drain_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

fn drain_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}
