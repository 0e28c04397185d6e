//! The day's schedule: nodes, tasks, and the periods when something weighs on
//! the server. The renderers turn it into the lines real files would hold; no
//! line says "incident", the schedule only changes durations, counts and timings.
//!
//! All times are UTC microseconds.

use super::clock::{midnight_utc, DAY, HOUR, MIN, SEC};
use super::kinds::Kind;
use super::names;
use super::variations::{Traffic, Variations};
use crate::rng::Rng;

/// A node of the cluster.
#[derive(Clone, Debug)]
pub struct Node {
    /// Node name (also the machine name and, per node, the folder name).
    pub name: String,
    /// PID of the process running when the span starts.
    pub pid: u32,
    /// Processor count in Environment Information.
    pub processors: u32,
}

/// What a task does.
#[derive(Clone, Debug, PartialEq)]
pub enum What {
    /// `Deploy {project} release {release} to {env}`.
    Deploy {
        /// Index into [`names::PROJECTS`].
        project: usize,
        /// Release version.
        release: String,
        /// Environment.
        env: &'static str,
    },
    /// `Apply retention policies`, deleting this many releases.
    Retention {
        /// Releases deleted.
        releases: usize,
    },
    /// `Check target health for {policy}` over this many targets.
    Health {
        /// Machine policy.
        policy: &'static str,
        /// Targets checked.
        targets: usize,
    },
    /// `Synchronize external security groups`.
    SecurityGroups {
        /// Users processed.
        users: usize,
    },
    /// `Check System Integrity`.
    Integrity,
}

/// One server task.
#[derive(Clone, Debug)]
pub struct Task {
    /// Creation order, stable across sorting.
    pub uid: usize,
    /// `N` of `ServerTasks-N` (assigned in queue order by [`Plan::finish`]).
    pub id: u32,
    /// On-disk suffix.
    pub suffix: String,
    /// What it does.
    pub what: What,
    /// Node index.
    pub node: usize,
    /// Queued at.
    pub queued: i64,
    /// Started at.
    pub started: i64,
    /// Finished at.
    pub ended: i64,
    /// The culprit: its logs are big and its work weighs on the server.
    pub heavy: bool,
    /// Ended `Failed`.
    pub failed: bool,
    /// Its on-disk log is in the bundle.
    pub on_disk: bool,
    /// Its raw log was downloaded.
    pub raw: bool,
}

impl Task {
    /// `ServerTasks-N`.
    pub fn task_id(&self) -> String {
        format!("ServerTasks-{}", self.id)
    }

    /// The deployment targets or machines it talks to (the same in the task log
    /// and in the server's Halibut lines). Every third one polls.
    pub fn targets(&self) -> Vec<String> {
        match &self.what {
            What::Deploy { env, .. } => {
                let prefix = env.chars().take(3).collect::<String>().to_lowercase();
                (1..=1 + self.uid % 4).map(|i| format!("{prefix}-web{i:02}")).collect()
            }
            What::Health { targets, policy } => {
                let prefix = if policy.contains("Linux") { "lnx" } else { "srv" };
                (1..=*targets).map(|i| format!("{prefix}{i:03}")).collect()
            }
            _ => Vec::new(),
        }
    }

    /// The task description (root node name, raw header).
    pub fn description(&self) -> String {
        match &self.what {
            What::Deploy { project, release, env } => {
                format!("Deploy {} release {release} to {env}", names::PROJECTS[*project])
            }
            What::Retention { .. } => "Apply retention policies".into(),
            What::Health { policy, .. } => format!("Check target health for {policy}"),
            What::SecurityGroups { .. } => "Synchronize external security groups".into(),
            What::Integrity => "Check System Integrity".into(),
        }
    }
}

/// Which requests a slowdown reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every endpoint.
    All,
    /// Dashboard, projects, releases, tasks, events.
    Ui,
    /// Sign-in and the current user.
    Logins,
    /// Task details (task-log reads).
    TaskDetails,
}

/// Requests on `nodes` ending in `[start, end)` take `factor` times longer plus `extra` ms.
#[derive(Clone, Debug)]
pub struct Effect {
    /// Start.
    pub start: i64,
    /// End.
    pub end: i64,
    /// Node bit mask.
    pub nodes: u32,
    /// Duration multiplier at full strength.
    pub factor: f64,
    /// Added milliseconds at full strength (uniform in the range).
    pub extra: (u64, u64),
    /// Endpoints reached.
    pub scope: Scope,
    /// Grows from nothing to full strength over the period.
    pub ramp: bool,
    /// The time is spent in the database (so slow requests log slow statements).
    pub db: bool,
}

/// Where slow SQL comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SqlSource {
    /// A task's own transactions (by uid).
    Task(usize),
    /// Trivial statements in many transactions (the database itself is slow).
    Trivial,
    /// Reads of the task queue.
    TaskQueue,
    /// Sign-in and permission loading.
    Principal,
}

/// Slow SQL statements written at `per_min` on each node in `nodes`.
#[derive(Clone, Debug)]
pub struct SqlLoad {
    /// Start.
    pub start: i64,
    /// End.
    pub end: i64,
    /// Node bit mask.
    pub nodes: u32,
    /// Statements per minute per node.
    pub per_min: f64,
    /// Duration range in ms.
    pub ms: (u64, u64),
    /// Source.
    pub source: SqlSource,
}

/// Connection-pool pressure: `N transactions active`, dumps, pool time-outs.
#[derive(Clone, Debug)]
pub struct Pressure {
    /// Start.
    pub start: i64,
    /// End.
    pub end: i64,
    /// Node bit mask.
    pub nodes: u32,
    /// Highest active count (of a pool of 100).
    pub peak: u32,
    /// High-transactions dumps per node.
    pub dumps: u32,
    /// Pool-exhaustion errors per node.
    pub pool_errors: u32,
}

/// A node writes nothing from `start` to `end`.
#[derive(Clone, Debug)]
pub struct Silence {
    /// Node index.
    pub node: usize,
    /// Start.
    pub start: i64,
    /// End.
    pub end: i64,
    /// The process was restarted at `end` (else requests resume).
    pub restart: bool,
    /// Part of the incident (a hang), not a quiet maintenance restart.
    pub hang: bool,
}

/// A process start.
#[derive(Clone, Debug)]
pub struct StartUp {
    /// Node index.
    pub node: usize,
    /// When the banner is written.
    pub at: i64,
    /// The new PID.
    pub pid: u32,
}

/// Verbose logging switched on.
#[derive(Clone, Debug)]
pub struct Verbose {
    /// Node bit mask.
    pub nodes: u32,
    /// Start.
    pub start: i64,
    /// End.
    pub end: i64,
    /// Halibut and trace chatter too (tens of times the normal volume).
    pub heavy: bool,
}

/// A browser recording.
#[derive(Clone, Debug)]
pub struct HarSession {
    /// First request.
    pub start: i64,
    /// Recording stopped.
    pub end: i64,
    /// The user's browser offset (Firefox writes it).
    pub user_offset_min: i32,
    /// Share of requests slowed by the network (the `network` kind).
    pub network_trouble: f64,
}

/// What a right diagnosis points at.
#[derive(Clone, Debug)]
pub struct Incident {
    /// Start.
    pub start: i64,
    /// End.
    pub end: i64,
    /// Node index, for one-node incidents.
    pub node: Option<usize>,
    /// Expected subject (project name), if any.
    pub subject: Option<String>,
}

/// The whole schedule of one bundle.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Kind.
    pub kind: Kind,
    /// Draws.
    pub v: Variations,
    /// Nodes.
    pub nodes: Vec<Node>,
    /// Local midnight of the first day.
    pub start: i64,
    /// Local midnight of the last day.
    pub last_midnight: i64,
    /// When the logs were collected.
    pub end: i64,
    /// Around when the incident (or, on a quiet day, the recording) happens.
    pub focus: i64,
    /// Tasks.
    pub tasks: Vec<Task>,
    /// Slowdowns.
    pub effects: Vec<Effect>,
    /// Slow SQL.
    pub sql: Vec<SqlLoad>,
    /// Pool pressure.
    pub pressure: Vec<Pressure>,
    /// Silences.
    pub silences: Vec<Silence>,
    /// Process starts.
    pub startups: Vec<StartUp>,
    /// Verbose periods.
    pub verbose: Vec<Verbose>,
    /// Browser recording.
    pub har: Option<HarSession>,
    /// The incident.
    pub incident: Option<Incident>,
    /// Names of the harmless things added to fool a tool.
    pub noise: Vec<String>,
    /// Whether the cluster syncs external security groups.
    pub ad_sync: bool,
    /// The next task uid.
    pub next_uid: usize,
}

/// Every node.
pub fn all_nodes(n: usize) -> u32 {
    (1u32 << n) - 1
}

/// Whether `mask` includes node `i`.
pub fn has(mask: u32, i: usize) -> bool {
    mask & (1 << i) != 0
}

impl Plan {
    /// The base day: nodes, span and the recurring work of a normal day.
    pub fn base(kind: Kind, v: Variations, rng: &mut Rng) -> Plan {
        let (y, m, d) = octodiag_parsers::time::civil_from_days(v.day);
        let last_midnight = midnight_utc(y, m, d, v.offset_min);
        let start = last_midnight - (v.days as i64 - 1) * DAY;
        let nodes = v
            .nodes
            .iter()
            .map(|n| Node {
                name: n.clone(),
                pid: pid(&v, rng),
                processors: *rng.pick(&[4, 8, 16]),
            })
            .collect();
        let focus = last_midnight + rng.span(9 * HOUR + 30 * MIN, 14 * HOUR + 30 * MIN);
        let mut p = Plan {
            kind,
            nodes,
            start,
            last_midnight,
            end: last_midnight + DAY - 10 * MIN,
            focus,
            tasks: Vec::new(),
            effects: Vec::new(),
            sql: Vec::new(),
            pressure: Vec::new(),
            silences: Vec::new(),
            startups: Vec::new(),
            verbose: Vec::new(),
            har: None,
            incident: None,
            noise: vec!["quick-retention-runs".into(), "hourly-health-checks".into()],
            ad_sync: kind == Kind::SystemTask || rng.chance(0.5),
            next_uid: 0,
            v,
        };
        p.recurring(rng);
        p.deployments(rng);
        p
    }

    /// A new PID for a start of a node.
    pub fn new_pid(&self, rng: &mut Rng) -> u32 {
        pid(&self.v, rng)
    }

    /// Adds a task that starts when queued; returns its uid.
    pub fn add_task(
        &mut self,
        what: What,
        node: usize,
        start: i64,
        len: i64,
        rng: &mut Rng,
    ) -> usize {
        let uid = self.next_uid;
        self.next_uid += 1;
        self.tasks.push(Task {
            uid,
            id: 0,
            suffix: names::suffix(rng),
            what,
            node,
            queued: start,
            started: start,
            ended: start + len.max(SEC),
            heavy: false,
            failed: false,
            on_disk: false,
            raw: false,
        });
        uid
    }

    /// The task of a uid.
    pub fn task(&self, uid: usize) -> Option<&Task> {
        self.tasks.iter().find(|t| t.uid == uid)
    }

    /// Mutable task of a uid.
    pub fn task_mut(&mut self, uid: usize) -> Option<&mut Task> {
        self.tasks.iter_mut().find(|t| t.uid == uid)
    }

    /// A random node index.
    pub fn any_node(&self, rng: &mut Rng) -> usize {
        rng.below(self.nodes.len() as u64) as usize
    }

    /// Retention every 4 hours, health checks every hour, the daily integrity
    /// check, and (with AD) the security-group sync every 4 hours.
    fn recurring(&mut self, rng: &mut Rng) {
        let first = self.start;
        let stop = self.last_midnight + DAY;
        let phase = rng.span(0, 4 * HOUR);
        let hc = rng.span(0, HOUR);
        let mut t = first + hc;
        while t < stop {
            let targets = rng.range(4, 26) as usize;
            let what = What::Health { policy: names::POLICIES[0], targets };
            let n = self.any_node(rng);
            self.add_task(what, n, t, rng.span(30 * SEC, 150 * SEC), rng);
            t += HOUR;
        }
        let mut t = first + phase;
        while t < stop {
            let n = self.any_node(rng);
            let what = What::Retention { releases: rng.below(7) as usize };
            self.add_task(what, n, t + rng.span(0, 50 * SEC), rng.span(20 * SEC, 120 * SEC), rng);
            if self.ad_sync {
                let what = What::SecurityGroups { users: rng.range(40, 400) as usize };
                let at = t + 2 * HOUR + rng.span(0, 30 * MIN);
                self.add_task(what, n, at, rng.span(2 * SEC, 40 * SEC), rng);
            }
            t += 4 * HOUR;
        }
        for d in 0..self.v.days as i64 {
            let at = first + d * DAY + rng.span(2 * HOUR, 5 * HOUR);
            let n = self.any_node(rng);
            self.add_task(What::Integrity, n, at, rng.span(10 * SEC, 60 * SEC), rng);
        }
    }

    /// Ordinary deployments by day, a few projects, short and quiet.
    fn deployments(&mut self, rng: &mut Rng) {
        let per_day = match self.v.traffic {
            Traffic::Dense => rng.range(8, 17),
            Traffic::Sparse => rng.range(2, 8),
        };
        let projects: Vec<usize> = (0..rng.range(3, 8))
            .map(|_| rng.below(names::PROJECTS.len() as u64) as usize)
            .collect();
        for d in 0..self.v.days as i64 {
            for _ in 0..per_day {
                let at = self.start + d * DAY + rng.span(8 * HOUR, 18 * HOUR);
                let project = *rng.pick(&projects);
                self.deploy(project, at, rng.span(90 * SEC, 7 * MIN), rng);
            }
        }
    }

    /// Adds one deployment of `project`; returns its uid.
    pub fn deploy(&mut self, project: usize, at: i64, len: i64, rng: &mut Rng) -> usize {
        let release = format!("{}.{}.{}", rng.range(1, 6), rng.below(20), rng.range(1, 400));
        let env = *rng.pick(names::ENVIRONMENTS);
        let node = self.any_node(rng);
        let uid = self.add_task(What::Deploy { project, release, env }, node, at, len, rng);
        if let Some(t) = self.task_mut(uid) {
            t.failed = rng.chance(0.05);
        }
        uid
    }

    /// Removes background tasks matching `pred` that overlap `[from, to)`.
    pub fn clear_tasks(&mut self, from: i64, to: i64, pred: impl Fn(&What) -> bool) {
        self.tasks.retain(|t| t.heavy || !(pred(&t.what) && t.ended > from && t.started < to));
    }

    /// Ends the schedule: drops what comes after collection, numbers tasks in
    /// queue order, and picks which task logs the bundle holds.
    pub fn finish(&mut self, rng: &mut Rng) {
        let end = self.end;
        self.tasks.retain(|t| t.queued < end - 2 * MIN);
        for t in &mut self.tasks {
            t.ended = t.ended.min(end - MIN).max(t.started + SEC);
        }
        self.tasks.sort_by_key(|t| (t.queued, t.uid));
        let mut id = rng.range(1_000, 60_000) as u32;
        for t in &mut self.tasks {
            id += rng.range(1, 4) as u32;
            t.id = id;
        }
        self.pick_task_logs(rng);
        self.silences.sort_by_key(|s| s.start);
        self.startups.sort_by_key(|s| s.at);
    }

    /// On-disk logs of the last day's tasks (when TaskLogs was copied); raw logs of
    /// the culprits and a couple of others (when raw logs were downloaded).
    fn pick_task_logs(&mut self, rng: &mut Rng) {
        let (disk, raw) = (self.v.on_disk_task_logs, self.v.raw_task_logs);
        let last = self.last_midnight;
        let (focus, incident_end) =
            (self.focus, self.incident.as_ref().map_or(self.focus, |i| i.end));
        for t in &mut self.tasks {
            let today = t.ended >= last;
            // The bundle holds the day's deployments, and the system tasks around the problem.
            let recent = matches!(t.what, What::Deploy { .. })
                || (t.ended > focus - 3 * HOUR && t.started < incident_end + 2 * HOUR);
            t.on_disk = disk && today && recent;
            let deploy = matches!(t.what, What::Deploy { .. });
            t.raw = raw && today && (t.raw || (deploy && rng.chance(0.15)));
            if t.heavy && !t.on_disk && !t.raw {
                if disk || !raw {
                    t.on_disk = true;
                } else {
                    t.raw = true;
                }
            }
        }
        // A cluster of which one node's log was collected: the raw logs the
        // customer downloaded ran on both nodes, so both names are in the bundle.
        if self.v.collected_nodes < self.nodes.len() {
            for node in 0..self.nodes.len() {
                if let Some(t) =
                    self.tasks.iter_mut().rev().find(|t| t.node == node && t.ended >= last)
                {
                    t.raw = true;
                }
            }
        }
    }

    /// The PID of `node` at `t` (the latest start at or before `t`).
    pub fn pid_at(&self, node: usize, t: i64) -> u32 {
        self.startups
            .iter()
            .rev()
            .find(|s| s.node == node && s.at <= t)
            .map_or(self.nodes[node].pid, |s| s.pid)
    }

    /// Whether `node` writes nothing at `t`.
    pub fn silent(&self, node: usize, t: i64) -> Option<&Silence> {
        self.silences.iter().find(|s| s.node == node && s.start <= t && t < s.end)
    }

    /// Whether `node` logs verbosely at `t` (and whether heavily).
    pub fn verbose_at(&self, node: usize, t: i64) -> Option<bool> {
        if self.v.verbosity == super::variations::Verbosity::AllDay {
            return Some(false);
        }
        self.verbose
            .iter()
            .find(|w| has(w.nodes, node) && w.start <= t && t < w.end)
            .map(|w| w.heavy)
    }
}

fn pid(v: &Variations, rng: &mut Rng) -> u32 {
    if v.container {
        if v.version.starts_with("2024") {
            7
        } else {
            1
        }
    } else {
        rng.range(1_100, 29_000) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::variations::draw;

    fn plan(seed: u64) -> Plan {
        let mut rng = Rng::new(seed);
        let v = draw(Kind::None, &mut rng);
        let mut p = Plan::base(Kind::None, v, &mut rng);
        p.end = p.focus + 3 * HOUR;
        p.finish(&mut rng);
        p
    }

    #[test]
    fn a_normal_day_has_its_recurring_tasks_in_queue_order() {
        let p = plan(4);
        let health = p.tasks.iter().filter(|t| matches!(t.what, What::Health { .. })).count();
        let retention = p.tasks.iter().filter(|t| matches!(t.what, What::Retention { .. })).count();
        let hours = (p.end - p.start) / HOUR;
        assert!((hours - 1..=hours + 1).contains(&(health as i64)), "{health} in {hours} h");
        assert!(retention as i64 >= hours / 4 && retention as i64 <= hours / 4 + 1);
        assert!(p.tasks.windows(2).all(|w| w[0].queued <= w[1].queued && w[0].id < w[1].id));
        assert!(p.tasks.iter().all(|t| t.ended < p.end && t.started < t.ended));
    }

    #[test]
    fn task_logs_only_of_the_last_day() {
        for seed in 0..40 {
            let p = plan(seed);
            for t in &p.tasks {
                if t.on_disk || t.raw {
                    assert!(t.ended >= p.last_midnight);
                }
                assert!(!t.on_disk || p.v.on_disk_task_logs);
                assert!(!t.raw || p.v.raw_task_logs);
            }
        }
    }

    #[test]
    fn masks() {
        assert_eq!(all_nodes(3), 0b111);
        assert!(has(0b101, 2) && !has(0b101, 1));
    }
}
