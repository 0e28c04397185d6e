//! `restart`: a node started. After a long silence it is a crash or hang
//! rather than a planned restart, scored directly by the silence; a planned
//! start scores low (the first minutes after a start are slow while caches warm up).

use super::{Candidate, Cause, Context, Detector, Role};
use crate::model::Restart as Start;
use crate::stats::Span;
use crate::units::{duration, utc};

/// The minutes after a start that it may have slowed (seconds).
const WARM_UP_SECS: i64 = 300;
/// A silence this long (seconds) counts fully.
const FULL_SILENCE_SECS: f64 = 1800.0;
/// Direct score of a crash after a full-length silence, before…
const CRASH_SCORE: f64 = 0.8;
/// …a discount: a restart is the end of a problem more often than its cause.
const CRASH_DISCOUNT: f64 = 0.9;
/// Direct score of a planned start.
const PLANNED_SCORE: f64 = 0.2;

/// The restart detector.
pub struct Restart;

impl Detector for Restart {
    fn role(&self) -> Role {
        Role::Outage
    }

    fn candidates(&self, cx: &Context<'_>) -> Vec<Candidate> {
        cx.health.restarts.iter().map(|r| candidate(cx, r)).collect()
    }
}

/// A start is a crash or hang's end when it ended an unresponsive period
/// ([`crate::analyses::silences`]): a start after a quiet night is a planned one.
fn candidate(cx: &Context<'_>, r: &Start) -> Candidate {
    let silent = r.silent_before_s.unwrap_or(0.0);
    let crashed = cx.health.gaps.iter().any(|g| g.restart_at == Some(r.at));
    let span = Span::new(
        r.at.add_micros(-(silent * 1e6) as i64),
        r.at.add_micros(WARM_UP_SECS * 1_000_000),
    );
    let subject = format!("{} (version {})", r.node, r.version);
    let mut c = Candidate::new(Cause::Restart, subject, vec![span], format!("the restart of {}", r.node));
    let (direct, sentence) = if crashed {
        (
            CRASH_SCORE * (silent / FULL_SILENCE_SECS).min(1.0).sqrt() * CRASH_DISCOUNT,
            format!(
                "{} restarted at {} after {} of silence: a crash or hang rather than a planned restart.",
                r.node,
                utc(r.at),
                duration(silent)
            ),
        )
    } else {
        (
            PLANNED_SCORE,
            format!(
                "{} started at {} (version {}); the first minutes after a start are slow while caches warm up.",
                r.node,
                utc(r.at),
                r.version
            ),
        )
    };
    c.direct = Some((direct, sentence.clone()));
    c.evidence = vec![r.evidence.clone()];
    c.shown_by(if crashed { 1.0 } else { 0.0 }, vec![sentence]);
    if !crashed {
        c.weakness = Some("a planned start: the log was not silent before it".into());
    }
    c.metric("silent_before_s", silent);
    c
}
