//! Telemetry inputs end to end: a folder with a server log, a PDH-CSV export,
//! an Octopus trace chunk (`.jsonl.zst` members inside a `.tar`), a speedscope
//! profile and a binary capture, through `inputs --format json` and `events`.

mod util;

use std::path::Path;

use serde_json::Value;
use util::{json, ndjson, octodiag, stderr, testdata};

fn zst(path: &Path) -> Vec<u8> {
    zstd::encode_all(&std::fs::read(path).unwrap()[..], 3).unwrap()
}

/// `logs/` with the bundle's node-1 server log and the telemetry files beside it.
fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let copy = |from: &str, to: &str| {
        std::fs::copy(testdata(from), dir.path().join(to)).unwrap();
    };
    copy("bundle/OCTO-NODE1/Logs/OctopusServer.txt", "OctopusServer.txt");
    copy("telemetry/perfmon-octo-node1.csv", "perfmon.csv");
    copy("telemetry/Octopus.Server_20261103_140500.speedscope.json", "cpu.speedscope.json");
    copy("telemetry/Octopus.Server.dtt", "Octopus.Server.dtt");
    let mut tar = tar::Builder::new(Vec::new());
    for name in ["otel-synthetic.jsonl", "otel-server-requests.jsonl"] {
        let data = zst(&testdata(&format!("telemetry/{name}")));
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tar.append_data(&mut h, format!("traces/{name}.zst"), &data[..]).unwrap();
    }
    std::fs::write(dir.path().join("traces-0001.tar"), tar.into_inner().unwrap()).unwrap();
    dir
}

fn by_suffix<'a>(inputs: &'a [Value], suffix: &str) -> &'a Value {
    inputs.iter().find(|i| i["path"].as_str().unwrap().ends_with(suffix)).unwrap()
}

#[test]
fn every_input_is_recognised_with_its_counts() {
    let dir = folder();
    let out = octodiag(&["inputs", "--format", "json", dir.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc = json(&out);
    let inputs = doc["inputs"].as_array().unwrap();
    let formats: Vec<(&str, &str)> = inputs
        .iter()
        .map(|i| {
            let path = i["path"].as_str().unwrap();
            (&path[path.rfind(['/', '!']).unwrap() + 1..], i["format"].as_str().unwrap())
        })
        .collect();
    assert_eq!(
        formats,
        [
            ("Octopus.Server.dtt", "binary-capture"),
            ("OctopusServer.txt", "server-log"),
            ("cpu.speedscope.json", "speedscope"),
            ("perfmon.csv", "pdh-csv"),
            ("otel-synthetic.jsonl.zst", "otel-traces"),
            ("otel-server-requests.jsonl.zst", "otel-traces"),
        ]
    );
    let otel = by_suffix(inputs, "otel-synthetic.jsonl.zst");
    assert_eq!(
        (otel["entries"].as_u64(), otel["first"].as_str()),
        (Some(139), Some("2026-05-26T01:55:21.808Z"))
    );
    let pdh = by_suffix(inputs, "perfmon.csv");
    let series = pdh["series"].as_array().unwrap();
    assert_eq!((pdh["entries"].as_u64(), series.len()), (Some(40), 16));
    let cpu = series.iter().find(|s| s["kind"] == "process-cpu-percent").unwrap();
    assert_eq!(cpu["name"], "\\\\OCTO-NODE1\\Process(Octopus.Server)\\% Processor Time");
    assert_eq!((cpu["role"].as_str(), cpu["points"].as_u64()), (Some("octopus-server"), Some(39)));
    assert_eq!(cpu["first"], "2026-11-03T03:55:15.121Z");
    assert!(cpu["max"].as_f64().unwrap() <= 100.0);
    let profile = &by_suffix(inputs, "cpu.speedscope.json")["profile"];
    assert_eq!((profile["kind"].as_str(), profile["threads"].as_u64()), (Some("cpu"), Some(2)));
    assert_eq!(profile["hottest_exclusive"][0]["name"], "CPU_TIME");
    let dtt = by_suffix(inputs, "Octopus.Server.dtt");
    assert!(dtt["notes"][0].as_str().unwrap().contains("open it in JetBrains dotTrace"));
    assert!(by_suffix(inputs, "OctopusServer.txt").get("series").is_none(), "logs look as before");
}

#[test]
fn events_show_spans_with_their_fields_and_no_secrets() {
    let dir = folder();
    let out = octodiag(&["events", dir.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let events = ndjson(&out);
    let spans: Vec<&Value> = events.iter().filter(|e| e["kind"] == "span").collect();
    assert_eq!(spans.len(), 139 + 10);
    let role = |r: &str| spans.iter().filter(|s| s["role"] == r).count();
    assert_eq!((role("request"), role("sql"), role("task"), role("other")), (8, 56, 2, 83));
    let post = spans.iter().find(|s| s["role"] == "request" && s["method"] == "POST").unwrap();
    assert_eq!(post["url"], "/api/Spaces-1/deployments?apikey=REDACTED");
    assert_eq!(post["attributes"]["url.query"], "apikey=REDACTED");
    assert_eq!(
        (post["http_status"].as_u64(), post["span_kind"].as_str()),
        (Some(201), Some("server"))
    );
    assert_eq!(post["time"], "2026-11-03T04:20:14.000Z");
    assert_eq!(
        (post["duration_ms"].as_f64(), post["end"].as_str()),
        (Some(350.0), Some("2026-11-03T04:20:14.350Z"))
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("API-ABCDEFGH"));
    let sql =
        spans.iter().find(|s| s["task_id"] == "ServerTasks-2301" && s["role"] == "sql").unwrap();
    assert_eq!(sql["statement"], "DELETE FROM dbo.[Release] WHERE [Id] = @p0");
    assert_eq!(sql["attributes"]["db.spid"], 61);
    assert_eq!(sql["parent_span_id"].as_str().unwrap().len(), 16);
    let null_tx = spans
        .iter()
        .filter(|s| {
            s["attributes"]["db.transaction.sqlclient_id"].is_null()
                && s["attributes"].get("db.transaction.sqlclient_id").is_some()
        })
        .count();
    assert_eq!(null_tx, 34);
    // The server log's own events are there too, request lines as before.
    let log_requests = events
        .iter()
        .filter(|e| {
            e["kind"] == "request" && e["source"].as_str().unwrap().ends_with("OctopusServer.txt")
        })
        .count();
    assert!(log_requests > 0);
}
