//! Retention runs: `Apply retention policies` tasks, retention steps inside
//! deployments, and, when no task log was given, runs inferred from the
//! server's SQL in `ApplyRetentionPoliciesTaskController` transactions.

use std::collections::BTreeMap;

use octodiag_parsers::{Step, TaskKind};

use crate::facts::tasks::{TaskView, UNKNOWN_NODE};
use crate::facts::Facts;
use crate::model::{RetentionRun, RetentionSource};
use crate::slow::SLOW_SQL_MS;
use crate::stats::Span;
use crate::transaction::task_name;
use crate::units::secs_round;

const RETENTION_COMPONENT: &str = "ApplyRetentionPoliciesTaskController";

/// Finds every retention run.
pub fn analyze(views: &[TaskView<'_>], facts: &Facts) -> Vec<RetentionRun> {
    let sql_by_task = retention_sql_by_task(facts);
    let mut runs: Vec<RetentionRun> = Vec::new();
    for v in views {
        if v.task.kind == TaskKind::Retention {
            if let Some(span) = v.span() {
                let stats = v.task.retention.clone().unwrap_or_default();
                runs.push(run(
                    Some(v.task.id.clone()),
                    RetentionSource::Task,
                    span,
                    Some(stats.releases_deleted),
                    Some(stats.releases_kept),
                    &v.node,
                ));
            }
        }
        for s in retention_steps(&v.task.steps) {
            let (Some(a), Some(b)) = (s.started, s.completed) else { continue };
            let span = Span::new(v.utc(a), v.utc(b));
            runs.push(run(
                Some(v.task.id.clone()),
                RetentionSource::Step,
                span,
                None,
                None,
                &v.node,
            ));
        }
    }
    // A set, not a scan of the runs per task: a large log has thousands of runs.
    let from_tasks: rustc_hash::FxHashSet<String> = runs
        .iter()
        .filter(|r| r.source == RetentionSource::Task)
        .filter_map(|r| r.task.clone())
        .collect();
    for (task, spans) in &sql_by_task {
        if from_tasks.contains(task) {
            continue;
        }
        let start = spans.iter().map(|s| s.start).min().unwrap_or_default();
        let end = spans.iter().map(|s| s.end).max().unwrap_or_default();
        runs.push(run(
            Some(task.to_string()),
            RetentionSource::Sql,
            Span::new(start, end),
            None,
            None,
            UNKNOWN_NODE,
        ));
    }
    for r in &mut runs {
        r.slow_sql = r.task.as_deref().and_then(|t| sql_by_task.get(t)).map_or(0, |v| v.len());
    }
    runs.sort_by_key(|r| r.span.start);
    runs
}

fn run(
    task: Option<String>,
    source: RetentionSource,
    span: Span,
    deleted: Option<u32>,
    kept: Option<u32>,
    node: &str,
) -> RetentionRun {
    RetentionRun {
        task,
        source,
        span,
        duration_s: secs_round(span.secs()),
        releases_deleted: deleted,
        releases_kept: kept,
        slow_sql: 0,
        node: Some(node.to_string()).filter(|n| n != UNKNOWN_NODE),
    }
}

fn retention_steps(steps: &[Step]) -> Vec<&Step> {
    steps
        .iter()
        .filter(|s| s.name.to_ascii_lowercase().starts_with("apply retention polic"))
        .collect()
}

/// Slow SQL lines of retention transactions, grouped by task id.
fn retention_sql_by_task(facts: &Facts) -> BTreeMap<String, Vec<Span>> {
    // Hash while collecting, sort once at the end.
    let mut m: rustc_hash::FxHashMap<u64, Vec<Span>> = rustc_hash::FxHashMap::default();
    // Components are interned: compare ids, not a string per statement.
    let retention: Vec<bool> =
        facts.names.iter().map(|n| n.starts_with(RETENTION_COMPONENT)).collect();
    for s in facts.sql.iter().filter(|s| s.ms >= SLOW_SQL_MS) {
        if !retention.get(s.component as usize).copied().unwrap_or(false) {
            continue;
        }
        if let Some(task) = s.task.map(u64::from) {
            let start = s.time.add_micros(-crate::units::micros(s.ms));
            m.entry(task).or_default().push(Span::new(start, s.time));
        }
    }
    m.into_iter().map(|(n, spans)| (task_name(n), spans)).collect()
}
