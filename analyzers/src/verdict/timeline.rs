//! The timeline: episodes, suspects, retention runs, restarts, gaps, error
//! bursts, pool pressure and task queueing, in one time order.

use crate::causes::Suspect;
use crate::model::{Episode, HealthReport, RetentionRun, RetentionSource, SqlReport, TasksReport};
use crate::stats::Span;
use crate::units::{duration, secs_text};

/// Suspects below this confidence stay off the timeline.
const SUSPECT_MIN_CONFIDENCE: f64 = 0.2;

/// What a timeline line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimelineKind {
    /// A slowness episode.
    Episode,
    /// A suspect's active span.
    Suspect,
    /// A retention run.
    Retention,
    /// A server start.
    Restart,
    /// A silent period.
    Gap,
    /// A burst of errors.
    ErrorBurst,
    /// Connection-pool pressure.
    PoolPressure,
    /// Tasks queued.
    TaskQueue,
}

impl TimelineKind {
    /// The name used in the report.
    pub fn as_str(self) -> &'static str {
        match self {
            TimelineKind::Episode => "episode",
            TimelineKind::Suspect => "suspect",
            TimelineKind::Retention => "retention",
            TimelineKind::Restart => "restart",
            TimelineKind::Gap => "gap",
            TimelineKind::ErrorBurst => "error-burst",
            TimelineKind::PoolPressure => "pool-pressure",
            TimelineKind::TaskQueue => "task-queue",
        }
    }
}

/// One line of the timeline.
#[derive(Clone, Debug)]
pub struct TimelineItem {
    /// When (start equals end for instants).
    pub span: Span,
    /// What it is.
    pub kind: TimelineKind,
    /// Its description.
    pub label: String,
}

/// What the timeline is built from.
pub struct Sources<'a> {
    /// Slowness episodes.
    pub episodes: &'a [Episode],
    /// Ranked suspects.
    pub suspects: &'a [Suspect],
    /// Retention runs.
    pub retention: &'a [RetentionRun],
    /// Health findings.
    pub health: &'a HealthReport,
    /// SQL findings.
    pub sql: &'a SqlReport,
    /// Task findings.
    pub tasks: &'a TasksReport,
}

/// Everything with a time, in time order (kinds by name at the same instant).
pub fn build(s: &Sources<'_>) -> Vec<TimelineItem> {
    let mut items = Vec::new();
    items.extend(s.episodes.iter().map(episode));
    items.extend(suspects(s.suspects));
    items.extend(s.retention.iter().filter(|r| r.source != RetentionSource::Step).map(retention));
    items.extend(health(s.health));
    items.extend(s.sql.pressure_episodes.iter().map(|p| {
        let active =
            p.max_active.map_or(String::new(), |a| format!(", up to {a} transactions active"));
        let label = format!("connection-pool pressure ({} lines{active})", p.events);
        item(p.span, TimelineKind::PoolPressure, label)
    }));
    items.extend(s.tasks.queue_episodes.iter().map(|q| {
        let label = format!("{} task(s) queued on {}", q.queued_tasks.len(), q.node);
        item(q.span, TimelineKind::TaskQueue, label)
    }));
    items.sort_by(|a, b| {
        a.span.start.cmp(&b.span.start).then_with(|| a.kind.as_str().cmp(b.kind.as_str()))
    });
    items
}

fn item(span: Span, kind: TimelineKind, label: String) -> TimelineItem {
    TimelineItem { span, kind, label }
}

fn episode(e: &Episode) -> TimelineItem {
    let p95 = e.p95_ms.map_or(String::new(), |p| format!(", p95 {}", secs_text(p)));
    let kinds: Vec<&str> = e.kinds.iter().map(|k| k.as_str()).collect();
    let label = format!("slowness: {} ({} slow requests{p95})", kinds.join(" + "), e.slow_requests);
    item(e.span, TimelineKind::Episode, label)
}

/// One item per active span of each suspect of some confidence.
fn suspects(suspects: &[Suspect]) -> Vec<TimelineItem> {
    suspects
        .iter()
        .filter(|s| s.confidence >= SUSPECT_MIN_CONFIDENCE)
        .flat_map(|s| {
            s.spans.iter().map(move |sp| {
                let label =
                    format!("#{} {} {} ({:.2})", s.rank, s.cause.name(), s.subject, s.confidence);
                item(*sp, TimelineKind::Suspect, label)
            })
        })
        .collect()
}

fn retention(r: &RetentionRun) -> TimelineItem {
    let deleted = r.releases_deleted.map_or(String::new(), |d| format!(", {d} releases deleted"));
    let id = r.task.clone().unwrap_or_default();
    let label = format!("retention run {id} ({}{deleted})", duration(r.duration_s));
    item(r.span, TimelineKind::Retention, label)
}

fn health(h: &HealthReport) -> Vec<TimelineItem> {
    let restarts = h.restarts.iter().map(|r| {
        let label = format!("{} started, version {}", r.node, r.version);
        item(Span::new(r.at, r.at), TimelineKind::Restart, label)
    });
    let gaps = h.gaps.iter().map(|g| {
        let label = format!("{} silent for {}", g.node, duration(g.duration_s));
        item(g.span, TimelineKind::Gap, label)
    });
    let bursts = h
        .error_bursts
        .iter()
        .map(|b| item(b.span, TimelineKind::ErrorBurst, format!("{} errors", b.errors)));
    restarts.chain(gaps).chain(bursts).collect()
}
