//! A generated server log inside a container runtime's framing: Docker's
//! `json-file` or CRI, as a server in a container writes it to stdout.
//!
//! Each line becomes a record stamped with the runtime's UTC time (the logged
//! local time less the server's offset, plus a few hundred microseconds);
//! lines longer than the runtimes' 16 KiB buffer are split into pieces
//! (`json-file`: no trailing `\n` until the last; CRI: `P` until the final `F`).
//! JSON strings are escaped as Go's encoder escapes them (`<`, `>`, `&` too).

use std::io::{self, Write};

use crate::server_gen::{write_server_log, Counts, ServerLogSpec};

/// The framing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// Docker `json-file`.
    Docker,
    /// CRI (`/var/log/pods/…/0.log`).
    Cri,
}

/// The runtimes cut lines into pieces of this many bytes.
pub const PIECE: usize = 16 << 10;

/// What was written: the server log's counts, the wrapper's records and bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Wrapped {
    /// The server log inside.
    pub log: Counts,
    /// Records written (lines of the wrapper file).
    pub records: u64,
    /// Lines split into several records.
    pub split_lines: u64,
    /// Bytes of the wrapper file.
    pub bytes: u64,
}

/// How to wrap.
#[derive(Clone, Copy, Debug)]
pub struct WrapSpec {
    /// The framing.
    pub framing: Framing,
    /// The server's clock, minutes east of UTC.
    pub offset_minutes: i64,
    /// Longest piece of a line per record ([`PIECE`] for the real runtimes;
    /// smaller to make many split lines).
    pub piece: usize,
}

/// Writes the server log of `spec` wrapped as `wrap` says to `out`. `spec.bytes`
/// is the size of the log inside.
pub fn write_wrapped(
    spec: &ServerLogSpec,
    wrap: WrapSpec,
    out: &mut impl Write,
) -> io::Result<Wrapped> {
    let (framing, offset_minutes) = (wrap.framing, wrap.offset_minutes);
    let mut log = Vec::with_capacity(spec.bytes as usize + (1 << 20));
    let counts = write_server_log(spec, &mut log)?;
    let mut w = Wrapped { log: counts, ..Wrapped::default() };
    let mut buf = Vec::with_capacity(1 << 20);
    let mut runtime_us = spec.start_epoch_s * 1_000_000 - offset_minutes * 60_000_000;
    for line in log.split_inclusive(|b| *b == b'\n') {
        if let Some(local) = local_time_us(line) {
            runtime_us = local - offset_minutes * 60_000_000 + 300;
        }
        let pieces = line.len().div_ceil(wrap.piece.max(1));
        if pieces > 1 {
            w.split_lines += 1;
        }
        for piece in line.chunks(wrap.piece.max(1)) {
            runtime_us += 1;
            record(framing, piece, runtime_us, &mut buf);
            w.records += 1;
        }
        if buf.len() > (1 << 20) - 4 * PIECE {
            w.bytes += buf.len() as u64;
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    w.bytes += buf.len() as u64;
    out.write_all(&buf)?;
    Ok(w)
}

/// One record of `piece` (which ends with `\n` only if it ends its line).
fn record(framing: Framing, piece: &[u8], us: i64, buf: &mut Vec<u8>) {
    let time = rfc3339_nano(us);
    match framing {
        Framing::Docker => {
            buf.extend_from_slice(b"{\"log\":\"");
            escape_json(piece, buf);
            let _ = writeln!(buf, "\",\"stream\":\"stdout\",\"time\":\"{time}\"}}");
        }
        Framing::Cri => {
            let (text, tag) = match piece.strip_suffix(b"\n") {
                Some(t) => (t, "F"),
                None => (piece, "P"),
            };
            let _ = write!(buf, "{time} stdout {tag} ");
            buf.extend_from_slice(text);
            buf.push(b'\n');
        }
    }
}

/// Go's `encoding/json` escaping of a string's contents.
fn escape_json(s: &[u8], buf: &mut Vec<u8>) {
    for &b in s {
        match b {
            b'"' => buf.extend_from_slice(b"\\\""),
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            b'<' => buf.extend_from_slice(b"\\u003c"),
            b'>' => buf.extend_from_slice(b"\\u003e"),
            b'&' => buf.extend_from_slice(b"\\u0026"),
            c if c < 0x20 => {
                let _ = write!(buf, "\\u{c:04x}");
            }
            c => buf.push(c),
        }
    }
}

/// The local time of a server-log entry header (`yyyy-MM-dd HH:mm:ss.ffff`), in µs.
fn local_time_us(line: &[u8]) -> Option<i64> {
    let h = line.get(..24)?;
    if h[4] != b'-' || h[10] != b' ' || h[19] != b'.' {
        return None;
    }
    let n =
        |a: usize, b: usize| -> Option<i64> { std::str::from_utf8(&h[a..b]).ok()?.parse().ok() };
    let days =
        octodiag_parsers::time::days_from_civil(n(0, 4)? as i32, n(5, 7)? as u32, n(8, 10)? as u32);
    let secs = days * 86_400 + n(11, 13)? * 3600 + n(14, 16)? * 60 + n(17, 19)?;
    Some(secs * 1_000_000 + n(20, 24)? * 100)
}

fn rfc3339_nano(us: i64) -> String {
    let secs = us.div_euclid(1_000_000);
    let (y, mo, d) = octodiag_parsers::time::civil_from_days(secs.div_euclid(86_400));
    let sod = secs.rem_euclid(86_400);
    let frac = us.rem_euclid(1_000_000);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}.{frac:06}123Z",
        sod / 3600,
        sod / 60 % 60,
        sod % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_times() {
        let mut b = Vec::new();
        escape_json(b"a\"<b>\t\x01\n", &mut b);
        assert_eq!(b, br#"a\"\u003cb\u003e\t\u0001\n"#);
        assert_eq!(rfc3339_nano(1_000_001), "1970-01-01T00:00:01.000001123Z");
        assert_eq!(local_time_us(b"1970-01-01 00:00:01.0002  x"), Some(1_000_200));
        assert_eq!(local_time_us(b"   at x"), None);
    }
}
