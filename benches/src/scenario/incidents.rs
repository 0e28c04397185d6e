//! What each kind adds to the base day, and the harmless things added to
//! every kind to fool a tool (a restart days before, a verbose hour, a
//! deployment at the same time as the incident, a browser recording).

use super::clock::{DAY, HOUR, MIN, SEC};
use super::kinds::Kind;
use super::names;
use super::timeline::{
    all_nodes, Effect, HarSession, Incident, Plan, Pressure, Scope, Silence, SqlLoad, SqlSource,
    StartUp, Verbose, What,
};
use super::variations::Verbosity;
use crate::rng::Rng;

/// Adds the incident of the plan's kind, sets the collection time, adds noise.
pub fn inject(p: &mut Plan, rng: &mut Rng) {
    match p.kind {
        Kind::None => {}
        Kind::Retention => retention(p, false, rng),
        Kind::RetentionDuringDeploys => retention(p, true, rng),
        Kind::Project => project(p, rng),
        Kind::Concurrency => concurrency(p, rng),
        Kind::HealthCheck => health_check(p, rng),
        Kind::SqlPressure => sql_pressure(p, rng),
        Kind::Network => network(p, rng),
        Kind::VerboseBurst => verbose_burst(p, rng),
        Kind::HangRestart => hang(p, true, rng),
        Kind::HangRecover => hang(p, false, rng),
        Kind::SystemTask => system_task(p, rng),
    }
    let after = p.incident.as_ref().map_or(p.focus, |i| i.end);
    p.end = (after + rng.span(40 * MIN, 3 * HOUR)).min(p.last_midnight + DAY - 10 * MIN);
    old_restart(p, rng);
    deployment_during_incident(p, rng);
    verbose_hour(p, rng);
    recording(p, rng);
}

fn set_incident(p: &mut Plan, start: i64, end: i64, node: Option<usize>) {
    p.incident = Some(Incident { start, end, node, subject: None });
}

fn mark_heavy(p: &mut Plan, uid: usize, raw_wanted: bool) {
    if let Some(t) = p.task_mut(uid) {
        t.heavy = true;
        t.raw = raw_wanted;
    }
}

fn effect(
    start: i64,
    end: i64,
    nodes: u32,
    factor: f64,
    extra: (u64, u64),
    scope: Scope,
) -> Effect {
    Effect { start, end, nodes, factor, extra, scope, ramp: false, db: false }
}

/// A slowdown whose time is spent waiting on the database.
fn db(e: Effect) -> Effect {
    Effect { db: true, ..e }
}

/// A 20–40 minute retention run: slow deletes in its transactions, pool
/// pressure on its node, slow dashboards everywhere (one database).
fn retention(p: &mut Plan, with_deploys: bool, rng: &mut Rng) {
    let (t0, len) = (p.focus, rng.span(20 * MIN, 40 * MIN));
    p.clear_tasks(t0 - 3 * HOUR, t0 + 3 * HOUR, |w| matches!(w, What::Retention { .. }));
    let node = p.any_node(rng);
    let what = What::Retention { releases: rng.range(60, 240) as usize };
    let uid = p.add_task(what, node, t0, len, rng);
    mark_heavy(p, uid, rng.chance(0.7));
    let all = all_nodes(p.nodes.len());
    let end = t0 + len;
    let (f, g) = (rng.uniform(3.0, 6.0), rng.uniform(1.5, 2.2));
    p.effects.push(db(effect(t0 + MIN, end, all, f, (1_500, 6_000), Scope::Ui)));
    p.effects.push(db(effect(t0 + MIN, end, all, g, (100, 800), Scope::All)));
    let per_min = rng.uniform(4.0, 10.0);
    let source = SqlSource::Task(uid);
    p.sql.push(SqlLoad { start: t0, end, nodes: 1 << node, per_min, ms: (300, 9_000), source });
    let peak = rng.range(82, 96) as u32;
    let nodes = 1 << node;
    p.pressure.push(Pressure {
        start: t0 + 3 * MIN,
        end: end - 2 * MIN,
        nodes,
        peak,
        dumps: 0,
        pool_errors: 0,
    });
    set_incident(p, t0, end, None);
    if with_deploys {
        deployment_burst(p, t0, rng);
    }
}

/// Three or four ordinary deployments at once, below the task cap of every node.
fn deployment_burst(p: &mut Plan, t0: i64, rng: &mut Rng) {
    p.clear_tasks(t0 - 30 * MIN, t0 + HOUR, |w| matches!(w, What::Deploy { .. }));
    let n = rng.range(3, 5);
    let nodes = p.nodes.len();
    for i in 0..n {
        let project = rng.below(names::PROJECTS.len() as u64) as usize;
        let at = t0 + rng.span(-5 * MIN, 10 * MIN);
        let uid = p.deploy(project, at, rng.span(4 * MIN, 12 * MIN), rng);
        if let Some(t) = p.task_mut(uid) {
            t.node = i as usize % nodes;
            t.raw = rng.chance(0.3);
        }
    }
    p.noise.push(format!("{n}-deployments-during-retention"));
}

/// One project whose deployments (huge variable set, huge task logs) weigh on
/// the server each of the 2–4 times it runs; other projects deploy without effect.
fn project(p: &mut Plan, rng: &mut Rng) {
    let culprit = rng.below(names::PROJECTS.len() as u64) as usize;
    p.tasks.retain(|t| !matches!(&t.what, What::Deploy { project, .. } if *project == culprit));
    let runs = rng.range(2, 5);
    let mut at = p.last_midnight + rng.span(8 * HOUR + 30 * MIN, 10 * HOUR);
    let (mut first, mut last) = (at, at);
    for r in 0..runs {
        let len = rng.span(8 * MIN, 20 * MIN);
        let uid = p.deploy(culprit, at, len, rng);
        mark_heavy(p, uid, rng.chance(0.5));
        project_run_load(p, uid, at, at + len, rng);
        if r == 0 {
            first = at;
            let other = (culprit + 1 + rng.below(names::PROJECTS.len() as u64 - 1) as usize)
                % names::PROJECTS.len();
            p.deploy(other, at + rng.span(2 * MIN, 6 * MIN), rng.span(4 * MIN, 10 * MIN), rng);
            p.noise.push("other-project-deploys-at-the-same-time".into());
        }
        last = at + len;
        at = last + rng.span(70 * MIN, 140 * MIN);
    }
    set_incident(p, first, last, None);
    if let Some(i) = &mut p.incident {
        i.subject = Some(names::PROJECTS[culprit].to_string());
    }
    p.focus = first;
}

fn project_run_load(p: &mut Plan, uid: usize, start: i64, end: i64, rng: &mut Rng) {
    let node = p.task(uid).map_or(0, |t| t.node);
    let (mine, others) = (1u32 << node, all_nodes(p.nodes.len()) & !(1u32 << node));
    let f = rng.uniform(3.0, 5.0);
    p.effects.push(db(effect(start + MIN, end, mine, f, (1_200, 5_000), Scope::Ui)));
    p.effects.push(db(effect(start + MIN, end, others, 1.5, (200, 1_500), Scope::Ui)));
    let all = all_nodes(p.nodes.len());
    p.effects.push(effect(
        start + MIN,
        end + 30 * MIN,
        all,
        8.0,
        (2_000, 8_000),
        Scope::TaskDetails,
    ));
    let per_min = rng.uniform(3.0, 8.0);
    p.sql.push(SqlLoad {
        start,
        end,
        nodes: mine,
        per_min,
        ms: (400, 6_000),
        source: SqlSource::Task(uid),
    });
}

/// 15–25 deployments per node queued at once at the task cap of 5.
fn concurrency(p: &mut Plan, rng: &mut Rng) {
    let t0 = p.focus;
    p.clear_tasks(t0 - 30 * MIN, t0 + 2 * HOUR, |w| !matches!(w, What::Integrity));
    let n = p.nodes.len();
    let count = rng.range(15, 26) as usize + (n - 1) * rng.range(5, 12) as usize;
    let projects: Vec<usize> =
        (0..rng.range(4, 7)).map(|_| rng.below(names::PROJECTS.len() as u64) as usize).collect();
    let uids: Vec<usize> = (0..count)
        .map(|i| {
            let uid = p.deploy(*rng.pick(&projects), t0 + rng.span(0, 3 * MIN), 0, rng);
            let len = rng.span(6 * MIN, 14 * MIN);
            if let Some(t) = p.task_mut(uid) {
                t.node = i % n;
                t.ended = t.started + len;
                t.raw = rng.chance(0.8);
            }
            uid
        })
        .collect();
    let queue_end = schedule_at_cap(p, &uids, 5);
    let all = all_nodes(n);
    let f = rng.uniform(2.0, 4.0);
    p.effects.push(db(effect(t0 + 2 * MIN, queue_end, all, f, (600, 3_000), Scope::Ui)));
    p.effects.push(effect(t0 + 2 * MIN, queue_end, all, 1.6, (100, 600), Scope::All));
    let per_min = rng.uniform(2.0, 6.0);
    p.sql.push(SqlLoad {
        start: t0,
        end: queue_end,
        nodes: all,
        per_min,
        ms: (300, 2_500),
        source: SqlSource::TaskQueue,
    });
    set_incident(p, t0, queue_end, None);
}

/// Runs the tasks first come first served, `cap` at a time per node, stretching
/// their lengths until the longest wait is between 20 and 60 minutes; returns
/// when the last one started.
fn schedule_at_cap(p: &mut Plan, uids: &[usize], cap: usize) -> i64 {
    let lens: Vec<i64> =
        uids.iter().map(|u| p.task(*u).map_or(MIN, |t| t.ended - t.started)).collect();
    let mut scale = 1.0;
    for _ in 0..4 {
        let wait = run_queue(p, uids, &lens, scale, cap);
        if (22 * MIN..=58 * MIN).contains(&wait) {
            break;
        }
        scale *= (35 * MIN) as f64 / wait.max(MIN) as f64;
    }
    uids.iter().filter_map(|u| p.task(*u)).map(|t| t.started).max().unwrap_or(p.focus)
}

fn run_queue(p: &mut Plan, uids: &[usize], lens: &[i64], scale: f64, cap: usize) -> i64 {
    let mut free: Vec<Vec<i64>> = vec![vec![0; cap]; p.nodes.len()];
    let mut order: Vec<(i64, usize, i64)> = uids
        .iter()
        .zip(lens)
        .filter_map(|(u, l)| p.task(*u).map(|t| (t.queued, *u, (*l as f64 * scale) as i64)))
        .collect();
    order.sort_unstable();
    let mut longest = 0;
    for (queued, uid, len) in order {
        let Some(t) = p.task_mut(uid) else { continue };
        let slots = &mut free[t.node];
        let (slot, at) =
            slots.iter().copied().enumerate().min_by_key(|(_, f)| *f).unwrap_or((0, 0));
        t.started = queued.max(at);
        t.ended = t.started + len;
        slots[slot] = t.ended;
        longest = longest.max(t.started - queued);
    }
    longest
}

/// A health check of hundreds of targets, 10–20 minutes, every 40–90 minutes.
fn health_check(p: &mut Plan, rng: &mut Rng) {
    let policy = *rng.pick(names::POLICIES);
    let runs = rng.range(3, 5);
    let interval = rng.span(40 * MIN, 90 * MIN);
    let targets = rng.range(150, 401) as usize;
    let first = p.focus - rng.span(0, HOUR);
    let last_end = first + (runs as i64 - 1) * interval + 20 * MIN;
    p.clear_tasks(
        first - 30 * MIN,
        last_end + 30 * MIN,
        |w| matches!(w, What::Health { policy: q, .. } if *q == policy),
    );
    let all = all_nodes(p.nodes.len());
    let mut end = first;
    for r in 0..runs as i64 {
        let (at, len) = (first + r * interval, rng.span(10 * MIN, 20 * MIN));
        let node = p.any_node(rng);
        let uid = p.add_task(What::Health { policy, targets }, node, at, len, rng);
        mark_heavy(p, uid, rng.chance(0.4));
        let f = rng.uniform(2.5, 5.0);
        p.effects.push(effect(at + MIN, at + len, 1 << node, f, (900, 4_000), Scope::All));
        p.effects.push(effect(at + MIN, at + len, all & !(1 << node), 1.3, (100, 600), Scope::All));
        let per_min = rng.uniform(1.0, 3.0);
        p.sql.push(SqlLoad {
            start: at,
            end: at + len,
            nodes: 1 << node,
            per_min,
            ms: (300, 1_500),
            source: SqlSource::Task(uid),
        });
        end = at + len;
    }
    set_incident(p, first, end, None);
}

/// The database is slow for everyone: slow trivial statements, a full pool.
fn sql_pressure(p: &mut Plan, rng: &mut Rng) {
    let (t0, len) = (p.focus, rng.span(20 * MIN, 60 * MIN));
    p.clear_tasks(t0 - HOUR, t0 + len + HOUR, |w| matches!(w, What::Retention { .. }));
    let all = all_nodes(p.nodes.len());
    let f = rng.uniform(4.0, 10.0);
    p.effects.push(Effect {
        ramp: true,
        ..db(effect(t0, t0 + len, all, f, (2_000, 15_000), Scope::All))
    });
    let per_min = rng.uniform(6.0, 15.0);
    p.sql.push(SqlLoad {
        start: t0,
        end: t0 + len,
        nodes: all,
        per_min,
        ms: (500, 20_000),
        source: SqlSource::Trivial,
    });
    let (dumps, pool_errors) = (rng.range(2, 6) as u32, rng.range(4, 16) as u32);
    p.pressure.push(Pressure {
        start: t0 + 2 * MIN,
        end: t0 + len,
        nodes: all,
        peak: 100,
        dumps,
        pool_errors,
    });
    let overlapping = p
        .tasks
        .iter()
        .any(|t| matches!(t.what, What::Health { .. }) && t.started < t0 + len && t.ended > t0);
    if !overlapping {
        let n = p.any_node(rng);
        let what = What::Health { policy: names::POLICIES[0], targets: rng.range(4, 26) as usize };
        p.add_task(what, n, t0 + 5 * MIN, rng.span(30 * SEC, 150 * SEC), rng);
    }
    p.noise.push("health-check-during-slowdown".into());
    set_incident(p, t0, t0 + len, None);
}

/// The browser's requests wait in its queue, on connections and downloads.
fn network(p: &mut Plan, rng: &mut Rng) {
    let (t0, len) = (p.focus, rng.span(10 * MIN, 30 * MIN));
    let trouble = rng.uniform(0.4, 0.7);
    p.har = Some(HarSession {
        start: t0,
        end: t0 + len,
        user_offset_min: p.v.offset_min,
        network_trouble: trouble,
    });
    set_incident(p, t0, t0 + len, None);
}

/// Verbose logging with Halibut and trace chatter on one node for about an hour.
fn verbose_burst(p: &mut Plan, rng: &mut Rng) {
    let node = p.any_node(rng);
    let (t0, len) = (p.focus, rng.span(45 * MIN, 70 * MIN));
    p.verbose.push(Verbose { nodes: 1 << node, start: t0, end: t0 + len, heavy: true });
    let f = rng.uniform(2.0, 4.0);
    p.effects.push(effect(t0 + 2 * MIN, t0 + len, 1 << node, f, (300, 2_500), Scope::All));
    set_incident(p, t0, t0 + len, Some(node));
}

/// Requests slow for ~12 minutes on one node, then 12–15 minutes of silence,
/// then a start-up banner (restart) or the stuck requests completing (recover).
fn hang(p: &mut Plan, restart: bool, rng: &mut Rng) {
    let node = p.any_node(rng);
    let t0 = p.focus;
    let pre = rng.span(10 * MIN, 14 * MIN);
    let quiet = rng.span(12 * MIN, 15 * MIN);
    let f = rng.uniform(6.0, 15.0);
    p.effects.push(Effect {
        ramp: true,
        ..effect(t0, t0 + pre, 1 << node, f, (3_000, 30_000), Scope::All)
    });
    let (start, end) = (t0 + pre, t0 + pre + quiet);
    p.silences.push(Silence { node, start, end, restart, hang: true });
    if restart {
        let pid = p.new_pid(rng);
        p.startups.push(StartUp { node, at: end, pid });
    }
    let user = p.v.offset_min;
    p.har = Some(HarSession {
        start: start - rng.span(4 * MIN, 8 * MIN),
        end: end + rng.span(3 * MIN, 6 * MIN),
        user_offset_min: user,
        network_trouble: 0.0,
    });
    set_incident(p, t0, end, Some(node));
}

/// A long external security group sync: sign-ins and permission loads wait.
fn system_task(p: &mut Plan, rng: &mut Rng) {
    let node = p.any_node(rng);
    let (t0, len) = (p.focus, rng.span(12 * MIN, 30 * MIN));
    p.clear_tasks(t0 - HOUR, t0 + len + HOUR, |w| matches!(w, What::SecurityGroups { .. }));
    let uid = p.add_task(
        What::SecurityGroups { users: rng.range(2_000, 9_000) as usize },
        node,
        t0,
        len,
        rng,
    );
    mark_heavy(p, uid, rng.chance(0.5));
    let all = all_nodes(p.nodes.len());
    let f = rng.uniform(8.0, 20.0);
    p.effects.push(effect(t0 + MIN, t0 + len, all, f, (4_000, 20_000), Scope::Logins));
    let g = rng.uniform(3.0, 8.0);
    p.effects.push(effect(t0 + MIN, t0 + len, all, g, (2_000, 12_000), Scope::All));
    let per_min = rng.uniform(2.0, 6.0);
    p.sql.push(SqlLoad {
        start: t0,
        end: t0 + len,
        nodes: all,
        per_min,
        ms: (400, 8_000),
        source: SqlSource::Principal,
    });
    set_incident(p, t0, t0 + len, None);
}

/// A clean restart at night days before (multi-day bundles), or on the night
/// of the last day (2024+ bundles, so that a node-name line appears).
fn old_restart(p: &mut Plan, rng: &mut Rng) {
    let earlier = p.v.days > 1 && rng.chance(0.6);
    let tonight = !earlier && p.v.era == super::variations::Era::V2024 && rng.chance(0.2);
    if !earlier && !tonight {
        return;
    }
    let day = if earlier { rng.below(p.v.days as u64 - 1) as i64 } else { p.v.days as i64 - 1 };
    let at = p.start + day * DAY + rng.span(HOUR, 4 * HOUR + 30 * MIN);
    let node = p.any_node(rng);
    let quiet = rng.span(MIN, 4 * MIN);
    p.silences.push(Silence { node, start: at - quiet, end: at, restart: true, hang: false });
    let pid = p.new_pid(rng);
    p.startups.push(StartUp { node, at, pid });
    let label = if earlier { "restart-days-before" } else { "restart-at-night" };
    p.noise.push(label.into());
}

fn deployment_during_incident(p: &mut Plan, rng: &mut Rng) {
    let quiet = matches!(
        p.kind,
        Kind::None | Kind::Concurrency | Kind::Project | Kind::RetentionDuringDeploys
    );
    let Some(i) = p.incident.clone() else { return };
    if quiet || !rng.chance(0.5) {
        return;
    }
    let project = rng.below(names::PROJECTS.len() as u64) as usize;
    let at = i.start + rng.span(0, (i.end - i.start).max(MIN));
    p.deploy(project, at, rng.span(2 * MIN, 8 * MIN), rng);
    p.noise.push("deployment-during-incident".into());
}

/// Verbose logging for about an hour, at least two hours from the incident.
fn verbose_hour(p: &mut Plan, rng: &mut Rng) {
    if p.v.verbosity != Verbosity::Hour {
        return;
    }
    let (a, b) = p.incident.as_ref().map_or((p.focus, p.focus), |i| (i.start, i.end));
    for _ in 0..50 {
        let len = rng.span(40 * MIN, 70 * MIN);
        let start = rng.span(p.start + 6 * HOUR, (p.end - len).max(p.start + 7 * HOUR));
        if start + len + 2 * HOUR < a || start > b + 2 * HOUR {
            let nodes =
                if rng.chance(0.5) { all_nodes(p.nodes.len()) } else { 1 << p.any_node(rng) };
            p.verbose.push(Verbose { nodes, start, end: start + len, heavy: false });
            p.noise.push("verbose-hour-away-from-incident".into());
            return;
        }
    }
}

/// A browser recording for bundles with a HAR: during the incident, or (quiet
/// day) at some time of the working day.
fn recording(p: &mut Plan, rng: &mut Rng) {
    if p.v.har.is_none() || p.har.is_some() {
        return;
    }
    let len = rng.span(10 * MIN, 25 * MIN);
    let start = match &p.incident {
        Some(i) => (i.start + rng.span(-5 * MIN, 5 * MIN)).min(i.end - 5 * MIN),
        None => rng.span(p.last_midnight + 9 * HOUR, p.end - len - MIN),
    };
    let user_offset_min =
        if rng.chance(0.8) { p.v.offset_min } else { *rng.pick(&[-300, 0, 60, 600]) };
    p.har = Some(HarSession {
        start,
        end: (start + len).min(p.end - MIN),
        user_offset_min,
        network_trouble: 0.0,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::variations::draw;

    fn plan(kind: Kind, seed: u64) -> Plan {
        let mut rng = Rng::new(seed ^ kind.salt());
        let v = draw(kind, &mut rng);
        let mut p = Plan::base(kind, v, &mut rng);
        inject(&mut p, &mut rng);
        p.finish(&mut rng);
        p
    }

    #[test]
    fn concurrency_queues_at_the_cap_for_20_to_60_minutes() {
        for seed in 0..30 {
            let p = plan(Kind::Concurrency, seed);
            let waits: Vec<i64> = p.tasks.iter().map(|t| t.started - t.queued).collect();
            let longest = waits.iter().copied().max().unwrap_or(0);
            assert!((18 * MIN..=65 * MIN).contains(&longest), "seed {seed}: {}", longest / MIN);
            for node in 0..p.nodes.len() {
                for t in p.tasks.iter().filter(|t| t.node == node) {
                    let running = p
                        .tasks
                        .iter()
                        .filter(|u| {
                            u.node == node
                                && matches!(u.what, What::Deploy { .. })
                                && u.started <= t.started
                                && t.started < u.ended
                        })
                        .count();
                    assert!(
                        running <= 5 || !matches!(t.what, What::Deploy { .. }),
                        "seed {seed}: {running}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_incident_lies_inside_the_collected_span() {
        for kind in Kind::ALL {
            for seed in 0..20 {
                let p = plan(kind, seed);
                assert_eq!(p.incident.is_some(), kind != Kind::None, "{kind:?}");
                if let Some(i) = &p.incident {
                    assert!(p.last_midnight < i.start && i.end < p.end, "{kind:?} {seed}");
                }
                assert!(
                    p.tasks.iter().filter(|t| t.heavy).all(|t| t.on_disk || t.raw),
                    "{kind:?} {seed}"
                );
            }
        }
    }

    #[test]
    fn hangs_silence_one_node_and_restart_only_when_asked() {
        let p = plan(Kind::HangRestart, 3);
        let s = p.silences.iter().find(|s| s.hang).unwrap();
        assert!(s.restart && (12 * MIN..=15 * MIN).contains(&(s.end - s.start)));
        assert!(p.startups.iter().any(|u| u.node == s.node && u.at == s.end));
        let p = plan(Kind::HangRecover, 3);
        let s = p.silences.iter().find(|s| s.hang).unwrap();
        assert!(!s.restart && !p.startups.iter().any(|u| u.at == s.end));
        let har = p.har.as_ref().unwrap();
        assert!(har.start < s.start && s.end < har.end);
    }

    #[test]
    fn the_verbose_hour_stays_away_from_the_incident() {
        for seed in 0..200 {
            let p = plan(Kind::Retention, seed);
            let i = p.incident.as_ref().unwrap();
            for w in p.verbose.iter().filter(|w| !w.heavy) {
                assert!(w.end + 2 * HOUR <= i.start || w.start >= i.end + 2 * HOUR, "seed {seed}");
            }
        }
    }
}
