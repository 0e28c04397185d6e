//! Small literal HARs, one per case of har.md §7 and the reliability
//! catalogue (rows 47 and 48).

use super::parse_bytes;
use crate::event::{BrowserTiming, Event, EventKind, Level, Request, Text};
use crate::parse::Parsed;
use crate::time::Clock;

/// A HAR with the given entries (JSON text, comma-separated).
fn har(entries: &str) -> String {
    format!(
        r#"{{"log": {{"version": "1.2", "creator": {{"name": "t", "version": "1"}}, "entries": [{entries}]}}}}"#
    )
}

/// One entry with a start, a URL and a body of JSON `rest` appended.
fn entry(start: &str, url: &str, rest: &str) -> String {
    format!(
        r#"{{"startedDateTime": {start}, "time": 12.5, "request": {{"method": "GET", "url": "{url}", "headers": []}},
            "response": {{"status": 200, "headers": [], "content": {{"size": 3, "text": "abc"}}}},
            "timings": {{"blocked": 1, "dns": -1, "connect": -1, "ssl": -1, "send": 0.5, "wait": 10, "receive": 1}}{rest}}}"#
    )
}

fn parse(text: &str) -> Parsed {
    parse_bytes(0, text.as_bytes())
}

fn req(e: &Event) -> &Request {
    match &e.kind {
        EventKind::Request(r) => r,
        other => panic!("not a request: {other:?}"),
    }
}

fn timing(e: &Event) -> &BrowserTiming {
    req(e).browser.as_deref().unwrap()
}

fn url(p: &Parsed, text: &str, i: usize) -> String {
    req(&p.events[i]).url.resolve(text.as_bytes()).into_owned()
}

fn reasons(p: &Parsed) -> Vec<String> {
    p.problems.list.iter().map(|p| format!("{:?}: {}", p.line, p.reason)).collect()
}

fn utc(p: &Parsed, i: usize) -> String {
    p.events[i].time.rfc3339(Clock::Utc)
}

#[test]
fn a_plain_entry_becomes_a_request_event() {
    let text =
        har(&entry(r#""2026-11-03T04:10:00.123Z""#, "https://o/api/x", r#", "pageref": "page_1""#));
    let p = parse(&text);
    assert_eq!((p.entries, p.events.len(), p.lines), (1, 1, 0));
    assert!(p.problems.is_empty(), "{:?}", reasons(&p));
    let e = &p.events[0];
    let r = req(e);
    assert_eq!(r.method.resolve(text.as_bytes()), "GET");
    assert_eq!(url(&p, &text, 0), "https://o/api/x");
    assert_eq!((r.duration_ms, r.status, e.level), (12.5, Some(200), Level::Info));
    assert_eq!((e.line, e.lines, e.clock), (1, 1, Clock::Utc));
    assert_eq!(utc(&p, 0), "2026-11-03T04:10:00.123Z");
    let t = timing(e);
    assert_eq!((t.blocked, t.dns, t.connect, t.ssl), (Some(1.0), None, None, None));
    assert_eq!((t.send, t.wait, t.receive), (Some(0.5), Some(10.0), Some(1.0)));
    assert_eq!((t.cached, t.failed, t.page.as_deref()), (false, false, Some("page_1")));
    // The entry's byte range, and strings without escapes borrowed from the source.
    assert_eq!(&text[e.offset as usize..][..1], "{");
    assert_eq!(&text[(e.offset + e.len as u64 - 1) as usize..][..1], "}");
    assert!(matches!(r.url, Text::Span { .. }));
}

#[test]
fn utf8_bom_is_skipped_and_offsets_count_it() {
    let text = format!("\u{feff}{}", har(&entry(r#""2026-11-03T04:10:00Z""#, "https://o/", "")));
    let p = parse(&text);
    assert_eq!(p.events.len(), 1, "{:?}", reasons(&p));
    assert_eq!(url(&p, &text, 0), "https://o/");
    assert_eq!(&text[p.events[0].offset as usize..][..1], "{");
}

#[test]
fn utf16_is_refused_with_a_reason() {
    let p = parse_bytes(0, b"\xff\xfe{\x00");
    assert_eq!(
        reasons(&p),
        vec!["None: UTF-16 text; HAR files must be UTF-8: re-save it as UTF-8"]
    );
}

#[test]
fn pages_missing_or_empty_and_pageref_missing() {
    let e = entry(r#""2026-11-03T04:10:00Z""#, "https://o/", "");
    for text in [
        format!(r#"{{"log": {{"entries": [{e}]}}}}"#),
        format!(r#"{{"log": {{"pages": [], "entries": [{e}]}}}}"#),
        format!(
            r#"{{"log": {{"pages": [{{"id": "page_1", "pageTimings": {{"onLoad": null}}}}], "entries": [{e}]}}}}"#
        ),
    ] {
        let p = parse(&text);
        assert!(p.problems.is_empty(), "{:?}", reasons(&p));
        assert_eq!(p.events.len(), 1);
        assert_eq!(timing(&p.events[0]).page, None);
    }
}

#[test]
fn empty_timings_and_zero_time_is_a_cache_hit() {
    let text = har(r#"{"startedDateTime": "2023-03-29T16:58:59.418-07:00", "time": 0,
            "request": {"method": "GET", "url": "https://o/logo.png", "headersSize": null},
            "response": {"status": 200, "content": {"mimeType": "image/png"}},
            "cache": {"afterRequest": {"expires": "4294967295"}}, "timings": {}}"#);
    let p = parse(&text);
    assert!(p.problems.is_empty(), "{:?}", reasons(&p));
    let t = timing(&p.events[0]);
    assert_eq!((t.send, t.wait, t.receive, t.cached), (None, None, None, true));
    assert_eq!(req(&p.events[0]).duration_ms, 0.0);
    assert_eq!(utc(&p, 0), "2023-03-29T23:58:59.418Z");
}

#[test]
fn null_and_negative_values_are_unknown_and_time_is_recomputed_only_when_missing() {
    let text = har(&[
        // time null: recomputed from the known phases, ssl left out (it is inside connect).
        r#"{"startedDateTime": "2026-11-03T04:10:00Z", "time": null, "request": {"method": "GET", "url": "https://o/a"},
            "response": {"status": 200}, "timings": {"blocked": -1, "dns": 2.25, "connect": 30, "ssl": 20, "send": null, "wait": 100.5, "receive": -1}}"#,
        // time given: kept as given even though it counts ssl twice (Playwright).
        r#"{"startedDateTime": "2026-11-03T04:10:01Z", "time": 93.99, "request": {"method": "GET", "url": "https://o/b"},
            "response": {"status": 301}, "timings": {"dns": 0, "connect": 34.151, "ssl": 28.074, "send": 0, "wait": 27.549, "receive": 4.216}}"#,
        // time negative (mitmproxy's old -1000) and no timings at all.
        r#"{"startedDateTime": "2026-11-03T04:10:02Z", "time": -1000, "request": {"method": "GET", "url": "https://o/c"},
            "response": {"status": 200}}"#,
    ]
    .join(","));
    let p = parse(&text);
    assert!(p.problems.is_empty(), "{:?}", reasons(&p));
    let durations: Vec<f64> = p.events.iter().map(|e| req(e).duration_ms).collect();
    assert_eq!(durations, vec![132.75, 93.99, 0.0]);
    let t = timing(&p.events[0]);
    assert_eq!(
        (t.blocked, t.dns, t.ssl, t.send, t.receive),
        (None, Some(2.25), Some(20.0), None, None)
    );
    let t = timing(&p.events[2]);
    assert_eq!((t.wait, t.blocked), (None, None));
}

#[test]
fn timestamps_in_every_form_become_utc() {
    let starts = [
        ("2023-07-13T12:31:57.886Z", "2023-07-13T12:31:57.886Z"),
        ("2023-03-29T16:58:59.303-07:00", "2023-03-29T23:58:59.303Z"),
        ("2016-06-28T19:01:11.59+00:00", "2016-06-28T19:01:11.590Z"),
        ("2018-01-14T07:52:29.1000+00:00", "2018-01-14T07:52:29.100Z"),
        ("2023-08-29T13:03:20.195591+00:00", "2023-08-29T13:03:20.195Z"),
        ("2011-07-08T06:40:46.9724178+01:00", "2011-07-08T05:40:46.972Z"),
        ("2023-08-29T13:03:20+00:00", "2023-08-29T13:03:20.000Z"),
        ("2026-11-03T14:10:00.5+10:00", "2026-11-03T04:10:00.500Z"),
        ("2026-11-03T14:10:00+1000", "2026-11-03T04:10:00.000Z"),
    ];
    let entries: Vec<String> =
        starts.iter().map(|(s, _)| entry(&format!("{s:?}"), "https://o/", "")).collect();
    let text = har(&entries.join(","));
    let p = parse(&text);
    assert!(p.problems.is_empty(), "{:?}", reasons(&p));
    for (i, (_, want)) in starts.iter().enumerate() {
        assert_eq!(utc(&p, i), *want, "entry {}", i + 1);
    }
    assert_eq!(p.events[4].time.0 % 1_000_000, 195_591);
}

#[test]
fn a_missing_time_zone_is_read_as_utc_and_said_once_per_file() {
    let text = har(&[
        entry(r#""2026-01-13T15:41:11.497000""#, "https://o/a", ""),
        entry(r#""2026-01-13T15:41:12Z""#, "https://o/b", ""),
        entry(r#""2026-01-13T15:41:13.5""#, "https://o/c", ""),
    ]
    .join(","));
    let p = parse(&text);
    assert_eq!(utc(&p, 0), "2026-01-13T15:41:11.497Z");
    assert_eq!(utc(&p, 2), "2026-01-13T15:41:13.500Z");
    assert_eq!(
        reasons(&p),
        vec!["None: 2 entries have a startedDateTime without a time zone (first: entry 1); read as UTC"]
    );
}

#[test]
fn unusable_starts_keep_the_entry_at_its_neighbours_time() {
    let text = har(&[
        entry(r#""""#, "https://o/leading", ""),
        entry(r#""2026-11-03T04:10:00Z""#, "https://o/a", ""),
        entry("null", "https://o/b", ""),
        entry(r#""1970-01-01T00:00:00.000+00:00""#, "https://o/c", ""),
        entry(r#""NaN-NaN-NaNTNaN:NaN:NaN.NaN+NaN:NaN""#, "https://o/d", ""),
        entry(r#""2026-11-03T04:10:05Z""#, "https://o/e", ""),
    ]
    .join(","));
    let p = parse(&text);
    assert_eq!(p.events.len(), 6);
    let times: Vec<String> = (0..6).map(|i| utc(&p, i)).collect();
    let (a, e) = ("2026-11-03T04:10:00.000Z", "2026-11-03T04:10:05.000Z");
    assert_eq!(times, vec![a, a, a, a, a, e]);
    let lines: Vec<Option<u64>> = p.problems.list.iter().map(|p| p.line).collect();
    assert_eq!(lines, vec![Some(1), Some(3), Some(4), Some(5)]);
    assert!(p.problems.list[1]
        .reason
        .starts_with("startedDateTime (absent) is missing or unreadable"));
    assert!(p.problems.list[2].reason.contains("\"1970-01-01T00:00:00.000+00:00\""));
    assert_eq!(p.first.unwrap().0.rfc3339(Clock::Utc), a);
}

#[test]
fn lone_surrogates_in_a_kept_string_are_replaced_and_the_entry_kept() {
    let text = har(&[
        entry(r#""2026-11-03T04:10:00Z""#, r"https://o/a?q=\ud800x", ""),
        entry(r#""2026-11-03T04:10:01Z""#, "https://o/b", ""),
    ]
    .join(","));
    let p = parse(&text);
    assert_eq!(p.events.len(), 2);
    assert_eq!(url(&p, &text, 0), "https://o/a?q=\u{fffd}x");
    assert_eq!(
        reasons(&p),
        vec!["None: 1 entries contain lone UTF-16 surrogates or invalid UTF-8 (first: entry 1); replaced with U+FFFD"]
    );
}

#[test]
fn lone_surrogates_and_bad_utf8_in_skipped_fields_cost_nothing() {
    let body = r#", "_initiator": {"type": "script", "stack": {"description": "\udc00"}}"#;
    let text = har(&entry(r#""2026-11-03T04:10:00Z""#, "https://o/a", body))
        .replace(r#""text": "abc""#, r#""text": "\ud83d tail \udfff""#);
    let p = parse(&text);
    assert_eq!(p.events.len(), 1);
    assert!(p.problems.is_empty(), "{:?}", reasons(&p));

    // Invalid UTF-8 in a body is never looked at either.
    let mut bytes = har(&entry(r#""2026-11-03T04:10:00Z""#, "https://o/a", "")).into_bytes();
    let at = bytes.windows(3).position(|w| w == b"abc").unwrap();
    bytes[at] = 0xff;
    let p = parse_bytes(0, &bytes);
    assert_eq!(p.events.len(), 1);
    assert!(p.problems.is_empty(), "{:?}", reasons(&p));
}

#[test]
fn entries_out_of_order_stay_in_file_order_and_span_is_min_max() {
    let text = har(&[
        entry(r#""2026-11-03T04:10:05Z""#, "https://o/a", ""),
        entry(r#""2026-11-03T04:10:01Z""#, "https://o/b", ""),
        entry(r#""2026-11-03T04:10:09Z""#, "https://o/c", ""),
    ]
    .join(","));
    let p = parse(&text);
    let lines: Vec<u64> = p.events.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![1, 2, 3]);
    assert_eq!(p.first.unwrap().0.rfc3339(Clock::Utc), "2026-11-03T04:10:01.000Z");
    assert_eq!(p.last.unwrap().0.rfc3339(Clock::Utc), "2026-11-03T04:10:09.000Z");
}

#[test]
fn cached_and_failed_entries() {
    let start = r#""2026-11-03T04:10:00Z""#;
    let text = har(&[
        entry(start, "https://o/memory", r#", "_fromCache": "memory""#),
        entry(start, "https://o/safari", r#", "_fetchType": "Disk Cache""#),
        entry(start, "https://o/safari-net", r#", "_fetchType": "Network Load""#),
        r#"{"startedDateTime": "2026-11-03T04:10:00Z", "time": 2, "request": {"method": "GET", "url": "https://o/304"},
            "response": {"status": 304}, "timings": {"send": 0, "wait": -1, "receive": 2}}"#
            .to_string(),
        r#"{"startedDateTime": "2026-11-03T04:10:00Z", "time": 3.29, "request": {"method": "GET", "url": "https://o/offline"},
            "response": {"status": 0, "httpVersion": "", "_error": "net::ERR_INTERNET_DISCONNECTED"},
            "serverIPAddress": "", "timings": {"blocked": 3.29, "dns": -1, "send": 0, "wait": 0, "receive": 0}}"#
            .to_string(),
        entry(start, "https://o/quic", r#", "_x": 1"#)
            .replace(r#""status": 200,"#, r#""status": 200, "_error": "net::ERR_QUIC_PROTOCOL_ERROR","#),
        r#"{"startedDateTime": "2026-11-03T04:10:00Z", "time": 0, "request": {"method": "GET", "url": "https://o/none"}}"#
            .to_string(),
        r#"{"startedDateTime": "2026-11-03T04:10:00Z", "time": 5, "request": {"method": "GET", "url": "https://o/null-error"},
            "response": {"status": 200, "_error": null}, "timings": {"wait": 5}}"#
            .to_string(),
    ]
    .join(","));
    let p = parse(&text);
    assert!(p.problems.is_empty(), "{:?}", reasons(&p));
    let flags: Vec<(bool, bool)> =
        p.events.iter().map(|e| (timing(e).cached, timing(e).failed)).collect();
    assert_eq!(
        flags,
        vec![
            (true, false),
            (true, false),
            (false, false),
            (true, false),
            (false, true),
            (false, true),
            (false, true),
            (false, false)
        ]
    );
    let levels: Vec<Level> = p.events.iter().map(|e| e.level).collect();
    assert_eq!(levels[4..7], [Level::Warn; 3]);
    assert_eq!(
        (req(&p.events[4]).status, timing(&p.events[4]).server_ip.as_deref()),
        (Some(0), None)
    );
    assert_eq!(req(&p.events[6]).status, None);
}

#[test]
fn websocket_entries_are_requests_like_any_other() {
    let text = har(
        r#"{"startedDateTime": "2023-08-29T13:03:20.195591+00:00", "time": 424.1049289703369,
            "request": {"method": "GET", "url": "wss://o/socket"}, "response": {"status": 101, "content": {}},
            "_resourceType": "websocket",
            "_webSocketMessages": [{"type": "send", "time": 1693314200.5, "opcode": 1, "data": "{\"token\": \"x\"}"}],
            "timings": {"connect": 165.79508781433105, "ssl": 126.24692916870117, "send": 3.5181045532226562,
                        "receive": 5.8460235595703125, "wait": 122.69878387451172}}"#,
    );
    let p = parse(&text);
    assert!(p.problems.is_empty(), "{:?}", reasons(&p));
    assert_eq!(
        (req(&p.events[0]).status, req(&p.events[0]).duration_ms),
        (Some(101), 424.1049289703369)
    );
    assert_eq!(url(&p, &text, 0), "wss://o/socket");
}

#[test]
fn wrong_json_types_in_fields_do_not_lose_the_entry() {
    let text = har(
        r#"{"startedDateTime": "2026-11-03T04:10:00Z", "time": "12.5", "connection": 443, "serverIPAddress": ["x"],
            "pageref": {"id": 1}, "request": {"method": "GET", "url": "https://o/a"},
            "response": {"status": "200", "headers": {"not": "a list"}}, "timings": [1, 2]}"#,
    );
    let p = parse(&text);
    assert!(p.problems.is_empty(), "{:?}", reasons(&p));
    let (r, t) = (req(&p.events[0]), timing(&p.events[0]));
    assert_eq!((r.duration_ms, r.status), (12.5, Some(200)));
    assert_eq!(
        (t.connection.as_deref(), t.server_ip.as_deref(), t.page.as_deref()),
        (Some("443"), None, None)
    );
    assert_eq!(t.wait, None);
}

#[test]
fn escaped_strings_are_decoded_into_owned_text() {
    let text = har(&entry(r#""2026-11-03T04:10:00Z""#, r#"https:\/\/o\/api?q=\u00e9\""#, ""));
    let p = parse(&text);
    assert_eq!(url(&p, &text, 0), "https://o/api?q=é\"");
    assert!(matches!(req(&p.events[0]).url, Text::Owned(_)));
}

#[test]
fn correlation_id_only_from_a_named_header_with_the_server_log_shape() {
    let headers = |h: &str| {
        entry(r#""2026-11-03T04:10:00Z""#, "https://o/", "")
            .replace(r#""headers": [], "content""#, &format!(r#""headers": {h}, "content""#))
    };
    let text = har(&[
        headers(r#"[{"name": "Date", "value": "x"}, {"name": "X-Correlation-Id", "value": "0d4f3e2a1b9c48d7a6e5f4c3b2a19087"}]"#),
        headers(r#"[{"name": "x-request-id", "value": "not-hex-not-32"}]"#),
        headers(r#"[{"name": "Set-Cookie", "value": "0d4f3e2a1b9c48d7a6e5f4c3b2a19087"}]"#),
    ]
    .join(","));
    let p = parse(&text);
    let ids: Vec<Option<String>> = p
        .events
        .iter()
        .map(|e| req(e).correlation_id.as_ref().map(|c| c.resolve(text.as_bytes()).into_owned()))
        .collect();
    assert_eq!(ids, vec![Some("0d4f3e2a1b9c48d7a6e5f4c3b2a19087".to_string()), None, None]);
}

#[test]
fn a_bad_entry_is_skipped_with_its_index_and_the_others_kept() {
    let deep = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
    let text = har(&[
        entry(r#""2026-11-03T04:10:00Z""#, "https://o/a", ""),
        deep(10_000),
        "42".to_string(),
        r#"{"startedDateTime": "2026-11-03T04:10:00Z", "response": {"status": 200}}"#.to_string(),
        // Deep nesting in fields that are skipped (or drained) costs nothing.
        entry(
            r#""2026-11-03T04:10:01Z""#,
            "https://o/e",
            &format!(r#", "_initiator": {}"#, deep(100_000)),
        )
        .replace(r#""method": "GET""#, &format!(r#""method": "GET", "x": {}"#, deep(1000))),
    ]
    .join(","));
    let p = parse(&text);
    assert_eq!(p.entries, 5);
    let urls: Vec<String> = (0..p.events.len()).map(|i| url(&p, &text, i)).collect();
    assert_eq!(urls, vec!["https://o/a", "https://o/e"]);
    assert_eq!(p.events[1].line, 5);
    let r = reasons(&p);
    assert_eq!(r.len(), 3, "{r:?}");
    assert_eq!(r[0], "Some(2): entry skipped: it has no `request` object");
    let at = text.find(",42,").unwrap() + 2; // serde stops on the last digit
    assert_eq!(
        r[1],
        format!("Some(3): entry skipped: not a HAR at byte {at}: invalid type: integer `42`, expected an entry object")
    );
    assert_eq!(r[2], "Some(4): entry skipped: it has no `request` object");
}

#[test]
fn truncated_file_names_the_offset_and_keeps_the_complete_entries() {
    let full = har(&[
        entry(r#""2026-11-03T04:10:00Z""#, "https://o/a", ""),
        entry(r#""2026-11-03T04:10:01Z""#, "https://o/b", ""),
    ]
    .join(","));
    let cut = &full[..full.rfind("https://o/b").unwrap() + 5];
    let p = parse(cut);
    assert_eq!((p.entries, p.events.len()), (1, 1));
    assert_eq!(url(&p, cut, 0), "https://o/a");
    assert_eq!(
        reasons(&p),
        vec![format!(
            "None: the file ends early (truncated?) at byte {}: EOF while parsing a string; \
             read the 1 complete entries before it",
            cut.len()
        )]
    );
}

#[test]
fn not_a_har() {
    let cases: [(&[u8], &str); 7] = [
        (br#"{"foo": 1}"#, "not a HAR: the JSON object at byte 0 has no `log.entries` array"),
        (br#" {"log": {"version": "1.2"}}"#, "not a HAR: the JSON object at byte 1 has no `log.entries` array"),
        (b"[1, 2]", "not a HAR: the document at byte 0 is not a JSON object"),
        (b"  \n ", "empty file"),
        (br#"{"log": {"entries": "x"}}"#, "not a HAR: the JSON object at byte 0 has no `log.entries` array"),
        (b"{\"log\": tx}", "not valid JSON at byte 8: expected a value; no `log.entries` array found"),
        (b"{\"log\": tru", "the file ends early (truncated?) at byte 11, inside a value; no `log.entries` array found"),
    ];
    for (input, want) in cases {
        let p = parse_bytes(0, input);
        assert_eq!(p.events.len(), 0);
        assert_eq!(
            reasons(&p),
            vec![format!("None: {want}")],
            "{}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn ten_thousand_deep_nesting_is_a_clean_error() {
    let text = format!(r#"{{"log": {{"entries": [{}"#, "[".repeat(10_000));
    let p = parse(&text);
    assert_eq!(p.events.len(), 0);
    assert_eq!(
        reasons(&p),
        vec![format!(
            "None: the file ends early (truncated?) at byte {}: EOF while parsing a list; \
             read the 0 complete entries before it",
            text.len()
        )]
    );
    let p = parse(&"[".repeat(10_000));
    assert_eq!(reasons(&p), vec!["None: not a HAR: the document at byte 0 is not a JSON object"]);
    let text = format!(
        r#"{{"log": {{"entries": [], "pages": {}1{}}}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert!(parse(&text).problems.is_empty());
}

#[test]
fn jsonp_wrapper_and_fragment_without_log() {
    let e = entry(r#""2026-11-03T04:10:00Z""#, "https://o/a", "");
    for text in [format!("onInputData({});\n", har(&e)), format!(r#"{{"entries": [{e}]}}"#)] {
        let p = parse(&text);
        assert!(p.problems.is_empty(), "{:?}", reasons(&p));
        assert_eq!(url(&p, &text, 0), "https://o/a");
    }
}

mod never_panics {
    //! Damaged HARs (cut anywhere, a byte changed, text inserted): parsing
    //! and redaction never panic, and every entry is either an event or a
    //! problem naming it.
    use proptest::prelude::*;

    use super::{entry, har};
    use crate::har::parse_bytes;
    use crate::har::redact::{redact_har, RedactOptions};

    fn sample() -> Vec<u8> {
        har(&[
            entry(r#""2026-11-03T04:10:00Z""#, "https://o/a?apikey=API-ABCDEFGHIJKLMNOPQRST", ""),
            entry(
                r#""2026-11-03T14:10:01.5+10:00""#,
                r"https://o/\ud800",
                r#", "_fromCache": "disk""#,
            ),
            entry("null", "https://o/c", r#", "_initiator": [[[{"x": "\"}"}]]]"#),
        ]
        .join(","))
        .into_bytes()
    }

    fn check(bytes: &[u8]) {
        let p = parse_bytes(0, bytes);
        let skipped =
            p.problems.list.iter().filter(|x| x.reason.starts_with("entry skipped")).count();
        assert_eq!(p.events.len() + skipped, p.entries as usize);
        let lines: Vec<u64> = p.events.iter().map(|e| e.line).collect();
        assert!(lines.windows(2).all(|w| w[0] < w[1]));
        for e in &p.events {
            assert!(e.offset as usize + e.len as usize <= bytes.len());
        }
        let _ = redact_har(bytes, &RedactOptions::default());
        let _ = redact_har(bytes, &RedactOptions { drop_bodies: true });
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn cut_anywhere(at in 0usize..2000) {
            let bytes = sample();
            check(&bytes[..at.min(bytes.len())]);
        }

        #[test]
        fn one_byte_changed(at in 0usize..2000, b in any::<u8>()) {
            let mut bytes = sample();
            let at = at % bytes.len();
            bytes[at] = b;
            check(&bytes);
        }

        #[test]
        fn text_inserted(at in 0usize..2000, text in r#"[\[\]{}",:\\a-z0-9 ]{1,8}|\\u[dD][89abAB][0-9a-f]{2}"#) {
            let mut bytes = sample();
            let at = at % bytes.len();
            bytes.splice(at..at, text.bytes());
            check(&bytes);
        }
    }

    #[test]
    fn the_sample_itself_reads_whole() {
        let p = parse_bytes(0, &sample());
        assert_eq!((p.entries, p.events.len()), (3, 3));
    }
}
