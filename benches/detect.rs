//! `Detector::detect` on the shared 640×480 benchmark frames: min face 40 and 20, one and two
//! threads, flex and ndarray backends. Each iteration scans the next frame (cycling through
//! all 20), so the time is a per-frame mean over real content.
//!
//! `cargo bench --bench detect` (needs `models/face.bpk` and `../shared/data`);
//! `FACECAM_BENCH_WEIGHTS=FILE` times another weights file, for before/after comparisons.

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use facecam::BackendKind;
use facecam::detect::weights;
use facecam::gray::{load_gray, resize};
use facecam::{Detector, DetectorConfig};

fn frames() -> Vec<image::GrayImage> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/bench_frames_640x480");
    (0..20)
        .map(|i| load_gray(&dir.join(format!("frame{i:02}.png"))).expect("bench frame"))
        .collect()
}

fn detector(backend: BackendKind, min_face: f32) -> Detector {
    let device = backend.device().expect("backend");
    let (model, meta) = match std::env::var_os("FACECAM_BENCH_WEIGHTS") {
        Some(path) => weights::load(&PathBuf::from(path), &device),
        None => weights::load_bundled(&device),
    }
    .expect("weights");
    let mut cfg: DetectorConfig = meta.detector;
    cfg.pyramid.min_face = min_face;
    Detector::new(model, device, cfg).expect("config")
}

fn bench_detect(c: &mut Criterion) {
    let frames = frames();
    let mut group = c.benchmark_group("detect_640x480");
    group.sample_size(20);
    for backend in [BackendKind::Flex, BackendKind::Ndarray] {
        for min_face in [40.0, 20.0] {
            let det = detector(backend, min_face);
            for threads in [1, 2] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .expect("thread pool");
                let name = format!("{backend}/min{min_face}/t{threads}");
                let mut i = 0;
                group.bench_function(&name, |b| {
                    b.iter(|| {
                        i = (i + 1) % frames.len();
                        pool.install(|| det.detect(&frames[i]))
                    })
                });
            }
        }
    }
    group.finish();
}

/// The pyramid alone (resampling cost), for the profile.
fn bench_pyramid(c: &mut Criterion) {
    let frames = frames();
    let specs = DetectorConfig::default().pyramid.levels(640, 480);
    c.bench_function("pyramid_build_min40", |b| {
        b.iter(|| facecam::detect::pyramid::build(&frames[0], &specs))
    });
    c.bench_function("resize_640_to_480", |b| {
        b.iter(|| resize(&frames[0], 480, 360))
    });
}

/// Detector time per frame while tracking, full scans every frame against detect-then-track
/// (a full scan every 6 frames, small pyramids around the tracks in between), on a clip made
/// from the dlib photos (`facecam track --synthetic`). Each iteration runs 60 frames.
fn bench_track(c: &mut Criterion) {
    use facecam::track::clips::pan_zoom;
    use facecam::track::{CutDetector, FocusConfig, FocusedDetector, Tracker, TrackerConfig};
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/scenes/dlib");
    let photos: Vec<_> = facecam::boxes::read_boxes(&root.join("boxes.txt"))
        .expect("dlib boxes")
        .into_iter()
        .take(2)
        .map(|(img, faces)| {
            (
                image::open(root.join(img)).expect("photo").into_rgb8(),
                faces,
            )
        })
        .collect();
    let clip = pan_zoom(&photos, 30, (640, 480), 7);
    let gray: Vec<image::GrayImage> = clip
        .frames
        .iter()
        .map(|f| image::DynamicImage::ImageRgb8(f.clone()).into_luma8())
        .collect();
    let mut group = c.benchmark_group("track_60_frames");
    group.sample_size(10);
    for full_every in [1, FocusConfig::default().full_every] {
        let detector = detector(BackendKind::Flex, 40.0);
        group.bench_function(format!("full_every_{full_every}"), |b| {
            b.iter(|| {
                let mut tracker = Tracker::new(TrackerConfig::default());
                let mut cuts = CutDetector::default();
                let mut focused = FocusedDetector::new(
                    detector.clone(),
                    FocusConfig {
                        full_every,
                        ..FocusConfig::default()
                    },
                );
                for g in &gray {
                    if cuts.is_cut(g) {
                        tracker.cut();
                    }
                    let (found, _) = focused.detect(g, &tracker.predicted(1.0 / 30.0));
                    tracker.update(&found, 1.0 / 30.0);
                }
            })
        });
    }
    group.finish();
}

/// The hard-cut check every tracked frame pays for: a 640×480 frame against the last one.
fn bench_cut(c: &mut Criterion) {
    use facecam::track::CutDetector;
    let frames = frames();
    let mut cuts = CutDetector::default();
    let mut next = frames.iter().cycle();
    c.bench_function("cut_check_640x480", |b| {
        b.iter(|| cuts.change(next.next().expect("cycles")))
    });
}

criterion_group!(benches, bench_detect, bench_pyramid, bench_track, bench_cut);
criterion_main!(benches);
