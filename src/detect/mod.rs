//! The detector: a fully-convolutional ConvNet slid over an image pyramid, then NMS.
//!
//! `Detector::detect` is the one entry point; the submodules are its stages, in order.

pub mod detector;
pub mod direct_conv;
pub mod lcn;
pub mod model;
pub mod nms;
pub mod pyramid;
pub mod scan;
pub mod weights;

pub use detector::{Detector, DetectorConfig};
pub use model::{FaceNet, FaceNetConfig, STRIDE, SecondStageConfig, WINDOW};
pub use nms::{Detection, NmsConfig};
pub use pyramid::PyramidConfig;
