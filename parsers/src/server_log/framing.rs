//! Framing: where one server-log entry ends and the next begins.
//!
//! The rule, in vector's `line_agg` vocabulary, is **HaltBefore(header)**: a
//! line that starts with a valid entry header ([`super::grammar::header`]) starts a
//! new entry; every other line *continues through* into the current entry
//! (exception stacks, multi-line SQL, Environment Information, transaction
//! dumps). Lines before the first header belong to no entry and are counted
//! as skipped.
//!
//! Framing is kept apart from field parsing so that it can also pick chunk
//! boundaries for parallel parsing: a chunk always starts at an entry start,
//! so every chunk frames exactly as the whole file would.

/// One physical line: its bytes without the line ending, and where it starts.
#[derive(Clone, Copy, Debug)]
pub struct Line<'a> {
    /// Offset of the first byte in the chunk.
    pub at: usize,
    /// Content without `\n` or the trailing `\r`.
    pub text: &'a [u8],
}

/// Iterates the physical lines of a byte slice with memchr. A final line
/// without `\n` is still a line; an empty slice has none.
pub struct Lines<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Lines<'a> {
    /// Lines of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Lines { bytes, pos: 0 }
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = Line<'a>;

    #[inline]
    fn next(&mut self) -> Option<Line<'a>> {
        if self.pos >= self.bytes.len() {
            return None;
        }
        let start = self.pos;
        let rest = &self.bytes[start..];
        let end = match memchr::memchr(b'\n', rest) {
            Some(i) => {
                self.pos = start + i + 1;
                start + i
            }
            None => {
                self.pos = self.bytes.len();
                self.bytes.len()
            }
        };
        let mut text = &self.bytes[start..end];
        if let [head @ .., b'\r'] = text {
            text = head;
        }
        Some(Line { at: start, text })
    }
}

/// Counts physical lines the way [`Lines`] does (a final unterminated line counts).
pub fn count_lines(bytes: &[u8]) -> u64 {
    let newlines = memchr::memchr_iter(b'\n', bytes).count() as u64;
    newlines + u64::from(!bytes.is_empty() && !bytes.ends_with(b"\n"))
}

/// Splits `bytes` into about `bytes.len() / chunk_size` pieces, each starting
/// at an entry header (or at 0). Returns the start offsets, ascending.
pub fn chunk_starts(bytes: &[u8], chunk_size: usize) -> Vec<usize> {
    let chunk_size = chunk_size.max(1);
    let mut starts = vec![0];
    let mut target = chunk_size;
    while target < bytes.len() {
        match next_entry_start(bytes, target) {
            Some(s) if s > *starts.last().unwrap_or(&0) => {
                starts.push(s);
                target = s + chunk_size;
            }
            Some(s) => target = s + chunk_size,
            None => break,
        }
    }
    starts
}

/// The first line start at or after `from` (exclusive of a partial line) that is an entry header.
pub(crate) fn next_entry_start(bytes: &[u8], from: usize) -> Option<usize> {
    let mut pos = from;
    if pos > 0 && bytes.get(pos - 1) != Some(&b'\n') {
        pos += memchr::memchr(b'\n', &bytes[pos..])? + 1;
    }
    let mut dates = super::fast::DateCache::default();
    while pos < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
        let mut line = &bytes[pos..end];
        if let [head @ .., b'\r'] = line {
            line = head;
        }
        if matches!(super::fast::header(line, &mut dates), Ok(Some(_))) {
            return Some(pos);
        }
        pos = end + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_handle_crlf_and_missing_final_newline() {
        let l: Vec<&[u8]> = Lines::new(b"a\r\nb\n\nc").map(|l| l.text).collect();
        assert_eq!(l, vec![&b"a"[..], b"b", b"", b"c"]);
        assert_eq!(count_lines(b"a\r\nb\n\nc"), 4);
        assert_eq!(count_lines(b"a\n"), 1);
        assert_eq!(count_lines(b""), 0);
        assert_eq!(Lines::new(b"").count(), 0);
    }

    #[test]
    fn chunks_start_at_headers() {
        let log = b"2016-05-30 12:09:20.4621     38  INFO  one\n   at x\n2016-05-30 12:09:21.4621     38  INFO  two\ncont\n2016-05-30 12:09:22.4621     38  INFO  three\n";
        let starts = chunk_starts(log, 10);
        assert_eq!(starts, vec![0, 51, 99]);
        for s in &starts[1..] {
            assert!(log[*s..].starts_with(b"2016-"));
        }
        assert_eq!(chunk_starts(log, 1 << 20), vec![0]);
    }
}
