//! Demo 6: an end-to-end memory network answering a question about a short story, with its
//! read weights per hop next to each fact.

use eframe::egui::{self, RichText, Ui, Vec2};
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::job::Job;
use super::plots::{self, RIGHT, Scale, WRONG};
use super::{Bundled, Memo};
use crate::seq::memnet::{
    MemNet, MemNetTrainConfig, Reading, Story, Task, read, render_fact, render_question, story,
    train_memnet, word,
};

/// The bundled model of each task.
fn bundled_name(task: Task) -> &'static str {
    match task {
        Task::SingleFact => "memnet-single",
        Task::TwoFacts => "memnet-two",
    }
}

/// A story and each model's reading of it.
type Shown = (Story, Vec<(String, Reading)>);

pub struct MemoryDemo {
    task: Task,
    seed: u64,
    job: Option<Job<MemNet>>,
    /// The story on screen and each model's reading of it, keyed by (seed, task, finished).
    shown: Memo<(u64, Task, bool), Shown>,
}

impl Default for MemoryDemo {
    fn default() -> Self {
        Self {
            task: Task::SingleFact,
            seed: 1,
            job: None,
            shown: Memo::default(),
        }
    }
}

impl MemoryDemo {
    pub fn running(&self) -> bool {
        self.job.as_ref().is_some_and(Job::running)
    }

    pub fn show(&mut self, ui: &mut Ui, bundled: &Bundled) {
        ui.label(
            "A memory network (Sukhbaatar et al. 2015) stores each fact as two vectors, a key \
             and a value (bags of word embeddings plus a learnt encoding of how recent the \
             fact is). To answer, it matches the question against every key, takes a softmax \
             over the facts (the read weights), and adds the weighted sum of the values to its \
             question vector; it can read again (a hop) with the updated vector. Task 1 needs \
             one fact (where did Mary go last?); task 2 needs two (who has the football, and \
             where did they go?): watch the hops look at different facts.",
        );
        ui.separator();
        ui.label(RichText::new("Bundled results (accuracy on held-out stories)").strong());
        bundled.figure_line(ui, bundled_name(Task::SingleFact));
        bundled.figure_line(ui, bundled_name(Task::TwoFacts));
        ui.separator();
        let mut new_story = false;
        ui.horizontal_wrapped(|ui| {
            new_story |= ui
                .radio_value(
                    &mut self.task,
                    Task::SingleFact,
                    "task 1: one supporting fact",
                )
                .changed();
            new_story |= ui
                .radio_value(
                    &mut self.task,
                    Task::TwoFacts,
                    "task 2: two supporting facts",
                )
                .changed();
            new_story |= ui.button("New story").clicked();
            if self.running() {
                if ui.button("Stop").clicked()
                    && let Some(j) = &self.job
                {
                    j.cancel();
                }
                ui.spinner();
            } else if ui.button("Train on this task").clicked() {
                let cfg = MemNetTrainConfig {
                    seed: self.seed,
                    ..MemNetTrainConfig::for_task(self.task)
                };
                self.job = Some(Job::spawn(format!("{:?}", self.task), move |cx| {
                    train_memnet(&cfg, &super::device(), &mut |s| cx.report(s), &cx.cancel)
                }));
            }
        });
        if new_story {
            self.seed += 1;
        }
        let finished = self.job.as_mut().is_some_and(|j| j.result().is_some());
        let key = (self.seed, self.task, finished);
        let (task, seed, job) = (self.task, self.seed, &mut self.job);
        let (s, readings) = self.shown.get_or(key, || {
            let device = super::device();
            let s = story(&mut StdRng::seed_from_u64(seed), task, 2..=10);
            let mut readings = Vec::new();
            if let Some(m) = job.as_mut().and_then(|j| j.result()) {
                readings.push(("yours".to_string(), read(m, &s, &device)));
            }
            if let Some((m, _)) = bundled.memnet(bundled_name(task)) {
                readings.push(("bundled".to_string(), read(m, &s, &device)));
            }
            (s, readings)
        });
        story_view(ui, s, readings);
        if let Some(job) = &mut self.job {
            plots::training_curves(ui, "memnet-train", &[(job.label.clone(), job.steps())]);
            if let Some(Err(e)) = job.poll() {
                ui.colored_label(WRONG, e.clone());
            }
        }
    }
}

/// The facts, each followed by the read weight of every hop of every model.
fn story_view(ui: &mut Ui, s: &Story, readings: &[(String, Reading)]) {
    egui::Grid::new("memnet-story")
        .striped(true)
        .show(ui, |ui| {
            ui.label("");
            for (name, r) in readings {
                ui.label(RichText::new(format!("{name}: hops 1–{}", r.read_weights.len())).small());
            }
            ui.end_row();
            for (i, fact) in s.facts.iter().enumerate() {
                let text =
                    RichText::new(format!("{:>2}. {}", i + 1, render_fact(fact))).monospace();
                ui.label(if s.support.contains(&i) {
                    text.strong()
                } else {
                    text
                });
                for (_, r) in readings {
                    let column: Vec<f32> = r
                        .read_weights
                        .iter()
                        .map(|hop| hop.get(i).copied().unwrap_or(0.0))
                        .collect();
                    plots::grid(ui, &[column], Vec2::new(22.0, 14.0), Scale::Unit, &[]);
                }
                ui.end_row();
            }
        });
    ui.label(RichText::new(render_question(&s.question)).strong());
    ui.label(format!(
        "answer: {} (supporting facts in bold)",
        word(s.answer)
    ));
    for (name, r) in readings {
        let right = r.answer == s.answer;
        ui.label(
            RichText::new(format!("{name}: {}", word(r.answer))).color(if right {
                RIGHT
            } else {
                WRONG
            }),
        );
    }
}
