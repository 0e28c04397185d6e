//! Unresponsive periods. An INFO-level log is sparse in quiet hours, so a
//! silence is judged against the node's own rate in the half hour before and
//! after it, never against the whole log's rhythm, and it needs what else
//! shows a hang: a restart that ends it, requests that complete after it with
//! durations spanning it, browser requests failing meanwhile, task logs that
//! pause through it, slow requests leading up to it.
//!
//! ```text
//! streams' active minutes ─► silences ≥ 5 min ─► local rate, expected entries
//!                                     └─ corroboration: restart, spanning requests,
//!                                        HAR failures, paused tasks, slowdown before
//!                                                   ─► Gap (with what it rests on)
//! ```

use std::collections::BTreeMap;

use octodiag_parsers::{Timestamp, UtcOffset};

use crate::dataset::Dataset;
use crate::facts::tasks::TaskView;
use crate::facts::{to_utc, Facts};
use crate::model::{Gap, Nodes, Restart, Stream};
use crate::slow::SLOW_REQUEST_MS;
use crate::stats::Span;
use crate::units::{duration, secs_round, utc};

/// One minute, µs.
const MINUTE: i64 = 60_000_000;
/// Shorter silences are never looked at.
const MIN_SILENCE_SECS: f64 = 300.0;
/// With one sign of a hang besides the silence, a silence this long is one.
const CORROBORATED_SECS: f64 = 600.0;
/// The rate around a silence is measured over this many minutes each side.
const RATE_WINDOW_MINUTES: i64 = 30;
/// The node's other silences are looked at this many minutes each side: a log
/// that is bursty (a health check an hour, little else) has long silences.
const NEARBY_MINUTES: i64 = 120;
/// Minutes with entries the node's activity around it would have had during
/// the silence: fewer, and with no other sign it was simply quiet.
const MIN_EXPECTED_ACTIVE: f64 = 3.0;
/// A silence this many times the longest of the node's other silences nearby
/// is out of its rhythm…
const OUT_OF_RHYTHM: f64 = 4.0;
/// Fast requests (under 1 s) logged in the half hour before a silence show that
/// the log records every request, from this many.
const EVERY_REQUEST_MIN: usize = 5;
/// A start this soon after a silence is what ended it.
const RESTART_WITHIN_SECS: f64 = 600.0;
/// Requests logged this soon after a silence may have been stuck in it.
const SPANNING_WITHIN_SECS: i64 = 600;
/// Browser failures during a silence count as a sign of it from this many
/// (a recording does not say which node a request went to).
const BROWSER_FAILURES_SIGN: usize = 2;
/// A browser entry this slow during a silence timed out, in effect.
const BROWSER_TIMEOUT_MS: f64 = 30_000.0;
/// Slow requests in this many minutes before a silence lead up to it…
const LEAD_MINUTES: i64 = 10;
/// …when there are at least this many.
const LEAD_MIN_SLOW: usize = 3;

/// A node's activity: entries per minute (UTC), minutes in order, with the
/// input that wrote the minute's last entries.
struct Activity {
    minutes: Vec<(i64, u32, u32)>,
    /// Entries up to and including each minute, for rates over any window.
    running: Vec<u64>,
}

impl Activity {
    fn of(data: &Dataset<'_>, s: &Stream, offset: UtcOffset) -> Activity {
        let mut by_minute: BTreeMap<i64, (u32, u32)> = BTreeMap::new();
        for &src in &s.sources {
            let Some(input) = data.inputs.get(src as usize) else { continue };
            for m in input.activity {
                let t = to_utc(Timestamp(m.start), input.clock, offset).0.div_euclid(MINUTE);
                let e = by_minute.entry(t).or_default();
                *e = (e.0 + m.entries, src);
            }
        }
        let minutes: Vec<(i64, u32, u32)> =
            by_minute.into_iter().map(|(m, (n, src))| (m, n, src)).collect();
        let mut total = 0;
        let running = minutes.iter().map(|m| {
            total += u64::from(m.1);
            total
        });
        Activity { running: running.collect(), minutes }
    }

    /// Entries in minutes `[from, to)`.
    fn entries(&self, from: i64, to: i64) -> u64 {
        let upto = |m: i64| {
            let i = self.minutes.partition_point(|x| x.0 < m);
            if i == 0 {
                0
            } else {
                self.running[i - 1]
            }
        };
        upto(to) - upto(from)
    }

    /// Whether any entry falls in minutes `[from, to)`.
    fn active(&self, from: i64, to: i64) -> bool {
        self.entries(from, to) > 0
    }

    /// Minutes with entries in `[from, to)`.
    fn active_minutes(&self, from: i64, to: i64) -> usize {
        let lo = self.minutes.partition_point(|x| x.0 < from);
        let hi = self.minutes.partition_point(|x| x.0 < to);
        hi - lo
    }

    /// The longest silence (minutes) between active minutes within `[from, to)`,
    /// leaving out the one that starts after minute `except`.
    fn longest_silence(&self, from: i64, to: i64, except: i64) -> i64 {
        let lo = self.minutes.partition_point(|x| x.0 < from);
        let hi = self.minutes.partition_point(|x| x.0 < to);
        self.minutes[lo..hi]
            .windows(2)
            .filter(|w| w[0].0 != except)
            .map(|w| w[1].0 - w[0].0 - 1)
            .max()
            .unwrap_or(0)
    }
}

/// What the corroboration reads.
pub struct Signs<'a> {
    /// Facts in UTC.
    pub facts: &'a Facts,
    /// Tasks in UTC.
    pub views: &'a [TaskView<'a>],
    /// Server starts.
    pub restarts: &'a [Restart],
    /// Node identity.
    pub nodes: &'a Nodes,
    /// Whether the server's clock offset is known: browser and task-log times
    /// (UTC) say nothing about a server-log silence otherwise.
    pub clock_known: bool,
}

/// Every unresponsive period of every node, in time order.
pub fn find(data: &Dataset<'_>, signs: &Signs<'_>, offset: UtcOffset) -> Vec<Gap> {
    let activity: Vec<Activity> =
        signs.nodes.streams.iter().map(|s| Activity::of(data, s, offset)).collect();
    let mut out = Vec::new();
    for (i, stream) in signs.nodes.streams.iter().enumerate() {
        let a = &activity[i];
        let usual = usual_gap(a);
        for w in a.minutes.windows(2) {
            let silence = Span::new(Timestamp((w[0].0 + 1) * MINUTE), Timestamp(w[1].0 * MINUTE));
            if silence.secs() < MIN_SILENCE_SECS {
                continue;
            }
            let others: Vec<String> = others_logging(signs.nodes, &activity, i, silence);
            let source = data.inputs.get(w[0].2 as usize).map_or("", |x| x.name);
            let across_files = w[0].2 != w[1].2;
            let gap = judge(signs, stream, a, silence, usual, others, source);
            out.extend(gap.filter(|g| is_hang(g, across_files)));
        }
    }
    out.sort_by_key(|g| g.span.start);
    out
}

/// The median silence between active minutes, seconds.
fn usual_gap(a: &Activity) -> f64 {
    let mut d: Vec<i64> = a.minutes.windows(2).map(|w| w[1].0 - w[0].0).collect();
    if d.is_empty() {
        return 60.0;
    }
    d.sort_unstable();
    d[d.len() / 2] as f64 * 60.0
}

/// The other streams that wrote something during the silence.
fn others_logging(nodes: &Nodes, activity: &[Activity], me: usize, s: Span) -> Vec<String> {
    let (from, to) = (s.start.0.div_euclid(MINUTE), s.end.0.div_euclid(MINUTE));
    nodes
        .streams
        .iter()
        .zip(activity)
        .enumerate()
        .filter(|(i, (_, a))| *i != me && a.active(from, to))
        .map(|(_, (st, _))| st.name.clone())
        .collect()
}

/// The silence as a [`Gap`], when it shows a hang.
fn judge(
    signs: &Signs<'_>,
    stream: &Stream,
    a: &Activity,
    silence: Span,
    usual_gap_s: f64,
    others_logging: Vec<String>,
    source: &str,
) -> Option<Gap> {
    let (start, end) = (silence.start.0.div_euclid(MINUTE), silence.end.0.div_euclid(MINUTE));
    let before = a.entries(start - RATE_WINDOW_MINUTES, start) as f64 / RATE_WINDOW_MINUTES as f64;
    let after =
        a.entries(end + 1, end + 1 + RATE_WINDOW_MINUTES) as f64 / RATE_WINDOW_MINUTES as f64;
    let local_rate = (before + after) / 2.0;
    let expected = local_rate * silence.secs() / 60.0;
    let w = RATE_WINDOW_MINUTES;
    let active = a.active_minutes(start - w, start) + a.active_minutes(end + 1, end + 1 + w);
    let active_share = active as f64 / (2 * w) as f64;
    let nearby = a.longest_silence(start - NEARBY_MINUTES, end + 1 + NEARBY_MINUTES, start - 1);
    let mut g = Gap {
        node: stream.name.clone(),
        span: silence,
        duration_s: secs_round(silence.secs()),
        usual_gap_s: secs_round(usual_gap_s),
        local_rate: secs_round(local_rate),
        expected_entries: expected.round(),
        active_share: (active_share * 1000.0).round() / 1000.0,
        longest_nearby_s: nearby as f64 * 60.0,
        restart_at: restart_after(signs.restarts, &stream.name, silence),
        spanning_requests: spanning(signs.facts, stream, silence),
        browser_failures: if signs.clock_known {
            browser_failures(signs.facts, silence)
        } else {
            0
        },
        paused_tasks: if signs.clock_known {
            paused_tasks(signs.views, &stream.name, silence)
        } else {
            Vec::new()
        },
        slow_before: slow_before(signs.facts, stream, silence),
        fast_before: fast_before(signs.facts, stream, silence),
        others_logging,
        rests_on: Vec::new(),
        source: source.to_string(),
    };
    g.rests_on = reasons(&g, before, after);
    Some(g)
}

/// The decision: a silence the node's own rate cannot explain, long enough,
/// and shown by something else. Between two files (`across_files`) a silence
/// may be logs missing from the bundle: it needs a sign besides the silence.
fn is_hang(g: &Gap, across_files: bool) -> bool {
    // A recording does not say which node a request went to: while other nodes
    // kept logging, failures in the browser are no sign against this one.
    let browser_sign = g.browser_failures >= BROWSER_FAILURES_SIGN && g.others_logging.is_empty();
    let strong = usize::from(g.restart_at.is_some())
        + usize::from(g.spanning_requests > 0)
        + usize::from(browser_sign)
        + usize::from(!g.paused_tasks.is_empty());
    if across_files && strong == 0 {
        return false;
    }
    let minutes = g.duration_s / 60.0;
    let rhythm = g.duration_s / g.longest_nearby_s.max(60.0);
    let lead = g.slow_before >= LEAD_MIN_SLOW;
    let long = g.duration_s >= CORROBORATED_SECS;
    let quiet = g.active_share * minutes < MIN_EXPECTED_ACTIVE;
    // An INFO log writes a request only when it is slow: silence after a slowdown
    // is the slowdown ending. Only a log that records fast requests too shows a
    // silence as the server not answering.
    let every_request = g.fast_before >= EVERY_REQUEST_MIN;
    strong >= 2
        || (strong == 1 && long && (lead || rhythm >= OUT_OF_RHYTHM))
        || (!quiet && long && lead && every_request && rhythm >= OUT_OF_RHYTHM)
}

fn restart_after(restarts: &[Restart], node: &str, s: Span) -> Option<Timestamp> {
    restarts
        .iter()
        .filter(|r| {
            r.node == node && r.at >= s.start && r.at.secs_since(s.end) <= RESTART_WITHIN_SECS
        })
        .map(|r| r.at)
        .min()
}

/// Requests this stream logged soon after the silence that were in flight
/// through most of it.
fn spanning(facts: &Facts, stream: &Stream, s: Span) -> usize {
    let mid = s.start.add_micros((s.end.0 - s.start.0) / 2);
    let lo = facts.requests.partition_point(|r| r.end() < s.end);
    let reach = s.end.add_micros(SPANNING_WITHIN_SECS * 1_000_000);
    facts.requests[lo..]
        .iter()
        .take_while(|r| r.end() <= reach)
        .filter(|r| stream.sources.contains(&r.origin.source) && r.start() <= mid)
        .count()
}

/// Browser entries started during the silence that failed or took 30 s or more.
fn browser_failures(facts: &Facts, s: Span) -> usize {
    facts
        .browser
        .iter()
        .filter(|r| s.contains(r.start()))
        .filter(|r| r.ms >= BROWSER_TIMEOUT_MS || r.browser().is_some_and(|t| t.failed))
        .count()
}

/// Tasks on this node (or on no named node) whose log paused through most of the silence.
fn paused_tasks(views: &[TaskView<'_>], node: &str, s: Span) -> Vec<String> {
    views
        .iter()
        .filter(|v| v.node == node || v.task.node.is_none())
        .filter(|v| {
            v.task.longest_pause.is_some_and(|(a, b)| {
                let pause = Span::new(v.utc(a), v.utc(b));
                pause.overlap_secs(&s) >= 0.5 * s.secs()
            })
        })
        .map(|v| v.task.id.clone())
        .collect()
}

fn slow_before(facts: &Facts, stream: &Stream, s: Span) -> usize {
    let from = s.start.add_micros(-LEAD_MINUTES * MINUTE);
    let lo = facts.requests.partition_point(|r| r.end() < from);
    facts.requests[lo..]
        .iter()
        .take_while(|r| r.end() <= s.start)
        .filter(|r| r.ms >= SLOW_REQUEST_MS && stream.sources.contains(&r.origin.source))
        .count()
}

/// Requests under 1 s this stream logged in the half hour before the silence.
fn fast_before(facts: &Facts, stream: &Stream, s: Span) -> usize {
    let from = s.start.add_micros(-RATE_WINDOW_MINUTES * MINUTE);
    let lo = facts.requests.partition_point(|r| r.end() < from);
    facts.requests[lo..]
        .iter()
        .take_while(|r| r.end() <= s.start)
        .filter(|r| r.ms < SLOW_REQUEST_MS && stream.sources.contains(&r.origin.source))
        .count()
}

/// The verdict's grounds, in words.
fn reasons(g: &Gap, before: f64, after: f64) -> Vec<String> {
    let mut r = vec![format!(
        "{} wrote nothing for {} ({} to {}), having written in {:.0}% of the minutes of the half hours around it ({:.1} and {:.1} entries a minute) and been silent at most {} in the two hours around it",
        g.node,
        duration(g.duration_s),
        utc(g.span.start),
        utc(g.span.end),
        g.active_share * 100.0,
        before,
        after,
        duration(g.longest_nearby_s)
    )];
    if let Some(t) = g.restart_at {
        r.push(format!("a server start at {} ended it", utc(t)));
    }
    if g.spanning_requests > 0 {
        r.push(format!(
            "{} request(s) logged after it had run through most of it",
            g.spanning_requests
        ));
    }
    if g.browser_failures > 0 {
        r.push(format!("{} browser request(s) failed or timed out during it", g.browser_failures));
    }
    if !g.paused_tasks.is_empty() {
        r.push(format!("the task log(s) of {} paused through it", g.paused_tasks.join(", ")));
    }
    if g.slow_before > 0 {
        r.push(format!("{} slow request(s) in the 10 minutes before it", g.slow_before));
    }
    if !g.others_logging.is_empty() {
        r.push(format!("{} kept logging meanwhile", g.others_logging.join(", ")));
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A silence of `minutes`, its node active in `share` of the minutes around
    /// it and silent at most `nearby` minutes in the two hours around it.
    fn gap(minutes: f64, share: f64, nearby: f64) -> Gap {
        Gap {
            node: "N".into(),
            span: Span::default(),
            duration_s: minutes * 60.0,
            usual_gap_s: 60.0,
            local_rate: 0.0,
            expected_entries: 0.0,
            active_share: share,
            longest_nearby_s: nearby * 60.0,
            restart_at: None,
            spanning_requests: 0,
            browser_failures: 0,
            paused_tasks: Vec::new(),
            slow_before: 0,
            fast_before: 0,
            others_logging: Vec::new(),
            rests_on: Vec::new(),
            source: String::new(),
        }
    }

    /// A silence is a hang when what else the logs hold shows it, or when it is
    /// far outside a busy node's rhythm.
    #[test]
    fn what_makes_a_silence_a_hang() {
        // Two signs (requests stuck through it, browsers failing) make a hang
        // even in a sparse INFO log whose rhythm has long silences.
        let stuck = Gap { spanning_requests: 3, browser_failures: 9, ..gap(13.0, 0.25, 40.0) };
        assert!(is_hang(&stuck, false));
        // One sign needs ten minutes and the slowdown before it, or a silence out of rhythm.
        let restart = Gap { restart_at: Some(Timestamp(0)), ..gap(12.0, 0.5, 20.0) };
        assert!(!is_hang(&restart, false), "a restart after an ordinary lull");
        assert!(is_hang(&Gap { slow_before: 5, ..restart.clone() }, false));
        assert!(is_hang(&Gap { restart_at: Some(Timestamp(0)), ..gap(12.0, 0.5, 3.0) }, false));
        let planned = Gap { restart_at: Some(Timestamp(0)), ..gap(190.0, 0.05, 53.0) };
        assert!(!is_hang(&planned, false), "a restart after a quiet night");
        // Nothing but the silence: only in a log that records every request, far
        // out of its rhythm, with a slowdown leading up to it.
        let after_slowdown = Gap { slow_before: 15, ..gap(38.0, 0.4, 0.0) };
        assert!(!is_hang(&after_slowdown, false), "an INFO log goes quiet when slowness ends");
        assert!(is_hang(&Gap { fast_before: 60, ..after_slowdown }, false));
        assert!(!is_hang(&Gap { fast_before: 60, ..gap(15.0, 0.9, 2.0) }, false));
        let bursty = Gap { slow_before: 5, fast_before: 60, ..gap(46.0, 0.07, 55.0) };
        assert!(!is_hang(&bursty, false), "a bursty log");
        // Between two files the logs may simply be missing: a sign is needed.
        assert!(!is_hang(&Gap { slow_before: 5, fast_before: 60, ..gap(600.0, 0.9, 2.0) }, true));
        // One failed browser request does not name this node; two are a sign.
        let one = Gap { browser_failures: 1, spanning_requests: 1, ..gap(12.0, 0.5, 30.0) };
        assert!(!is_hang(&one, false));
        assert!(is_hang(&Gap { browser_failures: 2, ..one }, false));
    }
}
