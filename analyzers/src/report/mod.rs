//! The report: the wire format of [`Results`], one JSON document. These types
//! exist only to be serialised (serde) and described (schemars): the JSON
//! shape can change here without touching an analysis, and the checked-in
//! schema (`docs/analyze.schema.json`) is generated from them ([`schema`]),
//! so the two cannot disagree.

mod findings;
mod verdict;

use schemars::JsonSchema;
use serde::Serialize;

pub use findings::*;
pub use verdict::*;

use crate::results::{InputSummary as Input, Results};
use crate::stats::Span;
use crate::units::{secs_round, utc};

/// An RFC 3339 UTC time with milliseconds and a `Z` (`2026-11-03T04:00:00.512Z`).
#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Utc(pub String);

impl From<octodiag_parsers::Timestamp> for Utc {
    fn from(t: octodiag_parsers::Timestamp) -> Utc {
        Utc(utc(t))
    }
}

impl std::ops::Deref for Utc {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Utc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl JsonSchema for Utc {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "time".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": r"^[+-]?\d{4,6}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"
        })
    }
}

/// Everything `octodiag analyze` found.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
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
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    /// `octodiag`.
    pub name: String,
    /// Crate version.
    pub version: String,
}

/// One input as analysed.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InputSummary {
    /// Path.
    pub path: String,
    /// Format.
    pub format: String,
    /// Node.
    pub node: Option<String>,
    /// Entries.
    pub entries: u64,
    /// Problems reported.
    pub problems: u64,
}

/// A time span.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeSpan {
    /// Start.
    pub start: Utc,
    /// End.
    pub end: Utc,
    /// Seconds.
    pub duration_s: f64,
}

/// The server's UTC offset.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Alignment {
    /// `+10:00`.
    pub value: String,
    /// Human-readable source of the value.
    pub derived_from: String,
    /// True when nothing allowed a derivation and UTC was assumed.
    pub assumed: bool,
}

impl Report {
    /// The report of `results`.
    pub fn of(r: &Results) -> Report {
        Report {
            tool: Tool { name: "octodiag".into(), version: env!("CARGO_PKG_VERSION").into() },
            inputs: r.inputs.iter().map(input).collect(),
            span: r.span.map(time_span),
            server_utc_offset: Alignment {
                value: r.alignment.offset.to_string(),
                derived_from: r.alignment.derived_from.clone(),
                assumed: r.alignment.assumed,
            },
            requests: Requests::of(&r.requests, r.browser.as_ref()),
            sql: SqlReport::of(&r.sql),
            tasks: TasksReport::of(&r.tasks),
            retention_runs: r.retention_runs.iter().map(RetentionRun::of).collect(),
            restarts: r.health.restarts.iter().map(Restart::of).collect(),
            gaps: r.health.gaps.iter().map(Gap::of).collect(),
            health: Health::of(&r.health),
            episodes: r.episodes.iter().map(Episode::of).collect(),
            suspects: r.suspects.iter().map(Suspect::of).collect(),
            timeline: r.timeline.iter().map(TimelineItem::of).collect(),
            answers: Answers::of(&r.answers),
        }
    }
}

fn input(i: &Input) -> InputSummary {
    InputSummary {
        path: i.path.clone(),
        format: i.format.to_string(),
        node: i.node.clone(),
        entries: i.entries,
        problems: i.problems,
    }
}

fn time_span(s: Span) -> TimeSpan {
    TimeSpan { start: s.start.into(), end: s.end.into(), duration_s: secs_round(s.secs()) }
}

/// The JSON Schema of [`Report`], as checked in at `docs/analyze.schema.json`.
pub fn schema() -> serde_json::Value {
    let mut s = serde_json::to_value(schemars::schema_for!(Report)).unwrap_or_default();
    if let Some(o) = s.as_object_mut() {
        o.insert("$id".into(), "https://octodiag.invalid/analyze.schema.json".into());
        o.insert("title".into(), "octodiag analyze --format json".into());
        o.insert(
            "description".into(),
            "One document per run. Times are RFC 3339 UTC strings with a Z suffix; durations are seconds (_s) or milliseconds (_ms).".into(),
        );
    }
    s
}
