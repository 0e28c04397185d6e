//! Reverse-proxy access logs in front of Octopus: nginx, ingress-nginx,
//! HAProxy and Traefik.
//!
//! ```text
//! line ──► nginx / ingress-nginx / Traefik CLF ─► clf        (`[10/Oct/2025:13:55:36 +0000] "GET …" …`)
//!      ──► HAProxy httplog ─────────────────────► haproxy    (`ip:port [06/Feb/2009:12:14:14.655] fe be/srv 10/0/30/69/109 …`)
//!      ──► Traefik JSON ────────────────────────► traefik_json
//!                      each ─► Request { duration_ms: the proxy's total,
//!                                        access: AccessDetail { upstream_ms: the server's time, … } }
//! ```
//!
//! Framing is one entry per line. Each request yields the proxy's total time
//! and, where logged, the upstream's (Octopus's) time, so that analysis can
//! tell time spent in Octopus from time spent between the proxy and Octopus.
//! Event times are the request's end, as for the server log's `Request took`
//! lines: CLF dates carry their offset and are converted to UTC; HAProxy's
//! accept date has none and stays on the proxy's local clock.
//! Lines of another program in the same file (nginx's error log beside its
//! access log on a container's stdout) are skipped and reported as one
//! problem per run.

pub mod clf;
pub(crate) mod common;
pub(crate) mod cursor;
pub mod haproxy;
pub mod traefik_json;

use self::common::{lines, Collector};
use crate::event::{AccessOrigin, SourceId};
use crate::parse::Parsed;
use crate::server_log::EventSink;

/// Parses a proxy access log written by `origin`, keeping its events in
/// [`Parsed::events`].
pub fn parse(id: SourceId, bytes: &[u8], origin: AccessOrigin) -> Parsed {
    let mut events = Vec::new();
    let mut parsed = parse_into(id, bytes, origin, &mut events);
    parsed.events = events;
    parsed
}

/// Parses a proxy access log, handing each event to `sink` in file order (line numbers final).
pub fn parse_into(
    id: SourceId,
    bytes: &[u8],
    origin: AccessOrigin,
    sink: &mut dyn EventSink,
) -> Parsed {
    let mut out = Collector::new(id, bytes, sink);
    let mut n = 0u64;
    for line in lines(bytes) {
        n += 1;
        if line.text.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        match origin {
            AccessOrigin::Haproxy => haproxy::line(&mut out, &line, n),
            AccessOrigin::Traefik if line.text.first() == Some(&b'{') => {
                traefik_json::line(&mut out, &line, n)
            }
            _ => clf::line(&mut out, origin, &line, n),
        }
    }
    out.finish(n)
}

/// Which proxy wrote `line`, if it is an access-log entry of one of them
/// (detection looks at the first lines of a source).
pub fn detect_line(line: &[u8]) -> Option<AccessOrigin> {
    if line.first() == Some(&b'{') {
        return traefik_json::is_access_entry(line).then_some(AccessOrigin::Traefik);
    }
    if is_haproxy(line) {
        return Some(AccessOrigin::Haproxy);
    }
    let (_, tail) = clf::prefix(line)?;
    let mut c = tail;
    let first = c.token();
    let second = c.token();
    let quoted_second = second.is_some_and(|t| t.first() == Some(&b'"'));
    if quoted_second && c.quoted().is_some() && c.token().is_some_and(|t| t.ends_with(b"ms")) {
        return Some(AccessOrigin::Traefik);
    }
    let ingress = first.is_some_and(|t| common::int::<u64>(t).is_some())
        && second.is_some_and(|t| common::decimal(t).is_some())
        && c.rest().trim_ascii_start().first() == Some(&b'[');
    Some(if ingress { AccessOrigin::IngressNginx } else { AccessOrigin::Nginx })
}

fn is_haproxy(line: &[u8]) -> bool {
    let Some((_, _, after)) = haproxy::accept_date(line) else { return false };
    let mut c = cursor::Cursor::at(line, after);
    let (_frontend, backend, t) = (c.token(), c.token(), c.token());
    backend.is_some_and(|b| b.contains(&b'/')) && t.and_then(haproxy::timers).is_some()
}

#[cfg(test)]
mod tests;
