//! Server-side request findings.

use octodiag_parsers::Timestamp;

use crate::evidence::Evidence;

/// Which requests the server log records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Logging {
    /// Verbose logging: every request has a line.
    All,
    /// INFO: only requests of 1 s or more.
    SlowOnly,
}

impl Logging {
    /// `all` or `slow-only`.
    pub fn as_str(self) -> &'static str {
        match self {
            Logging::All => "all",
            Logging::SlowOnly => "slow-only",
        }
    }
}

/// Per-endpoint statistics.
#[derive(Clone, Debug)]
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
#[derive(Clone, Debug)]
pub struct SlowRequest {
    /// When it ended.
    pub time: Timestamp,
    /// Milliseconds.
    pub duration_ms: f64,
    /// Normalised endpoint.
    pub endpoint: String,
    /// The line.
    pub evidence: Evidence,
}

/// The server's requests.
#[derive(Clone, Debug)]
pub struct RequestsReport {
    /// Which requests the log records.
    pub logging: Logging,
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
