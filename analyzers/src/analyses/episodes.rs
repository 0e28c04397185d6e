//! Slowness episodes: time windows where slow requests (their number or the
//! seconds they cost), slow browser entries or task queueing stand out from
//! the input's own baseline, plus the periods the server was silent.
//!
//! Server requests are scored per minute with a 5-minute sliding window:
//! the window's *load* is the sum of the slow requests' durations in
//! seconds. A minute is hot when its window has at least 3 slow requests
//! and a load of at least 15 s and 4 times the average window load over the
//! whole span; or, whatever the baseline, at least 10 slow requests and
//! 50 s of load (a log that covers only a bad period has no quiet baseline).
//! Hot minutes closer than 2 minutes join into one episode.

use octodiag_parsers::Timestamp;

use crate::facts::Req;
use crate::model::{Episode, EpisodeKind, Gap, QueueEpisode, SplitFact};
use crate::slow::SLOW_REQUEST_MS as SLOW_MS;
use crate::stats::{merge, percentiles, Span};
use crate::units::ms_round;

const MINUTE: i64 = 60_000_000;
const WINDOW_MINUTES: i64 = 5;
const MIN_COUNT: usize = 3;
const MIN_LOAD_S: f64 = 15.0;
const LOAD_FACTOR: f64 = 4.0;
const ABSOLUTE_COUNT: usize = 10;
const ABSOLUTE_LOAD_S: f64 = 50.0;
const JOIN_SECS: f64 = 120.0;

/// Finds the episodes of every kind and merges overlapping ones.
pub fn find(
    requests: &[Req],
    observed: &[Span],
    browser: &[SplitFact],
    queues: &[QueueEpisode],
    gaps: &[Gap],
) -> Vec<Episode> {
    let mut tagged: Vec<(Span, EpisodeKind)> = Vec::new();
    tagged.extend(
        request_episodes(requests, observed).into_iter().map(|s| (s, EpisodeKind::SlowRequests)),
    );
    tagged.extend(browser_episodes(browser).into_iter().map(|s| (s, EpisodeKind::Browser)));
    tagged.extend(
        queues
            .iter()
            .filter(|q| q.at_cap || q.max_queue_s >= 300.0)
            .map(|q| (q.span, EpisodeKind::TaskQueue)),
    );
    tagged.extend(gaps.iter().map(|g| (g.span, EpisodeKind::Unresponsive)));
    let merged = merge(tagged.iter().map(|t| t.0).collect(), 0.0);
    merged
        .into_iter()
        .map(|span| {
            let mut kinds: Vec<EpisodeKind> = tagged
                .iter()
                .filter(|t| t.0.overlap_secs(&span) > 0.0 || span.contains(t.0.start))
                .map(|t| t.1)
                .collect();
            kinds.sort();
            kinds.dedup();
            let mut ms: Vec<f64> = requests
                .iter()
                .filter(|r| r.ms >= SLOW_MS && span.contains(r.end()))
                .map(|r| r.ms)
                .collect();
            let p = percentiles(&mut ms);
            Episode {
                duration_s: span.secs().round(),
                kinds,
                slow_requests: p.count,
                p95_ms: (p.count > 0).then(|| ms_round(p.p95)),
                span,
            }
        })
        .collect()
}

/// Hot minutes of server-side slow requests, joined into spans. Work and
/// memory grow with the minutes that have slow requests, never with the time
/// between the first and the last (one line dated 9999 among 2026 lines).
fn request_episodes(requests: &[Req], observed: &[Span]) -> Vec<Span> {
    let slow: Vec<&Req> = requests.iter().filter(|r| r.ms >= SLOW_MS).collect();
    let (Some(first), Some(last)) = (slow.first(), slow.last()) else { return Vec::new() };
    let minutes = busy_minutes(&slow);
    let span_minutes = last.end().0.div_euclid(MINUTE) - first.end().0.div_euclid(MINUTE) + 1;
    let observed_minutes =
        (crate::stats::total_secs(observed) / 60.0).max(span_minutes as f64).max(1.0);
    let total_load: f64 = minutes.iter().map(|m| m.2).sum();
    let mean_window_load = total_load * WINDOW_MINUTES as f64 / observed_minutes;
    let half = WINDOW_MINUTES / 2;
    let (mut lo, mut hi) = (0, 0);
    let mut hot = Vec::new();
    for &(minute, _, _) in &minutes {
        while minutes[lo].0 < minute - half {
            lo += 1;
        }
        while hi < minutes.len() && minutes[hi].0 <= minute + half {
            hi += 1;
        }
        let c: usize = minutes[lo..hi].iter().map(|m| m.1).sum();
        let l: f64 = minutes[lo..hi].iter().map(|m| m.2).sum();
        let relative = c >= MIN_COUNT && l >= MIN_LOAD_S.max(LOAD_FACTOR * mean_window_load);
        let absolute = c >= ABSOLUTE_COUNT && l >= ABSOLUTE_LOAD_S;
        if relative || absolute {
            let t = Timestamp(minute * MINUTE);
            hot.push(Span::new(t, t.add_micros(MINUTE)));
        }
    }
    merge(hot, JOIN_SECS).into_iter().map(|s| stretched(s, &slow)).collect()
}

/// (minute, slow requests ending in it, their seconds) for each minute that has
/// any, in order (`slow` is ordered by end).
fn busy_minutes(slow: &[&Req]) -> Vec<(i64, usize, f64)> {
    let mut out: Vec<(i64, usize, f64)> = Vec::new();
    for r in slow {
        let m = r.end().0.div_euclid(MINUTE);
        match out.last_mut() {
            Some(last) if last.0 == m => {
                last.1 += 1;
                last.2 += r.ms / 1000.0;
            }
            _ => out.push((m, 1, r.ms / 1000.0)),
        }
    }
    out
}

/// An episode stretched back to the start of the slow requests that end in it.
fn stretched(s: Span, slow: &[&Req]) -> Span {
    let lo = slow.partition_point(|r| r.end() < s.start);
    let hi = slow.partition_point(|r| r.end() < s.end);
    let earliest = slow[lo..hi].iter().map(|r| r.start()).min().unwrap_or(s.start);
    Span::new(earliest.min(s.start), s.end)
}

/// Slow browser entries, joined when less than a minute apart; at least 3.
fn browser_episodes(splits: &[SplitFact]) -> Vec<Span> {
    let spans = merge(splits.iter().map(|s| s.span).collect(), 60.0);
    spans
        .into_iter()
        .filter(|s| splits.iter().filter(|x| s.contains(x.span.start)).count() >= MIN_COUNT)
        .collect()
}
