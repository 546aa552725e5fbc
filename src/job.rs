//! Background work the UI starts and polls: retraining rounds and the sequence demos' training
//! runs. One type, so each gets the same guarantees:
//!
//! - a panic becomes an error the UI shows, never a thread that vanishes and leaves a button
//!   stuck on "running";
//! - cancelling is a flag the work checks between steps;
//! - dropping a job (a new run started, the app closing) never waits for it.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Ids of jobs, unique in the process: views key what they show on them.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// One piece of background work producing a `T`, reporting progress of type `P`.
pub struct Job<T, P = ()> {
    pub label: String,
    id: u64,
    started: Instant,
    progress: Arc<Mutex<P>>,
    cancel: Arc<AtomicBool>,
    /// Where the thread leaves its outcome, before it notifies (so a repaint the notification
    /// triggers already finds it).
    finished: Arc<Mutex<Option<Result<T, String>>>>,
    /// The outcome once collected (`None` again once taken).
    outcome: Option<Result<T, String>>,
    collected: bool,
}

/// What the work gets: its progress record and the cancel flag.
pub struct JobContext<P> {
    progress: Arc<Mutex<P>>,
    pub cancel: Arc<AtomicBool>,
}

impl<P> JobContext<P> {
    /// Changes the progress the UI reads.
    pub fn update(&self, f: impl FnOnce(&mut P)) {
        f(&mut self.progress.lock().unwrap_or_else(PoisonError::into_inner));
    }
}

impl<T: Send + 'static, P: Default + Send + 'static> Job<T, P> {
    /// Starts `work` on its own thread.
    pub fn spawn(
        label: impl Into<String>,
        work: impl FnOnce(&JobContext<P>) -> crate::Result<T> + Send + 'static,
    ) -> Self {
        Self::spawn_notifying(label, work, || {})
    }

    /// Starts `work`; `on_done` runs on the job's thread once it has ended, however it ended
    /// (the app passes "repaint", so the result shows without waiting for input).
    pub fn spawn_notifying(
        label: impl Into<String>,
        work: impl FnOnce(&JobContext<P>) -> crate::Result<T> + Send + 'static,
        on_done: impl FnOnce() + Send + 'static,
    ) -> Self {
        let label = label.into();
        let progress = Arc::new(Mutex::new(P::default()));
        let cancel = Arc::new(AtomicBool::new(false));
        let cx = JobContext {
            progress: Arc::clone(&progress),
            cancel: Arc::clone(&cancel),
        };
        let what = label.clone();
        let finished = Arc::new(Mutex::new(None));
        let slot = Arc::clone(&finished);
        let spawned = std::thread::Builder::new()
            .name(format!("job: {label}"))
            .spawn(move || {
                let outcome = match catch_unwind(AssertUnwindSafe(|| work(&cx))) {
                    Ok(Ok(v)) => Ok(v),
                    Ok(Err(e)) => Err(e.to_string()),
                    Err(panic) => {
                        let why = panic_message(panic.as_ref());
                        log::error!("{what} panicked: {why}");
                        Err(format!("{what} crashed ({why})"))
                    }
                };
                *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(outcome);
                on_done();
            });
        if spawned.is_err() {
            *finished.lock().unwrap_or_else(PoisonError::into_inner) =
                Some(Err("could not start a background thread".to_string()));
        }
        Self {
            label,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            started: Instant::now(),
            progress,
            cancel,
            finished,
            outcome: None,
            collected: false,
        }
    }
}

impl<T, P> Job<T, P> {
    /// This run's id (a new run of the same demo gets a new one).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// When the job was started.
    pub fn started(&self) -> Instant {
        self.started
    }

    /// True while the work goes on (false as soon as it has ended, even when nobody has
    /// polled it since: the live view reads this from another tab).
    pub fn running(&self) -> bool {
        !self.collected
            && self
                .finished
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .is_none()
    }

    /// Collects the outcome once the work has ended; returns it from then on.
    pub fn poll(&mut self) -> Option<&Result<T, String>> {
        if !self.collected
            && let Some(outcome) = self
                .finished
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
        {
            self.outcome = Some(outcome);
            self.collected = true;
        }
        self.outcome.as_ref()
    }

    /// The result, if the job succeeded.
    pub fn result(&mut self) -> Option<&T> {
        self.poll().and_then(|r| r.as_ref().ok())
    }

    /// Takes the outcome once the job has ended (`None` while it runs or once taken).
    pub fn take(&mut self) -> Option<Result<T, String>> {
        self.poll();
        self.outcome.take()
    }

    /// Asks the work to stop at its next check.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Reads the progress.
    pub fn progress<R>(&self, f: impl FnOnce(&P) -> R) -> R {
        f(&self.progress.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl<T, P> Drop for Job<T, P> {
    /// A job left behind stops at its next check; nobody waits for it.
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

/// The text of a panic's payload (`panic!("…")` gives a `&str` or a `String`).
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_string())
}

/// Waits up to `patience` for `handle`'s thread to end. A thread still blocked then (a camera
/// stuck in its driver, say) is left to finish alone, so closing the app never hangs on it.
pub fn join_within(handle: JoinHandle<()>, patience: Duration) {
    let deadline = Instant::now() + patience;
    while !handle.is_finished() {
        if Instant::now() >= deadline {
            log::warn!(
                "thread {:?} did not stop within {patience:?}; leaving it",
                handle.thread().name().unwrap_or("?")
            );
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = handle.join();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait<T: Send + 'static, P: Default + Send + 'static>(job: &mut Job<T, P>) {
        let start = Instant::now();
        while job.poll().is_none() {
            assert!(start.elapsed() < Duration::from_secs(10), "job never ended");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn a_job_reports_progress_and_its_result_and_can_be_cancelled() {
        let mut job: Job<u32, Vec<u8>> = Job::spawn("count", |cx: &JobContext<Vec<u8>>| {
            for step in 0..3 {
                cx.update(|p| p.push(step));
            }
            Ok(7)
        });
        wait(&mut job);
        assert_eq!(job.result(), Some(&7));
        assert_eq!(job.progress(|p| p.clone()), [0, 1, 2]);
        assert!(!job.running());

        let mut endless: Job<()> = Job::spawn("endless", |cx| {
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
        assert_eq!(endless.take(), Some(Err("cancelled".to_string())));
        assert_eq!(endless.take(), None, "an outcome is taken once");
    }

    #[test]
    fn a_panic_ends_the_job_with_an_error_and_still_notifies() {
        let notified = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&notified);
        let mut job: Job<()> = Job::spawn_notifying(
            "retraining",
            |_| panic!("injected fault"),
            move || flag.store(true, Ordering::SeqCst),
        );
        wait(&mut job);
        let err = job.take().unwrap().unwrap_err();
        assert!(
            err.contains("retraining crashed") && err.contains("injected fault"),
            "{err}"
        );
        assert!(notified.load(Ordering::SeqCst));
    }

    #[test]
    fn dropping_a_job_does_not_wait_for_it_and_join_within_gives_up() {
        let started = Instant::now();
        let job: Job<()> = Job::spawn("stuck", |_| {
            std::thread::sleep(Duration::from_secs(2)); // ignores cancel, like a blocked driver
            Ok(())
        });
        drop(job);
        let stuck = std::thread::spawn(|| std::thread::sleep(Duration::from_secs(2)));
        join_within(stuck, Duration::from_millis(50));
        assert!(started.elapsed() < Duration::from_secs(1));
    }
}
