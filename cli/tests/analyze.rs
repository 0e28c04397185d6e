//! `octodiag analyze` end to end: every scenario of testdata/scenarios has one
//! injected cause, which must rank first; the clock offset must be derived;
//! the quiet day must raise no suspect of confidence 0.5 or more; every JSON
//! report must validate against docs/analyze.schema.json.

mod util;

use serde_json::Value;
use util::*;

fn analyze_json(path: &str, extra: &[&str]) -> Value {
    let mut args = vec!["analyze", "--format", "json"];
    args.extend_from_slice(extra);
    args.push(path);
    let out = octodiag(&args);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{path}: exit {:?}\n{}",
        out.status,
        stderr(&out)
    );
    let report = json(&out);
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("docs/analyze.schema.json")).unwrap(),
    )
    .unwrap();
    let errors = schema::validate(&schema, &report);
    assert!(errors.is_empty(), "{path}: schema violations:\n{}", errors.join("\n"));
    report
}

fn first_suspect(report: &Value) -> (&str, &str, f64) {
    let s = &report["suspects"][0];
    (
        s["cause"].as_str().unwrap_or("-"),
        s["subject"].as_str().unwrap_or("-"),
        s["confidence"].as_f64().unwrap_or(0.0),
    )
}

fn assert_scenario(name: &str, cause: &str, subject: Option<&str>, offset: &str) {
    let path = format!("testdata/scenarios/{name}");
    let r = analyze_json(&path, &[]);
    let (c, s, conf) = first_suspect(&r);
    let ranking: Vec<String> = r["suspects"]
        .as_array()
        .unwrap()
        .iter()
        .take(4)
        .map(|s| format!("{} {} {}", s["cause"], s["subject"], s["confidence"]))
        .collect();
    assert_eq!(c, cause, "{name}: ranking {ranking:#?}");
    if let Some(subject) = subject {
        assert_eq!(s, subject, "{name}");
    }
    assert!(conf >= 0.5, "{name}: injected cause only {conf}");
    let o = &r["server_utc_offset"];
    assert_eq!(o["value"], offset, "{name}: {o}");
    assert_eq!(o["assumed"], false, "{name}: {o}");
    let top = &r["suspects"][0];
    assert!(!top["evidence"].as_array().unwrap().is_empty(), "{name}: no evidence");
    assert!(
        top["summary"].as_str().unwrap().chars().any(|c| c.is_ascii_digit()),
        "{name}: summary without numbers"
    );
}

#[test]
fn retention_scenario() {
    assert_scenario("retention", "retention", Some("Apply retention policies"), "+10:00");
}

#[test]
fn project_scenario() {
    assert_scenario("project", "project", Some("Acme.Reporting"), "+00:00");
}

#[test]
fn task_queue_scenario() {
    assert_scenario("task-queue", "task-queue", Some("OCTO-NODE1"), "-05:00");
}

#[test]
fn sql_pool_scenario() {
    assert_scenario("sql-pool", "sql", None, "+01:00");
}

#[test]
fn crash_restart_scenario() {
    assert_scenario("crash-restart", "unresponsive", Some("OCTO-NODE1"), "+02:00");
    let r = analyze_json("testdata/scenarios/crash-restart", &[]);
    assert_eq!(r["gaps"][0]["restart_after"], true);
    assert!(r["answers"]["recovered_without_restart"].as_str().unwrap().starts_with("no"));
}

#[test]
fn network_scenario() {
    assert_scenario("network", "network", None, "+01:00");
}

#[test]
fn health_check_scenario() {
    assert_scenario(
        "health-check",
        "health-check",
        Some("Check target health for Default Machine Policy"),
        "+05:30",
    );
}

#[test]
fn quiet_day_raises_no_confident_suspect() {
    let r = analyze_json("testdata/scenarios/quiet-day", &[]);
    for s in r["suspects"].as_array().unwrap() {
        assert!(s["confidence"].as_f64().unwrap() < 0.5, "quiet day suspect: {s}");
    }
    assert_eq!(r["server_utc_offset"]["value"], "-08:00");
}

#[test]
fn given_offset_wins_and_no_evidence_means_assumed_utc() {
    let r = analyze_json("testdata/scenarios/retention", &["--server-utc-offset", "+10:00"]);
    assert_eq!(r["server_utc_offset"]["derived_from"], "--server-utc-offset");
    let r = analyze_json("testdata/server-log/mixed-versions.txt", &[]);
    assert_eq!(r["server_utc_offset"]["assumed"], true);
    assert!(r["server_utc_offset"]["derived_from"].as_str().unwrap().starts_with("ASSUMED UTC"));
}

#[test]
fn since_and_until_restrict_the_analysis() {
    let all = analyze_json("testdata/scenarios/sql-pool", &[]);
    let part = analyze_json(
        "testdata/scenarios/sql-pool",
        &["--since", "2026-10-14 09:40", "--until", "2026-10-14T11:00:00Z"],
    );
    assert!(part["requests"]["total"].as_u64() < all["requests"]["total"].as_u64());
    assert!(part["suspects"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["cause"] != "sql" || s["confidence"].as_f64().unwrap() < 0.5));
}

#[test]
fn bundle_report_ranks_retention_and_reads_every_input() {
    let r = analyze_json("testdata/bundle", &[]);
    assert_eq!(first_suspect(&r).0, "retention");
    assert!(
        r["inputs"].as_array().unwrap().iter().all(|i| i["format"] != "unknown"),
        "{}",
        r["inputs"]
    );
    assert_eq!(r["answers"]["nodes"], serde_json::json!(["OCTO-NODE1", "OCTO-NODE2"]));
}

#[test]
fn table_report_is_readable_and_safe() {
    let out = octodiag(&["analyze", "testdata/scenarios/retention"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Suspected causes, most likely first"));
    assert!(text.contains("retention"));
    assert!(!text.contains('\u{1b}'), "no colour when not a terminal");
    let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(widest <= 100, "report is {widest} columns wide");
}

/// The report is the same whatever the thread count and however the logs are cut
/// into chunks for parallel parsing (down to 4 KiB: many chunks per log, so facts
/// folded in many parts are joined), on the bundle and on a scenario.
#[test]
fn report_does_not_depend_on_threads_or_chunks() {
    for path in ["testdata/bundle", "testdata/scenarios/sql-pool"] {
        let run = |threads: &str, chunk: Option<&str>| {
            let mut cmd = assert_cmd::Command::cargo_bin("octodiag").unwrap();
            cmd.current_dir(repo()).args(["analyze", "--format", "json", "-j", threads, path]);
            if let Some(c) = chunk {
                cmd.env("OCTODIAG_CHUNK_SIZE", c);
            }
            let out = cmd.output().unwrap();
            assert!(out.status.code().is_some_and(|c| c <= 1), "{path}: {}", stderr(&out));
            json(&out)
        };
        let base = run("2", None);
        assert!(!base["suspects"].as_array().unwrap().is_empty(), "{path}: no suspects");
        assert_eq!(run("1", None), base, "{path}: -j 1 differs from -j 2");
        assert_eq!(run("2", Some("4096")), base, "{path}: 4 KiB chunks differ");
    }
}

/// A server log of a quiet hour: a slow request every ten minutes, and from
/// 10:20 to 10:35 slow dashboards beside a burst of polling time-outs to three
/// Tentacles. The `halibut` cause (added as one file) must rank first.
#[test]
fn halibut_failure_burst_is_a_suspect() {
    let mut log = String::from(
        "2026-11-05 10:00:00.0000   4242      1  INFO  Octopus.Server version 2026.1.100 (2026.1.100) instance OctopusServer\n",
    );
    let line = |h: u32, m: u32, s: u32, msg: &str| {
        format!("2026-11-05 {h:02}:{m:02}:{s:02}.1234   4242     17  INFO  {msg}\n")
    };
    for m in (0..60).step_by(10) {
        log += &line(10, m, 30, "Request took 1200ms: GET https://octo/api/Spaces-1/projects 0123456789abcdef0123456789abcdef");
    }
    for i in 0..15u32 {
        let tentacle = ["poll://aaaa/", "poll://bbbb/", "poll://cccc/"][i as usize % 3];
        let msg = format!("{tentacle:<30} 17  Request IScriptService::GetStatus[{i}] / x timed out before it could be collected by the polling endpoint");
        log += &line(11, 20 + i, 5, &msg);
        log += &line(11, 20 + i, 40, &format!("Request took {}ms: GET https://octo/api/Spaces-1/dashboard 0123456789abcdef0123456789abcdef", 8000 + i * 100));
    }
    for m in 36..60 {
        log += &line(11, m, 0, "Request took 1100ms: GET https://octo/api/Spaces-1/projects 0123456789abcdef0123456789abcdef");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("OctopusServer.txt");
    std::fs::write(&path, log).unwrap();
    let r = analyze_json(path.to_str().unwrap(), &["--server-utc-offset", "+00:00"]);
    let (cause, subject, conf) = first_suspect(&r);
    assert_eq!((cause, subject), ("halibut", "Tentacle communication"), "{}", r["suspects"]);
    assert!(conf >= 0.5, "{conf}");
    let top = &r["suspects"][0];
    assert_eq!(top["metrics"]["failures"], 15);
    assert_eq!(top["metrics"]["endpoints"], 3);
    assert!(top["evidence"][0]["excerpt"].as_str().unwrap().contains("timed out"));
}

/// Regression (hardening issue, item 1): one line dated 9999 among 2026 lines
/// made `analyze` allocate a slot per minute between them (42 GB) and abort.
/// Work must grow with the events, not with the time they span.
#[test]
fn a_far_off_timestamp_does_not_blow_up_the_analysis() {
    let log =
        std::fs::read_to_string(testdata("scenarios/retention/OCTO-NODE1/Logs/OctopusServer.txt"))
            .unwrap();
    let dir = tempfile::tempdir().unwrap();
    for year in ["9999", "0001"] {
        let odd = format!("{year}-10-14 10:51:06.3656   4111     54  INFO  Request took 9094ms: GET https://octopus.acme.local/api/Spaces-1/dashboard\n");
        let path = dir.path().join(format!("OctopusServer-{year}.txt"));
        std::fs::write(&path, format!("{log}{odd}")).unwrap();
        let r = analyze_json(path.to_str().unwrap(), &["--server-utc-offset", "+10:00"]);
        assert_eq!(r["requests"]["total"], 168, "{year}: the odd line is counted too");
    }
}
