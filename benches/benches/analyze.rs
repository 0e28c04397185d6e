//! `analyze` throughput on a generated 128 MiB server log: parse, folding the
//! events into facts as the parse workers go (as the CLI does), and run every
//! analysis. Each iteration asserts the
//! request count the generator wrote and that a report with suspects came out,
//! so a fast but wrong pipeline fails the benchmark.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use octodiag_analyzers::facts::Part;
use octodiag_analyzers::{analyze, Config, Dataset, Input};
use octodiag_bench::server_gen::{write_server_log, Layout, ServerLogSpec};
use octodiag_parsers::server_log::{parse_into, ServerLogOptions};
use octodiag_parsers::{Clock, Format};

const SIZE: u64 = 128 << 20;

fn analyze_server_log(c: &mut Criterion) {
    let spec = ServerLogSpec {
        bytes: SIZE,
        seed: 9,
        layout: Layout::WithPid,
        verbose: false,
        start_epoch_s: 1_793_000_000,
    };
    let mut bytes = Vec::with_capacity(SIZE as usize + (1 << 20));
    let counts = write_server_log(&spec, &mut bytes).expect("in-memory write");
    let mut group = c.benchmark_group("analyze");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.sample_size(10);
    group.bench_function("server_log_128MiB", |b| {
        b.iter(|| {
            let opts = ServerLogOptions { chunk_size: 16 << 20, keep_generic: false };
            let (log, folded) = parse_into(0, &bytes, &opts, &|| Part::new(false));
            let span = log.span.map(|(a, b, _)| (a, b));
            let data = Dataset {
                inputs: vec![Input {
                    name: "OctopusServer.0.txt",
                    bytes: &bytes,
                    format: Format::ServerLog,
                    node: Some("OCTO-BENCH".into()),
                    folder: None,
                    activity: &log.activity,
                    verbose: log.verbose,
                    span,
                    clock: Clock::Local,
                    entries: log.entries,
                    problems: 0,
                }],
                events: &log.events,
                tasks: &[],
            };
            let report = analyze(&data, folded, &Config::default());
            assert_eq!(report.requests.total as u64, counts.requests);
            assert!(!report.suspects.is_empty());
            report.suspects.len()
        })
    });
    group.finish();
}

criterion_group!(benches, analyze_server_log);
criterion_main!(benches);
