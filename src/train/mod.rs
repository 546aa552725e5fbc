//! Offline training: aligned face crops and scene patches in, a `FaceNet` out.
//!
//! `data` gathers the examples, `warp` cuts and augments 30×30 windows, `trainer` runs the
//! Burn loop, `bootstrap` mines the current model's false positives on face-free scenes
//! (Sung & Poggio; Rowley et al.) for the next round; `synth` renders face-free pages of
//! text, symbols and line art to add to the scenes.

pub mod bootstrap;
pub mod bundle;
pub mod data;
pub mod faces;
pub mod split;
pub mod synth;
pub mod trainer;
pub mod warp;

pub use data::{DataSummary, TrainingData};
pub use trainer::{TrainConfig, TrainEvent, TrainReport, train};
