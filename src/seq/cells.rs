//! Recurrent cells written out one time step at a time, so the tab can show what happens
//! inside (gates, cell state) and probe gradients at every step.
//!
//! ```text
//! RNN   h' = tanh(W x + U h + b)
//! LSTM  i, f, o = σ(·), g = tanh(·)      c' = f ⊙ c + i ⊙ g      h' = o ⊙ tanh(c')
//! GRU   z, r = σ(·)   n = tanh(W_n x + r ⊙ (U_n h))   h' = (1 − z) ⊙ n + z ⊙ h
//! ```
//! Shapes: `x` is `[B, input]`, `h` and `c` are `[B, hidden]`.

use burn::config::Config;
use burn::module::{Module, Param};
use burn::nn::Linear;
use burn::tensor::activation::{sigmoid, tanh};
use burn::tensor::{Device, Tensor};

use super::init::{HEAD_SALT, linear_from, seeded_linear, stream, uniform};

/// Which recurrence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CellKind {
    Rnn,
    Lstm,
    Gru,
}

impl std::fmt::Display for CellKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CellKind::Rnn => "RNN",
            CellKind::Lstm => "LSTM",
            CellKind::Gru => "GRU",
        })
    }
}

impl std::str::FromStr for CellKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "rnn" => Ok(CellKind::Rnn),
            "lstm" => Ok(CellKind::Lstm),
            "gru" => Ok(CellKind::Gru),
            other => Err(format!("unknown cell {other:?} (rnn, lstm or gru)")),
        }
    }
}

impl CellKind {
    /// Gate blocks the cell computes per step (each `hidden` wide).
    pub fn gates(self) -> usize {
        match self {
            CellKind::Rnn => 1,
            CellKind::Lstm => 4,
            CellKind::Gru => 3,
        }
    }
}

/// A cell's size.
#[derive(Config, Debug)]
pub struct CellConfig {
    pub kind: CellKind,
    pub input: usize,
    pub hidden: usize,
    /// Initial forget-gate bias of an LSTM (1 keeps memories by default; Gers et al. 2000).
    #[config(default = 1.0)]
    pub forget_bias: f32,
    /// Seed of the initial weights.
    #[config(default = 0)]
    pub seed: u64,
}

/// A cell on `input` features and a linear read-out of its state to `output` classes, both
/// initialised from `seed` (the head from its own stream).
pub fn cell_and_head(
    kind: CellKind,
    input: usize,
    hidden: usize,
    output: usize,
    seed: u64,
    device: &Device,
) -> (Cell, Linear) {
    let mut rng = stream(seed, HEAD_SALT);
    (
        CellConfig::new(kind, input, hidden)
            .with_seed(seed)
            .init(device),
        seeded_linear(hidden, output, true, &mut rng, device),
    )
}

/// The state carried from step to step.
#[derive(Clone, Debug)]
pub struct CellState {
    pub h: Tensor<2>,
    /// LSTM only.
    pub c: Option<Tensor<2>>,
}

/// What one step exposes beyond the new state: the LSTM's gates `[B, hidden]` each.
#[derive(Clone, Debug, Default)]
pub struct Gates {
    pub input: Option<Tensor<2>>,
    pub forget: Option<Tensor<2>>,
    pub output: Option<Tensor<2>>,
}

/// One recurrent cell. `x_proj` maps the input to every gate at once, `h_proj` the hidden
/// state, so one step is two matrix products.
#[derive(Module, Debug)]
pub struct Cell {
    x_proj: Linear,
    h_proj: Linear,
    hidden: usize,
    gates: usize,
}

impl CellConfig {
    pub fn init(&self, device: &Device) -> Cell {
        let (d, h) = (self.input, self.hidden);
        let n = self.kind.gates() * h;
        let mut rng = stream(self.seed, 0);
        // Burn's default: uniform in ±1/√fan_in, weights then bias.
        let x_bound = 1.0 / (d.max(1) as f32).sqrt();
        let x_weight = uniform(&mut rng, d * n, x_bound);
        let mut bias = uniform(&mut rng, n, x_bound);
        if self.kind == CellKind::Lstm {
            // Gate order i, f, g, o: the second block is the forget gate.
            bias[h..2 * h].fill(self.forget_bias);
        }
        let x_proj = linear_from(x_weight, Some(bias), d, n, device);
        let h_proj = seeded_linear(h, n, false, &mut rng, device);
        Cell {
            x_proj,
            h_proj,
            hidden: self.hidden,
            gates: self.kind.gates(),
        }
    }
}

impl Cell {
    /// Scales the recurrent matrix `U` by `gain`.
    pub fn with_recurrent_gain(mut self, gain: f32) -> Self {
        if gain != 1.0 {
            // A fresh leaf: `w * gain` alone would be a graph node, consumed by the first
            // backward pass.
            let scaled = (self.h_proj.weight.val() * gain).detach();
            self.h_proj.weight = Param::from_tensor(scaled);
        }
        self
    }

    /// The RNN's weights as plain numbers `(W [input][hidden], U [hidden][hidden], b [hidden])`,
    /// for checks against a hand computation.
    pub fn weights(&self) -> (Vec<Vec<f32>>, Vec<Vec<f32>>, Vec<f32>) {
        let rows = |t: Tensor<2>| {
            let [_, cols] = t.dims();
            let v = t.into_data().try_to_vec::<f32>().unwrap_or_default();
            v.chunks(cols.max(1)).map(<[f32]>::to_vec).collect()
        };
        let bias = self
            .x_proj
            .bias
            .as_ref()
            .map(|b| b.val().into_data().try_to_vec::<f32>().unwrap_or_default())
            .unwrap_or_default();
        (
            rows(self.x_proj.weight.val()),
            rows(self.h_proj.weight.val()),
            bias,
        )
    }

    pub fn hidden(&self) -> usize {
        self.hidden
    }

    pub fn kind(&self) -> CellKind {
        match self.gates {
            1 => CellKind::Rnn,
            4 => CellKind::Lstm,
            _ => CellKind::Gru,
        }
    }

    /// Zero state for a batch of `batch`.
    pub fn zero_state(&self, batch: usize, device: &Device) -> CellState {
        let h = Tensor::zeros([batch, self.hidden], device);
        CellState {
            c: (self.kind() == CellKind::Lstm).then(|| h.clone()),
            h,
        }
    }

    /// One time step: `x` `[B, input]` → new state (and, for an LSTM, its gates).
    pub fn step(&self, x: Tensor<2>, state: &CellState) -> (CellState, Gates) {
        let hd = self.hidden;
        let xs = self.x_proj.forward(x); // [B, gates·hidden]
        let hs = self.h_proj.forward(state.h.clone()); // [B, gates·hidden]
        let [b, _] = xs.dims();
        let block = |t: &Tensor<2>, k: usize| t.clone().slice([0..b, k * hd..(k + 1) * hd]);
        match self.kind() {
            CellKind::Rnn => (
                CellState {
                    h: tanh(xs + hs),
                    c: None,
                },
                Gates::default(),
            ),
            CellKind::Lstm => {
                let pre = xs + hs;
                let i = sigmoid(block(&pre, 0));
                let f = sigmoid(block(&pre, 1));
                let g = tanh(block(&pre, 2));
                let o = sigmoid(block(&pre, 3));
                let c_prev = state.c.clone().unwrap_or_else(|| state.h.zeros_like());
                let c = f.clone() * c_prev + i.clone() * g;
                let h = o.clone() * tanh(c.clone());
                (
                    CellState { h, c: Some(c) },
                    Gates {
                        input: Some(i),
                        forget: Some(f),
                        output: Some(o),
                    },
                )
            }
            CellKind::Gru => {
                let z = sigmoid(block(&xs, 0) + block(&hs, 0));
                let r = sigmoid(block(&xs, 1) + block(&hs, 1));
                let n = tanh(block(&xs, 2) + r * block(&hs, 2));
                let h = (z.ones_like() - z.clone()) * n + z * state.h.clone();
                (CellState { h, c: None }, Gates::default())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_keeps_the_shapes_and_an_lstm_starts_remembering() {
        let device = Device::flex();
        for kind in [CellKind::Rnn, CellKind::Lstm, CellKind::Gru] {
            let cell = CellConfig::new(kind, 8, 5).init(&device);
            let s0 = cell.zero_state(3, &device);
            let x = Tensor::<2>::ones([3, 8], &device);
            let (s1, gates) = cell.step(x, &s0);
            assert_eq!(s1.h.dims(), [3, 5]);
            assert_eq!(s1.c.is_some(), kind == CellKind::Lstm);
            assert_eq!(gates.forget.is_some(), kind == CellKind::Lstm);
        }
        // Forget-gate bias 1: with zero input the forget gate is about σ(1) ≈ 0.73.
        let cell = CellConfig::new(CellKind::Lstm, 8, 5).init(&device);
        let s0 = cell.zero_state(1, &device);
        let (_, gates) = cell.step(Tensor::zeros([1, 8], &device), &s0);
        let f = gates
            .forget
            .unwrap()
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
        assert!(f.iter().all(|&v| (v - 0.731).abs() < 0.01), "{f:?}");
    }
}
