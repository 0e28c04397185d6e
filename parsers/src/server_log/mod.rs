//! The Octopus Server log (`OctopusServer.txt`, its archives, Tentacle logs).
//!
//! ```text
//! 2017-03-24 14:00:35.1371    161 DEBUG  Reader took 1ms (1ms until the first record) in transaction 'http://…': SELECT *
//! FROM (SELECT …) RS                      ◄── continuation lines belong to the entry above
//! 2021-07-08 03:16:32.9895  19480     73  INFO  Request took 276126ms: GET https://…/api/Spaces-1/projects/
//! ```
//!
//! Pipeline: [`framing::chunk_starts`] cuts the bytes at entry starts →
//! each chunk is framed ([`framing`]) and its entries parsed ([`grammar`],
//! [`messages`]) in parallel with rayon → chunk results are concatenated
//! and their line numbers shifted by the lines of the chunks before them.
//! The result is identical for any chunk size and thread count (a property
//! test checks this).
//!
//! Where the events go is the caller's choice ([`EventSink`]): the `events`
//! command keeps them all ([`parse`]); analysis folds each one into its own
//! compact records as it is parsed ([`parse_into`]), so a large log never
//! exists in memory as millions of events and is never walked twice.

pub mod fast;
pub mod framing;
pub mod grammar;
pub mod messages;

use rayon::prelude::*;

use self::framing::{Line, Lines};
use self::grammar::{Header, HeaderError};
use self::messages::EntryView;
use crate::error::{Problem, Problems};
use crate::event::{Event, EventKind, SourceId, Text};
use crate::inflate::Inflating;
use crate::time::{Clock, Timestamp};

/// Options for parsing one server log.
#[derive(Clone, Copy, Debug)]
pub struct ServerLogOptions {
    /// Bytes per parallel chunk (a chunk always begins at an entry start).
    pub chunk_size: usize,
    /// Keep generic `log` events (the `events` command) or drop them and keep
    /// only their count (analysis, which needs typed events).
    pub keep_generic: bool,
}

impl Default for ServerLogOptions {
    fn default() -> Self {
        ServerLogOptions { chunk_size: 16 << 20, keep_generic: true }
    }
}

/// The result of parsing one server log.
#[derive(Debug, Default)]
pub struct ServerLog {
    /// Events in file order.
    pub events: Vec<Event>,
    /// Entries framed (typed or generic).
    pub entries: u64,
    /// Physical lines.
    pub lines: u64,
    /// Lines that belong to no entry.
    pub skipped_lines: u64,
    /// Problems with line numbers.
    pub problems: Problems,
    /// Entries and bytes per minute of log time, for rhythm, gap and volume analysis.
    pub activity: Vec<Minute>,
    /// DEBUG and TRACE entries: verbose logging was switched on.
    pub verbose: Option<Verbose>,
    /// Earliest and latest entry time (every entry, kept or not), with its clock.
    pub span: Option<(Timestamp, Timestamp, Clock)>,
    /// The node name the log gives (`Defaulting server node name to '…'`), the last one seen.
    pub node: Option<Text>,
}

/// Receives a chunk's events as they are parsed, in file order.
///
/// Each parallel chunk gets its own sink, so a sink needs no locking; the
/// caller receives the sinks in file order and combines them.
pub trait EventSink: Send {
    /// Takes one event. `source` is the whole source (the event's spans index it);
    /// `line` numbers count from the start of the chunk until [`EventSink::shift_lines`].
    fn event(&mut self, event: Event, source: &[u8]);
    /// Adds `by` to the line number of everything taken so far: called once per
    /// chunk, with the number of lines in the chunks before it.
    fn shift_lines(&mut self, by: u64);
}

/// Drops every event: for callers that need only the counts, spans and
/// problems of a log (the `inputs` command).
#[derive(Clone, Copy, Debug, Default)]
pub struct Discard;

impl EventSink for Discard {
    #[inline]
    fn event(&mut self, _event: Event, _source: &[u8]) {}

    fn shift_lines(&mut self, _by: u64) {}
}

/// Keeps every event (the `events` command).
impl EventSink for Vec<Event> {
    #[inline]
    fn event(&mut self, event: Event, _source: &[u8]) {
        self.push(event);
    }

    fn shift_lines(&mut self, by: u64) {
        self.iter_mut().for_each(|e| e.line += by);
    }
}

/// What one minute of a log holds: entries and bytes, all and DEBUG/TRACE.
/// Minutes follow the file's order; a minute appears once per run of entries in it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Minute {
    /// Start of the minute, µs, on the log's clock.
    pub start: i64,
    /// Entries.
    pub entries: u32,
    /// DEBUG and TRACE entries.
    pub verbose: u32,
    /// Bytes of all entries.
    pub bytes: u64,
    /// Bytes of the DEBUG and TRACE entries.
    pub verbose_bytes: u64,
}

impl Minute {
    fn add(&mut self, other: &Minute) {
        self.entries += other.entries;
        self.verbose += other.verbose;
        self.bytes += other.bytes;
        self.verbose_bytes += other.verbose_bytes;
    }
}

/// Where verbose (DEBUG/TRACE) entries were seen: their count and time range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verbose {
    /// Number of DEBUG/TRACE entries.
    pub entries: u64,
    /// Earliest.
    pub first: crate::time::Timestamp,
    /// Latest.
    pub last: crate::time::Timestamp,
}

impl Verbose {
    fn note(v: &mut Option<Verbose>, t: crate::time::Timestamp) {
        match v {
            Some(x) => {
                x.entries += 1;
                x.first = x.first.min(t);
                x.last = x.last.max(t);
            }
            None => *v = Some(Verbose { entries: 1, first: t, last: t }),
        }
    }

    fn combine(a: Option<Verbose>, b: Option<Verbose>) -> Option<Verbose> {
        match (a, b) {
            (Some(x), Some(y)) => Some(Verbose {
                entries: x.entries + y.entries,
                first: x.first.min(y.first),
                last: x.last.max(y.last),
            }),
            (x, y) => x.or(y),
        }
    }
}

/// Parses a whole server log, keeping its events in [`ServerLog::events`].
/// `bytes` is the entire source; a UTF-8 BOM is skipped.
pub fn parse(source: SourceId, bytes: &[u8], opts: &ServerLogOptions) -> ServerLog {
    let (mut log, chunks) = parse_into(source, bytes, opts, &Vec::new);
    log.events = concat_events(chunks);
    log
}

/// Joins chunks' events with one allocation of the final size: growing by
/// doubling copied the events several times over (a quarter of the profile on
/// large logs).
pub fn concat_events(mut chunks: Vec<Vec<Event>>) -> Vec<Event> {
    if chunks.len() == 1 {
        return chunks.pop().unwrap_or_default();
    }
    let mut all = Vec::with_capacity(chunks.iter().map(Vec::len).sum());
    chunks.into_iter().for_each(|mut c| all.append(&mut c));
    all
}

/// Parses a whole server log, handing its events to one sink per chunk
/// (`new_sink` makes them). Returns everything else about the log, and the
/// sinks in file order with their line numbers already made whole-file.
pub fn parse_into<S: EventSink>(
    source: SourceId,
    bytes: &[u8],
    opts: &ServerLogOptions,
    new_sink: &(dyn Fn() -> S + Sync),
) -> (ServerLog, Vec<S>) {
    let start = if bytes.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    let mut starts = framing::chunk_starts(&bytes[start..], opts.chunk_size);
    starts.iter_mut().for_each(|s| *s += start);
    let ranges: Vec<(usize, usize)> = starts
        .iter()
        .zip(starts.iter().skip(1).chain([&bytes.len()]))
        .map(|(a, b)| (*a, *b))
        .collect();
    let chunk = |r: &(usize, usize)| {
        let mut sink = new_sink();
        let log = parse_chunk(source, bytes, *r, opts, &mut sink);
        (log, sink)
    };
    let chunks: Vec<(ServerLog, S)> = if ranges.len() == 1 {
        vec![chunk(&ranges[0])]
    } else {
        ranges.par_iter().map(chunk).collect()
    };
    concat_chunks(chunks)
}

/// Parses a server log that is still being decoded ([`crate::inflate`]): each
/// chunk goes to the pool as soon as it is whole, while decoding goes on. The
/// result is that of [`parse_into`] on the final bytes: chunks begin at entry
/// starts, and results never depend on where chunks begin.
pub fn parse_growing<S: EventSink>(
    source: SourceId,
    growing: &Inflating,
    opts: &ServerLogOptions,
    new_sink: &(dyn Fn() -> S + Sync),
) -> (ServerLog, Vec<S>) {
    let chunk_size = opts.chunk_size.max(1);
    let (head, _) = growing.wait_for(3);
    let first = if head.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    let done: std::sync::Mutex<Vec<(usize, ServerLog, S)>> = std::sync::Mutex::new(Vec::new());
    let parse = |index: usize, bytes: &[u8], range: (usize, usize)| {
        let mut sink = new_sink();
        let log = parse_chunk(source, bytes, range, opts, &mut sink);
        done.lock().unwrap_or_else(|e| e.into_inner()).push((index, log, sink));
    };
    rayon::scope(|scope| {
        let (mut start, mut index): (usize, usize) = (first, 0);
        let mut need = start.saturating_add(chunk_size).saturating_add(1);
        loop {
            let (available, complete) = wait_helping(growing, need);
            // Only whole lines can decide a boundary: a line still being written
            // could look like an entry header that it is not.
            let whole = memchr::memrchr(b'\n', available).map_or(0, |i| i + 1);
            let target = start.saturating_add(chunk_size);
            let end = (target < whole)
                .then(|| framing::next_entry_start(&available[..whole], target))
                .flatten();
            match end {
                Some(end) => {
                    let parse = &parse;
                    scope.spawn(move |_| parse(index, available, (start, end)));
                    need = end.saturating_add(chunk_size).saturating_add(1);
                    (start, index) = (end, index + 1);
                }
                None if complete => {
                    parse(index, available, (start.min(available.len()), available.len()));
                    break;
                }
                None => need = available.len().saturating_add(GROW_STEP),
            }
        }
    });
    let mut chunks = done.into_inner().unwrap_or_else(|e| e.into_inner());
    chunks.sort_by_key(|c| c.0);
    concat_chunks(chunks.into_iter().map(|(_, log, sink)| (log, sink)).collect())
}

/// Waits for `need` decoded bytes like [`Inflating::wait_for`], but first runs
/// chunks this thread has queued: with one worker thread (`-j 1`) nobody else
/// would parse them until decoding ends.
fn wait_helping(growing: &Inflating, need: usize) -> (&[u8], bool) {
    loop {
        let (available, done) = growing.peek();
        if done || available.len() >= need {
            return (available, done);
        }
        if rayon::yield_local() != Some(rayon::Yield::Executed) {
            return growing.wait_for(need);
        }
    }
}

/// How much more to wait for when no entry starts in what is decoded yet.
const GROW_STEP: usize = 1 << 20;

fn concat_chunks<S: EventSink>(chunks: Vec<(ServerLog, S)>) -> (ServerLog, Vec<S>) {
    let mut out = ServerLog::default();
    let mut sinks = Vec::with_capacity(chunks.len());
    for (mut c, mut sink) in chunks {
        let shift = out.lines;
        if shift > 0 {
            sink.shift_lines(shift);
        }
        sinks.push(sink);
        c.problems.list.iter_mut().for_each(|p| p.line = p.line.map(|l| l + shift));
        out.node = c.node.or(out.node);
        out.entries += c.entries;
        out.lines += c.lines;
        out.skipped_lines += c.skipped_lines;
        out.problems.extend(c.problems);
        merge_activity(&mut out.activity, c.activity);
        out.verbose = Verbose::combine(out.verbose, c.verbose);
        out.span = match (out.span, c.span) {
            (Some(a), Some(b)) => Some((a.0.min(b.0), a.1.max(b.1), a.2)),
            (a, b) => a.or(b),
        };
    }
    (out, sinks)
}

fn merge_activity(into: &mut Vec<Minute>, from: Vec<Minute>) {
    for minute in from {
        match into.last_mut() {
            Some(m) if m.start == minute.start => m.add(&minute),
            _ => into.push(minute),
        }
    }
}

/// An entry being framed: its header, first line and extent.
struct Pending<'a> {
    header: Header,
    first: Line<'a>,
    line: u64,
    lines: u32,
    end: usize,
}

/// Frames and parses `bytes[range]`, with line numbers relative to the chunk.
fn parse_chunk<S: EventSink>(
    source: SourceId,
    bytes: &[u8],
    range: (usize, usize),
    opts: &ServerLogOptions,
    sink: &mut S,
) -> ServerLog {
    let chunk = &bytes[range.0..range.1];
    let mut out = ServerLog::default();
    let mut pending: Option<Pending<'_>> = None;
    let mut skipped_run: Option<(u64, u64)> = None;
    let mut line_no = 0u64;
    let mut dates = fast::DateCache::default();
    for line in Lines::new(chunk) {
        line_no += 1;
        let text = strip_nul_prefix(line.text, line_no, &mut out.problems, range.0 + line.at);
        let line = Line { at: line.at + (line.text.len() - text.len()), text };
        match fast::header(line.text, &mut dates) {
            Ok(Some(header)) => {
                if let Some(p) = pending.take() {
                    finish(source, bytes, range.0, p, opts, &mut out, sink);
                }
                flush_skipped(&mut skipped_run, &mut out.problems);
                let end = line.at + line.text.len();
                pending = Some(Pending { header, first: line, line: line_no, lines: 1, end });
            }
            other => {
                if other == Err(HeaderError::InvalidTimestamp) {
                    out.problems.push(Problem::at_line(
                        line_no,
                        "invalid timestamp; line kept as part of the previous entry",
                    ));
                }
                match pending.as_mut() {
                    Some(p) => {
                        p.lines += 1;
                        p.end = line.at + line.text.len();
                    }
                    None => {
                        out.skipped_lines += 1;
                        let run = skipped_run.get_or_insert((line_no, 0));
                        run.1 += 1;
                    }
                }
            }
        }
    }
    if let Some(p) = pending.take() {
        finish(source, bytes, range.0, p, opts, &mut out, sink);
    }
    flush_skipped(&mut skipped_run, &mut out.problems);
    out.lines = line_no;
    out
}

/// A NUL run (crash zero-fill) at the start of a line is a binary gap: report it and
/// parse what follows it.
fn strip_nul_prefix<'a>(text: &'a [u8], line: u64, problems: &mut Problems, at: usize) -> &'a [u8] {
    if text.first() != Some(&0) {
        return text;
    }
    let n = text.iter().take_while(|b| **b == 0).count();
    problems.push(Problem::at_line(line, format!("binary gap of {n} NUL bytes at offset {at}")));
    &text[n..]
}

fn flush_skipped(run: &mut Option<(u64, u64)>, problems: &mut Problems) {
    if let Some((first, n)) = run.take() {
        let reason = if n == 1 {
            "line before the first entry skipped".to_string()
        } else {
            format!("{n} lines before the first entry skipped (lines {first}-{})", first + n - 1)
        };
        problems.push(Problem::at_line(first, reason));
    }
}

/// Interprets a framed entry and hands its event to the sink.
fn finish<S: EventSink>(
    source: SourceId,
    bytes: &[u8],
    base: usize,
    p: Pending<'_>,
    opts: &ServerLogOptions,
    out: &mut ServerLog,
    sink: &mut S,
) {
    out.entries += 1;
    let first_start = base + p.first.at;
    let first_end = first_start + p.first.text.len();
    let cont_start = (first_end + 1).min(base + p.end).max(first_end);
    let view = EntryView {
        source: bytes,
        message: &bytes[first_start + p.header.message_at..first_end],
        continuation: &bytes[cont_start..base + p.end],
        level: p.header.level,
        pid: p.header.pid,
    };
    let (time, clock) = match p.header.zone {
        Some(z) => (p.header.time.local_to_utc(z), Clock::Utc),
        None => (p.header.time, Clock::Local),
    };
    let len = (base + p.end - first_start) as u64;
    note_activity(&mut out.activity, time.0, p.header.level <= crate::event::Level::Debug, len);
    out.span = Some(match out.span {
        Some((a, b, c)) => (a.min(time), b.max(time), c),
        None => (time, time, clock),
    });
    if p.header.level <= crate::event::Level::Debug {
        Verbose::note(&mut out.verbose, time);
    }
    let kind = messages::interpret(&view);
    if let EventKind::NodeName { name } = &kind {
        out.node = Some(name.clone());
    }
    if matches!(kind, EventKind::Log)
        && !opts.keep_generic
        && p.header.level < crate::event::Level::Warn
    {
        return;
    }
    let event = Event {
        time,
        clock,
        source,
        line: p.line,
        lines: p.lines,
        offset: first_start as u64,
        len: (base + p.end - first_start).min(u32::MAX as usize) as u32,
        level: p.header.level,
        kind,
    };
    sink.event(event, bytes);
}

fn note_activity(activity: &mut Vec<Minute>, micros: i64, verbose: bool, len: u64) {
    let start = micros.div_euclid(60_000_000) * 60_000_000;
    let v = u32::from(verbose);
    let entry = Minute { start, entries: 1, verbose: v, bytes: len, verbose_bytes: len * v as u64 };
    match activity.last_mut() {
        Some(m) if m.start == start => m.add(&entry),
        _ => activity.push(entry),
    }
}

#[cfg(test)]
mod tests;
