//! facecam: a face detector in the style of NYU Deep Learning week 6.
//!
//! A small fully-convolutional Burn network scores every 30×30 window of every level of an
//! image pyramid at once; the score maps become boxes, and non-maximum suppression merges them.
//! The binary (`src/main.rs`) is a thin command-line front end over this library.

#[cfg(feature = "gui")]
pub mod app;
pub mod atomic;
pub mod backend;
pub mod boxes;
pub mod burnpack;
pub mod detect;
pub mod embedded;
pub mod error;
pub mod eval;
pub mod fp_rate;
pub mod gray;
pub mod job;
pub mod live;
pub mod negatives;
pub mod resample;
pub mod scenes;
pub mod seq;
pub mod track;
pub mod train;
pub mod video;
pub mod weight_pair;

pub use backend::BackendKind;
pub use detect::{Detection, Detector, DetectorConfig, FaceNet, FaceNetConfig};
pub use error::{Error, Result};
