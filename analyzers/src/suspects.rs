//! Suspects: every candidate cause, measured against the symptoms, ranked.
//!
//! # How confidence is computed
//!
//! A candidate is a cause with the time spans it was active (a retention
//! run, a project's deployments, the periods a node ran at its task cap…).
//! The symptoms are the slow requests (≥ 1 s) in the server logs, or, with no
//! server requests, the slow browser (HAR) entries. For a candidate:
//!
//! * `lift` = rate of slow requests while it was active ÷ rate otherwise
//!   (rates per minute of observed log time; one slow request is added to the
//!   "otherwise" count so that a short quiet log cannot make lift infinite);
//! * `strength` = 1 − 1/lift (0 when lift ≤ 1): how much more likely slowness
//!   is while it runs;
//! * `share` = the larger of the share of slow requests it covers and the
//!   share of slowness-episode time it covers;
//! * `support` = 1 − e^(−n/4) for n slow requests inside: few events, little
//!   confidence;
//! * **confidence = strength × share × support**.
//!
//! A coincidence on a quiet day has few slow requests inside (low support)
//! and covers a small share of them, so it stays well below 0.5. A candidate
//! active for more than 90 % of the observed time cannot be contrasted with
//! normal time: its strength is capped at 0.5.
//!
//! Causes whose symptom is the cause itself are scored directly:
//! `unresponsive` (a silent gap: by its length, a restart after it and
//! symptoms before it), `restart` (a start after a silence), `task-queue`
//! (tasks waiting at the task cap: by how many and for how long), and
//! `network` (the share of slow browser time spent outside the server).
//! The larger of the direct score and the correlation is used.

use std::collections::BTreeMap;

use octodiag_parsers::TaskKind;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::{json, Value};

use crate::browser::SplitFact;
use crate::episodes::Episode;
use crate::facts::{Evidence, Facts, Req};
use crate::health::HealthReport;
use crate::report::{utc, TimelineItem};
use crate::retention::RetentionRun;
use crate::sql::{task_name, SqlReport};
use crate::stats::{
    merge, overlap_total, percentile_select, total_secs, SortedValues, Span, SpanSet,
};
use crate::tasks::{
    deployments_by_project, running_over_time, spans_at_or_above, TaskView, TasksReport,
};

/// A ranked suspected cause.
#[derive(Clone, Debug, Serialize)]
pub struct Suspect {
    /// 1 = most likely.
    pub rank: usize,
    /// `retention`, `project`, `concurrent-tasks`, `task-queue`, `health-check`,
    /// `system-task`, `sql`, `restart`, `unresponsive`, `network`, `verbose-logging`.
    pub cause: &'static str,
    /// What exactly (a project's name, a task's description, a node…).
    pub subject: String,
    /// First start (UTC).
    pub start: String,
    /// Last end (UTC).
    pub end: String,
    /// 0 to 1 (see the module documentation).
    pub confidence: f64,
    /// One sentence with the numbers, ready to paste.
    pub summary: String,
    /// The measurements behind the confidence.
    pub metrics: BTreeMap<String, Value>,
    /// The lines that prove it.
    pub evidence: Vec<Evidence>,
    /// Active spans.
    #[serde(skip)]
    pub spans: Vec<Span>,
}

/// A cause before scoring.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// Cause name.
    pub cause: &'static str,
    /// Subject.
    pub subject: String,
    /// Merged active spans (UTC).
    pub spans: Vec<Span>,
    /// Lines that show the cause itself.
    pub evidence: Vec<Evidence>,
    /// How the summary names it: "the 24-minute retention run (ServerTasks-2301)".
    pub phrase: String,
    /// A direct score and sentence, for causes that are their own symptom.
    pub direct: Option<(f64, String)>,
    /// Extra metrics.
    pub metrics: BTreeMap<String, Value>,
}

impl Candidate {
    fn new(
        cause: &'static str,
        subject: impl Into<String>,
        spans: Vec<Span>,
        phrase: String,
    ) -> Candidate {
        Candidate {
            cause,
            subject: subject.into(),
            spans: merge(spans, 0.0),
            evidence: Vec::new(),
            phrase,
            direct: None,
            metrics: BTreeMap::new(),
        }
    }
}

/// The symptoms candidates are measured against.
pub struct Symptoms<'a> {
    /// Slow requests (server, or browser when no server requests exist), by end time.
    pub slow: Vec<&'a Req>,
    /// Their durations, sorted (built by [`Symptoms::new`]).
    pub sorted_ms: SortedValues,
    /// The longest of them, in microseconds: how long after a window's end a
    /// request that overlaps it can end.
    pub max_micros: i64,
    /// Whether `slow` are browser entries.
    pub from_browser: bool,
    /// Episode spans.
    pub episodes: Vec<Span>,
    /// Observed time (log coverage), merged.
    pub observed: Vec<Span>,
}

impl<'a> Symptoms<'a> {
    /// Symptoms from slow requests (any order; they are sorted by end time here).
    pub fn new(
        mut slow: Vec<&'a Req>,
        from_browser: bool,
        episodes: Vec<Span>,
        observed: Vec<Span>,
    ) -> Symptoms<'a> {
        if !slow.is_sorted_by_key(|r| r.end) {
            slow.sort_by_key(|r| r.end);
        }
        let sorted_ms = SortedValues::new(slow.par_iter().map(|r| r.ms).collect());
        let max_micros = slow.iter().map(|r| r.end.0 - r.start().0).max().unwrap_or(0).max(0);
        Symptoms { slow, sorted_ms, max_micros, from_browser, episodes, observed }
    }

    /// The slow requests that overlap `spans`, in time order, found by binary search:
    /// a request overlapping a span ends after its start and at most the longest
    /// duration after its end.
    fn overlapping(&self, spans: &SpanSet) -> Vec<&'a Req> {
        let mut out = Vec::new();
        let mut next = 0;
        for x in spans.spans() {
            let lo = self.slow.partition_point(|r| r.end < x.start).max(next);
            let reach = x.end.add_micros(self.max_micros);
            let hi = self.slow.partition_point(|r| r.end <= reach).max(lo);
            let hits =
                self.slow[lo..hi].iter().filter(|r| spans.overlaps(&Span::new(r.start(), r.end)));
            out.extend(hits.copied());
            next = hi;
        }
        out
    }
}

/// Measurements of one candidate against the symptoms.
#[derive(Clone, Debug, Default)]
struct Correlation {
    n_in: usize,
    n_total: usize,
    in_secs: f64,
    out_secs: f64,
    lift: f64,
    share: f64,
    episode_cover: f64,
    p95_in: Option<f64>,
    p95_out: Option<f64>,
    confidence: f64,
}

const TOLERANCE_SECS: f64 = 30.0;

/// Measures a candidate against the symptoms; `overlapping` are the slow requests
/// that overlap its (widened) spans, from [`Symptoms::overlapping`].
fn correlate(c: &Candidate, s: &Symptoms<'_>, overlapping: &[&Req]) -> Correlation {
    let observed_secs = total_secs(&s.observed).max(60.0);
    let clipped = clip(&c.spans, &s.observed);
    let in_secs = total_secs(&clipped).min(observed_secs);
    let out_secs = (observed_secs - in_secs).max(0.0);
    let mut inside: Vec<f64> = overlapping.iter().map(|r| r.ms).collect();
    let n_in = inside.len();
    let n_total = s.slow.len();
    let rate_in = n_in as f64 / in_secs.max(60.0);
    let rate_out = ((n_total - n_in) as f64 + 1.0) / out_secs.max(60.0);
    let lift = if n_in == 0 { 0.0 } else { rate_in / rate_out };
    let episode_secs = total_secs(&s.episodes);
    let episode_cover =
        if episode_secs > 0.0 { overlap_total(&s.episodes, &c.spans) / episode_secs } else { 0.0 };
    let share = if n_total == 0 {
        0.0
    } else {
        (n_in as f64 / n_total as f64).max(episode_cover.min(n_in as f64))
    };
    let contrast = out_secs >= 0.1 * observed_secs;
    let mut strength = if lift > 1.0 { 1.0 - 1.0 / lift } else { 0.0 };
    if !contrast {
        strength = strength.min(0.5);
    }
    let support = 1.0 - (-(n_in as f64) / 4.0).exp();
    Correlation {
        n_in,
        n_total,
        in_secs,
        out_secs,
        lift,
        share,
        episode_cover,
        p95_out: p95_outside(s, overlapping, &mut inside),
        p95_in: percentile_select(&mut inside, 0.95),
        confidence: (strength * share.min(1.0) * support).clamp(0.0, 1.0),
    }
}

/// The p95 of the slow requests outside a candidate, exactly, the cheaper way:
/// few inside (the usual case) → the inside sorted, and a binary search in all
/// durations sorted once; many inside → the outside collected (both lists are
/// in time order, the inside a sub-list) and selected. `inside_ms` is reordered.
fn p95_outside(s: &Symptoms<'_>, overlapping: &[&Req], inside_ms: &mut [f64]) -> Option<f64> {
    if inside_ms.len() <= s.slow.len() / 4 {
        inside_ms.sort_unstable_by(f64::total_cmp);
        return s.sorted_ms.percentile_without(inside_ms, 0.95);
    }
    let mut next = overlapping.iter().peekable();
    let mut outside = Vec::with_capacity(s.slow.len() - overlapping.len());
    for r in &s.slow {
        if next.peek().is_some_and(|i| std::ptr::eq(**i, *r)) {
            next.next();
        } else {
            outside.push(r.ms);
        }
    }
    percentile_select(&mut outside, 0.95)
}

fn clip(spans: &[Span], observed: &[Span]) -> Vec<Span> {
    let mut out = Vec::new();
    for s in spans {
        for o in observed {
            let a = s.start.max(o.start);
            let b = s.end.min(o.end);
            if b > a {
                out.push(Span::new(a, b));
            }
        }
    }
    merge(out, 0.0)
}

/// Scores and ranks candidates.
pub fn rank(
    candidates: Vec<Candidate>,
    symptoms: &Symptoms<'_>,
    evidence: &(dyn Fn(&Req) -> Evidence + Sync),
) -> Vec<Suspect> {
    // Candidates are scored independently: in parallel (rayon), each over every slow request.
    let mut out: Vec<Suspect> = candidates
        .into_par_iter()
        .filter(|c| !c.spans.is_empty())
        .map(|c| score(c, symptoms, evidence))
        .collect();
    out.sort_by(|a, b| b.confidence.total_cmp(&a.confidence).then_with(|| a.start.cmp(&b.start)));
    for (i, s) in out.iter_mut().enumerate() {
        s.rank = i + 1;
    }
    out
}

fn score(c: Candidate, s: &Symptoms<'_>, evidence: &dyn Fn(&Req) -> Evidence) -> Suspect {
    let widened = SpanSet::new(c.spans.iter().map(|x| x.widen(TOLERANCE_SECS)).collect());
    let overlapping = s.overlapping(&widened);
    let k = correlate(&c, s, &overlapping);
    let (direct, direct_summary) = c.direct.clone().unwrap_or((0.0, String::new()));
    let confidence = round3(k.confidence.max(direct));
    let summary = if direct > k.confidence && !direct_summary.is_empty() {
        direct_summary
    } else {
        correlation_summary(&c, &k, s.from_browser)
    };
    let mut metrics = c.metrics.clone();
    metrics.insert("slow_requests_inside".into(), json!(k.n_in));
    metrics.insert("slow_requests_total".into(), json!(k.n_total));
    metrics.insert("active_s".into(), json!(round3(k.in_secs)));
    metrics.insert("lift".into(), json!(round3(k.lift)));
    metrics.insert("share".into(), json!(round3(k.share)));
    metrics.insert("episode_cover".into(), json!(round3(k.episode_cover)));
    metrics.insert("p95_inside_ms".into(), json!(k.p95_in));
    metrics.insert("p95_otherwise_ms".into(), json!(k.p95_out));
    metrics.insert("correlation_confidence".into(), json!(round3(k.confidence)));
    metrics.insert("direct_confidence".into(), json!(round3(direct)));
    let mut ev = c.evidence.clone();
    ev.truncate(3);
    let inside: Vec<&&Req> =
        overlapping.iter().filter(|r| widened.overlaps(&Span::new(r.end, r.end))).collect();
    let inside =
        crate::stats::top_by(inside, 3, |a, b| b.ms.total_cmp(&a.ms).then(a.end.cmp(&b.end)));
    ev.extend(inside.into_iter().take(3).map(|r| evidence(r)));
    Suspect {
        rank: 0,
        cause: c.cause,
        subject: c.subject,
        start: utc(c.spans.first().map(|x| x.start).unwrap_or_default()),
        end: utc(c.spans.last().map(|x| x.end).unwrap_or_default()),
        confidence,
        summary,
        metrics,
        evidence: ev,
        spans: c.spans,
    }
}

fn round3(x: f64) -> f64 {
    if x.is_finite() {
        (x * 1000.0).round() / 1000.0
    } else {
        0.0
    }
}

/// `8.1 s`, `450 ms`.
pub fn secs_text(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else {
        format!("{ms:.0} ms")
    }
}

/// `24-minute`, `3-hour`, `45-second`.
pub fn duration_adjective(secs: f64) -> String {
    if secs >= 5400.0 {
        format!("{:.0}-hour", secs / 3600.0)
    } else if secs >= 90.0 {
        format!("{:.0}-minute", secs / 60.0)
    } else {
        format!("{secs:.0}-second")
    }
}

fn correlation_summary(c: &Candidate, k: &Correlation, browser: bool) -> String {
    let what = if browser { "slow browser requests" } else { "slow requests" };
    let p95 = match (k.p95_in, k.p95_out) {
        (Some(a), Some(b)) => format!("; p95 {} vs {} otherwise", secs_text(a), secs_text(b)),
        (Some(a), None) => format!("; p95 {}, none otherwise", secs_text(a)),
        _ => String::new(),
    };
    let lift = if k.lift >= 1.5 && k.out_secs > 0.0 {
        format!(" ({:.1}× the usual rate)", k.lift)
    } else {
        String::new()
    };
    format!("During {}, {} of {} {what} occurred{lift}{p95}.", c.phrase, k.n_in, k.n_total)
}

// ------------------------------------------------------------- candidates

/// Inputs to candidate building.
pub struct Context<'a> {
    /// Tasks in UTC.
    pub views: &'a [TaskView<'a>],
    /// Facts.
    pub facts: &'a Facts,
    /// Tasks report (cap, queue episodes).
    pub tasks: &'a TasksReport,
    /// SQL report (pressure episodes).
    pub sql: &'a SqlReport,
    /// Retention runs.
    pub retention: &'a [RetentionRun],
    /// Health.
    pub health: &'a HealthReport,
    /// Browser splits.
    pub browser: &'a [SplitFact],
    /// Episodes.
    pub episodes: &'a [Episode],
    /// Evidence of a task's first origin line.
    pub task_evidence: &'a (dyn Fn(&TaskView<'_>) -> Option<Evidence> + Sync),
    /// Evidence of an entry: input, line and byte range.
    pub point_evidence: &'a (dyn Fn(u32, u64, (u64, u32)) -> Evidence + Sync),
}

/// Builds every candidate cause.
pub fn candidates(cx: &Context<'_>) -> Vec<Candidate> {
    let mut out = Vec::new();
    out.extend(retention(cx));
    out.extend(projects(cx));
    out.extend(tasks_by_description(cx, TaskKind::Health, "health-check"));
    for kind in [TaskKind::System, TaskKind::Upgrade, TaskKind::UpdateCalamari, TaskKind::Backup] {
        out.extend(tasks_by_description(cx, kind, "system-task"));
    }
    out.extend(concurrent_tasks(cx));
    out.extend(task_queue(cx));
    out.extend(sql(cx));
    out.extend(unresponsive(cx));
    out.extend(restarts(cx));
    out.extend(network(cx));
    out.extend(verbose(cx));
    out
}

fn retention(cx: &Context<'_>) -> Option<Candidate> {
    let runs: Vec<&RetentionRun> = cx.retention.iter().filter(|r| r.source != "step").collect();
    let first = runs.first()?;
    let spans: Vec<Span> = runs.iter().map(|r| r.span).collect();
    let ids: Vec<String> = runs.iter().filter_map(|r| r.task.clone()).collect();
    let phrase = if runs.len() == 1 {
        format!("the {} retention run ({})", duration_adjective(first.span.secs()), ids.join(", "))
    } else {
        format!(
            "the {} retention runs ({} in all)",
            runs.len(),
            crate::text::duration(total_secs(&merge(spans.clone(), 0.0)))
        )
    };
    let mut c = Candidate::new("retention", "Apply retention policies", spans, phrase);
    c.evidence = cx
        .views
        .iter()
        .filter(|v| v.task.kind == TaskKind::Retention)
        .filter_map(|v| (cx.task_evidence)(v))
        .collect();
    let deleted: u32 = runs.iter().filter_map(|r| r.releases_deleted).sum();
    c.metrics.insert("runs".into(), json!(runs.len()));
    c.metrics.insert("releases_deleted".into(), json!(deleted));
    c.metrics.insert("tasks".into(), json!(ids));
    Some(c)
}

fn projects(cx: &Context<'_>) -> Vec<Candidate> {
    deployments_by_project(cx.views)
        .into_iter()
        .filter_map(|(project, vs)| {
            let spans: Vec<Span> = vs.iter().filter_map(|v| v.span()).collect();
            if spans.is_empty() {
                return None;
            }
            let phrase = format!(
                "{project}'s {} deployment(s) ({} in all)",
                vs.len(),
                crate::text::duration(total_secs(&merge(spans.clone(), 0.0)))
            );
            let mut c = Candidate::new("project", project, spans, phrase);
            c.evidence = vs.iter().filter_map(|v| (cx.task_evidence)(v)).collect();
            c.metrics.insert("deployments".into(), json!(vs.len()));
            Some(c)
        })
        .collect()
}

fn tasks_by_description(cx: &Context<'_>, kind: TaskKind, cause: &'static str) -> Vec<Candidate> {
    let mut by_desc: BTreeMap<String, Vec<&TaskView<'_>>> = BTreeMap::new();
    for v in cx.views.iter().filter(|v| v.task.kind == kind) {
        by_desc.entry(v.task.description.clone()).or_default().push(v);
    }
    by_desc
        .into_iter()
        .filter_map(|(desc, vs)| {
            let spans: Vec<Span> = vs.iter().filter_map(|v| v.span()).collect();
            if spans.is_empty() {
                return None;
            }
            let phrase = format!(
                "the {} run(s) of \"{desc}\" ({} in all)",
                vs.len(),
                crate::text::duration(total_secs(&merge(spans.clone(), 0.0)))
            );
            let mut c = Candidate::new(cause, desc, spans, phrase);
            c.evidence = vs.iter().filter_map(|v| (cx.task_evidence)(v)).collect();
            c.metrics.insert("runs".into(), json!(vs.len()));
            Some(c)
        })
        .collect()
}

fn concurrent_tasks(cx: &Context<'_>) -> Vec<Candidate> {
    let mut nodes: BTreeMap<&str, Vec<&TaskView<'_>>> = BTreeMap::new();
    for v in cx.views {
        nodes.entry(v.node.as_str()).or_default().push(v);
    }
    let cap = cx.tasks.task_cap;
    nodes
        .into_iter()
        .filter_map(|(node, vs)| {
            let steps = running_over_time(&vs);
            let max = steps.iter().map(|s| s.1).max().unwrap_or(0);
            let level = if max >= cap { cap } else { max };
            if level < 3 {
                return None;
            }
            let spans = spans_at_or_above(&steps, level);
            let phrase = format!(
                "the {} when {node} ran {level} or more tasks at once",
                crate::text::duration(total_secs(&spans))
            );
            let mut c = Candidate::new("concurrent-tasks", node, spans, phrase);
            c.metrics.insert("max_running".into(), json!(max));
            c.metrics.insert("threshold".into(), json!(level));
            c.metrics.insert("task_cap".into(), json!(cap));
            Some(c)
        })
        .collect()
}

fn task_queue(cx: &Context<'_>) -> Vec<Candidate> {
    let mut by_node: BTreeMap<&str, Vec<&crate::tasks::QueueEpisode>> = BTreeMap::new();
    for q in &cx.tasks.queue_episodes {
        by_node.entry(q.node.as_str()).or_default().push(q);
    }
    by_node
        .into_iter()
        .map(|(node, qs)| {
            let spans: Vec<Span> = qs.iter().map(|q| q.span).collect();
            let queued: usize = qs.iter().map(|q| q.queued_tasks.len()).sum();
            let max_q = qs.iter().map(|q| q.max_queue_s).fold(0.0, f64::max);
            let at_cap = qs.iter().any(|q| q.at_cap);
            let phrase = format!("the {} when tasks queued on {node}", crate::text::duration(total_secs(&merge(spans.clone(), 0.0))));
            let mut c = Candidate::new("task-queue", node, spans, phrase);
            let direct = (if at_cap { 0.55 } else { 0.3 }) + 0.4 * (queued as f64 / 5.0).min(1.0) * (max_q / 600.0).min(1.0);
            let cap_text = if at_cap { format!(" while the node ran at its task cap of {}", cx.tasks.task_cap) } else { String::new() };
            let sentence = format!(
                "{queued} task(s) waited in the queue on {node}{cap_text}, up to {}; queued deployments are slowness users feel directly.",
                crate::text::duration(max_q)
            );
            c.direct = Some((direct.min(0.95), sentence));
            c.metrics.insert("queued_tasks".into(), json!(queued));
            c.metrics.insert("max_queue_s".into(), json!(max_q));
            c.metrics.insert("at_cap".into(), json!(at_cap));
            c.evidence = cx
                .views
                .iter()
                .filter(|v| qs.iter().any(|q| q.queued_tasks.contains(&v.task.id)))
                .filter_map(|v| (cx.task_evidence)(v))
                .collect();
            c
        })
        .collect()
}

/// Pool pressure not explained by one task's SQL, plus dense slow SQL outside task transactions.
fn sql(cx: &Context<'_>) -> Option<Candidate> {
    let mut spans = Vec::new();
    let mut evidence = Vec::new();
    let mut explained = Vec::new();
    for p in &cx.sql.pressure_episodes {
        let window = p.span.widen(60.0);
        match dominant_task(cx.facts, window) {
            Some(task) => explained.push(task),
            None => {
                spans.push(window);
                evidence.extend(p.evidence.iter().cloned());
            }
        }
    }
    spans.extend(dense_untasked_sql(cx.facts));
    if spans.is_empty() {
        return None;
    }
    let exhausted: usize = cx.sql.pressure_episodes.iter().map(|p| p.pool_exhausted).sum();
    let phrase = format!(
        "the {} of database pressure",
        crate::text::duration(total_secs(&merge(spans.clone(), 0.0)))
    );
    let mut c = Candidate::new("sql", "database", spans, phrase);
    c.evidence = evidence;
    c.metrics.insert("pool_exhausted".into(), json!(exhausted));
    c.metrics.insert("episodes_explained_by_tasks".into(), json!(explained));
    Some(c)
}

/// The task whose transactions issued most of the slow SQL time in a window, if one did.
fn dominant_task(facts: &Facts, window: Span) -> Option<String> {
    let mut by_task: BTreeMap<u64, f64> = BTreeMap::new();
    let mut total = 0.0;
    let lo = facts.sql.partition_point(|s| s.time < window.start);
    let hi = facts.sql.partition_point(|s| s.time < window.end);
    for s in facts.sql[lo..hi].iter().filter(|s| s.ms >= crate::sql::SLOW_SQL_MS) {
        total += s.ms;
        if let Some(t) = s.task.map(u64::from) {
            *by_task.entry(t).or_default() += s.ms;
        }
    }
    let (task, ms) = by_task.into_iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
    (ms * 2.0 >= total).then(|| task_name(task))
}

/// Windows of two minutes with three or more statements of a second or more outside task transactions.
fn dense_untasked_sql(facts: &Facts) -> Vec<Span> {
    let times: Vec<_> = facts
        .sql
        .iter()
        .filter(|s| s.ms >= 1000.0 && s.task.is_none())
        .map(|s| Span::new(s.time.add_micros(-(s.ms * 1000.0) as i64), s.time))
        .collect();
    // A sliding window (two pointers): counting forward from every statement
    // was quadratic in the density, and busy logs have hundreds a minute.
    let mut out: Vec<Span> = Vec::new();
    let mut j = 0;
    for (i, a) in times.iter().enumerate() {
        j = j.max(i);
        while j < times.len() && times[j].end.secs_since(a.end) <= 120.0 {
            j += 1;
        }
        if j - i >= 3 {
            let window = Span::new(a.start, times[j - 1].end);
            // Windows of a busy stretch overlap one another: join them as they come
            // (a million spans to sort otherwise). Ends only grow here, so a window
            // that starts before the last one's end overlaps it.
            match out.last_mut() {
                Some(last) if window.start <= last.end => {
                    *last = Span::new(last.start.min(window.start), last.end.max(window.end));
                }
                _ => out.push(window),
            }
        }
    }
    out
}

/// Symptoms just before a silence: slow requests and errors in the five minutes
/// before it, counted only when they stand out (a slowness episode ending then,
/// or an error burst in the fifteen minutes before).
fn symptoms_before(cx: &Context<'_>, gap: Span) -> usize {
    let lead = Span::new(gap.start.add_micros(-300_000_000), gap.start);
    let slow_before = cx
        .episodes
        .iter()
        .any(|e| e.kinds.contains(&"slow-requests") && e.span.overlap_secs(&lead) > 0.0);
    let burst_from = gap.start.add_micros(-900_000_000);
    let errors_before = cx
        .health
        .error_bursts
        .iter()
        .any(|b| b.span.end >= burst_from && b.span.start <= gap.start);
    if !(slow_before || errors_before) {
        return 0;
    }
    let slow = cx.facts.requests.iter().filter(|r| r.ms >= 1000.0 && lead.contains(r.end)).count();
    let errors = cx.facts.errors.iter().filter(|e| lead.contains(e.time)).count();
    (slow + errors).max(1)
}

fn unresponsive(cx: &Context<'_>) -> Vec<Candidate> {
    cx.health
        .gaps
        .iter()
        .map(|g| {
            let pre = symptoms_before(cx, g.span);
            let severity = (g.duration_s / 1800.0).min(1.0).sqrt();
            let direct = severity
                * (0.55
                    + if g.restart_after { 0.25 } else { 0.0 }
                    + if pre > 0 { 0.15 } else { 0.0 });
            let recovery = if g.restart_after {
                "it came back only with a restart"
            } else {
                "it resumed without a restart"
            };
            let sentence = format!(
                "{} wrote nothing for {} ({} to {}), against a usual gap of {}; {recovery}{}.",
                g.node,
                crate::text::duration(g.duration_s),
                g.start,
                g.end,
                crate::text::duration(g.usual_gap_s),
                if pre > 0 {
                    format!(", after {pre} slow requests or errors in the 15 minutes before")
                } else {
                    String::new()
                }
            );
            let phrase = format!("the {} silence on {}", duration_adjective(g.duration_s), g.node);
            let mut c = Candidate::new("unresponsive", g.node.clone(), vec![g.span], phrase);
            c.direct = Some((direct, sentence));
            c.evidence = gap_evidence(cx, g);
            c.metrics.insert("gap_s".into(), json!(g.duration_s));
            c.metrics.insert("usual_gap_s".into(), json!(g.usual_gap_s));
            c.metrics.insert("restart_after".into(), json!(g.restart_after));
            c.metrics.insert("symptoms_before".into(), json!(pre));
            c
        })
        .collect()
}

/// The lines around a silence: the slowest request in the five minutes before
/// it, the last error before it, and the start-up banner after it.
fn gap_evidence(cx: &Context<'_>, g: &crate::health::Gap) -> Vec<Evidence> {
    let lead = Span::new(g.span.start.add_micros(-300_000_000), g.span.start);
    let mut ev = Vec::new();
    if let Some(r) = cx.health.restarts.iter().find(|r| r.node == g.node && r.at >= g.span.start) {
        ev.push(r.evidence.clone());
    }
    if let Some(e) = cx.facts.errors.iter().rev().find(|e| lead.contains(e.time)) {
        ev.push((cx.point_evidence)(e.source, e.line, e.at));
    }
    if let Some(r) = cx
        .facts
        .requests
        .iter()
        .filter(|r| lead.contains(r.end))
        .max_by(|a, b| a.ms.total_cmp(&b.ms))
    {
        ev.push((cx.point_evidence)(r.source, r.line, r.at));
    }
    ev
}

fn restarts(cx: &Context<'_>) -> Vec<Candidate> {
    cx.health
        .restarts
        .iter()
        .map(|r| {
            let silent = r.silent_before_s.unwrap_or(0.0);
            let crashed = silent >= crate::health::MIN_GAP_SECS || r.previous_pid.is_some_and(|_| silent > 120.0);
            let span = Span::new(r.at.add_micros(-(silent * 1e6) as i64), r.at.add_micros(300_000_000));
            let mut c = Candidate::new("restart", format!("{} (version {})", r.node, r.version), vec![span], format!("the restart of {}", r.node));
            let direct = if crashed { 0.8 * (silent / 1800.0).min(1.0).sqrt() * 0.9 } else { 0.2 };
            let sentence = if crashed {
                format!("{} restarted at {} after {} of silence: a crash or hang rather than a planned restart.", r.node, r.time, crate::text::duration(silent))
            } else {
                format!("{} started at {} (version {}); the first minutes after a start are slow while caches warm up.", r.node, r.time, r.version)
            };
            c.direct = Some((direct, sentence));
            c.evidence = vec![r.evidence.clone()];
            c.metrics.insert("silent_before_s".into(), json!(silent));
            c
        })
        .collect()
}

fn network(cx: &Context<'_>) -> Option<Candidate> {
    let slow: Vec<&SplitFact> = cx.browser.iter().collect();
    if slow.is_empty() {
        return None;
    }
    let outside: Vec<&SplitFact> =
        slow.iter().copied().filter(|s| s.outside_ms >= 0.5 * s.total_ms).collect();
    if outside.is_empty() {
        return None;
    }
    let total: f64 = slow.iter().map(|s| s.total_ms).sum();
    let out_ms: f64 = slow.iter().map(|s| s.outside_ms).sum();
    let share = out_ms / total.max(1.0);
    let support = 1.0 - (-(outside.len() as f64) / 4.0).exp();
    let frac = outside.len() as f64 / slow.len() as f64;
    let spans: Vec<Span> = outside.iter().map(|s| s.span).collect();
    let mut c =
        Candidate::new("network", "browser / network", spans, "the slow browser requests".into());
    let sentence = format!(
        "Of {} slow browser requests, {} spent most of their time outside the server; {:.0}% of all their time was outside it (queueing, network, download), not in the server.",
        slow.len(),
        outside.len(),
        share * 100.0
    );
    c.direct = Some((share * support * frac, sentence));
    c.metrics.insert("slow_browser_requests".into(), json!(slow.len()));
    c.metrics.insert("outside_server_share".into(), json!(round3(share)));
    Some(c)
}

fn verbose(cx: &Context<'_>) -> Vec<Candidate> {
    cx.health
        .verbose_logging
        .iter()
        .map(|v| {
            let phrase =
                format!("verbose logging in {} ({} DEBUG/TRACE entries)", v.source, v.entries);
            let mut c = Candidate::new("verbose-logging", v.source.clone(), vec![v.span], phrase);
            c.metrics.insert("verbose_entries".into(), json!(v.entries));
            c
        })
        .collect()
}

/// Timeline items for suspects with a confidence of at least 0.2.
pub fn timeline_items(suspects: &[Suspect]) -> Vec<TimelineItem> {
    suspects
        .iter()
        .filter(|s| s.confidence >= 0.2)
        .flat_map(|s| {
            s.spans.iter().map(move |sp| TimelineItem {
                start: utc(sp.start),
                end: utc(sp.end),
                kind: "suspect",
                label: format!("#{} {} {} ({:.2})", s.rank, s.cause, s.subject, s.confidence),
                at: sp.start,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use octodiag_parsers::{Level, Timestamp};

    use super::*;
    use crate::facts::SqlFact;

    fn ts(secs: i64) -> Timestamp {
        Timestamp(secs * 1_000_000)
    }

    fn req(start: i64, end: i64) -> Req {
        Req {
            end: ts(end),
            ms: ((end - start) * 1000) as f64,
            endpoint: 0,
            source: 0,
            line: 0,
            at: (0, 0),
            status: None,
            level: Level::Info,
            local: false,
            correlation: None,
            extra: None,
        }
    }

    fn sql_at(end: i64, ms: f64, task: Option<u64>) -> SqlFact {
        SqlFact {
            time: ts(end),
            ms,
            operation: 0,
            table: None,
            component: 0,
            task: task.and_then(std::num::NonZeroU64::new),
            correlation: None,
            source: 0,
            line: 0,
            at: (0, 0),
            local: false,
        }
    }

    proptest::proptest! {
        /// Finding the requests that overlap a set of windows by binary search gives
        /// exactly what checking every request gives.
        #[test]
        fn overlapping_matches_a_full_scan(
            reqs in proptest::collection::vec((0i64..5_000, 0i64..900), 0..300),
            windows in proptest::collection::vec((0i64..6_000, 0i64..600), 0..6),
        ) {
            let reqs: Vec<Req> = reqs.into_iter().map(|(end, d)| req(end - d, end)).collect();
            let spans = SpanSet::new(windows.into_iter().map(|(a, d)| Span::new(ts(a), ts(a + d))).collect());
            let s = Symptoms::new(reqs.iter().collect(), false, Vec::new(), Vec::new());
            let fast: Vec<(i64, i64)> =
                s.overlapping(&spans).iter().map(|r| (r.start().0, r.end.0)).collect();
            let full: Vec<(i64, i64)> = s
                .slow
                .iter()
                .filter(|r| spans.overlaps(&Span::new(r.start(), r.end)))
                .map(|r| (r.start().0, r.end.0))
                .collect();
            proptest::prop_assert_eq!(fast, full);
        }

        /// The p95 outside a candidate is that of the requests it does not overlap,
        /// whether few or many overlap it.
        #[test]
        fn p95_outside_matches_a_full_scan(
            reqs in proptest::collection::vec((0i64..5_000, 0i64..900), 1..300),
            windows in proptest::collection::vec((0i64..6_000, 0i64..3000), 0..6),
        ) {
            let reqs: Vec<Req> = reqs.into_iter().map(|(end, d)| req(end - d, end)).collect();
            let spans = SpanSet::new(windows.into_iter().map(|(a, d)| Span::new(ts(a), ts(a + d))).collect());
            let s = Symptoms::new(reqs.iter().collect(), false, Vec::new(), Vec::new());
            let inside = s.overlapping(&spans);
            let mut inside_ms: Vec<f64> = inside.iter().map(|r| r.ms).collect();
            let mut outside: Vec<f64> = s
                .slow
                .iter()
                .filter(|r| !spans.overlaps(&Span::new(r.start(), r.end)))
                .map(|r| r.ms)
                .collect();
            proptest::prop_assert_eq!(
                p95_outside(&s, &inside, &mut inside_ms),
                percentile_select(&mut outside, 0.95)
            );
        }
    }

    /// Three slow statements outside any task within two minutes make a window;
    /// two, or statements of a task, do not.
    #[test]
    fn dense_sql_outside_tasks() {
        let facts = Facts {
            sql: vec![
                sql_at(0, 1500.0, None),
                sql_at(60, 1500.0, None),
                sql_at(100, 2000.0, Some(55)),
                sql_at(110, 1200.0, None),
                sql_at(1000, 1500.0, None),
                sql_at(1100, 1500.0, None),
                sql_at(2000, 500.0, None),
            ],
            ..Facts::default()
        };
        let spans = dense_untasked_sql(&facts);
        let got: Vec<(i64, i64)> = spans.iter().map(|s| (s.start.0, s.end.0)).collect();
        assert_eq!(got, vec![(-1_500_000, 110_000_000)]);
    }
}
