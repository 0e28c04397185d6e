//! Request-log and container-log throughput on generated inputs of 64 MiB, one
//! thread:
//!
//! * each web-server and proxy log parsed through detection, as the CLI does,
//!   its events dropped as they are made (`parse`: what `inputs` does, and the
//!   parsing cost that analysis pays before folding) or kept (`parse+keep`:
//!   what `events` does; every line is a request, so this is mostly memory);
//! * Docker- and CRI-wrapped server logs decoded (`unwrap`), and decoded then
//!   parsed like the `server_log` bench's analyze mode (typed events kept).
//!
//! Every iteration asserts the generator's counts, so a fast but wrong parser
//! fails the benchmark.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use octodiag_bench::access_gen::{write_log, Kind};
use octodiag_bench::container_gen::{write_wrapped, Framing, WrapSpec, PIECE};
use octodiag_bench::server_gen::{Layout, ServerLogSpec};
use octodiag_parsers::server_log::{Discard, ServerLogOptions};
use octodiag_parsers::unwrap::{decode, WrapperKind};
use octodiag_parsers::{parse_source, parse_source_into, EventKind, ParseOptions, Source};

const SIZE: u64 = 64 << 20;

fn requests(p: &octodiag_parsers::Parsed) -> u64 {
    p.events.iter().filter(|e| matches!(e.kind, EventKind::Request(_))).count() as u64
}

fn request_logs(c: &mut Criterion) {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    let mut group = c.benchmark_group("request_log");
    group.sample_size(10);
    for kind in Kind::ALL {
        let mut bytes = Vec::with_capacity(SIZE as usize + (1 << 20));
        let counts = write_log(kind, SIZE, 42, 1_793_000_000, &mut bytes).expect("in memory");
        let source = Source::from_bytes(kind.names().1, bytes);
        group.throughput(Throughput::Bytes(source.bytes().len() as u64));
        let opts = ParseOptions::default();
        // nginx's error-log lines are skipped; Traefik's own lines are `log` entries.
        let entries = counts.requests + if kind == Kind::Nginx { 0 } else { counts.other };
        group.bench_with_input(BenchmarkId::new("parse", kind.names().0), &kind, |b, _| {
            b.iter(|| {
                let (p, _) = pool.install(|| parse_source_into(0, &source, &opts, &|| Discard));
                assert_eq!((p.entries, p.lines), (entries, counts.lines));
            })
        });
        group.bench_with_input(BenchmarkId::new("parse+keep", kind.names().0), &kind, |b, _| {
            b.iter(|| {
                let p = pool.install(|| parse_source(0, &source, &opts));
                assert_eq!((requests(&p), p.lines), (counts.requests, counts.lines));
            })
        });
    }
    group.finish();
}

fn container_logs(c: &mut Criterion) {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    let mut group = c.benchmark_group("container_log");
    group.sample_size(10);
    for (name, framing, kind) in [
        ("docker", Framing::Docker, WrapperKind::DockerJson),
        ("cri", Framing::Cri, WrapperKind::Cri),
    ] {
        let spec = ServerLogSpec {
            bytes: SIZE,
            seed: 42,
            layout: Layout::WithPid,
            verbose: false,
            start_epoch_s: 1_793_000_000,
        };
        let mut bytes = Vec::with_capacity(SIZE as usize * 2);
        let wrap = WrapSpec { framing, offset_minutes: 600, piece: PIECE };
        let w = write_wrapped(&spec, wrap, &mut bytes).expect("in memory");
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_with_input(BenchmarkId::new("unwrap", name), &name, |b, _| {
            b.iter(|| {
                let d = decode(kind, &bytes, usize::MAX);
                assert_eq!(d.streams[0].1.records, w.records);
            })
        });
        group.bench_with_input(BenchmarkId::new("unwrap+parse", name), &name, |b, _| {
            b.iter(|| {
                let mut d = decode(kind, &bytes, usize::MAX);
                let (text, wrapper) = d.streams.pop().expect("one stream");
                let mut source = Source::from_bytes("0.log", text);
                source.wrapper = Some(Box::new(wrapper));
                let opts = ParseOptions {
                    server_log: ServerLogOptions {
                        keep_generic: false,
                        ..ServerLogOptions::default()
                    },
                };
                let p = pool.install(|| parse_source(0, &source, &opts));
                assert_eq!((p.entries, requests(&p)), (w.log.entries, w.log.requests));
            })
        });
    }
    group.finish();
}

criterion_group!(benches, request_logs, container_logs);
criterion_main!(benches);
