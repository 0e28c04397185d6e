//! sysstat `sadf -d` exports (`exports.md` §4.5), several sections in one file:
//!
//! ```text
//! # hostname;interval;timestamp;CPU;%user;%nice;%system;%iowait;%steal;%idle
//! vm;1;2026-11-27 10:51:05 UTC;-1;0.50;0.00;0.00;0.00;0.00;99.50
//! # hostname;interval;timestamp;kbmemfree;kbavail;kbmemused;%memused;…
//! vm;1;2026-11-27 10:51:05 UTC;21778972;24149920;192156;0.78;…
//! ```
//!
//! Each `# hostname;interval;timestamp;…` line starts a section; its columns
//! after the timestamp are instance keys (`CPU`, `DEV`, `IFACE`, …) or values,
//! one [`CounterSeries`] per (section, instance, column). Timestamps: `… UTC`
//! (the default) is UTC; without a suffix (`-T`, `-t`) the recording machine's
//! local time; a bare integer (`-U`) Unix seconds. `CPU` `-1` means all CPUs
//! (instance `all`). The CPU section also yields a derived `%busy` series
//! (100 − `%idle`) of kind [`SeriesKind::HostCpuPercent`].

use std::borrow::Cow;
use std::collections::HashMap;

use super::kinds::{apply, sadf_meaning};
use super::series::{CounterSeries, Role, SeriesKind, Unit};
use crate::error::Problem;
use crate::event::SourceId;
use crate::parse::Parsed;
use crate::time::{parse_iso8601, Clock, Timestamp};

/// Columns that name an instance rather than hold a value.
const KEYS: [&str; 8] = ["CPU", "DEV", "IFACE", "INTR", "FILESYSTEM", "TTY", "BUS", "MOUNTPOINT"];

/// Parses a `sadf -d` source.
pub fn parse(_id: SourceId, bytes: &[u8]) -> Parsed {
    let text = String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes));
    let mut reader = Reader::default();
    for (i, raw) in text.lines().enumerate() {
        reader.line(i as u64 + 1, raw.trim_end());
    }
    reader.finish()
}

#[derive(Default)]
struct Reader {
    parsed: Parsed,
    section: Option<Section>,
    series: Vec<CounterSeries>,
    /// Per section: the first series of each instance (see `block`).
    index: Vec<HashMap<String, usize>>,
    sections: usize,
}

/// The columns of the current section.
struct Section {
    number: usize,
    name: &'static str,
    /// Names of the columns after `timestamp`.
    columns: Vec<String>,
    /// Which of them are instance keys.
    keys: Vec<bool>,
}

impl Reader {
    fn line(&mut self, number: u64, line: &str) {
        self.parsed.lines = number;
        if line.is_empty() {
            return;
        }
        if let Some(header) = line.strip_prefix("# ") {
            return self.header(number, header);
        }
        if line.starts_with('#') {
            return;
        }
        if self.section.is_none() {
            self.parsed.skipped_lines += 1;
            let p =
                Problem::at_line(number, "row before any `# hostname;interval;timestamp;…` header");
            return self.parsed.problems.push(p);
        }
        self.row(number, line);
    }

    fn header(&mut self, number: u64, header: &str) {
        let fields: Vec<&str> = header.split(';').collect();
        if fields.get(..3) != Some(&["hostname", "interval", "timestamp"][..]) {
            self.parsed.skipped_lines += 1;
            return self.parsed.problems.push(Problem::at_line(number, "not a sadf -d header"));
        }
        let columns: Vec<String> = fields[3..].iter().map(|c| c.to_string()).collect();
        let keys = columns.iter().map(|c| KEYS.contains(&c.as_str())).collect();
        self.sections += 1;
        self.index.push(HashMap::new());
        let name = section_name(&columns);
        self.section = Some(Section { number: self.sections, name, columns, keys });
    }

    fn row(&mut self, number: u64, line: &str) {
        let Some(section) = self.section.take() else { return };
        let fields: Vec<&str> = line.split(';').collect();
        let time = fields.get(2).and_then(|t| sadf_time(t));
        match (fields.len() == section.columns.len() + 3, time) {
            (true, Some((time, clock))) => self.values(&section, &fields, time, clock),
            (false, _) => {
                self.parsed.skipped_lines += 1;
                let reason = format!(
                    "{} fields for a {}-column header",
                    fields.len(),
                    section.columns.len() + 3
                );
                self.parsed.problems.push(Problem::at_line(number, reason));
            }
            (true, None) => {
                self.parsed.skipped_lines += 1;
                let reason = format!("not a sadf timestamp: '{}'", fields[2]);
                self.parsed.problems.push(Problem::at_line(number, reason));
            }
        }
        self.section = Some(section);
    }

    fn values(&mut self, section: &Section, fields: &[&str], time: Timestamp, clock: Clock) {
        self.parsed.entries += 1;
        let instance = instance_of(section, fields);
        let base = self.block(section, fields[0], &instance, clock);
        let values = section.columns.iter().enumerate().filter(|(c, _)| !section.keys[*c]);
        for (n, (c, column)) in values.enumerate() {
            let value = fields[c + 3].trim();
            let s = &mut self.series[base + n];
            match value.parse::<f64>() {
                Ok(v) if v.is_finite() => {
                    s.points.push((time, v * s.scale));
                    if section.name == "cpu" && column == "%idle" {
                        let busy = &mut self.series[base + section.values()];
                        busy.points.push((time, (100.0 - v).clamp(0.0, 100.0)));
                    }
                }
                _ if value.is_empty() => s.blank += 1,
                _ => s.unparsable += 1,
            }
        }
    }

    /// The first of the series of one (section, instance): one per value column,
    /// then `%busy` for a CPU section. Made on first sight.
    fn block(
        &mut self,
        section: &Section,
        host: &str,
        instance: &Option<Cow<'_, str>>,
        clock: Clock,
    ) -> usize {
        let per_section = &mut self.index[section.number - 1];
        if let Some(&base) = per_section.get(instance.as_deref().unwrap_or_default()) {
            return base;
        }
        let base = self.series.len();
        per_section.insert(instance.as_deref().unwrap_or_default().to_string(), base);
        let columns = section.columns.iter().enumerate().filter(|(c, _)| !section.keys[*c]);
        for (_, column) in columns {
            let mut s = self.new_series(section, host, instance, column, clock);
            apply(&mut s, sadf_meaning(section.name, column));
            self.series.push(s);
        }
        if section.name == "cpu" {
            let mut s = self.new_series(section, host, instance, "%busy", clock);
            (s.kind, s.unit) = (SeriesKind::HostCpuPercent, Unit::Percent);
            self.series.push(s);
        }
        base
    }

    fn new_series(
        &self,
        section: &Section,
        host: &str,
        instance: &Option<Cow<'_, str>>,
        column: &str,
        clock: Clock,
    ) -> CounterSeries {
        let mut s = CounterSeries::new(section.name, column, clock);
        s.host = Some(host.to_string());
        s.instance = instance.as_deref().map(str::to_string);
        s.role = Role::Host;
        s
    }

    fn finish(mut self) -> Parsed {
        super::note_bad_values(&mut self.parsed, &self.series);
        let hosts: Vec<&str> = self.series.iter().filter_map(|s| s.host.as_deref()).collect();
        if let Some(first) = hosts.first().filter(|h| hosts.iter().all(|x| x == *h)) {
            self.parsed.node = Some(first.to_string());
        }
        self.parsed.series = self.series;
        self.parsed
    }
}

/// The instance a row is about: its key column (`CPU` `-1` is `all`), or its key
/// columns joined with `,`.
fn instance_of<'a>(section: &Section, fields: &[&'a str]) -> Option<Cow<'a, str>> {
    let mut parts = section.keys.iter().enumerate().filter(|(_, k)| **k).map(|(c, _)| {
        match (section.columns[c].as_str(), fields[c + 3]) {
            ("CPU", "-1") => "all",
            (_, v) => v,
        }
    });
    let first = parts.next()?;
    match parts.next() {
        None => Some(Cow::Borrowed(first)),
        Some(second) => {
            let rest: Vec<&str> = parts.collect();
            Some(Cow::Owned(
                [first, second].iter().chain(&rest).copied().collect::<Vec<_>>().join(","),
            ))
        }
    }
}

impl Section {
    /// Number of value (non-key) columns.
    fn values(&self) -> usize {
        self.keys.iter().filter(|k| !**k).count()
    }
}

/// The activity a section reports, from its columns.
fn section_name(columns: &[String]) -> &'static str {
    let has = |c: &str| columns.iter().any(|x| x == c);
    match () {
        _ if has("%idle") => "cpu",
        _ if has("kbmemfree") => "memory",
        _ if has("kbswpfree") => "swap",
        _ if has("pgpgin/s") => "paging",
        _ if has("DEV") && (has("tps") || has("%util")) => "disk",
        _ if has("IFACE") => "network",
        _ if has("runq-sz") => "load",
        _ if has("proc/s") => "tasks",
        _ => "sar",
    }
}

/// `2026-11-27 10:51:05 UTC` (UTC), `2026-11-27 10:51:05` (local), `1795776665` (Unix s).
fn sadf_time(text: &str) -> Option<(Timestamp, Clock)> {
    let t = text.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        let secs: i64 = t.parse().ok()?;
        return Some((Timestamp(secs.checked_mul(1_000_000)?), Clock::Utc));
    }
    let (naive, clock) = match t.strip_suffix(" UTC") {
        Some(n) => (n, Clock::Utc),
        None => (t, Clock::Local),
    };
    let (ts, had_offset) = parse_iso8601(naive)?;
    Some((ts, if had_offset { Clock::Utc } else { clock }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32, mi: u32, s: u32) -> Timestamp {
        Timestamp::from_civil(2026, 11, 27, h, mi, s, 0).unwrap()
    }

    const TWO_SECTIONS: &str = "# hostname;interval;timestamp;CPU;%user;%nice;%system;%iowait;%steal;%idle\n\
vm;1;2026-11-27 10:51:05 UTC;-1;0.50;0.00;0.00;3.00;0.00;96.50\n\
vm;1;2026-11-27 10:51:05 UTC;0;1.00;0.00;0.00;0.00;0.00;99.00\n\
vm;1;2026-11-27 10:51:06 UTC;-1;20.00;0.00;5.00;0.00;0.00;75.00\n\
# hostname;interval;timestamp;kbmemfree;kbavail;kbmemused;%memused;kbbuffers;kbcached;kbcommit;%commit;kbactive;kbinact;kbdirty\n\
vm;1;2026-11-27 10:51:05 UTC;21778972;24149920;192156;0.78;44844;2393124;60048;0.24;839212;1596376;14248\n";

    #[test]
    fn sections_with_utc_suffix() {
        let p = parse(0, TWO_SECTIONS.as_bytes());
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.entries, 4);
        assert_eq!(p.node.as_deref(), Some("vm"));
        let busy: Vec<&CounterSeries> = p.series.iter().filter(|s| s.counter == "%busy").collect();
        assert_eq!(busy.len(), 2, "all and CPU 0");
        assert_eq!(busy[0].instance.as_deref(), Some("all"));
        assert_eq!(busy[0].kind, SeriesKind::HostCpuPercent);
        assert_eq!(busy[0].points, vec![(at(10, 51, 5), 3.5), (at(10, 51, 6), 25.0)]);
        assert_eq!(busy[0].clock, Clock::Utc);
        let iowait = p.series.iter().find(|s| s.kind == SeriesKind::CpuIowaitPercent).unwrap();
        assert_eq!(iowait.points[0].1, 3.0);
        let avail = p.series.iter().find(|s| s.kind == SeriesKind::MemoryAvailableBytes).unwrap();
        assert_eq!((avail.object.as_str(), avail.instance.as_deref()), ("memory", None));
        assert_eq!(avail.points, vec![(at(10, 51, 5), 24_149_920.0 * 1024.0)]);
        // 6 CPU columns × 2 instances + 2 derived + 11 memory columns.
        assert_eq!(p.series.len(), 6 * 2 + 2 + 11);
    }

    #[test]
    fn local_time_without_suffix_and_epoch_seconds() {
        let t =
            "# hostname;interval;timestamp;DEV;tps;rkB/s;wkB/s;dkB/s;areq-sz;aqu-sz;await;%util\n\
db;60;2026-11-27 20:51:05;dev8-0;12.0;1.0;2.0;0.0;4.0;1.50;12.5;40.0\n\
# hostname;interval;timestamp;runq-sz;plist-sz;ldavg-1;ldavg-5;ldavg-15;blocked\n\
db;60;1795776665;3;250;0.5;0.4;0.3;0\n";
        let p = parse(0, t.as_bytes());
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let q = p.series.iter().find(|s| s.kind == SeriesKind::DiskQueueLength).unwrap();
        assert_eq!((q.instance.as_deref(), q.clock), (Some("dev8-0"), Clock::Local));
        assert_eq!(q.points, vec![(at(20, 51, 5), 1.5)]);
        let lat = p.series.iter().find(|s| s.kind == SeriesKind::DiskSecPerTransfer).unwrap();
        assert_eq!(lat.points[0].1, 0.0125);
        let runq = p.series.iter().find(|s| s.kind == SeriesKind::ProcessorQueueLength).unwrap();
        assert_eq!(runq.points, vec![(Timestamp(1_795_776_665_000_000), 3.0)]);
        assert_eq!(runq.clock, Clock::Utc);
    }

    #[test]
    fn bad_rows_are_reported_and_skipped() {
        let t = "vm;1;x\n# hostname;interval;timestamp;runq-sz;blocked\nvm;1;yesterday;1;0\nvm;1;2026-11-27 10:51:05 UTC;1\nvm;1;2026-11-27 10:51:05 UTC;n/a;0\n";
        let p = parse(0, t.as_bytes());
        let lines: Vec<Option<u64>> = p.problems.list.iter().map(|x| x.line).collect();
        assert_eq!(lines, [Some(1), Some(3), Some(4), None]);
        assert_eq!((p.entries, p.skipped_lines), (1, 3));
        assert_eq!(p.series.iter().map(|s| s.unparsable).sum::<u32>(), 1);
    }
}
