//! What every request-log parser shares: the collector that turns lines into
//! request events and problems, and the small value parsers.

use crate::error::{Problem, Problems};
use crate::event::{AccessDetail, Event, EventKind, Level, Request, SourceId, Text};
use crate::parse::Parsed;
use crate::server_log::framing::Line;
use crate::server_log::EventSink;
use crate::time::{Clock, Timestamp};

/// Gathers one source's counts and problems while its lines are read, and
/// hands each event to the caller's sink as it is made (as the server-log
/// parser does): `inputs` drops them, analysis folds them, `events` keeps them.
pub(crate) struct Collector<'a> {
    id: SourceId,
    bytes: &'a [u8],
    sink: &'a mut dyn EventSink,
    /// Earliest and latest event time, and the clock of the first.
    span: Option<(Timestamp, Timestamp, Clock)>,
    problems: Problems,
    entries: u64,
    skipped: u64,
    /// Consecutive lines skipped for the same reason, reported as one problem:
    /// (first line, count, reason).
    run: Option<(u64, u64, &'static str)>,
    /// The last date seen, for the line parsers.
    pub days: DayCache,
}

/// Remembers the midnight of the last date text seen: consecutive lines share
/// their date, and the calendar arithmetic is then skipped.
#[derive(Debug, Default)]
pub(crate) struct DayCache {
    key: [u8; 11],
    day: Option<Timestamp>,
}

impl DayCache {
    /// The midnight of the date written `key` (at most 11 bytes), computed by `day` when new.
    #[inline]
    pub fn get(
        &mut self,
        key: &[u8],
        day: impl FnOnce() -> Option<Timestamp>,
    ) -> Option<Timestamp> {
        let Ok(k) = <[u8; 11]>::try_from(key) else {
            let mut padded = [0u8; 11];
            padded.get_mut(..key.len())?.copy_from_slice(key);
            return self.get(&padded, day);
        };
        if self.day.is_some() && k == self.key {
            return self.day;
        }
        let d = day()?;
        (self.key, self.day) = (k, Some(d));
        Some(d)
    }
}

/// A request read from one line, before it becomes an [`Event`].
pub(crate) struct LineRequest {
    /// When the request ended (the event's time), and on which clock.
    pub end: (Timestamp, Clock),
    /// Method.
    pub method: Text,
    /// Path, with the query unless the log keeps it apart.
    pub url: Text,
    /// Host, when logged apart.
    pub host: Option<Text>,
    /// Total duration in milliseconds.
    pub duration_ms: f64,
    /// Status returned to the client.
    pub status: Option<u16>,
    /// The rest.
    pub detail: AccessDetail,
}

impl<'a> Collector<'a> {
    /// A collector for the source `bytes` (the whole source: spans index it),
    /// whose events go to `sink`.
    pub fn new(id: SourceId, bytes: &'a [u8], sink: &'a mut dyn EventSink) -> Collector<'a> {
        Collector {
            id,
            bytes,
            sink,
            span: None,
            problems: Problems::default(),
            entries: 0,
            skipped: 0,
            run: None,
            days: DayCache::default(),
        }
    }

    /// A span over `sub`, which lies inside the source.
    #[inline]
    pub fn text(&self, sub: &[u8]) -> Text {
        Text::span_of(self.bytes, 0, sub)
    }

    /// A span over `sub`, or `None` for nothing or `-`.
    #[inline]
    pub fn opt_text(&self, sub: Option<&[u8]>) -> Option<Text> {
        sub.filter(|s| !s.is_empty() && *s != b"-").map(|s| self.text(s))
    }

    /// Records a request read from `line` (its 1-based number `line_no`).
    pub fn request(&mut self, line: &Line<'_>, line_no: u64, r: LineRequest) {
        let level = match r.status {
            Some(s) if s >= 500 => Level::Warn,
            _ => Level::Info,
        };
        let request = Request {
            method: r.method,
            url: r.url,
            host: r.host,
            duration_ms: r.duration_ms,
            status: r.status,
            correlation_id: None,
            browser: None,
            access: Some(Box::new(r.detail)),
        };
        self.push(line, line_no, r.end, level, EventKind::Request(request));
    }

    /// Records a line that is a well-formed entry but not a request (a proxy's
    /// own message, a request line that names no method): kept as a `log` event.
    pub fn other(&mut self, line: &Line<'_>, line_no: u64, time: (Timestamp, Clock)) {
        self.push(line, line_no, time, Level::Info, EventKind::Log);
    }

    /// Like [`Collector::other`], at the level the line gives.
    pub fn other_at(&mut self, line: &Line<'_>, n: u64, time: (Timestamp, Clock), level: Level) {
        self.push(line, n, time, level, EventKind::Log);
    }

    fn push(
        &mut self,
        line: &Line<'_>,
        line_no: u64,
        t: (Timestamp, Clock),
        l: Level,
        k: EventKind,
    ) {
        self.flush_run();
        self.entries += 1;
        self.span = Some(match self.span {
            Some((a, b, c)) => (a.min(t.0), b.max(t.0), c),
            None => (t.0, t.0, t.1),
        });
        let event = Event {
            time: t.0,
            clock: t.1,
            source: self.id,
            line: line_no,
            lines: 1,
            offset: line.at as u64,
            len: u32::try_from(line.text.len()).unwrap_or(u32::MAX),
            level: l,
            kind: k,
        };
        self.sink.event(event, self.bytes);
    }

    /// Records an unusable line.
    pub fn problem(&mut self, line_no: u64, reason: impl Into<String>) {
        self.flush_run();
        self.skipped += 1;
        self.problems.push(Problem::at_line(line_no, reason));
    }

    /// Skips a line that is not in the log's format (another program's output
    /// in the same file): consecutive such lines make one problem,
    /// `N lines {reason} (lines a-b)`.
    pub fn skip_run(&mut self, line_no: u64, reason: &'static str) {
        self.skipped += 1;
        match &mut self.run {
            Some((first, count, r)) if *r == reason && *first + *count == line_no => *count += 1,
            _ => {
                self.flush_run();
                self.run = Some((line_no, 1, reason));
            }
        }
    }

    fn flush_run(&mut self) {
        if let Some((first, count, reason)) = self.run.take() {
            let text = match count {
                1 => format!("line {reason}; skipped"),
                _ => format!("{count} lines {reason} (lines {first}-{})", first + count - 1),
            };
            self.problems.push(Problem::at_line(first, text));
        }
    }

    /// Records a problem about the whole source.
    pub fn whole_problem(&mut self, reason: impl Into<String>) {
        self.problems.push(Problem::whole(reason));
    }

    /// The result, `lines` being the number of physical lines read.
    pub fn finish(mut self, lines: u64) -> Parsed {
        self.flush_run();
        Parsed {
            entries: self.entries,
            lines,
            skipped_lines: self.skipped,
            problems: self.problems,
            first: self.span.map(|(a, _, c)| (a, c)),
            last: self.span.map(|(_, b, c)| (b, c)),
            ..Parsed::default()
        }
    }
}

/// The lines of a source with a UTF-8 BOM removed from the first; `at` is the
/// offset in the whole source.
pub(crate) fn lines(bytes: &[u8]) -> impl Iterator<Item = Line<'_>> {
    crate::server_log::framing::Lines::new(bytes).map(|l| {
        match l.text.strip_prefix(b"\xEF\xBB\xBF") {
            Some(rest) if l.at == 0 => Line { at: 3, text: rest },
            _ => l,
        }
    })
}

/// A decimal integer that fits in `T`, or `None`.
#[inline]
pub(crate) fn int<T: TryFrom<u64>>(d: &[u8]) -> Option<T> {
    if d.is_empty() || d.len() > 19 {
        return None;
    }
    let mut v: u64 = 0;
    for &c in d {
        let digit = c.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        v = v * 10 + digit as u64;
    }
    T::try_from(v).ok()
}

/// A non-negative decimal number (`12`, `0.123`), or `None`.
#[inline]
pub(crate) fn decimal(d: &[u8]) -> Option<f64> {
    let (whole, frac) = match memchr::memchr(b'.', d) {
        Some(i) => (&d[..i], &d[i + 1..]),
        None => (d, &b""[..]),
    };
    if whole.is_empty() || frac.len() > 9 {
        return None;
    }
    const SCALE: [f64; 10] = [1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
    let w: u64 = int(whole)?;
    if frac.is_empty() {
        return Some(w as f64);
    }
    let f: u64 = int(frac)?;
    Some(w as f64 + f as f64 / SCALE[frac.len()])
}

/// Seconds with a fraction (`$request_time`, `0.004`) as milliseconds; `-` is `None`.
#[inline]
pub(crate) fn seconds_as_ms(d: &[u8]) -> Option<f64> {
    decimal(d).map(|s| (s * 1_000_000.0).round() / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_refuse_junk_and_overflow() {
        assert_eq!(int::<u16>(b"200"), Some(200));
        assert_eq!(int::<u16>(b"70000"), None);
        assert_eq!(int::<u16>(b"-1"), None);
        assert_eq!(int::<u64>(b""), None);
        assert_eq!(int::<u64>(b"12a"), None);
    }

    #[test]
    fn decimals_and_seconds() {
        assert_eq!(decimal(b"1327"), Some(1327.0));
        assert_eq!(decimal(b"0.5"), Some(0.5));
        assert_eq!(decimal(b".5"), None);
        assert_eq!(decimal(b"1."), Some(1.0));
        assert_eq!(seconds_as_ms(b"0.004"), Some(4.0));
        assert_eq!(seconds_as_ms(b"12.345"), Some(12345.0));
        assert_eq!(seconds_as_ms(b"-"), None);
    }

    #[test]
    fn day_cache_reuses_and_recomputes() {
        let mut c = DayCache::default();
        let calls = std::cell::Cell::new(0);
        let day = |d: i64| {
            calls.set(calls.get() + 1);
            Some(Timestamp(d))
        };
        assert_eq!(c.get(b"10/Oct/2025", || day(1)), Some(Timestamp(1)));
        assert_eq!(c.get(b"10/Oct/2025", || day(2)), Some(Timestamp(1)));
        assert_eq!(c.get(b"2025-10-11", || day(3)), Some(Timestamp(3)));
        assert_eq!(c.get(b"bad", || None), None);
        assert_eq!(c.get(b"2025-10-11", || day(4)), Some(Timestamp(3)), "a failure keeps the last");
        assert_eq!(calls.get(), 2);
    }

    #[test]
    fn bom_is_removed_from_the_first_line_only() {
        let l: Vec<_> = lines(b"\xEF\xBB\xBFa\n\xEF\xBB\xBFb").map(|l| (l.at, l.text)).collect();
        assert_eq!(l, vec![(3, &b"a"[..]), (5, &b"\xEF\xBB\xBFb"[..])]);
    }
}
