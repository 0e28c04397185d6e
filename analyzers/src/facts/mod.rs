//! Facts: the events analysis needs, compact, with texts resolved and
//! redacted, endpoints normalised and times moved to UTC.
//!
//! ```text
//! server-log chunk ─► fold::Part (the parser's sink, in the parse worker) ─┐
//! HAR and task-log events ─► fold::Part (after parsing) ───────────────────┴► join ─► Facts
//!                                        clock::align(Facts) ─► Facts::to_utc ─► Facts::restrict
//! ```
//!
//! Every kind of fact is a [`Fact`] with the same header ([`Origin`], time,
//! clock), so the operations over all of them ([`Facts::to_utc`],
//! [`Facts::restrict`], renumbering lines, joining parts) are written once,
//! over [`Facts::lists`], the one place that names every list.

mod fold;
mod intern;
mod join;
mod kinds;
mod lists;
pub mod tasks;

use octodiag_parsers::{Timestamp, UtcOffset};

pub use fold::{collect, table_of, Part};
pub use kinds::{
    Point, Pressure, PressureKind, Req, ReqExtra, Request, Sql, SqlFact, Stamp, Start,
};
pub use lists::{FactList, Timed};

use crate::origin::Fact;
use lists::Keyed;

/// How many lists of timed facts [`Facts::lists`] names.
pub const LISTS: usize = 10;

/// Everything the analyses read. Times are as logged while the facts are
/// collected (the server's offset is not known yet: it is derived from them),
/// and UTC after [`Facts::to_utc`].
#[derive(Debug, Default)]
pub struct Facts {
    /// Server-side requests, by end time.
    pub requests: Vec<Req>,
    /// Browser (HAR) requests, by start time.
    pub browser: Vec<Req>,
    /// Normalised endpoints; `Request::endpoint` indexes this.
    pub endpoints: Vec<String>,
    /// Slow SQL ([`crate::slow::SLOW_SQL_MS`] or more).
    pub sql: Vec<SqlFact>,
    /// When each faster SQL operation was logged (they are counted, not kept).
    pub sql_fast: Vec<Stamp>,
    /// Interned short texts that [`Sql`] refers to by index.
    pub names: Vec<String>,
    /// Pool pressure and SQL errors.
    pub pressure: Vec<Fact<Pressure>>,
    /// Server starts.
    pub starts: Vec<Fact<Start>>,
    /// ERROR and FATAL entries.
    pub errors: Vec<Fact<Point>>,
    /// Halibut communication failures (label: endpoint).
    pub halibut_failures: Vec<Fact<Point>>,
    /// `Executing task "…" "…" after Nms.` lines (label: description, ms).
    pub task_lines: Vec<Fact<Point>>,
    /// `MachineName:` of start-up `Environment Information` blocks (label: the name).
    pub machines: Vec<Fact<Point>>,
    /// Versions seen in server logs.
    pub versions: Vec<String>,
    /// Distinct `Projects-N` ids seen in request URLs.
    pub project_ids: rustc_hash::FxHashSet<u64>,
}

impl Facts {
    /// Every list of timed facts, each with the time it is ordered and windowed
    /// by. The one place that names them all: the operations below, and the
    /// joining of parts, go through it.
    pub fn lists(&mut self) -> [Box<dyn FactList + '_>; LISTS] {
        [
            Keyed::boxed(&mut self.requests, Req::end),
            Keyed::boxed(&mut self.browser, Req::start),
            Keyed::boxed(&mut self.sql, Timed::time),
            Keyed::boxed(&mut self.sql_fast, Timed::time),
            Keyed::boxed(&mut self.pressure, Timed::time),
            Keyed::boxed(&mut self.starts, Timed::time),
            Keyed::boxed(&mut self.errors, Timed::time),
            Keyed::boxed(&mut self.halibut_failures, Timed::time),
            Keyed::boxed(&mut self.task_lines, Timed::time),
            Keyed::boxed(&mut self.machines, Timed::time),
        ]
    }

    /// An interned text of [`Facts::names`].
    pub fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", String::as_str)
    }

    /// A normalised endpoint of [`Facts::endpoints`].
    pub fn endpoint(&self, r: &Request) -> &str {
        self.endpoints.get(r.endpoint_index()).map_or("", String::as_str)
    }

    /// The HTTP method of a request (the first word of its endpoint).
    pub fn method(&self, r: &Request) -> &str {
        let ep = self.endpoint(r);
        ep.split(' ').next().unwrap_or(ep)
    }

    /// SQL operations counted, slow and fast.
    pub fn sql_total(&self) -> usize {
        self.sql.len() + self.sql_fast.len()
    }

    /// Moves every local time to UTC with the server's `offset`, then orders
    /// each list by time (the analyses binary-search them; mixed clocks can
    /// reorder events once in UTC).
    pub fn to_utc(&mut self, offset: UtcOffset) {
        for mut list in self.lists() {
            list.to_utc(offset);
            list.sort();
        }
    }

    /// Drops facts outside `[since, until)`.
    pub fn restrict(&mut self, since: Option<Timestamp>, until: Option<Timestamp>) {
        if since.is_none() && until.is_none() {
            return;
        }
        let keep = |t: Timestamp| since.is_none_or(|s| t >= s) && until.is_none_or(|u| t < u);
        for mut list in self.lists() {
            list.retain_at(&keep);
        }
    }

    /// Adds `by` to every line number (a chunk's facts, once the lines before it are known).
    fn shift_lines(&mut self, by: u64) {
        for mut list in self.lists() {
            list.shift_lines(by);
        }
    }
}

/// Converts an event time to UTC with the server offset (identity for UTC clocks).
pub fn to_utc(t: Timestamp, clock: octodiag_parsers::Clock, offset: UtcOffset) -> Timestamp {
    match clock {
        octodiag_parsers::Clock::Utc => t,
        octodiag_parsers::Clock::Local => t.local_to_utc(offset),
    }
}
