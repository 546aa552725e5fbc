//! The face crops of `shared/data/faces`, aligned to one framing.
//!
//! The four sets frame faces differently (head with margin, brows to mouth, …). Each is
//! described by where the mean face's eyes are; every crop is then cut so that the eyes land
//! where the detector's window expects them: eye centre at (15, 10.5) of 30×30, eyes 12 px
//! apart — a box from the brows to below the chin, like the dlib and WIDER face boxes.

use std::path::{Path, PathBuf};

use image::GrayImage;

use super::split::{FACE_HOLDOUT, is_held_out};
use super::warp::Region;
use crate::error::{Error, Result};
use crate::gray::{image_files, load_gray};

/// Loads an image, or logs why it cannot and returns `None` (one bad file never stops a run).
pub fn load_or_warn(path: &Path) -> Option<GrayImage> {
    match load_gray(path) {
        Ok(img) => Some(img),
        Err(e) => {
            log::warn!("{e}; skipped");
            None
        }
    }
}

/// Where the mean face's eyes sit in one face set (measured on its mean image).
#[derive(Clone, Copy, Debug)]
pub struct Framing {
    pub folder: &'static str,
    /// Midpoint between the eyes, pixels.
    pub eye_x: f32,
    pub eye_y: f32,
    /// Distance between the eyes, pixels.
    pub eye_distance: f32,
    /// Largest window side as a multiple of the crop's shorter side: tight crops would need
    /// more context than they have, and beyond this the repeated border would dominate.
    pub max_side: f32,
    /// Crops darker than this mean grey level are skipped (Yale B lit from behind is black).
    pub min_mean: f32,
}

/// The face sets under `faces/` and their framings.
pub const FRAMINGS: [Framing; 5] = [
    Framing {
        folder: "caltech_webfaces_36",
        eye_x: 18.0,
        eye_y: 13.5,
        eye_distance: 10.0,
        max_side: 1.1,
        min_mean: 0.0,
    },
    Framing {
        folder: "cbcl_24",
        eye_x: 12.0,
        eye_y: 6.5,
        eye_distance: 10.0,
        max_side: 1.1,
        min_mean: 0.0,
    },
    Framing {
        folder: "orl_64",
        eye_x: 32.0,
        eye_y: 17.5,
        eye_distance: 30.0,
        max_side: 1.1,
        min_mean: 0.0,
    },
    Framing {
        folder: "lfw_subset_25",
        eye_x: 12.5,
        eye_y: 8.5,
        eye_distance: 10.0,
        max_side: 1.1,
        min_mean: 0.0,
    },
    // Extended Yale B, 84×96 brows-to-chin crops under 64 light directions: the faces that
    // teach lighting. The crop is tighter than the window, so the window is capped at 1.25×
    // its width (faces ~15 % closer than canonical, inside the scale jitter).
    Framing {
        folder: "extyaleb_84x96",
        eye_x: 42.0,
        eye_y: 23.0,
        eye_distance: 50.0,
        max_side: 1.25,
        min_mean: 25.0,
    },
];

/// Photos with a box file (`image x y w h`, dlib-made boxes, which frame faces the way the
/// canonical window does) under `faces/`.
pub const BOXED_SETS: [&str; 1] = ["yalefaces"];

/// Eye midpoint and eye distance in the canonical 30×30 window.
pub const CANON_EYE_Y: f32 = 10.5;
pub const CANON_EYE_DISTANCE: f32 = 12.0;

impl Framing {
    /// The square region of a `w`×`h` crop that is the canonical window. The side is capped
    /// at 1.1× the crop, so at most a thin border is repeated.
    pub fn region(&self, w: u32, h: u32) -> Region {
        let s = self.eye_distance / CANON_EYE_DISTANCE; // source px per window px
        let side = (30.0 * s).min(self.max_side * w.min(h) as f32);
        let s = side / 30.0;
        Region {
            cx: self.eye_x,
            cy: self.eye_y + (15.0 - CANON_EYE_Y) * s,
            side,
            angle: 0.0,
            mirror: false,
        }
    }
}

/// One face crop and its canonical window.
#[derive(Clone, Debug)]
pub struct Face {
    pub path: PathBuf,
    pub image: GrayImage,
    pub region: Region,
}

/// Loads every face under `faces_dir`, split into (training, held-out) by file name.
/// Unreadable files are logged and skipped.
pub fn load_faces(faces_dir: &Path) -> Result<(Vec<Face>, Vec<Face>)> {
    let (mut train, mut held) = (Vec::new(), Vec::new());
    for framing in FRAMINGS {
        let dir = faces_dir.join(framing.folder);
        if !dir.is_dir() {
            log::warn!("face set {} is missing; skipped", dir.display());
            continue;
        }
        for path in image_files(&dir)? {
            let Some(image) = load_or_warn(&path) else {
                continue;
            };
            if mean_grey(&image) < framing.min_mean {
                continue;
            }
            let region = framing.region(image.width(), image.height());
            let name = format!("{}/{}", framing.folder, file_name(&path));
            let face = Face {
                path,
                image,
                region,
            };
            split_by_name(face, &name, &mut train, &mut held);
        }
    }
    for set in BOXED_SETS {
        let boxes = faces_dir.join(set).join("boxes.txt");
        if !boxes.is_file() {
            log::warn!("face set {} is missing; skipped", boxes.display());
            continue;
        }
        for (path, region) in boxed_faces(&boxes)? {
            let Some(image) = load_or_warn(&path) else {
                continue;
            };
            let name = format!("{set}/{}", file_name(&path));
            let face = Face {
                path,
                image,
                region,
            };
            split_by_name(face, &name, &mut train, &mut held);
        }
    }
    if train.is_empty() {
        return Err(Error::NoData(format!(
            "no face crops under {}",
            faces_dir.display()
        )));
    }
    Ok((train, held))
}

/// Puts `face` into the held-out or the training part, by its `set/file` name.
fn split_by_name(face: Face, name: &str, train: &mut Vec<Face>, held: &mut Vec<Face>) {
    if is_held_out(name, FACE_HOLDOUT) {
        held.push(face);
    } else {
        train.push(face);
    }
}

/// Every square box of a box file as (image path, canonical window). Lines that do not parse
/// are logged and skipped.
fn boxed_faces(box_file: &Path) -> Result<Vec<(PathBuf, Region)>> {
    let text = std::fs::read_to_string(box_file).map_err(|e| Error::io(box_file, e))?;
    let dir = box_file.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split_whitespace().collect();
        let nums: Option<Vec<f32>> = f
            .get(1..5)
            .and_then(|v| v.iter().map(|x| x.parse().ok()).collect());
        match (f.first(), nums.as_deref()) {
            (Some(name), Some(&[x, y, w, h])) if w > 0.0 && h > 0.0 => out.push((
                dir.join(name),
                Region {
                    cx: x + w / 2.0,
                    cy: y + h / 2.0,
                    side: (w + h) / 2.0,
                    angle: 0.0,
                    mirror: false,
                },
            )),
            _ => log::warn!("{}: bad box line {line:?}; skipped", box_file.display()),
        }
    }
    Ok(out)
}

/// Mean grey level of an image.
fn mean_grey(image: &GrayImage) -> f32 {
    let raw = image.as_raw();
    raw.iter().map(|&p| p as u64).sum::<u64>() as f32 / raw.len().max(1) as f32
}

pub fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caltech_framing_puts_the_eyes_where_the_window_wants_them() {
        let r = FRAMINGS[0].region(36, 36);
        // Side = 30 · 10/12 = 25; eyes 10.5/30 of the side below the top edge.
        assert!((r.side - 25.0).abs() < 1e-4);
        let top = r.cy - r.side / 2.0;
        assert!((13.5 - top - 10.5 * r.side / 30.0).abs() < 1e-4);
    }

    #[test]
    fn box_files_give_canonical_windows_and_skip_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("boxes.txt");
        std::fs::write(&file, "a.png 10 20 30 30\nbroken line\nb.png 0 0 -4 4\n").unwrap();
        let faces = boxed_faces(&file).unwrap();
        assert_eq!(faces.len(), 1);
        let (path, r) = &faces[0];
        assert_eq!(path, &dir.path().join("a.png"));
        assert_eq!((r.cx, r.cy, r.side), (25.0, 35.0, 30.0));
    }

    #[test]
    fn oversized_framings_are_capped() {
        let r = FRAMINGS[2].region(64, 64); // ORL would need 75 px
        assert!((r.side - 70.4).abs() < 1e-3);
    }
}
