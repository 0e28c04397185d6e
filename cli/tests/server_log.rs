//! `octodiag events` and `octodiag inputs` on server logs, through every input
//! path: plain file, .gz, .zip member, standard input; one thread and many.

mod util;

use std::fs;

use serde_json::Value;
use util::*;

const SAMPLE: &str = "server-log/mixed-versions.txt";

/// (line, kind, duration_ms) of the sample's events, in time order.
fn expected() -> Vec<(u64, String, Option<f64>)> {
    let rows: &[(u64, &str, Option<f64>)] = &[
        (1, "sql", Some(353.0)),
        (2, "web-error", None),
        (6, "halibut", None),
        (7, "halibut", None),
        (8, "halibut", None),
        (9, "request", Some(1320.0)),
        (10, "transactions", None),
        (14, "request-start", None),
        (15, "request", Some(59.0)),
        (16, "sql", Some(1.0)),
        (20, "log", None),
        (21, "log", None),
        (22, "server-start", None),
        (23, "environment", None),
        (34, "transactions", None),
        (41, "log", None),
        (42, "sql", Some(588.0)),
        (45, "sql", Some(60007.0)),
        (48, "log", None),
        (50, "request", Some(276126.0)),
        (51, "sql-error", None),
        (54, "sql-error", None),
        (58, "sql", Some(412.0)),
        (59, "sql-error", None),
        (63, "transactions", None),
        (64, "server-start", None),
        (65, "node-name", None),
        (66, "log", None),
        (67, "task", Some(290.0)),
        (68, "request", Some(22.0)),
        (69, "sql", Some(1204.0)),
        (70, "task-canceled", None),
    ];
    rows.iter().map(|(l, k, d)| (*l, k.to_string(), *d)).collect()
}

fn summarise(events: &[Value]) -> Vec<(u64, String, Option<f64>)> {
    events
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["kind"].as_str().unwrap().to_string(),
                e["duration_ms"].as_f64(),
            )
        })
        .collect()
}

#[test]
fn same_events_through_plain_gz_zip_and_stdin_with_any_thread_count() {
    let bytes = fs::read(testdata(SAMPLE)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("OctopusServer.3.txt.gz");
    fs::write(&gz, gzip(&bytes)).unwrap();
    let no_ext = dir.path().join("archive-without-extension");
    fs::write(&no_ext, gzip(&bytes)).unwrap();
    let zipped = dir.path().join("bundle.zip");
    write_zip(&zipped, &[("Logs/OctopusServer.txt", &bytes)]);
    let plain = testdata(SAMPLE);
    let inputs = [
        plain.to_str().unwrap(),
        gz.to_str().unwrap(),
        no_ext.to_str().unwrap(),
        zipped.to_str().unwrap(),
    ];
    for threads in ["1", "4"] {
        for input in inputs {
            let out = octodiag(&["events", "-j", threads, input]);
            assert!(out.status.success(), "{input}: {}", stderr(&out));
            assert_eq!(summarise(&ndjson(&out)), expected(), "input {input}, {threads} threads");
        }
    }
    let out = octodiag_stdin(&["events", "-"], bytes.clone());
    assert_eq!(summarise(&ndjson(&out)), expected(), "stdin");
    let out = octodiag_stdin(&["events", "-"], gzip(&bytes));
    assert_eq!(summarise(&ndjson(&out)), expected(), "gzip on stdin");
}

#[test]
fn zip_members_are_named_with_bang() {
    let bytes = fs::read(testdata(SAMPLE)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let zipped = dir.path().join("bundle.zip");
    let plain = b"2016-05-30 12:09:20.4621     38  INFO  Request took 1500ms: GET /api/x\n";
    write_zip(
        &zipped,
        &[("Logs/OctopusServer.txt", &bytes), ("NODE-B/Logs/OctopusServer.0.txt", plain)],
    );
    let out = octodiag(&["inputs", "--format", "json", zipped.to_str().unwrap()]);
    let doc = json(&out);
    let inputs = doc["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 2);
    let name = format!("{}!/Logs/OctopusServer.txt", zipped.display());
    assert_eq!(inputs[0]["path"], Value::String(name));
    assert_eq!(inputs[1]["node"], "NODE-B");
    // The log names its node itself ("Defaulting server node name to …"), which wins.
    assert_eq!(inputs[0]["node"], "08c3dfcac5a3");
}

#[test]
fn event_fields_decode_with_documented_shape() {
    let out =
        octodiag(&["events", "--server-utc-offset", "+10:00", testdata(SAMPLE).to_str().unwrap()]);
    let events = ndjson(&out);
    let req = &events[19];
    assert_eq!(req["kind"], "request");
    assert_eq!(req["method"], "GET");
    assert_eq!(req["url"], "https://octopus.acme.local/api/Spaces-1/projects/");
    assert_eq!(req["correlation_id"], "0d4f3e2a1b9c48d7a6e5f4c3b2a19087");
    assert_eq!(req["time"], "2021-07-07T17:16:32.989Z");
    assert_eq!(req["level"], "info");
    let sql = &events[17];
    assert_eq!(
        (sql["operation"].as_str(), sql["transaction"].as_str()),
        (Some("Executing reader"), Some("DashboardFactory"))
    );
    assert_eq!(sql["lines"], 3);
    assert!(events.iter().all(|e| e["source"].as_str().unwrap().ends_with("mixed-versions.txt")));
}

#[test]
fn inputs_json_shape_and_counts() {
    let out = octodiag(&["inputs", "--format", "json", "testdata/bundle"]);
    assert!(out.status.code().is_some_and(|c| c <= 1), "{}", stderr(&out));
    let doc = json(&out);
    let server: Vec<&Value> =
        doc["inputs"].as_array().unwrap().iter().filter(|i| i["format"] == "server-log").collect();
    assert_eq!(server.len(), 3);
    for key in
        ["path", "format", "node", "bytes", "entries", "skipped_lines", "first", "last", "problems"]
    {
        assert!(server[0].get(key).is_some(), "missing {key}");
    }
    let gz = server
        .iter()
        .find(|i| i["path"].as_str().unwrap().ends_with("OctopusServer.0.txt.gz"))
        .unwrap();
    assert_eq!(gz["node"], "OCTO-NODE1");
    assert_eq!(gz["first"], "2026-11-02T08:58:01.000");
}

#[test]
fn bad_inputs_are_reported_by_name_and_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    fs::write(p("binary.bin"), b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0\x01\0\0\0")
        .unwrap();
    let mut invalid = b"2016-05-30 12:09:20.4621     38  INFO  bad \xff\xfe bytes\n".to_vec();
    invalid.extend(b"2016-05-30 12:09:21.4621     38  INFO  Request took 1500ms: GET /api/x\n");
    fs::write(p("OctopusServer.1.txt"), &invalid).unwrap();
    let mut long = b"2016-05-30 12:09:20.4621     38  INFO  ".to_vec();
    long.extend(vec![b'x'; 10 << 20]);
    fs::write(p("OctopusServer.2.txt"), &long).unwrap();
    fs::write(p("empty.txt"), b"").unwrap();
    let sample = fs::read(testdata(SAMPLE)).unwrap();
    let gz = gzip(&sample.repeat(50));
    fs::write(p("truncated.txt.gz"), &gz[..gz.len() / 2]).unwrap();
    fs::write(p("corrupt.zip"), b"PK\x03\x04 this is not really a zip file at all").unwrap();
    let out = octodiag(&["inputs", "--format", "json", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    let doc = json(&out);
    let by_name = |n: &str| {
        doc["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["path"].as_str().unwrap().ends_with(n))
            .cloned()
            .unwrap()
    };
    assert_eq!(by_name("binary.bin")["format"], "unknown");
    assert!(err.contains("binary.bin: not recognised: binary data"), "{err}");
    assert_eq!(by_name("OctopusServer.1.txt")["entries"], 2);
    assert_eq!(by_name("OctopusServer.2.txt")["entries"], 1);
    assert_eq!(by_name("empty.txt")["problems"].as_array().unwrap().len(), 0);
    let trunc = by_name("truncated.txt.gz");
    assert_eq!(trunc["format"], "server-log");
    assert!(trunc["entries"].as_u64().unwrap() > 100, "prefix kept: {trunc}");
    assert!(err.contains("truncated.txt.gz: truncated or corrupt gzip"), "{err}");
    assert!(err.contains("corrupt.zip: corrupt zip"), "{err}");
    assert!(err.contains("inputs, 3 with problems"), "{err}");
}

#[test]
fn missing_paths_and_bad_flags() {
    let out = octodiag(&["inputs", "/definitely/not/here"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("/definitely/not/here: not found"));
    let out = octodiag(&["events", "--server-utc-offset", "10 hours", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("expected ±HH:MM"));
    let out = octodiag(&["inputs"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn oversized_zip_member_is_refused_with_the_limit_named() {
    let dir = tempfile::tempdir().unwrap();
    let zipped = dir.path().join("big.zip");
    let sample = fs::read(testdata(SAMPLE)).unwrap();
    write_zip(&zipped, &[("Logs/OctopusServer.txt", &sample.repeat(200))]);
    let out = octodiag(&["inputs", "--max-decompressed", "100KiB", zipped.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("refused: decompressed size"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("exceeds the limit of 100 KiB (--max-decompressed)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn terminal_output_escapes_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("OctopusServer.txt");
    fs::write(
        &path,
        b"2016-05-30 12:09:20.4621     38  INFO  Request took 1500ms: GET /api/\x1b]0;owned\x07x\n",
    )
    .unwrap();
    let out = octodiag(&["events", "--format", "table", path.to_str().unwrap()]);
    assert!(!out.stdout.contains(&0x1b), "raw ESC reached the terminal");
    assert!(String::from_utf8_lossy(&out.stdout).contains("\\x1b]0;owned\\x07"));
}

#[test]
fn closed_stdout_is_a_quiet_exit() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let bin = assert_cmd::cargo::cargo_bin("octodiag");
    let big = testdata(SAMPLE);
    let mut child = Command::new(bin)
        .args(["events", big.to_str().unwrap(), big.to_str().unwrap(), big.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert!(status.code() == Some(0), "status {status:?}, stderr {err}");
    assert!(!err.contains("panicked"));
}

#[cfg(unix)]
#[test]
fn folder_walk_reports_loops_dangling_links_and_fifos() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("NODE-A/Logs");
    fs::create_dir_all(&logs).unwrap();
    fs::copy(testdata(SAMPLE), logs.join("OctopusServer.txt")).unwrap();
    symlink(dir.path(), logs.join("loop")).unwrap();
    symlink(dir.path().join("gone.txt"), logs.join("dangling.txt")).unwrap();
    let fifo = logs.join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    let out = octodiag(&["inputs", "--format", "json", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("symbolic link loop"), "{err}");
    assert!(err.contains("dangling.txt: not found"), "{err}");
    if made {
        assert!(err.contains("pipe: not a regular file"), "{err}");
    }
    let doc = json(&out);
    let logs_found =
        doc["inputs"].as_array().unwrap().iter().filter(|i| i["format"] == "server-log").count();
    assert_eq!(logs_found, 1, "the log is read once, not again through the loop");
}

/// A `.gz` large enough to be parsed while it is decoded (8 MiB compressed and
/// more) gives the events and counts of the same log uncompressed, on one thread
/// and two, with a truncated copy reported and its decoded part still read.
#[test]
fn large_gz_parsed_while_decoding_matches_the_plain_log() {
    let sample = fs::read(testdata(SAMPLE)).unwrap();
    // Filler entries whose messages barely compress (random printable ASCII), so
    // that the file is large compressed but modest decoded, then the sample.
    let mut log = Vec::with_capacity(12 << 20);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut n = 0;
    while log.len() < 11_600_000 {
        let payload: String = (0..400)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                char::from(b'!' + (x % 94) as u8)
            })
            .collect();
        n += 1;
        log.extend_from_slice(
            format!(
                "2016-05-29 23:{:02}:{:02}.0000     38  INFO  Filler {n} {payload}\n",
                n / 60 % 60,
                n % 60
            )
            .as_bytes(),
        );
    }
    let filler_lines = n as u64;
    log.extend_from_slice(&sample);
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("OctopusServer.7.txt");
    fs::write(&plain, &log).unwrap();
    let compressed = gzip(&log);
    assert!(compressed.len() >= 8 << 20, "compressed only {} bytes", compressed.len());
    let gz = dir.path().join("OctopusServer.8.txt.gz");
    fs::write(&gz, &compressed).unwrap();
    let typed = |path: &std::path::Path, threads: &str| {
        let out = octodiag(&["events", "-j", threads, path.to_str().unwrap()]);
        assert!(out.status.success(), "{}", stderr(&out));
        let events = ndjson(&out);
        summarise(&events)
            .into_iter()
            .filter(|(_, kind, _)| kind != "log")
            .map(|(line, kind, ms)| (line - filler_lines, kind, ms))
            .collect::<Vec<_>>()
    };
    let want: Vec<_> = expected().into_iter().filter(|(_, k, _)| k != "log").collect();
    assert_eq!(typed(&plain, "2"), want, "plain");
    for threads in ["1", "2"] {
        assert_eq!(typed(&gz, threads), want, "gz, {threads} threads");
    }
    let counts = |path: &std::path::Path| {
        let out = octodiag(&["inputs", "--format", "json", path.to_str().unwrap()]);
        let v = json(&out);
        let i = &v["inputs"][0];
        (i["entries"].as_u64(), i["bytes"].as_u64(), i["problems"].as_u64())
    };
    assert_eq!(counts(&gz), counts(&plain));
    let cut = dir.path().join("OctopusServer.9.txt.gz");
    fs::write(&cut, &compressed[..compressed.len() - 4096]).unwrap();
    let out = octodiag(&["inputs", cut.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "a truncated gzip is a problem");
    assert!(stderr(&out).contains("truncated or corrupt gzip"), "{}", stderr(&out));
}
