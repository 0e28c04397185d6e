//! Wire types of the findings (requests, browser, SQL, tasks, retention,
//! health, episodes): each with `of`, its conversion from [`crate::model`].

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;

use super::Utc;
use crate::model;

/// A quotable line.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// Input path.
    pub source: String,
    /// 1-based line (HAR: entry index).
    pub line: u64,
    /// The first line of the entry, cut to 300 characters, secrets redacted.
    pub excerpt: String,
}

impl Evidence {
    /// The wire form of a quoted line.
    pub fn of(e: &crate::evidence::Evidence) -> Evidence {
        Evidence { source: e.source.clone(), line: e.line, excerpt: e.excerpt.clone() }
    }
}

fn evidence(list: &[crate::evidence::Evidence]) -> Vec<Evidence> {
    list.iter().map(Evidence::of).collect()
}

/// The requests section: server and browser.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Requests {
    /// `all` (verbose logging: every request logged) or `slow-only` (INFO: only ≥ 1 s).
    pub logging: String,
    /// A sentence saying which case applies and what it means for the numbers.
    pub note: String,
    /// Server-side requests seen.
    pub total: usize,
    /// Server-side requests of 1 s or more.
    pub slow: usize,
    /// Endpoints by total time spent, top N.
    pub endpoints: Vec<EndpointStats>,
    /// The slowest requests, top N.
    pub slowest: Vec<SlowRequest>,
    /// Browser-side view (HAR), when recordings were given.
    pub browser: Option<BrowserReport>,
}

impl Requests {
    /// The wire form of the server's and the browser's requests.
    pub fn of(r: &model::RequestsReport, browser: Option<&model::BrowserReport>) -> Requests {
        Requests {
            logging: r.logging.as_str().into(),
            note: r.note.clone(),
            total: r.total,
            slow: r.slow,
            endpoints: r.endpoints.iter().map(EndpointStats::of).collect(),
            slowest: r.slowest.iter().map(SlowRequest::of).collect(),
            browser: browser.map(BrowserReport::of),
        }
    }
}

/// Per-endpoint statistics.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointStats {
    /// `GET /api/{spaceId}/dashboard`.
    pub endpoint: String,
    /// Requests seen.
    pub count: usize,
    /// Requests at or above 1 s.
    pub slow: usize,
    /// Median milliseconds.
    pub p50_ms: f64,
    /// 95th percentile.
    pub p95_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Slowest.
    pub max_ms: f64,
    /// Total milliseconds spent.
    pub total_ms: f64,
}

impl EndpointStats {
    fn of(e: &model::EndpointStats) -> EndpointStats {
        EndpointStats {
            endpoint: e.endpoint.clone(),
            count: e.count,
            slow: e.slow,
            p50_ms: e.p50_ms,
            p95_ms: e.p95_ms,
            p99_ms: e.p99_ms,
            max_ms: e.max_ms,
            total_ms: e.total_ms,
        }
    }
}

/// One slow request.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SlowRequest {
    /// When it ended.
    pub time: Utc,
    /// Milliseconds.
    pub duration_ms: f64,
    /// Normalised endpoint.
    pub endpoint: String,
    /// The line.
    pub evidence: Evidence,
}

impl SlowRequest {
    fn of(r: &model::SlowRequest) -> SlowRequest {
        SlowRequest {
            time: r.time.into(),
            duration_ms: r.duration_ms,
            endpoint: r.endpoint.clone(),
            evidence: Evidence::of(&r.evidence),
        }
    }
}

/// The browser section.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BrowserReport {
    /// HAR entries read.
    pub entries: usize,
    /// Served from the browser cache.
    pub cached: usize,
    /// Failed (status 0 or an error).
    pub failed: usize,
    /// Entries of 1 s or more (not cached, not failed).
    pub slow: usize,
    /// Slow entries matched to a server line.
    pub matched: usize,
    /// Of all slow-entry time, the share spent outside the server (0..1).
    pub outside_server_share: f64,
    /// The slowest entries, split, top N.
    pub slowest: Vec<Split>,
    /// Slow entries with no server line, top N.
    pub unmatched_slow: Vec<Split>,
}

impl BrowserReport {
    fn of(b: &model::BrowserReport) -> BrowserReport {
        BrowserReport {
            entries: b.entries,
            cached: b.cached,
            failed: b.failed,
            slow: b.slow,
            matched: b.matched,
            outside_server_share: b.outside_server_share,
            slowest: b.slowest.iter().map(Split::of).collect(),
            unmatched_slow: b.unmatched_slow.iter().map(Split::of).collect(),
        }
    }
}

/// A HAR entry split into where its time went.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Split {
    /// Browser start.
    pub time: Utc,
    /// Normalised endpoint.
    pub endpoint: String,
    /// Total as the browser saw it.
    pub total_ms: f64,
    /// Time inside the server, or null when it logged nothing.
    pub server_ms: Option<f64>,
    /// Browser-side blocking and queueing.
    pub blocked_ms: f64,
    /// DNS, connect, TLS, send, and the part of `wait` the server does not account for.
    pub network_ms: f64,
    /// Receiving the response.
    pub download_ms: f64,
    /// Everything outside the server.
    pub outside_server_ms: f64,
    /// The HAR entry.
    pub browser: Evidence,
    /// The server line, when matched.
    pub server: Option<Evidence>,
}

impl Split {
    fn of(s: &model::Split) -> Split {
        Split {
            time: s.time.into(),
            endpoint: s.endpoint.clone(),
            total_ms: s.total_ms,
            server_ms: s.server_ms,
            blocked_ms: s.blocked_ms,
            network_ms: s.network_ms,
            download_ms: s.download_ms,
            outside_server_ms: s.outside_server_ms,
            browser: Evidence::of(&s.browser),
            server: s.server.as_ref().map(Evidence::of),
        }
    }
}

/// The `sql` section.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
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

impl SqlReport {
    /// The wire form of the SQL findings.
    pub fn of(s: &model::SqlReport) -> SqlReport {
        SqlReport {
            total: s.total,
            slow: s.slow,
            groups: s.groups.iter().map(SqlGroup::of).collect(),
            errors: s.errors.iter().map(SqlErrors::of).collect(),
            pressure_episodes: s.pressure_episodes.iter().map(PressureEpisode::of).collect(),
        }
    }
}

/// A group of slow statements.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SqlGroup {
    /// `Execute non query`, `Reader`, …
    pub operation: String,
    /// Table, when the statement names one.
    pub table: Option<String>,
    /// Transaction component.
    pub component: String,
    /// Statements.
    pub count: usize,
    /// Total milliseconds.
    pub total_ms: f64,
    /// 95th percentile.
    pub p95_ms: f64,
    /// Slowest.
    pub max_ms: f64,
    /// Tasks named in the transactions.
    pub tasks: Vec<String>,
    /// Requests named in the transactions (correlation ids), at most 5.
    pub requests: Vec<String>,
    /// The slowest statement's line.
    pub evidence: Evidence,
}

impl SqlGroup {
    fn of(g: &model::SqlGroup) -> SqlGroup {
        SqlGroup {
            operation: g.operation.clone(),
            table: g.table.clone(),
            component: g.component.clone(),
            count: g.count,
            total_ms: g.total_ms,
            p95_ms: g.p95_ms,
            max_ms: g.max_ms,
            tasks: g.tasks.clone(),
            requests: g.requests.clone(),
            evidence: Evidence::of(&g.evidence),
        }
    }
}

/// SQL errors of one kind.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SqlErrors {
    /// `command-timeout`, `deadlock`, `pool-exhausted`, `sql-error`.
    pub kind: String,
    /// How many.
    pub count: usize,
    /// First.
    pub first: Utc,
    /// Last.
    pub last: Utc,
    /// The first one's line.
    pub evidence: Evidence,
}

impl SqlErrors {
    fn of(e: &model::SqlErrors) -> SqlErrors {
        SqlErrors {
            kind: e.kind.clone(),
            count: e.count,
            first: e.first.into(),
            last: e.last.into(),
            evidence: Evidence::of(&e.evidence),
        }
    }
}

/// A period of connection-pool pressure.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PressureEpisode {
    /// Start.
    pub start: Utc,
    /// End.
    pub end: Utc,
    /// Highest `N transactions active` seen.
    pub max_active: Option<u32>,
    /// Pressure lines in it.
    pub events: usize,
    /// Pool-exhaustion errors in it.
    pub pool_exhausted: usize,
    /// Up to three lines.
    pub evidence: Vec<Evidence>,
}

impl PressureEpisode {
    fn of(p: &model::PressureEpisode) -> PressureEpisode {
        PressureEpisode {
            start: p.span.start.into(),
            end: p.span.end.into(),
            max_active: p.max_active,
            events: p.events,
            pool_exhausted: p.pool_exhausted,
            evidence: evidence(&p.evidence),
        }
    }
}

/// The `tasks` section.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TasksReport {
    /// Tasks read.
    pub count: usize,
    /// Count per kind.
    pub by_kind: BTreeMap<String, usize>,
    /// The cap used for queue episodes.
    pub task_cap: u32,
    /// Where the cap came from.
    pub task_cap_from: String,
    /// Peak concurrency per node.
    pub concurrency: Vec<NodeConcurrency>,
    /// Queue episodes.
    pub queue_episodes: Vec<QueueEpisode>,
    /// Longest tasks, top N.
    pub longest: Vec<TaskRow>,
    /// Most queued tasks, top N.
    pub most_queued: Vec<TaskRow>,
    /// Longest waits, top N.
    pub waits: Vec<WaitRow>,
}

impl TasksReport {
    /// The wire form of the task findings.
    pub fn of(t: &model::TasksReport) -> TasksReport {
        TasksReport {
            count: t.count,
            by_kind: t.by_kind.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            task_cap: t.task_cap,
            task_cap_from: t.task_cap_from.clone(),
            concurrency: t.concurrency.iter().map(NodeConcurrency::of).collect(),
            queue_episodes: t.queue_episodes.iter().map(QueueEpisode::of).collect(),
            longest: t.longest.iter().map(TaskRow::of).collect(),
            most_queued: t.most_queued.iter().map(TaskRow::of).collect(),
            waits: t.waits.iter().map(WaitRow::of).collect(),
        }
    }
}

/// Peak concurrency of one node.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeConcurrency {
    /// Node.
    pub node: String,
    /// Most tasks running at once.
    pub max_running: u32,
    /// When that peak began.
    pub at: Utc,
    /// Tasks seen on this node.
    pub tasks: usize,
}

impl NodeConcurrency {
    fn of(c: &model::NodeConcurrency) -> NodeConcurrency {
        NodeConcurrency {
            node: c.node.clone(),
            max_running: c.max_running,
            at: c.at.into(),
            tasks: c.tasks,
        }
    }
}

/// Tasks queued.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueEpisode {
    /// Node.
    pub node: String,
    /// Start.
    pub start: Utc,
    /// End.
    pub end: Utc,
    /// Tasks that waited in it.
    pub queued_tasks: Vec<String>,
    /// Longest wait in seconds.
    pub max_queue_s: f64,
    /// Whether the node ran at its cap meanwhile.
    pub at_cap: bool,
}

impl QueueEpisode {
    fn of(q: &model::QueueEpisode) -> QueueEpisode {
        QueueEpisode {
            node: q.node.clone(),
            start: q.span.start.into(),
            end: q.span.end.into(),
            queued_tasks: q.queued_tasks.clone(),
            max_queue_s: q.max_queue_s,
            at_cap: q.at_cap,
        }
    }
}

/// One task in a top list.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskRow {
    /// `ServerTasks-N`.
    pub id: String,
    /// Description.
    pub description: String,
    /// Kind.
    pub kind: String,
    /// Node.
    pub node: String,
    /// Status.
    pub status: Option<String>,
    /// Started.
    pub started: Option<Utc>,
    /// Seconds running.
    pub duration_s: Option<f64>,
    /// Seconds queued.
    pub queue_s: Option<f64>,
    /// Its slowest step: `[name, seconds]`.
    pub slowest_step: Option<(String, f64)>,
}

impl TaskRow {
    fn of(t: &model::TaskRow) -> TaskRow {
        TaskRow {
            id: t.id.clone(),
            description: t.description.clone(),
            kind: t.kind.to_string(),
            node: t.node.clone(),
            status: t.status.clone(),
            started: t.started.map(Utc::from),
            duration_s: t.duration_s,
            queue_s: t.queue_s,
            slowest_step: t.slowest_step.clone(),
        }
    }
}

/// A wait on a target mutex or package acquisition.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaitRow {
    /// Task id.
    pub task: String,
    /// Step path.
    pub step: String,
    /// `mutex` or `package-acquisition`.
    pub kind: String,
    /// Seconds.
    pub seconds: f64,
}

impl WaitRow {
    fn of(w: &model::WaitRow) -> WaitRow {
        WaitRow {
            task: w.task.clone(),
            step: w.step.clone(),
            kind: w.kind.into(),
            seconds: w.seconds,
        }
    }
}

/// One retention run.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetentionRun {
    /// The task, when known.
    pub task: Option<String>,
    /// `task`, `step` or `sql`.
    pub source: String,
    /// Start.
    pub start: Utc,
    /// End.
    pub end: Utc,
    /// Seconds.
    pub duration_s: f64,
    /// Releases deleted, when the task log says.
    pub releases_deleted: Option<u32>,
    /// Releases kept.
    pub releases_kept: Option<u32>,
    /// Slow SQL statements the run issued.
    pub slow_sql: usize,
    /// Node.
    pub node: Option<String>,
}

impl RetentionRun {
    /// The wire form of a retention run.
    pub fn of(r: &model::RetentionRun) -> RetentionRun {
        RetentionRun {
            task: r.task.clone(),
            source: r.source.as_str().into(),
            start: r.span.start.into(),
            end: r.span.end.into(),
            duration_s: r.duration_s,
            releases_deleted: r.releases_deleted,
            releases_kept: r.releases_kept,
            slow_sql: r.slow_sql,
            node: r.node.clone(),
        }
    }
}

/// A server start.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Restart {
    /// Node.
    pub node: String,
    /// When.
    pub time: Utc,
    /// Version.
    pub version: String,
    /// PID, when logged.
    pub pid: Option<u32>,
    /// Previous PID on this node, when known and different.
    pub previous_pid: Option<u32>,
    /// Seconds of silence before it.
    pub silent_before_s: Option<f64>,
    /// The banner line.
    pub evidence: Evidence,
}

impl Restart {
    /// The wire form of a server start.
    pub fn of(r: &model::Restart) -> Restart {
        Restart {
            node: r.node.clone(),
            time: r.at.into(),
            version: r.version.clone(),
            pid: r.pid,
            previous_pid: r.previous_pid,
            silent_before_s: r.silent_before_s,
            evidence: Evidence::of(&r.evidence),
        }
    }
}

/// A period without log lines.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Gap {
    /// Node.
    pub node: String,
    /// Last line before.
    pub start: Utc,
    /// First line after.
    pub end: Utc,
    /// Seconds.
    pub duration_s: f64,
    /// The log's median gap between active minutes, seconds.
    pub usual_gap_s: f64,
    /// Whether a server start follows within 10 minutes.
    pub restart_after: bool,
    /// Whether the log simply resumes (no restart).
    pub recovered_without_restart: bool,
    /// Entries a minute around it (the mean of the half hours before and after).
    pub local_rate: f64,
    /// Entries that rate would have written during it.
    pub expected_entries: f64,
    /// Share of the minutes of the half hours around it with entries.
    pub active_share: f64,
    /// The longest of the node's other silences in the two hours around it, seconds.
    pub longest_nearby_s: f64,
    /// The server start that ended it, if one did.
    pub restart_at: Option<Utc>,
    /// Requests logged after it that ran through most of it.
    pub spanning_requests: usize,
    /// Browser entries that failed or timed out during it.
    pub browser_failures: usize,
    /// Tasks whose log paused through it.
    pub paused_tasks: Vec<String>,
    /// Slow requests in the ten minutes before it.
    pub slow_before: usize,
    /// Fast requests in the half hour before it (the log records every request).
    pub fast_before: usize,
    /// Other nodes that kept logging meanwhile.
    pub others_logging: Vec<String>,
    /// What the verdict rests on.
    pub rests_on: Vec<String>,
    /// Input of the last line before it.
    pub source: String,
}

impl Gap {
    /// The wire form of a silent period.
    pub fn of(g: &model::Gap) -> Gap {
        Gap {
            node: g.node.clone(),
            start: g.span.start.into(),
            end: g.span.end.into(),
            duration_s: g.duration_s,
            usual_gap_s: g.usual_gap_s,
            restart_after: g.restart_after(),
            recovered_without_restart: g.recovered_without_restart(),
            local_rate: g.local_rate,
            expected_entries: g.expected_entries,
            active_share: g.active_share,
            longest_nearby_s: g.longest_nearby_s,
            restart_at: g.restart_at.map(Utc::from),
            spanning_requests: g.spanning_requests,
            browser_failures: g.browser_failures,
            paused_tasks: g.paused_tasks.clone(),
            slow_before: g.slow_before,
            fast_before: g.fast_before,
            others_logging: g.others_logging.clone(),
            rests_on: g.rests_on.clone(),
            source: g.source.clone(),
        }
    }
}

/// Health items not already top-level.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Health {
    /// Error bursts.
    pub error_bursts: Vec<ErrorBurst>,
    /// Halibut failures.
    pub halibut_failures: usize,
    /// Endpoints with Halibut failures.
    pub halibut_endpoints: Vec<String>,
    /// Verbose logging.
    pub verbose_logging: Vec<VerboseSpan>,
}

impl Health {
    /// The parts of the health findings not placed at the top level.
    pub fn of(h: &model::HealthReport) -> Health {
        Health {
            error_bursts: h
                .error_bursts
                .iter()
                .map(|b| ErrorBurst {
                    start: b.span.start.into(),
                    end: b.span.end.into(),
                    errors: b.errors,
                })
                .collect(),
            halibut_failures: h.halibut_failures,
            halibut_endpoints: h.halibut_endpoints.clone(),
            verbose_logging: h
                .verbose_logging
                .iter()
                .map(|v| VerboseSpan {
                    source: v.source.clone(),
                    start: v.span.start.into(),
                    end: v.span.end.into(),
                    entries: v.entries,
                })
                .collect(),
        }
    }
}

/// A burst of ERROR/FATAL entries.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorBurst {
    /// Start.
    pub start: Utc,
    /// End.
    pub end: Utc,
    /// Errors in it.
    pub errors: usize,
}

/// Where verbose logging was on.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VerboseSpan {
    /// Input.
    pub source: String,
    /// First DEBUG/TRACE entry.
    pub start: Utc,
    /// Last.
    pub end: Utc,
    /// How many.
    pub entries: u64,
}

/// One slowness episode.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Episode {
    /// Start.
    pub start: Utc,
    /// End.
    pub end: Utc,
    /// Seconds.
    pub duration_s: f64,
    /// What made it: `slow-requests`, `browser`, `task-queue`, `unresponsive`.
    pub kinds: Vec<String>,
    /// Slow server requests in it.
    pub slow_requests: usize,
    /// Their 95th percentile (ms).
    pub p95_ms: Option<f64>,
}

impl Episode {
    /// The wire form of an episode.
    pub fn of(e: &model::Episode) -> Episode {
        Episode {
            start: e.span.start.into(),
            end: e.span.end.into(),
            duration_s: e.duration_s,
            kinds: e.kinds.iter().map(|k| k.as_str().to_string()).collect(),
            slow_requests: e.slow_requests,
            p95_ms: e.p95_ms,
        }
    }
}
