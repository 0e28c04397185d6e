//! `concurrent-tasks`: a node ran at its task cap (or, below the cap, at its
//! peak of three or more tasks) while requests were slow. Scored by correlation.

use std::collections::BTreeMap;

use super::{Candidate, Cause, Context, Detector};
use crate::facts::tasks::{running_over_time, spans_at_or_above, TaskView};
use crate::stats::total_secs;
use crate::units::duration;

/// Fewer tasks at once than this is not concurrency worth a suspect.
const MIN_CONCURRENT: u32 = 3;
/// At its cap, a node runs all the work it can: this much mechanism…
const AT_CAP: f64 = 0.8;
/// …and all of it when tasks queued behind the cap.
const QUEUED_BONUS: f64 = 0.2;
/// Below the cap, the share of the cap in use counts this much.
const BELOW_CAP_WEIGHT: f64 = 0.3;

/// The concurrent-tasks detector.
pub struct ConcurrentTasks;

impl Detector for ConcurrentTasks {
    fn candidates(&self, cx: &Context<'_>) -> Vec<Candidate> {
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
                if level < MIN_CONCURRENT {
                    return None;
                }
                let spans = spans_at_or_above(&steps, level);
                let phrase = format!(
                    "the {} when {node} ran {level} or more tasks at once",
                    duration(total_secs(&spans))
                );
                let mut c = Candidate::new(Cause::ConcurrentTasks, node, spans, phrase);
                mechanism(&mut c, cx, node, max, cap);
                c.metric("max_running", max);
                c.metric("threshold", level);
                c.metric("task_cap", cap);
                Some(c)
            })
            .collect()
    }
}

/// At the cap (with tasks queued behind it) the concurrency is the mechanism;
/// below it, running several tasks is ordinary.
fn mechanism(c: &mut Candidate, cx: &Context<'_>, node: &str, max: u32, cap: u32) {
    let queued = cx.tasks.queue_episodes.iter().filter(|q| q.node == node && q.at_cap).count();
    if max >= cap {
        let mut rests = vec![format!("{node} ran {max} tasks at once, its cap being {cap}")];
        if queued > 0 {
            rests.push(format!("tasks queued behind the cap {queued} time(s)"));
        }
        c.shown_by(AT_CAP + if queued > 0 { QUEUED_BONUS } else { 0.0 }, rests);
    } else {
        let rests = vec![format!("{node} ran at most {max} tasks at once, below its cap of {cap}")];
        c.shown_by(BELOW_CAP_WEIGHT * f64::from(max) / f64::from(cap.max(1)), rests);
        c.weakness = Some(format!("it ran at most {max} of {cap} tasks at once: below its cap"));
    }
}
