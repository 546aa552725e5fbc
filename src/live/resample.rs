//! Cropping and scaling colour frames for the stills and the demo reel.

use image::RgbImage;

pub use crate::resample::Rect;
use crate::resample::{bilinear, halve};

/// Bilinear resample of `area` of `src` to `out_w × out_h`. Meant for shrinking by at most about
/// 2 (the reel's photos are stored near the output size), where bilinear does not alias.
pub fn crop_resize(src: &RgbImage, area: Rect, out_w: u32, out_h: u32) -> RgbImage {
    let pixels = bilinear::<3>(src.as_raw(), src.dimensions(), area, (out_w, out_h));
    RgbImage::from_raw(out_w, out_h, pixels).expect("bilinear sizes its output")
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
    let (mut pixels, mut size) = (src.into_raw(), (w, h));
    while size.0 >= 2 * nw && size.1 >= 2 * nh && size.0 >= 2 {
        (pixels, size) = halve::<3>(&pixels, size);
    }
    let out = bilinear::<3>(&pixels, size, Rect::full(size.0, size.1), (nw, nh));
    RgbImage::from_raw(nw, nh, out).expect("bilinear sizes its output")
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
