//! Gradient flow through time: ‖∂loss/∂h_t‖ at every step t.
//!
//! A zero tensor that requires a gradient is added to each hidden state. It changes nothing in
//! the forward pass, and after `backward()` its gradient is exactly ∂loss/∂h_t — the quantity
//! BPTT multiplies by one Jacobian per step on its way back, and which vanishes for a plain
//! RNN (`|tanh'| ≤ 1` times a small `U`) or explodes (a large `U`).

use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::{Device, Gradients, Int, Tensor};
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::cells::CellState;
use super::classifier::SeqClassifier;
use super::tasks::Level;
use super::train::batch;

/// The probes of one forward pass, one `[B, hidden]` zero leaf per step.
#[derive(Default)]
pub struct Probes {
    probes: Vec<Tensor<2>>,
}

impl Probes {
    /// Adds a fresh zero probe to `h` (`[B, hidden]`) and returns the sum.
    pub fn attach(&mut self, h: Tensor<2>) -> Tensor<2> {
        let probe = h.zeros_like().require_grad();
        self.probes.push(probe.clone());
        h + probe
    }

    /// The gradient at each probe, `[B, hidden]` per step (zeros where none reached it).
    pub fn gradients(&self, grads: &Gradients) -> Vec<Tensor<2>> {
        self.probes
            .iter()
            .map(|p| p.grad(grads).unwrap_or_else(|| p.zeros_like().inner()))
            .collect()
    }

    /// `‖∂loss/∂h_t‖` (Frobenius norm over the batch and the units) for each step.
    pub fn norms(&self, grads: &Gradients) -> Vec<f32> {
        self.gradients(grads)
            .into_iter()
            .map(|g| g.powf_scalar(2.0).sum().sqrt().into_scalar::<f32>())
            .collect()
    }
}

/// One gradient-flow measurement of a classifier.
#[derive(Clone, Debug)]
pub struct GradientFlow {
    /// `‖∂loss/∂h_t‖` for t = 0 … T−1.
    pub norms: Vec<f32>,
    pub loss: f32,
}

/// Measures the gradient flow of `model` on one batch (`x` `[B, T, 8]`, `y` `[B]`). The
/// model and tensors must live on an autodiff device; the model is not changed.
pub fn gradient_flow(model: &SeqClassifier, x: Tensor<3>, y: Tensor<1, Int>) -> GradientFlow {
    let mut probes = Probes::default();
    let logits = model.forward_with(x, &mut |_, state, _| CellState {
        h: probes.attach(state.h),
        c: state.c,
    });
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, y);
    let grads = loss.backward();
    GradientFlow {
        norms: probes.norms(&grads),
        loss: loss.into_scalar::<f32>(),
    }
}

/// The gradient flow of an inference-side `model` (as loaded or returned by training) on
/// `n` fresh sequences of `level`; the model is copied onto `device`'s autodiff twin.
pub fn gradient_flow_on(
    model: &SeqClassifier,
    level: Level,
    n: usize,
    seed: u64,
    device: &Device,
) -> GradientFlow {
    let autodiff = device.clone().autodiff();
    let model = model.clone().to_device(&autodiff);
    let (x, y) = batch(level, n, &mut StdRng::seed_from_u64(seed), &autodiff);
    gradient_flow(&model, x, y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seq::cells::{CellConfig, CellKind};
    use burn::tensor::TensorData;

    /// BPTT by hand for `h_t = tanh(x_t W + h_{t−1} U + b)` and `L = h_T · v`:
    /// `g_T = v`, `g_{t−1} = (g_t ⊙ (1 − h_t²)) Uᵀ`.
    #[test]
    fn probes_match_a_hand_computed_bptt_on_a_tiny_rnn() {
        let device = Device::flex().autodiff();
        let (input, hidden, steps) = (2, 3, 6);
        let cell = CellConfig::new(CellKind::Rnn, input, hidden)
            .init(&device)
            .with_recurrent_gain(2.0);
        let xs: Vec<f32> = (0..steps * input)
            .map(|i| ((i * 7 % 5) as f32 - 2.0) * 0.4)
            .collect();
        let v = [0.5f32, -1.0, 2.0];

        // Burn, with probes.
        let mut state = cell.zero_state(1, &device);
        let mut probes = Probes::default();
        for t in 0..steps {
            let xt = Tensor::<2>::from_data(
                TensorData::new(xs[t * input..(t + 1) * input].to_vec(), [1, input]),
                &device,
            );
            state = cell.step(xt, &state).0;
            state.h = probes.attach(state.h);
        }
        let loss =
            (state.h * Tensor::<2>::from_data(TensorData::new(v.to_vec(), [1, 3]), &device)).sum();
        let grads = loss.backward();
        let burn_grads: Vec<Vec<f32>> = probes
            .gradients(&grads)
            .into_iter()
            .map(|g| g.into_data().try_to_vec::<f32>().unwrap())
            .collect();

        // By hand, in f64.
        let (w, u, b) = cell.weights();
        let mut hs = vec![vec![0.0f64; hidden]];
        for t in 0..steps {
            let prev = hs[t].clone();
            hs.push(
                (0..hidden)
                    .map(|j| {
                        let a: f64 = (0..input)
                            .map(|i| xs[t * input + i] as f64 * w[i][j] as f64)
                            .sum::<f64>()
                            + (0..hidden).map(|k| prev[k] * u[k][j] as f64).sum::<f64>()
                            + b[j] as f64;
                        a.tanh()
                    })
                    .collect(),
            );
        }
        let mut g: Vec<f64> = v.iter().map(|&x| x as f64).collect();
        for t in (0..steps).rev() {
            for j in 0..hidden {
                assert!(
                    (burn_grads[t][j] as f64 - g[j]).abs() < 1e-4,
                    "step {t} unit {j}: burn {} vs hand {}",
                    burn_grads[t][j],
                    g[j]
                );
            }
            let h = &hs[t + 1];
            let d: Vec<f64> = (0..hidden).map(|j| g[j] * (1.0 - h[j] * h[j])).collect();
            g = (0..hidden)
                .map(|k| (0..hidden).map(|j| d[j] * u[k][j] as f64).sum())
                .collect();
        }
    }

    #[test]
    fn an_untrained_rnn_gradient_vanishes_towards_the_start_and_explodes_with_a_large_gain() {
        use crate::seq::tasks::{Level, N_SYMBOLS, one_hot_batch, temporal_order};
        use rand::SeedableRng;
        let device = Device::flex().autodiff();
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let examples: Vec<_> = (0..16)
            .map(|_| temporal_order(Level::Normal, &mut rng))
            .collect();
        let (x, t, y) = one_hot_batch(&examples);
        let x = Tensor::<3>::from_data(TensorData::new(x, [16, t, N_SYMBOLS]), &device);
        let y = Tensor::<1, Int>::from_data(
            TensorData::new(y.into_iter().map(|c| c as i64).collect(), [16]),
            &device,
        );
        let flow = |gain: f32| {
            let model = SeqClassifier::new(CellKind::Rnn, 16, &device).with_recurrent_gain(gain);
            gradient_flow(&model, x.clone(), y.clone()).norms
        };
        let small = flow(0.5);
        assert_eq!(small.len(), t);
        let last = small[t - 1];
        assert!(
            small[0] < last * 1e-3,
            "gain 0.5: first {} vs last {last}",
            small[0]
        );
        // The same measurement from an inference-side model copied to autodiff.
        let plain = SeqClassifier::new(CellKind::Lstm, 8, &Device::flex());
        let copied = gradient_flow_on(&plain, Level::Easy, 8, 1, &Device::flex());
        assert!(copied.norms.len() >= 7 && copied.norms.iter().all(|n| *n > 0.0));
        let large = flow(6.0);
        assert!(
            large[0] > small[0] * 1e3,
            "gain 6 first {} vs gain 0.5 first {}",
            large[0],
            small[0]
        );
    }
}
