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

/// A server line can take longer than the browser's entry by this much (timer granularity).
const CLOCK_SLACK_MS: f64 = 100.0;
/// A pair allows offsets this close (seconds) to its interval: clocks drift, and
/// the server logs the line a moment after it stops its timer.
const QUARTER_TOLERANCE_SECS: f64 = 120.0;
/// No server is further from UTC than this (minutes).
const MAX_OFFSET_MINUTES: i32 = 14 * 60;
/// The winning offset needs at least this many HAR entries' worth of votes…
const MIN_WEIGHT: f64 = 2.0;
/// …or this many tasks' (a task's own SQL inside its run is specific).
const MIN_TASK_WEIGHT: f64 = 1.0;

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
    if let Some((o, n)) = from_task_sql(data, facts) {
        let what = format!("{n} task(s) whose SQL transactions the server log names, inside their run on the task log's UTC clock");
        return alignment(o, what, false);
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

/// HAR entries paired with the server's request lines of the same method and
/// path. The server logs a request when it sends the response, so its line
/// falls between the browser's start plus the server's time and the browser's
/// end: each pair allows the quarter-hour offsets in that interval. Each entry
/// spreads one vote over the offsets its pairs allow, so a polling endpoint
/// logged a thousand times does not outvote the true offset with random pairs:
/// the true offset gets about one vote per entry, a chance one a sliver.
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
    let mut votes: std::collections::BTreeMap<i32, f64> = std::collections::BTreeMap::new();
    let loaded = |b: &&crate::facts::Req| b.browser().is_some_and(|t| !t.failed && !t.cached);
    for b in facts.browser.iter().filter(loaded) {
        let Some(lines) = b.path().and_then(|path| server.get(&(facts.method(b), path))) else {
            continue;
        };
        let mut allowed: Vec<i32> = Vec::new();
        for (local, ms) in lines.iter().filter(|(_, ms)| *ms <= b.ms + CLOCK_SLACK_MS) {
            let lo = local.secs_since(b.end()) - QUARTER_TOLERANCE_SECS;
            let hi = lo + 2.0 * QUARTER_TOLERANCE_SECS + (b.ms - ms).max(0.0) / 1000.0;
            allowed.extend(quarter_hours(lo, hi));
        }
        allowed.sort_unstable();
        allowed.dedup();
        let share = 1.0 / allowed.len().max(1) as f64;
        for q in allowed {
            *votes.entry(q).or_default() += share;
        }
    }
    weighted_winner(&votes)
}

/// Slow SQL statements whose transaction names a task (`…|ServerTasks-55-…|T1`)
/// ran while that task ran: between its UTC start and end in an on-disk log.
/// Each task allows the offsets that put all its statements inside its run
/// and spreads one vote over them.
fn from_task_sql(data: &Dataset<'_>, facts: &Facts) -> Option<(UtcOffset, usize)> {
    let runs: rustc_hash::FxHashMap<u64, (Timestamp, Timestamp)> = data
        .tasks
        .iter()
        .filter(|t| t.clock == Clock::Utc)
        .filter_map(|t| {
            let n = t.id.strip_prefix("ServerTasks-")?.parse().ok()?;
            Some((n, (t.started?, t.completed?)))
        })
        .collect();
    let mut seen: rustc_hash::FxHashMap<u64, (Timestamp, Timestamp)> =
        rustc_hash::FxHashMap::default();
    for s in facts.sql.iter().filter(|s| s.local) {
        let Some(n) = s.task.map(u64::from).filter(|n| runs.contains_key(n)) else { continue };
        let e = seen.entry(n).or_insert((s.time, s.time));
        *e = (e.0.min(s.time), e.1.max(s.time));
    }
    let mut votes: std::collections::BTreeMap<i32, f64> = std::collections::BTreeMap::new();
    for (n, (first, last)) in &seen {
        let (started, completed) = runs[n];
        let lo = last.secs_since(completed) - QUARTER_TOLERANCE_SECS;
        let hi = first.secs_since(started) + QUARTER_TOLERANCE_SECS;
        let allowed: Vec<i32> = quarter_hours(lo, hi).collect();
        let share = 1.0 / allowed.len().max(1) as f64;
        for q in allowed {
            *votes.entry(q).or_default() += share;
        }
    }
    let (offset, _) = weighted_winner_at_least(&votes, MIN_TASK_WEIGHT)?;
    Some((offset, seen.len()))
}

/// The quarter-hour offsets (minutes) within `[lo, hi]` seconds, inside ±14 h.
fn quarter_hours(lo: f64, hi: f64) -> impl Iterator<Item = i32> {
    let first = (lo / 900.0).ceil() as i64;
    let last = (hi / 900.0).floor() as i64;
    (first..=last).map(|q| (q * 15) as i32).filter(|m| m.abs() <= MAX_OFFSET_MINUTES)
}

/// The offset with the most weight, when it has at least [`MIN_WEIGHT`] and
/// twice the runner-up's.
fn weighted_winner(votes: &std::collections::BTreeMap<i32, f64>) -> Option<(UtcOffset, usize)> {
    weighted_winner_at_least(votes, MIN_WEIGHT)
}

/// [`weighted_winner`] with another least weight.
fn weighted_winner_at_least(
    votes: &std::collections::BTreeMap<i32, f64>,
    least: f64,
) -> Option<(UtcOffset, usize)> {
    let mut v: Vec<(i32, f64)> = votes.iter().map(|(m, w)| (*m, *w)).collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.abs().cmp(&b.0.abs())));
    let (minutes, weight) = *v.first()?;
    let second = v.get(1).map_or(0.0, |x| x.1);
    (weight >= least && weight >= 2.0 * second)
        .then_some((UtcOffset { minutes }, weight.round() as usize))
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
