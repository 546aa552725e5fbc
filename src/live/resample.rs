//! Cropping and scaling colour frames for the stills and the demo reel.

use image::RgbImage;

/// A rectangle in source pixels (floating point: the reel's pan moves by fractions of a pixel).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl Rect {
    /// Linear interpolation between two rectangles, `t` in [0, 1].
    pub fn lerp(a: Rect, b: Rect, t: f32) -> Rect {
        let m = |p: f32, q: f32| p + (q - p) * t;
        Rect {
            x: m(a.x, b.x),
            y: m(a.y, b.y),
            w: m(a.w, b.w),
            h: m(a.h, b.h),
        }
    }

    /// The largest rectangle of aspect `w : h` centred in a `width × height` image.
    pub fn cover(width: u32, height: u32, aspect: f32) -> Rect {
        let (iw, ih) = (width as f32, height as f32);
        let (w, h) = if iw / ih > aspect {
            (ih * aspect, ih)
        } else {
            (iw, iw / aspect)
        };
        Rect {
            x: (iw - w) / 2.0,
            y: (ih - h) / 2.0,
            w,
            h,
        }
    }
}

/// Bilinear resample of `area` of `src` to `out_w × out_h`. Meant for shrinking by at most about
/// 2 (the reel's photos are stored near the output size), where bilinear does not alias.
pub fn crop_resize(src: &RgbImage, area: Rect, out_w: u32, out_h: u32) -> RgbImage {
    let (sw, sh) = (src.width() as usize, src.height() as usize);
    let raw = src.as_raw();
    let (ow, oh) = (out_w as usize, out_h as usize);
    // Horizontal taps once per call: left column and weight of the right one.
    let taps: Vec<(usize, f32)> = (0..ow)
        .map(|j| {
            let x = area.x + (j as f32 + 0.5) * area.w / ow as f32 - 0.5;
            let x = x.clamp(0.0, (sw - 1) as f32);
            let x0 = (x as usize).min(sw.saturating_sub(2));
            (x0, (x - x0 as f32).min(1.0))
        })
        .collect();
    let mut out = vec![0u8; ow * oh * 3];
    for (i, row) in out.chunks_exact_mut(ow * 3).enumerate() {
        let y = area.y + (i as f32 + 0.5) * area.h / oh as f32 - 0.5;
        let y = y.clamp(0.0, (sh - 1) as f32);
        let y0 = (y as usize).min(sh.saturating_sub(2));
        let fy = (y - y0 as f32).min(1.0);
        let r0 = &raw[y0 * sw * 3..];
        let r1 = &raw[(y0 + (sh > 1) as usize) * sw * 3..];
        for (px, &(x0, fx)) in row.chunks_exact_mut(3).zip(&taps) {
            let x1 = x0 + (sw > 1) as usize;
            for c in 0..3 {
                let top = r0[x0 * 3 + c] as f32 * (1.0 - fx) + r0[x1 * 3 + c] as f32 * fx;
                let bottom = r1[x0 * 3 + c] as f32 * (1.0 - fx) + r1[x1 * 3 + c] as f32 * fx;
                px[c] = (top + (bottom - top) * fy + 0.5) as u8;
            }
        }
    }
    RgbImage::from_raw(out_w, out_h, out).expect("buffer sized from the output dimensions")
}

/// Scales `src` down (never up) so it fits in `max_w × max_h`, keeping its aspect.
pub fn fit_within(src: RgbImage, max_w: u32, max_h: u32) -> RgbImage {
    let (w, h) = src.dimensions();
    if w <= max_w && h <= max_h {
        return src;
    }
    let s = (max_w as f32 / w as f32).min(max_h as f32 / h as f32);
    let (nw, nh) = (
        ((w as f32 * s).round() as u32).max(1),
        ((h as f32 * s).round() as u32).max(1),
    );
    // Halve first while more than 2× too big, so bilinear never skips pixels.
    let mut img = src;
    while img.width() >= 2 * nw && img.height() >= 2 * nh && img.width() >= 2 {
        img = image::imageops::resize(
            &img,
            img.width() / 2,
            img.height() / 2,
            image::imageops::FilterType::Triangle,
        );
    }
    let full = Rect {
        x: 0.0,
        y: 0.0,
        w: img.width() as f32,
        h: img.height() as f32,
    };
    crop_resize(&img, full, nw, nh)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    #[test]
    fn resampling_the_whole_image_at_its_own_size_is_the_identity() {
        let img = RgbImage::from_fn(7, 5, |x, y| Rgb([(x * 30) as u8, (y * 40) as u8, 9]));
        let full = Rect {
            x: 0.0,
            y: 0.0,
            w: 7.0,
            h: 5.0,
        };
        assert_eq!(crop_resize(&img, full, 7, 5), img);
    }

    #[test]
    fn a_crop_shows_the_part_it_names() {
        // Left half black, right half white: a crop of the right half is all white.
        let img = RgbImage::from_fn(40, 20, |x, _| Rgb([if x >= 20 { 255 } else { 0 }; 3]));
        let right = Rect {
            x: 22.0,
            y: 0.0,
            w: 18.0,
            h: 20.0,
        };
        let out = crop_resize(&img, right, 9, 10);
        assert!(out.pixels().all(|p| p.0 == [255; 3]));
    }

    #[test]
    fn cover_keeps_the_aspect_and_stays_inside() {
        let r = Rect::cover(1000, 500, 4.0 / 3.0);
        assert!((r.w / r.h - 4.0 / 3.0).abs() < 1e-4);
        assert!(r.x >= 0.0 && r.x + r.w <= 1000.0 && r.h == 500.0);
        let fitted = fit_within(RgbImage::new(2000, 1000), 640, 480);
        assert_eq!(fitted.dimensions(), (640, 320));
    }
}
