//! Server-log parse throughput on a generated 256 MiB log (normal INFO mix) and a
//! 256 MiB verbose log (every request at DEBUG), with one thread and with two.
//! Every iteration asserts the entry, line, request and SQL counts the
//! generator wrote, so a fast but wrong parser fails the benchmark.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use octodiag_bench::server_gen::{write_server_log, Counts, Layout, ServerLogSpec};
use octodiag_parsers::server_log::{parse, ServerLogOptions};
use octodiag_parsers::EventKind;

const SIZE: u64 = 256 << 20;

fn generate(verbose: bool) -> (Vec<u8>, Counts) {
    let spec = ServerLogSpec {
        bytes: SIZE,
        seed: 42,
        layout: Layout::WithPid,
        verbose,
        start_epoch_s: 1_793_000_000,
    };
    let mut bytes = Vec::with_capacity(SIZE as usize + (1 << 20));
    let counts = write_server_log(&spec, &mut bytes).expect("in-memory write");
    (bytes, counts)
}

fn check(bytes: &[u8], counts: &Counts, keep_generic: bool) {
    let log = parse(0, bytes, &ServerLogOptions { chunk_size: 16 << 20, keep_generic });
    assert_eq!((log.entries, log.lines), (counts.entries, counts.lines));
    let requests =
        log.events.iter().filter(|e| matches!(e.kind, EventKind::Request(_))).count() as u64;
    let sql = log.events.iter().filter(|e| matches!(e.kind, EventKind::Sql(_))).count() as u64;
    assert_eq!((requests, sql), (counts.requests, counts.sql));
}

fn parse_server_log(c: &mut Criterion) {
    for (name, verbose) in [("normal", false), ("verbose", true)] {
        let (bytes, counts) = generate(verbose);
        let mut group = c.benchmark_group(format!("server_log/{name}"));
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.sample_size(10);
        for threads in [1usize, 2] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
            // What `analyze` does: typed events only, generic lines counted.
            group.bench_with_input(BenchmarkId::new("analyze-mode", threads), &threads, |b, _| {
                b.iter(|| pool.install(|| check(&bytes, &counts, false)))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, parse_server_log);
criterion_main!(benches);
