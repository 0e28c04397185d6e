//! `retention`: the server's retention runs (`Apply retention policies`, or
//! runs inferred from `ApplyRetentionPoliciesTaskController` SQL) were active
//! while requests were slow. Scored by correlation.

use octodiag_parsers::TaskKind;

use super::{Candidate, Cause, Context, Detector};
use crate::model::{RetentionRun, RetentionSource};
use crate::stats::{merge, total_secs, Span};
use crate::units::{duration, duration_adjective};

/// The retention detector.
pub struct Retention;

impl Detector for Retention {
    fn candidates(&self, cx: &Context<'_>) -> Vec<Candidate> {
        let runs: Vec<&RetentionRun> =
            cx.retention.iter().filter(|r| r.source != RetentionSource::Step).collect();
        let Some(first) = runs.first() else { return Vec::new() };
        let spans: Vec<Span> = runs.iter().map(|r| r.span).collect();
        let ids: Vec<String> = runs.iter().filter_map(|r| r.task.clone()).collect();
        let phrase = if runs.len() == 1 {
            format!("the {} retention run ({})", duration_adjective(first.span.secs()), ids.join(", "))
        } else {
            format!(
                "the {} retention runs ({} in all)",
                runs.len(),
                duration(total_secs(&merge(spans.clone(), 0.0)))
            )
        };
        let mut c = Candidate::new(Cause::Retention, "Apply retention policies", spans, phrase);
        c.evidence = cx
            .views
            .iter()
            .filter(|v| v.task.kind == TaskKind::Retention)
            .filter_map(|v| (cx.task_evidence)(v))
            .collect();
        let deleted: u32 = runs.iter().filter_map(|r| r.releases_deleted).sum();
        c.metric("runs", runs.len());
        c.metric("releases_deleted", deleted);
        c.metric("tasks", ids);
        vec![c]
    }
}
