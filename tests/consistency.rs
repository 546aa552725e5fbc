//! The fully-convolutional property: scoring a 30×30 crop on its own gives exactly the value
//! the whole-image score map holds at the crop's place — with the local contrast
//! normalisation in front (it reads nothing outside the window) and without it.

use burn::tensor::Device;
use facecam::detect::detector::score_windows;
use facecam::detect::model::{STRIDE, WINDOW, normalise};
use facecam::detect::pyramid::PyramidConfig;
use facecam::{Detector, DetectorConfig, FaceNetConfig};
use image::GrayImage;

#[test]
fn patch_score_equals_score_map_value() {
    for net in [FaceNetConfig::new(), FaceNetConfig::new().with_lcn(false)] {
        patch_score_equals_score_map_value_for(net);
    }
}

fn patch_score_equals_score_map_value_for(net: FaceNetConfig) {
    let device = Device::flex();
    let model = net.init(&device);
    // A textured image; min face 30 makes the first pyramid level the image itself.
    let img = GrayImage::from_fn(78, 66, |x, y| {
        image::Luma([((x * 7 + y * 13 + (x * y) % 17) % 256) as u8])
    });
    let cfg = DetectorConfig {
        pyramid: PyramidConfig {
            scale_step: 1.5,
            min_face: 30.0,
            max_face: Some(30.0),
        },
        ..DetectorConfig::default()
    };
    let detector = Detector::new(model.clone(), device.clone(), cfg).unwrap();
    let maps = detector.score_maps(&img);
    assert_eq!(maps.len(), 1);
    let (spec, map) = &maps[0];
    assert_eq!((spec.width, spec.height), (78, 66));
    assert_eq!(
        (map.width, map.height),
        ((78 - 30) / 4 + 1, (66 - 30) / 4 + 1)
    );

    let mut windows = Vec::new();
    let mut expected = Vec::new();
    for i in 0..map.height {
        for j in 0..map.width {
            for y in 0..WINDOW {
                for x in 0..WINDOW {
                    let p = img.get_pixel((j * STRIDE + x) as u32, (i * STRIDE + y) as u32);
                    windows.push(normalise(p.0[0]));
                }
            }
            expected.push(map.logits[i * map.width + j]);
        }
    }
    let scores = score_windows(&model, &windows, &device);
    for (k, (a, b)) in scores.iter().zip(&expected).enumerate() {
        assert!((a - b).abs() < 1e-4, "window {k}: patch {a} vs map {b}");
    }
    // Not a constant network: the windows' scores differ.
    let spread = scores.iter().cloned().fold(f32::MIN, f32::max)
        - scores.iter().cloned().fold(f32::MAX, f32::min);
    assert!(spread > 1e-4);
}
