//! The task model: one [`Task`] per Octopus server task, whichever log form it
//! was read from (on-disk JSON lines or downloaded raw text), with a tree of
//! [`Step`]s and the time spent waiting.
//!
//! Times are stored with the [`Clock`] they were read on: on-disk logs are UTC,
//! raw text is the server's local time unless its header carries an offset.

use crate::event::SourceId;
use crate::time::{Clock, Timestamp, UtcOffset};

/// What sort of task it is; drives which analyses look at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TaskKind {
    /// A deployment (`Deploy {project} release {ver} to {env}`).
    Deploy,
    /// A runbook run.
    RunbookRun,
    /// `Apply retention policies`.
    Retention,
    /// `Check target health for …` / health checks.
    Health,
    /// Tentacle upgrade.
    Upgrade,
    /// Calamari update.
    UpdateCalamari,
    /// Database backup (3.x).
    Backup,
    /// Ad-hoc script.
    AdHocScript,
    /// Another recurring system task (§4.2: telemetry, integrity check, …).
    System,
    /// Anything else.
    Other,
}

impl TaskKind {
    /// Name used in JSON and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskKind::Deploy => "Deploy",
            TaskKind::RunbookRun => "RunbookRun",
            TaskKind::Retention => "Retention",
            TaskKind::Health => "Health",
            TaskKind::Upgrade => "Upgrade",
            TaskKind::UpdateCalamari => "UpdateCalamari",
            TaskKind::Backup => "Backup",
            TaskKind::AdHocScript => "AdHocScript",
            TaskKind::System => "System",
            TaskKind::Other => "Other",
        }
    }
}

/// Where a task (or a step) was read from, for evidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskOrigin {
    /// Source index.
    pub source: SourceId,
    /// 1-based line.
    pub line: u64,
}

/// One server task.
#[derive(Clone, Debug)]
pub struct Task {
    /// `ServerTasks-N`.
    pub id: String,
    /// The root node's name / task description.
    pub description: String,
    /// Classified kind.
    pub kind: TaskKind,
    /// Project name, when the description or Related IDs give it.
    pub project: Option<String>,
    /// Release version.
    pub release: Option<String>,
    /// Environment name.
    pub environment: Option<String>,
    /// Tenant name.
    pub tenant: Option<String>,
    /// Final status (`Success`, `Failed`, `Canceled`, …) when known.
    pub status: Option<String>,
    /// Server node that ran it, when known.
    pub node: Option<String>,
    /// Clock of all times below.
    pub clock: Clock,
    /// Queued at.
    pub queued: Option<Timestamp>,
    /// Started at.
    pub started: Option<Timestamp>,
    /// Completed at.
    pub completed: Option<Timestamp>,
    /// Top-level steps.
    pub steps: Vec<Step>,
    /// Periods spent waiting (target mutex, package acquisition).
    pub waits: Vec<Wait>,
    /// Retention detail, for retention tasks and retention steps.
    pub retention: Option<RetentionStats>,
    /// Where it was read from (both forms when merged).
    pub origins: Vec<TaskOrigin>,
    /// Header fields of a raw log, in order, as written.
    pub header: Vec<(String, String)>,
    /// The UTC offset written in a raw log's header dates, when there was one.
    pub offset: Option<UtcOffset>,
    /// The start in server-local time from a raw log, kept beside the exact UTC start of
    /// the on-disk log when both forms were merged: their difference is the server's offset.
    pub local_started: Option<Timestamp>,
}

impl Task {
    /// Seconds from queued to started.
    pub fn queue_s(&self) -> Option<f64> {
        Some(self.started?.secs_since(self.queued?))
    }

    /// Seconds from started to completed.
    pub fn duration_s(&self) -> Option<f64> {
        Some(self.completed?.secs_since(self.started?))
    }
}

/// A node of the task tree: a step, a target, a package upload, …
#[derive(Clone, Debug)]
pub struct Step {
    /// Its name as logged (`Step 2: Database`, a machine name, …).
    pub name: String,
    /// Status (`Success`, `Failed`, `Skipped`, `Abandoned`, `Running`, …).
    pub status: Option<String>,
    /// First activity.
    pub started: Option<Timestamp>,
    /// FIN/ABN or last activity.
    pub completed: Option<Timestamp>,
    /// Children.
    pub children: Vec<Step>,
}

impl Step {
    /// Seconds from started to completed.
    pub fn duration_s(&self) -> Option<f64> {
        Some(self.completed?.secs_since(self.started?))
    }
}

/// What a wait was for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WaitKind {
    /// Target mutex (`This Tentacle is currently busy…`, `Waiting for the script in task…`).
    Mutex,
    /// Package acquisition.
    PackageAcquisition,
}

impl WaitKind {
    /// Name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            WaitKind::Mutex => "mutex",
            WaitKind::PackageAcquisition => "package-acquisition",
        }
    }
}

/// A period a task spent waiting.
#[derive(Clone, Debug)]
pub struct Wait {
    /// What for.
    pub kind: WaitKind,
    /// The step path it happened in.
    pub step: String,
    /// Start.
    pub start: Timestamp,
    /// End.
    pub end: Timestamp,
}

/// What a retention run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RetentionStats {
    /// `Delete release …` lines / releases decided "it will be deleted".
    pub releases_deleted: u32,
    /// Releases decided "it will be kept".
    pub releases_kept: u32,
    /// `Apply policy for …` sections (projects/channels processed).
    pub policies_applied: u32,
}
