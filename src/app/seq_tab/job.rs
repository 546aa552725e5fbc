//! A training run on a background thread: the UI reads its progress every frame and takes
//! the model when it is done, and can cancel it at any time.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use crate::seq::train::StepStats;

/// What a job's closure reports besides its steps (e.g. gradient-flow snapshots).
pub type Extra<X> = Arc<Mutex<Vec<X>>>;

/// Ids of jobs, unique in the process: views key what they show on them.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// One background training run producing a `T`, with side reports of type `X`.
pub struct Job<T, X = ()> {
    pub label: String,
    id: u64,
    steps: Arc<Mutex<Vec<StepStats>>>,
    extra: Extra<X>,
    cancel: Arc<AtomicBool>,
    handle: Option<JoinHandle<crate::Result<T>>>,
    outcome: Option<Result<T, String>>,
}

/// What the closure gets: a step reporter, a side reporter and the cancel flag.
pub struct JobContext<X> {
    steps: Arc<Mutex<Vec<StepStats>>>,
    pub extra: Extra<X>,
    pub cancel: Arc<AtomicBool>,
}

impl<X> JobContext<X> {
    pub fn report(&self, s: StepStats) {
        self.steps
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(s);
    }

    pub fn report_extra(&self, x: X) {
        self.extra
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(x);
    }
}

impl<T: Send + 'static, X: Send + 'static> Job<T, X> {
    /// Starts `work` on its own thread.
    pub fn spawn(
        label: impl Into<String>,
        work: impl FnOnce(&JobContext<X>) -> crate::Result<T> + Send + 'static,
    ) -> Self {
        let steps = Arc::new(Mutex::new(Vec::new()));
        let extra = Arc::new(Mutex::new(Vec::new()));
        let cancel = Arc::new(AtomicBool::new(false));
        let cx = JobContext {
            steps: Arc::clone(&steps),
            extra: Arc::clone(&extra),
            cancel: Arc::clone(&cancel),
        };
        let handle = std::thread::Builder::new()
            .name("seq-train".into())
            .spawn(move || work(&cx))
            .ok();
        let outcome = handle
            .is_none()
            .then(|| Err("could not start a training thread".to_string()));
        Self {
            label: label.into(),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            steps,
            extra,
            cancel,
            handle,
            outcome,
        }
    }

    /// This run's id (a new run of the same demo gets a new one).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The finished model with this run's id, if the run succeeded.
    pub fn finished(&mut self) -> Option<(u64, &T)> {
        let id = self.id;
        self.result().map(|m| (id, m))
    }

    /// True while the thread works (also when nobody has polled it since it finished: the
    /// live view reads this from another tab).
    pub fn running(&self) -> bool {
        self.handle.as_ref().is_some_and(|h| !h.is_finished())
    }

    /// Collects the result once the thread is done; returns it from then on.
    pub fn poll(&mut self) -> Option<&Result<T, String>> {
        if self.outcome.is_none() && self.handle.as_ref().is_some_and(JoinHandle::is_finished) {
            self.outcome = self.handle.take().map(|h| match h.join() {
                Ok(Ok(v)) => Ok(v),
                Ok(Err(e)) => Err(e.to_string()),
                Err(_) => Err("training thread panicked".to_string()),
            });
        }
        self.outcome.as_ref()
    }

    /// The finished model, if the run succeeded.
    pub fn result(&mut self) -> Option<&T> {
        self.poll().and_then(|r| r.as_ref().ok())
    }

    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// A copy of every step so far.
    pub fn steps(&self) -> Vec<StepStats> {
        self.steps
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The newest side report.
    pub fn last_extra(&self) -> Option<X>
    where
        X: Clone,
    {
        self.extra
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .last()
            .cloned()
    }
}

impl<T, X> Drop for Job<T, X> {
    /// A job left behind (a new run started, the app closing) stops at its next step.
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn wait<T: Send + 'static, X: Send + 'static>(job: &mut Job<T, X>) {
        let start = Instant::now();
        while job.poll().is_none() {
            assert!(start.elapsed() < Duration::from_secs(10), "job never ended");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn a_job_reports_steps_and_its_result_and_can_be_cancelled() {
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
        wait(&mut job);
        assert_eq!(job.result(), Some(&7));
        assert_eq!(job.steps().len(), 3);
        assert_eq!(job.last_extra(), Some(2));
        assert!(!job.running());

        let mut endless: Job<(), ()> = Job::spawn("endless", |cx| {
            while !cx.cancel.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(crate::Error::Cancelled)
        });
        assert!(endless.running());
        endless.cancel();
        // Finished but not yet polled (the tab is not on screen): no longer running.
        let start = Instant::now();
        while endless.running() {
            assert!(start.elapsed() < Duration::from_secs(10), "cancel ignored");
            std::thread::sleep(Duration::from_millis(5));
        }
        wait(&mut endless);
        assert_eq!(endless.poll(), Some(&Err("cancelled".to_string())));
    }
}
