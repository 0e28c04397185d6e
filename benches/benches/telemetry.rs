//! Telemetry reader throughput, in MB/s of decompressed input: the OTel trace
//! reader on generated OTLP/JSON lines (plain, and zstd-compressed as Octopus
//! stores them: decoding included), and the PDH-CSV reader. Sizes default to
//! 100 MB (`TELEMETRY_BENCH_MB` overrides). Counts are asserted before timing
//! and on every iteration, so a fast but wrong reader fails.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use octodiag_bench::telemetry_gen::{self, Generated};
use octodiag_parsers::counters::pdh;
use octodiag_parsers::otel;
use octodiag_parsers::source::decode_zstd;

fn size() -> usize {
    std::env::var("TELEMETRY_BENCH_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(100) << 20
}

fn group<'a>(
    c: &'a mut Criterion,
    bytes: usize,
) -> BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group("telemetry");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(15))
        .warm_up_time(Duration::from_secs(2));
    g.throughput(Throughput::Bytes(bytes as u64));
    g
}

fn otel_spans(bytes: &[u8], want: &Generated) -> u64 {
    let p = otel::parse_bytes(0, bytes);
    assert_eq!((p.entries, p.lines), (want.entries, want.lines));
    assert!(p.problems.is_empty());
    p.entries
}

fn otel_readers(c: &mut Criterion) {
    let g = telemetry_gen::otel(size(), 42);
    otel_spans(&g.bytes, &g);
    let compressed = zstd::encode_all(&g.bytes[..], 3).unwrap();
    eprintln!(
        "otel: {:.1} MB ({:.1} MB as zstd -3), {} batches, {} spans, {} SQL, {} requests",
        g.bytes.len() as f64 / 1e6,
        compressed.len() as f64 / 1e6,
        g.lines,
        g.entries,
        g.sql_or_series,
        g.requests_or_blank
    );
    let mut group = group(c, g.bytes.len());
    group.bench_function("otel-jsonl", |b| {
        b.iter(|| black_box(otel_spans(black_box(&g.bytes), &g)))
    });
    group.bench_function("otel-jsonl-zst", |b| {
        b.iter(|| {
            let decoded = decode_zstd(black_box(&compressed), u64::MAX / 2);
            assert!(decoded.problem.is_none());
            black_box(otel_spans(&decoded.bytes, &g))
        })
    });
    group.finish();
}

fn pdh_reader(c: &mut Criterion) {
    let g = telemetry_gen::pdh_csv(size(), 42);
    eprintln!(
        "pdh-csv: {:.1} MB, {} rows × {} counters",
        g.bytes.len() as f64 / 1e6,
        g.entries,
        g.sql_or_series
    );
    let mut group = group(c, g.bytes.len());
    group.bench_function("pdh-csv", |b| {
        b.iter(|| {
            let p = pdh::parse(0, black_box(&g.bytes));
            assert_eq!((p.entries, p.series.len() as u64), (g.entries, g.sql_or_series));
            black_box(p.series)
        })
    });
    group.finish();
}

criterion_group!(benches, otel_readers, pdh_reader);
criterion_main!(benches);
