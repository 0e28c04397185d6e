//! How fast each stage of reading a server log can go on one core, from the
//! floor up: counting lines, framing entries (finding every line and checking
//! for an entry header), the whole parse with the events thrown away, and the
//! parse folding events into analysis facts (what `analyze` does). It shows
//! where the time goes and what no amount of tuning of the later stages can
//! beat: every entry's header must be read for the activity, gap and span
//! analyses.
//!
//! ```text
//! floor PATH [fold]   (memory-mapped through the source funnel, one thread;
//!                     `fold`: only the last stage, for a profiler)
//! ```

use std::process::ExitCode;
use std::time::Instant;

use octodiag_analyzers::facts::Part;
use octodiag_parsers::server_log::framing::{count_lines, Lines};
use octodiag_parsers::server_log::{fast, parse_into, EventSink, ServerLogOptions};
use octodiag_parsers::{open_inputs, Event, OpenOptions};

/// Counts events and drops them.
#[derive(Default)]
struct Count(u64);

impl EventSink for Count {
    fn event(&mut self, _: Event, _: &[u8]) {
        self.0 += 1;
    }

    fn shift_lines(&mut self, _: u64) {}
}

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: floor PATH");
        return ExitCode::from(2);
    };
    let sources = open_inputs(&[path], &OpenOptions::default());
    let Some(bytes) = sources.first().map(|s| s.bytes()).filter(|b| !b.is_empty()) else {
        eprintln!("floor: nothing to read");
        return ExitCode::from(2);
    };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("one thread");
    let opts = ServerLogOptions { keep_generic: false, ..ServerLogOptions::default() };
    let mb = bytes.len() as f64 / 1e6;
    let report = |stage: &str, secs: f64, count: u64| {
        println!("{stage:<44} {secs:>7.3} s {:>7.0} MB/s  ({count})", mb / secs);
    };
    if std::env::args().nth(2).as_deref() == Some("fold") {
        // Only the last stage, for profiling it.
        let t = Instant::now();
        let (log, parts) = pool.install(|| parse_into(0, bytes, &opts, &|| Part::new(false)));
        report("parse + fold into facts (analyze)", t.elapsed().as_secs_f64(), log.entries);
        std::mem::forget(parts);
        return ExitCode::SUCCESS;
    }
    // Warm the page cache and the mapping.
    let _ = count_lines(bytes);
    let t = Instant::now();
    let lines = count_lines(bytes);
    report("count lines (memchr)", t.elapsed().as_secs_f64(), lines);
    let t = Instant::now();
    let mut dates = fast::DateCache::default();
    let headers = Lines::new(bytes)
        .filter(|l| matches!(fast::header(l.text, &mut dates), Ok(Some(_))))
        .count() as u64;
    report("frame: every line + header check", t.elapsed().as_secs_f64(), headers);
    let t = Instant::now();
    let (_, counts) = pool.install(|| parse_into(0, bytes, &opts, &Count::default));
    let events: u64 = counts.iter().map(|c| c.0).sum();
    report("parse, typed events dropped", t.elapsed().as_secs_f64(), events);
    let t = Instant::now();
    let (log, parts) = pool.install(|| parse_into(0, bytes, &opts, &|| Part::new(false)));
    report("parse + fold into facts (analyze)", t.elapsed().as_secs_f64(), log.entries);
    std::mem::forget(parts);
    ExitCode::SUCCESS
}
