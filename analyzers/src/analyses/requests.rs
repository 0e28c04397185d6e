//! Requests: per-endpoint latency with exact percentiles, the slowest
//! requests with evidence, and which logging case applies.
//!
//! A normal server log records only requests of 1 s or more (INFO). When
//! DEBUG lines show every request (verbose logging), all of them are used.

use crate::evidence::Evidence;
use crate::facts::{Facts, Req};
use crate::model::{EndpointStats, Logging, RequestsReport, SlowRequest};
use crate::slow::SLOW_REQUEST_MS;
use crate::stats::{percentiles, top_by};
use crate::units::ms_round;

/// Builds the requests findings; `evidence` quotes a request's line.
pub fn analyze(facts: &Facts, top: usize, evidence: &dyn Fn(&Req) -> Evidence) -> RequestsReport {
    let reqs = &facts.requests;
    let all_logged = reqs.iter().any(|r| r.ms < SLOW_REQUEST_MS);
    let (logging, note) = if all_logged {
        (Logging::All, "Verbose (DEBUG) request lines are present: every request is counted, fast ones included.")
    } else {
        (Logging::SlowOnly, "Only requests of 1 s or more are logged at INFO: counts and percentiles describe slow requests only.")
    };
    let slowest =
        top_by(reqs.iter(), top, |a: &&Req, b| b.ms.total_cmp(&a.ms).then(a.end().cmp(&b.end())));
    let slowest = slowest
        .into_iter()
        .take(top)
        .map(|r| SlowRequest {
            time: r.end(),
            duration_ms: r.ms,
            endpoint: facts.endpoint(r).to_string(),
            evidence: evidence(r),
        })
        .collect();
    RequestsReport {
        logging,
        note: note.to_string(),
        total: reqs.len(),
        slow: reqs.iter().filter(|r| r.ms >= SLOW_REQUEST_MS).count(),
        endpoints: endpoints(facts, top),
        slowest,
    }
}

/// Endpoints by total time spent, top N, with exact percentiles.
fn endpoints(facts: &Facts, top: usize) -> Vec<EndpointStats> {
    let mut by_endpoint: Vec<Vec<f64>> = vec![Vec::new(); facts.endpoints.len()];
    for r in &facts.requests {
        by_endpoint[r.endpoint_index()].push(r.ms);
    }
    let mut endpoints: Vec<EndpointStats> = by_endpoint
        .into_iter()
        .enumerate()
        .filter(|(_, ms)| !ms.is_empty())
        .map(|(ep, mut ms)| {
            let total_ms: f64 = ms.iter().sum();
            let slow = ms.iter().filter(|m| **m >= SLOW_REQUEST_MS).count();
            let p = percentiles(&mut ms);
            EndpointStats {
                endpoint: facts.endpoints[ep].clone(),
                count: p.count,
                slow,
                p50_ms: p.p50,
                p95_ms: p.p95,
                p99_ms: p.p99,
                max_ms: p.max,
                total_ms: ms_round(total_ms),
            }
        })
        .collect();
    endpoints.sort_by(|a, b| {
        b.total_ms.total_cmp(&a.total_ms).then_with(|| a.endpoint.cmp(&b.endpoint))
    });
    endpoints.truncate(top);
    endpoints
}
