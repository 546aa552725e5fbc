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
    /// Opens camera `index` near `resolution` (default 640×480) and starts its stream. When
    /// the camera refuses MJPEG at that size (nokhwa's "Failed to fulfill"), the other formats
    /// are tried in turn; the label says which one was used.
    pub fn open(index: u32, resolution: Option<(u32, u32)>) -> Result<Self> {
        let attempts = format_attempts(resolution.unwrap_or(DEFAULT_RESOLUTION));
        let (camera, refused) = first_that_opens(&attempts, |wanted| open_as(index, *wanted))
            .map_err(|refused| Error::Camera(index.to_string(), summarise(&refused)))?;
        let f = camera.camera_format();
        let fallback = if refused.is_empty() {
            String::new()
        } else {
            format!(" (refused: {})", summarise(&refused))
        };
        let label = format!(
            "camera {index}: {}, {}×{} {} at {} fps{fallback}",
            camera.info().human_name(),
            f.resolution().width(),
            f.resolution().height(),
            f.format(),
            f.frame_rate()
        );
        Ok(Self { camera, label })
    }
}

/// What to ask a camera for, in order: MJPEG near the wanted size (most webcams stream it
/// fastest), then the uncompressed formats near it, then anything the camera offers.
pub fn format_attempts((w, h): (u32, u32)) -> Vec<RequestedFormatType> {
    let near =
        |format| RequestedFormatType::Closest(CameraFormat::new(Resolution::new(w, h), format, 30));
    let mut attempts: Vec<_> = [
        FrameFormat::MJPEG,
        FrameFormat::YUYV,
        FrameFormat::NV12,
        FrameFormat::GRAY,
        FrameFormat::RAWRGB,
    ]
    .into_iter()
    .map(near)
    .collect();
    attempts.push(RequestedFormatType::AbsoluteHighestFrameRate);
    attempts
}

/// A short name for an attempt, for messages.
fn describe(wanted: &RequestedFormatType) -> String {
    match wanted {
        RequestedFormatType::Closest(f) => f.format().to_string(),
        _ => "any format".to_string(),
    }
}

/// Opens camera `index` asking for `wanted` and starts its stream.
fn open_as(index: u32, wanted: RequestedFormatType) -> std::result::Result<Camera, String> {
    let format = RequestedFormat::new::<RgbFormat>(wanted);
    // nokhwa's backends can panic on odd drivers; a camera must never take the app down.
    std::panic::catch_unwind(|| -> std::result::Result<Camera, nokhwa::NokhwaError> {
        let mut camera = Camera::new(CameraIndex::Index(index), format)?;
        camera.open_stream()?;
        Ok(camera)
    })
    .map_err(|_| "the camera driver panicked".to_string())?
    .map_err(|e| e.to_string())
}

/// A format asked for and why the camera refused it.
type Refusal = (String, String);

/// Tries each attempt in turn: the first that opens, with the refusals before it, or every
/// refusal if none opens.
fn first_that_opens<T>(
    attempts: &[RequestedFormatType],
    mut open: impl FnMut(&RequestedFormatType) -> std::result::Result<T, String>,
) -> std::result::Result<(T, Vec<Refusal>), Vec<Refusal>> {
    let mut refused = Vec::new();
    for wanted in attempts {
        match open(wanted) {
            Ok(opened) => return Ok((opened, refused)),
            Err(e) => refused.push((describe(wanted), e)),
        }
    }
    Err(refused)
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

/// Refusals for messages, formats with the same reason together ("MJPEG, YUYV: busy"): a
/// camera that is not there refuses every format the same way.
fn summarise(refused: &[Refusal]) -> String {
    let mut groups: Vec<(Vec<&str>, &str)> = Vec::new();
    for (format, why) in refused {
        match groups.iter_mut().find(|(_, w)| w == why) {
            Some((formats, _)) => formats.push(format),
            None => groups.push((vec![format], why)),
        }
    }
    groups
        .iter()
        .map(|(formats, why)| format!("{}: {why}", formats.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_camera_without_mjpeg_falls_back_to_the_next_format_and_says_so() {
        let attempts = format_attempts((640, 480));
        // A camera that only streams NV12, like some laptop sensors.
        let opened = first_that_opens(&attempts, |wanted| match wanted {
            RequestedFormatType::Closest(f) if f.format() == FrameFormat::NV12 => Ok(f.format()),
            _ => Err("Failed to fulfill".to_string()),
        });
        let (format, refused) = opened.unwrap();
        assert_eq!(format, FrameFormat::NV12);
        assert_eq!(refused.len(), 2, "{refused:?}");
        assert_eq!(
            (refused[0].0.as_str(), refused[1].0.as_str()),
            ("MJPEG", "YUYV")
        );
        assert_eq!(summarise(&refused), "MJPEG, YUYV: Failed to fulfill");

        // One that streams nothing listed still gets the "any format" request last.
        let any = first_that_opens(&attempts, |wanted| match wanted {
            RequestedFormatType::AbsoluteHighestFrameRate => Ok(()),
            _ => Err("Failed to fulfill".to_string()),
        });
        assert_eq!(any.unwrap().1.len(), attempts.len() - 1);

        // None at all: every refusal is reported, once per distinct reason.
        let none = first_that_opens(&attempts, |_| Err::<(), _>("busy".to_string()));
        let refused = none.unwrap_err();
        assert_eq!(refused.len(), attempts.len());
        assert_eq!(
            summarise(&refused),
            "MJPEG, YUYV, NV12, GRAY, RAWRGB, any format: busy"
        );
    }
}
