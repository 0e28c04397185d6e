//! Numeric series drawn beside the timeline (a counter's CPU or memory, slow
//! requests per minute): what the pictures (HTML report, Perfetto counter
//! tracks) draw as lanes, whatever produced them.

use octodiag_parsers::Timestamp;

/// One numeric series over time.
#[derive(Clone, Debug, Default)]
pub struct Lane {
    /// What it measures (`CPU % (Octopus.Server, OCTO-NODE-1)`).
    pub name: String,
    /// Its unit (`%`, `bytes`, `requests/min`, `ms`).
    pub unit: String,
    /// The node or host it belongs to, when one.
    pub node: Option<String>,
    /// Points in time order (UTC).
    pub points: Vec<(Timestamp, f64)>,
}
