//! Task-log tests over `testdata/tasklogs/` and the task logs of `testdata/bundle/`
//! (written by `testdata/tasklogs/gen.py`, whose comments state the values asserted
//! here). Every file goes through the real funnel: open, detect, parse, assemble.

use proptest::prelude::*;

use super::*;
use crate::parse::{parse_source, ParseOptions};
use crate::source::{open_inputs, OpenOptions};
use crate::task::{StepKind, WaitKind};

fn testdata(rel: &str) -> String {
    format!("{}/../testdata/{rel}", env!("CARGO_MANIFEST_DIR"))
}

/// Tasks and per-source results of the given inputs.
fn load(paths: &[&str]) -> (Vec<Task>, Vec<(String, Parsed)>) {
    let paths: Vec<String> = paths.iter().map(|p| testdata(p)).collect();
    let sources = open_inputs(&paths, &OpenOptions::default());
    let mut parsed: Vec<(String, Parsed)> = sources
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.clone(), parse_source(i as u32, s, &ParseOptions::default())))
        .collect();
    let fragments =
        parsed.iter_mut().flat_map(|(_, p)| std::mem::take(&mut p.task_fragments)).collect();
    (assemble(fragments), parsed)
}

fn task<'a>(tasks: &'a [Task], id: &str) -> &'a Task {
    tasks.iter().find(|t| t.id == id).unwrap_or_else(|| panic!("no {id}"))
}

fn utc(text: &str) -> Option<Timestamp> {
    Some(crate::time::parse_iso8601(text).unwrap().0)
}

fn local(text: &str) -> Option<Timestamp> {
    utc(text)
}

/// `name [status] seconds` of each step.
fn steps(steps: &[Step]) -> Vec<(String, String, Option<f64>)> {
    steps
        .iter()
        .map(|s| (s.name.clone(), s.status.clone().unwrap_or_default(), s.duration_s()))
        .collect()
}

fn row(name: &str, status: &str, secs: f64) -> (String, String, Option<f64>) {
    (name.to_string(), status.to_string(), Some(secs))
}

#[test]
fn failed_deployment_with_abandoned_step() {
    let (tasks, parsed) = load(&["tasklogs/ondisk/servertasks-1204_q7w8e9r0t1.txt"]);
    let t = task(&tasks, "ServerTasks-1204");
    assert_eq!((parsed[0].1.entries, parsed[0].1.lines, parsed[0].1.skipped_lines), (44, 44, 0));
    assert_eq!(t.kind, TaskKind::Deploy);
    assert_eq!(
        (t.project.as_deref(), t.release.as_deref(), t.environment.as_deref()),
        (Some("Contoso.Payments"), Some("3.2.0"), Some("Staging"))
    );
    assert_eq!((t.status.as_deref(), t.clock, t.queued), (Some("Failed"), Clock::Utc, None));
    assert_eq!(t.started, utc("2026-10-20T01:00:00.250Z"));
    assert_eq!(t.completed, utc("2026-10-20T01:01:31.600Z"));
    assert_eq!(t.duration_s(), Some(91.35));
    assert_eq!(
        steps(&t.steps),
        [
            row("Acquire packages", "Success", 8.05),
            row("Step 1: Deploy Contoso.Payments", "SuccessWithWarning", 35.6),
            row("Step 2: Run database migrations", "Failed", 44.8),
            row("Step 3: Smoke test", "Abandoned", 0.1),
        ]
    );
    let s2 = &t.steps[2];
    assert_eq!(s2.error.as_deref(), Some("The step failed: One or more child activities failed."));
    // HTML-safe escapes (\u0027, \u003c) are decoded in the messages that are kept.
    assert_eq!(
        s2.children[0].error.as_deref(),
        Some("Script 'Migrate.ps1' failed with exit code 1 <see above>")
    );
    assert_eq!(t.steps[3].planned, utc("2026-10-20T01:00:00.340Z"));
    let kinds: Vec<StepKind> = t.all_steps().iter().map(|(_, s)| s.kind).collect();
    assert_eq!(kinds[..3], [StepKind::PackageAcquisition, StepKind::Target, StepKind::Upload]);
    assert_eq!(t.waits.len(), 1);
    assert_eq!(
        (t.waits[0].kind, t.waits[0].step.as_str(), t.waits[0].seconds()),
        (WaitKind::PackageAcquisition, "Acquire packages", 8.0)
    );
    let counts: Vec<(&str, u64)> = t.line_counts.iter().map(|(c, n)| (c.as_str(), *n)).collect();
    assert_eq!(
        counts,
        [
            ("ABN", 1),
            ("ERR", 4),
            ("FAT", 3),
            ("FIN", 8),
            ("HLT", 1),
            ("INF", 12),
            ("PLN", 4),
            ("UPD", 5),
            ("VBS", 5),
            ("WRN", 1)
        ]
    );
    assert_eq!(t.retention, None);
}

#[test]
fn retention_task_counts_decisions_and_policies() {
    let (tasks, _) = load(&["tasklogs/ondisk/servertasks-1210_m3n4b5v6c7.txt"]);
    let t = task(&tasks, "ServerTasks-1210");
    assert_eq!(t.kind, TaskKind::Retention);
    let r = t.retention.clone().unwrap();
    assert_eq!((r.releases_deleted, r.releases_kept, r.policies_applied), (5, 6, 3));
    assert_eq!(t.duration_s(), Some(209.9));
    assert_eq!(steps(&t.steps), [row("Apply release retention policies", "Success", 209.7)]);
    assert_eq!(
        steps(&t.steps[0].children),
        [
            row("Apply policy for Default Lifecycle to Contoso.Web Default", "Success", 69.0),
            row("Apply policy for Default Lifecycle to Contoso.Payments Default", "Success", 96.0),
            row("Apply policy for Default Lifecycle to Contoso.Reports Default", "Success", 5.0),
        ]
    );
    assert!(t.steps[0].children.iter().all(|s| s.kind == StepKind::Retention));
}

#[test]
fn health_check_in_en_us_with_crlf() {
    let (tasks, parsed) = load(&["tasklogs/raw/ServerTasks-1220.log.txt"]);
    let t = task(&tasks, "ServerTasks-1220");
    assert_eq!(parsed[0].1.format, Some(Format::TaskLogText));
    assert_eq!(
        (t.kind, t.clock, t.node.as_deref()),
        (TaskKind::Health, Clock::Local, Some("CONTOSO-OCT1"))
    );
    assert_eq!(t.started, local("2026-10-20T09:15:03"));
    assert_eq!(t.completed, local("2026-10-20T09:15:41"));
    assert_eq!((t.duration_s(), t.queue_s()), (Some(38.0), Some(3.0)));
    assert_eq!(
        steps(&t.steps),
        [row("app01", "Success", 4.0), row("app02", "Success", 6.0), row("db01", "Success", 31.0)]
    );
    assert_eq!(t.local_started, t.started);
    assert_eq!((t.offset, t.utc_started), (None, None));
}

#[test]
fn task_queued_for_days_waits_on_a_busy_tentacle() {
    let (tasks, _) = load(&["tasklogs/raw/ServerTasks-1231.log.txt"]);
    let t = task(&tasks, "ServerTasks-1231");
    assert_eq!(t.queued, local("2026-10-23T20:16:00"));
    assert_eq!(t.started, local("2026-10-25T13:51:05"));
    assert_eq!((t.queue_s(), t.duration_s()), (Some(149_705.0), Some(393.0)));
    assert_eq!(t.waits.len(), 1);
    let w = &t.waits[0];
    assert_eq!(
        (w.kind, w.step.as_str(), w.seconds()),
        (WaitKind::Mutex, "Step 1: Deploy Contoso.Web / web01", 105.0)
    );
    let counts: Vec<(&str, u64)> = t.line_counts.iter().map(|(c, n)| (c.as_str(), *n)).collect();
    assert_eq!(counts, [("Highlight", 1), ("Info", 4), ("Verbose", 4)]);
    // "  Success: True" continues the Environment Information message; it is not a node.
    assert_eq!(steps(&t.steps[0].children), [row("web01", "Success", 384.0)]);
    assert!(t.steps[0].children[0].children.is_empty());
}

#[test]
fn task_crossing_midnight() {
    let (tasks, _) = load(&["tasklogs/raw/ServerTasks-1232.log.txt"]);
    let t = task(&tasks, "ServerTasks-1232");
    assert_eq!(t.started, local("2026-10-20T23:57:30"));
    assert_eq!(t.completed, local("2026-10-21T00:04:12"));
    assert_eq!((t.duration_s(), t.queue_s()), (Some(402.0), Some(1.0)));
    assert_eq!(
        steps(&t.steps),
        [
            row("Step 1: Deploy Contoso.Reports", "Success", 278.0),
            row("Apply retention policy on Tentacles", "Success", 120.0)
        ]
    );
    assert_eq!(t.steps[0].completed, local("2026-10-21T00:02:10"));
    assert_eq!(steps(&t.steps[0].children), [row("rpt01", "Success", 277.0)]);
    let r = t.retention.clone().unwrap();
    assert_eq!((r.policies_applied, r.releases_deleted, r.releases_kept), (1, 0, 0));
}

#[test]
fn dutch_culture_and_a_root_still_running() {
    let (tasks, parsed) = load(&["tasklogs/raw/ServerTasks-813.log.txt"]);
    assert!(parsed[0].1.problems.is_empty(), "{:?}", parsed[0].1.problems);
    let t = task(&tasks, "ServerTasks-813");
    assert_eq!(t.status.as_deref(), Some("Failed"));
    assert_eq!(t.queued, local("2015-09-24T16:05:00"));
    assert_eq!(t.started, local("2015-09-24T16:05:12"));
    assert_eq!((t.duration_s(), t.queue_s()), (Some(29.0), Some(12.0)));
    assert_eq!(t.server_version, None);
    assert_eq!(steps(&t.steps), [row("Step 1: Deploy Controller Service", "Failed", 27.0)]);
    let target = &t.steps[0].children[0];
    assert_eq!((target.name.as_str(), target.status.as_deref()), ("DEV-APP01", Some("Failed")));
    assert_eq!(target.error.as_deref(), Some("The deployment failed because one or more steps failed. Please see the deployment log for details."));
}

#[test]
fn german_culture_upgrade() {
    let (tasks, _) = load(&["tasklogs/raw/ServerTasks-2410.log.txt"]);
    let t = task(&tasks, "ServerTasks-2410");
    assert_eq!((t.kind, t.node.as_deref()), (TaskKind::Upgrade, Some("OCTO-NODE1")));
    assert_eq!(t.queued, local("2026-11-03T14:05:00"));
    assert_eq!(t.started, local("2026-11-03T14:05:07"));
    assert_eq!(t.completed, local("2026-11-03T14:06:52"));
    assert_eq!(steps(&t.steps), [row("web01", "Success", 92.0), row("web02", "Success", 103.0)]);
}

#[test]
fn folder_parts_are_stitched_in_time_order() {
    let (tasks, parsed) = load(&["tasklogs/ondisk/servertasks-1240_h5j6k7l8m9"]);
    assert_eq!(parsed.len(), 3);
    assert_eq!(tasks.len(), 1);
    let t = &tasks[0];
    assert_eq!(t.origins.len(), 3);
    assert_eq!(t.log_bytes, 3756);
    assert_eq!(t.started, utc("2026-10-21T03:00:00.000Z"));
    assert_eq!(t.duration_s(), Some(160.3));
    assert_eq!(steps(&t.steps), [row("Step 1: Deploy Contoso.Web", "Success", 150.2)]);
    assert_eq!(
        steps(&t.steps[0].children),
        [row("web01", "Success", 69.85), row("web02", "Success", 149.6)]
    );
    let w = &t.waits[0];
    assert_eq!((t.waits.len(), w.kind, w.seconds()), (1, WaitKind::Mutex, 72.5));
    assert_eq!(w.step, "Step 1: Deploy Contoso.Web / web02");
    // One expected answer through both layouts: the same task written as one file.
    let (oracle, _) = load(&["tasklogs/stitch-oracle/servertasks-1240_h5j6k7l8m9.txt"]);
    assert_eq!(summary(t), summary(&oracle[0]));
}

/// Everything but the origins, for comparing one task read two ways.
fn summary(t: &Task) -> String {
    let mut t = t.clone();
    t.origins.clear();
    format!("{t:?}")
}

#[test]
fn parts_given_in_any_order_give_the_same_task() {
    let dir = "tasklogs/ondisk/servertasks-1240_h5j6k7l8m9";
    let forward = load(&[
        &format!("{dir}/0f3a9c1d.tl.txt"),
        &format!("{dir}/7b21e4aa.tl.txt"),
        &format!("{dir}/c5d8f2b0.tl.txt"),
    ])
    .0;
    let backward = load(&[
        &format!("{dir}/c5d8f2b0.tl.txt"),
        &format!("{dir}/7b21e4aa.tl.txt"),
        &format!("{dir}/0f3a9c1d.tl.txt"),
    ])
    .0;
    assert_eq!(summary(&forward[0]), summary(&backward[0]));
}

#[test]
fn task_in_both_forms_is_merged_and_reveals_the_offset() {
    let (tasks, _) = load(&[
        "tasklogs/ondisk/servertasks-1250_z9y8x7w6v5.txt",
        "tasklogs/raw/ServerTasks-1250.log.txt",
    ]);
    assert_eq!(tasks.len(), 1);
    let t = &tasks[0];
    assert!(t.has_form(TaskForm::OnDisk) && t.has_form(TaskForm::RawText));
    assert_eq!(
        (t.clock, t.status.as_deref(), t.node.as_deref()),
        (Clock::Utc, Some("Success"), Some("CONTOSO-OCT2"))
    );
    assert_eq!(t.started, utc("2026-10-21T04:05:02.118Z"));
    assert_eq!(t.completed, utc("2026-10-21T04:06:43.321Z"));
    assert_eq!(t.duration_s(), Some(101.203));
    // Queued only comes from the raw header (14:34 local); the pair gives +10:30.
    assert_eq!(t.offset, None);
    assert_eq!(t.pair_offset, Some(UtcOffset { minutes: 630 }));
    assert_eq!(t.queued, utc("2026-10-21T04:04:00Z"));
    assert_eq!(t.queue_s(), Some(62.118));
    assert_eq!((t.local_started, t.utc_started), (local("2026-10-21T14:35:02"), t.started));
    assert_eq!(t.related_ids.len(), 5);
    assert_eq!(t.server_version.as_deref(), Some("2025.3.10412"));
    assert_eq!(
        steps(&t.steps),
        [
            row("Step 1: Deploy Contoso.Api", "Success", 67.1),
            row("Step 2: Warm up", "Success", 31.7)
        ]
    );
    let (offset, why) = offset_evidence(&tasks).unwrap();
    assert_eq!(offset, UtcOffset { minutes: 630 });
    assert_eq!(why, "ServerTasks-1250 started at 2026-10-21 14:35:02.000 server time (raw log) and at 2026-10-21T04:05:02.118Z (on-disk log)");
}

#[test]
fn malformed_lines_are_counted_and_the_rest_parses() {
    let (tasks, parsed) = load(&["tasklogs/malformed/servertasks-1260_b1n2m3k4j5.txt"]);
    let p = &parsed[0].1;
    assert_eq!((p.lines, p.entries, p.skipped_lines), (9, 4, 5));
    let problems: Vec<(Option<u64>, &str)> =
        p.problems.list.iter().map(|p| (p.line, p.reason.as_str())).collect();
    assert_eq!(
        problems,
        [
            (Some(3), "not a task-log line: expected a JSON array of six fields"),
            (Some(6), "malformed task-log line at column 79: invalid escape in a string"),
            (Some(8), "unreadable timestamp in task-log line"),
            (Some(9), "truncated JSON line at the end of the file (was it still being written?)"),
        ]
    );
    let t = &tasks[0];
    assert_eq!(
        (t.kind, t.status.as_deref(), t.completed),
        (TaskKind::System, Some("Executing"), None)
    );
    assert_eq!(steps(&t.steps), [row("Upload", "Success", 3.25)]);
}

#[test]
fn scheduled_job_logs_are_read_but_are_not_tasks() {
    let (tasks, parsed) = load(&["tasklogs/ondisk/scheduledtasks_autodeploy.txt"]);
    let p = &parsed[0].1;
    assert_eq!(p.format, Some(Format::ScheduledTaskLog));
    assert_eq!((p.entries, p.lines), (5, 5));
    assert_eq!(p.first, Some((utc("2026-10-21T06:00:00Z").unwrap(), Clock::Utc)));
    assert_eq!(p.last, Some((utc("2026-10-21T06:02:00Z").unwrap(), Clock::Utc)));
    assert!(tasks.is_empty());
}

#[test]
fn bundle_story() {
    let (tasks, parsed) = load(&["bundle/TaskLogs", "bundle/raw"]);
    assert!(parsed.iter().all(|(_, p)| p.problems.is_empty()));
    let ids: Vec<&str> = tasks.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        ids,
        ["ServerTasks-2300", "ServerTasks-2301", "ServerTasks-2302", "ServerTasks-2303"]
    );

    let health = task(&tasks, "ServerTasks-2300");
    assert_eq!(
        (health.kind, health.clock, health.node.as_deref()),
        (TaskKind::Health, Clock::Local, Some("OCTO-NODE2"))
    );
    assert_eq!((health.started, health.duration_s()), (local("2026-11-03T13:50:02"), Some(98.0)));
    assert_eq!(health.steps[2].status.as_deref(), Some("SuccessWithWarning"));

    let retention = task(&tasks, "ServerTasks-2301");
    assert_eq!(
        (retention.started, retention.duration_s()),
        (utc("2026-11-03T04:00:00.512Z"), Some(1449.738))
    );
    let r = retention.retention.clone().unwrap();
    assert_eq!((r.releases_deleted, r.releases_kept, r.policies_applied), (37, 18, 6));
    assert_eq!(retention.origins.len(), 2);

    let web = task(&tasks, "ServerTasks-2302");
    assert_eq!(web.queued, utc("2026-11-03T04:04:31Z"));
    assert_eq!(web.started, utc("2026-11-03T04:05:02.118Z"));
    assert_eq!(web.completed, utc("2026-11-03T04:12:47.904Z"));
    assert_eq!((web.queue_s(), web.duration_s()), (Some(31.118), Some(465.786)));
    assert_eq!((web.offset, web.pair_offset), (Some(UtcOffset { minutes: 600 }), None));
    assert_eq!(
        steps(&web.steps),
        [
            row("Acquire packages", "Success", 37.7),
            row("Step 1: Deploy Acme.Web", "Success", 349.1),
            row("Apply retention policy on Tentacles", "Success", 75.5),
        ]
    );
    let waits: Vec<(WaitKind, &str, f64)> =
        web.waits.iter().map(|w| (w.kind, w.step.as_str(), w.seconds())).collect();
    assert_eq!(
        waits,
        [
            (WaitKind::PackageAcquisition, "Acquire packages", 37.6),
            (WaitKind::Mutex, "Step 1: Deploy Acme.Web / web02", 95.0),
        ]
    );
    let r = web.retention.clone().unwrap();
    assert_eq!((r.policies_applied, r.releases_deleted), (2, 0));

    let api = task(&tasks, "ServerTasks-2303");
    assert_eq!((api.status.as_deref(), api.duration_s()), (Some("Failed"), Some(222.61)));
    assert_eq!(
        steps(&api.steps),
        [
            row("Acquire packages", "Success", 8.1),
            row("Step 1: Deploy Acme.Api", "Success", 138.2),
            row("Step 2: Migrate database", "Failed", 73.75),
            row("Step 3: Smoke test", "Abandoned", 0.1),
        ]
    );
    let (offset, why) = offset_evidence(&tasks).unwrap();
    assert_eq!(offset, UtcOffset { minutes: 600 });
    assert!(why.starts_with("ServerTasks-2302 started at 2026-11-03 14:05:02.000"), "{why}");

    let scheduled = parsed
        .iter()
        .find(|(n, _)| n.ends_with("scheduledtasks_processsubscriptions.txt"))
        .unwrap();
    assert_eq!(scheduled.1.entries, 36);
}

#[test]
fn a_raw_log_downloaded_mid_run_does_not_override_a_finished_disk_log() {
    let mut disk = Task::new("ServerTasks-5");
    disk.status = Some("Failed".into());
    disk.completed = Timestamp::from_civil(2026, 11, 3, 4, 0, 0, 0);
    let mut raw = Task::new("ServerTasks-5");
    raw.status = Some("Executing".into());
    merge(&mut disk, raw);
    assert_eq!(disk.status.as_deref(), Some("Failed"));
    let mut raw = Task::new("ServerTasks-5");
    raw.status = Some("Canceled".into());
    merge(&mut disk, raw);
    assert_eq!(disk.status.as_deref(), Some("Canceled"));
}

#[test]
fn evidence_falls_back_to_header_offsets_and_reports_disagreement() {
    let mut a = Task::new("ServerTasks-1");
    a.offset = Some(UtcOffset { minutes: 600 });
    let mut b = Task::new("ServerTasks-2");
    b.offset = Some(UtcOffset { minutes: 600 });
    let mut c = Task::new("ServerTasks-3");
    c.offset = Some(UtcOffset { minutes: 660 });
    let (o, why) = offset_evidence(&[a, b, c]).unwrap();
    assert_eq!(o.minutes, 600);
    assert_eq!(why, "the raw log of ServerTasks-1 writes its dates with offset +10:00; 1 more task(s) agree; 1 task(s) imply another offset");
    assert!(offset_evidence(&[Task::new("x")]).is_none());
}

#[test]
fn pair_offsets_round_to_quarter_hours_or_refuse() {
    let t = |s: &str| utc(s).unwrap();
    assert_eq!(
        pair_offset(t("2026-11-03T14:05:02Z"), t("2026-11-03T04:05:02.118Z")),
        Some(UtcOffset { minutes: 600 })
    );
    assert_eq!(
        pair_offset(t("2026-11-03T09:50:59Z"), t("2026-11-03T04:05:02Z")),
        Some(UtcOffset { minutes: 345 })
    );
    assert_eq!(pair_offset(t("2026-11-03T14:12:00Z"), t("2026-11-03T04:05:02Z")), None);
    assert_eq!(pair_offset(t("2026-11-04T14:05:02Z"), t("2026-11-03T04:05:02Z")), None);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any cut of a real log, and any bytes at all, parse without panicking and
    /// account for every line.
    #[test]
    fn any_prefix_or_noise_parses(cut in 0usize..7600, noise in proptest::collection::vec(any::<u8>(), 0..300)) {
        let good = std::fs::read(testdata("tasklogs/ondisk/servertasks-1204_q7w8e9r0t1.txt")).unwrap();
        let raw = std::fs::read(testdata("tasklogs/raw/ServerTasks-1231.log.txt")).unwrap();
        for bytes in [&good[..cut.min(good.len())], &raw[..cut.min(raw.len())], &noise[..]] {
            let d = disk::parse(0, bytes, true);
            prop_assert_eq!(d.entries + d.skipped_lines, d.lines);
            let _ = assemble(d.parts.into_iter().map(|p| TaskFragment { source: 0, body: FragmentBody::OnDisk(p) }).collect());
            let r = text::parse(0, "x", bytes);
            prop_assert!(r.entries <= r.lines);
        }
    }
}
