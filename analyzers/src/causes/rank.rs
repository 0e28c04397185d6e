//! Ranking: every candidate measured against the symptoms, scored and ordered.
//! The one place where confidence is computed.
//!
//! # How confidence is computed
//!
//! A candidate is a cause with the time spans it was active (a retention
//! run, a project's deployments, the periods a node ran at its task cap…).
//! The symptoms are the slow requests (≥ 1 s) in the server logs, or, with no
//! server requests, the slow browser (HAR) entries. For a candidate:
//!
//! * `lift` = rate of slow requests while it was active ÷ rate otherwise
//!   (rates per minute of observed log time; one slow request is added to the
//!   "otherwise" count so that a short quiet log cannot make lift infinite);
//! * `strength` = 1 − 1/lift (0 when lift ≤ 1): how much more likely slowness
//!   is while it runs;
//! * `share` = the larger of the share of slow requests it covers and the
//!   share of slowness-episode time it covers;
//! * `support` = 1 − e^(−n/4) for n slow requests inside: few events, little
//!   confidence;
//! * **confidence = strength × share × support**.
//!
//! A coincidence on a quiet day has few slow requests inside (low support)
//! and covers a small share of them, so it stays well below 0.5. A candidate
//! active for more than 90 % of the observed time cannot be contrasted with
//! normal time: its strength is capped at 0.5.
//!
//! Causes whose symptom is the cause itself carry a direct score from their
//! detector (`unresponsive`, `restart`, `task-queue`, `network`). The larger
//! of the direct score and the correlation is used.

use rayon::prelude::*;
use serde_json::json;

use super::{Candidate, Suspect, Symptoms};
use crate::evidence::Evidence;
use crate::facts::Req;
use crate::stats::{merge, overlap_total, percentile_select, top_by, total_secs, Span, SpanSet};
use crate::units::{round3, secs_text};

/// Slow requests this close to a candidate's window count as inside it: a
/// request logged a little after a task ended was slowed by it.
const TOLERANCE_SECS: f64 = 30.0;
/// Rates are per minute of observed time; shorter spans count as a minute.
const MIN_RATE_SECS: f64 = 60.0;
/// Without this share of observed time outside a candidate, it cannot be contrasted…
const CONTRAST_SHARE: f64 = 0.1;
/// …and its strength is capped here.
const UNCONTRASTED_STRENGTH: f64 = 0.5;
/// `support = 1 − e^(−n / SUPPORT_SCALE)`: four slow requests give 0.63.
const SUPPORT_SCALE: f64 = 4.0;
/// Evidence lines kept from the detector, then from the slowest requests inside.
const EVIDENCE_LINES: usize = 3;
/// Below this lift, the summary does not mention "× the usual rate".
const LIFT_WORTH_SAYING: f64 = 1.5;
/// When at most this share of the slow requests is inside, "p95 otherwise" is
/// found by binary search in all durations; above it, by selection over the outside.
const FEW_INSIDE_SHARE: usize = 4;

/// Measurements of one candidate against the symptoms.
#[derive(Clone, Debug, Default)]
struct Correlation {
    n_in: usize,
    n_total: usize,
    in_secs: f64,
    out_secs: f64,
    lift: f64,
    share: f64,
    episode_cover: f64,
    p95_in: Option<f64>,
    p95_out: Option<f64>,
    confidence: f64,
}

/// Scores and ranks candidates.
pub fn rank(
    candidates: Vec<Candidate>,
    symptoms: &Symptoms<'_>,
    evidence: &(dyn Fn(&Req) -> Evidence + Sync),
) -> Vec<Suspect> {
    // Candidates are scored independently: in parallel (rayon), each over every slow request.
    let mut out: Vec<Suspect> = candidates
        .into_par_iter()
        .filter(|c| !c.spans.is_empty())
        .map(|c| score(c, symptoms, evidence))
        .collect();
    out.sort_by(|a, b| {
        b.confidence.total_cmp(&a.confidence).then_with(|| a.span().start.cmp(&b.span().start))
    });
    for (i, s) in out.iter_mut().enumerate() {
        s.rank = i + 1;
    }
    out
}

fn score(c: Candidate, s: &Symptoms<'_>, evidence: &dyn Fn(&Req) -> Evidence) -> Suspect {
    let widened = SpanSet::new(c.spans.iter().map(|x| x.widen(TOLERANCE_SECS)).collect());
    let overlapping = s.overlapping(&widened);
    let k = correlate(&c, s, &overlapping);
    let (direct, direct_summary) = c.direct.clone().unwrap_or((0.0, String::new()));
    let confidence = round3(k.confidence.max(direct));
    let summary = if direct > k.confidence && !direct_summary.is_empty() {
        direct_summary
    } else {
        correlation_summary(&c, &k, s.from_browser)
    };
    let mut ev = c.evidence.clone();
    ev.truncate(EVIDENCE_LINES);
    ev.extend(slowest_inside(&overlapping, &widened).into_iter().map(evidence));
    let mut c = c;
    record(&mut c, &k, direct);
    Suspect {
        rank: 0,
        cause: c.cause,
        subject: c.subject,
        spans: c.spans,
        confidence,
        summary,
        metrics: c.metrics,
        evidence: ev,
    }
}

/// The slowest requests logged inside the (widened) spans.
fn slowest_inside<'r>(overlapping: &[&'r Req], widened: &SpanSet) -> Vec<&'r Req> {
    let inside: Vec<&Req> = overlapping
        .iter()
        .copied()
        .filter(|r| widened.overlaps(&Span::new(r.end(), r.end())))
        .collect();
    top_by(inside, EVIDENCE_LINES, |a, b| b.ms.total_cmp(&a.ms).then(a.end().cmp(&b.end())))
}

/// Records the measurements behind the confidence among the candidate's metrics.
fn record(c: &mut Candidate, k: &Correlation, direct: f64) {
    c.metric("slow_requests_inside", k.n_in);
    c.metric("slow_requests_total", k.n_total);
    c.metric("active_s", round3(k.in_secs));
    c.metric("lift", round3(k.lift));
    c.metric("share", round3(k.share));
    c.metric("episode_cover", round3(k.episode_cover));
    c.metric("p95_inside_ms", json!(k.p95_in));
    c.metric("p95_otherwise_ms", json!(k.p95_out));
    c.metric("correlation_confidence", round3(k.confidence));
    c.metric("direct_confidence", round3(direct));
}

/// Measures a candidate against the symptoms; `overlapping` are the slow requests
/// that overlap its (widened) spans, from [`Symptoms::overlapping`].
fn correlate(c: &Candidate, s: &Symptoms<'_>, overlapping: &[&Req]) -> Correlation {
    let observed_secs = total_secs(&s.observed).max(MIN_RATE_SECS);
    let in_secs = total_secs(&clip(&c.spans, &s.observed)).min(observed_secs);
    let out_secs = (observed_secs - in_secs).max(0.0);
    let mut inside: Vec<f64> = overlapping.iter().map(|r| r.ms).collect();
    let (n_in, n_total) = (inside.len(), s.slow.len());
    let rate_in = n_in as f64 / in_secs.max(MIN_RATE_SECS);
    let rate_out = ((n_total - n_in) as f64 + 1.0) / out_secs.max(MIN_RATE_SECS);
    let lift = if n_in == 0 { 0.0 } else { rate_in / rate_out };
    let episode_secs = total_secs(&s.episodes);
    let episode_cover =
        if episode_secs > 0.0 { overlap_total(&s.episodes, &c.spans) / episode_secs } else { 0.0 };
    let share = if n_total == 0 {
        0.0
    } else {
        (n_in as f64 / n_total as f64).max(episode_cover.min(n_in as f64))
    };
    let mut strength = if lift > 1.0 { 1.0 - 1.0 / lift } else { 0.0 };
    if out_secs < CONTRAST_SHARE * observed_secs {
        strength = strength.min(UNCONTRASTED_STRENGTH);
    }
    let support = 1.0 - (-(n_in as f64) / SUPPORT_SCALE).exp();
    Correlation {
        n_in,
        n_total,
        in_secs,
        out_secs,
        lift,
        share,
        episode_cover,
        p95_out: p95_outside(s, overlapping, &mut inside),
        p95_in: percentile_select(&mut inside, 0.95),
        confidence: (strength * share.min(1.0) * support).clamp(0.0, 1.0),
    }
}

/// The p95 of the slow requests outside a candidate, exactly, the cheaper way:
/// few inside (the usual case) → the inside sorted, and a binary search in all
/// durations sorted once; many inside → the outside collected (both lists are
/// in time order, the inside a sub-list) and selected. `inside_ms` is reordered.
fn p95_outside(s: &Symptoms<'_>, overlapping: &[&Req], inside_ms: &mut [f64]) -> Option<f64> {
    if inside_ms.len() <= s.slow.len() / FEW_INSIDE_SHARE {
        inside_ms.sort_unstable_by(f64::total_cmp);
        return s.sorted_ms.percentile_without(inside_ms, 0.95);
    }
    let mut next = overlapping.iter().peekable();
    let mut outside = Vec::with_capacity(s.slow.len() - overlapping.len());
    for r in &s.slow {
        if next.peek().is_some_and(|i| std::ptr::eq(**i, *r)) {
            next.next();
        } else {
            outside.push(r.ms);
        }
    }
    percentile_select(&mut outside, 0.95)
}

/// The parts of `spans` inside the observed time.
fn clip(spans: &[Span], observed: &[Span]) -> Vec<Span> {
    let mut out = Vec::new();
    for s in spans {
        for o in observed {
            let a = s.start.max(o.start);
            let b = s.end.min(o.end);
            if b > a {
                out.push(Span::new(a, b));
            }
        }
    }
    merge(out, 0.0)
}

fn correlation_summary(c: &Candidate, k: &Correlation, browser: bool) -> String {
    let what = if browser { "slow browser requests" } else { "slow requests" };
    let p95 = match (k.p95_in, k.p95_out) {
        (Some(a), Some(b)) => format!("; p95 {} vs {} otherwise", secs_text(a), secs_text(b)),
        (Some(a), None) => format!("; p95 {}, none otherwise", secs_text(a)),
        _ => String::new(),
    };
    let lift = if k.lift >= LIFT_WORTH_SAYING && k.out_secs > 0.0 {
        format!(" ({:.1}× the usual rate)", k.lift)
    } else {
        String::new()
    };
    format!("During {}, {} of {} {what} occurred{lift}{p95}.", c.phrase, k.n_in, k.n_total)
}

#[cfg(test)]
mod tests;
