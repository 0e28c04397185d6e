//! The `octodiag` binary: argument parsing and exit codes. Everything else is
//! in the library crates and in [`cmd`].

mod args;
mod cmd;
mod output;
mod render;
mod run;
mod settings;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command, HarCommand};

/// Exit status: 0 clean, 1 finished with problems in some inputs, 2 fatal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every input was read cleanly.
    Clean,
    /// Finished, but some inputs had problems (printed on stderr).
    Problems,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    match run(cli) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Problems) => ExitCode::from(1),
        Err(e) if output::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("octodiag: {}", render::escape::terminal(&format!("{e:#}")));
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Inputs(a) => cmd::inputs::run(&a),
        Command::Events(a) => cmd::events::run(&a),
        Command::Tasks(a) => cmd::tasks::run(&a),
        Command::Analyze(a) => cmd::analyze::run(&a),
        Command::Har(HarCommand::Redact(a)) => cmd::har::redact(&a),
    }
}
