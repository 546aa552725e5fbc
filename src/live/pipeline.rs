//! The detection thread: newest frame in, boxes (and optionally score maps) out.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use image::GrayImage;

use super::frame::Frame;
use super::models::ModelSlot;
use super::slot::LatestSlot;
use crate::detect::pyramid::LevelSpec;
use crate::detect::scan::ScoreMap;
use crate::job::{join_within, panic_message};
use crate::track::{CutDetector, FocusConfig, FocusedDetector, TrackedBox, Tracker, TrackerConfig};
use crate::{Detection, Detector, DetectorConfig};

/// What the UI controls and the detector thread reads once per frame.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveSettings {
    pub detector: DetectorConfig,
    /// Keep the per-level score maps for the heat-map overlay (costs a copy per frame).
    pub keep_maps: bool,
    /// Detect at most this often (frames per second). The app sets it while retraining, so
    /// the training thread gets most of the CPU and the video still moves.
    pub max_fps: Option<f32>,
    /// Follow faces from frame to frame (detect-then-track, `crate::track`): steady boxes
    /// with ids. Off: every frame is scanned whole and its raw detections are shown.
    pub tracking: bool,
}

/// One frame's outcome.
#[derive(Clone, Debug)]
pub struct DetectionResult {
    pub frame: Frame,
    /// This frame's detections: a full scan's, or, between full scans while tracking, those
    /// found around the tracked faces.
    pub detections: Vec<Detection>,
    /// The tracks shown on this frame, when tracking is on.
    pub tracks: Option<Vec<TrackedBox>>,
    /// Per pyramid level, when `keep_maps` was on.
    pub maps: Option<Arc<Vec<(LevelSpec, ScoreMap)>>>,
    /// Pyramid + network + NMS, milliseconds.
    pub detect_ms: f32,
    /// Which model produced it (`LoadedModel::version`).
    pub model_version: u64,
    pub config: DetectorConfig,
}

/// Shared between the UI and the detector thread.
pub struct Pipeline {
    pub frames: Arc<LatestSlot<Frame>>,
    pub results: Arc<LatestSlot<DetectionResult>>,
    pub models: Arc<ModelSlot>,
    pub settings: Arc<Mutex<LiveSettings>>,
    /// The detector thread's last crash, for the UI (it restarts by itself).
    pub fault: Arc<Mutex<Option<String>>>,
}

/// How the detector thread turns a frame into score maps (tests inject faults through it).
pub type Scan = fn(&Detector, &GrayImage) -> Vec<(LevelSpec, ScoreMap)>;

impl Pipeline {
    pub fn new(models: ModelSlot) -> Self {
        let config = models.current().meta.detector.clone();
        Self {
            frames: Arc::new(LatestSlot::new()),
            results: Arc::new(LatestSlot::new()),
            models: Arc::new(models),
            settings: Arc::new(Mutex::new(LiveSettings {
                detector: config,
                keep_maps: false,
                max_fps: None,
                // The app turns tracking on; the library's default scans every frame whole.
                tracking: false,
            })),
            fault: Arc::new(Mutex::new(None)),
        }
    }

    /// The detector thread's last crash, if any since the app started.
    pub fn fault(&self) -> Option<String> {
        self.fault
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn settings(&self) -> LiveSettings {
        self.settings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn set_settings(&self, s: LiveSettings) {
        *self.settings.lock().unwrap_or_else(PoisonError::into_inner) = s;
    }

    /// Starts the detector thread. `on_result` runs after each result is published (the UI
    /// passes "request a repaint", so it redraws only when there is something new).
    pub fn spawn_detector(&self, on_result: impl Fn() + Send + 'static) -> DetectorThread {
        self.spawn_detector_with(Detector::score_maps, on_result)
    }

    /// Like `spawn_detector`, scanning frames with `scan`.
    pub fn spawn_detector_with(
        &self,
        scan: Scan,
        on_result: impl Fn() + Send + 'static,
    ) -> DetectorThread {
        let stop = Arc::new(AtomicBool::new(false));
        let worker = Worker {
            frames: Arc::clone(&self.frames),
            results: Arc::clone(&self.results),
            models: Arc::clone(&self.models),
            settings: Arc::clone(&self.settings),
            fault: Arc::clone(&self.fault),
            stop: Arc::clone(&stop),
            scan,
        };
        let thread = std::thread::Builder::new()
            .name("detector".into())
            .spawn(move || worker.run(on_result))
            .expect("spawning a thread only fails when the OS is out of resources");
        DetectorThread {
            stop,
            thread: Some(thread),
        }
    }
}

/// Handle to the detector thread; dropping it stops the thread after the current frame (or
/// leaves a frame that takes over a second to finish alone: closing never waits long).
pub struct DetectorThread {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for DetectorThread {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            join_within(t, Duration::from_secs(1));
        }
    }
}

struct Worker {
    frames: Arc<LatestSlot<Frame>>,
    results: Arc<LatestSlot<DetectionResult>>,
    models: Arc<ModelSlot>,
    settings: Arc<Mutex<LiveSettings>>,
    fault: Arc<Mutex<Option<String>>>,
    stop: Arc<AtomicBool>,
    scan: Scan,
}

impl Worker {
    fn run(self, on_result: impl Fn()) {
        // Rebuilt only when the model or the settings change.
        let mut cached: Option<(u64, LiveSettings, FocusedDetector)> = None;
        // Survives detector rebuilds: moving a slider must not renumber the faces.
        let mut tracker = Tracker::new(TrackerConfig::default());
        let mut cuts = CutDetector::default();
        let mut last_frame: Option<Instant> = None;
        while !self.stop.load(Ordering::SeqCst) {
            // Wake up now and then to notice `stop` even when no frames come.
            let Some(frame) = self.frames.take_timeout(Duration::from_millis(100)) else {
                continue;
            };
            let settings = self
                .settings
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            let model = self.models.current();
            let fresh = match &cached {
                Some((v, s, _)) => *v != model.version || *s != settings,
                None => true,
            };
            if fresh {
                match Detector::new(
                    model.net.clone(),
                    self.models.device().clone(),
                    settings.detector.clone(),
                ) {
                    Ok(d) => {
                        let focus = FocusConfig {
                            // Raw detections and the heat map need every frame scanned whole.
                            full_every: if settings.tracking && !settings.keep_maps {
                                FocusConfig::default().full_every
                            } else {
                                1
                            },
                            ..FocusConfig::default()
                        };
                        cached = Some((
                            model.version,
                            settings.clone(),
                            FocusedDetector::new(d, focus),
                        ));
                    }
                    Err(e) => log::warn!("detector settings rejected, keeping the last ones: {e}"),
                }
            }
            let Some((version, used, detector)) = &mut cached else {
                continue;
            };
            // The time step is the real one between the frames this thread saw (frames it
            // had no time for are skipped), within sane bounds.
            let dt = last_frame.map_or(1.0 / 30.0, |t| {
                frame
                    .captured
                    .saturating_duration_since(t)
                    .as_secs_f32()
                    .clamp(1.0 / 120.0, 0.5)
            });
            last_frame = Some(frame.captured);
            let started = Instant::now();
            let predicted = if used.tracking {
                // A new shot (a video file's cut, the reel's next photo): its faces are new
                // faces. Raw detections need no check.
                if cuts.is_cut(&frame.gray) {
                    tracker.cut();
                }
                tracker.predicted(dt)
            } else {
                Vec::new()
            };
            // A panic in the backend or the scan loses this frame, not the thread: the next
            // frame rebuilds the detector and goes on, and the UI shows what happened.
            let scanned = catch_unwind(AssertUnwindSafe(|| {
                let mut maps = None;
                let (detections, _) = detector.detect_with(&frame.gray, &predicted, |d, gray| {
                    let m = (self.scan)(d, gray);
                    let boxes = d.boxes_from(&m);
                    maps = Some(m);
                    boxes
                });
                (maps, detections)
            }));
            let (maps, detections) = match scanned {
                Ok(done) => done,
                Err(panic) => {
                    let why = format!(
                        "the detector crashed on frame {} ({}); restarted it",
                        frame.id,
                        panic_message(panic.as_ref())
                    );
                    log::error!("{why}");
                    *self.fault.lock().unwrap_or_else(PoisonError::into_inner) = Some(why);
                    cached = None;
                    continue;
                }
            };
            let tracks = used.tracking.then(|| tracker.update(&detections, dt));
            let detect_ms = started.elapsed().as_secs_f32() * 1e3;
            self.results.put(DetectionResult {
                frame,
                detections,
                tracks,
                maps: maps.filter(|_| used.keep_maps).map(Arc::new),
                detect_ms,
                model_version: *version,
                config: used.detector.clone(),
            });
            on_result();
            if let Some(fps) = used.max_fps.filter(|f| *f > 0.0) {
                let period = Duration::from_secs_f32(1.0 / fps);
                if let Some(rest) = period.checked_sub(started.elapsed()) {
                    std::thread::sleep(rest);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::weights;
    use crate::live::models::ModelOrigin;
    use burn::tensor::Device;
    use image::RgbImage;

    fn pipeline() -> Pipeline {
        Pipeline::new(ModelSlot::open(None, Device::flex()).unwrap())
    }

    fn wait_for(results: &LatestSlot<DetectionResult>) -> DetectionResult {
        results
            .take_timeout(Duration::from_secs(60))
            .expect("a result within a minute")
    }

    #[test]
    fn a_frame_in_gives_the_same_boxes_as_the_library() {
        let p = pipeline();
        let _thread = p.spawn_detector(|| {});
        let reel = crate::live::reel::ReelSource::unpaced().unwrap();
        let frame = Frame::new(7, reel.render(0));
        p.frames.put(frame.clone());
        let r = wait_for(&p.results);
        assert_eq!(r.frame.id, 7);
        let model = p.models.current();
        let direct = Detector::new(model.net.clone(), Device::flex(), r.config.clone())
            .unwrap()
            .detect(&frame.gray);
        assert_eq!(r.detections, direct);
        assert!(r.maps.is_none());
    }

    #[test]
    fn with_tracking_on_faces_show_from_their_third_frame_with_steady_ids() {
        let p = pipeline();
        let mut s = p.settings();
        s.tracking = true;
        p.set_settings(s);
        let _thread = p.spawn_detector(|| {});
        let reel = crate::live::reel::ReelSource::unpaced().unwrap();
        let rgb = reel.render(0);
        let mut shown = Vec::new();
        for id in 0..6 {
            p.frames.put(Frame::new(id, rgb.clone()));
            let r = wait_for(&p.results);
            assert_eq!(r.frame.id, id);
            let tracks = r.tracks.expect("tracks when tracking is on");
            let mut ids: Vec<u64> = tracks.iter().map(|t| t.id).collect();
            ids.sort_unstable();
            shown.push(ids);
        }
        // Hysteresis: nothing in the first two frames, then the same faces every frame.
        assert!(shown[0].is_empty() && shown[1].is_empty(), "{shown:?}");
        assert!(!shown[2].is_empty(), "{shown:?}");
        assert!(shown[2..].iter().all(|ids| *ids == shown[2]), "{shown:?}");

        let mut s = p.settings();
        s.tracking = false;
        p.set_settings(s);
        p.frames.put(Frame::new(6, rgb));
        assert!(wait_for(&p.results).tracks.is_none());
    }

    #[test]
    fn weights_swap_while_detecting_without_losing_frames() {
        let p = pipeline();
        let _thread = p.spawn_detector(|| {});
        let blank = Frame::new(0, RgbImage::new(160, 120));
        let (net, meta) = weights::load_bundled(&Device::flex()).unwrap();
        let mut versions = std::collections::BTreeSet::new();
        for i in 0..6u64 {
            let mut f = blank.clone();
            f.id = i;
            p.frames.put(f);
            // Swap on every other frame while the detector may be mid-frame.
            if i % 2 == 1 {
                p.models.install(
                    net.clone(),
                    meta.clone(),
                    ModelOrigin::Trained(format!("v{i}")),
                );
            }
            let r = wait_for(&p.results);
            assert_eq!(r.frame.id, i);
            versions.insert(r.model_version);
        }
        // Results came from more than one model, and the last swap is the one now current.
        assert!(versions.len() >= 2, "{versions:?}");
        assert_eq!(p.models.current().version, 3);
    }

    #[test]
    fn changed_settings_reach_the_next_frame() {
        let p = pipeline();
        let _thread = p.spawn_detector(|| {});
        let mut s = p.settings();
        s.keep_maps = true;
        s.detector.threshold = 3.5;
        p.set_settings(s);
        p.frames.put(Frame::new(1, RgbImage::new(120, 90)));
        let r = wait_for(&p.results);
        assert_eq!(r.config.threshold, 3.5);
        let maps = r.maps.expect("maps kept");
        assert_eq!(maps.len(), r.config.pyramid.levels(120, 90).len());
    }

    #[test]
    fn a_crash_in_the_detector_loses_one_frame_and_is_reported() {
        // Frame 1 panics inside the scan, as a backend bug would; frame 2 must still come out.
        fn scan(d: &Detector, gray: &GrayImage) -> Vec<(LevelSpec, ScoreMap)> {
            assert!(gray.width() != 121, "injected fault");
            d.score_maps(gray)
        }
        let p = pipeline();
        let _thread = p.spawn_detector_with(scan, || {});
        p.frames.put(Frame::new(1, RgbImage::new(121, 90)));
        let start = Instant::now();
        while p.fault().is_none() {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "the crash was not reported"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        let fault = p.fault().unwrap();
        assert!(
            fault.contains("frame 1") && fault.contains("injected fault"),
            "{fault}"
        );
        p.frames.put(Frame::new(2, RgbImage::new(120, 90)));
        assert_eq!(wait_for(&p.results).frame.id, 2);
    }
}
