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

/// A period without log lines.
#[derive(Clone, Debug)]
pub struct Gap {
    /// Node.
    pub node: String,
    /// From the last line before to the first line after.
    pub span: Span,
    /// Seconds.
    pub duration_s: f64,
    /// The log's median gap between active minutes, seconds.
    pub usual_gap_s: f64,
    /// Whether a server start follows within 10 minutes.
    pub restart_after: bool,
    /// Input.
    pub source: String,
}

impl Gap {
    /// Whether the log simply resumes (no restart): the server recovered by itself.
    pub fn recovered_without_restart(&self) -> bool {
        !self.restart_after
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
