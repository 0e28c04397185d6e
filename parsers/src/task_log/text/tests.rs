use super::*;
use crate::task::{Step, TaskKind, WaitKind};

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Timestamp {
    Timestamp::from_civil(y, mo, d, h, mi, s, 0).unwrap()
}

fn read(name: &str, text: &str) -> TextLog {
    parse(0, name, text.as_bytes())
}

/// The first lines of S1 `ServerTasks-16572.log.txt` (3.3.16), shortened.
const S1: &str = "\
Task ID:        ServerTasks-16572
Task status:    Success
Task queued:    Friday, 27 May 2016 8:16 PM
Task started:   Sunday, 29 May 2016 1:51 PM
Task duration:  7 minutes
Server version: 3.3.16-ci.1+Branch.master.Sha.477470fd43c6d16974b64f8741787ab248cc3ff9

                    | == Success: Deploy Lots of Channels, Releases and Deployments release 1.0.0.1210 to Env-014-1 ==
13:51:05   Verbose  |   Guided failure is not enabled for this task
13:57:38   Info     |   The deployment completed successfully.
                    | 
                    |   == Success: Step 1: Script 1 ==
13:51:12   Verbose  |     Script 1 completed
                    |   
                    |     Success: D-Env-014-1
13:51:05   Verbose  |       Octopus Server version: 3.3.16-ci.1+Branch.master.Sha.477470fd43c6d16974b64f8741787ab248cc3ff9
13:51:05   Info     |       Executing script on 'D-Env-014-1'
13:51:06   Verbose  |       Environment Information:
                    |       OperatingSystem: Microsoft Windows NT 6.2.9200.0
                    |       Success: not a header, a continuation
                    |       OsBitVersion: x64
                    |     
                    |   == Success: Apply retention policy on Tentacles ==
13:56:57   Info     |     Apply retention policies...
13:56:57   Verbose  |     Tentacle retention policy set to 'keep all'
13:56:57   Verbose  |     Apply Tentacle Retention Policy completed
";

fn names(steps: &[Step]) -> Vec<String> {
    steps.iter().map(|s| format!("{} [{}]", s.name, s.status.as_deref().unwrap_or("-"))).collect()
}

#[test]
fn header_fields_all_kept_in_order() {
    let log = read("ServerTasks-16572.log.txt", S1);
    let t = &log.task;
    assert_eq!(t.id, "ServerTasks-16572");
    assert_eq!(t.header.len(), 6);
    assert_eq!(t.header[4], ("Task duration".to_string(), "7 minutes".to_string()));
    assert_eq!(t.status.as_deref(), Some("Success"));
    assert_eq!(
        t.server_version.as_deref(),
        Some("3.3.16-ci.1+Branch.master.Sha.477470fd43c6d16974b64f8741787ab248cc3ff9")
    );
    assert_eq!(t.node, None);
    assert!(log.problems.is_empty(), "{:?}", log.problems);
}

#[test]
fn tree_from_sections_at_every_depth_and_form() {
    let log = read("ServerTasks-16572.log.txt", S1);
    let t = &log.task;
    assert_eq!(
        t.description,
        "Deploy Lots of Channels, Releases and Deployments release 1.0.0.1210 to Env-014-1"
    );
    assert_eq!(t.kind, TaskKind::Deploy);
    assert_eq!(t.environment.as_deref(), Some("Env-014-1"));
    assert_eq!(
        names(&t.steps),
        ["Step 1: Script 1 [Success]", "Apply retention policy on Tentacles [Success]"]
    );
    assert_eq!(names(&t.steps[0].children), ["D-Env-014-1 [Success]"]);
    // 4 section headers + 9 messages; continuation lines are not entries.
    assert_eq!((log.entries, log.lines, log.skipped_lines), (13, 26, 0));
    assert_eq!(t.line_counts, vec![("Info".to_string(), 3), ("Verbose".to_string(), 6)]);
}

#[test]
fn times_are_local_to_the_second_and_span_descendants() {
    let log = read("ServerTasks-16572.log.txt", S1);
    let t = &log.task;
    assert_eq!(t.clock, Clock::Local);
    assert_eq!(t.queued, Some(at(2016, 5, 27, 20, 16, 0)));
    // The header start has no seconds: the body gives them.
    assert_eq!(t.started, Some(at(2016, 5, 29, 13, 51, 5)));
    assert_eq!(t.completed, Some(at(2016, 5, 29, 13, 57, 38)));
    assert_eq!(t.queue_s(), Some(149_705.0));
    assert_eq!(t.duration_s(), Some(393.0));
    // Step 1's own line is at 13:51:12 but its target started at 13:51:05.
    assert_eq!(t.steps[0].started, Some(at(2016, 5, 29, 13, 51, 5)));
    assert_eq!(t.steps[0].duration_s(), Some(7.0));
    assert_eq!(t.local_started, t.started);
    assert_eq!((log.first, log.last), (t.started, t.completed));
}

#[test]
fn tentacle_retention_step_counts_as_one_policy() {
    let log = read("x.txt", S1);
    let r = log.task.retention.unwrap();
    assert_eq!((r.policies_applied, r.releases_deleted, r.releases_kept), (1, 0, 0));
}

#[test]
fn continuation_or_header_depends_on_what_precedes() {
    let text = "\
Task ID:        ServerTasks-5

                    | == Failed: Run script ==
10:00:00   Info     |   Line one
                    |   Failed: this is the second line of the message above
                    | 
                    |   Failed: Octopus Server
10:00:05   Fatal    |     The remote script failed with exit code 1
                    |     Running: also continuation
";
    let log = read("x", text);
    assert_eq!(names(&log.task.steps), ["Octopus Server [Failed]"]);
    assert_eq!(
        log.task.steps[0].error.as_deref(),
        Some("The remote script failed with exit code 1")
    );
    assert!(log.task.steps[0].children.is_empty());
}

#[test]
fn midnight_is_crossed_from_the_start_anchor() {
    let text = "\
Task ID:        ServerTasks-9
Task status:    Success
Task started:   Tuesday, 3 November 2026 11:58 PM

                    | == Success: Check System Integrity ==
23:58:40   Info     |   Checking
00:01:15   Info     |   Done
                    | 
                    |   == Success: Verify ==
23:59:59   Verbose  |     a
00:00:01   Verbose  |     b
";
    let log = read("x", text);
    let t = &log.task;
    assert_eq!(t.kind, TaskKind::System);
    assert_eq!(t.started, Some(at(2026, 11, 3, 23, 58, 40)));
    assert_eq!(t.completed, Some(at(2026, 11, 4, 0, 1, 15)));
    assert_eq!(t.duration_s(), Some(155.0));
    assert_eq!(t.steps[0].duration_s(), Some(2.0));
}

#[test]
fn header_offset_converts_everything_to_utc() {
    let text = "\
Task ID:        ServerTasks-2302
Task status:    Success
Task queued:    Tuesday, 3 November 2026 2:04:31 PM +10:00
Task started:   Tuesday, 3 November 2026 2:05:02 PM +10:00

                    | == Success: Deploy Acme.Web release 1.4.2 to Production ==
14:05:02   Verbose  |   Guided failure is not enabled for this task
14:12:47   Info     |   Done
";
    let t = read("x", text).task;
    assert_eq!(t.clock, Clock::Utc);
    assert_eq!(t.offset, Some(crate::time::UtcOffset { minutes: 600 }));
    assert_eq!(t.queued, Some(at(2026, 11, 3, 4, 4, 31)));
    assert_eq!(t.started, Some(at(2026, 11, 3, 4, 5, 2)));
    assert_eq!(t.completed, Some(at(2026, 11, 3, 4, 12, 47)));
    assert_eq!(t.local_started, Some(at(2026, 11, 3, 14, 5, 2)));
}

#[test]
fn unreadable_date_is_a_problem_and_the_body_decides() {
    let text = "\
Task ID:        ServerTasks-10
Task queued:    someday
Task started:   Tuesday, 3 November 2026 2:05 PM

                    | == Success: Send Telemetry ==
14:05:02   Info     |   Sent
";
    let log = read("x", text);
    assert_eq!(log.problems.list.len(), 1);
    assert_eq!(log.problems.list[0].line, Some(2));
    assert!(log.problems.list[0].reason.contains("could not read the date \"someday\""));
    assert_eq!(log.task.queued, None);
    assert_eq!(log.task.started, Some(at(2026, 11, 3, 14, 5, 2)));
}

#[test]
fn no_date_at_all_keeps_times_of_day() {
    let text = "Task ID:        ServerTasks-11\n\n                    | == Success: Send Telemetry ==\n14:05:02   Info     |   Sent\n";
    let log = read("x", text);
    assert_eq!(log.task.started, Some(at(1970, 1, 1, 14, 5, 2)));
    assert!(log.problems.list[0].reason.starts_with("no readable task date"));
}

#[test]
fn body_without_header_takes_the_id_from_the_file_name() {
    let text =
        "                    | == Success: Send Telemetry ==\n14:05:02   Info     |   Sent\n";
    let log = read("ServerTasks-77.log.txt", text);
    assert_eq!(log.task.id, "ServerTasks-77");
    assert_eq!(log.task.steps.len(), 0);
    assert_eq!(log.task.description, "Send Telemetry");
}

#[test]
fn long_levels_wait_lines_and_junk() {
    let text = "\
Task ID:        ServerTasks-12
Task started:   Tuesday, 3 November 2026 2:05 PM
garbage in the header

                    | == Success: Deploy A release 1 to B ==
                    |   == Success: Step 1: Run ==
                    |     Success: web01
14:05:10   Highlight |       Deploying
14:05:11   Wait     |       Waiting for a free slot
14:05:41   Info     |       Got one
this line has no gutter
";
    let log = read("x", text);
    assert_eq!(log.skipped_lines, 2);
    assert_eq!(log.problems.list.iter().map(|p| p.line).collect::<Vec<_>>(), [Some(3), Some(11)]);
    let w = &log.task.waits;
    assert_eq!(w.len(), 1);
    assert_eq!(
        (w[0].kind, w[0].seconds(), w[0].step.as_str()),
        (WaitKind::Other, 30.0, "Step 1: Run / web01")
    );
    assert_eq!(log.task.steps[0].children[0].started, Some(at(2026, 11, 3, 14, 5, 10)));
}

#[test]
fn long_tasks_are_flagged() {
    let text = "Task ID: ServerTasks-13\nTask duration: 2 days\n\n";
    let log = read("x", text);
    assert!(log.problems.list.iter().any(|p| p.reason.contains("a day or more")));
}

#[test]
fn hostile_input_does_not_panic() {
    for text in [
        "",
        "\n\n\n",
        "|",
        "Task ID:",
        "Task ID: x\n\n| == Success: ==\n| == : x ==\n99:99:99 Info | x\n",
        "\u{feff}Task ID: x\n\n23:59:59 Info |\n",
    ] {
        let _ = read("x", text);
    }
    let deep: String = (0..200)
        .map(|d| format!("{}| {}Success: n{d}\n", " ".repeat(20), "  ".repeat(d)))
        .collect();
    let log = read("x", &deep);
    assert_eq!(log.entries, 200);
}

#[test]
fn header_without_its_blank_line_still_ends_at_the_body() {
    let text = "Task ID:        ServerTasks-14\nTask started:   Tuesday, 3 November 2026 2:05 PM\n                    | == Success: Send Telemetry ==\n14:05:02   Info     |   Sent\n";
    let log = read("x", text);
    assert!(log.problems.is_empty(), "{:?}", log.problems);
    assert_eq!((log.entries, log.task.description.as_str()), (2, "Send Telemetry"));
    assert_eq!(log.task.started, Some(at(2026, 11, 3, 14, 5, 2)));
}
