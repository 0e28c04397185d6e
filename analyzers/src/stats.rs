//! Exact order statistics and time-interval arithmetic.
//!
//! Percentiles are exact (nearest rank over the sorted sample), never sketches:
//! a support engineer quoting "p95 8.1 s" must be able to reproduce it.

use octodiag_parsers::Timestamp;

/// Exact percentiles of a sample.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct Percentiles {
    /// Number of values.
    pub count: usize,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest value.
    pub max: f64,
}

/// Nearest-rank percentile of an ascending slice (`q` in 0..=1).
pub fn percentile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// One exact nearest-rank percentile in O(n) (selection, not a full sort).
pub fn percentile_select(values: &mut [f64], q: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let rank = ((q * values.len() as f64).ceil() as usize).clamp(1, values.len());
    let (_, v, _) = values.select_nth_unstable_by(rank - 1, f64::total_cmp);
    Some(*v)
}

/// Values sorted once, so that the exact percentile of "all of them but a
/// few" can be found by binary search instead of copying and selecting the rest
/// (the suspects' "p95 otherwise", over a million slow requests, per candidate).
#[derive(Clone, Debug, Default)]
pub struct SortedValues(Vec<f64>);

impl SortedValues {
    /// Sorts the values (in parallel: there can be a million).
    pub fn new(mut values: Vec<f64>) -> SortedValues {
        use rayon::slice::ParallelSliceMut;
        values.par_sort_unstable_by(f64::total_cmp);
        SortedValues(values)
    }

    /// [`percentile_select`] of these values less `removed`, which must be some
    /// of them (a sub-multiset), sorted.
    pub fn percentile_without(&self, removed: &[f64], q: f64) -> Option<f64> {
        let all = &self.0;
        let n = all.len().checked_sub(removed.len()).filter(|n| *n > 0)?;
        let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
        let at_most = |v: &[f64], x: f64| v.partition_point(|y| y.total_cmp(&x).is_le());
        // Remaining values ≤ all[p]: non-decreasing in p. The first p where it
        // reaches `rank` holds the answer.
        let remaining_upto = |p: usize| at_most(all, all[p]) - at_most(removed, all[p]);
        let (mut lo, mut hi) = (0, all.len() - 1);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if remaining_upto(mid) < rank {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        Some(all[lo])
    }
}

/// The exact (nearest-rank) percentiles of `values`, which it reorders: three
/// selections, each in the part above the previous one, instead of a sort.
pub fn percentiles(values: &mut [f64]) -> Percentiles {
    let n = values.len();
    if n == 0 {
        return Percentiles { count: 0, p50: 0.0, p95: 0.0, p99: 0.0, max: 0.0 };
    }
    let index = |q: f64| ((q * n as f64).ceil() as usize).clamp(1, n) - 1;
    let mut at = 0;
    let mut select = |i: usize| {
        let v = *values[at..].select_nth_unstable_by(i - at, f64::total_cmp).1;
        at = i;
        v
    };
    let (p50, p95, p99) = (select(index(0.50)), select(index(0.95)), select(index(0.99)));
    let max = values[at..].iter().copied().max_by(f64::total_cmp).unwrap_or(p99);
    Percentiles { count: n, p50, p95, p99, max }
}

/// The first `n` items in `cmp` order, sorted: one pass keeping the best `n`
/// (a handful) in order, not a sort or selection over what may be a million
/// requests. Among equal items the first seen wins.
pub fn top_by<T>(
    items: impl IntoIterator<Item = T>,
    n: usize,
    cmp: impl Fn(&T, &T) -> std::cmp::Ordering,
) -> Vec<T> {
    let mut best: Vec<T> = Vec::with_capacity(n.min(1024) + 1);
    if n == 0 {
        return best;
    }
    for item in items {
        if best.len() == n && best.last().is_some_and(|worst| cmp(&item, worst).is_ge()) {
            continue;
        }
        let at = best.partition_point(|b| cmp(b, &item).is_le());
        best.insert(at, item);
        best.truncate(n);
    }
    best
}

/// A half-open time interval `[start, end)` in UTC.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    /// Start.
    pub start: Timestamp,
    /// End (exclusive); equal to start for an instant.
    pub end: Timestamp,
}

impl Span {
    /// A span; a reversed pair is swapped.
    pub fn new(a: Timestamp, b: Timestamp) -> Span {
        if a <= b {
            Span { start: a, end: b }
        } else {
            Span { start: b, end: a }
        }
    }

    /// Seconds long.
    pub fn secs(&self) -> f64 {
        self.end.secs_since(self.start)
    }

    /// Whether `t` falls inside (an instant contains only itself).
    pub fn contains(&self, t: Timestamp) -> bool {
        (self.start <= t && t < self.end) || (self.start == self.end && t == self.start)
    }

    /// Seconds of overlap with another span.
    pub fn overlap_secs(&self, other: &Span) -> f64 {
        let s = self.start.max(other.start);
        let e = self.end.min(other.end);
        if e > s {
            e.secs_since(s)
        } else {
            0.0
        }
    }

    /// Widened by `secs` on both sides.
    pub fn widen(&self, secs: f64) -> Span {
        let d = (secs * 1e6) as i64;
        Span { start: self.start.add_micros(-d), end: self.end.add_micros(d) }
    }
}

/// Sorts and merges overlapping or touching spans (gaps up to `join_secs` are bridged).
pub fn merge(mut spans: Vec<Span>, join_secs: f64) -> Vec<Span> {
    spans.sort();
    let join = (join_secs * 1e6) as i64;
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(last) if s.start.0 <= last.end.0 + join => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}

/// Total seconds covered by merged spans.
pub fn total_secs(spans: &[Span]) -> f64 {
    spans.iter().map(Span::secs).sum()
}

/// Seconds of `a` that overlap `b`; both merged and sorted (a linear sweep).
pub fn overlap_total(a: &[Span], b: &[Span]) -> f64 {
    let (mut i, mut j, mut total) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        total += a[i].overlap_secs(&b[j]);
        if a[i].end < b[j].end {
            i += 1;
        } else {
            j += 1;
        }
    }
    total
}

/// Merged, sorted spans with logarithmic membership tests: candidates can have
/// thousands of spans and logs millions of slow requests.
#[derive(Clone, Debug, Default)]
pub struct SpanSet {
    spans: Vec<Span>,
}

impl SpanSet {
    /// Merges the spans (touching ones join).
    pub fn new(spans: Vec<Span>) -> SpanSet {
        SpanSet { spans: merge(spans, 0.0) }
    }

    /// The merged spans, in time order.
    pub fn spans(&self) -> &[Span] {
        &self.spans
    }

    /// Whether `s` overlaps (or, for an instant, touches) any span.
    pub fn overlaps(&self, s: &Span) -> bool {
        // The first span ending at or after s.start is the only candidate.
        let i = self.spans.partition_point(|x| x.end < s.start);
        self.spans.get(i).is_some_and(|x| x.start <= s.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Percentiles by selection are those of the sorted values.
        #[test]
        fn percentiles_match_sorting(values in proptest::collection::vec(0u16..500, 0..300)) {
            let mut values: Vec<f64> = values.into_iter().map(f64::from).collect();
            let mut sorted = values.clone();
            sorted.sort_unstable_by(f64::total_cmp);
            let p = percentiles(&mut values);
            proptest::prop_assert_eq!(p.count, sorted.len());
            if !sorted.is_empty() {
                proptest::prop_assert_eq!(p.p50, percentile_sorted(&sorted, 0.50));
                proptest::prop_assert_eq!(p.p95, percentile_sorted(&sorted, 0.95));
                proptest::prop_assert_eq!(p.p99, percentile_sorted(&sorted, 0.99));
                proptest::prop_assert_eq!(Some(p.max), sorted.last().copied());
            }
        }

        /// One pass keeping the best few gives the first items of a full sort.
        #[test]
        fn top_by_matches_sorting(values in proptest::collection::vec(0u16..50, 0..300), n in 0usize..12) {
            let mut sorted: Vec<(u16, usize)> = values.iter().copied().zip(0..).collect();
            sorted.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            sorted.truncate(n);
            let top = top_by(values.iter().copied().zip(0..), n, |a: &(u16, usize), b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            proptest::prop_assert_eq!(top, sorted);
        }

        /// The percentile of the values less some of them, found by binary search, is
        /// what selecting over the remaining values gives.
        #[test]
        fn percentile_without_matches_selection(
            values in proptest::collection::vec(0u16..50, 1..200),
            removed_mask in proptest::collection::vec(proptest::bool::ANY, 200),
            q in 0.0f64..1.0,
        ) {
            let values: Vec<f64> = values.into_iter().map(f64::from).collect();
            let mut removed = Vec::new();
            let mut rest = Vec::new();
            for (v, r) in values.iter().zip(&removed_mask) {
                if *r { removed.push(*v) } else { rest.push(*v) }
            }
            removed.sort_unstable_by(f64::total_cmp);
            let sorted = SortedValues::new(values.clone());
            proptest::prop_assert_eq!(
                sorted.percentile_without(&removed, q),
                percentile_select(&mut rest, q)
            );
        }
    }

    fn ts(secs: i64) -> Timestamp {
        Timestamp(secs * 1_000_000)
    }

    #[test]
    fn nearest_rank_percentiles() {
        let mut v: Vec<f64> = (1..=100).map(f64::from).collect();
        let p = percentiles(&mut v);
        assert_eq!((p.count, p.p50, p.p95, p.p99, p.max), (100, 50.0, 95.0, 99.0, 100.0));
        let mut one = vec![7.0];
        assert_eq!(percentiles(&mut one).p95, 7.0);
        assert_eq!(percentiles(&mut []).count, 0);
        let mut shuffled: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        assert_eq!(percentile_select(&mut shuffled, 0.95), Some(95.0));
        assert_eq!(percentile_select(&mut [], 0.95), None);
        let mut small = vec![3.0, 1.0, 2.0];
        let p = percentiles(&mut small);
        assert_eq!((p.p50, p.p95), (2.0, 3.0));
    }

    #[test]
    fn merging_and_overlap() {
        let m = merge(
            vec![Span::new(ts(10), ts(20)), Span::new(ts(0), ts(5)), Span::new(ts(18), ts(30))],
            0.0,
        );
        assert_eq!(m, vec![Span::new(ts(0), ts(5)), Span::new(ts(10), ts(30))]);
        assert_eq!(merge(m.clone(), 5.0).len(), 1);
        assert_eq!(total_secs(&m), 25.0);
        assert_eq!(overlap_total(&m, &[Span::new(ts(3), ts(12))]), 4.0);
        let set = SpanSet::new(m);
        assert!(set.overlaps(&Span::new(ts(4), ts(4))));
        assert!(set.overlaps(&Span::new(ts(6), ts(10))));
        assert!(!set.overlaps(&Span::new(ts(6), ts(9))));
        assert!(!set.overlaps(&Span::new(ts(31), ts(40))));
    }
}
