//! Demo 6: an end-to-end memory network answering a question about a short story, with its
//! read weights per hop next to each fact.

use eframe::egui::{self, RichText, Ui, Vec2};
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::job::Job;
use super::plots::{self, RIGHT, Scale, WRONG};
use super::runs::{RunAction, progress, run_button};
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
    /// The user's run and the task it learns.
    job: Option<(Task, Job<MemNet>)>,
    /// The story on screen and each model's reading of it, keyed by (seed, task, the run
    /// shown).
    shown: Memo<(u64, Task, Option<u64>), Shown>,
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
        self.job.as_ref().is_some_and(|(_, j)| j.running())
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
            let action = run_button(ui, self.running(), "Train on this task");
            if action == Some(RunAction::Stop) {
                self.job.iter().for_each(|(_, j)| j.cancel());
            }
            if action == Some(RunAction::Start) {
                let cfg = MemNetTrainConfig {
                    seed: self.seed,
                    ..MemNetTrainConfig::for_task(self.task)
                };
                let job = Job::spawn(format!("{:?}", self.task), move |cx| {
                    train_memnet(&cfg, &super::device(), &mut |s| cx.report(s), &cx.cancel)
                });
                self.job = Some((self.task, job));
            }
        });
        if new_story {
            self.seed += 1;
        }
        let (task, seed) = (self.task, self.seed);
        // The user's model only answers stories of the task it learnt.
        let yours = self
            .job
            .as_mut()
            .filter(|(t, _)| *t == task)
            .and_then(|(_, j)| j.finished());
        let key = (seed, task, yours.as_ref().map(|(id, _)| *id));
        let (s, readings) = self.shown.get_or(key, || {
            let device = super::device();
            let s = story(&mut StdRng::seed_from_u64(seed), task, 2..=10);
            let mut readings = Vec::new();
            if let Some((_, m)) = yours {
                readings.push(("yours".to_string(), read(m, &s, &device)));
            }
            if let Some((m, _)) = bundled.memnet(bundled_name(task)) {
                readings.push(("bundled".to_string(), read(m, &s, &device)));
            }
            (s, readings)
        });
        story_view(ui, s, readings);
        progress(ui, "memnet-train", self.job.iter_mut().map(|(_, j)| j));
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
