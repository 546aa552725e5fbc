//! Score maps → candidate boxes in image coordinates.

use burn::tensor::{Device, Tensor, TensorData};
use image::GrayImage;

use super::model::{HostPixels, STRIDE, WINDOW, map_len, normalise};
use super::nms::Detection;
use super::pyramid::LevelSpec;

/// The network's logits over one pyramid level: cell (i, j) scores the window at (4j, 4i).
#[derive(Clone, Debug)]
pub struct ScoreMap {
    pub width: usize,
    pub height: usize,
    /// Row-major logits, `width * height` of them.
    pub logits: Vec<f32>,
}

/// A gray image as the network's input, normalised, in host memory: `[1, 1, H, W]`.
pub fn image_pixels(img: &GrayImage) -> HostPixels {
    HostPixels {
        values: img.as_raw().iter().map(|&p| normalise(p)).collect(),
        dims: [1, 1, img.height() as usize, img.width() as usize],
    }
}

/// A gray image as the network's input tensor `[1, 1, H, W]`.
pub fn image_tensor(img: &GrayImage, device: &Device) -> Tensor<4> {
    let HostPixels { values, dims } = image_pixels(img);
    Tensor::from_data(TensorData::new(values, dims), device)
}

/// Checks the map the network returned against the size the layer arithmetic promises.
pub fn score_map(logits: Vec<f32>, img: &GrayImage) -> ScoreMap {
    let (w, h) = (
        map_len(img.width() as usize),
        map_len(img.height() as usize),
    );
    debug_assert_eq!(logits.len(), w * h);
    ScoreMap {
        width: w,
        height: h,
        logits,
    }
}

/// Appends a box for every cell at or above `threshold`, mapped back to image pixels.
pub fn candidates(map: &ScoreMap, spec: &LevelSpec, threshold: f32, out: &mut Vec<Detection>) {
    let (w, h) = (WINDOW as f32 / spec.scale_x, WINDOW as f32 / spec.scale_y);
    for (i, row) in map.logits.chunks_exact(map.width.max(1)).enumerate() {
        for (j, &score) in row.iter().enumerate() {
            if score >= threshold {
                out.push(Detection {
                    x: (j * STRIDE) as f32 / spec.scale_x,
                    y: (i * STRIDE) as f32 / spec.scale_y,
                    w,
                    h,
                    score,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_map_back_through_stride_and_scale() {
        let map = ScoreMap {
            width: 3,
            height: 2,
            logits: vec![-1.0, 0.0, -1.0, -1.0, -1.0, 2.0],
        };
        let spec = LevelSpec {
            width: 38,
            height: 34,
            scale_x: 0.5,
            scale_y: 0.5,
        };
        let mut out = Vec::new();
        candidates(&map, &spec, 0.0, &mut out);
        assert_eq!(out.len(), 2);
        // Cell (0, 1): window at level x = 4 → image x = 8, size 30 / 0.5 = 60.
        assert_eq!((out[0].x, out[0].y, out[0].w), (8.0, 0.0, 60.0));
        // Cell (1, 2): level (8, 4) → image (16, 8).
        assert_eq!((out[1].x, out[1].y, out[1].score), (16.0, 8.0, 2.0));
    }
}
