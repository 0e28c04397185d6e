//! `dotnet-counters collect --format csv` (dotnet/diagnostics `CSVExporter`):
//! long format, one counter per row.
//!
//! ```text
//! Timestamp,Provider,Counter Name,Counter Type,Mean/Increment
//! 11/27/2026 10:51:05 AM,System.Runtime,CPU Usage (%),Metric,12.5
//! 11/27/2026 10:51:05 AM,System.Runtime,Working Set (MB),Metric,812
//! 11/27/2026 10:51:06 AM,Microsoft.AspNetCore.Hosting,Request Rate (Count / 1 sec),Rate,40
//! ```
//!
//! The timestamp is .NET's `DateTime.ToString()` in the collecting machine's
//! culture, local time, no zone: ISO, `M/D/YYYY h:mm:ss AM|PM`, day-first
//! (`D/M/YYYY`, `D.M.YYYY`) forms are read; whether slashed dates are month- or
//! day-first is decided once per file (a first part above 12 means day-first;
//! month-first otherwise, as en-US and the invariant culture write). Tags
//! (`[a=b;c=d]`) stay in the counter name. One [`CounterSeries`] per
//! (provider, counter); the counter type is kept as the `type` label.

use std::collections::HashMap;

use super::kinds::{apply, dotnet_meaning};
use super::series::CounterSeries;
use crate::error::Problem;
use crate::event::SourceId;
use crate::parse::Parsed;
use crate::time::{parse_iso8601, Clock, Timestamp};

/// Parses a dotnet-counters CSV source.
pub fn parse(_id: SourceId, bytes: &[u8]) -> Parsed {
    let text = String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes));
    let day_first = text.lines().skip(1).filter_map(|l| l.split(',').next()).any(is_day_first);
    let mut parsed = Parsed::default();
    let mut series: Vec<CounterSeries> = Vec::new();
    // Provider → counter → series: looked up by borrowed names, no allocation per row.
    let mut index: HashMap<String, HashMap<String, usize>> = HashMap::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        parsed.lines = i as u64 + 1;
        let line = line.trim_end();
        if line.is_empty() {
            continue;
        }
        let Some(row) = row(line, day_first) else {
            parsed.skipped_lines += 1;
            parsed.problems.push(Problem::at_line(i as u64 + 1, "not a dotnet-counters row"));
            continue;
        };
        parsed.entries += 1;
        let known = index.get(row.provider).and_then(|c| c.get(row.counter)).copied();
        let n = known.unwrap_or_else(|| {
            series.push(new_series(&row));
            let counters = index.entry(row.provider.to_string()).or_default();
            counters.insert(row.counter.to_string(), series.len() - 1);
            series.len() - 1
        });
        let s = &mut series[n];
        match row.value.trim().parse::<f64>() {
            Ok(v) if v.is_finite() => s.points.push((row.time, v * s.scale)),
            _ if row.value.trim().is_empty() => s.blank += 1,
            _ => s.unparsable += 1,
        }
    }
    super::note_bad_values(&mut parsed, &series);
    parsed.series = series;
    parsed
}

struct Row<'a> {
    time: Timestamp,
    provider: &'a str,
    counter: &'a str,
    kind: &'a str,
    value: &'a str,
}

/// Timestamp and provider from the left, value and type from the right: the
/// counter name in the middle may hold commas.
fn row(line: &str, day_first: bool) -> Option<Row<'_>> {
    let (stamp, rest) = line.split_once(',')?;
    let (provider, rest) = rest.split_once(',')?;
    let (rest, value) = rest.rsplit_once(',')?;
    let (counter, kind) = rest.rsplit_once(',')?;
    let time = dotnet_time(stamp, day_first)?;
    Some(Row { time, provider, counter, kind, value })
}

fn new_series(row: &Row<'_>) -> CounterSeries {
    let mut s = CounterSeries::new(row.provider, row.counter, Clock::Local);
    apply(&mut s, dotnet_meaning(row.counter));
    s.labels.push(("type".to_string(), row.kind.to_string()));
    s
}

/// Whether a slashed or dotted date's first part is above 12 (so day-first).
fn is_day_first(stamp: &str) -> bool {
    let date = stamp.split(' ').next().unwrap_or_default();
    let first = date.split(['/', '.']).next().unwrap_or_default();
    date.contains(['/', '.']) && first.parse::<u32>().is_ok_and(|d| d > 12)
}

/// ISO, `M/D/YYYY h:mm:ss[ AM|PM]`, `D/M/YYYY HH:mm:ss`, `D.M.YYYY HH:mm:ss`.
fn dotnet_time(stamp: &str, day_first: bool) -> Option<Timestamp> {
    let s = stamp.trim();
    if let Some((t, _)) = parse_iso8601(s) {
        return Some(t);
    }
    let mut parts = s.split_whitespace();
    let (date, time, ampm) = (parts.next()?, parts.next()?, parts.next());
    let dotted = date.contains('.');
    let mut d = date.split(['/', '.', '-']).map(|x| x.parse::<u32>().ok());
    let (a, b, year) = (d.next()??, d.next()??, d.next()??);
    let (month, day) = if day_first || dotted { (b, a) } else { (a, b) };
    let (hms, fraction) = time.split_once('.').unwrap_or((time, ""));
    let mut t = hms.split(':').map(|x| x.parse::<u32>().ok());
    let (mut hour, minute, second) = (t.next()??, t.next()??, t.next().flatten().unwrap_or(0));
    match ampm.map(str::to_ascii_uppercase).as_deref() {
        Some("PM") if hour < 12 => hour += 12,
        Some("AM") if hour == 12 => hour = 0,
        Some("AM" | "PM") | None => {}
        Some(_) => return None,
    }
    let micros = super::pdh::fraction_micros(fraction)?;
    Timestamp::from_civil(year as i32, month, day, hour, minute, second, micros)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counters::{SeriesKind, Unit};

    fn at(mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Timestamp {
        Timestamp::from_civil(2026, mo, d, h, mi, s, 0).unwrap()
    }

    #[test]
    fn us_rows_with_am_pm_and_commas_in_names() {
        let t = "Timestamp,Provider,Counter Name,Counter Type,Mean/Increment\n\
11/27/2026 10:51:05 AM,System.Runtime,CPU Usage (%),Metric,12.5\n\
11/27/2026 10:51:05 AM,System.Runtime,Working Set (MB),Metric,812\n\
11/27/2026 1:51:06 PM,System.Runtime,CPU Usage (%),Metric,40\n\
11/27/2026 1:51:06 PM,Microsoft.AspNetCore.Hosting,Request Rate (Count / 1 sec),Rate,\n\
11/27/2026 1:51:06 PM,System.Runtime,dotnet.gc.heap.total_allocated (By)[gc.heap.generation=gen0;x=y,z],Counter,7\n";
        let p = parse(0, t.as_bytes());
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!((p.entries, p.series.len()), (5, 4));
        let cpu = &p.series[0];
        assert_eq!(cpu.kind, SeriesKind::ProcessCpuPercent);
        assert_eq!(cpu.points, vec![(at(11, 27, 10, 51, 5), 12.5), (at(11, 27, 13, 51, 6), 40.0)]);
        assert_eq!(cpu.clock, Clock::Local);
        let ws = &p.series[1];
        assert_eq!((ws.kind, ws.unit), (SeriesKind::ProcessWorkingSet, Unit::Bytes));
        assert_eq!(ws.points[0].1, 812.0 * 1_048_576.0);
        assert_eq!(p.series[2].blank, 1);
        assert_eq!(
            p.series[3].counter,
            "dotnet.gc.heap.total_allocated (By)[gc.heap.generation=gen0;x=y,z]"
        );
        assert_eq!(p.series[3].labels, vec![("type".to_string(), "Counter".to_string())]);
    }

    #[test]
    fn day_first_and_iso_files() {
        let t = "Timestamp,Provider,Counter Name,Counter Type,Mean/Increment\n\
03/11/2026 10:51:05,System.Runtime,ThreadPool Queue Length,Metric,3\n\
27/11/2026 10:51:05,System.Runtime,ThreadPool Queue Length,Metric,4\n";
        let p = parse(0, t.as_bytes());
        assert_eq!(p.series[0].points[0].0, at(11, 3, 10, 51, 5));
        assert_eq!(p.series[0].kind, SeriesKind::ThreadPoolQueueLength);
        let iso = "Timestamp,Provider,Counter Name,Counter Type,Mean/Increment\n2026-11-27 10:51:05,P,C,Metric,1\nbroken line\n";
        let p = parse(0, iso.as_bytes());
        assert_eq!(p.series[0].points[0].0, at(11, 27, 10, 51, 5));
        assert_eq!(p.problems.list[0].line, Some(3));
        assert_eq!(dotnet_time("27.11.2026 10:51:05", false), Some(at(11, 27, 10, 51, 5)));
    }
}
