//! The detector's knobs: threshold, face sizes, pyramid step, NMS overlap, heat map.

use eframe::egui::{self, SliderClamping, Ui};

use crate::DetectorConfig;
use crate::live::LiveSettings;

/// Slider ranges. The threshold is a logit: 0 is probability ½.
pub const THRESHOLD: std::ops::RangeInclusive<f32> = -4.0..=8.0;
pub const MIN_FACE: std::ops::RangeInclusive<f32> = 16.0..=240.0;
pub const SCALE_STEP: std::ops::RangeInclusive<f32> = 1.05..=2.0;
pub const NMS_IOU: std::ops::RangeInclusive<f32> = 0.05..=0.95;

/// Draws the controls for `settings`; returns true when the user changed something. Drawing
/// never changes a value (a model's own settings may lie off the sliders' grid or range); the
/// user's edits are clamped to the ranges.
/// `model_defaults` is what "Reset" goes back to (the loaded model's own settings).
pub fn detector_controls(
    ui: &mut Ui,
    settings: &mut LiveSettings,
    model_defaults: &DetectorConfig,
) -> bool {
    let before = settings.clone();
    let mut changed = false;
    let cfg = &mut settings.detector;
    let p = 1.0 / (1.0 + (-cfg.threshold).exp());
    let threshold_label = format!("threshold (p ≥ {p:.2})");
    changed |= slider(
        ui,
        (&mut cfg.threshold, THRESHOLD, 1),
        &threshold_label,
        "a logit: 0 is probability ½; lower finds more faces and more false ones",
    );
    changed |= slider(
        ui,
        (&mut cfg.pyramid.min_face, MIN_FACE, 0),
        "min face px",
        "below 30 px the image is upsampled, which is slower",
    );
    changed |= slider(
        ui,
        (&mut cfg.pyramid.scale_step, SCALE_STEP, 2),
        "pyramid step",
        "ratio of face sizes between pyramid levels",
    );
    changed |= slider(
        ui,
        (&mut cfg.nms.iou, NMS_IOU, 2),
        "NMS IoU",
        "boxes overlapping more than this are merged into one",
    );
    changed |= ui
        .checkbox(&mut settings.tracking, "Track faces")
        .on_hover_text(
            "steady boxes with ids: detections linked frame to frame, smoothed, shown after \
             3 hits and kept through 4 misses; between full scans (every 6th frame) only the \
             tracked faces' surroundings are scanned. Off: each frame's raw detections",
        )
        .changed();
    changed |= ui
        .checkbox(&mut settings.keep_maps, "Score-map heat map")
        .on_hover_text("the network's output on every pyramid level")
        .changed();
    if ui.button("Reset to the model's defaults").clicked() {
        settings.detector = model_defaults.clone();
        changed = true;
    }
    // The sliders cannot produce an invalid value, but a model's defaults might be odd: keep
    // the last valid settings rather than sending the detector something it rejects.
    if settings.detector.validate().is_err() {
        settings.detector = before.detector.clone();
    }
    changed && *settings != before
}

/// One labelled slider for `(value, range, decimals shown)`; true when the user moved it.
/// Drawing never rewrites the value (clamping applies to edits only).
fn slider(
    ui: &mut Ui,
    (value, range, decimals): (&mut f32, std::ops::RangeInclusive<f32>, usize),
    label: &str,
    hover: &str,
) -> bool {
    ui.add(
        egui::Slider::new(value, range)
            .clamping(SliderClamping::Edits)
            .fixed_decimals(decimals)
            .text(label),
    )
    .on_hover_text(hover)
    .changed()
}
