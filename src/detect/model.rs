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
//! averages the second stage's logit over the window and its mirror image wherever the first
//! view reaches the gate, and `peaks_only`
//! sends only the first stage's local peaks to the second, which halves its windows. With
//! `peaks_only` a patch still equals the map wherever the window is a peak of its own map;
//! a lone 30×30 patch always is.
//!
//! The second stage may be a **committee** (`SecondStageConfig::members`): second stages of
//! one shape trained apart on the same first stage (other seeds, other bootstrapping runs)
//! and joined into one file (`FaceNet::join`, `facecam join`). The first member's view of a
//! window decides, as above, whether the other views count; where it does, the window's
//! score is the mean of every member's view of it and of its mirror image. Members trained
//! apart mine and learn different false positives, so the mean ranks fewer of them above
//! faces than any member alone (README, "Measured"). Fine-tuning a committee trains its
//! members together, on the mean of their logits.

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use super::direct_conv::{self, Dims};
use super::lcn::{self, lcn_host};

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
    /// LCN's floor, for both stages; none means `lcn::FLOOR` (the default, and what every
    /// model had before it was a setting).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lcn_floor: Option<f32>,
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
    /// Score each window the second stage passes (its logit at or above the gate) a second
    /// time, mirrored, and average the two logits (Rowley's arbitration with a free second
    /// view): a face is nearly symmetric, most print and texture that fools one view is not.
    /// Windows it rejects keep its first logit, so the second view costs only where it can
    /// matter. Sidecars from before it lack the field: off.
    #[serde(default)]
    pub mirror: bool,
    /// Rescore only windows whose first-stage logit is a peak of its 3×3 neighbourhood in the
    /// score map; the others are rejected like windows below the gate. A face lights up a
    /// cluster of neighbouring windows and NMS keeps one box of it anyway, so this halves the
    /// second stage's work without losing faces (README, "Measured").
    #[serde(default)]
    pub peaks_only: bool,
    /// This stage's own LCN floor; none means the first stage's (`FaceNetConfig::lcn_floor`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lcn_floor: Option<f32>,
    /// How many second stages of this shape, trained apart (`FaceNet::join`), score each
    /// window together: a committee, whose members' errors differ where their training
    /// runs did. The first member's own view decides whether the others look at all, so
    /// they cost only where the verdict can change. Sidecars from before it lack the field: 1.
    #[serde(default = "one_member", skip_serializing_if = "is_one_member")]
    pub members: usize,
}

fn one_member() -> usize {
    1
}

fn is_one_member(n: &usize) -> bool {
    *n == 1
}

/// The most second stages a committee may have: a sidecar's count allocates nets.
pub const MAX_MEMBERS: usize = 8;

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
    /// LCN's floor if the input goes through `lcn` first (fixed, no weights).
    #[module(skip)]
    lcn: Option<f32>,
    /// The cascade's second stage: empty, or its committee's members (one net unless joined:
    /// `SecondStageConfig::members`).
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
            lcn_floor: None,
            second: None,
        }
    }

    pub fn with_channels(self, channels: [usize; 3]) -> Self {
        Self { channels, ..self }
    }

    pub fn with_lcn(self, lcn: bool) -> Self {
        Self { lcn, ..self }
    }

    /// The LCN floor of this net, and of its second stage unless that names its own.
    pub fn lcn_floor(&self) -> f32 {
        self.lcn_floor.unwrap_or(lcn::FLOOR)
    }

    /// Rejects architectures a sidecar may claim but no file can hold: zero or absurd widths
    /// (which would allocate without bound), a gate that is not a number, an LCN floor that
    /// is not positive.
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
        let floors = self
            .lcn_floor
            .iter()
            .chain(self.second.iter().flat_map(|s| &s.lcn_floor));
        if let Some(floor) = floors.copied().find(|f| !(f.is_finite() && *f > 0.0)) {
            return Err(crate::error::Error::Config(format!(
                "the LCN floor must be a positive number, got {floor}"
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
        if let Some(s) = self.second
            && !(1..=MAX_MEMBERS).contains(&s.members)
        {
            return Err(crate::error::Error::Config(format!(
                "a second stage has 1 to {MAX_MEMBERS} members, got {}",
                s.members
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
            lcn: self.lcn.then(|| self.lcn_floor()),
            second: self
                .second
                .iter()
                .flat_map(|s| (0..s.members).map(|_| s.net_config(self.lcn_floor())))
                .map(|member| member.init(device))
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
        let floor = self.lcn_floor();
        own + self
            .second
            .map_or(0, |s| s.members * s.net_config(floor).num_params())
    }
}

impl SecondStageConfig {
    /// The second stage as a net of its own: LCN at its own floor, else at `first_floor`
    /// (its first stage's).
    pub fn net_config(&self, first_floor: f32) -> FaceNetConfig {
        FaceNetConfig {
            channels: self.channels,
            lcn: true,
            lcn_floor: Some(self.lcn_floor.unwrap_or(first_floor)),
            second: None,
        }
    }
}

impl FaceNet {
    /// A cascade: this (trained) net as the first stage and a freshly initialised second
    /// stage (`second.members` nets), ready to train. An existing second stage is replaced.
    /// Unless `second` names its own LCN floor it takes this net's, as `FaceNetConfig::init`
    /// builds it from the sidecar.
    pub fn with_second_stage(self, second: SecondStageConfig, device: &Device) -> FaceNet {
        let floor = self.lcn.unwrap_or(lcn::FLOOR);
        FaceNet {
            second: (0..second.members)
                .map(|_| second.net_config(floor).init(device))
                .collect(),
            gate: second.gate,
            mirror: second.mirror,
            peaks_only: second.peaks_only,
            ..self
        }
    }

    /// The net with exactly the first `n` convolutions of its trainable stage (a cascade's
    /// second stage, else the net itself) taking no gradients, the rest of that stage taking
    /// them: a short fine-tuning then moves only the layers above them, and the features the
    /// full training learnt stay as they were. conv4 always trains (`n` above 3 acts as 3).
    /// Burn keeps a frozen flag through training, so a net from an earlier round is made
    /// trainable first.
    pub fn freeze_leading(mut self, n: usize) -> Self {
        if self.is_cascade() {
            let members = std::mem::take(&mut self.second);
            self.second = members.into_iter().map(|m| m.freeze_leading(n)).collect();
            return self;
        }
        self = self.set_require_grad(true);
        for conv in [&mut self.conv1, &mut self.conv2, &mut self.conv3]
            .into_iter()
            .take(n)
        {
            *conv = conv.clone().no_grad(); // a clone shares the parameters' storage
        }
        self
    }

    /// Whether a second stage rescores what this net passes.
    pub fn is_cascade(&self) -> bool {
        !self.second.is_empty()
    }

    /// `[N, 1, H, W]` normalised gray → `[N, 1, map_len(H), map_len(W)]` logits of the stage
    /// being trained: the second one of a cascade (the first stays fixed; a committee's
    /// members' mean, so they train together), else this one.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        match &self.second[..] {
            [] => self.forward_stage(x),
            [single] => single.forward_stage(x),
            members => {
                let n = members.len() as f32;
                let sum = members
                    .iter()
                    .map(|m| m.forward_stage(x.clone()))
                    .reduce(|a, b| a + b)
                    .expect("a committee has members");
                sum / n
            }
        }
    }

    /// A committee: this cascade's second-stage members followed by `other`'s, which must
    /// share this first stage exactly (the same file's, or one `--init` from it) and the
    /// shape, gate and LCN floor of its second stage. Each member trained on its own
    /// bootstrapping, so they err on different windows, and their mean errs less.
    pub fn join(mut self, other: FaceNet) -> crate::error::Result<FaceNet> {
        let refuse = |why: &str| Err(crate::error::Error::Config(format!("cannot join: {why}")));
        if !self.is_cascade() || !other.is_cascade() {
            return refuse("both nets must be cascades");
        }
        if self.host_stage() != other.host_stage() {
            return refuse("the first stages differ (train every member on the same first stage)");
        }
        let (a, b) = (&self.second[0], &other.second[0]);
        if a.host_stage().shapes() != b.host_stage().shapes() || a.lcn != b.lcn {
            return refuse("the second stages differ in widths or LCN floor");
        }
        if self.gate != other.gate {
            return refuse("the gates differ");
        }
        if self.second.len() + other.second.len() > MAX_MEMBERS {
            return refuse(&format!("a committee has at most {MAX_MEMBERS} members"));
        }
        self.second.extend(other.second);
        Ok(self)
    }

    /// Number of second-stage nets (0 for a single net).
    pub fn members(&self) -> usize {
        self.second.len()
    }

    /// This stage's logits, in the training form. ReLU comes after each pooling: max and
    /// ReLU commute, and the pooled tensor is a quarter of the size.
    fn forward_stage(&self, x: Tensor<4>) -> Tensor<4> {
        let x = match self.lcn {
            Some(floor) => lcn::lcn(x, floor), // [N, 1, H-8, W-8]
            None => x,
        };
        let x = relu(max_pool_2x2(self.conv1.forward(x))); // [N, c1, (H-2)/2, …]
        let x = relu(max_pool_2x2(self.conv2.forward(x))); // [N, c2, ((H-2)/2-2)/2, …]
        let x = relu(self.conv3.forward(x)); // [N, c3, … - 2]
        self.conv4.forward(x) // [N, 1, … - 3]
    }

    /// The same function as `forward` for a single net, arranged for speed when only the
    /// output is needed (detection, scoring): equal up to float rounding (a test checks it).
    ///
    /// On a CPU backend the whole stage runs on host buffers (`direct_conv`): each
    /// convolution directly, pooling and ReLU as one pass. Burn's CPU layers lower every
    /// convolution to im2col + GEMM and its pooling also computes argmax indices, which cost
    /// more than the arithmetic at these widths.
    ///
    /// A cascade's second stage rescores the windows the first passes (module docs).
    pub fn infer(&self, x: Tensor<4>) -> Tensor<4> {
        self.infer_with(x, None)
    }

    /// `infer` with the weights read back once by the caller (`host_weights`); `None` reads
    /// them now where a CPU backend needs them.
    pub(crate) fn infer_with(&self, x: Tensor<4>, host: Option<&HostWeights>) -> Tensor<4> {
        if !self.is_cascade() {
            return self.infer_first(x, host);
        }
        let (dims, device) = (x.dims(), x.device());
        let pixels = HostPixels {
            values: host_values(x),
            dims,
        };
        let first = self.infer_first(pixels.to_tensor(&device), host);
        let mut maps = self.rescore(vec![(pixels, first)], host);
        maps.pop().expect("one map per input")
    }

    /// The first stage's logits (a single net's are final): `[N, 1, H, W]` →
    /// `[N, 1, map_len(H), map_len(W)]`. With `rescore`, the two halves of `infer`, split so a
    /// detector can run the first stage level by level in parallel and then rescore every
    /// level's candidates in one batch. `host`: the weights read back once by the caller
    /// (`host_weights`); `None` reads them now where a CPU backend needs them.
    pub(crate) fn infer_first(&self, x: Tensor<4>, host: Option<&HostWeights>) -> Tensor<4> {
        self.infer_stage(x, host.map(|h| &h.first))
    }

    /// A cascade's second step over several inputs at once: each `(pixels, first)` pair is
    /// an input's pixels and its `infer_first` map; returns the final maps in the same order.
    /// A single net returns the first-stage maps as they are. The pixels come as host memory,
    /// which the windows are cut from: callers have them already, and reading a tensor back
    /// is slow where its buffer is shared (ndarray copies it element by element).
    pub(crate) fn rescore(
        &self,
        inputs: Vec<(HostPixels, Tensor<4>)>,
        host: Option<&HostWeights>,
    ) -> Vec<Tensor<4>> {
        if !self.is_cascade() {
            return inputs.into_iter().map(|(_, first)| first).collect();
        }
        let members = host.map(|h| &h.second[..]);
        rescore_all(&self.second, members, self.rescore_rule(), inputs)
    }

    /// Every stage's weights read back to host memory, for callers that run the net many
    /// times on a CPU backend (`infer_with`, `infer_first`, `rescore`). They are a copy: pass
    /// them only with the net they were read from.
    pub(crate) fn host_weights(&self) -> HostWeights {
        HostWeights {
            first: self.host_stage(),
            second: self.second.iter().map(FaceNet::host_stage).collect(),
        }
    }

    /// This stage's own weights (not its second stage's) in host memory.
    fn host_stage(&self) -> HostStage {
        HostStage {
            lcn: self.lcn,
            convs: [&self.conv1, &self.conv2, &self.conv3, &self.conv4].map(HostConv::read),
        }
    }

    /// How this cascade picks and scores the windows its second stage sees.
    fn rescore_rule(&self) -> RescoreRule {
        RescoreRule {
            gate: self.gate,
            mirror: self.mirror,
            peaks_only: self.peaks_only,
        }
    }

    /// This stage alone, in the fast form (see `infer`), with its host weights if the caller
    /// has them.
    fn infer_stage(&self, x: Tensor<4>, host: Option<&HostStage>) -> Tensor<4> {
        let device = x.device();
        let dims @ [_, _, h, w] = x.dims();
        if !is_host(&device) || h < WINDOW || w < WINDOW {
            // A GPU runs Burn's layers well as they are (measured on an H200). An input
            // smaller than a window goes to Burn's layers too, which panic on it, as before.
            return self.forward_stage(x);
        }
        let read;
        let host = match host {
            Some(host) => host,
            None => {
                read = self.host_stage();
                &read
            }
        };
        let (values, dims) = host.infer(host_values(x), dims);
        Tensor::from_data(TensorData::new(values, dims), &device)
    }
}

/// One stage's weights in host memory, so a CPU backend can run it with `direct_conv`
/// without reading its parameters back on every call: on ndarray a parameter's buffer is
/// shared with the module and is copied element by element, 12 % of a frame when it was read
/// per pyramid level (README, "Measured"). A `Detector` reads them once.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct HostStage {
    /// LCN's floor, if the stage normalises.
    lcn: Option<f32>,
    /// conv1 … conv4.
    convs: [HostConv; 4],
}

/// Both stages' `HostStage`s (`FaceNet::host_weights`): the second's one per member.
#[derive(Clone, Debug)]
pub(crate) struct HostWeights {
    first: HostStage,
    second: Vec<HostStage>,
}

/// A convolution's weights `[c_out, c_in, k, k]` and bias `[c_out]`, row-major. Its `Debug`
/// gives the shape, not thousands of numbers.
#[derive(Clone, PartialEq)]
struct HostConv {
    weight: Vec<f32>,
    bias: Vec<f32>,
    k: usize,
}

impl std::fmt::Debug for HostConv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let [c_out, c_in, k, _] = self.shape();
        write!(f, "HostConv([{c_out}, {c_in}, {k}, {k}])")
    }
}

impl HostConv {
    /// `[c_out, c_in, k, k]`.
    fn shape(&self) -> [usize; 4] {
        let c_out = self.bias.len();
        let c_in = self.weight.len() / (c_out * self.k * self.k).max(1);
        [c_out, c_in, self.k, self.k]
    }

    fn read(layer: &Conv2d) -> HostConv {
        let weight = layer.weight.val(); // [c_out, c_in, k, k]
        let [c_out, _, k, _] = weight.dims();
        HostConv {
            weight: host_values(weight),
            bias: match &layer.bias {
                Some(bias) => host_values(bias.val()),
                None => vec![0.0; c_out],
            },
            k,
        }
    }

    /// This convolution (stride 1, no padding, as `FaceNetConfig::init` builds every one).
    fn apply(&self, x: &[f32], dims: Dims) -> (Vec<f32>, Dims) {
        direct_conv::conv(x, dims, &self.weight, &self.bias, self.k)
            .expect("every kernel the net is built with (2, 3 or 4 wide) fits a window-sized input")
    }
}

impl HostStage {
    /// Each convolution's `[c_out, c_in, k, k]`.
    fn shapes(&self) -> [[usize; 4]; 4] {
        self.convs.each_ref().map(HostConv::shape)
    }

    /// The stage layer by layer with `direct_conv`: `[N, 1, H, W]` → `[N, 1, map_len(H),
    /// map_len(W)]`, for H and W of at least one window.
    fn infer(&self, x: Vec<f32>, dims: Dims) -> (Vec<f32>, Dims) {
        let (x, dims) = match self.lcn {
            Some(floor) => {
                let [n, c, h, w] = dims;
                let out = [n, c, h - (lcn::KERNEL - 1), w - (lcn::KERNEL - 1)];
                (lcn_host(&x, n * c, h, w, floor), out) // [N, 1, H-8, W-8]
            }
            None => (x, dims),
        };
        let [conv1, conv2, conv3, conv4] = &self.convs;
        let (x, dims) = conv1.apply(&x, dims); // [N, c1, H-10, W-10]
        let (x, dims) = direct_conv::pool_relu(&x, dims); // [N, c1, (H-10)/2, …]
        let (x, dims) = conv2.apply(&x, dims);
        let (x, dims) = direct_conv::pool_relu(&x, dims); // [N, c2, …]
        let (mut x, dims) = conv3.apply(&x, dims); // [N, c3, h, w]
        direct_conv::relu(&mut x);
        conv4.apply(&x, dims) // [N, 1, h-k+1, w-k+1]
    }
}

/// Which windows a cascade's second stage rescores, and how (`SecondStageConfig`).
#[derive(Clone, Copy, Debug)]
struct RescoreRule {
    gate: f32,
    mirror: bool,
    peaks_only: bool,
}

/// The cascade's second step over several inputs at once. For each input `x`
/// (`[N, 1, H, W]`) and its first-stage map `first` (`[N, 1, h', w']`), the windows whose
/// first-stage logit reaches the gate (and, with `peaks_only`, tops its 3×3 neighbours) are
/// cut out, 30×30 at (4j, 4i), and scored by the second stage's `members`
/// (`second_stage_logits`); the rest drop by
/// `REJECTED`. The windows of all inputs go through `second` together, in batches: a
/// pyramid's levels hold a few candidates each, and one call per level cost more than the
/// arithmetic (README, "Measured"). Returns the combined maps, one per input.
fn rescore_all(
    members: &[FaceNet],
    hosts: Option<&[HostStage]>,
    rule: RescoreRule,
    inputs: Vec<(HostPixels, Tensor<4>)>,
) -> Vec<Tensor<4>> {
    /// Windows per second-stage batch: bounds the memory a busy frame can take.
    const BATCH: usize = 256;
    let Some(device) = inputs.first().map(|(_, first)| first.device()) else {
        return Vec::new();
    };
    // Per input: its map's scores, dims and which cells were rescored.
    let mut maps = Vec::with_capacity(inputs.len());
    // Every passed window: (input, index in its map, offset of its corner in the pixels).
    let mut passed = Vec::new();
    let mut pixels = Vec::with_capacity(inputs.len());
    for (input, (x, first)) in inputs.into_iter().enumerate() {
        let [_, _, h, w] = x.dims;
        let dims @ [_, _, mh, mw] = first.dims();
        let scores = host_values(first);
        passed.extend(
            (0..scores.len())
                .filter(|&k| {
                    scores[k] >= rule.gate && (!rule.peaks_only || is_peak(&scores, mh, mw, k))
                })
                .map(|k| {
                    let (image, i, j) = (k / (mh * mw), (k / mw) % mh, k % mw);
                    (input, k, image * h * w + i * STRIDE * w + j * STRIDE)
                }),
        );
        pixels.push((x.values, w));
        maps.push((scores, dims, vec![false; mh * mw * dims[0]]));
    }
    log::debug!("second stage: {} windows", passed.len());
    for chunk in passed.chunks(BATCH) {
        let mut windows = Vec::with_capacity(chunk.len() * WINDOW * WINDOW);
        for &(input, _, origin) in chunk {
            let (values, w) = &pixels[input];
            for row in 0..WINDOW {
                windows.extend_from_slice(&values[origin + row * w..][..WINDOW]);
            }
        }
        let logits = second_stage_logits(members, hosts, rule, windows, &device);
        for (&(input, k, _), logit) in chunk.iter().zip(logits) {
            let (scores, _, rescored) = &mut maps[input];
            scores[k] = logit;
            rescored[k] = true;
        }
    }
    maps.into_iter()
        .map(|(mut scores, dims, rescored)| {
            for (s, _) in scores.iter_mut().zip(&rescored).filter(|(_, r)| !**r) {
                *s -= REJECTED;
            }
            Tensor::from_data(TensorData::new(scores, dims), &device)
        })
        .collect()
}

/// The second stage's logit for each 30×30 window in `windows` (row-major, one after
/// another): the first member's. Where that reaches the gate, the other views join it and
/// the window gets their mean: its mirror image (with `mirror`) and every further member's
/// view of the window (and of its mirror image). The windows below the gate keep the first
/// view alone: more views cost only where they can change a verdict.
fn second_stage_logits(
    members: &[FaceNet],
    hosts: Option<&[HostStage]>,
    rule: RescoreRule,
    windows: Vec<f32>,
    device: &Device,
) -> Vec<f32> {
    let n = windows.len() / (WINDOW * WINDOW);
    let infer = |member: usize, values: Vec<f32>, n: usize| {
        let batch = TensorData::new(values, [n, 1, WINDOW, WINDOW]);
        let host = hosts.and_then(|h| h.get(member));
        host_values(members[member].infer_stage(Tensor::from_data(batch, device), host)) // [n, 1, 1, 1]
    };
    if !rule.mirror && members.len() == 1 {
        return infer(0, windows, n);
    }
    let mut logits = infer(0, windows.clone(), n);
    let again: Vec<usize> = (0..n).filter(|&i| logits[i] >= rule.gate).collect();
    if again.is_empty() {
        return logits;
    }
    // The passed windows, as they are (for the further members) and mirrored: cut once.
    let plain = (members.len() > 1).then(|| chosen_windows(&windows, &again, false));
    let mirrored = rule.mirror.then(|| chosen_windows(&windows, &again, true));
    let mut views = Vec::new(); // each [again.len()]
    for member in 0..members.len() {
        let own = plain.as_ref().filter(|_| member > 0);
        for batch in own.into_iter().chain(&mirrored) {
            views.push(infer(member, batch.clone(), again.len()));
        }
    }
    let count = (views.len() + 1) as f32;
    for (slot, &i) in again.iter().enumerate() {
        logits[i] = views.iter().fold(logits[i], |sum, view| sum + view[slot]) / count;
    }
    logits
}

/// Windows `which` of `windows` (30×30 each, row-major), each mirrored (its rows reversed)
/// if `mirror`.
fn chosen_windows(values: &[f32], which: &[usize], mirror: bool) -> Vec<f32> {
    let mut out = Vec::with_capacity(which.len() * WINDOW * WINDOW);
    for &i in which {
        let window = &values[i * WINDOW * WINDOW..(i + 1) * WINDOW * WINDOW];
        if !mirror {
            out.extend_from_slice(window);
            continue;
        }
        for row in window.chunks_exact(WINDOW) {
            out.extend(row.iter().rev());
        }
    }
    out
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

/// An input's normalised pixels in host memory, `[N, 1, H, W]` row-major.
#[derive(Clone, Debug)]
pub struct HostPixels {
    pub values: Vec<f32>,
    pub dims: Dims,
}

impl HostPixels {
    /// A tensor of its own (no buffer shared with `self`) on `device`.
    pub fn to_tensor(&self, device: &Device) -> Tensor<4> {
        Tensor::from_data(TensorData::new(self.values.clone(), self.dims), device)
    }
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
    use burn::module::Param;
    use burn::tensor::Int;

    /// A small one-member second stage (4, 8, 8) at gate −2, arbitration off.
    fn small_second_stage() -> SecondStageConfig {
        SecondStageConfig {
            channels: [4, 8, 8],
            gate: -2.0,
            mirror: false,
            peaks_only: false,
            lcn_floor: None,
            members: 1,
        }
    }

    #[test]
    fn freeze_leading_stops_the_gradients_of_the_second_stages_first_layers_only() {
        use burn::optim::GradientsParams;
        let device = Device::flex();
        let second = small_second_stage();
        let net = FaceNetConfig::new()
            .init(&device)
            .with_second_stage(second, &device);
        let train_device = device.clone().autodiff();
        // Whether each layer gets a gradient when `base` trains with `frozen` layers fixed:
        // (first stage's conv1 and conv4, second stage's conv1 … conv4).
        let gradients = |base: &FaceNet, frozen: usize| {
            let model = base
                .clone()
                .fork(&train_device)
                .train()
                .freeze_leading(frozen);
            let x = Tensor::<4>::from_data(
                TensorData::new(
                    (0..2 * WINDOW * WINDOW)
                        .map(|i| (i % 13) as f32 / 13.0 - 0.5)
                        .collect(),
                    [2, 1, WINDOW, WINDOW],
                ),
                &train_device,
            );
            let loss = model.forward(x).sum(); // [1]
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            let stage = &model.second[0];
            let first = [&model.conv1, &model.conv4].map(|c| grads.get::<4>(c.weight.id).is_some());
            let layers = [&stage.conv1, &stage.conv2, &stage.conv3, &stage.conv4]
                .map(|c| grads.get::<4>(c.weight.id).is_some());
            (first, layers)
        };
        // The first stage never trains in a cascade; the second trains whole by default…
        assert_eq!(
            gradients(&net, 0),
            ([false, false], [true, true, true, true])
        );
        // …and with two layers frozen, only conv3 and conv4 move.
        assert_eq!(
            gradients(&net, 2),
            ([false, false], [false, false, true, true])
        );
        // A net that came out of a frozen round trains whole again when asked to.
        let after_round = net
            .clone()
            .fork(&train_device)
            .train()
            .freeze_leading(2)
            .valid();
        assert_eq!(gradients(&after_round, 0).1, [true, true, true, true]);
    }

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
                cascade_rescores_the_passed_windows(mirror, peaks_only, 1);
            }
        }
    }

    #[test]
    fn a_committee_averages_its_members_views_where_the_first_member_passes() {
        for mirror in [false, true] {
            cascade_rescores_the_passed_windows(mirror, true, 3);
        }
    }

    fn cascade_rescores_the_passed_windows(mirror: bool, peaks_only: bool, members: usize) {
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
            lcn_floor: None,
            members,
        };
        let mut cascade = first.with_second_stage(second, &device);
        assert_eq!(cascade.members(), members);
        assert!(cascade.is_cascade());
        let (mh, mw) = (map_len(h), map_len(w));
        // A peak by brute force: no neighbour within one cell is higher.
        let peak_at = |i: usize, j: usize| {
            (0..mh).all(|a| {
                (0..mw).all(|b| {
                    a.abs_diff(i) > 1 || b.abs_diff(j) > 1 || plain[a * mw + b] <= plain[i * mw + j]
                })
            })
        };
        let passes =
            |i: usize, j: usize| plain[i * mw + j] >= gate && (!peaks_only || peak_at(i, j));
        // Shift the (random) second stage so the gate falls midway between its own logits on
        // the windows it will rescore: half are mirrored, half not.
        let stage2 = &mut cascade.second[0];
        let own_map = host_values(stage2.infer(x.clone()));
        let mut own: Vec<f32> = (0..mh * mw)
            .filter(|&k| passes(k / mw, k % mw))
            .map(|k| own_map[k])
            .collect();
        own.sort_by(f32::total_cmp);
        let half = own.len() / 2;
        assert!(half >= 1, "{} windows to rescore", own.len());
        let shift = gate - 0.5 * (own[half - 1] + own[half]);
        let bias = stage2.conv4.bias.take().expect("conv4 has a bias");
        stage2.conv4.bias = Some(Param::from_tensor(bias.val() + shift));
        let combined = host_values(cascade.infer(x.clone()));
        let stage2 = &cascade.second[0];
        let more_views = mirror || members > 1;
        let (mut rescored, mut peaks, mut mirrored, mut views_differ) = (0, 0, 0, false);
        for i in 0..mh {
            for j in 0..mw {
                let k = i * mw + j;
                peaks += peak_at(i, j) as usize;
                let want = if passes(i, j) {
                    rescored += 1;
                    let patch = x.clone().slice([
                        0..1,
                        0..1,
                        i * STRIDE..i * STRIDE + WINDOW,
                        j * STRIDE..j * STRIDE + WINDOW,
                    ]);
                    let own = host_values(stage2.infer(patch.clone()))[0];
                    if more_views && own >= gate {
                        // Every member's view of the window, and of its mirror image.
                        let mut views = Vec::new();
                        for member in &cascade.second {
                            let view = |p: Tensor<4>| host_values(member.infer(p))[0];
                            views.push(view(patch.clone()));
                            if mirror {
                                views.push(view(patch.clone().flip([3])));
                            }
                        }
                        mirrored += 1;
                        views_differ |= views.iter().any(|v| (own - v).abs() > 1e-4);
                        views.iter().sum::<f32>() / views.len() as f32
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
        // Some windows the second stage passes, some it rejects (so both branches ran), and
        // the mirror and the other members are other views: averaging them in changes scores.
        if more_views {
            assert!(
                mirrored > 0 && mirrored < rescored,
                "{mirrored} of {rescored}"
            );
        }
        assert_eq!(views_differ, more_views);
        // Training a cascade trains its second stage: `forward` is the second stage's (the
        // mean of a committee's members).
        let patch = x.slice([0..1, 0..1, 0..WINDOW, 0..WINDOW]);
        let trained = host_values(cascade.forward(patch.clone()))[0];
        let mean = cascade
            .second
            .iter()
            .map(|m| host_values(m.forward(patch.clone()))[0])
            .sum::<f32>()
            / members as f32;
        assert!((trained - mean).abs() < 1e-5);
    }

    #[test]
    fn join_makes_a_committee_of_cascades_on_one_first_stage_only() {
        let device = Device::flex();
        let second = SecondStageConfig {
            mirror: true,
            peaks_only: true,
            ..small_second_stage()
        };
        let first = FaceNetConfig::new().init(&device);
        let a = first.clone().with_second_stage(second, &device);
        let b = first.clone().with_second_stage(second, &device);
        let joined = a.clone().join(b.clone()).unwrap();
        assert_eq!(joined.members(), 2);
        let cfg = FaceNetConfig {
            second: Some(SecondStageConfig {
                members: 2,
                ..second
            }),
            ..FaceNetConfig::new()
        };
        assert_eq!(joined.num_params(), cfg.num_params());
        assert_eq!(
            cfg.num_params(),
            FaceNetConfig::new().num_params() + 2 * (40 + 296 + 584 + 33)
        );
        // Members are kept in order: the first decides which windows the rest see.
        assert_eq!(joined.second[0].host_stage(), a.second[0].host_stage());
        assert_eq!(joined.second[1].host_stage(), b.second[0].host_stage());
        // Another first stage, another second-stage shape or gate, or a single net: refused.
        let other_first = FaceNetConfig::new()
            .init(&device)
            .with_second_stage(second, &device);
        let wider = first.clone().with_second_stage(
            SecondStageConfig {
                channels: [4, 8, 16],
                ..second
            },
            &device,
        );
        let other_gate = first.clone().with_second_stage(
            SecondStageConfig {
                gate: -1.0,
                ..second
            },
            &device,
        );
        for (other, says) in [
            (other_first, "first stages"),
            (wider, "widths"),
            (other_gate, "gates"),
            (first.clone(), "cascades"),
        ] {
            let err = a.clone().join(other).unwrap_err().to_string();
            assert!(err.contains(says), "{err}");
        }
        // A sidecar's count is bounded: it allocates nets.
        let many = FaceNetConfig {
            second: Some(SecondStageConfig {
                members: MAX_MEMBERS + 1,
                ..second
            }),
            ..FaceNetConfig::new()
        };
        assert!(many.validate().is_err());
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
                        lcn_floor: None,
                        members: 1,
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
        // One member, and a one-member sidecar is written as before.
        assert_eq!(second.members, 1);
        assert!(!serde_json::to_string(&second).unwrap().contains("members"));
    }

    #[test]
    fn old_sidecars_without_lcn_load_as_plain_nets() {
        let cfg: FaceNetConfig = serde_json::from_str(r#"{"channels": [8, 16, 32]}"#).unwrap();
        assert_eq!(cfg, FaceNetConfig::new().with_lcn(false));
    }

    #[test]
    fn the_floor_a_sidecar_names_reaches_both_stages() {
        let device = Device::flex();
        let old: FaceNetConfig = serde_json::from_str(
            r#"{"channels": [8, 16, 32], "lcn": true, "second": {"channels": [4, 8, 8], "gate": -1.0}}"#,
        )
        .unwrap();
        let net = old.init(&device);
        assert_eq!(
            (net.lcn, net.second[0].lcn),
            (Some(lcn::FLOOR), Some(lcn::FLOOR))
        );
        let low = FaceNetConfig {
            lcn_floor: Some(0.01),
            ..old
        };
        let back: FaceNetConfig =
            serde_json::from_str(&serde_json::to_string(&low).unwrap()).unwrap();
        assert_eq!(back, low);
        let net = back.init(&device);
        assert_eq!((net.lcn, net.second[0].lcn), (Some(0.01), Some(0.01)));
        let cascade = FaceNetConfig {
            second: None,
            ..back
        }
        .init(&device)
        .with_second_stage(low.second.unwrap(), &device);
        assert_eq!(cascade.second[0].lcn, Some(0.01));
        // A second stage may name its own, in the sidecar or when it is added.
        let own = SecondStageConfig {
            lcn_floor: Some(0.02),
            ..low.second.unwrap()
        };
        let mixed = FaceNetConfig {
            second: Some(own),
            ..low.clone()
        };
        let net = mixed.init(&device);
        assert_eq!((net.lcn, net.second[0].lcn), (Some(0.01), Some(0.02)));
        let added = FaceNetConfig {
            second: None,
            ..low
        }
        .init(&device)
        .with_second_stage(own, &device);
        assert_eq!(added.second[0].lcn, Some(0.02));
    }

    #[test]
    fn the_floor_changes_what_a_faint_window_scores() {
        // The same weights under two floors: a window faint enough to fall under the default
        // floor scores differently, so a file must be run with the floor it was trained with.
        let device = Device::flex();
        let default = FaceNetConfig::new().init(&device);
        let low = FaceNet {
            lcn: Some(0.01),
            ..default.clone()
        };
        let faint: Vec<f32> = (0..WINDOW * WINDOW)
            .map(|i| 0.01 * (((i * 7919) % 13) as f32 / 13.0 - 0.5))
            .collect();
        let x = Tensor::<4>::from_data(TensorData::new(faint, [1, 1, WINDOW, WINDOW]), &device);
        let a = host_values(default.infer(x.clone()))[0];
        let b = host_values(low.infer(x))[0];
        assert!((a - b).abs() > 1e-4, "{a} vs {b}");
    }

    #[test]
    fn a_floor_that_is_not_positive_is_refused() {
        for floor in [0.0, -0.1, f32::NAN] {
            let cfg = FaceNetConfig {
                lcn_floor: Some(floor),
                ..FaceNetConfig::new()
            };
            assert!(cfg.validate().is_err(), "{floor}");
            let second = SecondStageConfig {
                channels: [4, 8, 8],
                gate: -2.0,
                mirror: true,
                peaks_only: true,
                lcn_floor: Some(floor),
                members: 1,
            };
            let cfg = FaceNetConfig {
                second: Some(second),
                ..FaceNetConfig::new()
            };
            assert!(cfg.validate().is_err(), "second stage {floor}");
        }
        assert!(FaceNetConfig::new().validate().is_ok());
    }
}
