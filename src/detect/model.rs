//! `FaceNet`: the 30×30-window face classifier, written fully convolutionally.
//!
//! ```text
//! input  [N, 1, H, W]        gray, (pixel/255 - 0.5)
//! lcn    9×9 Gaussian, fixed [N, 1, H-8, W-8]  local contrast normalisation (`lcn.rs`)
//! conv1  3×3, 1→c1, ReLU     [N, c1, H-10, W-10]
//! pool1  2×2 max, stride 2   [N, c1, (H-10)/2, …]
//! conv2  3×3, c1→c2, ReLU
//! pool2  2×2 max, stride 2
//! conv3  3×3, c2→c3, ReLU
//! conv4  2×2, c3→1           [N, 1, H', W']  face logit per window
//! ```
//! On a 30×30 patch the sizes run 30→22→20→10→8→4→2→1: one logit. Models from before LCN
//! (`lcn: false` in the sidecar) skip that stage and end in a 4×4 conv4 instead:
//! 30→28→14→12→6→4→1. On a whole image every
//! output cell (i, j) is the logit of the 30×30 window whose top-left corner is (4j, 4i):
//! receptive field 30, stride 4 (the two poolings). There is no flatten or linear layer, so
//! the same weights score one patch or a whole pyramid level in one pass, and the patch's
//! score equals the map's value at its place exactly (a test checks it).
//!
//! Widths (8, 16, 32) give 6,017 parameters and about 680 multiply-adds per input pixel;
//! the first layer is kept narrow and 3×3 because it runs at full resolution.
//!
//! ## Cascade
//! A net may carry a **second stage**: a wider net of the same shape (LCN, 30×30 window)
//! that scores only the windows this one passes (logit ≥ `gate`), as in Viola–Jones and
//! Rowley's arbitration. The cheap first stage still sweeps the whole pyramid; the second
//! one sees the few hundred windows left, so capacity goes where the hard cases are (text,
//! pips, drawings) without widening the full-resolution layers. `infer` returns the second
//! stage's logit where the first passes, and `first − REJECTED` where it does not, so a
//! patch and a score map still agree exactly. Training a cascade trains the second stage
//! only (`forward`), on top of a trained first stage.
//!
//! Two arbitration switches (`SecondStageConfig`) trade a little work for precision: `mirror`
//! averages the second stage's logit over the window and its mirror image, and `peaks_only`
//! sends only the first stage's local peaks to the second, which halves its windows. With
//! `peaks_only` a patch still equals the map wherever the window is a peak of its own map;
//! a lone 30×30 patch always is.

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::tensor::activation::relu;
use burn::tensor::module::conv2d;
use burn::tensor::ops::ConvOptions;
use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use super::lcn::{self, lcn_on_host};

/// Side of the square window the network classifies, in pixels.
pub const WINDOW: usize = 30;
/// Distance between neighbouring windows in a score map, in pixels (2 × 2 poolings).
pub const STRIDE: usize = 4;

/// Architecture hyper-parameters; saved beside the weights so a file describes itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaceNetConfig {
    /// Output channels of conv1, conv2, conv3.
    pub channels: [usize; 3],
    /// Local contrast normalisation first (and a 2×2 conv4 to keep the 30 px window).
    /// Sidecars written before it existed lack the field: they are plain nets.
    #[serde(default)]
    pub lcn: bool,
    /// The cascade's second stage, if any (sidecars from before cascades have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second: Option<SecondStageConfig>,
}

/// A cascade's second stage: its widths (LCN always on), the first-stage logit a window
/// needs before the second stage looks at it, and how it arbitrates.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SecondStageConfig {
    pub channels: [usize; 3],
    pub gate: f32,
    /// Score each window and its mirror image and average the two logits (Rowley's
    /// arbitration with a free second view): a face is nearly symmetric, most print and
    /// texture that fools one view is not. Sidecars from before it lack the field: off.
    #[serde(default)]
    pub mirror: bool,
    /// Rescore only windows whose first-stage logit is a peak of its 3×3 neighbourhood in the
    /// score map; the others are rejected like windows below the gate. A face lights up a
    /// cluster of neighbouring windows and NMS keeps one box of it anyway, so this halves the
    /// second stage's work without losing faces (README, "Measured").
    #[serde(default)]
    pub peaks_only: bool,
}

/// How far below its first-stage logit a window the first stage rejects is reported: far
/// enough below every usable threshold that rejected windows never become boxes, while
/// their order (for the heat map) is kept.
pub const REJECTED: f32 = 10.0;

impl Default for FaceNetConfig {
    fn default() -> Self {
        Self::new()
    }
}

/// The network; see the module docs for the layer table.
#[derive(Module, Debug)]
pub struct FaceNet {
    conv1: Conv2d,
    conv2: Conv2d,
    conv3: Conv2d,
    conv4: Conv2d,
    /// Whether the input goes through `lcn` first (fixed, no weights).
    #[module(skip)]
    lcn: bool,
    /// The cascade's second stage: empty, or one net (a `Vec` because a module cannot hold
    /// a `Box` of itself).
    second: Vec<FaceNet>,
    /// First-stage logit a window needs to reach `second`.
    #[module(skip)]
    gate: f32,
    /// `SecondStageConfig::mirror`.
    #[module(skip)]
    mirror: bool,
    /// `SecondStageConfig::peaks_only`.
    #[module(skip)]
    peaks_only: bool,
}

impl FaceNetConfig {
    /// The current architecture: widths (8, 16, 32), LCN on.
    pub fn new() -> Self {
        Self {
            channels: [8, 16, 32],
            lcn: true,
            second: None,
        }
    }

    pub fn with_channels(self, channels: [usize; 3]) -> Self {
        Self { channels, ..self }
    }

    pub fn with_lcn(self, lcn: bool) -> Self {
        Self { lcn, ..self }
    }

    /// Rejects architectures a sidecar may claim but no file can hold: zero or absurd widths
    /// (which would allocate without bound), a gate that is not a number.
    pub fn validate(&self) -> crate::error::Result<()> {
        const MAX_WIDTH: usize = 1024;
        let widths = self
            .channels
            .iter()
            .chain(self.second.iter().flat_map(|s| &s.channels));
        if let Some(w) = widths.copied().find(|w| !(1..=MAX_WIDTH).contains(w)) {
            return Err(crate::error::Error::Config(format!(
                "layer widths must be 1 to {MAX_WIDTH}, got {w}"
            )));
        }
        if let Some(s) = self.second
            && !s.gate.is_finite()
        {
            return Err(crate::error::Error::Config(format!(
                "the second stage's gate must be a number, got {}",
                s.gate
            )));
        }
        Ok(())
    }

    /// Side of conv4's kernel: whatever brings the window back to exactly 30 pixels.
    pub fn conv4_kernel(&self) -> usize {
        if self.lcn { 2 } else { 4 }
    }

    /// Builds a freshly initialised network (both stages of a cascade) on `device`.
    pub fn init(&self, device: &Device) -> FaceNet {
        let [c1, c2, c3] = self.channels;
        let k = self.conv4_kernel();
        FaceNet {
            conv1: Conv2dConfig::new([1, c1], [3, 3]).init(device),
            conv2: Conv2dConfig::new([c1, c2], [3, 3]).init(device),
            conv3: Conv2dConfig::new([c2, c3], [3, 3]).init(device),
            conv4: Conv2dConfig::new([c3, 1], [k, k]).init(device),
            lcn: self.lcn,
            second: self
                .second
                .iter()
                .map(|s| s.net_config().init(device))
                .collect(),
            gate: self.second.map_or(0.0, |s| s.gate),
            mirror: self.second.is_some_and(|s| s.mirror),
            peaks_only: self.second.is_some_and(|s| s.peaks_only),
        }
    }

    /// Number of trainable parameters (both stages).
    pub fn num_params(&self) -> usize {
        let [c1, c2, c3] = self.channels;
        let k = self.conv4_kernel();
        let own = (9 + 1) * c1 + (9 * c1 + 1) * c2 + (9 * c2 + 1) * c3 + (k * k * c3 + 1);
        own + self.second.map_or(0, |s| s.net_config().num_params())
    }
}

impl SecondStageConfig {
    /// The second stage as a net of its own.
    pub fn net_config(&self) -> FaceNetConfig {
        FaceNetConfig {
            channels: self.channels,
            lcn: true,
            second: None,
        }
    }
}

impl FaceNet {
    /// A cascade: this (trained) net as the first stage and a freshly initialised second
    /// stage, ready to train. An existing second stage is replaced.
    pub fn with_second_stage(self, second: SecondStageConfig, device: &Device) -> FaceNet {
        FaceNet {
            second: vec![second.net_config().init(device)],
            gate: second.gate,
            mirror: second.mirror,
            peaks_only: second.peaks_only,
            ..self
        }
    }

    /// Whether a second stage rescores what this net passes.
    pub fn is_cascade(&self) -> bool {
        !self.second.is_empty()
    }

    /// `[N, 1, H, W]` normalised gray → `[N, 1, map_len(H), map_len(W)]` logits of the stage
    /// being trained: the second one of a cascade (the first stays fixed), else this one.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        match self.second.first() {
            Some(second) => second.forward(x),
            None => self.forward_stage(x),
        }
    }

    /// This stage's logits, in the training form. ReLU comes after each pooling: max and
    /// ReLU commute, and the pooled tensor is a quarter of the size.
    fn forward_stage(&self, x: Tensor<4>) -> Tensor<4> {
        let x = if self.lcn { lcn::lcn(x) } else { x }; // [N, 1, H-8, W-8]
        let x = relu(max_pool_2x2(self.conv1.forward(x))); // [N, c1, (H-2)/2, …]
        let x = relu(max_pool_2x2(self.conv2.forward(x))); // [N, c2, ((H-2)/2-2)/2, …]
        let x = relu(self.conv3.forward(x)); // [N, c3, … - 2]
        self.conv4.forward(x) // [N, 1, … - 3]
    }

    /// The same function as `forward` for a single net, arranged for speed when only the
    /// output is needed (detection, scoring): equal up to float rounding (a test checks it).
    ///
    /// - On a CPU backend, pooling and ReLU run as one pass over the host buffer: Burn's
    ///   reductions took a quarter of a frame in a profile (callgrind), for work that is one
    ///   comparison per input value.
    /// - On a CPU backend, conv4 (4×4, c3→1) becomes a 1×1 convolution to its 16 taps plus 16
    ///   shifted adds: as a 4×4 convolution with one output channel flex builds a 512-wide
    ///   im2col buffer per pixel, half of all the im2col traffic for 4 % of the arithmetic.
    ///
    /// Together: 84 → 50 ms a frame on one core (`cargo bench --bench detect`).
    ///
    /// A cascade's second stage rescores the windows the first passes (module docs).
    pub fn infer(&self, x: Tensor<4>) -> Tensor<4> {
        match self.second.first() {
            Some(second) => {
                let first = self.infer_stage(x.clone()); // [N, 1, h', w']
                verify(second, self.verify_rule(), x, first)
            }
            None => self.infer_stage(x),
        }
    }

    /// How this cascade picks and scores the windows its second stage sees.
    fn verify_rule(&self) -> VerifyRule {
        VerifyRule {
            gate: self.gate,
            mirror: self.mirror,
            peaks_only: self.peaks_only,
        }
    }

    /// This stage alone, in the fast form (see `infer`).
    fn infer_stage(&self, x: Tensor<4>) -> Tensor<4> {
        let host = is_host(&x.device());
        let pool_relu = |x: Tensor<4>| {
            if host {
                pool_relu_on_host(x)
            } else {
                relu(max_pool_2x2(x))
            }
        };
        let x = match (self.lcn, host) {
            (false, _) => x,
            (true, true) => lcn_on_host(x), // [N, 1, H-8, W-8]
            (true, false) => lcn::lcn(x),
        };
        let x = pool_relu(self.conv1.forward(x)); // [N, c1, (H-2)/2, …]
        let x = pool_relu(self.conv2.forward(x)); // [N, c2, …]
        let x = relu(self.conv3.forward(x)); // [N, c3, h, w]
        if host {
            self.conv4_by_taps(x) // [N, 1, h-k+1, w-k+1]
        } else {
            self.conv4.forward(x) // a GPU does conv4 well as it is (measured on an H200)
        }
    }

    /// conv4 (k×k, c3→1) as Σ over its k² taps (kh, kw) of a 1×1 convolution's channel
    /// `k·kh + kw`, shifted by (kh, kw). `[N, c3, h, w]` → `[N, 1, h-k+1, w-k+1]`.
    fn conv4_by_taps(&self, x: Tensor<4>) -> Tensor<4> {
        let [n, c3, h, w] = x.dims();
        let [_, _, k, _] = self.conv4.weight.dims();
        if h < k || w < k {
            return self.conv4.forward(x);
        }
        let device = x.device();
        let taps_n = k * k;
        // [1, c3, k, k] → [k² taps, c3, 1, 1]
        let weight = self
            .conv4
            .weight
            .val()
            .reshape([c3, taps_n])
            .swap_dims(0, 1)
            .reshape([taps_n, c3, 1, 1]);
        // The bias rides on tap 0 only, so it is added once.
        let bias = self.conv4.bias.as_ref().map(|b| {
            Tensor::cat(vec![b.val(), Tensor::zeros([taps_n - 1], &device)], 0) // [k²]
        });
        let taps = conv2d(x, weight, bias, ConvOptions::new([1, 1], [0, 0], [1, 1], 1)); // [N, k², h, w]
        let (ho, wo) = (h + 1 - k, w + 1 - k);
        let mut sum = taps.clone().slice([0..n, 0..1, 0..ho, 0..wo]);
        for t in 1..taps_n {
            let (kh, kw) = (t / k, t % k);
            sum = sum
                + taps
                    .clone()
                    .slice([0..n, t..t + 1, kh..kh + ho, kw..kw + wo]);
        }
        sum
    }
}

/// Which windows a cascade's second stage rescores, and how (`SecondStageConfig`).
#[derive(Clone, Copy, Debug)]
struct VerifyRule {
    gate: f32,
    mirror: bool,
    peaks_only: bool,
}

/// The cascade's second step: windows of `x` (`[N, 1, H, W]`) whose first-stage logit in
/// `first` (`[N, 1, h', w']`) reaches the gate (and, with `peaks_only`, tops its 3×3
/// neighbours) are cut out, 30×30 at (4j, 4i), and scored by `second` (averaged with their
/// mirror image with `mirror`); the rest drop by `REJECTED`. Returns the combined
/// `[N, 1, h', w']` map.
fn verify(second: &FaceNet, rule: VerifyRule, x: Tensor<4>, first: Tensor<4>) -> Tensor<4> {
    /// Windows per second-stage batch: bounds the memory a busy frame can take.
    const BATCH: usize = 256;
    let [_, _, h, w] = x.dims();
    let dims @ [_, _, mh, mw] = first.dims();
    let device = first.device();
    let mut scores = host_values(first);
    let passed: Vec<usize> = (0..scores.len())
        .filter(|&k| scores[k] >= rule.gate && (!rule.peaks_only || is_peak(&scores, mh, mw, k)))
        .collect();
    let mut rescored = vec![false; scores.len()];
    if !passed.is_empty() {
        let pixels = host_values(x);
        let views = if rule.mirror { 2 } else { 1 };
        for chunk in passed.chunks(BATCH) {
            let n = chunk.len();
            let mut windows = Vec::with_capacity(views * n * WINDOW * WINDOW);
            for &k in chunk {
                let (image, i, j) = (k / (mh * mw), (k / mw) % mh, k % mw);
                let origin = image * h * w + i * STRIDE * w + j * STRIDE;
                for row in 0..WINDOW {
                    windows.extend_from_slice(&pixels[origin + row * w..][..WINDOW]);
                }
            }
            if rule.mirror {
                // Views 0..n as cut, n..2n the same windows mirrored (each row reversed).
                let mirrored: Vec<f32> = windows
                    .chunks_exact(WINDOW)
                    .flat_map(|row| row.iter().rev().copied())
                    .collect();
                windows.extend(mirrored);
            }
            let batch = TensorData::new(windows, [views * n, 1, WINDOW, WINDOW]);
            let logits = host_values(second.infer_stage(Tensor::from_data(batch, &device))); // [views·n, 1, 1, 1]
            for (i, &k) in chunk.iter().enumerate() {
                let sum: f32 = (0..views).map(|v| logits[v * n + i]).sum();
                scores[k] = sum / views as f32;
                rescored[k] = true;
            }
        }
    }
    for (s, _) in scores.iter_mut().zip(&rescored).filter(|(_, r)| !**r) {
        *s -= REJECTED;
    }
    Tensor::from_data(TensorData::new(scores, dims), &device)
}

/// Whether cell `k` of a stack of `mh × mw` maps is at least as high as its (up to 8)
/// neighbours in the same map: ties are all peaks, so a plateau is never lost.
fn is_peak(scores: &[f32], mh: usize, mw: usize, k: usize) -> bool {
    let (base, i, j) = (k - k % (mh * mw), (k / mw) % mh, k % mw);
    let rows = i.saturating_sub(1)..=(i + 1).min(mh - 1);
    rows.flat_map(|r| {
        let cols = j.saturating_sub(1)..=(j + 1).min(mw - 1);
        cols.map(move |c| base + r * mw + c)
    })
    .all(|n| scores[n] <= scores[k])
}

/// A tensor's values in host memory (a transfer on a GPU backend).
pub(crate) fn host_values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data()
        .try_into_vec::<f32>()
        .expect("the network computes in f32")
}

/// Whether tensors on `device` live in host memory (the CPU backends), so their buffers can be
/// read and written directly without a transfer.
pub fn is_host(device: &Device) -> bool {
    use burn_dispatch::DispatchDevice;
    matches!(
        device.as_dispatch(),
        DispatchDevice::Flex(_) | DispatchDevice::NdArray(_)
    )
}

/// `relu(max_pool_2x2(x))` in one pass over the host buffer. `[N, C, H, W]` → `[N, C, H/2, W/2]`.
fn pool_relu_on_host(x: Tensor<4>) -> Tensor<4> {
    let [n, c, h, w] = x.dims();
    let (h2, w2) = (h / 2, w / 2);
    let device = x.device();
    let values = host_values(x);
    let mut out = Vec::with_capacity(n * c * h2 * w2);
    for plane in values.chunks_exact(h * w) {
        for i in 0..h2 {
            let top = &plane[2 * i * w..][..2 * w2];
            let bottom = &plane[(2 * i + 1) * w..][..2 * w2];
            out.extend(
                top.chunks_exact(2)
                    .zip(bottom.chunks_exact(2))
                    .map(|(a, b)| a[0].max(a[1]).max(b[0].max(b[1])).max(0.0)),
            );
        }
    }
    Tensor::from_data(TensorData::new(out, [n, c, h2, w2]), &device)
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
    fn infer_computes_what_forward_computes() {
        let device = Device::flex();
        for cfg in [FaceNetConfig::new(), FaceNetConfig::new().with_lcn(false)] {
            infer_matches_forward(&cfg.init(&device), &device);
        }
    }

    fn infer_matches_forward(net: &FaceNet, device: &Device) {
        // Odd sizes exercise the dropped pooling edges; 30×30 is one window.
        for (h, w) in [(30, 30), (47, 61), (90, 33)] {
            let x: Vec<f32> = (0..h * w)
                .map(|i| ((i * 7919) % 255) as f32 / 255.0 - 0.5)
                .collect();
            let x = Tensor::<4>::from_data(TensorData::new(x, [1, 1, h, w]), device);
            let a = net
                .forward(x.clone())
                .into_data()
                .try_to_vec::<f32>()
                .unwrap();
            let b = net.infer(x).into_data().try_to_vec::<f32>().unwrap();
            assert_eq!(a.len(), b.len());
            assert_eq!(a.len(), map_len(h) * map_len(w));
            for (p, q) in a.iter().zip(&b) {
                assert!((p - q).abs() < 1e-4, "{p} vs {q} at {h}×{w}");
            }
        }
        assert!(is_host(device));
    }

    #[test]
    fn a_cascade_rescores_exactly_the_windows_its_first_stage_passes() {
        for mirror in [false, true] {
            for peaks_only in [false, true] {
                cascade_rescores_the_passed_windows(mirror, peaks_only);
            }
        }
    }

    fn cascade_rescores_the_passed_windows(mirror: bool, peaks_only: bool) {
        let device = Device::flex();
        let first = FaceNetConfig::new().init(&device);
        let (h, w) = (46, 58); // a 5 × 8 map
        let x: Vec<f32> = (0..h * w)
            .map(|i| ((i * 7919) % 255) as f32 / 255.0 - 0.5)
            .collect();
        let x = Tensor::<4>::from_data(TensorData::new(x, [1, 1, h, w]), &device);
        let plain = host_values(first.infer(x.clone()));
        // The gate at the median first-stage logit: about half the windows pass.
        let mut sorted = plain.clone();
        sorted.sort_by(f32::total_cmp);
        let gate = sorted[sorted.len() / 2];
        let second = SecondStageConfig {
            channels: [4, 8, 8],
            gate,
            mirror,
            peaks_only,
        };
        let cascade = first.with_second_stage(second, &device);
        assert!(cascade.is_cascade());
        let combined = host_values(cascade.infer(x.clone()));
        let stage2 = &cascade.second[0];
        let (mh, mw) = (map_len(h), map_len(w));
        let (mut rescored, mut peaks, mut views_differ) = (0, 0, false);
        for i in 0..mh {
            for j in 0..mw {
                let k = i * mw + j;
                // A peak by brute force: no neighbour within one cell is higher.
                let peak = (0..mh).all(|a| {
                    (0..mw).all(|b| {
                        a.abs_diff(i) > 1 || b.abs_diff(j) > 1 || plain[a * mw + b] <= plain[k]
                    })
                });
                peaks += peak as usize;
                let want = if plain[k] >= gate && (peak || !peaks_only) {
                    rescored += 1;
                    let patch = x.clone().slice([
                        0..1,
                        0..1,
                        i * STRIDE..i * STRIDE + WINDOW,
                        j * STRIDE..j * STRIDE + WINDOW,
                    ]);
                    let own = host_values(stage2.infer(patch.clone()))[0];
                    if mirror {
                        let flipped = host_values(stage2.infer(patch.flip([3])))[0];
                        views_differ |= (own - flipped).abs() > 1e-4;
                        (own + flipped) / 2.0
                    } else {
                        own
                    }
                } else {
                    plain[k] - REJECTED
                };
                assert!(
                    (combined[k] - want).abs() < 1e-4,
                    "({i}, {j}), mirror {mirror}, peaks only {peaks_only}: {} vs {want}",
                    combined[k]
                );
            }
        }
        // Both branches ran: some windows rescored, some rejected, and peaks are a subset.
        assert!(rescored > 0 && rescored < mh * mw);
        assert!(peaks > 0 && peaks < mh * mw);
        // The mirror is another view, so averaging it in changes scores.
        assert_eq!(views_differ, mirror);
        // Training a cascade trains its second stage: `forward` is the second stage's.
        let patch = x.slice([0..1, 0..1, 0..WINDOW, 0..WINDOW]);
        let trained = host_values(cascade.forward(patch.clone()))[0];
        assert!((trained - host_values(stage2.forward(patch))[0]).abs() < 1e-5);
    }

    #[test]
    fn param_count_matches_the_module() {
        for (cfg, want) in [
            (FaceNetConfig::new(), 6017),
            (FaceNetConfig::new().with_lcn(false), 6401),
            (
                FaceNetConfig {
                    second: Some(SecondStageConfig {
                        channels: [4, 8, 8],
                        gate: -1.0,
                        mirror: true,
                        peaks_only: true,
                    }),
                    ..FaceNetConfig::new()
                },
                6017 + 40 + 296 + 584 + 33,
            ),
        ] {
            let net = cfg.init(&Device::flex());
            assert_eq!(net.num_params(), cfg.num_params());
            assert_eq!(cfg.num_params(), want);
        }
    }

    #[test]
    fn old_cascade_sidecars_load_without_arbitration() {
        let cfg: FaceNetConfig = serde_json::from_str(
            r#"{"channels": [8, 16, 32], "lcn": true, "second": {"channels": [16, 32, 64], "gate": -1.0}}"#,
        )
        .unwrap();
        let second = cfg.second.unwrap();
        assert_eq!((second.mirror, second.peaks_only), (false, false));
    }

    #[test]
    fn old_sidecars_without_lcn_load_as_plain_nets() {
        let cfg: FaceNetConfig = serde_json::from_str(r#"{"channels": [8, 16, 32]}"#).unwrap();
        assert_eq!(cfg, FaceNetConfig::new().with_lcn(false));
    }
}
