//! Where frames come from: a camera, still images, or the bundled demo reel, behind one trait.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use image::RgbImage;

use crate::error::Result;
use crate::gray::numbered_frames;
use crate::video::is_video_file;

/// Something that yields video frames. `next_frame` blocks until the next one is due (a camera
/// paces itself; stills and the reel sleep to their frame rate), so the capture loop is simple.
/// Sources are made and used on the capture thread only, so they need not be `Send` (camera
/// handles often are not).
pub trait FrameSource {
    /// What the UI shows, e.g. "Camera 0: Integrated Webcam, 640×480 MJPEG at 30 fps".
    fn describe(&self) -> String;
    /// The next frame, or why there is none (a camera unplugged mid-stream, say).
    fn next_frame(&mut self) -> Result<RgbImage>;
}

/// What the user asked to watch (remembered across runs by the app's settings).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceChoice {
    /// A camera by index, optionally at a requested resolution (the closest one is used).
    Camera {
        index: u32,
        resolution: Option<(u32, u32)>,
    },
    /// Image files, or every image in a folder, shown in turn.
    Stills(Vec<PathBuf>),
    /// A video file (mp4, webm, avi, …), decoded by ffmpeg, looping.
    Video(PathBuf),
    /// A folder of numbered frames, played as video, looping.
    Frames(PathBuf),
    /// The bundled demo reel.
    Reel,
}

impl SourceChoice {
    pub fn is_camera(&self) -> bool {
        matches!(self, SourceChoice::Camera { .. })
    }

    /// What paths from the command line or the source box mean: one video file plays as
    /// video, one folder of numbered frames too; anything else is shown as stills.
    pub fn for_paths(paths: Vec<PathBuf>) -> Self {
        if let [one] = &paths[..] {
            if is_video_file(one) {
                return SourceChoice::Video(one.clone());
            }
            if one.is_dir() && matches!(numbered_frames(one), Ok(Some(_))) {
                return SourceChoice::Frames(one.clone());
            }
        }
        SourceChoice::Stills(paths)
    }

    /// The path the source box shows for this choice, if it has one.
    pub fn path(&self) -> Option<&std::path::Path> {
        match self {
            SourceChoice::Stills(p) => p.first().map(PathBuf::as_path),
            SourceChoice::Video(p) | SourceChoice::Frames(p) => Some(p),
            SourceChoice::Camera { .. } | SourceChoice::Reel => None,
        }
    }
}

/// Sleeps so that successive ticks are `1 / fps` apart, without drifting.
#[derive(Debug)]
pub struct Pacer {
    period: Duration,
    next: Instant,
}

impl Pacer {
    pub fn new(fps: f32) -> Self {
        Self {
            period: Duration::from_secs_f32(1.0 / fps.max(0.1)),
            next: Instant::now(),
        }
    }

    /// Waits for the next tick. If the caller fell behind, it restarts from now rather than
    /// bursting to catch up.
    pub fn wait(&mut self) {
        let now = Instant::now();
        if self.next > now {
            std::thread::sleep(self.next - now);
            self.next += self.period;
        } else {
            self.next = now + self.period;
        }
    }
}
