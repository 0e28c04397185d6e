//! Tasks: running tasks over time per node, maximum concurrency, queue
//! delays and episodes where tasks queued while the node ran at its task
//! cap, the longest tasks and steps, and time spent waiting on target mutexes.

use std::collections::BTreeMap;

use octodiag_parsers::{Step, Task, TaskKind, Timestamp, UtcOffset};
use serde::Serialize;

use crate::facts::to_utc;
use crate::report::{secs_round, utc};
use crate::stats::{merge, Span};

/// Octopus' default task cap per node.
pub const DEFAULT_TASK_CAP: u32 = 5;

/// Queue delays shorter than this are scheduling noise, not queueing.
pub const QUEUE_NOISE_SECS: f64 = 30.0;

/// A task with UTC times, as the analyses see it.
#[derive(Clone, Debug)]
pub struct TaskView<'a> {
    /// The task.
    pub task: &'a Task,
    /// Queued (UTC).
    pub queued: Option<Timestamp>,
    /// Started (UTC).
    pub started: Option<Timestamp>,
    /// Completed (UTC).
    pub completed: Option<Timestamp>,
    /// Node, or `(unknown)`.
    pub node: String,
    /// The offset that moves this task's own times to UTC (zero for UTC clocks).
    pub offset: UtcOffset,
}

impl TaskView<'_> {
    /// One of this task's times (a step's, a wait's) in UTC.
    pub fn utc(&self, t: Timestamp) -> Timestamp {
        to_utc(t, self.task.clock, self.offset)
    }

    /// The running span, when both ends are known.
    pub fn span(&self) -> Option<Span> {
        Some(Span::new(self.started?, self.completed?))
    }
}

/// Moves every task to UTC.
pub fn views(tasks: &[Task], offset: UtcOffset) -> Vec<TaskView<'_>> {
    tasks
        .iter()
        .map(|t| TaskView {
            task: t,
            queued: t.queued.map(|x| to_utc(x, t.clock, offset)),
            started: t.started.map(|x| to_utc(x, t.clock, offset)),
            completed: t.completed.map(|x| to_utc(x, t.clock, offset)),
            node: t.node.clone().unwrap_or_else(|| "(unknown)".into()),
            offset,
        })
        .collect()
}

/// Peak concurrency of one node.
#[derive(Clone, Debug, Serialize)]
pub struct NodeConcurrency {
    /// Node.
    pub node: String,
    /// Most tasks running at once.
    pub max_running: u32,
    /// When that peak began (UTC).
    pub at: String,
    /// Tasks seen on this node.
    pub tasks: usize,
}

/// Tasks queued while their node was at its cap.
#[derive(Clone, Debug, Serialize)]
pub struct QueueEpisode {
    /// Node.
    pub node: String,
    /// Start (UTC).
    pub start: String,
    /// End (UTC).
    pub end: String,
    /// Tasks that waited in it.
    pub queued_tasks: Vec<String>,
    /// Longest wait in seconds.
    pub max_queue_s: f64,
    /// Whether the node ran at its cap meanwhile.
    pub at_cap: bool,
    /// The span.
    #[serde(skip)]
    pub span: Span,
}

/// One task in the longest list.
#[derive(Clone, Debug, Serialize)]
pub struct TaskRow {
    /// `ServerTasks-N`.
    pub id: String,
    /// Description.
    pub description: String,
    /// Kind.
    pub kind: &'static str,
    /// Node.
    pub node: String,
    /// Status.
    pub status: Option<String>,
    /// Started (UTC).
    pub started: Option<String>,
    /// Seconds running.
    pub duration_s: Option<f64>,
    /// Seconds queued.
    pub queue_s: Option<f64>,
    /// Its slowest step (name and seconds).
    pub slowest_step: Option<(String, f64)>,
}

/// A wait on a target mutex or package acquisition.
#[derive(Clone, Debug, Serialize)]
pub struct WaitRow {
    /// Task id.
    pub task: String,
    /// Step path.
    pub step: String,
    /// `mutex` or `package-acquisition`.
    pub kind: &'static str,
    /// Seconds.
    pub seconds: f64,
}

/// The `tasks` section.
#[derive(Clone, Debug, Serialize)]
pub struct TasksReport {
    /// Tasks read.
    pub count: usize,
    /// Count per kind.
    pub by_kind: BTreeMap<&'static str, usize>,
    /// The cap used for queue episodes, and why.
    pub task_cap: u32,
    /// Where the cap came from.
    pub task_cap_from: String,
    /// Peak concurrency per node.
    pub concurrency: Vec<NodeConcurrency>,
    /// Queue episodes.
    pub queue_episodes: Vec<QueueEpisode>,
    /// Longest tasks, top N.
    pub longest: Vec<TaskRow>,
    /// Most queued tasks, top N.
    pub most_queued: Vec<TaskRow>,
    /// Longest waits, top N.
    pub waits: Vec<WaitRow>,
}

/// Running-count steps of a node: (time, running after it).
pub fn running_over_time(views: &[&TaskView<'_>]) -> Vec<(Timestamp, u32)> {
    let mut edges: Vec<(Timestamp, i32)> = Vec::new();
    for v in views {
        if let Some(s) = v.span() {
            edges.push((s.start, 1));
            edges.push((s.end, -1));
        }
    }
    edges.sort_by_key(|(t, d)| (*t, *d));
    let mut running = 0i32;
    edges
        .into_iter()
        .map(|(t, d)| {
            running += d;
            (t, running.max(0) as u32)
        })
        .collect()
}

/// Spans where a node ran at least `level` tasks at once.
pub fn spans_at_or_above(steps: &[(Timestamp, u32)], level: u32) -> Vec<Span> {
    let mut out = Vec::new();
    let mut open: Option<Timestamp> = None;
    for (t, n) in steps {
        match (open, *n >= level) {
            (None, true) => open = Some(*t),
            (Some(s), false) => {
                out.push(Span::new(s, *t));
                open = None;
            }
            _ => {}
        }
    }
    out
}

fn by_node<'v, 'a>(views: &'v [TaskView<'a>]) -> BTreeMap<String, Vec<&'v TaskView<'a>>> {
    let mut m: BTreeMap<String, Vec<&TaskView<'_>>> = BTreeMap::new();
    for v in views {
        m.entry(v.node.clone()).or_default().push(v);
    }
    m
}

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

/// Builds the tasks section.
pub fn analyze(views: &[TaskView<'_>], cap_config: Option<u32>, top: usize) -> TasksReport {
    let nodes = by_node(views);
    let mut concurrency = Vec::new();
    for (node, vs) in &nodes {
        let steps = running_over_time(vs);
        let (at, max) = steps
            .iter()
            .max_by_key(|(t, n)| (*n, std::cmp::Reverse(*t)))
            .copied()
            .unwrap_or_default();
        concurrency.push(NodeConcurrency {
            node: node.clone(),
            max_running: max,
            at: utc(at),
            tasks: vs.len(),
        });
    }
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
        most_queued: top_rows(views, top, queue_secs),
        waits: waits(views, top),
    }
}

/// Seconds a task waited in the queue.
pub fn queue_secs(v: &TaskView<'_>) -> Option<f64> {
    Some(v.started?.secs_since(v.queued?))
}

fn queue_episodes(nodes: &BTreeMap<String, Vec<&TaskView<'_>>>, cap: u32) -> Vec<QueueEpisode> {
    let mut out = Vec::new();
    for (node, vs) in nodes {
        let at_cap = spans_at_or_above(&running_over_time(vs), cap);
        let waiting: Vec<&&TaskView<'_>> =
            vs.iter().filter(|v| queue_secs(v).is_some_and(|q| q >= QUEUE_NOISE_SECS)).collect();
        let spans: Vec<Span> =
            waiting.iter().filter_map(|v| Some(Span::new(v.queued?, v.started?))).collect();
        for span in merge(spans, 0.0) {
            let inside: Vec<&&&TaskView<'_>> =
                waiting.iter().filter(|v| v.queued.is_some_and(|q| span.contains(q))).collect();
            out.push(QueueEpisode {
                node: node.clone(),
                start: utc(span.start),
                end: utc(span.end),
                queued_tasks: inside.iter().map(|v| v.task.id.clone()).collect(),
                max_queue_s: inside.iter().filter_map(|v| queue_secs(v)).fold(0.0, f64::max),
                at_cap: at_cap.iter().any(|c| c.overlap_secs(&span) > 0.0),
                span,
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
        started: v.started.map(utc),
        duration_s: v.span().map(|s| secs_round(s.secs())),
        queue_s: queue_secs(v).map(secs_round),
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

/// Deployments of each project (by name), for the `project` cause.
pub fn deployments_by_project<'v, 'a>(
    views: &'v [TaskView<'a>],
) -> BTreeMap<String, Vec<&'v TaskView<'a>>> {
    let mut m: BTreeMap<String, Vec<&TaskView<'_>>> = BTreeMap::new();
    for v in views.iter().filter(|v| matches!(v.task.kind, TaskKind::Deploy | TaskKind::RunbookRun))
    {
        if let Some(p) = &v.task.project {
            m.entry(p.clone()).or_default().push(v);
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: i64) -> Timestamp {
        Timestamp(s * 1_000_000)
    }

    #[test]
    fn running_counts_and_levels() {
        let mk = |a, b| (ts(a), ts(b));
        let spans = [mk(0, 10), mk(2, 8), mk(5, 20)];
        let mut edges: Vec<(Timestamp, u32)> = Vec::new();
        let mut all: Vec<(Timestamp, i32)> =
            spans.iter().flat_map(|(s, e)| [(*s, 1), (*e, -1)]).collect();
        all.sort_by_key(|(t, d)| (*t, *d));
        let mut n = 0;
        for (t, d) in all {
            n += d;
            edges.push((t, n as u32));
        }
        assert_eq!(edges.iter().map(|e| e.1).max(), Some(3));
        let at3 = spans_at_or_above(&edges, 3);
        assert_eq!(at3, vec![Span::new(ts(5), ts(8))]);
    }

    #[test]
    fn cap_choice() {
        assert_eq!(task_cap(Some(3), 9).0, 3);
        assert_eq!(task_cap(None, 4).0, 5);
        assert_eq!(task_cap(None, 8).0, 8);
    }
}
