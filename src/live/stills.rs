//! Still images as a video source: files or folders, each shown for a while in turn.

use std::path::PathBuf;

use image::RgbImage;

use super::resample::fit_within;
use super::source::{FrameSource, Pacer};
use crate::error::{Error, Result};
use crate::gray::image_files;

const FPS: f32 = 15.0;
/// Frames are capped at this size so a folder of camera photos does not slow the detector down.
const MAX_SIZE: (u32, u32) = (1280, 960);

/// Shows each image for `hold_frames` frames, looping.
pub struct StillsSource {
    images: Vec<(String, RgbImage)>,
    hold_frames: usize,
    tick: usize,
    pacer: Pacer,
}

impl StillsSource {
    /// Loads every readable image among `paths` (folders are expanded, sorted). Unreadable files
    /// are skipped with a warning; having none at all is an error.
    pub fn open(paths: &[PathBuf], seconds_each: f32) -> Result<Self> {
        let mut files = Vec::new();
        for p in paths {
            if p.is_dir() {
                files.extend(image_files(p)?);
            } else {
                files.push(p.clone());
            }
        }
        let mut images = Vec::new();
        for f in &files {
            match image::open(f) {
                Ok(img) => images.push((
                    f.display().to_string(),
                    fit_within(img.into_rgb8(), MAX_SIZE.0, MAX_SIZE.1),
                )),
                Err(e) => log::warn!("skipped {}: {e}", f.display()),
            }
        }
        if images.is_empty() {
            return Err(Error::NoData(format!(
                "no readable images among {} path(s) given",
                paths.len()
            )));
        }
        Ok(Self {
            images,
            hold_frames: ((seconds_each * FPS).round() as usize).max(1),
            tick: 0,
            pacer: Pacer::new(FPS),
        })
    }
}

impl FrameSource for StillsSource {
    fn describe(&self) -> String {
        let (name, _) = &self.images[(self.tick / self.hold_frames) % self.images.len()];
        format!("{} image(s), now {name}", self.images.len())
    }

    fn next_frame(&mut self) -> Result<RgbImage> {
        self.pacer.wait();
        let k = (self.tick / self.hold_frames) % self.images.len();
        self.tick += 1;
        Ok(self.images[k].1.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_files_are_skipped_and_none_readable_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("a.png");
        RgbImage::new(8, 6).save(&good).unwrap();
        let bad = dir.path().join("b.png");
        std::fs::write(&bad, b"not a png").unwrap();
        let mut src = StillsSource::open(&[dir.path().to_path_buf()], 0.01).unwrap();
        assert_eq!(src.images.len(), 1);
        assert_eq!(src.next_frame().unwrap().dimensions(), (8, 6));
        assert!(matches!(
            StillsSource::open(&[bad], 1.0),
            Err(Error::NoData(_))
        ));
    }
}
