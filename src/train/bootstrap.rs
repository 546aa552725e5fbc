//! Bootstrapping (Sung & Poggio 1994; Rowley, Baluja & Kanade 1998): run the current model
//! over face-free scenes; everything it fires on is a false positive and becomes a negative.

use std::sync::atomic::{AtomicBool, Ordering};

use burn::tensor::Device;
use serde::Serialize;

use super::data::Scene;
use super::warp::{Photometric, Region, WINDOW_PX};
use crate::detect::model::FaceNet;
use crate::detect::nms::NmsConfig;
use crate::detect::pyramid::PyramidConfig;
use crate::detect::{Detector, DetectorConfig};
use crate::error::{Error, Result};

/// How false positives are mined.
#[derive(Clone, Debug, Serialize)]
pub struct MiningConfig {
    /// Scan settings; a threshold below the deployed one also catches near misses.
    pub detector: DetectorConfig,
    /// At most this many (the highest-scoring) false positives per scene.
    pub per_scene: usize,
    /// The mined pool keeps at most this many windows (the newest).
    pub pool_cap: usize,
    /// Scenes scanned per round, drawn afresh each round (0 = all): with thousands of
    /// face-free images, many cheap rounds over changing subsets mine more than few full ones.
    pub scenes_per_round: usize,
}

impl Default for MiningConfig {
    fn default() -> Self {
        Self {
            detector: DetectorConfig {
                pyramid: PyramidConfig {
                    scale_step: 1.25,
                    min_face: 16.0,
                    max_face: None,
                },
                threshold: -1.0,
                nms: NmsConfig {
                    iou: 0.5,
                    containment: 2.0,
                    average: false,
                    support_floor: None,
                },
            },
            per_scene: 40,
            pool_cap: 60_000,
            scenes_per_round: 1200,
        }
    }
}

/// The windows `model` scores as faces on `scenes`, ready to train on as negatives.
pub fn mine_false_positives(
    model: &FaceNet,
    device: &Device,
    scenes: &[&Scene],
    cfg: &MiningConfig,
    progress: &mut dyn FnMut(usize, usize),
    cancel: &AtomicBool,
) -> Result<Vec<f32>> {
    let detector = Detector::new(model.clone(), device.clone(), cfg.detector.clone())?;
    let mut out = Vec::new();
    for (i, scene) in scenes.iter().enumerate() {
        if cancel.load(Ordering::Relaxed) {
            return Err(Error::Cancelled);
        }
        let found = detector.detect(scene.image()); // best first
        for d in found.iter().take(cfg.per_scene) {
            let region = Region {
                cx: d.x + d.w / 2.0,
                cy: d.y + d.h / 2.0,
                side: d.w,
                angle: 0.0,
                mirror: false,
            };
            let start = out.len();
            out.resize(start + WINDOW_PX, 0.0);
            scene
                .octaves
                .sample(region, Photometric::NONE, &mut out[start..]);
        }
        progress(i + 1, scenes.len());
    }
    Ok(out)
}
