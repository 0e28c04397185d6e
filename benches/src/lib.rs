//! Generators of large realistic inputs for benchmarks.

pub mod task_gen;
