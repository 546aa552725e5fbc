//! A real webcam through nokhwa (V4L2 on Linux, AVFoundation on macOS, Media Foundation on
//! Windows).

use image::RgbImage;
use nokhwa::Camera;
use nokhwa::pixel_format::RgbFormat;
use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType,
    Resolution,
};

use super::source::FrameSource;
use crate::error::{Error, Result};

/// Resolutions offered in the UI; the camera picks the closest one it supports.
pub const RESOLUTIONS: [(u32, u32); 4] = [(320, 240), (640, 480), (1280, 720), (1920, 1080)];
/// The default: the size the detector is benchmarked at.
pub const DEFAULT_RESOLUTION: (u32, u32) = (640, 480);

/// A camera the system reports.
#[derive(Clone, Debug, PartialEq)]
pub struct CameraEntry {
    pub index: u32,
    pub name: String,
}

/// Cameras present now. An error (no V4L2, no permission) reads as "none", with the reason.
pub fn list_cameras() -> std::result::Result<Vec<CameraEntry>, String> {
    let found = nokhwa::query(ApiBackend::Auto).map_err(|e| e.to_string())?;
    Ok(found
        .iter()
        .enumerate()
        .map(|(i, info)| CameraEntry {
            index: match info.index() {
                CameraIndex::Index(n) => *n,
                CameraIndex::String(_) => i as u32,
            },
            name: info.human_name(),
        })
        .collect())
}

/// An open, streaming camera.
pub struct CameraSource {
    camera: Camera,
    label: String,
}

impl CameraSource {
    /// Opens camera `index` near `resolution` (default 640×480) and starts its stream.
    pub fn open(index: u32, resolution: Option<(u32, u32)>) -> Result<Self> {
        let fail = |e: nokhwa::NokhwaError| Error::Camera(index.to_string(), e.to_string());
        let (w, h) = resolution.unwrap_or(DEFAULT_RESOLUTION);
        let wanted = CameraFormat::new(Resolution::new(w, h), FrameFormat::MJPEG, 30);
        let format = RequestedFormat::new::<RgbFormat>(RequestedFormatType::Closest(wanted));
        // nokhwa's backends can panic on odd drivers; a camera must never take the app down.
        let opened = std::panic::catch_unwind(|| -> std::result::Result<Camera, _> {
            let mut camera = Camera::new(CameraIndex::Index(index), format)?;
            camera.open_stream()?;
            Ok(camera)
        })
        .map_err(|_| Error::Camera(index.to_string(), "the camera driver panicked".into()))?
        .map_err(fail)?;
        let f = opened.camera_format();
        let label = format!(
            "camera {index}: {}, {}×{} {} at {} fps",
            opened.info().human_name(),
            f.resolution().width(),
            f.resolution().height(),
            f.format(),
            f.frame_rate()
        );
        Ok(Self {
            camera: opened,
            label,
        })
    }
}

impl FrameSource for CameraSource {
    fn describe(&self) -> String {
        self.label.clone()
    }

    fn next_frame(&mut self) -> Result<RgbImage> {
        let fail = |e: nokhwa::NokhwaError| Error::Camera(self.label.clone(), e.to_string());
        let buffer = self.camera.frame().map_err(fail)?;
        buffer.decode_image::<RgbFormat>().map_err(fail)
    }
}

impl Drop for CameraSource {
    fn drop(&mut self) {
        // Release the device for other programs; an error here has nowhere useful to go.
        let _ = self.camera.stop_stream();
    }
}
