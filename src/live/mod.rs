//! The live pipeline, independent of any GUI: capture thread → latest-frame slot → detector
//! thread → latest-result slot → whoever draws.

#[cfg(feature = "gui")]
pub mod camera;
pub mod capture;
pub mod frame;
pub mod models;
pub mod pipeline;
pub mod reel;
pub mod resample;
pub mod slot;
pub mod source;
pub mod stills;

pub use capture::{Capture, CaptureStatus};
pub use frame::Frame;
pub use models::{LoadedModel, ModelOrigin, ModelSlot};
pub use pipeline::{DetectionResult, LiveSettings, Pipeline};
pub use slot::LatestSlot;
pub use source::{FrameSource, SourceChoice};
