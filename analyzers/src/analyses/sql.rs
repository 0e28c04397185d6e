//! SQL: slow statements grouped by operation, table and transaction
//! component; links to requests (correlation id in the transaction name) and
//! tasks (`ServerTasks-N` in it); SQL errors; connection-pool pressure episodes.

use std::collections::BTreeMap;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::evidence::{Evidence, Quote};
use crate::facts::{Facts, Pressure, PressureKind, SqlFact};
use crate::model::{PressureEpisode, SqlErrors, SqlGroup, SqlReport};
use crate::origin::Fact;
use crate::slow::SLOW_SQL_MS;
use crate::stats::{merge, percentiles, Span};
use crate::transaction::{correlation_text, task_name, Correlation};
use crate::units::ms_round;

/// Pressure events closer than this belong to one episode.
const EPISODE_JOIN_SECS: f64 = 300.0;

/// Builds the SQL section.
pub fn analyze(facts: &Facts, top: usize, quote: &Quote<'_>) -> SqlReport {
    // One pass sums every group; a second collects the statements of the top
    // groups only (a million statements, a handful of groups shown).
    let ids = |s: &SqlFact| (s.operation, s.table, s.component);
    let slow = || facts.sql.iter().filter(|s| s.ms >= SLOW_SQL_MS);
    let mut totals: FxHashMap<(u32, Option<u32>, u32), f64> = FxHashMap::default();
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
    let position: FxHashMap<(u32, Option<u32>, u32), usize> =
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
        ranked.into_par_iter().map(|(k, _, v)| group(k, &v, &logged, quote)).collect();
    SqlReport {
        total: facts.sql_total(),
        slow: slow_count,
        groups,
        errors: errors(facts, quote),
        pressure_episodes: pressure_episodes(facts, quote),
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
) -> FxHashSet<Correlation> {
    let mut wanted = FxHashSet::default();
    for (_, _, v) in groups {
        let mut distinct = FxHashSet::default();
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
    correlations: &FxHashSet<Correlation>,
    quote: &Quote<'_>,
) -> SqlGroup {
    let mut ms: Vec<f64> = v.iter().map(|s| s.ms).collect();
    let total: f64 = ms.iter().sum();
    let p = percentiles(&mut ms);
    let unique: FxHashSet<u64> = v.iter().filter_map(|s| s.task.map(u64::from)).collect();
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
        evidence: slowest.map(|s| quote(&s.origin)).unwrap_or_default(),
    }
}

fn errors(facts: &Facts, quote: &Quote<'_>) -> Vec<SqlErrors> {
    let mut by_kind: BTreeMap<&str, Vec<&Fact<Pressure>>> = BTreeMap::new();
    for p in facts.pressure.iter().filter(|p| p.kind.is_error()) {
        by_kind.entry(p.kind.as_str()).or_default().push(p);
    }
    by_kind
        .into_iter()
        .map(|(kind, v)| SqlErrors {
            kind: kind.to_string(),
            count: v.len(),
            first: v.iter().map(|p| p.time).min().unwrap_or_default(),
            last: v.iter().map(|p| p.time).max().unwrap_or_default(),
            evidence: quote(&v[0].origin),
        })
        .collect()
}

/// Pool pressure: `transactions active`, high-transactions dumps, pool exhaustion
/// and command time-outs, merged into episodes.
pub fn pressure_episodes(facts: &Facts, quote: &Quote<'_>) -> Vec<PressureEpisode> {
    use PressureKind::*;
    let relevant: Vec<&Fact<Pressure>> = facts
        .pressure
        .iter()
        .filter(|p| {
            matches!(
                p.kind,
                TransactionsActive | HighTransactionsDump | PoolExhausted | CommandTimeout
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
            let inside: Vec<&&Fact<Pressure>> = relevant[lo..hi].iter().collect();
            let max_active = inside
                .iter()
                .filter(|p| p.kind == TransactionsActive)
                .filter_map(|p| p.active)
                .max();
            PressureEpisode {
                span,
                max_active,
                events: inside.len(),
                pool_exhausted: inside.iter().filter(|p| p.kind == PoolExhausted).count(),
                evidence: pick_evidence(&inside, quote),
            }
        })
        .collect()
}

/// Pool exhaustion first, then dumps, then the highest active counts.
fn pick_evidence(inside: &[&&Fact<Pressure>], quote: &Quote<'_>) -> Vec<Evidence> {
    let rank = |p: &Pressure| match p.kind {
        PressureKind::PoolExhausted => 0,
        PressureKind::HighTransactionsDump => 1,
        PressureKind::CommandTimeout => 2,
        _ => 3,
    };
    let mut v: Vec<&Fact<Pressure>> = inside.iter().map(|p| **p).collect();
    v.sort_by_key(|p| (rank(p), std::cmp::Reverse(p.active.unwrap_or(0)), p.time));
    v.into_iter().take(3).map(|p| quote(&p.origin)).collect()
}
