//! `health-check`: health-check tasks (`Check target health for …`) ran while
//! requests were slow. Scored by correlation alone.

use octodiag_parsers::TaskKind;

use super::{task_runs, Candidate, Cause, Context, Detector};

/// The health-check detector.
pub struct HealthCheck;

impl Detector for HealthCheck {
    fn candidates(&self, cx: &Context<'_>) -> Vec<Candidate> {
        task_runs::by_description(cx, TaskKind::Health, Cause::HealthCheck)
    }
}
