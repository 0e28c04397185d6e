//! W3C extended logs: Octopus's own request log (`Web-yyyy-MM-dd.log`) and IIS
//! logs (`u_ex*.log`) of an IIS reverse proxy in front of Octopus.
//!
//! ```text
//! #Software: Octopus Deploy 0.0.0-local           ◄── directives: `#Name: value`
//! #Version: 1.0
//! #Date: 2017-03-28 03:49:55
//! #Fields: date time cs-method cs-uri-stem s-port cs-username c-ip sc-status time-taken
//! 2017-03-28→03:50:10→GET→/api/tasks→8065→admin→::1→200→1327      ◄── one request per line
//! ```
//!
//! Framing is one entry per line. The column map comes from the latest
//! `#Fields:` directive ([`fields::FieldMap`]): a restarted writer repeats the
//! directives, possibly with other fields, so it is rebuilt whenever one
//! appears. `-` is an empty value; IIS writes `+` for spaces inside values
//! ([`crate::event::AccessDetail::plus_is_space`]).
//!
//! Clock: `date` and `time` are UTC (IIS: "the time, in coordinated universal
//! time (UTC)"; SeqFlatFileImport reads Octopus's the same way), whole seconds,
//! and written when the response has been sent: `time-taken` (milliseconds) is
//! measured from the first byte of the request to the last of the response, so
//! the event's time is the request's end, as for the server log's `Request
//! took` lines. Lines are not always in time order (octopus.md §1.8.1): they are
//! kept as logged.

pub mod fields;

#[cfg(test)]
mod tests;

use self::fields::{FieldMap, Row, Slot};
use crate::access_log::common::{decimal, int, lines, Collector, LineRequest};
use crate::event::{AccessDetail, AccessOrigin, SourceId};
use crate::parse::Parsed;
use crate::server_log::framing::Line;
use crate::server_log::EventSink;
use crate::time::{digits, Clock, Timestamp};

/// Parses a W3C log written by `origin` (Octopus or IIS), keeping its events
/// in [`Parsed::events`].
pub fn parse(id: SourceId, bytes: &[u8], origin: AccessOrigin) -> Parsed {
    let mut events = Vec::new();
    let mut parsed = parse_into(id, bytes, origin, &mut events);
    parsed.events = events;
    parsed
}

/// Parses a W3C log, handing each event to `sink` in file order (line numbers final).
pub fn parse_into(
    id: SourceId,
    bytes: &[u8],
    origin: AccessOrigin,
    sink: &mut dyn EventSink,
) -> Parsed {
    let out = Collector::new(id, bytes, sink);
    let mut r = Reader { out, origin, map: None, date: None };
    let mut n = 0u64;
    for line in lines(bytes) {
        n += 1;
        r.line(&line, n);
    }
    r.out.finish(n)
}

/// State carried from line to line: the column map and the `#Date:` directive.
struct Reader<'a> {
    out: Collector<'a>,
    origin: AccessOrigin,
    map: Option<FieldMap>,
    /// The date of the latest `#Date:` directive, for logs without a `date` field.
    date: Option<Timestamp>,
}

impl Reader<'_> {
    fn line(&mut self, line: &Line<'_>, n: u64) {
        let text = line.text;
        if text.iter().all(|b| b.is_ascii_whitespace()) {
            return;
        }
        if let Some(d) = text.strip_prefix(b"#") {
            return self.directive(d, n);
        }
        let Some(map) = &self.map else {
            return self.out.skip_run(n, "before any #Fields directive");
        };
        match map.split(text) {
            Ok(row) => self.row(line, n, &row),
            Err(got) => {
                let reason =
                    format!("{got} values where #Fields lists {}; line skipped", map.len());
                self.out.problem(n, reason)
            }
        }
    }

    fn directive(&mut self, d: &[u8], n: u64) {
        if let Some(names) = strip_name(d, b"Fields:") {
            let map = FieldMap::parse(names);
            if map.is_empty() {
                self.out.problem(n, "#Fields names no field");
            } else if !map.has(Slot::TimeTaken) && self.map.is_none() {
                self.out.whole_problem("no time-taken field: request durations unknown (0)");
            }
            self.map = Some(map);
        } else if let Some(value) = strip_name(d, b"Date:") {
            self.date = date(trim(value));
        }
    }

    fn row(&mut self, line: &Line<'_>, n: u64, row: &Row<'_>) {
        let Some(end) = self.time(row) else {
            return self.out.problem(n, "no valid date and time; line skipped");
        };
        let (Some(method), Some(url)) = (row.get(Slot::Method), row.get(Slot::Stem)) else {
            return self.out.other(line, n, (end, Clock::Utc));
        };
        let status = row.get(Slot::Status).map(int::<u16>);
        let taken = row.get(Slot::TimeTaken).map(decimal);
        if status == Some(None) || taken == Some(None) {
            return self.out.problem(n, "sc-status or time-taken is not a number; line skipped");
        }
        let detail = self.detail(row, taken.is_none());
        let request = LineRequest {
            end: (end, Clock::Utc),
            method: self.out.text(method),
            url: self.out.text(url),
            host: self.out.opt_text(row.get(Slot::Host)),
            duration_ms: taken.flatten().unwrap_or(0.0),
            status: status.flatten(),
            detail,
        };
        self.out.request(line, n, request);
    }

    fn detail(&self, row: &Row<'_>, untimed: bool) -> AccessDetail {
        let o = &self.out;
        let mut d = AccessDetail::new(self.origin);
        d.untimed = untimed;
        d.plus_is_space = self.origin == AccessOrigin::Iis;
        d.query = o.opt_text(row.get(Slot::Query));
        d.client = o.opt_text(row.get(Slot::ClientIp));
        d.user = o.opt_text(row.get(Slot::User));
        d.user_agent = o.opt_text(row.get(Slot::UserAgent));
        d.server_port = row.get(Slot::Port).and_then(int);
        d.substatus = row.get(Slot::Substatus).and_then(int);
        d.win32_status = row.get(Slot::Win32).and_then(int);
        d.bytes_sent = row.get(Slot::BytesSent).and_then(int);
        d.bytes_received = row.get(Slot::BytesReceived).and_then(int);
        d
    }

    /// `date` + `time` (or the `#Date:` directive's date + `time`), UTC.
    fn time(&mut self, row: &Row<'_>) -> Option<Timestamp> {
        let day = match row.get(Slot::Date) {
            Some(d) if d.len() == 10 => self.out.days.get(d, || date(d))?,
            Some(_) => return None,
            None => self.date?.start_of_day(),
        };
        Some(day.add_micros(time_of_day(row.get(Slot::Time)?)?))
    }
}

/// The value of a `#Name: value` directive (name matched case-insensitively).
fn strip_name<'a>(d: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let head = d.get(..name.len())?;
    head.eq_ignore_ascii_case(name).then(|| &d[name.len()..])
}

fn trim(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !c.is_ascii_whitespace()).map_or(start, |e| e + 1);
    &b[start..end.max(start)]
}

/// `yyyy-MM-dd` (anything after the date, such as `#Date:`'s time, ignored) as midnight.
pub fn date(b: &[u8]) -> Option<Timestamp> {
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (digits::<4>(b)?, digits::<2>(&b[5..])?, digits::<2>(&b[8..])?);
    Timestamp::from_civil(y as i32, m, d, 0, 0, 0, 0)
}

/// `HH:mm:ss` with an optional fraction, as microseconds since midnight.
pub fn time_of_day(b: &[u8]) -> Option<i64> {
    if b.len() < 8 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    let (h, m, s) = (digits::<2>(b)?, digits::<2>(&b[3..])?, digits::<2>(&b[6..])?);
    if h > 23 || m > 59 || s > 59 {
        return None;
    }
    let micros = match &b[8..] {
        [] => 0,
        [b'.', frac @ ..] if !frac.is_empty() && frac.len() <= 7 => {
            let v: u64 = int(frac)?;
            (v as f64 * 10f64.powi(6 - frac.len() as i32)) as i64
        }
        _ => return None,
    };
    Some((h as i64 * 3600 + m as i64 * 60 + s as i64) * 1_000_000 + micros)
}
