//! Demo 5: seq2seq with attention, on reversing digit strings. The attention model looks back
//! at every encoder state (its weights form an anti-diagonal); the plain model must squeeze
//! the whole string into one vector and fails on long inputs.

use eframe::egui::{self, RichText, Ui, Vec2};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use super::job::Job;
use super::plots::{self, RIGHT, Scale, WRONG};
use super::runs::{RunAction, progress, run_button};
use super::{Bundled, Memo};
use crate::seq::seq2seq::{Seq2Seq, Seq2SeqTrainConfig, Translation, train_seq2seq, translate};

/// Longest string the box takes: the decoder runs once per digit and the attention map grows
/// with the square of the length, all on the UI thread.
const MAX_DIGITS: usize = 30;

const MODELS: [(&str, &str); 2] = [
    ("seq2seq-attention", "with attention"),
    ("seq2seq-plain", "without attention"),
];

/// Each model's name and its translation.
type Translations = Vec<(String, Translation)>;

pub struct TranslateDemo {
    input: String,
    length: usize,
    seed: u64,
    steps: usize,
    jobs: Vec<Job<Seq2Seq>>,
    /// Translations of `input` by each model, keyed by (input, finished runs).
    shown: Memo<(String, Vec<u64>), Translations>,
}

impl Default for TranslateDemo {
    fn default() -> Self {
        Self {
            input: "3141592653589".into(),
            length: 14,
            seed: 1,
            steps: Seq2SeqTrainConfig::default_for(true).steps,
            jobs: Vec::new(),
            shown: Memo::default(),
        }
    }
}

/// The digits of `text` (at most [`MAX_DIGITS`]), ignoring anything else.
fn digits(text: &str) -> Vec<usize> {
    text.chars()
        .filter_map(|c| c.to_digit(10))
        .map(|d| d as usize)
        .take(MAX_DIGITS)
        .collect()
}

fn as_text(digits: &[usize]) -> String {
    digits.iter().map(|d| d.to_string()).collect()
}

impl TranslateDemo {
    pub fn running(&self) -> bool {
        self.jobs.iter().any(Job::running)
    }

    fn start(&mut self) {
        self.jobs = [true, false]
            .into_iter()
            .map(|attention| {
                let cfg = Seq2SeqTrainConfig {
                    steps: self.steps,
                    ..Seq2SeqTrainConfig::default_for(attention)
                };
                let label = if attention {
                    "with attention"
                } else {
                    "without attention"
                };
                Job::spawn(label, move |cx| {
                    train_seq2seq(&cfg, &super::device(), &mut |s| cx.report(s), &cx.cancel)
                })
            })
            .collect();
    }

    pub fn show(&mut self, ui: &mut Ui, bundled: &Bundled) {
        ui.label(
            "An encoder GRU reads the digits; a decoder GRU writes them reversed. Without \
             attention the decoder sees only the encoder's last state: one vector must hold \
             the whole string, and long strings overflow it. With attention, every decoder \
             step scores all encoder states against its own state, takes a softmax of the \
             scores and reads their weighted sum: for reversal it learns to look at position \
             n − 1 − i, the anti-diagonal in the map below.",
        );
        ui.separator();
        ui.label(RichText::new("Bundled results (exact match on fresh strings)").strong());
        for (name, _) in MODELS {
            bundled.figure_line(ui, name);
        }
        ui.separator();
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("digits");
            ui.add(
                egui::TextEdit::singleline(&mut self.input)
                    .char_limit(MAX_DIGITS)
                    .desired_width(260.0),
            )
            .labelled_by(label.id);
            ui.add(egui::Slider::new(&mut self.length, 1..=MAX_DIGITS).text("length"));
            if ui.button("Random").clicked() {
                self.seed += 1;
                let mut rng = StdRng::seed_from_u64(self.seed);
                self.input = (0..self.length)
                    .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
                    .collect();
            }
        });
        let input = digits(&self.input);
        if input.is_empty() {
            ui.label("Type some digits.");
        }
        let finished = self
            .jobs
            .iter_mut()
            .filter_map(|j| j.finished().map(|(id, _)| id))
            .collect();
        let key = (as_text(&input), finished);
        let jobs = &mut self.jobs;
        let shown = self.shown.get_or(key, || {
            let device = super::device();
            let mut out = Vec::new();
            for job in jobs.iter_mut() {
                let label = format!("yours, {}", job.label);
                if let Some(m) = job.result() {
                    out.push((label, translate(m, &input, &device)));
                }
            }
            for (name, label) in MODELS {
                if let Some((m, _)) = bundled.seq2seq(name) {
                    out.push((format!("bundled, {label}"), translate(m, &input, &device)));
                }
            }
            out
        });
        let truth: Vec<usize> = input.iter().rev().copied().collect();
        ui.label(RichText::new(format!("reversed: {}", as_text(&truth))).monospace());
        for (label, t) in shown.iter().filter(|_| !input.is_empty()) {
            let right = t.output == truth;
            ui.label(
                RichText::new(format!("{label}: {}", as_text(&t.output)))
                    .monospace()
                    .color(if right { RIGHT } else { WRONG }),
            );
            if let Some(attention) = &t.attention
                && !attention.is_empty()
            {
                ui.label(
                    RichText::new("attention: output steps down, input digits across").small(),
                );
                plots::grid(ui, attention, Vec2::new(12.0, 12.0), Scale::Unit, &[]);
            }
        }
        ui.separator();
        ui.horizontal_wrapped(|ui| {
            ui.add(egui::Slider::new(&mut self.steps, 100..=4000).text("steps"));
            match run_button(ui, self.running(), "Train both") {
                Some(RunAction::Start) => self.start(),
                Some(RunAction::Stop) => self.jobs.iter().for_each(Job::cancel),
                None => {}
            }
        });
        progress(ui, "s2s-train", &mut self.jobs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_digits_are_read() {
        assert_eq!(digits("3-1 4x"), vec![3, 1, 4]);
        assert_eq!(as_text(&[0, 9]), "09");
    }
}
