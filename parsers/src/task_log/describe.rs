//! What a task is, from its description (the root node's name) and the raw
//! header's `Related IDs` (octopus.md §2.4, §4.1, §4.2).

use crate::task::{StepKind, TaskKind};

/// The fields a description gives.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Described {
    /// Kind of task.
    pub kind: Option<TaskKind>,
    /// `Deploy {project} release …`.
    pub project: Option<String>,
    /// `… release {release} to …`.
    pub release: Option<String>,
    /// `… to {environment}`.
    pub environment: Option<String>,
    /// `… for {tenant}`.
    pub tenant: Option<String>,
}

/// Recurring system tasks that are neither retention nor health checks (I9517, S14).
const SYSTEM_TASKS: [&str; 8] = [
    "Synchronize Community Step Templates",
    "Send Telemetry",
    "Check System Integrity",
    "Synchronize external security groups",
    "Process recurring scheduled triggers",
    "Acquire Step Packages",
    "Process external feed triggers",
    "Sync Community Action Templates",
];

/// Reads a task description, falling back on related ids for the kind.
pub fn describe(description: &str, related_ids: &[String]) -> Described {
    if let Some(d) = deployment(description) {
        return d;
    }
    let kind = kind_from_description(description).or_else(|| kind_from_related_ids(related_ids));
    Described { kind, ..Described::default() }
}

/// `Deploy {project} release {release} to {environment}[ for {tenant}]`. The
/// release is one word; the project is everything before the last ` release `
/// that is followed by one, as SeqFlatFileImport reads it.
pub fn deployment(description: &str) -> Option<Described> {
    let rest = description.strip_prefix("Deploy ")?;
    let (project, after) = rest.rsplit_once(" release ")?;
    let (release, target) = after.split_once(" to ")?;
    if release.is_empty() || release.contains(' ') || project.is_empty() || target.is_empty() {
        return None;
    }
    let (environment, tenant) = match target.split_once(" for ") {
        Some((env, tenant)) => (env, Some(tenant.to_string())),
        None => (target, None),
    };
    Some(Described {
        kind: Some(TaskKind::Deploy),
        project: Some(project.to_string()),
        release: Some(release.to_string()),
        environment: Some(environment.to_string()),
        tenant,
    })
}

fn kind_from_description(d: &str) -> Option<TaskKind> {
    let lower = d.to_ascii_lowercase();
    let kind = if d == "Apply retention policies" || lower.starts_with("apply retention policies") {
        TaskKind::Retention
    } else if lower.starts_with("check target health") || lower.starts_with("health check") {
        TaskKind::Health
    } else if lower.starts_with("upgrade ") {
        TaskKind::Upgrade
    } else if lower.starts_with("update calamari") {
        TaskKind::UpdateCalamari
    } else if lower.starts_with("backup") || lower.starts_with("back up") {
        TaskKind::Backup
    } else if lower.starts_with("script run from management console")
        || lower.starts_with("run script")
    {
        TaskKind::AdHocScript
    } else if lower.starts_with("run runbook") {
        TaskKind::RunbookRun
    } else if SYSTEM_TASKS.iter().any(|s| s.eq_ignore_ascii_case(d)) {
        TaskKind::System
    } else {
        return None;
    };
    Some(kind)
}

/// `Related IDs: RunbookRuns-12, Runbooks-3, …` names the kind when the description does not.
fn kind_from_related_ids(ids: &[String]) -> Option<TaskKind> {
    let has = |prefix: &str| ids.iter().any(|id| id.starts_with(prefix));
    if has("RunbookRuns-") || has("Runbooks-") {
        Some(TaskKind::RunbookRun)
    } else if has("Deployments-") {
        Some(TaskKind::Deploy)
    } else {
        None
    }
}

/// What a node stands for, from its name and depth (the root is depth 0).
pub fn step_kind(name: &str, depth: usize) -> StepKind {
    if name.starts_with("Apply retention policy on Tentacles")
        || name.starts_with("Apply policy for ")
    {
        return StepKind::Retention;
    }
    if name.starts_with("Upload package ") || name.starts_with("Download package ") {
        return StepKind::Upload;
    }
    match depth {
        0 | 1 if name == "Acquire packages" => StepKind::PackageAcquisition,
        0 | 1 => StepKind::Step,
        2 => StepKind::Target,
        _ => StepKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployment_descriptions() {
        let d = describe("Deploy Acme.Web release 1.4.2 to Production", &[]);
        assert_eq!(d.kind, Some(TaskKind::Deploy));
        assert_eq!(d.project.as_deref(), Some("Acme.Web"));
        assert_eq!(d.release.as_deref(), Some("1.4.2"));
        assert_eq!(d.environment.as_deref(), Some("Production"));
        assert_eq!(d.tenant, None);
        let t = describe("Deploy Lots of Channels, Releases and Deployments release 1.0.0.1210 to Env-014-1 for Tenant A", &[]);
        assert_eq!(t.project.as_deref(), Some("Lots of Channels, Releases and Deployments"));
        assert_eq!(t.environment.as_deref(), Some("Env-014-1"));
        assert_eq!(t.tenant.as_deref(), Some("Tenant A"));
        // A project name containing " release " keeps it.
        let r = describe("Deploy Pre release tools release 2.0 to Dev", &[]);
        assert_eq!(r.project.as_deref(), Some("Pre release tools"));
    }

    #[test]
    fn system_task_kinds() {
        let kind = |d: &str| describe(d, &[]).kind;
        assert_eq!(kind("Apply retention policies"), Some(TaskKind::Retention));
        assert_eq!(kind("Check target health for Default Machine Policy"), Some(TaskKind::Health));
        assert_eq!(kind("Check target health for cloud targets"), Some(TaskKind::Health));
        assert_eq!(kind("Send Telemetry"), Some(TaskKind::System));
        assert_eq!(kind("Check System Integrity"), Some(TaskKind::System));
        assert_eq!(kind("Upgrade Tentacle on web01"), Some(TaskKind::Upgrade));
        assert_eq!(kind("Update Calamari on web01"), Some(TaskKind::UpdateCalamari));
        assert_eq!(kind("Script run from management console"), Some(TaskKind::AdHocScript));
        assert_eq!(kind("Deploy without release"), None);
        assert_eq!(kind("Something else"), None);
    }

    #[test]
    fn related_ids_name_runbook_runs() {
        let ids = vec!["RunbookRuns-44".to_string(), "Projects-2".to_string()];
        assert_eq!(describe("Restart IIS", &ids).kind, Some(TaskKind::RunbookRun));
    }

    #[test]
    fn step_kinds_by_name_and_depth() {
        assert_eq!(step_kind("Acquire packages", 1), StepKind::PackageAcquisition);
        assert_eq!(step_kind("Step 1: Deploy Acme.Web", 1), StepKind::Step);
        assert_eq!(step_kind("web01", 2), StepKind::Target);
        assert_eq!(step_kind("Upload package Acme.Web version 1.4.2", 3), StepKind::Upload);
        assert_eq!(step_kind("Apply retention policy on Tentacles", 1), StepKind::Retention);
        assert_eq!(
            step_kind("Apply policy for Default Lifecycle to Acme.Web Default", 2),
            StepKind::Retention
        );
        assert_eq!(step_kind("Run Calamari", 3), StepKind::Other);
    }
}
