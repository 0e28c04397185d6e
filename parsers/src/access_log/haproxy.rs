//! HAProxy's HTTP log format (`option httplog`), with or without a syslog header.
//!
//! ```text
//! [syslog] client_ip:port "[" date "]" frontend backend/server TR/Tw/Tc/Tr/Ta status bytes
//!          req_cookie res_cookie termination actconn/feconn/beconn/srvconn/retries
//!          srv_queue/backend_queue ["{" req_headers "}"] ["{" res_headers "}"] '"' request ['"']
//! date   = dd/Mon/yyyy:HH:mm:ss.fff          ; local time, no zone
//! syslog = ["<" pri ">"] ["1 "] (Mmm dd HH:mm:ss | rfc3339) [host] process "[" pid "]:"
//! ```
//!
//! Timers are milliseconds, `-1` for a phase that never happened (aborted):
//! HAProxy 1.9+ writes `TR/Tw/Tc/Tr/Ta`, older versions `Tq/Tw/Tc/Tr/Tt`; both
//! have the same shape and the same meaning for us (client, queue, connect,
//! server, total), so they are read alike. `option logasap` prefixes the total
//! and the bytes with `+`. The date is when the connection (2.x: the request)
//! was received, so the request ended at date + total. The date has no zone:
//! it is the proxy's local clock, unless an RFC 3339 syslog header on the same
//! line gives the offset.

use super::clf::{clf_date, request_line};
use super::common::{int, Collector, LineRequest};
use super::cursor::Cursor;
use crate::event::{AccessDetail, AccessOrigin};
use crate::server_log::framing::Line;
use crate::time::{parse_iso8601, Clock, Timestamp, UtcOffset};

/// The five timers; `None` for `-1`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Timers {
    /// TR (1.9+) or Tq: receiving the request.
    pub client: Option<f64>,
    /// Tw: queues.
    pub queue: Option<f64>,
    /// Tc: connecting to the server.
    pub connect: Option<f64>,
    /// Tr: the server's response headers.
    pub server: Option<f64>,
    /// Ta (1.9+) or Tt: total.
    pub total: Option<f64>,
}

/// `TR/Tw/Tc/Tr/Ta`: five `-1`-or-more integers (the last may start with `+`).
pub(crate) fn timers(t: &[u8]) -> Option<Timers> {
    let mut parts = t.split(|c| *c == b'/');
    let mut next = || -> Option<Option<f64>> {
        let p = parts.next()?;
        let p = p.strip_prefix(b"+").unwrap_or(p);
        match p {
            b"-1" => Some(None),
            _ => int::<u64>(p).map(|v| Some(v as f64)),
        }
    };
    let timers = Timers {
        client: next()?,
        queue: next()?,
        connect: next()?,
        server: next()?,
        total: next()?,
    };
    parts.next().is_none().then_some(timers)
}

/// Where the accept date is: the first `[` holding a date with milliseconds.
/// Returns (index of `[`, the date, index after `]`).
pub(crate) fn accept_date(line: &[u8]) -> Option<(usize, Timestamp, usize)> {
    let mut at = 0;
    while let Some(i) = memchr::memchr(b'[', line.get(at..)?) {
        let open = at + i;
        let window = line.get(open + 1..(open + 40).min(line.len()))?;
        if let Some(len) = memchr::memchr(b']', window) {
            let inside = &window[..len];
            if inside.get(20) == Some(&b'.') {
                if let Some((t, None)) = clf_date(inside) {
                    return Some((open, t, open + len + 2));
                }
            }
        }
        at = open + 1;
    }
    None
}

/// The UTC offset an RFC 3339 syslog header gives (`2025-10-10T13:55:36+02:00 host …`).
pub(crate) fn syslog_offset(header: &[u8], accept_local: Timestamp) -> Option<UtcOffset> {
    let mut h = header;
    if h.first() == Some(&b'<') {
        h = &h[memchr::memchr(b'>', h)? + 1..];
    }
    h = h.strip_prefix(b"1 ").unwrap_or(h);
    let stamp = h.split(|c| *c == b' ').next()?;
    let (utc, had_zone) = parse_iso8601(std::str::from_utf8(stamp).ok()?)?;
    if !had_zone {
        return None;
    }
    // The header was written after the accept: the offset is the whole
    // quarter hours between the two clocks.
    let minutes = (accept_local.0 - utc.0) as f64 / 60e6;
    Some(UtcOffset::round_to_quarter_hour(minutes))
}

/// Parses one HAProxy line into `out`.
pub(crate) fn line(out: &mut Collector<'_>, line: &Line<'_>, n: u64) {
    let text = line.text;
    let Some((open, local, after)) = accept_date(text) else {
        return out.problem(n, "no HAProxy accept date ([dd/Mon/yyyy:HH:mm:ss.fff]); skipped");
    };
    let head = text[..open].strip_suffix(b" ").unwrap_or(&text[..open]);
    let client_at = head.iter().rposition(|c| *c == b' ').map_or(0, |i| i + 1);
    let start = match syslog_offset(&head[..client_at], local) {
        Some(z) => (local.local_to_utc(z), Clock::Utc),
        None => (local, Clock::Local),
    };
    let mut c = Cursor::at(text, after);
    let fields = (c.token(), c.token(), c.token().and_then(timers));
    let (Some(_frontend), Some(backend), Some(t)) = fields else {
        return out.other(line, n, start);
    };
    let status = c.token().and_then(int::<u16>);
    let mut d = AccessDetail::new(AccessOrigin::Haproxy);
    d.logged_at_start = true;
    d.client = out.opt_text(Some(&head[client_at..]));
    d.upstream_name = out.opt_text(Some(backend));
    d.bytes_sent = c.token().and_then(|b| int(b.strip_prefix(b"+").unwrap_or(b)));
    let (_req_cookie, _res_cookie) = (c.token(), c.token());
    d.termination = out.opt_text(c.token());
    d.upstream_tries = c.token().and_then(retries);
    let _queues = c.token();
    let (_req_headers, _res_headers) = (c.braced(), c.braced());
    let request = c.quoted().or_else(|| c.rest().trim_ascii_start().strip_prefix(b"\""));
    d.client_ms = t.client;
    d.queue_ms = t.queue;
    d.upstream_connect_ms = t.connect;
    d.upstream_ms = t.server;
    d.untimed = t.total.is_none();
    let Some((method, target)) = request.and_then(request_line) else {
        return out.other(line, n, start);
    };
    let duration_ms = t.total.unwrap_or(0.0);
    let r = LineRequest {
        end: (start.0.add_micros((duration_ms * 1000.0) as i64), start.1),
        method: out.text(method),
        url: out.text(target),
        host: None,
        duration_ms,
        status,
        detail: d,
    };
    out.request(line, n, r);
}

/// `actconn/feconn/beconn/srv_conn/retries` → tries (retries + 1) when retried.
fn retries(conns: &[u8]) -> Option<u16> {
    let r = conns.rsplit(|c| *c == b'/').next()?;
    let r: u16 = int(r.strip_prefix(b"+").unwrap_or(r))?;
    (r > 0).then(|| r.saturating_add(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timers_with_aborted_phases_and_logasap() {
        let t = timers(b"10/0/30/69/109").unwrap();
        assert_eq!(
            (t.client, t.queue, t.connect, t.server, t.total),
            (Some(10.0), Some(0.0), Some(30.0), Some(69.0), Some(109.0))
        );
        let aborted = timers(b"0/0/0/-1/63387").unwrap();
        assert_eq!((aborted.server, aborted.total), (None, Some(63387.0)));
        let early = timers(b"-1/-1/-1/-1/+5").unwrap();
        assert_eq!((early.client, early.total), (None, Some(5.0)));
        assert!(timers(b"1/2/3").is_none(), "TCP logs have three timers");
        assert!(timers(b"1/2/3/4/5/6").is_none());
        assert!(timers(b"1/2/x/4/5").is_none());
    }

    #[test]
    fn accept_date_skips_the_pid_bracket() {
        let l = b"Feb  6 12:14:14 localhost haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in";
        let (open, t, after) = accept_date(l).unwrap();
        assert_eq!(&l[open..after], b"[06/Feb/2009:12:14:14.655]");
        assert_eq!(t.rfc3339(Clock::Local), "2009-02-06T12:14:14.655");
        assert!(
            accept_date(b"x [10/Oct/2025:13:55:36 +0000] y").is_none(),
            "a CLF date is not HAProxy's"
        );
    }

    #[test]
    fn syslog_offsets() {
        let local = Timestamp::from_civil(2012, 6, 12, 19, 56, 10, 548_000).unwrap();
        let z = syslog_offset(b"2012-06-12T17:56:11+00:00 localhost haproxy[21732]: ", local);
        assert_eq!(z, Some(UtcOffset { minutes: 120 }));
        let z = syslog_offset(b"<134>1 2012-06-12T17:56:11.2Z host haproxy 123 - - ", local);
        assert_eq!(z, Some(UtcOffset { minutes: 120 }));
        assert_eq!(syslog_offset(b"Jun 12 19:56:11 host haproxy[1]: ", local), None);
        assert_eq!(syslog_offset(b"", local), None);
    }

    #[test]
    fn retries_become_tries() {
        assert_eq!(retries(b"1/1/1/1/0"), None);
        assert_eq!(retries(b"15/13/10/0/+2"), Some(3));
    }
}
