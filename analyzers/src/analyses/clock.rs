//! Clock alignment: server logs and raw task logs are in the server's local
//! time, on-disk task logs and HAR files in UTC. The offset comes from the
//! user, or is derived from evidence that sees the same moment on both
//! clocks, rounded to a quarter hour; when nothing allows it, UTC is assumed
//! and the report says so loudly.
//!
//! Evidence, strongest first:
//! 1. a task seen in a raw task log with an explicit offset (or a raw local start)
//!    and in its on-disk log (UTC);
//! 2. HAR entries matched to the server's `Request took` lines (same method
//!    and path; the server logs the line when the response is sent);
//! 3. the server's `Executing task "…" … after Nms.` lines beside the task's
//!    completion time in an on-disk log.

use octodiag_parsers::{Clock, Task, Timestamp, UtcOffset};

use crate::dataset::Dataset;
use crate::facts::Facts;
use crate::model::Alignment;
use crate::slow::SLOW_REQUEST_MS;

/// A HAR entry and a server line are one request when the browser's total is
/// the server's time plus at most this…
const DURATION_TOLERANCE_MS: f64 = 300.0;
/// …or this share of the total, whichever is larger…
const DURATION_TOLERANCE_SHARE: f64 = 0.15;
/// …and the server's time exceeds the browser's by at most this (timer granularity).
const CLOCK_SLACK_MS: f64 = 100.0;

fn alignment(offset: UtcOffset, derived_from: String, assumed: bool) -> Alignment {
    Alignment { offset, derived_from, assumed }
}

/// Decides the server's UTC offset.
/// `facts` are still on their logged clocks (see [`crate::facts::Facts::to_utc`]).
pub fn align(data: &Dataset<'_>, facts: &Facts, given: Option<UtcOffset>) -> Alignment {
    if let Some(o) = given {
        return alignment(o, "--server-utc-offset".into(), false);
    }
    if !has_local_times(data) {
        return alignment(
            UtcOffset::UTC,
            "not needed: every input carries UTC times".into(),
            false,
        );
    }
    if let Some((o, n, what)) = from_tasks(data.tasks) {
        return alignment(
            o,
            format!("{n} task(s) seen in both a raw task log and an on-disk log ({what})"),
            false,
        );
    }
    if let Some((o, n)) = from_browser(data, facts) {
        return alignment(o, format!("{n} HAR entries matched to server request lines"), false);
    }
    if let Some((o, n)) = from_task_lines(data, facts) {
        return alignment(
            o,
            format!("{n} server 'Executing task' lines matched to task completion times"),
            false,
        );
    }
    alignment(
        UtcOffset::UTC,
        "ASSUMED UTC: no --server-utc-offset and no evidence to derive it; server-local times may be shifted".into(),
        true,
    )
}

fn has_local_times(data: &Dataset<'_>) -> bool {
    data.inputs.iter().any(|i| i.clock == Clock::Local && i.span.is_some())
        || data.tasks.iter().any(|t| t.clock == Clock::Local)
}

/// Votes differences (seconds, local − UTC) into quarter-hour offsets; the
/// winner needs two agreeing votes and most of the votes that fit a quarter hour.
pub fn vote(diffs: impl IntoIterator<Item = f64>) -> Option<(UtcOffset, usize)> {
    let mut counts: Vec<(i32, usize)> = Vec::new();
    let mut total = 0;
    for d in diffs {
        let minutes = d / 60.0;
        let rounded = UtcOffset::round_to_quarter_hour(minutes);
        if (minutes - rounded.minutes as f64).abs() > 2.0 || rounded.minutes.abs() > 14 * 60 {
            continue;
        }
        total += 1;
        match counts.iter_mut().find(|(m, _)| *m == rounded.minutes) {
            Some((_, c)) => *c += 1,
            None => counts.push((rounded.minutes, 1)),
        }
    }
    let (minutes, n) = counts.into_iter().max_by_key(|(m, c)| (*c, -m.abs()))?;
    (n >= 2 && n * 5 >= total * 3).then_some((UtcOffset { minutes }, n))
}

fn from_tasks(tasks: &[Task]) -> Option<(UtcOffset, usize, &'static str)> {
    let diffs: Vec<f64> = tasks
        .iter()
        .filter_map(|t| {
            Some(t.local_started?.secs_since(t.started.filter(|_| t.clock == Clock::Utc)?))
        })
        .collect();
    let n = diffs.len();
    let offsets: Vec<UtcOffset> = tasks.iter().filter_map(|t| t.offset).collect();
    if let Some(o) = offsets.first() {
        if offsets.iter().all(|x| x == o) {
            return Some((*o, offsets.len(), "offset written in the raw log's header"));
        }
    }
    let rounded: Vec<UtcOffset> =
        diffs.iter().map(|d| UtcOffset::round_to_quarter_hour(d / 60.0)).collect();
    let first = *rounded.first()?;
    (n >= 1 && rounded.iter().all(|r| *r == first)).then_some((
        first,
        n,
        "local start beside UTC start",
    ))
}

/// HAR entries paired with server request lines of the same method and path
/// whose duration the browser's total can hold (the server's time plus a little
/// network), each pair voting for the difference between the clocks. Matching
/// durations makes a pair nearly unique: a polling endpoint hit a thousand times
/// does not outvote the true offset with random pairs.
fn from_browser(data: &Dataset<'_>, facts: &Facts) -> Option<(UtcOffset, usize)> {
    if !data.inputs.iter().any(|i| i.format == octodiag_parsers::Format::Har) {
        return None;
    }
    // Server line ends by method and path, borrowed: one lookup per HAR entry, not
    // a scan of every server line for each (a million lines times the entries).
    let mut server: rustc_hash::FxHashMap<(&str, &str), Vec<(Timestamp, f64)>> =
        rustc_hash::FxHashMap::default();
    for r in facts.requests.iter().filter(|r| r.local && r.ms >= SLOW_REQUEST_MS) {
        if let Some(path) = r.path() {
            server.entry((facts.method(r), path)).or_default().push((r.end(), r.ms));
        }
    }
    if server.is_empty() {
        return None;
    }
    let loaded = |b: &&crate::facts::Req| b.browser().is_some_and(|t| !t.failed && !t.cached);
    let diffs = facts.browser.iter().filter(loaded).flat_map(|b| {
        let lines = b.path().and_then(|path| server.get(&(facts.method(b), path)));
        let tolerance = DURATION_TOLERANCE_MS.max(DURATION_TOLERANCE_SHARE * b.ms);
        lines
            .into_iter()
            .flatten()
            .filter(move |(_, ms)| *ms <= b.ms + CLOCK_SLACK_MS && b.ms - ms <= tolerance)
            .map(move |(local, _)| local.secs_since(b.end()))
    });
    plurality(&diffs.collect::<Vec<_>>())
}

/// Each `Executing task "…" … after Nms.` line is paired with the task of the same
/// description whose duration matches N (within 2 s): that pairing is exact, so
/// even one pair is evidence, and repeated tasks (health checks) do not pair with
/// each other's lines.
fn from_task_lines(data: &Dataset<'_>, facts: &Facts) -> Option<(UtcOffset, usize)> {
    let mut diffs = Vec::new();
    for line in facts.task_lines.iter().filter(|p| p.local) {
        let Some(duration_ms) = line.ms else { continue };
        let matching = data
            .tasks
            .iter()
            .filter(|t| t.clock == Clock::Utc && t.description == line.label)
            .filter_map(|t| {
                let done = t.completed?;
                let ran_ms = t.duration_s()? * 1000.0;
                ((ran_ms - duration_ms).abs() <= 1000.0).then(|| line.time.secs_since(done))
            });
        diffs.extend(matching);
    }
    plurality(&diffs)
}

/// The quarter-hour offset with the most votes, when it has at least two and
/// more than the runner-up (or is the only one). Used for task lines,
/// where a line pairs with every task of the same description and duration:
/// the true offset gets one vote per line, a shift by the tasks' period fewer.
fn plurality(diffs: &[f64]) -> Option<(UtcOffset, usize)> {
    let mut counts: Vec<(i32, usize)> = Vec::new();
    for d in diffs.iter().filter(|d| quarter_hour_error(**d) <= 120.0) {
        let m = UtcOffset::round_to_quarter_hour(d / 60.0).minutes;
        match counts.iter_mut().find(|(x, _)| *x == m) {
            Some((_, c)) => *c += 1,
            None => counts.push((m, 1)),
        }
    }
    counts.sort_by_key(|(m, c)| (std::cmp::Reverse(*c), m.abs()));
    match counts.as_slice() {
        [(m, n)] => Some((UtcOffset { minutes: *m }, *n)),
        [(m, n), (_, second), ..] if *n >= 2 && n > second => Some((UtcOffset { minutes: *m }, *n)),
        _ => None,
    }
}

/// Seconds between a difference and the nearest quarter hour.
fn quarter_hour_error(diff_secs: f64) -> f64 {
    let q = UtcOffset::round_to_quarter_hour(diff_secs / 60.0).minutes as f64 * 60.0;
    (diff_secs - q).abs()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn votes_round_to_quarter_hours() {
        let ten_hours = 36_000.0;
        assert_eq!(
            vote([ten_hours + 3.0, ten_hours - 20.0, ten_hours + 1.5]),
            Some((UtcOffset { minutes: 600 }, 3))
        );
        assert_eq!(vote([19_800.0 + 10.0, 19_800.0]).map(|v| v.0.minutes), Some(330));
        assert_eq!(vote([ten_hours]), None, "one vote is not enough");
        assert_eq!(vote([ten_hours, ten_hours, 0.0, 0.0, 3600.0]), None, "no majority");
        assert_eq!(
            vote([ten_hours + 600.0, ten_hours + 600.0]),
            None,
            "10 minutes off a quarter hour"
        );
    }

    #[test]
    fn plurality_for_periodic_task_lines() {
        let off = 19_800.0; // +05:30
                            // Four lines, each pairing with every one of four 30-minute-spaced health checks.
        let diffs: Vec<f64> =
            (0..4).flat_map(|i| (0..4).map(move |k| off + 1800.0 * (i - k) as f64)).collect();
        assert_eq!(plurality(&diffs).map(|v| v.0.minutes), Some(330));
        assert_eq!(plurality(&[off]).map(|v| v.0.minutes), Some(330));
        assert_eq!(plurality(&[off, off + 1800.0]), None, "a tie is not evidence");
    }
}
