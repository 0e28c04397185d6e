//! Tasks as facts: each [`Task`] with its times in UTC ([`TaskView`]), and the
//! questions several stages ask of them (how many ran at once, which waited,
//! which belong to a project).

use std::collections::BTreeMap;

use octodiag_parsers::{Task, TaskKind, Timestamp, UtcOffset};

use super::to_utc;
use crate::stats::Span;

/// Said of a task whose node no log names.
pub const UNKNOWN_NODE: &str = "(unknown)";

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
    /// Node, or [`UNKNOWN_NODE`].
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

    /// Seconds it waited in the queue.
    pub fn queue_secs(&self) -> Option<f64> {
        Some(self.started?.secs_since(self.queued?))
    }
}

/// Moves every task to UTC. A task whose log names no node ran on `only_node`
/// when the bundle has one (a single server), else on [`UNKNOWN_NODE`].
pub fn views<'t>(
    tasks: &'t [Task],
    offset: UtcOffset,
    only_node: Option<&str>,
) -> Vec<TaskView<'t>> {
    let fallback = only_node.unwrap_or(UNKNOWN_NODE);
    tasks
        .iter()
        .map(|t| TaskView {
            task: t,
            queued: t.queued.map(|x| to_utc(x, t.clock, offset)),
            started: t.started.map(|x| to_utc(x, t.clock, offset)),
            completed: t.completed.map(|x| to_utc(x, t.clock, offset)),
            node: t.node.as_deref().map_or(fallback, node_name).to_string(),
            offset,
        })
        .collect()
}

/// A node name as task logs give it, without the id prefix of 2024+ task JSON
/// (`OctopusServerNodes-OCTO1` → `OCTO1`).
pub fn node_name(node: &str) -> &str {
    node.trim().trim_start_matches("OctopusServerNodes-")
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

/// Tasks by node name.
pub fn by_node<'v, 'a>(views: &'v [TaskView<'a>]) -> BTreeMap<String, Vec<&'v TaskView<'a>>> {
    let mut m: BTreeMap<String, Vec<&TaskView<'_>>> = BTreeMap::new();
    for v in views {
        m.entry(v.node.clone()).or_default().push(v);
    }
    m
}

/// Deployments (and runbook runs) of each project, by name.
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
    fn levels_of_running_counts() {
        let steps = [(ts(0), 1), (ts(2), 2), (ts(5), 3), (ts(8), 2), (ts(10), 1), (ts(20), 0)];
        assert_eq!(spans_at_or_above(&steps, 3), vec![Span::new(ts(5), ts(8))]);
        assert_eq!(spans_at_or_above(&steps, 2), vec![Span::new(ts(2), ts(10))]);
        assert_eq!(spans_at_or_above(&steps, 4), vec![]);
    }
}
