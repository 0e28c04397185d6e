//! # octodiag-analyzers: events → findings → suspects → timeline
//!
//! The second stage of octodiag. [`analyze`] takes a [`Dataset`] (parsed
//! inputs, their events and tasks) and returns a [`Report`]: what was slow,
//! when, and what was going on at that moment that most likely caused it.
//!
//! ```text
//! server-log chunks ─► facts::Part (folded while parsing) ─┐
//! Dataset (HAR, task logs) ───────────────────────────────┴► facts::collect
//!                                      clock::align ─► Facts::to_utc
//!                               │
//!     ┌──────────┬───────────┬──┴────────┬────────────┬────────────┐
//!  requests   browser       sql        tasks      retention     health
//!     └──────────┴───────────┴─────┬─────┴────────────┴────────────┘
//!                          episodes::find (symptoms)
//!                                  │
//!               suspects::candidates ─► suspects::rank ─► timeline, answers
//! ```
//!
//! Every analysis is a pure function of its inputs; the only shared state is
//! the [`facts::Facts`] built once. Vocabulary: a **finding** is one
//! analysis' observation (a slow endpoint, a retention run, a gap); an
//! **episode** a window where slowness stands out; a **suspect** a candidate
//! cause ranked by how well it explains the episodes; the **timeline** all of
//! them in time order.
#![deny(missing_docs)]

pub mod answers;
pub mod browser;
pub mod clock;
pub mod dataset;
pub mod endpoint;
pub mod episodes;
pub mod facts;
pub mod health;
pub mod report;
pub mod requests;
pub mod retention;
pub mod sql;
pub mod stats;
pub mod suspects;
pub mod tasks;
pub mod text;

pub use dataset::{Config, Dataset, Input};
pub use report::Report;

use octodiag_parsers::{Format, Timestamp, UtcOffset};

use crate::facts::{evidence_at_line, evidence_of, to_utc, Evidence, Facts, Req};
use crate::report::{utc, Health, InputSummary, Requests, TimeSpan, TimelineItem, Tool};
use crate::stats::{merge, Span};
use crate::tasks::TaskView;

/// Prints how long each phase took when `OCTODIAG_TIMINGS` is set (for profiling
/// large inputs; off by default, so output stays clean).
struct Phases {
    start: std::time::Instant,
    on: bool,
}

impl Phases {
    fn new() -> Phases {
        Phases {
            start: std::time::Instant::now(),
            on: std::env::var_os("OCTODIAG_TIMINGS").is_some(),
        }
    }

    fn done(&self, name: &str) {
        if self.on {
            eprintln!(
                "octodiag: timing: {name} done at {:.3} s, {}",
                self.start.elapsed().as_secs_f64(),
                resident_memory()
            );
        }
    }
}

/// Resident and anonymous (not file-backed) memory, from `/proc/self/status`
/// (Linux; empty elsewhere): the mapped input counts in the first, not the second.
pub fn resident_memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
            .map_or(0, |kb| kb >> 10)
    };
    format!(
        "RSS {} MiB (anonymous {} MiB, peak so far {} MiB)",
        field("VmRSS:"),
        field("RssAnon:"),
        field("VmHWM:")
    )
}

/// Runs every analysis and correlates the results. `folded` holds the facts
/// folded from server logs while they were parsed ([`facts::Part`], the
/// parser's sink); `data.events` the remaining events.
pub fn analyze(data: &Dataset<'_>, folded: Vec<facts::Part>, config: &Config) -> Report {
    let phases = Phases::new();
    let mut facts = facts::collect(data, folded);
    phases.done("facts");
    let alignment = clock::align(data, &facts, config.server_utc_offset);
    let offset = alignment.offset;
    facts.to_utc(offset);
    restrict(&mut facts, config.since, config.until);
    phases.done("clock");
    let views: Vec<TaskView<'_>> = tasks::views(data.tasks, offset)
        .into_iter()
        .filter(|v| in_window(v.started.or(v.queued), v.completed, config))
        .collect();
    let observed = observed_spans(data, offset, &facts, &views, config);
    let req_ev = |r: &Req| request_evidence(data, &facts, r);
    let covers = |s: Span| observed.iter().any(|o| o.overlap_secs(&s) > 0.0 || o.contains(s.start));
    // The analyses below only read the facts: run them side by side (rayon).
    let sql_report = || {
        sql::analyze(&facts, config.top, &|s| evidence_of(data, s.source, s.line, s.at), &|p| {
            evidence_of(data, p.source, p.line, p.at)
        })
    };
    let health_report = || {
        health::analyze(data, &facts, offset, &|src, line| {
            let at = facts
                .starts
                .iter()
                .find(|s| s.source == src && s.line == line)
                .map_or((0, 0), |s| s.at);
            evidence_of(data, src, line, at)
        })
    };
    let ((requests, (browser, splits)), ((sql, health), (tasks_report, retention_runs))) =
        rayon::join(
            || {
                rayon::join(
                    || requests::analyze(&facts, config.top, &req_ev),
                    || browser::analyze(&facts, &covers, config.top, &req_ev),
                )
            },
            || {
                rayon::join(
                    || rayon::join(sql_report, health_report),
                    || {
                        (
                            tasks::analyze(&views, config.task_cap, config.top),
                            retention::analyze(&views, &facts),
                        )
                    },
                )
            },
        );
    phases.done("requests, browser, sql, tasks, retention, health");
    let episodes = episodes::find(
        &facts.requests,
        &observed,
        &splits,
        &tasks_report.queue_episodes,
        &health.gaps,
    );
    let task_ev =
        |v: &TaskView<'_>| v.task.origins.first().map(|o| evidence_at_line(data, o.source, o.line));
    let cx = suspects::Context {
        views: &views,
        facts: &facts,
        tasks: &tasks_report,
        sql: &sql,
        retention: &retention_runs,
        health: &health,
        browser: &splits,
        episodes: &episodes,
        task_evidence: &task_ev,
        point_evidence: &|src, line, at| evidence_of(data, src, line, at),
    };
    phases.done("episodes");
    let (symptoms, candidates) =
        rayon::join(|| symptoms(&facts, &episodes, &observed), || suspects::candidates(&cx));
    phases.done("symptoms, candidates");
    let suspects = suspects::rank(candidates, &symptoms, &req_ev);
    phases.done("suspects");
    let answers = answers::answer(data, &facts, &views, &tasks_report, &health, &suspects);
    let timeline = timeline(&episodes, &suspects, &retention_runs, &health, &sql, &tasks_report);
    Report {
        tool: Tool { name: "octodiag", version: env!("CARGO_PKG_VERSION") },
        inputs: inputs(data),
        span: span_of(&observed),
        server_utc_offset: alignment,
        requests: Requests {
            server: requests,
            browser: (!facts.browser.is_empty()).then_some(browser),
        },
        sql,
        tasks: tasks_report,
        retention_runs,
        restarts: health.restarts.clone(),
        gaps: health.gaps.clone(),
        health: Health::from_report(&health),
        episodes,
        suspects,
        timeline,
        answers,
    }
}

fn in_window(start: Option<Timestamp>, end: Option<Timestamp>, c: &Config) -> bool {
    let after_since = c.since.is_none_or(|s| end.or(start).is_none_or(|e| e >= s));
    let before_until = c.until.is_none_or(|u| start.is_none_or(|s| s < u));
    after_since && before_until
}

/// Drops facts outside `--since`/`--until`.
fn restrict(f: &mut Facts, since: Option<Timestamp>, until: Option<Timestamp>) {
    if since.is_none() && until.is_none() {
        return;
    }
    let keep = |t: Timestamp| since.is_none_or(|s| t >= s) && until.is_none_or(|u| t < u);
    f.requests.retain(|r| keep(r.end));
    f.browser.retain(|r| keep(r.start()));
    f.sql.retain(|s| keep(s.time));
    f.sql_fast.retain(|s| keep(s.0));
    f.pressure.retain(|p| keep(p.time));
    f.starts.retain(|s| keep(s.time));
    f.errors.retain(|p| keep(p.time));
    f.halibut_failures.retain(|p| keep(p.time));
    f.task_lines.retain(|p| keep(p.time));
}

/// The time the logs cover: server logs' spans, else HAR and task spans; clipped to the window.
fn observed_spans(
    data: &Dataset<'_>,
    offset: UtcOffset,
    f: &Facts,
    views: &[TaskView<'_>],
    c: &Config,
) -> Vec<Span> {
    let mut spans: Vec<Span> = data
        .inputs
        .iter()
        .filter(|i| i.format == Format::ServerLog)
        .filter_map(|i| {
            i.span.map(|(a, b)| Span::new(to_utc(a, i.clock, offset), to_utc(b, i.clock, offset)))
        })
        .collect();
    if spans.is_empty() {
        spans.extend(f.browser.iter().map(|r| Span::new(r.start(), r.end)));
        spans.extend(views.iter().filter_map(|v| v.span()));
    }
    let clipped = spans.into_iter().filter_map(|s| {
        let a = c.since.map_or(s.start, |x| s.start.max(x));
        let b = c.until.map_or(s.end, |x| s.end.min(x));
        (b > a).then(|| Span::new(a, b))
    });
    merge(clipped.collect(), 0.0)
}

fn request_evidence(data: &Dataset<'_>, f: &Facts, r: &Req) -> Evidence {
    if r.at.1 > 0 {
        return evidence_of(data, r.source, r.line, r.at);
    }
    let name = data.inputs.get(r.source as usize).map_or("?", |i| i.name).to_string();
    let status = r.status.map_or("-".to_string(), |s| s.to_string());
    let excerpt = format!(
        "{} {} {} {:.0} ms ({})",
        f.method(r),
        r.path().unwrap_or("?"),
        status,
        r.ms,
        f.endpoints[r.endpoint_index()]
    );
    Evidence { source: name, line: r.line, excerpt: facts::redact_text(&excerpt) }
}

fn symptoms<'f>(
    f: &'f Facts,
    episodes: &[episodes::Episode],
    observed: &[Span],
) -> suspects::Symptoms<'f> {
    let server: Vec<&Req> = f.requests.iter().filter(|r| r.ms >= requests::SLOW_MS).collect();
    let from_browser = server.is_empty();
    let slow = if from_browser {
        f.browser
            .iter()
            .filter(|r| {
                r.ms >= requests::SLOW_MS && r.browser().is_some_and(|t| !t.cached && !t.failed)
            })
            .collect()
    } else {
        server
    };
    suspects::Symptoms::new(
        slow,
        from_browser,
        episodes.iter().map(|e| e.span).collect(),
        observed.to_vec(),
    )
}

fn inputs(data: &Dataset<'_>) -> Vec<InputSummary> {
    data.inputs
        .iter()
        .map(|i| InputSummary {
            path: i.name.to_string(),
            format: i.format.as_str(),
            node: i.node.clone(),
            entries: i.entries,
            problems: i.problems,
        })
        .collect()
}

fn span_of(observed: &[Span]) -> Option<TimeSpan> {
    let start = observed.first()?.start;
    let end = observed.last()?.end;
    Some(TimeSpan {
        start: utc(start),
        end: utc(end),
        duration_s: report::secs_round(end.secs_since(start)),
    })
}

fn item(span: Span, kind: &'static str, label: String) -> TimelineItem {
    TimelineItem { start: utc(span.start), end: utc(span.end), kind, label, at: span.start }
}

fn timeline(
    episodes: &[episodes::Episode],
    suspects: &[suspects::Suspect],
    retention: &[retention::RetentionRun],
    health: &health::HealthReport,
    sql: &sql::SqlReport,
    tasks: &tasks::TasksReport,
) -> Vec<TimelineItem> {
    let mut items = Vec::new();
    for e in episodes {
        let p95 = e.p95_ms.map_or(String::new(), |p| format!(", p95 {}", suspects::secs_text(p)));
        items.push(item(
            e.span,
            "episode",
            format!("slowness: {} ({} slow requests{p95})", e.kinds.join(" + "), e.slow_requests),
        ));
    }
    items.extend(suspects::timeline_items(suspects));
    for r in retention.iter().filter(|r| r.source != "step") {
        let deleted =
            r.releases_deleted.map_or(String::new(), |d| format!(", {d} releases deleted"));
        let id = r.task.clone().unwrap_or_default();
        items.push(item(
            r.span,
            "retention",
            format!("retention run {id} ({}{deleted})", text::duration(r.duration_s)),
        ));
    }
    for r in &health.restarts {
        items.push(item(
            Span::new(r.at, r.at),
            "restart",
            format!("{} started, version {}", r.node, r.version),
        ));
    }
    for g in &health.gaps {
        items.push(item(
            g.span,
            "gap",
            format!("{} silent for {}", g.node, text::duration(g.duration_s)),
        ));
    }
    for b in &health.error_bursts {
        items.push(item(b.span, "error-burst", format!("{} errors", b.errors)));
    }
    for p in &sql.pressure_episodes {
        let active =
            p.max_active.map_or(String::new(), |a| format!(", up to {a} transactions active"));
        items.push(item(
            p.span,
            "pool-pressure",
            format!("connection-pool pressure ({} lines{active})", p.events),
        ));
    }
    for q in &tasks.queue_episodes {
        items.push(item(
            q.span,
            "task-queue",
            format!("{} task(s) queued on {}", q.queued_tasks.len(), q.node),
        ));
    }
    items.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.kind.cmp(b.kind)));
    items
}
