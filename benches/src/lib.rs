//! Generators of large realistic inputs for benchmarks and their smoke tests.
//!
//! Each generator is deterministic (a seed in, the same bytes out) and counts
//! what it writes, so a benchmark can assert that a fast answer is also the
//! right one.
#![deny(missing_docs)]

pub mod access_gen;
pub mod container_gen;
pub mod har_gen;
pub mod rng;
pub mod scenario;
pub mod server_gen;
pub mod task_gen;
pub mod telemetry_gen;
