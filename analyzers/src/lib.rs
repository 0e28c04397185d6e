//! # octodiag-analyzers: events → facts → findings → suspects → verdict
//!
//! The second stage of octodiag. [`analyze`] takes a [`Dataset`] (parsed
//! inputs, their events and tasks) and returns [`Results`]: what was slow,
//! when, and what was going on at that moment that most likely caused it.
//! [`report::Report`] is its JSON form.
//!
//! ```text
//! server-log chunks ─► facts::Part (folded while parsing) ─┐
//! Dataset (HAR, task logs) ───────────────────────────────┴► facts::collect ─► Facts
//!                                 analyses::clock::align ─► Facts::to_utc, restrict
//!                               │
//!     ┌──────────┬───────────┬──┴────────┬────────────┬────────────┐
//!  requests   browser       sql        tasks      retention     health      (analyses/ → model/)
//!     └──────────┴───────────┴─────┬─────┴────────────┴────────────┘
//!                          analyses::episodes
//!                                  │
//!                 causes::candidates ─► causes::rank ─► Vec<Suspect>          (causes/)
//!                                  │
//!                    verdict::answers, verdict::timeline                       (verdict/)
//!                                  │
//!                              Results ─► report::Report (JSON, schema)        (results, report/)
//! ```
//!
//! Modules depend on the ones above them only (a test checks the graph has no
//! cycle): leaves (`units`, `stats`, `slow`, `transaction`, `endpoint`,
//! `dataset`, `origin`, `evidence`), then `facts`, `model`, `analyses`,
//! `causes`, `verdict`, `results`, `report`.
//!
//! Vocabulary: a **fact** is an event reduced to what analysis needs; a
//! **finding** one analysis' observation (a slow endpoint, a retention run, a
//! gap); an **episode** a window where slowness stands out; a **suspect** a
//! candidate cause ranked by how well it explains the episodes; the
//! **timeline** all of them in time order.
#![deny(missing_docs)]

pub mod analyses;
pub mod causes;
pub mod dataset;
pub mod endpoint;
pub mod evidence;
pub mod facts;
pub mod model;
pub mod origin;
pub mod report;
pub mod results;
pub mod slow;
pub mod stats;
pub mod transaction;
pub mod units;
pub mod verdict;

mod pipeline;

pub use dataset::{Config, Dataset, Input};
pub use pipeline::{analyze, resident_memory};
pub use report::Report;
pub use results::Results;
