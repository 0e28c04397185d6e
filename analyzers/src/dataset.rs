//! What the analyzers read: parsed inputs, their events (in time order) and
//! the assembled tasks, plus the analysis settings. Built by the CLI from
//! the parsers' output; analyzers never touch files.

use octodiag_parsers::server_log::Verbose;
use octodiag_parsers::{Clock, Event, Format, Task, Timestamp, UtcOffset};

/// One parsed input.
#[derive(Clone, Debug)]
pub struct Input<'a> {
    /// Display path.
    pub name: &'a str,
    /// Its bytes (event texts are spans into them).
    pub bytes: &'a [u8],
    /// Detected format.
    pub format: Format,
    /// The node name the log itself gives (`Defaulting server node name to …`).
    pub node: Option<String>,
    /// The nearest enclosing folder not named `Logs`: a label for an unnamed
    /// node, never evidence of one.
    pub folder: Option<String>,
    /// Entries and bytes per minute (server logs), on the input's clock.
    pub activity: &'a [octodiag_parsers::server_log::Minute],
    /// DEBUG/TRACE entries, when verbose logging was on.
    pub verbose: Option<Verbose>,
    /// First and last entry time, on `clock`.
    pub span: Option<(Timestamp, Timestamp)>,
    /// The clock of `span` and `activity`.
    pub clock: Clock,
    /// Entries parsed.
    pub entries: u64,
    /// Problems reported for it.
    pub problems: u64,
}

/// Everything read from the inputs.
#[derive(Clone, Debug)]
pub struct Dataset<'a> {
    /// Inputs, indexed by `Event::source`.
    pub inputs: Vec<Input<'a>>,
    /// Events of all inputs, sorted by their logged time.
    pub events: &'a [Event],
    /// Tasks assembled from task logs.
    pub tasks: &'a [Task],
}

/// Analysis settings (validated by the CLI).
#[derive(Clone, Debug)]
pub struct Config {
    /// The server's UTC offset when given by the user.
    pub server_utc_offset: Option<UtcOffset>,
    /// Only events at or after this UTC instant.
    pub since: Option<Timestamp>,
    /// Only events before this UTC instant.
    pub until: Option<Timestamp>,
    /// Rows per table.
    pub top: usize,
    /// Task cap per node (None: 5, or the highest concurrency observed if higher).
    pub task_cap: Option<u32>,
}

impl Default for Config {
    fn default() -> Self {
        Config { server_utc_offset: None, since: None, until: None, top: 10, task_cap: None }
    }
}
