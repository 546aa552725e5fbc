//! The desktop application (eframe/egui): the live tab draws what the pipeline in `live`
//! produces; the UI thread only draws and forwards the user's choices.

pub mod controls;
pub mod heatmap;
pub mod meters;
pub mod mining;
pub mod negatives_tab;
pub mod prefs;
pub mod screenshot;
pub mod seq_tab;
pub mod sidebar;
pub mod video;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use eframe::egui::{self, Color32, RichText};

use crate::live::pipeline::DetectorThread;
use crate::live::{
    Capture, CaptureStatus, DetectionResult, Frame, LiveSettings, ModelOrigin, ModelSlot, Pipeline,
    SourceChoice,
};
use crate::track::{HistoryConfig, TrackHistory};
use crate::{BackendKind, Detection};
use meters::{Rate, Samples, Smoothed};
use screenshot::{Outcome, ScreenshotJob};
use video::{DrawnBox, VideoView};

/// The window's inner size in points (the screenshot has this size at scale 1).
pub const WINDOW_SIZE: [f32; 2] = [1280.0, 800.0];

/// How the app was started (from the command line).
#[derive(Clone, Debug)]
pub struct AppOptions {
    pub source: SourceChoice,
    pub weights: Option<PathBuf>,
    pub backend: BackendKind,
    /// `--screenshot FILE --frames N`.
    pub screenshot: Option<(PathBuf, u64)>,
    /// `--quit-after SECS`: close after that long, printing the run summary.
    pub quit_after: Option<Duration>,
    /// The remembered settings to start from (and why they could not be read, if so), or
    /// `None` for a scripted run that neither reads nor writes them.
    pub remember: Option<(prefs::Prefs, Option<String>)>,
    /// Where the negative store and retrained models live (`--data-dir`).
    pub data_dir: PathBuf,
    /// Start with the score-map heat map on.
    pub heat_map: bool,
    /// Start with the video paused.
    pub paused: bool,
    /// The tab to open first.
    pub tab: Tab,
    /// The demo the Sequences tab opens on.
    pub seq_demo: seq_tab::Demo,
    /// Start with raw per-frame detections instead of tracks.
    pub raw: bool,
    /// Start with trails behind the tracks.
    pub trails: bool,
}

/// Detection rate while a retraining round runs: the video keeps moving, and training gets
/// most of the two cores.
pub const RETRAIN_DETECT_FPS: f32 = 4.0;

pub use crate::live::LIVE_MIN_FACE;

/// The default data folder: the user's data directory (e.g. `~/.local/share/facecam`).
pub fn default_data_dir() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("facecam")
}

/// The tabs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tab {
    #[default]
    Live,
    Negatives,
    /// Week 6's second half: recurrent networks, attention, memory networks.
    Sequences,
}

/// A line for the user, kept until the next one replaces it.
#[derive(Clone, Debug)]
pub enum Notice {
    Info(String),
    Error(String),
}

pub struct FacecamApp {
    pipeline: Pipeline,
    capture: Capture,
    /// The capture thread's status, read once per UI frame.
    capture_status: CaptureStatus,
    _detector: DetectorThread,
    backend: BackendKind,
    tab: Tab,
    /// The result on screen (kept between repaints).
    shown: Option<DetectionResult>,
    video: VideoView,
    /// Index into the boxes drawn on the frame on screen.
    selected_box: Option<usize>,
    settings: LiveSettings,
    /// Recent track boxes (trails) and frames (several crops per "Not a face").
    history: TrackHistory<Frame>,
    /// Draw trails behind the tracks.
    trails: bool,
    latency_ms: Smoothed,
    detect_ms: Smoothed,
    detector_rate: Rate,
    /// Every frame's figures since start, for the run summary printed after `--screenshot`.
    latency_all: Samples,
    detect_all: Samples,
    first_result: Option<Instant>,
    sidebar: sidebar::SidebarState,
    mining: mining::Mining,
    thumbnails: negatives_tab::Thumbnails,
    seq: seq_tab::SeqTab,
    notice: Option<Notice>,
    screenshot: Option<ScreenshotJob>,
    /// Set when the screenshot job ends; read by the binary after the window closes.
    pub outcome: Arc<Mutex<Option<Outcome>>>,
    /// When the app started, and `--quit-after`.
    started: Instant,
    options_quit_after: Option<Duration>,
    /// The source last asked for (remembered in the settings).
    source: SourceChoice,
    /// Writes the settings when they change; `None` in scripted runs.
    prefs: Option<PrefsWriter>,
}

/// The settings as last written, and where and when.
struct PrefsWriter {
    dir: PathBuf,
    saved: prefs::Prefs,
    at: Instant,
}

/// The live view's settings for a model's defaults: its detector settings with the live
/// minimum face size, and tracking on unless `raw`.
fn live_defaults(model: &crate::DetectorConfig, heat_map: bool, raw: bool) -> LiveSettings {
    let mut detector = model.clone();
    detector.pyramid.min_face = detector.pyramid.min_face.max(LIVE_MIN_FACE);
    LiveSettings {
        detector,
        keep_maps: heat_map,
        max_fps: None,
        tracking: !raw,
    }
}

impl FacecamApp {
    /// Starts the pipeline threads. Problems that leave the app usable (no GPU, a bad
    /// `--weights` file) become notices; only having no model at all is an error.
    pub fn new(ctx: &egui::Context, options: AppOptions) -> crate::Result<Self> {
        let mut notices = Vec::new();
        let (backend, device) = match options.backend.device() {
            Ok(d) => (options.backend, d),
            Err(e) => {
                notices.push(format!("{e}; running on the CPU (flex) instead"));
                (BackendKind::Flex, BackendKind::Flex.device()?)
            }
        };
        let models = match ModelSlot::open(options.weights.as_deref(), device.clone()) {
            Ok(m) => m,
            Err(e) if options.weights.is_some() => {
                notices.push(format!("{e}; using the bundled model"));
                ModelSlot::open(None, device)?
            }
            Err(e) => return Err(e),
        };
        let pipeline = Pipeline::new(models);
        let repaint = ctx.clone();
        let detector = pipeline.spawn_detector(move || repaint.request_repaint());
        let capture = Capture::start(options.source.clone(), Arc::clone(&pipeline.frames));
        if options.paused {
            capture.pause(true);
        }
        let settings = live_defaults(&pipeline.settings().detector, options.heat_map, options.raw);
        let (saved_prefs, remember) = match &options.remember {
            Some((prefs, problem)) => {
                notices.extend(problem.clone());
                (prefs.clone(), true)
            }
            None => (prefs::Prefs::default(), false),
        };
        let settings = LiveSettings {
            detector: saved_prefs.detector.clone().unwrap_or(settings.detector),
            ..settings
        };
        pipeline.set_settings(settings.clone());
        let mut mining = mining::Mining::open(&options.data_dir);
        mining.auto_after = saved_prefs.auto_retrain_after;
        Ok(Self {
            capture,
            capture_status: CaptureStatus::default(),
            _detector: detector,
            backend,
            tab: options.tab,
            shown: None,
            video: VideoView::default(),
            selected_box: None,
            settings,
            history: TrackHistory::new(HistoryConfig::default()),
            trails: options.trails,
            latency_ms: Smoothed::default(),
            detect_ms: Smoothed::default(),
            detector_rate: Rate::default(),
            latency_all: Samples::default(),
            detect_all: Samples::default(),
            first_result: None,
            sidebar: sidebar::SidebarState::new(&options),
            mining,
            thumbnails: negatives_tab::Thumbnails::default(),
            seq: seq_tab::SeqTab::opening(options.seq_demo),
            notice: (!notices.is_empty()).then(|| Notice::Error(notices.join("; "))),
            screenshot: options
                .screenshot
                .map(|(path, frames)| ScreenshotJob::new(path, frames)),
            outcome: Arc::new(Mutex::new(None)),
            started: Instant::now(),
            options_quit_after: options.quit_after,
            source: options.source.clone(),
            prefs: remember.then(|| PrefsWriter {
                dir: options.data_dir.clone(),
                saved: saved_prefs,
                at: Instant::now(),
            }),
            pipeline,
        })
    }

    /// Takes the newest detection result, if any, and updates the meters.
    fn poll_results(&mut self, ctx: &egui::Context) {
        // A selected box belongs to the frame on screen: hold that frame until the user marks
        // it or lets go (Esc, or a click beside the boxes). The pipeline keeps running.
        if self.selected_box.is_some()
            || self.screenshot.as_ref().is_some_and(|j| j.freezes_video())
        {
            return;
        }
        let Some(result) = self.pipeline.results.try_take() else {
            return;
        };
        let now = Instant::now();
        let latency = (now - result.frame.captured).as_secs_f32() * 1e3;
        self.latency_ms.add(latency);
        self.latency_all.add(latency);
        self.detect_ms.add(result.detect_ms);
        self.detect_all.add(result.detect_ms);
        self.first_result.get_or_insert(now);
        self.detector_rate.tick(now);
        self.video.update(ctx, &result);
        match &result.tracks {
            Some(tracks) => self.history.push(&result.frame, tracks),
            None => self.history.clear(),
        }
        if let Some(job) = &mut self.screenshot {
            job.frame_drawn();
        }
        self.shown = Some(result);
    }

    fn hud_text(&self) -> String {
        let status = &self.capture_status;
        let fmt = |v: Option<f32>, unit: &str| v.map_or("–".into(), |v| format!("{v:.1} {unit}"));
        let faces = match self.shown.as_ref() {
            Some(DetectionResult {
                tracks: Some(t),
                detections,
                ..
            }) => format!("tracks   {} ({} detections)", t.len(), detections.len()),
            Some(r) => format!("faces    {} (raw detections)", r.detections.len()),
            None => "faces    –".into(),
        };
        format!(
            "capture  {}\ndetector {} ({})\nlatency  {}\n{faces}",
            if status.fps > 0.0 {
                format!("{:.1} fps", status.fps)
            } else {
                "–".into()
            },
            fmt(self.detect_ms.get(), "ms"),
            fmt(self.detector_rate.get(), "fps"),
            fmt(self.latency_ms.get(), "ms"),
        )
    }

    /// Medians over the whole run (printed when a `--screenshot` run ends).
    fn run_summary(&self) -> String {
        let n = self.detect_all.len();
        let span = self.first_result.map_or(0.0, |t| t.elapsed().as_secs_f32());
        let ms = |v: Option<f32>| v.map_or("–".into(), |v| format!("{v:.1} ms"));
        format!(
            "run summary: {n} results drawn; detector {:.1} fps; median detector time {}; \
             median end-to-end latency (capture → drawn) {}; capture {:.1} fps",
            (n.saturating_sub(1)) as f32 / span.max(1e-3),
            ms(self.detect_all.median()),
            ms(self.latency_all.median()),
            self.capture_status.fps
        )
    }

    fn live_tab(&mut self, ui: &mut egui::Ui) {
        let status = &self.capture_status;
        // A thread that crashed has restarted itself; say so rather than hide it.
        for crash in [status.crashed.clone(), self.pipeline.fault()]
            .into_iter()
            .flatten()
        {
            ui.colored_label(Color32::from_rgb(255, 110, 110), crash);
        }
        if let Some(problem) = &status.problem {
            ui.horizontal(|ui| {
                ui.colored_label(Color32::from_rgb(255, 190, 60), problem);
                if status.fell_back_to_reel && ui.button("Retry camera").clicked() {
                    self.source = self.sidebar.camera_choice();
                    self.capture.switch(self.source.clone());
                }
            });
        }
        self.marking_toolbar(ui);
        match &self.shown {
            Some(result) => {
                let hud = self.hud_text();
                let boxes = self.drawn_boxes(result);
                let act = self.video.show(ui, result, &boxes, self.selected_box, &hud);
                if act.clicked {
                    self.selected_box = act.clicked_box;
                }
                if ui.input(|i| i.key_pressed(egui::Key::Escape)) {
                    self.selected_box = None;
                }
            }
            None => {
                ui.centered_and_justified(|ui| ui.label("Waiting for the first frame …"));
            }
        }
    }

    /// The boxes to draw on `result`: its tracks (with trails when asked), or its raw
    /// detections.
    fn drawn_boxes(&self, result: &DetectionResult) -> Vec<DrawnBox> {
        match &result.tracks {
            Some(tracks) => tracks
                .iter()
                .map(|t| {
                    let trail = if self.trails {
                        self.history.trail(t.id)
                    } else {
                        Vec::new()
                    };
                    DrawnBox::track(t, trail)
                })
                .collect(),
            None => result.detections.iter().map(DrawnBox::detection).collect(),
        }
    }

    /// The crops that marking drawn box `i` of `result` stores: the box on screen, and for a
    /// track also its box in a few earlier frames.
    fn crops_to_mark(&self, result: &DetectionResult, i: usize) -> Vec<(Frame, Detection)> {
        match &result.tracks {
            Some(tracks) => {
                let Some(t) = tracks.get(i) else {
                    return Vec::new();
                };
                let mut crops: Vec<(Frame, Detection)> = self
                    .history
                    .earlier(t.id)
                    .into_iter()
                    .filter(|(f, _)| f.id != result.frame.id)
                    .collect();
                crops.push((result.frame.clone(), Detection::from(t)));
                crops
            }
            None => result
                .detections
                .get(i)
                .map(|d| vec![(result.frame.clone(), *d)])
                .unwrap_or_default(),
        }
    }

    /// Marking false positives: the selected box, or every box of the frame on screen.
    fn marking_toolbar(&mut self, ui: &mut egui::Ui) {
        let Some(result) = &self.shown else { return };
        let drawn = result
            .tracks
            .as_ref()
            .map_or(result.detections.len(), Vec::len);
        let mut chosen: Option<Vec<usize>> = None;
        ui.horizontal(|ui| {
            let selected = self.selected_box;
            let what = if result.tracks.is_some() {
                "store the selected track (click one) as hard negatives: its box now and in a \
                 few earlier frames; key F"
            } else {
                "store the selected box (click one) as a hard negative; key F"
            };
            if ui
                .add_enabled(selected.is_some(), egui::Button::new("Not a face"))
                .on_hover_text(what)
                .clicked()
                || (selected.is_some()
                    && !ui.ctx().egui_wants_keyboard_input()
                    && ui.input(|i| i.key_pressed(egui::Key::F)))
            {
                chosen = selected.map(|i| vec![i]);
            }
            if ui
                .add_enabled(drawn > 0, egui::Button::new("No faces in this frame"))
                .on_hover_text("store every box of this frame as a hard negative")
                .clicked()
            {
                chosen = Some((0..drawn).collect());
            }
            ui.checkbox(&mut self.trails, "Trails")
                .on_hover_text("draw each track's path over the last second");
            if self.selected_box.is_none() {
                ui.weak("click a box to select it (the frame holds still while one is selected)");
            } else {
                ui.weak("frame held; Esc or a click beside the boxes lets go");
            }
        });
        if let Some(indices) = chosen {
            let crops: Vec<(Frame, Detection)> = indices
                .iter()
                .flat_map(|&i| self.crops_to_mark(result, i))
                .collect();
            let source = self.capture_status.source.clone();
            self.notice = Some(self.mining.mark(&crops, &source, &self.pipeline));
            self.selected_box = None;
        }
    }

    fn menu_bar(&mut self, ui: &mut egui::Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                if ui.button("Open weights…").clicked() {
                    self.notice = sidebar::open_weights_dialog(&self.pipeline);
                }
                if ui.button("Revert to bundled weights").clicked() {
                    self.notice = Some(sidebar::revert(&self.pipeline));
                }
                if ui
                    .button("Reset settings")
                    .on_hover_text(
                        "the model's detector settings, no heat map, no automatic retraining",
                    )
                    .clicked()
                {
                    self.reset_settings();
                }
                ui.separator();
                if ui.button("Quit").clicked() {
                    ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                }
            });
            ui.separator();
            ui.selectable_value(&mut self.tab, Tab::Live, "Live");
            let count = self.mining.store.as_ref().map_or(0, |s| s.len());
            ui.selectable_value(
                &mut self.tab,
                Tab::Negatives,
                format!("Negatives ({count})"),
            );
            ui.selectable_value(&mut self.tab, Tab::Sequences, "Sequences");
        });
    }

    /// Back to the defaults: the running model's detector settings, no heat map, no automatic
    /// retraining. The source and the model stay as they are (File → Revert to bundled
    /// weights, the Source panel).
    fn reset_settings(&mut self) {
        let model = self.pipeline.models.current();
        self.settings = live_defaults(&model.meta.detector, false, false);
        self.trails = false;
        self.mining.auto_after = 0;
        self.notice = Some(Notice::Info("settings reset to the defaults".into()));
    }

    /// The settings as they are now.
    fn current_prefs(&self) -> prefs::Prefs {
        let weights = match &self.pipeline.models.current().origin {
            ModelOrigin::File(p) => Some(p.clone()),
            _ => None,
        };
        prefs::Prefs {
            detector: Some(self.settings.detector.clone()),
            heat_map: self.settings.keep_maps,
            source: Some(self.source.clone()),
            weights,
            tab: Some(self.tab),
            auto_retrain_after: self.mining.auto_after,
            raw_detections: !self.settings.tracking,
            trails: self.trails,
        }
    }

    /// Writes the settings when they changed (at most once a second, unless `now`).
    fn save_prefs(&mut self, now: bool) {
        // Checked before building the settings: this runs every UI frame.
        let due = self
            .prefs
            .as_ref()
            .is_some_and(|w| now || w.at.elapsed() >= Duration::from_secs(1));
        if !due {
            return;
        }
        let current = self.current_prefs();
        let Some(writer) = &mut self.prefs else {
            return;
        };
        if current == writer.saved {
            return;
        }
        writer.at = Instant::now();
        match current.save(&writer.dir) {
            Ok(()) => writer.saved = current,
            Err(e) => {
                // Said once; retried at the next change.
                writer.saved = current;
                self.notice = Some(Notice::Error(format!("cannot save the settings: {e}")));
            }
        }
    }

    fn status_bar(&self, ui: &mut egui::Ui) {
        let status = &self.capture_status;
        let model = self.pipeline.models.current();
        ui.horizontal(|ui| {
            ui.label(format!("Source: {}", status.source));
            ui.separator();
            ui.label(format!("Backend: {}", self.backend));
            ui.separator();
            ui.label(format!("Model: {} (v{})", model.origin, model.version));
            if let Some(n) = &self.notice {
                ui.separator();
                match n {
                    Notice::Info(t) => ui.label(t),
                    Notice::Error(t) => {
                        ui.label(RichText::new(t).color(Color32::from_rgb(255, 110, 110)))
                    }
                };
            }
        });
    }
}

impl eframe::App for FacecamApp {
    /// The last second's changes too.
    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.save_prefs(true);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.capture_status = self.capture.status();
        self.poll_results(&ctx);
        egui::Panel::top("menu").show(ui, |ui| self.menu_bar(ui));
        egui::Panel::bottom("status").show(ui, |ui| self.status_bar(ui));
        // The detector's knobs belong to the video tabs.
        if self.tab != Tab::Sequences {
            egui::Panel::right("sidebar")
                .default_size(300.0)
                .show(ui, |ui| {
                    let model_defaults = self.pipeline.models.current().meta.detector.clone();
                    let action = self.sidebar.show(
                        ui,
                        &mut self.settings,
                        &model_defaults,
                        &self.capture_status,
                    );
                    if let sidebar::SidebarAction::Switch(choice) = &action {
                        self.source = choice.clone();
                    }
                    if let Some(n) = sidebar::apply(action, &self.pipeline, &self.capture) {
                        self.notice = Some(n);
                    }
                });
        }
        // While a retraining round or a sequence demo trains, detection slows to a few frames
        // a second: the video keeps moving, and training gets most of the cores.
        self.settings.max_fps =
            (self.mining.retrainer.is_some() || self.seq.training()).then_some(RETRAIN_DETECT_FPS);
        if self.settings != self.pipeline.settings() {
            self.pipeline.set_settings(self.settings.clone());
        }
        egui::CentralPanel::default_margins().show(ui, |ui| match self.tab {
            Tab::Live => self.live_tab(ui),
            Tab::Negatives => {
                if let Some(n) =
                    negatives_tab::show(ui, &mut self.mining, &mut self.thumbnails, &self.pipeline)
                {
                    self.notice = Some(n);
                }
            }
            Tab::Sequences => self.seq.show(ui),
        });
        if let Some(n) = self
            .mining
            .finish_round(&self.pipeline)
            .or_else(|| self.mining.maybe_auto_round(&self.pipeline, &ctx))
        {
            self.notice = Some(n);
        }

        if let Some(job) = &mut self.screenshot
            && let Some(outcome) = job.step(&ctx, self.shown.as_ref())
        {
            if outcome.is_ok() {
                eprintln!("{}", self.run_summary());
            }
            *self.outcome.lock().unwrap_or_else(PoisonError::into_inner) = Some(outcome);
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        self.save_prefs(false);
        if let Some(limit) = self.options_quit_after
            && self.started.elapsed() >= limit
        {
            eprintln!("{}", self.run_summary());
            self.options_quit_after = None;
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        // Capture problems must show even when no frames arrive; twice a second is enough and
        // costs next to nothing (new frames repaint at once through the detector thread).
        ctx.request_repaint_after(Duration::from_millis(500));
    }
}
