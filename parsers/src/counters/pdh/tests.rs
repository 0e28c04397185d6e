use super::*;
use crate::counters::{Role, Unit};

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, ms: u32) -> Timestamp {
    Timestamp::from_civil(y, mo, d, h, mi, s, ms * 1000).unwrap()
}

fn parse_text(text: &str) -> Parsed {
    parse(0, text.as_bytes())
}

#[test]
fn fields_quoted_bare_and_doubled_quotes() {
    let f: Vec<Cow<str>> = Fields::new(r#""a","b ""q"" c",bare,"""#, ',').collect();
    assert_eq!(f, ["a", "b \"q\" c", "bare", ""]);
    let t: Vec<Cow<str>> = Fields::new("\"x\"\t\" \"\t\"1.5\"", '\t').collect();
    assert_eq!(t, ["x", " ", "1.5"]);
}

#[test]
fn bias_is_the_last_group() {
    assert_eq!(header_bias("(PDH-CSV 4.0) (Eastern Daylight Time)(240)"), Some(240));
    assert_eq!(header_bias("(PDH-CSV 4.0) (India Standard Time)(-330)"), Some(-330));
    assert_eq!(header_bias("(PDH-CSV 4.0) (Paris, Madrid (heure d'été))(-120)"), Some(-120));
    assert_eq!(header_bias("(PDH-CSV 4.0)"), None);
    assert_eq!(header_bias("(PDH-CSV 4.0) (UTC)(0)"), Some(0));
}

#[test]
fn counter_paths_split_from_the_right() {
    let p = counter_path(r"\\OCTO1\Process(Octopus.Server#1)\% Processor Time");
    assert_eq!(
        p,
        PdhPath {
            host: Some("OCTO1"),
            object: "Process",
            instance: Some("Octopus.Server#1"),
            counter: "% Processor Time"
        }
    );
    let p = counter_path(r"\\SQL01\PhysicalDisk(0 D:)\Avg. Disk sec/Read");
    assert_eq!((p.object, p.instance), ("PhysicalDisk", Some("0 D:")));
    let p = counter_path(r"\\H\Paging File(\??\C:\pagefile.sys)\% Usage");
    assert_eq!(
        (p.object, p.instance, p.counter),
        ("Paging File", Some(r"\??\C:\pagefile.sys"), "% Usage")
    );
    let p = counter_path(r"\\H\Process(odd (x) name)\Working Set");
    assert_eq!((p.object, p.instance), ("Process", Some("odd (x) name")));
    let p = counter_path(r"\Memory\Available MBytes");
    assert_eq!(
        (p.host, p.object, p.instance, p.counter),
        (None, "Memory", None, "Available MBytes")
    );
    let p = counter_path(r"\\H\MSSQL$OCTO:Buffer Manager\Page life expectancy");
    assert_eq!(p.object, "MSSQL$OCTO:Buffer Manager");
}

#[test]
fn timestamps_us_order_with_or_without_fraction() {
    assert_eq!(pdh_time("09/08/2002 12:35:45.166"), Some(at(2002, 9, 8, 12, 35, 45, 166)));
    assert_eq!(pdh_time("11/27/2026 01:02:03"), Some(at(2026, 11, 27, 1, 2, 3, 0)));
    assert_eq!(pdh_time("27/11/2026 01:02:03.000"), None, "day-first is not guessed");
    assert_eq!(pdh_time("not a time"), None);
}

const POSITIVE: &str = "\"(PDH-CSV 4.0) (Eastern Daylight Time)(240)\",\"\\\\OCTO1\\Processor(_Total)\\% Processor Time\",\"\\\\OCTO1\\Processor(0)\\% Processor Time\",\"\\\\OCTO1\\Processor(1)\\% Processor Time\",\"\\\\OCTO1\\Process(Octopus.Server)\\% Processor Time\",\"\\\\OCTO1\\Memory\\Available MBytes\"\r\n\
\"11/03/2026 09:00:00.120\",\" \",\"10\",\"30\",\" \",\"2048\"\r\n\
\"11/03/2026 09:00:15.121\",\"40.5\",\"31\",\"50\",\"150\",\"1024\"\r\n";

#[test]
fn positive_bias_converts_to_utc_and_scales() {
    let p = parse_text(POSITIVE);
    assert_eq!(p.entries, 2);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(p.series.len(), 5);
    assert_eq!(p.node.as_deref(), Some("OCTO1"));
    let total = &p.series[0];
    assert_eq!(total.kind, SeriesKind::HostCpuPercent);
    assert!(total.is_total());
    assert_eq!(total.blank, 1);
    // 09:00:15 EDT (bias 240) = 13:00:15 UTC.
    assert_eq!(total.points, vec![(at(2026, 11, 3, 13, 0, 15, 121), 40.5)]);
    assert_eq!(total.clock, Clock::Utc);
    let octo = &p.series[3];
    assert_eq!((octo.kind, octo.role), (SeriesKind::ProcessCpuPercent, Role::OctopusServer));
    assert_eq!(
        octo.scale, 0.5,
        "two Processor(N) instances: 150% of one CPU is 75% of the machine"
    );
    assert_eq!(octo.points[0].1, 75.0);
    let mem = &p.series[4];
    assert_eq!((mem.kind, mem.unit), (SeriesKind::MemoryAvailableBytes, Unit::Bytes));
    assert_eq!(mem.points[1].1, 1024.0 * 1_048_576.0);
    assert_eq!(p.first.unwrap().0, at(2026, 11, 3, 13, 0, 0, 120));
}

#[test]
fn negative_bias_and_tsv() {
    let t = "\"(PDH-TSV 4.0) (India Standard Time)(-330)\"\t\"\\\\H\\Process(Octopus.Server)\\% Processor Time\"\n\"11/03/2026 09:00:00.000\"\t\"314\"\n";
    let p = parse_text(t);
    let s = &p.series[0];
    // 09:00 IST (bias -330) = 03:30 UTC; no Processor(N) columns: per-CPU value kept.
    assert_eq!(s.points, vec![(at(2026, 11, 3, 3, 30, 0, 0), 314.0)]);
    assert_eq!(s.kind, SeriesKind::ProcessCpuPercentOfOneCpu);
}

#[test]
fn zone_name_with_parentheses() {
    let t = "\"(PDH-CSV 4.0) (Paris, Madrid (heure d'été))(-120)\",\"\\\\H\\Memory\\% Committed Bytes In Use\"\n\"07/01/2026 12:00:00.000\",\"55\"\n";
    let p = parse_text(t);
    assert_eq!(p.series[0].points, vec![(at(2026, 7, 1, 10, 0, 0, 0), 55.0)]);
}

#[test]
fn no_bias_stays_local_and_typeperf_trailer_is_noted() {
    let t = "\r\n\"(PDH-CSV 4.0)\",\"\\\\H\\Memory\\Available MBytes\"\r\n\"11/03/2026 09:00:00.000\",\"10\"\r\nExiting, please wait...\r\nThe command completed successfully.\r\n";
    let p = parse_text(t);
    assert_eq!(p.series[0].clock, Clock::Local);
    assert_eq!(p.series[0].points, vec![(at(2026, 11, 3, 9, 0, 0, 0), 10.0 * 1_048_576.0)]);
    assert_eq!(p.skipped_lines, 2);
    assert!(p.problems.is_empty());
    assert_eq!(p.notes, ["2 lines that are not CSV rows skipped (typeperf's closing messages)"]);
}

#[test]
fn blanks_and_unparsable_values_are_counted() {
    let t = "\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\H\\Memory\\Pages/sec\",\"\\\\H\\PhysicalDisk(0 D:)\\% Disk Time\"\n\
\"09/08/2002 12:35:45.166\",\"11.29\",\"7.0625001143654654e\"\n\
\"09/08/2002 12:36:00.167\",\"\",\"-nan\"\n\
\"09/08/2002 12:36:15.167\",\" \",\"2.88\"\n";
    let p = parse_text(t);
    let (pages, disk) = (&p.series[0], &p.series[1]);
    assert_eq!((pages.points.len(), pages.blank, pages.unparsable), (1, 2, 0));
    assert_eq!((disk.points.len(), disk.blank, disk.unparsable), (1, 0, 2));
    assert_eq!(p.problems.list.len(), 1);
    let reason = &p.problems.list[0].reason;
    assert!(reason.starts_with("2 values in 1 counters are not numbers"), "{reason}");
    assert!(reason.contains(r"\\H\PhysicalDisk(0 D:)\% Disk Time: 2"), "{reason}");
}

#[test]
fn dst_repeated_hour_and_skipped_hour_are_clock_problems() {
    let head = "\"(PDH-CSV 4.0) (GMT Standard Time)(-60)\",\"\\\\H\\Memory\\Pages/sec\"\n";
    let back = format!(
        "{head}\"10/25/2026 01:59:30.000\",\"1\"\n\"10/25/2026 01:59:45.000\",\"1\"\n\"10/25/2026 01:00:00.000\",\"1\"\n"
    );
    let p = parse_text(&back);
    assert_eq!(p.entries, 3);
    assert_eq!(p.problems.list.len(), 1);
    assert_eq!(p.problems.list[0].line, Some(4));
    assert!(p.problems.list[0].reason.starts_with("clock: local time goes back by 3585 s"));
    let gap = format!(
        "{head}\"03/29/2026 00:59:30.000\",\"1\"\n\"03/29/2026 00:59:45.000\",\"1\"\n\"03/29/2026 02:00:00.000\",\"1\"\n"
    );
    let p = parse_text(&gap);
    assert_eq!(p.problems.list.len(), 1);
    assert!(p.problems.list[0]
        .reason
        .starts_with("clock: local time jumps forward by about an hour"));
}

#[test]
fn bad_rows_cost_only_themselves() {
    let t = "\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\H\\Memory\\Pages/sec\",\"\\\\H\\Memory\\Available MBytes\"\n\
\"13/45/2026 00:00:00.000\",\"1\",\"2\"\n\
\"11/03/2026 00:00:00.000\",\"1\"\n\
\"11/03/2026 00:00:15.000\",\"1\",\"2\"\n";
    let p = parse_text(t);
    assert_eq!((p.entries, p.skipped_lines), (2, 1));
    let reasons: Vec<(Option<u64>, &str)> =
        p.problems.list.iter().map(|x| (x.line, x.reason.as_str())).collect();
    assert_eq!(reasons[0].0, Some(2));
    assert!(reasons[0].1.starts_with("not a PDH timestamp"));
    assert_eq!(reasons[1], (Some(3), "1 values for 2 counters"));
    assert_eq!(p.series[1].points.len(), 1);
}
