//! Composite validation scenes: held-out faces pasted onto held-out face-free scenes at known
//! places and sizes, with their boxes written out in the shared box format.
//!
//! The face crop is blended in with a soft elliptical mask, so the detector cannot key on a
//! square seam; the box written is the canonical face window (eyes at the same place as in
//! training), like the dlib boxes.

use std::path::Path;

use image::GrayImage;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::atomic::{write_atomic, write_png};
use crate::error::{Error, Result};
use crate::train::TrainingData;

/// How many scenes and faces to compose.
#[derive(Clone, Debug)]
pub struct CompositeConfig {
    pub seed: u64,
    pub scenes: usize,
    pub faces_per_scene: std::ops::RangeInclusive<usize>,
    /// Face box side range, pixels.
    pub face_size: std::ops::RangeInclusive<f32>,
}

impl Default for CompositeConfig {
    fn default() -> Self {
        Self {
            seed: 7,
            scenes: 40,
            faces_per_scene: 1..=4,
            face_size: 24.0..=120.0,
        }
    }
}

/// Writes `out/scene_NNN.png`, `out/boxes.txt` and `out/images.txt`; returns the face count.
pub fn compose(data: &TrainingData, cfg: &CompositeConfig, out: &Path) -> Result<usize> {
    if data.val_faces.is_empty() || data.val_scenes.is_empty() {
        return Err(Error::NoData(
            "no held-out faces or scenes to compose".into(),
        ));
    }
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    let (mut boxes, mut images) = (String::new(), String::new());
    let mut total = 0;
    for s in 0..cfg.scenes {
        let scene = &data.val_scenes[s % data.val_scenes.len()];
        let mut canvas = crate::train::data::shrink_to(scene.image().clone(), 640);
        let n = rng.random_range(cfg.faces_per_scene.clone());
        let mut placed: Vec<(f32, f32, f32)> = Vec::new();
        for _ in 0..n * 10 {
            if placed.len() == n {
                break;
            }
            let max = (*cfg.face_size.end()).min(canvas.width().min(canvas.height()) as f32 * 0.6);
            let side = rng.random_range(*cfg.face_size.start()..=max.max(*cfg.face_size.start()));
            let x = rng.random_range(0.0..=(canvas.width() as f32 - side).max(0.0));
            let y = rng.random_range(0.0..=(canvas.height() as f32 - side).max(0.0));
            // Keep faces apart: no overlap with a margin.
            if placed.iter().any(|&(px, py, ps)| {
                x < px + ps * 1.2 && px < x + side * 1.2 && y < py + ps * 1.2 && py < y + side * 1.2
            }) {
                continue;
            }
            let face = &data.val_faces[rng.random_range(0..data.val_faces.len())];
            paste(&mut canvas, face, x, y, side);
            placed.push((x, y, side));
        }
        let name = format!("scene_{s:03}.png");
        write_png(&out.join(&name), canvas)?;
        images.push_str(&format!("{name}\n"));
        for (x, y, side) in &placed {
            boxes.push_str(&format!("{name} {x:.1} {y:.1} {side:.1} {side:.1}\n"));
        }
        total += placed.len();
    }
    write_atomic(&out.join("boxes.txt"), boxes.as_bytes())?;
    write_atomic(&out.join("images.txt"), images.as_bytes())?;
    Ok(total)
}

/// Blends the face's canonical window (scaled to `side` and given a margin of context) into
/// `canvas` at (x, y), with a feathered ellipse as the mask.
fn paste(canvas: &mut GrayImage, face: &crate::train::faces::Face, x: f32, y: f32, side: f32) {
    let r = face.region;
    let src = &face.image;
    // Map canvas pixel → source pixel: the face window's side `side` ↔ `r.side`.
    let k = r.side / side;
    let margin = side * 0.15;
    let (x0, y0) = (
        (x - margin).floor().max(0.0) as u32,
        (y - margin).floor().max(0.0) as u32,
    );
    let x1 = ((x + side + margin).ceil() as u32).min(canvas.width());
    let y1 = ((y + side + margin).ceil() as u32).min(canvas.height());
    let (cx, cy) = (x + side / 2.0, y + side / 2.0);
    let (ax, ay) = (side * 0.5, side * 0.6); // ellipse semi-axes: the face and its outline
    for py in y0..y1 {
        for px in x0..x1 {
            let (dx, dy) = ((px as f32 + 0.5 - cx) / ax, (py as f32 + 0.5 - cy) / ay);
            let d = (dx * dx + dy * dy).sqrt();
            let alpha = ((1.0 - d) / 0.25).clamp(0.0, 1.0); // feathered edge
            if alpha == 0.0 {
                continue;
            }
            let sx = r.cx + (px as f32 + 0.5 - cx) * k - 0.5;
            let sy = r.cy + (py as f32 + 0.5 - cy) * k - 0.5;
            if sx < 0.0
                || sy < 0.0
                || sx > (src.width() - 1) as f32
                || sy > (src.height() - 1) as f32
            {
                continue;
            }
            let (ix, iy) = (sx as u32, sy as u32);
            let (fx, fy) = (sx - ix as f32, sy - iy as f32);
            let g = |x: u32, y: u32| {
                src.get_pixel(x.min(src.width() - 1), y.min(src.height() - 1))
                    .0[0] as f32
            };
            let v = (g(ix, iy) * (1.0 - fx) + g(ix + 1, iy) * fx) * (1.0 - fy)
                + (g(ix, iy + 1) * (1.0 - fx) + g(ix + 1, iy + 1) * fx) * fy;
            let p = canvas.get_pixel_mut(px, py);
            p.0[0] = (p.0[0] as f32 * (1.0 - alpha) + v * alpha)
                .round()
                .clamp(0.0, 255.0) as u8;
        }
    }
}
