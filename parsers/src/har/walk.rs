//! The document walker, and what to do when serde refuses an entry.
//!
//! * [`walk_entries`] walks `{"log": {"entries": [ … ]}}` (or a top-level
//!   `entries`, a HAR fragment without the `log` wrapper) with a structural
//!   scan that decodes nothing, and hands the start of each element of
//!   `entries` to the caller, who reads it with serde and says where it
//!   ended. When serde cannot read an element, the walker finds its end
//!   itself, so one bad entry costs only that entry, and a truncated file
//!   keeps its complete entries. The walker keeps its own depth counter
//!   instead of recursing, so 10,000 `[` cannot overflow the stack.
//! * [`repair`] rewrites the bytes of one entry that serde refused because
//!   of a lone UTF-16 surrogate escape (`"\ud800"`, which JavaScript
//!   engines write; serde-rs/json#495) or invalid UTF-8, replacing each with
//!   U+FFFD, so that the entry is kept instead of lost.
//! * [`byte_offset`] turns serde_json's line and column into the byte
//!   offset that problems report.

use std::ops::Range;

/// What the walker tells the caller.
pub(crate) enum Visit {
    /// An element of `entries` starts at this offset: read it.
    Element(usize),
    /// The caller could not read the element; these are its bytes.
    Skipped(Range<usize>),
}

/// What the caller did with an element.
pub(crate) enum Step {
    /// Read it; it ends at this offset.
    Read(usize),
    /// Could not read it: find its end.
    Skip,
}

/// The outcome of a walk.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Walk {
    /// Whether an `entries` array was found at all.
    pub found_entries: bool,
    /// Complete elements handed to the caller.
    pub elements: usize,
    /// Where and why the walk stopped early, if it did.
    pub stopped: Option<(usize, &'static str)>,
}

/// Walks `bytes` (BOM already removed), calling `on` for every element of
/// `log.entries`.
pub(crate) fn walk_entries(bytes: &[u8], on: &mut dyn FnMut(Visit) -> Step) -> Walk {
    let mut c = Cursor { b: bytes, i: 0 };
    let mut walk = Walk::default();
    if let Err(e) = c.document(&mut walk, on) {
        walk.stopped = Some(e);
    }
    walk
}

type ScanResult<T> = Result<T, (usize, &'static str)>;

struct Cursor<'b> {
    b: &'b [u8],
    i: usize,
}

impl<'b> Cursor<'b> {
    fn document(&mut self, walk: &mut Walk, on: &mut dyn FnMut(Visit) -> Step) -> ScanResult<()> {
        self.expect(b'{', "expected `{` at the start of the document")?;
        self.members(&mut |c, key| match key {
            b"log" if c.peek() == Some(b'{') => {
                c.i += 1;
                c.members(&mut |c, key| match key {
                    b"entries" if c.peek() == Some(b'[') => c.elements(walk, on),
                    _ => c.skip_value(),
                })
            }
            b"entries" if c.peek() == Some(b'[') => c.elements(walk, on),
            _ => c.skip_value(),
        })
    }

    /// Walks the members of an object whose `{` was consumed, calling `on`
    /// with each key and the cursor at the start of its value.
    fn members(
        &mut self,
        on: &mut dyn FnMut(&mut Self, &[u8]) -> ScanResult<()>,
    ) -> ScanResult<()> {
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.ws();
            let key = self.string()?;
            self.ws();
            self.expect(b':', "expected `:` after an object key")?;
            self.ws();
            on(self, key)?;
            self.ws();
            match self.next() {
                Some(b',') => continue,
                Some(b'}') => return Ok(()),
                Some(_) => return Err((self.i - 1, "expected `,` or `}` in an object")),
                None => return Err((self.i, "the file ends inside an object")),
            }
        }
    }

    /// Hands every element of the array at the cursor to `on`.
    fn elements(&mut self, walk: &mut Walk, on: &mut dyn FnMut(Visit) -> Step) -> ScanResult<()> {
        walk.found_entries = true;
        self.i += 1;
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.ws();
            let start = self.i;
            match on(Visit::Element(start)) {
                Step::Read(end) if end > start && end <= self.b.len() => self.i = end,
                _ => {
                    self.skip_value()?;
                    on(Visit::Skipped(start..self.i));
                }
            }
            walk.elements += 1;
            self.ws();
            match self.next() {
                Some(b',') => continue,
                Some(b']') => return Ok(()),
                Some(_) => return Err((self.i - 1, "expected `,` or `]` between entries")),
                None => return Err((self.i, "the file ends inside the entries array")),
            }
        }
    }

    /// Skips one value of any depth without recursion and without decoding.
    fn skip_value(&mut self) -> ScanResult<()> {
        let mut depth = 0usize;
        loop {
            self.ws();
            match self.peek() {
                None => return Err((self.i, "the file ends inside a value")),
                Some(b'"') => {
                    self.string()?;
                }
                Some(b'{' | b'[') => {
                    depth += 1;
                    self.i += 1;
                }
                Some(b'}' | b']') if depth > 0 => {
                    depth -= 1;
                    self.i += 1;
                }
                Some(b'}' | b']') => return Err((self.i, "unexpected closing bracket")),
                Some(b',' | b':') if depth > 0 => self.i += 1,
                Some(_) => self.scalar()?,
            }
            if depth == 0 {
                return Ok(());
            }
        }
    }

    /// A string's raw bytes between the quotes (escapes left as they are).
    fn string(&mut self) -> ScanResult<&'b [u8]> {
        self.expect(b'"', "expected a string")?;
        let start = self.i;
        loop {
            let rest = &self.b[self.i..];
            let Some(k) = memchr::memchr2(b'"', b'\\', rest) else {
                self.i = self.b.len();
                return Err((start - 1, "the file ends inside a string"));
            };
            self.i += k;
            if self.b[self.i] == b'"' {
                self.i += 1;
                return Ok(&self.b[start..self.i - 1]);
            }
            self.i += 2; // the backslash and the escaped character
            if self.i > self.b.len() {
                self.i = self.b.len();
                return Err((start - 1, "the file ends inside a string"));
            }
        }
    }

    /// A number, `true`, `false` or `null`: everything up to a delimiter,
    /// checked loosely (a number is made of number characters).
    fn scalar(&mut self) -> ScanResult<()> {
        let start = self.i;
        while let Some(b) = self.peek() {
            if matches!(b, b',' | b'}' | b']' | b':' | b'"' | b'{' | b'[')
                || b.is_ascii_whitespace()
            {
                break;
            }
            self.i += 1;
        }
        let text = &self.b[start..self.i];
        let number = |t: &[u8]| {
            t.first().is_some_and(|c| *c == b'-' || c.is_ascii_digit())
                && t.iter()
                    .all(|c| c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E'))
        };
        match text {
            _ if self.i == self.b.len() => Err((self.i, "the file ends inside a value")),
            b"true" | b"false" | b"null" => Ok(()),
            t if number(t) => Ok(()),
            _ => Err((start, "expected a value")),
        }
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.i += 1;
        Some(b)
    }

    fn expect(&mut self, want: u8, why: &'static str) -> ScanResult<()> {
        self.ws();
        match self.peek() {
            Some(b) if b == want => {
                self.i += 1;
                Ok(())
            }
            _ => Err((self.i, why)),
        }
    }
}

/// Replaces invalid UTF-8 and lone surrogate escapes with U+FFFD. Returns
/// `None` when there was nothing to repair (the entry failed for another reason).
pub(crate) fn repair(bytes: &[u8]) -> Option<Vec<u8>> {
    let text = String::from_utf8_lossy(bytes);
    let lossy = matches!(text, std::borrow::Cow::Owned(_));
    let (fixed, surrogates) = replace_lone_surrogates(&text);
    (lossy || surrogates).then(|| fixed.into_bytes())
}

/// Rewrites `\uD800`–`\uDFFF` escapes that are not a high surrogate
/// followed by a low one as `\uFFFD`. An escaped backslash (`\\ud800`,
/// literal text) is left alone: escapes are read pairwise from the left.
fn replace_lone_surrogates(text: &str) -> (String, bool) {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut changed = false;
    let mut i = 0;
    while let Some(k) = b.get(i..).and_then(|rest| memchr::memchr(b'\\', rest)) {
        i += k;
        match surrogate_at(b, i) {
            Some(Surrogate::High) if surrogate_at(b, i + 6) == Some(Surrogate::Low) => i += 12,
            Some(_) => {
                out.push_str(&text[copied..i]);
                out.push_str("\\ufffd");
                changed = true;
                i += 6;
                copied = i;
            }
            None => i += 2,
        }
    }
    out.push_str(&text[copied..]);
    (out, changed)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Surrogate {
    High,
    Low,
}

/// Whether `b[i..]` starts with a `\uXXXX` escape of a surrogate code unit.
fn surrogate_at(b: &[u8], i: usize) -> Option<Surrogate> {
    let esc = b.get(i..i + 6)?;
    if esc[0] != b'\\' || esc[1] != b'u' {
        return None;
    }
    let hex = std::str::from_utf8(&esc[2..]).ok()?;
    match u16::from_str_radix(hex, 16).ok()? {
        0xD800..=0xDBFF => Some(Surrogate::High),
        0xDC00..=0xDFFF => Some(Surrogate::Low),
        _ => None,
    }
}

/// The byte offset of serde_json's 1-based `line` and `column` in `bytes`.
/// Column 0 (serde's "at the end of the previous line") maps to the line start.
pub(crate) fn byte_offset(bytes: &[u8], line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match memchr::memchr(b'\n', &bytes[start..]) {
            Some(k) => start += k + 1,
            None => break,
        }
    }
    (start + column.saturating_sub(1)).min(bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The elements the walker finds when the caller reads none of them.
    fn walk(json: &str) -> (Vec<Range<usize>>, Walk) {
        let mut found = Vec::new();
        let walk = walk_entries(json.as_bytes(), &mut |v| {
            if let Visit::Skipped(r) = v {
                found.push(r);
            }
            Step::Skip
        });
        (found, walk)
    }

    fn ranges(json: &str) -> Vec<&str> {
        walk(json).0.into_iter().map(|r| &json[r]).collect()
    }

    #[test]
    fn finds_entries_under_log_whatever_comes_before() {
        let json = r#"{"x": [1, {"entries": [9]}], "log": {"pages": [], "entries": [ {"a": "]}\"["}, [1,2] ,3 ]}}"#;
        assert_eq!(ranges(json), vec![r#"{"a": "]}\"["}"#, "[1,2]", "3"]);
        assert_eq!(walk(json).1, Walk { found_entries: true, elements: 3, stopped: None });
    }

    #[test]
    fn elements_the_caller_reads_are_not_scanned() {
        let json = r#"{"log": {"entries": [{"a": 1}, {"b": 2}]}}"#;
        let mut starts = Vec::new();
        let walk = walk_entries(json.as_bytes(), &mut |v| match v {
            Visit::Element(at) => {
                starts.push(at);
                Step::Read(at + 8)
            }
            Visit::Skipped(_) => unreachable!("nothing is skipped"),
        });
        assert_eq!((starts, walk.elements, walk.stopped), (vec![21, 31], 2, None));
    }

    #[test]
    fn truncated_file_keeps_complete_entries_and_says_where_it_stopped() {
        let json = r#"{"log": {"entries": [{"a": 1}, {"b": "cut"#;
        let (ranges, walk) = walk(json);
        assert_eq!(ranges, vec![21..29]);
        assert_eq!(walk.stopped, Some((37, "the file ends inside a string")));
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let json = format!("{{\"log\": {{\"entries\": [{}", "[".repeat(100_000));
        let (ranges, walk) = walk(&json);
        assert!(ranges.is_empty());
        assert_eq!(walk.stopped, Some((json.len(), "the file ends inside a value")));
    }

    #[test]
    fn fragment_without_log_wrapper() {
        assert_eq!(ranges(r#"{"entries": [{"x": 1}]}"#), vec![r#"{"x": 1}"#]);
    }

    #[test]
    fn not_an_object() {
        let (_, walk) = walk("[[[");
        assert_eq!(walk.stopped, Some((0, "expected `{` at the start of the document")));
        assert!(!walk.found_entries);
    }

    #[test]
    fn lone_surrogates_are_replaced_but_pairs_and_escaped_backslashes_kept() {
        let (s, changed) =
            replace_lone_surrogates(r#""a\ud800b" "\ud83d\ude00" "\\ud801" "\udc00""#);
        assert!(changed);
        assert_eq!(s, r#""a\ufffdb" "\ud83d\ude00" "\\ud801" "\ufffd""#);
        assert_eq!(
            replace_lone_surrogates(r"ends with a backslash \"),
            (r"ends with a backslash \".into(), false)
        );
        let (s, changed) = replace_lone_surrogates(r#""\ud83d\ude00 \\ud800 \n""#);
        assert!(!changed);
        assert_eq!(s, r#""\ud83d\ude00 \\ud800 \n""#);
    }

    #[test]
    fn repair_reports_whether_anything_changed() {
        assert_eq!(repair(br#"{"a": "ok"}"#), None);
        assert_eq!(repair(b"{\"a\": \"\xff\"}").unwrap(), "{\"a\": \"\u{fffd}\"}".as_bytes());
        assert_eq!(repair(br#"{"a": "\udbff"}"#).unwrap(), br#"{"a": "\ufffd"}"#);
    }

    #[test]
    fn byte_offsets_from_line_and_column() {
        let text = b"ab\ncde\nf";
        assert_eq!(byte_offset(text, 1, 1), 0);
        assert_eq!(byte_offset(text, 2, 2), 4);
        assert_eq!(byte_offset(text, 3, 1), 7);
        assert_eq!(byte_offset(text, 3, 99), 8);
        assert_eq!(byte_offset(text, 2, 0), 3);
    }
}
