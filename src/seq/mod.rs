//! The second half of NYU DL week 6: recurrent networks on sequence tasks, in Burn.
//!
//! So far: the temporal-order task (`tasks`), RNN / LSTM / GRU cells stepped one time step at
//! a time (`cells`), a last-step classifier (`classifier`) and its training loop (`train`).
//! The tab, the other demos and the bundled weights build on these.

pub mod cells;
pub mod classifier;
pub mod echo;
pub mod fit;
pub mod init;
pub mod inside;
pub mod memnet;
pub mod probe;
pub mod scorecard;
pub mod seq2seq;
pub mod tasks;
pub mod train;
pub mod weights;
