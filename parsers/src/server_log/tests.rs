//! Server-log parser tests: one expected answer (the events of a realistic
//! multi-version sample), checked through every path: LF and CRLF, with and
//! without BOM, any chunk size, one thread and many.

use proptest::prelude::*;

use super::*;
use crate::event::{EventKind, Level, SqlErrorKind};

const MIXED: &[u8] = include_bytes!("../../../testdata/server-log/mixed-versions.txt");

/// (start line, physical lines, kind) of every entry of `mixed-versions.txt`.
const EXPECTED: &[(u64, u32, &str)] = &[
    (1, 1, "sql"),
    (2, 4, "web-error"),
    (6, 1, "halibut"),
    (7, 1, "halibut"),
    (8, 1, "halibut"),
    (9, 1, "request"),
    (10, 4, "transactions"),
    (14, 1, "request-start"),
    (15, 1, "request"),
    (16, 4, "sql"),
    (20, 1, "log"),
    (21, 1, "log"),
    (22, 1, "server-start"),
    (23, 11, "environment"),
    (34, 7, "transactions"),
    (41, 1, "log"),
    (42, 3, "sql"),
    (45, 3, "sql"),
    (48, 2, "log"),
    (50, 1, "request"),
    (51, 3, "sql-error"),
    (54, 4, "sql-error"),
    (58, 1, "sql"),
    (59, 4, "sql-error"),
    (63, 1, "transactions"),
    (64, 1, "server-start"),
    (65, 1, "node-name"),
    (66, 1, "log"),
    (67, 1, "task"),
    (68, 1, "request"),
    (69, 1, "sql"),
    (70, 1, "task-canceled"),
];

fn summary(log: &ServerLog) -> Vec<(u64, u32, &'static str)> {
    log.events.iter().map(|e| (e.line, e.lines, e.kind.name())).collect()
}

fn parse_with(bytes: &[u8], chunk_size: usize) -> ServerLog {
    parse(0, bytes, &ServerLogOptions { chunk_size, keep_generic: true })
}

#[test]
fn mixed_versions_give_one_event_per_entry() {
    let log = parse_with(MIXED, 1 << 20);
    assert_eq!(summary(&log), EXPECTED);
    assert_eq!((log.entries, log.lines, log.skipped_lines), (32, 70, 0));
    assert!(log.problems.is_empty(), "{:?}", log.problems);
}

#[test]
fn every_physical_line_is_accounted_for() {
    let log = parse_with(MIXED, 1 << 20);
    let in_entries: u64 = log.events.iter().map(|e| e.lines as u64).sum();
    assert_eq!(in_entries + log.skipped_lines, log.lines);
}

#[test]
fn request_fields_are_exact() {
    let log = parse_with(MIXED, 1 << 20);
    let EventKind::Request(r) = &log.events[19].kind else { panic!("not a request") };
    assert_eq!(r.duration_ms, 276126.0);
    assert_eq!(r.url.resolve(MIXED), "https://octopus.acme.local/api/Spaces-1/projects/");
    assert_eq!(
        r.correlation_id.as_ref().unwrap().resolve(MIXED),
        "0d4f3e2a1b9c48d7a6e5f4c3b2a19087"
    );
    assert_eq!(log.events[19].time.rfc3339(Clock::Local), "2021-07-08T03:16:32.989");
    let EventKind::Request(r) = &log.events[29].kind else { panic!("not a request") };
    assert_eq!((r.status, r.duration_ms), (Some(200), 22.0));
    assert_eq!(r.full_url(MIXED), "http://localhost:8080/api/octopusservernodes/ping");
    assert_eq!(r.url.resolve(MIXED), "/api/octopusservernodes/ping", "host and path stay spans");
}

#[test]
fn sql_and_sql_errors_are_classified() {
    let log = parse_with(MIXED, 1 << 20);
    let EventKind::Sql(s) = &log.events[17].kind else { panic!("not sql") };
    assert_eq!((s.operation.resolve(MIXED).as_ref(), s.duration_ms), ("Executing reader", 60007.0));
    assert_eq!(s.transaction.as_ref().unwrap().resolve(MIXED), "DashboardFactory");
    let kinds: Vec<SqlErrorKind> = log
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::SqlError { error, .. } => Some(*error),
            _ => None,
        })
        .collect();
    use SqlErrorKind::*;
    assert_eq!(kinds, vec![CommandTimeout, Deadlock, PoolExhausted]);
}

#[test]
fn start_up_and_pressure_events() {
    let log = parse_with(MIXED, 1 << 20);
    let EventKind::ServerStart { version, pid, .. } = &log.events[12].kind else { panic!() };
    assert_eq!((version.resolve(MIXED).as_ref(), *pid), ("3.15.2", Some(35412)));
    let EventKind::Environment { machine, processors } = &log.events[13].kind else { panic!() };
    assert_eq!(machine.as_ref().unwrap().resolve(MIXED), "OCTO-NODE1");
    assert_eq!(*processors, Some(8));
    let EventKind::Transactions(t) = &log.events[14].kind else { panic!() };
    assert_eq!(t.dump.len(), 2);
    assert_eq!(t.dump[1].age_s, 127.05);
    let EventKind::Transactions(t) = &log.events[24].kind else { panic!() };
    assert_eq!(t.active, Some(85));
    assert_eq!(log.events[7].level, Level::Trace);
    let EventKind::Halibut { failure, .. } = &log.events[4].kind else { panic!() };
    assert!(*failure);
}

#[test]
fn crlf_and_bom_give_identical_events() {
    let lf = parse_with(MIXED, 1 << 20);
    let mut crlf = b"\xEF\xBB\xBF".to_vec();
    crlf.extend(MIXED.iter().flat_map(|b| if *b == b'\n' { vec![b'\r', b'\n'] } else { vec![*b] }));
    let other = parse_with(&crlf, 1 << 20);
    assert_eq!(summary(&other), summary(&lf));
    let times: Vec<_> = other.events.iter().map(|e| e.time).collect();
    assert_eq!(times, lf.events.iter().map(|e| e.time).collect::<Vec<_>>());
    let EventKind::Request(r) = &other.events[19].kind else { panic!() };
    assert_eq!(r.url.resolve(&crlf), "https://octopus.acme.local/api/Spaces-1/projects/");
}

#[test]
fn lines_before_first_entry_are_skipped_and_reported() {
    let text = b"   at Foo.Bar()\n   at Baz()\n2016-05-30 12:09:20.4621     38  INFO  hello\n";
    let log = parse_with(text, 1 << 20);
    assert_eq!((log.entries, log.skipped_lines, log.lines), (1, 2, 3));
    assert_eq!(log.problems.list[0].line, Some(1));
    assert!(log.problems.list[0].reason.contains("2 lines before the first entry"));
}

#[test]
fn invalid_timestamps_and_nul_gaps_are_reported_not_fatal() {
    let text = b"2016-05-30 12:09:20.4621     38  INFO  one\n2024-02-30 12:09:20.4621     38  INFO  bad date\n\0\0\0\0\x002016-05-30 12:09:21.0000     38  INFO  two\n";
    let log = parse_with(text, 1 << 20);
    assert_eq!(log.entries, 2);
    assert_eq!(log.events[0].lines, 2);
    let reasons: Vec<&str> = log.problems.list.iter().map(|p| p.reason.as_str()).collect();
    assert!(reasons[0].starts_with("invalid timestamp"), "{reasons:?}");
    assert!(reasons[1].starts_with("binary gap of 5 NUL bytes"), "{reasons:?}");
    assert_eq!(log.problems.list[1].line, Some(3));
}

#[test]
fn zone_suffix_makes_utc_times() {
    let log = parse_with(b"2024-01-15 10:30:45.1234 +10:00  12345  67890  INFO  hi\n", 1 << 20);
    assert_eq!(log.events[0].clock, Clock::Utc);
    assert_eq!(log.events[0].time.rfc3339(Clock::Utc), "2024-01-15T00:30:45.123Z");
}

#[test]
fn empty_and_newline_only_inputs() {
    let log = parse_with(b"", 1 << 20);
    assert_eq!((log.entries, log.lines), (0, 0));
    let log = parse_with(b"\n\n\n", 1 << 20);
    assert_eq!((log.entries, log.lines, log.skipped_lines), (0, 3, 3));
}

#[test]
fn generic_events_can_be_dropped_but_are_counted() {
    let log = parse(0, MIXED, &ServerLogOptions { chunk_size: 1 << 20, keep_generic: false });
    assert_eq!(log.entries, 32);
    // The three INFO generic entries are dropped; the FATAL and WARN ones stay.
    assert_eq!(log.events.len(), 32 - 3);
}

#[test]
fn a_ten_megabyte_line_is_one_entry() {
    let mut text = b"2016-05-30 12:09:20.4621     38  INFO  ".to_vec();
    text.extend(std::iter::repeat_n(b'x', 10 << 20));
    text.extend(b"\n2016-05-30 12:09:21.4621     38  INFO  Request took 1500ms: GET /api\n");
    let log = parse_with(&text, 1 << 16);
    assert_eq!(summary(&log), vec![(1, 1, "log"), (2, 1, "request")]);
}

fn repeated(n: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(MIXED.len() * n + n);
    for _ in 0..n {
        v.extend_from_slice(MIXED);
        v.push(b'\n');
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any chunk size gives the events, lines and problems of the whole-file parse.
    #[test]
    fn chunking_never_changes_results(chunk in 1usize..4096, copies in 1usize..6) {
        let bytes = repeated(copies);
        let whole = parse_with(&bytes, usize::MAX);
        let chunked = parse_with(&bytes, chunk);
        prop_assert_eq!(summary(&chunked), summary(&whole));
        prop_assert_eq!((chunked.entries, chunked.lines), (whole.entries, whole.lines));
        let offsets: Vec<u64> = chunked.events.iter().map(|e| e.offset).collect();
        prop_assert_eq!(offsets, whole.events.iter().map(|e| e.offset).collect::<Vec<_>>());
    }

    /// Arbitrary bytes never panic, and lines are always accounted for.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000), chunk in 1usize..300) {
        let log = parse_with(&bytes, chunk);
        let in_entries: u64 = log.events.iter().map(|e| e.lines as u64).sum();
        prop_assert_eq!(in_entries + log.skipped_lines, log.lines);
    }
}

#[test]
fn one_thread_and_many_agree() {
    let bytes = repeated(50);
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let many = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
    let a = one.install(|| parse_with(&bytes, 4096));
    let b = many.install(|| parse_with(&bytes, 4096));
    assert_eq!(summary(&a), summary(&b));
    assert_eq!(a.entries, 32 * 50);
}

use crate::test_util::gz as gzip;

/// Parsing while decoding gives exactly what parsing the decoded bytes gives,
/// for chunk sizes that cut the log inside one decoder step and across many
/// (the log is larger than a step), with a BOM or not, on one thread and many.
#[test]
fn parsing_while_decoding_matches_parsing_after() {
    use std::sync::atomic::AtomicU64;
    use std::sync::Arc;

    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(repeated(400)); // ~2.6 MB: more than two decoder steps
    for log in [&bytes[3..], &bytes[..]] {
        let whole = parse_with(log, usize::MAX);
        for (chunk, threads) in [(4096, 4), (300_000, 1), (usize::MAX, 2)] {
            let budget = Arc::new(AtomicU64::new(u64::MAX));
            let growing = crate::inflate::Inflating::start(Box::new(gzip(log)), 1 << 30, budget)
                .expect("reserve and start");
            let opts = ServerLogOptions { chunk_size: chunk, keep_generic: true };
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let (mut streamed, chunks) =
                pool.install(|| parse_growing(0, &growing, &opts, &Vec::new));
            streamed.events = concat_events(chunks);
            assert_eq!(summary(&streamed), summary(&whole), "chunk {chunk}");
            assert_eq!(
                (streamed.entries, streamed.lines, streamed.skipped_lines),
                (whole.entries, whole.lines, whole.skipped_lines)
            );
            let offsets = |l: &ServerLog| l.events.iter().map(|e| e.offset).collect::<Vec<_>>();
            assert_eq!(offsets(&streamed), offsets(&whole));
            assert_eq!(growing.available(), log, "every byte decoded");
            assert!(growing.take_problem().is_none());
        }
    }
}
