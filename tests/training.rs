//! A tiny real training run on real data lowers the held-out loss.

mod common;

use std::sync::atomic::AtomicBool;

use burn::tensor::Device;
use facecam::FaceNetConfig;
use facecam::train::trainer::ValidationSet;
use facecam::train::{TrainConfig, TrainingData, train};

#[test]
fn a_short_training_run_lowers_the_validation_loss() {
    let mut data = TrainingData::load(&common::shared_data(), None).unwrap();
    // Keep it small: 600 faces, 30 scenes.
    data.faces.truncate(600);
    data.scenes.truncate(30);
    let device = Device::flex();
    let cfg = TrainConfig {
        seed: 3,
        epochs: 2,
        rounds: 0,
        face_copies: 1,
        ..TrainConfig::default()
    };
    let validation = ValidationSet::new(&data, cfg.seed);
    let untrained = FaceNetConfig::new().init(&device);
    let before = validation.evaluate(&untrained, &device);
    let mut batches = 0;
    let (model, report) = train(
        &data,
        &cfg,
        &device,
        Some(untrained),
        &mut |e| {
            if let facecam::train::TrainEvent::Batch { .. } = e {
                batches += 1
            }
        },
        &AtomicBool::new(false),
    )
    .unwrap();
    let after = validation.evaluate(&model, &device);
    assert!(batches > 10);
    assert_eq!(report.epochs.len(), 2);
    assert!(
        after.loss < 0.8 * before.loss,
        "validation loss {} → {}",
        before.loss,
        after.loss
    );
    // Accuracy alone is weak here: three in four validation windows are non-faces. Ask instead
    // that the model separates the classes (Youden's J = recall − FP rate; chance is 0).
    let separation = after.face_recall - after.false_positive_rate;
    assert!(
        separation > 0.2,
        "face recall {} and false-positive rate {}",
        after.face_recall,
        after.false_positive_rate
    );
}

#[test]
fn a_set_cancel_flag_stops_training() {
    let mut data = TrainingData::load(&common::shared_data(), None).unwrap();
    data.faces.truncate(100);
    let cancel = AtomicBool::new(true);
    let r = train(
        &data,
        &TrainConfig::default(),
        &Device::flex(),
        None,
        &mut |_| {},
        &cancel,
    );
    assert!(matches!(r, Err(facecam::Error::Cancelled)));
}
