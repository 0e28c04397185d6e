//! Retention runs.

use crate::stats::Span;

/// Where a retention run was seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetentionSource {
    /// The server's retention task.
    Task,
    /// Tentacle retention, a step of a deployment.
    Step,
    /// Inferred from the server log's SQL lines.
    Sql,
}

impl RetentionSource {
    /// `task`, `step` or `sql`.
    pub fn as_str(self) -> &'static str {
        match self {
            RetentionSource::Task => "task",
            RetentionSource::Step => "step",
            RetentionSource::Sql => "sql",
        }
    }
}

/// One retention run.
#[derive(Clone, Debug)]
pub struct RetentionRun {
    /// The task, when known (`ServerTasks-2301`).
    pub task: Option<String>,
    /// Where it was seen.
    pub source: RetentionSource,
    /// When.
    pub span: Span,
    /// Seconds.
    pub duration_s: f64,
    /// Releases deleted, when the task log says.
    pub releases_deleted: Option<u32>,
    /// Releases kept.
    pub releases_kept: Option<u32>,
    /// Slow SQL statements (≥ 300 ms) the run issued, from the server log.
    pub slow_sql: usize,
    /// Node.
    pub node: Option<String>,
}
