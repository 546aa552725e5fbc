//! Local contrast normalisation (LCN), the network's fixed first stage (Jarrett, Kavukcuoglu,
//! Ranzato & LeCun 2009; Pinto et al. 2008): every pixel minus the Gaussian-weighted mean of
//! its 9×9 neighbourhood, divided by that neighbourhood's weighted standard deviation.
//!
//! ```text
//! μ(p)   = Σ_q g(q) · x(p+q)                 g: 9×9 Gaussian, σ = 2, Σ g = 1
//! s(p)   = sqrt(Σ_q g(q) · x(p+q)² − μ(p)²)  the same window's weighted spread
//! out(p) = (x(p+4) − μ(p)) / max(s(p), floor)
//! ```
//! A brightness offset cancels in the subtraction and a contrast gain in the division, so
//! a face in shadow, in glare or scanned grey-on-grey reaches conv1 looking the same.
//!
//! It is *valid* (no padding): `[N, 1, H, W]` → `[N, 1, H−8, W−8]`. Nothing outside the
//! 30×30 window is read, so a lone window and the same window inside a whole pyramid level
//! give exactly the same output, and the network stays fully convolutional.

use burn::tensor::module::conv2d;
use burn::tensor::ops::ConvOptions;
use burn::tensor::{Tensor, TensorData};
use rayon::prelude::*;

/// Side of the neighbourhood; the map shrinks by `KERNEL − 1`.
pub const KERNEL: usize = 9;
/// Gaussian σ of the neighbourhood weights, pixels.
pub const SIGMA: f32 = 2.0;
/// Spreads below the floor are not amplified further: a flat wall stays flat instead of
/// turning its sensor noise into texture. This one (≈ 6 grey levels) is the default and the
/// bundled model's; a sidecar may name another (`FaceNetConfig::lcn_floor`, `train
/// --lcn-floor`). Contrast cancels only where a spread stays above the floor: at a third of
/// its contrast a face's spreads under 21 grey levels reach conv1 fainter. A floor of 0.01
/// makes the logits all but contrast-proof and was measured, not shipped (README, "Known
/// limits").
pub const FLOOR: f32 = 0.025;

/// The 1-D Gaussian taps; the 2-D kernel is their outer product, so it is applied as two
/// separable passes.
pub fn taps() -> [f32; KERNEL] {
    let half = (KERNEL / 2) as f32;
    let mut t = [0.0f32; KERNEL];
    for (i, v) in t.iter_mut().enumerate() {
        let d = i as f32 - half;
        *v = (-d * d / (2.0 * SIGMA * SIGMA)).exp();
    }
    let sum: f32 = t.iter().sum();
    t.map(|v| v / sum)
}

/// LCN with Burn operations (training, and the GPU path): `[N, 1, H, W]` → `[N, 1, H−8, W−8]`.
pub fn lcn(x: Tensor<4>, floor: f32) -> Tensor<4> {
    let [n, _, h, w] = x.dims();
    let device = x.device();
    let g = TensorData::new(taps().to_vec(), [1, 1, 1, KERNEL]);
    let row = Tensor::<4>::from_data(g.clone(), &device); // [1, 1, 1, 9]
    let col = Tensor::<4>::from_data(g, &device).reshape([1, 1, KERNEL, 1]); // [1, 1, 9, 1]
    let opts = || ConvOptions::new([1, 1], [0, 0], [1, 1], 1);
    // x and x² ride in one batch: [2N, 1, H, W].
    let both = Tensor::cat(vec![x.clone(), x.clone() * x.clone()], 0);
    let both = conv2d(both, row, None, opts()); // [2N, 1, H, W−8]
    let both = conv2d(both, col, None, opts()); // [2N, 1, H−8, W−8]
    let (ho, wo) = (h - (KERNEL - 1), w - (KERNEL - 1));
    let mean = both.clone().slice([0..n, 0..1, 0..ho, 0..wo]);
    let mean_sq = both.slice([n..2 * n, 0..1, 0..ho, 0..wo]);
    let spread = (mean_sq - mean.clone() * mean.clone())
        .clamp_min(0.0)
        .sqrt()
        .clamp_min(floor);
    let half = KERNEL / 2;
    let centre = x.slice([0..n, 0..1, half..half + ho, half..half + wo]);
    (centre - mean) / spread
}

/// The same function on host memory, in one separable pass per plane (the CPU detector's path:
/// no im2col; two temporaries of `h × (w-8)` per parallel task). `values`: `n` planes of `h × w`, each
/// at least `KERNEL` wide and high. Planes run as parallel tasks: a cascade's second stage
/// normalises a few hundred windows at once.
pub fn lcn_host(values: &[f32], n: usize, h: usize, w: usize, floor: f32) -> Vec<f32> {
    assert!(
        h >= KERNEL && w >= KERNEL,
        "a {h}×{w} plane is smaller than the LCN kernel"
    );
    assert_eq!(values.len(), n * h * w, "input length against its shape");
    let (ho, wo) = (h - (KERNEL - 1), w - (KERNEL - 1));
    let mut out = vec![0.0f32; n * ho * wo];
    values
        .par_chunks_exact(h * w)
        .zip(out.par_chunks_exact_mut(ho * wo))
        .for_each_init(
            || Scratch::new(h, w),
            |scratch, (plane, out)| lcn_plane(plane, [h, w], floor, scratch, out),
        );
    out
}

/// `lcn_plane`'s working rows, allocated once per parallel task rather than per plane: the
/// second stage sends a few hundred small planes a frame.
struct Scratch {
    /// The horizontal pass of x and of x², `[h, w-8]` each.
    hx: Vec<f32>,
    hxx: Vec<f32>,
    /// One input row squared, `[w]`.
    squares: Vec<f32>,
    /// The vertical pass of one output row, `[w-8]` each.
    mean: Vec<f32>,
    mean_sq: Vec<f32>,
}

impl Scratch {
    fn new(h: usize, w: usize) -> Scratch {
        let wo = w - (KERNEL - 1);
        Scratch {
            hx: vec![0.0; h * wo],
            hxx: vec![0.0; h * wo],
            squares: vec![0.0; w],
            mean: vec![0.0; wo],
            mean_sq: vec![0.0; wo],
        }
    }
}

/// `lcn_host` of one `h × w` plane into `out` (`(h-8) × (w-8)`).
fn lcn_plane(
    plane: &[f32],
    [h, w]: [usize; 2],
    floor: f32,
    scratch: &mut Scratch,
    out: &mut [f32],
) {
    let wo = w - (KERNEL - 1);
    let g = taps();
    let half = KERNEL / 2;
    let Scratch {
        hx,
        hxx,
        squares,
        mean,
        mean_sq,
    } = scratch;
    // Horizontal pass of x and x², then the vertical pass row by row. Loops run tap by tap
    // over whole rows, so they vectorise.
    for y in 0..h {
        let src = &plane[y * w..(y + 1) * w];
        for (q, v) in squares.iter_mut().zip(src) {
            *q = v * v;
        }
        let (dx, dxx) = (&mut hx[y * wo..][..wo], &mut hxx[y * wo..][..wo]);
        dx.fill(0.0);
        dxx.fill(0.0);
        for (k, &gk) in g.iter().enumerate() {
            for ((d, dd), (v, q)) in dx
                .iter_mut()
                .zip(dxx.iter_mut())
                .zip(src[k..k + wo].iter().zip(&squares[k..k + wo]))
            {
                *d += gk * v;
                *dd += gk * q;
            }
        }
    }
    for (y, out) in out.chunks_exact_mut(wo).enumerate() {
        mean.fill(0.0);
        mean_sq.fill(0.0);
        for (k, &gk) in g.iter().enumerate() {
            let (rx, rxx) = (&hx[(y + k) * wo..][..wo], &hxx[(y + k) * wo..][..wo]);
            for ((m, ms), (a, b)) in mean
                .iter_mut()
                .zip(mean_sq.iter_mut())
                .zip(rx.iter().zip(rxx))
            {
                *m += gk * a;
                *ms += gk * b;
            }
        }
        let centre = &plane[(y + half) * w + half..][..wo];
        for (x, o) in out.iter_mut().enumerate() {
            let spread = (mean_sq[x] - mean[x] * mean[x]).max(0.0).sqrt().max(floor);
            *o = (centre[x] - mean[x]) / spread;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Device;

    fn ramp_face(h: usize, w: usize) -> Vec<f32> {
        // A textured pattern with structure at several scales.
        (0..h * w)
            .map(|i| {
                let (y, x) = ((i / w) as f32, (i % w) as f32);
                0.3 * ((x * 0.7).sin() * (y * 0.4).cos()) + 0.1 * ((x + 2.0 * y) * 0.21).sin()
            })
            .collect()
    }

    #[test]
    fn host_and_tensor_forms_agree() {
        let device = Device::flex();
        let (h, w) = (23, 31);
        let v = ramp_face(h, w);
        let t = Tensor::<4>::from_data(TensorData::new(v.clone(), [1, 1, h, w]), &device);
        let a = lcn(t, FLOOR).into_data().try_into_vec::<f32>().unwrap();
        let b = lcn_host(&v, 1, h, w, FLOOR);
        assert_eq!(a.len(), (h - 8) * (w - 8));
        assert_eq!(a.len(), b.len());
        for (p, q) in a.iter().zip(&b) {
            assert!((p - q).abs() < 1e-3, "{p} vs {q}");
        }
    }

    #[test]
    fn planes_in_one_call_equal_each_plane_alone() {
        // The planes run as parallel tasks: each must come out as it does on its own.
        let (h, w) = (30, 30);
        let planes: Vec<Vec<f32>> = (0..5)
            .map(|p| {
                ramp_face(h, w)
                    .iter()
                    .map(|v| v * (1.0 + p as f32) - 0.1)
                    .collect()
            })
            .collect();
        let together = lcn_host(&planes.concat(), planes.len(), h, w, FLOOR);
        let alone: Vec<f32> = planes
            .iter()
            .flat_map(|p| lcn_host(p, 1, h, w, FLOOR))
            .collect();
        assert_eq!(together, alone);
    }

    #[test]
    fn brightness_and_contrast_cancel_above_the_floor() {
        let (h, w) = (30, 30);
        let v = ramp_face(h, w);
        let base = lcn_host(&v, 1, h, w, FLOOR);
        // ×0.3 contrast and a brightness offset: the same output while spreads stay above FLOOR.
        let dim: Vec<f32> = v.iter().map(|x| 0.3 * x - 0.2).collect();
        let out = lcn_host(&dim, 1, h, w, FLOOR);
        let worst = base
            .iter()
            .zip(&out)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(worst < 0.05, "largest change {worst}");
    }

    #[test]
    fn a_flat_image_maps_to_zero() {
        let out = lcn_host(&[0.2; 20 * 20], 1, 20, 20, FLOOR);
        assert!(out.iter().all(|v| v.abs() < 1e-5));
    }
}
