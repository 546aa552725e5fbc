//! The right-hand panel: where frames come from, which model runs, how it scans.

use std::path::PathBuf;

use eframe::egui::{self, Ui};

use super::controls::detector_controls;
use super::{AppOptions, Notice};
use crate::DetectorConfig;
use crate::job::Job;
use crate::live::camera::{CameraEntry, DEFAULT_RESOLUTION, RESOLUTIONS, list_cameras};
use crate::live::{Capture, CaptureStatus, LiveSettings, Pipeline, SourceChoice};

/// What the user asked for in the sidebar this frame.
#[derive(Debug, PartialEq)]
pub enum SidebarAction {
    None,
    Switch(SourceChoice),
    Pause(bool),
    LoadWeights(PathBuf),
    PickWeights,
    Revert,
}

/// The sidebar's own inputs (what is typed or picked before pressing a button).
pub struct SidebarState {
    /// Asking the system for cameras can block for seconds (a busy V4L2 device), so it runs
    /// in the background.
    cameras: Job<Vec<CameraEntry>>,
    camera_index: u32,
    resolution: (u32, u32),
    stills_path: String,
    weights_path: String,
}

impl SidebarState {
    pub fn new(options: &AppOptions) -> Self {
        let (camera_index, resolution) = match &options.source {
            SourceChoice::Camera { index, resolution } => {
                (*index, resolution.unwrap_or(DEFAULT_RESOLUTION))
            }
            _ => (0, DEFAULT_RESOLUTION),
        };
        let stills_path = options.source.path().map(|p| p.display().to_string());
        Self {
            cameras: find_cameras(),
            camera_index,
            resolution,
            stills_path: stills_path.unwrap_or_default(),
            weights_path: String::new(),
        }
    }

    /// The camera currently picked in the sidebar.
    pub fn camera_choice(&self) -> SourceChoice {
        SourceChoice::Camera {
            index: self.camera_index,
            resolution: Some(self.resolution),
        }
    }

    pub fn show(
        &mut self,
        ui: &mut Ui,
        settings: &mut LiveSettings,
        model_defaults: &DetectorConfig,
        capture: &CaptureStatus,
    ) -> SidebarAction {
        let mut action = SidebarAction::None;
        ui.heading("Source");
        self.camera_picker(ui, &mut action);
        ui.horizontal(|ui| {
            if ui.button("Demo reel").clicked() {
                action = SidebarAction::Switch(SourceChoice::Reel);
            }
            let label = if capture.paused { "Resume" } else { "Pause" };
            if ui.button(label).clicked() {
                action = SidebarAction::Pause(!capture.paused);
            }
        });
        ui.horizontal(|ui| {
            ui.add(
                egui::TextEdit::singleline(&mut self.stills_path)
                    .hint_text("video, image or folder")
                    .desired_width(170.0),
            );
            if ui.button("Show").clicked() && !self.stills_path.trim().is_empty() {
                action = SidebarAction::Switch(SourceChoice::for_paths(vec![PathBuf::from(
                    self.stills_path.trim(),
                )]));
            }
            if ui
                .button("Open…")
                .on_hover_text("a video file or an image")
                .clicked()
                && let Some(path) = pick_video_or_image()
            {
                self.stills_path = path.display().to_string();
                action = SidebarAction::Switch(SourceChoice::for_paths(vec![path]));
            }
        });

        ui.separator();
        ui.heading("Detector");
        detector_controls(ui, settings, model_defaults);

        ui.separator();
        ui.heading("Weights");
        ui.horizontal(|ui| {
            if ui.button("Open…").clicked() {
                action = SidebarAction::PickWeights;
            }
            if ui.button("Bundled").clicked() {
                action = SidebarAction::Revert;
            }
        });
        ui.horizontal(|ui| {
            ui.add(
                egui::TextEdit::singleline(&mut self.weights_path)
                    .hint_text("path/to/weights.bpk")
                    .desired_width(170.0),
            );
            if ui.button("Load").clicked() && !self.weights_path.trim().is_empty() {
                action = SidebarAction::LoadWeights(PathBuf::from(self.weights_path.trim()));
            }
        });
        action
    }

    fn camera_picker(&mut self, ui: &mut Ui, action: &mut SidebarAction) {
        let cameras = match self.cameras.poll() {
            Some(Ok(c)) => c.clone(),
            _ => Vec::new(),
        };
        let current = cameras
            .iter()
            .find(|c| c.index == self.camera_index)
            .map_or(format!("camera {}", self.camera_index), |c| c.name.clone());
        egui::ComboBox::from_id_salt("camera")
            .selected_text(current)
            .width(200.0)
            .show_ui(ui, |ui| {
                for c in &cameras {
                    ui.selectable_value(&mut self.camera_index, c.index, &c.name);
                }
            });
        ui.horizontal(|ui| {
            egui::ComboBox::from_id_salt("resolution")
                .selected_text(format!("{}×{}", self.resolution.0, self.resolution.1))
                .show_ui(ui, |ui| {
                    for r in RESOLUTIONS {
                        ui.selectable_value(&mut self.resolution, r, format!("{}×{}", r.0, r.1));
                    }
                });
            if ui.button("Open camera").clicked() {
                *action = SidebarAction::Switch(self.camera_choice());
            }
            if ui
                .add_enabled(!self.cameras.running(), egui::Button::new("Refresh"))
                .on_hover_text("look for cameras again")
                .clicked()
            {
                self.cameras = find_cameras();
            }
        });
        match self.cameras.poll() {
            None => {
                ui.small("Looking for cameras …");
                ui.ctx()
                    .request_repaint_after(std::time::Duration::from_millis(100));
            }
            Some(Ok(c)) if c.is_empty() => {
                ui.small("No cameras found.");
            }
            Some(Err(e)) => {
                ui.small(format!("Cannot list cameras: {e}"));
            }
            Some(Ok(_)) => {}
        }
    }
}

/// Lists the cameras in the background.
fn find_cameras() -> Job<Vec<CameraEntry>> {
    Job::spawn("camera listing", |_| {
        list_cameras().map_err(|e| crate::Error::Camera("listing".into(), e))
    })
}

/// Carries out a sidebar action; returns what to tell the user.
pub fn apply(action: SidebarAction, pipeline: &Pipeline, capture: &Capture) -> Option<Notice> {
    match action {
        SidebarAction::None => None,
        SidebarAction::Switch(choice) => {
            capture.switch(choice);
            None
        }
        SidebarAction::Pause(p) => {
            capture.pause(p);
            None
        }
        SidebarAction::LoadWeights(path) => Some(load(pipeline, &path)),
        SidebarAction::PickWeights => open_weights_dialog(pipeline),
        SidebarAction::Revert => Some(revert(pipeline)),
    }
}

/// Loads a weights file; on failure the running model stays and the error is shown.
pub fn load(pipeline: &Pipeline, path: &std::path::Path) -> Notice {
    match pipeline.models.load_file(path) {
        Ok(m) => Notice::Info(format!("Loaded {} (v{})", m.origin, m.version)),
        Err(e) => Notice::Error(format!("{e}; kept the current model")),
    }
}

/// Asks for a video or an image file with the native file dialog.
fn pick_video_or_image() -> Option<PathBuf> {
    rfd::FileDialog::new()
        .set_title("Open a video or an image")
        .add_filter("Videos", &crate::video::VIDEO_EXTENSIONS)
        .add_filter("Images", &["png", "jpg", "jpeg"])
        .pick_file()
}

/// The native file dialog (portal or GTK, whichever the desktop offers).
pub fn open_weights_dialog(pipeline: &Pipeline) -> Option<Notice> {
    let picked = rfd::FileDialog::new()
        .set_title("Open facecam weights")
        .add_filter("Burn weights", &["bpk"])
        .pick_file()?;
    Some(load(pipeline, &picked))
}

pub fn revert(pipeline: &Pipeline) -> Notice {
    match pipeline.models.revert_to_bundled() {
        Ok(m) => Notice::Info(format!("Back to the bundled model (v{})", m.version)),
        Err(e) => Notice::Error(format!("{e}; kept the current model")),
    }
}
