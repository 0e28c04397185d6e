//! `octodiag tasks`: the task model as a table or JSON.

use anyhow::Result;

use crate::args::TasksArgs;
use crate::Outcome;

/// Runs the command.
pub fn run(_args: &TasksArgs) -> Result<Outcome> {
    anyhow::bail!("tasks: not implemented yet")
}
