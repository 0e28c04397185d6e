//! Slowness episodes.

use crate::stats::Span;

/// What made an episode. Ordered by name, the order the report lists them in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EpisodeKind {
    /// Slow browser entries.
    Browser,
    /// Slow server requests standing out from the baseline.
    SlowRequests,
    /// Tasks queued at the cap (or for long).
    TaskQueue,
    /// A silent period.
    Unresponsive,
}

impl EpisodeKind {
    /// `browser`, `slow-requests`, `task-queue`, `unresponsive`.
    pub fn as_str(self) -> &'static str {
        match self {
            EpisodeKind::Browser => "browser",
            EpisodeKind::SlowRequests => "slow-requests",
            EpisodeKind::TaskQueue => "task-queue",
            EpisodeKind::Unresponsive => "unresponsive",
        }
    }
}

/// One slowness episode.
#[derive(Clone, Debug)]
pub struct Episode {
    /// When.
    pub span: Span,
    /// Seconds, rounded.
    pub duration_s: f64,
    /// What made it, sorted.
    pub kinds: Vec<EpisodeKind>,
    /// Slow server requests in it.
    pub slow_requests: usize,
    /// Their 95th percentile (ms).
    pub p95_ms: Option<f64>,
}
