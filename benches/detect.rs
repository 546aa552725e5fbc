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

criterion_group!(benches, bench_detect, bench_pyramid);
criterion_main!(benches);
