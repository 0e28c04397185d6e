//! Findings: what each analysis observed, as plain data with UTC
//! [`Timestamp`](octodiag_parsers::Timestamp)s and [`Span`](crate::stats::Span)s.
//! No serialisation here: the JSON shape is [`crate::report`]'s business, so
//! either can change without the other.

pub mod browser;
pub mod clock;
pub mod episodes;
pub mod health;
pub mod lanes;
pub mod nodes;
pub mod requests;
pub mod retention;
pub mod sql;
pub mod tasks;

pub use browser::{BrowserReport, Split, SplitFact};
pub use clock::Alignment;
pub use episodes::{Episode, EpisodeKind};
pub use health::{ErrorBurst, Gap, HealthReport, Restart, VerboseSpan};
pub use lanes::Lane;
pub use nodes::{NodeBasis, Nodes, Stream};
pub use requests::{EndpointStats, Logging, RequestsReport, SlowRequest};
pub use retention::{RetentionRun, RetentionSource};
pub use sql::{PressureEpisode, SqlErrors, SqlGroup, SqlReport};
pub use tasks::{NodeConcurrency, QueueEpisode, TaskRow, TasksReport, WaitRow};
