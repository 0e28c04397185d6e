//! Every file of the real HAR corpus (`shared/corpus/har/`, described in its
//! `SOURCES.md`) parsed, with values per exporter.
//!
//! The expected values were read from the files with Python's `json` module
//! (`utf-8-sig`), not from this parser: entry counts, the first entry, the
//! earliest and latest start in UTC, and the cached and failed counts under
//! the rules documented in `octodiag_parsers::har` (cached: `_fromCache`,
//! `_fetchType` "… Cache", a 304 without a known wait, or a successful entry
//! in which nothing took time; failed: status 0, `_error`, or no response).
//!
//! The corpus sits beside the repository (`../shared/corpus/har`). Where it
//! is absent the test says so and passes, except on CI (`CI=true`), where
//! absence is a failure.

use std::path::{Path, PathBuf};

use octodiag_parsers::event::BrowserTiming;
use octodiag_parsers::{har, Clock, Event, EventKind, Parsed, Request, Source};

fn corpus_dir() -> Option<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates =
        [manifest.join("../../shared/corpus/har"), manifest.join("../shared/corpus/har")];
    let found = candidates.into_iter().find(|p| p.join("SOURCES.md").is_file());
    if found.is_none() {
        let on_ci = std::env::var("CI").is_ok_and(|v| v == "true");
        assert!(!on_ci, "CI=true but the HAR corpus was not found beside the repository");
        eprintln!("skipping: shared/corpus/har not found beside the repository");
    }
    found
}

fn parse_file(dir: &Path, name: &str) -> (Vec<u8>, Parsed) {
    let bytes = std::fs::read(dir.join(name)).unwrap();
    let parsed = har::parse(0, &Source::from_bytes(name, bytes.clone()));
    (bytes, parsed)
}

fn request(e: &Event) -> &Request {
    match &e.kind {
        EventKind::Request(r) => r,
        other => panic!("not a request: {other:?}"),
    }
}

fn browser(e: &Event) -> &BrowserTiming {
    request(e).browser.as_deref().expect("HAR events carry browser timing")
}

fn close(got: f64, want: f64) -> bool {
    (got - want).abs() <= 1e-9 * want.abs().max(1.0)
}

/// What Python says about one file.
struct Expect {
    file: &'static str,
    entries: usize,
    cached: usize,
    failed: usize,
    /// method, url, status, start (UTC), duration of entry 1.
    first: (&'static str, &'static str, Option<u16>, &'static str, f64),
    /// Earliest and latest start, UTC.
    span: (&'static str, &'static str),
    /// An entry (1-based) and its `wait`, `pageref`, `serverIPAddress`, `connection`.
    probe: (usize, f64, Option<&'static str>, Option<&'static str>, Option<&'static str>),
}

const EXPECT: &[Expect] = &[
    Expect {
        file: "charles463-no-pages.har",
        entries: 1,
        cached: 0,
        failed: 0,
        first: ("GET", "https://mitmproxy.org/?=", Some(200), "2023-03-30T00:37:42.482Z", 107.0),
        span: ("2023-03-30T00:37:42.482Z", "2023-03-30T00:37:42.482Z"),
        probe: (1, 24.0, None, Some("13.35.121.50"), None),
    },
    Expect {
        file: "chrome-bom-pages-empty.har",
        entries: 1,
        cached: 0,
        failed: 0,
        first: (
            "POST",
            "https://signal-metrics-collector-beta.s-onetag.com/metrics",
            Some(200),
            "2023-07-15T13:37:26.093Z",
            169.79599999582302,
        ),
        span: ("2023-07-15T13:37:26.093Z", "2023-07-15T13:37:26.093Z"),
        probe: (1, 53.01799999912642, None, Some("99.83.181.31"), Some("159834")),
    },
    Expect {
        file: "chrome114-offline-errors-2pages.har",
        entries: 33,
        cached: 0,
        failed: 22,
        first: (
            "GET",
            "https://www.google.com/favicon.ico",
            Some(0),
            "2023-07-13T12:32:30.956Z",
            3.2929999997577397,
        ),
        span: ("2023-07-13T12:32:30.956Z", "2023-07-13T12:33:17.363Z"),
        probe: (13, 2191.271000000004, Some("page_2"), Some("142.250.184.195"), None),
    },
    Expect {
        file: "edge-devtools-large-base64.har",
        entries: 22,
        cached: 18,
        failed: 0,
        first: ("GET", "https://mitmproxy.org/", Some(304), "2023-03-29T23:56:40.139Z", 48.18300000624731),
        span: ("2023-03-29T23:56:40.139Z", "2023-03-29T23:57:19.525Z"),
        probe: (13, 79.92700000304728, Some("page_1"), Some("52.218.213.64"), Some("6798")),
    },
    Expect {
        file: "fiddler2-pages-empty-7digit-fraction.har",
        entries: 87,
        cached: 0,
        failed: 0,
        first: (
            "GET",
            "http://fiddlerstartmarker.com/fiddlerstartmarker.com.js",
            Some(200),
            "2011-07-08T05:40:46.972Z",
            151.0,
        ),
        span: ("2011-07-08T05:40:46.972Z", "2011-07-08T05:40:56.107Z"),
        probe: (64, 1694.0, None, None, Some("56706")),
    },
    Expect {
        file: "firefox111-offsets-empty-timings.har",
        entries: 14,
        cached: 9,
        failed: 0,
        first: ("GET", "https://mitmproxy.org/", Some(304), "2023-03-29T23:58:59.303Z", 23.0),
        span: ("2023-03-29T23:58:59.303Z", "2023-03-29T23:58:59.643Z"),
        probe: (12, 60.0, Some("page_1"), Some("52.218.234.208"), Some("443")),
    },
    Expect {
        file: "ie11-f12-har11.har",
        entries: 25,
        cached: 10,
        failed: 0,
        first: (
            "GET",
            "http://gitgrimbo.github.io/harviewer/issue-62/",
            Some(200),
            "2016-06-28T19:01:10.810Z",
            46.0,
        ),
        span: ("2016-06-28T19:01:10.810Z", "2016-06-28T19:01:17.876Z"),
        probe: (3, 125.0, Some("0"), None, None),
    },
    Expect {
        file: "mitmproxy-export-websocket.har",
        entries: 3,
        cached: 0,
        failed: 0,
        first: (
            "GET",
            "https://demo.piesocket.com/v3/channel_123?api_key=VCXCEuvhGcBDP7XhiJJUDvR1e1D3eiVjgZ9VRiaV&notify_self",
            Some(101),
            "2023-08-29T13:03:20.195Z",
            424.1049289703369,
        ),
        span: ("2023-08-29T13:03:20.195Z", "2023-08-29T13:03:52.266Z"),
        probe: (3, 162.2180938720703, None, Some("143.244.202.177"), None),
    },
    Expect {
        file: "playwright-chromium-redirect.har",
        entries: 3,
        cached: 0,
        failed: 0,
        first: ("GET", "https://theverge.com/", Some(301), "2022-06-16T21:41:23.951Z", 93.99),
        span: ("2022-06-16T21:41:23.951Z", "2022-06-16T21:41:24.050Z"),
        probe: (1, 27.549, Some("page@8f314969edc000996eb5c2ab22f0e6b3"), Some("151.101.65.52"), None),
    },
    Expect {
        file: "safari-webinspector.har",
        entries: 19,
        cached: 16,
        failed: 0,
        first: ("GET", "https://mitmproxy.org/", Some(200), "2023-03-30T00:13:32.418Z", 111.34259781101719),
        span: ("2023-03-30T00:13:32.418Z", "2023-03-30T00:13:32.600Z"),
        probe: (18, 65.05021912744269, Some("page_0"), Some("52.218.233.144"), Some("2")),
    },
    Expect {
        file: "webpagetest-3runs-607-entries.har",
        entries: 607,
        cached: 3,
        failed: 0,
        first: ("GET", "https://www.expressen.se/", Some(200), "2018-01-14T07:52:24.924Z", 2095.0),
        span: ("2018-01-14T07:52:24.924Z", "2018-01-14T07:52:37.507Z"),
        probe: (203, 4217.0, Some("page_2_0_1"), None, None),
    },
];

fn check(dir: &Path, x: &Expect) {
    let (bytes, p) = parse_file(dir, x.file);
    let f = x.file;
    assert!(p.problems.is_empty(), "{f}: unexpected problems {:?}", p.problems.list);
    assert_eq!((p.entries, p.events.len()), (x.entries as u64, x.entries), "{f}: entries");
    assert_eq!(p.lines, 0, "{f}");
    let cached = p.events.iter().filter(|e| browser(e).cached).count();
    let failed = p.events.iter().filter(|e| browser(e).failed).count();
    assert_eq!((cached, failed), (x.cached, x.failed), "{f}: (cached, failed)");
    let warn = p.events.iter().filter(|e| e.level == octodiag_parsers::Level::Warn).count();
    assert_eq!(warn, x.failed, "{f}: failed entries are logged at warn");

    let e = &p.events[0];
    let r = request(e);
    let (method, url, status, start, duration) = x.first;
    assert_eq!(r.method.resolve(&bytes), method, "{f}");
    assert_eq!(r.url.resolve(&bytes), url, "{f}");
    assert_eq!(r.status, status, "{f}");
    assert_eq!((e.clock, e.time.rfc3339(Clock::Utc).as_str()), (Clock::Utc, start), "{f}");
    assert!(close(r.duration_ms, duration), "{f}: duration {} != {duration}", r.duration_ms);
    assert_eq!((e.line, e.lines), (1, 1), "{f}");
    assert_eq!(r.correlation_id, None, "{f}");

    let (first, last) = (p.first.unwrap(), p.last.unwrap());
    assert_eq!((first.0.rfc3339(Clock::Utc).as_str(), first.1), (x.span.0, Clock::Utc), "{f}");
    assert_eq!(last.0.rfc3339(Clock::Utc), x.span.1, "{f}");

    let (index, wait, page, ip, connection) = x.probe;
    let b = browser(&p.events[index - 1]);
    assert_eq!(p.events[index - 1].line, index as u64, "{f}");
    assert!(close(b.wait.unwrap(), wait), "{f}: wait {:?} != {wait}", b.wait);
    assert_eq!(b.page.as_deref(), page, "{f}");
    assert_eq!(b.server_ip.as_deref(), ip, "{f}");
    assert_eq!(b.connection.as_deref(), connection, "{f}");
}

#[test]
fn every_corpus_file_parses_with_the_values_python_reads() {
    let Some(dir) = corpus_dir() else { return };
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".har"))
        .collect();
    names.sort();
    let expected: Vec<&str> = EXPECT.iter().map(|x| x.file).collect();
    assert_eq!(names, expected, "every corpus file has expectations, and only those");
    for x in EXPECT {
        check(&dir, x);
    }
}

#[test]
fn exporter_quirks() {
    let Some(dir) = corpus_dir() else { return };

    // Firefox: `timings: {}` and `time: 0` on cache hits; offsets in local time.
    let (_, p) = parse_file(&dir, "firefox111-offsets-empty-timings.har");
    let b = browser(&p.events[1]);
    assert_eq!((b.blocked, b.send, b.wait, b.receive), (None, None, None, None));
    assert!(b.cached && !b.failed);
    assert_eq!(request(&p.events[1]).duration_ms, 0.0);
    let b = browser(&p.events[9]); // a 304 that went to the server
    assert_eq!((b.blocked, b.wait, b.cached), (None, Some(6.0), false));

    // Playwright: `receive: -1` is unknown, not 0; `time` kept as given.
    let (_, p) = parse_file(&dir, "playwright-chromium-redirect.har");
    let b = browser(&p.events[2]);
    assert_eq!((b.receive, b.blocked, b.dns), (None, None, Some(0.016)));
    assert!(close(request(&p.events[2]).duration_ms, 50.29199999999999));

    // Chrome: a QUIC error after a 200 is failed; status kept.
    let (_, p) = parse_file(&dir, "chrome114-offline-errors-2pages.har");
    let (r, b) = (request(&p.events[6]), browser(&p.events[6]));
    assert_eq!((r.status, b.failed), (Some(200), true));
    assert_eq!((b.dns, b.connect, b.ssl), (None, None, None)); // -1 on a reused connection
    assert_eq!(browser(&p.events[0]).blocked_queueing, None);

    // Fiddler: 7 fractional digits, kept to the microsecond; +01:00 offset.
    let (_, p) = parse_file(&dir, "fiddler2-pages-empty-7digit-fraction.har");
    assert_eq!(p.events[0].time.0 % 1_000_000, 972_417);

    // IE11: 2 fractional digits (entries 5 and 6).
    let (_, p) = parse_file(&dir, "ie11-f12-har11.har");
    assert_eq!(p.events[4].time.rfc3339(Clock::Utc), "2016-06-28T19:01:11.590Z");
    assert_eq!(p.events[5].time.rfc3339(Clock::Utc), "2016-06-28T19:01:11.750Z");

    // WebPageTest: 4 fractional digits (entry 134).
    let (_, p) = parse_file(&dir, "webpagetest-3runs-607-entries.har");
    assert_eq!(p.events[133].time.rfc3339(Clock::Utc), "2018-01-14T07:52:29.100Z");
    assert_eq!(request(&p.events[133]).duration_ms, 72.0);

    // mitmproxy: 6 digits and +00:00; no blocked or dns at all.
    let (_, p) = parse_file(&dir, "mitmproxy-export-websocket.har");
    assert_eq!(p.events[1].time.0 % 1_000_000, 145_184);
    assert_eq!((browser(&p.events[0]).blocked, browser(&p.events[0]).dns), (None, None));
}

#[test]
fn entry_byte_ranges_point_at_the_entries() {
    let Some(dir) = corpus_dir() else { return };
    // Offsets measured with Python's raw_decode over the file bytes (BOM included).
    for (file, ranges) in [
        ("chrome-bom-pages-empty.har", &[(158u64, 6445u32)][..]),
        ("playwright-chromium-redirect.har", &[(495, 5106), (5609, 4694), (10311, 8203)][..]),
    ] {
        let (bytes, p) = parse_file(&dir, file);
        let got: Vec<(u64, u32)> = p.events.iter().map(|e| (e.offset, e.len)).collect();
        assert_eq!(got, ranges, "{file}");
        let e = &p.events[0];
        assert_eq!(bytes[e.offset as usize], b'{');
        assert_eq!(bytes[(e.offset + e.len as u64 - 1) as usize], b'}');
    }
}
