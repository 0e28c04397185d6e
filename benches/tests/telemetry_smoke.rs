//! A few megabytes of each generated telemetry input, parsed through detection
//! and checked against the generator's counts: the benchmarks' assertions,
//! small enough for every test run.

use octodiag_bench::telemetry_gen::{self, Generated};
use octodiag_parsers::profile::Profile;
use octodiag_parsers::span::SpanRole;
use octodiag_parsers::{parse_source, EventKind, Format, ParseOptions, Parsed, Source};

fn read(name: &str, g: &Generated, format: Format) -> Parsed {
    let parsed =
        parse_source(0, &Source::from_bytes(name, g.bytes.clone()), &ParseOptions::default());
    assert_eq!(parsed.format, Some(format));
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems.list.first());
    parsed
}

#[test]
fn otel_counts() {
    let g = telemetry_gen::otel(3 << 20, 7);
    assert!(g.bytes.len() >= 3 << 20);
    let p = read("traces.jsonl", &g, Format::OtelTraces);
    assert_eq!((p.lines, p.entries), (g.lines, g.entries));
    let role = |f: fn(&SpanRole) -> bool| {
        p.events.iter().filter(|e| matches!(&e.kind, EventKind::Span(s) if f(&s.role))).count()
            as u64
    };
    assert_eq!(role(|r| matches!(r, SpanRole::Sql(_))), g.sql_or_series);
    assert_eq!(role(|r| matches!(r, SpanRole::Request(_))), g.requests_or_blank);
    assert_eq!(role(|r| matches!(r, SpanRole::Task)), g.tasks);
}

#[test]
fn counter_counts() {
    let g = telemetry_gen::pdh_csv(2 << 20, 7);
    let p = read("perfmon.csv", &g, Format::PdhCsv);
    assert_eq!((p.lines, p.entries, p.series.len() as u64), (g.lines, g.entries, g.sql_or_series));
    assert_eq!(p.series.iter().map(|s| s.blank as u64).sum::<u64>(), g.requests_or_blank);
    let g = telemetry_gen::sadf(1 << 20, 7);
    let p = read("sadf.txt", &g, Format::Sadf);
    assert_eq!((p.lines, p.entries, p.series.len() as u64), (g.lines, g.entries, g.sql_or_series));
    let g = telemetry_gen::prometheus(1 << 20, 7);
    let p = read("q.json", &g, Format::Prometheus);
    assert_eq!(p.series.len() as u64, g.sql_or_series);
    assert_eq!(p.series.iter().map(|s| s.points.len() as u64).sum::<u64>(), g.entries);
}

#[test]
fn speedscope_counts() {
    let g = telemetry_gen::speedscope(2 << 20, 7);
    let p = read("trace.speedscope.json", &g, Format::Speedscope);
    let Some(Profile::Cpu(c)) = p.profile.as_deref() else { panic!() };
    assert_eq!(
        (c.threads.len() as u64, c.frames.len() as u64),
        (g.sql_or_series, g.requests_or_blank)
    );
    let hot = c.hottest(None, 5);
    assert_eq!(hot.total_ms, g.entries as f64 / 2.0, "each open/close pair is 1 ms");
    assert_eq!(hot.unbalanced, 0);
}
