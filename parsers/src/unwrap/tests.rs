use proptest::prelude::*;

use super::*;

fn docker_line(text: &str, time: &str) -> String {
    format!(
        "{{\"log\":{},\"stream\":\"stdout\",\"time\":\"{time}\"}}\n",
        serde_json::to_string(text).unwrap()
    )
}

fn one(kind: WrapperKind, wrapper: &str) -> (String, Wrapper, Problems) {
    let d = decode(kind, wrapper.as_bytes(), usize::MAX);
    assert!(!d.cut);
    assert_eq!(d.streams.len(), 1);
    let (bytes, w) = d.streams.into_iter().next().unwrap();
    (String::from_utf8(bytes).unwrap(), w, d.problems)
}

const T0: &str = "2025-01-29T11:32:16.792871123Z";

#[test]
fn docker_split_records_join_and_lines_map_to_the_first_piece() {
    let w = [
        docker_line("2025-01-29 21:32:16.7923      1     75  INFO  first\n", T0),
        docker_line("2025-01-29 21:32:17.0000      1     75  INFO  long ", T0),
        docker_line("line in <two> pieces\n", T0),
        docker_line("third\n", "2025-01-29T11:32:18Z"),
    ]
    .concat();
    let (text, wrapper, problems) = one(WrapperKind::DockerJson, &w);
    assert!(problems.is_empty());
    assert_eq!(
        text,
        "2025-01-29 21:32:16.7923      1     75  INFO  first\n2025-01-29 21:32:17.0000      1     75  INFO  long line in <two> pieces\nthird\n"
    );
    assert_eq!(wrapper.records, 4);
    assert_eq!([1, 2, 3].map(|l| wrapper.lines.wrapper_line(l)), [1, 2, 4]);
    assert!(!wrapper.lines.is_identity());
    let second = text.find("2025-01-29 21:32:17").unwrap() as u64;
    assert_eq!(
        wrapper.runtime_at(0).unwrap().rfc3339(crate::Clock::Utc),
        "2025-01-29T11:32:16.792Z"
    );
    assert!(wrapper.runtime_at(second).is_some());
    assert!(wrapper.runtime_at(1).is_none());
}

#[test]
fn docker_bad_records_are_problems_with_their_wrapper_line() {
    let w = [docker_line("a\n", T0), "not json\n".into(), docker_line("b\n", T0)].concat();
    let (text, wrapper, problems) = one(WrapperKind::DockerJson, &w);
    assert_eq!(text, "a\nb\n");
    assert_eq!(wrapper.lines.wrapper_line(2), 3);
    assert_eq!(problems.list, vec![Problem::at_line(2, "not a Docker json-file record; skipped")]);
}

#[test]
fn cri_partial_lines_join_until_full() {
    let w =
        "2025-01-29T11:32:16.000000001Z stdout P 2025-01-29 21:32:16.7923  1  75  INFO  start \n\
2025-01-29T11:32:16.000000002Z stdout P middle \n\
2025-01-29T11:32:16.000000003Z stdout F end\n\
2025-01-29T11:32:17.000000000Z stderr F other\n\
2025-01-29T11:32:17.000000000Z stderr F\n";
    let (text, wrapper, problems) = one(WrapperKind::Cri, w);
    assert!(problems.is_empty());
    assert_eq!(text, "2025-01-29 21:32:16.7923  1  75  INFO  start middle end\nother\n\n");
    assert_eq!([1, 2, 3].map(|l| wrapper.lines.wrapper_line(l)), [1, 4, 5]);
    assert_eq!(wrapper.runtime.len(), 3);
}

#[test]
fn kubectl_timestamps_and_untimed_continuations() {
    let w = "2025-10-10T13:55:36.123456789Z one\n2025-10-10T13:55:37.000000000+10:00 two\nthree\n";
    let kind = WrapperKind::Kubectl { prefix: false, timestamps: true };
    let (text, wrapper, _) = one(kind, w);
    assert_eq!(text, "one\ntwo\nthree\n");
    assert!(wrapper.lines.is_identity());
    assert_eq!(wrapper.runtime.len(), 2);
    assert_eq!(wrapper.runtime[1].1.rfc3339(crate::Clock::Utc), "2025-10-10T03:55:37.000Z");
}

#[test]
fn kubectl_prefix_splits_streams_per_container() {
    let w = "[pod/octo-0/octopus] a1\n[pod/octo-1/octopus] b1\n[pod/octo-0/octopus] a2\nerror: oops\n[pod/octo-1/octopus] b2\n";
    let kind = WrapperKind::Kubectl { prefix: true, timestamps: false };
    let d = decode(kind, w.as_bytes(), usize::MAX);
    assert_eq!(d.problems.list, vec![Problem::at_line(4, "no [pod/…] prefix; skipped")]);
    let got: Vec<(String, Option<String>, [u64; 2])> = d
        .streams
        .iter()
        .map(|(b, w)| {
            (
                String::from_utf8(b.clone()).unwrap(),
                w.stream.clone(),
                [1, 2].map(|l| w.lines.wrapper_line(l)),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("a1\na2\n".into(), Some("pod/octo-0/octopus".into()), [1, 3]),
            ("b1\nb2\n".into(), Some("pod/octo-1/octopus".into()), [2, 5]),
        ]
    );
}

#[test]
fn sniffing_needs_every_first_line_to_agree() {
    let docker = [docker_line("a\n", T0), docker_line("b\n", T0)].concat();
    assert_eq!(sniff(docker.as_bytes()), Some(WrapperKind::DockerJson));
    let mixed = [docker_line("a\n", T0), "plain text\n".into()].concat();
    assert_eq!(sniff(mixed.as_bytes()), None);
    assert_eq!(sniff(b"{\n  \"log\": {\n    \"version\": \"1.2\"\n"), None, "a HAR file");
    assert_eq!(
        sniff(b"2021-07-08 03:16:32.9895  19480     73  INFO  Request took 5ms: GET /\n"),
        None
    );
    assert_eq!(
        sniff(b"2025-10-10T13:55:36.1Z stdout F x\n\n2025-10-10T13:55:36.2Z stdout F y\n"),
        Some(WrapperKind::Cri)
    );
    assert_eq!(sniff(b"2025-10-10T13:55:36.1Z stdout F x"), None, "no complete line");
}

#[test]
fn limit_cuts_and_says_so() {
    let w = [docker_line("0123456789\n", T0), docker_line("abcdefghij\n", T0)].concat();
    let d = decode(WrapperKind::DockerJson, w.as_bytes(), 15);
    assert!(d.cut);
    assert_eq!(d.streams[0].0, b"0123456789\nabcd");
}

#[test]
fn line_map_runs() {
    let mut m = LineMap::default();
    m.start(1, 1);
    m.start(2, 2);
    m.start(3, 5);
    m.start(4, 6);
    assert_eq!(m.runs(), 2);
    assert_eq!([1, 2, 3, 4, 9].map(|l| m.wrapper_line(l)), [1, 2, 5, 6, 11]);
    assert_eq!(LineMap::default().wrapper_line(7), 7);
}

/// Lines of printable text with the odd quote, backslash, tab and non-ASCII character.
fn text_line() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-z0-9 \"\\\\\t<>&é]{0,40}").unwrap()
}

fn pieces(line: &str, cuts: &[usize]) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    let mut at: Vec<usize> = cuts.iter().map(|c| c % (chars.len() + 1)).collect();
    at.sort_unstable();
    at.dedup();
    let mut out = Vec::new();
    let mut prev = 0;
    for c in at.into_iter().chain([chars.len()]) {
        if c > prev {
            out.push(chars[prev..c].iter().collect());
            prev = c;
        }
    }
    if out.is_empty() {
        out.push(String::new());
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// However the runtime cut the lines into records, the decoded text is the
    /// lines, and each line maps to the record where it began.
    #[test]
    fn docker_and_cri_join_whatever_the_cuts(
        lines in proptest::collection::vec((text_line(), proptest::collection::vec(0usize..50, 0..4)), 1..12),
    ) {
        let mut docker = String::new();
        let mut cri = String::new();
        let mut first_records = Vec::new();
        let mut record = 0u64;
        for (line, cuts) in &lines {
            let parts = pieces(line, cuts);
            first_records.push(record + 1);
            for (i, p) in parts.iter().enumerate() {
                record += 1;
                let last = i + 1 == parts.len();
                let text = if last { format!("{p}\n") } else { p.clone() };
                docker.push_str(&docker_line(&text, T0));
                cri.push_str(&format!("{T0} stdout {} {p}\n", if last { "F" } else { "P" }));
            }
        }
        let expected: String = lines.iter().map(|(l, _)| format!("{l}\n")).collect();
        for (kind, wrapper) in [(WrapperKind::DockerJson, &docker), (WrapperKind::Cri, &cri)] {
            let (text, w, problems) = one(kind, wrapper);
            prop_assert!(problems.is_empty());
            prop_assert_eq!(&text, &expected);
            for (i, first) in first_records.iter().enumerate() {
                prop_assert_eq!(w.lines.wrapper_line(i as u64 + 1), *first);
            }
        }
    }

    /// A wrapper file cut after any record decodes to a prefix of the whole text.
    #[test]
    fn a_cut_file_decodes_to_a_prefix(
        lines in proptest::collection::vec((text_line(), proptest::collection::vec(0usize..50, 0..3)), 1..8),
        keep in 0usize..30,
    ) {
        let mut records = Vec::new();
        for (line, cuts) in &lines {
            let parts = pieces(line, cuts);
            for (i, p) in parts.iter().enumerate() {
                let text = if i + 1 == parts.len() { format!("{p}\n") } else { p.clone() };
                records.push(docker_line(&text, T0));
            }
        }
        let whole = one(WrapperKind::DockerJson, &records.concat()).0;
        let cut = one(WrapperKind::DockerJson, &records[..keep.min(records.len())].concat()).0;
        prop_assert!(whole.starts_with(&cut));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any bytes, under any framing, decode without panicking and never grow.
    #[test]
    fn decoding_anything_never_panics(
        bytes in proptest::collection::vec(prop_oneof![Just(b'{'), Just(b'"'), Just(b'\\'), Just(b'\n'), Just(b'u'), Just(b' '), Just(b'['), Just(b']'), any::<u8>()], 0..300),
        prefix in prop_oneof![Just(&b"{\"log\":\""[..]), Just(&b"2025-10-10T13:55:36.123456789Z stdout P "[..]), Just(&b"[pod/a/b] 2025-10-10T13:55:36.123456789Z "[..]), Just(&b""[..])],
    ) {
        let input = [prefix, &bytes[..]].concat();
        let kinds = [
            WrapperKind::DockerJson,
            WrapperKind::Cri,
            WrapperKind::Kubectl { prefix: true, timestamps: true },
            WrapperKind::Kubectl { prefix: false, timestamps: true },
        ];
        for kind in kinds {
            let d = decode(kind, &input, 100);
            for (text, _) in &d.streams {
                prop_assert!(text.len() <= input.len() && text.len() <= 100, "{kind:?}: {} of {}", text.len(), input.len());
            }
        }
        let _ = sniff(&input);
    }
}
