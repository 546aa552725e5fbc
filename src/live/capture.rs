//! The capture thread: owns the frame source, puts frames into the latest-frame slot, falls
//! back to the demo reel when no camera opens, and retries a camera that fails mid-stream.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

#[cfg(feature = "gui")]
use super::camera::CameraSource;
use super::frame::Frame;
use super::reel::ReelSource;
use super::slot::LatestSlot;
use super::source::{FrameSource, SourceChoice};
use super::stills::{FRAMES_FPS, StillsSource};
use super::video_file::VideoFileSource;
use crate::error::Result;
use crate::job::{join_within, panic_message};

/// Failed frames in a row after which the source is closed and reopened.
const BAD_FRAMES_BEFORE_REOPEN: u32 = 5;

/// A frame from `src`; a panic in a camera driver becomes an error, not a dead thread.
fn next_frame(src: &mut dyn FrameSource) -> Result<image::RgbImage> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| src.next_frame())).unwrap_or_else(
        |_| {
            Err(crate::error::Error::Camera(
                src.describe(),
                "the driver panicked while reading a frame".into(),
            ))
        },
    )
}

/// How long to wait between attempts to reopen a camera that failed.
pub const RETRY_EVERY: Duration = Duration::from_secs(2);
const STILL_SECONDS: f32 = 3.0;

/// What the UI shows about capture.
#[derive(Clone, Debug, Default)]
pub struct CaptureStatus {
    /// The active source, in words.
    pub source: String,
    /// A problem the user should see ("No camera could be opened …"), if any.
    pub problem: Option<String>,
    /// True while the reel plays because the camera asked for could not be opened.
    pub fell_back_to_reel: bool,
    /// Frames per second delivered by the source, smoothed.
    pub fps: f32,
    pub frames: u64,
    pub paused: bool,
    /// The capture thread's last crash (it restarts by itself), for the UI.
    pub crashed: Option<String>,
}

enum Command {
    Switch(SourceChoice),
    Pause(bool),
    Stop,
}

/// Handle to the capture thread; dropping it stops the thread.
pub struct Capture {
    commands: Sender<Command>,
    status: Arc<Mutex<CaptureStatus>>,
    thread: Option<JoinHandle<()>>,
}

impl Capture {
    /// Starts capturing from `choice` into `frames`. A camera that cannot be opened falls back to
    /// the reel (and says so in the status).
    pub fn start(choice: SourceChoice, frames: Arc<LatestSlot<Frame>>) -> Self {
        Self::start_with(open_source, choice, frames)
    }

    /// Like `start`, with another way to open sources (tests use failing ones).
    pub fn start_with(
        opener: fn(&SourceChoice) -> Result<Box<dyn FrameSource>>,
        choice: SourceChoice,
        frames: Arc<LatestSlot<Frame>>,
    ) -> Self {
        let (commands, rx) = mpsc::channel();
        let status = Arc::new(Mutex::new(CaptureStatus::default()));
        let thread = {
            let status = Arc::clone(&status);
            std::thread::Builder::new()
                .name("capture".into())
                .spawn(move || CaptureLoop::new(opener, rx, status, frames).supervise(choice))
                .expect("spawning a thread only fails when the OS is out of resources")
        };
        Self {
            commands,
            status,
            thread: Some(thread),
        }
    }

    pub fn switch(&self, choice: SourceChoice) {
        // A send fails only when the thread has ended, and then there is nothing to switch.
        let _ = self.commands.send(Command::Switch(choice));
    }

    /// Pausing stops pulling frames (the thread sleeps on its channel: no CPU).
    pub fn pause(&self, paused: bool) {
        let _ = self.commands.send(Command::Pause(paused));
    }

    pub fn status(&self) -> CaptureStatus {
        self.status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Stop);
        if let Some(t) = self.thread.take() {
            // A source blocks one frame interval at most, unless its driver hangs: then the
            // window closes anyway and the thread ends with the process.
            join_within(t, Duration::from_secs(1));
        }
    }
}

/// Opens the source a choice names.
pub fn open_source(choice: &SourceChoice) -> Result<Box<dyn FrameSource>> {
    Ok(match choice {
        #[cfg(feature = "gui")]
        SourceChoice::Camera { index, resolution } => {
            Box::new(CameraSource::open(*index, *resolution)?)
        }
        #[cfg(not(feature = "gui"))]
        SourceChoice::Camera { index, .. } => {
            return Err(crate::Error::Camera(
                index.to_string(),
                "this build has no camera support (the `gui` feature is off)".into(),
            ));
        }
        SourceChoice::Stills(paths) => Box::new(StillsSource::open(paths, STILL_SECONDS)?),
        SourceChoice::Video(path) => Box::new(VideoFileSource::open(path)?),
        SourceChoice::Frames(dir) => Box::new(StillsSource::frames(dir, FRAMES_FPS)?),
        SourceChoice::Reel => Box::new(ReelSource::open()?),
    })
}

struct CaptureLoop {
    opener: fn(&SourceChoice) -> Result<Box<dyn FrameSource>>,
    commands: Receiver<Command>,
    status: Arc<Mutex<CaptureStatus>>,
    frames: Arc<LatestSlot<Frame>>,
    next_id: u64,
    last_frame_at: Option<Instant>,
    /// Failed frames in a row from the current source.
    bad_frames: u32,
    /// What is streaming or being retried: where a restart after a crash picks up.
    current: SourceChoice,
    /// Start the next `run` paused (it was paused when it crashed).
    start_paused: bool,
}

/// What the loop does next.
enum State {
    /// A source and the choice that opened it (kept so a failing camera can be reopened).
    Streaming(Box<dyn FrameSource>, SourceChoice),
    /// The wanted source failed; try again at the given time.
    Retrying(SourceChoice, Instant),
    /// What to go back to on Resume (streaming, or retrying a source that failed).
    Paused(Box<State>),
}

impl CaptureLoop {
    fn new(
        opener: fn(&SourceChoice) -> Result<Box<dyn FrameSource>>,
        commands: Receiver<Command>,
        status: Arc<Mutex<CaptureStatus>>,
        frames: Arc<LatestSlot<Frame>>,
    ) -> Self {
        Self {
            opener,
            commands,
            status,
            frames,
            next_id: 0,
            last_frame_at: None,
            bad_frames: 0,
            current: SourceChoice::Reel,
            start_paused: false,
        }
    }

    /// Runs the loop; a panic anywhere in it (a driver, a decoder, this code) is reported in
    /// the status and the loop starts again on the source it was on (or the one asked for
    /// meanwhile), paused if it was.
    fn supervise(mut self, choice: SourceChoice) {
        let mut start = Some((choice, true));
        while let Some((choice, at_startup)) = start.take() {
            let Err(panic) = catch_unwind(AssertUnwindSafe(|| self.run(choice, at_startup))) else {
                return; // stopped
            };
            let why = format!(
                "the capture thread crashed ({}); restarted it",
                panic_message(panic.as_ref())
            );
            log::error!("{why}");
            let mut paused = self.status().paused;
            self.edit(|s| s.crashed = Some(why));
            // Wait before restarting (a driver that panics at once must not spin), obeying
            // what the user asks meanwhile.
            let mut next = self.current.clone();
            let resume_at = Instant::now() + RETRY_EVERY;
            loop {
                match self
                    .commands
                    .recv_timeout(resume_at.saturating_duration_since(Instant::now()))
                {
                    Ok(Command::Stop) | Err(RecvTimeoutError::Disconnected) => return,
                    Ok(Command::Switch(c)) => next = c,
                    Ok(Command::Pause(p)) => paused = p,
                    Err(RecvTimeoutError::Timeout) => break,
                }
            }
            self.start_paused = paused;
            start = Some((next, false));
        }
    }

    fn run(&mut self, choice: SourceChoice, at_startup: bool) {
        let mut state = self.start_source(choice, at_startup);
        if std::mem::take(&mut self.start_paused) {
            self.edit(|s| s.paused = true);
            state = State::Paused(Box::new(state));
        }
        loop {
            // Commands first; a paused or retrying loop sleeps on the channel.
            let wait = match &state {
                State::Streaming(..) => Duration::ZERO,
                State::Retrying(_, at) => at.saturating_duration_since(Instant::now()),
                State::Paused(_) => Duration::from_secs(3600),
            };
            match self.commands.recv_timeout(wait) {
                Ok(Command::Stop) | Err(RecvTimeoutError::Disconnected) => break,
                Ok(Command::Switch(choice)) => {
                    state = self.start_source(choice, false);
                    continue;
                }
                Ok(Command::Pause(true)) => {
                    self.edit(|s| s.paused = true);
                    state = match state {
                        paused @ State::Paused(_) => paused,
                        other => State::Paused(Box::new(other)),
                    };
                    continue;
                }
                Ok(Command::Pause(false)) => {
                    self.edit(|s| s.paused = false);
                    if let State::Paused(previous) = state {
                        state = *previous;
                    }
                    continue;
                }
                Err(RecvTimeoutError::Timeout) => {}
            }
            state = match state {
                State::Streaming(mut src, choice) => match next_frame(&mut *src) {
                    Ok(rgb) => {
                        self.bad_frames = 0;
                        self.deliver(rgb, &*src);
                        State::Streaming(src, choice)
                    }
                    // One corrupt frame (a broken MJPEG from a USB camera, say) is skipped;
                    // only a run of them counts as the source failing.
                    Err(e) if self.bad_frames + 1 < BAD_FRAMES_BEFORE_REOPEN => {
                        self.bad_frames += 1;
                        log::debug!("skipped a frame: {e}");
                        State::Streaming(src, choice)
                    }
                    Err(e) => {
                        self.bad_frames = 0;
                        log::warn!("{e}");
                        self.edit(|s| {
                            s.problem =
                                Some(format!("{e}. Retrying every {} s …", RETRY_EVERY.as_secs()))
                        });
                        drop(src); // release a failed camera before reopening it
                        State::Retrying(choice, Instant::now() + RETRY_EVERY)
                    }
                },
                State::Retrying(choice, _) => self.start_source(choice, false),
                paused @ State::Paused(_) => paused,
            };
        }
    }

    /// Opens `choice`. At start-up a camera that will not open falls back to the reel; later
    /// (the user asked for it, or it is being retried) a failure keeps retrying.
    fn start_source(&mut self, choice: SourceChoice, at_startup: bool) -> State {
        self.current = choice.clone();
        match (self.opener)(&choice) {
            Ok(src) => {
                let describe = src.describe();
                log::info!("capturing from {describe}");
                self.edit(|s| {
                    s.source = describe;
                    s.problem = None;
                    s.fell_back_to_reel = false;
                    s.paused = false;
                });
                State::Streaming(src, choice)
            }
            Err(e) if at_startup && choice.is_camera() => {
                log::warn!("{e}; showing the demo reel");
                match (self.opener)(&SourceChoice::Reel) {
                    Ok(reel) => {
                        let describe = reel.describe();
                        self.edit(|s| {
                            s.source = describe;
                            s.problem = Some(format!(
                                "No camera could be opened ({e}). Showing the bundled demo reel."
                            ));
                            s.fell_back_to_reel = true;
                        });
                        self.current = SourceChoice::Reel;
                        State::Streaming(reel, SourceChoice::Reel)
                    }
                    Err(reel_err) => self.failed(choice, format!("{e}; demo reel: {reel_err}")),
                }
            }
            Err(e) => self.failed(choice, e.to_string()),
        }
    }

    fn failed(&mut self, choice: SourceChoice, why: String) -> State {
        log::warn!("{why}");
        self.edit(|s| {
            s.problem = Some(format!(
                "{why}. Retrying every {} s …",
                RETRY_EVERY.as_secs()
            ));
            s.fell_back_to_reel = false;
        });
        State::Retrying(choice, Instant::now() + RETRY_EVERY)
    }

    fn deliver(&mut self, rgb: image::RgbImage, src: &dyn FrameSource) {
        let describe = src.describe();
        let frame = Frame::new(self.next_id, rgb);
        self.next_id += 1;
        let now = frame.captured;
        let instant_fps = self
            .last_frame_at
            .map(|t| 1.0 / (now - t).as_secs_f32().max(1e-4));
        self.last_frame_at = Some(now);
        self.frames.put(frame);
        self.edit(|s| {
            if s.source != describe {
                s.source = describe;
            }
            s.frames += 1;
            if let Some(f) = instant_fps {
                s.fps = if s.fps == 0.0 {
                    f
                } else {
                    0.9 * s.fps + 0.1 * f
                };
            }
        });
    }

    fn status(&self) -> CaptureStatus {
        self.status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn edit(&self, f: impl FnOnce(&mut CaptureStatus)) {
        f(&mut self.status.lock().unwrap_or_else(PoisonError::into_inner));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::live::reel::FRAME_SIZE;
    use image::RgbImage;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn wait_until(mut ok: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !ok() {
            assert!(Instant::now() < deadline, "condition not reached in 30 s");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[test]
    fn no_camera_falls_back_to_the_reel_and_says_so() {
        let frames = Arc::new(LatestSlot::new());
        // No machine has a camera 97.
        let choice = SourceChoice::Camera {
            index: 97,
            resolution: None,
        };
        let capture = Capture::start(choice, Arc::clone(&frames));
        let frame = frames
            .take_timeout(Duration::from_secs(30))
            .expect("the reel delivers frames");
        assert_eq!(frame.rgb.dimensions(), FRAME_SIZE);
        let status = capture.status();
        assert!(status.fell_back_to_reel);
        assert!(
            status
                .problem
                .unwrap()
                .contains("No camera could be opened")
        );
        assert!(status.source.contains("demo reel"));
    }

    /// Opens every time (counted); each source gives three frames, then fails like an
    /// unplugged camera.
    static OPENS: AtomicUsize = AtomicUsize::new(0);
    struct Flaky(usize);
    impl FrameSource for Flaky {
        fn describe(&self) -> String {
            "flaky camera".into()
        }
        fn next_frame(&mut self) -> Result<RgbImage> {
            self.0 += 1;
            std::thread::sleep(Duration::from_millis(5));
            if self.0 > 3 {
                return Err(Error::Camera("flaky".into(), "device unplugged".into()));
            }
            Ok(RgbImage::new(4, 4))
        }
    }
    fn flaky_opener(_: &SourceChoice) -> Result<Box<dyn FrameSource>> {
        OPENS.fetch_add(1, Ordering::SeqCst);
        Ok(Box::new(Flaky(0)))
    }

    /// Every third frame is corrupt: skipped, never a reopen.
    static GLITCHY_OPENS: AtomicUsize = AtomicUsize::new(0);
    struct Glitchy(usize);
    impl FrameSource for Glitchy {
        fn describe(&self) -> String {
            "glitchy camera".into()
        }
        fn next_frame(&mut self) -> Result<RgbImage> {
            self.0 += 1;
            std::thread::sleep(Duration::from_millis(2));
            if self.0.is_multiple_of(3) {
                return Err(Error::Camera("glitchy".into(), "corrupt MJPEG".into()));
            }
            Ok(RgbImage::new(4, 4))
        }
    }
    fn glitchy_opener(_: &SourceChoice) -> Result<Box<dyn FrameSource>> {
        GLITCHY_OPENS.fetch_add(1, Ordering::SeqCst);
        Ok(Box::new(Glitchy(0)))
    }

    #[test]
    fn a_single_bad_frame_is_skipped_without_reopening() {
        let frames = Arc::new(LatestSlot::new());
        let capture = Capture::start_with(glitchy_opener, SourceChoice::Reel, Arc::clone(&frames));
        wait_until(|| capture.status().frames >= 30);
        assert_eq!(GLITCHY_OPENS.load(Ordering::SeqCst), 1);
        assert!(capture.status().problem.is_none());
    }

    #[test]
    fn pausing_while_retrying_stays_paused() {
        let frames = Arc::new(LatestSlot::new());
        let missing = SourceChoice::Stills(vec!["/no/such/folder/at/all".into()]);
        let capture = Capture::start(missing, Arc::clone(&frames));
        wait_until(|| capture.status().problem.is_some());
        capture.pause(true);
        wait_until(|| capture.status().paused);
        // Past the retry time, still paused and no frames.
        std::thread::sleep(RETRY_EVERY + Duration::from_millis(300));
        assert!(capture.status().paused);
        assert_eq!(capture.status().frames, 0);
    }

    #[test]
    fn a_camera_failing_mid_stream_is_reported_and_reopened() {
        let frames = Arc::new(LatestSlot::new());
        let choice = SourceChoice::Camera {
            index: 0,
            resolution: None,
        };
        let capture = Capture::start_with(flaky_opener, choice, Arc::clone(&frames));
        wait_until(|| capture.status().problem.is_some());
        let problem = capture.status().problem.unwrap();
        assert!(problem.contains("device unplugged") && problem.contains("Retrying"));
        // After the retry delay it is opened again and streams again.
        wait_until(|| OPENS.load(Ordering::SeqCst) >= 2);
        wait_until(|| capture.status().frames >= 4);
        // The thread is still alive and obeys commands.
        capture.pause(true);
        wait_until(|| capture.status().paused);
    }

    /// The first open panics (a driver bug); later ones give a steady source.
    static CRASHING_OPENS: AtomicUsize = AtomicUsize::new(0);
    fn crashing_opener(_: &SourceChoice) -> Result<Box<dyn FrameSource>> {
        if CRASHING_OPENS.fetch_add(1, Ordering::SeqCst) == 0 {
            panic!("injected fault");
        }
        Ok(Box::new(Glitchy(1)))
    }

    #[test]
    fn a_crash_in_the_capture_thread_is_reported_and_it_restarts() {
        let frames = Arc::new(LatestSlot::new());
        let capture = Capture::start_with(crashing_opener, SourceChoice::Reel, Arc::clone(&frames));
        wait_until(|| capture.status().frames >= 3);
        let crashed = capture.status().crashed.expect("the crash is reported");
        assert!(crashed.contains("injected fault"), "{crashed}");
        assert_eq!(CRASHING_OPENS.load(Ordering::SeqCst), 2);
        // Still obeys commands.
        capture.pause(true);
        wait_until(|| capture.status().paused);
    }
}
