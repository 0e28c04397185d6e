//! What "slow" means, defined once: Octopus' own logging thresholds, so that
//! both logging cases (INFO and verbose) and every stage agree.

/// A request is slow at or above this many milliseconds: the threshold at which
/// Octopus logs `Request took` at INFO (faster requests appear only at DEBUG).
pub const SLOW_REQUEST_MS: f64 = 1000.0;

/// An SQL operation is slow at or above this: Nevermore logs ≥ 300 ms at INFO.
pub const SLOW_SQL_MS: f64 = 300.0;
