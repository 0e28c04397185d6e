//! Wire types of the suspects, the timeline and the answers.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;

use super::{Evidence, Utc};
use crate::{causes, verdict};

/// A ranked suspected cause.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Suspect {
    /// 1 = most likely.
    pub rank: usize,
    /// The cause (`retention`, `project`, `task-queue`, …).
    pub cause: String,
    /// What exactly (a project's name, a task's description, a node…).
    pub subject: String,
    /// First start.
    pub start: Utc,
    /// Last end.
    pub end: Utc,
    /// 0 to 1.
    pub confidence: f64,
    /// One sentence with the numbers, ready to paste.
    pub summary: String,
    /// The measurements behind the confidence.
    pub metrics: BTreeMap<String, serde_json::Value>,
    /// The lines that prove it.
    pub evidence: Vec<Evidence>,
    /// What it rests on, in words: its mechanism, and the effects it absorbed.
    pub rests_on: Vec<String>,
    /// What speaks against it.
    pub against: Option<String>,
    /// The alternatives it beat, and why they rank below it.
    pub ruled_out: Vec<RuledOut>,
}

/// An alternative a suspect beat.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuledOut {
    /// Its cause.
    pub cause: String,
    /// Its subject.
    pub subject: String,
    /// Its confidence.
    pub confidence: f64,
    /// Why it ranks below.
    pub why: String,
}

impl Suspect {
    /// The wire form of a suspect.
    pub fn of(s: &causes::Suspect) -> Suspect {
        let span = s.span();
        Suspect {
            rank: s.rank,
            cause: s.cause.name().into(),
            subject: s.subject.clone(),
            start: span.start.into(),
            end: span.end.into(),
            confidence: s.confidence,
            summary: s.summary.clone(),
            metrics: s.metrics.clone(),
            evidence: s.evidence.iter().map(Evidence::of).collect(),
            rests_on: s.rests_on.clone(),
            against: s.against.clone(),
            ruled_out: s
                .ruled_out
                .iter()
                .map(|r| RuledOut {
                    cause: r.cause.name().into(),
                    subject: r.subject.clone(),
                    confidence: r.confidence,
                    why: r.why.clone(),
                })
                .collect(),
        }
    }
}

/// One line of the timeline.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimelineItem {
    /// Start.
    pub start: Utc,
    /// End, equal to start for instants.
    pub end: Utc,
    /// `episode`, `suspect`, `retention`, `restart`, `gap`, `error-burst`, `pool-pressure`, `task-queue`.
    pub kind: String,
    /// What it is.
    pub label: String,
}

impl TimelineItem {
    /// The wire form of a timeline line.
    pub fn of(t: &verdict::TimelineItem) -> TimelineItem {
        TimelineItem {
            start: t.span.start.into(),
            end: t.span.end.into(),
            kind: t.kind.as_str().into(),
            label: t.label.clone(),
        }
    }
}

/// The support questionnaire's answers.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Answers {
    /// HA cluster or single node, and which nodes.
    pub ha_cluster: String,
    /// Nodes seen.
    pub nodes: Vec<String>,
    /// Server versions seen.
    pub server_versions: Vec<String>,
    /// Projects seen (in task logs and API URLs).
    pub projects: String,
    /// Deployment targets seen in task logs.
    pub machines: String,
    /// Users.
    pub users: String,
    /// Most deployments running at once.
    pub concurrent_deployments: String,
    /// Does slowness correlate with certain projects' deployments?
    pub slowness_and_projects: String,
    /// With other server tasks such as retention?
    pub slowness_and_server_tasks: String,
    /// Did the server become unresponsive?
    pub unresponsive: String,
    /// Did it recover without a restart?
    pub recovered_without_restart: String,
    /// What each answer rests on, by the answer's name.
    pub rests_on: BTreeMap<String, Vec<String>>,
}

impl Answers {
    /// The wire form of the answers.
    pub fn of(a: &verdict::Answers) -> Answers {
        Answers {
            ha_cluster: a.ha_cluster.clone(),
            nodes: a.nodes.clone(),
            server_versions: a.server_versions.clone(),
            projects: a.projects.clone(),
            machines: a.machines.clone(),
            users: a.users.clone(),
            concurrent_deployments: a.concurrent_deployments.clone(),
            slowness_and_projects: a.slowness_and_projects.clone(),
            slowness_and_server_tasks: a.slowness_and_server_tasks.clone(),
            unresponsive: a.unresponsive.clone(),
            recovered_without_restart: a.recovered_without_restart.clone(),
            rests_on: a.rests_on.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
        }
    }
}
