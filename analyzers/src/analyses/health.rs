//! Server health: restarts (version banner, new PID), unresponsive periods
//! ([`crate::analyses::silences`]), bursts of errors,
//! Halibut communication failures, and verbose logging switched on.

use octodiag_parsers::{Timestamp, UtcOffset};

use crate::analyses::silences::{self, Signs};
use crate::dataset::Dataset;
use crate::evidence::Quote;
use crate::facts::tasks::TaskView;
use crate::facts::tasks::UNKNOWN_NODE;
use crate::facts::{to_utc, Facts, Point};
use crate::model::{ErrorBurst, HealthReport, Nodes, Restart, VerboseSpan};
use crate::origin::Fact;
use crate::stats::{merge, Span};
use crate::units::secs_round;

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
    views: &[TaskView<'_>],
    clock: (UtcOffset, bool),
    quote: &Quote<'_>,
) -> HealthReport {
    let (offset, clock_known) = clock;
    let restarts = restarts(data, facts, nodes, offset, quote);
    let signs = Signs { facts, views, restarts: &restarts, nodes, clock_known };
    let gaps = silences::find(data, &signs, offset);
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
