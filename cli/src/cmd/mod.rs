//! One module per subcommand. Each loads inputs through [`mod@crate::run`] and
//! renders through [`crate::render`].

pub mod analyze;
pub mod events;
pub mod har;
pub mod inputs;
pub mod tasks;
