//! Orchestration shared by every command: open, parse in parallel, merge.
//!
//! ```text
//! paths ──► open_inputs ──► Vec<Source> ──par_iter──► parse_source ──► Vec<Parsed>
//!                                                          │ (analyze: server-log events
//!                                                          │  go to its sinks instead)
//!                          task fragments ──► task_log::assemble ──► Vec<Task>
//!                          events ──────────► merge by time (stable) ─► &[Event]
//! ```
//!
//! All rayon use outside the parsers lives here, so the library functions
//! stay sequential and testable.

use anyhow::{Context, Result};
use octodiag_parsers::{
    open_inputs, parse_source_into, task_log, Event, EventSink, Parsed, Source, Task,
};
use rayon::prelude::*;

use crate::settings::InputSettings;

/// Everything read from the inputs.
pub struct Loaded {
    /// Sources in the order they were opened.
    pub sources: Vec<Source>,
    /// One result per source, same order.
    pub parsed: Vec<Parsed>,
    /// Tasks assembled from every task-log source.
    pub tasks: Vec<Task>,
}

impl Loaded {
    /// All events of all sources, stably sorted by time.
    pub fn events_by_time(&mut self) -> Vec<Event> {
        let mut with_events = self.parsed.iter_mut().filter(|p| !p.events.is_empty());
        let mut all: Vec<Event> = match (with_events.next(), with_events.next()) {
            // One source: its events as they are, without copying them.
            (Some(only), None) => std::mem::take(&mut only.events),
            _ => self.parsed.iter_mut().flat_map(|p| std::mem::take(&mut p.events)).collect(),
        };
        // Sources are mostly in time order already; one source needs no sort at all.
        if !all.is_sorted_by_key(|e| e.time) {
            all.par_sort_by_key(|e| e.time);
        }
        all
    }
}

/// Builds the thread pool, opens and parses every input, keeping every event.
pub fn load(settings: &InputSettings) -> Result<Loaded> {
    let (mut loaded, chunks) = load_into(settings, |_| Box::new(Vec::new))?;
    for (parsed, chunks) in loaded.parsed.iter_mut().zip(chunks) {
        if !chunks.is_empty() {
            parsed.events = octodiag_parsers::server_log::concat_events(chunks);
        }
    }
    Ok(loaded)
}

/// Like [`load`], but server-log events go to sinks made by `new_sink` (given
/// the list of sources, so that it can look at what else was opened) instead
/// of being kept: analysis folds them into facts while parsing. Returns each
/// source's sinks, in source order.
pub fn load_into<S: EventSink>(
    settings: &InputSettings,
    new_sink: impl Fn(&[Source]) -> Box<dyn Fn() -> S + Sync> + Sync,
) -> Result<(Loaded, Vec<Vec<S>>)> {
    init_threads(settings.threads)?;
    let mut sources = open_inputs(&settings.paths, &settings.open);
    let make = new_sink(&sources);
    let results: Vec<(Parsed, Vec<S>)> = sources
        .par_iter()
        .enumerate()
        .map(|(i, s)| parse_source_into(i as u32, s, &settings.parse, &*make))
        .collect();
    let (parsed, sinks): (Vec<Parsed>, Vec<Vec<S>>) = results.into_iter().unzip();
    let loaded = finish(&mut sources, parsed).into_loaded(sources);
    Ok((loaded, sinks))
}

/// Parsed sources with their tasks assembled, before the sources are attached.
struct Finished {
    parsed: Vec<Parsed>,
    tasks: Vec<Task>,
}

impl Finished {
    fn into_loaded(self, sources: Vec<Source>) -> Loaded {
        Loaded { sources, parsed: self.parsed, tasks: self.tasks }
    }
}

/// Records how background decoding ended, checks that no source changed while
/// it was read, and assembles the tasks.
fn finish(sources: &mut [Source], mut parsed: Vec<Parsed>) -> Finished {
    sources.iter_mut().for_each(Source::settle);
    sources.iter_mut().for_each(Source::check_unchanged);
    let fragments = parsed.iter_mut().flat_map(|p| std::mem::take(&mut p.task_fragments)).collect();
    let tasks = task_log::assemble(fragments);
    Finished { parsed, tasks }
}

/// Sizes rayon's global pool (`-j`) once per process, so that parsing and the
/// analysis after it run on the same threads (a pool installed only around
/// loading left the analysis on a default-sized global pool: `-j 1` used two).
fn init_threads(threads: Option<usize>) -> Result<()> {
    static STARTED: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    let started = STARTED.get_or_init(|| {
        let mut b = rayon::ThreadPoolBuilder::new();
        if let Some(n) = threads {
            b = b.num_threads(n);
        }
        b.build_global().map_err(|e| e.to_string())
    });
    started.clone().map_err(anyhow::Error::msg).context("could not start worker threads")
}

/// Prints every problem of every source to stderr as `octodiag: path:line: reason`,
/// then a one-line summary. Returns whether there were any.
pub fn report_problems(loaded: &Loaded, err: &mut dyn std::io::Write) -> bool {
    let mut inputs_with = 0;
    let mut total = 0u64;
    let mut skipped = 0u64;
    for (s, p) in loaded.sources.iter().zip(&loaded.parsed) {
        skipped += p.skipped_lines;
        let probs: Vec<_> = s.problems.list.iter().chain(&p.problems.list).collect();
        let dropped = s.problems.dropped + p.problems.dropped;
        if probs.is_empty() && dropped == 0 {
            continue;
        }
        inputs_with += 1;
        total += probs.len() as u64 + dropped;
        let name = crate::render::escape::terminal(&s.name);
        for prob in &probs {
            let reason = crate::render::escape::terminal(&prob.reason);
            let _ = match prob.line {
                Some(l) => writeln!(err, "octodiag: {name}:{l}: {reason}"),
                None => writeln!(err, "octodiag: {name}: {reason}"),
            };
        }
        if dropped > 0 {
            let _ = writeln!(err, "octodiag: {name}: {dropped} more problems not shown");
        }
    }
    if inputs_with > 0 {
        let _ = writeln!(
            err,
            "octodiag: {} inputs, {inputs_with} with problems ({total} problems), {skipped} lines skipped",
            loaded.sources.len()
        );
    }
    inputs_with > 0
}
