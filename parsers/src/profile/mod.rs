//! .NET profiles: `dotnet-trace` speedscope files ([`speedscope`]) and the text
//! `dotnet-gcdump report` prints ([`gcdump`]), read into a [`Profile`] on
//! [`Parsed::profile`](crate::Parsed::profile).
//!
//! Times in a speedscope file are relative to the start of the trace: the
//! format has no field for an absolute start, and the writer `dotnet-trace`
//! uses (TraceEvent's `SpeedScopeStackSourceWriter`) writes only relative
//! `startValue`/`endValue`/`at` values, in milliseconds. [`CpuProfile::start`]
//! is therefore `None` for these files; a caller that knows when the trace
//! started (from the user, or the capture's file time) can map an incident
//! window onto the profile's clock and pass it to [`CpuProfile::hottest`].

pub mod gcdump;
pub mod speedscope;

use crate::time::Timestamp;

/// What a profile source holds.
#[derive(Clone, Debug, PartialEq)]
pub enum Profile {
    /// A CPU (or wall-clock) profile: frames and per-thread timelines.
    Cpu(CpuProfile),
    /// A heap histogram by type.
    Heap(HeapReport),
}

/// A speedscope profile group: shared frames, one profile per thread.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CpuProfile {
    /// The file's `name`.
    pub name: Option<String>,
    /// The file's `exporter` (`speedscope@1.3.2` for dotnet-trace).
    pub exporter: Option<String>,
    /// Frame names, indexed by the events and samples.
    pub frames: Vec<String>,
    /// One timeline per profile (per thread for dotnet-trace).
    pub threads: Vec<ThreadProfile>,
    /// Absolute start of the trace, when the file records it (dotnet-trace's do not).
    pub start: Option<Timestamp>,
}

/// One profile of the group.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ThreadProfile {
    /// Its name (the thread, for dotnet-trace: `Thread (1234)`).
    pub name: String,
    /// `milliseconds`, `microseconds`, `nanoseconds`, `seconds`, `bytes` or `none`.
    pub unit: String,
    /// First and last value, in `unit`.
    pub start: f64,
    /// See `start`.
    pub end: f64,
    /// The data.
    pub samples: Samples,
}

/// Evented or sampled data.
#[derive(Clone, Debug, PartialEq)]
pub enum Samples {
    /// Open/close events in time order.
    Evented(Vec<FrameEvent>),
    /// Stacks (root first) with one weight each.
    Sampled {
        /// Frame indexes, outermost first.
        stacks: Vec<Vec<u32>>,
        /// Weight of each stack, in `unit`.
        weights: Vec<f64>,
    },
}

impl Default for Samples {
    fn default() -> Self {
        Samples::Evented(Vec::new())
    }
}

/// An `O` (open) or `C` (close) event.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FrameEvent {
    /// Time, in the profile's unit.
    pub at: f64,
    /// Frame index.
    pub frame: u32,
    /// Open (`O`) or close (`C`).
    pub open: bool,
}

/// Time spent in one frame.
#[derive(Clone, Debug, PartialEq)]
pub struct FrameTime {
    /// Frame index.
    pub frame: u32,
    /// Frame name.
    pub name: String,
    /// Time with the frame anywhere on the stack (recursion counted once), in ms.
    pub inclusive_ms: f64,
    /// Time with the frame on top of the stack, in ms.
    pub exclusive_ms: f64,
}

/// The hottest frames of a profile.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Hottest {
    /// Frames by inclusive time, highest first.
    pub by_inclusive: Vec<FrameTime>,
    /// Frames by exclusive time, highest first.
    pub by_exclusive: Vec<FrameTime>,
    /// Time covered (sum over threads of the part of each inside the window), in ms.
    pub total_ms: f64,
    /// Close events that did not match the open frame (the profile is unbalanced).
    pub unbalanced: u64,
}

impl CpuProfile {
    /// The `top` hottest frames by inclusive and by exclusive time, summed over all
    /// threads, optionally only inside `window` (milliseconds from the start of the
    /// trace, the clock every thread of a dotnet-trace file shares). Profiles whose
    /// unit is not a time (`bytes`, `none`) are counted as if milliseconds.
    pub fn hottest(&self, window: Option<(f64, f64)>, top: usize) -> Hottest {
        let mut acc = Accumulator::new(self.frames.len());
        for t in &self.threads {
            acc.per_ms = units_per_ms(&t.unit);
            let w = window.map(|(a, b)| (a * acc.per_ms, b * acc.per_ms));
            match &t.samples {
                Samples::Evented(events) => acc.evented(events, t.end, w),
                Samples::Sampled { stacks, weights } => acc.sampled(stacks, weights, t.start, w),
            }
        }
        acc.into_hottest(&self.frames, top)
    }
}

/// How many of `unit` make a millisecond.
fn units_per_ms(unit: &str) -> f64 {
    match unit {
        "nanoseconds" => 1e6,
        "microseconds" => 1e3,
        "seconds" => 1e-3,
        _ => 1.0,
    }
}

/// Inclusive and exclusive sums per frame while walking timelines.
struct Accumulator {
    inclusive: Vec<f64>,
    exclusive: Vec<f64>,
    /// Per frame: how many times it is on the current stack, and since when (outermost).
    depth: Vec<u32>,
    since: Vec<f64>,
    total: f64,
    unbalanced: u64,
    /// Units of the current thread per millisecond (every sum is kept in ms).
    per_ms: f64,
}

/// Length of `[a, b]` inside `window` (all of it when there is none).
fn clipped(a: f64, b: f64, window: Option<(f64, f64)>) -> f64 {
    match window {
        None => (b - a).max(0.0),
        Some((lo, hi)) => (b.min(hi) - a.max(lo)).max(0.0),
    }
}

impl Accumulator {
    fn new(frames: usize) -> Self {
        Accumulator {
            inclusive: vec![0.0; frames],
            exclusive: vec![0.0; frames],
            depth: vec![0; frames],
            since: vec![0.0; frames],
            total: 0.0,
            unbalanced: 0,
            per_ms: 1.0,
        }
    }

    /// Milliseconds of `[a, b]` (in the thread's unit) inside the window.
    fn ms(&self, a: f64, b: f64, w: Option<(f64, f64)>) -> f64 {
        clipped(a, b, w) / self.per_ms
    }

    fn evented(&mut self, events: &[FrameEvent], end: f64, w: Option<(f64, f64)>) {
        let mut stack: Vec<u32> = Vec::new();
        let mut last = events.first().map_or(0.0, |e| e.at);
        for e in events {
            let f = e.frame as usize;
            if f >= self.inclusive.len() {
                self.unbalanced += 1;
                continue;
            }
            self.advance(&stack, last, e.at, w);
            last = last.max(e.at);
            if e.open {
                self.open(&mut stack, f, e.at);
            } else {
                self.close(&mut stack, f, e.at, w);
            }
        }
        let end = end.max(last);
        self.advance(&stack, last, end, w);
        while let Some(f) = stack.last().copied() {
            self.close(&mut stack, f as usize, end, w);
        }
    }

    /// Time from `from` to `to` goes to the top frame (exclusive) and the total.
    fn advance(&mut self, stack: &[u32], from: f64, to: f64, w: Option<(f64, f64)>) {
        let dt = self.ms(from, to, w);
        if let Some(&top) = stack.last() {
            self.exclusive[top as usize] += dt;
            self.total += dt;
        }
    }

    fn open(&mut self, stack: &mut Vec<u32>, f: usize, at: f64) {
        if self.depth[f] == 0 {
            self.since[f] = at;
        }
        self.depth[f] += 1;
        stack.push(f as u32);
    }

    fn close(&mut self, stack: &mut Vec<u32>, f: usize, at: f64, w: Option<(f64, f64)>) {
        let Some(pos) = stack.iter().rposition(|&x| x as usize == f) else {
            self.unbalanced += 1;
            return;
        };
        if pos + 1 != stack.len() {
            self.unbalanced += 1;
        }
        while stack.len() > pos {
            let Some(g) = stack.pop().map(|g| g as usize) else { break };
            self.depth[g] -= 1;
            if self.depth[g] == 0 {
                self.inclusive[g] += self.ms(self.since[g], at, w);
            }
        }
    }

    fn sampled(&mut self, stacks: &[Vec<u32>], weights: &[f64], start: f64, w: Option<(f64, f64)>) {
        let mut at = start;
        let frames = self.inclusive.len();
        let mut seen = vec![u32::MAX; frames];
        for (i, (stack, &weight)) in stacks.iter().zip(weights).enumerate() {
            let dt = self.ms(at, at + weight, w);
            at += weight;
            if dt == 0.0 {
                continue;
            }
            self.total += dt;
            for &f in stack.iter().filter(|&&f| (f as usize) < frames) {
                if seen[f as usize] != i as u32 {
                    seen[f as usize] = i as u32;
                    self.inclusive[f as usize] += dt;
                }
            }
            if let Some(&top) = stack.last().filter(|&&f| (f as usize) < frames) {
                self.exclusive[top as usize] += dt;
            }
        }
    }

    fn into_hottest(self, names: &[String], top: usize) -> Hottest {
        let times: Vec<FrameTime> = (0..self.inclusive.len())
            .filter(|&f| self.inclusive[f] > 0.0 || self.exclusive[f] > 0.0)
            .map(|f| FrameTime {
                frame: f as u32,
                name: names[f].clone(),
                inclusive_ms: self.inclusive[f],
                exclusive_ms: self.exclusive[f],
            })
            .collect();
        let ranked = |key: fn(&FrameTime) -> f64| {
            let mut v = times.clone();
            v.sort_by(|a, b| key(b).total_cmp(&key(a)).then(a.frame.cmp(&b.frame)));
            v.truncate(top);
            v
        };
        Hottest {
            by_inclusive: ranked(|t| t.inclusive_ms),
            by_exclusive: ranked(|t| t.exclusive_ms),
            total_ms: self.total,
            unbalanced: self.unbalanced,
        }
    }
}

/// `dotnet-gcdump report`: the heap by type.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HeapReport {
    /// `GC Heap bytes`.
    pub total_bytes: Option<u64>,
    /// `GC Heap objects`.
    pub objects: Option<u64>,
    /// `Total references`.
    pub references: Option<u64>,
    /// One row per type, in report order (largest first).
    pub types: Vec<HeapType>,
}

/// One row of the report.
#[derive(Clone, Debug, PartialEq)]
pub struct HeapType {
    /// Bytes of all objects of the type.
    pub bytes: u64,
    /// Number of objects (blank in some rows).
    pub count: Option<u64>,
    /// Type name (`System.Byte[] (Bytes > 1M)`, `Octopus.Core.Model.Thing`).
    pub name: String,
    /// The module, without the bracket: `System.Private.CoreLib.dll`.
    pub module: Option<String>,
}

impl HeapReport {
    /// The `top` types by size, largest first.
    pub fn largest(&self, top: usize) -> Vec<&HeapType> {
        let mut v: Vec<&HeapType> = self.types.iter().collect();
        v.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.name.cmp(&b.name)));
        v.truncate(top);
        v
    }

    /// The `top` types by object count, most first.
    pub fn most_numerous(&self, top: usize) -> Vec<&HeapType> {
        let mut v: Vec<&HeapType> = self.types.iter().filter(|t| t.count.is_some()).collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(&b.name)));
        v.truncate(top);
        v
    }
}

#[cfg(test)]
mod tests;
