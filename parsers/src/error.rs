//! Problems found while opening or parsing an input.
//!
//! Nothing here is fatal to a run: a [`Problem`] is attached to the input it
//! concerns, printed as `path:line: reason`, counted in the summary, and the
//! run goes on with everything else.

/// A non-fatal problem in one input, with the 1-based line when there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line (HAR: entry index; byte-level problems: none).
    pub line: Option<u64>,
    /// What went wrong, in words a user can act on.
    pub reason: String,
}

impl Problem {
    /// A problem on a line.
    pub fn at_line(line: u64, reason: impl Into<String>) -> Problem {
        Problem { line: Some(line), reason: reason.into() }
    }

    /// A problem about the whole input.
    pub fn whole(reason: impl Into<String>) -> Problem {
        Problem { line: None, reason: reason.into() }
    }
}

/// Problems are capped per input so that a corrupt 1 GB file cannot fill memory
/// with messages; the count of the rest is still kept.
pub const MAX_PROBLEMS_PER_INPUT: usize = 1000;

/// A capped list of problems plus the count of those not kept.
#[derive(Clone, Debug, Default)]
pub struct Problems {
    /// The first [`MAX_PROBLEMS_PER_INPUT`] problems.
    pub list: Vec<Problem>,
    /// How many more were found but not kept.
    pub dropped: u64,
}

impl Problems {
    /// Records a problem, or counts it when the cap is reached.
    pub fn push(&mut self, p: Problem) {
        if self.list.len() < MAX_PROBLEMS_PER_INPUT {
            self.list.push(p);
        } else {
            self.dropped += 1;
        }
    }

    /// Appends all of `other`.
    pub fn extend(&mut self, other: Problems) {
        for p in other.list {
            self.push(p);
        }
        self.dropped += other.dropped;
    }

    /// Total number of problems, kept or not.
    pub fn total(&self) -> u64 {
        self.list.len() as u64 + self.dropped
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.total() == 0
    }
}
