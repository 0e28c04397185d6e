//! Browser vs server: each HAR entry is matched to the server's line for the
//! same request (by correlation id where both have it, else by method, path
//! and time), and its time is split into server time and the rest: browser
//! queueing/blocked, network, download.
//!
//! The server logs a request when the response is sent, so its line falls
//! between the browser's start and end. Without verbose logging the server
//! only logs requests of 1 s or more: a slow HAR entry with no server line,
//! at a time the server log covers, was fast on the server.

use rustc_hash::FxHashMap;

use crate::evidence::Evidence;
use crate::facts::{Facts, Req};
use crate::model::{BrowserReport, Split, SplitFact};
use crate::slow::SLOW_REQUEST_MS as SLOW_MS;
use crate::stats::Span;
use crate::transaction::Correlation;
use crate::units::ms_round;

/// Matches and splits; returns the report and the per-entry facts.
/// `server_covers` says whether the server logs cover a moment; `clock_known`
/// whether the server's clock offset is known (derived or given): when it is
/// not, an entry without a server line may have been anything on the server,
/// and only the phases outside it (blocked, connect, send, receive) count as outside.
pub fn analyze(
    facts: &Facts,
    server_covers: &dyn Fn(Span) -> bool,
    clock_known: bool,
    top: usize,
    evidence: &dyn Fn(&Req) -> Evidence,
) -> (BrowserReport, Vec<SplitFact>) {
    let b = &facts.browser;
    let cached = b.iter().filter(|r| r.browser().is_some_and(|t| t.cached)).count();
    let failed = b.iter().filter(|r| r.browser().is_some_and(|t| t.failed)).count();
    let mut splits: Vec<(Split, SplitFact)> = Vec::new();
    let by_correlation = server_lines_by_correlation(facts);
    for (i, r) in b.iter().enumerate() {
        let Some(t) = r.browser() else { continue };
        if t.cached || t.failed || r.ms < SLOW_MS {
            continue;
        }
        let server = find_server_line(facts, &by_correlation, r);
        let span = Span::new(r.start(), r.end());
        if server.is_none() && clock_known && !server_covers(span) {
            continue; // The server log says nothing about this moment.
        }
        let split = split_entry(facts, r, server, clock_known, evidence);
        let fact =
            SplitFact { span, total_ms: r.ms, outside_ms: split.outside_server_ms, index: i };
        splits.push((split, fact));
    }
    let total: f64 = splits.iter().map(|s| s.1.total_ms).sum();
    let outside: f64 = splits.iter().map(|s| s.1.outside_ms).sum();
    let matched = splits.iter().filter(|s| s.0.server_ms.is_some()).count();
    splits.sort_by(|a, c| c.1.total_ms.total_cmp(&a.1.total_ms));
    let unmatched_slow =
        splits.iter().filter(|s| s.0.server_ms.is_none()).take(top).map(|s| s.0.clone()).collect();
    let report = BrowserReport {
        entries: b.len(),
        cached,
        failed,
        slow: b
            .iter()
            .filter(|r| r.ms >= SLOW_MS && r.browser().is_some_and(|t| !t.cached && !t.failed))
            .count(),
        matched,
        outside_server_share: if total > 0.0 {
            (outside / total * 1000.0).round() / 1000.0
        } else {
            0.0
        },
        slowest: splits.iter().take(top).map(|s| s.0.clone()).collect(),
        unmatched_slow,
    };
    (report, splits.into_iter().map(|s| s.1).collect())
}

/// The first server line of each correlation id, when any HAR entry carries one:
/// built once, rather than scanning every server line for each entry.
fn server_lines_by_correlation(facts: &Facts) -> FxHashMap<Correlation, &Req> {
    let mut by = FxHashMap::default();
    if facts.browser.iter().any(|b| b.correlation.is_some()) {
        for s in &facts.requests {
            if let Some(c) = s.correlation {
                by.entry(c).or_insert(s);
            }
        }
    }
    by
}

/// The server's line for a browser request, if it logged one.
fn find_server_line<'f>(
    facts: &'f Facts,
    by_correlation: &FxHashMap<Correlation, &'f Req>,
    b: &Req,
) -> Option<&'f Req> {
    if let Some(s) = b.correlation.and_then(|c| by_correlation.get(&c)) {
        return Some(s);
    }
    let window = Span::new(b.start(), b.end()).widen(2.0);
    let lo = facts.requests.partition_point(|s| s.end() < window.start);
    facts.requests[lo..]
        .iter()
        .take_while(|s| s.end() <= window.end)
        .filter(|s| {
            facts.method(s).eq_ignore_ascii_case(facts.method(b))
                && s.path().is_some()
                && s.path() == b.path()
                && s.ms <= b.ms + 1000.0
        })
        .min_by_key(|s| (s.end().0 - b.end().0).abs())
}

fn split_entry(
    facts: &Facts,
    r: &Req,
    server: Option<&Req>,
    clock_known: bool,
    evidence: &dyn Fn(&Req) -> Evidence,
) -> Split {
    let t = r.browser().cloned().unwrap_or_default();
    let v = |x: Option<f64>| x.unwrap_or(0.0).max(0.0);
    let blocked = v(t.blocked).max(v(t.blocked_queueing));
    let download = v(t.receive);
    let wait = v(t.wait);
    // Without a server line (slow-only logging), the server took under 1 s: credit it
    // the most it could have taken, so the outside share is a lower bound. With
    // the server's clock unknown, all of `wait` may have been the server's.
    let server_ms = server.map(|s| s.ms);
    let unlogged = if clock_known { SLOW_MS.min(wait) } else { wait };
    let inside = server_ms.unwrap_or(unlogged);
    let network = v(t.dns) + v(t.connect) + v(t.send) + (wait - inside).max(0.0);
    let outside = (r.ms - inside).max(0.0);
    Split {
        time: r.start(),
        endpoint: facts.endpoint(r).to_string(),
        total_ms: ms_round(r.ms),
        server_ms,
        blocked_ms: ms_round(blocked),
        network_ms: ms_round(network),
        download_ms: ms_round(download),
        outside_server_ms: ms_round(outside),
        browser: evidence(r),
        server: server.map(evidence),
    }
}
