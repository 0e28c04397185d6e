//! Candidates made of the runs of one kind of task, one per description
//! (`Check target health for Default Machine Policy`…): shared by the causes
//! that are a kind of server task.

use std::collections::BTreeMap;

use octodiag_parsers::TaskKind;

use super::{Candidate, Cause, Context};
use crate::facts::tasks::TaskView;
use crate::stats::{merge, total_secs, Span};
use crate::units::duration;

/// One candidate per description among the tasks of `kind`.
pub fn by_description(cx: &Context<'_>, kind: TaskKind, cause: Cause) -> Vec<Candidate> {
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
                duration(total_secs(&merge(spans.clone(), 0.0)))
            );
            let mut c = Candidate::new(cause, desc, spans, phrase);
            c.evidence = vs.iter().filter_map(|v| (cx.task_evidence)(v)).collect();
            c.metric("runs", vs.len());
            Some(c)
        })
        .collect()
}
