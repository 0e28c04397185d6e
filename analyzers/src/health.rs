//! Server health: restarts (version banner, new PID), unresponsive gaps (no
//! lines for far longer than the log's usual rhythm), bursts of errors,
//! Halibut communication failures, and verbose logging switched on.

use octodiag_parsers::{Format, Timestamp, UtcOffset};
use serde::Serialize;

use crate::dataset::Dataset;
use crate::facts::{to_utc, Evidence, Facts, Point};
use crate::report::{secs_round, utc};
use crate::stats::{merge, Span};

/// A gap shorter than this is never "unresponsive", whatever the rhythm.
pub const MIN_GAP_SECS: f64 = 600.0;
/// A gap must also be this many times the log's median gap between active minutes…
pub const GAP_RHYTHM_FACTOR: f64 = 10.0;
/// …and this many times its 95th-percentile gap, so that a log that is simply
/// sparse (an idle server at INFO) does not look unresponsive.
pub const GAP_P95_FACTOR: f64 = 3.0;
/// Errors within this window belong to one burst.
const BURST_WINDOW_SECS: f64 = 300.0;
/// Fewest errors that make a burst.
const BURST_MIN_ERRORS: usize = 5;

/// A server start.
#[derive(Clone, Debug, Serialize)]
pub struct Restart {
    /// Node.
    pub node: String,
    /// When (UTC).
    pub time: String,
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
    /// When, for correlation.
    #[serde(skip)]
    pub at: Timestamp,
}

/// A period without log lines.
#[derive(Clone, Debug, Serialize)]
pub struct Gap {
    /// Node.
    pub node: String,
    /// Last line before (UTC).
    pub start: String,
    /// First line after (UTC).
    pub end: String,
    /// Seconds.
    pub duration_s: f64,
    /// The log's median gap between active minutes, seconds.
    pub usual_gap_s: f64,
    /// Whether a server start follows within 10 minutes.
    pub restart_after: bool,
    /// Whether the log simply resumes (no restart): the server recovered by itself.
    pub recovered_without_restart: bool,
    /// Input.
    pub source: String,
    /// The span.
    #[serde(skip)]
    pub span: Span,
}

/// A burst of ERROR/FATAL entries.
#[derive(Clone, Debug, Serialize)]
pub struct ErrorBurst {
    /// Start (UTC).
    pub start: String,
    /// End (UTC).
    pub end: String,
    /// Errors in it.
    pub errors: usize,
    /// The span.
    #[serde(skip)]
    pub span: Span,
}

/// The health section.
#[derive(Clone, Debug, Serialize)]
pub struct HealthReport {
    /// Server starts.
    pub restarts: Vec<Restart>,
    /// Silent periods.
    pub gaps: Vec<Gap>,
    /// Error bursts.
    pub error_bursts: Vec<ErrorBurst>,
    /// Halibut failures: count and the endpoints involved.
    pub halibut_failures: usize,
    /// Endpoints with failures.
    pub halibut_endpoints: Vec<String>,
    /// Inputs with verbose logging on: (input, first, last, DEBUG/TRACE entries).
    pub verbose_logging: Vec<VerboseSpan>,
}

/// Where verbose logging was on.
#[derive(Clone, Debug, Serialize)]
pub struct VerboseSpan {
    /// Input.
    pub source: String,
    /// First DEBUG/TRACE entry (UTC).
    pub start: String,
    /// Last.
    pub end: String,
    /// How many.
    pub entries: u64,
    /// The span.
    #[serde(skip)]
    pub span: Span,
}

/// Builds the health section.
pub fn analyze(
    data: &Dataset<'_>,
    facts: &Facts,
    offset: UtcOffset,
    ev: &dyn Fn(u32, u64) -> Evidence,
) -> HealthReport {
    let restarts = restarts(data, facts, offset, ev);
    let gaps = gaps(data, offset, &restarts);
    let mut endpoints: Vec<String> =
        facts.halibut_failures.iter().map(|p| p.label.to_string()).collect();
    endpoints.sort();
    endpoints.dedup();
    HealthReport {
        restarts,
        gaps,
        error_bursts: error_bursts(&facts.errors),
        halibut_failures: facts.halibut_failures.len(),
        halibut_endpoints: endpoints,
        verbose_logging: verbose(data, offset),
    }
}

fn node_of(data: &Dataset<'_>, source: u32) -> String {
    data.inputs
        .get(source as usize)
        .and_then(|i| i.node.clone())
        .unwrap_or_else(|| "(unknown)".into())
}

fn restarts(
    data: &Dataset<'_>,
    facts: &Facts,
    offset: UtcOffset,
    ev: &dyn Fn(u32, u64) -> Evidence,
) -> Vec<Restart> {
    let mut out: Vec<Restart> = Vec::new();
    for s in &facts.starts {
        let node = node_of(data, s.source);
        let previous_pid = out
            .iter()
            .rev()
            .find(|r| r.node == node)
            .and_then(|r| r.pid)
            .filter(|p| Some(*p) != s.pid);
        let silent_before_s = data.inputs.get(s.source as usize).and_then(|i| {
            let before = i
                .activity
                .iter()
                .map(|(m, _)| to_utc(Timestamp(*m), i.clock, offset))
                .filter(|m| *m < s.time.add_micros(-60_000_000))
                .max()?;
            Some(secs_round(s.time.secs_since(before.add_micros(60_000_000)).max(0.0)))
        });
        out.push(Restart {
            node,
            time: utc(s.time),
            version: s.version.clone(),
            pid: s.pid,
            previous_pid,
            silent_before_s,
            evidence: ev(s.source, s.line),
            at: s.time,
        });
    }
    out
}

/// Gaps inside each server log (never across files: archives roll daily).
fn gaps(data: &Dataset<'_>, offset: UtcOffset, restarts: &[Restart]) -> Vec<Gap> {
    let mut out = Vec::new();
    for input in data.inputs.iter().filter(|i| i.format == Format::ServerLog) {
        let minutes: Vec<Timestamp> = input
            .activity
            .iter()
            .map(|(m, _)| to_utc(Timestamp(*m), input.clock, offset))
            .collect();
        let mut sorted = minutes.clone();
        sorted.sort();
        sorted.dedup();
        let diffs: Vec<f64> = sorted.windows(2).map(|w| w[1].secs_since(w[0])).collect();
        if diffs.len() < 3 {
            continue;
        }
        let mut d = diffs.clone();
        d.sort_by(f64::total_cmp);
        let usual = d[d.len() / 2];
        let p95 = crate::stats::percentile_sorted(&d, 0.95);
        let threshold = MIN_GAP_SECS.max(GAP_RHYTHM_FACTOR * usual).max(GAP_P95_FACTOR * p95);
        for w in sorted.windows(2) {
            // Activity is per minute: the silence runs from the end of one active minute
            // to the start of the next.
            let silent = w[1].secs_since(w[0]) - 60.0;
            if silent < threshold {
                continue;
            }
            let span = Span::new(w[0].add_micros(60_000_000), w[1]);
            let node = input.node.clone().unwrap_or_else(|| "(unknown)".into());
            let restart_after = restarts.iter().any(|r| {
                r.node == node && r.at >= span.start && r.at.secs_since(span.end) <= 600.0
            });
            out.push(Gap {
                node,
                start: utc(span.start),
                end: utc(span.end),
                duration_s: secs_round(silent),
                usual_gap_s: secs_round(usual),
                restart_after,
                recovered_without_restart: !restart_after,
                source: input.name.to_string(),
                span,
            });
        }
    }
    out.sort_by_key(|g| g.span.start);
    out
}

fn error_bursts(errors: &[Point]) -> Vec<ErrorBurst> {
    let mut times: Vec<Timestamp> = errors.iter().map(|p| p.time).collect();
    times.sort();
    let mut spans = Vec::new();
    let mut lo = 0;
    for hi in 0..times.len() {
        while times[hi].secs_since(times[lo]) > BURST_WINDOW_SECS {
            lo += 1;
        }
        if hi + 1 - lo >= BURST_MIN_ERRORS {
            spans.push(Span::new(times[lo], times[hi]));
        }
    }
    merge(spans, 0.0)
        .into_iter()
        .map(|span| ErrorBurst {
            start: utc(span.start),
            end: utc(span.end),
            errors: times.iter().filter(|t| **t >= span.start && **t <= span.end).count(),
            span,
        })
        .collect()
}

fn verbose(data: &Dataset<'_>, offset: UtcOffset) -> Vec<VerboseSpan> {
    data.inputs
        .iter()
        .filter_map(|i| {
            let v = i.verbose?;
            let span = Span::new(to_utc(v.first, i.clock, offset), to_utc(v.last, i.clock, offset));
            Some(VerboseSpan {
                source: i.name.to_string(),
                start: utc(span.start),
                end: utc(span.end),
                entries: v.entries,
                span,
            })
        })
        .collect()
}
