//! `concurrent-tasks`: a node ran at its task cap (or, below the cap, at its
//! peak of three or more tasks) while requests were slow. Scored by correlation.

use std::collections::BTreeMap;

use super::{Candidate, Cause, Context, Detector};
use crate::facts::tasks::{running_over_time, spans_at_or_above, TaskView};
use crate::stats::total_secs;
use crate::units::duration;

/// Fewer tasks at once than this is not concurrency worth a suspect.
const MIN_CONCURRENT: u32 = 3;

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
                c.metric("max_running", max);
                c.metric("threshold", level);
                c.metric("task_cap", cap);
                Some(c)
            })
            .collect()
    }
}
