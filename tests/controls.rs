//! The app's controls, driven headlessly with egui_kittest (no GPU, no window).
#![cfg(feature = "gui")]

use eframe::egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use facecam::DetectorConfig;
use facecam::app::controls::detector_controls;
use facecam::live::LiveSettings;

struct State {
    settings: LiveSettings,
    defaults: DetectorConfig,
    changes: usize,
}

fn harness() -> Harness<'static, State> {
    let defaults = DetectorConfig::default();
    let mut settings = LiveSettings {
        detector: defaults.clone(),
        keep_maps: false,
        max_fps: None,
        tracking: true,
    };
    settings.detector.threshold = 2.5;
    settings.detector.pyramid.min_face = 64.0;
    Harness::new_ui_state(
        |ui, s: &mut State| {
            if detector_controls(ui, &mut s.settings, &s.defaults) {
                s.changes += 1;
            }
        },
        State {
            settings,
            defaults,
            changes: 0,
        },
    )
}

#[test]
fn reset_restores_the_model_defaults_and_reports_a_change() {
    let mut h = harness();
    h.run();
    assert_eq!(h.state().changes, 0, "drawing alone changes nothing");
    h.get_by_label("Reset to the model's defaults").click();
    h.run();
    assert_eq!(h.state().settings.detector, DetectorConfig::default());
    assert_eq!(h.state().changes, 1);
}

#[test]
fn the_track_checkbox_switches_between_tracks_and_raw_detections() {
    let mut h = harness();
    h.run();
    h.get_by_label("Track faces").click();
    h.run();
    assert!(!h.state().settings.tracking);
    assert_eq!(h.state().changes, 1);
    h.get_by_label("Track faces").click();
    h.run();
    assert!(h.state().settings.tracking);
}

#[test]
fn the_heat_map_checkbox_toggles_keeping_the_score_maps() {
    let mut h = harness();
    h.run();
    h.get_by_label("Score-map heat map").click();
    h.run();
    assert!(h.state().settings.keep_maps);
    h.get_by_label("Score-map heat map").click();
    h.run();
    assert!(!h.state().settings.keep_maps);
}

#[test]
fn a_slider_set_beyond_its_range_is_clamped_to_a_valid_config() {
    let mut h = harness();
    h.run();
    h.get_by_role_and_label(Role::Slider, "NMS IoU")
        .set_value_accesskit(5.0);
    h.run();
    let iou = h.state().settings.detector.nms.iou;
    assert!(
        (iou - 0.95).abs() < 1e-6,
        "clamped to the slider's top, got {iou}"
    );
    assert!(h.state().settings.detector.validate().is_ok());
    h.get_by_role_and_label(Role::Slider, "min face px")
        .set_value_accesskit(100.0);
    h.run();
    assert_eq!(h.state().settings.detector.pyramid.min_face, 100.0);
    assert_eq!(h.state().changes, 2, "each user change is reported once");
}
