//! Demo 1: the temporal-order race — RNN, LSTM and GRU trained side by side on the same
//! batches, with an equal-parameter toggle.

use eframe::egui::{self, Color32, RichText, Ui};
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::job::Job;
use super::plots::{self, RIGHT, WRONG};
use super::runs::{RunAction, progress, run_button};
use super::{Bundled, Memo};
use crate::seq::cells::CellKind;
use crate::seq::classifier::{SeqClassifier, equal_param_hidden, param_count};
use crate::seq::tasks::{Level, OrderExample, render, temporal_order};
use crate::seq::train::predict;
use crate::seq::train::{OrderTrainConfig, train_order};
use crate::seq::weights::{SeqArch, SeqMeta};

pub const KINDS: [CellKind; 3] = [CellKind::Rnn, CellKind::Lstm, CellKind::Gru];
pub const CLASSES: [&str; 4] = ["XX", "XY", "YX", "YY"];
/// The bundled temporal-order models.
pub const BUNDLED: [&str; 4] = [
    "order-moderate-rnn",
    "order-moderate-lstm",
    "order-moderate-gru",
    "order-hard-lstm",
];

/// An example (by seed and level) and the finished race runs that answered it.
type AnswersKey = (u64, Level, Vec<u64>);

pub struct OrderDemo {
    pub level: Level,
    /// The LSTM's units; the others match it in units or (toggle) in parameters.
    pub hidden: usize,
    pub equal_params: bool,
    pub steps: usize,
    pub seed: u64,
    /// One run per cell, in [`KINDS`] order, all on `race_level`.
    race: Vec<Job<SeqClassifier>>,
    race_level: Level,
    /// The sequence on screen, drawn at the level shown beside it.
    example: Option<(Level, OrderExample)>,
    example_seed: u64,
    /// Each model's answer to the example, keyed by (example, finished race runs).
    answers: Memo<AnswersKey, Vec<(String, usize)>>,
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
            race_level: Level::Normal,
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

    /// The finished race model of `kind`: its run id, the model and the level it learnt.
    pub fn raced(&mut self, kind: CellKind) -> Option<(u64, &SeqClassifier, Level)> {
        let level = self.race_level;
        let i = KINDS.iter().position(|k| *k == kind)?;
        let (id, model) = self.race.get_mut(i)?.finished()?;
        Some((id, model, level))
    }

    fn start_race(&mut self) {
        self.race_level = self.level;
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
                let label = format!("{kind} ({} units)", cfg.hidden);
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
                        format!("{k}: {h} units, {} weights", param_count(k, h))
                    })
                    .collect::<Vec<_>>()
                    .join(" · "),
            )
            .weak(),
        );
        ui.horizontal(
            |ui| match run_button(ui, self.running(), "Race RNN vs LSTM vs GRU") {
                Some(RunAction::Start) => self.start_race(),
                Some(RunAction::Stop) => self.race.iter().for_each(Job::cancel),
                None => {}
            },
        );
        progress(ui, "order-race", &mut self.race);
        ui.separator();
        self.example_view(ui, bundled);
    }

    /// One sequence and every available model's answer.
    fn example_view(&mut self, ui: &mut Ui, bundled: &Bundled) {
        ui.horizontal(|ui| {
            ui.label(RichText::new("Try one").strong());
            let stale = self.example.as_ref().is_none_or(|(l, _)| *l != self.level);
            if ui.button("New sequence").clicked() || stale {
                self.example_seed += 1;
                let mut rng = StdRng::seed_from_u64(self.example_seed);
                self.example = Some((self.level, temporal_order(self.level, &mut rng)));
            }
        });
        let Some((level, example)) = &self.example else {
            return;
        };
        let text = render(&example.symbols);
        let symbols: Vec<String> = text.chars().map(String::from).collect();
        plots::symbol_row(ui, &symbols, |i| {
            (i == example.t1 || i == example.t2).then_some(Color32::from_rgb(250, 210, 90))
        });
        ui.label(format!(
            "truth: {} (t1 = {}, t2 = {})",
            CLASSES[example.class], example.t1, example.t2
        ));
        let finished = self
            .race
            .iter_mut()
            .filter_map(|j| j.finished().map(|(id, _)| id))
            .collect();
        let key = (self.example_seed, *level, finished);
        let race = &mut self.race;
        // A model answers only at the level it was trained on: sequence lengths differ from
        // level to level, and a model shown lengths it never saw would teach the lesson
        // backwards (an RNN "beating" an LSTM on a level neither was trained for).
        let race_fits = self.race_level == *level;
        let answers = self.answers.get_or(key, || {
            let device = super::device();
            let mut answers = Vec::new();
            for job in race.iter_mut().filter(|_| race_fits) {
                let label = format!("race {}", job.label);
                if let Some(m) = job.result() {
                    answers.push((label, predict(m, &example.symbols, &device)));
                }
            }
            for name in BUNDLED {
                if let Some((m, _)) = bundled
                    .order(name)
                    .filter(|(_, meta)| trained_on(meta) == Some(*level))
                {
                    answers.push((name.to_string(), predict(m, &example.symbols, &device)));
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
        let elsewhere: Vec<String> = BUNDLED
            .iter()
            .filter_map(|name| {
                let level_of = trained_on(bundled.order(name)?.1)?;
                (level_of != *level).then(|| format!("{name} ({level_of:?})"))
            })
            .chain(
                (!race_fits && !self.race.is_empty())
                    .then(|| format!("the race runs ({:?})", self.race_level)),
            )
            .collect();
        if !elsewhere.is_empty() {
            ui.small(format!(
                "Answering only at the level they were trained on: {}.",
                elsewhere.join(", ")
            ));
        }
    }
}

/// The level a temporal-order model was trained on.
fn trained_on(meta: &SeqMeta) -> Option<Level> {
    match meta.arch {
        SeqArch::Order { level, .. } => Some(level),
        _ => None,
    }
}
