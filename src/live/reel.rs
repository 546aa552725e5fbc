//! The bundled demo reel: a few real photos with faces, slowly panned and zoomed so that the
//! detector (and the user) see something that moves like video when no camera is there.
//!
//! The photos are compiled into the binary, so the reel works wherever the executable goes.
//! `facecam reel` regenerates `assets/reel/` from `../shared/data/photos` (see assets/README.md).

use image::RgbImage;

use super::resample::{Rect, crop_resize};
use super::source::{FrameSource, Pacer};
use crate::error::{Error, Result};

/// The reel's photos, in playing order (written by `facecam reel`).
pub const PHOTOS: [(&str, &[u8]); 6] = [
    ("reel-1.jpg", include_bytes!("../../assets/reel/reel-1.jpg")),
    ("reel-2.jpg", include_bytes!("../../assets/reel/reel-2.jpg")),
    ("reel-3.jpg", include_bytes!("../../assets/reel/reel-3.jpg")),
    ("reel-4.jpg", include_bytes!("../../assets/reel/reel-4.jpg")),
    ("reel-5.jpg", include_bytes!("../../assets/reel/reel-5.jpg")),
    ("reel-6.jpg", include_bytes!("../../assets/reel/reel-6.jpg")),
];

/// Output size: the webcam size the detector is tuned and benchmarked for.
pub const FRAME_SIZE: (u32, u32) = (640, 480);
pub const FPS: f32 = 30.0;
const SECONDS_PER_PHOTO: f32 = 6.0;
/// Frames each photo is shown for.
pub const FRAMES_PER_PHOTO: usize = (SECONDS_PER_PHOTO * FPS) as usize;
/// How far the camera zooms in over one photo.
const ZOOM: f32 = 1.3;

pub struct ReelSource {
    photos: Vec<RgbImage>,
    tick: usize,
    pacer: Option<Pacer>,
}

impl ReelSource {
    /// Decodes the bundled photos. Paced at 30 fps.
    pub fn open() -> Result<Self> {
        let photos = PHOTOS
            .iter()
            .map(|(name, bytes)| {
                image::load_from_memory(bytes)
                    .map(|img| img.into_rgb8())
                    .map_err(|cause| Error::Image {
                        path: format!("<bundled {name}>").into(),
                        cause,
                    })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            photos,
            tick: 0,
            pacer: Some(Pacer::new(FPS)),
        })
    }

    /// The same reel without the 30 fps pacing: frames as fast as they can be rendered (tests,
    /// benchmarks).
    pub fn unpaced() -> Result<Self> {
        Ok(Self {
            pacer: None,
            ..Self::open()?
        })
    }

    /// Frame `tick` of the reel: deterministic, so tests and screenshots can be reproduced.
    pub fn render(&self, tick: usize) -> RgbImage {
        let per_photo = FRAMES_PER_PHOTO;
        let k = (tick / per_photo) % self.photos.len();
        let t = (tick % per_photo) as f32 / per_photo as f32;
        let photo = &self.photos[k];
        let (fw, fh) = FRAME_SIZE;
        let wide = Rect::cover(photo.width(), photo.height(), fw as f32 / fh as f32);
        // Zoom towards a point that differs per photo (left third, centre, right third ...).
        // Kept far enough from the edges that the zoomed view stays inside the photo.
        let (half_w, half_h) = (wide.w / ZOOM / 2.0, wide.h / ZOOM / 2.0);
        let focus_x = (wide.x + wide.w * [0.35, 0.5, 0.65][k % 3])
            .clamp(wide.x + half_w, wide.x + wide.w - half_w);
        let focus_y =
            (wide.y + wide.h * [0.4, 0.5][k % 2]).clamp(wide.y + half_h, wide.y + wide.h - half_h);
        let close = Rect {
            w: wide.w / ZOOM,
            h: wide.h / ZOOM,
            x: focus_x - wide.w / ZOOM / 2.0,
            y: focus_y - wide.h / ZOOM / 2.0,
        };
        // Alternate zooming in and out; ease in and out so the motion starts and stops softly.
        let eased = t * t * (3.0 - 2.0 * t);
        let (from, to) = if k.is_multiple_of(2) {
            (wide, close)
        } else {
            (close, wide)
        };
        crop_resize(photo, Rect::lerp(from, to, eased), fw, fh)
    }
}

impl FrameSource for ReelSource {
    fn describe(&self) -> String {
        format!("demo reel ({} bundled photos)", self.photos.len())
    }

    fn next_frame(&mut self) -> Result<RgbImage> {
        if let Some(p) = &mut self.pacer {
            p.wait();
        }
        let frame = self.render(self.tick);
        self.tick += 1;
        Ok(frame)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reel_decodes_and_moves() {
        let mut reel = ReelSource::unpaced().unwrap();
        let a = reel.next_frame().unwrap();
        let b = reel.render(60);
        assert_eq!(a.dimensions(), FRAME_SIZE);
        assert_ne!(
            a, b,
            "two seconds apart the pan/zoom must have moved the picture"
        );
        // Not blank: real photos have contrast.
        let (lo, hi) = a
            .pixels()
            .fold((255u8, 0u8), |(lo, hi), p| (lo.min(p.0[1]), hi.max(p.0[1])));
        assert!(hi - lo > 100);
    }
}
