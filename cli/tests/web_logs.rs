//! End to end on `testdata/web-logs/bundle/`: Octopus's W3C log, an IIS log, nginx,
//! ingress-nginx inside a CRI wrapper, HAProxy, Traefik JSON and a server log
//! inside a Docker wrapper. Every input is recognised; counts and request
//! fields are checked through `inputs` and `events` JSON.

mod util;

use serde_json::Value;
use util::{json, ndjson, octodiag, stderr};

fn inputs() -> Vec<Value> {
    let out = octodiag(&["inputs", "testdata/web-logs/bundle", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "two foreign lines are reported: {}", stderr(&out));
    json(&out)["inputs"].as_array().unwrap().clone()
}

fn by_file<'a>(list: &'a [Value], file: &str) -> &'a Value {
    list.iter()
        .find(|v| v["path"].as_str().unwrap().ends_with(file))
        .unwrap_or_else(|| panic!("{file} not listed"))
}

#[test]
fn every_input_is_recognised_with_its_counts() {
    let list = inputs();
    let got: Vec<(String, String, u64)> = list
        .iter()
        .map(|v| {
            let path = v["path"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
            (path, v["format"].as_str().unwrap().to_string(), v["entries"].as_u64().unwrap())
        })
        .collect();
    let expect = [
        ("Web-2017-03-28.log", "w3c-octopus", 13),
        ("access.log", "nginx", 3),
        ("haproxy.log", "haproxy", 2),
        ("ingress-nginx-cri.log", "ingress-nginx", 2),
        ("octopus-server-json.log", "server-log", 5),
        ("traefik-access.json", "traefik", 2),
        ("u_ex251010.log", "iis", 3),
    ];
    let expect: Vec<(String, String, u64)> =
        expect.iter().map(|(p, f, n)| (p.to_string(), f.to_string(), *n)).collect();
    assert_eq!(got, expect);
    let nginx = by_file(&list, "access.log");
    assert_eq!(nginx["problems"][0]["line"], 3);
    assert_eq!(nginx["skipped_lines"], 1);
    assert!(by_file(&list, "Web-2017-03-28.log").get("wrapper").is_none());
}

#[test]
fn wrapped_inputs_show_their_wrapper_and_clock_hint() {
    let list = inputs();
    let docker = by_file(&list, "octopus-server-json.log");
    assert_eq!(docker["wrapper"]["kind"], "docker-json");
    assert_eq!(docker["wrapper"]["records"], 7);
    assert_eq!(docker["node"], "octopus-0");
    assert_eq!(docker["clock_hint"]["offset"], "+10:00");
    assert_eq!(docker["clock_hint"]["samples"], 5);
    assert!(
        docker["bytes"].as_u64().unwrap() < docker["wrapper"]["stored_bytes"].as_u64().unwrap()
    );
    let cri = by_file(&list, "ingress-nginx-cri.log");
    assert_eq!(cri["wrapper"]["kind"], "cri");
    assert!(cri.get("clock_hint").is_none(), "CLF times are UTC already");
    assert_eq!(cri["problems"][0]["line"], 2, "the wrapper file's line");
}

fn events() -> Vec<Value> {
    let out = octodiag(&["events", "testdata/web-logs/bundle"]);
    assert_eq!(out.status.code(), Some(1));
    ndjson(&out)
}

fn requests_of<'a>(events: &'a [Value], file: &str) -> Vec<&'a Value> {
    events
        .iter()
        .filter(|e| e["source"].as_str().unwrap().ends_with(file) && e["kind"] == "request")
        .collect()
}

#[test]
fn w3c_and_iis_requests() {
    let ev = events();
    let w3c = requests_of(&ev, "Web-2017-03-28.log");
    assert_eq!(w3c.len(), 13);
    let tasks = w3c.iter().find(|e| e["url"] == "/api/tasks").unwrap();
    assert_eq!(
        (tasks["time"].as_str(), tasks["duration_ms"].as_f64()),
        (Some("2017-03-28T03:50:09.000Z"), Some(1327.0))
    );
    assert_eq!(tasks["access"]["origin"], "w3c-octopus");
    assert_eq!(tasks["access"]["user"], "admin");
    assert_eq!(tasks["access"]["server_port"], 8065);
    let iis = requests_of(&ev, "u_ex251010.log");
    assert_eq!(iis.len(), 3);
    let first = iis[0];
    assert_eq!(first["url"], "/api/Spaces-1/projects?skip=0&take=30&apikey=REDACTED");
    assert_eq!(first["access"]["user"], "ACME\\jo smith");
    assert_eq!(first["access"]["user_agent"], "Mozilla/5.0 (Windows NT 10.0; Win64; x64)");
    assert_eq!(iis[1]["status"], 502);
    assert_eq!(
        (iis[1]["access"]["substatus"].as_u64(), iis[1]["access"]["win32_status"].as_u64()),
        (Some(3), Some(12002))
    );
    assert_eq!(iis[2]["line"], 11, "after the restart's new #Fields");
}

#[test]
fn proxy_requests_carry_total_and_upstream_times() {
    let ev = events();
    let nginx = requests_of(&ev, "access.log");
    let got: Vec<(f64, Option<f64>)> = nginx
        .iter()
        .map(|e| (e["duration_ms"].as_f64().unwrap(), e["access"]["upstream_ms"].as_f64()))
        .collect();
    assert_eq!(got, vec![(2517.0, Some(2503.0)), (120.0, Some(114.0)), (60001.0, Some(60000.0))]);
    assert_eq!(nginx[0]["time"], "2025-10-10T13:55:36.000Z", "+0200 converted to UTC");
    assert_eq!(nginx[1]["url"], "/api/tasks?skip=0&apikey=REDACTED");
    let ingress = requests_of(&ev, "ingress-nginx-cri.log");
    assert_eq!(ingress.iter().map(|e| e["line"].as_u64().unwrap()).collect::<Vec<_>>(), vec![1, 3]);
    assert_eq!(ingress[1]["access"]["request_id"], "6e8a1d2f0b3c4d5e6f708192a3b4c5d6");
    let haproxy = requests_of(&ev, "haproxy.log");
    assert_eq!(haproxy[0]["time"], "2025-10-10T15:55:36.500", "accept + Ta, proxy-local clock");
    assert_eq!(haproxy[1]["access"]["termination"], "sH--");
    assert!(haproxy[1]["access"].get("upstream_ms").is_none(), "Tr was -1");
    let traefik = requests_of(&ev, "traefik-access.json");
    assert_eq!(traefik.len(), 1);
    assert_eq!(traefik[0]["duration_ms"], 2512.345678);
    assert_eq!(traefik[0]["access"]["upstream_ms"], 2503.0);
    assert!(!traefik[0]["url"].as_str().unwrap().contains("TRAEFIK"), "API key redacted");
}

#[test]
fn docker_wrapped_server_log_events_have_wrapper_lines() {
    let ev = events();
    let server: Vec<(u64, &str)> = ev
        .iter()
        .filter(|e| e["source"].as_str().unwrap().ends_with("octopus-server-json.log"))
        .map(|e| (e["line"].as_u64().unwrap(), e["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        server,
        vec![
            (1, "server-start"),
            (2, "node-name"),
            (3, "request"),
            (5, "web-error"),
            (7, "request")
        ]
    );
    let joined = requests_of(&ev, "octopus-server-json.log")[0];
    assert_eq!(joined["line"], 3);
    assert_eq!(
        joined["url"],
        "https://octopus.acme.example/api/Spaces-1/dashboard?highestLatestVersionPerProjectAndEnvironment=true"
    );
    assert_eq!(joined["duration_ms"], 2510.0);
}
