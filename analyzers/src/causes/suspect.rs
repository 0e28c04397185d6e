//! A ranked suspected cause: what [`super::rank`] makes of a [`super::Candidate`].

use std::collections::BTreeMap;

use serde_json::Value;

use super::Cause;
use crate::evidence::Evidence;
use crate::stats::Span;

/// A ranked suspected cause.
#[derive(Clone, Debug)]
pub struct Suspect {
    /// 1 = most likely.
    pub rank: usize,
    /// The cause.
    pub cause: Cause,
    /// What exactly (a project's name, a task's description, a node…).
    pub subject: String,
    /// Active spans, merged and in order.
    pub spans: Vec<Span>,
    /// 0 to 1 (see [`super::rank`]).
    pub confidence: f64,
    /// One sentence with the numbers, ready to paste.
    pub summary: String,
    /// The measurements behind the confidence.
    pub metrics: BTreeMap<String, Value>,
    /// The lines that prove it.
    pub evidence: Vec<Evidence>,
    /// What it rests on, in words: its mechanism, and the effects it absorbed.
    pub rests_on: Vec<String>,
    /// What speaks against it: the rival that explains its slowness, or what
    /// the logs show against its mechanism.
    pub against: Option<String>,
    /// The alternatives it beat, and why they rank below it.
    pub ruled_out: Vec<RuledOut>,
}

/// An alternative a suspect beat.
#[derive(Clone, Debug)]
pub struct RuledOut {
    /// Its cause.
    pub cause: Cause,
    /// Its subject.
    pub subject: String,
    /// Its confidence.
    pub confidence: f64,
    /// Why it ranks below.
    pub why: String,
}

impl Suspect {
    /// From the first span's start to the last span's end.
    pub fn span(&self) -> Span {
        let start = self.spans.first().map(|x| x.start).unwrap_or_default();
        let end = self.spans.last().map(|x| x.end).unwrap_or_default();
        Span { start, end }
    }
}
