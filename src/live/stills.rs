//! Still images as a video source: files or folders, each shown for a while in turn.

use std::path::{Path, PathBuf};

use image::RgbImage;

use super::resample::fit_within;
use super::source::{FrameSource, Pacer};
use crate::error::{Error, Result};
use crate::gray::{image_files, numbered_frames};

const FPS: f32 = 15.0;
/// A folder of numbered frames plays at this rate.
pub const FRAMES_FPS: f32 = 30.0;
/// Frames are capped at this size so a folder of camera photos does not slow the detector down.
const MAX_SIZE: (u32, u32) = (1280, 960);

/// Shows each image for `hold_frames` frames, looping. Images are decoded one at a time, when
/// their turn comes, so a folder of thousands of photos opens at once and costs one image of
/// memory.
pub struct StillsSource {
    /// The files still in the rotation (unreadable ones drop out when their turn comes).
    files: Vec<PathBuf>,
    /// The image on show: its index in `files` and its pixels.
    current: Option<(usize, RgbImage)>,
    hold_frames: usize,
    tick: usize,
    pacer: Pacer,
}

impl StillsSource {
    /// Lists the images among `paths` (folders are expanded, sorted) and decodes the first
    /// readable one. Unreadable files are skipped with a warning; having none readable at all
    /// is an error.
    pub fn open(paths: &[PathBuf], seconds_each: f32) -> Result<Self> {
        let mut files = Vec::new();
        for p in paths {
            if p.is_dir() {
                files.extend(image_files(p)?);
            } else {
                files.push(p.clone());
            }
        }
        Self::play(
            files,
            FPS,
            ((seconds_each * FPS).round() as usize).max(1),
            paths.len(),
        )
    }

    /// A folder of numbered frames as video, in number order, one image a frame at `fps`.
    pub fn frames(dir: &Path, fps: f32) -> Result<Self> {
        let files = numbered_frames(dir)?.unwrap_or_default();
        Self::play(files, fps, 1, 1)
    }

    fn play(files: Vec<PathBuf>, fps: f32, hold_frames: usize, paths_given: usize) -> Result<Self> {
        let mut src = Self {
            files,
            current: None,
            hold_frames,
            tick: 0,
            pacer: Pacer::new(fps),
        };
        src.show(0).map_err(|_| {
            Error::NoData(format!(
                "no readable images among {paths_given} path(s) given"
            ))
        })?;
        Ok(src)
    }

    /// Makes the `k`-th file (counted round the list), or the next readable one after it,
    /// current.
    fn show(&mut self, k: usize) -> Result<()> {
        if self.files.is_empty() {
            return Err(Error::NoData("none of the images is readable".into()));
        }
        let mut k = k % self.files.len();
        loop {
            if self.current.as_ref().is_some_and(|(i, _)| *i == k) {
                return Ok(());
            }
            match image::open(&self.files[k]) {
                Ok(img) => {
                    let rgb = fit_within(img.into_rgb8(), MAX_SIZE.0, MAX_SIZE.1);
                    self.current = Some((k, rgb));
                    return Ok(());
                }
                Err(e) => {
                    log::warn!("skipped {}: {e}", self.files[k].display());
                    self.files.remove(k);
                    // Indices after k moved down by one: k now names the next file.
                    if let Some((i, _)) = &mut self.current
                        && *i > k
                    {
                        *i -= 1;
                    }
                    if self.files.is_empty() {
                        return Err(Error::NoData("none of the images is readable".into()));
                    }
                    if k >= self.files.len() {
                        k = 0;
                    }
                }
            }
        }
    }
}

impl FrameSource for StillsSource {
    fn describe(&self) -> String {
        let name = self
            .current
            .as_ref()
            .map_or_else(String::new, |(k, _)| self.files[*k].display().to_string());
        format!("{} image(s), now {name}", self.files.len())
    }

    fn next_frame(&mut self) -> Result<RgbImage> {
        self.pacer.wait();
        let turn = self.tick / self.hold_frames;
        self.tick += 1;
        self.show(turn)?;
        let (_, rgb) = self
            .current
            .as_ref()
            .ok_or_else(|| Error::NoData("none of the images is readable".into()))?;
        Ok(rgb.clone())
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
        // Every frame is the good image; the bad one drops out when its turn comes.
        for _ in 0..4 {
            assert_eq!(src.next_frame().unwrap().dimensions(), (8, 6));
        }
        assert_eq!(src.files.len(), 1);
        assert!(matches!(
            StillsSource::open(&[bad], 1.0),
            Err(Error::NoData(_))
        ));
    }
}
