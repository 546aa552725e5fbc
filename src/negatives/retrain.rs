//! Fine-tuning on the user's negatives, in the background, ending in the validation gate.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Instant;

use burn::tensor::Device;

use super::gate::{self, GateReport};
use crate::FaceNet;
use crate::error::{Error, Result};
use crate::train::{TrainConfig, TrainEvent, TrainingData, train};

/// Settings of one retraining round: short and gentle, starting from the running model.
#[derive(Clone, Debug)]
pub struct RetrainConfig {
    pub epochs: usize,
    pub learning_rate: f64,
    /// Copies of every marked negative per epoch (there are few of them).
    pub user_copies: usize,
    /// Augmented copies of every bundled face per epoch.
    pub face_copies: usize,
    /// Negatives per positive.
    pub negative_ratio: f32,
    pub seed: u64,
    /// The running detector's threshold, at which the gate counts detections.
    pub threshold: f32,
}

impl Default for RetrainConfig {
    fn default() -> Self {
        Self {
            epochs: 3,
            learning_rate: 5e-4,
            user_copies: 24,
            face_copies: 5,
            negative_ratio: 1.5,
            seed: 11,
            threshold: 0.0,
        }
    }
}

/// What a finished round produced.
#[derive(Debug)]
pub struct RetrainOutcome {
    pub net: FaceNet,
    pub gate: GateReport,
    pub seconds: f32,
    pub train_report: crate::train::TrainReport,
}

/// Runs one round synchronously: fine-tune `base` on `bundle` plus `negatives` (900 values per
/// window), then gate the result against `base`.
pub fn retrain(
    base: &FaceNet,
    bundle: &TrainingData,
    negatives: &[f32],
    cfg: &RetrainConfig,
    device: &Device,
    on_event: &mut dyn FnMut(TrainEvent),
    cancel: &AtomicBool,
) -> Result<RetrainOutcome> {
    if negatives.is_empty() {
        return Err(Error::NoData("no marked negatives to learn from".into()));
    }
    let started = Instant::now();
    let data = TrainingData {
        faces: bundle.faces.clone(),
        val_faces: bundle.val_faces.clone(),
        scenes: bundle.scenes.clone(),
        val_scenes: Vec::new(),
        patches: bundle.patches.clone(),
        val_patches: Vec::new(),
        user_negatives: negatives.to_vec(),
        hard_negatives: bundle.hard_negatives.clone(),
    };
    let train_cfg = TrainConfig {
        seed: cfg.seed,
        epochs: cfg.epochs,
        rounds: 0,
        learning_rate: cfg.learning_rate,
        face_copies: cfg.face_copies,
        negative_ratio: cfg.negative_ratio,
        user_copies: cfg.user_copies,
        ..TrainConfig::default()
    };
    let (net, train_report) = train(
        &data,
        &train_cfg,
        device,
        Some(base.clone()),
        on_event,
        cancel,
    )?;
    let faces = gate::face_windows(&bundle.val_faces);
    let gate = gate::check(base, &net, &faces, negatives, cfg.threshold, device);
    Ok(RetrainOutcome {
        net,
        gate,
        seconds: started.elapsed().as_secs_f32(),
        train_report,
    })
}

/// Where a background round stands, for the progress bar and the loss plot.
#[derive(Debug, Default)]
pub struct RetrainProgress {
    pub epoch: usize,
    pub epochs: usize,
    pub batch: usize,
    pub batches: usize,
    /// Every batch's training loss so far.
    pub losses: Vec<f32>,
    /// Set once: the outcome, or why there is none.
    pub finished: Option<std::result::Result<RetrainOutcome, String>>,
}

/// A round running on its own thread; the video keeps going meanwhile.
pub struct Retrainer {
    pub progress: Arc<Mutex<RetrainProgress>>,
    cancel: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    pub started: Instant,
}

impl Retrainer {
    /// Starts a round. `on_update` runs after every batch and at the end (the app repaints).
    pub fn start(
        base: FaceNet,
        bundle: Arc<TrainingData>,
        negatives: Vec<f32>,
        cfg: RetrainConfig,
        device: Device,
        on_update: impl Fn() + Send + 'static,
    ) -> Self {
        let progress = Arc::new(Mutex::new(RetrainProgress {
            epochs: cfg.epochs,
            ..RetrainProgress::default()
        }));
        let cancel = Arc::new(AtomicBool::new(false));
        let thread = {
            let progress = Arc::clone(&progress);
            let cancel = Arc::clone(&cancel);
            std::thread::Builder::new()
                .name("retrain".into())
                .spawn(move || {
                    let edit = |f: &mut dyn FnMut(&mut RetrainProgress)| {
                        f(&mut progress.lock().unwrap_or_else(PoisonError::into_inner));
                    };
                    let mut on_event = |e: TrainEvent| {
                        match e {
                            TrainEvent::EpochStart { epoch, batches, .. } => edit(&mut |p| {
                                p.epoch = epoch + 1;
                                p.batch = 0;
                                p.batches = batches;
                            }),
                            TrainEvent::Batch { loss } => edit(&mut |p| {
                                p.batch += 1;
                                p.losses.push(loss);
                            }),
                            _ => {}
                        }
                        on_update();
                    };
                    let result = retrain(
                        &base,
                        &bundle,
                        &negatives,
                        &cfg,
                        &device,
                        &mut on_event,
                        &cancel,
                    )
                    .map_err(|e| e.to_string());
                    let mut result = Some(result);
                    edit(&mut |p| p.finished = result.take());
                    on_update();
                })
                .expect("spawning a thread only fails when the OS is out of resources")
        };
        Self {
            progress,
            cancel,
            thread: Some(thread),
            started: Instant::now(),
        }
    }

    /// Asks the round to stop after the current batch.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::SeqCst);
    }

    pub fn is_finished(&self) -> bool {
        self.progress
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .finished
            .is_some()
    }

    /// Takes the outcome once finished (joins the thread).
    pub fn take_outcome(&mut self) -> Option<std::result::Result<RetrainOutcome, String>> {
        let outcome = self
            .progress
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .finished
            .take()?;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        Some(outcome)
    }
}

impl Drop for Retrainer {
    fn drop(&mut self) {
        self.cancel();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
