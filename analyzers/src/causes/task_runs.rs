//! Candidates made of the runs of one kind of task, one per description
//! (`Check target health for Default Machine Policy`…): shared by the causes
//! that are a kind of server task.
//!
//! Mechanism: such a task is the cause when its runs, one after another,
//! coincide with slowness; a single run that happened to overlap a slow
//! minute is a coincidence until another run repeats it.

use std::collections::BTreeMap;

use octodiag_parsers::TaskKind;

use super::{Candidate, Cause, Context};
use crate::facts::tasks::TaskView;
use crate::stats::{merge, total_secs, Span};
use crate::units::duration;

/// One run alone shows at most this much.
const SINGLE_RUN_MAX: f64 = 0.4;

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
            let mut c = Candidate::new(cause, desc, spans.clone(), phrase);
            c.evidence = vs.iter().filter_map(|v| (cx.task_evidence)(v)).collect();
            c.metric("runs", vs.len());
            consistency(&mut c, cx, &spans);
            Some(c)
        })
        .collect()
}

/// How many of the runs were slower than the time outside them.
fn consistency(c: &mut Candidate, cx: &Context<'_>, runs: &[Span]) {
    let baseline = cx.symptoms.rate_outside(runs);
    let slow = runs.iter().filter(|s| cx.symptoms.elevated(**s, baseline)).count();
    let share = slow as f64 / runs.len().max(1) as f64;
    let m = if runs.len() == 1 { share * SINGLE_RUN_MAX } else { share };
    let rests =
        vec![format!("{slow} of its {} run(s) were slower than the time outside them", runs.len())];
    if slow <= 1 && runs.len() > 1 {
        c.weakness =
            Some(format!("only {slow} of its {} runs coincided with slowness", runs.len()));
    }
    c.shown_by(m, rests);
}
