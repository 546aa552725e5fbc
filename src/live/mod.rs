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
pub mod video_file;

/// The live view's smallest face to start with, unless the model asks for a larger one. A
/// face at arm's length from a webcam is 80–200 px wide; scanning down to 20 px costs four
/// times the time per frame. The slider goes down to 16; `facecam track` uses the same default.
pub const LIVE_MIN_FACE: f32 = 40.0;

pub use capture::{Capture, CaptureStatus};
pub use frame::Frame;
pub use models::{LoadedModel, ModelOrigin, ModelSlot};
pub use pipeline::{DetectionResult, LiveSettings, Pipeline};
pub use slot::LatestSlot;
pub use source::{FrameSource, SourceChoice};
