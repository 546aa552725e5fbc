//! Cutting 30×30 network inputs out of larger images: rotated, scaled, mirrored, with
//! brightness and contrast changes (the augmentation), by bilinear sampling.

use image::GrayImage;
use rand::RngExt;

use crate::detect::model::{WINDOW, normalise};

/// Pixels in one network input.
pub const WINDOW_PX: usize = WINDOW * WINDOW;

/// A square region of a source image: centre, side (source pixels), rotation, mirror.
#[derive(Clone, Copy, Debug)]
pub struct Region {
    pub cx: f32,
    pub cy: f32,
    pub side: f32,
    /// Radians, counter-clockwise.
    pub angle: f32,
    pub mirror: bool,
}

/// Photometric change applied after sampling: contrast and brightness on the normalised scale.
///
/// (A wider variant with a random gamma curve in [0.5, 2] and contrast down to ×0.4 was tried
/// for dark, low-contrast faces; on the validation scenes it was no better, so it is not used.)
#[derive(Clone, Copy, Debug)]
pub struct Photometric {
    pub gain: f32,
    pub offset: f32,
}

impl Photometric {
    pub const NONE: Photometric = Photometric {
        gain: 1.0,
        offset: 0.0,
    };

    /// Random contrast ×[0.6, 1.4] and brightness ±0.15.
    pub fn random(rng: &mut impl rand::Rng) -> Self {
        Self {
            gain: rng.random_range(0.6..1.4),
            offset: rng.random_range(-0.15..0.15),
        }
    }

    /// Applies the change to one normalised value (in [-0.5, 0.5]).
    #[inline]
    pub fn apply(&self, v: f32) -> f32 {
        (v * self.gain + self.offset).clamp(-0.5, 0.5)
    }
}

/// Samples `region` of `src` into `out` (900 normalised values, row-major). Coordinates outside
/// the image repeat the border pixel.
pub fn sample(src: &GrayImage, region: Region, photo: Photometric, out: &mut [f32]) {
    sample_square(src, region, photo, WINDOW, out);
}

/// Like `sample`, into a `size × size` output (the bundled face set stores larger crops).
pub fn sample_square(
    src: &GrayImage,
    region: Region,
    photo: Photometric,
    size: usize,
    out: &mut [f32],
) {
    debug_assert_eq!(out.len(), size * size);
    let (w, h) = (src.width() as i32, src.height() as i32);
    let px = src.as_raw();
    let step = region.side / size as f32;
    let (sin, cos) = region.angle.sin_cos();
    let half = size as f32 / 2.0;
    let at = |x: i32, y: i32| px[(y.clamp(0, h - 1) * w + x.clamp(0, w - 1)) as usize] as f32;
    for oy in 0..size {
        for ox in 0..size {
            let mut u = (ox as f32 + 0.5 - half) * step;
            let v = (oy as f32 + 0.5 - half) * step;
            if region.mirror {
                u = -u;
            }
            let sx = region.cx + u * cos - v * sin - 0.5;
            let sy = region.cy + u * sin + v * cos - 0.5;
            let (x0, y0) = (sx.floor(), sy.floor());
            let (fx, fy) = (sx - x0, sy - y0);
            let (x0, y0) = (x0 as i32, y0 as i32);
            let top = at(x0, y0) * (1.0 - fx) + at(x0 + 1, y0) * fx;
            let bottom = at(x0, y0 + 1) * (1.0 - fx) + at(x0 + 1, y0 + 1) * fx;
            let value = top * (1.0 - fy) + bottom * fy;
            let n = normalise(value.round().clamp(0.0, 255.0) as u8);
            out[oy * size + ox] = photo.apply(n);
        }
    }
}

/// A chain of 2×2-halved copies, so a large region is sampled from a copy where it is at most
/// twice the window, and bilinear sampling does not alias.
#[derive(Clone, Debug)]
pub struct Octaves(pub Vec<GrayImage>);

impl Octaves {
    pub fn new(image: GrayImage) -> Self {
        Octaves(crate::gray::octaves(image, WINDOW as u32, WINDOW as u32))
    }

    pub fn width(&self) -> u32 {
        self.0[0].width()
    }

    pub fn height(&self) -> u32 {
        self.0[0].height()
    }

    /// Samples a region given in full-resolution coordinates.
    pub fn sample(&self, region: Region, photo: Photometric, out: &mut [f32]) {
        let mut level = 0;
        while level + 1 < self.0.len()
            && region.side / (1u32 << (level + 1)) as f32 >= WINDOW as f32
        {
            level += 1;
        }
        let f = (1u32 << level) as f32;
        let r = Region {
            cx: region.cx / f,
            cy: region.cy / f,
            side: region.side / f,
            ..region
        };
        sample(&self.0[level], r, photo, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_region_copies_the_window() {
        let img = GrayImage::from_fn(30, 30, |x, y| image::Luma([(x * 8 + y) as u8]));
        let mut out = vec![0.0; WINDOW_PX];
        let r = Region {
            cx: 15.0,
            cy: 15.0,
            side: 30.0,
            angle: 0.0,
            mirror: false,
        };
        sample(&img, r, Photometric::NONE, &mut out);
        for y in 0..30 {
            for x in 0..30 {
                let want = normalise(img.get_pixel(x, y).0[0]);
                assert!((out[(y * 30 + x) as usize] - want).abs() < 1e-6);
            }
        }
        sample(
            &img,
            Region { mirror: true, ..r },
            Photometric::NONE,
            &mut out,
        );
        assert!((out[0] - normalise(img.get_pixel(29, 0).0[0])).abs() < 1e-6);
    }
}
