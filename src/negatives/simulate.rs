//! The scripted check of in-app mining: a simulated user marks every detection on some
//! face-free frames as false, one retraining round runs, and the figures before and after are
//! compared on *other* face-free frames and on face scenes.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use burn::tensor::Device;
use image::GrayImage;
use serde::Serialize;

use super::retrain::{RetrainConfig, retrain};
use super::store::{NegativeMeta, NegativeStore};
use super::{GateReport, crop};
use crate::Detector;
use crate::atomic::write_atomic;
use crate::boxes::{self, BoxF, BoxMap, ScoredBox};
use crate::detect::weights;
use crate::error::{Error, Result};
use crate::eval::evaluate;
use crate::gray::{load_gray, resize};
use crate::scenes::{CompositeConfig, compose};
use crate::train::data::SceneKind;
use crate::train::{TrainingData, bundle};

/// The simulated user's limits.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// At most this many marks (the "≤ 50").
    pub max_marks: usize,
    /// Frames are scaled to fit this, like a webcam's.
    pub frame_size: (u32, u32),
    /// The round's settings (its threshold is taken from the model).
    pub retrain: RetrainConfig,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            max_marks: 50,
            frame_size: (640, 480),
            retrain: RetrainConfig::default(),
        }
    }
}

/// Before/after figures.
#[derive(Clone, Debug, Serialize)]
pub struct SimReport {
    pub marked_frames: usize,
    pub marks: usize,
    pub other_frames: usize,
    pub other_fp_before: usize,
    pub other_fp_after: usize,
    pub face_scenes: usize,
    pub faces: usize,
    pub detection_rate_before: f64,
    pub detection_rate_after: f64,
    pub gate: GateReport,
    /// Wall time of the round: fine-tuning plus the gate.
    pub retrain_seconds: f32,
}

/// The file that marks a folder as `mining-sim`'s own scratch space.
const WORK_MARKER: &str = ".facecam-mining-sim";

/// Makes `work` ready for a run: a new or empty folder becomes the scratch folder; one made
/// by an earlier run has its old store cleared; any other folder is refused, so a mistyped
/// `--work` never deletes a user's files.
pub fn prepare_work(work: &Path) -> Result<()> {
    let marker = work.join(WORK_MARKER);
    if marker.exists() {
        let store = work.join("negatives");
        return match std::fs::remove_dir_all(&store) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(&store, e)),
            _ => Ok(()),
        };
    }
    let empty = match std::fs::read_dir(work) {
        Ok(mut entries) => entries.next().is_none(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
        Err(e) => return Err(Error::io(work, e)),
    };
    if !empty {
        return Err(Error::Config(format!(
            "{} is not empty and was not made by mining-sim; name a new folder with --work",
            work.display()
        )));
    }
    std::fs::create_dir_all(work).map_err(|e| Error::io(work, e))?;
    write_atomic(
        &marker,
        b"scratch folder of `facecam mining-sim`; safe to delete\n",
    )
}

/// Runs the check with the bundled model and training set in `work`, a scratch folder (see
/// `prepare_work`) that receives the store and the composite scenes.
pub fn run(data_root: &Path, work: &Path, cfg: &SimConfig, device: &Device) -> Result<SimReport> {
    prepare_work(work)?;
    let (net, meta) = weights::load_bundled(device)?;
    let detector = Detector::new(net.clone(), device.clone(), meta.detector.clone())?;
    let data = TrainingData::load(data_root)?;

    // Held-out face-free photos (what a webcam sees: rooms, streets, clutter; not text or
    // textures), alternately "marked" and "other" frames. All of them, not a handful: a
    // good model makes few mistakes per frame, and a count of a few on 18 frames measured
    // little more than chance. (A scene folder `SceneKind` does not know counts as photos.)
    let frames: Vec<GrayImage> = data
        .val_scenes
        .iter()
        .filter(|s| s.kind == SceneKind::Photo)
        .map(|s| fit(s.image(), cfg.frame_size))
        .collect();
    let (marked, other): (Vec<_>, Vec<_>) =
        frames.iter().enumerate().partition(|(i, _)| i % 2 == 0);

    let mut store = NegativeStore::open(&work.join("negatives"))?;
    let mut marked_frames = 0;
    'frames: for (i, frame) in &marked {
        let found = detector.detect(frame);
        if found.is_empty() {
            continue;
        }
        marked_frames += 1;
        let rgb = image::DynamicImage::ImageLuma8((*frame).clone()).into_rgb8();
        for d in &found {
            if store.len() >= cfg.max_marks {
                break 'frames;
            }
            let meta = NegativeMeta {
                id: String::new(),
                source: format!("held-out scene {i}"),
                frame_id: *i as u64,
                bbox: [d.x, d.y, d.w, d.h],
                score: d.score,
                model: "bundled".into(),
                model_version: 0,
                saved_at_ms: 0,
            };
            store.add(&crop::window(frame, d), &crop::full(&rgb, d), meta)?;
        }
    }

    let composite = work.join("composite");
    compose(&data, &CompositeConfig::default(), &composite)?;
    let face_sets = [
        (
            data_root.join("scenes/dlib/boxes.txt"),
            data_root.join("scenes/dlib"),
        ),
        (composite.join("boxes.txt"), composite.clone()),
    ];

    let count_fps = |d: &Detector| other.iter().map(|(_, f)| d.detect(f).len()).sum::<usize>();
    let other_fp_before = count_fps(&detector);
    let (dr_before, faces, face_scenes) = detection_rate(&detector, &face_sets)?;

    let bundle = bundle::load_bundled()?;
    let rcfg = RetrainConfig {
        threshold: meta.detector.threshold,
        ..cfg.retrain.clone()
    };
    let outcome = retrain(
        &net,
        &bundle,
        &store.windows(),
        &rcfg,
        device,
        &mut |_| {},
        &AtomicBool::new(false),
    )?;
    let after = Detector::new(outcome.net, device.clone(), detector.config().clone())?;
    let (dr_after, _, _) = detection_rate(&after, &face_sets)?;
    Ok(SimReport {
        marked_frames,
        marks: store.len(),
        other_frames: other.len(),
        other_fp_before,
        other_fp_after: count_fps(&after),
        face_scenes,
        faces,
        detection_rate_before: dr_before,
        detection_rate_after: dr_after,
        gate: outcome.gate,
        retrain_seconds: outcome.seconds,
    })
}

/// Share of the faces in the box files found at the detector's threshold (centre rule).
fn detection_rate(
    detector: &Detector,
    sets: &[(std::path::PathBuf, std::path::PathBuf)],
) -> Result<(f64, usize, usize)> {
    let (mut gt_all, mut dets) = (BoxMap::new(), Vec::new());
    for (k, (box_file, root)) in sets.iter().enumerate() {
        for (name, faces) in boxes::read_boxes(box_file)? {
            let key = format!("{k}/{name}");
            for d in detector.detect(&load_gray(&root.join(&name))?) {
                dets.push(ScoredBox {
                    image: key.clone(),
                    rect: BoxF {
                        x: d.x as f64,
                        y: d.y as f64,
                        w: d.w as f64,
                        h: d.h as f64,
                    },
                    score: d.score as f64,
                });
            }
            gt_all.insert(key, faces);
        }
    }
    let report = evaluate(&dets, &gt_all, &BoxMap::new(), &BTreeSet::new());
    Ok((report.max_dr, report.gt_faces, gt_all.len()))
}

fn fit(img: &GrayImage, (w, h): (u32, u32)) -> GrayImage {
    let s = (w as f32 / img.width() as f32).min(h as f32 / img.height() as f32);
    if s >= 1.0 {
        return img.clone();
    }
    resize(
        img,
        ((img.width() as f32 * s).round() as u32).max(1),
        ((img.height() as f32 * s).round() as u32).max(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_work_folder_must_be_new_empty_or_its_own() {
        let dir = tempfile::tempdir().unwrap();
        // A user's folder with files in it is refused and left as it was.
        let users = dir.path().join("photos");
        std::fs::create_dir_all(users.join("negatives")).unwrap();
        std::fs::write(users.join("negatives/keep.txt"), b"mine").unwrap();
        let err = prepare_work(&users).unwrap_err().to_string();
        assert!(err.contains("not made by mining-sim"), "{err}");
        assert!(users.join("negatives/keep.txt").exists());

        // A new folder becomes a scratch folder; a second run clears only its old store.
        let work = dir.path().join("sim");
        prepare_work(&work).unwrap();
        std::fs::create_dir_all(work.join("negatives")).unwrap();
        std::fs::write(work.join("negatives/old.png"), b"x").unwrap();
        std::fs::create_dir_all(work.join("composite")).unwrap();
        prepare_work(&work).unwrap();
        assert!(!work.join("negatives").exists());
        assert!(work.join("composite").exists());
    }
}
