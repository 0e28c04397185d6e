//! `halibut`: communication with Tentacles and workers failed in bursts
//! (polling requests not collected in time, refused or dropped connections)
//! while requests were slow. A burst of failures is what a node under strain
//! shows towards its targets, or a network problem between them; deployments
//! and health checks wait on it. Scored by correlation.

use octodiag_parsers::Timestamp;

use super::{Candidate, Cause, Context, Detector, Role};
use crate::stats::{merge, total_secs, Span};
use crate::units::duration;

/// Failures within this many seconds of each other belong to one burst…
const BURST_WINDOW_SECS: f64 = 300.0;
/// …which needs at least this many: a single time-out is routine on a busy server.
const BURST_MIN_FAILURES: usize = 5;
/// A burst alone shows this much of a communication problem…
const BURST_ALONE: f64 = 0.4;
/// …failures towards this many endpoints count fully…
const FULL_ENDPOINTS: f64 = 5.0;
/// …and weigh this much: one Tentacle failing is that Tentacle's problem.
const BREADTH_WEIGHT: f64 = 0.5;
/// Failure lines quoted as evidence.
const EVIDENCE_LINES: usize = 3;

/// The Halibut detector.
pub struct Halibut;

impl Detector for Halibut {
    fn role(&self) -> Role {
        Role::Resource
    }

    fn candidates(&self, cx: &Context<'_>) -> Vec<Candidate> {
        let failures = &cx.facts.halibut_failures;
        let times: Vec<Timestamp> = failures.iter().map(|f| f.time).collect();
        let bursts = bursts(&times);
        if bursts.is_empty() {
            return Vec::new();
        }
        let inside = |t: Timestamp| bursts.iter().any(|b| b.contains(t) || b.end == t);
        let hits: Vec<_> = failures.iter().filter(|f| inside(f.time)).collect();
        let mut endpoints: Vec<&str> = hits.iter().map(|f| f.label.as_ref()).collect();
        endpoints.sort_unstable();
        endpoints.dedup();
        let phrase = format!(
            "the {} of Tentacle communication failures ({} failures, {} endpoints)",
            duration(total_secs(&bursts)),
            hits.len(),
            endpoints.len()
        );
        let mut c = Candidate::new(Cause::Halibut, "Tentacle communication", bursts, phrase);
        c.evidence = hits.iter().take(EVIDENCE_LINES).map(|f| (cx.quote)(&f.origin)).collect();
        let rests = vec![format!(
            "{} communication failures with {} Tentacle endpoint(s) in bursts",
            hits.len(),
            endpoints.len()
        )];
        let breadth = (endpoints.len() as f64 / FULL_ENDPOINTS).min(1.0);
        c.shown_by(BURST_ALONE + BREADTH_WEIGHT * breadth, rests);
        c.metric("failures", hits.len());
        c.metric("endpoints", endpoints.len());
        vec![c]
    }
}

/// Spans holding at least [`BURST_MIN_FAILURES`] failures within [`BURST_WINDOW_SECS`]
/// (`times` in order; a sliding window).
fn bursts(times: &[Timestamp]) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut lo = 0;
    for hi in 0..times.len() {
        while times[hi].secs_since(times[lo]) > BURST_WINDOW_SECS {
            lo += 1;
        }
        if hi + 1 - lo >= BURST_MIN_FAILURES {
            spans.push(Span::new(times[lo], times[hi]));
        }
    }
    merge(spans, 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: &[i64]) -> Vec<Timestamp> {
        secs.iter().map(|s| Timestamp(s * 1_000_000)).collect()
    }

    /// Five failures within five minutes are a burst; four, or five spread over
    /// an hour, are not.
    #[test]
    fn bursts_need_five_close_failures() {
        let got = bursts(&at(&[0, 30, 60, 90, 120, 3000]));
        assert_eq!(got, vec![Span::new(Timestamp(0), Timestamp(120_000_000))]);
        assert!(bursts(&at(&[0, 30, 60, 90])).is_empty());
        assert!(bursts(&at(&[0, 900, 1800, 2700, 3600])).is_empty());
    }
}
