//! Composite validation scenes: held-out faces pasted onto held-out face-free scenes at known
//! places and sizes, with their boxes written out in the shared box format.
//!
//! The face crop is blended in with a soft elliptical mask, so the detector cannot key on a
//! square seam; the box written is the canonical face window (eyes at the same place as in
//! training), like the dlib boxes.

pub mod insets;

use std::path::Path;

use image::GrayImage;
use image::codecs::jpeg::JpegEncoder;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::atomic::{write_atomic, write_png};
use crate::error::{Error, Result};
use crate::train::TrainingData;
use crate::train::data::{Scene, SceneKind};

/// How many scenes and faces to compose.
#[derive(Clone, Debug)]
pub struct CompositeConfig {
    pub seed: u64,
    pub scenes: usize,
    pub faces_per_scene: std::ops::RangeInclusive<usize>,
    /// Face box side range, pixels.
    pub face_size: std::ops::RangeInclusive<f32>,
    /// Hard scenes, made to look like the scanned photos detectors fail on: backgrounds of
    /// every kind (text and graphics first), small faces, and a scan-like degradation of the
    /// whole page (blur, tone curve, lower contrast, noise, JPEG).
    pub hard: bool,
}

impl Default for CompositeConfig {
    fn default() -> Self {
        Self {
            seed: 7,
            scenes: 40,
            faces_per_scene: 1..=4,
            face_size: 24.0..=120.0,
            hard: false,
        }
    }
}

impl CompositeConfig {
    /// The hard benchmark's settings: 80 pages, 2–6 faces each, 16–48 px.
    pub fn hard(seed: u64) -> Self {
        Self {
            seed,
            scenes: 80,
            faces_per_scene: 2..=6,
            face_size: 16.0..=48.0,
            hard: true,
        }
    }
}

/// The held-out scenes a hard benchmark draws from: text and graphics half the time, then
/// photos, then textures (what fools a detector, most first).
fn pick_hard_scene<'a>(scenes: &'a [Scene], rng: &mut StdRng) -> &'a Scene {
    let roll = rng.random::<f32>();
    let want = if roll < 0.5 {
        SceneKind::Graphics
    } else if roll < 0.85 {
        SceneKind::Photo
    } else {
        SceneKind::Texture
    };
    let of_kind: Vec<&Scene> = scenes.iter().filter(|s| s.kind == want).collect();
    if of_kind.is_empty() {
        &scenes[rng.random_range(0..scenes.len())]
    } else {
        of_kind[rng.random_range(0..of_kind.len())]
    }
}

/// A whole-page scan look: blur, a tone curve with lowered contrast, noise, JPEG at low quality.
fn degrade_page(canvas: GrayImage, rng: &mut StdRng) -> Result<GrayImage> {
    let (w, h) = canvas.dimensions();
    let sigma = rng.random_range(0.0..1.0f32);
    let blurred = if sigma > 0.3 {
        image::imageops::blur(&canvas, sigma)
    } else {
        canvas
    };
    let gamma = rng.random_range(0.7..1.5f32);
    let contrast = rng.random_range(0.45..1.0f32);
    let noise = rng.random_range(0.0..6.0f32);
    let mut raw = blurred.into_raw();
    for p in raw.iter_mut() {
        let v = (*p as f32 / 255.0).powf(gamma);
        let v = 0.5 + (v - 0.5) * contrast;
        let n = (rng.random::<f32>() + rng.random::<f32>() - 1.0) * noise * 2.45;
        *p = (v * 255.0 + n).round().clamp(0.0, 255.0) as u8;
    }
    let page = GrayImage::from_raw(w, h, raw).expect("same size");
    let quality = rng.random_range(35..80u8);
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, quality)
        .encode_image(&page)
        .map_err(|e| Error::Config(format!("JPEG encoding of a composite page: {e}")))?;
    let decoded = image::load_from_memory(&jpeg)
        .map_err(|e| Error::Config(format!("JPEG decoding of a composite page: {e}")))?;
    Ok(decoded.into_luma8())
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
        let scene = if cfg.hard {
            pick_hard_scene(&data.val_scenes, &mut rng)
        } else {
            &data.val_scenes[s % data.val_scenes.len()]
        };
        let mut canvas = crate::train::data::shrink_to(scene.image().clone(), 640);
        let n = rng.random_range(cfg.faces_per_scene.clone());
        let mut placed: Vec<(f32, f32, f32)> = Vec::new();
        for _ in 0..n * 10 {
            if placed.len() == n {
                break;
            }
            let max = (*cfg.face_size.end()).min(canvas.width().min(canvas.height()) as f32 * 0.6);
            let min = *cfg.face_size.start();
            // Hard pages: log-uniform sizes, so small faces are as common as in a group photo.
            let side = if cfg.hard {
                min * (max.max(min) / min).powf(rng.random::<f32>())
            } else {
                rng.random_range(min..=max.max(min))
            };
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
        let canvas = if cfg.hard {
            degrade_page(canvas, &mut rng)?
        } else {
            canvas
        };
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
