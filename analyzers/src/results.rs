//! Everything one analysis found: findings, suspects and the verdict, as
//! plain data. [`crate::report::Report`] is its wire format.

use crate::causes::Suspect;
use crate::model::{
    Alignment, BrowserReport, Episode, HealthReport, Lane, RequestsReport, RetentionRun, SqlReport,
    TasksReport,
};
use crate::stats::Span;
use crate::verdict::{Answers, TimelineItem};

/// One input as analysed.
#[derive(Clone, Debug)]
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

/// Everything `octodiag analyze` found.
#[derive(Clone, Debug)]
pub struct Results {
    /// What was read.
    pub inputs: Vec<InputSummary>,
    /// The analysed time (UTC), when any.
    pub span: Option<Span>,
    /// The offset used for server-local times and where it came from.
    pub alignment: Alignment,
    /// The server's requests.
    pub requests: RequestsReport,
    /// The browser's view, when recordings were given.
    pub browser: Option<BrowserReport>,
    /// SQL.
    pub sql: SqlReport,
    /// Tasks.
    pub tasks: TasksReport,
    /// Retention runs.
    pub retention_runs: Vec<RetentionRun>,
    /// Restarts, gaps, error bursts, Halibut failures, verbose logging.
    pub health: HealthReport,
    /// Slowness episodes.
    pub episodes: Vec<Episode>,
    /// Suspected causes, most likely first.
    pub suspects: Vec<Suspect>,
    /// Everything above that has a time, in time order.
    pub timeline: Vec<TimelineItem>,
    /// The support questionnaire, answered as far as the logs allow.
    pub answers: Answers,
    /// Numeric series to draw beside the timeline (counters), in name order.
    pub lanes: Vec<Lane>,
}
