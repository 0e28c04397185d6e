//! Dispatch: one [`Source`] in, one [`Parsed`] out, whatever the format.

use crate::detect::{detect, Format};
use crate::error::{Problem, Problems};
use crate::event::{Event, EventKind, SourceId};
use crate::server_log::{self, ServerLogOptions};
use crate::source::Source;
use crate::task_log::TaskFragment;
use crate::time::{Clock, Timestamp};
use crate::{har, task_log};

/// How sources are parsed.
#[derive(Clone, Copy, Debug, Default)]
pub struct ParseOptions {
    /// Server-log chunking and event retention.
    pub server_log: ServerLogOptions,
}

/// Everything one source yielded.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Detected format.
    pub format: Option<Format>,
    /// Events in source order (time order is the caller's job).
    pub events: Vec<Event>,
    /// Task-log material, assembled into tasks across sources by [`task_log::assemble`].
    pub task_fragments: Vec<TaskFragment>,
    /// Entries framed (server-log entries, task-log lines, HAR entries).
    pub entries: u64,
    /// Physical lines read (0 for HAR).
    pub lines: u64,
    /// Lines that belong to no entry or could not be parsed.
    pub skipped_lines: u64,
    /// Problems (opening problems are on the [`Source`]).
    pub problems: Problems,
    /// The node name the log itself gives, if any.
    pub node: Option<String>,
    /// Earliest entry time.
    pub first: Option<(Timestamp, Clock)>,
    /// Latest entry time.
    pub last: Option<(Timestamp, Clock)>,
    /// Entries per minute (server logs), for rhythm and gap analysis.
    pub activity: Vec<(i64, u32)>,
}

/// Detects the format of `source` and parses it.
pub fn parse_source(id: SourceId, source: &Source, opts: &ParseOptions) -> Parsed {
    let detection = detect(&source.file_name, source.bytes());
    let mut parsed = match detection.format {
        Format::ServerLog => from_server_log(id, source, opts),
        Format::TaskLogJson | Format::ScheduledTaskLog | Format::TaskLogText => {
            task_log::parse(id, source, detection.format)
        }
        Format::Har => har::parse(id, source),
        Format::Unknown => unknown(source, detection.reason.unwrap_or("unrecognised")),
    };
    parsed.format = Some(detection.format);
    if parsed.first.is_none() {
        set_span(&mut parsed);
    }
    parsed
}

fn from_server_log(id: SourceId, source: &Source, opts: &ParseOptions) -> Parsed {
    let log = server_log::parse(id, source.bytes(), &opts.server_log);
    let node = log.events.iter().rev().find_map(|e| match &e.kind {
        EventKind::NodeName { name } => Some(name.resolve(source.bytes()).into_owned()),
        _ => None,
    });
    let mut parsed = Parsed {
        events: log.events,
        entries: log.entries,
        lines: log.lines,
        skipped_lines: log.skipped_lines,
        problems: log.problems,
        node,
        activity: log.activity,
        ..Parsed::default()
    };
    // Generic events may have been dropped; the activity histogram still spans them.
    if let (Some(f), Some(l)) =
        (parsed.activity.iter().map(|a| a.0).min(), parsed.activity.iter().map(|a| a.0).max())
    {
        let clock = parsed.events.first().map_or(Clock::Local, |e| e.clock);
        let first = parsed.events.iter().map(|e| e.time).min().unwrap_or(Timestamp(f));
        let last = parsed.events.iter().map(|e| e.time).max().unwrap_or(Timestamp(l + 59_999_999));
        parsed.first = Some((first.min(Timestamp(f).max(first)), clock));
        parsed.last = Some((last, clock));
    }
    parsed
}

fn unknown(source: &Source, reason: &str) -> Parsed {
    let mut problems = Problems::default();
    if reason != "empty" && !source.bytes().is_empty() {
        problems.push(Problem::whole(format!("not recognised: {reason}")));
    }
    Parsed { problems, ..Parsed::default() }
}

fn set_span(parsed: &mut Parsed) {
    let first = parsed.events.iter().min_by_key(|e| e.time);
    let last = parsed.events.iter().max_by_key(|e| e.time);
    parsed.first = first.map(|e| (e.time, e.clock));
    parsed.last = last.map(|e| (e.time, e.clock));
}
