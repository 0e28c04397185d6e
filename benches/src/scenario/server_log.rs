//! Renders one node's server log: every line the node would write, in time
//! order, in the era's layout, split into the current file and one rotated
//! archive per earlier day (local midnight). DEBUG/TRACE lines are written
//! only while verbose logging is on; nothing is written while the node is silent.

use std::fmt::Write as _;

use super::clock::{local, longdate, DAY, MIN, SEC};
use super::messages::{self as m, Op};
use super::timeline::{has, Plan, SqlSource, What};
use super::traffic::{logged, Class, Req};
use super::variations::{Era, SqlFlavour};
use crate::rng::Rng;

/// Server-log levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// TRACE.
    Trace,
    /// DEBUG.
    Debug,
    /// INFO.
    Info,
    /// WARN.
    Warn,
    /// ERROR.
    Error,
}

impl Level {
    fn text(self) -> &'static str {
        match self {
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
        }
    }
}

/// One entry before formatting.
#[derive(Clone, Debug)]
struct Line {
    t: i64,
    level: Level,
    tid: u32,
    text: String,
}

/// One day's file of a node's log.
#[derive(Clone, Debug)]
pub struct DayLog {
    /// Day index from the first day (the last day is the current file).
    pub day: u32,
    /// The text, `\n` line endings, no BOM.
    pub text: String,
    /// Entries written.
    pub entries: usize,
}

struct Sink<'a> {
    p: &'a Plan,
    node: usize,
    lines: Vec<Line>,
}

impl Sink<'_> {
    fn add(&mut self, t: i64, level: Level, tid: u32, text: String) {
        self.lines.push(Line { t, level, tid, text });
    }
}

/// Every day file of `node`'s log.
pub fn render(p: &Plan, node: usize, reqs: &[Req], rng: &mut Rng) -> Vec<DayLog> {
    let mut s = Sink { p, node, lines: Vec::with_capacity(reqs.len() * 2) };
    for r in reqs {
        request(&mut s, r, rng);
    }
    sql_loads(&mut s, rng);
    background_sql(&mut s, rng);
    pressure(&mut s, rng);
    tasks(&mut s, rng);
    verbose_chatter(&mut s, rng);
    start_ups(&mut s);
    let Sink { mut lines, .. } = s;
    lines.retain(|l| keep(p, node, l));
    lines.sort_by_key(|l| l.t);
    format_days(p, node, &lines)
}

fn keep(p: &Plan, node: usize, l: &Line) -> bool {
    let written = l.level >= Level::Info || p.verbose_at(node, l.t).is_some();
    written && l.t >= p.start && l.t < p.end && p.silent(node, l.t).is_none()
}

fn request(s: &mut Sink, r: &Req, rng: &mut Rng) {
    let p = s.p;
    let start = r.end - r.us;
    let level = if p.v.era == Era::V2024 || r.us >= SEC { Level::Info } else { Level::Debug };
    if !logged(p, s.node, r.end, r.us) {
        return;
    }
    if p.v.era != Era::V2024 && p.verbose_at(s.node, start).is_some() {
        s.add(start, Level::Trace, r.tid, m::request_start(p, r));
    }
    s.add(r.end, level, r.tid, m::request(p, r));
    if r.db_us >= 300_000 && rng.chance(0.6) {
        let ms = (r.db_us / 1000) as f64 * rng.uniform(0.5, 0.95);
        statement_of_request(s, r, ms.max(300.0) as u64, rng);
    }
    if p.verbose_at(s.node, r.end).is_some() {
        for _ in 0..rng.range(1, 4) {
            statement_of_request(s, r, rng.range(1, 120), rng);
        }
    }
}

fn statement_of_request(s: &mut Sink, r: &Req, ms: u64, rng: &mut Rng) {
    let p = s.p;
    let (op, stmt) = m::request_statement(r.class, rng);
    let txn = m::request_txn(p, r, rng);
    let level = if ms >= 300 { Level::Info } else { Level::Debug };
    let at = r.end - rng.span(1_000, (r.us / 4).max(2_000));
    s.add(at, level, r.tid, m::sql(p.v.sql, op, ms, &txn, stmt, rng));
}

/// Now and then a statement of an ordinary hour passes 300 ms (a big dashboard,
/// a cold plan cache): a line or two an hour on a healthy server.
fn background_sql(s: &mut Sink, rng: &mut Rng) {
    let p = s.p;
    let mut hour = p.start;
    while hour < p.end {
        for _ in 0..rng.below(3) {
            let at = hour + rng.span(0, 60 * MIN);
            let component =
                *rng.pick(&["DashboardFactory", "ConfigurationStore", "OctopusPrincipalLoader"]);
            let txn = m::component_txn(p, component, rng);
            let (op, stmt) = m::request_statement(
                if component == "DashboardFactory" { Class::Dashboard } else { Class::Other },
                rng,
            );
            let text = m::sql(p.v.sql, op, rng.range(300, 900), &txn, stmt, rng);
            s.add(at, Level::Info, rng.range(20, 300) as u32, text);
        }
        hour += 60 * MIN;
    }
}

/// Slow statements of the plan's SQL loads on this node.
fn sql_loads(s: &mut Sink, rng: &mut Rng) {
    let (p, node) = (s.p, s.node);
    for load in p.sql.iter().filter(|l| has(l.nodes, node)) {
        let mut t = load.start;
        while t < load.end {
            let n = load.per_min.floor() as u64 + rng.chance(load.per_min.fract()) as u64;
            for _ in 0..n {
                let at = t + rng.span(0, MIN);
                let lo = load.ms.0 as f64;
                let ms = (lo * (load.ms.1 as f64 / lo).powf(rng.unit())) as u64;
                let text = load_statement(p, load.source, ms, rng);
                s.add(at, Level::Info, rng.range(20, 300) as u32, text);
            }
            t += MIN;
        }
    }
}

fn load_statement(p: &Plan, source: SqlSource, ms: u64, rng: &mut Rng) -> String {
    let (op, stmt, txn) = match source {
        SqlSource::Task(uid) => match p.task(uid) {
            Some(t) => {
                let (op, stmt) = m::task_statement(t, rng);
                (op, stmt, m::task_txn(p, t, rng.range(2, 400)))
            }
            None => (Op::Read, m::TRIVIAL[0], m::component_txn(p, "ConfigurationStore", rng)),
        },
        SqlSource::Trivial => {
            let component = *rng.pick(&[
                "OctopusPrincipalLoader",
                "ConfigurationStore",
                "DashboardFactory",
                "UpdateDeploymentHistoryJob",
            ]);
            (Op::Read, *rng.pick(m::TRIVIAL), m::component_txn(p, component, rng))
        }
        SqlSource::TaskQueue => {
            let r =
                pseudo_request(p, "/api/tasks?skip=0&take=10&spaces=Spaces-1", Class::Tasks, rng);
            let (op, stmt) = m::request_statement(Class::Tasks, rng);
            (op, stmt, m::request_txn(p, &r, rng))
        }
        SqlSource::Principal => {
            let stmt = *rng.pick(&[
                "SELECT *\nFROM dbo.[Team]\nORDER BY [Id]",
                "SELECT *\nFROM dbo.[User]\nWHERE ([Username] = @username)",
            ]);
            (Op::Read, stmt, m::component_txn(p, "OctopusPrincipalLoader", rng))
        }
    };
    m::sql(p.v.sql, op, ms, &txn, stmt, rng)
}

/// A request the SQL belongs to, for its transaction name.
fn pseudo_request(p: &Plan, path: &str, class: Class, rng: &mut Rng) -> Req {
    let _ = p;
    Req {
        end: 0,
        us: 0,
        method: "GET",
        path: path.into(),
        status: 200,
        user: "admin",
        class,
        tid: 1,
        corr: super::names::hex32(rng),
        db_us: 0,
    }
}

/// `N transactions active`, dumps and pool time-outs while the pool is nearly full.
fn pressure(s: &mut Sink, rng: &mut Rng) {
    let (p, node) = (s.p, s.node);
    for pr in p.pressure.iter().filter(|x| has(x.nodes, node)) {
        let len = (pr.end - pr.start).max(MIN);
        let mut t = pr.start;
        while t < pr.end {
            let x = (t - pr.start) as f64 / len as f64;
            let shape = 1.0 - (2.0 * x - 1.0).abs();
            let n = 80 + ((pr.peak - 80) as f64 * shape.max(0.15)).round() as u32;
            s.add(t, Level::Info, rng.range(20, 300) as u32, format!("{n} transactions active"));
            t += rng.span(15 * SEC, 50 * SEC);
        }
        for i in 0..pr.dumps as i64 {
            let at = pr.start
                + len / 3
                + i * (len / 2 / pr.dumps.max(1) as i64).max(MIN)
                + rng.span(0, 20 * SEC);
            s.add(at, Level::Error, rng.range(20, 300) as u32, m::dump(p, at, rng));
        }
        for _ in 0..pr.pool_errors {
            let at = pr.start + len / 4 + rng.span(0, len * 3 / 4);
            s.add(at, Level::Error, rng.range(20, 300) as u32, m::pool_error(p));
        }
    }
}

/// What tasks make the node write: Halibut traffic, the security-group sync's
/// summary, a retention deadlock, DEBUG statements while verbose.
fn tasks(s: &mut Sink, rng: &mut Rng) {
    let (p, node) = (s.p, s.node);
    for t in p.tasks.iter().filter(|t| t.node == node) {
        halibut_for(s, t, rng);
        if let What::SecurityGroups { .. } = t.what {
            let secs = (t.ended - t.started) as f64 / 1e6;
            let text = format!("External security groups were already correct for all users. No changes were made. Processing users took {secs:.2}s.");
            s.add(t.ended, Level::Info, rng.range(100, 300) as u32, text);
        }
        if t.heavy
            && matches!(t.what, What::Retention { .. })
            && p.v.sql == SqlFlavour::R2
            && rng.chance(0.3)
        {
            let at = t.started + rng.span(MIN, (t.ended - t.started).max(2 * MIN));
            s.add(at, Level::Error, rng.range(100, 300) as u32, m::deadlock(p, t, at, rng));
        }
        let mut at = t.started + rng.span(SEC, 10 * SEC);
        while at < t.ended && p.verbose_at(node, at).is_some() {
            let (op, stmt) = m::task_statement(t, rng);
            let txn = m::task_txn(p, t, rng.range(2, 400));
            s.add(
                at,
                Level::Debug,
                rng.range(20, 300) as u32,
                m::sql(p.v.sql, op, rng.range(1, 90), &txn, stmt, rng),
            );
            at += rng.span(5 * SEC, 20 * SEC);
        }
    }
}

/// Halibut lines of a task's conversations with its targets: INFO in 3.x,
/// DEBUG/TRACE later (written only while verbose); refused connections are
/// errors in every era.
fn halibut_for(s: &mut Sink, t: &super::timeline::Task, rng: &mut Rng) {
    let p = s.p;
    let targets = t.targets();
    let chatty = p.v.era == Era::V3 || p.v.version.starts_with("2018");
    let contacts = if matches!(t.what, What::Health { .. }) { 1 } else { 3 };
    let len = (t.ended - t.started).max(SEC);
    for (i, target) in targets.iter().enumerate() {
        let polling = i % 3 == 2;
        for _ in 0..contacts {
            let at = t.started + rng.span(0, len);
            let tid = rng.range(10, 200) as u32;
            let level = if chatty { Level::Info } else { Level::Debug };
            for (k, text) in contact(target, polling, tid, rng).into_iter().enumerate() {
                s.add(at + k as i64 * 40_000, level, tid, text);
            }
        }
        if t.heavy && matches!(t.what, What::Health { .. }) && rng.chance(0.04) {
            let ep = format!("https://{target}:10933/");
            let tid = rng.range(10, 200) as u32;
            let text = m::halibut(&ep, tid, &format!("No connection could be made because the target machine actively refused it {ep}"));
            s.add(t.started + rng.span(0, len), Level::Error, tid, text);
        }
    }
}

fn contact(target: &str, polling: bool, tid: u32, rng: &mut Rng) -> Vec<String> {
    if polling {
        let ep = format!("poll://{}/", subscription(target));
        let id = format!(
            "IScriptService::GetStatus[{}] / {}",
            rng.range(10, 9_000),
            super::names::guid(rng)
        );
        vec![
            m::halibut(&ep, tid, &format!("Request {id} was queued")),
            m::halibut(&ep, tid, &format!("Request {id} was collected by the polling endpoint")),
        ]
    } else {
        let ep = format!("https://{target}:10933/");
        let ip = format!("[::ffff:10.20.{}.{}]:10933", rng.range(1, 250), rng.range(1, 250));
        let thumb = m::thumbprint(rng);
        vec![
            m::halibut(&ep, tid, "Opening a new connection"),
            m::halibut(&ep, tid, "Performing TLS handshake"),
            m::halibut(&ep, tid, &format!("Secure connection established. Server at {ip} identified by thumbprint: {thumb}, using protocol Tls12")),
        ]
    }
}

/// The server's polling listener.
const LISTEN: &str = "listen://[::]:10943/";

/// A polling Tentacle's subscription id: 20 lower-case alphanumerics, fixed per target.
fn subscription(target: &str) -> String {
    let mut rng =
        Rng::new(target.bytes().fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64)));
    (0..20).map(|_| *rng.pick(b"abcdefghijklmnopqrstuvwxyz0123456789") as char).collect()
}

/// Tens of trace lines a second while heavy verbose logging is on: the polling
/// listener's handshakes and exchanges, N+1 warnings.
fn verbose_chatter(s: &mut Sink, rng: &mut Rng) {
    let (p, node) = (s.p, s.node);
    for w in p.verbose.iter().filter(|w| w.heavy && has(w.nodes, node)) {
        let mut t = w.start;
        while t < w.end {
            let tid = rng.range(10, 300) as u32;
            let client = format!(
                "[::ffff:10.30.{}.{}]:{}",
                rng.range(1, 250),
                rng.range(1, 250),
                rng.range(49_152, 65_535)
            );
            let (endpoint, text) = match rng.below(5) {
                0 => (LISTEN.to_string(), format!("Accepted TCP client: {client}")),
                1 => (LISTEN.to_string(), "Performing TLS server handshake".to_string()),
                2 => (LISTEN.to_string(), "Secure connection established, client is not yet authenticated, client connected with Tls12".to_string()),
                3 => (LISTEN.to_string(), format!("Client at {client} authenticated as {}", m::thumbprint(rng))),
                _ => {
                    let target = format!("srv{:03}", rng.range(1, 200));
                    let id = format!("IScriptService::GetStatus[{}] / {}", rng.range(10, 90_000), super::names::guid(rng));
                    (format!("poll://{}/", subscription(&target)), format!("Request {id} was collected by the polling endpoint"))
                }
            };
            s.add(t, Level::Trace, tid, m::halibut(&endpoint, tid, &text));
            if rng.chance(0.01) {
                let n1 = "A possible N+1 or long running transaction detected, this is a diagnostic message only does not require end-user action.\nStarted: ".to_string() + &m::dump_time(p, t - 30 * SEC) + "\nStack:    at Octopus.Core.Persistence.RelationalTransaction.ExecuteReader()";
                s.add(t, Level::Debug, tid, n1);
            }
            t += rng.span(50_000, 600_000);
        }
    }
}

fn start_ups(s: &mut Sink) {
    let p = s.p;
    for u in p.startups.iter().filter(|u| u.node == s.node) {
        for (dt, level, text) in m::start_up(p, s.node, u.pid) {
            let level = if level == "WARN" { Level::Warn } else { Level::Info };
            s.lines.push(Line { t: u.at + dt, level, tid: 1, text });
        }
    }
}

/// Formats the lines into one text per local day.
fn format_days(p: &Plan, node: usize, lines: &[Line]) -> Vec<DayLog> {
    let mut days: Vec<DayLog> =
        (0..p.v.days).map(|day| DayLog { day, text: String::new(), entries: 0 }).collect();
    for l in lines {
        let day = ((l.t - p.start) / DAY).clamp(0, p.v.days as i64 - 1) as usize;
        let out = &mut days[day];
        let stamp = longdate(local(l.t, p.v.offset_min));
        let level = l.level.text();
        let _ = if p.v.has_pid() {
            write!(out.text, "{stamp}  {:>5}  {:>5} {level:>5}  ", p.pid_at(node, l.t), l.tid)
        } else {
            write!(out.text, "{stamp}  {:>5} {level:>5}  ", l.tid)
        };
        out.text.push_str(&l.text);
        out.text.push('\n');
        out.entries += 1;
    }
    days.retain(|d| d.entries > 0);
    days
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::incidents::inject;
    use crate::scenario::kinds::Kind;
    use crate::scenario::traffic;
    use crate::scenario::variations::draw;
    use octodiag_parsers::server_log::{parse, ServerLogOptions};
    use octodiag_parsers::EventKind;

    fn logs(kind: Kind, seed: u64) -> (Plan, Vec<Vec<DayLog>>) {
        let mut rng = Rng::new(seed ^ kind.salt());
        let v = draw(kind, &mut rng);
        let mut p = Plan::base(kind, v, &mut rng);
        inject(&mut p, &mut rng);
        p.finish(&mut rng);
        let r = traffic::generate(&p, &mut rng);
        let l = (0..p.nodes.len()).map(|n| render(&p, n, &r.per_node[n], &mut rng)).collect();
        (p, l)
    }

    #[test]
    fn the_parser_reads_every_entry_and_no_line_is_unrecognised_noise() {
        for kind in Kind::ALL {
            for seed in 0..4 {
                let (_, logs) = logs(kind, seed);
                for d in logs.iter().flatten() {
                    let log = parse(
                        0,
                        d.text.as_bytes(),
                        &ServerLogOptions { chunk_size: 64 << 10, keep_generic: true },
                    );
                    assert_eq!(log.entries as usize, d.entries, "{kind:?} {seed}");
                    assert!(log.problems.is_empty(), "{kind:?} {seed}: {:?}", log.problems.list);
                }
            }
        }
    }

    #[test]
    fn request_and_sql_lines_are_typed_events() {
        let (p, logs) = logs(Kind::Retention, 1);
        let text: String = logs.iter().flatten().map(|d| d.text.as_str()).collect();
        let log = parse(
            0,
            text.as_bytes(),
            &ServerLogOptions { chunk_size: 64 << 10, keep_generic: true },
        );
        let requests =
            log.events.iter().filter(|e| matches!(e.kind, EventKind::Request(_))).count();
        let sql = log.events.iter().filter(|e| matches!(e.kind, EventKind::Sql(_))).count();
        assert!(requests > 20 && sql > 20, "{requests} requests, {sql} sql ({:?})", p.v.era);
    }

    #[test]
    fn a_hung_node_is_silent_and_a_restarted_one_prints_a_banner() {
        let (p, logs) = logs(Kind::HangRestart, 5);
        let s = p.silences.iter().find(|s| s.hang).unwrap();
        let text: String = logs[s.node].iter().map(|d| d.text.as_str()).collect();
        let from = longdate(local(s.start, p.v.offset_min));
        let to = longdate(local(s.end, p.v.offset_min));
        let inside = text
            .lines()
            .filter(|l| l.len() > 24 && l[..24] > *from.as_str() && l[..24] < *to.as_str())
            .count();
        assert_eq!(inside, 0);
        assert!(text.contains("==== OctopusServerCommand ===="));
    }
}
