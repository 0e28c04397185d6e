use octodiag_parsers::{Level, Timestamp};

use super::*;
use crate::facts::Request;
use crate::origin::{Fact, Origin};

fn ts(secs: i64) -> Timestamp {
    Timestamp(secs * 1_000_000)
}

fn req(start: i64, end: i64) -> Req {
    let what = Request {
        ms: ((end - start) * 1000) as f64,
        endpoint: 0,
        status: None,
        level: Level::Info,
        correlation: None,
        extra: None,
    };
    Fact::new(ts(end), false, Origin::default(), what)
}

proptest::proptest! {
    /// Finding the requests that overlap a set of windows by binary search gives
    /// exactly what checking every request gives.
    #[test]
    fn overlapping_matches_a_full_scan(
        reqs in proptest::collection::vec((0i64..5_000, 0i64..900), 0..300),
        windows in proptest::collection::vec((0i64..6_000, 0i64..600), 0..6),
    ) {
        let reqs: Vec<Req> = reqs.into_iter().map(|(end, d)| req(end - d, end)).collect();
        let spans = SpanSet::new(windows.into_iter().map(|(a, d)| Span::new(ts(a), ts(a + d))).collect());
        let s = Symptoms::new(reqs.iter().collect(), false, Vec::new(), Vec::new());
        let fast: Vec<(i64, i64)> =
            s.overlapping(&spans).iter().map(|r| (r.start().0, r.end().0)).collect();
        let full: Vec<(i64, i64)> = s
            .slow
            .iter()
            .filter(|r| spans.overlaps(&Span::new(r.start(), r.end())))
            .map(|r| (r.start().0, r.end().0))
            .collect();
        proptest::prop_assert_eq!(fast, full);
    }

    /// The p95 outside a candidate is that of the requests it does not overlap,
    /// whether few or many overlap it.
    #[test]
    fn p95_outside_matches_a_full_scan(
        reqs in proptest::collection::vec((0i64..5_000, 0i64..900), 1..300),
        windows in proptest::collection::vec((0i64..6_000, 0i64..3000), 0..6),
    ) {
        let reqs: Vec<Req> = reqs.into_iter().map(|(end, d)| req(end - d, end)).collect();
        let spans = SpanSet::new(windows.into_iter().map(|(a, d)| Span::new(ts(a), ts(a + d))).collect());
        let s = Symptoms::new(reqs.iter().collect(), false, Vec::new(), Vec::new());
        let inside = s.overlapping(&spans);
        let mut inside_ms: Vec<f64> = inside.iter().map(|r| r.ms).collect();
        let mut outside: Vec<f64> = s
            .slow
            .iter()
            .filter(|r| !spans.overlaps(&Span::new(r.start(), r.end())))
            .map(|r| r.ms)
            .collect();
        proptest::prop_assert_eq!(
            p95_outside(&s, &inside, &mut inside_ms),
            percentile_select(&mut outside, 0.95)
        );
    }
}
