//! The symptoms every candidate is measured against: the slow requests.

use rayon::prelude::*;

use crate::facts::{Facts, Req};
use crate::model::Episode;
use crate::slow::SLOW_REQUEST_MS;
use crate::stats::{SortedValues, Span, SpanSet};

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
        let mut out = Vec::new();
        let mut next = 0;
        for x in spans.spans() {
            let lo = self.slow.partition_point(|r| r.end() < x.start).max(next);
            let reach = x.end.add_micros(self.max_micros);
            let hi = self.slow.partition_point(|r| r.end() <= reach).max(lo);
            let hits =
                self.slow[lo..hi].iter().filter(|r| spans.overlaps(&Span::new(r.start(), r.end())));
            out.extend(hits.copied());
            next = hi;
        }
        out
    }
}
