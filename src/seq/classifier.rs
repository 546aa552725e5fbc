//! A recurrent cell read out at the last step: the temporal-order classifier.

use burn::module::Module;
use burn::nn::Linear;
use burn::tensor::{Device, Tensor};

use super::cells::{Cell, CellKind, CellState, Gates, cell_and_head};
use super::tasks::{N_CLASSES, N_SYMBOLS};

/// `[B, T, 8]` one-hot sequence → `[B, 4]` class logits from the last hidden state.
#[derive(Module, Debug)]
pub struct SeqClassifier {
    pub cell: Cell,
    head: Linear,
}

impl SeqClassifier {
    pub fn new(kind: CellKind, hidden: usize, device: &Device) -> Self {
        Self::seeded(kind, hidden, 0, device)
    }

    /// With initial weights fixed by `seed`.
    pub fn seeded(kind: CellKind, hidden: usize, seed: u64, device: &Device) -> Self {
        let (cell, head) = cell_and_head(kind, N_SYMBOLS, hidden, N_CLASSES, seed, device);
        Self { cell, head }
    }

    /// Runs the cell over all steps; `visit(t, state, gates)` sees every new state and returns
    /// the one carried on (the gradient probes add to it, the LSTM strips read it).
    pub fn forward_with(
        &self,
        x: Tensor<3>,
        visit: &mut dyn FnMut(usize, CellState, &Gates) -> CellState,
    ) -> Tensor<2> {
        let [b, t, d] = x.dims();
        let mut state = self.cell.zero_state(b, &x.device());
        for step in 0..t {
            let xt = x
                .clone()
                .slice([0..b, step..step + 1, 0..d])
                .reshape([b, d]); // [B, 8]
            let (next, gates) = self.cell.step(xt, &state);
            state = visit(step, next, &gates);
        }
        self.head.forward(state.h) // [B, 4]
    }

    pub fn forward(&self, x: Tensor<3>) -> Tensor<2> {
        self.forward_with(x, &mut |_, state, _| state)
    }

    /// Scales the recurrent weights by `gain` (the init-gain slider: above about 2 the RNN's
    /// gradients explode, below it they vanish faster).
    pub fn with_recurrent_gain(mut self, gain: f32) -> Self {
        self.cell = self.cell.with_recurrent_gain(gain);
        self
    }
}

/// Number of trainable parameters of a cell of `kind` with `hidden` units on 8 inputs plus the
/// 4-way head: the equal-parameter toggle compares e.g. a 10-unit RNN with a 4-unit LSTM.
pub fn param_count(kind: CellKind, hidden: usize) -> usize {
    kind.gates() * hidden * (N_SYMBOLS + hidden + 1) + hidden * N_CLASSES + N_CLASSES
}

/// The hidden size that gives a `kind` cell about `params` parameters (the equal-parameter
/// toggle: an RNN needs 2–2.5× the units of an LSTM).
pub fn equal_param_hidden(kind: CellKind, params: usize) -> usize {
    (1..=1024)
        .min_by_key(|&h| param_count(kind, h).abs_diff(params))
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn param_count_matches_the_module_and_the_course_comparison() {
        let device = Device::flex();
        for kind in [CellKind::Rnn, CellKind::Lstm, CellKind::Gru] {
            let m = SeqClassifier::new(kind, 6, &device);
            assert_eq!(m.num_params(), param_count(kind, 6), "{kind:?}");
        }
        // A 10-unit RNN has about the parameters of a 4-unit LSTM (the course's toggle).
        let (rnn, lstm) = (
            param_count(CellKind::Rnn, 10),
            param_count(CellKind::Lstm, 4),
        );
        assert!(rnn.abs_diff(lstm) * 5 < lstm, "{rnn} vs {lstm}");
        assert_eq!(equal_param_hidden(CellKind::Lstm, lstm), 4);
        let h = equal_param_hidden(CellKind::Rnn, param_count(CellKind::Lstm, 16));
        assert_eq!(
            h, 35,
            "an RNN of 35 units has the parameters of a 16-unit LSTM"
        );
    }
}
