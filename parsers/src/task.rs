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

/// Which of the two task-log forms something was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TaskForm {
    /// On-disk `TaskLogs` JSON lines (exact UTC times).
    OnDisk,
    /// A downloaded raw task log (server-local times to the second, header fields).
    RawText,
}

impl TaskForm {
    /// Name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskForm::OnDisk => "on-disk",
            TaskForm::RawText => "raw-text",
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
    /// Which form the source is.
    pub form: TaskForm,
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
    /// `Server version:` of a raw log.
    pub server_version: Option<String>,
    /// `Related IDs:` of a raw log, split at commas (`Deployments-1`, `Projects-2`, …).
    pub related_ids: Vec<String>,
    /// The UTC offset written in a raw log's header dates, when there was one; the
    /// raw times were converted to UTC with it.
    pub offset: Option<UtcOffset>,
    /// The offset implied by a task read in both forms (raw local start minus on-disk
    /// UTC start, to the quarter hour) when the raw header wrote none; raw-only times
    /// (queued) were converted with it.
    pub pair_offset: Option<UtcOffset>,
    /// The start in server-local time from a raw log (before any conversion), kept beside
    /// the exact UTC start of the on-disk log when both forms were merged: their
    /// difference is the server's offset.
    pub local_started: Option<Timestamp>,
    /// Start as the on-disk form gives it (exact, UTC).
    pub utc_started: Option<Timestamp>,
    /// Lines per category: on-disk codes (`INF`, `VBS`, unknown codes as written) or raw
    /// level names (`Verbose`, `Info`, …), sorted by name. Verbose-heavy logs are slow to
    /// write and to load.
    pub line_counts: Vec<(String, u64)>,
    /// Size in bytes of the task's log (all on-disk parts, else the raw download).
    pub log_bytes: u64,
    /// The longest stretch without a line while the task ran (on its own clock):
    /// a task whose log stops while it runs was waiting on something, or its node hung.
    pub longest_pause: Option<(Timestamp, Timestamp)>,
}

impl Task {
    /// A task known only by its id: kind `Other`, local clock, nothing else.
    pub fn new(id: impl Into<String>) -> Task {
        Task {
            id: id.into(),
            description: String::new(),
            kind: TaskKind::Other,
            project: None,
            release: None,
            environment: None,
            tenant: None,
            status: None,
            node: None,
            clock: Clock::Local,
            queued: None,
            started: None,
            completed: None,
            steps: Vec::new(),
            waits: Vec::new(),
            retention: None,
            origins: Vec::new(),
            header: Vec::new(),
            server_version: None,
            related_ids: Vec::new(),
            offset: None,
            pair_offset: None,
            local_started: None,
            utc_started: None,
            line_counts: Vec::new(),
            log_bytes: 0,
            longest_pause: None,
        }
    }

    /// Seconds from queued to started.
    pub fn queue_s(&self) -> Option<f64> {
        Some(self.started?.secs_since(self.queued?))
    }

    /// Seconds from started to completed.
    pub fn duration_s(&self) -> Option<f64> {
        Some(self.completed?.secs_since(self.started?))
    }

    /// Whether it was read from the given form (alone or merged with the other).
    pub fn has_form(&self, form: TaskForm) -> bool {
        self.origins.iter().any(|o| o.form == form)
    }

    /// Converts every server-local time (task, steps, waits) to UTC with `offset`;
    /// does nothing when the task is already on UTC.
    pub fn convert_to_utc(&mut self, offset: UtcOffset) {
        if self.clock == Clock::Utc {
            return;
        }
        let shift = |t: &mut Option<Timestamp>| *t = t.map(|t| t.local_to_utc(offset));
        shift(&mut self.queued);
        shift(&mut self.started);
        shift(&mut self.completed);
        for step in &mut self.steps {
            step.convert_to_utc(offset);
        }
        for wait in &mut self.waits {
            wait.start = wait.start.local_to_utc(offset);
            wait.end = wait.end.local_to_utc(offset);
        }
        self.clock = Clock::Utc;
    }

    /// Total seconds spent waiting.
    pub fn wait_s(&self) -> f64 {
        self.waits.iter().map(Wait::seconds).sum()
    }

    /// Every step of the tree, depth first, with its depth (top-level steps are depth 1).
    pub fn all_steps(&self) -> Vec<(usize, &Step)> {
        let mut out = Vec::new();
        let mut stack: Vec<(usize, &Step)> = self.steps.iter().rev().map(|s| (1, s)).collect();
        while let Some((depth, step)) = stack.pop() {
            out.push((depth, step));
            stack.extend(step.children.iter().rev().map(|c| (depth + 1, c)));
        }
        out
    }
}

/// What a node of the task tree stands for, from its name and place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StepKind {
    /// A deployment-process step (`Step 2: Database`) or any other top-level node.
    Step,
    /// `Acquire packages`.
    PackageAcquisition,
    /// `Apply retention policy on Tentacles`, `Apply policy for …`.
    Retention,
    /// A deployment target or worker (a child of a step: a machine name, `Octopus Server`).
    Target,
    /// `Upload package {id} version {ver}` and other package transfers.
    Upload,
    /// Anything deeper.
    Other,
}

impl StepKind {
    /// Name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Step => "step",
            StepKind::PackageAcquisition => "package-acquisition",
            StepKind::Retention => "retention",
            StepKind::Target => "target",
            StepKind::Upload => "upload",
            StepKind::Other => "other",
        }
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
    /// What it stands for.
    pub kind: StepKind,
    /// When it was planned (on-disk `PLN`): first activity minus this is the time it
    /// waited for its turn.
    pub planned: Option<Timestamp>,
    /// The first fatal message (on-disk `FAT`, raw `Fatal`), why it failed.
    pub error: Option<String>,
}

impl Step {
    /// Seconds from started to completed.
    pub fn duration_s(&self) -> Option<f64> {
        Some(self.completed?.secs_since(self.started?))
    }

    fn convert_to_utc(&mut self, offset: UtcOffset) {
        let shift = |t: &mut Option<Timestamp>| *t = t.map(|t| t.local_to_utc(offset));
        shift(&mut self.started);
        shift(&mut self.completed);
        shift(&mut self.planned);
        for child in &mut self.children {
            child.convert_to_utc(offset);
        }
    }
}

/// What a wait was for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WaitKind {
    /// Target mutex (`This Tentacle is currently busy…`, `Waiting for the script in task…`).
    Mutex,
    /// Package acquisition.
    PackageAcquisition,
    /// Another line logged at the `Wait` level (2018.3+).
    Other,
}

impl WaitKind {
    /// Name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            WaitKind::Mutex => "mutex",
            WaitKind::PackageAcquisition => "package-acquisition",
            WaitKind::Other => "other",
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

impl Wait {
    /// Its length in seconds.
    pub fn seconds(&self) -> f64 {
        self.end.secs_since(self.start)
    }
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
