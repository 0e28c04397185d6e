//! `retention`: the server's retention runs (`Apply retention policies`, or
//! runs inferred from `ApplyRetentionPoliciesTaskController` SQL) were active
//! while requests were slow.
//!
//! Mechanism: retention deletes releases, deployments and events in large
//! transactions; when that is what slows the server, the server log shows its
//! own slow statements (in transactions named after the retention task) and
//! connection-pool pressure during the run.

use octodiag_parsers::TaskKind;

use super::{Candidate, Cause, Context, Detector};
use crate::facts::Facts;
use crate::model::{RetentionRun, RetentionSource};
use crate::stats::{merge, overlap_total, total_secs, Span};
use crate::units::{duration, duration_adjective};

/// The transaction component of the server's retention task.
const RETENTION_COMPONENT: &str = "ApplyRetentionPoliciesTaskController";
/// A run is known heavy work (it deletes documents): this much mechanism for the run alone.
const RUN_ITSELF: f64 = 0.2;
/// Its own slow SQL counts fully at this many seconds…
const FULL_SQL_SECS: f64 = 60.0;
/// …and weighs this much.
const SQL_WEIGHT: f64 = 0.5;
/// Pool pressure during the run weighs this much.
const PRESSURE_WEIGHT: f64 = 0.3;

/// The retention detector.
pub struct Retention;

impl Detector for Retention {
    fn candidates(&self, cx: &Context<'_>) -> Vec<Candidate> {
        let runs: Vec<&RetentionRun> =
            cx.retention.iter().filter(|r| r.source != RetentionSource::Step).collect();
        let Some(first) = runs.first() else { return Vec::new() };
        let spans: Vec<Span> = runs.iter().map(|r| r.span).collect();
        let ids: Vec<String> = runs.iter().filter_map(|r| r.task.clone()).collect();
        let phrase = if runs.len() == 1 {
            let adjective = duration_adjective(first.span.secs());
            format!("the {adjective} retention run ({})", ids.join(", "))
        } else {
            let all = duration(total_secs(&merge(spans.clone(), 0.0)));
            format!("the {} retention runs ({all} in all)", runs.len())
        };
        let mut c = Candidate::new(Cause::Retention, "Apply retention policies", spans, phrase);
        c.evidence = cx
            .views
            .iter()
            .filter(|v| v.task.kind == TaskKind::Retention)
            .filter_map(|v| (cx.task_evidence)(v))
            .collect();
        let deleted: u32 = runs.iter().filter_map(|r| r.releases_deleted).sum();
        mechanism(&mut c, cx, &ids, deleted);
        c.metric("runs", runs.len());
        c.metric("releases_deleted", deleted);
        c.metric("tasks", ids);
        vec![c]
    }
}

/// The run's own slow SQL and the pool pressure during it.
fn mechanism(c: &mut Candidate, cx: &Context<'_>, ids: &[String], deleted: u32) {
    let (count, ms) = own_sql(cx.facts, &c.spans, ids);
    let pressure: Vec<_> = cx
        .sql
        .pressure_episodes
        .iter()
        .filter(|p| overlap_total(&[p.span.widen(60.0)], &c.spans) > 0.0)
        .collect();
    let mut rests = Vec::new();
    if count > 0 {
        rests.push(format!(
            "its own transactions issued {count} slow SQL statements ({}) during the run",
            duration(ms / 1000.0)
        ));
    }
    if let Some(max) = pressure.iter().filter_map(|p| p.max_active).max() {
        rests.push(format!("connection-pool pressure during it, up to {max} transactions active"));
    } else if !pressure.is_empty() {
        rests.push("connection-pool pressure during it".into());
    }
    if deleted > 0 {
        rests.push(format!("it deleted {deleted} releases"));
    }
    let sql = (ms / 1000.0 / FULL_SQL_SECS).min(1.0);
    let p = if pressure.is_empty() { 0.0 } else { 1.0 };
    c.shown_by(RUN_ITSELF + SQL_WEIGHT * sql + PRESSURE_WEIGHT * p, rests);
    if count == 0 && pressure.is_empty() {
        c.weakness = Some("the server log shows no slow SQL of its own and no pool pressure during it".into());
    }
    c.metric("own_slow_sql", count);
    c.metric("own_slow_sql_ms", ms.round());
}

/// Slow statements of the retention transactions during the runs: count and milliseconds.
fn own_sql(facts: &Facts, spans: &[Span], ids: &[String]) -> (usize, f64) {
    let numbers: Vec<u64> =
        ids.iter().filter_map(|i| i.strip_prefix("ServerTasks-")?.parse().ok()).collect();
    let retention_component: Vec<bool> =
        facts.names.iter().map(|n| n.starts_with(RETENTION_COMPONENT)).collect();
    let mut count = 0;
    let mut ms = 0.0;
    for span in spans {
        let window = span.widen(60.0);
        let lo = facts.sql.partition_point(|s| s.time < window.start);
        for s in facts.sql[lo..].iter().take_while(|s| s.time <= window.end) {
            let by_task = s.task.is_some_and(|t| numbers.contains(&u64::from(t)));
            let by_name = retention_component.get(s.component as usize).copied().unwrap_or(false);
            if by_task || by_name {
                count += 1;
                ms += s.ms;
            }
        }
    }
    (count, ms)
}
