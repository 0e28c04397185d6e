//! `octodiag analyze`: until the correlation exists, the inputs summary.

use anyhow::Result;

use crate::args::{AnalyzeArgs, InputArgs};
use crate::Outcome;

/// Runs the command.
pub fn run(args: &AnalyzeArgs) -> Result<Outcome> {
    let a = InputArgs { input: args.input.clone(), format: args.format };
    super::inputs::run(&a)
}
