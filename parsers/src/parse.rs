//! Dispatch: one [`Source`] in, one [`Parsed`] out, whatever the format.

use crate::counters::CounterSeries;
use crate::detect::{detect, Format, DETECT_BYTES};
use crate::error::{Problem, Problems};
use crate::event::{AccessOrigin, Event, SourceId};
use crate::profile::Profile;
use crate::server_log::{self, EventSink, ServerLogOptions};
use crate::source::Source;
use crate::task_log::TaskFragment;
use crate::time::{Clock, Timestamp};
use crate::unwrap::after::{self, ClockHint, Sampling};
use crate::{access_log, counters, har, otel, profile, task_log, web_log};

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
    pub activity: Vec<server_log::Minute>,
    /// DEBUG/TRACE entries seen (server logs): verbose logging was on.
    pub verbose: Option<server_log::Verbose>,
    /// For a source decoded from a container log ([`Source::wrapper`]): its
    /// local clock's offset, from the runtime's UTC time of the same lines.
    pub clock_hint: Option<ClockHint>,
    /// Counter series (PDH-CSV, sadf, dotnet-counters, Prometheus): one per counter.
    pub series: Vec<CounterSeries>,
    /// A CPU profile (speedscope) or a heap report (`dotnet-gcdump report`).
    pub profile: Option<Box<Profile>>,
    /// Remarks that are not problems (what a binary capture is, skipped trailer lines).
    pub notes: Vec<String>,
}

/// Detects the format of `source` and parses it, keeping every event.
pub fn parse_source(id: SourceId, source: &Source, opts: &ParseOptions) -> Parsed {
    let (mut parsed, chunks) = parse_source_into(id, source, opts, &Vec::new);
    if !chunks.is_empty() {
        parsed.events = server_log::concat_events(chunks);
    }
    parsed
}

/// Detects the format of `source` and parses it. A server log's events go to
/// sinks made by `new_sink` (one per parallel chunk, returned in file order);
/// other formats, small by comparison, keep theirs in [`Parsed::events`].
pub fn parse_source_into<S: EventSink>(
    id: SourceId,
    source: &Source,
    opts: &ParseOptions,
    new_sink: &(dyn Fn() -> S + Sync),
) -> (Parsed, Vec<S>) {
    // A `.gz` still being decoded: its first KiB is enough to tell the format.
    let detection = detect(&source.file_name, source.head(DETECT_BYTES));
    // Only server logs are parsed while they are decoded; the rest wait for it.
    if let Some(growing) = source.inflating().filter(|_| detection.format != Format::ServerLog) {
        growing.wait_done();
    }
    let mut sinks = Vec::new();
    let mut diffs = Vec::new();
    let mut parsed = match detection.format {
        Format::ServerLog if source.wrapper.is_some() => {
            let (parsed, s) = from_wrapped_server_log(id, source, opts, new_sink, &mut diffs);
            sinks = s;
            parsed
        }
        Format::ServerLog => {
            let (parsed, s) = from_server_log(id, source, opts, new_sink);
            sinks = s;
            parsed
        }
        Format::TaskLogJson | Format::ScheduledTaskLog | Format::TaskLogText => {
            task_log::parse(id, source, detection.format)
        }
        Format::Har => har::parse(id, source),
        Format::W3cOctopus
        | Format::Iis
        | Format::Nginx
        | Format::IngressNginx
        | Format::Haproxy
        | Format::Traefik => {
            let (parsed, s) = from_request_log(id, source, detection.format, new_sink, &mut diffs);
            sinks = s;
            parsed
        }
        Format::OtelTraces => otel::parse(id, source),
        Format::PdhCsv => counters::pdh::parse(id, source.bytes()),
        Format::Sadf => counters::sadf::parse(id, source.bytes()),
        Format::DotnetCounters => counters::dotnet::parse(id, source.bytes()),
        Format::Prometheus => counters::prometheus::parse(id, source.bytes()),
        Format::Speedscope => profile::speedscope::parse(source.bytes()),
        Format::GcdumpReport => profile::gcdump::parse(source.bytes()),
        Format::BinaryCapture => binary_capture(detection.reason.unwrap_or("binary capture")),
        Format::Unknown => unknown(source, detection.reason.unwrap_or("unrecognised")),
    };
    if let Some(w) = source.wrapper.as_deref() {
        diffs.extend(after::map_lines(w, &mut parsed.events, &mut parsed.problems));
        parsed.clock_hint = after::clock_hint(&mut diffs, w.kind);
    }
    parsed.format = Some(detection.format);
    if parsed.first.is_none() {
        set_span(&mut parsed);
    }
    if parsed.first.is_none() && !parsed.series.is_empty() {
        counters::set_span(&mut parsed);
    }
    (parsed, sinks)
}

fn from_server_log<S: EventSink>(
    id: SourceId,
    source: &Source,
    opts: &ParseOptions,
    new_sink: &(dyn Fn() -> S + Sync),
) -> (Parsed, Vec<S>) {
    let (log, sinks) = match source.inflating() {
        Some(growing) => server_log::parse_growing(id, growing, &opts.server_log, new_sink),
        None => server_log::parse_into(id, source.bytes(), &opts.server_log, new_sink),
    };
    (server_log_parsed(source, log), sinks)
}

/// A server log decoded from a container log: its events pass through
/// [`Sampling`] (wrapper line numbers, clock differences, appended to `diffs`).
/// Unless every decoded line is on the wrapper line of the same number, it is
/// parsed as one chunk so that lines can be mapped as the events pass.
fn from_wrapped_server_log<S: EventSink>(
    id: SourceId,
    source: &Source,
    opts: &ParseOptions,
    new_sink: &(dyn Fn() -> S + Sync),
    diffs: &mut Vec<i64>,
) -> (Parsed, Vec<S>) {
    let Some(w) = source.wrapper.as_deref() else {
        return from_server_log(id, source, opts, new_sink);
    };
    let map = !w.lines.is_identity();
    let mut log_opts = opts.server_log;
    if map {
        log_opts.chunk_size = usize::MAX;
    }
    let sampled = || Sampling::new(new_sink(), w, map);
    let (log, sinks) = server_log::parse_into(id, source.bytes(), &log_opts, &sampled);
    let sinks = sinks.into_iter().map(|s| s.into_parts(diffs)).collect();
    (server_log_parsed(source, log), sinks)
}

fn server_log_parsed(source: &Source, log: server_log::ServerLog) -> Parsed {
    let node = log.node.map(|name| name.resolve(source.bytes()).into_owned());
    let mut parsed = Parsed {
        entries: log.entries,
        lines: log.lines,
        skipped_lines: log.skipped_lines,
        problems: log.problems,
        node,
        activity: log.activity,
        verbose: log.verbose,
        ..Parsed::default()
    };
    if let Some((first, last, clock)) = log.span {
        parsed.first = Some((first, clock));
        parsed.last = Some((last, clock));
    }
    parsed
}

/// A web-server or proxy request log ([`web_log`], [`access_log`]): one pass,
/// its events to one sink (through [`Sampling`] for a decoded container log,
/// its differences appended to `diffs`).
fn from_request_log<S: EventSink>(
    id: SourceId,
    source: &Source,
    format: Format,
    new_sink: &(dyn Fn() -> S + Sync),
    diffs: &mut Vec<i64>,
) -> (Parsed, Vec<S>) {
    let Some(origin) = format.access_origin() else { return (Parsed::default(), Vec::new()) };
    let run = |sink: &mut dyn EventSink| match origin {
        AccessOrigin::W3cOctopus | AccessOrigin::Iis => {
            web_log::parse_into(id, source.bytes(), origin, sink)
        }
        _ => access_log::parse_into(id, source.bytes(), origin, sink),
    };
    match source.wrapper.as_deref() {
        Some(w) => {
            let mut sink = Sampling::new(new_sink(), w, true);
            let parsed = run(&mut sink);
            (parsed, vec![sink.into_parts(diffs)])
        }
        None => {
            let mut sink = new_sink();
            let parsed = run(&mut sink);
            (parsed, vec![sink])
        }
    }
}

fn unknown(source: &Source, reason: &str) -> Parsed {
    let mut problems = Problems::default();
    if reason != "empty" && !source.bytes().is_empty() {
        let inside = match &source.wrapper {
            Some(w) => format!(" (inside a {} container log)", w.kind.as_str()),
            None => String::new(),
        };
        problems.push(Problem::whole(format!("not recognised: {reason}{inside}")));
    }
    Parsed { problems, ..Parsed::default() }
}

/// Listed, never parsed: the note says what it is and which tool opens it.
fn binary_capture(what: &str) -> Parsed {
    Parsed { notes: vec![format!("binary capture, not read: {what}")], ..Parsed::default() }
}

fn set_span(parsed: &mut Parsed) {
    let first = parsed.events.iter().min_by_key(|e| e.time);
    let last = parsed.events.iter().max_by_key(|e| e.time);
    parsed.first = first.map(|e| (e.time, e.clock));
    parsed.last = last.map(|e| (e.time, e.clock));
}
