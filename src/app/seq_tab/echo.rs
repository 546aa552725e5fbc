//! Demo 4: echo with truncated BPTT. The target at step t is the input at t − delay; the
//! stream is cut into chunks, the state carried over each cut and the graph cut there.

use eframe::egui::{self, Color32, RichText, Ui};

use super::Bundled;
use super::job::Job;
use super::order::kind_name;
use super::plots::{self, RIGHT, WRONG};
use crate::seq::cells::CellKind;
use crate::seq::echo::{ECHO_SYMBOLS, EchoConfig, EchoNet, echo_sample, evaluate_echo, train_echo};
use crate::seq::weights::SeqArch;

const SYMBOLS: [&str; ECHO_SYMBOLS] = ["A", "B", "C", "D"];
const SAMPLE_LEN: usize = 60;
/// Test streams for the accuracy of a finished run.
const TEST_STREAMS: usize = 128;
const TEST_LEN: usize = 200;
const TEST_SEED: u64 = 0xec40;

pub struct EchoDemo {
    pub delay: usize,
    pub chunk: usize,
    pub hidden: usize,
    pub steps: usize,
    /// Each run with its delay and, once finished, its test accuracy.
    jobs: Vec<(Job<EchoNet>, usize, Option<f32>)>,
    sample_seed: u64,
}

impl Default for EchoDemo {
    fn default() -> Self {
        let d = EchoConfig::default();
        Self {
            delay: d.delay,
            chunk: d.chunk,
            hidden: d.hidden,
            steps: d.steps,
            jobs: Vec::new(),
            sample_seed: 1,
        }
    }
}

/// The input stream and, under it, the model's echo coloured right or wrong.
fn sample_view(ui: &mut Ui, model: &EchoNet, delay: usize, seed: u64) {
    let (input, output) = echo_sample(model, SAMPLE_LEN, seed, &super::device());
    let text = |v: &[usize]| -> Vec<String> {
        v.iter()
            .map(|&s| SYMBOLS[s % ECHO_SYMBOLS].to_string())
            .collect()
    };
    ui.horizontal(|ui| {
        ui.label(RichText::new("in ").monospace());
        plots::symbol_row(ui, &text(&input), |_| None);
    });
    ui.horizontal(|ui| {
        ui.label(RichText::new("out").monospace());
        plots::symbol_row(ui, &text(&output), |t| {
            Some(match t.checked_sub(delay) {
                None => Color32::GRAY,
                Some(src) if output[t] == input[src] => RIGHT,
                Some(_) => WRONG,
            })
        });
    });
}

impl EchoDemo {
    pub fn running(&self) -> bool {
        self.jobs.iter().any(|(j, ..)| j.running())
    }

    fn start(&mut self) {
        self.jobs = [CellKind::Rnn, CellKind::Lstm]
            .into_iter()
            .map(|kind| {
                let cfg = EchoConfig {
                    kind,
                    hidden: self.hidden,
                    delay: self.delay,
                    chunk: self.chunk,
                    steps: self.steps,
                    ..EchoConfig::default()
                };
                let label = format!(
                    "{} delay {} chunk {}",
                    kind_name(kind),
                    cfg.delay,
                    cfg.chunk
                );
                let job = Job::spawn(label, move |cx| {
                    train_echo(&cfg, &super::device(), &mut |s| cx.report(s), &cx.cancel)
                });
                (job, self.delay, None)
            })
            .collect();
    }

    pub fn show(&mut self, ui: &mut Ui, bundled: &Bundled) {
        ui.label(
            "Echo: output the symbol seen `delay` steps ago, on an endless stream. Full BPTT \
             over the stream is impossible, so truncated BPTT cuts it into chunks: the hidden \
             state is carried across each cut (the network still remembers), but the graph is \
             cut (h.detach()), so a gradient only travels back within its chunk. A chunk shorter \
             than the delay can never teach the echo; as the delay nears the chunk length, only \
             (chunk − delay) of every chunk's targets have their input inside the chunk, and \
             learning stalls. Echo is a shift register, which a plain RNN does well: with 16 \
             units and chunks of 20 it echoes up to a delay of about 12 (better than the gated \
             cells at the same budget) and stops by 15.",
        );
        ui.separator();
        ui.label(RichText::new("Bundled results (accuracy on fresh streams)").strong());
        bundled.figure_line(ui, "echo-rnn");
        bundled.figure_line(ui, "echo-lstm");
        if let Some((model, meta)) = bundled.echo("echo-lstm") {
            let delay = match meta.arch {
                SeqArch::Echo { delay, .. } => delay,
                _ => 0,
            };
            ui.horizontal(|ui| {
                ui.label(format!("bundled LSTM, delay {delay}:"));
                if ui.button("New stream").clicked() {
                    self.sample_seed += 1;
                }
            });
            sample_view(ui, model, delay, self.sample_seed);
        }
        ui.separator();
        ui.horizontal_wrapped(|ui| {
            ui.add(egui::Slider::new(&mut self.delay, 1..=20).text("delay"));
            ui.add(egui::Slider::new(&mut self.chunk, 1..=50).text("chunk (BPTT length)"));
            ui.add(egui::Slider::new(&mut self.hidden, 2..=64).text("hidden units"));
            ui.add(egui::Slider::new(&mut self.steps, 100..=3000).text("chunks trained"));
            if self.running() {
                if ui.button("Stop").clicked() {
                    self.jobs.iter().for_each(|(j, ..)| j.cancel());
                }
                ui.spinner();
            } else if ui.button("Train RNN and LSTM").clicked() {
                self.start();
            }
        });
        if self.jobs.is_empty() {
            return;
        }
        let series: Vec<_> = self
            .jobs
            .iter()
            .map(|(j, ..)| (j.label.clone(), j.steps()))
            .collect();
        plots::training_curves(ui, "echo-train", &series);
        for (job, delay, accuracy) in &mut self.jobs {
            let delay = *delay;
            let label = job.label.clone();
            match job.poll() {
                Some(Ok(model)) => {
                    let acc = *accuracy.get_or_insert_with(|| {
                        evaluate_echo(
                            model,
                            delay,
                            TEST_LEN,
                            TEST_STREAMS,
                            TEST_SEED,
                            &super::device(),
                        )
                    });
                    plots::figure(ui, &label, acc, "on fresh streams");
                    sample_view(ui, model, delay, self.sample_seed);
                }
                Some(Err(e)) => {
                    ui.colored_label(WRONG, format!("{label}: {e}"));
                }
                None => {}
            }
        }
    }
}
