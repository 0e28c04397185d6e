//! The task tree both forms build: nodes with the times of their own lines,
//! and the waits found in them. Turning it into [`Step`]s is shared.
//!
//! Nodes are only ever added after their parent, so every child has a larger
//! index than its parent. Subtree spans are therefore folded in one reverse
//! pass, and steps are built bottom-up without recursion: a hostile log with
//! thousands of nested paths cannot overflow the stack (depth is capped at
//! [`MAX_DEPTH`] as well, for the recursive consumers downstream).

use crate::task::{RetentionStats, Step, TaskForm, Wait, WaitKind};
use crate::time::Timestamp;

use super::describe::step_kind;
use super::marks::{Mark, RetentionCounts};

/// Deepest node kept; deeper ones are folded into their ancestor at this depth.
/// Real logs go four or five levels deep.
pub const MAX_DEPTH: u16 = 32;

/// One node of the tree while it is being read.
#[derive(Clone, Debug, Default)]
pub struct Node {
    /// Its name (`Step 1: …`, a machine), when a line gave it.
    pub name: Option<String>,
    /// Parent index (`None` for the root).
    pub parent: Option<u32>,
    /// Children, in the order they appeared.
    pub children: Vec<u32>,
    /// 0 for the root.
    pub depth: u16,
    /// Status written in a raw section header.
    pub status: Option<String>,
    /// First `PLN` line.
    pub planned: Option<Timestamp>,
    /// Earliest own line other than `PLN`.
    pub first: Option<Timestamp>,
    /// Latest own line.
    pub last: Option<Timestamp>,
    /// `FIN` or `ABN` line.
    pub end: Option<Timestamp>,
    /// Ended by `FIN`.
    pub finished: bool,
    /// Ended by `ABN`.
    pub abandoned: bool,
    /// Has a `FAT` line.
    pub failed: bool,
    /// Has a warning line.
    pub warned: bool,
    /// First fatal message.
    pub error: Option<String>,
    /// Retention lines among its own.
    pub retention: RetentionCounts,
    open_wait: Option<(WaitKind, Timestamp)>,
}

/// A tree being read.
#[derive(Clone, Debug, Default)]
pub struct Tree {
    /// Nodes; index 0 is the root once one was added.
    pub nodes: Vec<Node>,
    /// Whether a node deeper than [`MAX_DEPTH`] was folded.
    pub capped: bool,
    waits: Vec<(u32, WaitKind, Timestamp, Timestamp)>,
    /// The time of every line, any node: the task's pauses are found in them.
    times: Vec<Timestamp>,
}

/// The task-level view of a finished tree.
#[derive(Clone, Debug, Default)]
pub struct Finished {
    /// Children of the root.
    pub steps: Vec<Step>,
    /// Waits in time order.
    pub waits: Vec<Wait>,
    /// Retention statistics, when the task is a retention task or has a retention step.
    pub retention: Option<RetentionStats>,
    /// The root as a step without its children (its name is the task description).
    pub root: Option<Step>,
    /// The longest stretch without a line between the task's first and last lines.
    pub longest_pause: Option<(Timestamp, Timestamp)>,
}

/// The longest stretch between two consecutive line times (sorted here:
/// raw logs are in tree order, not time order).
fn longest_pause(times: &mut [Timestamp]) -> Option<(Timestamp, Timestamp)> {
    times.sort_unstable();
    times.windows(2).max_by_key(|w| w[1].0 - w[0].0).map(|w| (w[0], w[1]))
}

impl Tree {
    /// Adds a node under `parent` (or a root) and returns its index. Below
    /// [`MAX_DEPTH`] the parent itself is returned and [`Tree::capped`] set.
    pub fn add(&mut self, parent: Option<u32>, name: Option<String>) -> u32 {
        let depth = match parent {
            Some(p) => {
                let pd = self.nodes.get(p as usize).map_or(0, |n| n.depth);
                if pd >= MAX_DEPTH {
                    self.capped = true;
                    return p;
                }
                pd + 1
            }
            None => 0,
        };
        let idx = self.nodes.len() as u32;
        self.nodes.push(Node { name, parent, depth, ..Node::default() });
        if let Some(p) = parent.and_then(|p| self.nodes.get_mut(p as usize)) {
            p.children.push(idx);
        }
        idx
    }

    /// Records a line of `node` other than `PLN` at `ts`: its span, and the waits
    /// it starts or ends (a wait lasts until the next line of the same node;
    /// repeated wait messages extend it).
    pub fn activity(&mut self, node: u32, ts: Timestamp, mark: Mark) {
        let Some(n) = self.nodes.get_mut(node as usize) else { return };
        self.times.push(ts);
        n.first = Some(n.first.map_or(ts, |f| f.min(ts)));
        n.last = Some(n.last.map_or(ts, |l| l.max(ts)));
        n.retention.add(mark);
        let next = match mark {
            Mark::Wait(kind) => Some(kind),
            _ => None,
        };
        match (n.open_wait, next) {
            (Some((open, _)), Some(kind)) if open == kind => {}
            (Some((open, start)), _) => {
                self.waits.push((node, open, start, ts));
                n.open_wait = next.map(|k| (k, ts));
            }
            (None, _) => n.open_wait = next.map(|k| (k, ts)),
        }
    }

    /// Finishes the tree. On-disk nodes end at `FIN`/`ABN` and get a status from
    /// their lines; raw nodes end at their last line and keep the written status.
    pub fn finish(mut self, form: TaskForm, retention_task: bool) -> Finished {
        self.close_open_waits();
        let longest_pause = longest_pause(&mut self.times);
        let spans = self.subtree_spans();
        let retention = self.retention(retention_task, &spans);
        let waits = self.waits();
        let mut built: Vec<Option<Step>> = (0..self.nodes.len()).map(|_| None).collect();
        for i in (0..self.nodes.len()).rev() {
            let children: Vec<Step> = self.nodes[i]
                .children
                .iter()
                .filter_map(|c| built.get_mut(*c as usize)?.take())
                .collect();
            built[i] = Some(self.step(i, form, &spans[i], children));
        }
        let mut root = built.into_iter().next().flatten();
        let steps = root.as_mut().map(|r| std::mem::take(&mut r.children)).unwrap_or_default();
        Finished { steps, waits, retention, root, longest_pause }
    }

    /// A wait still open when the log ends lasts until the log's last line.
    fn close_open_waits(&mut self) {
        let Some(end) = self.nodes.iter().filter_map(|n| n.last).max() else { return };
        for (i, n) in self.nodes.iter_mut().enumerate() {
            if let Some((kind, start)) = n.open_wait.take() {
                self.waits.push((i as u32, kind, start, end));
            }
        }
    }

    fn subtree_spans(&self) -> Vec<Span> {
        let mut spans: Vec<Span> = self.nodes.iter().map(Span::own).collect();
        for i in (1..self.nodes.len()).rev() {
            let Some(p) = self.nodes[i].parent else { continue };
            let child = spans[i];
            if let Some(parent) = spans.get_mut(p as usize) {
                parent.absorb(&child);
            }
        }
        spans
    }

    fn step(&self, i: usize, form: TaskForm, span: &Span, children: Vec<Step>) -> Step {
        let n = &self.nodes[i];
        let name = n.name.clone().unwrap_or_else(|| "(unnamed)".to_string());
        let (status, completed) = match form {
            TaskForm::OnDisk => (Some(disk_status(n, span.warned).to_string()), n.end),
            TaskForm::RawText => (n.status.clone(), span.last),
        };
        Step {
            kind: step_kind(&name, n.depth as usize),
            name,
            status,
            started: span.first,
            completed,
            children,
            planned: n.planned,
            error: n.error.clone(),
        }
    }

    /// `Step 1: Deploy / web02`: the names below the root.
    fn path_name(&self, node: u32) -> String {
        let mut names = Vec::new();
        let mut at = Some(node);
        while let Some(i) = at {
            let Some(n) = self.nodes.get(i as usize) else { break };
            if n.parent.is_none() && !names.is_empty() {
                break;
            }
            names.push(n.name.as_deref().unwrap_or("(unnamed)"));
            at = n.parent;
        }
        names.reverse();
        names.join(" / ")
    }

    fn waits(&self) -> Vec<Wait> {
        let mut waits: Vec<Wait> = self
            .waits
            .iter()
            .map(|&(node, kind, start, end)| Wait { kind, step: self.path_name(node), start, end })
            .collect();
        waits.sort_by_key(|w| w.start);
        waits
    }

    /// Retention tasks count every decision and `Apply policy for …` section;
    /// other tasks count what their `Apply retention policy on Tentacles` steps
    /// did, one policy per target (or one for a step without targets).
    fn retention(&self, retention_task: bool, spans: &[Span]) -> Option<RetentionStats> {
        if retention_task {
            let counts = spans.first().map(|s| s.retention).unwrap_or_default();
            let policies = self.named_count(|n| n.starts_with("Apply policy for "));
            return Some(stats(counts, policies));
        }
        let steps: Vec<usize> = (0..self.nodes.len())
            .filter(|&i| {
                self.nodes[i]
                    .name
                    .as_deref()
                    .is_some_and(|n| n.starts_with("Apply retention policy on Tentacles"))
            })
            .collect();
        if steps.is_empty() {
            return None;
        }
        let mut counts = RetentionCounts::default();
        let mut policies = 0;
        for i in steps {
            counts.merge(spans[i].retention);
            policies += (self.nodes[i].children.len() as u32).max(1);
        }
        Some(stats(counts, policies))
    }

    fn named_count(&self, pred: impl Fn(&str) -> bool) -> u32 {
        self.nodes.iter().filter(|n| n.name.as_deref().is_some_and(&pred)).count() as u32
    }
}

fn stats(counts: RetentionCounts, policies: u32) -> RetentionStats {
    RetentionStats {
        releases_deleted: counts.deleted(),
        releases_kept: counts.will_keep,
        policies_applied: policies,
    }
}

/// Status of an on-disk node from its lines: `FAT` fails it whatever follows,
/// `ABN` abandons it, `FIN` finishes it (with warnings if any line below warned).
fn disk_status(n: &Node, warned: bool) -> &'static str {
    if n.failed {
        "Failed"
    } else if n.abandoned {
        "Abandoned"
    } else if n.finished && warned {
        "SuccessWithWarning"
    } else if n.finished {
        "Success"
    } else if n.first.is_some() {
        "Running"
    } else {
        "Pending"
    }
}

/// A node's span over itself and its descendants.
#[derive(Clone, Copy, Debug, Default)]
struct Span {
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    warned: bool,
    retention: RetentionCounts,
}

impl Span {
    fn own(n: &Node) -> Span {
        let last = match (n.last, n.end) {
            (Some(l), Some(e)) => Some(l.max(e)),
            (l, e) => l.or(e),
        };
        Span { first: n.first, last, warned: n.warned, retention: n.retention }
    }

    fn absorb(&mut self, child: &Span) {
        self.first = min_opt(self.first, child.first);
        self.last = max_opt(self.last, child.last);
        self.warned |= child.warned;
        self.retention.merge(child.retention);
    }
}

fn min_opt(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn max_opt(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> Timestamp {
        Timestamp(s * 1_000_000)
    }

    /// The longest pause is found across nodes, whatever order the lines came in
    /// (raw logs are in tree order).
    #[test]
    fn longest_pause_across_nodes() {
        let mut tree = Tree::default();
        let root = tree.add(None, Some("Deploy A release 1 to B".into()));
        let step = tree.add(Some(root), Some("Step 1: Web".into()));
        for (node, at) in [(root, 0), (root, 900), (step, 10), (step, 20), (step, 700)] {
            tree.activity(node, t(at), Mark::None);
        }
        assert_eq!(tree.finish(TaskForm::OnDisk, false).longest_pause, Some((t(20), t(700))));
        assert_eq!(Tree::default().finish(TaskForm::OnDisk, false).longest_pause, None);
    }

    #[test]
    fn spans_fold_up_and_waits_end_at_the_next_line_of_the_node() {
        let mut tree = Tree::default();
        let root = tree.add(None, Some("Deploy A release 1 to B".into()));
        let step = tree.add(Some(root), Some("Step 1: Web".into()));
        let target = tree.add(Some(step), Some("web02".into()));
        tree.activity(root, t(100), Mark::None);
        tree.activity(target, t(110), Mark::Wait(WaitKind::Mutex));
        tree.activity(step, t(150), Mark::None); // another node: does not end the wait
        tree.activity(target, t(160), Mark::Wait(WaitKind::Mutex)); // still waiting
        tree.activity(target, t(205), Mark::None);
        let f = tree.finish(TaskForm::RawText, false);
        assert_eq!(f.waits.len(), 1);
        assert_eq!(f.waits[0].step, "Step 1: Web / web02");
        assert_eq!(f.waits[0].seconds(), 95.0);
        let root = f.root.unwrap();
        assert_eq!((root.started, root.completed), (Some(t(100)), Some(t(205))));
        assert_eq!(f.steps[0].started, Some(t(110)));
        assert_eq!(f.steps[0].children[0].name, "web02");
        assert_eq!(f.retention, None);
    }

    #[test]
    fn depth_is_capped_without_recursion() {
        let mut tree = Tree::default();
        let mut at = tree.add(None, None);
        for _ in 0..10_000 {
            at = tree.add(Some(at), None);
        }
        assert!(tree.capped);
        assert_eq!(tree.nodes.len(), MAX_DEPTH as usize + 1);
        let f = tree.finish(TaskForm::OnDisk, false);
        assert_eq!(f.steps.len(), 1);
    }

    #[test]
    fn open_waits_close_at_the_last_line() {
        let mut tree = Tree::default();
        let root = tree.add(None, None);
        let n = tree.add(Some(root), Some("web01".into()));
        tree.activity(n, t(10), Mark::Wait(WaitKind::Mutex));
        tree.activity(root, t(40), Mark::None);
        let f = tree.finish(TaskForm::OnDisk, false);
        assert_eq!((f.waits[0].start, f.waits[0].end), (t(10), t(40)));
        assert_eq!(f.steps[0].status.as_deref(), Some("Running"));
    }
}
