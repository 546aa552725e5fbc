//! Training a sequence classifier on the temporal-order task: Adam, cross-entropy, fresh
//! batches every step (the generator never runs out).

use std::sync::atomic::{AtomicBool, Ordering};

use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::{Device, Int, Tensor, TensorData};
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::cells::CellKind;
use super::classifier::SeqClassifier;
pub use super::fit::{OptimizerKind, StepStats};
use super::fit::{accuracy_of, batched_mean, descend, first_argmax, optimizer};
use super::probe::{GradientFlow, gradient_flow};
use super::tasks::{Level, N_SYMBOLS, OrderExample, one_hot_batch, temporal_order};
use crate::error::{Error, Result};

/// One run's settings.
#[derive(Clone, Debug)]
pub struct OrderTrainConfig {
    pub kind: CellKind,
    pub level: Level,
    pub hidden: usize,
    pub steps: usize,
    pub batch: usize,
    pub learning_rate: f64,
    /// Clip the gradient norm (the cure for exploding gradients).
    pub clip: Option<f32>,
    pub seed: u64,
    /// Walk up the levels from EASY to `level`, an equal share of the steps on each.
    pub curriculum: bool,
    pub optimizer: OptimizerKind,
    /// Scale of the initial recurrent weights (the gradient-flow demo's slider).
    pub recurrent_gain: f32,
}

impl Default for OrderTrainConfig {
    /// The course's setting: an LSTM on NORMAL with Adam.
    fn default() -> Self {
        Self {
            kind: CellKind::Lstm,
            level: Level::Normal,
            hidden: 16,
            steps: 2000,
            batch: 32,
            learning_rate: 1e-2,
            clip: Some(1.0),
            seed: 1,
            curriculum: false,
            optimizer: OptimizerKind::Adam,
            recurrent_gain: 1.0,
        }
    }
}

impl OrderTrainConfig {
    /// The level trained on at `step`.
    pub fn level_at(&self, step: usize) -> Level {
        if !self.curriculum {
            return self.level;
        }
        let upto = Level::ALL
            .iter()
            .position(|l| *l == self.level)
            .unwrap_or(0)
            + 1;
        Level::ALL[(step * upto / self.steps.max(1)).min(upto - 1)]
    }
}

/// Trains from scratch; `on_step` sees every step. Stops early on `cancel`.
pub fn train_order(
    cfg: &OrderTrainConfig,
    device: &Device,
    on_step: &mut dyn FnMut(StepStats),
    cancel: &AtomicBool,
) -> Result<SeqClassifier> {
    train_order_probed(cfg, device, on_step, None, cancel)
}

/// Every `every` steps, the gradient flow of the model being trained on a fixed batch.
pub struct FlowProbe<'a> {
    pub every: usize,
    pub on_flow: &'a mut dyn FnMut(usize, GradientFlow),
}

/// [`train_order`] that also measures the gradient flow as training goes.
pub fn train_order_probed(
    cfg: &OrderTrainConfig,
    device: &Device,
    on_step: &mut dyn FnMut(StepStats),
    mut probe: Option<FlowProbe>,
    cancel: &AtomicBool,
) -> Result<SeqClassifier> {
    if cfg.hidden == 0 || cfg.batch == 0 {
        return Err(Error::Config(
            "temporal order needs at least 1 hidden unit and a batch of at least 1".into(),
        ));
    }
    let train_device = device.clone().autodiff();
    let mut model = SeqClassifier::seeded(cfg.kind, cfg.hidden, cfg.seed, &train_device)
        .with_recurrent_gain(cfg.recurrent_gain);
    let mut optim = optimizer(cfg.optimizer, cfg.clip);
    let loss_fn = CrossEntropyLossConfig::new().init(&train_device);
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    // Its own generator, so probing does not change the training batches.
    let probe_batch = batch(
        cfg.level,
        32,
        &mut StdRng::seed_from_u64(!cfg.seed),
        &train_device,
    );
    for step in 0..cfg.steps {
        if cancel.load(Ordering::Relaxed) {
            return Err(Error::Cancelled);
        }
        if let Some(p) = probe.as_mut()
            && step % p.every.max(1) == 0
        {
            let (x, y) = probe_batch.clone();
            (p.on_flow)(step, gradient_flow(&model, x, y));
        }
        let (x, y) = batch(cfg.level_at(step), cfg.batch, &mut rng, &train_device);
        let logits = model.forward(x); // [B, 4]
        let accuracy = accuracy_of(&logits, &y);
        let loss_value;
        (model, loss_value) = descend(
            model,
            &mut optim,
            cfg.learning_rate,
            loss_fn.forward(logits, y),
        );
        on_step(StepStats {
            step,
            loss: loss_value,
            accuracy,
        });
    }
    Ok(model.valid())
}

/// Accuracy on `n` fresh examples of `level` (in batches of 256).
pub fn evaluate(model: &SeqClassifier, level: Level, n: usize, seed: u64, device: &Device) -> f32 {
    let mut rng = StdRng::seed_from_u64(seed);
    batched_mean(n, 256, |b| {
        let (x, y) = batch(level, b, &mut rng, device);
        accuracy_of(&model.forward(x), &y)
    })
}

/// The class `model` gives one sequence of symbol indices.
pub fn predict(model: &SeqClassifier, symbols: &[usize], device: &Device) -> usize {
    let example = OrderExample {
        symbols: symbols.to_vec(),
        t1: 0,
        t2: 0,
        class: 0,
    };
    let (x, t, _) = one_hot_batch(std::slice::from_ref(&example));
    let x = Tensor::<3>::from_data(TensorData::new(x, [1, t, N_SYMBOLS]), device);
    first_argmax(model.forward(x))
}

/// `n` fresh examples of `level`: one-hot `[B, T, 8]` and classes `[B]`.
pub fn batch(
    level: Level,
    n: usize,
    rng: &mut StdRng,
    device: &Device,
) -> (Tensor<3>, Tensor<1, Int>) {
    let examples: Vec<_> = (0..n).map(|_| temporal_order(level, rng)).collect();
    let (x, t, y) = one_hot_batch(&examples);
    let x = Tensor::<3>::from_data(TensorData::new(x, [n, t, N_SYMBOLS]), device);
    let y: Vec<i64> = y.into_iter().map(|c| c as i64).collect();
    (
        x,
        Tensor::<1, Int>::from_data(TensorData::new(y, [n]), device),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_curriculum_climbs_the_levels_in_equal_shares() {
        let cfg = OrderTrainConfig {
            kind: CellKind::Lstm,
            level: Level::Moderate,
            hidden: 4,
            steps: 300,
            batch: 1,
            learning_rate: 1e-3,
            clip: None,
            seed: 0,
            curriculum: true,
            ..OrderTrainConfig::default()
        };
        assert_eq!(cfg.level_at(0), Level::Easy);
        assert_eq!(cfg.level_at(99), Level::Easy);
        assert_eq!(cfg.level_at(100), Level::Normal);
        assert_eq!(cfg.level_at(299), Level::Moderate);
        let flat = OrderTrainConfig {
            curriculum: false,
            ..cfg
        };
        assert_eq!(flat.level_at(0), Level::Moderate);
    }

    #[test]
    fn a_short_lstm_run_beats_chance_on_easy() {
        let device = Device::flex();
        let cfg = OrderTrainConfig {
            kind: CellKind::Lstm,
            level: Level::Easy,
            hidden: 12,
            steps: 300,
            batch: 32,
            learning_rate: 1e-2,
            seed: 5,
            ..OrderTrainConfig::default()
        };
        let mut losses = Vec::new();
        let model = train_order(
            &cfg,
            &device,
            &mut |s| losses.push(s.loss),
            &AtomicBool::new(false),
        )
        .unwrap();
        assert_eq!(losses.len(), 300);
        let acc = evaluate(&model, Level::Easy, 512, 99, &device);
        // Chance is 25 %.
        assert!(acc > 0.6, "accuracy {acc}");
        let early: f32 = losses[..20].iter().sum::<f32>() / 20.0;
        let late: f32 = losses[280..].iter().sum::<f32>() / 20.0;
        assert!(late < 0.7 * early, "loss {early} → {late}");
    }

    /// With a large recurrent gain the first gradient explodes. Unclipped, plain SGD takes one
    /// huge step that throws the units into tanh's flat tails, and the gradient reaching the
    /// early steps dies; clipped at norm 1, the step stays small and the gradient lives on.
    #[test]
    fn clipping_keeps_an_exploding_rnn_trainable() {
        let device = Device::flex();
        let early_flow = |seed: u64, clip: Option<f32>| {
            let cfg = OrderTrainConfig {
                kind: CellKind::Rnn,
                level: Level::Moderate,
                steps: 3,
                learning_rate: 0.05,
                clip,
                seed,
                optimizer: OptimizerKind::Sgd,
                recurrent_gain: 4.0,
                ..OrderTrainConfig::default()
            };
            let mut flows = Vec::new();
            let mut on_flow = |_, f: GradientFlow| flows.push(f.norms[0]);
            let probe = FlowProbe {
                every: 1,
                on_flow: &mut on_flow,
            };
            train_order_probed(
                &cfg,
                &device,
                &mut |_| {},
                Some(probe),
                &AtomicBool::new(false),
            )
            .unwrap();
            flows
        };
        // Seeds whose initial gradient explodes (the seed fixes the weights and the data).
        for seed in [1, 4, 5] {
            let unclipped = early_flow(seed, None);
            let clipped = early_flow(seed, Some(1.0));
            assert_eq!(unclipped.len(), 3);
            assert!(
                unclipped[0] > 100.0,
                "seed {seed}: no explosion {unclipped:?}"
            );
            assert!(
                unclipped[2] < unclipped[0] * 1e-6,
                "seed {seed}: unclipped {unclipped:?}"
            );
            assert!(
                clipped[2] > clipped[0] * 1e-3,
                "seed {seed}: clipped {clipped:?}"
            );
        }
    }
}
