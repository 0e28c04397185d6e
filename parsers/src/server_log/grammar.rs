//! nom productions for the Octopus Server log, each named after the grammar
//! rule it recognises and tested on literal input (octopus.md §1.3 and §1.7).
//!
//! The line header is
//!
//! ```text
//! header    = timestamp [zone] ws [pid ws] tid ws level (ws message | EOL)
//! timestamp = yyyy "-" MM "-" dd " " HH ":" mm ":" ss "." f{1,7}
//! zone      = " " ("+"|"-") HH ":" MM | "Z"
//! ws        = (" " | "\t")+            ; pasted logs collapse the padding
//! level     = TRACE | DEBUG | INFO | WARN | ERROR | FATAL
//! ```
//!
//! Fields are separated by runs of whitespace, never by fixed columns, and the
//! level keyword is required so that continuation lines such as
//! `2018-08-02T10:13:02 SELECT …` are never taken for a new entry.

use nom::branch::alt;
use nom::bytes::complete::{tag, take_till1, take_while1, take_while_m_n};
use nom::character::complete::{char, digit1, space0, space1};
use nom::combinator::{map, map_res, opt, recognize, rest, value};
use nom::sequence::{delimited, preceded, terminated};
use nom::{IResult, Parser};

use crate::event::Level;
use crate::time::{Timestamp, UtcOffset};

/// The fields of an entry's first line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// The logged time (local unless `zone` is set).
    pub time: Timestamp,
    /// The zone suffix of customised layouts.
    pub zone: Option<UtcOffset>,
    /// Process id (3.15+ layout only).
    pub pid: Option<u32>,
    /// Thread id.
    pub tid: u32,
    /// Level.
    pub level: Level,
    /// Byte offset of the message within the line.
    pub message_at: usize,
}

/// What a line that looks like a header turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderError {
    /// The shape is right but the date or time is impossible (`2024-02-30`).
    InvalidTimestamp,
}

/// Parses an entry header, or `None` when the line is not an entry start.
#[inline]
pub fn header(line: &[u8]) -> Option<Header> {
    header_checked(line).ok().flatten()
}

/// Like [`header`], but tells a well-shaped line with an impossible timestamp
/// apart from a line that is simply not a header.
#[inline]
pub fn header_checked(line: &[u8]) -> Result<Option<Header>, HeaderError> {
    // Cheap rejection first: most continuation lines fail here.
    if line.len() < 26 || !line[0].is_ascii_digit() || line[4] != b'-' || line[10] != b' ' {
        return Ok(None);
    }
    let Ok((after, fields)) = header_fields(line) else { return Ok(None) };
    let Some(time) = fields.0 else { return Err(HeaderError::InvalidTimestamp) };
    let (_, zone, pid, tid, level) = fields;
    Ok(Some(Header { time, zone, pid, tid, level, message_at: line.len() - after.len() }))
}

type Fields = (Option<Timestamp>, Option<UtcOffset>, Option<u32>, u32, Level);

fn header_fields(input: &[u8]) -> IResult<&[u8], Fields> {
    let (input, time) = timestamp(input)?;
    let (input, zone) = opt(zone).parse(input)?;
    let (input, first) = preceded(space1, number).parse(input)?;
    let (input, second) = opt(preceded(space1, number)).parse(input)?;
    let (input, level) = preceded(space1, level).parse(input)?;
    let (input, _) = alt((space1, end_of_line)).parse(input)?;
    let (pid, tid) = match second {
        Some(tid) => (Some(first), tid),
        None => (None, first),
    };
    Ok((input, (time, zone, pid, tid, level)))
}

/// `yyyy-MM-dd HH:mm:ss.ffff` (1 to 7 fractional digits). The value is `None`
/// when the digits are well placed but name an impossible instant.
pub fn timestamp(input: &[u8]) -> IResult<&[u8], Option<Timestamp>> {
    let shape = (
        take_while_m_n(4, 4, is_digit),
        char('-'),
        take_while_m_n(2, 2, is_digit),
        char('-'),
        take_while_m_n(2, 2, is_digit),
        char(' '),
        take_while_m_n(2, 2, is_digit),
        char(':'),
        take_while_m_n(2, 2, is_digit),
        char(':'),
        take_while_m_n(2, 2, is_digit),
        char('.'),
        take_while_m_n(1, 7, is_digit),
    );
    map(recognize(shape), civil_timestamp).parse(input)
}

fn civil_timestamp(b: &[u8]) -> Option<Timestamp> {
    let frac = &b[20..];
    let mut micros = 0u32;
    for (i, d) in frac.iter().take(6).enumerate() {
        micros += (d - b'0') as u32 * 10u32.pow(5 - i as u32);
    }
    crate::time::civil_at_fixed_offsets(b, micros)
}

/// ` +10:00`, ` -05:30` or a `Z` glued to the fraction.
pub fn zone(input: &[u8]) -> IResult<&[u8], UtcOffset> {
    let numeric = preceded(
        char(' '),
        map_res(
            recognize((alt((char('+'), char('-'))), digit2, char(':'), digit2)),
            |z: &[u8]| UtcOffset::parse(std::str::from_utf8(z).unwrap_or("")).ok_or(()),
        ),
    );
    alt((value(UtcOffset::UTC, char('Z')), numeric)).parse(input)
}

fn digit2(input: &[u8]) -> IResult<&[u8], &[u8]> {
    take_while_m_n(2, 2, is_digit).parse(input)
}

/// A decimal number that fits in `u32`.
pub fn number(input: &[u8]) -> IResult<&[u8], u32> {
    map_res(digit1, parse_u32).parse(input)
}

/// One of the six NLog level keywords (upper case).
pub fn level(input: &[u8]) -> IResult<&[u8], Level> {
    alt((
        value(Level::Info, tag("INFO")),
        value(Level::Debug, tag("DEBUG")),
        value(Level::Trace, tag("TRACE")),
        value(Level::Warn, tag("WARN")),
        value(Level::Error, tag("ERROR")),
        value(Level::Fatal, tag("FATAL")),
    ))
    .parse(input)
}

fn end_of_line(input: &[u8]) -> IResult<&[u8], &[u8]> {
    if input.is_empty() {
        Ok((input, input))
    } else {
        Err(nom::Err::Error(nom::error::Error::new(input, nom::error::ErrorKind::Eof)))
    }
}

fn is_digit(b: u8) -> bool {
    b.is_ascii_digit()
}

fn parse_u32(d: &[u8]) -> Result<u32, ()> {
    let mut v: u32 = 0;
    for &c in d {
        v = v.checked_mul(10).and_then(|v| v.checked_add((c - b'0') as u32)).ok_or(())?;
    }
    Ok(v)
}

/// A millisecond count, integer or decimal (`22`, `12.5`), as f64; refuses absurd values.
pub fn millis(input: &[u8]) -> IResult<&[u8], f64> {
    map_res(recognize((digit1, opt((char('.'), digit1)))), |d: &[u8]| {
        let v: f64 = std::str::from_utf8(d).map_err(|_| ())?.parse().map_err(|_| ())?;
        if v.is_finite() && v < 1e12 {
            Ok(v)
        } else {
            Err(())
        }
    })
    .parse(input)
}

// ---------------------------------------------------------------- messages

/// `Request took {ms}ms: {METHOD} {url}[ {correlation}]`.
pub struct RequestTook<'a> {
    /// Milliseconds.
    pub ms: f64,
    /// Method.
    pub method: &'a [u8],
    /// URL (may in theory contain spaces; the correlation id is parsed from the right).
    pub url: &'a [u8],
    /// 32 lower-case hex characters, when present.
    pub correlation: Option<&'a [u8]>,
}

/// `Request took 1320ms: POST http://… 0123…` (§1.7.A).
pub fn request_took(input: &[u8]) -> IResult<&[u8], RequestTook<'_>> {
    let (input, ms) = delimited(tag("Request took "), millis, tag("ms: ")).parse(input)?;
    let (input, method) = terminated(take_while1(is_upper), char(' ')).parse(input)?;
    let (input, tail) = rest(input)?;
    let (url, correlation) = split_correlation(trim_end(tail));
    Ok((input, RequestTook { ms, method, url, correlation }))
}

/// Splits a trailing ` <32 hex>` correlation id off a URL.
pub fn split_correlation(tail: &[u8]) -> (&[u8], Option<&[u8]>) {
    if let Some(space) = memchr::memrchr(b' ', tail) {
        let last = &tail[space + 1..];
        if is_correlation_id(last) {
            return (trim_end(&tail[..space]), Some(last));
        }
    }
    (tail, None)
}

/// 32 hexadecimal characters.
#[inline]
pub fn is_correlation_id(s: &[u8]) -> bool {
    // Branch-free over the 32 bytes: OR together "not hex" flags.
    s.len() == 32 && s.iter().fold(0u8, |bad, b| bad | (!b.is_ascii_hexdigit()) as u8) == 0
}

/// A request start at TRACE: `GET   http://host/api/x 0123…`.
#[allow(clippy::type_complexity)] // a nom production's natural (a, b, c) output
pub fn request_start(input: &[u8]) -> IResult<&[u8], (&[u8], &[u8], Option<&[u8]>)> {
    let (input, method) = terminated(take_while1(is_upper), space1).parse(input)?;
    let (input, tail) = rest(input)?;
    if !(tail.starts_with(b"http://") || tail.starts_with(b"https://") || tail.starts_with(b"/")) {
        return Err(nom::Err::Error(nom::error::Error::new(tail, nom::error::ErrorKind::Tag)));
    }
    let (url, corr) = split_correlation(trim_end(tail));
    Ok((input, (method, url, corr)))
}

/// The ASP.NET Core form, 2022 and 2025 variants:
/// `"HTTP" "GET" to "host""/path" "completed" with 200 in 00:00:00.0224869 (22ms) by "user"`.
pub struct HttpCompleted<'a> {
    /// Method.
    pub method: &'a [u8],
    /// Host part.
    pub host: &'a [u8],
    /// Path part (may be empty when the URL was logged whole in `host`).
    pub path: &'a [u8],
    /// Status code.
    pub status: u16,
    /// Milliseconds (may be decimal).
    pub ms: f64,
}

/// Parses the ASP.NET Core request-completion message (§1.7.A).
pub fn http_completed(input: &[u8]) -> IResult<&[u8], HttpCompleted<'_>> {
    let (input, _proto) = quoted(input)?;
    let (input, method) = preceded(char(' '), quoted).parse(input)?;
    let (input, host) = preceded(tag(" to "), quoted).parse(input)?;
    let (input, path) = opt(quoted).parse(input)?;
    let (input, _) =
        (space1, opt(char('"')), take_while1(is_lower), opt(char('"'))).parse(input)?;
    let (input, status) = preceded(tag(" with "), number).parse(input)?;
    let (input, _span) = preceded(tag(" in "), take_till1(|b| b == b' ')).parse(input)?;
    let (input, ms) = delimited(tag(" ("), millis, tag("ms)")).parse(input)?;
    let status = u16::try_from(status).unwrap_or(0);
    Ok((input, HttpCompleted { method, host, path: path.unwrap_or(b""), status, ms }))
}

fn quoted(input: &[u8]) -> IResult<&[u8], &[u8]> {
    delimited(char('"'), nom::bytes::complete::take_till(|b| b == b'"'), char('"')).parse(input)
}

/// A timed SQL message, variants R0 to R2 (§1.7.B).
pub struct SqlTook<'a> {
    /// Operation words (`Reader`, `Execute reader`, …).
    pub operation: &'a [u8],
    /// Milliseconds.
    pub ms: f64,
    /// Until-first-record milliseconds (R0/R1 readers).
    pub first_record_ms: Option<f64>,
    /// Transaction name.
    pub transaction: Option<&'a [u8]>,
    /// Statement text on the first line.
    pub statement: &'a [u8],
}

/// The operations known to prefix `took`, dispatched on the first byte: this
/// runs on every message no other template claimed, so it must fail fast.
pub fn sql_operation(input: &[u8]) -> IResult<&[u8], &[u8]> {
    const BY_FIRST: &[(u8, &[&[u8]])] = &[
        (b'R', &[b"Reader"]),
        (b'P', &[b"Process reader"]),
        (
            b'E',
            &[
                b"Execute reader",
                b"Executing reader",
                b"Execute non query",
                b"Executing non query",
                b"Executing DELETE query",
                b"Execute scalar",
            ],
        ),
        (b'I', &[b"Insert"]),
        (b'U', &[b"Update"]),
        (b'D', &[b"Delete"]),
        (b'S', &[b"Scalar"]),
    ];
    let fail = || nom::Err::Error(nom::error::Error::new(input, nom::error::ErrorKind::Tag));
    let first = *input.first().ok_or_else(fail)?;
    let (_, words) = BY_FIRST.iter().find(|(b, _)| *b == first).ok_or_else(fail)?;
    let word = words
        .iter()
        .find(|w| input.starts_with(w) && input[w.len()..].starts_with(b" took "))
        .ok_or_else(fail)?;
    Ok((&input[word.len()..], &input[..word.len()]))
}

/// `Reader took 353ms (319ms until the first record) in transaction 'X': SELECT …`.
pub fn sql_took(input: &[u8]) -> IResult<&[u8], SqlTook<'_>> {
    let (input, operation) = sql_operation(input)?;
    let (input, ms) = delimited(tag(" took "), millis, tag("ms")).parse(input)?;
    let (input, first_record_ms) =
        opt(delimited(tag(" ("), millis, tag("ms until the first record)"))).parse(input)?;
    let (input, transaction) =
        opt(preceded(tag(" in transaction"), opt(transaction_name))).parse(input)?;
    let (input, _) = (char(':'), space0).parse(input)?;
    let (input, statement) = rest(input)?;
    Ok((
        input,
        SqlTook { operation, ms, first_record_ms, transaction: transaction.flatten(), statement },
    ))
}

/// ` 'name'` where the name ends at the first `':` (names never contain it).
pub fn transaction_name(input: &[u8]) -> IResult<&[u8], &[u8]> {
    let (after, _) = tag(" '").parse(input)?;
    // The first `'` followed by `:` ends the name (memchr: no searcher to build per line).
    let end = memchr::memchr_iter(b'\'', after).find(|&i| after.get(i + 1) == Some(&b':'));
    match end {
        Some(i) => Ok((&after[i + 1..], &after[..i])),
        None => Err(nom::Err::Error(nom::error::Error::new(after, nom::error::ErrorKind::Tag))),
    }
}

/// `Octopus.Server version 2024.2.9409 (2024.2.9409) instance OctopusServer`.
pub fn version_banner(input: &[u8]) -> IResult<&[u8], (&[u8], &[u8])> {
    let (input, _) = (tag("Octopus.Server"), opt(tag(".exe")), tag(" version ")).parse(input)?;
    let (input, version) = take_till1(|b| b == b' ')(input)?;
    let (input, _) = (char(' '), char('('), take_till1(|b| b == b')'), char(')')).parse(input)?;
    let (input, instance) = preceded(tag(" instance "), rest).parse(input)?;
    Ok((input, (version, trim_end(instance))))
}

/// `Defaulting server node name to '"08c3dfcac5a3"'.` (note the doubled quoting).
pub fn node_name(input: &[u8]) -> IResult<&[u8], &[u8]> {
    let (input, _) = tag("Defaulting server node name to ").parse(input)?;
    let (input, raw) = rest(input)?;
    let name = trim_matches(trim_end(raw), |b| matches!(b, b'\'' | b'"' | b'.'));
    Ok((input, name))
}

/// `Executing task "{description}" "{outcome}" after {ms}ms.`
#[allow(clippy::type_complexity)] // a nom production's natural (a, b, c) output
pub fn executing_task(input: &[u8]) -> IResult<&[u8], (&[u8], &[u8], f64)> {
    let (input, description) = preceded(tag("Executing task "), quoted).parse(input)?;
    let (input, outcome) = preceded(char(' '), quoted).parse(input)?;
    let (input, ms) = delimited(tag(" after "), millis, tag("ms")).parse(input)?;
    Ok((input, (description, outcome, ms)))
}

/// `Marking the task {description} as canceled because the node {node} went offline …`.
pub fn task_canceled_node_offline(input: &[u8]) -> IResult<&[u8], (&[u8], &[u8])> {
    let (input, _) = tag("Marking the task ").parse(input)?;
    let mid = b" as canceled because the node ";
    let fail = || nom::Err::Error(nom::error::Error::new(input, nom::error::ErrorKind::Tag));
    let i = memchr::memmem::find(input, mid).ok_or_else(fail)?;
    let description = &input[..i];
    let after = &input[i + mid.len()..];
    let j = memchr::memmem::find(after, b" went offline").ok_or_else(fail)?;
    Ok((&after[j..], (description, &after[..j])))
}

/// `85 transactions active`.
pub fn transactions_active(input: &[u8]) -> IResult<&[u8], u32> {
    terminated(number, tag(" transactions active")).parse(input)
}

/// `Transaction 'name' Open with 1 commands started at 2017-07-12T20:08:10 (27,070.73 seconds ago)`.
#[allow(clippy::type_complexity)] // a nom production's natural (a, b, c) output
pub fn dump_transaction(input: &[u8]) -> IResult<&[u8], (Option<&[u8]>, u32, f64)> {
    let (input, _) = tag("Transaction").parse(input)?;
    let (input, name) =
        opt(delimited(tag(" '"), take_till(|b| b == b'\''), char('\''))).parse(input)?;
    let (input, _state) = opt(preceded(char(' '), take_while1(is_alpha_not_w))).parse(input)?;
    let (input, commands) =
        delimited(tag(" with "), number, tag(" commands started at ")).parse(input)?;
    let (input, _start) = take_till1(|b| b == b' ')(input)?;
    let (input, age) =
        delimited(tag(" ("), take_till1(|b| b == b' '), tag(" seconds ago)")).parse(input)?;
    let age: String = age.iter().filter(|b| **b != b',').map(|b| *b as char).collect();
    let age_s = age.parse().unwrap_or(0.0);
    Ok((input, (name, commands, age_s)))
}

fn take_till<F: Fn(u8) -> bool>(f: F) -> impl Fn(&[u8]) -> IResult<&[u8], &[u8]> {
    move |i| nom::bytes::complete::take_till(&f)(i)
}

fn is_alpha_not_w(b: u8) -> bool {
    b.is_ascii_alphabetic() && b != b'w'
}

/// A Halibut line: `listen://[::]:10943/           1056  Accepted TCP client: …`.
pub fn halibut(input: &[u8]) -> IResult<&[u8], (&[u8], &[u8])> {
    let scheme = alt((
        tag("listen://"),
        tag("poll://"),
        tag("https://"),
        tag("http://"),
        tag("wss://"),
        tag("ws://"),
    ));
    let (input, endpoint) = recognize((scheme, take_till1(|b| b == b' '))).parse(input)?;
    let (input, _) = (space1, digit1, tag("  ")).parse(input)?;
    let (input, text) = rest(input)?;
    Ok((input, (endpoint, trim_end(text))))
}

fn is_upper(b: u8) -> bool {
    b.is_ascii_uppercase()
}

fn is_lower(b: u8) -> bool {
    b.is_ascii_lowercase()
}

/// Removes trailing spaces, tabs and a CR.
pub fn trim_end(mut s: &[u8]) -> &[u8] {
    while let [rest @ .., b' ' | b'\t' | b'\r'] = s {
        s = rest;
    }
    s
}

fn trim_matches(mut s: &[u8], f: impl Fn(u8) -> bool) -> &[u8] {
    while let [first, rest @ ..] = s {
        if !f(*first) {
            break;
        }
        s = rest;
    }
    while let [rest @ .., last] = s {
        if !f(*last) {
            break;
        }
        s = rest;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Clock;

    #[test]
    fn header_3x_without_pid() {
        let l = b"2016-05-30 12:09:20.4621     38  INFO  Request took 1320ms: POST http://x/api/users/login";
        let h = header(l).unwrap();
        assert_eq!(h.time.rfc3339(Clock::Local), "2016-05-30T12:09:20.462");
        assert_eq!((h.pid, h.tid, h.level), (None, 38, Level::Info));
        assert!(l[h.message_at..].starts_with(b"Request took"));
    }

    #[test]
    fn header_315_with_pid() {
        let l = b"2017-07-12 11:57:43.3142  15048      1  INFO  Loading plugins from: c:\\dev";
        let h = header(l).unwrap();
        assert_eq!((h.pid, h.tid, h.level), (Some(15048), 1, Level::Info));
        assert_eq!(&l[h.message_at..], b"Loading plugins from: c:\\dev");
    }

    #[test]
    fn header_with_zone_and_collapsed_spaces() {
        let l = b"2024-01-15 10:30:45.1234 +10:00  12345  67890  INFO  hi";
        let h = header(l).unwrap();
        assert_eq!(h.zone, Some(UtcOffset { minutes: 600 }));
        let z = header(b"2024-01-15 10:30:45.1234Z 7 1 WARN x").unwrap();
        assert_eq!((z.zone, z.level), (Some(UtcOffset::UTC), Level::Warn));
        let c = header(b"2018-11-05 21:21:21.9759 4868 1 INFO ====").unwrap();
        assert_eq!((c.pid, c.tid), (Some(4868), 1));
        let one = header(b"2024-08-23 18:47:24.0518      7      1  INFO Defaulting").unwrap();
        assert_eq!(one.pid, Some(7));
    }

    #[test]
    fn header_level_without_message() {
        let h = header(b"2016-05-30 08:49:44.9164   2283 ERROR").unwrap();
        assert_eq!(h.level, Level::Error);
        assert_eq!(h.message_at, 37);
    }

    #[test]
    fn non_headers() {
        assert!(header(b"2018-08-02T10:13:02 SELECT * FROM dbo.[Team]").is_none());
        assert!(header(b"   at System.Net.HttpResponseStream.Write()").is_none());
        assert!(header(b"Now: 2016-08-18T23:59:50").is_none());
        assert!(header(b"2016-05-30 12:09:20.4621     38  NOTICE  x").is_none());
        assert!(header(b"2016-05-30 12:09:20.4621 INFO x").is_none());
        assert_eq!(
            header_checked(b"2024-02-30 12:09:20.4621     38  INFO  x"),
            Err(HeaderError::InvalidTimestamp)
        );
    }

    #[test]
    fn request_took_with_and_without_correlation() {
        let (_, r) = request_took(b"Request took 59ms: GET http://demo/api/tasks?skip=0&name=Deploy 38f1b92930a84c31a7aa0e1068887a12").unwrap();
        assert_eq!(r.ms, 59.0);
        assert_eq!(r.method, b"GET");
        assert_eq!(r.url, b"http://demo/api/tasks?skip=0&name=Deploy");
        assert_eq!(r.correlation, Some(&b"38f1b92930a84c31a7aa0e1068887a12"[..]));
        let (_, r) = request_took(
            b"Request took 276126ms: GET https://t:8085/latest/api/Spaces-1/projects/",
        )
        .unwrap();
        assert_eq!((r.ms, r.correlation), (276126.0, None));
        assert!(request_took(b"Request took 99999999999999999999ms: GET /x").is_err());
    }

    #[test]
    fn http_completed_2025_and_2022() {
        let m = br#""HTTP" "GET" to "localhost:8080""/api/octopusservernodes/ping" "completed" with 200 in 00:00:00.0224869 (22ms) by "<anonymous>""#;
        let (_, r) = http_completed(m).unwrap();
        assert_eq!(
            (r.method, r.host, r.path, r.status, r.ms),
            (&b"GET"[..], &b"localhost:8080"[..], &b"/api/octopusservernodes/ping"[..], 200, 22.0)
        );
        let m = br#""HTTPS" "POST" to "octo.example.com/api/users/login" completed with 401 in 00:00:01.2500000 (1250.4ms)"#;
        let (_, r) = http_completed(m).unwrap();
        assert_eq!((r.status, r.ms, r.path), (401, 1250.4, &b""[..]));
    }

    #[test]
    fn sql_variants_r0_r1_r2() {
        let (_, s) = sql_took(b"Reader took 353ms (319ms until the first record): SELECT * FROM dbo.[Dashboard] ORDER BY Id").unwrap();
        assert_eq!(
            (s.operation, s.ms, s.first_record_ms, s.transaction),
            (&b"Reader"[..], 353.0, Some(319.0), None)
        );
        assert_eq!(s.statement, b"SELECT * FROM dbo.[Dashboard] ORDER BY Id");
        let (_, s) =
            sql_took(b"Executing reader took 60007ms in transaction 'DashboardFactory': ").unwrap();
        assert_eq!(
            (s.ms, s.transaction, s.statement),
            (60007.0, Some(&b"DashboardFactory"[..]), &b""[..])
        );
        let (_, s) = sql_took(b"Execute non query took 412ms in transaction 'ApplyRetentionPoliciesTaskController|ServerTasks-55-b097b4b7-e9a8-4822-bf5d-b3683391a9df|T110': DELETE FROM dbo.[Release] WHERE Id = @id").unwrap();
        assert_eq!(s.operation, b"Execute non query");
        assert!(s.transaction.unwrap().ends_with(b"|T110"));
        let (_, s) = sql_took(b"Insert took 301ms in transaction: INSERT INTO x").unwrap();
        assert_eq!((s.transaction, s.statement), (None, &b"INSERT INTO x"[..]));
        let (_, s) = sql_took(b"Reader took 588ms (4ms until the first record) in transaction 'http://octopus/api/events?regardingAny=ServerTasks-1234 ed1b1080c090462f9aaa52b7ccd6b314': SELECT *").unwrap();
        assert_eq!(s.statement, b"SELECT *");
        assert!(sql_took(b"Readers took 3ms: x").is_err());
    }

    #[test]
    fn banner_node_task_lines() {
        let (_, (v, i)) = version_banner(
            b"Octopus.Server version 2024.2.9409 (2024.2.9409) instance OctopusServer",
        )
        .unwrap();
        assert_eq!((v, i), (&b"2024.2.9409"[..], &b"OctopusServer"[..]));
        let (_, (v, _)) =
            version_banner(b"Octopus.Server.exe version 0.0.0-local (0.0.0-local) instance master")
                .unwrap();
        assert_eq!(v, b"0.0.0-local");
        assert_eq!(
            node_name(b"Defaulting server node name to '\"08c3dfcac5a3\"'.").unwrap().1,
            b"08c3dfcac5a3"
        );
        let (_, (d, o, ms)) = executing_task(b"Executing task \"Check target health for Default Machine Policy\" \"abandoned\" after 290ms.").unwrap();
        assert_eq!(
            (d, o, ms),
            (&b"Check target health for Default Machine Policy"[..], &b"abandoned"[..], 290.0)
        );
        let (_, (d, n)) = task_canceled_node_offline(b"Marking the task Deploy Web release 1.2 to Prod as canceled because the node NODE2 went offline and was unable to complete it.").unwrap();
        assert_eq!((d, n), (&b"Deploy Web release 1.2 to Prod"[..], &b"NODE2"[..]));
    }

    #[test]
    fn transactions_and_dump_lines() {
        assert_eq!(transactions_active(b"85 transactions active").unwrap().1, 85);
        let (_, (n, c, a)) = dump_transaction(b"Transaction 'OctopusPrincipalLoader' Open with 1 commands started at 2017-07-12T20:08:10 (27,070.73 seconds ago)").unwrap();
        assert_eq!((n, c, a), (Some(&b"OctopusPrincipalLoader"[..]), 1, 27070.73));
        let (_, (n, c, a)) = dump_transaction(
            b"Transaction with 0 commands started at 2016-08-16T18:38:38 (192,072.09 seconds ago)",
        )
        .unwrap();
        assert_eq!((n, c, a), (None, 0, 192072.09));
    }

    #[test]
    fn halibut_lines() {
        let (_, (e, t)) = halibut(b"listen://[::]:10943/           1056  Accepted TCP client: [::ffff:82.208.129.105]:63248").unwrap();
        assert_eq!(e, b"listen://[::]:10943/");
        assert_eq!(t, b"Accepted TCP client: [::ffff:82.208.129.105]:63248");
        let (_, (e, _)) = halibut(b"poll://b2yf9fvn5hggm5hvjz72/   1717  Request IScriptService::GetStatus[610] was queued").unwrap();
        assert_eq!(e, b"poll://b2yf9fvn5hggm5hvjz72/");
        assert!(halibut(b"https://example.com is down").is_err());
    }

    #[test]
    fn request_start_trace() {
        let (_, (m, u, c)) =
            request_start(b"GET   http://demo/api/tasks?skip=0 beb82d8faa3843d0beead27d4ed7ef4e")
                .unwrap();
        assert_eq!((m, u), (&b"GET"[..], &b"http://demo/api/tasks?skip=0"[..]));
        assert!(c.is_some());
        assert!(request_start(b"GET something else").is_err());
    }
}
