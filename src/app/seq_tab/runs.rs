//! What every demo shows of its training runs: a Train / Stop button, the live curves, and
//! any run's error.

use eframe::egui::Ui;

use super::job::Job;
use super::plots::{self, WRONG};

/// What the user asked of a demo's runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunAction {
    Start,
    Stop,
}

/// `start` while idle; Stop and a spinner while running.
pub fn run_button(ui: &mut Ui, running: bool, start: &str) -> Option<RunAction> {
    if running {
        let stop = ui.button("Stop").clicked();
        ui.spinner();
        stop.then_some(RunAction::Stop)
    } else {
        ui.button(start).clicked().then_some(RunAction::Start)
    }
}

/// Loss and accuracy curves of `jobs` (one line each), then any failed run's error.
pub fn progress<'a, T, X>(ui: &mut Ui, id: &str, jobs: impl IntoIterator<Item = &'a mut Job<T, X>>)
where
    T: Send + 'static,
    X: Send + 'static,
{
    let mut jobs: Vec<&mut Job<T, X>> = jobs.into_iter().collect();
    if jobs.is_empty() {
        return;
    }
    let series: Vec<_> = jobs.iter().map(|j| (j.label.clone(), j.steps())).collect();
    plots::training_curves(ui, id, &series);
    for job in &mut jobs {
        let label = job.label.clone();
        if let Some(Err(e)) = job.poll() {
            ui.colored_label(WRONG, format!("{label}: {e}"));
        }
    }
}
