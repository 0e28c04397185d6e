//! # octodiag-parsers: bytes → events
//!
//! The first stage of octodiag. It opens inputs, removes container-log framing,
//! recognises their format from their content, and parses them into one
//! normalised [`Event`] model (and, for task logs, a [`Task`] model). Requests
//! from every source are [`EventKind::Request`]s; those of web servers and
//! proxies carry an [`AccessDetail`], and [`request_match`] says how to tell
//! when two logs saw the same request.
//!
//! ```text
//! paths ──► source::open_inputs ──► Source (&[u8]: mmap | read | gzip | zip member | stdin;
//!                                     │        a large .gz is decoded on a thread while parsed)
//!                         unwrap::unwrap_all (Docker json-file, CRI, kubectl: decoded text,
//!                                     │        wrapper lines and runtime UTC times kept)
//!                       detect::detect (first KiB; name breaks ties)
//!                                     │
//!    ┌─────────────┬──────────────┬───┴──────────┬─────────┬───────────────┬──────────────┐
//! server_log   task_log (json) task_log (text)  har    web_log (W3C,   access_log (nginx,  unknown
//!    │              └──────────────┴──────────────┘     Octopus, IIS)   ingress, HAProxy, Traefik)
//!    │                          └──► parse::Parsed        └───────┬───────┘
//!    └─► EventSink per parallel chunk ◄──────────────── one sink per request log
//!        keep (events), drop (inputs), fold (analyze)
//!
//!   telemetry (source layer also opens .tar / .tar.inprogress and .zst):
//!   otel (OTLP/JSON) ──► Span events      counters (PDH-CSV, sadf, dotnet-counters, Prometheus)
//!                                          ──► Parsed::series (CounterSeries)
//!   profile (speedscope, gcdump report) ──► Parsed::profile   binary captures ──► Parsed::notes
//! ```
//!
//! Vocabulary, used the same way everywhere:
//! * **source**: the bytes of one file, archive member or stream;
//! * **entry**: the framed bytes of one record, possibly many lines;
//! * **event**: a parsed, normalised record ([`Event`]);
//! * **problem**: something non-fatal about a source, with a line when known ([`Problem`]).
//!
//! # Example
//!
//! ```
//! use octodiag_parsers::{parse_source, ParseOptions, Source, EventKind};
//!
//! let log = "2021-07-08 03:16:32.9895  19480     73  INFO  Request took 276126ms: GET https://octo/api/Spaces-1/projects/\n";
//! let source = Source::from_bytes("OctopusServer.txt", log.as_bytes().to_vec());
//! let parsed = parse_source(0, &source, &ParseOptions::default());
//! assert_eq!(parsed.entries, 1);
//! match &parsed.events[0].kind {
//!     EventKind::Request(r) => assert_eq!(r.duration_ms, 276126.0),
//!     other => panic!("unexpected {other:?}"),
//! }
//! ```
#![deny(missing_docs)]

pub mod access_log;
pub mod counters;
pub mod detect;
pub mod error;
pub mod event;
pub mod har;
pub mod inflate;
pub mod json_line;
pub mod otel;
pub mod parse;
pub mod profile;
pub mod redact;
pub mod request_match;
pub mod server_log;
pub mod source;
pub mod span;
pub mod task;
pub mod task_log;
mod telemetry_detect;
pub mod time;
pub mod unwrap;
pub mod web_log;

#[cfg(test)]
mod test_util;

pub use counters::{CounterSeries, Role, SeriesKind, Unit};
pub use detect::{detect, Detection, Format};
pub use error::{Problem, Problems};
pub use event::{
    AccessDetail, AccessOrigin, Event, EventKind, Level, Request, SourceId, Sql, SqlErrorKind, Text,
};
pub use parse::{parse_source, parse_source_into, ParseOptions, Parsed};
pub use profile::Profile;
pub use server_log::EventSink;
pub use source::{open_inputs, OpenOptions, Source};
pub use span::{Span, SpanRole};
pub use task::{Step, Task, TaskKind};
pub use time::{Clock, Timestamp, UtcOffset};
pub use unwrap::after::ClockHint;
pub use unwrap::{Wrapper, WrapperKind};
