//! The app's Retrain path without the window: mark → store → background round → gate →
//! saved version → hot swap, while the detector thread keeps processing frames.
#![cfg(feature = "gui")]

mod common;

use std::time::{Duration, Instant};

use burn::tensor::Device;
use eframe::egui;
use facecam::app::mining::Mining;
use facecam::live::{Frame, ModelOrigin, ModelSlot, Pipeline};
use image::DynamicImage;

#[test]
fn retrain_swaps_in_a_saved_version_while_frames_keep_flowing() {
    let data_dir = tempfile::tempdir().unwrap();
    let pipeline = Pipeline::new(ModelSlot::open(None, Device::flex()).unwrap());
    let _detector = pipeline.spawn_detector(|| {});
    let mut mining = Mining::open(data_dir.path());

    // A face-free held-out scene as the "frame"; the user marks every box on it as false.
    let scene = common::shared_data().join("nonfaces/scenes/skimage_sklearn");
    let mut marked = 0;
    for entry in std::fs::read_dir(&scene).unwrap().flatten() {
        let Ok(img) = image::open(entry.path()) else {
            continue;
        };
        let rgb = DynamicImage::ImageRgb8(img.into_rgb8()).into_rgb8();
        pipeline.frames.put(Frame::new(marked as u64, rgb));
        let result = pipeline
            .results
            .take_timeout(Duration::from_secs(60))
            .expect("the detector thread answers");
        let all: Vec<_> = result
            .detections
            .iter()
            .map(|d| (result.frame.clone(), *d))
            .collect();
        mining.mark(&all, "test", &pipeline);
        marked = mining.store.as_ref().unwrap().len();
        if marked >= 20 {
            break;
        }
    }
    assert!(
        marked > 0,
        "the bundled model fires somewhere on these scenes"
    );

    // As the app does while a round runs: detection slowed to a few frames a second.
    let mut settings = pipeline.settings();
    settings.max_fps = Some(facecam::app::RETRAIN_DETECT_FPS);
    pipeline.set_settings(settings);
    let ctx = egui::Context::default();
    let before = pipeline.models.current().version;
    let started = Instant::now();
    assert!(mining.start_round(&pipeline, &ctx).is_some());
    // Frames keep being detected during the round.
    let blank = Frame::new(1000, image::RgbImage::new(320, 240));
    let mut during = 0;
    let notice = loop {
        pipeline.frames.put(blank.clone());
        if pipeline
            .results
            .take_timeout(Duration::from_secs(5))
            .is_some()
        {
            during += 1;
        }
        if let Some(n) = mining.finish_round(&pipeline) {
            break n;
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "round did not end"
        );
    };
    let seconds = started.elapsed().as_secs_f32();
    eprintln!("Retrain → swapped: {seconds:.1} s, {during} frames detected meanwhile; {notice:?}");
    assert!(during > 0, "the video kept going");
    let gate = match &mining.last_round {
        Some(Ok((gate, _))) => gate.clone(),
        other => panic!("round failed: {other:?}"),
    };
    assert!(gate.accepted, "{}", gate.verdict);
    let current = pipeline.models.current();
    assert!(current.version > before);
    let versions = mining.versions.list();
    assert_eq!(versions.len(), 1);
    assert_eq!(current.origin, ModelOrigin::File(versions[0].1.clone()));
    assert!(versions[0].1.with_extension("json").exists());
}
