//! Demo 4: echo with truncated BPTT. The target at step t is the input at t − delay; the
//! stream is cut into chunks, the state carried over each cut and the graph cut there.

use std::collections::HashMap;

use eframe::egui::{self, Color32, RichText, Ui};

use super::Bundled;
use super::job::Job;
use super::plots::{self, RIGHT, WRONG};
use super::runs::{RunAction, progress, run_button};
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
    /// Each model's echo of the sample stream, by run id (0 = bundled); cleared for a new
    /// stream.
    samples: HashMap<u64, Sample>,
}

/// A stream and a model's echo of it.
type Sample = (Vec<usize>, Vec<usize>);

impl Default for EchoDemo {
    fn default() -> Self {
        let d = EchoConfig::default();
        Self {
            delay: d.delay,
            chunk: d.chunk,
            hidden: d.hidden,
            // The budget of the figures quoted in the text (the bundled models use 600).
            steps: 1500,
            jobs: Vec::new(),
            sample_seed: 1,
            samples: HashMap::new(),
        }
    }
}

/// The input stream and, under it, the model's echo coloured right or wrong.
fn sample_view(ui: &mut Ui, (input, output): &Sample, delay: usize) {
    let text = |v: &[usize]| -> Vec<String> {
        v.iter()
            .map(|&s| SYMBOLS[s % ECHO_SYMBOLS].to_string())
            .collect()
    };
    ui.horizontal(|ui| {
        ui.label(RichText::new("in ").monospace());
        plots::symbol_row(ui, &text(input), |_| None);
    });
    ui.horizontal(|ui| {
        ui.label(RichText::new("out").monospace());
        plots::symbol_row(ui, &text(output), |t| {
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
                let label = format!("{} delay {} chunk {}", kind, cfg.delay, cfg.chunk);
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
             cut (h.detach()), so a gradient only travels back within its chunk. With chunks no \
             longer than the delay, no gradient links a target to its input; as the delay nears \
             the chunk length, only \
             (chunk − delay) of every chunk's targets have their input inside the chunk, and \
             learning stalls. Echo is a shift register, which a plain RNN does well: with 16 \
             units, chunks of 20 and 1,500 chunks of training it echoes up to a delay of about 12 (better than the gated \
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
                    self.samples.clear();
                }
            });
            let seed = self.sample_seed;
            let sample = self
                .samples
                .entry(0)
                .or_insert_with(|| echo_sample(model, SAMPLE_LEN, seed, &super::device()));
            sample_view(ui, sample, delay);
        }
        ui.separator();
        ui.horizontal_wrapped(|ui| {
            ui.add(egui::Slider::new(&mut self.delay, 1..=20).text("delay"));
            ui.add(egui::Slider::new(&mut self.chunk, 1..=50).text("chunk (BPTT length)"));
            ui.add(egui::Slider::new(&mut self.hidden, 2..=64).text("hidden units"));
            ui.add(egui::Slider::new(&mut self.steps, 100..=3000).text("chunks trained"));
            match run_button(ui, self.running(), "Train RNN and LSTM") {
                Some(RunAction::Start) => self.start(),
                Some(RunAction::Stop) => self.jobs.iter().for_each(|(j, ..)| j.cancel()),
                None => {}
            }
        });
        if self.jobs.is_empty() {
            return;
        }
        progress(ui, "echo-train", self.jobs.iter_mut().map(|(j, ..)| j));
        for (job, delay, accuracy) in &mut self.jobs {
            let delay = *delay;
            let (label, id) = (job.label.clone(), job.id());
            // Errors are shown with the curves.
            if let Some(Ok(model)) = job.poll() {
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
                let seed = self.sample_seed;
                let sample = self
                    .samples
                    .entry(id)
                    .or_insert_with(|| echo_sample(model, SAMPLE_LEN, seed, &super::device()));
                sample_view(ui, sample, delay);
            }
        }
    }
}
