//! `system-task`: other server tasks (integrity checks, telemetry, Tentacle
//! upgrades, Calamari updates, backups) ran while requests were slow. Scored by
//! correlation alone.

use octodiag_parsers::TaskKind;

use super::{task_runs, Candidate, Cause, Context, Detector};

/// Kinds of task this cause covers.
const KINDS: [TaskKind; 4] =
    [TaskKind::System, TaskKind::Upgrade, TaskKind::UpdateCalamari, TaskKind::Backup];

/// The system-task detector.
pub struct SystemTask;

impl Detector for SystemTask {
    fn candidates(&self, cx: &Context<'_>) -> Vec<Candidate> {
        KINDS.iter().flat_map(|k| task_runs::by_description(cx, *k, Cause::SystemTask)).collect()
    }
}
