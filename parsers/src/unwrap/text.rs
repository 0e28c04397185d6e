//! The text framings: CRI and `kubectl logs --timestamps` / `--prefix`.
//!
//! ```text
//! cri     = rfc3339 SP ("stdout" | "stderr") SP tag [SP text]   ; tag = ("P" | "F") (":" …)*
//! kubectl = ["[" ("pod" | "node") "/" name ["/" container] "] "] [k8s-time SP] text
//! k8s-time = yyyy-MM-ddTHH:mm:ss.fffffffff (Z | ±hh:mm)          ; always 9 fractional digits
//! ```
//!
//! A CRI `P` record is a piece of a line, joined with the records after it up
//! to the next `F`. kubectl writes the kubelet's records with their times in
//! RFC 3339 with exactly nine fractional digits (`RFC3339NanoFixed`), which
//! tells its lines from logs that start with a syslog-style RFC 3339 time.
//! `--prefix` output of several pods becomes one stream per pod and container.

use std::collections::HashMap;

use super::{finished, new_out, Decoded, Out, WrapperKind};
use crate::error::{Problem, Problems};
use crate::time::digits;

/// One CRI record.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Cri<'a> {
    pub time: &'a [u8],
    pub partial: bool,
    pub text: &'a [u8],
}

/// `2016-10-06T00:17:09.669794202Z stdout P text`.
pub(crate) fn cri(line: &[u8]) -> Option<Cri<'_>> {
    let sp = memchr::memchr(b' ', line)?;
    let time = &line[..sp];
    if !rfc3339_shape(time) {
        return None;
    }
    let rest = line[sp + 1..]
        .strip_prefix(b"stdout ")
        .or_else(|| line[sp + 1..].strip_prefix(b"stderr "))?;
    let tag_end = memchr::memchr(b' ', rest).unwrap_or(rest.len());
    let partial = match rest[..tag_end].split(|b| *b == b':').next() {
        Some(b"P") => true,
        Some(b"F") => false,
        _ => return None,
    };
    let text = rest.get(tag_end + 1..).unwrap_or(&[]);
    Some(Cri { time, partial, text })
}

/// `yyyy-MM-ddTHH:mm:ss` then a fraction and a zone, as far as a quick look goes.
fn rfc3339_shape(t: &[u8]) -> bool {
    t.len() >= 20 && date_time_shape(t) && matches!(t.last(), Some(b'Z' | b'0'..=b'9'))
}

/// `yyyy-MM-ddTHH:mm:ss` at the start of `t`.
fn date_time_shape(t: &[u8]) -> bool {
    t.len() >= 19
        && digits::<4>(t).is_some()
        && t[4] == b'-'
        && t[7] == b'-'
        && t[10] == b'T'
        && t[13] == b':'
        && t[16] == b':'
}

/// The length of a kubelet time (`RFC3339NanoFixed`) at the start of `b`, followed by a space.
pub(crate) fn k8s_time(b: &[u8]) -> Option<usize> {
    if b.len() < 31 || !date_time_shape(b) || b[19] != b'.' {
        return None;
    }
    if !b[20..29].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let len = match b[29] {
        b'Z' => 30,
        b'+' | b'-' if b.len() > 35 && b[32] == b':' => 35,
        _ => return None,
    };
    (b.get(len) == Some(&b' ')).then_some(len)
}

/// `[pod/name/container] ` at the start of `b`: (the contents, the rest).
pub(crate) fn prefix(b: &[u8]) -> Option<(&[u8], &[u8])> {
    if !(b.starts_with(b"[pod/") || b.starts_with(b"[node/")) {
        return None;
    }
    let close = memchr::memchr(b']', b)?;
    let rest = b[close + 1..].strip_prefix(b" ")?;
    Some((&b[1..close], rest))
}

/// The text framing of one line, if any.
pub(crate) fn sniff_line(line: &[u8]) -> Option<WrapperKind> {
    if cri(line).is_some() {
        return Some(WrapperKind::Cri);
    }
    let (prefixed, rest) = match prefix(line) {
        Some((_, rest)) => (true, rest),
        None => (false, line),
    };
    let timestamps = k8s_time(rest).is_some();
    (prefixed || timestamps).then_some(WrapperKind::Kubectl { prefix: prefixed, timestamps })
}

/// Decodes a CRI or kubectl file.
pub(crate) fn decode(kind: WrapperKind, bytes: &[u8], limit: usize) -> Decoded {
    let mut streams = Streams::new(kind, bytes.len(), limit);
    let mut problems = Problems::default();
    let mut n = 0u64;
    for line in crate::server_log::framing::Lines::new(bytes) {
        n += 1;
        if line.text.is_empty() {
            continue;
        }
        // A line passed through as it is keeps the wrapper's newline or its lack
        // of one (the decoded text is never longer than the wrapper).
        let ends = line.at + line.text.len() < bytes.len();
        if let Err(reason) = streams.line(n, line.text, ends) {
            problems.push(Problem::at_line(n, reason));
        }
    }
    let mut cut = false;
    let out = streams
        .list
        .into_iter()
        .map(|(name, out, records)| {
            let (text, wrapper, c) = finished(out, kind, records, name);
            cut |= c;
            (text, wrapper)
        })
        .collect();
    Decoded { streams: out, problems, cut }
}

/// The streams of one file: one, or one per `kubectl --prefix` prefix.
struct Streams {
    kind: WrapperKind,
    /// (prefix, builder, records).
    list: Vec<(Option<String>, Out, u64)>,
    by_prefix: HashMap<Vec<u8>, usize>,
    wrapper_len: usize,
    limit: usize,
}

impl Streams {
    fn new(kind: WrapperKind, wrapper_len: usize, limit: usize) -> Streams {
        Streams { kind, list: Vec::new(), by_prefix: HashMap::new(), wrapper_len, limit }
    }

    fn line(&mut self, n: u64, line: &[u8], ends: bool) -> Result<(), &'static str> {
        let (stream, rest) = match self.kind {
            WrapperKind::Kubectl { prefix: true, .. } => {
                let (p, rest) = prefix(line).ok_or("no [pod/…] prefix; skipped")?;
                (self.stream(Some(p)), rest)
            }
            _ => (self.stream(None), line),
        };
        let (out, records) = {
            let s = &mut self.list[stream];
            (&mut s.1, &mut s.2)
        };
        *records += 1;
        // Passed through: a newline only if the wrapper line had one or lost a prefix.
        let newline = ends || rest.len() < line.len();
        match self.kind {
            WrapperKind::Cri => {
                let r = cri(rest).ok_or("not a CRI record; skipped")?;
                out.piece(n, Some(r.time), |b| with_newline(b, r.text, !r.partial));
            }
            WrapperKind::Kubectl { timestamps: true, .. } => match k8s_time(rest) {
                Some(len) => {
                    out.piece(n, Some(&rest[..len]), |b| with_newline(b, &rest[len + 1..], true));
                }
                None => {
                    out.piece(n, None, |b| with_newline(b, rest, newline));
                }
            },
            _ => {
                out.piece(n, None, |b| with_newline(b, rest, newline));
            }
        }
        Ok(())
    }

    /// The index of the stream for `prefix`, created on first sight.
    fn stream(&mut self, prefix: Option<&[u8]>) -> usize {
        let key = prefix.unwrap_or_default();
        if let Some(i) = self.by_prefix.get(key) {
            return *i;
        }
        let name = prefix.map(|p| String::from_utf8_lossy(p).into_owned());
        self.list.push((name, new_out(self.wrapper_len, self.limit), 0));
        self.by_prefix.insert(key.to_vec(), self.list.len() - 1);
        self.list.len() - 1
    }
}

fn with_newline(buf: &mut Vec<u8>, text: &[u8], newline: bool) -> bool {
    buf.extend_from_slice(text);
    if newline {
        buf.push(b'\n');
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cri_records_full_partial_tags_and_empty() {
        let r = cri(b"2016-10-06T00:17:09.669794202Z stdout P log content 1").unwrap();
        assert_eq!(
            (r.time, r.partial, r.text),
            (&b"2016-10-06T00:17:09.669794202Z"[..], true, &b"log content 1"[..])
        );
        let f = cri(b"2016-10-06T00:17:09.669794203+02:00 stderr F:x rest").unwrap();
        assert_eq!((f.partial, f.text), (false, &b"rest"[..]));
        assert_eq!(cri(b"2016-10-06T00:17:09.1Z stdout F").unwrap().text, b"");
        assert!(cri(b"2016-10-06T00:17:09.1Z stdin F x").is_none());
        assert!(cri(b"2016-10-06T00:17:09.1Z stdout X x").is_none());
        assert!(cri(b"2016-10-06 00:17:09.1 stdout F x").is_none());
    }

    #[test]
    fn kubelet_times_have_nine_digits() {
        assert_eq!(k8s_time(b"2025-10-10T13:55:36.123456789Z hello"), Some(30));
        assert_eq!(k8s_time(b"2025-10-10T13:55:36.123456789+10:00 hello"), Some(35));
        assert_eq!(k8s_time(b"2025-10-10T13:55:36.123456Z hello"), None, "syslog-style");
        assert_eq!(k8s_time(b"2025-10-10T13:55:36+00:00 localhost haproxy[1]: x"), None);
        assert_eq!(k8s_time(b"2025-10-10T13:55:36.123456789Zhello"), None);
    }

    #[test]
    fn prefixes_and_sniffing() {
        assert_eq!(
            prefix(b"[pod/octo-0/octopus] text"),
            Some((&b"pod/octo-0/octopus"[..], &b"text"[..]))
        );
        assert_eq!(prefix(b"[node/n1] x"), Some((&b"node/n1"[..], &b"x"[..])));
        assert_eq!(prefix(b"[INFO] x"), None);
        let k = |prefix, timestamps| Some(WrapperKind::Kubectl { prefix, timestamps });
        assert_eq!(sniff_line(b"[pod/a/b] 2025-10-10T13:55:36.123456789Z x"), k(true, true));
        assert_eq!(sniff_line(b"[pod/a/b] x"), k(true, false));
        assert_eq!(sniff_line(b"2025-10-10T13:55:36.123456789Z x"), k(false, true));
        assert_eq!(
            sniff_line(b"2025-10-10T13:55:36.123456789Z stdout F x"),
            Some(WrapperKind::Cri)
        );
        assert_eq!(sniff_line(b"2021-07-08 03:16:32.9895  19480     73  INFO  x"), None);
    }
}
