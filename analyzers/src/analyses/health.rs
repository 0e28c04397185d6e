//! Server health: restarts (version banner, new PID), unresponsive gaps (no
//! lines for far longer than the log's usual rhythm), bursts of errors,
//! Halibut communication failures, and verbose logging switched on.

use octodiag_parsers::{Format, Timestamp, UtcOffset};

use crate::dataset::Dataset;
use crate::evidence::Quote;
use crate::facts::tasks::UNKNOWN_NODE;
use crate::facts::{to_utc, Facts, Point};
use crate::model::{ErrorBurst, Gap, HealthReport, Nodes, Restart, VerboseSpan};
use crate::origin::Fact;
use crate::stats::{merge, percentile_sorted, Span};
use crate::units::secs_round;

/// A gap shorter than this is never "unresponsive", whatever the rhythm.
pub const MIN_GAP_SECS: f64 = 600.0;
/// A gap must also be this many times the log's median gap between active minutes…
pub const GAP_RHYTHM_FACTOR: f64 = 10.0;
/// …and this many times its 95th-percentile gap, so that a log that is simply
/// sparse (an idle server at INFO) does not look unresponsive.
pub const GAP_P95_FACTOR: f64 = 3.0;
/// A restart this soon after a gap ends is the way the gap ended.
const RESTART_AFTER_GAP_SECS: f64 = 600.0;
/// Errors within this window belong to one burst.
const BURST_WINDOW_SECS: f64 = 300.0;
/// Fewest errors that make a burst.
const BURST_MIN_ERRORS: usize = 5;
/// One minute in microseconds: activity is counted per minute.
const MINUTE: i64 = 60_000_000;

/// Builds the health findings.
pub fn analyze(
    data: &Dataset<'_>,
    facts: &Facts,
    nodes: &Nodes,
    offset: UtcOffset,
    quote: &Quote<'_>,
) -> HealthReport {
    let restarts = restarts(data, facts, nodes, offset, quote);
    let gaps = gaps(data, nodes, offset, &restarts);
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

/// The node of an input, or [`UNKNOWN_NODE`].
fn node_of(nodes: &Nodes, source: u32) -> String {
    nodes.of(source).unwrap_or(UNKNOWN_NODE).to_string()
}

fn restarts(
    data: &Dataset<'_>,
    facts: &Facts,
    nodes: &Nodes,
    offset: UtcOffset,
    quote: &Quote<'_>,
) -> Vec<Restart> {
    let mut out: Vec<Restart> = Vec::new();
    for s in &facts.starts {
        let node = node_of(nodes, s.origin.source);
        let previous_pid = out
            .iter()
            .rev()
            .find(|r| r.node == node)
            .and_then(|r| r.pid)
            .filter(|p| Some(*p) != s.pid);
        let silent_before_s = data.inputs.get(s.origin.source as usize).and_then(|i| {
            let before = i
                .activity
                .iter()
                .map(|m| to_utc(Timestamp(m.start), i.clock, offset))
                .filter(|m| *m < s.time.add_micros(-MINUTE))
                .max()?;
            Some(secs_round(s.time.secs_since(before.add_micros(MINUTE)).max(0.0)))
        });
        out.push(Restart {
            node,
            at: s.time,
            version: s.version.clone(),
            pid: s.pid,
            previous_pid,
            silent_before_s,
            evidence: quote(&s.origin),
        });
    }
    out
}

/// Gaps inside each server log (never across files: archives roll daily).
fn gaps(data: &Dataset<'_>, nodes: &Nodes, offset: UtcOffset, restarts: &[Restart]) -> Vec<Gap> {
    let mut out = Vec::new();
    let logs = data.inputs.iter().enumerate().filter(|(_, i)| i.format == Format::ServerLog);
    for (n, input) in logs {
        let mut minutes: Vec<Timestamp> = input
            .activity
            .iter()
            .map(|m| to_utc(Timestamp(m.start), input.clock, offset))
            .collect();
        minutes.sort();
        minutes.dedup();
        let Some(threshold) = gap_threshold(&minutes) else { continue };
        let node = node_of(nodes, n as u32);
        for w in minutes.windows(2) {
            // Activity is per minute: the silence runs from the end of one active minute
            // to the start of the next.
            let silent = w[1].secs_since(w[0]) - 60.0;
            if silent < threshold.0 {
                continue;
            }
            let span = Span::new(w[0].add_micros(MINUTE), w[1]);
            let restart_after = restarts.iter().any(|r| {
                r.node == node
                    && r.at >= span.start
                    && r.at.secs_since(span.end) <= RESTART_AFTER_GAP_SECS
            });
            out.push(Gap {
                node: node.clone(),
                span,
                duration_s: secs_round(silent),
                usual_gap_s: secs_round(threshold.1),
                restart_after,
                source: input.name.to_string(),
            });
        }
    }
    out.sort_by_key(|g| g.span.start);
    out
}

/// The silence that counts as a gap in a log whose active minutes are `sorted`,
/// and the log's usual (median) gap: `None` when too few minutes to judge.
fn gap_threshold(sorted: &[Timestamp]) -> Option<(f64, f64)> {
    let mut d: Vec<f64> = sorted.windows(2).map(|w| w[1].secs_since(w[0])).collect();
    if d.len() < 3 {
        return None;
    }
    d.sort_by(f64::total_cmp);
    let usual = d[d.len() / 2];
    let p95 = percentile_sorted(&d, 0.95);
    Some((MIN_GAP_SECS.max(GAP_RHYTHM_FACTOR * usual).max(GAP_P95_FACTOR * p95), usual))
}

fn error_bursts(errors: &[Fact<Point>]) -> Vec<ErrorBurst> {
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
            Some(VerboseSpan { source: i.name.to_string(), span, entries: v.entries })
        })
        .collect()
}
