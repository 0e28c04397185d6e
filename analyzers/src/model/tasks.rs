//! Task findings.

use std::collections::BTreeMap;

use octodiag_parsers::Timestamp;

use crate::stats::Span;

/// Peak concurrency of one node.
#[derive(Clone, Debug)]
pub struct NodeConcurrency {
    /// Node.
    pub node: String,
    /// Most tasks running at once.
    pub max_running: u32,
    /// When that peak began.
    pub at: Timestamp,
    /// Tasks seen on this node.
    pub tasks: usize,
}

/// Tasks queued (while their node was at its cap, or not).
#[derive(Clone, Debug)]
pub struct QueueEpisode {
    /// Node.
    pub node: String,
    /// When.
    pub span: Span,
    /// Tasks that waited in it.
    pub queued_tasks: Vec<String>,
    /// Longest wait in seconds.
    pub max_queue_s: f64,
    /// Whether the node ran at its cap meanwhile.
    pub at_cap: bool,
}

/// One task in a top list.
#[derive(Clone, Debug)]
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
    /// Started.
    pub started: Option<Timestamp>,
    /// Seconds running.
    pub duration_s: Option<f64>,
    /// Seconds queued.
    pub queue_s: Option<f64>,
    /// Its slowest step (name and seconds).
    pub slowest_step: Option<(String, f64)>,
}

/// A wait on a target mutex or package acquisition.
#[derive(Clone, Debug)]
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

/// The task findings.
#[derive(Clone, Debug)]
pub struct TasksReport {
    /// Tasks read.
    pub count: usize,
    /// Count per kind.
    pub by_kind: BTreeMap<&'static str, usize>,
    /// The cap used for queue episodes.
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
