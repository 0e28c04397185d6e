//! Where a fact came from: one [`Origin`] type shared by every kind of fact,
//! and [`Fact`], a timed record of any kind with its origin. Because every
//! fact has the same header, moving times to UTC, restricting to a window,
//! renumbering lines and quoting evidence are written once
//! ([`crate::facts::Facts`]), not once per kind.

use octodiag_parsers::{Timestamp, UtcOffset};

/// The input, line and byte range of the entry a fact was folded from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    /// Input index (`Dataset::inputs`); the input names the node.
    pub source: u32,
    /// Length of the entry in bytes (0 when the fact has no entry of its own: HAR).
    pub len: u32,
    /// Byte offset of the entry in its input.
    pub offset: u64,
    /// 1-based line (HAR: entry index).
    pub line: u64,
}

impl Origin {
    /// The origin of a parsed event.
    pub fn of(e: &octodiag_parsers::Event) -> Origin {
        Origin { source: e.source, len: e.len, offset: e.offset, line: e.line }
    }
}

/// A timed fact of kind `T`: when, on which clock, from where, and what.
/// Dereferences to `T`, so a request's duration reads `r.ms`.
#[derive(Clone, Debug)]
pub struct Fact<T> {
    /// When (UTC once [`Fact::to_utc`] ran; as logged before).
    pub time: Timestamp,
    /// The time is still on the server's local clock.
    pub local: bool,
    /// Where it came from.
    pub origin: Origin,
    /// What it is.
    pub what: T,
}

impl<T> Fact<T> {
    /// A fact from `origin` at `time` (`local`: on the server's clock).
    pub fn new(time: Timestamp, local: bool, origin: Origin, what: T) -> Fact<T> {
        Fact { time, local, origin, what }
    }

    /// Moves a local time to UTC with the server's offset (once).
    pub fn to_utc(&mut self, offset: UtcOffset) {
        if std::mem::take(&mut self.local) {
            self.time = self.time.local_to_utc(offset);
        }
    }
}

impl<T> std::ops::Deref for Fact<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.what
    }
}

impl<T> std::ops::DerefMut for Fact<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.what
    }
}
