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

fn candidate(cause: Cause, from: i64, to: i64, mechanism: f64) -> Candidate {
    let mut c = Candidate::new(cause, cause.name(), vec![Span::new(ts(from), ts(to))], "it".into());
    c.shown_by(mechanism, vec![format!("{} shown", cause.name())]);
    c
}

/// Slow requests every 10 s from 1000 to 2000 s, one every 300 s elsewhere in 0..10000.
fn incident() -> Vec<Req> {
    let mut v: Vec<Req> = (0..100).map(|i| req(1000 + i * 10, 1002 + i * 10)).collect();
    v.extend(
        (0..33)
            .map(|i| req(i * 300, i * 300 + 2))
            .filter(|r| !(1000..=2100).contains(&(r.end().0 / 1_000_000))),
    );
    v.sort_by_key(|r| r.end());
    v
}

/// Database pressure inside a retention run whose mechanism the logs show is
/// the run's effect: it becomes its evidence and keeps little confidence; a
/// project whose deployment covered the same minutes is explained by it too.
#[test]
fn effects_of_a_stronger_cause_are_its_evidence() {
    let reqs = incident();
    let observed = vec![Span::new(ts(0), ts(10_000))];
    let s = Symptoms::new(reqs.iter().collect(), false, Vec::new(), observed);
    let mut sql = candidate(Cause::Sql, 1200, 1800, 0.6);
    sql.evidence =
        vec![Evidence { source: "log".into(), line: 7, excerpt: "95 transactions active".into() }];
    let cands = vec![
        candidate(Cause::Retention, 990, 2010, 1.0),
        sql,
        candidate(Cause::Project, 1100, 1900, 0.2),
    ];
    let ranked = rank(cands, &s, &|_| None, &|_| Evidence::default());
    let by = |c: Cause| ranked.iter().find(|x| x.cause == c).unwrap();
    assert_eq!(ranked[0].cause, Cause::Retention);
    assert!(ranked[0].confidence >= 0.5, "{}", ranked[0].confidence);
    assert!(by(Cause::Sql).confidence < 0.1, "{}", by(Cause::Sql).confidence);
    assert!(by(Cause::Project).confidence < 0.1, "{}", by(Cause::Project).confidence);
    assert!(
        ranked[0].rests_on.iter().any(|r| r.starts_with("sql sql during it, its effect")),
        "{:?}",
        ranked[0].rests_on
    );
    assert!(ranked[0].evidence.iter().any(|e| e.line == 7), "the effect's line is evidence");
    let why: Vec<&str> = ranked[0].ruled_out.iter().map(|r| r.why.as_str()).collect();
    assert!(why.iter().all(|w| w.contains("falls during retention")), "{why:?}");
}

/// A bare coincidence keeps only part of its correlation: no mechanism, no 0.5.
#[test]
fn a_coincidence_without_mechanism_stays_below_half() {
    let reqs = incident();
    let s =
        Symptoms::new(reqs.iter().collect(), false, Vec::new(), vec![Span::new(ts(0), ts(10_000))]);
    let ranked = rank(vec![candidate(Cause::Project, 990, 2010, 0.0)], &s, &|_| None, &|_| {
        Evidence::default()
    });
    let correlation = ranked[0].metrics["correlation_confidence"].as_f64().unwrap();
    assert!(correlation > 0.6, "{correlation}");
    assert!(ranked[0].confidence < 0.5, "{}", ranked[0].confidence);
}
