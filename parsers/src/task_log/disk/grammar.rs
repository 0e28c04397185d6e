//! nom productions for one on-disk task-log line (octopus.md §3.2), each
//! tested on literals below.
//!
//! ```text
//! json_line   = ws "[" ws correlation "," category "," timestamp "," message "," detail "," progress ws "]" ws
//!               ; "," is surrounded by optional ws
//! correlation = string                  ; ServerTasks-21_GJZWYYV2KT/2295eb9da71548a6b989eb5b8539702b
//! category    = '"' [A-Z]{3} '"'        ; INF VBS WRN ERR FAT PLN UPD FIN ABN, or any other code
//! timestamp   = string                  ; 2016-07-29T04:18:53.2370194+00:00
//! message     = string | "null"
//! detail      = string | "null"
//! progress    = ["-"] digit+
//! string      = '"' (unescaped | "\" escape)* '"'
//! escape      = '"' | "\" | "/" | "b" | "f" | "n" | "r" | "t" | "u" hex{4}
//! ```
//!
//! Strings are *recognised*, not decoded: a production returns the bytes
//! between the quotes and whether they hold an escape, and only the few
//! messages the task model keeps are decoded ([`JsonStr::decode`]). This is
//! what keeps the hot path free of allocation; it is also why there is no
//! `serde_json::Value` per line.

use std::borrow::Cow;

use memchr::memchr2;
use nom::bytes::complete::{tag, take_while, take_while_m_n};
use nom::character::complete::{char, digit1};
use nom::combinator::{eof, map, map_res, opt, recognize, value};
use nom::error::{Error, ErrorKind};
use nom::sequence::{delimited, preceded};
use nom::{IResult, Parser};

/// A JSON string as it appears in the line: the bytes between the quotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JsonStr<'a> {
    /// Bytes between the quotes, escapes still in place.
    pub raw: &'a [u8],
    /// Whether `raw` contains a backslash escape.
    pub escaped: bool,
}

/// The six fields of a line, borrowed from the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawLine<'a> {
    /// `/`-separated node path.
    pub correlation: JsonStr<'a>,
    /// Three-letter category code.
    pub category: [u8; 3],
    /// ISO 8601 timestamp text.
    pub timestamp: &'a [u8],
    /// Message text (empty for `null`).
    pub message: JsonStr<'a>,
    /// Detail text (empty for `null`).
    pub detail: JsonStr<'a>,
    /// Progress percentage (`UPD`), else 0.
    pub progress: i64,
}

const EMPTY: JsonStr<'static> = JsonStr { raw: b"", escaped: false };

/// `json_line`: a whole line, nothing may follow the closing bracket but spaces.
pub fn json_line(input: &[u8]) -> IResult<&[u8], RawLine<'_>> {
    let (input, _) = (ws, char('['), ws).parse(input)?;
    let (input, correlation) = string(input)?;
    let (input, category) = preceded(comma, category).parse(input)?;
    let (input, timestamp) = preceded(comma, string).parse(input)?;
    let (input, message) = preceded(comma, nullable_string).parse(input)?;
    let (input, detail) = preceded(comma, nullable_string).parse(input)?;
    let (input, progress) = preceded(comma, progress).parse(input)?;
    let (input, _) = (ws, char(']'), ws, eof).parse(input)?;
    let timestamp = timestamp.raw;
    Ok((input, RawLine { correlation, category, timestamp, message, detail, progress }))
}

/// `ws`: JSON whitespace inside a line.
pub fn ws(input: &[u8]) -> IResult<&[u8], &[u8]> {
    take_while(|b| matches!(b, b' ' | b'\t' | b'\r')).parse(input)
}

fn comma(input: &[u8]) -> IResult<&[u8], char> {
    delimited(ws, char(','), ws).parse(input)
}

/// `category`: a quoted three-letter upper-case code.
pub fn category(input: &[u8]) -> IResult<&[u8], [u8; 3]> {
    let code = take_while_m_n(3, 3, |b: u8| b.is_ascii_uppercase());
    map(delimited(char('"'), code, char('"')), |c: &[u8]| [c[0], c[1], c[2]]).parse(input)
}

/// `progress`: an integer that fits in `i64`.
pub fn progress(input: &[u8]) -> IResult<&[u8], i64> {
    let text = recognize((opt(char('-')), digit1));
    map_res(text, |t: &[u8]| {
        std::str::from_utf8(t).map_err(|_| ()).and_then(|s| s.parse().map_err(|_| ()))
    })
    .parse(input)
}

/// `string | null`.
pub fn nullable_string(input: &[u8]) -> IResult<&[u8], JsonStr<'_>> {
    if input.first() == Some(&b'n') {
        return value(EMPTY, tag("null")).parse(input);
    }
    string(input)
}

/// `string`: finds the closing quote with memchr, checking each escape.
pub fn string(input: &[u8]) -> IResult<&[u8], JsonStr<'_>> {
    let Some(body) = input.strip_prefix(b"\"") else { return Err(error(input, ErrorKind::Char)) };
    let mut i = 0;
    let mut escaped = false;
    loop {
        let Some(j) = memchr2(b'"', b'\\', &body[i..]) else {
            return Err(error(&body[body.len()..], ErrorKind::Eof));
        };
        let k = i + j;
        if body[k] == b'"' {
            return Ok((&body[k + 1..], JsonStr { raw: &body[..k], escaped }));
        }
        escaped = true;
        i = match body.get(k + 1) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => k + 2,
            Some(b'u')
                if body.get(k + 2..k + 6).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) =>
            {
                k + 6
            }
            Some(_) => return Err(error(&body[k..], ErrorKind::Escaped)),
            None => return Err(error(&body[body.len()..], ErrorKind::Eof)),
        };
    }
}

fn error(input: &[u8], kind: ErrorKind) -> nom::Err<Error<&[u8]>> {
    nom::Err::Error(Error::new(input, kind))
}

impl<'a> JsonStr<'a> {
    /// The text, unescaped; invalid UTF-8 and lone surrogates become U+FFFD.
    pub fn decode(&self) -> Cow<'a, str> {
        match self.decode_bytes() {
            Cow::Borrowed(b) => String::from_utf8_lossy(b),
            Cow::Owned(b) => Cow::Owned(String::from_utf8_lossy(&b).into_owned()),
        }
    }

    /// The bytes, unescaped (borrowed when there was no escape).
    pub fn decode_bytes(&self) -> Cow<'a, [u8]> {
        if !self.escaped {
            return Cow::Borrowed(self.raw);
        }
        let mut bytes = Vec::with_capacity(self.raw.len());
        let mut i = 0;
        while i < self.raw.len() {
            let b = self.raw[i];
            if b != b'\\' {
                bytes.push(b);
                i += 1;
                continue;
            }
            i += decode_escape(&self.raw[i..], &mut bytes);
        }
        Cow::Owned(bytes)
    }
}

/// Decodes the escape at the start of `s` into `out`; returns the bytes consumed.
fn decode_escape(s: &[u8], out: &mut Vec<u8>) -> usize {
    let simple = match s.get(1) {
        Some(b'n') => b'\n',
        Some(b't') => b'\t',
        Some(b'r') => b'\r',
        Some(b'b') => 0x08,
        Some(b'f') => 0x0c,
        Some(b'u') => return decode_unicode(s, out),
        Some(&c) => c,
        None => return 1,
    };
    out.push(simple);
    2
}

/// `\uXXXX`, with `\uD83D\uDE00`-style surrogate pairs.
fn decode_unicode(s: &[u8], out: &mut Vec<u8>) -> usize {
    let Some(hi) = hex4(s.get(2..6)) else {
        out.extend_from_slice("\u{FFFD}".as_bytes());
        return s.len().min(2);
    };
    let (c, used) = if (0xD800..0xDC00).contains(&hi) {
        match (s.get(6..8), hex4(s.get(8..12))) {
            (Some(b"\\u"), Some(lo)) if (0xDC00..0xE000).contains(&lo) => {
                (char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)), 12)
            }
            _ => (None, 6),
        }
    } else {
        (char::from_u32(hi), 6)
    };
    let mut buf = [0u8; 4];
    out.extend_from_slice(c.unwrap_or('\u{FFFD}').encode_utf8(&mut buf).as_bytes());
    used
}

fn hex4(h: Option<&[u8]>) -> Option<u32> {
    let h = std::str::from_utf8(h?).ok()?;
    u32::from_str_radix(h, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &[u8] = br#"["ServerTasks-21_GJZWYYV2KT/2295eb9da71548a6b989eb5b8539702b","INF","2016-07-29T04:18:53.2370194+00:00","Acquiring packages","",0]"#;

    #[test]
    fn json_line_reads_the_sample() {
        let (rest, l) = json_line(LINE).unwrap();
        assert_eq!(rest, b"");
        assert_eq!(
            l.correlation.raw,
            b"ServerTasks-21_GJZWYYV2KT/2295eb9da71548a6b989eb5b8539702b"
        );
        assert_eq!(&l.category, b"INF");
        assert_eq!(l.timestamp, b"2016-07-29T04:18:53.2370194+00:00");
        assert_eq!(l.message.raw, b"Acquiring packages");
        assert_eq!((l.detail.raw, l.progress), (&b""[..], 0));
    }

    #[test]
    fn json_line_allows_spaces_null_and_negative_progress() {
        let line = br#" [ "A/b" , "UPD" , "2016-07-29T04:18:53Z" , null , null , -3 ] "#;
        let (_, l) = json_line(line).unwrap();
        assert_eq!((l.message, l.detail, l.progress), (EMPTY, EMPTY, -3));
    }

    #[test]
    fn json_line_rejects_truncation_and_other_shapes() {
        assert!(json_line(&LINE[..LINE.len() - 1]).is_err());
        assert!(json_line(&LINE[..60]).is_err());
        assert!(json_line(b"{\"not\":\"an array\"}").is_err());
        assert!(json_line(br#"["a","Info","t","m","",0]"#).is_err());
        assert!(json_line(br#"["a","INF","t","m","",0] trailing"#).is_err());
        assert!(json_line(br#"["a","INF","t","m","",99999999999999999999]"#).is_err());
    }

    #[test]
    fn category_takes_three_capitals() {
        assert_eq!(category(br#""ABN","#), Ok((&b","[..], *b"ABN")));
        assert_eq!(category(br#""HLT""#), Ok((&b""[..], *b"HLT")));
        assert!(category(br#""inf""#).is_err());
        assert!(category(br#""INFO""#).is_err());
    }

    #[test]
    fn string_finds_the_closing_quote_past_escapes() {
        let (rest, s) = string(br#""it\u0027s \"quoted\" \\ done",0"#).unwrap();
        assert_eq!(rest, b",0");
        assert!(s.escaped);
        assert_eq!(s.decode(), "it's \"quoted\" \\ done");
        assert_eq!(string(br#""plain""#).unwrap().1, JsonStr { raw: b"plain", escaped: false });
        assert!(string(br#""bad \x escape""#).is_err());
        assert!(string(br#""\u12"#).is_err());
        assert!(string(br#""open"#).is_err());
    }

    #[test]
    fn decode_handles_html_safe_escapes_and_surrogates() {
        let s = |raw: &'static [u8]| JsonStr { raw, escaped: true }.decode().into_owned();
        assert_eq!(s(br"\u003cscript\u003e \u0026 \u0027"), "<script> & '");
        assert_eq!(s(br"line1\nline2\ttab"), "line1\nline2\ttab");
        assert_eq!(s(br"\ud83d\ude00"), "\u{1F600}");
        assert_eq!(s(br"\ud83d alone"), "\u{FFFD} alone");
        assert_eq!(s(b"caf\xc3\xa9 \xff"), "caf\u{e9} \u{FFFD}");
    }

    #[test]
    fn progress_and_nullable_string() {
        assert_eq!(progress(b"34]"), Ok((&b"]"[..], 34)));
        assert_eq!(nullable_string(b"null,"), Ok((&b","[..], EMPTY)));
        assert!(nullable_string(b"nul").is_err());
    }
}
