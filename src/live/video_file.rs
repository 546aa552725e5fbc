//! A video file as a live source: decoded by ffmpeg (`crate::video`), played at its own frame
//! rate, looping at the end. Pause is the capture thread's (it stops pulling frames, and
//! ffmpeg waits on the full pipe).

use std::path::{Path, PathBuf};

use image::RgbImage;

use super::source::{FrameSource, Pacer};
use crate::error::{Error, Result};
use crate::video::VideoReader;

/// Frames are capped at this size, as stills are, so a 4K clip does not slow the detector down.
pub const MAX_SIZE: (u32, u32) = (1280, 960);

pub struct VideoFileSource {
    path: PathBuf,
    reader: VideoReader,
    pacer: Pacer,
    /// The frame's size, for the description (known after the first frame).
    size: Option<(u32, u32)>,
    /// Times the clip has started over.
    loops: u64,
    /// The first frame, decoded by `open` and shown on the first tick.
    first: Option<RgbImage>,
}

impl VideoFileSource {
    /// Opens `path` and decodes its first frame, so a file ffmpeg cannot play fails here, where
    /// the capture thread can say so, and not on the first tick.
    pub fn open(path: &Path) -> Result<Self> {
        let mut reader = VideoReader::open(path, Some(MAX_SIZE))?;
        let first = reader.next_frame()?.ok_or_else(|| Error::Video {
            path: path.to_path_buf(),
            reason: "it has no video frames".into(),
        })?;
        Ok(Self {
            path: path.to_path_buf(),
            pacer: Pacer::new(reader.fps()),
            reader,
            size: Some(first.dimensions()),
            loops: 0,
            first: Some(first),
        })
    }
}

impl FrameSource for VideoFileSource {
    fn describe(&self) -> String {
        let name = self.path.file_name().map_or_else(
            || self.path.display().to_string(),
            |n| n.to_string_lossy().into(),
        );
        let size = self
            .size
            .map_or_else(String::new, |(w, h)| format!(", {w}×{h}"));
        format!(
            "Video {name}{size} at {} fps, frame {}{}",
            (self.reader.fps() * 100.0).round() / 100.0,
            self.reader.frames_read(),
            if self.loops > 0 {
                format!(" (loop {})", self.loops + 1)
            } else {
                String::new()
            }
        )
    }

    fn next_frame(&mut self) -> Result<RgbImage> {
        self.pacer.wait();
        if let Some(frame) = self.first.take() {
            return Ok(frame);
        }
        if let Some(frame) = self.reader.next_frame()? {
            self.size = Some(frame.dimensions());
            return Ok(frame);
        }
        // The end: start over.
        self.reader = VideoReader::open(&self.path, Some(MAX_SIZE))?;
        self.loops += 1;
        self.reader.next_frame()?.ok_or_else(|| Error::Video {
            path: self.path.clone(),
            reason: "it had no frames when played again".into(),
        })
    }
}
