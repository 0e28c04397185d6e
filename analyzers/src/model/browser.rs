//! Browser (HAR) findings: where the time of each slow entry went.

use octodiag_parsers::Timestamp;

use crate::evidence::Evidence;
use crate::stats::Span;

/// A HAR entry split into where its time went.
#[derive(Clone, Debug)]
pub struct Split {
    /// Browser start.
    pub time: Timestamp,
    /// Normalised endpoint.
    pub endpoint: String,
    /// Total as the browser saw it.
    pub total_ms: f64,
    /// Time inside the server (from its log), or `None` when it logged nothing.
    pub server_ms: Option<f64>,
    /// Browser-side blocking and queueing.
    pub blocked_ms: f64,
    /// DNS, connect, TLS, send, and the part of `wait` the server does not account for.
    pub network_ms: f64,
    /// Receiving the response.
    pub download_ms: f64,
    /// Everything outside the server.
    pub outside_server_ms: f64,
    /// The HAR entry.
    pub browser: Evidence,
    /// The server line, when matched.
    pub server: Option<Evidence>,
}

/// The browser's view.
#[derive(Clone, Debug)]
pub struct BrowserReport {
    /// HAR entries read.
    pub entries: usize,
    /// Served from the browser cache.
    pub cached: usize,
    /// Failed (status 0 or an error).
    pub failed: usize,
    /// Entries of 1 s or more (not cached, not failed).
    pub slow: usize,
    /// Slow entries matched to a server line.
    pub matched: usize,
    /// Of all slow-entry time, the share spent outside the server (0..1).
    pub outside_server_share: f64,
    /// The slowest entries, split (matched or not), top N.
    pub slowest: Vec<Split>,
    /// Slow entries with no server line, top N.
    pub unmatched_slow: Vec<Split>,
}

/// The split of one slow HAR entry, for the causes.
#[derive(Clone, Debug)]
pub struct SplitFact {
    /// When it ran.
    pub span: Span,
    /// Total ms.
    pub total_ms: f64,
    /// Outside-server ms.
    pub outside_ms: f64,
    /// Index into `Facts::browser`.
    pub index: usize,
}
