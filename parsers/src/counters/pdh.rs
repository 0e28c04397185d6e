//! PDH-CSV 4.0 and PDH-TSV from perfmon, `typeperf`, `relog`, `logman` (`exports.md` §4.2).
//!
//! ```text
//! "(PDH-CSV 4.0) (Eastern Daylight Time)(240)","\\SQL01\Memory\Pages/sec","\\SQL01\PhysicalDisk(0 D:)\% Disk Time"
//! "09/08/2002 12:35:45.166","11.296813511113458","7.0625001143654654e"
//! "09/08/2002 12:36:00.167"," ","2.8829087316668804"
//! Exiting, please wait...
//! ```
//!
//! * Header: the first field carries the time-zone bias in its **last** `(…)`
//!   group (zone names can hold parentheses); UTC = local + bias minutes. No
//!   bias (typeperf to the console) leaves the series on the local clock.
//! * Rows: `MM/DD/YYYY HH:MM:SS.fff` local time, then one value per column; `" "`
//!   and `""` are blank, anything not a finite number is counted as unparsable.
//! * The bias is written once, so a daylight-saving change inside the file shows
//!   as local time going back (repeated hour) or jumping an hour: both are
//!   reported as clock problems on the row where they happen.
//! * Lines that do not start with `"` (typeperf's `Exiting, please wait...`,
//!   `The command completed successfully.`) are skipped with a note.
//! * Counter paths are split from the right (instances may hold `\`, `(`, `/`, `#`).

use std::borrow::Cow;

use super::kinds::classify_windows;
use super::series::{CounterSeries, SeriesKind};
use crate::error::Problem;
use crate::event::SourceId;
use crate::parse::Parsed;
use crate::time::{Clock, Timestamp, UtcOffset};

/// Parses a PDH-CSV/TSV source.
pub fn parse(_id: SourceId, bytes: &[u8]) -> Parsed {
    let text = String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes));
    let mut reader = Reader::default();
    for (number, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        reader.line(number as u64 + 1, line);
    }
    let lines = text.split('\n').count() - usize::from(text.ends_with('\n'));
    reader.finish(lines as u64)
}

#[derive(Default)]
struct Reader {
    parsed: Parsed,
    header: Option<Header>,
    series: Vec<CounterSeries>,
    /// Local time of the previous row, and the first interval seen.
    previous: Option<Timestamp>,
    interval: Option<i64>,
    trailer: u64,
}

/// What the header line says.
#[derive(Debug, PartialEq)]
struct Header {
    sep: char,
    /// Minutes to add to local time to get UTC, when written.
    bias: Option<i32>,
}

impl Reader {
    fn line(&mut self, number: u64, line: &str) {
        if line.trim().is_empty() {
            return;
        }
        if !line.starts_with('"') {
            self.trailer += 1;
            self.parsed.skipped_lines += 1;
            return;
        }
        match self.header {
            None => self.header_line(line),
            Some(_) => self.row(number, line),
        }
    }

    fn header_line(&mut self, line: &str) {
        let sep = if line.contains("\"\t\"") { '\t' } else { ',' };
        let mut fields = Fields::new(line, sep);
        let first = fields.next().unwrap_or_default();
        let bias = header_bias(&first);
        let clock = if bias.is_some() { Clock::Utc } else { Clock::Local };
        self.series = fields.map(|path| series_of(&path, clock)).collect();
        scale_process_cpu(&mut self.series);
        self.header = Some(Header { sep, bias });
    }

    fn row(&mut self, number: u64, line: &str) {
        let Some(header) = &self.header else { return };
        let (sep, bias) = (header.sep, header.bias);
        let mut fields = Fields::new(line, sep);
        let stamp = fields.next().unwrap_or_default();
        let Some(local) = pdh_time(&stamp) else {
            self.parsed.skipped_lines += 1;
            let reason =
                format!("not a PDH timestamp (MM/DD/YYYY HH:MM:SS.fff): '{stamp}'; row skipped");
            return self.parsed.problems.push(Problem::at_line(number, reason));
        };
        self.check_clock(number, local);
        let time = match bias {
            Some(b) => local.local_to_utc(UtcOffset { minutes: -b }),
            None => local,
        };
        let mut values = 0usize;
        for value in fields {
            if let Some(series) = self.series.get_mut(values) {
                push_value(series, time, &value);
            }
            values += 1;
        }
        if values != self.series.len() {
            let reason = format!("{values} values for {} counters", self.series.len());
            self.parsed.problems.push(Problem::at_line(number, reason));
        }
        self.parsed.entries += 1;
        self.span(time);
    }

    fn span(&mut self, time: Timestamp) {
        let clock = self.series.first().map_or(Clock::Local, |s| s.clock);
        if self.parsed.first.is_none_or(|(f, _)| time < f) {
            self.parsed.first = Some((time, clock));
        }
        if self.parsed.last.is_none_or(|(l, _)| time > l) {
            self.parsed.last = Some((time, clock));
        }
    }

    /// Reports local time going back (a repeated hour) or jumping about an hour
    /// (a skipped one): the fixed header bias is wrong on one side of such a change.
    fn check_clock(&mut self, number: u64, local: Timestamp) {
        let Some(previous) = self.previous.replace(local) else { return };
        let delta = local.0 - previous.0;
        let interval = *self.interval.get_or_insert(delta.max(1));
        const HOUR: i64 = 3_600_000_000;
        let reason = if delta < 0 {
            format!(
                "clock: local time goes back by {:.0} s (a daylight-saving change? the header's \
                 bias is fixed, so times on one side of it are an hour off)",
                -delta as f64 / 1e6
            )
        } else if interval < HOUR / 4 && (delta - HOUR - interval).abs() <= interval.max(1_000_000)
        {
            "clock: local time jumps forward by about an hour (a daylight-saving change? the \
             header's bias is fixed, so times on one side of it are an hour off)"
                .to_string()
        } else {
            return;
        };
        self.parsed.problems.push(Problem::at_line(number, reason));
    }

    fn finish(mut self, lines: u64) -> Parsed {
        self.parsed.lines = lines;
        if self.header.is_none() {
            self.parsed.problems.push(Problem::whole("no PDH-CSV header line found"));
        }
        if self.trailer > 0 {
            self.parsed.notes.push(format!(
                "{} lines that are not CSV rows skipped (typeperf's closing messages)",
                self.trailer
            ));
        }
        super::note_bad_values(&mut self.parsed, &self.series);
        let hosts: Vec<&str> = self.series.iter().filter_map(|s| s.host.as_deref()).collect();
        if let Some(first) = hosts.first().filter(|h| hosts.iter().all(|x| x == *h)) {
            self.parsed.node = Some(first.to_string());
        }
        self.parsed.series = self.series;
        self.parsed
    }
}

fn push_value(series: &mut CounterSeries, time: Timestamp, value: &str) {
    let v = value.trim();
    if v.is_empty() {
        series.blank += 1;
        return;
    }
    match v.parse::<f64>() {
        Ok(x) if x.is_finite() => series.points.push((time, x * series.scale)),
        _ => series.unparsable += 1,
    }
}

fn series_of(path: &str, clock: Clock) -> CounterSeries {
    let p = counter_path(path);
    let mut s = CounterSeries::new(p.object, p.counter, clock);
    s.host = p.host.map(str::to_string);
    s.instance = p.instance.map(str::to_string);
    classify_windows(&mut s);
    s
}

/// Per-process CPU is per logical CPU (314 = 3.14 CPUs): when the file also has
/// `Processor(N)` (or `Processor Information(G,N)`) instances, their number is the
/// core count, and process CPU is divided by it to read 0–100 of the machine.
fn scale_process_cpu(series: &mut [CounterSeries]) {
    let cores = series
        .iter()
        .filter(|s| s.kind == SeriesKind::HostCpuPercent)
        .filter_map(|s| s.instance.as_deref())
        .filter(|i| i.bytes().all(|b| b.is_ascii_digit() || b == b','))
        .filter(|i| !i.is_empty())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    if cores == 0 {
        return;
    }
    for s in series.iter_mut().filter(|s| s.kind == SeriesKind::ProcessCpuPercentOfOneCpu) {
        s.kind = SeriesKind::ProcessCpuPercent;
        s.scale = 1.0 / cores as f64;
    }
}

/// The bias in minutes from the header's first field: the integer in its last
/// `(…)` group (`(PDH-CSV 4.0) (Paris, Madrid (heure d'été))(-120)` → -120).
fn header_bias(field: &str) -> Option<i32> {
    let t = field.trim_end();
    let inner = t.strip_suffix(')')?;
    let open = inner.rfind('(')?;
    inner[open + 1..].trim().parse().ok()
}

/// The parts of a counter path.
#[derive(Debug, PartialEq, Eq)]
struct PdhPath<'a> {
    host: Option<&'a str>,
    object: &'a str,
    instance: Option<&'a str>,
    counter: &'a str,
}

/// `\\HOST\Object(instance)\Counter` or `\Object\Counter`, split from the right.
fn counter_path(path: &str) -> PdhPath<'_> {
    let (host, rest) = match path.strip_prefix("\\\\") {
        Some(r) => match r.split_once('\\') {
            Some((h, rest)) => (Some(h), rest),
            None => (None, r),
        },
        None => (None, path.strip_prefix('\\').unwrap_or(path)),
    };
    let (object_part, counter) = rest.rsplit_once('\\').unwrap_or(("", rest));
    let (object, instance) = split_instance(object_part);
    PdhPath { host, object, instance, counter }
}

/// `Object(inst(a)nce)` → (`Object`, `inst(a)nce`): the outermost parentheses that
/// close at the end.
fn split_instance(part: &str) -> (&str, Option<&str>) {
    let Some(inner_end) = part.strip_suffix(')').map(str::len) else { return (part, None) };
    let mut depth = 0i32;
    for (i, c) in part[..inner_end].char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' if depth == 0 => return (&part[..i], Some(&part[i + 1..inner_end])),
            '(' => depth -= 1,
            _ => {}
        }
    }
    (part, None)
}

/// `MM/DD/YYYY HH:MM:SS.fff` (any number of fraction digits, or none).
fn pdh_time(field: &str) -> Option<Timestamp> {
    let (date, time) = field.trim().split_once(' ')?;
    let mut d = date.split('/');
    let (month, day, year) =
        (d.next()?.parse().ok()?, d.next()?.parse().ok()?, d.next()?.parse().ok()?);
    if d.next().is_some() {
        return None;
    }
    let (hms, fraction) = time.split_once('.').unwrap_or((time, ""));
    let mut t = hms.split(':');
    let (hour, minute, second) =
        (t.next()?.parse().ok()?, t.next()?.parse().ok()?, t.next()?.parse().ok()?);
    let micros = fraction_micros(fraction)?;
    Timestamp::from_civil(year, month, day, hour, minute, second, micros)
}

/// `166` → 166000 µs; `1234567` → 123456 µs.
pub(super) fn fraction_micros(fraction: &str) -> Option<u32> {
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits: String = fraction.chars().chain(std::iter::repeat('0')).take(6).collect();
    digits.parse().ok()
}

/// The fields of one CSV/TSV line: quoted (`""` is a quote) or bare.
pub(super) struct Fields<'a> {
    rest: Option<&'a str>,
    sep: char,
}

impl<'a> Fields<'a> {
    pub(super) fn new(line: &'a str, sep: char) -> Self {
        Fields { rest: Some(line), sep }
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = Cow<'a, str>;

    fn next(&mut self) -> Option<Cow<'a, str>> {
        let rest = self.rest?;
        let Some(quoted) = rest.strip_prefix('"') else {
            let (field, after) = match rest.find(self.sep) {
                Some(i) => (&rest[..i], Some(&rest[i + 1..])),
                None => (rest, None),
            };
            self.rest = after;
            return Some(Cow::Borrowed(field));
        };
        let (field, after) = quoted_field(quoted);
        self.rest = after
            .and_then(|a| a.strip_prefix(self.sep).or(if a.is_empty() { None } else { Some(a) }));
        Some(field)
    }
}

/// A quoted field's content (after the opening quote) and the text after its closing quote.
fn quoted_field(s: &str) -> (Cow<'_, str>, Option<&str>) {
    let mut owned: Option<String> = None;
    let mut from = 0;
    while let Some(i) = s[from..].find('"').map(|i| from + i) {
        if s[i + 1..].starts_with('"') {
            owned.get_or_insert_with(String::new).push_str(&s[from..=i]);
            from = i + 2;
            continue;
        }
        let field = match owned {
            Some(mut o) => {
                o.push_str(&s[from..i]);
                Cow::Owned(o)
            }
            None => Cow::Borrowed(&s[..i]),
        };
        return (field, Some(&s[i + 1..]));
    }
    // No closing quote: the rest of the line.
    (
        owned.map_or(Cow::Borrowed(s), |mut o| {
            o.push_str(&s[from..]);
            Cow::Owned(o)
        }),
        None,
    )
}

#[cfg(test)]
mod tests;
