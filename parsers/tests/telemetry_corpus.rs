//! Every file of `testdata/telemetry/` (see its README) opened through the
//! source layer and parsed, with the values each is known to hold. The OTel
//! files are also read as `.jsonl.zst`, inside a `.tar` and inside a cut
//! `.tar.inprogress`, and must give the same spans.
//!
//! Expected values come from the generators' own assertions
//! (`testdata/gen/otel.py`, `telemetry.py`), from `exports.md` §3.4 (the counts
//! the synthetic OTel file reproduces) and, for the sadf files, from the real
//! sysstat 12.6.1 output they are.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use octodiag_parsers::counters::{Role, SeriesKind};
use octodiag_parsers::profile::Profile;
use octodiag_parsers::span::{Span, SpanKind, SpanRole};
use octodiag_parsers::{
    open_inputs, parse_source, Clock, EventKind, Format, OpenOptions, ParseOptions, Parsed, Source,
    Timestamp,
};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/telemetry")
}

fn open(path: &Path) -> Vec<(Source, Parsed)> {
    let sources = open_inputs(&[path.to_string_lossy().into_owned()], &OpenOptions::default());
    sources
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let p = parse_source(i as u32, &s, &ParseOptions::default());
            (s, p)
        })
        .collect()
}

fn one(name: &str) -> (Source, Parsed) {
    open(&dir().join(name)).pop().unwrap()
}

fn spans(p: &Parsed) -> Vec<&Span> {
    p.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Span(s) => Some(&**s),
            _ => None,
        })
        .collect()
}

/// The §3.4 counts, through whatever container the spans came in.
fn assert_sample_counts(p: &Parsed) {
    assert_eq!(p.format, Some(Format::OtelTraces));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let s = spans(p);
    assert_eq!((p.lines, s.len()), (4, 139));
    let per_line: Vec<usize> =
        (1..=4).map(|l| p.events.iter().filter(|e| e.line == l).count()).collect();
    assert_eq!(per_line, [31, 30, 43, 35]);
    assert_eq!(s.iter().map(|x| x.trace_id).collect::<HashSet<_>>().len(), 12);
    assert_eq!(s.iter().filter(|x| x.kind == SpanKind::Client).count(), 82);
    assert_eq!(s.iter().filter(|x| x.kind == SpanKind::Internal).count(), 57);
    let ids: HashSet<[u8; 8]> = s.iter().map(|x| x.span_id).collect();
    assert_eq!(s.iter().filter(|x| x.parent_span_id.is_none()).count(), 1);
    let outside: HashSet<_> =
        s.iter().filter_map(|x| x.parent_span_id).filter(|p| !ids.contains(p)).collect();
    assert_eq!(outside.len(), 18);
    assert_eq!(s.iter().map(|x| x.events).sum::<u32>(), 7);
    assert_eq!(s.iter().filter(|x| matches!(x.role, SpanRole::Sql(_))).count(), 55);
    assert_eq!(s.iter().filter(|x| matches!(x.role, SpanRole::Task)).count(), 1);
    assert_eq!(s.iter().filter(|x| matches!(x.role, SpanRole::Request(_))).count(), 0);
    let longest = s.iter().map(|x| x.duration_ns).max();
    assert_eq!(longest, Some(213_900_000));
    assert_eq!(p.first.map(|f| f.0), Some(Timestamp(1_779_760_521_808_778)));
    assert_eq!(p.last.map(|f| f.0), Some(Timestamp(1_779_760_623_225_000)));
}

#[test]
fn synthetic_sample_has_the_public_sample_counts() {
    let (_, p) = one("otel-synthetic.jsonl");
    assert_sample_counts(&p);
}

fn zst(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 3).unwrap()
}

fn tar_of(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in members {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, &data[..]).unwrap();
    }
    b.into_inner().unwrap()
}

#[test]
fn same_spans_through_zstd_and_tar() {
    let plain = std::fs::read(dir().join("otel-synthetic.jsonl")).unwrap();
    let excerpt = std::fs::read(dir().join("otel-sample-excerpt.jsonl")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("traces-1776.jsonl.zst"), zst(&plain)).unwrap();
    let (_, p) = open(&tmp.path().join("traces-1776.jsonl.zst")).pop().unwrap();
    assert_sample_counts(&p);
    let tar = tar_of(&[
        ("traces/octopus-server-traces-2026-05-26T01-55-21.jsonl.zst", zst(&plain)),
        ("traces/excerpt.jsonl", excerpt.clone()),
    ]);
    std::fs::write(tmp.path().join("chunk.tar"), &tar).unwrap();
    let got = open(&tmp.path().join("chunk.tar"));
    assert_eq!(got.len(), 2);
    assert!(got[0]
        .0
        .name
        .ends_with("chunk.tar!/traces/octopus-server-traces-2026-05-26T01-55-21.jsonl.zst"));
    assert_sample_counts(&got[0].1);
    assert_eq!(spans(&got[1].1).len(), 6);
    // A chunk still being written: cut inside the second member.
    let cut = tar.len() - 1024 - 3 * excerpt.len() / 4;
    std::fs::write(tmp.path().join("chunk.tar.inprogress"), &tar[..cut]).unwrap();
    let got = open(&tmp.path().join("chunk.tar.inprogress"));
    assert_sample_counts(&got[0].1);
    let (cut_source, cut_parsed) = &got[1];
    assert!(cut_source.problems.list[0].reason.starts_with("the archive ends inside this member"));
    assert!(
        cut_parsed.problems.list[0].reason.starts_with("truncated last line"),
        "{:?}",
        cut_parsed.problems
    );
}

#[test]
fn real_excerpt_and_server_requests() {
    let (_, p) = one("otel-sample-excerpt.jsonl");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let s = spans(&p);
    assert_eq!(s.len(), 6);
    assert_eq!(s.iter().filter(|x| matches!(x.role, SpanRole::Sql(_))).count(), 3);
    let (src, p) = one("otel-server-requests.jsonl");
    let b = src.bytes();
    let s = spans(&p);
    assert_eq!(s.len(), 10);
    let requests: Vec<_> = s
        .iter()
        .filter_map(|x| match &x.role {
            SpanRole::Request(r) => Some((r.method.resolve(b), r.status, r.duration_ms)),
            _ => None,
        })
        .collect();
    assert_eq!(requests.len(), 8);
    assert_eq!(requests[0].0, "GET");
    assert_eq!((requests[3].1, requests[3].2), (Some(500), 30000.0));
    let instances: HashSet<_> =
        s.iter().filter_map(|x| x.instance.as_ref()).map(|i| i.resolve(b)).collect();
    assert_eq!(instances.len(), 2, "two HA nodes");
    let tasks: Vec<_> = s.iter().filter_map(|x| x.task_id.as_ref()).map(|t| t.resolve(b)).collect();
    assert_eq!(tasks, ["ServerTasks-2301", "ServerTasks-2301"]);
    let child = s.iter().find(|x| x.parent_span_id.is_some()).unwrap();
    assert!(matches!(child.role, SpanRole::Sql(_)), "the task's SQL child stays SQL");
    assert_eq!(child.task_id.as_ref().unwrap().resolve(b), "ServerTasks-2301");
}

#[test]
fn pdh_exports() {
    let (_, p) = one("perfmon-octo-node1.csv");
    assert_eq!(p.format, Some(Format::PdhCsv));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!((p.entries, p.series.len(), p.node.as_deref()), (40, 16, Some("OCTO-NODE1")));
    let octo = p.series.iter().find(|s| s.kind == SeriesKind::ProcessCpuPercent).unwrap();
    assert_eq!(
        (octo.role, octo.scale, octo.points.len(), octo.blank),
        (Role::OctopusServer, 0.25, 39, 1)
    );
    // 13:55:00.120 at UTC+10 is 03:55:00.120Z.
    assert_eq!(
        p.first,
        Some((Timestamp::from_civil(2026, 11, 3, 3, 55, 0, 120_000).unwrap(), Clock::Utc))
    );
    let (_, p) = one("typeperf-octo-sql01.tsv");
    assert_eq!((p.entries, p.skipped_lines), (5, 2));
    assert_eq!(p.series.iter().filter(|s| s.role == Role::SqlServer).count(), 6);
    let reasons: Vec<&str> = p.problems.list.iter().map(|x| x.reason.as_str()).collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons[0].starts_with("clock: local time goes back by 3585 s"));
    assert!(reasons[1].starts_with("1 values in 1 counters are not numbers"));
    assert_eq!(p.notes.len(), 1);
    let sql = p.series.iter().find(|s| s.counter == "% Processor Time").unwrap();
    assert_eq!(sql.kind, SeriesKind::ProcessCpuPercentOfOneCpu);
}

#[test]
fn sadf_dotnet_and_prometheus() {
    let (_, p) = one("sadf-vm-utc.txt");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(p.entries, 24);
    let busy =
        p.series.iter().find(|s| s.kind == SeriesKind::HostCpuPercent && s.is_total()).unwrap();
    assert_eq!(busy.points.len(), 4);
    assert_eq!(busy.points[0], (Timestamp::from_civil(2026, 12, 2, 17, 35, 11, 0).unwrap(), 100.0));
    let (_, p) = one("sadf-vm-local.txt");
    assert!(p.series.iter().all(|s| s.clock == Clock::Local));
    assert_eq!(
        p.series.iter().find(|s| s.kind == SeriesKind::PagingPercent).unwrap().points.len(),
        4
    );
    let (_, p) = one("dotnet-counters.csv");
    assert_eq!((p.entries, p.series.len()), (60, 6));
    assert_eq!(p.series[1].kind, SeriesKind::ProcessWorkingSet);
    let (_, p) = one("prometheus-range.json");
    assert_eq!(p.series.len(), 3);
    assert_eq!(p.series[1].role, Role::OctopusServer);
    assert_eq!((p.series[2].kind, p.series[2].blank), (SeriesKind::Other, 1));
}

#[test]
fn profiles_and_captures() {
    let (_, p) = one("Octopus.Server_20261103_140500.speedscope.json");
    let Some(Profile::Cpu(c)) = p.profile.as_deref() else { panic!("{:?}", p.problems) };
    let hot = c.hottest(None, 3);
    assert_eq!(hot.by_exclusive[0].name, "CPU_TIME");
    assert_eq!(hot.by_exclusive[0].exclusive_ms, 300.0 + 4800.0);
    // 1–2 s: thread 4343 burns CPU all along, thread 4242 waits in unmanaged code until 1.8 s.
    let window = c.hottest(Some((1000.0, 2000.0)), 2);
    let top: Vec<(&str, f64)> =
        window.by_exclusive.iter().map(|f| (f.name.as_str(), f.exclusive_ms)).collect();
    assert_eq!(top, [("CPU_TIME", 1000.0 + 200.0), ("UNMANAGED_CODE_TIME", 800.0)]);
    let (_, p) = one("heap-report.txt");
    let Some(Profile::Heap(h)) = p.profile.as_deref() else { panic!() };
    assert_eq!((h.total_bytes, h.types.len()), (Some(766_005_980), 5));
    assert_eq!(h.most_numerous(1)[0].name, "System.String");
    for (name, tool) in [("Octopus.Server.dtt", "dotTrace"), ("memory.dmp", "WinDbg")] {
        let (_, p) = one(name);
        assert_eq!(p.format, Some(Format::BinaryCapture));
        assert!(p.notes[0].contains(tool), "{:?}", p.notes);
        assert!(p.problems.is_empty());
    }
}
