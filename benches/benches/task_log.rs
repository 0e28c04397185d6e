//! Task-log throughput: a generated deployment of about 100 MB in each form
//! (`TASK_BENCH_MB` overrides the size), parsed and assembled as the CLI does.
//! The counts are asserted before timing and on every iteration, so a fast but
//! wrong parser fails.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use octodiag_bench::task_gen::{self, Generated};
use octodiag_parsers::task::WaitKind;
use octodiag_parsers::{task_log, Format, Source, Task};

fn size() -> usize {
    std::env::var("TASK_BENCH_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(100) << 20
}

/// Parses and assembles; returns the entries and the task.
fn parse(source: &Source, format: Format) -> (u64, Task) {
    let parsed = task_log::parse(0, source, format);
    let entries = parsed.entries;
    let mut tasks = task_log::assemble(parsed.task_fragments);
    assert_eq!(tasks.len(), 1);
    (entries, tasks.remove(0))
}

fn assert_counts(g: &Generated, entries: u64, task: &Task) {
    let e = &g.expected;
    assert_eq!(entries, e.entries);
    assert_eq!(task.steps.len(), e.steps);
    let mutex = task.waits.iter().filter(|w| w.kind == WaitKind::Mutex).count();
    assert_eq!(mutex, e.mutex_waits);
    assert_eq!(
        task.completed.map(|c| c.0).zip(task.started.map(|s| s.0)).map(|(c, s)| c - s),
        Some(e.duration_us)
    );
}

fn bench_form(c: &mut Criterion, name: &str, g: Generated, format: Format) {
    let source = Source::from_bytes(g.file_name, g.bytes.clone());
    let (entries, task) = parse(&source, format);
    assert_counts(&g, entries, &task);
    eprintln!(
        "{name}: {:.1} MB, {} lines, {} steps, {} targets, {} mutex waits",
        g.bytes.len() as f64 / 1e6,
        g.expected.lines,
        g.expected.steps,
        g.expected.targets,
        g.expected.mutex_waits
    );
    let mut group = c.benchmark_group("task_log");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .warm_up_time(Duration::from_secs(2));
    group.throughput(Throughput::Bytes(g.bytes.len() as u64));
    group.bench_function(name, |b| {
        b.iter(|| {
            let (entries, task) = parse(black_box(&source), format);
            assert_eq!(entries, g.expected.entries);
            black_box(task)
        })
    });
    group.finish();
}

fn task_logs(c: &mut Criterion) {
    bench_form(c, "on-disk", task_gen::on_disk(size()), Format::TaskLogJson);
    bench_form(c, "raw-text", task_gen::raw_text(size()), Format::TaskLogText);
}

criterion_group!(benches, task_logs);
criterion_main!(benches);
