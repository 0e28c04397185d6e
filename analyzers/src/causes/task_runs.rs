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
/// A slow run this many times longer than the task's other runs is the
/// exception that explains the slowness…
const LONG_RUN_FACTOR: f64 = 3.0;
/// …and shows this much.
const LONG_RUN_MECHANISM: f64 = 0.8;

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
    let slow: Vec<&Span> = runs.iter().filter(|s| cx.symptoms.elevated(**s, baseline)).collect();
    let share = slow.len() as f64 / runs.len().max(1) as f64;
    let mut m = if runs.len() == 1 { share * SINGLE_RUN_MAX } else { share };
    let n = (slow.len(), runs.len());
    let mut rests =
        vec![format!("{} of its {} run(s) were slower than the time outside them", n.0, n.1)];
    let longest = slow.iter().map(|s| (*s, long_run(s, runs))).max_by(|a, b| a.1.total_cmp(&b.1));
    match longest {
        Some((run, factor)) if factor >= LONG_RUN_FACTOR => {
            rests.push(format!(
                "its run from {} took {}, {factor:.0}× the median of its other runs",
                crate::units::utc(run.start),
                duration(run.secs())
            ));
            m = m.max(LONG_RUN_MECHANISM);
        }
        _ if n.0 <= 1 && n.1 > 1 => {
            c.weakness = Some(format!("only {} of its {} runs coincided with slowness", n.0, n.1));
        }
        _ => {}
    }
    c.shown_by(m, rests);
}

/// How many times longer `run` was than the median of the other runs (0 without others).
fn long_run(run: &Span, runs: &[Span]) -> f64 {
    let mut others: Vec<f64> = runs.iter().filter(|r| *r != run).map(Span::secs).collect();
    if others.is_empty() {
        return 0.0;
    }
    others.sort_by(f64::total_cmp);
    run.secs() / others[others.len() / 2].max(1.0)
}
