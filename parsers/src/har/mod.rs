//! HAR (HTTP Archive) recordings: each entry becomes a `request` event.

use crate::event::SourceId;
use crate::parse::Parsed;
use crate::source::Source;

/// Parses one HAR source.
pub fn parse(_id: SourceId, _source: &Source) -> Parsed {
    Parsed::default()
}
