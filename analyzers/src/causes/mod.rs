//! Causes: every kind of suspected cause is one file here implementing
//! [`Detector`], the one contract: the windows it proposes (its
//! [`Candidate`]s), the evidence of the cause itself, the measurements of its
//! mechanism, and a direct score for a cause that is its own symptom.
//! Ranking and calibration live in one place, [`rank`].
//!
//! ```text
//! Context (facts + findings) ──► Detector::candidates, for every Cause ──► rank::rank ─► Vec<Suspect>
//!                                                        (measured against Symptoms)
//! ```
//!
//! Adding a cause is one new file and one line in the [`causes!`] list below,
//! which makes the [`Cause`] variant, its name and its detector together, so
//! nothing else can disagree about them.

mod rank;
mod suspect;
mod symptoms;
mod task_runs;

use std::collections::BTreeMap;

use serde_json::Value;

pub use rank::{rank, rerank};
pub use suspect::{RuledOut, Suspect};
pub use symptoms::Symptoms;

use crate::evidence::{Evidence, Quote};
use crate::facts::tasks::TaskView;
use crate::facts::Facts;
use crate::model::{Episode, HealthReport, RetentionRun, SplitFact, SqlReport, TasksReport};
use crate::stats::{merge, Span};

/// What a cause's detector reads: the facts and every analysis' findings.
pub struct Context<'a> {
    /// The inputs (their per-minute activity, for volumes).
    pub data: &'a crate::dataset::Dataset<'a>,
    /// The slow requests every candidate is measured against.
    pub symptoms: &'a Symptoms<'a>,
    /// Node identity.
    pub nodes: &'a crate::model::Nodes,
    /// The server's UTC offset.
    pub offset: octodiag_parsers::UtcOffset,
    /// Tasks in UTC.
    pub views: &'a [TaskView<'a>],
    /// Facts.
    pub facts: &'a Facts,
    /// Task findings (cap, queue episodes).
    pub tasks: &'a TasksReport,
    /// SQL findings (pressure episodes).
    pub sql: &'a SqlReport,
    /// Retention runs.
    pub retention: &'a [RetentionRun],
    /// Health.
    pub health: &'a HealthReport,
    /// Browser splits.
    pub browser: &'a [SplitFact],
    /// Episodes.
    pub episodes: &'a [Episode],
    /// Evidence of a task's first origin line.
    pub task_evidence: &'a (dyn Fn(&TaskView<'_>) -> Option<Evidence> + Sync),
    /// Evidence of the entry at an origin.
    pub quote: &'a Quote<'a>,
}

/// The contract every cause implements.
pub trait Detector: Sync {
    /// The candidates this cause proposes: each with the windows it was active,
    /// its subject, the lines that show the cause itself, how strongly the logs
    /// show its mechanism ([`Candidate::mechanism`], with what it rests on and
    /// what weakens it) and, for a cause that is its own symptom, a direct score.
    fn candidates(&self, cx: &Context<'_>) -> Vec<Candidate>;

    /// Where it stands among the causes (see [`Role`]).
    fn role(&self) -> Role {
        Role::Workload
    }
}

/// How a cause relates to the others, for [`rank`]: an effect of a stronger
/// cause becomes that cause's evidence rather than its rival.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Work that loads the server (retention, deployments, health checks,
    /// queued tasks, verbose logging): a root cause.
    Workload,
    /// A resource under strain (the database, Tentacle communication): the way
    /// a workload slows the server, so it is a cause only when no workload
    /// active at the same time explains it.
    Resource,
    /// The server itself stopped (a hang, a restart).
    Outage,
    /// Outside the server (the browser's network).
    External,
}

/// Declares every cause once: its [`Cause`] variant, its name in the report,
/// and the module and type of its [`Detector`], in the order candidates are
/// built (which breaks ties between equal scores).
macro_rules! causes {
    ($($(#[doc = $doc:literal])* $variant:ident = $name:literal => $module:ident :: $detector:ident;)*) => {
        $(mod $module;)*

        /// A kind of suspected cause.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Cause {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Cause {
            /// Every cause, in the order candidates are built.
            pub const ALL: &'static [Cause] = &[$(Cause::$variant,)*];

            /// The name used in the report (`retention`, `task-queue`…).
            pub fn name(self) -> &'static str {
                match self {
                    $(Cause::$variant => $name,)*
                }
            }

            /// Its detector.
            pub fn detector(self) -> &'static dyn Detector {
                match self {
                    $(Cause::$variant => &$module::$detector,)*
                }
            }
        }
    };
}

causes! {
    /// A retention run (`Apply retention policies`) was active.
    Retention = "retention" => retention::Retention;
    /// A project's deployments ran.
    Project = "project" => project::Project;
    /// Health-check tasks ran.
    HealthCheck = "health-check" => health_check::HealthCheck;
    /// Other system tasks ran (integrity checks, upgrades, Calamari updates, backups).
    SystemTask = "system-task" => system_task::SystemTask;
    /// A node ran at its task cap (or its peak).
    ConcurrentTasks = "concurrent-tasks" => concurrent_tasks::ConcurrentTasks;
    /// Tasks waited in the queue.
    TaskQueue = "task-queue" => task_queue::TaskQueue;
    /// Database pressure not explained by one task.
    Sql = "sql" => sql::Sql;
    /// A node wrote nothing for far longer than its rhythm.
    Unresponsive = "unresponsive" => unresponsive::Unresponsive;
    /// A node started (or restarted).
    Restart = "restart" => restart::Restart;
    /// Slow browser time was spent outside the server.
    Network = "network" => network::Network;
    /// DEBUG/TRACE logging was on.
    VerboseLogging = "verbose-logging" => verbose_logging::VerboseLogging;
    /// Communication with Tentacles and workers failed in bursts.
    Halibut = "halibut" => halibut::Halibut;
}

/// Builds every cause's candidates, in [`Cause::ALL`] order.
pub fn candidates(cx: &Context<'_>) -> Vec<Candidate> {
    Cause::ALL.iter().flat_map(|c| c.detector().candidates(cx)).collect()
}

/// The mechanism of a candidate whose detector says nothing about it.
const NO_MECHANISM: f64 = 0.0;

/// A cause before scoring.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// The cause.
    pub cause: Cause,
    /// Subject.
    pub subject: String,
    /// The node it is local to (its own verbose logging, its hang), when it is:
    /// it is then measured against that node's slow requests.
    pub node: Option<String>,
    /// Merged active spans (UTC).
    pub spans: Vec<Span>,
    /// Lines that show the cause itself.
    pub evidence: Vec<Evidence>,
    /// How the summary names it: "the 24-minute retention run (ServerTasks-2301)".
    pub phrase: String,
    /// A direct score and sentence, for causes that are their own symptom.
    pub direct: Option<(f64, String)>,
    /// How strongly the logs show the way this cause slows the server, 0 to 1
    /// (0: nothing but the coincidence in time; 1: the mechanism is in the logs).
    pub mechanism: f64,
    /// The facts the mechanism rests on, in words.
    pub rests_on: Vec<String>,
    /// What weakens it, in words (said when it is ruled out).
    pub weakness: Option<String>,
    /// The most confidence it can have: below 1 when what the logs show rules
    /// out its mechanism (a handful of DEBUG lines cannot slow a server).
    pub ceiling: f64,
    /// Measurements of its mechanism.
    pub metrics: BTreeMap<String, Value>,
}

impl Candidate {
    /// A candidate active over `spans` (merged here).
    pub fn new(
        cause: Cause,
        subject: impl Into<String>,
        spans: Vec<Span>,
        phrase: String,
    ) -> Candidate {
        Candidate {
            cause,
            subject: subject.into(),
            node: None,
            spans: merge(spans, 0.0),
            evidence: Vec::new(),
            phrase,
            direct: None,
            mechanism: NO_MECHANISM,
            rests_on: Vec::new(),
            weakness: None,
            ceiling: 1.0,
            metrics: BTreeMap::new(),
        }
    }

    /// Sets the mechanism's strength, with what it rests on.
    pub fn shown_by(&mut self, mechanism: f64, rests_on: Vec<String>) {
        self.mechanism = mechanism.clamp(0.0, 1.0);
        self.rests_on = rests_on;
    }

    /// Records a measurement.
    pub fn metric(&mut self, name: &str, value: impl Into<Value>) {
        self.metrics.insert(name.to_string(), value.into());
    }
}
