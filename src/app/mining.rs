//! Hard-negative mining in the app: marking boxes, the store, background retraining, the
//! gate, versioned models. The UI for it is in `negatives_tab.rs`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use eframe::egui;

use super::Notice;
use crate::Detection;
use crate::detect::weights::ModelMeta;
use crate::live::{Frame, LoadedModel, ModelOrigin, Pipeline};
use crate::negatives::crop;
use crate::negatives::{
    Added, GateReport, ModelVersions, NegativeMeta, NegativeStore, RetrainConfig, Retrainer,
    retrain,
};
use crate::train::TrainingData;
use crate::train::bundle;

/// Everything the mining features keep between frames.
pub struct Mining {
    /// `Err` when the store could not be opened: marking is then off, the rest works.
    pub store: Result<NegativeStore, String>,
    pub versions: ModelVersions,
    /// The bundled training set, loaded on the first retrain.
    bundle: Option<Arc<TrainingData>>,
    pub retrainer: Option<Retrainer>,
    /// The model the running round fine-tunes (its metadata goes with the result).
    base: Option<Arc<LoadedModel>>,
    /// The last round's gate figures (or why it failed).
    pub last_round: Option<Result<(GateReport, f32), String>>,
    /// Retrain automatically after this many new negatives (0 = off).
    pub auto_after: usize,
    /// Negatives marked since the last round started.
    pub new_since_round: usize,
    /// Settings of a round (epochs, learning rate, …).
    pub config: RetrainConfig,
}

impl Mining {
    /// Opens the store and the versions folder under `data_dir`.
    pub fn open(data_dir: &Path) -> Self {
        let store = NegativeStore::open(&data_dir.join("negatives")).map_err(|e| e.to_string());
        if let Err(e) = &store {
            log::warn!("negative store unavailable: {e}");
        }
        Self {
            store,
            versions: ModelVersions::new(&data_dir.join("models")),
            bundle: None,
            retrainer: None,
            base: None,
            last_round: None,
            auto_after: 0,
            new_since_round: 0,
            config: RetrainConfig::default(),
        }
    }

    /// Saves each `(frame, box)` crop as a negative. Returns a notice for the user.
    pub fn mark(
        &mut self,
        crops: &[(Frame, Detection)],
        source: &str,
        pipeline: &Pipeline,
    ) -> Notice {
        let store = match &mut self.store {
            Ok(s) => s,
            Err(e) => return Notice::Error(format!("cannot save negatives: {e}")),
        };
        let model = pipeline.models.current();
        let (mut added, mut dups) = (0, 0);
        for (frame, d) in crops {
            let meta = NegativeMeta {
                id: String::new(),
                source: source.to_owned(),
                frame_id: frame.id,
                bbox: [d.x, d.y, d.w, d.h],
                score: d.score,
                model: model.origin.to_string(),
                model_version: model.version,
                saved_at_ms: 0,
            };
            let window = crop::window(&frame.gray, d);
            let full = crop::full(&frame.rgb, d);
            match store.add(&window, &full, meta) {
                Ok(Added::New(_)) => added += 1,
                Ok(Added::Duplicate(_)) => dups += 1,
                // A full disk or a permission problem: nothing half-written, say so and stop.
                Err(e) => return Notice::Error(format!("could not save the negative: {e}")),
            }
        }
        self.new_since_round += added;
        let dup_note = if dups > 0 {
            format!(" ({dups} already stored)")
        } else {
            String::new()
        };
        Notice::Info(format!(
            "{added} negative(s) saved{dup_note}; {} in the store",
            store.len()
        ))
    }

    /// Starts a retraining round from the running model, unless one is running.
    pub fn start_round(&mut self, pipeline: &Pipeline, ctx: &egui::Context) -> Option<Notice> {
        if self.retrainer.is_some() {
            return None;
        }
        // Whatever happens next, these marks have been acted on (an automatic round that
        // cannot start must not retry on every frame).
        self.new_since_round = 0;
        let negatives = match &self.store {
            Ok(s) if !s.is_empty() => s.windows(),
            Ok(_) => return Some(Notice::Error("mark some false positives first".into())),
            Err(e) => return Some(Notice::Error(e.clone())),
        };
        let bundle = match &self.bundle {
            Some(b) => Arc::clone(b),
            None => match bundle::load_bundled() {
                Ok(b) => {
                    let b = Arc::new(b);
                    self.bundle = Some(Arc::clone(&b));
                    b
                }
                Err(e) => {
                    return Some(Notice::Error(format!(
                        "cannot load the bundled training set: {e}"
                    )));
                }
            },
        };
        let model = pipeline.models.current();
        // The gate judges at the threshold the new model will be saved with (its base's),
        // not at the live slider's, which is a view setting of this session.
        let cfg = RetrainConfig {
            threshold: model.meta.detector.threshold,
            ..self.config.clone()
        };
        let repaint = ctx.clone();
        self.base = Some(Arc::clone(&model));
        self.retrainer = Some(retrain::start(
            model.net.clone(),
            bundle,
            negatives,
            cfg,
            pipeline.models.device().clone(),
            move || repaint.request_repaint(),
        ));
        Some(Notice::Info("retraining in the background …".into()))
    }

    /// Starts a round by itself once enough new negatives came in.
    pub fn maybe_auto_round(&mut self, pipeline: &Pipeline, ctx: &egui::Context) -> Option<Notice> {
        if self.auto_after > 0 && self.new_since_round >= self.auto_after {
            return self.start_round(pipeline, ctx);
        }
        None
    }

    /// When a round has ended: gate verdict → save a new version and swap it in, or keep the
    /// old model and say why.
    pub fn finish_round(&mut self, pipeline: &Pipeline) -> Option<Notice> {
        let outcome = self.retrainer.as_mut()?.take()?;
        let started = self.retrainer.take().map(|r| r.started());
        let base = self.base.take()?;
        let outcome = match outcome {
            Ok(o) => o,
            Err(e) => {
                self.last_round = Some(Err(e.clone()));
                return Some(Notice::Error(format!("retraining stopped: {e}")));
            }
        };
        self.last_round = Some(Ok((outcome.gate.clone(), outcome.seconds)));
        if !outcome.gate.accepted {
            return Some(Notice::Error(format!(
                "kept the current model: {}",
                outcome.gate.verdict
            )));
        }
        let meta = ModelMeta {
            net: base.meta.net.clone(),
            detector: base.meta.detector.clone(),
            training: serde_json::json!({
                "fine_tuned_from": base.origin.to_string(),
                "gate": outcome.gate,
                "seconds": outcome.seconds,
                "report": outcome.train_report,
            }),
        };
        match self.versions.save_next(&outcome.net, &meta) {
            // The user switched models during the round: keep their choice.
            Ok((n, _)) if pipeline.models.current().version != base.version => {
                Some(Notice::Info(format!(
                    "saved the retrained model as v{n}; the model changed meanwhile, so it was not swapped in"
                )))
            }
            Ok((n, path)) => {
                pipeline
                    .models
                    .install(outcome.net, meta, ModelOrigin::File(path));
                // From the Retrain button to the swap, saving included.
                let seconds = started.map_or(outcome.seconds, |t| t.elapsed().as_secs_f32());
                log::info!("model v{n} swapped in {seconds:.1} s after Retrain");
                Some(Notice::Info(format!(
                    "model v{n} in use after {seconds:.1} s: {}",
                    outcome.gate.verdict
                )))
            }
            Err(e) => Some(Notice::Error(format!(
                "the new model passed the gate but could not be saved ({e}); kept the old one"
            ))),
        }
    }

    /// Loads a saved version (or the bundled model with `None`).
    pub fn use_version(&self, pipeline: &Pipeline, path: Option<&PathBuf>) -> Notice {
        match path {
            Some(p) => super::sidebar::load(pipeline, p),
            None => super::sidebar::revert(pipeline),
        }
    }
}
