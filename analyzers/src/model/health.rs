//! Server health findings: restarts, silent gaps, error bursts, verbose logging.

use octodiag_parsers::Timestamp;

use crate::evidence::Evidence;
use crate::stats::Span;

/// A server start.
#[derive(Clone, Debug)]
pub struct Restart {
    /// Node.
    pub node: String,
    /// When.
    pub at: Timestamp,
    /// Version.
    pub version: String,
    /// PID, when logged.
    pub pid: Option<u32>,
    /// Previous PID on this node, when known and different.
    pub previous_pid: Option<u32>,
    /// Seconds of silence before it on this node, when the same file shows it.
    pub silent_before_s: Option<f64>,
    /// The banner line.
    pub evidence: Evidence,
}

/// A period in which a node stopped responding: its log silent far beyond
/// what its own rate just before and after allows, and what else shows it.
#[derive(Clone, Debug)]
pub struct Gap {
    /// Node.
    pub node: String,
    /// From the end of the last active minute before to the first line after.
    pub span: Span,
    /// Seconds.
    pub duration_s: f64,
    /// The log's median gap between active minutes, seconds.
    pub usual_gap_s: f64,
    /// Entries per minute around it (the mean of the half hours before and after).
    pub local_rate: f64,
    /// Entries that rate would have written during the silence.
    pub expected_entries: f64,
    /// Share of the minutes in the half hours around it in which the node wrote something.
    pub active_share: f64,
    /// The longest of the node's other silences in the two hours around it, seconds.
    pub longest_nearby_s: f64,
    /// When a server start ended it (within 10 minutes of its end), if one did.
    pub restart_at: Option<octodiag_parsers::Timestamp>,
    /// Requests logged after it whose duration spans most of it: stuck, not idle.
    pub spanning_requests: usize,
    /// Browser entries that failed or timed out during it.
    pub browser_failures: usize,
    /// Tasks whose own log paused through it.
    pub paused_tasks: Vec<String>,
    /// Slow requests in the ten minutes before it.
    pub slow_before: usize,
    /// Fast requests (under 1 s) in the half hour before it: the log records every request.
    pub fast_before: usize,
    /// Other nodes that kept logging meanwhile.
    pub others_logging: Vec<String>,
    /// Everything above, in words: what the verdict rests on.
    pub rests_on: Vec<String>,
    /// Input of the last line before it.
    pub source: String,
}

impl Gap {
    /// Whether a restart ended it.
    pub fn restart_after(&self) -> bool {
        self.restart_at.is_some()
    }

    /// Whether the log simply resumes (no restart): the server recovered by itself.
    pub fn recovered_without_restart(&self) -> bool {
        self.restart_at.is_none()
    }
}

/// A burst of ERROR/FATAL entries.
#[derive(Clone, Debug)]
pub struct ErrorBurst {
    /// When.
    pub span: Span,
    /// Errors in it.
    pub errors: usize,
}

/// Where verbose logging was on.
#[derive(Clone, Debug)]
pub struct VerboseSpan {
    /// Input.
    pub source: String,
    /// From the first DEBUG/TRACE entry to the last.
    pub span: Span,
    /// How many.
    pub entries: u64,
}

/// The health findings.
#[derive(Clone, Debug)]
pub struct HealthReport {
    /// Server starts.
    pub restarts: Vec<Restart>,
    /// Silent periods.
    pub gaps: Vec<Gap>,
    /// Error bursts.
    pub error_bursts: Vec<ErrorBurst>,
    /// Halibut failures.
    pub halibut_failures: usize,
    /// Endpoints with failures.
    pub halibut_endpoints: Vec<String>,
    /// Inputs with verbose logging on.
    pub verbose_logging: Vec<VerboseSpan>,
}
