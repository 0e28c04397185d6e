//! Rendering: terminal tables and JSON, each kept apart from domain types.

pub mod escape;
pub mod event_json;
pub mod report;
pub mod span_json;
pub mod table;
pub mod telemetry_json;
