//! Raw command-line flags (clap derive only). Validation happens in
//! [`crate::settings`]; nothing outside the CLI crate sees these types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Why is my Octopus Server slow? octodiag reads Octopus Server logs, task logs and
/// browser recordings (HAR) and ranks the suspected causes of slowness.
///
/// Exit codes: 0 clean; 1 finished, but some inputs had problems (listed on stderr);
/// 2 fatal error (bad arguments, nothing could be done).
#[derive(Debug, Parser)]
#[command(name = "octodiag", version, about, long_about = None, after_help = EXIT_CODES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

const EXIT_CODES: &str =
    "Exit codes: 0 clean; 1 finished with problems in some inputs; 2 fatal error.";

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Correlate everything into a timeline of suspected causes.
    Analyze(AnalyzeArgs),
    /// List every input: format, node, size, entries, time span, problems.
    Inputs(InputArgs),
    /// Print the events of all inputs in time order (NDJSON by default).
    Events(EventsArgs),
    /// List tasks from task logs, longest and most queued first.
    Tasks(TasksArgs),
    /// HAR utilities.
    #[command(subcommand)]
    Har(HarCommand),
}

/// Options shared by every command that reads inputs.
#[derive(Debug, Args, Clone)]
pub struct InputOpts {
    /// Files, folders, .gz files, .zip bundles, or - for standard input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    /// Largest decompressed size of one .gz stream or zip member (e.g. 4GiB, 500MiB).
    #[arg(long, default_value = "4GiB", value_name = "SIZE", help_heading = "Input")]
    pub max_decompressed: String,
    /// Never memory-map files (read them instead).
    #[arg(long, help_heading = "Input")]
    pub no_mmap: bool,
    /// Worker threads (default: one per core).
    #[arg(short = 'j', long, value_name = "N", help_heading = "Input")]
    pub threads: Option<usize>,
    /// The server's offset from UTC (e.g. +10:00); server logs and raw task logs are in local time.
    #[arg(long, value_name = "±HH:MM", allow_hyphen_values = true, help_heading = "Time")]
    pub server_utc_offset: Option<String>,
}

/// `octodiag inputs`.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Inputs.
    #[command(flatten)]
    pub input: InputOpts,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TableOrJson::Table)]
    pub format: TableOrJson,
}

/// `octodiag events`.
#[derive(Debug, Args)]
pub struct EventsArgs {
    /// Inputs.
    #[command(flatten)]
    pub input: InputOpts,
    /// Output format.
    #[arg(long, value_enum, default_value_t = EventsFormat::Ndjson)]
    pub format: EventsFormat,
}

/// `octodiag tasks`.
#[derive(Debug, Args)]
pub struct TasksArgs {
    /// Inputs.
    #[command(flatten)]
    pub input: InputOpts,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TableOrJson::Table)]
    pub format: TableOrJson,
    /// Sort order.
    #[arg(long, value_enum, default_value_t = TaskSort::Duration)]
    pub sort: TaskSort,
}

/// `octodiag analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Inputs.
    #[command(flatten)]
    pub input: InputOpts,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TableOrJson::Table)]
    pub format: TableOrJson,
    /// Only consider events at or after this time (RFC 3339 or `yyyy-MM-dd HH:mm`, UTC).
    #[arg(long, value_name = "TIME", help_heading = "Analysis")]
    pub since: Option<String>,
    /// Only consider events before this time.
    #[arg(long, value_name = "TIME", help_heading = "Analysis")]
    pub until: Option<String>,
    /// How many rows per table (endpoints, statements, tasks).
    #[arg(long, default_value_t = 10, value_name = "N", help_heading = "Analysis")]
    pub top: usize,
    /// The node's task cap (default 5, or the highest concurrency observed).
    #[arg(long, value_name = "N", help_heading = "Analysis")]
    pub task_cap: Option<u32>,
}

/// `octodiag har …`.
#[derive(Debug, Subcommand)]
pub enum HarCommand {
    /// Write a copy of a HAR file that is safe to attach to a support ticket.
    Redact(RedactArgs),
}

/// `octodiag har redact`.
#[derive(Debug, Args)]
pub struct RedactArgs {
    /// The HAR file to redact.
    pub input: PathBuf,
    /// Where to write the redacted copy (default: standard output).
    #[arg(short = 'o', long, value_name = "OUT.har")]
    pub output: Option<PathBuf>,
    /// Also remove request and response bodies.
    #[arg(long)]
    pub drop_bodies: bool,
}

/// Table for people, JSON for tools.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum TableOrJson {
    /// A readable table.
    Table,
    /// One JSON document.
    Json,
}

/// Event output formats.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum EventsFormat {
    /// One JSON object per line.
    Ndjson,
    /// A readable table.
    Table,
}

/// Task sort orders.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum TaskSort {
    /// Longest first.
    Duration,
    /// Longest queued first.
    Queue,
    /// Earliest started first.
    Started,
}
