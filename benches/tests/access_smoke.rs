//! A few megabytes of each generated request log and container-wrapped server
//! log, parsed through detection (and unwrapping) as the CLI does, checked
//! against the generators' counts: the benchmarks' assertions, small enough
//! for every test run.

use std::sync::atomic::AtomicU64;

use octodiag_bench::access_gen::{write_log, Kind};
use octodiag_bench::container_gen::{write_wrapped, Framing, WrapSpec, PIECE};
use octodiag_bench::server_gen::{Layout, ServerLogSpec};
use octodiag_parsers::{
    parse_source, EventKind, Format, ParseOptions, Source, UtcOffset, WrapperKind,
};

fn requests(p: &octodiag_parsers::Parsed) -> Vec<&octodiag_parsers::Request> {
    p.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Request(r) => Some(r),
            _ => None,
        })
        .collect()
}

#[test]
fn generated_request_logs_parse_to_the_generators_counts() {
    let formats = [
        Format::W3cOctopus,
        Format::Iis,
        Format::Nginx,
        Format::IngressNginx,
        Format::Haproxy,
        Format::Traefik,
    ];
    for (kind, format) in Kind::ALL.into_iter().zip(formats) {
        let mut bytes = Vec::new();
        let c = write_log(kind, 2 << 20, 5, 1_793_000_000, &mut bytes).unwrap();
        let source = Source::from_bytes(kind.names().1, bytes);
        let p = parse_source(0, &source, &ParseOptions::default());
        assert_eq!(p.format, Some(format), "{kind:?}");
        assert_eq!(p.lines, c.lines, "{kind:?}");
        let r = requests(&p);
        assert_eq!(r.len() as u64, c.requests, "{kind:?}");
        let slow = r.iter().filter(|r| r.duration_ms >= 1000.0).count();
        assert_eq!(slow as u64, c.slow, "{kind:?}");
        match kind {
            Kind::Nginx => assert_eq!((p.skipped_lines, p.entries), (c.other, c.requests)),
            _ => {
                assert!(p.problems.is_empty(), "{kind:?}: {:?}", p.problems.list.first());
                assert_eq!(p.entries, c.requests + c.other, "{kind:?}");
            }
        }
    }
}

#[test]
fn generated_container_logs_unwrap_to_the_server_logs_counts() {
    for (framing, wrapper, piece) in [
        (Framing::Docker, WrapperKind::DockerJson, PIECE),
        (Framing::Docker, WrapperKind::DockerJson, 60),
        (Framing::Cri, WrapperKind::Cri, 60),
    ] {
        let spec = ServerLogSpec {
            bytes: 2 << 20,
            seed: 11,
            layout: Layout::WithPid,
            verbose: false,
            start_epoch_s: 1_793_000_000,
        };
        let mut bytes = Vec::new();
        let w = write_wrapped(&spec, WrapSpec { framing, offset_minutes: 600, piece }, &mut bytes)
            .unwrap();
        assert_eq!(w.bytes, bytes.len() as u64);
        assert_eq!(w.split_lines > 0, piece < PIECE, "{framing:?} {piece}");
        let budget = AtomicU64::new(u64::MAX);
        let mut sources = octodiag_parsers::unwrap::unwrap_all(
            vec![Source::from_bytes("0.log", bytes)],
            u64::MAX,
            &budget,
        );
        let source = sources.pop().unwrap();
        assert_eq!(source.wrapper.as_ref().map(|w| w.kind), Some(wrapper));
        assert_eq!(source.wrapper.as_ref().unwrap().records, w.records);
        let p = parse_source(0, &source, &ParseOptions::default());
        assert_eq!(p.format, Some(Format::ServerLog));
        assert!(p.problems.is_empty(), "{:?}", p.problems.list.first());
        assert_eq!((p.entries, p.lines), (w.log.entries, w.log.lines), "{framing:?} {piece}");
        let r = p.events.iter().filter(|e| matches!(e.kind, EventKind::Request(_))).count() as u64;
        assert_eq!(r, w.log.requests);
        assert_eq!(p.clock_hint.unwrap().offset, UtcOffset { minutes: 600 });
        let last = p.events.last().unwrap();
        assert!(
            last.line <= w.records && last.line > w.log.lines - 20,
            "wrapper lines: {} of {}",
            last.line,
            w.records
        );
    }
}
