//! Cutting a marked box out of a frame: the 30×30 window the network saw, and the colour crop.

use image::{GrayImage, RgbImage};

use crate::Detection;
use crate::detect::model::WINDOW;
use crate::train::warp::{Octaves, Photometric, Region, WINDOW_PX};

/// The box's square window resampled to 30×30, the detector's input resolution, with the same
/// anti-aliased sampler the trainer uses (so training on it matches what the detector saw).
pub fn window(gray: &GrayImage, d: &Detection) -> GrayImage {
    let side = d.w.max(d.h).max(1.0);
    let (cx, cy) = (d.x + d.w / 2.0, d.y + d.h / 2.0);
    // Sample from a crop around the box (with a margin for the bilinear taps), not the frame.
    let margin = side * 0.1 + 2.0;
    let x0 = (cx - side / 2.0 - margin).floor().max(0.0) as u32;
    let y0 = (cy - side / 2.0 - margin).floor().max(0.0) as u32;
    let x1 = ((cx + side / 2.0 + margin).ceil() as u32).min(gray.width());
    let y1 = ((cy + side / 2.0 + margin).ceil() as u32).min(gray.height());
    let crop = image::imageops::crop_imm(
        gray,
        x0,
        y0,
        x1.saturating_sub(x0).max(1),
        y1.saturating_sub(y0).max(1),
    )
    .to_image();
    let region = Region {
        cx: cx - x0 as f32,
        cy: cy - y0 as f32,
        side,
        angle: 0.0,
        mirror: false,
    };
    let mut values = vec![0.0; WINDOW_PX];
    Octaves::new(crop).sample(region, Photometric::NONE, &mut values);
    let pixels = values
        .iter()
        .map(|v| ((v + 0.5) * 255.0).round().clamp(0.0, 255.0) as u8)
        .collect();
    GrayImage::from_raw(WINDOW as u32, WINDOW as u32, pixels)
        .expect("900 pixels make a 30×30 image")
}

/// The box in full colour at frame resolution, clipped to the frame.
pub fn full(rgb: &RgbImage, d: &Detection) -> RgbImage {
    let x0 = d.x.max(0.0).floor() as u32;
    let y0 = d.y.max(0.0).floor() as u32;
    let x1 = ((d.x + d.w).ceil().max(0.0) as u32).min(rgb.width());
    let y1 = ((d.y + d.h).ceil().max(0.0) as u32).min(rgb.height());
    let x0 = x0.min(x1.saturating_sub(1));
    let y0 = y0.min(y1.saturating_sub(1));
    image::imageops::crop_imm(rgb, x0, y0, (x1 - x0).max(1), (y1 - y0).max(1)).to_image()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::model::normalise;

    #[test]
    fn the_window_is_what_the_network_scores_for_that_box() {
        // A frame with a bright square; a box exactly around it at 60 px gives a 30×30 window
        // that is bright in the middle and dark at the edges.
        let gray = GrayImage::from_fn(200, 150, |x, y| {
            image::Luma([if (80..120).contains(&x) && (50..90).contains(&y) {
                250
            } else {
                10
            }])
        });
        let d = Detection {
            x: 70.0,
            y: 40.0,
            w: 60.0,
            h: 60.0,
            score: 1.0,
        };
        let w = window(&gray, &d);
        assert_eq!(w.dimensions(), (30, 30));
        assert!(w.get_pixel(15, 15).0[0] > 240);
        assert!(w.get_pixel(1, 1).0[0] < 20);
        // Round trip through the normalisation keeps values within one grey level.
        let n = normalise(w.get_pixel(15, 15).0[0]);
        assert!(((n + 0.5) * 255.0 - w.get_pixel(15, 15).0[0] as f32).abs() < 1.0);
    }

    #[test]
    fn crops_are_clipped_to_the_frame() {
        let rgb = RgbImage::new(100, 80);
        let d = Detection {
            x: -20.0,
            y: 60.0,
            w: 50.0,
            h: 50.0,
            score: 0.0,
        };
        assert_eq!(full(&rgb, &d).dimensions(), (30, 20));
        let w = window(&GrayImage::new(100, 80), &d);
        assert_eq!(w.dimensions(), (30, 30));
    }
}
