//! `project`: one project's deployments slowed the server.
//!
//! Mechanism: a project is the cause only when its deployments explain
//! slowness that other projects' deployments do not: its runs, one after
//! another, coincide with slowness, and other projects' deployments, at other
//! times or at the same time, run with far fewer slow requests. Heavy task
//! logs (a huge variable set, verbose scripts) are how one project's
//! deployments load the server more than others'. When many tasks run at once,
//! the cause is the concurrency, and this says so.

use std::collections::BTreeMap;

use octodiag_parsers::TaskKind;

use super::{Candidate, Cause, Context, Detector};
use crate::facts::tasks::{by_node, deployments_by_project, running_over_time, spans_at_or_above, TaskView};
use crate::stats::{merge, overlap_total, total_secs, Span};
use crate::units::duration;

/// Other deployments must have run this long (seconds) to compare against.
const MIN_COMPARISON_SECS: f64 = 300.0;
/// This many times the slow-request rate of other deployments shows the project fully.
const FULL_SPECIFICITY: f64 = 4.0;
/// Below this, other deployments were about as slow: the project is not specific.
const SPECIFIC_LIFT: f64 = 1.5;
/// With nothing to compare against, the consistency of its runs counts this much.
const UNCOMPARED_WEIGHT: f64 = 0.5;
/// When this share of its deployments' time or more ran at the task cap, the
/// concurrency explains the slowness as well as the project does.
const CROWDED_SHARE: f64 = 0.5;
/// Task logs this many times heavier (bytes a minute) than other projects' add…
const HEAVY_LOG_FACTOR: f64 = 3.0;
/// …this much mechanism.
const HEAVY_LOG_BONUS: f64 = 0.2;

/// The project detector.
pub struct Project;

impl Detector for Project {
    fn candidates(&self, cx: &Context<'_>) -> Vec<Candidate> {
        let all = deployments_by_project(cx.views);
        all.iter()
            .filter_map(|(project, vs)| {
                let spans: Vec<Span> = vs.iter().filter_map(|v| v.span()).collect();
                if spans.is_empty() {
                    return None;
                }
                let total = duration(total_secs(&merge(spans.clone(), 0.0)));
                let phrase = format!("{project}'s {} deployment(s) ({total} in all)", vs.len());
                let mut c = Candidate::new(Cause::Project, project.clone(), spans, phrase);
                c.evidence = vs.iter().filter_map(|v| (cx.task_evidence)(v)).collect();
                c.metric("deployments", vs.len());
                mechanism(&mut c, cx, project, vs, &all);
                Some(c)
            })
            .collect()
    }
}

/// Consistency across its runs, specificity against other projects' deployments,
/// and the weight of its task logs.
fn mechanism(
    c: &mut Candidate,
    cx: &Context<'_>,
    project: &str,
    runs: &[&TaskView<'_>],
    all: &BTreeMap<String, Vec<&TaskView<'_>>>,
) {
    let baseline = cx.symptoms.rate_outside(&c.spans);
    let slow_runs =
        runs.iter().filter_map(|v| v.span()).filter(|s| cx.symptoms.elevated(*s, baseline)).count();
    let consistency = slow_runs as f64 / runs.len().max(1) as f64;
    let mut rests = vec![format!("{slow_runs} of its {} deployment(s) were slower than the time outside them", runs.len())];
    let others: Vec<Span> = all
        .iter()
        .filter(|(p, _)| p.as_str() != project)
        .flat_map(|(_, vs)| vs.iter().filter_map(|v| v.span()))
        .collect();
    let outside = subtract(&merge(others, 0.0), &c.spans);
    let (n_in, secs_in) = cx.symptoms.rate_in(&c.spans);
    let (n_out, secs_out) = cx.symptoms.rate_in(&outside);
    let mut m = if secs_out >= MIN_COMPARISON_SECS {
        let lift = (n_in as f64 / secs_in.max(60.0)) / ((n_out as f64 + 1.0) / secs_out.max(60.0));
        c.metric("lift_over_other_deployments", (lift * 100.0).round() / 100.0);
        if lift < SPECIFIC_LIFT {
            c.weakness = Some(format!(
                "other projects' deployments were about as slow ({lift:.1}× the slow-request rate of theirs)"
            ));
        } else {
            rests.push(format!("{lift:.1}× the slow-request rate of other projects' deployments"));
        }
        consistency * ((lift - 1.0) / (FULL_SPECIFICITY - 1.0)).clamp(0.0, 1.0)
    } else {
        rests.push("no other project's deployments to compare with".into());
        consistency * UNCOMPARED_WEIGHT
    };
    let crowded = crowded_share(cx, &c.spans);
    if crowded >= CROWDED_SHARE {
        c.weakness = Some(format!(
            "{:.0}% of its deployments' time ran while the node was at its task cap of {}: the concurrency explains the slowness, not this project",
            crowded * 100.0,
            cx.tasks.task_cap
        ));
        m *= 1.0 - crowded;
    }
    if let Some(factor) = log_weight(project, all) {
        if factor >= HEAVY_LOG_FACTOR {
            rests.push(format!("its task logs are {factor:.0}× heavier a minute than other projects'"));
            m += HEAVY_LOG_BONUS;
        }
    }
    c.shown_by(m, rests);
}

/// The share of `spans` during which a node ran at its task cap, or tasks queued at it.
fn crowded_share(cx: &Context<'_>, spans: &[Span]) -> f64 {
    let cap = cx.tasks.task_cap;
    let mut crowded: Vec<Span> = Vec::new();
    for vs in by_node(cx.views).values() {
        crowded.extend(spans_at_or_above(&running_over_time(vs), cap));
    }
    crowded.extend(cx.tasks.queue_episodes.iter().filter(|q| q.at_cap).map(|q| q.span));
    overlap_total(&merge(crowded, 0.0), spans) / total_secs(spans).max(1.0)
}

/// `spans` less the parts inside `minus`.
fn subtract(spans: &[Span], minus: &[Span]) -> Vec<Span> {
    let mut out = Vec::new();
    for s in spans {
        let mut cur = s.start;
        for m in minus.iter().filter(|m| m.end > s.start && m.start < s.end) {
            if m.start > cur {
                out.push(Span::new(cur, m.start));
            }
            cur = cur.max(m.end);
        }
        if cur < s.end {
            out.push(Span::new(cur, s.end));
        }
    }
    out
}

/// Task-log bytes per minute of running of this project's deployments, over other projects'.
fn log_weight(project: &str, all: &BTreeMap<String, Vec<&TaskView<'_>>>) -> Option<f64> {
    let rate = |vs: &mut dyn Iterator<Item = &&TaskView<'_>>| {
        let (bytes, secs) = vs
            .filter(|v| matches!(v.task.kind, TaskKind::Deploy | TaskKind::RunbookRun))
            .filter_map(|v| Some((v.task.log_bytes as f64, v.span()?.secs())))
            .fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
        (secs > 0.0 && bytes > 0.0).then(|| bytes / secs)
    };
    let mine = rate(&mut all.get(project)?.iter())?;
    let theirs = rate(&mut all.iter().filter(|(p, _)| p.as_str() != project).flat_map(|(_, v)| v.iter()))?;
    Some(mine / theirs)
}

#[cfg(test)]
mod tests {
    use octodiag_parsers::Timestamp;

    use super::*;

    fn sp(a: i64, b: i64) -> Span {
        Span::new(Timestamp(a * 1_000_000), Timestamp(b * 1_000_000))
    }

    #[test]
    fn subtracting_spans() {
        assert_eq!(subtract(&[sp(0, 100)], &[sp(10, 20), sp(50, 60)]), vec![sp(0, 10), sp(20, 50), sp(60, 100)]);
        assert_eq!(subtract(&[sp(0, 100)], &[sp(0, 100)]), vec![]);
        assert_eq!(subtract(&[sp(0, 10)], &[sp(20, 30)]), vec![sp(0, 10)]);
    }
}
