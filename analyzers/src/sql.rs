//! SQL: slow statements grouped by operation, table and transaction
//! component; links to requests (correlation id in the transaction name) and
//! tasks (`ServerTasks-N` in it); SQL errors; connection-pool pressure episodes.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::facts::{correlation_text, Correlation, Evidence, Facts, Pressure, SqlFact};
use crate::report::{ms_round, utc};
use crate::stats::{merge, percentiles, Span};

/// Timings at or above this are slow (Octopus logs ≥ 300 ms at INFO).
pub const SLOW_SQL_MS: f64 = 300.0;

/// Pressure events closer than this belong to one episode.
const EPISODE_JOIN_SECS: f64 = 300.0;

/// A group of slow statements.
#[derive(Clone, Debug, Serialize)]
pub struct SqlGroup {
    /// `Execute non query`, `Reader`, …
    pub operation: String,
    /// Table, when the statement names one.
    pub table: Option<String>,
    /// Transaction component (`ApplyRetentionPoliciesTaskController`, `web request`, …).
    pub component: String,
    /// Statements.
    pub count: usize,
    /// Total milliseconds.
    pub total_ms: f64,
    /// 95th percentile.
    pub p95_ms: f64,
    /// Slowest.
    pub max_ms: f64,
    /// Tasks named in the transactions (`ServerTasks-55`).
    pub tasks: Vec<String>,
    /// Requests named in the transactions (correlation ids), at most 5.
    pub requests: Vec<String>,
    /// The slowest statement's line.
    pub evidence: Evidence,
}

/// SQL errors of one kind.
#[derive(Clone, Debug, Serialize)]
pub struct SqlErrors {
    /// `command-timeout`, `deadlock`, `pool-exhausted`, `sql-error`.
    pub kind: String,
    /// How many.
    pub count: usize,
    /// First (UTC).
    pub first: String,
    /// Last (UTC).
    pub last: String,
    /// The first one's line.
    pub evidence: Evidence,
}

/// A period of connection-pool pressure.
#[derive(Clone, Debug, Serialize)]
pub struct PressureEpisode {
    /// Start (UTC).
    pub start: String,
    /// End (UTC).
    pub end: String,
    /// Highest `N transactions active` seen.
    pub max_active: Option<u32>,
    /// Pressure lines in it.
    pub events: usize,
    /// Pool-exhaustion errors in it.
    pub pool_exhausted: usize,
    /// Up to three lines.
    pub evidence: Vec<Evidence>,
    /// The span, for correlation.
    #[serde(skip)]
    pub span: Span,
}

/// The `sql` section.
#[derive(Clone, Debug, Serialize)]
pub struct SqlReport {
    /// Timed statements seen.
    pub total: usize,
    /// Of those, ≥ 300 ms.
    pub slow: usize,
    /// Groups by total time, top N.
    pub groups: Vec<SqlGroup>,
    /// Errors by kind.
    pub errors: Vec<SqlErrors>,
    /// Pool pressure episodes.
    pub pressure_episodes: Vec<PressureEpisode>,
}

/// The component of a transaction name: `A|corr|T1` → `A`; a URL with a
/// correlation id → `web request`; anything else as is.
pub fn component(transaction: Option<&str>) -> &str {
    match transaction {
        None => "(none)",
        Some(t) if t.contains('|') => t.split('|').next().unwrap_or(t),
        Some(t) if t.starts_with("http://") || t.starts_with("https://") => "web request",
        Some(t) => t,
    }
}

/// `55` from a transaction name naming `ServerTasks-55`.
pub fn task_number(transaction: &str) -> Option<u64> {
    let id = task_of(transaction)?;
    id["ServerTasks-".len()..].parse().ok()
}

/// The task id `ServerTasks-N` of a task number.
pub fn task_name(n: u64) -> String {
    format!("ServerTasks-{n}")
}

/// `ServerTasks-55` from a transaction name, when present (a slice of it: no allocation).
pub fn task_of(transaction: &str) -> Option<&str> {
    static FINDER: std::sync::OnceLock<memchr::memmem::Finder<'static>> =
        std::sync::OnceLock::new();
    let finder = FINDER.get_or_init(|| memchr::memmem::Finder::new("ServerTasks-"));
    let i = finder.find(transaction.as_bytes())?;
    let digits =
        transaction[i + "ServerTasks-".len()..].bytes().take_while(u8::is_ascii_digit).count();
    (digits > 0).then(|| &transaction[i..i + "ServerTasks-".len() + digits])
}

/// The 32-hex correlation id at the end of a web-request transaction name
/// (after its last space or `|`).
pub fn correlation_in(transaction: &str) -> Option<Correlation> {
    let start = memchr::memrchr2(b' ', b'|', transaction.as_bytes()).map_or(0, |i| i + 1);
    crate::facts::correlation_key(&transaction[start..])
}

/// Builds the SQL section.
pub fn analyze(
    facts: &Facts,
    top: usize,
    sql_evidence: &(dyn Fn(&SqlFact) -> Evidence + Sync),
    pressure_evidence: &dyn Fn(&Pressure) -> Evidence,
) -> SqlReport {
    // One pass sums every group; a second collects the statements of the top
    // groups only (a million statements, a handful of groups shown).
    let ids = |s: &SqlFact| (s.operation, s.table, s.component);
    let slow = || facts.sql.iter().filter(|s| s.ms >= SLOW_SQL_MS);
    let mut totals: rustc_hash::FxHashMap<(u32, Option<u32>, u32), f64> =
        rustc_hash::FxHashMap::default();
    for s in slow() {
        *totals.entry(ids(s)).or_default() += s.ms;
    }
    let mut ranked: Vec<(Key<'_>, f64, (u32, Option<u32>, u32))> = totals
        .into_iter()
        .map(|((op, table, comp), total)| {
            let key = (facts.name(op), table.map(|t| facts.name(t)), facts.name(comp));
            (key, ms_round(total), (op, table, comp))
        })
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(top);
    let position: rustc_hash::FxHashMap<(u32, Option<u32>, u32), usize> =
        ranked.iter().enumerate().map(|(i, r)| (r.2, i)).collect();
    let mut members: Vec<Vec<&SqlFact>> = vec![Vec::new(); ranked.len()];
    let mut slow_count = 0;
    for s in slow() {
        slow_count += 1;
        if let Some(i) = position.get(&ids(s)) {
            members[*i].push(s);
        }
    }
    let ranked: Vec<(Key<'_>, f64, Vec<&SqlFact>)> =
        ranked.into_iter().zip(members).map(|((k, total, _), v)| (k, total, v)).collect();
    let logged = logged_correlations(facts, &ranked);
    // Groups are independent: summarise them in parallel.
    let groups: Vec<SqlGroup> =
        ranked.into_par_iter().map(|(k, _, v)| group(k, &v, &logged, sql_evidence)).collect();
    SqlReport {
        total: facts.sql_total(),
        slow: slow_count,
        groups,
        errors: errors(facts, pressure_evidence),
        pressure_episodes: pressure_episodes(facts, pressure_evidence),
    }
}

/// A group's operation, table and component.
type Key<'f> = (&'f str, Option<&'f str>, &'f str);

/// How many distinct correlation ids per group are looked up among the requests.
const CORRELATIONS_PER_GROUP: usize = 4096;

/// Which of the groups' first correlation ids the server logged a request line for:
/// a small set checked in one pass over the requests, rather than a set of every
/// request's id (a million on a large log).
fn logged_correlations(
    facts: &Facts,
    groups: &[(Key<'_>, f64, Vec<&SqlFact>)],
) -> rustc_hash::FxHashSet<Correlation> {
    let mut wanted = rustc_hash::FxHashSet::default();
    for (_, _, v) in groups {
        let mut distinct = rustc_hash::FxHashSet::default();
        for c in v.iter().filter_map(|s| s.correlation) {
            if distinct.len() == CORRELATIONS_PER_GROUP {
                break;
            }
            distinct.insert(c);
        }
        wanted.extend(distinct);
    }
    if wanted.is_empty() {
        return wanted;
    }
    facts.requests.iter().filter_map(|r| r.correlation).filter(|c| wanted.contains(c)).collect()
}

fn group(
    (operation, table, component): Key<'_>,
    v: &[&SqlFact],
    correlations: &rustc_hash::FxHashSet<Correlation>,
    sql_evidence: &dyn Fn(&SqlFact) -> Evidence,
) -> SqlGroup {
    let mut ms: Vec<f64> = v.iter().map(|s| s.ms).collect();
    let total: f64 = ms.iter().sum();
    let p = percentiles(&mut ms);
    let unique: rustc_hash::FxHashSet<u64> =
        v.iter().filter_map(|s| s.task.map(u64::from)).collect();
    let mut numbers: Vec<u64> = unique.into_iter().collect();
    numbers.sort_unstable();
    let tasks = numbers.into_iter().map(task_name).collect();
    // The first five distinct requests (in time order) whose correlation id the
    // server logged: enough to follow the link, without collecting them all.
    let mut linked: Vec<Correlation> = Vec::new();
    for c in v.iter().filter_map(|s| s.correlation) {
        if linked.len() == 5 {
            break;
        }
        if correlations.contains(&c) && !linked.contains(&c) {
            linked.push(c);
        }
    }
    let requests = linked.into_iter().map(correlation_text).collect();
    let slowest = v.iter().max_by(|a, b| a.ms.total_cmp(&b.ms)).copied();
    SqlGroup {
        operation: operation.to_string(),
        table: table.map(str::to_string),
        component: component.to_string(),
        count: v.len(),
        total_ms: ms_round(total),
        p95_ms: p.p95,
        max_ms: p.max,
        tasks,
        requests,
        evidence: slowest.map(sql_evidence).unwrap_or_else(|| Evidence {
            source: String::new(),
            line: 0,
            excerpt: String::new(),
        }),
    }
}

fn errors(facts: &Facts, ev: &dyn Fn(&Pressure) -> Evidence) -> Vec<SqlErrors> {
    let mut by_kind: BTreeMap<&str, Vec<&Pressure>> = BTreeMap::new();
    for p in facts.pressure.iter().filter(|p| !p.what.contains("transactions")) {
        by_kind.entry(p.what).or_default().push(p);
    }
    by_kind
        .into_iter()
        .map(|(kind, v)| SqlErrors {
            kind: kind.to_string(),
            count: v.len(),
            first: utc(v.iter().map(|p| p.time).min().unwrap_or_default()),
            last: utc(v.iter().map(|p| p.time).max().unwrap_or_default()),
            evidence: ev(v[0]),
        })
        .collect()
}

/// Pool pressure: `transactions active`, high-transactions dumps, pool exhaustion
/// and command time-outs, merged into episodes.
pub fn pressure_episodes(
    facts: &Facts,
    ev: &dyn Fn(&Pressure) -> Evidence,
) -> Vec<PressureEpisode> {
    let relevant: Vec<&Pressure> = facts
        .pressure
        .iter()
        .filter(|p| {
            matches!(
                p.what,
                "transactions-active"
                    | "high-transactions-dump"
                    | "pool-exhausted"
                    | "command-timeout"
            )
        })
        .collect();
    let spans =
        merge(relevant.iter().map(|p| Span::new(p.time, p.time)).collect(), EPISODE_JOIN_SECS);
    spans
        .into_iter()
        .map(|span| {
            let lo = relevant.partition_point(|p| p.time < span.start);
            let hi = relevant.partition_point(|p| p.time <= span.end);
            let inside: Vec<&&Pressure> = relevant[lo..hi].iter().collect();
            let max_active = inside
                .iter()
                .filter(|p| p.what == "transactions-active")
                .filter_map(|p| p.active)
                .max();
            PressureEpisode {
                start: utc(span.start),
                end: utc(span.end),
                max_active,
                events: inside.len(),
                pool_exhausted: inside.iter().filter(|p| p.what == "pool-exhausted").count(),
                evidence: pick_evidence(&inside, ev),
                span,
            }
        })
        .collect()
}

/// Pool exhaustion first, then dumps, then the highest active counts.
fn pick_evidence(inside: &[&&Pressure], ev: &dyn Fn(&Pressure) -> Evidence) -> Vec<Evidence> {
    let rank = |p: &Pressure| match p.what {
        "pool-exhausted" => 0,
        "high-transactions-dump" => 1,
        "command-timeout" => 2,
        _ => 3,
    };
    let mut v: Vec<&Pressure> = inside.iter().map(|p| **p).collect();
    v.sort_by_key(|p| (rank(p), std::cmp::Reverse(p.active.unwrap_or(0)), p.time));
    v.into_iter().take(3).map(ev).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_tasks_and_correlations() {
        let t = "ApplyRetentionPoliciesTaskController|ServerTasks-55-b097b4b7-e9a8-4822-bf5d-b3683391a9df|T110";
        assert_eq!(component(Some(t)), "ApplyRetentionPoliciesTaskController");
        assert_eq!(task_of(t), Some("ServerTasks-55"));
        let w = "http://o/api/events?x=1 ed1b1080c090462f9aaa52b7ccd6b314";
        assert_eq!(component(Some(w)), "web request");
        assert_eq!(
            correlation_in(w).map(correlation_text).as_deref(),
            Some("ed1b1080c090462f9aaa52b7ccd6b314")
        );
        assert_eq!(component(Some("DashboardFactory")), "DashboardFactory");
        assert_eq!(component(None), "(none)");
        assert_eq!(task_of("DashboardFactory"), None);
    }
}
