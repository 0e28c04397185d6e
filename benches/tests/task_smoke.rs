//! A few megabytes of generated task log in each form, parsed and checked
//! against the generator's counts: the benchmark's assertions, small enough
//! for every test run.

use octodiag_bench::task_gen::{self, Generated};
use octodiag_parsers::task::WaitKind;
use octodiag_parsers::{parse_source, task_log, Format, ParseOptions, Source, Task};

/// Parses through detection, as the CLI does, and assembles the one task.
fn read(g: &Generated, format: Format) -> (octodiag_parsers::Parsed, Task) {
    let source = Source::from_bytes(g.file_name, g.bytes.clone());
    let mut parsed = parse_source(0, &source, &ParseOptions::default());
    assert_eq!(parsed.format, Some(format));
    let mut tasks = task_log::assemble(std::mem::take(&mut parsed.task_fragments));
    assert_eq!(tasks.len(), 1);
    (parsed, tasks.remove(0))
}

fn check(g: &Generated, parsed: &octodiag_parsers::Parsed, task: &Task) {
    let e = &g.expected;
    assert_eq!((parsed.lines, parsed.entries, parsed.skipped_lines), (e.lines, e.entries, 0));
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems.list.first());
    assert_eq!(task.steps.len(), e.steps);
    let targets: usize =
        task.steps.iter().filter(|s| s.name.starts_with("Step ")).map(|s| s.children.len()).sum();
    assert_eq!(targets, e.targets);
    let mutex: Vec<_> = task.waits.iter().filter(|w| w.kind == WaitKind::Mutex).collect();
    assert_eq!(mutex.len(), e.mutex_waits);
    let waited: i64 = mutex.iter().map(|w| w.end.0 - w.start.0).sum();
    assert_eq!(waited, e.mutex_wait_us);
    assert_eq!(task.completed.unwrap().0 - task.started.unwrap().0, e.duration_us);
}

#[test]
fn generated_on_disk_log_parses_to_the_expected_counts() {
    let g = task_gen::on_disk(3 << 20);
    assert!(g.bytes.len() >= 3 << 20);
    let (parsed, task) = read(&g, Format::TaskLogJson);
    check(&g, &parsed, &task);
    assert_eq!(task.status.as_deref(), Some("Success"));
    assert!(g.expected.mutex_waits > 0);
}

#[test]
fn generated_raw_log_parses_to_the_expected_counts() {
    let g = task_gen::raw_text(3 << 20);
    let (parsed, task) = read(&g, Format::TaskLogText);
    check(&g, &parsed, &task);
    assert_eq!(task.node.as_deref(), Some("OCTO-NODE1"));
    assert!(g.expected.mutex_waits > 0);
}
