//! The analysis result, one serialisable document. Its JSON shape is
//! described by `docs/analyze.schema.json`; change both together.

use octodiag_parsers::{Clock, Timestamp};
use serde::Serialize;

use crate::answers::Answers;
use crate::browser::BrowserReport;
use crate::clock::Alignment;
use crate::episodes::Episode;
use crate::health::{ErrorBurst, Gap, HealthReport, Restart};
use crate::requests::RequestsReport;
use crate::retention::RetentionRun;
use crate::sql::SqlReport;
use crate::suspects::Suspect;
use crate::tasks::TasksReport;

/// Everything `octodiag analyze` found.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Tool name and version.
    pub tool: Tool,
    /// What was read.
    pub inputs: Vec<InputSummary>,
    /// The analysed time span (UTC).
    pub span: Option<TimeSpan>,
    /// The offset used for server-local times and where it came from.
    pub server_utc_offset: Alignment,
    /// Requests: per endpoint, slowest, and the browser's view.
    pub requests: Requests,
    /// SQL.
    pub sql: SqlReport,
    /// Tasks.
    pub tasks: TasksReport,
    /// Retention runs.
    pub retention_runs: Vec<RetentionRun>,
    /// Server starts.
    pub restarts: Vec<Restart>,
    /// Silent periods.
    pub gaps: Vec<Gap>,
    /// Error bursts, Halibut failures and verbose logging.
    pub health: Health,
    /// Slowness episodes.
    pub episodes: Vec<Episode>,
    /// Suspected causes, most likely first.
    pub suspects: Vec<Suspect>,
    /// Everything above that has a time, in time order.
    pub timeline: Vec<TimelineItem>,
    /// The support questionnaire, answered as far as the logs allow.
    pub answers: Answers,
}

/// Name and version.
#[derive(Clone, Debug, Serialize)]
pub struct Tool {
    /// `octodiag`.
    pub name: &'static str,
    /// Crate version.
    pub version: &'static str,
}

/// One input as analysed.
#[derive(Clone, Debug, Serialize)]
pub struct InputSummary {
    /// Path.
    pub path: String,
    /// Format.
    pub format: &'static str,
    /// Node.
    pub node: Option<String>,
    /// Entries.
    pub entries: u64,
    /// Problems reported.
    pub problems: u64,
}

/// A time span.
#[derive(Clone, Debug, Serialize)]
pub struct TimeSpan {
    /// Start (UTC).
    pub start: String,
    /// End (UTC).
    pub end: String,
    /// Seconds.
    pub duration_s: f64,
}

/// The requests section: server and browser.
#[derive(Clone, Debug, Serialize)]
pub struct Requests {
    /// Server-side view.
    #[serde(flatten)]
    pub server: RequestsReport,
    /// Browser-side view (HAR), when recordings were given.
    pub browser: Option<BrowserReport>,
}

/// Health items not already top-level.
#[derive(Clone, Debug, Serialize)]
pub struct Health {
    /// Error bursts.
    pub error_bursts: Vec<ErrorBurst>,
    /// Halibut failures.
    pub halibut_failures: usize,
    /// Endpoints with Halibut failures.
    pub halibut_endpoints: Vec<String>,
    /// Verbose logging.
    pub verbose_logging: Vec<crate::health::VerboseSpan>,
}

impl Health {
    /// The parts of a health report not placed at the top level.
    pub fn from_report(h: &HealthReport) -> Health {
        Health {
            error_bursts: h.error_bursts.clone(),
            halibut_failures: h.halibut_failures,
            halibut_endpoints: h.halibut_endpoints.clone(),
            verbose_logging: h.verbose_logging.clone(),
        }
    }
}

/// One line of the timeline.
#[derive(Clone, Debug, Serialize)]
pub struct TimelineItem {
    /// Start (UTC).
    pub start: String,
    /// End (UTC), equal to start for instants.
    pub end: String,
    /// `episode`, `suspect`, `retention`, `restart`, `gap`, `error-burst`, `pool-pressure`, `task-queue`.
    pub kind: &'static str,
    /// What it is.
    pub label: String,
    /// For sorting.
    #[serde(skip)]
    pub at: Timestamp,
}

/// RFC 3339 UTC with milliseconds.
pub fn utc(t: Timestamp) -> String {
    t.rfc3339(Clock::Utc)
}

/// Milliseconds rounded to 0.1.
pub fn ms_round(ms: f64) -> f64 {
    (ms * 10.0).round() / 10.0
}

/// Seconds rounded to the millisecond.
pub fn secs_round(s: f64) -> f64 {
    (s * 1000.0).round() / 1000.0
}
