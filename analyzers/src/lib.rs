//! # octodiag-analyzers: events → findings → suspects → timeline
#![deny(missing_docs)]
