//! One module per subcommand; `common` holds the options they share.

pub mod common;
pub mod detect;
pub mod eval;
pub mod fp_rate;
#[cfg(feature = "gui")]
pub mod gui;
pub mod join;
pub mod mining_sim;
pub mod patches;
pub mod reel;
pub mod scenes;
pub mod seq;
pub mod track;
pub mod train;
