//! Tasks: running tasks over time per node, maximum concurrency, queue
//! delays and episodes where tasks queued while the node ran at its task
//! cap, the longest tasks and steps, and time spent waiting on target mutexes.

use std::collections::BTreeMap;

use octodiag_parsers::Step;

use crate::facts::tasks::{by_node, running_over_time, spans_at_or_above, TaskView};
use crate::model::{NodeConcurrency, QueueEpisode, TaskRow, TasksReport, WaitRow};
use crate::stats::{merge, Span};
use crate::units::secs_round;

/// Octopus' default task cap per node.
pub const DEFAULT_TASK_CAP: u32 = 5;

/// Queue delays shorter than this are scheduling noise, not queueing.
pub const QUEUE_NOISE_SECS: f64 = 30.0;

/// The cap: as configured, else 5, else the highest concurrency observed when higher.
pub fn task_cap(config: Option<u32>, observed_max: u32) -> (u32, String) {
    match config {
        Some(c) => (c, "--task-cap".into()),
        None if observed_max > DEFAULT_TASK_CAP => (
            observed_max,
            format!("highest concurrency observed ({observed_max}), above the default of 5"),
        ),
        None => (DEFAULT_TASK_CAP, "Octopus default (5)".into()),
    }
}

/// Builds the task findings.
pub fn analyze(views: &[TaskView<'_>], cap_config: Option<u32>, top: usize) -> TasksReport {
    let nodes = by_node(views);
    let concurrency = concurrency(&nodes);
    let observed = concurrency.iter().map(|c| c.max_running).max().unwrap_or(0);
    let (cap, cap_from) = task_cap(cap_config, observed);
    let mut by_kind = BTreeMap::new();
    for v in views {
        *by_kind.entry(v.task.kind.as_str()).or_insert(0) += 1;
    }
    TasksReport {
        count: views.len(),
        by_kind,
        task_cap: cap,
        task_cap_from: cap_from,
        concurrency,
        queue_episodes: queue_episodes(&nodes, cap),
        longest: top_rows(views, top, |v| v.span().map(|s| s.secs())),
        most_queued: top_rows(views, top, |v| v.queue_secs()),
        waits: waits(views, top),
    }
}

/// Peak concurrency per node.
fn concurrency(nodes: &BTreeMap<String, Vec<&TaskView<'_>>>) -> Vec<NodeConcurrency> {
    nodes
        .iter()
        .map(|(node, vs)| {
            let steps = running_over_time(vs);
            let (at, max) = steps
                .iter()
                .max_by_key(|(t, n)| (*n, std::cmp::Reverse(*t)))
                .copied()
                .unwrap_or_default();
            NodeConcurrency { node: node.clone(), max_running: max, at, tasks: vs.len() }
        })
        .collect()
}

fn queue_episodes(nodes: &BTreeMap<String, Vec<&TaskView<'_>>>, cap: u32) -> Vec<QueueEpisode> {
    let mut out = Vec::new();
    for (node, vs) in nodes {
        let at_cap = spans_at_or_above(&running_over_time(vs), cap);
        let waiting: Vec<&&TaskView<'_>> =
            vs.iter().filter(|v| v.queue_secs().is_some_and(|q| q >= QUEUE_NOISE_SECS)).collect();
        let spans: Vec<Span> =
            waiting.iter().filter_map(|v| Some(Span::new(v.queued?, v.started?))).collect();
        for span in merge(spans, 0.0) {
            let inside: Vec<&&&TaskView<'_>> =
                waiting.iter().filter(|v| v.queued.is_some_and(|q| span.contains(q))).collect();
            out.push(QueueEpisode {
                node: node.clone(),
                span,
                queued_tasks: inside.iter().map(|v| v.task.id.clone()).collect(),
                max_queue_s: inside.iter().filter_map(|v| v.queue_secs()).fold(0.0, f64::max),
                at_cap: at_cap.iter().any(|c| c.overlap_secs(&span) > 0.0),
            });
        }
    }
    out.sort_by_key(|e| e.span.start);
    out
}

fn top_rows(
    views: &[TaskView<'_>],
    top: usize,
    key: impl Fn(&TaskView<'_>) -> Option<f64>,
) -> Vec<TaskRow> {
    let mut v: Vec<(&TaskView<'_>, f64)> =
        views.iter().filter_map(|v| Some((v, key(v)?))).collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.task.id.cmp(&b.0.task.id)));
    v.into_iter().take(top).map(|(v, _)| row(v)).collect()
}

fn row(v: &TaskView<'_>) -> TaskRow {
    TaskRow {
        id: v.task.id.clone(),
        description: v.task.description.clone(),
        kind: v.task.kind.as_str(),
        node: v.node.clone(),
        status: v.task.status.clone(),
        started: v.started,
        duration_s: v.span().map(|s| secs_round(s.secs())),
        queue_s: v.queue_secs().map(secs_round),
        slowest_step: slowest_step(&v.task.steps).map(|(n, s)| (n, secs_round(s))),
    }
}

/// The slowest step anywhere in the tree (name path and seconds).
pub fn slowest_step(steps: &[Step]) -> Option<(String, f64)> {
    let mut best: Option<(String, f64)> = None;
    for s in steps {
        if let Some(d) = s.duration_s() {
            if best.as_ref().is_none_or(|b| d > b.1) {
                best = Some((s.name.clone(), d));
            }
        }
        if let Some((n, d)) = slowest_step(&s.children) {
            if best.as_ref().is_none_or(|b| d > b.1) {
                best = Some((format!("{} / {n}", s.name), d));
            }
        }
    }
    best
}

fn waits(views: &[TaskView<'_>], top: usize) -> Vec<WaitRow> {
    let mut w: Vec<WaitRow> = views
        .iter()
        .flat_map(|v| {
            v.task.waits.iter().map(|w| WaitRow {
                task: v.task.id.clone(),
                step: w.step.clone(),
                kind: w.kind.as_str(),
                seconds: secs_round(w.end.secs_since(w.start)),
            })
        })
        .collect();
    w.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
    w.truncate(top);
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cap_choice() {
        assert_eq!(task_cap(Some(3), 9).0, 3);
        assert_eq!(task_cap(None, 4).0, 5);
        assert_eq!(task_cap(None, 8).0, 8);
    }
}
