//! `unresponsive`: a node stopped responding ([`crate::analyses::silences`]):
//! its log silent far beyond its own rate, shown by a restart that ended it,
//! requests that ran through it, browser failures, paused task logs, or the
//! slowdown that led up to it. The hang is its own symptom: scored directly,
//! by its length and by how many signs show it. Its window takes in the
//! slowdown leading up to it, so that what strained the server just before
//! (the database, Tentacle communication) counts as its evidence.

use super::{Candidate, Cause, Context, Detector, Role};
use crate::evidence::Evidence;
use crate::model::{EpisodeKind, Gap};
use crate::stats::Span;
use crate::units::{duration, duration_adjective, utc};

/// A silence this long (seconds) counts fully; shorter ones by the square root of their share.
const FULL_SILENCE_SECS: f64 = 1800.0;
/// Direct score of a full-length silence shown by nothing else…
const SILENCE_BASE: f64 = 0.55;
/// …plus this for each sign that shows it…
const SIGN_WEIGHT: f64 = 0.15;
/// …counting at most this many.
const MAX_SIGNS: usize = 3;
/// A direct score never claims more than this.
const MAX_DIRECT: f64 = 0.95;
/// The slowdown leading up to a hang is taken in when it ended this close before it…
const LEAD_JOIN_SECS: f64 = 300.0;
/// …from at most this long before it.
const LEAD_MAX_SECS: i64 = 1800;

/// The unresponsive detector.
pub struct Unresponsive;

impl Detector for Unresponsive {
    fn candidates(&self, cx: &Context<'_>) -> Vec<Candidate> {
        cx.health.gaps.iter().map(|g| candidate(cx, g)).collect()
    }

    fn role(&self) -> Role {
        Role::Outage
    }
}

fn candidate(cx: &Context<'_>, g: &Gap) -> Candidate {
    let signs = signs(g);
    let severity = (g.duration_s / FULL_SILENCE_SECS).min(1.0).sqrt();
    let direct =
        (severity * (SILENCE_BASE + SIGN_WEIGHT * signs.min(MAX_SIGNS) as f64)).min(MAX_DIRECT);
    let recovery = match g.restart_at {
        Some(t) => format!("it came back only with a restart at {}", utc(t)),
        None => "it resumed without a restart".into(),
    };
    let sentence = format!(
        "{} stopped responding for {} ({} to {}), when its own rate would have written {:.0} entries; {recovery}.",
        g.node,
        duration(g.duration_s),
        utc(g.span.start),
        utc(g.span.end),
        g.expected_entries,
    );
    let phrase = format!("the {} silence on {}", duration_adjective(g.duration_s), g.node);
    let window = Span::new(lead_in(cx, g.span), g.span.end);
    let mut c = Candidate::new(Cause::Unresponsive, g.node.clone(), vec![window], phrase);
    c.node = Some(g.node.clone());
    c.direct = Some((direct, sentence));
    c.evidence = gap_evidence(cx, g);
    c.shown_by(1.0, g.rests_on.clone());
    c.metric("gap_s", g.duration_s);
    c.metric("usual_gap_s", g.usual_gap_s);
    c.metric("expected_entries", g.expected_entries);
    c.metric("restart_after", g.restart_after());
    c.metric("signs", signs);
    c
}

/// The signs besides the silence itself.
fn signs(g: &Gap) -> usize {
    usize::from(g.restart_at.is_some())
        + usize::from(g.spanning_requests > 0)
        + usize::from(g.browser_failures > 0)
        + usize::from(!g.paused_tasks.is_empty())
        + usize::from(g.slow_before > 0)
}

/// Where the hang's window starts: at the slowness episode that ran into it, if one did.
fn lead_in(cx: &Context<'_>, gap: Span) -> octodiag_parsers::Timestamp {
    let earliest = gap.start.add_micros(-LEAD_MAX_SECS * 1_000_000);
    cx.episodes
        .iter()
        .filter(|e| e.kinds.contains(&EpisodeKind::SlowRequests))
        .filter(|e| e.span.end <= gap.end && gap.start.secs_since(e.span.end) <= LEAD_JOIN_SECS)
        .map(|e| e.span.start.max(earliest))
        .min()
        .map_or(gap.start, |t| t.min(gap.start))
}

/// The lines around a silence: the start-up banner after it, the last error
/// before it and the slowest request in the five minutes before it.
fn gap_evidence(cx: &Context<'_>, g: &Gap) -> Vec<Evidence> {
    let lead = Span::new(g.span.start.add_micros(-300_000_000), g.span.start);
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
