//! The tab's pictures: training curves, gradient-flow curves on a log scale, and value grids
//! (gate strips, attention maps, read weights) painted cell by cell.

use eframe::egui::{Color32, Rect, RichText, Sense, Stroke, StrokeKind, Ui, Vec2};
use egui_plot::{Legend, Line, Plot, PlotPoints};

use crate::seq::train::StepStats;

/// Line colours by series index (RNN, LSTM, GRU, …).
pub const PALETTE: [Color32; 4] = [
    Color32::from_rgb(230, 120, 90),
    Color32::from_rgb(90, 170, 240),
    Color32::from_rgb(120, 210, 120),
    Color32::from_rgb(220, 190, 90),
];

/// Mean of each window of `w` values (the batch loss is noisy).
fn smoothed(values: impl Iterator<Item = f32>, w: usize) -> Vec<[f64; 2]> {
    let v: Vec<f32> = values.collect();
    v.chunks(w.max(1))
        .enumerate()
        .map(|(i, c)| {
            let mean = c.iter().sum::<f32>() / c.len() as f32;
            [((i * w.max(1)) + c.len() / 2) as f64, mean as f64]
        })
        .filter(|p| p[1].is_finite())
        .collect()
}

/// Loss and batch accuracy against the step, side by side, one line per series.
pub fn training_curves(ui: &mut Ui, id: &str, series: &[(String, Vec<StepStats>)]) {
    let longest = series.iter().map(|(_, s)| s.len()).max().unwrap_or(0);
    let window = (longest / 150).max(5);
    let width = (ui.available_width() / 2.0 - 8.0).max(150.0);
    ui.horizontal(|ui| {
        for (what, pick) in [
            ("loss", (|s: &StepStats| s.loss) as fn(&StepStats) -> f32),
            ("batch accuracy", |s: &StepStats| s.accuracy),
        ] {
            ui.vertical(|ui| {
                ui.label(RichText::new(what).small());
                Plot::new(format!("{id}-{what}"))
                    .height(150.0)
                    .width(width)
                    .allow_scroll(false)
                    .legend(Legend::default())
                    .show(ui, |plot| {
                        for (i, (name, steps)) in series.iter().enumerate() {
                            let points = smoothed(steps.iter().map(pick), window);
                            plot.line(
                                Line::new(name.clone(), PlotPoints::from(points))
                                    .color(PALETTE[i % PALETTE.len()]),
                            );
                        }
                    });
            });
        }
    });
}

/// `log10 |∂L/∂h_t|` against t, one line per curve.
pub fn flow_curves(ui: &mut Ui, id: &str, curves: &[(String, Vec<f32>)]) {
    Plot::new(id.to_string())
        .height(200.0)
        .allow_scroll(false)
        .legend(Legend::default())
        .y_axis_label("log10 |∂L/∂h_t|")
        .x_axis_label("step t")
        .show(ui, |plot| {
            for (i, (name, norms)) in curves.iter().enumerate() {
                let points: Vec<[f64; 2]> = norms
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| n.is_finite() && **n > 0.0)
                    .map(|(t, n)| [t as f64, (*n as f64).log10()])
                    .collect();
                plot.line(
                    Line::new(name.clone(), PlotPoints::from(points))
                        .color(PALETTE[i % PALETTE.len()]),
                );
            }
        });
}

/// How a grid maps values to colours.
#[derive(Clone, Copy, Debug)]
pub enum Scale {
    /// 0 → dark, 1 → bright (gates, attention, read weights).
    Unit,
    /// Blue below zero, red above, saturating at ±`limit` (cell states).
    Signed(f32),
}

/// The colour of `v` on `scale`.
pub fn colour(v: f32, scale: Scale) -> Color32 {
    match scale {
        Scale::Unit => {
            let p = v.clamp(0.0, 1.0);
            Color32::from_rgb(
                (20.0 + 235.0 * p) as u8,
                (20.0 + 200.0 * p * p) as u8,
                (40.0 + 40.0 * (1.0 - p)) as u8,
            )
        }
        Scale::Signed(limit) => {
            let p = (v / limit.max(1e-6)).clamp(-1.0, 1.0);
            let a = (p.abs() * 235.0) as u8; // 20 + a stays within u8
            if p >= 0.0 {
                Color32::from_rgb(20 + a, 20, 20)
            } else {
                Color32::from_rgb(20, 20 + a / 3, 20 + a)
            }
        }
    }
}

/// Paints `rows` (`[row][col]`) as coloured cells of `cell` points, with an optional
/// highlighted column per row (`marks`, e.g. the right answer), and shows the value on hover.
pub fn grid(ui: &mut Ui, rows: &[Vec<f32>], cell: Vec2, scale: Scale, marks: &[usize]) {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let size = Vec2::new(cell.x * cols as f32, cell.y * rows.len() as f32);
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    let painter = ui.painter_at(rect);
    for (r, row) in rows.iter().enumerate() {
        for (c, &v) in row.iter().enumerate() {
            let min = rect.min + Vec2::new(c as f32 * cell.x, r as f32 * cell.y);
            painter.rect_filled(Rect::from_min_size(min, cell), 0.0, colour(v, scale));
        }
    }
    for &c in marks {
        let min = rect.min + Vec2::new(c as f32 * cell.x, 0.0);
        painter.rect_stroke(
            Rect::from_min_size(min, Vec2::new(cell.x, size.y)),
            0.0,
            Stroke::new(1.5, Color32::WHITE),
            StrokeKind::Inside,
        );
    }
    if let Some(pos) = response.hover_pos() {
        let c = ((pos.x - rect.min.x) / cell.x) as usize;
        let r = ((pos.y - rect.min.y) / cell.y) as usize;
        if let Some(v) = rows.get(r).and_then(|row| row.get(c)) {
            response.on_hover_text(format!("row {r}, column {c}: {v:.3}"));
        }
    }
}

/// A row of symbols drawn as small labelled boxes, each coloured by `tint`.
pub fn symbol_row(ui: &mut Ui, symbols: &[String], tint: impl Fn(usize) -> Option<Color32>) {
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 2.0;
        for (i, s) in symbols.iter().enumerate() {
            let text = RichText::new(s).monospace();
            let text = match tint(i) {
                Some(c) => text.background_color(c).color(Color32::BLACK),
                None => text,
            };
            ui.label(text);
        }
    });
}

/// A finished-result line: what was measured, how well, and where it comes from.
pub fn figure(ui: &mut Ui, what: &str, value: f32, source: &str) {
    ui.horizontal(|ui| {
        ui.label(what);
        ui.label(RichText::new(format!("{:.1} %", value * 100.0)).strong());
        ui.label(RichText::new(source).weak());
    });
}

/// Colours of a right and a wrong prediction.
pub const RIGHT: Color32 = Color32::from_rgb(120, 210, 120);
pub const WRONG: Color32 = Color32::from_rgb(240, 110, 110);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smoothing_averages_windows_and_drops_non_finite_points() {
        let pts = smoothed([1.0, 3.0, 5.0, 7.0, f32::NAN].into_iter(), 2);
        assert_eq!(pts, vec![[1.0, 2.0], [3.0, 6.0]]);
    }

    #[test]
    fn colour_scales_are_monotone_and_signed_ones_tell_sign_apart() {
        let lo = colour(0.0, Scale::Unit);
        let hi = colour(1.0, Scale::Unit);
        assert!(hi.r() > lo.r() && hi.g() > lo.g());
        // Far beyond the limit, too: saturated, never wrapped into another hue.
        for v in [2.0, 50.0] {
            let pos = colour(v, Scale::Signed(2.0));
            let neg = colour(-v, Scale::Signed(2.0));
            assert!(pos.r() > 200 && pos.g() < 50 && pos.b() < 50, "{pos:?}");
            assert!(
                neg.b() > 200 && neg.r() < 50 && neg.g() < neg.b(),
                "{neg:?}"
            );
        }
    }
}
