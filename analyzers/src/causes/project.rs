//! `project`: one project's deployments ran while requests were slow. Scored
//! by correlation.

use super::{Candidate, Cause, Context, Detector};
use crate::facts::tasks::deployments_by_project;
use crate::stats::{merge, total_secs, Span};
use crate::units::duration;

/// The project detector.
pub struct Project;

impl Detector for Project {
    fn candidates(&self, cx: &Context<'_>) -> Vec<Candidate> {
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
                    duration(total_secs(&merge(spans.clone(), 0.0)))
                );
                let mut c = Candidate::new(Cause::Project, project, spans, phrase);
                c.evidence = vs.iter().filter_map(|v| (cx.task_evidence)(v)).collect();
                c.metric("deployments", vs.len());
                Some(c)
            })
            .collect()
    }
}
