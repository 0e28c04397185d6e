//! Web requests: the portal's traffic by time of day, load-balancer pings in
//! HA, deployment watchers, and the recorded browser session. Durations come
//! from a per-endpoint baseline, slowed by the plan's effects; a silent node
//! loses its requests (restart) or completes them late (recovery).

use super::clock::{local, MIN, SEC};
use super::names;
use super::timeline::{has, Effect, Plan, Scope, What};
use super::variations::{Era, Traffic as Busy};
use crate::rng::Rng;

/// What sort of endpoint a request hits (which slowdowns reach it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// The dashboard.
    Dashboard,
    /// Other portal pages.
    Ui,
    /// Task lists.
    Tasks,
    /// Task details (reads the task log).
    Details,
    /// Sign-in and the current user.
    Login,
    /// Everything else.
    Other,
    /// The load balancer's ping.
    Ping,
}

/// One request as the server logs it (at its end).
#[derive(Clone, Debug)]
pub struct Req {
    /// When it completed.
    pub end: i64,
    /// Duration in microseconds.
    pub us: i64,
    /// Method.
    pub method: &'static str,
    /// Path and query.
    pub path: String,
    /// Status code.
    pub status: u16,
    /// User name (`<anonymous>` for pings).
    pub user: &'static str,
    /// Endpoint class.
    pub class: Class,
    /// Thread id.
    pub tid: u32,
    /// Correlation id (32 hex digits).
    pub corr: String,
    /// Of `us`, the time spent waiting on the database.
    pub db_us: i64,
}

/// One entry of the browser recording, with its timings in ms (−1: not applicable).
#[derive(Clone, Debug)]
pub struct HarEntry {
    /// `startedDateTime`.
    pub start: i64,
    /// Method.
    pub method: &'static str,
    /// Path and query.
    pub path: String,
    /// Status (0: failed).
    pub status: u16,
    /// Chrome's `_error`.
    pub error: Option<&'static str>,
    /// `blocked`, `dns`, `connect`, `ssl`, `send`, `wait`, `receive`.
    pub timings: [f64; 7],
    /// Whether the server logged the same request.
    pub logged: bool,
}

/// All requests of the bundle.
#[derive(Clone, Debug, Default)]
pub struct Requests {
    /// Per node, in no particular order.
    pub per_node: Vec<Vec<Req>>,
    /// The browser recording, in start order.
    pub har: Vec<HarEntry>,
}

struct Endpoint {
    path: &'static str,
    weight: u64,
    median_ms: f64,
    class: Class,
    method: &'static str,
}

const fn ep(path: &'static str, weight: u64, median_ms: f64, class: Class) -> Endpoint {
    Endpoint { path, weight, median_ms, class, method: "GET" }
}

const ENDPOINTS: &[Endpoint] = &[
    ep(
        "/api/Spaces-1/dashboard?highestLatestVersionPerProjectAndEnvironment=true",
        14,
        180.0,
        Class::Dashboard,
    ),
    ep("/api/Spaces-1/projects?skip=0&take=30", 6, 90.0, Class::Ui),
    ep("/api/Spaces-1/projects/Projects-{p}/releases?skip=0&take=30", 6, 120.0, Class::Ui),
    ep("/api/tasks?skip=0&take=10&spaces=Spaces-1", 10, 110.0, Class::Tasks),
    ep("/api/Spaces-1/deployments?skip=0&take=30&projects=Projects-{p}", 4, 100.0, Class::Ui),
    ep("/api/Spaces-1/environments?skip=0&take=2147483647", 3, 40.0, Class::Other),
    ep("/api/users/me", 6, 25.0, Class::Login),
    ep("/api/Spaces-1/machines?skip=0&take=100", 3, 140.0, Class::Other),
    ep("/api/events?skip=0&take=30&spaces=Spaces-1", 3, 160.0, Class::Ui),
    ep("/api/Spaces-1/variables/variableset-Projects-{p}", 3, 120.0, Class::Other),
    ep("/api/Spaces-1/projects/Projects-{p}/progression", 4, 200.0, Class::Ui),
    ep("/api", 2, 15.0, Class::Other),
    Endpoint {
        path: "/api/users/login",
        weight: 1,
        median_ms: 250.0,
        class: Class::Login,
        method: "POST",
    },
];

/// Requests per minute at a local hour of the day.
fn rate(busy: Busy, hour: u32) -> f64 {
    let day = match busy {
        Busy::Dense => 5.0,
        Busy::Sparse => 1.5,
    };
    match hour {
        8..=17 => day,
        7 | 18 | 19 => day / 3.0,
        _ if busy == Busy::Dense => 0.15,
        _ => 0.01,
    }
}

/// Whether the server log holds a request line for this request: 2024+ logs
/// every request at INFO; older versions log requests under a second at DEBUG.
pub fn logged(p: &Plan, node: usize, end: i64, us: i64) -> bool {
    p.v.era == Era::V2024 || us >= SEC || p.verbose_at(node, end).is_some()
}

/// Generates every request of the plan.
pub fn generate(p: &Plan, rng: &mut Rng) -> Requests {
    let mut r = Requests { per_node: vec![Vec::new(); p.nodes.len()], har: Vec::new() };
    portal(p, &mut r, rng);
    pings(p, &mut r, rng);
    watchers(p, &mut r, rng);
    stuck(p, &mut r, rng);
    if p.har.is_some() {
        browser(p, &mut r, rng);
    }
    r
}

fn portal(p: &Plan, r: &mut Requests, rng: &mut Rng) {
    let total: u64 = ENDPOINTS.iter().map(|e| e.weight).sum();
    let mut minute = p.start;
    while minute < p.end {
        let (_, _, _, hour, ..) = super::clock::civil(local(minute, p.v.offset_min));
        let x = rate(p.v.traffic, hour);
        let n = x.floor() as u64 + rng.chance(x.fract()) as u64;
        for _ in 0..n {
            let e = weighted(rng.below(total));
            let start = minute + rng.span(0, MIN);
            let path = fill(e.path, rng);
            let node = p.any_node(rng);
            let user = *rng.pick(names::USERS);
            push(p, r, rng, node, start, e.method, path, e.class, e.median_ms, user);
        }
        minute += MIN;
    }
}

/// The endpoint at `pick` of the cumulative weights.
fn weighted(mut pick: u64) -> &'static Endpoint {
    for e in ENDPOINTS {
        if pick < e.weight {
            return e;
        }
        pick -= e.weight;
    }
    &ENDPOINTS[0]
}

fn fill(template: &str, rng: &mut Rng) -> String {
    template.replace("{p}", &rng.range(1, 60).to_string())
}

/// Adds a request that starts at `start` on `node`, if the node answers it.
#[allow(clippy::too_many_arguments)]
fn push(
    p: &Plan,
    r: &mut Requests,
    rng: &mut Rng,
    node: usize,
    start: i64,
    method: &'static str,
    path: String,
    class: Class,
    median_ms: f64,
    user: &'static str,
) -> Option<i64> {
    let (us, db_us) = duration(p, rng, node, start, class, median_ms);
    let (end, us) = answered(p, node, start, us, rng)?;
    let status = if class == Class::Login && rng.chance(0.02) { 401 } else { 200 };
    let (tid, corr) = (rng.range(20, 300) as u32, names::hex32(rng));
    r.per_node[node].push(Req { end, us, method, path, status, user, class, tid, corr, db_us });
    Some(us)
}

/// How long the request takes, and how much of it in the database: the
/// endpoint's baseline (a few scattered slow ones), slowed by every effect that
/// reaches it.
pub fn duration(
    p: &Plan,
    rng: &mut Rng,
    node: usize,
    start: i64,
    class: Class,
    median_ms: f64,
) -> (i64, i64) {
    let z = (rng.unit() + rng.unit() + rng.unit() - 1.5) * 1.4;
    let mut ms = median_ms * z.exp();
    if class != Class::Ping && rng.chance(0.006) {
        ms += rng.uniform(1_000.0, 2_600.0);
    }
    let mut db_ms = 0.0;
    for e in p.effects.iter().filter(|e| reaches(e, node, start, class)) {
        let s =
            if e.ramp { (start - e.start) as f64 / (e.end - e.start).max(1) as f64 } else { 1.0 };
        let cheap = if class == Class::Ping { 0.2 } else { 1.0 };
        let before = ms;
        ms = ms * (1.0 + (e.factor - 1.0) * s * cheap)
            + s * cheap * rng.uniform(e.extra.0 as f64, e.extra.1 as f64);
        if e.db {
            db_ms += ms - before;
        }
    }
    ((ms * 1000.0) as i64 + 1, (db_ms * 1000.0) as i64)
}

fn reaches(e: &Effect, node: usize, t: i64, class: Class) -> bool {
    let scope = match e.scope {
        Scope::All => true,
        Scope::Ui => matches!(class, Class::Dashboard | Class::Ui | Class::Tasks),
        Scope::Logins => class == Class::Login,
        Scope::TaskDetails => class == Class::Details,
    };
    scope && has(e.nodes, node) && e.start <= t && t < e.end
}

/// When a request that should take `us` from `start` is answered, if ever: a
/// restarted process loses what was in flight; a recovering one completes the
/// stuck requests just after it resumes.
fn answered(p: &Plan, node: usize, start: i64, us: i64, rng: &mut Rng) -> Option<(i64, i64)> {
    let end = start + us;
    // A restarted process serves requests only once it has started up.
    let until = |s: &super::timeline::Silence| if s.restart { s.end + STARTING } else { s.end };
    let hit = p.silences.iter().find(|s| s.node == node && start < until(s) && end > s.start);
    match hit {
        None => Some((end, us)),
        Some(s) if s.restart => None,
        Some(s) => {
            let done = s.end + rng.span(100_000, 5 * SEC);
            Some((done, done - start))
        }
    }
}

/// What a hanging node was serving when it stopped: completed when it resumes
/// (logged with durations spanning the silence), lost when it restarts.
fn stuck(p: &Plan, r: &mut Requests, rng: &mut Rng) {
    for s in p.silences.iter().filter(|s| s.hang && !s.restart) {
        for _ in 0..rng.range(3, 9) {
            let e = weighted(rng.below(ENDPOINTS.iter().map(|e| e.weight).sum()));
            let start = s.start - rng.span(SEC, 20 * SEC);
            let user = *rng.pick(names::USERS);
            let path = fill(e.path, rng);
            push(p, r, rng, s.node, start, e.method, path, e.class, e.median_ms, user);
        }
    }
}

/// How long a restarted server takes before it answers requests.
const STARTING: i64 = 45 * SEC;

/// The load balancer pings every node about once a minute (HA only).
fn pings(p: &Plan, r: &mut Requests, rng: &mut Rng) {
    if p.nodes.len() < 2 {
        return;
    }
    for node in 0..p.nodes.len() {
        let mut t = p.start + rng.span(0, MIN);
        while t < p.end {
            let path = "/api/octopusservernodes/ping".to_string();
            push(p, r, rng, node, t, "GET", path, Class::Ping, 8.0, "<anonymous>");
            t += MIN + rng.span(-2 * SEC, 2 * SEC);
        }
    }
}

/// A deployment is created with a POST and, often, watched in the portal.
fn watchers(p: &Plan, r: &mut Requests, rng: &mut Rng) {
    for t in p.tasks.iter().filter(|t| matches!(t.what, What::Deploy { .. })) {
        let node = p.any_node(rng);
        let user = *rng.pick(names::USERS);
        let path = "/api/Spaces-1/deployments".to_string();
        let at = t.queued - rng.span(SEC, 3 * SEC);
        push(p, r, rng, node, at, "POST", path, Class::Other, 300.0, user);
        if !rng.chance(0.6) {
            continue;
        }
        let mut at = t.started + rng.span(5 * SEC, 30 * SEC);
        while at < t.ended.min(p.end) {
            let path = format!("/api/tasks/{}/details?verbose=false", t.task_id());
            push(p, r, rng, node, at, "GET", path, Class::Details, 150.0, user);
            at += rng.span(20 * SEC, 40 * SEC);
        }
    }
}

/// The recorded browser session: the portal polls every few seconds through
/// the load balancer; the server's side of each request is logged as usual.
fn browser(p: &Plan, r: &mut Requests, rng: &mut Rng) {
    let Some(s) = &p.har else { return };
    let page: Vec<&Endpoint> = ENDPOINTS.iter().filter(|e| e.class != Class::Other).collect();
    let mut t = s.start;
    let mut first = true;
    while t < s.end {
        let e = *rng.pick(&page);
        let entry = browser_entry(p, r, rng, t, e, first);
        r.har.push(entry);
        first = false;
        t += rng.span(2 * SEC, 8 * SEC);
    }
}

fn browser_entry(
    p: &Plan,
    r: &mut Requests,
    rng: &mut Rng,
    t: i64,
    e: &Endpoint,
    first: bool,
) -> HarEntry {
    let rtt = rng.uniform(20.0, 80.0);
    let mut tm = phases(first || rng.chance(0.05), rng);
    let trouble = p.har.as_ref().map_or(0.0, |s| s.network_trouble);
    let proxy = rng.chance(trouble).then(|| network_trouble(&mut tm, rng)).flatten();
    let before: f64 = tm[..3].iter().filter(|x| **x > 0.0).sum::<f64>() + tm[4] + rtt / 2.0;
    let arrive = t + (before * 1000.0) as i64;
    let node = p.any_node(rng);
    let path = fill(e.path, rng);
    let user = names::USERS[0];
    let mut entry = HarEntry {
        start: t,
        method: e.method,
        path: path.clone(),
        status: 200,
        error: None,
        timings: tm,
        logged: false,
    };
    let gave_up = rng.uniform(60_000.0, 120_000.0);
    match push(p, r, rng, node, arrive, e.method, path, e.class, e.median_ms, user) {
        Some(us) if (us as f64 / 1000.0) < gave_up => {
            entry.timings[5] = us as f64 / 1000.0 + rtt + proxy.unwrap_or(0.0);
            entry.logged = logged(p, node, arrive + us, us);
        }
        Some(us) => {
            fail(p, &mut entry, node, arrive, gave_up);
            entry.logged = logged(p, node, arrive + us, us);
        }
        None => fail(p, &mut entry, node, arrive, gave_up),
    }
    entry
}

/// Timings of a healthy request (ms; −1 not applicable): a short queue, a new
/// connection only when `fresh`, a fast download; `wait` is filled in later.
fn phases(fresh: bool, rng: &mut Rng) -> [f64; 7] {
    let mut tm = [
        rng.uniform(0.5, 5.0),
        -1.0,
        -1.0,
        -1.0,
        rng.uniform(0.05, 0.5),
        0.0,
        rng.uniform(1.0, 40.0),
    ];
    if fresh {
        let ssl = rng.uniform(20.0, 80.0);
        tm[1..4].copy_from_slice(&[rng.uniform(2.0, 20.0), ssl + rng.uniform(10.0, 40.0), ssl]);
    }
    tm
}

/// Slows one phase the way a congested network does; returns extra `wait`
/// when the time is lost in a proxy between the browser and the server.
fn network_trouble(tm: &mut [f64; 7], rng: &mut Rng) -> Option<f64> {
    match rng.below(4) {
        0 => tm[0] += rng.uniform(2_000.0, 15_000.0),
        1 => {
            let connect = rng.uniform(1_000.0, 10_000.0);
            tm[1] = rng.uniform(5.0, 200.0);
            tm[2] = connect;
            tm[3] = connect * 0.6;
        }
        2 => tm[6] += rng.uniform(3_000.0, 20_000.0),
        _ => return Some(rng.uniform(3_000.0, 10_000.0)),
    }
    None
}

/// A request the silent node never answered: status 0, the whole time in
/// `blocked` (Chrome), until the process died, the browser gave up, or (while
/// the new process starts) the connection was refused.
fn fail(p: &Plan, entry: &mut HarEntry, node: usize, arrive: i64, gave_up: f64) {
    let s = p.silences.iter().find(|s| s.node == node && s.restart && s.end + STARTING > arrive);
    let (until, error) = match s {
        Some(s) if arrive >= s.end => {
            (((arrive - entry.start) as f64 / 1000.0) + 1.5, "net::ERR_CONNECTION_REFUSED")
        }
        Some(s) if ((s.end - entry.start) as f64 / 1000.0) < gave_up => {
            ((s.end - entry.start) as f64 / 1000.0, "net::ERR_EMPTY_RESPONSE")
        }
        _ => (gave_up, "net::ERR_TIMED_OUT"),
    };
    entry.status = 0;
    entry.error = Some(error);
    entry.timings = [until.max(1.0), -1.0, -1.0, -1.0, 0.0, 0.0, 0.0];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::incidents::inject;
    use crate::scenario::kinds::Kind;
    use crate::scenario::variations::draw;

    fn requests(kind: Kind, seed: u64) -> (Plan, Requests) {
        let mut rng = Rng::new(seed ^ kind.salt());
        let v = draw(kind, &mut rng);
        let mut p = Plan::base(kind, v, &mut rng);
        inject(&mut p, &mut rng);
        p.finish(&mut rng);
        let r = generate(&p, &mut rng);
        (p, r)
    }

    fn slow_share(p: &Plan, r: &Requests, inside: bool) -> f64 {
        let i = p.incident.as_ref().unwrap();
        let nodes: Vec<usize> =
            (0..r.per_node.len()).filter(|n| i.node.is_none_or(|m| m == *n)).collect();
        let all: Vec<&Req> = nodes
            .iter()
            .flat_map(|n| &r.per_node[*n])
            .filter(|q| q.class != Class::Ping)
            .filter(|q| (q.end >= i.start && q.end < i.end) == inside)
            .collect();
        all.iter().filter(|q| q.us >= SEC).count() as f64 / all.len().max(1) as f64
    }

    #[test]
    fn slowdowns_show_in_durations_during_the_incident_only() {
        for kind in [Kind::Retention, Kind::SqlPressure, Kind::VerboseBurst, Kind::SystemTask] {
            for seed in 0..5 {
                let (p, r) = requests(kind, seed);
                let (inside, outside) = (slow_share(&p, &r, true), slow_share(&p, &r, false));
                assert!(inside > 0.3 && outside < 0.02, "{kind:?} {seed}: {inside} {outside}");
            }
        }
    }

    #[test]
    fn a_restarted_node_logs_nothing_in_its_silence_a_recovered_one_completes_late() {
        for (kind, restart) in [(Kind::HangRestart, true), (Kind::HangRecover, false)] {
            let (p, r) = requests(kind, 2);
            let s = p.silences.iter().find(|s| s.hang).unwrap();
            let mine = &r.per_node[s.node];
            assert!(mine.iter().all(|q| q.end <= s.start || q.end >= s.end));
            let spanning = mine.iter().filter(|q| q.end >= s.end && q.end - q.us < s.start).count();
            assert_eq!(spanning > 0, !restart, "{kind:?}");
            let failed = r.har.iter().filter(|h| h.status == 0).count();
            assert!(failed >= 3, "{kind:?}: {failed} failed");
        }
    }

    #[test]
    fn network_trouble_is_in_the_browser_not_the_server() {
        let (_, r) = requests(Kind::Network, 1);
        let slow: Vec<&HarEntry> = r
            .har
            .iter()
            .filter(|h| h.timings.iter().filter(|x| **x > 0.0).sum::<f64>() > 2_000.0)
            .collect();
        assert!(slow.len() * 4 > r.har.len(), "{} of {}", slow.len(), r.har.len());
    }
}
