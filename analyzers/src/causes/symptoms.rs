//! The symptoms every candidate is measured against: the slow requests.

use rayon::prelude::*;

use crate::facts::{Facts, Req};
use crate::model::Episode;
use crate::slow::SLOW_REQUEST_MS;
use crate::stats::{SortedValues, Span, SpanSet};

/// A period is slow when its slow-request rate is this many times the rate elsewhere.
pub const ELEVATED_FACTOR: f64 = 2.0;

/// The symptoms candidates are measured against.
pub struct Symptoms<'a> {
    /// Slow requests (server, or browser when no server requests exist), by end time.
    pub slow: Vec<&'a Req>,
    /// Their durations, sorted (built by [`Symptoms::new`]).
    pub sorted_ms: SortedValues,
    /// The longest of them, in microseconds: how long after a window's end a
    /// request that overlaps it can end.
    pub max_micros: i64,
    /// Whether `slow` are browser entries.
    pub from_browser: bool,
    /// Episode spans.
    pub episodes: Vec<Span>,
    /// Observed time (log coverage), merged.
    pub observed: Vec<Span>,
}

impl<'a> Symptoms<'a> {
    /// Symptoms from slow requests (any order; they are sorted by end time here).
    pub fn new(
        mut slow: Vec<&'a Req>,
        from_browser: bool,
        episodes: Vec<Span>,
        observed: Vec<Span>,
    ) -> Symptoms<'a> {
        if !slow.is_sorted_by_key(|r| r.end()) {
            slow.sort_by_key(|r| r.end());
        }
        let sorted_ms = SortedValues::new(slow.par_iter().map(|r| r.ms).collect());
        let max_micros = slow.iter().map(|r| r.end().0 - r.start().0).max().unwrap_or(0).max(0);
        Symptoms { slow, sorted_ms, max_micros, from_browser, episodes, observed }
    }

    /// The slow server requests, or, when the server logged none, the slow browser
    /// entries that were neither cached nor failed.
    pub fn of(facts: &'a Facts, episodes: &[Episode], observed: &[Span]) -> Symptoms<'a> {
        let server: Vec<&Req> = facts.requests.iter().filter(|r| r.ms >= SLOW_REQUEST_MS).collect();
        let from_browser = server.is_empty();
        let slow = if from_browser {
            let loaded = |r: &&Req| r.browser().is_some_and(|t| !t.cached && !t.failed);
            facts.browser.iter().filter(|r| r.ms >= SLOW_REQUEST_MS).filter(loaded).collect()
        } else {
            server
        };
        let episodes = episodes.iter().map(|e| e.span).collect();
        Symptoms::new(slow, from_browser, episodes, observed.to_vec())
    }

    /// The slow requests that overlap `spans`, in time order, found by binary search:
    /// a request overlapping a span ends after its start and at most the longest
    /// duration after its end.
    pub fn overlapping(&self, spans: &SpanSet) -> Vec<&'a Req> {
        self.overlapping_at(spans).into_iter().map(|i| self.slow[i]).collect()
    }

    /// The slow server requests of the inputs `sources` (one node's files).
    pub fn on(
        facts: &'a Facts,
        sources: &[u32],
        episodes: &[Episode],
        observed: &[Span],
    ) -> Symptoms<'a> {
        let slow: Vec<&Req> = facts
            .requests
            .iter()
            .filter(|r| r.ms >= SLOW_REQUEST_MS && sources.contains(&r.origin.source))
            .collect();
        let episodes = episodes.iter().map(|e| e.span).collect();
        Symptoms::new(slow, false, episodes, observed.to_vec())
    }

    /// How many slow requests overlap `spans`, and the seconds those spans last.
    pub fn rate_in(&self, spans: &[Span]) -> (usize, f64) {
        let set = SpanSet::new(spans.to_vec());
        let secs = set.spans().iter().map(Span::secs).sum();
        (self.overlapping_at(&set).len(), secs)
    }

    /// Slow requests a second outside `spans`, over the observed time (one
    /// request added, so that a quiet log does not make every run look slow).
    pub fn rate_outside(&self, spans: &[Span]) -> f64 {
        let (n, _) = self.rate_in(spans);
        let observed: f64 = self.observed.iter().map(Span::secs).sum();
        let inside =
            crate::stats::overlap_total(&self.observed, &crate::stats::merge(spans.to_vec(), 0.0));
        (self.slow.len().saturating_sub(n) as f64 + 1.0) / (observed - inside).max(60.0)
    }

    /// Whether `span` had at least [`ELEVATED_FACTOR`] times the slow-request rate of
    /// `baseline` (a second), and at least one slow request.
    pub fn elevated(&self, span: Span, baseline: f64) -> bool {
        let (n, secs) = self.rate_in(&[span]);
        n >= 1 && n as f64 / secs.max(60.0) >= ELEVATED_FACTOR * baseline
    }

    /// [`Symptoms::overlapping`] as indexes into [`Symptoms::slow`], ascending.
    pub fn overlapping_at(&self, spans: &SpanSet) -> Vec<usize> {
        let mut out = Vec::new();
        let mut next = 0;
        for x in spans.spans() {
            let lo = self.slow.partition_point(|r| r.end() < x.start).max(next);
            let reach = x.end.add_micros(self.max_micros);
            let hi = self.slow.partition_point(|r| r.end() <= reach).max(lo);
            let hits = (lo..hi).filter(|i| {
                let r = self.slow[*i];
                spans.overlaps(&Span::new(r.start(), r.end()))
            });
            out.extend(hits);
            next = hi;
        }
        out
    }
}
