//! Demo 1: the temporal-order race — RNN, LSTM and GRU trained side by side on the same
//! batches, with an equal-parameter toggle.

use eframe::egui::{self, Color32, RichText, Ui};
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::job::Job;
use super::plots::{self, RIGHT, WRONG};
use super::{Bundled, Memo};
use crate::seq::cells::CellKind;
use crate::seq::classifier::{SeqClassifier, equal_param_hidden, param_count};
use crate::seq::inside::strips;
use crate::seq::tasks::{Level, OrderExample, render, temporal_order};
use crate::seq::train::{OrderTrainConfig, train_order};

pub const KINDS: [CellKind; 3] = [CellKind::Rnn, CellKind::Lstm, CellKind::Gru];
pub const CLASSES: [&str; 4] = ["XX", "XY", "YX", "YY"];
/// The bundled temporal-order models.
pub const BUNDLED: [&str; 4] = [
    "order-moderate-rnn",
    "order-moderate-lstm",
    "order-moderate-gru",
    "order-hard-lstm",
];

pub struct OrderDemo {
    pub level: Level,
    /// The LSTM's units; the others match it in units or (toggle) in parameters.
    pub hidden: usize,
    pub equal_params: bool,
    pub steps: usize,
    pub seed: u64,
    pub race: Vec<Job<SeqClassifier>>,
    example: Option<OrderExample>,
    example_seed: u64,
    /// Each model's answer to the example, keyed by (example, finished race models).
    answers: Memo<(u64, usize), Vec<(String, usize)>>,
}

impl Default for OrderDemo {
    fn default() -> Self {
        Self {
            level: Level::Normal,
            hidden: 16,
            equal_params: false,
            steps: 1500,
            seed: 1,
            race: Vec::new(),
            example: None,
            example_seed: 1,
            answers: Memo::default(),
        }
    }
}

/// Units of `kind` in this race.
pub fn units(kind: CellKind, lstm_hidden: usize, equal_params: bool) -> usize {
    if equal_params {
        equal_param_hidden(kind, param_count(CellKind::Lstm, lstm_hidden))
    } else {
        lstm_hidden
    }
}

pub fn kind_name(kind: CellKind) -> &'static str {
    match kind {
        CellKind::Rnn => "RNN",
        CellKind::Lstm => "LSTM",
        CellKind::Gru => "GRU",
    }
}

pub fn level_combo(ui: &mut Ui, level: &mut Level) {
    egui::ComboBox::from_label("level")
        .selected_text(format!("{level:?}"))
        .show_ui(ui, |ui| {
            for l in Level::ALL {
                let spec = l.spec();
                ui.selectable_value(
                    level,
                    l,
                    format!("{l:?} (length {}–{})", spec.length.0, spec.length.1),
                );
            }
        });
}

impl OrderDemo {
    pub fn running(&self) -> bool {
        self.race.iter().any(Job::running)
    }

    fn start_race(&mut self) {
        self.race = KINDS
            .iter()
            .map(|&kind| {
                let cfg = OrderTrainConfig {
                    kind,
                    level: self.level,
                    hidden: units(kind, self.hidden, self.equal_params),
                    steps: self.steps,
                    // Same seed: the same batches in the same order for all three.
                    seed: self.seed,
                    ..OrderTrainConfig::default()
                };
                let label = format!("{} ({} units)", kind_name(kind), cfg.hidden);
                Job::spawn(label, move |cx| {
                    train_order(&cfg, &super::device(), &mut |s| cx.report(s), &cx.cancel)
                })
            })
            .collect();
    }

    pub fn show(&mut self, ui: &mut Ui, bundled: &Bundled) {
        ui.label(
            "Temporal order (Hochreiter & Schmidhuber 1997, exp. 6a). A sequence B…E of \
             fillers a–d hides an X or a Y at two positions; the class is their order (XX, XY, \
             YX, YY). The answer is only asked for at the end, so the network must carry two \
             symbols across the whole gap. A vanilla RNN's memory is multiplied by the same \
             matrix every step and fades; the LSTM's cell state is added to, not multiplied, \
             and a forget gate near 1 keeps it.",
        );
        ui.separator();
        ui.label(RichText::new("Bundled results (fresh test sequences)").strong());
        for name in BUNDLED {
            bundled.figure_line(ui, name);
        }
        ui.separator();
        ui.horizontal_wrapped(|ui| {
            level_combo(ui, &mut self.level);
            ui.add(egui::Slider::new(&mut self.hidden, 2..=64).text("LSTM units"));
            ui.checkbox(&mut self.equal_params, "equal parameters")
                .on_hover_text("give the RNN and GRU as many weights as the LSTM (more units)");
            ui.add(egui::Slider::new(&mut self.steps, 100..=6000).text("steps"));
            ui.add(egui::DragValue::new(&mut self.seed).prefix("seed "));
        });
        ui.label(
            RichText::new(
                KINDS
                    .iter()
                    .map(|&k| {
                        let h = units(k, self.hidden, self.equal_params);
                        format!("{}: {h} units, {} weights", kind_name(k), param_count(k, h))
                    })
                    .collect::<Vec<_>>()
                    .join(" · "),
            )
            .weak(),
        );
        ui.horizontal(|ui| {
            if self.running() {
                if ui.button("Stop").clicked() {
                    self.race.iter().for_each(Job::cancel);
                }
                ui.spinner();
            } else if ui.button("Race RNN vs LSTM vs GRU").clicked() {
                self.start_race();
            }
        });
        if !self.race.is_empty() {
            let series: Vec<_> = self
                .race
                .iter()
                .map(|j| (j.label.clone(), j.steps()))
                .collect();
            plots::training_curves(ui, "order-race", &series);
            for job in &mut self.race {
                let label = job.label.clone();
                if let Some(Err(e)) = job.poll() {
                    ui.colored_label(WRONG, format!("{label}: {e}"));
                }
            }
        }
        ui.separator();
        self.example_view(ui, bundled);
    }

    /// One sequence and every available model's answer.
    fn example_view(&mut self, ui: &mut Ui, bundled: &Bundled) {
        ui.horizontal(|ui| {
            ui.label(RichText::new("Try one").strong());
            if ui.button("New sequence").clicked() || self.example.is_none() {
                self.example_seed += 1;
                let mut rng = StdRng::seed_from_u64(self.example_seed);
                self.example = Some(temporal_order(self.level, &mut rng));
            }
        });
        let Some(example) = &self.example else { return };
        let text = render(&example.symbols);
        let symbols: Vec<String> = text.chars().map(String::from).collect();
        plots::symbol_row(ui, &symbols, |i| {
            (i == example.t1 || i == example.t2).then_some(Color32::from_rgb(250, 210, 90))
        });
        ui.label(format!(
            "truth: {} (t1 = {}, t2 = {})",
            CLASSES[example.class], example.t1, example.t2
        ));
        let available = self.race.iter_mut().filter_map(|j| j.result()).count();
        let key = (self.example_seed, available);
        let race = &mut self.race;
        let answers = self.answers.get_or(key, || {
            let device = super::device();
            let mut answers = Vec::new();
            for job in race.iter_mut() {
                let label = format!("race {}", job.label);
                if let Some(m) = job.result() {
                    answers.push((label, strips(m, &example.symbols, &device).predicted));
                }
            }
            for name in BUNDLED {
                if let Some((m, _)) = bundled.order(name) {
                    let predicted = strips(m, &example.symbols, &device).predicted;
                    answers.push((name.to_string(), predicted));
                }
            }
            answers
        });
        ui.horizontal_wrapped(|ui| {
            for (label, predicted) in answers {
                let colour = if *predicted == example.class {
                    RIGHT
                } else {
                    WRONG
                };
                ui.label(RichText::new(format!("{label}: {}", CLASSES[*predicted])).color(colour));
            }
        });
    }
}
