//! Echo with truncated BPTT: the target at step t is the input at step t − delay.
//!
//! Streams are long, so backpropagating through all of them is out of the question. Truncated
//! BPTT cuts them into chunks: the hidden state is carried from chunk to chunk (the model still
//! *remembers* across the cut), but the graph is cut there (`detach`), so gradients only flow
//! within a chunk. With a delay as long as the chunk or longer, no gradient links a target to
//! its input at all, and as the
//! delay nears the chunk length fewer targets in each chunk have their input inside it (a
//! fraction (chunk − delay) / chunk), so learning slows and then stalls.

use std::sync::atomic::{AtomicBool, Ordering};

use burn::module::Module;
use burn::nn::Linear;
use burn::tensor::activation::log_softmax;
use burn::tensor::{Device, Tensor, TensorData};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use super::cells::{Cell, CellKind, CellState, cell_and_head};
use super::fit::{OptimizerKind, StepStats, descend, optimizer};
use crate::error::{Error, Result};

/// Size of the echoed alphabet (chance is one in this many).
pub const ECHO_SYMBOLS: usize = 4;

/// A cell with a per-step read-out: `[B, T, 4]` one-hot in, `[B, T, 4]` logits out.
#[derive(Module, Debug)]
pub struct EchoNet {
    pub cell: Cell,
    head: Linear,
}

impl EchoNet {
    pub fn new(kind: CellKind, hidden: usize, device: &Device) -> Self {
        Self::seeded(kind, hidden, 0, device)
    }

    /// With initial weights fixed by `seed`.
    pub fn seeded(kind: CellKind, hidden: usize, seed: u64, device: &Device) -> Self {
        let (cell, head) = cell_and_head(kind, ECHO_SYMBOLS, hidden, ECHO_SYMBOLS, seed, device);
        Self { cell, head }
    }

    /// Runs one chunk from `state`; returns the logits `[B·T, 4]` (row b·T + t) and the state
    /// after the last step.
    pub fn forward_chunk(&self, x: Tensor<3>, state: CellState) -> (Tensor<2>, CellState) {
        let [b, t, d] = x.dims();
        if t == 0 {
            // Nothing to read: no logits, the state unchanged.
            return (Tensor::zeros([0, ECHO_SYMBOLS], &x.device()), state);
        }
        let mut state = state;
        let mut hs = Vec::with_capacity(t);
        for step in 0..t {
            let xt = x
                .clone()
                .slice([0..b, step..step + 1, 0..d])
                .reshape([b, d]); // [B, 4]
            state = self.cell.step(xt, &state).0;
            hs.push(state.h.clone());
        }
        let h = Tensor::stack::<3>(hs, 1).reshape([b * t, self.cell.hidden()]); // [B·T, H]
        (self.head.forward(h), state)
    }
}

/// One truncated-BPTT run's settings.
#[derive(Clone, Debug)]
pub struct EchoConfig {
    pub kind: CellKind,
    pub hidden: usize,
    pub delay: usize,
    /// Steps per chunk: gradients flow this far back, no further.
    pub chunk: usize,
    /// Chunks per stream before fresh streams (and a zero state) begin.
    pub stream_chunks: usize,
    /// Parallel streams per batch.
    pub batch: usize,
    /// Optimizer steps (one per chunk).
    pub steps: usize,
    pub learning_rate: f64,
    pub clip: Option<f32>,
    pub seed: u64,
}

impl Default for EchoConfig {
    /// The setting of the target: an LSTM echoing at delay 3 with chunks of 20.
    fn default() -> Self {
        Self {
            kind: CellKind::Lstm,
            hidden: 16,
            delay: 3,
            chunk: 20,
            stream_chunks: 10,
            batch: 32,
            steps: 600,
            learning_rate: 1e-2,
            clip: Some(1.0),
            seed: 1,
        }
    }
}

/// `n` streams of `len` random symbols, `[n][len]`.
pub fn streams(n: usize, len: usize, rng: &mut StdRng) -> Vec<Vec<usize>> {
    (0..n)
        .map(|_| {
            (0..len)
                .map(|_| rng.random_range(0..ECHO_SYMBOLS))
                .collect()
        })
        .collect()
}

/// Steps `from..to` of each stream: one-hot inputs `[B, T, 4]`, one-hot targets `[B·T, 4]`
/// (the input `delay` steps earlier) and the mask `[B·T, 1]` that is 0 where no such input
/// exists yet.
fn chunk_tensors(
    streams: &[Vec<usize>],
    from: usize,
    to: usize,
    delay: usize,
    device: &Device,
) -> (Tensor<3>, Tensor<2>, Tensor<2>) {
    let (b, t) = (streams.len(), to - from);
    let mut x = vec![0.0f32; b * t * ECHO_SYMBOLS];
    let mut y = vec![0.0f32; b * t * ECHO_SYMBOLS];
    let mut mask = vec![0.0f32; b * t];
    for (i, s) in streams.iter().enumerate() {
        for step in from..to {
            let row = i * t + step - from;
            x[row * ECHO_SYMBOLS + s[step]] = 1.0;
            if step >= delay {
                y[row * ECHO_SYMBOLS + s[step - delay]] = 1.0;
                mask[row] = 1.0;
            }
        }
    }
    (
        Tensor::from_data(TensorData::new(x, [b, t, ECHO_SYMBOLS]), device),
        Tensor::from_data(TensorData::new(y, [b * t, ECHO_SYMBOLS]), device),
        Tensor::from_data(TensorData::new(mask, [b * t, 1]), device),
    )
}

/// Masked cross-entropy and masked accuracy of `logits` `[N, 4]`.
fn scored(logits: Tensor<2>, targets: Tensor<2>, mask: Tensor<2>) -> (Tensor<1>, f32) {
    let count = mask.clone().sum().into_scalar::<f32>().max(1.0);
    let hits = logits
        .clone()
        .argmax(1)
        .equal(targets.clone().argmax(1))
        .float()
        * mask.clone();
    let accuracy = hits.sum().into_scalar::<f32>() / count;
    let loss = -(log_softmax(logits, 1) * targets * mask).sum() / count;
    (loss, accuracy)
}

/// Trains with truncated BPTT; `on_step` sees every chunk's loss and accuracy.
pub fn train_echo(
    cfg: &EchoConfig,
    device: &Device,
    on_step: &mut dyn FnMut(StepStats),
    cancel: &AtomicBool,
) -> Result<EchoNet> {
    if cfg.chunk == 0 || cfg.stream_chunks == 0 || cfg.batch == 0 || cfg.hidden == 0 {
        return Err(Error::Config(
            "echo needs a chunk, streams, a batch and hidden units of at least 1".into(),
        ));
    }
    let train_device = device.clone().autodiff();
    let mut model = EchoNet::seeded(cfg.kind, cfg.hidden, cfg.seed, &train_device);
    let mut optim = optimizer(OptimizerKind::Adam, cfg.clip);
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    let stream_len = cfg.chunk * cfg.stream_chunks;
    let mut data = streams(cfg.batch, stream_len, &mut rng);
    let mut state = model.cell.zero_state(cfg.batch, &train_device);
    for step in 0..cfg.steps {
        if cancel.load(Ordering::Relaxed) {
            return Err(Error::Cancelled);
        }
        let k = step % cfg.stream_chunks;
        if k == 0 && step > 0 {
            data = streams(cfg.batch, stream_len, &mut rng);
            state = model.cell.zero_state(cfg.batch, &train_device);
        }
        let (x, y, mask) = chunk_tensors(
            &data,
            k * cfg.chunk,
            (k + 1) * cfg.chunk,
            cfg.delay,
            &train_device,
        );
        let (logits, next) = model.forward_chunk(x, state);
        let (loss, accuracy) = scored(logits, y, mask);
        let loss_value;
        (model, loss_value) = descend(model, &mut optim, cfg.learning_rate, loss);
        // The cut: the state goes on, its history does not.
        state = CellState {
            h: next.h.detach(),
            c: next.c.map(Tensor::detach),
        };
        on_step(StepStats {
            step,
            loss: loss_value,
            accuracy,
        });
    }
    Ok(model.valid())
}

/// Accuracy over every step that has a target (t ≥ delay) of `n` fresh streams of `len`.
pub fn evaluate_echo(
    model: &EchoNet,
    delay: usize,
    len: usize,
    n: usize,
    seed: u64,
    device: &Device,
) -> f32 {
    let mut rng = StdRng::seed_from_u64(seed);
    let data = streams(n, len, &mut rng);
    let (x, y, mask) = chunk_tensors(&data, 0, len, delay, device);
    let (logits, _) = model.forward_chunk(x, model.cell.zero_state(n, device));
    scored(logits, y, mask).1
}

/// One stream and the model's echo of it, for display: `(inputs, predictions)`.
pub fn echo_sample(
    model: &EchoNet,
    len: usize,
    seed: u64,
    device: &Device,
) -> (Vec<usize>, Vec<usize>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let data = streams(1, len, &mut rng);
    let (x, _, _) = chunk_tensors(&data, 0, len, 0, device);
    let (logits, _) = model.forward_chunk(x, model.cell.zero_state(1, device));
    let predicted = logits
        .argmax(1)
        .into_data()
        .convert::<i64>()
        .try_to_vec::<i64>()
        .unwrap_or_default();
    (
        data.into_iter().next().unwrap_or_default(),
        predicted.into_iter().map(|p| p as usize).collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_carry_targets_across_the_cut_and_mask_the_start() {
        let device = Device::flex();
        let data = vec![vec![0, 1, 2, 3, 0, 1], vec![3, 3, 2, 2, 1, 1]];
        let (x, y, mask) = chunk_tensors(&data, 2, 5, 3, &device);
        assert_eq!(x.dims(), [2, 3, ECHO_SYMBOLS]);
        let y = y
            .argmax(1)
            .into_data()
            .convert::<i64>()
            .try_to_vec::<i64>()
            .unwrap();
        let mask = mask.into_data().try_to_vec::<f32>().unwrap();
        // Stream 0, steps 2, 3, 4: step 2 has no target yet; steps 3, 4 echo steps 0, 1 (the
        // previous chunk).
        assert_eq!(mask, vec![0.0, 1.0, 1.0, 0.0, 1.0, 1.0]);
        assert_eq!((y[1], y[2]), (0, 1));
        assert_eq!((y[4], y[5]), (3, 3));
        let x0 = x
            .argmax(2)
            .into_data()
            .convert::<i64>()
            .try_to_vec::<i64>()
            .unwrap();
        assert_eq!(x0, vec![2, 3, 0, 2, 2, 1]);
    }

    #[test]
    fn empty_streams_give_nothing_and_no_panic() {
        let device = Device::flex();
        let model = EchoNet::new(CellKind::Lstm, 4, &device);
        assert_eq!(echo_sample(&model, 0, 1, &device), (Vec::new(), Vec::new()));
        assert_eq!(evaluate_echo(&model, 3, 0, 2, 1, &device), 0.0);
        let cfg = EchoConfig {
            hidden: 0,
            ..EchoConfig::default()
        };
        let err = train_echo(&cfg, &device, &mut |_| {}, &AtomicBool::new(false));
        assert!(matches!(err, Err(Error::Config(_))));
    }

    #[test]
    fn a_short_lstm_run_echoes_at_delay_two_and_a_chunk_shorter_than_the_delay_cannot() {
        let device = Device::flex();
        let cfg = EchoConfig {
            delay: 2,
            chunk: 10,
            steps: 250,
            seed: 4,
            ..EchoConfig::default()
        };
        let run = |cfg: &EchoConfig| {
            let model = train_echo(cfg, &device, &mut |_| {}, &AtomicBool::new(false)).unwrap();
            evaluate_echo(&model, cfg.delay, 100, 64, 9, &device)
        };
        let learnt = run(&cfg);
        assert!(learnt > 0.9, "delay 2, chunk 10: {learnt}");
        // Chance is 1/4: with chunks of one step no gradient ever links a target to its input.
        let cut = run(&EchoConfig { chunk: 1, ..cfg });
        assert!(cut < 0.4, "delay 2, chunk 1: {cut}");
    }
}
