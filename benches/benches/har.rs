//! HAR parse throughput on a generated ~260 MB Octopus-portal recording
//! with large base64 bodies (`octodiag_bench::har_gen`). The file is written
//! once to the git-ignored `benches/out/`. Every iteration asserts the entry
//! and event counts, so a fast but wrong parser fails the benchmark.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use octodiag_bench::har_gen::{ensure_file, HarGenConfig};
use octodiag_parsers::{har, open_inputs, OpenOptions};

fn out_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("out")
}

fn parse_large(c: &mut Criterion) {
    let cfg = HarGenConfig::large();
    let path = out_dir().join(format!("har-{}-{:x}.har", cfg.entries, cfg.seed));
    let stats = ensure_file(&path, &cfg).expect("benches/out is writable");
    assert!(stats.bytes >= 200_000_000, "the benchmark file is at least 200 MB: {}", stats.bytes);
    let sources = open_inputs(&[path.to_string_lossy().into_owned()], &OpenOptions::default());
    let source = &sources[0];
    assert_eq!(source.bytes().len() as u64, stats.bytes);

    let mut group = c.benchmark_group("har");
    group.throughput(Throughput::Bytes(stats.bytes));
    group.sample_size(10);
    group.bench_function("parse_large", |b| {
        b.iter(|| {
            let parsed = har::parse(0, source);
            assert_eq!(parsed.entries as usize, stats.entries);
            assert_eq!(parsed.events.len(), stats.entries);
            assert!(parsed.problems.is_empty());
            parsed
        })
    });
    group.finish();
}

criterion_group!(benches, parse_large);
criterion_main!(benches);
