//! [`analyze`]: the stages of the crate run in order, the independent ones
//! side by side (rayon). The only place that knows the whole flow.

use octodiag_parsers::{Format, Timestamp, UtcOffset};

use crate::analyses::{browser, clock, episodes, health, nodes, requests, retention, sql, tasks};
use crate::causes::{self, Context, Suspect, Symptoms};
use crate::dataset::{Config, Dataset};
use crate::evidence::{quote, quote_line, redact_text, Evidence};
use crate::facts::tasks::{views, TaskView};
use crate::facts::{self, to_utc, Facts, Part, Req};
use crate::model::{
    BrowserReport, HealthReport, RequestsReport, SplitFact, SqlReport, TasksReport,
};
use crate::model::{Episode, Nodes, RetentionRun};
use crate::origin::Origin;
use crate::results::{InputSummary, Results};
use crate::stats::{merge, Span};
use crate::verdict::{answers, timeline};

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

/// The findings of every analysis.
struct Findings {
    requests: RequestsReport,
    browser: BrowserReport,
    splits: Vec<SplitFact>,
    sql: SqlReport,
    health: HealthReport,
    tasks: TasksReport,
    retention: Vec<RetentionRun>,
    episodes: Vec<Episode>,
}

/// What every stage after the clock shares: the facts in UTC, the tasks and
/// the time the logs observe.
struct Ground<'d> {
    data: &'d Dataset<'d>,
    facts: Facts,
    offset: UtcOffset,
    views: Vec<TaskView<'d>>,
    observed: Vec<Span>,
    nodes: Nodes,
    /// Whether the server's clock offset was given or derived (not assumed).
    clock_known: bool,
}

/// Runs every analysis and correlates the results. `folded` holds the facts
/// folded from server logs while they were parsed ([`facts::Part`], the
/// parser's sink); `data.events` the remaining events.
pub fn analyze(data: &Dataset<'_>, folded: Vec<Part>, config: &Config) -> Results {
    let phases = Phases::new();
    let mut facts = facts::collect(data, folded);
    phases.done("facts");
    let alignment = clock::align(data, &facts, config.server_utc_offset);
    let offset = alignment.offset;
    facts.to_utc(offset);
    facts.restrict(config.since, config.until);
    phases.done("clock");
    let nodes = nodes::identify(data, &facts, data.tasks, offset);
    let only = (nodes.streams.len() == 1 && nodes.task_only.is_empty())
        .then(|| nodes.streams[0].name.as_str());
    let views: Vec<TaskView<'_>> = views(data.tasks, offset, only)
        .into_iter()
        .filter(|v| in_window(v.started.or(v.queued), v.completed, config))
        .collect();
    let observed = observed_spans(data, offset, &facts, &views, config);
    let clock_known = !alignment.assumed;
    let g = Ground { data, facts, offset, views, observed, nodes, clock_known };
    let findings = findings(&g, config);
    phases.done("requests, browser, sql, tasks, retention, health, episodes");
    let mut suspects = suspects(&g, &findings);
    if !g.clock_known && needs_clock(data) {
        unsure_of_clock(&mut suspects);
        causes::rerank(&mut suspects);
    }
    phases.done("suspects");
    assemble(&g, findings, suspects, alignment)
}

/// Every analysis; the independent ones side by side.
fn findings(g: &Ground<'_>, config: &Config) -> Findings {
    let (data, facts) = (g.data, &g.facts);
    let req_ev = |r: &Req| request_evidence(data, facts, r);
    let q = |o: &Origin| quote(data, o);
    let covers =
        |s: Span| g.observed.iter().any(|o| o.overlap_secs(&s) > 0.0 || o.contains(s.start));
    let ((requests, (browser, splits)), ((sql, health), (tasks, retention))) = rayon::join(
        || {
            rayon::join(
                || requests::analyze(facts, config.top, &req_ev),
                || browser::analyze(facts, &covers, g.clock_known, config.top, &req_ev),
            )
        },
        || {
            rayon::join(
                || {
                    rayon::join(
                        || sql::analyze(facts, config.top, &q),
                        || {
                            health::analyze(
                                data,
                                facts,
                                &g.nodes,
                                &g.views,
                                (g.offset, g.clock_known),
                                &q,
                            )
                        },
                    )
                },
                || {
                    (
                        tasks::analyze(&g.views, config.task_cap, config.top),
                        retention::analyze(&g.views, facts),
                    )
                },
            )
        },
    );
    let episodes =
        episodes::find(&facts.requests, &g.observed, &splits, &tasks.queue_episodes, &health.gaps);
    Findings { requests, browser, splits, sql, health, tasks, retention, episodes }
}

/// Every cause's candidates, measured against the symptoms and ranked.
fn suspects(g: &Ground<'_>, f: &Findings) -> Vec<Suspect> {
    let data = g.data;
    let task_ev = |v: &TaskView<'_>| -> Option<Evidence> {
        v.task.origins.first().map(|o| quote_line(data, o.source, o.line))
    };
    let q = |o: &Origin| quote(data, o);
    let symptoms = Symptoms::of(&g.facts, &f.episodes, &g.observed);
    let cx = Context {
        data,
        symptoms: &symptoms,
        nodes: &g.nodes,
        offset: g.offset,
        views: &g.views,
        facts: &g.facts,
        tasks: &f.tasks,
        sql: &f.sql,
        retention: &f.retention,
        health: &f.health,
        browser: &f.splits,
        episodes: &f.episodes,
        task_evidence: &task_ev,
        quote: &q,
    };
    let candidates = causes::candidates(&cx);
    let nodes = node_symptoms(g, f);
    let per_node = |n: &str| nodes.get(n);
    causes::rank(candidates, &symptoms, &per_node, &|r| request_evidence(data, &g.facts, r))
}

/// Each node's own symptoms, when the bundle has several nodes.
fn node_symptoms<'g>(
    g: &'g Ground<'_>,
    f: &Findings,
) -> std::collections::BTreeMap<String, Symptoms<'g>> {
    if g.nodes.streams.len() < 2 {
        return Default::default();
    }
    g.nodes
        .streams
        .iter()
        .map(|s| (s.name.clone(), Symptoms::on(&g.facts, &s.sources, &f.episodes, &g.observed)))
        .collect()
}

/// The results: findings, suspects, and the verdict drawn from them.
fn assemble(
    g: &Ground<'_>,
    f: Findings,
    suspects: Vec<Suspect>,
    alignment: crate::model::Alignment,
) -> Results {
    let answers = answers::answer(&g.facts, &g.views, &g.nodes, &f.tasks, &f.health, &suspects);
    let timeline = timeline::build(&timeline::Sources {
        episodes: &f.episodes,
        suspects: &suspects,
        retention: &f.retention,
        health: &f.health,
        sql: &f.sql,
        tasks: &f.tasks,
    });
    Results {
        inputs: inputs(g.data, &g.nodes),
        span: g.observed.first().zip(g.observed.last()).map(|(a, b)| Span::new(a.start, b.end)),
        alignment,
        requests: f.requests,
        browser: (!g.facts.browser.is_empty()).then_some(f.browser),
        sql: f.sql,
        tasks: f.tasks,
        retention_runs: f.retention,
        health: f.health,
        episodes: f.episodes,
        suspects,
        timeline,
        answers,
        lanes: Vec::new(),
    }
}

/// A suspect claims no more than this when the server's clock offset is unknown
/// and task logs or browser recordings (UTC) must be lined up with the server log.
const CLOCK_UNKNOWN_CEILING: f64 = 0.45;

/// Whether the analysis lines up server-local times with UTC ones (task logs, HAR).
fn needs_clock(data: &Dataset<'_>) -> bool {
    let local =
        data.inputs.iter().any(|i| i.clock == octodiag_parsers::Clock::Local && i.span.is_some());
    let utc = data.tasks.iter().any(|t| t.clock == octodiag_parsers::Clock::Utc)
        || data.inputs.iter().any(|i| i.format == Format::Har);
    local && utc
}

/// With the clock unknown, no suspect is named with confidence: the task and
/// browser times it would be judged against may be hours off.
/// (The network cause is exempt: with the clock unknown it already counts only the
/// phases the browser spent outside the server, which need no server line.)
fn unsure_of_clock(suspects: &mut [Suspect]) {
    let needs = |s: &&mut Suspect| s.cause != causes::Cause::Network;
    for s in suspects.iter_mut().filter(needs).filter(|s| s.confidence > CLOCK_UNKNOWN_CEILING) {
        s.confidence = CLOCK_UNKNOWN_CEILING;
        let note = "the server's clock offset could not be derived (no task seen both as a raw and an on-disk log, no browser request the server logged, no task SQL): task and browser times may be hours off the server log's, so no cause is named with confidence; rerun with --server-utc-offset";
        s.against = Some(match s.against.take() {
            Some(a) => format!("{a}; {note}"),
            None => note.to_string(),
        });
    }
}

fn in_window(start: Option<Timestamp>, end: Option<Timestamp>, c: &Config) -> bool {
    let after_since = c.since.is_none_or(|s| end.or(start).is_none_or(|e| e >= s));
    let before_until = c.until.is_none_or(|u| start.is_none_or(|s| s < u));
    after_since && before_until
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
        spans.extend(f.browser.iter().map(|r| Span::new(r.start(), r.end())));
        spans.extend(views.iter().filter_map(|v| v.span()));
    }
    let clipped = spans.into_iter().filter_map(|s| {
        let a = c.since.map_or(s.start, |x| s.start.max(x));
        let b = c.until.map_or(s.end, |x| s.end.min(x));
        (b > a).then(|| Span::new(a, b))
    });
    merge(clipped.collect(), 0.0)
}

/// The quotable line of a request; a HAR entry has none of its own, so its
/// excerpt is written from what the recording holds.
fn request_evidence(data: &Dataset<'_>, f: &Facts, r: &Req) -> Evidence {
    if r.origin.len > 0 {
        return quote(data, &r.origin);
    }
    let name = data.inputs.get(r.origin.source as usize).map_or("?", |i| i.name).to_string();
    let status = r.status.map_or("-".to_string(), |s| s.to_string());
    let excerpt = format!(
        "{} {} {} {:.0} ms ({})",
        f.method(r),
        r.path().unwrap_or("?"),
        status,
        r.ms,
        f.endpoint(r)
    );
    Evidence { source: name, line: r.origin.line, excerpt: redact_text(&excerpt) }
}

fn inputs(data: &Dataset<'_>, nodes: &Nodes) -> Vec<InputSummary> {
    data.inputs
        .iter()
        .enumerate()
        .map(|(n, i)| InputSummary {
            path: i.name.to_string(),
            format: i.format.as_str(),
            node: nodes.of(n as u32).map(str::to_string),
            entries: i.entries,
            problems: i.problems,
        })
        .collect()
}
