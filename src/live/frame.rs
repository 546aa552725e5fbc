//! A captured frame: colour for display, gray for the detector, and when it was taken.

use std::sync::Arc;
use std::time::Instant;

use image::{DynamicImage, GrayImage, RgbImage};

/// One video frame, cheap to clone (the pixels are shared).
#[derive(Clone, Debug)]
pub struct Frame {
    /// Increases by one per captured frame, across source switches.
    pub id: u64,
    /// When the source delivered it: the start of the end-to-end latency.
    pub captured: Instant,
    pub rgb: Arc<RgbImage>,
    /// Converted exactly as `gray::load_gray` converts a file, so `facecam detect` on a saved
    /// copy of the frame sees the pixels the live detector saw.
    pub gray: Arc<GrayImage>,
}

impl Frame {
    pub fn new(id: u64, rgb: RgbImage) -> Self {
        let gray = DynamicImage::ImageRgb8(rgb.clone()).into_luma8();
        Self {
            id,
            captured: Instant::now(),
            rgb: Arc::new(rgb),
            gray: Arc::new(gray),
        }
    }

    pub fn width(&self) -> u32 {
        self.rgb.width()
    }

    pub fn height(&self) -> u32 {
        self.rgb.height()
    }
}
