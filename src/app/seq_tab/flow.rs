//! Demo 2: gradient flow through time. |∂L/∂h_t| for every step, on a log scale: it decays
//! geometrically towards the start for an RNN (vanishing), grows with a large recurrent gain
//! (exploding), and a trained LSTM keeps it alive. Training with plain SGD at a large gain
//! shows what clipping the gradient norm does.

use eframe::egui::{self, RichText, Ui};

use super::job::Job;
use super::order::{KINDS, level_combo};
use super::plots;
use super::runs::{RunAction, progress, run_button};
use super::{Bundled, Memo};
use crate::seq::cells::CellKind;
use crate::seq::classifier::SeqClassifier;
use crate::seq::probe::{GradientFlow, gradient_flow_on};
use crate::seq::tasks::Level;
use crate::seq::train::{FlowProbe, OptimizerKind, OrderTrainConfig, train_order_probed};

/// Probe batch: the same sequences for every curve.
const PROBE_SEED: u64 = 17;
const PROBE_BATCH: usize = 32;
const HIDDEN: usize = 16;

type Curves = Vec<(String, Vec<f32>)>;

pub struct FlowDemo {
    pub gain: f32,
    pub clip: bool,
    pub kind: CellKind,
    pub level: Level,
    pub learning_rate: f64,
    pub steps: usize,
    job: Option<Job<SeqClassifier, (usize, GradientFlow)>>,
    /// Untrained cells at the current gain, keyed by (gain, level).
    untrained: Memo<(u32, Level), Curves>,
    /// The bundled trained cells, keyed by level.
    trained: Memo<Level, Curves>,
}

impl Default for FlowDemo {
    fn default() -> Self {
        Self {
            gain: 1.0,
            clip: true,
            kind: CellKind::Rnn,
            level: Level::Moderate,
            learning_rate: 0.05,
            steps: 600,
            job: None,
            untrained: Memo::default(),
            trained: Memo::default(),
        }
    }
}

impl FlowDemo {
    pub fn running(&self) -> bool {
        self.job.as_ref().is_some_and(Job::running)
    }

    fn start(&mut self) {
        let cfg = OrderTrainConfig {
            kind: self.kind,
            level: self.level,
            hidden: HIDDEN,
            steps: self.steps,
            learning_rate: self.learning_rate,
            clip: self.clip.then_some(1.0),
            optimizer: OptimizerKind::Sgd,
            recurrent_gain: self.gain,
            ..OrderTrainConfig::default()
        };
        let label = format!(
            "{} gain {:.2}, SGD {}",
            self.kind,
            self.gain,
            if self.clip {
                "clipped at 1"
            } else {
                "unclipped"
            }
        );
        self.job = Some(Job::spawn(label, move |cx| {
            let mut on_flow = |step, flow| cx.report_extra((step, flow));
            train_order_probed(
                &cfg,
                &super::device(),
                &mut |s| cx.report(s),
                Some(FlowProbe {
                    every: 20,
                    on_flow: &mut on_flow,
                }),
                &cx.cancel,
            )
        }));
    }

    fn refresh(&mut self, ui: &Ui, bundled: &Bundled) {
        let device = super::device();
        // Recomputing while the slider is dragged would stutter; wait for the release.
        let settled = !ui.input(|i| i.pointer.any_down());
        let key = (self.gain.to_bits(), self.level);
        if settled {
            let (gain, level) = (self.gain, self.level);
            self.untrained.get_or(key, || {
                KINDS
                    .iter()
                    .map(|&kind| {
                        let model =
                            SeqClassifier::new(kind, HIDDEN, &device).with_recurrent_gain(gain);
                        let flow =
                            gradient_flow_on(&model, level, PROBE_BATCH, PROBE_SEED, &device);
                        (format!("untrained {kind}"), flow.norms)
                    })
                    .collect()
            });
        }
        let level = self.level;
        self.trained.get_or(level, || {
            ["order-moderate-rnn", "order-moderate-lstm"]
                .iter()
                .filter_map(|&name| {
                    let (model, _) = bundled.order(name)?;
                    let flow = gradient_flow_on(model, level, PROBE_BATCH, PROBE_SEED, &device);
                    Some((format!("trained {name}"), flow.norms))
                })
                .collect()
        });
    }

    pub fn show(&mut self, ui: &mut Ui, bundled: &Bundled) {
        ui.label(
            "Backpropagation through time multiplies the gradient by one Jacobian per step, \
             ∂h_t/∂h_(t−1) = diag(1 − h_t²)·U^T for an RNN. Its size decides everything: below \
             1 the gradient reaching early steps vanishes geometrically, above 1 it explodes. \
             The curves are |∂L/∂h_t| on the same 32 sequences, measured by adding a zero \
             probe to every h_t and reading its gradient after backward(). The LSTM's cell \
             path (c_t = f * c_(t−1) + …) has Jacobian f, which training pushes towards 1.",
        );
        ui.horizontal_wrapped(|ui| {
            level_combo(ui, &mut self.level);
            ui.add(
                egui::Slider::new(&mut self.gain, 0.25..=4.0)
                    .logarithmic(true)
                    .text("recurrent init gain"),
            )
            .on_hover_text("scales the initial recurrent matrix U");
        });
        self.refresh(ui, bundled);
        let curves: Curves = self
            .untrained
            .last()
            .into_iter()
            .chain(self.trained.last())
            .flatten()
            .cloned()
            .collect();
        plots::flow_curves(ui, "flow-static", &curves);

        ui.separator();
        ui.label(RichText::new("Train with plain SGD and watch the flow").strong());
        ui.label(
            "Try gain 4 on MODERATE. Unclipped, the first exploded gradient makes one huge SGD \
             step that throws the units into tanh's flat tails: the gradient reaching early \
             steps dies at once and the network cannot recover. Clipped at norm 1 (same \
             direction, bounded length) the step stays small and the gradient lives on.",
        );
        ui.horizontal_wrapped(|ui| {
            egui::ComboBox::from_label("cell")
                .selected_text(self.kind.to_string())
                .show_ui(ui, |ui| {
                    for k in KINDS {
                        ui.selectable_value(&mut self.kind, k, k.to_string());
                    }
                });
            ui.checkbox(&mut self.clip, "clip gradient norm at 1");
            ui.add(
                egui::Slider::new(&mut self.learning_rate, 0.005..=1.0)
                    .logarithmic(true)
                    .text("SGD rate"),
            );
            ui.add(egui::Slider::new(&mut self.steps, 50..=3000).text("steps"));
            match run_button(ui, self.running(), "Train") {
                Some(RunAction::Start) => self.start(),
                Some(RunAction::Stop) => self.job.iter().for_each(Job::cancel),
                None => {}
            }
        });
        progress(ui, "flow-train", self.job.iter_mut());
        if let Some(job) = &self.job
            && let Some((step, flow)) = job.last_extra()
        {
            let name = format!("{} at step {step}", job.label);
            plots::flow_curves(ui, "flow-live", &[(name, flow.norms)]);
        }
    }
}
