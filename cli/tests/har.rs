//! The HAR capability end to end, through the real binary: `events` and
//! `inputs` on HAR files, `har redact`, secrets (reliability.md §5.5, row
//! 46) and bad inputs (rows 47 and 48).

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use octodiag_parsers::har::parse_bytes;
use octodiag_parsers::{Clock, Event, EventKind, Parsed};
use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn dashboard() -> PathBuf {
    repo().join("testdata/bundle/browser/dashboard-slow.har")
}

fn secrets_har() -> PathBuf {
    repo().join("testdata/har/octopus-secrets.har")
}

fn octodiag(args: &[&str]) -> Output {
    Command::cargo_bin("octodiag").unwrap().args(args).output().unwrap()
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ndjson(o: &Output) -> Vec<Value> {
    stdout(o).lines().map(|l| serde_json::from_str(l).expect("one JSON object per line")).collect()
}

#[test]
fn events_prints_one_request_per_entry() {
    let out = octodiag(&["events", path_str(&dashboard())]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let events = ndjson(&out);
    assert_eq!(events.len(), 33);
    assert!(events.iter().all(|e| e["kind"] == "request"));
    let lines: Vec<u64> = events.iter().map(|e| e["line"].as_u64().unwrap()).collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(sorted, (1..=33).collect::<Vec<u64>>(), "every entry once");
    let times: Vec<&str> = events.iter().map(|e| e["time"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "events come in time order");

    // Entry 11: the first slow dashboard call (values from the generator's table).
    let e = events.iter().find(|e| e["line"] == 11).unwrap();
    assert_eq!(e["time"], "2026-11-03T04:10:01.731Z");
    assert_eq!(e["method"], "GET");
    assert_eq!(
        e["url"],
        "https://octopus.acme.local/api/Spaces-1/dashboard?highestLatestVersionPerProjectAndEnvironment=true"
    );
    assert_eq!((e["status"].as_u64(), e["level"].as_str()), (Some(200), Some("info")));
    assert_eq!(e["duration_ms"].as_f64(), Some(2.84 + 0.31 + 8412.6 + 3.9));
    let b = &e["browser"];
    assert_eq!(
        (b["wait"].as_f64(), b["dns"].as_f64(), b["cached"].as_bool()),
        (Some(8412.6), None, Some(false))
    );
    assert_eq!(
        (b["page"].as_str(), b["server_ip"].as_str()),
        (Some("page_1"), Some("10.20.30.40"))
    );

    // Entry 21: the aborted releases call.
    let e = events.iter().find(|e| e["line"] == 21).unwrap();
    assert_eq!((e["status"].as_u64(), e["level"].as_str()), (Some(0), Some("warn")));
    assert_eq!(
        (e["browser"]["failed"].as_bool(), e["duration_ms"].as_f64()),
        (Some(true), Some(1843.2))
    );

    let cached: Vec<u64> = events
        .iter()
        .filter(|e| e["browser"]["cached"] == true)
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    let mut cached = cached;
    cached.sort();
    assert_eq!(cached, vec![4, 5, 6, 14, 22]);
}

#[test]
fn inputs_reports_the_har() {
    let out = octodiag(&["inputs", "--format", "json", path_str(&dashboard())]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let input = &doc["inputs"][0];
    assert_eq!((input["format"].as_str(), input["entries"].as_u64()), (Some("har"), Some(33)));
    assert_eq!(input["first"], "2026-11-03T04:10:00.412Z");
    assert_eq!(input["last"], "2026-11-03T04:12:21.905Z");
    assert_eq!(input["problems"], Value::Array(vec![]));
}

// ---------------------------------------------------------------- secrets

/// The canaries the generator put in `octopus-secrets.har`, one per place
/// a secret can hide.
fn canaries() -> Vec<String> {
    let list =
        std::fs::read_to_string(repo().join("testdata/har/octopus-secrets.canaries")).unwrap();
    list.lines().filter(|l| !l.is_empty()).map(String::from).collect()
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = c.iter().enumerate().fold(0u32, |n, (i, b)| n | (*b as u32) << (16 - 8 * i));
        for i in 0..=c.len() {
            out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// The forms a canary could take in output (reliability.md §5.5): as is,
/// case-folded, URL-encoded, JSON `\u`-escaped, and base64 at each of the
/// three byte alignments (the characters that depend only on the canary).
fn encodings(canary: &str) -> Vec<(String, String)> {
    let mut forms = vec![
        ("raw".to_string(), canary.to_string()),
        ("lower-case".into(), canary.to_lowercase()),
        ("json \\u".into(), canary.chars().map(|c| format!("\\u{:04x}", c as u32)).collect()),
        (
            "url-encoded".into(),
            canary
                .bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect(),
        ),
    ];
    for pad in 0..3 {
        let mut bytes = vec![b'x'; pad];
        bytes.extend_from_slice(canary.as_bytes());
        let full = base64(&bytes);
        let inner = &full[if pad > 0 { 4 } else { 0 }..full.len() - 4];
        forms.push((format!("base64+{pad}"), inner.to_string()));
    }
    forms
}

fn assert_no_canary(what: &str, text: &str) {
    let lower = text.to_lowercase();
    for canary in canaries() {
        for (form, needle) in encodings(&canary) {
            let hay = if form == "lower-case" { &lower } else { text };
            assert!(!hay.contains(&needle), "{what}: canary {canary} leaked ({form})");
        }
    }
}

fn all_output(o: &Output) -> String {
    format!("{}\n{}", stdout(o), stderr(o))
}

#[test]
fn the_canaries_really_are_in_the_input() {
    let input = std::fs::read_to_string(secrets_har()).unwrap();
    let found = canaries().iter().filter(|c| input.contains(c.as_str())).count();
    // The base64 body holds its canary only in encoded form.
    assert_eq!(found, canaries().len() - 1);
    let base64_canary = "API-CANARYBASE64KEY00000000004";
    assert!(!input.contains(base64_canary));
    let leaked = std::panic::catch_unwind(|| assert_no_canary("input", &input));
    assert!(leaked.is_err(), "the leak check finds canaries in the raw input");
}

#[test]
fn no_secret_reaches_any_output() {
    let har = secrets_har();
    let input = path_str(&har);
    let dir = tempfile::tempdir().unwrap();
    let runs: Vec<(&str, Vec<&str>)> = vec![
        ("events", vec!["events", input]),
        ("events table", vec!["events", "--format", "table", input]),
        ("inputs", vec!["inputs", input]),
        ("inputs json", vec!["inputs", "--format", "json", input]),
        ("analyze", vec!["analyze", input]),
        ("analyze json", vec!["analyze", "--format", "json", input]),
        ("har redact", vec!["har", "redact", input]),
        ("har redact --drop-bodies", vec!["har", "redact", "--drop-bodies", input]),
    ];
    for (what, args) in runs {
        let out = octodiag(&args);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{what}: {}", stderr(&out));
        assert!(!stdout(&out).is_empty(), "{what} printed something to check");
        assert_no_canary(what, &all_output(&out));
    }
    for (name, extra) in [("plain.har", None), ("dropped.har", Some("--drop-bodies"))] {
        let path = dir.path().join(name);
        let mut args = vec!["har", "redact", input, "-o", path_str(&path)];
        args.extend(extra);
        let out = octodiag(&args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(stdout(&out), "", "with -o nothing goes to stdout");
        assert_no_canary(name, &all_output(&out));
        assert_no_canary(name, &std::fs::read_to_string(&path).unwrap());
        // The redacted copy is still a HAR that octodiag reads without secrets.
        let out = octodiag(&["events", path_str(&path)]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_no_canary(name, &all_output(&out));
    }
}

/// What must survive redaction: for every entry, its time, method, status
/// and every timing.
fn timings(p: &Parsed) -> Vec<String> {
    p.events
        .iter()
        .map(|e: &Event| match &e.kind {
            EventKind::Request(r) => format!(
                "{} {} {:?} {:.9} {:?}",
                e.time.rfc3339(Clock::Utc),
                e.line,
                r.status,
                r.duration_ms,
                r.browser
            ),
            _ => unreachable!("HAR events are requests"),
        })
        .collect()
}

fn redact_to(input: &Path, out: &Path, drop_bodies: bool) -> Vec<u8> {
    let mut args = vec!["har", "redact", path_str(input), "-o", path_str(out)];
    if drop_bodies {
        args.push("--drop-bodies");
    }
    let o = octodiag(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    std::fs::read(out).unwrap()
}

#[test]
fn redacted_files_are_valid_har_with_the_same_entries_and_timings() {
    let dir = tempfile::tempdir().unwrap();
    for input in [secrets_har(), dashboard()] {
        let original = std::fs::read(&input).unwrap();
        let before = parse_bytes(0, &original);
        for drop_bodies in [false, true] {
            let bytes = redact_to(&input, &dir.path().join("out.har"), drop_bodies);
            let json: Value = serde_json::from_slice(&bytes).expect("valid JSON");
            let entries = json["log"]["entries"].as_array().unwrap();
            assert_eq!(entries.len(), before.events.len());
            assert!(json["log"]["comment"].as_str().unwrap().starts_with("Redacted by octodiag"));
            let after = parse_bytes(0, &bytes);
            assert!(after.problems.is_empty(), "{:?}", after.problems.list);
            assert_eq!(timings(&after), timings(&before), "{input:?} drop_bodies={drop_bodies}");
            let original: Value = serde_json::from_slice(&original).unwrap();
            for (e, o) in entries.iter().zip(original["log"]["entries"].as_array().unwrap()) {
                let (content, was) = (&e["response"]["content"], &o["response"]["content"]);
                assert_eq!(
                    (&content["size"], &content["mimeType"]),
                    (&was["size"], &was["mimeType"])
                );
                let kept = !drop_bodies && was.get("text").is_some();
                assert_eq!(content.get("text").is_some(), kept);
                assert_eq!(
                    content.get("comment").is_some(),
                    drop_bodies && was.get("text").is_some()
                );
                assert!(!drop_bodies || e["request"]["postData"].get("text").is_none());
            }
        }
    }
}

#[test]
fn redaction_keeps_what_is_harmless() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = redact_to(&secrets_har(), &dir.path().join("out.har"), false);
    let json: Value = serde_json::from_slice(&bytes).unwrap();
    let login = &json["log"]["entries"][1];
    assert_eq!(login["request"]["url"], "https://octopus.acme.local/api/users/login");
    let body: Value =
        serde_json::from_str(login["request"]["postData"]["text"].as_str().unwrap()).unwrap();
    assert_eq!(
        (body["Username"].as_str(), body["Password"].as_str()),
        (Some("admin"), Some("REDACTED"))
    );
    let header = |e: &Value, name: &str| {
        e["request"]["headers"].as_array().unwrap().iter().find(|h| h["name"] == name).unwrap()
            ["value"]
            .clone()
    };
    assert_eq!(header(login, "accept"), "application/json");
    assert_eq!(header(login, "cookie"), "REDACTED");
    assert_eq!(header(login, "x-octopus-csrf-token"), "REDACTED");
    let dash = &json["log"]["entries"][0];
    assert_eq!(dash["request"]["queryString"][1]["value"], "true");
    assert_eq!(dash["request"]["queryString"][0]["value"], "REDACTED");
    assert_eq!(dash["request"]["cookies"][0]["name"], "OctopusIdentificationToken_abc");
    assert_eq!(dash["request"]["cookies"][0]["value"], "REDACTED");
    let keys: Vec<&String> = dash.as_object().unwrap().keys().collect();
    assert_eq!(keys[..3], ["_initiator", "_priority", "_resourceType"], "key order kept");
}

#[test]
fn real_cookies_and_authorization_headers_from_the_corpus_do_not_survive() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let Some(dir) =
        [manifest.join("../../shared/corpus/har"), manifest.join("../shared/corpus/har")]
            .into_iter()
            .find(|p| p.is_dir())
    else {
        assert!(std::env::var("CI").map_or(true, |v| v != "true"), "CI=true but no HAR corpus");
        eprintln!("skipping: shared/corpus/har not found beside the repository");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for name in [
        "chrome114-offline-errors-2pages.har",
        "fiddler2-pages-empty-7digit-fraction.har",
        "webpagetest-3runs-607-entries.har",
    ] {
        let input = dir.join(name);
        let json: Value = serde_json::from_slice(&std::fs::read(&input).unwrap()).unwrap();
        let mut secrets = Vec::new();
        for e in json["log"]["entries"].as_array().unwrap() {
            for side in ["request", "response"] {
                for h in e[side]["headers"].as_array().into_iter().flatten() {
                    let n = h["name"].as_str().unwrap_or_default().to_ascii_lowercase();
                    if ["cookie", "set-cookie", "authorization"].contains(&n.as_str()) {
                        secrets.extend(h["value"].as_str().map(String::from));
                    }
                }
                for c in e[side]["cookies"].as_array().into_iter().flatten() {
                    secrets.extend(c["value"].as_str().map(String::from));
                }
            }
        }
        secrets.retain(|s| s.len() >= 12);
        assert!(!secrets.is_empty(), "{name} carries real cookies");
        let out = String::from_utf8(redact_to(&input, &tmp.path().join(name), false)).unwrap();
        for s in &secrets {
            assert!(!out.contains(s.as_str()), "{name}: a cookie or authorization value survived");
        }
        checked += secrets.len();
    }
    assert!(checked > 100, "{checked}");
}

// ---------------------------------------------------------------- bad input

#[test]
fn bad_hars_are_problems_with_name_and_offset_never_panics() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::read(dashboard()).unwrap();
    let cut = &full[..full.len() / 2];
    let deep = format!(r#"{{"log": {{"entries": [{}"#, "[".repeat(10_000));
    let cases: Vec<(&str, Vec<u8>, String)> = vec![
        (
            "truncated.har",
            cut.to_vec(),
            format!("the file ends early (truncated?) at byte {}", cut.len()),
        ),
        (
            "not-a-har.har",
            br#"{"foo": [1, 2]}"#.to_vec(),
            "not a HAR: the JSON object at byte 0 has no `log.entries` array".into(),
        ),
        ("deep.har", deep.clone().into_bytes(), format!("at byte {}", deep.len())),
        ("garbage.har", b"{\"log\": {\"entries\": [}".to_vec(), "not valid JSON at byte 21".into()),
    ];
    for (name, bytes, want) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        for cmd in ["events", "inputs"] {
            let out = octodiag(&[cmd, path_str(&path)]);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(1), "{cmd} {name}: {err}");
            let line = err.lines().find(|l| l.contains(name)).unwrap_or_default();
            assert!(line.starts_with("octodiag: ") && line.contains(&want), "{cmd} {name}: {err}");
        }
        let out = octodiag(&["har", "redact", path_str(&path)]);
        assert_eq!(out.status.code(), Some(2), "redact {name}");
        assert!(stderr(&out).contains(name), "{}", stderr(&out));
        assert_eq!(stdout(&out), "", "nothing half-redacted on stdout");
    }
    // The truncated file still yields the complete entries before the cut.
    let out = octodiag(&["events", path_str(&dir.path().join("truncated.har"))]);
    assert!(ndjson(&out).len() > 10);
}

#[test]
fn redact_refuses_to_overwrite_its_input_and_reports_unreadable_input() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.har");
    std::fs::copy(secrets_har(), &path).unwrap();
    let before = std::fs::read(&path).unwrap();
    let same = dir.path().join(".").join("in.har");
    let out = octodiag(&["har", "redact", path_str(&path), "-o", path_str(&same)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("refusing to overwrite the input"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&path).unwrap(), before);

    let missing = dir.path().join("missing.har");
    let out = octodiag(&["har", "redact", path_str(&missing)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("missing.har: cannot read"), "{}", stderr(&out));
}
