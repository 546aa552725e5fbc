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

    /// Random contrast ×[0.35, 1.4] and brightness ±0.15.
    pub fn random(rng: &mut impl rand::Rng) -> Self {
        Self {
            gain: rng.random_range(0.35..1.4),
            offset: rng.random_range(-0.15..0.15),
        }
    }

    /// Applies the change to one normalised value (in [-0.5, 0.5]).
    #[inline]
    pub fn apply(&self, v: f32) -> f32 {
        (v * self.gain + self.offset).clamp(-0.5, 0.5)
    }
}

/// Scan-like and low-resolution looks, applied to a whole sampled window: the faces in
/// scanned newspapers and group photos are 16–28 px, blurred, noisy and tone-mapped, and the
/// pyramid upsamples them to 30 px. A low-resolution window is blurred and noised at its own
/// size before it is blown up, as a small face's optics and grain act before the pyramid
/// enlarges them (coarse, blotchy noise and wide blur, not the fine grain of a large face).
/// Negatives get the same treatment at the same rate, so a degraded look is never a cue for
/// "face".
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Degradation {
    /// Side the window is shrunk to and blown back up from (30 = not at all).
    pub low_res: usize,
    /// Gaussian blur σ in pixels at the `low_res` side (0 = none).
    pub blur: f32,
    /// Gamma applied to the [0, 1] grey level (1 = none).
    pub gamma: f32,
    /// Standard deviation of added noise, normalised units, per pixel at the `low_res` side
    /// (0 = none).
    pub noise: f32,
    /// Seed of the noise.
    pub noise_seed: u64,
}

impl Degradation {
    pub const NONE: Degradation = Degradation {
        low_res: WINDOW,
        blur: 0.0,
        gamma: 1.0,
        noise: 0.0,
        noise_seed: 0,
    };

    /// Each effect independently, about 3 windows in 10 untouched.
    pub fn random(rng: &mut impl rand::Rng) -> Self {
        let mut d = Self::NONE;
        // Two in five: most of the faces the hard pages lose are 16–24 px (README, "Measured").
        if rng.random_bool(0.4) {
            d.low_res = rng.random_range(13..=22);
        }
        if rng.random_bool(0.2) {
            d.blur = rng.random_range(0.4..1.2);
        }
        if rng.random_bool(0.25) {
            d.gamma = rng.random_range(0.6..1.7);
        }
        if rng.random_bool(0.2) {
            d.noise = rng.random_range(0.005..0.04);
            d.noise_seed = rng.random();
        }
        d
    }

    /// Applies the effects in the order a camera and a scanner would, at the resolution the
    /// face had: down to `low_res`, optics (blur), tone curve, noise, then up to 30 px as the
    /// pyramid would. `w`: one 30×30 normalised window.
    pub fn apply(&self, w: &mut [f32]) {
        debug_assert_eq!(w.len(), WINDOW_PX);
        if *self == Self::NONE {
            return;
        }
        let side = self.low_res.clamp(1, WINDOW);
        let mut shrunk = (side < WINDOW).then(|| resample(w, WINDOW, side));
        // The window at the face's own resolution, [side × side]: the shrunk copy, or `w`.
        let small: &mut [f32] = match shrunk.as_mut() {
            Some(s) => s,
            None => w,
        };
        if self.blur > 0.0 {
            blur(small, side, self.blur);
        }
        if self.gamma != 1.0 {
            for v in small.iter_mut() {
                *v = (*v + 0.5).clamp(0.0, 1.0).powf(self.gamma) - 0.5;
            }
        }
        if self.noise > 0.0 {
            use rand::SeedableRng;
            let mut rng = rand::rngs::StdRng::seed_from_u64(self.noise_seed);
            for v in small.iter_mut() {
                // Sum of two uniforms: a cheap bell with standard deviation `noise`.
                let n: f32 = rng.random_range(-1.0..1.0f32) + rng.random_range(-1.0..1.0f32);
                *v = (*v + n * self.noise * 1.2247).clamp(-0.5, 0.5);
            }
        }
        if let Some(s) = &shrunk {
            w.copy_from_slice(&resample(s, side, WINDOW));
        }
    }
}

/// Separable Gaussian blur of a `side × side` square, border repeated.
fn blur(w: &mut [f32], side: usize, sigma: f32) {
    let r = (2.0 * sigma).ceil() as i32;
    let taps: Vec<f32> = (-r..=r)
        .map(|d| (-(d * d) as f32 / (2.0 * sigma * sigma)).exp())
        .collect();
    let sum: f32 = taps.iter().sum();
    let n = side as i32;
    let pass = |src: &[f32], dst: &mut [f32], horizontal: bool| {
        for y in 0..n {
            for x in 0..n {
                let mut acc = 0.0;
                for (k, t) in taps.iter().enumerate() {
                    let d = k as i32 - r;
                    let (sx, sy) = if horizontal {
                        ((x + d).clamp(0, n - 1), y)
                    } else {
                        (x, (y + d).clamp(0, n - 1))
                    };
                    acc += t * src[(sy * n + sx) as usize];
                }
                dst[(y * n + x) as usize] = acc / sum;
            }
        }
    };
    let mut tmp = vec![0.0; side * side];
    pass(w, &mut tmp, true);
    pass(&tmp, w, false);
}

/// Resamples a `from × from` square to `to × to`: area-averaging down, bilinear up (as the
/// pyramid upsamples a small face).
fn resample(src: &[f32], from: usize, to: usize) -> Vec<f32> {
    let ratio = from as f32 / to as f32;
    let mut out = vec![0.0; to * to];
    if to < from {
        for oy in 0..to {
            for ox in 0..to {
                let (y0, y1) = (oy as f32 * ratio, (oy + 1) as f32 * ratio);
                let (x0, x1) = (ox as f32 * ratio, (ox + 1) as f32 * ratio);
                let (mut acc, mut area) = (0.0, 0.0);
                for sy in y0.floor() as usize..(y1.ceil() as usize).min(from) {
                    let wy = (y1.min(sy as f32 + 1.0) - y0.max(sy as f32)).max(0.0);
                    for sx in x0.floor() as usize..(x1.ceil() as usize).min(from) {
                        let wx = (x1.min(sx as f32 + 1.0) - x0.max(sx as f32)).max(0.0);
                        acc += wx * wy * src[sy * from + sx];
                        area += wx * wy;
                    }
                }
                out[oy * to + ox] = acc / area.max(1e-6);
            }
        }
    } else {
        let last = (from - 1) as f32;
        for oy in 0..to {
            let sy = ((oy as f32 + 0.5) * ratio - 0.5).clamp(0.0, last);
            let (y0, fy) = (sy.floor() as usize, sy.fract());
            let y1 = (y0 + 1).min(from - 1);
            for ox in 0..to {
                let sx = ((ox as f32 + 0.5) * ratio - 0.5).clamp(0.0, last);
                let (x0, fx) = (sx.floor() as usize, sx.fract());
                let x1 = (x0 + 1).min(from - 1);
                let top = src[y0 * from + x0] * (1.0 - fx) + src[y0 * from + x1] * fx;
                let bottom = src[y1 * from + x0] * (1.0 - fx) + src[y1 * from + x1] * fx;
                out[oy * to + ox] = top * (1.0 - fy) + bottom * fy;
            }
        }
    }
    out
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

    #[test]
    fn a_small_window_gets_its_noise_at_its_own_resolution() {
        // Noise added at 15 px and blown up to 30 is coarse: neighbouring window pixels move
        // together. Added at 30 px, they move independently.
        let roughness = |low_res: usize| {
            let mut w = vec![0.0; WINDOW_PX];
            Degradation {
                low_res,
                noise: 0.04,
                noise_seed: 5,
                ..Degradation::NONE
            }
            .apply(&mut w);
            let spread = (w.iter().map(|v| v * v).sum::<f32>() / WINDOW_PX as f32).sqrt();
            let steps: f32 = w
                .chunks_exact(WINDOW)
                .flat_map(|row| row.windows(2).map(|p| (p[1] - p[0]).abs()))
                .sum::<f32>()
                / (WINDOW * (WINDOW - 1)) as f32;
            (spread, steps / spread)
        };
        let (fine_spread, fine) = roughness(WINDOW);
        let (coarse_spread, coarse) = roughness(15);
        assert!(
            fine_spread > 0.03 && coarse_spread > 0.015,
            "{fine_spread} {coarse_spread}"
        );
        assert!(
            coarse < 0.6 * fine,
            "step/spread {coarse} at 15 px, {fine} at 30 px"
        );
    }

    #[test]
    fn degradations_keep_a_flat_window_flat_and_blur_edges_at_the_small_size() {
        for low_res in 13..=22 {
            let mut flat = vec![0.1; WINDOW_PX];
            Degradation {
                low_res,
                blur: 1.0,
                ..Degradation::NONE
            }
            .apply(&mut flat);
            assert!(flat.iter().all(|v| (v - 0.1).abs() < 1e-4), "{low_res}");
        }
        // A vertical step edge: how many pixels of a row lie between its two levels.
        let ramp = |low_res: usize, blur: f32| {
            let mut edge: Vec<f32> = (0..WINDOW_PX)
                .map(|i| if i % WINDOW < 15 { -0.4 } else { 0.4 })
                .collect();
            Degradation {
                low_res,
                blur,
                ..Degradation::NONE
            }
            .apply(&mut edge);
            let row = &edge[10 * WINDOW..11 * WINDOW];
            assert!(row[0] < -0.3 && row[WINDOW - 1] > 0.3, "{row:?}");
            row.iter().filter(|v| v.abs() < 0.3).count()
        };
        let (sharp, shrunk) = (ramp(WINDOW, 0.0), ramp(15, 0.0));
        let (blurred, blurred_small) = (ramp(WINDOW, 1.0), ramp(15, 1.0));
        assert_eq!(sharp, 0);
        // σ = 1 at 15 px is σ = 2 in window pixels: a wider ramp than σ = 1 at 30 px or the
        // shrinking alone.
        assert!(
            blurred_small > blurred && blurred_small > shrunk && blurred > sharp,
            "sharp {sharp}, shrunk {shrunk}, blurred {blurred}, blurred at 15 px {blurred_small}"
        );
        // NONE changes nothing.
        let mut w: Vec<f32> = (0..WINDOW_PX).map(|i| (i % 7) as f32 / 20.0).collect();
        let before = w.clone();
        Degradation::NONE.apply(&mut w);
        assert_eq!(w, before);
    }
}
