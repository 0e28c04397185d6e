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
//! That is the candidate's *correlation*. Two more things decide its confidence:
//!
//! * **mechanism** (from its detector, 0 to 1): whether the logs show the way
//!   it slows the server (its SQL in its own transactions, tasks at the cap, the
//!   volume of DEBUG lines…). A bare coincidence keeps 40 % of its correlation,
//!   a shown mechanism all of it: `correlation × (0.4 + 0.6 × mechanism)`;
//! * **specificity**: how much of the slowness it explains that a stronger
//!   rival does not. Candidates are taken strongest first; when most of a
//!   candidate's slow requests fall inside a stronger, contrasted rival, it is
//!   that rival's effect or passenger, not a rival: its confidence keeps only
//!   the share the rival does not explain, and a resource under strain (the
//!   database, Tentacle communication) or a restart that ended a hang becomes
//!   the stronger cause's evidence.
//!
//! Causes whose symptom is the cause itself carry a direct score from their
//! detector (`unresponsive`, `restart`, `task-queue`, `network`); the larger
//! of the direct score and the correlation is used. A candidate active for
//! nearly all the observed time cannot be contrasted with normal time: it
//! never exceeds [`UNCONTRASTED_MAX`].

use rayon::prelude::*;
use serde_json::json;

use super::{Candidate, Cause, Role, RuledOut, Suspect, Symptoms};
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
/// …and its strength is capped here…
const UNCONTRASTED_STRENGTH: f64 = 0.5;
/// …and its confidence here.
const UNCONTRASTED_MAX: f64 = 0.45;
/// `support = 1 − e^(−n / SUPPORT_SCALE)`: four slow requests give 0.63.
const SUPPORT_SCALE: f64 = 4.0;
/// Share of the correlation a candidate keeps with no mechanism shown.
const COINCIDENCE_WEIGHT: f64 = 0.4;
/// A rival explains a candidate when this share of its slow requests falls inside the rival…
const EXPLAINED_SHARE: f64 = 0.8;
/// …or this share, for a resource under strain.
const EXPLAINED_RESOURCE_SHARE: f64 = 0.6;
/// A resource yields to a workload active at the same time that scores this
/// much less on its own, at most.
const RESOURCE_DEFERENCE: f64 = 0.15;
/// A rival that is active more than this share of the observed time explains nothing.
const RIVAL_MAX_ACTIVE_SHARE: f64 = 0.5;
/// A restart this close after a hang's end is how the hang ended.
const RESTART_ENDS_HANG_SECS: f64 = 600.0;
/// Evidence lines kept from the detector, then from the slowest requests inside.
const EVIDENCE_LINES: usize = 3;
/// Alternatives listed as ruled out under each suspect.
const RULED_OUT_SHOWN: usize = 5;
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
    observed_secs: f64,
    lift: f64,
    share: f64,
    episode_cover: f64,
    p95_in: Option<f64>,
    p95_out: Option<f64>,
    confidence: f64,
}

/// A candidate measured: its correlation, the slow requests inside it, and
/// its confidence before and after its rivals are taken into account.
struct Scored {
    c: Candidate,
    role: Role,
    k: Correlation,
    /// Indexes into [`Symptoms::slow`] of the slow requests overlapping it.
    inside: Vec<usize>,
    /// Its confidence on its own.
    alone: f64,
    /// After the rivals that explain it.
    confidence: f64,
    /// Why it ranks low, when a rival explains it.
    explained_by: Option<String>,
    /// Effects of weaker candidates it explains.
    absorbed: Vec<String>,
    absorbed_evidence: Vec<Evidence>,
}

/// Scores and ranks candidates.
/// A cause local to one node (its verbose logging, its hang) is measured
/// against that node's slow requests, which `per_node` gives in an HA bundle.
pub fn rank<'s>(
    candidates: Vec<Candidate>,
    symptoms: &Symptoms<'s>,
    per_node: &(dyn Fn(&str) -> Option<&'s Symptoms<'s>> + Sync),
    evidence: &(dyn Fn(&Req) -> Evidence + Sync),
) -> Vec<Suspect> {
    // Candidates are measured independently: in parallel (rayon).
    let mut scored: Vec<Scored> = candidates
        .into_par_iter()
        .filter(|c| !c.spans.is_empty())
        .map(|c| {
            let local = c.node.as_deref().and_then(per_node);
            measure(c, symptoms, local)
        })
        .collect();
    by_confidence(&mut scored, |s| s.alone);
    explain(&mut scored);
    by_confidence(&mut scored, |s| s.confidence);
    let ruled: Vec<RuledOut> = scored.iter().map(ruled_out).collect();
    scored
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let beaten = ruled[i + 1..].iter().take(RULED_OUT_SHOWN).cloned().collect();
            suspect(s, i + 1, beaten, symptoms, evidence)
        })
        .collect()
}

/// Orders suspects again after their confidence changed (most confident first,
/// ties by start) and renumbers them.
pub fn rerank(suspects: &mut [Suspect]) {
    suspects.sort_by(|a, b| {
        b.confidence.total_cmp(&a.confidence).then_with(|| a.span().start.cmp(&b.span().start))
    });
    for (i, s) in suspects.iter_mut().enumerate() {
        s.rank = i + 1;
    }
}

/// Strongest first; ties by start time (then by the order candidates were built).
fn by_confidence(v: &mut [Scored], key: impl Fn(&Scored) -> f64) {
    v.sort_by(|a, b| {
        key(b).total_cmp(&key(a)).then_with(|| a.c.spans[0].start.cmp(&b.c.spans[0].start))
    });
}

fn measure(c: Candidate, s: &Symptoms<'_>, local: Option<&Symptoms<'_>>) -> Scored {
    let widened = SpanSet::new(c.spans.iter().map(|x| x.widen(TOLERANCE_SECS)).collect());
    let inside = s.overlapping_at(&widened);
    let k = match local {
        Some(l) => correlate(&c, l, &l.overlapping(&widened)),
        None => correlate(&c, s, &inside.iter().map(|i| s.slow[*i]).collect::<Vec<_>>()),
    };
    let mut alone = k.confidence * (COINCIDENCE_WEIGHT + (1.0 - COINCIDENCE_WEIGHT) * c.mechanism);
    if k.out_secs < CONTRAST_SHARE * k.observed_secs {
        alone = alone.min(UNCONTRASTED_MAX);
    }
    let direct = c.direct.as_ref().map_or(0.0, |d| d.0);
    let alone = round3(alone.max(direct).min(c.ceiling));
    let role = c.cause.detector().role();
    Scored {
        c,
        role,
        k,
        inside,
        alone,
        confidence: alone,
        explained_by: None,
        absorbed: Vec::new(),
        absorbed_evidence: Vec::new(),
    }
}

/// Takes the candidates strongest first; a candidate that a stronger rival
/// explains keeps only the share of its slowness the rival does not explain,
/// and the rival takes it as evidence when it is an effect (a resource under
/// strain, or a restart that ended a hang). A resource strained exactly while a
/// workload ran is that workload's effect even when the workload alone scores
/// a little lower (within [`RESOURCE_DEFERENCE`]): the workload then carries
/// the slowness the resource explained.
fn explain(v: &mut [Scored]) {
    for i in 1..v.len() {
        explain_one(v, i);
    }
    for i in 0..v.len() {
        if v[i].role == Role::Resource && v[i].explained_by.is_none() {
            explain_one(v, i);
        }
    }
}

/// Lets the first rival that explains candidate `i` take it.
fn explain_one(v: &mut [Scored], i: usize) {
    let Some((j, share)) =
        (0..v.len()).filter(|j| *j != i).find_map(|j| explains(&v[j], &v[i]).map(|s| (j, s)))
    else {
        return;
    };
    let (rival, me) = pair(v, j, i);
    me.confidence = round3(me.alone * (1.0 - share));
    me.explained_by = Some(format!(
        "{:.0}% of its slowness falls during {} {}, which explains it{}",
        share * 100.0,
        rival.c.cause.name(),
        rival.c.subject,
        rival.c.rests_on.first().map_or(String::new(), |r| format!(" ({r})"))
    ));
    if matches!(me.role, Role::Resource | Role::Outage) {
        rival.absorbed.push(format!(
            "{} {} during it, its effect: {}",
            me.c.cause.name(),
            me.c.subject,
            me.c.rests_on.first().cloned().unwrap_or_else(|| me.c.phrase.clone())
        ));
        rival.absorbed_evidence.extend(me.c.evidence.iter().take(1).cloned());
        rival.confidence = rival.confidence.max(round3(me.alone * share));
    }
}

/// Mutable references to two different elements.
fn pair(v: &mut [Scored], a: usize, b: usize) -> (&mut Scored, &mut Scored) {
    if a < b {
        let (x, y) = v.split_at_mut(b);
        (&mut x[a], &mut y[0])
    } else {
        let (x, y) = v.split_at_mut(a);
        (&mut y[0], &mut x[b])
    }
}

/// The share of `me`'s slowness that `rival` explains, when it does.
fn explains(rival: &Scored, me: &Scored) -> Option<f64> {
    // A resource under strain is how work slows the server: it explains another
    // resource's strain, never the work itself.
    if rival.explained_by.is_some()
        || me.explained_by.is_some()
        || (rival.role == Role::Resource && me.role != Role::Resource)
    {
        return None;
    }
    let defers = me.role == Role::Resource
        && matches!(rival.role, Role::Workload | Role::Outage)
        && rival.alone > 0.0
        && rival.alone >= me.alone - RESOURCE_DEFERENCE;
    if !(rival.alone > me.alone || defers)
        || rival.k.in_secs > RIVAL_MAX_ACTIVE_SHARE * rival.k.observed_secs
    {
        return None;
    }
    if me.c.cause == Cause::Restart && rival.c.cause == Cause::Unresponsive {
        return ended_hang(rival, me).then_some(1.0);
    }
    // One node's hang does not explain another's.
    if me.role == Role::Outage && rival.role == Role::Outage && me.c.subject != rival.c.subject {
        return None;
    }
    let share = if me.inside.is_empty() {
        overlap_total(&me.c.spans, &widen(&rival.c.spans)) / total_secs(&me.c.spans).max(1.0)
    } else {
        shared(&me.inside, &rival.inside) as f64 / me.inside.len() as f64
    };
    let needed = if me.role == Role::Resource { EXPLAINED_RESOURCE_SHARE } else { EXPLAINED_SHARE };
    (share >= needed).then_some(share.min(1.0))
}

fn widen(spans: &[Span]) -> Vec<Span> {
    merge(spans.iter().map(|s| s.widen(TOLERANCE_SECS)).collect(), 0.0)
}

/// Whether a restart candidate is the start that ended a silence.
fn ended_hang(hang: &Scored, restart: &Scored) -> bool {
    let Some(end) = hang.c.spans.last().map(|s| s.end) else { return false };
    restart.c.subject.starts_with(&hang.c.subject)
        && restart.c.spans.iter().any(|s| {
            let at = s.end.add_micros(-300_000_000);
            at >= end.add_micros(-60_000_000) && at.secs_since(end) <= RESTART_ENDS_HANG_SECS
        })
}

/// How many of two ascending index lists have in common.
fn shared(a: &[usize], b: &[usize]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// A candidate as an alternative that a higher-ranked suspect beat.
fn ruled_out(s: &Scored) -> RuledOut {
    let why = s.explained_by.clone().or_else(|| s.c.weakness.clone()).unwrap_or_else(|| {
        format!(
            "it covers {} of {} slow requests{}",
            s.k.n_in,
            s.k.n_total,
            if s.c.mechanism < 0.3 { ", and the logs show no mechanism for it" } else { "" }
        )
    });
    RuledOut { cause: s.c.cause, subject: s.c.subject.clone(), confidence: s.confidence, why }
}

fn suspect(
    s: Scored,
    rank: usize,
    ruled_out: Vec<RuledOut>,
    symptoms: &Symptoms<'_>,
    evidence: &dyn Fn(&Req) -> Evidence,
) -> Suspect {
    let Scored {
        mut c,
        k,
        inside,
        alone,
        confidence,
        absorbed,
        absorbed_evidence,
        explained_by,
        ..
    } = s;
    let (direct, direct_summary) = c.direct.clone().unwrap_or((0.0, String::new()));
    let summary = if direct > k.confidence && !direct_summary.is_empty() {
        direct_summary
    } else {
        correlation_summary(&c, &k, symptoms.from_browser)
    };
    let mut ev = c.evidence.clone();
    ev.truncate(EVIDENCE_LINES);
    let overlapping: Vec<&Req> = inside.iter().map(|i| symptoms.slow[*i]).collect();
    let widened = SpanSet::new(c.spans.iter().map(|x| x.widen(TOLERANCE_SECS)).collect());
    ev.extend(slowest_inside(&overlapping, &widened).into_iter().map(evidence));
    for e in absorbed_evidence {
        if !ev.iter().any(|x| x.source == e.source && x.line == e.line) {
            ev.push(e);
        }
    }
    record(&mut c, &k, direct, alone);
    let mut rests_on = std::mem::take(&mut c.rests_on);
    rests_on.extend(absorbed);
    Suspect {
        rank,
        cause: c.cause,
        subject: c.subject,
        spans: c.spans,
        confidence,
        summary,
        metrics: c.metrics,
        evidence: ev,
        rests_on,
        against: explained_by.or(c.weakness),
        ruled_out,
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
fn record(c: &mut Candidate, k: &Correlation, direct: f64, alone: f64) {
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
    c.metric("mechanism", round3(c.mechanism));
    c.metric("confidence_alone", alone);
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
        observed_secs,
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
