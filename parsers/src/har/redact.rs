//! HAR redaction (in progress).
