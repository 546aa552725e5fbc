//! Demo 3: inside an LSTM — every unit's input, forget and output gate and its cell state
//! over one sequence, as colour strips (units down, time across).

use eframe::egui::{RichText, Ui, Vec2};
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::order::{CLASSES, OrderDemo};
use super::plots::{self, RIGHT, Scale, WRONG};
use super::{Bundled, Memo};
use crate::seq::cells::CellKind;
use crate::seq::inside::{Strip, Strips, strips};
use crate::seq::tasks::{Level, OrderExample, render, temporal_order};

const MODEL: &str = "order-moderate-lstm";

#[derive(Default)]
pub struct InsideDemo {
    seed: u64,
    /// The sequence on screen and the model's strips, keyed by (run id, level, seed).
    shown: Memo<(u64, Level, u64), (OrderExample, Strips)>,
}

/// `[step][unit]` → `[unit][step]`, so time runs left to right.
fn transpose(strip: &Strip) -> Strip {
    let units = strip.first().map_or(0, Vec::len);
    (0..units)
        .map(|u| strip.iter().map(|row| row[u]).collect())
        .collect()
}

impl InsideDemo {
    pub fn show(&mut self, ui: &mut Ui, bundled: &Bundled, order: &mut OrderDemo) {
        ui.label(
            "An LSTM step: i, f, o = σ(W x + U h + b) per gate, g = tanh(…), c <- f * c + i * g, \
             h = o * tanh(c). Watch the units that store the X/Y symbols: their input gate \
             opens at the marked steps, their forget gate stays near 1 (bright) in between, \
             and the cell state holds its value across the gap until the end.",
        );
        // The LSTM from the last race, else the bundled one; keyed by run id (0 = bundled).
        let (id, model, level, source) = match order.raced(CellKind::Lstm) {
            Some((id, m, level)) => (id, m, level, "the LSTM from your race"),
            None => match bundled.order(MODEL) {
                Some((m, _)) => (0, m, Level::Moderate, "the bundled MODERATE LSTM"),
                None => {
                    ui.colored_label(
                        WRONG,
                        format!("No LSTM: {MODEL} is missing; race one first."),
                    );
                    return;
                }
            },
        };
        let mut new = false;
        ui.horizontal(|ui| {
            ui.label(format!("Model: {source}; a {level:?} sequence"));
            new = ui.button("New sequence").clicked();
        });
        if new {
            self.seed += 1;
        }
        let (example, s) = self.shown.get_or((id, level, self.seed), || {
            let example = temporal_order(level, &mut StdRng::seed_from_u64(self.seed));
            let s = strips(model, &example.symbols, &super::device());
            (example, s)
        });
        let predicted = CLASSES[s.predicted.min(3)];
        ui.label(
            RichText::new(format!(
                "{}   truth {} at t1 = {}, t2 = {}; predicted {predicted}",
                render(&example.symbols),
                CLASSES[example.class],
                example.t1,
                example.t2
            ))
            .monospace()
            .color(if s.predicted == example.class {
                RIGHT
            } else {
                WRONG
            }),
        );
        let cell = Vec2::new(7.0, 7.0);
        let marks = [example.t1, example.t2];
        for (name, strip, scale) in [
            ("input gate i", &s.input_gate, Scale::Unit),
            ("forget gate f", &s.forget_gate, Scale::Unit),
            ("output gate o", &s.output_gate, Scale::Unit),
            ("cell state c (red +, blue −)", &s.cell, Scale::Signed(2.0)),
        ] {
            ui.label(RichText::new(name).small());
            plots::grid(ui, &transpose(strip), cell, scale, &marks);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose_puts_units_in_rows() {
        let s = vec![vec![1.0, 2.0], vec![3.0, 4.0], vec![5.0, 6.0]];
        assert_eq!(
            transpose(&s),
            vec![vec![1.0, 3.0, 5.0], vec![2.0, 4.0, 6.0]]
        );
        assert!(transpose(&Vec::new()).is_empty());
    }
}
