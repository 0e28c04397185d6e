//! One request, seen twice: in the server log and in a W3C or proxy access log.
//!
//! A request Octopus served can appear as a server-log `Request took` line (only
//! at 1 s or more, unless verbose), as a line of Octopus's own W3C log (every
//! request), and as a line of each proxy in front of it. Counting requests
//! must count it once; comparing the proxy's view with Octopus's gives the
//! time spent between them. The rule recommended here, [`same_request`]:
//!
//! 1. **Key** ([`RequestKey`]): method (case-insensitive) and path, without
//!    scheme, host or query (W3C logs the query apart, and proxies may rewrite
//!    the host), compared case-insensitively (Octopus routes are). Status when
//!    both sides logged one.
//! 2. **End time**, both in UTC (the server log's local times shifted by the
//!    server's offset first): every log here writes, or lets us derive, the
//!    request's end (see [`crate::event::AccessDetail::logged_at_start`]). W3C
//!    times are whole seconds (truncated), so a W3C end `t` stands for
//!    `[t, t + 1 s)`; [`Observed::precision_us`] says so. The two ends must be
//!    within both precisions plus [`END_SLACK_US`] of each other. A proxy's end
//!    is after Octopus's by the time the response took to come back.
//! 3. **Duration**: Octopus's own two logs measure the same span
//!    (|difference| ≤ max(50 ms, 5 %)); a proxy's total includes Octopus's time,
//!    so its upstream time (when logged) must agree with Octopus's within
//!    max(50 ms, 10 %), else its total must be at least Octopus's less 50 ms.
//!
//! Candidates are best looked up by key, then by end time within the window;
//! when several match, the closest duration wins.

use std::borrow::Cow;

use crate::event::{AccessOrigin, Request};
use crate::time::Timestamp;

/// Slack allowed between two ends beyond their precision, microseconds.
pub const END_SLACK_US: i64 = 250_000;

/// What two sightings of one request must share.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RequestKey<'a> {
    /// Upper-case method.
    pub method: Cow<'a, str>,
    /// Lower-case path: no scheme, host, query or fragment.
    pub path: Cow<'a, str>,
}

/// The key of a request whose texts are in `source`.
pub fn request_key<'a>(r: &'a Request, source: &'a [u8]) -> RequestKey<'a> {
    let method = r.method.resolve(source);
    let method = match method.bytes().any(|b| b.is_ascii_lowercase()) {
        true => Cow::Owned(method.to_ascii_uppercase()),
        false => method,
    };
    let path = match r.url.resolve(source) {
        Cow::Borrowed(u) => lower(path_of(u)),
        Cow::Owned(u) => Cow::Owned(path_of(&u).to_ascii_lowercase()),
    };
    RequestKey { method, path }
}

fn lower(s: &str) -> Cow<'_, str> {
    match s.bytes().any(|b| b.is_ascii_uppercase()) {
        true => Cow::Owned(s.to_ascii_lowercase()),
        false => Cow::Borrowed(s),
    }
}

/// `https://host:8080/api/x?y#z` → `/api/x`; a path stays itself without its query.
pub fn path_of(url: &str) -> &str {
    let after_scheme = match url.find("://") {
        Some(i) => {
            let rest = &url[i + 3..];
            rest.find('/').map_or("/", |j| &rest[j..])
        }
        None => url,
    };
    let end = after_scheme.find(['?', '#']).unwrap_or(after_scheme.len());
    &after_scheme[..end]
}

/// One sighting, with times in UTC.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Observed {
    /// Who logged it (`None`: the server log).
    pub origin: Option<AccessOrigin>,
    /// When it ended, UTC.
    pub end: Timestamp,
    /// How coarse `end` is: the true end is in `[end, end + precision)`.
    pub precision_us: i64,
    /// Total duration as logged.
    pub duration_ms: f64,
    /// The proxy's upstream time, when logged.
    pub upstream_ms: Option<f64>,
    /// Status, when logged.
    pub status: Option<u16>,
}

impl Observed {
    /// A sighting of `r`, whose end `end_utc` is already in UTC.
    pub fn of(r: &Request, end_utc: Timestamp) -> Observed {
        let access = r.access.as_deref();
        let origin = access.map(|a| a.origin);
        let whole_seconds = matches!(origin, Some(AccessOrigin::W3cOctopus | AccessOrigin::Iis));
        Observed {
            origin,
            end: end_utc,
            precision_us: if whole_seconds { 1_000_000 } else { 1_000 },
            duration_ms: r.duration_ms,
            upstream_ms: access.and_then(|a| a.upstream_ms),
            status: r.status,
        }
    }
}

/// Whether `server` (a server-log line or Octopus's W3C line) and `other` are
/// the same request, their keys being equal: the rule of the module doc.
pub fn same_request(server: &Observed, other: &Observed) -> bool {
    if let (Some(a), Some(b)) = (server.status, other.status) {
        if a != b {
            return false;
        }
    }
    let proxy = other.origin.is_some_and(AccessOrigin::is_proxy);
    let (lo, hi) = (
        server.end.0 - END_SLACK_US - other.precision_us,
        server.end.0 + END_SLACK_US + server.precision_us,
    );
    // A proxy sees the end after Octopus by up to its own overhead.
    let hi = if proxy { hi + overhead_us(server, other) } else { hi };
    if other.end.0 < lo || other.end.0 > hi {
        return false;
    }
    let close = |a: f64, b: f64, share: f64| (a - b).abs() <= 50f64.max(share * a.max(b));
    match (proxy, other.upstream_ms) {
        (false, _) => close(server.duration_ms, other.duration_ms, 0.05),
        (true, Some(up)) => close(server.duration_ms, up, 0.10),
        (true, None) => other.duration_ms >= server.duration_ms - 50.0,
    }
}

/// The proxy's own share of a request (total less Octopus's), in microseconds, at least 0.
fn overhead_us(server: &Observed, proxy: &Observed) -> i64 {
    ((proxy.duration_ms - server.duration_ms).max(0.0) * 1000.0) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{AccessDetail, Text};

    fn request(method: &str, url: &str, origin: Option<AccessOrigin>) -> (Request, Vec<u8>) {
        let bytes = format!("{method}{url}").into_bytes();
        let r = Request {
            method: Text::Span { start: 0, len: method.len() as u32 },
            url: Text::Span { start: method.len() as u64, len: url.len() as u32 },
            host: None,
            duration_ms: 1000.0,
            status: Some(200),
            correlation_id: None,
            browser: None,
            access: origin.map(|o| Box::new(AccessDetail::new(o))),
        };
        (r, bytes)
    }

    #[test]
    fn keys_ignore_scheme_host_query_and_case() {
        let (a, ab) = request("GET", "https://Octo.example:8080/API/Tasks?skip=0 0123", None);
        let (b, bb) = request("get", "/api/tasks", Some(AccessOrigin::W3cOctopus));
        assert_eq!(request_key(&a, &ab), request_key(&b, &bb));
        assert_eq!(request_key(&b, &bb).path, "/api/tasks");
        assert_eq!(path_of("http://host"), "/");
        assert_eq!(path_of("/a#frag"), "/a");
    }

    fn seen(origin: Option<AccessOrigin>, end_ms: i64, duration_ms: f64) -> Observed {
        let (mut r, _) = request("GET", "/", origin);
        r.duration_ms = duration_ms;
        Observed::of(&r, Timestamp(end_ms * 1000))
    }

    #[test]
    fn w3c_whole_seconds_match_the_server_line_within_the_second() {
        let server = seen(None, 10_750, 1327.0);
        let w3c = seen(Some(AccessOrigin::W3cOctopus), 10_000, 1327.0);
        assert!(same_request(&server, &w3c));
        assert!(!same_request(&server, &seen(Some(AccessOrigin::W3cOctopus), 12_000, 1327.0)));
        assert!(!same_request(&server, &seen(Some(AccessOrigin::W3cOctopus), 10_000, 1600.0)));
        let mut other_status = w3c;
        other_status.status = Some(500);
        assert!(!same_request(&server, &other_status));
    }

    #[test]
    fn proxies_end_later_and_compare_upstream_time() {
        let server = seen(None, 10_000, 2500.0);
        let mut nginx = seen(Some(AccessOrigin::Nginx), 10_600, 3100.0);
        assert!(same_request(&server, &nginx), "no upstream time: total covers Octopus's");
        nginx.upstream_ms = Some(2490.0);
        assert!(same_request(&server, &nginx));
        nginx.upstream_ms = Some(1000.0);
        assert!(!same_request(&server, &nginx));
        let short = seen(Some(AccessOrigin::Haproxy), 10_000, 100.0);
        assert!(!same_request(&server, &short), "a proxy cannot be faster than Octopus");
    }
}
