//! SQL findings.

use octodiag_parsers::Timestamp;

use crate::evidence::Evidence;
use crate::stats::Span;

/// A group of slow statements.
#[derive(Clone, Debug)]
pub struct SqlGroup {
    /// `Execute non query`, `Reader`, …
    pub operation: String,
    /// Table, when the statement names one.
    pub table: Option<String>,
    /// Transaction component (`ApplyRetentionPoliciesTaskController`, `web request`, …).
    pub component: String,
    /// Statements.
    pub count: usize,
    /// Total milliseconds.
    pub total_ms: f64,
    /// 95th percentile.
    pub p95_ms: f64,
    /// Slowest.
    pub max_ms: f64,
    /// Tasks named in the transactions (`ServerTasks-55`).
    pub tasks: Vec<String>,
    /// Requests named in the transactions (correlation ids), at most 5.
    pub requests: Vec<String>,
    /// The slowest statement's line.
    pub evidence: Evidence,
}

/// SQL errors of one kind.
#[derive(Clone, Debug)]
pub struct SqlErrors {
    /// `command-timeout`, `deadlock`, `pool-exhausted`, `sql-error`.
    pub kind: String,
    /// How many.
    pub count: usize,
    /// First.
    pub first: Timestamp,
    /// Last.
    pub last: Timestamp,
    /// The first one's line.
    pub evidence: Evidence,
}

/// A period of connection-pool pressure.
#[derive(Clone, Debug)]
pub struct PressureEpisode {
    /// When.
    pub span: Span,
    /// Highest `N transactions active` seen.
    pub max_active: Option<u32>,
    /// Pressure lines in it.
    pub events: usize,
    /// Pool-exhaustion errors in it.
    pub pool_exhausted: usize,
    /// Up to three lines.
    pub evidence: Vec<Evidence>,
}

/// The SQL findings.
#[derive(Clone, Debug)]
pub struct SqlReport {
    /// Timed statements seen.
    pub total: usize,
    /// Of those, ≥ 300 ms.
    pub slow: usize,
    /// Groups by total time, top N.
    pub groups: Vec<SqlGroup>,
    /// Errors by kind.
    pub errors: Vec<SqlErrors>,
    /// Pool pressure episodes.
    pub pressure_episodes: Vec<PressureEpisode>,
}
