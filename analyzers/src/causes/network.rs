//! `network`: slow browser (HAR) entries spent most of their time outside the
//! server (blocked, connecting, downloading). Its own symptom: scored directly
//! from the share of slow browser time outside the server.

use super::{Candidate, Cause, Context, Detector, Role};
use crate::model::SplitFact;
use crate::stats::Span;
use crate::units::round3;

/// An entry is "outside" when at least this share of its time was outside the server.
const OUTSIDE_SHARE: f64 = 0.5;
/// `support = 1 − e^(−n / SUPPORT_SCALE)` for n such entries.
const SUPPORT_SCALE: f64 = 4.0;

/// The network detector.
pub struct Network;

impl Detector for Network {
    fn role(&self) -> Role {
        Role::External
    }

    fn candidates(&self, cx: &Context<'_>) -> Vec<Candidate> {
        let slow: Vec<&SplitFact> = cx.browser.iter().collect();
        let outside: Vec<&SplitFact> =
            slow.iter().copied().filter(|s| s.outside_ms >= OUTSIDE_SHARE * s.total_ms).collect();
        if outside.is_empty() {
            return Vec::new();
        }
        let total: f64 = slow.iter().map(|s| s.total_ms).sum();
        let out_ms: f64 = slow.iter().map(|s| s.outside_ms).sum();
        let share = out_ms / total.max(1.0);
        let support = 1.0 - (-(outside.len() as f64) / SUPPORT_SCALE).exp();
        let frac = outside.len() as f64 / slow.len() as f64;
        let spans: Vec<Span> = outside.iter().map(|s| s.span).collect();
        let phrase = "the slow browser requests".to_string();
        let mut c = Candidate::new(Cause::Network, "browser / network", spans, phrase);
        let sentence = format!(
            "Of {} slow browser requests, {} spent most of their time outside the server; {:.0}% of all their time was outside it (queueing, network, download), not in the server.",
            slow.len(),
            outside.len(),
            share * 100.0
        );
        c.direct = Some((share * support * frac, sentence));
        let rests = vec![format!(
            "{} of {} slow browser requests spent most of their time outside the server",
            outside.len(),
            slow.len()
        )];
        c.shown_by(share, rests);
        c.metric("slow_browser_requests", slow.len());
        c.metric("outside_server_share", round3(share));
        vec![c]
    }
}
