//! The one entry point: gray image in, merged face boxes out.

use std::sync::Arc;

use burn::tensor::{Device, Tensor, TensorData};
use image::GrayImage;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::model::{FaceNet, HostWeights, WINDOW, host_values, is_host};
use super::nms::{Detection, NmsConfig, nms};
use super::pyramid::{self, LevelSpec, PyramidConfig};
use super::scan::{self, ScoreMap};
use crate::error::{Error, Result};

/// Pyramids up to this many pixels (16 MB as f32: a 640×480 frame at min face 20, a 720p
/// one at 40) keep every level's input for one batched rescoring; larger ones (big stills)
/// rescore level by level, so memory stays at a few levels' worth.
const BATCHED_PIXELS: usize = 4_000_000;

/// Everything that decides which boxes come out, apart from the weights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DetectorConfig {
    pub pyramid: PyramidConfig,
    /// Minimum logit a window needs to become a candidate (0 ↔ probability 0.5). Any value is
    /// allowed, so that a low one can trace a full ROC curve.
    pub threshold: f32,
    pub nms: NmsConfig,
}

impl Default for DetectorConfig {
    fn default() -> Self {
        Self {
            pyramid: PyramidConfig::default(),
            threshold: 0.0,
            nms: NmsConfig::default(),
        }
    }
}

impl DetectorConfig {
    /// Checks every field once, so the detector never has to.
    pub fn validate(&self) -> Result<()> {
        self.pyramid.validate()?;
        if !self.threshold.is_finite() {
            return Err(Error::Config(format!(
                "threshold must be a finite logit, got {}",
                self.threshold
            )));
        }
        if !(self.nms.iou > 0.0 && self.nms.iou <= 1.0) {
            return Err(Error::Config(format!(
                "NMS IoU must be in (0, 1], got {}",
                self.nms.iou
            )));
        }
        if self.nms.support_floor.is_some_and(|f| !f.is_finite()) {
            return Err(Error::Config(
                "NMS support floor must be a finite logit".into(),
            ));
        }
        // Above 1 it never triggers (the documented way to turn it off); 0 or less would
        // suppress every box that touches a better one.
        if !(self.nms.containment.is_finite() && self.nms.containment > 0.0) {
            return Err(Error::Config(format!(
                "NMS containment must be a positive share, got {}",
                self.nms.containment
            )));
        }
        Ok(())
    }
}

/// A face detector: weights on a device plus a validated configuration.
#[derive(Debug, Clone)]
pub struct Detector {
    model: FaceNet,
    /// The model's weights read back once, on a CPU backend (`HostStage` says why); shared
    /// by the detectors `with_config` makes.
    host: Option<Arc<HostWeights>>,
    device: Device,
    config: DetectorConfig,
}

impl Detector {
    /// Wraps a model; fails on an invalid configuration.
    pub fn new(model: FaceNet, device: Device, config: DetectorConfig) -> Result<Self> {
        config.validate()?;
        Ok(Self {
            host: is_host(&device).then(|| Arc::new(model.host_weights())),
            model,
            device,
            config,
        })
    }

    pub fn config(&self) -> &DetectorConfig {
        &self.config
    }

    pub fn model(&self) -> &FaceNet {
        &self.model
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The same model with another configuration, without reading its weights again (the
    /// tracker makes one per searched region per frame).
    pub fn with_config(&self, config: DetectorConfig) -> Result<Self> {
        config.validate()?;
        Ok(Self {
            config,
            ..self.clone()
        })
    }

    /// Replaces the configuration (validated first; the old one stays on error).
    pub fn set_config(&mut self, config: DetectorConfig) -> Result<()> {
        config.validate()?;
        self.config = config;
        Ok(())
    }

    /// Finds faces: pyramid → score maps → candidates → NMS.
    pub fn detect(&self, image: &GrayImage) -> Vec<Detection> {
        self.boxes_from(&self.score_maps(image))
    }

    /// Candidates above the threshold on every level, merged by NMS. Split from `detect` so
    /// the live view can show the score maps it drew the boxes from.
    ///
    /// With a support floor, windows from the floor up are candidates too (they may back a
    /// stronger neighbour); only merged boxes that reach the threshold come out.
    pub fn boxes_from(&self, maps: &[(LevelSpec, ScoreMap)]) -> Vec<Detection> {
        let threshold = self.config.threshold;
        let floor = self
            .config
            .nms
            .support_floor
            .map_or(threshold, |f| f.min(threshold));
        let mut candidates = Vec::new();
        for (spec, map) in maps {
            scan::candidates(map, spec, floor, &mut candidates);
        }
        let mut kept = nms(candidates, &self.config.nms);
        kept.retain(|d| d.score >= threshold);
        kept
    }

    /// The network's logits on every pyramid level (what the heat-map overlay shows).
    ///
    /// Levels run as parallel tasks on the rayon pool, each resampled inside its task: the
    /// small levels are too small for the backend to split one convolution across cores, but
    /// many of them can run side by side. A cascade's second stage then rescores the candidates
    /// of every level in one batch (faster: README, "Measured"), which holds every level's
    /// input until then; pyramids over `BATCHED_PIXELS` rescore level by level instead.
    pub fn score_maps(&self, image: &GrayImage) -> Vec<(LevelSpec, ScoreMap)> {
        self.score_maps_batching_up_to(image, BATCHED_PIXELS)
    }

    /// `score_maps`, rescoring all levels in one batch only for pyramids of at most
    /// `batched_pixels` (a parameter so a test can take the other path on a small image).
    fn score_maps_batching_up_to(
        &self,
        image: &GrayImage,
        batched_pixels: usize,
    ) -> Vec<(LevelSpec, ScoreMap)> {
        let specs = self.config.pyramid.levels(image.width(), image.height());
        let octaves = pyramid::octaves(image, &specs);
        let pixels: usize = specs.iter().map(|s| (s.width * s.height) as usize).sum();
        let (model, host) = (&self.model, self.host.as_deref());
        if !model.is_cascade() || pixels > batched_pixels {
            return specs
                .into_par_iter()
                .map(|spec| {
                    let level = pyramid::level(&octaves, &spec);
                    let input = scan::image_tensor(&level, &self.device); // [1, 1, h, w]
                    let logits = model.infer_with(input, host); // [1, 1, h', w']
                    (spec, scan::score_map(host_values(logits), &level))
                })
                .collect();
        }
        let (levels, inputs): (Vec<_>, Vec<_>) = specs
            .into_par_iter()
            .map(|spec| {
                let level = pyramid::level(&octaves, &spec);
                let pixels = scan::image_pixels(&level); // [1, 1, h, w]
                let first = model.infer_first(pixels.to_tensor(&self.device), host); // [1, 1, h', w']
                ((spec, level), (pixels, first))
            })
            .unzip();
        let logits = model.rescore(inputs, host); // one [1, 1, h', w'] per level
        levels
            .into_iter()
            .zip(logits)
            .map(|((spec, level), logits)| (spec, scan::score_map(host_values(logits), &level)))
            .collect()
    }

    /// Scores a batch of 30×30 windows given as normalised pixels, 900 per window.
    pub fn score_windows(&self, windows: &[f32]) -> Vec<f32> {
        score_windows_with(&self.model, self.host.as_deref(), windows, &self.device)
    }
}

/// Scores `windows.len() / 900` normalised 30×30 windows in batches; returns their logits.
pub fn score_windows(model: &FaceNet, windows: &[f32], device: &Device) -> Vec<f32> {
    let host = is_host(device).then(|| model.host_weights());
    score_windows_with(model, host.as_ref(), windows, device)
}

/// `score_windows` with the model's host weights, if the caller has read them.
fn score_windows_with(
    model: &FaceNet,
    host: Option<&HostWeights>,
    windows: &[f32],
    device: &Device,
) -> Vec<f32> {
    const BATCH: usize = 512;
    let px = WINDOW * WINDOW;
    let mut out = Vec::with_capacity(windows.len() / px);
    for chunk in windows.chunks(BATCH * px) {
        let n = chunk.len() / px;
        let input = Tensor::<4>::from_data(
            TensorData::new(chunk[..n * px].to_vec(), [n, 1, WINDOW, WINDOW]),
            device,
        );
        out.extend(host_values(model.infer_with(input, host))); // [n, 1, 1, 1]
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{FaceNetConfig, SecondStageConfig};

    #[test]
    fn a_cascade_batched_over_levels_scores_each_level_as_alone() {
        let device = Device::flex();
        // Every window passes the gate, so the candidates of all levels fill more than one
        // second-stage batch and every level holds some.
        let second = SecondStageConfig {
            channels: [4, 8, 8],
            gate: -1e9,
            mirror: true,
            peaks_only: false,
            lcn_floor: None,
            members: 1,
        };
        let model = FaceNetConfig::new()
            .init(&device)
            .with_second_stage(second, &device);
        let image = GrayImage::from_fn(160, 120, |x, y| {
            image::Luma([((x * 7 + y * 13 + (x * y) % 17) % 256) as u8])
        });
        let config = DetectorConfig {
            pyramid: PyramidConfig {
                min_face: 20.0,
                ..PyramidConfig::default()
            },
            ..DetectorConfig::default()
        };
        let detector = Detector::new(model.clone(), device.clone(), config).expect("valid");
        let maps = detector.score_maps(&image);
        assert!(maps.len() >= 5, "{} levels", maps.len());
        let specs: Vec<LevelSpec> = maps.iter().map(|(spec, _)| *spec).collect();
        let octaves = pyramid::octaves(&image, &specs);
        let mut cells = 0;
        for (spec, map) in &maps {
            let level = pyramid::level(&octaves, spec);
            let alone = host_values(model.infer(scan::image_tensor(&level, &device)));
            assert_eq!(map.logits, alone, "level {}×{}", spec.width, spec.height);
            cells += alone.len();
        }
        assert!(cells > 256, "only {cells} windows rescored: one batch");

        // Level by level (the path of pyramids over BATCHED_PIXELS): the same maps.
        let unbatched = detector.score_maps_batching_up_to(&image, 0);
        assert_eq!(unbatched.len(), maps.len());
        for ((spec, map), (_, alone)) in maps.iter().zip(&unbatched) {
            assert_eq!(
                map.logits, alone.logits,
                "level {}×{}",
                spec.width, spec.height
            );
        }
    }

    #[test]
    fn with_config_detects_as_a_new_detector_with_that_config() {
        let device = Device::flex();
        let model = FaceNetConfig::new().init(&device);
        let image = GrayImage::from_fn(120, 90, |x, y| {
            image::Luma([((x * 5 + y * 11) % 256) as u8])
        });
        let detector =
            Detector::new(model.clone(), device.clone(), DetectorConfig::default()).expect("valid");
        let config = DetectorConfig {
            threshold: -3.0,
            ..DetectorConfig::default()
        };
        let fresh = Detector::new(model, device, config.clone()).expect("valid");
        let derived = detector.with_config(config).expect("valid");
        assert_eq!(derived.config().threshold, -3.0);
        let found = fresh.detect(&image);
        assert!(
            !found.is_empty(),
            "an untrained net passes windows at logit −3"
        );
        assert_eq!(derived.detect(&image), found);
        let bad = DetectorConfig {
            threshold: f32::NAN,
            ..DetectorConfig::default()
        };
        assert!(detector.with_config(bad).is_err());
    }

    #[test]
    fn support_lets_weak_neighbours_lift_a_box_but_none_comes_out_below_the_threshold() {
        let device = Device::flex();
        let model = FaceNetConfig::new().init(&device);
        // One level at scale 1: cells 4 px apart, 30 px windows (IoU of neighbours ≈ 0.76).
        let spec = LevelSpec {
            width: 50,
            height: 34,
            scale_x: 1.0,
            scale_y: 1.0,
        };
        #[rustfmt::skip]
        let logits = vec![
            0.8, 0.6, -5.0, -5.0, -5.0, -5.0,
            -1.5, -2.5, -5.0, -5.0, -5.0, -0.5,
        ];
        let maps = vec![(
            spec,
            ScoreMap {
                width: 6,
                height: 2,
                logits,
            },
        )];
        let config = |support_floor| DetectorConfig {
            threshold: 1.0,
            nms: NmsConfig {
                support_floor,
                ..NmsConfig::default()
            },
            ..DetectorConfig::default()
        };
        let plain = Detector::new(model.clone(), device.clone(), config(None)).expect("valid");
        assert!(plain.boxes_from(&maps).is_empty(), "no window reaches 1.0");
        let voting = Detector::new(model, device, config(Some(-2.0))).expect("valid");
        let found = voting.boxes_from(&maps);
        // 0.8 backed by 0.6 and -1.5 (not by -2.5, below the floor); the lone -0.5 stays out.
        assert_eq!(found.len(), 1, "{found:?}");
        let p = |s: f32| 1.0 / (1.0 + (-s).exp());
        let want = 0.8 + ((p(0.6) + p(-1.5)) / p(0.8)).ln_1p();
        assert!(
            (found[0].score - want).abs() < 1e-5,
            "{} vs {want}",
            found[0].score
        );
        let bad = config(Some(f32::INFINITY));
        assert!(bad.validate().is_err());
    }
}
