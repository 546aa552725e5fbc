//! The image pyramid: the image rescaled so that faces of every size in range become 30 px.

use image::GrayImage;
use serde::{Deserialize, Serialize};

use super::model::WINDOW;
use crate::error::{Error, Result};
use crate::gray;

/// Most pixels one level may have (16 MP: a 4000×3000 photo scanned for 30 px faces is 12 MP).
/// Larger levels would take gigabytes of activations; their faces are too small to find at
/// this size anyway, so the pyramid starts at the first level under the cap.
pub const MAX_LEVEL_PIXELS: u64 = 1 << 24;
/// Most levels a pyramid may have (a 4096 px image with the default settings has 29).
pub const MAX_LEVELS: usize = 128;
/// The image side `validate` judges the level count on.
const LARGE_SIDE: f32 = 4096.0;

/// Which face sizes to look for, and how finely to step between them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PyramidConfig {
    /// Ratio between the face sizes of neighbouring levels (> 1). 1.2 ≈ ±10 % scale error.
    pub scale_step: f32,
    /// Smallest face side to find, in pixels. Below 30 the image is upsampled.
    pub min_face: f32,
    /// Largest face side to find, in pixels; `None` = as large as the image allows.
    pub max_face: Option<f32>,
}

impl Default for PyramidConfig {
    fn default() -> Self {
        Self {
            scale_step: 1.2,
            min_face: 20.0,
            max_face: None,
        }
    }
}

impl PyramidConfig {
    /// Rejects settings that would loop forever or find nothing.
    pub fn validate(&self) -> Result<()> {
        if !(self.scale_step.is_finite() && self.scale_step > 1.01 && self.scale_step <= 4.0) {
            return Err(Error::Config(format!(
                "pyramid scale step must be in (1.01, 4], got {}",
                self.scale_step
            )));
        }
        if !(self.min_face.is_finite() && self.min_face >= 8.0) {
            return Err(Error::Config(format!(
                "minimum face size must be at least 8 px, got {}",
                self.min_face
            )));
        }
        if let Some(max) = self.max_face
            && !(max.is_finite() && max >= self.min_face)
        {
            return Err(Error::Config(format!(
                "maximum face size {max} is below the minimum {}",
                self.min_face
            )));
        }
        let levels = (LARGE_SIDE / self.min_face).ln() / self.scale_step.ln();
        if levels > MAX_LEVELS as f32 {
            return Err(Error::Config(format!(
                "scale step {} from {} px faces makes {levels:.0} pyramid levels on a \
                 {LARGE_SIDE} px image (at most {MAX_LEVELS}); use a larger step",
                self.scale_step, self.min_face
            )));
        }
        Ok(())
    }

    /// The smallest face the pyramid looks for in a `width`×`height` image: `min_face`, or
    /// more when the level for `min_face` would exceed `MAX_LEVEL_PIXELS`.
    pub fn effective_min_face(&self, width: u32, height: u32) -> f32 {
        let pixels = width as f64 * height as f64;
        let at_cap = WINDOW as f64 * (pixels / MAX_LEVEL_PIXELS as f64).sqrt();
        self.min_face.max(at_cap as f32)
    }

    /// The levels for a `width`×`height` image, largest first.
    pub fn levels(&self, width: u32, height: u32) -> Vec<LevelSpec> {
        let side = width.min(height) as f32;
        let max_face = self.max_face.unwrap_or(side).min(side);
        let mut out = Vec::new();
        let mut face = self.effective_min_face(width, height);
        while face <= max_face + 1e-3 && out.len() < MAX_LEVELS {
            let scale = WINDOW as f32 / face;
            let w = (width as f32 * scale).round() as u32;
            let h = (height as f32 * scale).round() as u32;
            if w < WINDOW as u32 || h < WINDOW as u32 {
                break;
            }
            if w as u64 * h as u64 > MAX_LEVEL_PIXELS {
                face *= 1.001; // rounding put it just over the cap
                continue;
            }
            out.push(LevelSpec {
                width: w,
                height: h,
                scale_x: w as f32 / width as f32,
                scale_y: h as f32 / height as f32,
            });
            face *= self.scale_step;
        }
        out
    }
}

/// One pyramid level's size and its exact scale relative to the original image.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LevelSpec {
    pub width: u32,
    pub height: u32,
    /// Level pixels per image pixel, horizontally and vertically.
    pub scale_x: f32,
    pub scale_y: f32,
}

/// Repeated 2×2 halvings of the image, down to the smallest level's size: the sources the
/// levels are resampled from, so bilinear never shrinks by more than 2 and never aliases.
pub fn octaves(image: &GrayImage, specs: &[LevelSpec]) -> Vec<GrayImage> {
    match specs.last() {
        Some(smallest) => gray::octaves(image.clone(), smallest.width, smallest.height),
        None => vec![image.clone()],
    }
}

/// One level's image, resampled from the octaves.
pub fn level(octaves: &[GrayImage], spec: &LevelSpec) -> GrayImage {
    gray::from_octaves(octaves, spec.width, spec.height)
}

/// Builds every level's image (the detector does the same level by level, in parallel).
pub fn build(image: &GrayImage, specs: &[LevelSpec]) -> Vec<GrayImage> {
    let octaves = octaves(image, specs);
    specs.iter().map(|spec| level(&octaves, spec)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_cover_min_to_max_face_in_steps() {
        let cfg = PyramidConfig {
            scale_step: 1.25,
            min_face: 20.0,
            max_face: Some(100.0),
        };
        let levels = cfg.levels(640, 480);
        // Face sizes 20, 25, 31.25, …, up to 100: 20·1.25^k <= 100 → k <= 7.2 → 8 levels.
        assert_eq!(levels.len(), 8);
        // A minimum face below 30 px upsamples: 640·30/20 = 960.
        assert_eq!((levels[0].width, levels[0].height), (960, 720));
        for pair in levels.windows(2) {
            let ratio = pair[0].scale_x / pair[1].scale_x;
            assert!((ratio - 1.25).abs() < 0.01, "ratio {ratio}");
        }
        // The smallest level still holds a window.
        let last = levels.last().unwrap();
        assert!(last.width >= 30 && last.height >= 30);
    }

    #[test]
    fn unbounded_pyramid_stops_when_the_image_is_one_window() {
        let levels = PyramidConfig::default().levels(100, 60);
        let last = levels.last().unwrap();
        assert!(last.height >= 30 && last.height < 36, "{last:?}");
        // Default minimum face 20 px: the first level upsamples by 1.5.
        assert_eq!(levels[0].width, 150);
    }

    #[test]
    fn a_huge_image_gets_levels_under_the_pixel_cap() {
        // 20000² at 8 px faces would be a 75000² first level: 5.6 billion pixels.
        let cfg = PyramidConfig {
            min_face: 8.0,
            ..PyramidConfig::default()
        };
        let levels = cfg.levels(20_000, 20_000);
        assert!(!levels.is_empty());
        for l in &levels {
            assert!(
                l.width as u64 * l.height as u64 <= MAX_LEVEL_PIXELS,
                "{l:?}"
            );
        }
        // The first level is close to the cap, not far below it.
        let first = levels[0].width as u64 * levels[0].height as u64;
        assert!(first > MAX_LEVEL_PIXELS * 9 / 10, "{first}");
        assert!(cfg.effective_min_face(20_000, 20_000) > 100.0);
        // A webcam frame is untouched.
        assert_eq!(cfg.effective_min_face(640, 480), 8.0);
    }

    #[test]
    fn invalid_configs_are_rejected() {
        let bad = [
            PyramidConfig {
                scale_step: 1.0,
                ..PyramidConfig::default()
            },
            PyramidConfig {
                min_face: f32::NAN,
                ..PyramidConfig::default()
            },
            PyramidConfig {
                max_face: Some(10.0),
                ..PyramidConfig::default()
            },
            // Hundreds of levels: 8 px faces in 2 % steps.
            PyramidConfig {
                scale_step: 1.02,
                min_face: 8.0,
                max_face: None,
            },
        ];
        for cfg in bad {
            assert!(cfg.validate().is_err(), "{cfg:?}");
        }
        assert!(PyramidConfig::default().validate().is_ok());
    }

    #[test]
    fn built_levels_have_the_specified_sizes() {
        let img = GrayImage::from_fn(200, 150, |x, y| image::Luma([((x + y) % 256) as u8]));
        let specs = PyramidConfig {
            scale_step: 1.2,
            min_face: 15.0,
            max_face: None,
        }
        .levels(200, 150);
        let levels = build(&img, &specs);
        for (l, s) in levels.iter().zip(&specs) {
            assert_eq!((l.width(), l.height()), (s.width, s.height));
        }
    }
}
