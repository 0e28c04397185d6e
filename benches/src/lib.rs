//! Generators of large realistic inputs for benchmarks.

pub mod har_gen;
