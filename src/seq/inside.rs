//! Inside an LSTM: every unit's gates and cell state at every step of one sequence, read off
//! the stepped cell (Burn's own `Lstm::forward` returns hidden states only).

use burn::tensor::{Device, Tensor, TensorData};

use super::classifier::SeqClassifier;
use super::fit::first_argmax;
use super::tasks::{N_SYMBOLS, OrderExample, one_hot_batch};

/// `[step][unit]` values of one sequence.
pub type Strip = Vec<Vec<f32>>;

/// What an LSTM did on one sequence. Gates are in (0, 1); the cell state is unbounded.
#[derive(Clone, Debug, Default)]
pub struct Strips {
    pub input_gate: Strip,
    pub forget_gate: Strip,
    pub output_gate: Strip,
    pub cell: Strip,
    pub hidden: Strip,
    /// The class the model predicts at the end.
    pub predicted: usize,
}

/// Runs `model` on one sequence of symbol indices and records every step. For a model that
/// is not an LSTM the gate strips stay empty.
pub fn strips(model: &SeqClassifier, symbols: &[usize], device: &Device) -> Strips {
    let example = OrderExample {
        symbols: symbols.iter().map(|&s| s.min(N_SYMBOLS - 1)).collect(),
        t1: 0,
        t2: 0,
        class: 0,
    };
    let (x, t, _) = one_hot_batch(std::slice::from_ref(&example));
    let x = Tensor::<3>::from_data(TensorData::new(x, [1, t, N_SYMBOLS]), device);
    let row = |v: &Tensor<2>| {
        v.clone()
            .into_data()
            .try_to_vec::<f32>()
            .unwrap_or_default()
    };
    let mut out = Strips::default();
    let logits = model.forward_with(x, &mut |_, state, gates| {
        for (strip, gate) in [
            (&mut out.input_gate, &gates.input),
            (&mut out.forget_gate, &gates.forget),
            (&mut out.output_gate, &gates.output),
        ] {
            if let Some(g) = gate {
                strip.push(row(g));
            }
        }
        if let Some(c) = &state.c {
            out.cell.push(row(c));
        }
        out.hidden.push(row(&state.h));
        state
    });
    out.predicted = first_argmax(logits);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seq::cells::CellKind;

    #[test]
    fn an_lstm_gives_one_row_per_step_and_unit_with_gates_in_range() {
        let device = Device::flex();
        let model = SeqClassifier::new(CellKind::Lstm, 5, &device);
        let s = strips(&model, &[6, 0, 2, 3, 1, 7], &device);
        for strip in [
            &s.input_gate,
            &s.forget_gate,
            &s.output_gate,
            &s.cell,
            &s.hidden,
        ] {
            assert_eq!(strip.len(), 6);
            assert!(strip.iter().all(|r| r.len() == 5));
        }
        for gate in [&s.input_gate, &s.forget_gate, &s.output_gate] {
            assert!(gate.iter().flatten().all(|&g| g > 0.0 && g < 1.0));
        }
        // h = o ⊙ tanh(c), checked at every step and unit.
        for t in 0..6 {
            for u in 0..5 {
                let h = s.output_gate[t][u] * s.cell[t][u].tanh();
                assert!((h - s.hidden[t][u]).abs() < 1e-5);
            }
        }
        assert!(s.predicted < 4);

        let rnn = SeqClassifier::new(CellKind::Rnn, 5, &device);
        let r = strips(&rnn, &[6, 0, 7], &device);
        assert!(r.input_gate.is_empty() && r.cell.is_empty());
        assert_eq!(r.hidden.len(), 3);
    }
}
