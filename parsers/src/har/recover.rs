//! What to do when serde cannot read the document or an entry.
//!
//! * [`scan_entries`] finds the byte ranges of the elements of
//!   `log.entries` with a structural scan that decodes nothing. It is used
//!   only after the normal parse failed (a truncated file, invalid UTF-8,
//!   one entry nested too deep), so the complete entries before or around
//!   the damage are still read one by one. It keeps its own depth counter
//!   instead of recursing, so 10,000 `[` cannot overflow the stack.
//! * [`repair`] rewrites the bytes of one entry that serde refused because
//!   of a lone UTF-16 surrogate escape (`"\ud800"`, which JavaScript
//!   engines write; serde-rs/json#495) or invalid UTF-8, replacing each with
//!   U+FFFD, so that the entry is kept instead of lost.
//! * [`byte_offset`] turns serde_json's line and column into the byte
//!   offset that problems report.

use std::ops::Range;

/// The elements of `log.entries` found by [`scan_entries`].
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Scan {
    /// Byte ranges of complete elements, in order.
    pub ranges: Vec<Range<usize>>,
    /// Where and why the scan stopped early, if it did.
    pub stopped: Option<(usize, &'static str)>,
    /// Whether an `entries` array was found at all.
    pub found_entries: bool,
}

/// Scans `bytes` (BOM already removed) for `{"log": {"entries": [ … ]}}`, or a
/// top-level `entries` (a HAR fragment without the `log` wrapper).
pub(crate) fn scan_entries(bytes: &[u8]) -> Scan {
    let mut c = Cursor { b: bytes, i: 0 };
    let mut scan = Scan::default();
    if let Err(e) = c.scan_document(&mut scan) {
        scan.stopped = Some(e);
    }
    scan
}

type ScanResult<T> = Result<T, (usize, &'static str)>;

struct Cursor<'b> {
    b: &'b [u8],
    i: usize,
}

impl<'b> Cursor<'b> {
    fn scan_document(&mut self, scan: &mut Scan) -> ScanResult<()> {
        self.expect(b'{', "expected `{` at the start of the document")?;
        self.members(|c, key| match key {
            b"log" if c.peek() == Some(b'{') => {
                c.i += 1;
                c.members(|c, key| match key {
                    b"entries" if c.peek() == Some(b'[') => c.elements(scan),
                    _ => c.skip_value(),
                })
            }
            b"entries" if c.peek() == Some(b'[') => c.elements(scan),
            _ => c.skip_value(),
        })
    }

    /// Walks the members of an object whose `{` was consumed, calling `on`
    /// with each key and the cursor at the start of its value.
    fn members(
        &mut self,
        mut on: impl FnMut(&mut Self, &[u8]) -> ScanResult<()>,
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

    /// Records the range of every element of the array at the cursor.
    fn elements(&mut self, scan: &mut Scan) -> ScanResult<()> {
        scan.found_entries = true;
        self.i += 1;
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.ws();
            let start = self.i;
            self.skip_value()?;
            scan.ranges.push(start..self.i);
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

    /// A number, `true`, `false` or `null`: everything up to a delimiter.
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
        if self.i == start {
            return Err((start, "unexpected character"));
        }
        Ok(())
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
    while let Some(k) = memchr::memchr(b'\\', &b[i..]) {
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

    fn ranges(json: &str) -> Vec<&str> {
        let scan = scan_entries(json.as_bytes());
        scan.ranges.iter().map(|r| &json[r.clone()]).collect()
    }

    #[test]
    fn finds_entries_under_log_whatever_comes_before() {
        let json = r#"{"x": [1, {"entries": [9]}], "log": {"pages": [], "entries": [ {"a": "]}\"["}, [1,2] ,3 ]}}"#;
        assert_eq!(ranges(json), vec![r#"{"a": "]}\"["}"#, "[1,2]", "3"]);
        assert_eq!(scan_entries(json.as_bytes()).stopped, None);
    }

    #[test]
    fn truncated_file_keeps_complete_entries_and_says_where_it_stopped() {
        let json = r#"{"log": {"entries": [{"a": 1}, {"b": "cut"#;
        let scan = scan_entries(json.as_bytes());
        assert_eq!(scan.ranges, vec![21..29]);
        assert_eq!(scan.stopped, Some((37, "the file ends inside a string")));
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let json = format!("{{\"log\": {{\"entries\": [{}", "[".repeat(100_000));
        let scan = scan_entries(json.as_bytes());
        assert!(scan.ranges.is_empty());
        assert_eq!(scan.stopped, Some((json.len(), "the file ends inside a value")));
    }

    #[test]
    fn fragment_without_log_wrapper() {
        assert_eq!(ranges(r#"{"entries": [{"x": 1}]}"#), vec![r#"{"x": 1}"#]);
    }

    #[test]
    fn not_an_object() {
        let scan = scan_entries(b"[[[");
        assert_eq!(scan.stopped, Some((0, "expected `{` at the start of the document")));
        assert!(!scan.found_entries);
    }

    #[test]
    fn lone_surrogates_are_replaced_but_pairs_and_escaped_backslashes_kept() {
        let (s, changed) =
            replace_lone_surrogates(r#""a\ud800b" "\ud83d\ude00" "\\ud801" "\udc00""#);
        assert!(changed);
        assert_eq!(s, r#""a\ufffdb" "\ud83d\ude00" "\\ud801" "\ufffd""#);
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
