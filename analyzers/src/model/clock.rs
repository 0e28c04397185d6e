//! The server's clock offset and where it came from.

use octodiag_parsers::UtcOffset;

/// The offset used for server-local times.
#[derive(Clone, Debug, PartialEq)]
pub struct Alignment {
    /// The offset.
    pub offset: UtcOffset,
    /// Human-readable source of the value.
    pub derived_from: String,
    /// True when nothing allowed a derivation and UTC was assumed.
    pub assumed: bool,
}
