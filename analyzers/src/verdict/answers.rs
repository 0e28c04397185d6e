//! The support questionnaire from Octopus' performance guide, answered as far
//! as the logs allow; "unknown from these logs" where they do not.

use std::collections::{BTreeMap, BTreeSet};

use octodiag_parsers::TaskKind;

use crate::causes::{Cause, Suspect};
use crate::facts::tasks::{running_over_time, TaskView};
use crate::facts::Facts;
use crate::model::{HealthReport, Nodes, TasksReport};
use crate::units::{duration, utc};

/// Said where the logs cannot tell.
pub const UNKNOWN: &str = "unknown from these logs";

/// The answers.
#[derive(Clone, Debug)]
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
    pub rests_on: BTreeMap<&'static str, Vec<String>>,
}

/// Answers the questionnaire.
pub fn answer(
    facts: &Facts,
    views: &[TaskView<'_>],
    node_ids: &Nodes,
    tasks: &TasksReport,
    health: &HealthReport,
    suspects: &[Suspect],
) -> Answers {
    let nodes = node_ids.names();
    let ha_cluster = match (nodes.len(), node_ids.ha) {
        (0, _) => UNKNOWN.to_string(),
        (n, true) => format!("HA cluster: {n} nodes ({})", nodes.join(", ")),
        (_, false) => format!("single node ({})", nodes.join(", ")),
    };
    let mut rests_on = BTreeMap::new();
    rests_on.insert("ha_cluster", node_ids.rests_on.clone());
    rests_on.insert("unresponsive", unresponsive_basis(health));
    let mut versions: Vec<String> = facts.versions.clone();
    for v in views {
        if let Some((_, ver)) = v.task.header.iter().find(|(k, _)| k == "Server version") {
            if !versions.contains(ver) {
                versions.push(ver.clone());
            }
        }
    }
    Answers {
        ha_cluster,
        nodes,
        server_versions: versions,
        projects: projects(facts, views),
        machines: machines(views),
        users: UNKNOWN.to_string(),
        concurrent_deployments: concurrent_deployments(views, tasks),
        slowness_and_projects: correlated(suspects, &[Cause::Project]),
        slowness_and_server_tasks: correlated(
            suspects,
            &[
                Cause::Retention,
                Cause::HealthCheck,
                Cause::SystemTask,
                Cause::ConcurrentTasks,
                Cause::TaskQueue,
            ],
        ),
        unresponsive: unresponsive(health),
        recovered_without_restart: recovered(health),
        rests_on,
    }
}

fn projects(facts: &Facts, views: &[TaskView<'_>]) -> String {
    let named: BTreeSet<&str> = views.iter().filter_map(|v| v.task.project.as_deref()).collect();
    let ids = &facts.project_ids;
    if named.is_empty() && ids.is_empty() {
        return UNKNOWN.to_string();
    }
    let mut parts = Vec::new();
    if !named.is_empty() {
        parts.push(format!(
            "{} deployed in the task logs ({})",
            named.len(),
            named.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    if !ids.is_empty() {
        parts.push(format!("{} project ids in request URLs", ids.len()));
    }
    format!("at least {}", parts.join("; "))
}

fn machines(views: &[TaskView<'_>]) -> String {
    let mut set: BTreeSet<&str> = BTreeSet::new();
    for v in views.iter().filter(|v| v.task.kind == TaskKind::Deploy) {
        for step in &v.task.steps {
            for target in &step.children {
                if !target.name.contains(':')
                    && !target.name.starts_with("Upload")
                    && !target.name.starts_with("Acquire")
                {
                    set.insert(&target.name);
                }
            }
        }
    }
    if set.is_empty() {
        UNKNOWN.to_string()
    } else {
        format!(
            "at least {} deployment targets ({})",
            set.len(),
            set.into_iter().collect::<Vec<_>>().join(", ")
        )
    }
}

fn concurrent_deployments(views: &[TaskView<'_>], tasks: &TasksReport) -> String {
    let deploys: Vec<&TaskView<'_>> =
        views.iter().filter(|v| v.task.kind == TaskKind::Deploy).collect();
    if deploys.is_empty() {
        return UNKNOWN.to_string();
    }
    let steps = running_over_time(&deploys);
    let max = steps.iter().map(|s| s.1).max().unwrap_or(0);
    let all = tasks.concurrency.iter().map(|c| c.max_running).max().unwrap_or(0);
    format!("at most {max} deployments at once ({} deployments seen; at most {all} tasks of any kind at once on one node)", deploys.len())
}

fn correlated(suspects: &[Suspect], causes: &[Cause]) -> String {
    let hits: Vec<String> = suspects
        .iter()
        .filter(|s| causes.contains(&s.cause) && s.confidence >= 0.5)
        .map(|s| format!("yes: {} {} (confidence {:.2})", s.cause.name(), s.subject, s.confidence))
        .collect();
    if !hits.is_empty() {
        return hits.join("; ");
    }
    match suspects.iter().find(|s| causes.contains(&s.cause)) {
        Some(s) => format!(
            "no clear correlation (best: {} {}, confidence {:.2})",
            s.cause.name(),
            s.subject,
            s.confidence
        ),
        None => "no such tasks seen in these logs".to_string(),
    }
}

fn unresponsive(h: &HealthReport) -> String {
    if h.gaps.is_empty() {
        return "no: no silence that the nodes' own rate and the other sources cannot explain"
            .to_string();
    }
    let g: Vec<String> = h
        .gaps
        .iter()
        .map(|g| {
            let how = match g.restart_at {
                Some(t) => format!("recovered only after a restart at {}", utc(t)),
                None => "recovered by itself".to_string(),
            };
            format!(
                "{} silent {} from {}, {how}",
                g.node,
                duration(g.duration_s),
                utc(g.span.start)
            )
        })
        .collect();
    format!("yes: {}", g.join("; "))
}

fn recovered(h: &HealthReport) -> String {
    if h.gaps.is_empty() {
        return "not applicable: no unresponsive period".to_string();
    }
    let (by_itself, restarted): (Vec<_>, Vec<_>) =
        h.gaps.iter().partition(|g| g.recovered_without_restart());
    match (by_itself.len(), restarted.len()) {
        (_, 0) => format!(
            "yes: the server resumed by itself after {}",
            by_itself.iter().map(|g| duration(g.duration_s)).collect::<Vec<_>>().join(", ")
        ),
        (0, _) => format!(
            "no: only a restart ended the silence ({})",
            restarted.iter().filter_map(|g| g.restart_at).map(utc).collect::<Vec<_>>().join(", ")
        ),
        (a, b) => {
            format!("partly: {a} period(s) recovered by themselves, {b} only after a restart")
        }
    }
}

/// What the unresponsive answer rests on.
fn unresponsive_basis(h: &HealthReport) -> Vec<String> {
    if h.gaps.is_empty() {
        return vec!["every silence of 5 minutes or more fits the node's own rate just before and after it, and nothing else shows a hang".into()];
    }
    h.gaps.iter().flat_map(|g| g.rests_on.iter().cloned()).collect()
}
