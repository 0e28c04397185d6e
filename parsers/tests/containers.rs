//! Container-wrapped logs through the whole funnel: opened from disk (plain and
//! `.gz`), unwrapped by content, detected and parsed as the log inside, with
//! line numbers of the wrapper file and the runtime's clock evidence.

use std::io::Write;

use octodiag_parsers::server_log::ServerLogOptions;
use octodiag_parsers::{
    open_inputs, parse_source, EventKind, Format, OpenOptions, ParseOptions, UtcOffset, WrapperKind,
};

fn docker(text: &str, time: &str) -> String {
    format!(
        "{{\"log\":{},\"stream\":\"stdout\",\"time\":\"{time}\"}}\n",
        serde_json::to_string(text).unwrap()
    )
}

/// A server log on a +10:00 clock, wrapped by Docker; the second entry is a
/// long line split over two records, the third has an exception continuation.
fn wrapped_server_log() -> String {
    [
        docker("2025-01-29 21:32:16.7923      1     75  INFO  Octopus.Server version 2025.1.1 (2025.1.1) instance OctopusServer\n", "2025-01-29T11:32:16.793001Z"),
        docker("2025-01-29 21:32:17.0000      1     75  INFO  Request took 2500ms: GET https://octo/api/", "2025-01-29T11:32:17.000301Z"),
        docker("tasks?skip=0 0123456789abcdef0123456789abcdef\n", "2025-01-29T11:32:17.000302Z"),
        docker("2025-01-29 21:32:18.0000      1     75 ERROR  Unhandled exception from web server: boom\n", "2025-01-29T11:32:18.000100Z"),
        docker("System.Exception: boom\n", "2025-01-29T11:32:18.000200Z"),
        docker("2025-01-29 21:32:19.0000      1     75  INFO  Request took 12ms: GET https://octo/api\n", "2025-01-29T11:32:19.000100Z"),
    ]
    .concat()
}

fn open_one(path: &std::path::Path) -> Vec<octodiag_parsers::Source> {
    open_inputs(&[path.to_string_lossy().into_owned()], &OpenOptions::default())
}

#[test]
fn docker_wrapped_server_log_is_a_server_log_with_wrapper_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("octopus-json.log");
    std::fs::write(&path, wrapped_server_log()).unwrap();
    let sources = open_one(&path);
    assert_eq!(sources.len(), 1);
    let s = &sources[0];
    assert_eq!(s.wrapper.as_ref().unwrap().kind, WrapperKind::DockerJson);
    assert!(s.bytes().starts_with(b"2025-01-29 21:32:16.7923"));
    // Small chunks: a mapped source must still be parsed as one chunk.
    let opts = ParseOptions { server_log: ServerLogOptions { chunk_size: 64, keep_generic: true } };
    let p = parse_source(0, s, &opts);
    assert_eq!(p.format, Some(Format::ServerLog));
    assert!(p.problems.is_empty(), "{:?}", p.problems.list);
    let lines: Vec<(u64, &str)> = p.events.iter().map(|e| (e.line, e.kind.name())).collect();
    assert_eq!(lines, vec![(1, "server-start"), (2, "request"), (4, "web-error"), (6, "request")]);
    assert_eq!(p.events[2].lines, 2);
    match &p.events[1].kind {
        EventKind::Request(r) => {
            assert_eq!(r.url.resolve(s.bytes()), "https://octo/api/tasks?skip=0");
            assert_eq!(r.duration_ms, 2500.0);
        }
        other => panic!("{other:?}"),
    }
    let hint = p.clock_hint.expect("clock hint");
    assert_eq!(
        (hint.offset, hint.samples, hint.wrapper),
        (UtcOffset { minutes: 600 }, 4, WrapperKind::DockerJson)
    );
    assert!((hint.median_s - 35_999.999_7).abs() < 0.001, "{}", hint.median_s);
    assert!(hint.spread_s < 0.001);
}

#[test]
fn gzipped_cri_ingress_log_is_unwrapped_and_stays_utc() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("0.log.20251010-135536.gz");
    let log = "2025-10-10T13:55:36.100000000Z stdout F 10.0.0.1 - - [10/Oct/2025:13:55:36 +0000] \"GET /api HTTP/1.1\" 200 9 \"-\" \"x\" 90 0.700 [octo-web-80] [] 10.0.0.2:80 9 0.650 200 abc\n\
2025-10-10T13:55:36.200000000Z stderr F I1010 13:55:36.2 7 controller.go:1] \"reloaded\"\n\
2025-10-10T13:55:37.100000000Z stdout P 10.0.0.1 - - [10/Oct/2025:13:55:37 +0000] \"GET /api/tasks HTTP/1.1\" 200 9 \"-\" \n\
2025-10-10T13:55:37.100000001Z stdout F \"x\" 90 1.700 [octo-web-80] [] 10.0.0.2:80 9 1.650 200 def\n";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(log.as_bytes()).unwrap();
    std::fs::write(&path, gz.finish().unwrap()).unwrap();
    let sources = open_one(&path);
    let s = &sources[0];
    assert_eq!(s.wrapper.as_ref().unwrap().kind, WrapperKind::Cri);
    let p = parse_source(0, s, &ParseOptions::default());
    assert_eq!(p.format, Some(Format::IngressNginx));
    assert_eq!(p.events.len(), 2);
    assert_eq!(p.events.iter().map(|e| e.line).collect::<Vec<_>>(), vec![1, 3]);
    assert_eq!(p.problems.list.len(), 1);
    assert_eq!(p.problems.list[0].line, Some(2), "the wrapper's line");
    assert!(p.clock_hint.is_none(), "UTC entries give no local-clock evidence");
}

#[test]
fn kubectl_prefix_of_two_pods_becomes_two_server_logs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kubectl-logs.txt");
    let log = "[pod/octopus-0/octopus] 2025-10-10T03:55:36.100000000Z 2025-10-10 13:55:36.0000      1      7  INFO  Defaulting server node name to 'octopus-0'.\n\
[pod/octopus-1/octopus] 2025-10-10T03:55:36.200000000Z 2025-10-10 13:55:36.1000      1      7  INFO  Request took 3ms: GET https://o/api\n\
[pod/octopus-0/octopus] 2025-10-10T03:55:37.100000000Z 2025-10-10 13:55:37.0000      1      7  INFO  Request took 4ms: GET https://o/api\n";
    std::fs::write(&path, log).unwrap();
    let sources = open_one(&path);
    assert_eq!(sources.len(), 2);
    let base = path.to_string_lossy().into_owned();
    let names: Vec<_> = sources.iter().map(|s| (s.name.clone(), s.folder_node.clone())).collect();
    assert_eq!(
        names,
        vec![
            (format!("{base} [pod/octopus-0/octopus]"), Some("octopus-0".to_string())),
            (format!("{base} [pod/octopus-1/octopus]"), Some("octopus-1".to_string())),
        ]
    );
    assert_eq!(sources[1].file_name, "kubectl-logs.txt");
    let p0 = parse_source(0, &sources[0], &ParseOptions::default());
    assert_eq!(p0.format, Some(Format::ServerLog));
    assert_eq!(p0.node.as_deref(), Some("octopus-0"));
    assert_eq!(p0.events.iter().map(|e| e.line).collect::<Vec<_>>(), vec![1, 3]);
    assert_eq!(p0.clock_hint.unwrap().offset, UtcOffset { minutes: 600 });
    let p1 = parse_source(1, &sources[1], &ParseOptions::default());
    assert_eq!(p1.events.iter().map(|e| e.line).collect::<Vec<_>>(), vec![2]);
}
