//! Container log wrappers, removed by content before a format is detected.
//!
//! A log collected from a container often reaches octodiag inside the runtime's
//! framing: Docker's `json-file` (`{"log":"…\n","stream":"stdout","time":"…"}`),
//! the CRI format of containerd and CRI-O (`<RFC 3339> stdout F text`), or
//! `kubectl logs --timestamps` / `--prefix` output. [`unwrap_all`] runs once
//! over the opened sources: a source whose first lines are such records is
//! replaced by its decoded text, so that an Octopus server log inside a Docker
//! wrapper is detected and parsed as a server log, like any other.
//!
//! ```text
//!  wrapper bytes (mapped|read|gz|zip) ──► sniff (first lines) ──► records ──► decoded text (owned, ≤ wrapper size)
//!                                                                   │          + LineMap (decoded line → wrapper line)
//!                                                                   │          + runtime UTC times of the first lines
//!  kubectl --prefix with several pods ──────────────────────────────┴──► one source per pod/container
//! ```
//!
//! * **Joining.** Docker splits a line longer than 16 KiB into records without
//!   a trailing `\n` until the last; CRI marks the pieces `P` until the final
//!   `F`. The pieces are joined into one line, so the result does not depend on
//!   where the runtime cut.
//! * **Line numbers.** Events and problems of a decoded source refer to the
//!   *wrapper file's* lines: [`LineMap`] maps each decoded line to the wrapper
//!   line its first piece came from, stored as runs (one entry per
//!   discontinuity: a joined line, a skipped record, another pod's lines).
//! * **Clock.** The runtime writes each record's time in UTC. The times of the
//!   first [`MAX_RUNTIME_SAMPLES`] decoded lines are kept, keyed by the line's
//!   byte offset, so that after parsing each local-clock entry can be paired
//!   with the runtime's UTC time of the same line ([`after::ClockHint`]).
//! * **Budget.** The decoded text is an owned buffer, never larger than the
//!   wrapper (decoding only removes bytes). Decoding a plain file takes its
//!   size from the run's decompression budget and stops at `--max-decompressed`
//!   like a `.gz`; a decoded `.gz` or zip member replaces bytes already counted.

pub mod after;
mod docker;
mod text;

#[cfg(test)]
mod tests;

use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use crate::error::{Problem, Problems};
use crate::source::{human_bytes, Access, Source};
use crate::time::{parse_iso8601, Timestamp};

/// The runtime framing a source was unwrapped from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WrapperKind {
    /// Docker `json-file` log driver.
    DockerJson,
    /// CRI log format (containerd, CRI-O; `/var/log/pods/…/0.log`).
    Cri,
    /// `kubectl logs` output with `--timestamps`, `--prefix`, or both.
    Kubectl {
        /// Lines start with `[pod/name/container] `.
        prefix: bool,
        /// Lines (after the prefix) start with an RFC 3339 time with 9 fractional digits.
        timestamps: bool,
    },
}

impl WrapperKind {
    /// Name used in `inputs` output.
    pub fn as_str(self) -> &'static str {
        match self {
            WrapperKind::DockerJson => "docker-json",
            WrapperKind::Cri => "cri",
            WrapperKind::Kubectl { prefix: true, timestamps: true } => "kubectl-prefix-timestamps",
            WrapperKind::Kubectl { prefix: true, timestamps: false } => "kubectl-prefix",
            WrapperKind::Kubectl { .. } => "kubectl-timestamps",
        }
    }
}

/// Bytes [`sniff`] looks at: records of long lines run to 16 KiB and more.
const SNIFF_BYTES: usize = 128 << 10;

/// Most decoded lines whose runtime time is kept for clock alignment.
pub const MAX_RUNTIME_SAMPLES: usize = 256;

/// What a decoded source keeps of its wrapper.
#[derive(Clone, Debug)]
pub struct Wrapper {
    /// The framing.
    pub kind: WrapperKind,
    /// Wrapper records (lines) read.
    pub records: u64,
    /// `kubectl --prefix`: the `pod/name/container` this source's lines came from.
    pub stream: Option<String>,
    /// Decoded line → wrapper line.
    pub lines: LineMap,
    /// (byte offset of a decoded line, the runtime's UTC time of its first piece),
    /// for the first [`MAX_RUNTIME_SAMPLES`] lines, by offset.
    pub runtime: Vec<(u64, Timestamp)>,
}

impl Wrapper {
    /// The runtime's UTC time of the decoded line starting at `offset`, if sampled.
    pub fn runtime_at(&self, offset: u64) -> Option<Timestamp> {
        let i = self.runtime.binary_search_by_key(&offset, |s| s.0).ok()?;
        Some(self.runtime[i].1)
    }
}

/// Maps 1-based decoded line numbers to 1-based wrapper line numbers, as runs
/// `(first decoded line, its wrapper line)` within which both advance together.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineMap {
    runs: Vec<(u64, u64)>,
}

impl LineMap {
    /// The wrapper line of decoded line `line` (itself if unknown).
    pub fn wrapper_line(&self, line: u64) -> u64 {
        match self.runs.partition_point(|r| r.0 <= line) {
            0 => line,
            i => {
                let (u, w) = self.runs[i - 1];
                w + (line - u)
            }
        }
    }

    /// Whether every decoded line is on the wrapper line of the same number.
    pub fn is_identity(&self) -> bool {
        self.runs.iter().all(|(u, w)| u == w)
    }

    /// Notes that decoded line `line` starts on wrapper line `wrapper`.
    fn start(&mut self, line: u64, wrapper: u64) {
        if self.wrapper_line(line) != wrapper || self.runs.is_empty() {
            self.runs.push((line, wrapper));
        }
    }

    /// Number of runs (for tests and memory accounting).
    pub fn runs(&self) -> usize {
        self.runs.len()
    }
}

/// The decoded text being built for one stream, with its line map.
pub(crate) struct Out {
    pub bytes: Vec<u8>,
    map: LineMap,
    runtime: Vec<(u64, Timestamp)>,
    /// The next decoded line's number.
    next_line: u64,
    /// A line is open: the last piece did not end with `\n`.
    open: bool,
    limit: usize,
    cut: bool,
}

impl Out {
    fn new(capacity: usize, limit: usize) -> Out {
        Out {
            bytes: Vec::with_capacity(capacity.min(limit)),
            map: LineMap::default(),
            runtime: Vec::new(),
            next_line: 1,
            open: false,
            limit,
            cut: false,
        }
    }

    /// Whether the runtime time of the next piece is worth parsing.
    pub fn wants_time(&self) -> bool {
        !self.open && self.runtime.len() < MAX_RUNTIME_SAMPLES
    }

    /// Appends one record's text: `write` adds the decoded bytes. `n` is the
    /// wrapper line, `time` the record's RFC 3339 time (parsed only when the
    /// piece starts a sampled line). Returns what `write` returned.
    pub fn piece(
        &mut self,
        n: u64,
        time: Option<&[u8]>,
        write: impl FnOnce(&mut Vec<u8>) -> bool,
    ) -> bool {
        if self.cut {
            return true;
        }
        let from = self.bytes.len();
        let ok = write(&mut self.bytes);
        if self.bytes.len() > self.limit {
            self.bytes.truncate(self.limit);
            self.cut = true;
        }
        if self.bytes.len() == from {
            return ok;
        }
        if !self.open {
            self.start_line(n, from, time);
        }
        let mut pos = from;
        while let Some(i) = memchr::memchr(b'\n', &self.bytes[pos..]) {
            pos += i + 1;
            if pos < self.bytes.len() {
                self.start_line(n, pos, None);
            }
        }
        self.open = self.bytes.last() != Some(&b'\n');
        ok
    }

    fn start_line(&mut self, n: u64, offset: usize, time: Option<&[u8]>) {
        self.map.start(self.next_line, n);
        self.next_line += 1;
        if self.runtime.len() < MAX_RUNTIME_SAMPLES {
            let t = time.and_then(|t| std::str::from_utf8(t).ok()).and_then(parse_iso8601);
            if let Some((t, true)) = t {
                self.runtime.push((offset as u64, t));
            }
        }
    }

    fn finish(
        mut self,
        kind: WrapperKind,
        records: u64,
        stream: Option<String>,
    ) -> (Vec<u8>, Wrapper, bool) {
        self.bytes.shrink_to_fit();
        let w = Wrapper { kind, records, stream, lines: self.map, runtime: self.runtime };
        (self.bytes, w, self.cut)
    }
}

/// Recognises a wrapper from the first complete lines of `head` (all of them
/// must be records of it; blank lines aside).
pub fn sniff(head: &[u8]) -> Option<WrapperKind> {
    let whole = memchr::memrchr(b'\n', head).map_or(&[][..], |i| &head[..i]);
    let mut lines = whole
        .split(|b| *b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .take(4);
    let first = lines.next()?;
    let kind =
        if docker::is_record(first) { WrapperKind::DockerJson } else { text::sniff_line(first)? };
    lines.all(|l| matches_kind(kind, l)).then_some(kind)
}

fn matches_kind(kind: WrapperKind, line: &[u8]) -> bool {
    match kind {
        WrapperKind::DockerJson => docker::is_record(line),
        _ => text::sniff_line(line) == Some(kind),
    }
}

/// Replaces every wrapped source by its decoded text (in parallel; sources
/// keep their order). `limit` is the per-source limit (`--max-decompressed`),
/// `budget` what the run may still decode.
pub fn unwrap_all(sources: Vec<Source>, limit: u64, budget: &AtomicU64) -> Vec<Source> {
    let parts: Vec<Vec<Source>> =
        sources.into_par_iter().map(|s| unwrap_source(s, limit, budget)).collect();
    parts.into_iter().flatten().collect()
}

fn unwrap_source(mut source: Source, limit: u64, budget: &AtomicU64) -> Vec<Source> {
    let Some(kind) = sniff(source.head(SNIFF_BYTES)) else { return vec![source] };
    if let Some(growing) = source.inflating() {
        growing.wait_done();
    }
    source.settle();
    let plain = matches!(source.access, Access::Mapped | Access::Read);
    let left = if plain { budget.load(Ordering::Relaxed) } else { u64::MAX };
    let cap = usize::try_from(limit.min(left)).unwrap_or(usize::MAX);
    let decoded = decode(kind, source.bytes(), cap);
    if plain {
        let spent: u64 = decoded.streams.iter().map(|s| s.0.len() as u64).sum();
        let _ = budget
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| Some(b.saturating_sub(spent)));
    }
    source.problems.extend(decoded.problems);
    if decoded.cut {
        source.problems.push(Problem::whole(format!(
            "decoded {} text exceeds the limit of {} (--max-decompressed); only that much was read",
            kind.as_str(),
            human_bytes(cap as u64)
        )));
    }
    split_streams(source, decoded.streams)
}

/// One decoded source per stream: the first keeps the original [`Source`]
/// (its name, its watch for change); the others, from `kubectl --prefix`
/// output of several pods, are named `file [pod/name/container]`.
fn split_streams(mut source: Source, mut streams: Vec<(Vec<u8>, Wrapper)>) -> Vec<Source> {
    if streams.len() <= 1 {
        if let Some((bytes, w)) = streams.pop() {
            source.replace_bytes(bytes);
            source.wrapper = Some(Box::new(w));
        }
        return vec![source];
    }
    let mut out = Vec::with_capacity(streams.len());
    for (i, (bytes, w)) in streams.into_iter().enumerate() {
        let pod = w.stream.as_deref().and_then(|s| s.split('/').nth(1)).map(str::to_string);
        let label = format!("{} [{}]", source.name, w.stream.as_deref().unwrap_or("-"));
        let mut s = Source::from_bytes(label, Vec::new());
        s.file_name = source.file_name.clone();
        s.access = source.access;
        s.folder_node = pod.or_else(|| source.folder_node.clone());
        if i == 0 {
            s.stored_bytes = source.stored_bytes;
            s.problems = std::mem::take(&mut source.problems);
        }
        s.replace_bytes(bytes);
        s.wrapper = Some(Box::new(w));
        out.push(s);
    }
    out
}

/// The decoded streams of a wrapper file (one, except for `kubectl --prefix`
/// output of several containers), problems by wrapper line, and whether the
/// limit cut the text.
pub struct Decoded {
    /// Each stream's decoded text and what it keeps of the wrapper.
    pub streams: Vec<(Vec<u8>, Wrapper)>,
    /// Records that could not be read, by wrapper line.
    pub problems: Problems,
    /// The limit stopped decoding.
    pub cut: bool,
}

/// Decodes `bytes` framed as `kind`, keeping at most `limit` bytes per stream.
pub fn decode(kind: WrapperKind, bytes: &[u8], limit: usize) -> Decoded {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match kind {
        WrapperKind::DockerJson => docker::decode(bytes, limit),
        _ => text::decode(kind, bytes, limit),
    }
}

/// Finishes one stream.
pub(crate) fn finished(
    out: Out,
    kind: WrapperKind,
    records: u64,
    stream: Option<String>,
) -> (Vec<u8>, Wrapper, bool) {
    out.finish(kind, records, stream)
}

/// A new stream builder for a wrapper of `wrapper_len` bytes.
pub(crate) fn new_out(wrapper_len: usize, limit: usize) -> Out {
    Out::new(wrapper_len, limit)
}
