//! Options shared by the subcommands that run the detector.

use std::path::PathBuf;

use anyhow::Context;
use facecam::detect::weights;
use facecam::{BackendKind, Detector};

/// Which weights, on which backend, with which scan settings.
#[derive(clap::Args, Debug, Clone)]
pub struct DetectorArgs {
    /// Weights file (`.bpk`, with its `.json` sidecar). Default: the bundled model.
    #[arg(long, value_name = "FILE")]
    pub weights: Option<PathBuf>,
    /// Burn backend: flex, ndarray (CPU) or wgpu (GPU).
    #[arg(long, default_value_t = BackendKind::default())]
    pub backend: BackendKind,
    /// Smallest face side to look for, pixels (below 30 upsamples). Default: the model's.
    #[arg(long, value_name = "PX")]
    pub min_face: Option<f32>,
    /// Largest face side to look for, pixels.
    #[arg(long, value_name = "PX")]
    pub max_face: Option<f32>,
    /// Ratio between pyramid levels' face sizes.
    #[arg(long)]
    pub scale_step: Option<f32>,
    /// Minimum logit to report (0 ↔ probability 0.5; may be negative to trace a ROC curve).
    #[arg(long, allow_negative_numbers = true)]
    pub threshold: Option<f32>,
    /// IoU above which NMS merges two boxes.
    #[arg(long)]
    pub nms_iou: Option<f32>,
}

impl DetectorArgs {
    /// Loads the weights and applies the overrides; errors name the file at fault.
    pub fn build(&self) -> anyhow::Result<Detector> {
        let device = self.backend.device()?;
        let (model, meta) = match &self.weights {
            Some(path) => weights::load(path, &device)
                .context("use --weights to name a file written by `facecam train`")?,
            None => weights::load_bundled(&device)?,
        };
        let mut cfg = meta.detector;
        if let Some(v) = self.min_face {
            cfg.pyramid.min_face = v;
        }
        if let Some(v) = self.max_face {
            cfg.pyramid.max_face = Some(v);
        }
        if let Some(v) = self.scale_step {
            cfg.pyramid.scale_step = v;
        }
        if let Some(v) = self.threshold {
            cfg.threshold = v;
        }
        if let Some(v) = self.nms_iou {
            cfg.nms.iou = v;
        }
        log::debug!("weights {:?} on {}", self.weights, self.backend);
        Ok(Detector::new(model, device, cfg)?)
    }
}
