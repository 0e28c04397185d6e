//! A scanner for one flat JSON object per line: Docker `json-file` records and
//! Traefik JSON access logs.
//!
//! Both are written by Go's `encoding/json`: one object per line, string,
//! number, boolean and null values, rarely a nested object (Docker `attrs`).
//! A full JSON parser would build a map per line; this walks the members in
//! place with memchr, hands out borrowed slices, and leaves decoding escapes to
//! the caller ([`unescape_into`]), which needs it only for the values it keeps.
//!
//! ```text
//! object = ws "{" ws [member ("," ws member)*] ws "}" ws
//! member = string ws ":" ws value ws
//! value  = string | number | true | false | null | object | array   (nested: skipped whole)
//! ```

/// A member's value, borrowed from the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value<'a> {
    /// A string: its raw bytes between the quotes, and whether they hold escapes.
    Str {
        /// Bytes between the quotes, escapes not decoded.
        raw: &'a [u8],
        /// A backslash occurs in `raw`.
        escaped: bool,
    },
    /// A number, as written.
    Num(&'a [u8]),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// A nested object or array, as written (not looked into).
    Nested(&'a [u8]),
}

impl<'a> Value<'a> {
    /// The raw bytes of a string value without escapes, else `None`.
    pub fn plain_str(self) -> Option<&'a [u8]> {
        match self {
            Value::Str { raw, escaped: false } => Some(raw),
            _ => None,
        }
    }

    /// An integer value (a number without fraction or exponent, or a string of digits).
    pub fn int(self) -> Option<i64> {
        let digits = match self {
            Value::Num(n) => n,
            Value::Str { raw, escaped: false } => raw,
            _ => return None,
        };
        parse_i64(digits)
    }
}

/// Iterates the members of one object. Stops (returning `None`) at the end of
/// the object or at the first syntax error; [`Members::failed`] tells which.
pub struct Members<'a> {
    b: &'a [u8],
    pos: usize,
    failed: bool,
    done: bool,
}

impl<'a> Members<'a> {
    /// The members of the object in `line`, or `None` when it does not start with `{`.
    pub fn of(line: &'a [u8]) -> Option<Members<'a>> {
        let pos = skip_ws(line, 0);
        (line.get(pos) == Some(&b'{')).then(|| Members {
            b: line,
            pos: pos + 1,
            failed: false,
            done: false,
        })
    }

    /// Whether iteration stopped at a syntax error rather than at `}`.
    pub fn failed(&self) -> bool {
        self.failed
    }

    fn fail(&mut self) -> Option<(&'a [u8], Value<'a>)> {
        self.failed = true;
        self.done = true;
        None
    }

    fn member(&mut self) -> Option<(&'a [u8], Value<'a>)> {
        let (key, _, after) = string_at(self.b, self.pos)?;
        let colon = skip_ws(self.b, after);
        if self.b.get(colon) != Some(&b':') {
            return None;
        }
        let (value, after) = value_at(self.b, skip_ws(self.b, colon + 1))?;
        self.pos = skip_ws(self.b, after);
        Some((key, value))
    }
}

impl<'a> Iterator for Members<'a> {
    type Item = (&'a [u8], Value<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        self.pos = skip_ws(self.b, self.pos);
        match self.b.get(self.pos) {
            Some(b'}') => {
                self.done = true;
                return None;
            }
            Some(b',') => self.pos = skip_ws(self.b, self.pos + 1),
            Some(b'"') => {}
            _ => return self.fail(),
        }
        match self.member() {
            Some(m) => Some(m),
            None => self.fail(),
        }
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\r' | b'\n')) {
        i += 1;
    }
    i
}

/// The string starting at `b[at] == '"'`: (raw contents, has escapes, index after the closing quote).
pub fn string_at(b: &[u8], at: usize) -> Option<(&[u8], bool, usize)> {
    if b.get(at) != Some(&b'"') {
        return None;
    }
    let start = at + 1;
    let mut i = start;
    let mut escaped = false;
    loop {
        i += memchr::memchr2(b'"', b'\\', b.get(i..)?)?;
        if b[i] == b'"' {
            return Some((&b[start..i], escaped, i + 1));
        }
        escaped = true;
        i += 2;
    }
}

fn value_at(b: &[u8], at: usize) -> Option<(Value<'_>, usize)> {
    match *b.get(at)? {
        b'"' => string_at(b, at).map(|(raw, escaped, end)| (Value::Str { raw, escaped }, end)),
        b'{' | b'[' => nested_end(b, at).map(|end| (Value::Nested(&b[at..end]), end)),
        b't' if b[at..].starts_with(b"true") => Some((Value::Bool(true), at + 4)),
        b'f' if b[at..].starts_with(b"false") => Some((Value::Bool(false), at + 5)),
        b'n' if b[at..].starts_with(b"null") => Some((Value::Null, at + 4)),
        c if c == b'-' || c.is_ascii_digit() => {
            let len = b[at..]
                .iter()
                .take_while(|c| c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E'))
                .count();
            Some((Value::Num(&b[at..at + len]), at + len))
        }
        _ => None,
    }
}

/// The index after the object or array opening at `at`, skipping strings inside.
fn nested_end(b: &[u8], at: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = at;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i = string_at(b, i)?.2;
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Appends the decoded form of a JSON string's raw contents to `out`. Returns
/// `false` (having appended what it could) on a malformed escape. Invalid
/// `\u` surrogates become U+FFFD.
pub fn unescape_into(raw: &[u8], out: &mut Vec<u8>) -> bool {
    let mut rest = raw;
    while let Some(i) = memchr::memchr(b'\\', rest) {
        out.extend_from_slice(&rest[..i]);
        let Some(&c) = rest.get(i + 1) else { return false };
        let simple = match c {
            b'"' => Some(b'"'),
            b'\\' => Some(b'\\'),
            b'/' => Some(b'/'),
            b'n' => Some(b'\n'),
            b't' => Some(b'\t'),
            b'r' => Some(b'\r'),
            b'b' => Some(0x08),
            b'f' => Some(0x0c),
            _ => None,
        };
        rest = match (simple, c) {
            (Some(byte), _) => {
                out.push(byte);
                &rest[i + 2..]
            }
            (None, b'u') => match unicode_escape(&rest[i..], out) {
                Some(used) => &rest[i + used..],
                None => return false,
            },
            _ => return false,
        };
    }
    out.extend_from_slice(rest);
    true
}

/// Decodes `\uXXXX` (and a following low surrogate) at the start of `s`;
/// returns the bytes consumed.
fn unicode_escape(s: &[u8], out: &mut Vec<u8>) -> Option<usize> {
    let hi = hex4(s.get(2..6)?)?;
    let (code, used) = if (0xD800..0xDC00).contains(&hi) {
        match s.get(6..8) {
            Some(b"\\u") => match hex4(s.get(8..12)?)? {
                lo @ 0xDC00..=0xDFFF => (0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00), 12),
                _ => (0xFFFD, 6),
            },
            _ => (0xFFFD, 6),
        }
    } else {
        (hi, 6)
    };
    let ch = char::from_u32(code).unwrap_or('\u{FFFD}');
    let mut buf = [0u8; 4];
    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
    Some(used)
}

fn hex4(h: &[u8]) -> Option<u32> {
    h.iter().try_fold(0u32, |v, &c| Some(v * 16 + (c as char).to_digit(16)?))
}

/// A decimal integer with an optional sign, or `None` (fractions and overflow included).
pub fn parse_i64(d: &[u8]) -> Option<i64> {
    let (neg, digits) = match d.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, d),
    };
    if digits.is_empty() || digits.len() > 18 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let v = digits.iter().fold(0i64, |v, &c| v * 10 + (c - b'0') as i64);
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(line: &str) -> Vec<(String, Value<'_>)> {
        Members::of(line.as_bytes())
            .unwrap()
            .map(|(k, v)| (String::from_utf8_lossy(k).into_owned(), v))
            .collect()
    }

    #[test]
    fn docker_record_members() {
        let line = r#"{"log":"a \"b\"\n","stream":"stdout","time":"2025-10-10T13:55:36.1Z"}"#;
        let m = members(line);
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].0, "log");
        assert_eq!(m[0].1, Value::Str { raw: br#"a \"b\"\n"#, escaped: true });
        assert_eq!(m[1].1.plain_str(), Some(&b"stdout"[..]));
        assert_eq!(m[2].1.plain_str(), Some(&b"2025-10-10T13:55:36.1Z"[..]));
    }

    #[test]
    fn every_value_kind_and_nested_skipped() {
        let line = r#" { "a" : 12 , "b":-3.5e2,"c":true,"d":false,"e":null,"f":{"x":"}"},"g":[1,[2]],"h":"" } "#;
        let m = members(line);
        let kinds: Vec<_> = m.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(kinds, ["a", "b", "c", "d", "e", "f", "g", "h"]);
        assert_eq!(m[0].1.int(), Some(12));
        assert_eq!(m[1].1, Value::Num(b"-3.5e2"));
        assert_eq!(m[1].1.int(), None);
        assert_eq!((m[2].1, m[3].1, m[4].1), (Value::Bool(true), Value::Bool(false), Value::Null));
        assert_eq!(m[5].1, Value::Nested(br#"{"x":"}"}"#));
        assert_eq!(m[6].1, Value::Nested(b"[1,[2]]"));
        assert_eq!(m[7].1.plain_str(), Some(&b""[..]));
    }

    #[test]
    fn syntax_errors_stop_and_are_flagged() {
        let mut it = Members::of(br#"{"a":1,"b" 2}"#).unwrap();
        assert!(it.next().is_some());
        assert!(it.next().is_none());
        assert!(it.failed());
        let mut cut = Members::of(br#"{"a":"unterminated"#).unwrap();
        assert!(cut.next().is_none());
        assert!(cut.failed());
        let mut ok = Members::of(b"{}").unwrap();
        assert!(ok.next().is_none());
        assert!(!ok.failed());
        assert!(Members::of(b"[1]").is_none());
    }

    #[test]
    fn unescapes_simple_unicode_and_surrogates() {
        let mut out = Vec::new();
        assert!(unescape_into(br#"a\tb\n\"q\" \\ \/ \u003cx\u003e \u00e9 \ud83d\ude00"#, &mut out));
        assert_eq!(String::from_utf8(out).unwrap(), "a\tb\n\"q\" \\ / <x> é 😀");
        let mut bad = Vec::new();
        assert!(!unescape_into(br"x\q", &mut bad));
        assert_eq!(bad, b"x");
        let mut lone = Vec::new();
        assert!(unescape_into(br"\ud800z", &mut lone));
        assert_eq!(String::from_utf8(lone).unwrap(), "\u{FFFD}z");
        assert!(!unescape_into(br"\u12", &mut Vec::new()));
    }

    #[test]
    fn integers() {
        assert_eq!(parse_i64(b"-1"), Some(-1));
        assert_eq!(parse_i64(b"123456789012"), Some(123_456_789_012));
        assert_eq!(parse_i64(b""), None);
        assert_eq!(parse_i64(b"1.5"), None);
        assert_eq!(parse_i64(b"9999999999999999999"), None);
    }
}
