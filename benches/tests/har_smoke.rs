//! The benchmark's generator and the parser agree on a few-MB file: the
//! counts the generator reports are the counts the parser finds.

use octodiag_bench::har_gen::{generate, HarGenConfig};
use octodiag_parsers::har::parse_bytes;
use octodiag_parsers::EventKind;

fn browser(e: &octodiag_parsers::Event) -> &octodiag_parsers::event::BrowserTiming {
    match &e.kind {
        EventKind::Request(r) => r.browser.as_deref().unwrap(),
        other => panic!("not a request: {other:?}"),
    }
}

#[test]
fn generated_har_parses_with_the_generators_counts() {
    let (bytes, stats) = generate(&HarGenConfig::small());
    assert!(bytes.len() > 2_000_000, "{}", bytes.len());
    assert!(stats.body_bytes * 2 > stats.bytes, "bodies are most of the bytes");
    assert!(stats.cached > 0 && stats.slow > 0);
    let p = parse_bytes(0, &bytes);
    assert!(p.problems.is_empty(), "{:?}", p.problems.list);
    assert_eq!((p.entries as usize, p.events.len()), (stats.entries, stats.entries));
    let cached = p.events.iter().filter(|e| browser(e).cached).count();
    let failed = p.events.iter().filter(|e| browser(e).failed).count();
    let slow = p.events.iter().filter(|e| browser(e).wait.is_some_and(|w| w > 1000.0)).count();
    assert_eq!((cached, failed, slow), (stats.cached, stats.failed, stats.slow));
}

#[test]
fn many_tiny_entries() {
    let (bytes, stats) = generate(&HarGenConfig::tiny(5_000));
    assert_eq!(stats.body_bytes, 0);
    let p = parse_bytes(0, &bytes);
    assert_eq!((p.entries, p.events.len()), (5_000, 5_000));
    assert!(p.problems.is_empty(), "{:?}", p.problems.list);
}
