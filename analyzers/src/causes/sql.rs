//! `sql`: the database was under pressure (`N transactions active`, dumps,
//! pool exhaustion, command time-outs) at times not dominated by one task's
//! transactions, or slow statements crowded together outside any task.
//! Scored by correlation.

use std::collections::BTreeMap;

use super::{Candidate, Cause, Context, Detector, Role};
use crate::facts::Facts;
use crate::slow::SLOW_SQL_MS;
use crate::stats::{merge, total_secs, Span};
use crate::transaction::task_name;
use crate::units::{duration, micros};

/// Pressure is widened by this on both sides when looking for the task behind it.
const PRESSURE_WINDOW_SECS: f64 = 60.0;
/// One task "dominates" a window when it issued at least this share of its slow SQL time.
const DOMINANT_SHARE: f64 = 0.5;
/// Statements at least this slow count as "dense" when…
const DENSE_MIN_MS: f64 = 1000.0;
/// …this many of them…
const DENSE_COUNT: usize = 3;
/// …fall within this many seconds, outside any task's transactions.
const DENSE_WINDOW_SECS: f64 = 120.0;

/// Dense slow SQL alone shows this much of a database problem…
const DENSE_ALONE: f64 = 0.2;
/// …pool exhaustion adds this…
const EXHAUSTED_WEIGHT: f64 = 0.4;
/// …pool pressure this…
const PRESSURE_WEIGHT: f64 = 0.2;
/// …slowness spread over this many endpoints or more this…
const BROAD_ENDPOINTS: usize = 5;
/// (weight)
const BROAD_WEIGHT: f64 = 0.2;

/// The database-pressure detector.
pub struct Sql;

impl Detector for Sql {
    fn role(&self) -> Role {
        Role::Resource
    }

    fn candidates(&self, cx: &Context<'_>) -> Vec<Candidate> {
        let mut spans = Vec::new();
        let mut evidence = Vec::new();
        let mut explained = Vec::new();
        for p in &cx.sql.pressure_episodes {
            let window = p.span.widen(PRESSURE_WINDOW_SECS);
            match dominant_task(cx.facts, window) {
                Some(task) => explained.push(task),
                None => {
                    spans.push(window);
                    evidence.extend(p.evidence.iter().cloned());
                }
            }
        }
        spans.extend(dense_untasked_sql(cx.facts));
        if spans.is_empty() {
            return Vec::new();
        }
        let exhausted: usize = cx.sql.pressure_episodes.iter().map(|p| p.pool_exhausted).sum();
        let phrase = format!(
            "the {} of database pressure",
            duration(total_secs(&merge(spans.clone(), 0.0)))
        );
        let pressured = cx.sql.pressure_episodes.len() > explained.len();
        let mut c = Candidate::new(Cause::Sql, "database", spans, phrase);
        c.evidence = evidence;
        mechanism(&mut c, cx, exhausted, pressured);
        c.metric("pool_exhausted", exhausted);
        c.metric("episodes_explained_by_tasks", explained);
        vec![c]
    }
}

/// Pool exhaustion, pressure, and slowness spread over many endpoints: a
/// database that is slow for everyone, not for one piece of work.
fn mechanism(c: &mut Candidate, cx: &Context<'_>, exhausted: usize, pressured: bool) {
    let set = crate::stats::SpanSet::new(c.spans.clone());
    let mut endpoints: Vec<u32> =
        cx.symptoms.overlapping(&set).iter().map(|r| r.endpoint).collect();
    endpoints.sort_unstable();
    endpoints.dedup();
    let mut rests = Vec::new();
    let mut m = DENSE_ALONE;
    if exhausted > 0 {
        rests.push(format!("{exhausted} time(s) no connection could be taken from the pool"));
        m += EXHAUSTED_WEIGHT;
    }
    if pressured {
        rests.push("connection-pool pressure no single task's transactions account for".into());
        m += PRESSURE_WEIGHT;
    }
    if endpoints.len() >= BROAD_ENDPOINTS {
        rests.push(format!("slow requests on {} different endpoints meanwhile", endpoints.len()));
        m += BROAD_WEIGHT;
    }
    c.shown_by(m, rests);
}

/// The task whose transactions issued most of the slow SQL time in a window, if one did.
fn dominant_task(facts: &Facts, window: Span) -> Option<String> {
    let mut by_task: BTreeMap<u64, f64> = BTreeMap::new();
    let mut total = 0.0;
    let lo = facts.sql.partition_point(|s| s.time < window.start);
    let hi = facts.sql.partition_point(|s| s.time < window.end);
    for s in facts.sql[lo..hi].iter().filter(|s| s.ms >= SLOW_SQL_MS) {
        total += s.ms;
        if let Some(t) = s.task.map(u64::from) {
            *by_task.entry(t).or_default() += s.ms;
        }
    }
    let (task, ms) = by_task.into_iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
    (ms >= DOMINANT_SHARE * total).then(|| task_name(task))
}

/// Windows where [`DENSE_COUNT`] or more statements of [`DENSE_MIN_MS`] or more
/// outside task transactions fall within [`DENSE_WINDOW_SECS`].
fn dense_untasked_sql(facts: &Facts) -> Vec<Span> {
    let times: Vec<_> = facts
        .sql
        .iter()
        .filter(|s| s.ms >= DENSE_MIN_MS && s.task.is_none())
        .map(|s| Span::new(s.time.add_micros(-micros(s.ms)), s.time))
        .collect();
    // A sliding window (two pointers): counting forward from every statement
    // was quadratic in the density, and busy logs have hundreds a minute.
    let mut out: Vec<Span> = Vec::new();
    let mut j = 0;
    for (i, a) in times.iter().enumerate() {
        j = j.max(i);
        while j < times.len() && times[j].end.secs_since(a.end) <= DENSE_WINDOW_SECS {
            j += 1;
        }
        if j - i >= DENSE_COUNT {
            let window = Span::new(a.start, times[j - 1].end);
            // Windows of a busy stretch overlap one another: join them as they come
            // (a million spans to sort otherwise). Ends only grow here, so a window
            // that starts before the last one's end overlaps it.
            match out.last_mut() {
                Some(last) if window.start <= last.end => {
                    *last = Span::new(last.start.min(window.start), last.end.max(window.end));
                }
                _ => out.push(window),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroU64;

    use octodiag_parsers::Timestamp;

    use super::*;
    use crate::facts::{Sql as SqlData, SqlFact};
    use crate::origin::{Fact, Origin};

    fn sql_at(end: i64, ms: f64, task: Option<u64>) -> SqlFact {
        let what = SqlData {
            ms,
            operation: 0,
            table: None,
            component: 0,
            task: task.and_then(NonZeroU64::new),
            correlation: None,
        };
        Fact::new(Timestamp(end * 1_000_000), false, Origin::default(), what)
    }

    /// Three slow statements outside any task within two minutes make a window;
    /// two, or statements of a task, do not.
    #[test]
    fn dense_sql_outside_tasks() {
        let facts = Facts {
            sql: vec![
                sql_at(0, 1500.0, None),
                sql_at(60, 1500.0, None),
                sql_at(100, 2000.0, Some(55)),
                sql_at(110, 1200.0, None),
                sql_at(1000, 1500.0, None),
                sql_at(1100, 1500.0, None),
                sql_at(2000, 500.0, None),
            ],
            ..Facts::default()
        };
        let spans = dense_untasked_sql(&facts);
        let got: Vec<(i64, i64)> = spans.iter().map(|s| (s.start.0, s.end.0)).collect();
        assert_eq!(got, vec![(-1_500_000, 110_000_000)]);
    }
}
