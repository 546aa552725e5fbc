//! False positives per million windows on face-free images, by kind of content (photos,
//! text and graphics, textures): the figure a cascade is designed around (Viola & Jones
//! report theirs the same way), and the one that says which kind of negative is missing.

use serde::Serialize;

use crate::detect::Detector;
use crate::train::data::{Scene, SceneKind};

/// One kind's tally.
#[derive(Clone, Debug, Serialize)]
pub struct KindFalsePositives {
    pub kind: SceneKind,
    pub images: usize,
    /// Windows scored: every score-map cell of every pyramid level.
    pub windows: u64,
    /// Windows at or above the detector's threshold (all false: the images have no face).
    pub windows_fired: u64,
    /// Boxes left after NMS.
    pub boxes: usize,
}

impl KindFalsePositives {
    pub fn per_million(&self) -> f64 {
        self.windows_fired as f64 * 1e6 / self.windows.max(1) as f64
    }

    pub fn boxes_per_image(&self) -> f64 {
        self.boxes as f64 / self.images.max(1) as f64
    }
}

/// Runs `detector` over every scene and tallies by kind (kinds in a fixed order, empty ones
/// left out).
pub fn false_positives_by_kind(detector: &Detector, scenes: &[Scene]) -> Vec<KindFalsePositives> {
    let kinds = [SceneKind::Photo, SceneKind::Graphics, SceneKind::Texture];
    let mut out: Vec<KindFalsePositives> = kinds
        .iter()
        .map(|&kind| KindFalsePositives {
            kind,
            images: 0,
            windows: 0,
            windows_fired: 0,
            boxes: 0,
        })
        .collect();
    let threshold = detector.config().threshold;
    for scene in scenes {
        let Some(tally) = out.iter_mut().find(|t| t.kind == scene.kind) else {
            continue;
        };
        let maps = detector.score_maps(scene.image());
        tally.images += 1;
        for (_, map) in &maps {
            tally.windows += map.logits.len() as u64;
            tally.windows_fired += map.logits.iter().filter(|&&v| v >= threshold).count() as u64;
        }
        tally.boxes += detector.boxes_from(&maps).len();
    }
    out.retain(|t| t.images > 0);
    out
}
