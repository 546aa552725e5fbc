//! Lighting invariance of the bundled detector: real faces (the dlib scenes' boxes) scored
//! as they are, at a third of their contrast, and under a brightness ramp across the face.
//! Local contrast normalisation (`detect/lcn.rs`) is what keeps their logits where they were.

mod common;

use burn::tensor::Device;
use facecam::boxes::read_boxes;
use facecam::detect::detector::score_windows;
use facecam::detect::model::WINDOW;
use facecam::detect::weights;
use facecam::gray::load_gray;
use facecam::train::warp::{Octaves, Photometric, Region, WINDOW_PX};

/// The canonical windows of every face of the dlib scenes.
fn dlib_faces() -> Vec<f32> {
    let dir = common::shared_data().join("scenes/dlib");
    let boxes = read_boxes(&dir.join("boxes.txt")).unwrap();
    let mut windows = Vec::new();
    for (name, rects) in &boxes {
        let octaves = Octaves::new(load_gray(&dir.join(name)).unwrap());
        for r in rects {
            let region = Region {
                cx: (r.x + r.w / 2.0) as f32,
                cy: (r.y + r.h / 2.0) as f32,
                side: ((r.w + r.h) / 2.0) as f32,
                angle: 0.0,
                mirror: false,
            };
            let start = windows.len();
            windows.resize(start + WINDOW_PX, 0.0);
            octaves.sample(region, Photometric::NONE, &mut windows[start..]);
        }
    }
    windows
}

fn median(mut v: Vec<f32>) -> f32 {
    v.sort_by(f32::total_cmp);
    v[v.len() / 2]
}

#[test]
fn contrast_and_a_light_ramp_barely_move_a_face_logit() {
    let device = Device::flex();
    let (model, _) = weights::load_bundled(&device).unwrap();
    let faces = dlib_faces();
    let n = faces.len() / WINDOW_PX;
    assert!(n >= 40, "{n} faces");

    let third_contrast: Vec<f32> = faces
        .chunks_exact(WINDOW_PX)
        .flat_map(|w| {
            let mean = w.iter().sum::<f32>() / WINDOW_PX as f32;
            w.iter().map(move |v| mean + 0.3 * (v - mean))
        })
        .collect();
    // Dark on the left, bright on the right: ±0.2 (about ±50 grey levels) across the window.
    let ramp: Vec<f32> = faces
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let x = (i % WINDOW) as f32 / (WINDOW - 1) as f32;
            (v + 0.4 * (x - 0.5)).clamp(-0.5, 0.5)
        })
        .collect();

    let base = score_windows(&model, &faces, &device);
    let found = base.iter().filter(|&&s| s > 0.0).count();
    assert!(
        found * 10 >= n * 7,
        "only {found} of {n} faces score above 0"
    );
    // Logit scales differ between models (the cascade's second stage is more confident
    // than a single net), so the bound is a share of the faces' own median logit.
    let scale = median(base.iter().map(|s| s.abs()).collect());
    for (what, changed, share) in [
        ("contrast ×0.3", &third_contrast, 0.35),
        ("ramp", &ramp, 0.35),
    ] {
        let bound = share * scale;
        let scores = score_windows(&model, changed, &device);
        let moved: Vec<f32> = scores
            .iter()
            .zip(&base)
            .map(|(a, b)| (a - b).abs())
            .collect();
        let m = median(moved);
        eprintln!(
            "{what}: median logit change {m} of median |logit| {scale}; {} of {found} faces still above 0",
            scores.iter().filter(|&&s| s > 0.0).count()
        );
        assert!(m < bound, "{what}: median logit change {m} (bound {bound})");
        let still = scores.iter().filter(|&&s| s > 0.0).count();
        assert!(
            still * 10 >= found * 8,
            "{what}: {still} of {found} faces still found"
        );
    }
}
