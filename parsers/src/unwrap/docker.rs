//! Docker's `json-file` log driver: one JSON object per line.
//!
//! ```text
//! {"log":"2025-01-29 21:32:16.7923      1     75  INFO  Request took …\n","stream":"stdout","time":"2025-01-29T21:32:16.792871123Z"}
//! {"log":"…first 16 KiB of a long line…","stream":"stdout","time":"…"}     ◄── no trailing \n: continues
//! {"log":"…the rest\n","stream":"stdout","time":"…"}
//! ```
//!
//! `log` is the text with its newline, JSON-escaped (Go escapes `<`, `>`, `&`
//! as `\u003c` …); `time` is the runtime's UTC time; an optional `attrs`
//! object carries labels. Records are written in this key order, which the
//! fast path relies on; any other order is read by the general scanner.

use super::{finished, new_out, Decoded, WrapperKind};
use crate::error::{Problem, Problems};
use crate::json_line::{string_at, unescape_into, Members, Value};

const FAST_PREFIX: &[u8] = b"{\"log\":\"";

/// One record: the raw (escaped) `log` string, whether it has escapes, and `time`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Record<'a> {
    pub log: &'a [u8],
    pub escaped: bool,
    pub time: Option<&'a [u8]>,
}

/// Reads a record; the time is looked for only when `want_time`.
pub(crate) fn record(line: &[u8], want_time: bool) -> Option<Record<'_>> {
    if line.starts_with(FAST_PREFIX) {
        let (log, escaped, after) = string_at(line, FAST_PREFIX.len() - 1)?;
        if !line[after..].trim_ascii_end().ends_with(b"}") {
            return None;
        }
        let time = if want_time { time_after(line, after) } else { None };
        return Some(Record { log, escaped, time });
    }
    general(line)
}

fn time_after(line: &[u8], from: usize) -> Option<&[u8]> {
    let at = from + memchr::memmem::find(&line[from..], b"\"time\":")? + 7;
    let start = at + line[at..].iter().take_while(|b| **b == b' ').count();
    string_at(line, start).map(|(raw, _, _)| raw)
}

/// Any key order: `log` must be a string; `time` a string when present.
fn general(line: &[u8]) -> Option<Record<'_>> {
    let mut members = Members::of(line)?;
    let (mut log, mut time) = (None, None);
    for (k, v) in members.by_ref() {
        match (k, v) {
            (b"log", Value::Str { raw, escaped }) => log = Some((raw, escaped)),
            (b"time", Value::Str { raw, .. }) => time = Some(raw),
            _ => {}
        }
    }
    if members.failed() {
        return None;
    }
    let (log, escaped) = log?;
    Some(Record { log, escaped, time })
}

/// Whether `line` is a Docker record (with `stream` or `time` beside `log`, so
/// that an unrelated object with a `log` string is not taken for one).
pub(crate) fn is_record(line: &[u8]) -> bool {
    let Some(members) = Members::of(line) else { return false };
    let (mut log, mut other) = (false, false);
    let mut members = members;
    for (k, v) in members.by_ref() {
        match k {
            b"log" => log = matches!(v, Value::Str { .. }),
            b"stream" | b"time" => other = true,
            _ => {}
        }
    }
    log && other && !members.failed()
}

/// Decodes a whole `json-file` log.
pub(crate) fn decode(bytes: &[u8], limit: usize) -> Decoded {
    let mut out = new_out(bytes.len(), limit);
    let mut problems = Problems::default();
    let mut n = 0u64;
    for line in crate::server_log::framing::Lines::new(bytes) {
        n += 1;
        if line.text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let Some(r) = record(line.text, out.wants_time()) else {
            problems.push(Problem::at_line(n, "not a Docker json-file record; skipped"));
            continue;
        };
        let ok = out.piece(n, r.time, |buf| {
            if r.escaped {
                unescape_into(r.log, buf)
            } else {
                buf.extend_from_slice(r.log);
                true
            }
        });
        if !ok {
            problems.push(Problem::at_line(n, "malformed escape in a Docker log record"));
        }
    }
    let (text, wrapper, cut) = finished(out, WrapperKind::DockerJson, n, None);
    Decoded { streams: vec![(text, wrapper)], problems, cut }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_path_record() {
        let l = br#"{"log":"hello \u003cworld\u003e\n","stream":"stdout","time":"2025-01-29T21:32:16.792871123Z"}"#;
        let r = record(l, true).unwrap();
        assert_eq!(r.log, br"hello \u003cworld\u003e\n");
        assert!(r.escaped);
        assert_eq!(r.time, Some(&b"2025-01-29T21:32:16.792871123Z"[..]));
        assert_eq!(record(l, false).unwrap().time, None, "time only when wanted");
    }

    #[test]
    fn other_key_orders_and_attrs() {
        let l = br#"{"stream":"stderr","attrs":{"tag":"x"},"time":"2025-01-29T21:32:16Z","log":"plain"}"#;
        let r = record(l, true).unwrap();
        assert_eq!(
            (r.log, r.escaped, r.time),
            (&b"plain"[..], false, Some(&b"2025-01-29T21:32:16Z"[..]))
        );
        assert!(is_record(l));
    }

    #[test]
    fn not_records() {
        assert!(record(br#"{"log":"cut"#, false).is_none());
        assert!(record(br#"{"log":{"version":"1.2"}}"#, false).is_none());
        assert!(!is_record(br#"{"log":"x"}"#), "a log string alone is not enough");
        assert!(!is_record(br#"{"RequestMethod":"GET","time":"x"}"#));
        assert!(!is_record(b"{"));
    }
}
