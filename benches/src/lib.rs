//! Generators of large realistic inputs for benchmarks.
