//! The borrowed serde model of one OTLP/JSON `ExportTraceServiceRequest`, the
//! subset octodiag reads (field names as in `exports.md` §3.3).
//!
//! Speed comes from three habits: strings borrow from the line when they have
//! no escapes (`Cow::Borrowed`), everything not named here is skipped by
//! serde's derive (it deserializes unknown fields into `IgnoredAny`), and
//! attributes are filtered as they are read (`SpanAttrs`), so a span's
//! twenty test-harness keys cost a scan, not an allocation.
//!
//! Numbers: every 64-bit field accepts a JSON number or a decimal string
//! (OTLP/JSON writes strings, "either numbers or strings are accepted when
//! decoding"; the Octopus sample writes `intValue` as bare numbers).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::attrs::SpanAttrs;

/// One line: `{"resourceSpans":[…]}`.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct TraceRequest<'a> {
    /// Spans grouped by the process that produced them (`None`: the key is absent,
    /// so the line is not a trace batch at all).
    #[serde(borrow, default)]
    pub resource_spans: Option<Vec<ResourceSpans<'a>>>,
}

/// Spans of one resource (one server process).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ResourceSpans<'a> {
    /// The resource (its attributes name the service and instance).
    #[serde(borrow, default)]
    pub resource: Resource<'a>,
    /// Spans grouped by instrumentation scope (`instrumentationLibrarySpans` before OTLP 0.15).
    #[serde(borrow, default, alias = "instrumentationLibrarySpans")]
    pub scope_spans: Vec<ScopeSpans<'a>>,
}

/// A resource: only its attributes are read.
#[derive(Deserialize, Default)]
pub struct Resource<'a> {
    /// `service.name`, `service.instance.id`.
    #[serde(borrow, default)]
    pub attributes: ResourceAttrs<'a>,
}

/// The resource attributes octodiag keeps.
#[derive(Default)]
pub struct ResourceAttrs<'a> {
    /// `service.name`.
    pub service: Option<Cow<'a, str>>,
    /// `service.instance.id`.
    pub instance: Option<Cow<'a, str>>,
}

/// Spans of one instrumentation scope.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ScopeSpans<'a> {
    /// The scope (`instrumentationLibrary` before OTLP 0.15).
    #[serde(borrow, default, alias = "instrumentationLibrary")]
    pub scope: Scope<'a>,
    /// Its spans.
    #[serde(borrow, default)]
    pub spans: Vec<RawSpan<'a>>,
}

/// An instrumentation scope: its name.
#[derive(Deserialize, Default)]
pub struct Scope<'a> {
    /// `Octopus.DataAccess`, `System.Net.Http`, ….
    #[serde(borrow, default)]
    pub name: Cow<'a, str>,
}

/// One span as written.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct RawSpan<'a> {
    /// 32 hex digits.
    #[serde(borrow, default)]
    pub trace_id: Cow<'a, str>,
    /// 16 hex digits.
    #[serde(borrow, default)]
    pub span_id: Cow<'a, str>,
    /// 16 hex digits, absent or empty on roots.
    #[serde(borrow, default)]
    pub parent_span_id: Option<Cow<'a, str>>,
    /// Span name.
    #[serde(borrow, default)]
    pub name: Cow<'a, str>,
    /// OTLP kind integer.
    #[serde(default)]
    pub kind: Int,
    /// Start, Unix nanoseconds.
    #[serde(default)]
    pub start_time_unix_nano: Int,
    /// End, Unix nanoseconds.
    #[serde(default)]
    pub end_time_unix_nano: Int,
    /// The attributes octodiag keeps, already as [`Text`](crate::event::Text)s.
    #[serde(default)]
    pub attributes: SpanAttrs,
    /// Span events, counted only.
    #[serde(default)]
    pub events: Count,
    /// Status code and message.
    #[serde(borrow, default)]
    pub status: Status<'a>,
}

/// `{"code":2,"message":"…"}`.
#[derive(Deserialize, Default)]
pub struct Status<'a> {
    /// 0 unset, 1 ok, 2 error (an enum name such as `STATUS_CODE_ERROR` is accepted too).
    #[serde(default)]
    pub code: Int,
    /// Free text.
    #[serde(borrow, default)]
    pub message: Option<Cow<'a, str>>,
}

/// A 64-bit integer written as a number or a string (`None`: absent, null or unparsable).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Int(pub Option<i64>);

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Int, D::Error> {
        d.deserialize_any(IntVisitor)
    }
}

struct IntVisitor;

impl<'de> Visitor<'de> for IntVisitor {
    type Value = Int;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an integer or a decimal string")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Int, E> {
        Ok(Int(i64::try_from(v).ok()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Int, E> {
        Ok(Int(Some(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Int, E> {
        Ok(Int((v.fract() == 0.0 && v.abs() < 9.2e18).then_some(v as i64)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Int, E> {
        Ok(Int(v.trim().parse().ok().or_else(|| enum_code(v))))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Int, E> {
        Ok(Int(None))
    }
}

/// Enum names some encoders write instead of integers.
fn enum_code(name: &str) -> Option<i64> {
    Some(match name {
        "SPAN_KIND_INTERNAL" | "STATUS_CODE_OK" => 1,
        "SPAN_KIND_SERVER" | "STATUS_CODE_ERROR" => 2,
        "SPAN_KIND_CLIENT" => 3,
        "SPAN_KIND_PRODUCER" => 4,
        "SPAN_KIND_CONSUMER" => 5,
        "SPAN_KIND_UNSPECIFIED" | "STATUS_CODE_UNSET" => 0,
        _ => return None,
    })
}

/// The number of elements of an array, which is otherwise skipped.
#[derive(Default)]
pub struct Count(pub u32);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Count, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Count;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Count, A::Error> {
                let mut n = 0u32;
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    n = n.saturating_add(1);
                }
                Ok(Count(n))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Count, E> {
                Ok(Count(0))
            }
        }
        d.deserialize_any(V)
    }
}

/// An OTLP `AnyValue`, borrowed.
#[derive(Debug, PartialEq)]
pub enum Any<'a> {
    /// `stringValue`.
    Str(Cow<'a, str>),
    /// `intValue`.
    Int(i64),
    /// `doubleValue`.
    Double(f64),
    /// `boolValue`.
    Bool(bool),
    /// `{}` or a value of a kind not known here.
    Null,
    /// `arrayValue`, `kvlistValue`, `bytesValue`: the JSON text.
    Raw(&'a str),
}

impl<'a> Any<'a> {
    /// The text of a string value, or of a nested value's JSON (for task ids).
    pub fn text(&self) -> Option<&str> {
        match self {
            Any::Str(s) => Some(s),
            Any::Raw(r) => Some(r),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum AnyField {
    StringValue,
    BoolValue,
    IntValue,
    DoubleValue,
    ArrayValue,
    KvlistValue,
    BytesValue,
    #[serde(other)]
    Other,
}

impl<'de: 'a, 'a> Deserialize<'de> for Any<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Any<'a>, D::Error> {
        d.deserialize_map(AnyVisitor)
    }
}

struct AnyVisitor;

impl<'de> Visitor<'de> for AnyVisitor {
    type Value = Any<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an OTLP AnyValue object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Any<'de>, A::Error> {
        let mut value = Any::Null;
        while let Some(field) = map.next_key::<AnyField>()? {
            value = match field {
                AnyField::StringValue => Any::Str(map.next_value::<Str<'de>>()?.0),
                AnyField::BoolValue => Any::Bool(map.next_value::<bool>()?),
                AnyField::IntValue => map.next_value::<Int>()?.0.map_or(Any::Null, Any::Int),
                AnyField::DoubleValue => {
                    map.next_value::<Double>()?.0.map_or(Any::Null, Any::Double)
                }
                AnyField::ArrayValue | AnyField::KvlistValue | AnyField::BytesValue => {
                    Any::Raw(map.next_value::<&'de RawValue>()?.get())
                }
                AnyField::Other => {
                    map.next_value::<IgnoredAny>()?;
                    value
                }
            };
        }
        Ok(value)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Any<'de>, E> {
        Ok(Any::Null)
    }
}

/// A string that borrows from the input when it has no escapes.
pub struct Str<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Str<'a>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed("")))
            }
        }
        d.deserialize_str(V)
    }
}

/// A double written as a number or a string (`"NaN"`, `"Infinity"`, `"1.5"`).
struct Double(Option<f64>);

impl<'de> Deserialize<'de> for Double {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Double, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Double;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or a numeric string")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Double, E> {
                Ok(Double(Some(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Double, E> {
                Ok(Double(Some(v as f64)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Double, E> {
                Ok(Double(Some(v as f64)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Double, E> {
                Ok(Double(v.trim().parse().ok()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Double, E> {
                Ok(Double(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// `{"key":…,"value":{…}}`.
#[derive(Deserialize)]
pub(super) struct KeyValue<'a> {
    #[serde(borrow, default)]
    pub key: Cow<'a, str>,
    #[serde(borrow, default = "null")]
    pub value: Any<'a>,
}

fn null<'a>() -> Any<'a> {
    Any::Null
}

impl<'de: 'a, 'a> Deserialize<'de> for ResourceAttrs<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ResourceAttrs<'a>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ResourceAttrs<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of key/value objects")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut attrs = ResourceAttrs::default();
                while let Some(kv) = seq.next_element::<KeyValue<'de>>()? {
                    let Any::Str(s) = kv.value else { continue };
                    match &*kv.key {
                        "service.name" => attrs.service = Some(s),
                        "service.instance.id" => attrs.instance = Some(s),
                        _ => {}
                    }
                }
                Ok(attrs)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(ResourceAttrs::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// Where the first `ServerTasks-<digits>` lies in `text`.
pub fn task_id_in(text: &str) -> Option<std::ops::Range<usize>> {
    const NEEDLE: &str = "ServerTasks-";
    let mut from = 0;
    while let Some(i) = task_finder().find(&text.as_bytes()[from..]) {
        let start = from + i;
        let digits_at = start + NEEDLE.len();
        let digits = text.as_bytes()[digits_at..].iter().take_while(|b| b.is_ascii_digit()).count();
        if digits > 0 {
            return Some(start..digits_at + digits);
        }
        from = digits_at;
    }
    None
}

/// The `ServerTasks-` searcher, built once.
pub fn task_finder() -> &'static memchr::memmem::Finder<'static> {
    static FINDER: std::sync::OnceLock<memchr::memmem::Finder<'static>> =
        std::sync::OnceLock::new();
    FINDER.get_or_init(|| memchr::memmem::Finder::new("ServerTasks-"))
}
