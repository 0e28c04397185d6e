//! The Common Log Format family: nginx `combined` (and its timing
//! extensions), ingress-nginx `upstreaminfo`, and Traefik's CLF.
//!
//! ```text
//! line    = client (SP token)* SP "[" clf-date "]" SP quoted(request) SP status SP bytes
//!           [SP quoted(referer) SP quoted(user-agent)] tail
//! request = method SP target [SP protocol]
//! tail    = nginx:   [request_time [upstream_response_time]] | key=value…   (rt= urt= uct= uht= …)
//!           ingress: request_length request_time "[" upstream "]" ["[" alternative "]"]
//!                    upstream_addr upstream_response_length upstream_response_time upstream_status [req_id]
//!           traefik: request_count quoted(router) quoted(service_url) duration "ms"
//! ```
//!
//! The user is the last token before the date (`-` when none), so the older
//! ingress prefix `addr - [real_ip] - user [date]` reads as well. nginx logs
//! `$time_local` when the request has ended; Traefik writes the start
//! (`StartUTC`), so its end is the start plus the duration.

use super::common::{decimal, int, seconds_as_ms, Collector, DayCache, LineRequest};
use super::cursor::{list_items, Cursor};
use crate::event::{AccessDetail, AccessOrigin};
use crate::server_log::framing::Line;
use crate::time::{digits, Clock, Timestamp, UtcOffset};

/// What every CLF line starts with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Prefix<'a> {
    /// `$remote_addr`.
    pub client: &'a [u8],
    /// `$remote_user` (`-` when none).
    pub user: &'a [u8],
    /// `$time_local` as UTC (or local when the date has no offset).
    pub time: (Timestamp, Clock),
    /// The quoted request line.
    pub request: &'a [u8],
    /// `$status`.
    pub status: Option<u16>,
    /// `$body_bytes_sent`.
    pub bytes: Option<u64>,
    /// `$http_referer`, when the line has it.
    pub referer: Option<&'a [u8]>,
    /// `$http_user_agent`.
    pub user_agent: Option<&'a [u8]>,
}

/// Reads the CLF prefix of `line`, leaving the cursor on the tail.
pub(crate) fn prefix<'a>(line: &'a [u8]) -> Option<(Prefix<'a>, Cursor<'a>)> {
    prefix_in(line, &mut DayCache::default())
}

/// [`prefix`], with the dates of earlier lines remembered in `days`.
pub(crate) fn prefix_in<'a>(
    line: &'a [u8],
    days: &mut DayCache,
) -> Option<(Prefix<'a>, Cursor<'a>)> {
    let mut c = Cursor::new(line);
    let client = c.token()?;
    let (user, date, after) = user_and_date(line, line.len() - c.rest().len(), days)?;
    let mut c = Cursor::at(line, after);
    let request = c.quoted()?;
    let status = c.token().map(int::<u16>)?;
    let bytes = c.token().map(int::<u64>)?;
    let (referer, user_agent) = match c.quoted() {
        Some(r) => (Some(r), Some(c.quoted()?)),
        None => (None, None),
    };
    let p = Prefix { client, user, time: date, request, status, bytes, referer, user_agent };
    Some((p, c))
}

/// Finds the first `[…]` from `from` that holds a CLF date: the user is the
/// token before it. Returns (user, date, index after `]`).
fn user_and_date<'a>(
    line: &'a [u8],
    from: usize,
    days: &mut DayCache,
) -> Option<(&'a [u8], (Timestamp, Clock), usize)> {
    let mut at = from;
    while let Some(i) = memchr::memchr(b'[', line.get(at..)?) {
        let open = at + i;
        let close = open + memchr::memchr(b']', &line[open..])?;
        if let Some((t, zone)) = clf_date_in(&line[open + 1..close], days) {
            let before = line[from..open].strip_suffix(b" ")?;
            let user = before.rsplit(|c| *c == b' ').next().unwrap_or(b"-");
            let time = match zone {
                Some(z) => (t.local_to_utc(z), Clock::Utc),
                None => (t, Clock::Local),
            };
            return Some((user, time, close + 1));
        }
        at = close;
    }
    None
}

/// `dd/Mon/yyyy:HH:mm:ss[.fff][ ±hhmm]` (CLF; HAProxy adds milliseconds and no
/// zone): the wall-clock time and its zone when given.
pub fn clf_date(b: &[u8]) -> Option<(Timestamp, Option<UtcOffset>)> {
    clf_date_in(b, &mut DayCache::default())
}

/// [`clf_date`], the day looked up in `days` first.
pub(crate) fn clf_date_in(b: &[u8], days: &mut DayCache) -> Option<(Timestamp, Option<UtcOffset>)> {
    if b.len() < 20
        || b[2] != b'/'
        || b[6] != b'/'
        || b[11] != b':'
        || b[14] != b':'
        || b[17] != b':'
    {
        return None;
    }
    let (h, m, s) = (digits::<2>(&b[12..])?, digits::<2>(&b[15..])?, digits::<2>(&b[18..])?);
    if h > 23 || m > 59 || s > 59 {
        return None;
    }
    let (micros, rest) = fraction(&b[20..])?;
    let zone = match rest {
        [] => None,
        [b' ', z @ ..] => Some(hhmm_zone(z)?),
        _ => return None,
    };
    let day = days.get(&b[..11], || {
        let (d, y) = (digits::<2>(b)?, digits::<4>(&b[7..])? as i32);
        Timestamp::from_civil(y, month(&b[3..6])?, d, 0, 0, 0, 0)
    })?;
    let secs = (h * 3600 + m * 60 + s) as i64;
    Some((day.add_micros(secs * 1_000_000 + micros as i64), zone))
}

/// `+hhmm` / `-hhmm`, as CLF writes zones.
fn hhmm_zone(z: &[u8]) -> Option<UtcOffset> {
    let sign = match z.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    if z.len() != 5 {
        return None;
    }
    let (h, m) = (digits::<2>(&z[1..])? as i32, digits::<2>(&z[3..])? as i32);
    (h <= 14 && m <= 59).then_some(UtcOffset { minutes: sign * (h * 60 + m) })
}

/// `.fff` (1 to 9 digits) at the start of `b`, as microseconds, and what follows.
fn fraction(b: &[u8]) -> Option<(u32, &[u8])> {
    let Some(digits) = b.strip_prefix(b".") else { return Some((0, b)) };
    let n = digits.iter().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 || n > 9 {
        return None;
    }
    let v: u64 = int(&digits[..n.min(6)])?;
    Some(((v * 10u64.pow(6 - n.min(6) as u32)) as u32, &digits[n..]))
}

fn month(m: &[u8]) -> Option<u32> {
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    MONTHS.iter().position(|x| x.eq_ignore_ascii_case(m)).map(|i| i as u32 + 1)
}

/// `GET /path?q HTTP/1.1` → (method, target), when the method is an HTTP token.
pub(crate) fn request_line(r: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut c = Cursor::new(r);
    let method = c.token()?;
    let target = c.token()?;
    method.iter().all(|b| b.is_ascii_uppercase()).then_some((method, target))
}

/// Parses one line of `origin`'s CLF layout into `out`.
pub(crate) fn line(out: &mut Collector<'_>, origin: AccessOrigin, line: &Line<'_>, n: u64) {
    let Some((p, tail)) = prefix_in(line.text, &mut out.days) else {
        return out.skip_run(n, "not in the access-log format");
    };
    let Some((method, target)) = request_line(p.request) else {
        return out.other(line, n, p.time);
    };
    let mut d = AccessDetail::new(origin);
    d.client = out.opt_text(Some(p.client));
    d.user = out.opt_text(Some(p.user));
    d.user_agent = out.opt_text(p.user_agent);
    d.bytes_sent = p.bytes;
    let total = match origin {
        AccessOrigin::IngressNginx => ingress_tail(out, tail, &mut d),
        AccessOrigin::Traefik => traefik_tail(out, tail, &mut d),
        _ => nginx_tail(out, tail, &mut d),
    };
    d.untimed = total.is_none();
    let duration_ms = total.unwrap_or(0.0);
    let end = if d.logged_at_start {
        (p.time.0.add_micros((duration_ms * 1000.0) as i64), p.time.1)
    } else {
        p.time
    };
    let request = LineRequest {
        end,
        method: out.text(method),
        url: out.text(target),
        host: None,
        duration_ms,
        status: p.status,
        detail: d,
    };
    out.request(line, n, request);
}

/// nginx tails: positional `$request_time [$upstream_response_time]`, or
/// `key=value` pairs (`rt=`, `urt=`, `uct=`, `uht=`, `us=`, `ua=`, `request_time=` …).
/// Returns the total in milliseconds.
fn nginx_tail(out: &Collector<'_>, mut c: Cursor<'_>, d: &mut AccessDetail) -> Option<f64> {
    let mut total = None;
    let mut positional = 0;
    while !c.at_end() {
        if c.peek() == Some(b'"') {
            if c.quoted().is_none() {
                break;
            }
            continue;
        }
        let before = c;
        let token = c.token()?;
        if let Some(eq) = memchr::memchr(b'=', token) {
            let (value, after) = key_value(before, eq)?;
            c = after;
            keyed(out, &token[..eq], value, d, &mut total);
        } else if positional < 2 && is_timing(token) {
            let mut list = before;
            let span = list.list()?;
            c = list;
            match positional {
                0 => total = seconds_as_ms(span),
                _ => upstream_times(span, d),
            }
            positional += 1;
        }
    }
    total
}

/// The value of the `key=value` token at `c` (`=` at `eq` within it): quoted
/// values may hold spaces (`urt="0.004, 0.010"`). Returns the value and the cursor after it.
fn key_value(c: Cursor<'_>, eq: usize) -> Option<(&[u8], Cursor<'_>)> {
    let rest = c.rest();
    let start = rest.iter().position(|b| *b != b' ').unwrap_or(0);
    let value_at = start + eq + 1;
    let mut v = Cursor::at(rest, value_at);
    let value = match rest.get(value_at) {
        Some(b'"') => v.quoted()?,
        Some(b' ') | None => b"",
        _ => v.token().unwrap_or(b""),
    };
    Some((value, v))
}

fn keyed(
    out: &Collector<'_>,
    key: &[u8],
    value: &[u8],
    d: &mut AccessDetail,
    total: &mut Option<f64>,
) {
    match key {
        b"rt" | b"request_time" => *total = seconds_as_ms(value),
        b"urt" | b"upstream_response_time" => upstream_times(value, d),
        b"uct" | b"upstream_connect_time" => d.upstream_connect_ms = sum_seconds(value),
        b"uht" | b"upstream_header_time" => d.upstream_header_ms = sum_seconds(value),
        b"us" | b"upstream_status" => d.upstream_status = last_status(value),
        b"ua" | b"upstream_addr" => d.upstream_addr = out.opt_text(Some(value)),
        b"rid" | b"req_id" | b"request_id" => d.request_id = out.opt_text(Some(value)),
        b"rl" | b"request_length" => d.bytes_received = int(value),
        _ => {}
    }
}

fn is_timing(token: &[u8]) -> bool {
    token == b"-" || decimal(token.strip_suffix(b",").unwrap_or(token)).is_some()
}

/// `$upstream_response_time`: summed over retries, with the number of tries.
fn upstream_times(list: &[u8], d: &mut AccessDetail) {
    d.upstream_ms = sum_seconds(list);
    let tries = list_items(list).count();
    d.upstream_tries = (tries > 1).then(|| u16::try_from(tries).unwrap_or(u16::MAX));
}

/// The sum of a list of seconds (`0.004, 0.010`), `-` items skipped; `None` if none is a number.
fn sum_seconds(list: &[u8]) -> Option<f64> {
    let mut any = false;
    let sum: f64 = list_items(list).filter_map(seconds_as_ms).inspect(|_| any = true).sum();
    any.then_some(sum)
}

/// The last status of a list (`502, 200` → 200).
fn last_status(list: &[u8]) -> Option<u16> {
    list_items(list).last().and_then(int)
}

/// `$request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name]
/// $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id`.
fn ingress_tail(out: &Collector<'_>, mut c: Cursor<'_>, d: &mut AccessDetail) -> Option<f64> {
    d.bytes_received = c.token().and_then(int);
    let total = c.token().and_then(seconds_as_ms);
    let name = c.bracketed();
    d.upstream_name = out.opt_text(name);
    let _alternative = c.bracketed();
    d.upstream_addr = c.list().and_then(|a| out.opt_text(Some(a)));
    let _length = c.list();
    if let Some(times) = c.list() {
        upstream_times(times, d);
    }
    d.upstream_status = c.list().and_then(last_status);
    d.request_id = c.token().and_then(|id| out.opt_text(Some(id)));
    total
}

/// `$RequestCount "$RouterName" "$ServiceURL" ${Duration}ms`; the date was the start.
fn traefik_tail(out: &Collector<'_>, mut c: Cursor<'_>, d: &mut AccessDetail) -> Option<f64> {
    d.logged_at_start = true;
    let _count = c.token()?;
    d.upstream_name = c.quoted().and_then(|r| out.opt_text(Some(r)));
    d.upstream_addr = c.quoted().and_then(|s| out.opt_text(Some(s)));
    let ms = c.token()?.strip_suffix(b"ms")?;
    decimal(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clf_dates_with_offsets_fractions_and_without_zone() {
        let (t, z) = clf_date(b"10/Oct/2025:13:55:36 +0200").unwrap();
        assert_eq!(z, Some(UtcOffset { minutes: 120 }));
        assert_eq!(t.local_to_utc(z.unwrap()).rfc3339(Clock::Utc), "2025-10-10T11:55:36.000Z");
        let (t, z) = clf_date(b"06/Feb/2009:12:14:14.655").unwrap();
        assert_eq!((t.rfc3339(Clock::Local), z), ("2009-02-06T12:14:14.655".into(), None));
        let (_, z) = clf_date(b"01/Jan/2026:00:00:00 -0530").unwrap();
        assert_eq!(z, Some(UtcOffset { minutes: -330 }));
        assert!(clf_date(b"31/Feb/2025:13:55:36 +0000").is_none());
        assert!(clf_date(b"10/Foo/2025:13:55:36 +0000").is_none());
        assert!(clf_date(b"10/Oct/2025 13:55:36 +0000").is_none());
        assert!(clf_date(b"10/Oct/2025:13:55:36 0000").is_none());
        assert!(clf_date(b"10/Oct/2025:13:55:36 +02:00").is_none(), "CLF writes +hhmm");
        assert!(clf_date(b"10/Oct/2025:24:00:00 +0000").is_none());
        let mut days = DayCache::default();
        let a = clf_date_in(b"10/Oct/2025:13:55:36 +0000", &mut days).unwrap().0;
        let b = clf_date_in(b"10/Oct/2025:23:59:59.5 +0000", &mut days).unwrap().0;
        assert_eq!(b.0 - a.0, 36_263_500_000);
    }

    #[test]
    fn request_lines() {
        assert_eq!(request_line(b"GET /api?x=1 HTTP/1.1"), Some((&b"GET"[..], &b"/api?x=1"[..])));
        assert_eq!(request_line(b"OPTIONS *"), Some((&b"OPTIONS"[..], &b"*"[..])));
        assert_eq!(request_line(b"-"), None);
        assert_eq!(request_line(b"\\x16\\x03\\x01 x"), None);
    }

    #[test]
    fn prefix_of_combined_and_of_the_old_ingress_layout() {
        let l = br#"10.1.2.3 - alice [10/Oct/2025:13:55:36 +0000] "GET /api HTTP/1.1" 200 512 "-" "curl/8.0" 0.005"#;
        let (p, tail) = prefix(l).unwrap();
        assert_eq!(
            (p.client, p.user, p.request),
            (&b"10.1.2.3"[..], &b"alice"[..], &b"GET /api HTTP/1.1"[..])
        );
        assert_eq!(
            (p.status, p.bytes, p.referer, p.user_agent),
            (Some(200), Some(512), Some(&b"-"[..]), Some(&b"curl/8.0"[..]))
        );
        assert_eq!(p.time.0.rfc3339(p.time.1), "2025-10-10T13:55:36.000Z");
        assert_eq!(tail.rest(), b" 0.005");
        let old = br#"10.0.0.1 - [10.1.2.3] - - [10/Oct/2025:13:55:36 +0000] "GET / HTTP/1.1" 304 0 "-" "x""#;
        let (p, _) = prefix(old).unwrap();
        assert_eq!((p.user, p.status, p.bytes), (&b"-"[..], Some(304), Some(0)));
        let common = br#"::1 - - [10/Oct/2025:13:55:36 +0000] "GET / HTTP/1.0" 200 -"#;
        let (p, _) = prefix(common).unwrap();
        assert_eq!((p.bytes, p.user_agent), (None, None));
        assert!(prefix(b"2025/10/10 13:55:36 [error] 7#7: *1 connect() failed").is_none());
    }
}
