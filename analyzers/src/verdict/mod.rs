//! The verdict: what the findings and suspects add up to, for a person: the
//! support questionnaire ([`answers`]) and one timeline of everything that
//! has a time ([`timeline`]).

pub mod answers;
pub mod timeline;

pub use answers::Answers;
pub use timeline::{TimelineItem, TimelineKind};
