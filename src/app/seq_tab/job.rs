//! A sequence demo's training run: a [`crate::job::Job`] whose progress is the steps so far
//! (for the loss plot) and side reports such as gradient-flow snapshots.

use crate::job::JobContext;
use crate::seq::train::StepStats;

/// What a run has reported: every step, and side reports of type `X`.
pub struct Steps<X> {
    steps: Vec<StepStats>,
    extra: Vec<X>,
}

impl<X> Default for Steps<X> {
    fn default() -> Self {
        Self {
            steps: Vec::new(),
            extra: Vec::new(),
        }
    }
}

/// One background training run producing a `T`, with side reports of type `X`.
pub type Job<T, X = ()> = crate::job::Job<T, Steps<X>>;

impl<X> JobContext<Steps<X>> {
    pub fn report(&self, s: StepStats) {
        self.update(|p| p.steps.push(s));
    }

    pub fn report_extra(&self, x: X) {
        self.update(|p| p.extra.push(x));
    }
}

impl<T, X> Job<T, X> {
    /// The finished model with this run's id, if the run succeeded.
    pub fn finished(&mut self) -> Option<(u64, &T)> {
        let id = self.id();
        self.result().map(|m| (id, m))
    }

    /// A copy of every step so far.
    pub fn steps(&self) -> Vec<StepStats> {
        self.progress(|p| p.steps.clone())
    }

    /// The newest side report.
    pub fn last_extra(&self) -> Option<X>
    where
        X: Clone,
    {
        self.progress(|p| p.extra.last().cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn a_run_reports_steps_and_side_reports() {
        let mut job: Job<u32, u8> = Job::spawn("count", |cx| {
            for step in 0..3 {
                cx.report(StepStats {
                    step,
                    loss: 1.0 / (step + 1) as f32,
                    accuracy: 0.5,
                });
                cx.report_extra(step as u8);
            }
            Ok(7)
        });
        let start = Instant::now();
        while job.poll().is_none() {
            assert!(start.elapsed() < Duration::from_secs(10), "job never ended");
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(job.finished().map(|(_, v)| *v), Some(7));
        assert_eq!(job.steps().len(), 3);
        assert_eq!(job.last_extra(), Some(2));
    }
}
