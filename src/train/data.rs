//! Everything the trainer draws examples from, loaded once.

use std::path::{Path, PathBuf};

use image::GrayImage;
use serde::Serialize;

use super::faces::{Face, file_name, load_faces, load_or_warn};
use super::split::{SCENE_HOLDOUT, is_held_out};
use super::synth;
use super::warp::{Octaves, Photometric, Region, WINDOW_PX};
use crate::atomic::TEMP_SUFFIX;
use crate::error::{Error, Result};
use crate::gray::{image_files, is_image_file, resize};

/// Scenes larger than this (longest side, px) are shrunk on load: faces in them would be
/// larger than any the detector needs to reject, and it keeps memory and mining time bounded.
const MAX_SCENE_SIDE: u32 = 1024;

/// Face-free scene folders under `nonfaces/scenes/` used for negatives, with the kind of
/// content each holds (false positives are reported per kind). `dogs.jpg` is left out on
/// purpose: it is the false-positive probe.
pub const SCENE_FOLDERS: [(&str, SceneKind); 7] = [
    ("wu_sun", SceneKind::Photo),
    ("mate_nature", SceneKind::Photo),
    ("skimage_sklearn", SceneKind::Photo),
    ("seo_photos", SceneKind::Photo),
    ("scene15", SceneKind::Photo),
    ("seo_web", SceneKind::Graphics),
    ("dtd10", SceneKind::Texture),
];

/// What a face-free scene shows: the three kinds fool a face detector in different ways.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum SceneKind {
    /// Photographs of streets, rooms, nature, machines.
    Photo,
    /// Text, charts, maps, screenshots, clip art, engravings.
    Graphics,
    /// Close-up textures.
    Texture,
}

impl SceneKind {
    /// The kind of a scene named `folder/file` (a photo if the folder is not a known one).
    pub fn of_name(name: &str) -> Self {
        let folder = name.split('/').next().unwrap_or("");
        SCENE_FOLDERS
            .iter()
            .find(|(f, _)| *f == folder)
            .map_or(SceneKind::Photo, |&(_, kind)| kind)
    }
}

/// Synthetic pages (`synth`) `train` adds to the training scenes by default: about as many
/// as the real text/graphics images. Held-out figures stay on real images only.
pub const SYNTHETIC_PAGES: usize = 1000;
const SYNTHETIC_SEED: u64 = 0x5e_7e47;
const SYNTHETIC_PREFIX: &str = "synthetic/";

/// Ready-made non-face patches under `nonfaces/`.
const PATCH_FOLDERS: [&str; 2] = ["cbcl_24", "lfw_subset_25"];

/// A face-free scene, with octaves for alias-free sampling.
#[derive(Clone, Debug)]
pub struct Scene {
    pub name: String,
    pub kind: SceneKind,
    pub octaves: Octaves,
}

impl Scene {
    pub fn image(&self) -> &GrayImage {
        &self.octaves.0[0]
    }
}

/// All examples, split into training and held-out parts.
pub struct TrainingData {
    pub faces: Vec<Face>,
    pub val_faces: Vec<Face>,
    pub scenes: Vec<Scene>,
    pub val_scenes: Vec<Scene>,
    /// Ready non-face windows (900 normalised values each), training part.
    pub patches: Vec<f32>,
    /// Ready non-face windows, held-out part.
    pub val_patches: Vec<f32>,
    /// User-marked hard negatives (`--negatives DIR`), always trained on.
    pub user_negatives: Vec<f32>,
    /// Hard negatives mined earlier (the bundled set carries the shipped model's), the
    /// starting pool of the bootstrapping: fine-tuning rehearses them instead of forgetting.
    pub hard_negatives: Vec<f32>,
}

/// Counts that go into the model's JSON sidecar.
#[derive(Clone, Debug, Serialize)]
pub struct DataSummary {
    pub faces: usize,
    pub val_faces: usize,
    pub scenes: usize,
    /// Of `scenes`, how many are synthetic pages.
    pub synthetic_scenes: usize,
    pub val_scenes: usize,
    pub patches: usize,
    pub val_patches: usize,
    pub user_negatives: usize,
    pub hard_negatives: usize,
}

impl TrainingData {
    /// Loads `root` (the layout of `shared/data`).
    pub fn load(root: &Path) -> Result<Self> {
        let (faces, val_faces) = load_faces(&root.join("faces"))?;
        let (scenes, val_scenes) = load_scenes(&root.join("nonfaces/scenes"))?;
        let (patches, val_patches) = load_patches(&root.join("nonfaces"))?;
        Ok(Self {
            faces,
            val_faces,
            scenes,
            val_scenes,
            patches,
            val_patches,
            user_negatives: Vec::new(),
            hard_negatives: Vec::new(),
        })
    }

    /// Adds the user's negatives (900 normalised values per window, as `NegativeStore`
    /// holds them).
    pub fn with_user_negatives(mut self, windows: Vec<f32>) -> Self {
        self.user_negatives = windows;
        self
    }

    /// Adds the first `n` synthetic pages (`synth`) to the training scenes, as kind
    /// `Graphics`, named `synthetic/NNNN`.
    pub fn with_synthetic_pages(mut self, n: usize) -> Self {
        let pages = synthetic_pages(n).into_iter().enumerate();
        self.scenes.extend(pages.map(|(i, page)| Scene {
            name: format!("{SYNTHETIC_PREFIX}{i:04}"),
            kind: SceneKind::Graphics,
            octaves: Octaves::new(page),
        }));
        self
    }

    pub fn summary(&self) -> DataSummary {
        DataSummary {
            faces: self.faces.len(),
            val_faces: self.val_faces.len(),
            scenes: self.scenes.len(),
            synthetic_scenes: self
                .scenes
                .iter()
                .filter(|s| s.name.starts_with(SYNTHETIC_PREFIX))
                .count(),
            val_scenes: self.val_scenes.len(),
            patches: self.patches.len() / WINDOW_PX,
            val_patches: self.val_patches.len() / WINDOW_PX,
            user_negatives: self.user_negatives.len() / WINDOW_PX,
            hard_negatives: self.hard_negatives.len() / WINDOW_PX,
        }
    }
}

/// The first `n` of the synthetic pages the trainer uses.
pub fn synthetic_pages(n: usize) -> Vec<GrayImage> {
    synth::pages(n, SYNTHETIC_SEED)
}

fn load_scenes(dir: &Path) -> Result<(Vec<Scene>, Vec<Scene>)> {
    let (mut train, mut held) = (Vec::new(), Vec::new());
    for (folder, kind) in SCENE_FOLDERS {
        let sub = dir.join(folder);
        if !sub.is_dir() {
            log::warn!("scene folder {} is missing; skipped", sub.display());
            continue;
        }
        // The newer sets keep their images in `images/` beside a SOURCE.txt.
        let sub = if sub.join("images").is_dir() {
            sub.join("images")
        } else {
            sub
        };
        for path in image_files(&sub)? {
            let Some(image) = load_or_warn(&path) else {
                continue;
            };
            let name = format!("{folder}/{}", file_name(&path));
            let scene = Scene {
                octaves: Octaves::new(shrink_to(image, MAX_SCENE_SIDE)),
                name: name.clone(),
                kind,
            };
            if is_held_out(&name, SCENE_HOLDOUT) {
                held.push(scene);
            } else {
                train.push(scene);
            }
        }
    }
    if train.is_empty() {
        return Err(Error::NoData(format!(
            "no face-free scenes under {}",
            dir.display()
        )));
    }
    Ok((train, held))
}

/// Shrinks an image so that its longest side is at most `max`.
pub fn shrink_to(image: GrayImage, max: u32) -> GrayImage {
    let long = image.width().max(image.height());
    if long <= max {
        return image;
    }
    let f = max as f32 / long as f32;
    let w = ((image.width() as f32 * f).round() as u32).max(1);
    let h = ((image.height() as f32 * f).round() as u32).max(1);
    resize(&image, w, h)
}

/// A whole small image as one window (centred square, resampled to 30×30).
fn whole_window(image: &GrayImage, out: &mut Vec<f32>) {
    let side = image.width().min(image.height()) as f32;
    let region = Region {
        cx: image.width() as f32 / 2.0,
        cy: image.height() as f32 / 2.0,
        side,
        angle: 0.0,
        mirror: false,
    };
    let start = out.len();
    out.resize(start + WINDOW_PX, 0.0);
    Octaves::new(image.clone()).sample(region, Photometric::NONE, &mut out[start..]);
}

fn load_patches(dir: &Path) -> Result<(Vec<f32>, Vec<f32>)> {
    let (mut train, mut held) = (Vec::new(), Vec::new());
    for folder in PATCH_FOLDERS {
        let sub = dir.join(folder);
        if !sub.is_dir() {
            continue;
        }
        for path in image_files(&sub)? {
            let Some(image) = load_or_warn(&path) else {
                continue;
            };
            let name = format!("{folder}/{}", file_name(&path));
            let out = if is_held_out(&name, SCENE_HOLDOUT) {
                &mut held
            } else {
                &mut train
            };
            whole_window(&image, out);
        }
    }
    Ok((train, held))
}

/// Every image file under `dir` (recursively) as one window: the user's marked negatives.
/// Half-written files (`*.partial`) are ignored.
pub fn load_windows_recursive(dir: &Path) -> Result<Vec<f32>> {
    if !dir.is_dir() {
        return Err(Error::NoData(format!(
            "negatives folder {} does not exist",
            dir.display()
        )));
    }
    let mut stack: Vec<PathBuf> = vec![dir.to_path_buf()];
    let mut files = Vec::new();
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)
            .map_err(|e| Error::io(&d, e))?
            .flatten()
        {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if !file_name(&p).ends_with(TEMP_SUFFIX) {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut out = Vec::new();
    for path in files {
        if is_image_file(&path)
            && let Some(img) = load_or_warn(&path)
        {
            whole_window(&img, &mut out);
        }
    }
    Ok(out)
}
