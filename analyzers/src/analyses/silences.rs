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
/// Entries the local rate would have written: this many make a silence
/// suspicious on its own…
const SUSPICIOUS_EXPECTED: f64 = 60.0;
/// …and this many impossible to explain by a lull.
const IMPOSSIBLE_EXPECTED: f64 = 300.0;
/// A start this soon after a silence is what ended it.
const RESTART_WITHIN_SECS: f64 = 600.0;
/// Requests logged this soon after a silence may have been stuck in it.
const SPANNING_WITHIN_SECS: i64 = 600;
/// Fewer expected entries than this: the node was simply quiet.
const MIN_EXPECTED: f64 = 8.0;
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
    let mut g = Gap {
        node: stream.name.clone(),
        span: silence,
        duration_s: secs_round(silence.secs()),
        usual_gap_s: secs_round(usual_gap_s),
        local_rate: secs_round(local_rate),
        expected_entries: expected.round(),
        restart_at: restart_after(signs.restarts, &stream.name, silence),
        spanning_requests: spanning(signs.facts, stream, silence),
        browser_failures: browser_failures(signs.facts, silence),
        paused_tasks: paused_tasks(signs.views, &stream.name, silence),
        slow_before: slow_before(signs.facts, stream, silence),
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
    if g.expected_entries < MIN_EXPECTED {
        return false;
    }
    let strong = usize::from(g.restart_at.is_some())
        + usize::from(g.spanning_requests > 0)
        + usize::from(g.browser_failures >= BROWSER_FAILURES_SIGN)
        + usize::from(!g.paused_tasks.is_empty());
    if across_files && strong == 0 {
        return false;
    }
    let lead = g.slow_before >= LEAD_MIN_SLOW;
    let long = g.duration_s >= CORROBORATED_SECS;
    let unlikely = g.expected_entries >= SUSPICIOUS_EXPECTED;
    strong >= 2
        || (long && strong >= 1)
        || (long && unlikely && lead)
        || g.expected_entries >= IMPOSSIBLE_EXPECTED
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

/// The verdict's grounds, in words.
fn reasons(g: &Gap, before: f64, after: f64) -> Vec<String> {
    let mut r = vec![format!(
        "{} wrote nothing for {} ({} to {}) after {:.1} entries a minute in the half hour before and {:.1} after: {:.0} entries expected",
        g.node,
        duration(g.duration_s),
        utc(g.span.start),
        utc(g.span.end),
        before,
        after,
        g.expected_entries
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

    fn gap(minutes: f64, expected: f64) -> Gap {
        Gap {
            node: "N".into(),
            span: Span::default(),
            duration_s: minutes * 60.0,
            usual_gap_s: 60.0,
            local_rate: 0.0,
            expected_entries: expected,
            restart_at: None,
            spanning_requests: 0,
            browser_failures: 0,
            paused_tasks: Vec::new(),
            slow_before: 0,
            others_logging: Vec::new(),
            rests_on: Vec::new(),
            source: String::new(),
        }
    }

    /// A silence needs what else shows a hang, and a rate that cannot explain it.
    #[test]
    fn what_makes_a_silence_a_hang() {
        // A quiet node: however many signs, a silence of a couple of entries is a lull.
        let quiet = Gap { restart_at: Some(Timestamp(0)), spanning_requests: 2, ..gap(15.0, 3.0) };
        assert!(!is_hang(&quiet, false));
        // Ten minutes and one sign (requests stuck through it).
        assert!(is_hang(&Gap { spanning_requests: 1, ..gap(10.0, 40.0) }, false));
        // Nothing but the silence: suspicious is not enough…
        assert!(!is_hang(&gap(15.0, 100.0), false));
        // …unless slow requests led up to it…
        assert!(is_hang(&Gap { slow_before: 5, ..gap(15.0, 100.0) }, false));
        // …or the node's rate makes it impossible.
        assert!(is_hang(&gap(15.0, 400.0), false));
        // Between two files the logs may simply be missing: a sign is needed.
        assert!(!is_hang(&gap(600.0, 4000.0), true));
        assert!(is_hang(&Gap { restart_at: Some(Timestamp(0)), ..gap(20.0, 100.0) }, true));
        // One failed browser request does not name this node; two are a sign.
        assert!(!is_hang(&Gap { browser_failures: 1, ..gap(12.0, 30.0) }, false));
        assert!(is_hang(&Gap { browser_failures: 2, ..gap(12.0, 30.0) }, false));
    }
}
