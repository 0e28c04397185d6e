//! Requests: per-endpoint latency with exact percentiles, the slowest
//! requests with evidence, and which logging case applies.
//!
//! A normal server log records only requests of 1 s or more (INFO). When
//! DEBUG lines show every request (verbose logging), all of them are used.

use serde::Serialize;

use crate::facts::{Evidence, Facts, Req};
use crate::report::{ms_round, utc};
use crate::stats::percentiles;

/// A request is "slow" at or above this many milliseconds: the INFO threshold
/// Octopus itself uses, so both logging cases agree on what slow means.
pub const SLOW_MS: f64 = 1000.0;

/// Per-endpoint statistics.
#[derive(Clone, Debug, Serialize)]
pub struct EndpointStats {
    /// `GET /api/{spaceId}/dashboard`.
    pub endpoint: String,
    /// Requests seen.
    pub count: usize,
    /// Requests at or above 1 s.
    pub slow: usize,
    /// Median milliseconds.
    pub p50_ms: f64,
    /// 95th percentile.
    pub p95_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Slowest.
    pub max_ms: f64,
    /// Total milliseconds spent.
    pub total_ms: f64,
}

/// One slow request, quotable.
#[derive(Clone, Debug, Serialize)]
pub struct SlowRequest {
    /// When it ended (server) or started (browser), UTC.
    pub time: String,
    /// Milliseconds.
    pub duration_ms: f64,
    /// Normalised endpoint.
    pub endpoint: String,
    /// The line.
    pub evidence: Evidence,
}

/// The `requests` section of the report.
#[derive(Clone, Debug, Serialize)]
pub struct RequestsReport {
    /// `all` (verbose logging: every request logged) or `slow-only` (INFO: only ≥ 1 s).
    pub logging: &'static str,
    /// A sentence saying which case applies and what it means for the numbers.
    pub note: String,
    /// Server-side requests seen.
    pub total: usize,
    /// Server-side requests of 1 s or more.
    pub slow: usize,
    /// Endpoints by total time spent, top N.
    pub endpoints: Vec<EndpointStats>,
    /// The slowest requests, top N.
    pub slowest: Vec<SlowRequest>,
}

/// Builds the requests section; `evidence` quotes a request's line.
pub fn analyze(facts: &Facts, top: usize, evidence: &dyn Fn(&Req) -> Evidence) -> RequestsReport {
    let reqs = &facts.requests;
    let all_logged = reqs.iter().any(|r| r.ms < SLOW_MS);
    let (logging, note) = if all_logged {
        ("all", "Verbose (DEBUG) request lines are present: every request is counted, fast ones included.".to_string())
    } else {
        ("slow-only", "Only requests of 1 s or more are logged at INFO: counts and percentiles describe slow requests only.".to_string())
    };
    let mut by_endpoint: Vec<Vec<f64>> = vec![Vec::new(); facts.endpoints.len()];
    for r in reqs {
        by_endpoint[r.endpoint_index()].push(r.ms);
    }
    let mut endpoints: Vec<EndpointStats> = by_endpoint
        .into_iter()
        .enumerate()
        .filter(|(_, ms)| !ms.is_empty())
        .map(|(ep, mut ms)| {
            let total_ms: f64 = ms.iter().sum();
            let slow = ms.iter().filter(|m| **m >= SLOW_MS).count();
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
    let slowest = crate::stats::top_by(reqs.iter(), top, |a: &&Req, b| {
        b.ms.total_cmp(&a.ms).then(a.end.cmp(&b.end))
    });
    let slowest = slowest
        .into_iter()
        .take(top)
        .map(|r| SlowRequest {
            time: utc(r.end),
            duration_ms: r.ms,
            endpoint: facts.endpoints[r.endpoint_index()].clone(),
            evidence: evidence(r),
        })
        .collect();
    let slow = reqs.iter().filter(|r| r.ms >= SLOW_MS).count();
    RequestsReport { logging, note, total: reqs.len(), slow, endpoints, slowest }
}
