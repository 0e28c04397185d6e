//! After a decoded source is parsed: its line numbers are turned back into the
//! wrapper file's, and its local times are compared with the runtime's UTC
//! times of the same lines ([`ClockHint`]).
//!
//! Server-log events never reach [`crate::parse::Parsed::events`] (they go to
//! the caller's sinks), so they are seen on their way by [`Sampling`], a sink
//! wrapped around the caller's. A decoded source whose lines are not all on
//! the wrapper line of the same number (joined pieces, skipped records,
//! another pod's lines) is parsed as one chunk, so that each event's line is
//! already whole-file when the sink sees it and can be mapped there.

use super::{Wrapper, WrapperKind};
use crate::error::Problems;
use crate::event::Event;
use crate::server_log::EventSink;
use crate::time::{Clock, UtcOffset};

/// Most (logged − runtime) differences kept per source.
const MAX_PAIRS: usize = super::MAX_RUNTIME_SAMPLES;

/// Evidence of a local clock's offset from UTC, from a container runtime.
///
/// The runtime stamps each record with its UTC time as it reads the line from
/// the container's stdout, a few milliseconds after the process logged it in
/// its own local time; so for entries on the local clock, `logged − runtime`
/// is the UTC offset of the process's clock, give or take that delay.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClockHint {
    /// Local clock minus UTC, rounded to a quarter hour (the sign of `--server-utc-offset`).
    pub offset: UtcOffset,
    /// Median of (logged local time − runtime UTC time), in seconds, before rounding.
    pub median_s: f64,
    /// Largest distance of one sample from the median, in seconds.
    pub spread_s: f64,
    /// Entries compared (those on the local clock among the first sampled lines).
    pub samples: u32,
    /// The runtime that gave the UTC times.
    pub wrapper: WrapperKind,
}

/// The hint from (logged − runtime) differences in microseconds, if any.
pub fn clock_hint(diffs: &mut [i64], wrapper: WrapperKind) -> Option<ClockHint> {
    if diffs.is_empty() {
        return None;
    }
    diffs.sort_unstable();
    let median = diffs[diffs.len() / 2];
    let spread = diffs.iter().map(|d| (d - median).unsigned_abs()).max().unwrap_or(0);
    Some(ClockHint {
        offset: UtcOffset::round_to_quarter_hour(median as f64 / 60e6),
        median_s: median as f64 / 1e6,
        spread_s: spread as f64 / 1e6,
        samples: u32::try_from(diffs.len()).unwrap_or(u32::MAX),
        wrapper,
    })
}

/// The (logged − runtime) difference for an event on the local clock whose line was sampled.
fn diff(w: &Wrapper, e: &Event) -> Option<i64> {
    (e.clock == Clock::Local).then(|| w.runtime_at(e.offset)).flatten().map(|rt| e.time.0 - rt.0)
}

/// Maps the lines of `events` and `problems` to wrapper lines, and returns the
/// clock differences of `events`.
pub fn map_lines(w: &Wrapper, events: &mut [Event], problems: &mut Problems) -> Vec<i64> {
    let mut diffs = Vec::new();
    for e in events.iter_mut() {
        if diffs.len() < MAX_PAIRS {
            diffs.extend(diff(w, e));
        }
        e.line = w.lines.wrapper_line(e.line);
    }
    for p in &mut problems.list {
        p.line = p.line.map(|l| w.lines.wrapper_line(l));
    }
    diffs
}

/// A sink that maps each event's line to the wrapper's (when `map` is set, the
/// source being parsed as one chunk) and collects clock differences, then
/// hands the event on.
pub struct Sampling<'w, S> {
    inner: S,
    wrapper: &'w Wrapper,
    map: bool,
    diffs: Vec<i64>,
}

impl<'w, S> Sampling<'w, S> {
    /// Wraps `inner`.
    pub fn new(inner: S, wrapper: &'w Wrapper, map: bool) -> Sampling<'w, S> {
        Sampling { inner, wrapper, map, diffs: Vec::new() }
    }

    /// The caller's sink, and the differences seen (appended to `diffs`).
    pub fn into_parts(self, diffs: &mut Vec<i64>) -> S {
        diffs.extend(self.diffs);
        self.inner
    }
}

impl<S: EventSink> EventSink for Sampling<'_, S> {
    fn event(&mut self, mut event: Event, source: &[u8]) {
        if self.diffs.len() < MAX_PAIRS {
            self.diffs.extend(diff(self.wrapper, &event));
        }
        if self.map {
            event.line = self.wrapper.lines.wrapper_line(event.line);
        }
        self.inner.event(event, source);
    }

    fn shift_lines(&mut self, by: u64) {
        // Mapped lines are whole-file already (one chunk: `by` is 0).
        if !self.map {
            self.inner.shift_lines(by);
        }
    }
}
