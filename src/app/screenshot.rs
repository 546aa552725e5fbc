//! `--screenshot FILE --frames N`: run N detected frames, save the window as a PNG, exit.
//!
//! Beside the screenshot it saves the video frame that is on screen (`FILE.frame.png`) and
//! prints that frame's detections as `image x y w h score` lines, so a test can check that
//! the boxes drawn are the ones `facecam detect` finds on the same pixels.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use eframe::egui::{self, ColorImage};
use image::RgbaImage;

use crate::atomic::write_png;
use crate::boxes::detection_line;
use crate::live::DetectionResult;

/// Give up if the frames have not come by then (a broken display, say).
const DEADLINE: Duration = Duration::from_secs(180);

pub struct ScreenshotJob {
    path: PathBuf,
    frames: u64,
    drawn: u64,
    started: Instant,
    state: State,
}

enum State {
    Counting,
    /// Requested; the image arrives on the channel after the next paint.
    Waiting(Receiver<Arc<ColorImage>>),
    Done,
}

/// How the job ended; the binary turns it into the exit code.
pub type Outcome = std::result::Result<PathBuf, String>;

impl ScreenshotJob {
    pub fn new(path: PathBuf, frames: u64) -> Self {
        Self {
            path,
            frames: frames.max(1),
            drawn: 0,
            started: Instant::now(),
            state: State::Counting,
        }
    }

    /// The frame on screen must stay put once the screenshot is requested.
    pub fn freezes_video(&self) -> bool {
        !matches!(self.state, State::Counting)
    }

    /// Counts a newly drawn result.
    pub fn frame_drawn(&mut self) {
        self.drawn += 1;
    }

    /// Advances the job; returns its outcome once finished (then the app closes).
    pub fn step(
        &mut self,
        ctx: &egui::Context,
        shown: Option<&DetectionResult>,
    ) -> Option<Outcome> {
        if self.started.elapsed() > DEADLINE {
            self.state = State::Done;
            return Some(Err(format!(
                "only {} of {} frames were drawn in {} s",
                self.drawn,
                self.frames,
                DEADLINE.as_secs()
            )));
        }
        match &self.state {
            State::Counting if self.drawn >= self.frames => {
                let (tx, rx) = mpsc::channel();
                let repaint = ctx.clone();
                ctx.request_screenshot(move |image| {
                    let _ = tx.send(image);
                    repaint.request_repaint();
                });
                ctx.request_repaint();
                self.state = State::Waiting(rx);
                None
            }
            State::Waiting(rx) => {
                let image = rx.try_recv().ok()?;
                self.state = State::Done;
                Some(match shown {
                    Some(result) => save(&self.path, &image, result).map(|()| self.path.clone()),
                    None => Err("no frame was on screen".into()),
                })
            }
            _ => None,
        }
    }
}

fn save(path: &Path, shot: &ColorImage, result: &DetectionResult) -> Result<(), String> {
    let [w, h] = shot.size;
    let rgba: Vec<u8> = shot.pixels.iter().flat_map(|c| c.to_array()).collect();
    let shot = RgbaImage::from_raw(w as u32, h as u32, rgba).ok_or("screenshot size mismatch")?;
    write_png(path, shot).map_err(|e| e.to_string())?;

    let frame_path = path.with_extension("frame.png");
    write_png(&frame_path, (*result.frame.rgb).clone()).map_err(|e| e.to_string())?;
    let name = frame_path.to_string_lossy();
    for d in &result.detections {
        println!("{}", detection_line(&name, d.x, d.y, d.w, d.h, d.score));
    }
    let tracks = result.tracks.as_ref().map_or_else(
        || "raw detections shown".into(),
        |t| format!("{} tracks shown", t.len()),
    );
    eprintln!(
        "screenshot {}×{} saved to {}; frame {} with {} detections ({tracks}) saved to {}",
        w,
        h,
        path.display(),
        result.frame.id,
        result.detections.len(),
        frame_path.display()
    );
    Ok(())
}
