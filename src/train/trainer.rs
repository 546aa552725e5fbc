//! The training loop: Adam on binary cross-entropy, rounds of hard-negative mining between.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use burn::module::Module;
use burn::nn::loss::BinaryCrossEntropyLossConfig;
use burn::optim::lr_scheduler::cosine::CosineAnnealingLrSchedulerConfig;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Device, Int, Tensor, TensorData};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use serde::Serialize;

use super::bootstrap::{MiningConfig, mine_false_positives};
use super::data::{DataSummary, Scene, TrainingData};
use super::faces::Face;
use super::warp::{Degradation, Photometric, Region, WINDOW_PX};
use crate::detect::detector::score_windows;
use crate::detect::model::{FaceNet, FaceNetConfig, WINDOW};
use crate::error::{Error, Result};

/// Hyper-parameters of a training run.
#[derive(Clone, Debug, Serialize)]
pub struct TrainConfig {
    pub seed: u64,
    pub net: FaceNetConfig,
    /// Epochs before the first mining round.
    pub epochs: usize,
    /// Bootstrapping rounds: mine false positives, then train `round_epochs` more.
    pub rounds: usize,
    pub round_epochs: usize,
    pub batch_size: usize,
    /// Adam's learning rate at the start of each round (cosine-decayed to a tenth within it).
    pub learning_rate: f64,
    /// Augmented copies of every training face per epoch.
    pub face_copies: usize,
    /// Negatives per positive in an epoch.
    pub negative_ratio: f32,
    /// Largest share of an epoch's negatives drawn from the mined pool.
    pub hard_share: f32,
    /// Copies of every user-marked negative per epoch (they are few and important).
    pub user_copies: usize,
    /// Share of negatives that are faces zoomed in too far (a part of a face filling the
    /// window): they teach the network the right scale, so NMS keeps the whole-face box.
    pub near_miss_share: f32,
    pub mining: MiningConfig,
    /// Leading convolutions of the trained stage kept fixed when starting from a model
    /// (`FaceNet::freeze_leading`): 0 offline; the in-app round sets its own.
    pub frozen_layers: usize,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            net: FaceNetConfig::new(),
            epochs: 8,
            rounds: 8,
            round_epochs: 2,
            batch_size: 128,
            learning_rate: 2e-3,
            face_copies: 2,
            negative_ratio: 1.5,
            hard_share: 0.5,
            user_copies: 4,
            near_miss_share: 0.1,
            mining: MiningConfig::default(),
            frozen_layers: 0,
        }
    }
}

/// Progress, for a progress bar or a live plot.
#[derive(Clone, Debug)]
pub enum TrainEvent {
    EpochStart {
        round: usize,
        epoch: usize,
        batches: usize,
    },
    Batch {
        loss: f32,
    },
    EpochEnd(EpochStats),
    Mining {
        round: usize,
        scenes_done: usize,
        scenes: usize,
    },
    Mined {
        round: usize,
        found: usize,
        pool: usize,
    },
}

/// Loss and accuracy after one epoch (validation on held-out faces and scenes).
#[derive(Clone, Debug, Serialize)]
pub struct EpochStats {
    pub round: usize,
    pub epoch: usize,
    pub train_loss: f32,
    pub val: ValStats,
}

/// Validation figures at logit 0 (probability 0.5).
#[derive(Clone, Debug, Serialize, Default)]
pub struct ValStats {
    pub loss: f32,
    pub accuracy: f32,
    /// Share of held-out faces scored as faces.
    pub face_recall: f32,
    /// Share of held-out non-face windows scored as faces.
    pub false_positive_rate: f32,
    pub faces: usize,
    pub non_faces: usize,
    /// Area under the ROC curve: the chance that a random face outscores a random non-face
    /// (0.5 is guessing). Unlike accuracy it does not depend on the threshold.
    pub auc: f32,
}

/// What a finished run reports (it goes into the weights' JSON sidecar).
#[derive(Clone, Debug, Serialize)]
pub struct TrainReport {
    pub config: TrainConfig,
    pub data: DataSummary,
    pub epochs: Vec<EpochStats>,
    /// False positives mined in each bootstrapping round.
    pub mined_per_round: Vec<usize>,
    pub seconds: f64,
}

/// A fixed validation set: held-out faces (centred) and held-out non-face windows.
pub struct ValidationSet {
    windows: Vec<f32>,
    labels: Vec<f32>,
}

impl ValidationSet {
    /// Builds the set once per run from the held-out parts of `data`, deterministically.
    pub fn new(data: &TrainingData, seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed_7a11);
        let mut windows = Vec::new();
        let mut labels = Vec::new();
        for face in &data.val_faces {
            push_face(face, None, &mut windows);
            labels.push(1.0);
        }
        windows.extend_from_slice(&data.val_patches);
        labels.resize(windows.len() / WINDOW_PX, 0.0);
        let scenes = if data.val_scenes.is_empty() {
            &data.scenes
        } else {
            &data.val_scenes
        };
        for _ in 0..3 * data.val_faces.len().max(500) {
            push_scene_patch(scenes, &mut rng, &mut windows);
        }
        labels.resize(windows.len() / WINDOW_PX, 0.0);
        Self { windows, labels }
    }

    /// Scores the set with `model` and summarises.
    pub fn evaluate(&self, model: &FaceNet, device: &Device) -> ValStats {
        let logits = score_windows(model, &self.windows, device);
        let mut s = ValStats::default();
        let (mut tp, mut fp, mut correct, mut loss) = (0, 0, 0, 0.0f64);
        for (&x, &y) in logits.iter().zip(&self.labels) {
            let face = y > 0.5;
            let said_face = x >= 0.0;
            if face {
                s.faces += 1;
                tp += said_face as usize;
            } else {
                s.non_faces += 1;
                fp += said_face as usize;
            }
            correct += (face == said_face) as usize;
            let x = x as f64;
            loss += x.max(0.0) - x * y as f64 + (-x.abs()).exp().ln_1p();
        }
        let n = logits.len().max(1) as f32;
        s.loss = (loss / n as f64) as f32;
        s.accuracy = correct as f32 / n;
        s.face_recall = tp as f32 / s.faces.max(1) as f32;
        s.false_positive_rate = fp as f32 / s.non_faces.max(1) as f32;
        s.auc = auc(&logits, &self.labels);
        s
    }
}

/// ROC area by ranks (Mann–Whitney U), ties counted half. `labels` are 1 for faces.
fn auc(scores: &[f32], labels: &[f32]) -> f32 {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let (mut rank_sum, mut faces) = (0.0f64, 0usize);
    let mut i = 0;
    while i < order.len() {
        // A run of equal scores shares the mean of its ranks (1-based).
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let mean_rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            if labels[k] > 0.5 {
                rank_sum += mean_rank;
                faces += 1;
            }
        }
        i = j + 1;
    }
    let non_faces = order.len() - faces;
    if faces == 0 || non_faces == 0 {
        return 0.5;
    }
    let u = rank_sum - (faces * (faces + 1)) as f64 / 2.0;
    (u / (faces as f64 * non_faces as f64)) as f32
}

/// Appends `face`'s window: centred without `rng`, randomly shifted, scaled, turned, mirrored
/// and re-lit with it.
pub fn push_face(face: &Face, rng: Option<&mut StdRng>, out: &mut Vec<f32>) {
    let start = out.len();
    out.resize(start + WINDOW_PX, 0.0);
    let (region, photo, degradation) = match rng {
        None => (face.region, Photometric::NONE, Degradation::NONE),
        Some(rng) => {
            let r = face.region;
            let jitter = r.side / WINDOW as f32 * 1.5; // ±1.5 window pixels
            let region = Region {
                cx: r.cx + rng.random_range(-jitter..jitter),
                cy: r.cy + rng.random_range(-jitter..jitter),
                side: r.side * rng.random_range(0.9..1.1f32),
                angle: rng.random_range(-0.2..0.2f32),
                mirror: rng.random_bool(0.5),
            };
            (region, Photometric::random(rng), Degradation::random(rng))
        }
    };
    super::warp::sample(&face.image, region, photo, &mut out[start..]);
    degradation.apply(&mut out[start..]);
}

/// A face seen too close: 40–65 % of its window, somewhere inside it.
fn push_near_miss(face: &Face, rng: &mut StdRng, out: &mut Vec<f32>) {
    let r = face.region;
    let side = r.side * rng.random_range(0.4..0.65f32);
    let room = (r.side - side) / 2.0;
    let region = Region {
        cx: r.cx + rng.random_range(-room..=room),
        cy: r.cy + rng.random_range(-room..=room),
        side,
        angle: rng.random_range(-0.2..0.2f32),
        mirror: rng.random_bool(0.5),
    };
    let start = out.len();
    out.resize(start + WINDOW_PX, 0.0);
    super::warp::sample(
        &face.image,
        region,
        Photometric::random(rng),
        &mut out[start..],
    );
    Degradation::random(rng).apply(&mut out[start..]);
}

/// A random square of a random scene, at a random scale (smaller sides more likely, as in a
/// pyramid scan).
fn push_scene_patch(scenes: &[Scene], rng: &mut StdRng, out: &mut Vec<f32>) {
    let scene = &scenes[rng.random_range(0..scenes.len())];
    let (w, h) = (scene.octaves.width() as f32, scene.octaves.height() as f32);
    let max_side = w.min(h);
    let side = (WINDOW as f32 * (max_side / WINDOW as f32).powf(rng.random::<f32>())).max(12.0);
    let region = Region {
        cx: rng.random_range(side / 2.0..=(w - side / 2.0).max(side / 2.0)),
        cy: rng.random_range(side / 2.0..=(h - side / 2.0).max(side / 2.0)),
        side,
        angle: 0.0,
        mirror: rng.random_bool(0.5),
    };
    let start = out.len();
    out.resize(start + WINDOW_PX, 0.0);
    scene
        .octaves
        .sample(region, Photometric::random(rng), &mut out[start..]);
    Degradation::random(rng).apply(&mut out[start..]);
}

/// Copies window `i` of `src` with a random mirror and photometric change.
fn push_augmented_window(src: &[f32], i: usize, rng: &mut StdRng, out: &mut Vec<f32>) {
    let w = &src[i * WINDOW_PX..(i + 1) * WINDOW_PX];
    let mirror = rng.random_bool(0.5);
    let p = Photometric::random(rng);
    let start = out.len();
    for y in 0..WINDOW {
        for x in 0..WINDOW {
            let sx = if mirror { WINDOW - 1 - x } else { x };
            out.push(p.apply(w[y * WINDOW + sx]));
        }
    }
    Degradation::random(rng).apply(&mut out[start..]);
}

/// One epoch's examples: (windows, labels).
fn epoch_examples(
    data: &TrainingData,
    hard: &[f32],
    cfg: &TrainConfig,
    rng: &mut StdRng,
) -> (Vec<f32>, Vec<f32>) {
    let n_pos = data.faces.len() * cfg.face_copies;
    let n_neg = (n_pos as f32 * cfg.negative_ratio) as usize;
    let mut windows = Vec::with_capacity((n_pos + n_neg) * WINDOW_PX);
    for _ in 0..cfg.face_copies {
        for face in &data.faces {
            push_face(face, Some(rng), &mut windows);
        }
    }
    let mut labels = vec![1.0; n_pos];
    let n_hard_pool = hard.len() / WINDOW_PX;
    let n_hard = n_hard_pool.min((n_neg as f32 * cfg.hard_share) as usize);
    for _ in 0..n_hard {
        push_augmented_window(hard, rng.random_range(0..n_hard_pool), rng, &mut windows);
    }
    let n_ready_pool = data.patches.len() / WINDOW_PX;
    let n_ready = n_ready_pool.min(n_neg / 6);
    for _ in 0..n_ready {
        push_augmented_window(
            &data.patches,
            rng.random_range(0..n_ready_pool),
            rng,
            &mut windows,
        );
    }
    for _ in 0..(n_neg as f32 * cfg.near_miss_share) as usize {
        push_near_miss(
            &data.faces[rng.random_range(0..data.faces.len())],
            rng,
            &mut windows,
        );
    }
    let n_user = data.user_negatives.len() / WINDOW_PX;
    for _ in 0..cfg.user_copies {
        for i in 0..n_user {
            push_augmented_window(&data.user_negatives, i, rng, &mut windows);
        }
    }
    while windows.len() / WINDOW_PX < n_pos + n_neg.max(n_hard + n_ready + n_user * cfg.user_copies)
    {
        push_scene_patch(&data.scenes, rng, &mut windows);
    }
    labels.resize(windows.len() / WINDOW_PX, 0.0);
    (windows, labels)
}

/// `n` scenes drawn without replacement (all of them if `n` is 0 or too many), in file order.
fn mining_subset<'a>(scenes: &'a [Scene], n: usize, rng: &mut StdRng) -> Vec<&'a Scene> {
    if n == 0 || n >= scenes.len() {
        return scenes.iter().collect();
    }
    let mut idx: Vec<usize> = (0..scenes.len()).collect();
    idx.shuffle(rng);
    idx.truncate(n);
    idx.sort_unstable();
    idx.into_iter().map(|i| &scenes[i]).collect()
}

/// Trains a model (from `init`, or from scratch) with rounds of hard-negative mining.
///
/// `device` is the inference device; training runs on its autodiff twin. `cancel` is polled
/// between batches.
pub fn train(
    data: &TrainingData,
    cfg: &TrainConfig,
    device: &Device,
    init: Option<FaceNet>,
    on_event: &mut dyn FnMut(TrainEvent),
    cancel: &AtomicBool,
) -> Result<(FaceNet, TrainReport)> {
    let started = Instant::now();
    let train_device = device.clone().autodiff();
    let bce = BinaryCrossEntropyLossConfig::new()
        .with_logits(true)
        .init(&train_device);
    let mut model = match init {
        Some(m) => m
            .fork(&train_device)
            .train()
            .freeze_leading(cfg.frozen_layers),
        None if cfg.net.second.is_some() => {
            return Err(Error::Config(
                "a cascade's second stage trains on top of a trained first stage: start from one"
                    .into(),
            ));
        }
        None => cfg.net.init(&train_device),
    };
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    let validation = ValidationSet::new(data, cfg.seed);
    let mut hard: Vec<f32> = data.hard_negatives.clone();
    let mut report = TrainReport {
        config: cfg.clone(),
        data: data.summary(),
        epochs: Vec::new(),
        mined_per_round: Vec::new(),
        seconds: 0.0,
    };
    for round in 0..=cfg.rounds {
        if round > 0 {
            let valid = model.valid();
            let scenes = mining_subset(&data.scenes, cfg.mining.scenes_per_round, &mut rng);
            let found = mine_false_positives(
                &valid,
                device,
                &scenes,
                &cfg.mining,
                &mut |done, total| {
                    on_event(TrainEvent::Mining {
                        round,
                        scenes_done: done,
                        scenes: total,
                    })
                },
                cancel,
            )?;
            report.mined_per_round.push(found.len() / WINDOW_PX);
            hard.extend_from_slice(&found);
            let cap = cfg.mining.pool_cap * WINDOW_PX;
            if hard.len() > cap {
                hard.drain(..hard.len() - cap); // keep the newest
            }
            on_event(TrainEvent::Mined {
                round,
                found: found.len() / WINDOW_PX,
                pool: hard.len() / WINDOW_PX,
            });
        }
        let epochs = if round == 0 {
            cfg.epochs
        } else {
            cfg.round_epochs
        };
        // A fresh optimiser and schedule each round: the data distribution just changed.
        let mut optim = AdamConfig::new().init();
        let mut schedule = None;
        for epoch in 0..epochs {
            let (windows, labels) = epoch_examples(data, &hard, cfg, &mut rng);
            let n = labels.len();
            let mut order: Vec<usize> = (0..n).collect();
            order.shuffle(&mut rng);
            let batches = n.div_ceil(cfg.batch_size);
            on_event(TrainEvent::EpochStart {
                round,
                epoch,
                batches,
            });
            // Cosine decay to a tenth of the rate over the round (every epoch has as many
            // batches as the first).
            let schedule = schedule.get_or_insert_with(|| {
                CosineAnnealingLrSchedulerConfig::new(cfg.learning_rate, (epochs * batches).max(1))
                    .with_min_lr(cfg.learning_rate * 0.1)
                    .init()
            });
            let schedule = schedule.as_mut().map_err(|e| Error::Config(e.clone()))?;
            let (mut loss_sum, mut loss_n) = (0.0f64, 0usize);
            for idx in order.chunks(cfg.batch_size) {
                if cancel.load(Ordering::Relaxed) {
                    return Err(Error::Cancelled);
                }
                let lr = schedule.step();
                let mut x = Vec::with_capacity(idx.len() * WINDOW_PX);
                let mut y = Vec::with_capacity(idx.len());
                for &i in idx {
                    x.extend_from_slice(&windows[i * WINDOW_PX..(i + 1) * WINDOW_PX]);
                    y.push(labels[i] as i64);
                }
                let bs = idx.len();
                let x = Tensor::<4>::from_data(
                    TensorData::new(x, [bs, 1, WINDOW, WINDOW]),
                    &train_device,
                );
                let y = Tensor::<1, Int>::from_data(TensorData::new(y, [bs]), &train_device);
                let logits = model.forward(x).reshape([bs]); // [B]
                let loss = bce.forward(logits, y); // [1], the batch mean
                let loss_value = loss.clone().into_scalar::<f32>();
                let grads = GradientsParams::from_grads(loss.backward(), &model);
                model = optim.step(lr, model, grads);
                loss_sum += loss_value as f64 * bs as f64;
                loss_n += bs;
                on_event(TrainEvent::Batch { loss: loss_value });
            }
            let val = validation.evaluate(&model.valid(), device);
            let stats = EpochStats {
                round,
                epoch,
                train_loss: (loss_sum / loss_n.max(1) as f64) as f32,
                val,
            };
            on_event(TrainEvent::EpochEnd(stats.clone()));
            report.epochs.push(stats);
        }
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok((model.valid(), report))
}

#[cfg(test)]
mod tests {
    use super::auc;

    #[test]
    fn roc_area_by_ranks() {
        // Perfect ranking, reversed ranking, all tied.
        assert_eq!(auc(&[0.1, 0.2, 0.8, 0.9], &[0.0, 0.0, 1.0, 1.0]), 1.0);
        assert_eq!(auc(&[0.9, 0.8, 0.2, 0.1], &[0.0, 0.0, 1.0, 1.0]), 0.0);
        assert_eq!(auc(&[0.5; 4], &[0.0, 1.0, 0.0, 1.0]), 0.5);
        // One face below one of two non-faces: 3 of 4 pairs right.
        assert_eq!(auc(&[0.1, 0.5, 0.3, 0.9], &[0.0, 0.0, 1.0, 1.0]), 0.75);
    }
}
