//! `octodiag har redact`: a copy of a HAR file safe to attach to a ticket.

use anyhow::Result;

use crate::args::RedactArgs;
use crate::Outcome;

/// Runs `har redact`.
pub fn redact(_args: &RedactArgs) -> Result<Outcome> {
    anyhow::bail!("har redact: not implemented yet")
}
