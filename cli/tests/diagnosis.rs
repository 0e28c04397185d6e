//! The diagnosis on the cases the diagnosis issue names, each written here as
//! the files an administrator would send: a single node whose logs sit
//! directly in the bundle, a hang with and without a restart, a quiet night,
//! and a handful of DEBUG lines.

mod util;

use serde_json::Value;
use util::*;

/// A 3.15+ server-log line at `minute`:`second` after 10:00 on 2026-11-05 (local time).
fn line(minute: u32, second: u32, pid: u32, level: &str, msg: &str) -> String {
    let (h, m) = (10 + minute / 60, minute % 60);
    format!("2026-11-05 {h:02}:{m:02}:{second:02}.1234  {pid:>5}     17 {level:>5}  {msg}\n")
}

fn request(ms: u32, path: &str) -> String {
    format!("Request took {ms}ms: GET https://octo.example/api/Spaces-1/{path} 0123456789abcdef0123456789abcdef")
}

/// A normal day: four INFO lines a minute (a slow request among them now and then).
fn busy(from: u32, to: u32, pid: u32) -> String {
    let mut s = String::new();
    for m in from..to {
        for k in 0..4 {
            let msg = if k == 0 && m % 7 == 0 {
                request(1100, "projects")
            } else {
                format!("Executing health check for Machines-{k}")
            };
            s += &line(m, 5 + k * 13, pid, "INFO", &msg);
        }
    }
    s
}

fn analyze(dir: &std::path::Path) -> Value {
    let out = octodiag(&[
        "analyze",
        "--format",
        "json",
        "--server-utc-offset",
        "+00:00",
        dir.to_str().unwrap(),
    ]);
    assert!(out.status.code().is_some_and(|c| c <= 1), "{}", stderr(&out));
    json(&out)
}

fn answer<'a>(r: &'a Value, key: &str) -> &'a str {
    r["answers"][key].as_str().unwrap_or_default()
}

/// A raw task log run by `node`, local times.
fn raw_task(id: u32, node: &str) -> String {
    format!(
        "Task ID:        ServerTasks-{id}\nTask status:    Success\nTask queued:    Thursday, 5 November 2026 10:20:00 AM +00:00\nTask started:   Thursday, 5 November 2026 10:20:00 AM +00:00\nTask completed: Thursday, 5 November 2026 10:25:00 AM +00:00\nTask duration:  5 minutes\nServer version: 2025.3.10412\nServer node:    {node}\n\n                    | == Success: Deploy Acme.Web release 1.0.{id} to Production ==\n10:20:00   Info     |   Deploying\n10:25:00   Info     |   The deployment completed successfully.\n"
    )
}

/// Server logs directly in the bundle, with no node-name line (every 3.x–2023
/// log), and raw task logs saying `Server node: OCTO-NODE-1`: one node, named
/// by the task logs; the folder is not a node.
#[test]
fn single_node_in_a_flat_bundle_is_not_ha() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle");
    std::fs::create_dir(&bundle).unwrap();
    std::fs::write(bundle.join("OctopusServer.txt"), busy(0, 120, 4242)).unwrap();
    std::fs::write(bundle.join("ServerTasks-101.log.txt"), raw_task(101, "OCTO-NODE-1")).unwrap();
    std::fs::write(bundle.join("ServerTasks-102.log.txt"), raw_task(102, "OCTO-NODE-1")).unwrap();
    let r = analyze(&bundle);
    assert_eq!(answer(&r, "ha_cluster"), "single node (OCTO-NODE-1)", "{}", r["answers"]);
    assert_eq!(r["answers"]["nodes"], serde_json::json!(["OCTO-NODE-1"]));
    let basis = r["answers"]["rests_on"]["ha_cluster"].to_string();
    assert!(basis.contains("only server log") || basis.contains("task logs"), "{basis}");
}

/// Two nodes' logs in per-node folders that log at the same time are an HA cluster
/// even with no node-name line.
#[test]
fn two_streams_at_once_are_ha() {
    let dir = tempfile::tempdir().unwrap();
    for node in ["a", "b"] {
        std::fs::create_dir_all(dir.path().join(node).join("Logs")).unwrap();
        let pid = if node == "a" { 100 } else { 200 };
        std::fs::write(dir.path().join(node).join("Logs/OctopusServer.txt"), busy(0, 90, pid))
            .unwrap();
    }
    let r = analyze(dir.path());
    assert!(answer(&r, "ha_cluster").starts_with("HA cluster: 2 nodes"), "{}", r["answers"]);
}

/// Requests slow down for ten minutes, then the log is silent for 15 minutes
/// while it was writing four lines a minute; requests logged after it ran
/// through it, and traffic simply resumes: unresponsive, recovered by itself.
#[test]
fn a_hang_that_recovers_by_itself() {
    let mut log = busy(0, 60, 4242);
    for m in 60..70 {
        for k in 0..4 {
            log += &line(m, 5 + k * 13, 4242, "INFO", &request(6000 + 900 * (m - 60), "dashboard"));
        }
    }
    // Silent from 11:10 to 11:25; then the requests stuck in it complete.
    for k in 0..3 {
        log += &line(85, 2 + k, 4242, "INFO", &request(14 * 60_000 + k * 1000, "dashboard"));
    }
    log += &busy(86, 150, 4242);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("OctopusServer.txt"), log).unwrap();
    let r = analyze(dir.path());
    let unresponsive = answer(&r, "unresponsive");
    assert!(unresponsive.starts_with("yes:"), "{unresponsive}");
    assert!(
        unresponsive.contains("15 min") && unresponsive.contains("recovered by itself"),
        "{unresponsive}"
    );
    assert!(answer(&r, "recovered_without_restart").starts_with("yes"), "{}", r["answers"]);
    assert_eq!(r["suspects"][0]["cause"], "unresponsive", "{}", r["suspects"]);
    assert_eq!(r["gaps"][0]["spanning_requests"], 3);
}

/// The same hang ended by a start-up banner with a new PID.
#[test]
fn a_hang_that_needed_a_restart() {
    let mut log = busy(0, 60, 4242);
    for m in 60..70 {
        log += &line(m, 5, 4242, "INFO", &request(8000, "dashboard"));
        log += &line(m, 35, 4242, "INFO", &request(9000, "tasks"));
    }
    log += &line(
        82,
        0,
        5151,
        "INFO",
        "Octopus.Server version 2025.3.10412 (2025.3.10412) instance OctopusServer",
    );
    log += &busy(82, 150, 5151);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("OctopusServer.txt"), log).unwrap();
    let r = analyze(dir.path());
    let unresponsive = answer(&r, "unresponsive");
    assert!(
        unresponsive.starts_with("yes:") && unresponsive.contains("recovered only after a restart"),
        "{unresponsive}"
    );
    assert!(answer(&r, "recovered_without_restart").starts_with("no"), "{}", r["answers"]);
    let top = &r["suspects"][0];
    assert_eq!(top["cause"], "unresponsive", "{}", r["suspects"]);
    // The restart that ended the hang is its evidence, not a rival.
    let restart =
        r["suspects"].as_array().unwrap().iter().find(|s| s["cause"] == "restart").unwrap();
    assert!(restart["confidence"].as_f64().unwrap() < 0.2, "{restart}");
    assert!(top["rests_on"].to_string().contains("restart"), "{top}");
}

/// An INFO log that is busy by day and silent for hours at night: no hang.
#[test]
fn a_quiet_night_is_not_a_hang() {
    let mut log = String::new();
    for m in 0..120 {
        if m % 9 == 0 {
            log += &line(m, 1, 4242, "INFO", &request(1200, "projects"));
        }
    }
    // Nothing from 12:00 to 15:00, then a line every few minutes again.
    for m in (300..400).step_by(6) {
        log += &line(m, 1, 4242, "INFO", &request(1300, "projects"));
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("OctopusServer.txt"), log).unwrap();
    let r = analyze(dir.path());
    assert!(answer(&r, "unresponsive").starts_with("no"), "{}", r["answers"]);
    for s in r["suspects"].as_array().unwrap() {
        assert!(s["confidence"].as_f64().unwrap() < 0.5, "{s}");
    }
}

/// A few DEBUG lines that fall inside a slow window are no verbose-logging cause.
#[test]
fn a_handful_of_debug_lines_is_no_cause() {
    let mut log = busy(0, 60, 4242);
    for m in 60..75 {
        log += &line(m, 3, 4242, "INFO", &request(7000, "dashboard"));
        log += &line(m, 9, 4242, "INFO", &request(6500, "releases"));
        if m % 4 == 0 {
            log += &line(
                m,
                20,
                4242,
                "DEBUG",
                "Reader took 12ms in transaction 'DashboardFactory': SELECT 1",
            );
        }
    }
    log += &busy(75, 140, 4242);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("OctopusServer.txt"), log).unwrap();
    let r = analyze(dir.path());
    let verbose: Vec<&Value> = r["suspects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["cause"] == "verbose-logging")
        .collect();
    assert_eq!(verbose.len(), 1);
    assert!(verbose[0]["confidence"].as_f64().unwrap() <= 0.1, "{}", verbose[0]);
    let against = verbose[0]["against"].as_str().unwrap_or_default();
    assert!(
        against.contains("only 4 DEBUG/TRACE lines") && against.contains("too little volume"),
        "{against}"
    );
}
