//! Demo 3: inside an LSTM — every unit's input, forget and output gate and its cell state
//! over one sequence, as colour strips (units down, time across).

use eframe::egui::{RichText, Ui, Vec2};
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::Bundled;
use super::order::{CLASSES, OrderDemo};
use super::plots::{self, RIGHT, Scale, WRONG};
use crate::seq::cells::CellKind;
use crate::seq::inside::{Strip, Strips, strips};
use crate::seq::tasks::{Level, OrderExample, render, temporal_order};

const MODEL: &str = "order-moderate-lstm";

#[derive(Default)]
pub struct InsideDemo {
    seed: u64,
    shown: Option<(OrderExample, Strips, String)>,
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
        // The newest LSTM from the race, else the bundled one.
        let raced = order
            .race
            .iter_mut()
            .find(|j| j.label.starts_with("LSTM"))
            .and_then(|j| j.result().map(|m| (m.clone(), "the LSTM from your race")));
        let model = raced.or_else(|| {
            bundled
                .order(MODEL)
                .map(|(m, _)| (m.clone(), "the bundled MODERATE LSTM"))
        });
        let Some((model, source)) = model else {
            ui.colored_label(
                WRONG,
                format!("No LSTM: {MODEL} is missing; race one first."),
            );
            return;
        };
        ui.horizontal(|ui| {
            ui.label(format!("Model: {source}"));
            let stale = self.shown.as_ref().is_none_or(|(_, _, s)| s != source);
            if ui.button("New sequence").clicked() || stale {
                self.seed += 1;
                let example =
                    temporal_order(Level::Moderate, &mut StdRng::seed_from_u64(self.seed));
                let s = strips(&model, &example.symbols, &super::device());
                self.shown = Some((example, s, source.to_string()));
            }
        });
        let Some((example, s, _)) = &self.shown else {
            return;
        };
        if model.cell.kind() != CellKind::Lstm || s.cell.is_empty() {
            return;
        }
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
