//! A recurrent cell read out at the last step: the temporal-order classifier.

use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::{Device, Tensor};

use super::cells::{Cell, CellConfig, CellKind};
use super::tasks::{N_CLASSES, N_SYMBOLS};

/// `[B, T, 8]` one-hot sequence → `[B, 4]` class logits from the last hidden state.
#[derive(Module, Debug)]
pub struct SeqClassifier {
    pub cell: Cell,
    head: Linear,
}

impl SeqClassifier {
    pub fn new(kind: CellKind, hidden: usize, device: &Device) -> Self {
        Self {
            cell: CellConfig::new(kind, N_SYMBOLS, hidden).init(device),
            head: LinearConfig::new(hidden, N_CLASSES).init(device),
        }
    }

    /// Runs the cell over all steps; returns the logits and every hidden state `[B, hidden]`.
    pub fn forward_states(&self, x: Tensor<3>) -> (Tensor<2>, Vec<Tensor<2>>) {
        let [b, t, d] = x.dims();
        let mut state = self.cell.zero_state(b, &x.device());
        let mut hs = Vec::with_capacity(t);
        for step in 0..t {
            let xt = x
                .clone()
                .slice([0..b, step..step + 1, 0..d])
                .reshape([b, d]);
            state = self.cell.step(xt, &state).0;
            hs.push(state.h.clone());
        }
        (self.head.forward(state.h), hs)
    }

    pub fn forward(&self, x: Tensor<3>) -> Tensor<2> {
        self.forward_states(x).0
    }
}

/// Number of trainable parameters of a cell of `kind` with `hidden` units on 8 inputs plus the
/// 4-way head: the equal-parameter toggle compares e.g. a 10-unit RNN with a 4-unit LSTM.
pub fn param_count(kind: CellKind, hidden: usize) -> usize {
    kind.gates() * hidden * (N_SYMBOLS + hidden + 1) + hidden * N_CLASSES + N_CLASSES
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
    }
}
