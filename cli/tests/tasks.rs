//! `octodiag tasks` on the bundle and on `testdata/tasklogs`, driving the real
//! binary and decoding its JSON; the same answer through plain files, .gz, a
//! .zip bundle, and one thread or many.

mod util;

use std::fs;

use serde_json::Value;
use util::*;

fn tasks_json(args: &[&str]) -> (Vec<Value>, Value, i32) {
    let mut all = vec!["tasks", "--format", "json"];
    all.extend_from_slice(args);
    let out = octodiag(&all);
    let code = out.status.code().unwrap_or(-1);
    assert!(code <= 1, "{}", stderr(&out));
    let doc = json(&out);
    (doc["tasks"].as_array().unwrap().clone(), doc, code)
}

fn ids(tasks: &[Value]) -> Vec<&str> {
    tasks.iter().map(|t| t["id"].as_str().unwrap()).collect()
}

fn by_id<'a>(tasks: &'a [Value], id: &str) -> &'a Value {
    tasks.iter().find(|t| t["id"] == id).unwrap_or_else(|| panic!("no {id}"))
}

#[test]
fn bundle_tasks_longest_first_with_exact_fields() {
    let (tasks, doc, code) = tasks_json(&["testdata/bundle"]);
    assert_eq!(code, 0);
    assert_eq!(
        ids(&tasks),
        ["ServerTasks-2301", "ServerTasks-2302", "ServerTasks-2303", "ServerTasks-2300"]
    );

    let web = by_id(&tasks, "ServerTasks-2302");
    assert_eq!(web["kind"], "Deploy");
    assert_eq!(
        (web["project"].as_str(), web["environment"].as_str()),
        (Some("Acme.Web"), Some("Production"))
    );
    assert_eq!(
        (web["status"].as_str(), web["node"].as_str()),
        (Some("Success"), Some("OCTO-NODE1"))
    );
    assert_eq!(web["clock"], "utc");
    assert_eq!(web["queued"], "2026-11-03T04:04:31.000Z");
    assert_eq!(web["started"], "2026-11-03T04:05:02.118Z");
    assert_eq!(web["completed"], "2026-11-03T04:12:47.904Z");
    assert_eq!(
        (web["queue_s"].as_f64(), web["duration_s"].as_f64()),
        (Some(31.118), Some(465.786))
    );
    assert_eq!(web["forms"], serde_json::json!(["on-disk", "raw-text"]));
    assert_eq!(
        (web["offset"].as_str(), web["local_started"].as_str()),
        (Some("+10:00"), Some("2026-11-03T14:05:02.000"))
    );
    let steps: Vec<&str> =
        web["steps"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(
        steps,
        ["Acquire packages", "Step 1: Deploy Acme.Web", "Apply retention policy on Tentacles"]
    );
    let deploy = &web["steps"][1];
    assert_eq!(
        (deploy["duration_s"].as_f64(), deploy["kind"].as_str()),
        (Some(349.1), Some("step"))
    );
    let targets: Vec<&str> = deploy["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(targets, ["web01", "web02"]);
    assert_eq!(deploy["children"][1]["kind"], "target");
    let waits: Vec<(&str, &str, f64)> = web["waits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["kind"].as_str().unwrap(),
                w["step"].as_str().unwrap(),
                w["seconds"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        waits,
        [
            ("package-acquisition", "Acquire packages", 37.6),
            ("mutex", "Step 1: Deploy Acme.Web / web02", 95.0)
        ]
    );
    assert_eq!(web["waits"][1]["start"], "2026-11-03T04:05:43.000Z");
    assert_eq!(web["retention"]["policies_applied"], 2);

    let retention = by_id(&tasks, "ServerTasks-2301");
    assert_eq!(retention["duration_s"].as_f64(), Some(1449.738));
    assert_eq!(retention["retention"]["releases_deleted"], 37);
    assert_eq!(retention["origins"].as_array().unwrap().len(), 2);

    let api = by_id(&tasks, "ServerTasks-2303");
    assert_eq!(
        (api["status"].as_str(), api["duration_s"].as_f64()),
        (Some("Failed"), Some(222.61))
    );
    assert_eq!(api["steps"][2]["status"], "Failed");
    assert_eq!(api["steps"][3]["status"], "Abandoned");
    assert!(api["steps"][2]["children"][0]["error"].as_str().unwrap().contains("actively refused"));
    assert_eq!(api["queued"], Value::Null);

    // Raw only, without offset: still server-local, said so, no `Z`.
    let health = by_id(&tasks, "ServerTasks-2300");
    assert_eq!(
        (health["clock"].as_str(), health["kind"].as_str()),
        (Some("local"), Some("Health"))
    );
    assert_eq!(health["started"], "2026-11-03T13:50:02.000");
    assert_eq!(health["duration_s"].as_f64(), Some(98.0));

    assert_eq!(doc["offset_evidence"]["offset"], "+10:00");
    let scheduled = doc["scheduled_logs"].as_array().unwrap();
    assert_eq!(scheduled.len(), 1);
    assert!(scheduled[0].as_str().unwrap().ends_with("scheduledtasks_processsubscriptions.txt"));
}

#[test]
fn server_utc_offset_converts_local_tasks() {
    let (tasks, _, _) = tasks_json(&["--server-utc-offset", "+10:00", "testdata/bundle/raw"]);
    let health = by_id(&tasks, "ServerTasks-2300");
    assert_eq!(health["clock"], "utc");
    assert_eq!(health["started"], "2026-11-03T03:50:02.000Z");
    assert_eq!(health["completed"], "2026-11-03T03:51:40.000Z");
    assert_eq!(health["steps"][2]["started"], "2026-11-03T03:50:05.000Z");
    // Already UTC (its header had an offset): unchanged.
    assert_eq!(by_id(&tasks, "ServerTasks-2302")["started"], "2026-11-03T04:05:02.000Z");
}

#[test]
fn sort_orders() {
    let (tasks, _, _) = tasks_json(&["--sort", "queue", "testdata/bundle"]);
    assert_eq!(ids(&tasks)[..2], ["ServerTasks-2302", "ServerTasks-2300"]);
    assert_eq!(by_id(&tasks, "ServerTasks-2300")["queue_s"].as_f64(), Some(2.0));
    // Local starts are placed with the offset the logs suggest (+10:00).
    let (tasks, _, _) = tasks_json(&["--sort", "started", "testdata/bundle"]);
    assert_eq!(
        ids(&tasks),
        ["ServerTasks-2300", "ServerTasks-2301", "ServerTasks-2302", "ServerTasks-2303"]
    );
}

#[test]
fn same_tasks_through_gz_zip_and_any_thread_count() {
    let disk = fs::read(testdata("bundle/TaskLogs/servertasks-2302_p8d2n4v6tr.txt")).unwrap();
    let raw = fs::read(testdata("bundle/raw/ServerTasks-2302.log.txt")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("ServerTasks-2302.log.txt.gz");
    fs::write(&gz, gzip(&raw)).unwrap();
    let zipped = dir.path().join("support-bundle.zip");
    write_zip(&zipped, &[("TaskLogs/servertasks-2302_p8d2n4v6tr.txt", &disk)]);
    let plain = [
        testdata("bundle/TaskLogs/servertasks-2302_p8d2n4v6tr.txt"),
        testdata("bundle/raw/ServerTasks-2302.log.txt"),
    ];
    let (expected, _, _) = tasks_json(&[plain[0].to_str().unwrap(), plain[1].to_str().unwrap()]);
    let strip = |mut t: Value| {
        t["origins"] = Value::Null;
        t
    };
    for threads in ["1", "4"] {
        let (got, _, _) =
            tasks_json(&["-j", threads, zipped.to_str().unwrap(), gz.to_str().unwrap()]);
        assert_eq!(got.len(), 1);
        assert_eq!(strip(got[0].clone()), strip(expected[0].clone()), "{threads} threads");
    }
    assert_eq!(expected[0]["duration_s"].as_f64(), Some(465.786));
}

#[test]
fn malformed_lines_are_reported_with_path_and_line() {
    let out = octodiag(&["tasks", "testdata/tasklogs/malformed"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("servertasks-1260_b1n2m3k4j5.txt:3: not a task-log line"), "{err}");
    assert!(
        err.contains(
            "servertasks-1260_b1n2m3k4j5.txt:9: truncated JSON line at the end of the file"
        ),
        "{err}"
    );
    assert!(err.contains("5 lines skipped"), "{err}");
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("ServerTasks-1260"), "{table}");
}

#[test]
fn table_is_readable_at_100_columns() {
    let out = octodiag(&[
        "tasks",
        "testdata/bundle",
        "testdata/tasklogs/ondisk",
        "testdata/tasklogs/raw",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    for line in text.lines().filter(|l| l.starts_with(['┌', '│', '╞', '└'])) {
        assert!(line.chars().count() <= 100, "{} columns: {line}", line.chars().count());
    }
    // Cells wrap, so look for pieces that fit on one line.
    assert!(text.contains("target busy 1m 35s"), "{text}");
    assert!(text.contains("database 1m 13s"), "{text}");
    assert!(text.contains("13:50:02*"), "{text}");
    assert!(text.contains("task(s) in server-local time"), "{text}");
    assert!(text.contains("scheduled-job log(s)"), "{text}");
}

#[test]
fn no_tasks_is_said_plainly() {
    let out = octodiag(&["tasks", "testdata/server-log/mixed-versions.txt"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("No server tasks found"));
}
