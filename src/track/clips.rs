//! Test clips with known tracks, made from annotated photos: a virtual camera pans and zooms
//! over each photo (with sensor noise), hard cuts join the photos, and every face box is
//! carried through the camera's transform, so the ground truth is exact.

use image::{Rgb, RgbImage};
use imageproc::geometric_transformations::{Border, Interpolation, rotate_about_center};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use super::metrics::IdBox;
use crate::boxes::BoxF;
use crate::live::resample::crop_resize;
use crate::resample::Rect;

/// A clip: frames and, per frame, the faces in view with their ids.
pub struct Clip {
    pub frames: Vec<RgbImage>,
    pub truth: Vec<Vec<IdBox>>,
}

/// Faces smaller than this in a frame are left out of the ground truth (the detector's
/// smallest face at the live defaults is 40 px; 30 leaves room for its scale steps).
pub const MIN_TRUTH_FACE: f32 = 30.0;

/// What happens in a shot besides the camera's pan and zoom and sensor noise.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Effects {
    /// The camera rolls back and forth, up to this many degrees each way.
    pub roll_deg: f32,
    /// The light changes over a shot: the gain swings between about ×0.45 and ×1.5.
    pub light: bool,
    /// A grey bar a sixth of the frame wide sweeps across each shot; faces more than half
    /// hidden leave the ground truth while they are.
    pub occluder: bool,
}

/// `frames_each` frames over each photo in turn, `size` pixels, camera moves from `seed`.
/// Faces get ids unique over the clip (photo `k`'s faces are numbered after photo `k-1`'s).
pub fn pan_zoom(
    photos: &[(RgbImage, Vec<BoxF>)],
    frames_each: usize,
    size: (u32, u32),
    seed: u64,
) -> Clip {
    with_effects(photos, frames_each, size, seed, Effects::default())
}

/// Like `pan_zoom`, with `effects` on every shot.
pub fn with_effects(
    photos: &[(RgbImage, Vec<BoxF>)],
    frames_each: usize,
    size: (u32, u32),
    seed: u64,
    effects: Effects,
) -> Clip {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut clip = Clip {
        frames: Vec::new(),
        truth: Vec::new(),
    };
    let mut first_id = 1;
    let aspect = size.0 as f32 / size.1 as f32;
    for (photo, faces) in photos {
        let full = Rect::cover(photo.width(), photo.height(), aspect);
        // Start and end views: 60–100 % of the largest view, anywhere in it.
        let view = |rng: &mut StdRng| {
            let zoom = rng.random_range(0.6..=1.0f32);
            let (w, h) = (full.w * zoom, full.h * zoom);
            Rect {
                x: full.x + rng.random_range(0.0..=1.0f32) * (full.w - w),
                y: full.y + rng.random_range(0.0..=1.0f32) * (full.h - h),
                w,
                h,
            }
        };
        let (from, to) = (view(&mut rng), view(&mut rng));
        // Each shot rolls and changes light in its own direction and phase, drawn from a
        // generator of their own so the camera moves and noise stay those of `pan_zoom`.
        let mut fx_rng = StdRng::seed_from_u64(seed ^ (0xEFFEC7 + first_id));
        let roll_sign = if fx_rng.random_bool(0.5) { 1.0 } else { -1.0 };
        let light_phase = fx_rng.random_range(0.0..std::f32::consts::TAU);
        let bar_w = size.0 as f32 / 6.0;
        for i in 0..frames_each {
            let t = i as f32 / (frames_each.max(2) - 1) as f32;
            let area = Rect::lerp(from, to, t);
            let mut frame = crop_resize(photo, area, size.0, size.1);
            let (sx, sy) = (size.0 as f32 / area.w, size.1 as f32 / area.h);
            let mut truth: Vec<IdBox> = faces
                .iter()
                .enumerate()
                .map(|(k, f)| IdBox {
                    id: first_id + k as u64,
                    x: (f.x as f32 - area.x) * sx,
                    y: (f.y as f32 - area.y) * sy,
                    w: f.w as f32 * sx,
                    h: f.h as f32 * sy,
                })
                .collect();
            let roll = roll_sign * effects.roll_deg * (std::f32::consts::TAU * t).sin();
            if roll != 0.0 {
                frame = roll_frame(&frame, roll.to_radians(), &mut truth);
            }
            if effects.light {
                let gain = 1.0 + 0.53 * (std::f32::consts::TAU * t + light_phase).sin();
                for Rgb(px) in frame.pixels_mut() {
                    for c in px.iter_mut() {
                        *c = (*c as f32 * gain).round().clamp(0.0, 255.0) as u8;
                    }
                }
            }
            if effects.occluder {
                let bar_x = -bar_w + t * (size.0 as f32 + bar_w);
                draw_bar(&mut frame, bar_x, bar_w);
                truth.retain(|b| {
                    let hidden = (b.x + b.w).min(bar_x + bar_w) - b.x.max(bar_x);
                    hidden < b.w / 2.0
                });
            }
            add_noise(&mut frame, 4.0, &mut rng);
            truth.retain(|b| {
                let (cx, cy) = (b.x + b.w / 2.0, b.y + b.h / 2.0);
                let inside = cx >= 0.0 && cy >= 0.0 && cx < size.0 as f32 && cy < size.1 as f32;
                inside && b.w >= MIN_TRUTH_FACE
            });
            clip.frames.push(frame);
            clip.truth.push(truth);
        }
        first_id += faces.len() as u64;
    }
    clip
}

/// Rotates `frame` by `theta` radians about its centre (a camera rolling) and moves the
/// boxes' centres with it; a face keeps its size (it turns in the picture, and a detector
/// boxes it upright).
fn roll_frame(frame: &RgbImage, theta: f32, boxes: &mut [IdBox]) -> RgbImage {
    let rolled = rotate_about_center(frame, theta, Interpolation::Bilinear, Border::Replicate);
    let (cx0, cy0) = (frame.width() as f32 / 2.0, frame.height() as f32 / 2.0);
    let (sin, cos) = theta.sin_cos();
    for b in boxes {
        let (dx, dy) = (b.x + b.w / 2.0 - cx0, b.y + b.h / 2.0 - cy0);
        let (cx, cy) = (cx0 + dx * cos - dy * sin, cy0 + dx * sin + dy * cos);
        b.x = cx - b.w / 2.0;
        b.y = cy - b.h / 2.0;
    }
    rolled
}

/// A flat grey bar over columns `x .. x + w` (clipped to the frame).
fn draw_bar(frame: &mut RgbImage, x: f32, w: f32) {
    let x0 = x.max(0.0).round() as u32;
    let x1 = ((x + w).max(0.0).round() as u32).min(frame.width());
    for y in 0..frame.height() {
        for x in x0..x1 {
            frame.put_pixel(x, y, Rgb([128, 128, 128]));
        }
    }
}

/// Adds zero-mean noise of about `sigma` levels (a sum of uniforms) to every channel.
fn add_noise(img: &mut RgbImage, sigma: f32, rng: &mut StdRng) {
    for Rgb(px) in img.pixels_mut() {
        for c in px.iter_mut() {
            let n: f32 = (0..3).map(|_| rng.random_range(-1.0..=1.0f32)).sum::<f32>();
            *c = (*c as f32 + n * sigma).round().clamp(0.0, 255.0) as u8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truth_follows_the_camera_and_ids_continue_across_cuts() {
        // A photo with a bright 60 px square "face" at (100, 80).
        let mut photo = RgbImage::new(400, 300);
        for y in 80..140 {
            for x in 100..160 {
                photo.put_pixel(x, y, Rgb([255, 255, 255]));
            }
        }
        let face = BoxF {
            x: 100.0,
            y: 80.0,
            w: 60.0,
            h: 60.0,
        };
        let photos = vec![(photo.clone(), vec![face]), (photo, vec![face])];
        let clip = pan_zoom(&photos, 10, (320, 240), 3);
        assert_eq!(clip.frames.len(), 20);
        for (frame, truth) in clip.frames.iter().zip(&clip.truth) {
            for b in truth {
                // The pixel at the truth box's centre is the bright square's.
                let p = frame.get_pixel((b.x + b.w / 2.0) as u32, (b.y + b.h / 2.0) as u32);
                assert!(p.0[0] > 200, "{b:?}");
            }
        }
        let ids: Vec<u64> = clip.truth.iter().flatten().map(|b| b.id).collect();
        assert!(ids.contains(&1) && ids.contains(&2), "{ids:?}");

        // Rolled and re-lit, the truth still sits on the square.
        let effects = Effects {
            roll_deg: 15.0,
            light: true,
            occluder: false,
        };
        let clip = with_effects(&photos, 40, (320, 240), 3, effects);
        for (frame, truth) in clip.frames.iter().zip(&clip.truth) {
            for b in truth {
                let p = frame.get_pixel((b.x + b.w / 2.0) as u32, (b.y + b.h / 2.0) as u32);
                assert!(p.0[0] > 100, "{b:?} {p:?}");
            }
        }
        // A sweeping bar hides it for a while.
        let clip = with_effects(
            &photos,
            40,
            (320, 240),
            3,
            Effects {
                occluder: true,
                ..effects
            },
        );
        let hidden = clip.truth.iter().filter(|t| t.is_empty()).count();
        assert!(
            (1..40).contains(&hidden),
            "{hidden} frames without the face"
        );
    }
}
