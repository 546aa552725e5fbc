//! One module per subcommand; `common` holds the options they share.

pub mod common;
pub mod detect;
pub mod eval;
pub mod scenes;
pub mod train;
