//! `task-queue`: tasks waited in the queue (30 s or more). Queued deployments
//! are slowness users feel directly, so the cause is its own symptom and is
//! scored directly: from whether the node ran at its cap, how many tasks
//! waited and how long.

use std::collections::BTreeMap;

use super::{Candidate, Cause, Context, Detector};
use crate::model::QueueEpisode;
use crate::stats::{merge, total_secs, Span};
use crate::units::duration;

/// Direct score when the node ran at its cap while tasks waited…
const AT_CAP_BASE: f64 = 0.55;
/// …and when it did not (tasks waited for another reason: a mutex, a stall).
const BELOW_CAP_BASE: f64 = 0.3;
/// Added at most for many tasks waiting long.
const QUEUE_WEIGHT: f64 = 0.4;
/// This many waiting tasks count fully…
const FULL_QUEUE_TASKS: f64 = 5.0;
/// …and so does a wait this long (seconds).
const FULL_QUEUE_SECS: f64 = 600.0;
/// A direct score never claims more than this.
const MAX_DIRECT: f64 = 0.95;

/// The task-queue detector.
pub struct TaskQueue;

impl Detector for TaskQueue {
    fn candidates(&self, cx: &Context<'_>) -> Vec<Candidate> {
        let mut by_node: BTreeMap<&str, Vec<&QueueEpisode>> = BTreeMap::new();
        for q in &cx.tasks.queue_episodes {
            by_node.entry(q.node.as_str()).or_default().push(q);
        }
        by_node.into_iter().map(|(node, qs)| candidate(cx, node, &qs)).collect()
    }
}

fn candidate(cx: &Context<'_>, node: &str, qs: &[&QueueEpisode]) -> Candidate {
    let spans: Vec<Span> = qs.iter().map(|q| q.span).collect();
    let queued: usize = qs.iter().map(|q| q.queued_tasks.len()).sum();
    let max_q = qs.iter().map(|q| q.max_queue_s).fold(0.0, f64::max);
    let at_cap = qs.iter().any(|q| q.at_cap);
    let phrase = format!(
        "the {} when tasks queued on {node}",
        duration(total_secs(&merge(spans.clone(), 0.0)))
    );
    let mut c = Candidate::new(Cause::TaskQueue, node, spans, phrase);
    let base = if at_cap { AT_CAP_BASE } else { BELOW_CAP_BASE };
    let fill = (queued as f64 / FULL_QUEUE_TASKS).min(1.0) * (max_q / FULL_QUEUE_SECS).min(1.0);
    let cap_text = if at_cap {
        format!(" while the node ran at its task cap of {}", cx.tasks.task_cap)
    } else {
        String::new()
    };
    let sentence = format!(
        "{queued} task(s) waited in the queue on {node}{cap_text}, up to {}; queued deployments are slowness users feel directly.",
        duration(max_q)
    );
    c.direct = Some(((base + QUEUE_WEIGHT * fill).min(MAX_DIRECT), sentence.clone()));
    let mut rests = vec![format!("{queued} task(s) waited in the queue, up to {}", duration(max_q))];
    if at_cap {
        rests.push(format!("{node} ran at its task cap of {} meanwhile", cx.tasks.task_cap));
    } else {
        c.weakness = Some("the node was below its task cap while tasks waited".into());
    }
    c.shown_by(if at_cap { 1.0 } else { BELOW_CAP_BASE }, rests);
    c.metric("queued_tasks", queued);
    c.metric("max_queue_s", max_q);
    c.metric("at_cap", at_cap);
    c.evidence = cx
        .views
        .iter()
        .filter(|v| qs.iter().any(|q| q.queued_tasks.contains(&v.task.id)))
        .filter_map(|v| (cx.task_evidence)(v))
        .collect();
    c
}
