//! `unresponsive`: a node wrote nothing for far longer than its usual rhythm
//! (see [`crate::analyses::health`]). The silence is its own symptom: scored
//! directly, by its length, whether a restart ended it, and whether slowness
//! or errors came just before it.

use super::{Candidate, Cause, Context, Detector};
use crate::evidence::Evidence;
use crate::model::{EpisodeKind, Gap};
use crate::stats::Span;
use crate::units::{duration, duration_adjective};

/// A silence this long (seconds) counts fully; shorter ones by the square root of their share.
const FULL_SILENCE_SECS: f64 = 1800.0;
/// Direct score of a full-length silence on its own…
const SILENCE_BASE: f64 = 0.55;
/// …plus this when only a restart ended it…
const RESTART_WEIGHT: f64 = 0.25;
/// …plus this when slowness or errors led up to it.
const SYMPTOMS_WEIGHT: f64 = 0.15;
/// Slow requests in this many seconds before a silence lead up to it.
const LEAD_SECS: i64 = 300;
/// An error burst this close before a silence leads up to it.
const BURST_LEAD_SECS: i64 = 900;

/// The unresponsive detector.
pub struct Unresponsive;

impl Detector for Unresponsive {
    fn candidates(&self, cx: &Context<'_>) -> Vec<Candidate> {
        cx.health.gaps.iter().map(|g| candidate(cx, g)).collect()
    }
}

fn candidate(cx: &Context<'_>, g: &Gap) -> Candidate {
    let pre = symptoms_before(cx, g.span);
    let severity = (g.duration_s / FULL_SILENCE_SECS).min(1.0).sqrt();
    let direct = severity
        * (SILENCE_BASE
            + if g.restart_after { RESTART_WEIGHT } else { 0.0 }
            + if pre > 0 { SYMPTOMS_WEIGHT } else { 0.0 });
    let recovery = if g.restart_after {
        "it came back only with a restart"
    } else {
        "it resumed without a restart"
    };
    let before = if pre > 0 {
        format!(", after {pre} slow requests or errors in the 15 minutes before")
    } else {
        String::new()
    };
    let sentence = format!(
        "{} wrote nothing for {} ({} to {}), against a usual gap of {}; {recovery}{before}.",
        g.node,
        duration(g.duration_s),
        crate::units::utc(g.span.start),
        crate::units::utc(g.span.end),
        duration(g.usual_gap_s),
    );
    let phrase = format!("the {} silence on {}", duration_adjective(g.duration_s), g.node);
    let mut c = Candidate::new(Cause::Unresponsive, g.node.clone(), vec![g.span], phrase);
    c.direct = Some((direct, sentence));
    c.evidence = gap_evidence(cx, g);
    c.metric("gap_s", g.duration_s);
    c.metric("usual_gap_s", g.usual_gap_s);
    c.metric("restart_after", g.restart_after);
    c.metric("symptoms_before", pre);
    c
}

/// Symptoms just before a silence: slow requests and errors in the five minutes
/// before it, counted only when they stand out (a slowness episode ending then,
/// or an error burst in the fifteen minutes before).
fn symptoms_before(cx: &Context<'_>, gap: Span) -> usize {
    let lead = Span::new(gap.start.add_micros(-LEAD_SECS * 1_000_000), gap.start);
    let slow_before = cx.episodes.iter().any(|e| {
        e.kinds.contains(&EpisodeKind::SlowRequests) && e.span.overlap_secs(&lead) > 0.0
    });
    let burst_from = gap.start.add_micros(-BURST_LEAD_SECS * 1_000_000);
    let errors_before = cx
        .health
        .error_bursts
        .iter()
        .any(|b| b.span.end >= burst_from && b.span.start <= gap.start);
    if !(slow_before || errors_before) {
        return 0;
    }
    let slow = cx.facts.requests.iter().filter(|r| r.ms >= 1000.0 && lead.contains(r.end())).count();
    let errors = cx.facts.errors.iter().filter(|e| lead.contains(e.time)).count();
    (slow + errors).max(1)
}

/// The lines around a silence: the start-up banner after it, the last error
/// before it and the slowest request in the five minutes before it.
fn gap_evidence(cx: &Context<'_>, g: &Gap) -> Vec<Evidence> {
    let lead = Span::new(g.span.start.add_micros(-LEAD_SECS * 1_000_000), g.span.start);
    let mut ev = Vec::new();
    if let Some(r) = cx.health.restarts.iter().find(|r| r.node == g.node && r.at >= g.span.start) {
        ev.push(r.evidence.clone());
    }
    if let Some(e) = cx.facts.errors.iter().rev().find(|e| lead.contains(e.time)) {
        ev.push((cx.quote)(&e.origin));
    }
    if let Some(r) = cx
        .facts
        .requests
        .iter()
        .filter(|r| lead.contains(r.end()))
        .max_by(|a, b| a.ms.total_cmp(&b.ms))
    {
        ev.push((cx.quote)(&r.origin));
    }
    ev
}
