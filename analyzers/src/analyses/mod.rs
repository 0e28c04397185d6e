//! The analyses: each reads facts and writes one kind of finding
//! ([`crate::model`]). Pure functions; [`crate::analyze`] runs them side by side.
//!
//! ```text
//! Facts ─┬─ clock      (before UTC: the offset itself)
//!        ├─ requests   endpoints, percentiles, slowest
//!        ├─ browser    HAR entries split into server and outside time
//!        ├─ sql        groups, errors, pool-pressure episodes
//!        ├─ tasks      concurrency, queueing, longest, waits
//!        ├─ retention  retention runs
//!        ├─ nodes      server-log streams, their names, HA or single
//!        ├─ health     restarts, gaps, error bursts, verbose logging
//!        └─ episodes   (from the above) windows where slowness stands out
//! ```

pub mod browser;
pub mod clock;
pub mod episodes;
pub mod health;
pub mod nodes;
pub mod requests;
pub mod retention;
pub mod silences;
pub mod sql;
pub mod tasks;
