//! In-app mining end to end, with a simulated user (`facecam mining-sim` prints the figures).

mod common;

use burn::tensor::Device;
use facecam::negatives::simulate::{SimConfig, run};

#[test]
fn marking_false_positives_and_one_round_cut_them_elsewhere_and_keep_faces() {
    let work = tempfile::tempdir().unwrap();
    let r = run(
        &common::shared_data(),
        work.path(),
        &SimConfig::default(),
        &Device::flex(),
    )
    .unwrap();
    assert!(r.marks > 0 && r.marks <= 50, "{r:?}");
    assert!(r.gate.accepted, "{}", r.gate.verdict);
    // The targets are "at least half" and "within 1 point"; the shipped settings meet
    // them on this data (see the README), but floating-point differences between machines move
    // a few boxes, so the test asks for a clear effect with some room.
    assert!(
        (r.other_fp_after as f64) < 0.7 * r.other_fp_before as f64,
        "false positives on other frames {} → {}",
        r.other_fp_before,
        r.other_fp_after
    );
    assert!(
        r.detection_rate_after >= r.detection_rate_before - 0.03,
        "detection rate {} → {}",
        r.detection_rate_before,
        r.detection_rate_after
    );
}
