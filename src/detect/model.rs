//! `FaceNet`: the 30×30-window face classifier, written fully convolutionally.
//!
//! ```text
//! input  [N, 1, H, W]        gray, (pixel/255 - 0.5)
//! conv1  3×3, 1→c1, ReLU     [N, c1, H-2, W-2]
//! pool1  2×2 max, stride 2   [N, c1, (H-2)/2, …]
//! conv2  3×3, c1→c2, ReLU
//! pool2  2×2 max, stride 2
//! conv3  3×3, c2→c3, ReLU
//! conv4  4×4, c3→1           [N, 1, H', W']  face logit per window
//! ```
//! On a 30×30 patch the sizes run 30→28→14→12→6→4→1: one logit. On a whole image every
//! output cell (i, j) is the logit of the 30×30 window whose top-left corner is (4j, 4i):
//! receptive field 30, stride 4 (the two poolings). There is no flatten or linear layer, so
//! the same weights score one patch or a whole pyramid level in one pass, and the patch's
//! score equals the map's value at its place exactly (a test checks it).
//!
//! Widths (8, 16, 32) give 6,401 parameters and about 680 multiply-adds per input pixel;
//! the first layer is kept narrow and 3×3 because it runs at full resolution.

use burn::config::Config;
use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};

/// Side of the square window the network classifies, in pixels.
pub const WINDOW: usize = 30;
/// Distance between neighbouring windows in a score map, in pixels (2 × 2 poolings).
pub const STRIDE: usize = 4;

/// Architecture hyper-parameters; saved beside the weights so a file describes itself.
#[derive(Config, Debug, PartialEq)]
pub struct FaceNetConfig {
    /// Output channels of conv1, conv2, conv3.
    #[config(default = "[8, 16, 32]")]
    pub channels: [usize; 3],
}

/// The network; see the module docs for the layer table.
#[derive(Module, Debug)]
pub struct FaceNet {
    conv1: Conv2d,
    conv2: Conv2d,
    conv3: Conv2d,
    conv4: Conv2d,
}

impl FaceNetConfig {
    /// Builds a freshly initialised network on `device`.
    pub fn init(&self, device: &Device) -> FaceNet {
        let [c1, c2, c3] = self.channels;
        FaceNet {
            conv1: Conv2dConfig::new([1, c1], [3, 3]).init(device),
            conv2: Conv2dConfig::new([c1, c2], [3, 3]).init(device),
            conv3: Conv2dConfig::new([c2, c3], [3, 3]).init(device),
            conv4: Conv2dConfig::new([c3, 1], [4, 4]).init(device),
        }
    }

    /// Number of trainable parameters.
    pub fn num_params(&self) -> usize {
        let [c1, c2, c3] = self.channels;
        (9 + 1) * c1 + (9 * c1 + 1) * c2 + (9 * c2 + 1) * c3 + (16 * c3 + 1)
    }
}

impl FaceNet {
    /// `[N, 1, H, W]` normalised gray → `[N, 1, map_len(H), map_len(W)]` face logits.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let x = max_pool_2x2(relu(self.conv1.forward(x))); // [N, c1, (H-2)/2, …]
        let x = max_pool_2x2(relu(self.conv2.forward(x))); // [N, c2, ((H-2)/2-2)/2, …]
        let x = relu(self.conv3.forward(x)); // [N, c3, … - 2]
        self.conv4.forward(x) // [N, 1, … - 3]
    }
}

/// 2×2 max pooling with stride 2 (odd trailing rows and columns dropped, as a pooling layer
/// does), written as a reshape and two `max_dim`s: Burn's CPU pooling layer also computes
/// argmax indices, which cost more than the convolutions in a profile.
/// `[N, C, H, W]` → `[N, C, H/2, W/2]`.
pub fn max_pool_2x2(x: Tensor<4>) -> Tensor<4> {
    let [n, c, h, w] = x.dims();
    let (h2, w2) = (h / 2, w / 2);
    let x = if h % 2 == 1 || w % 2 == 1 {
        x.slice([0..n, 0..c, 0..2 * h2, 0..2 * w2])
    } else {
        x
    };
    x.reshape([n * c * h2, 2, w2, 2]) // rows in pairs, columns in pairs
        .max_dim(3) // [n·c·h2, 2, w2, 1]
        .max_dim(1) // [n·c·h2, 1, w2, 1]
        .reshape([n, c, h2, w2])
}

/// Length of the score map along a side of `n` pixels (0 if shorter than the window).
pub fn map_len(n: usize) -> usize {
    if n < WINDOW {
        return 0;
    }
    ((n - 2) / 2 - 2) / 2 - 2 - 3
}

/// Maps 8-bit gray to the network's input range.
#[inline]
pub fn normalise(p: u8) -> f32 {
    p as f32 * (1.0 / 255.0) - 0.5
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Int;

    #[test]
    fn map_len_matches_the_layer_arithmetic() {
        assert_eq!(map_len(29), 0);
        assert_eq!(map_len(30), 1);
        assert_eq!(map_len(33), 1);
        assert_eq!(map_len(34), 2);
        // Every extra STRIDE pixels adds exactly one window.
        for n in 30..200 {
            assert_eq!(map_len(n), (n - WINDOW) / STRIDE + 1, "n = {n}");
        }
    }

    #[test]
    fn pooling_takes_the_max_of_each_2x2_block_and_drops_odd_edges() {
        let device = Device::flex();
        // 1×1×3×5 input: values 0..15 row-major; blocks (rows 0-1, cols 0-1) → 6, (0-1, 2-3) → 8.
        let x = Tensor::<1, Int>::arange(0..15, &device)
            .float()
            .reshape([1, 1, 3, 5]);
        let y = max_pool_2x2(x);
        assert_eq!(y.dims(), [1, 1, 1, 2]);
        let v = y.into_data().try_to_vec::<f32>().unwrap();
        assert_eq!(v, vec![6.0, 8.0]);
    }

    #[test]
    fn param_count_matches_the_module() {
        let cfg = FaceNetConfig::new();
        let net = cfg.init(&Device::flex());
        assert_eq!(net.num_params(), cfg.num_params());
        assert_eq!(cfg.num_params(), 6401);
    }
}
