//! Valid 2-D convolution, pooling and ReLU on host buffers: the CPU inference path of
//! `FaceNet` (training keeps Burn's layers, which also give the gradients).
//!
//! Burn's CPU convolution lowers every layer to NHWC + im2col + GEMM. With this net's few
//! channels (1 → 8 → 16 → 32, reduction length c_in·9 ≤ 144) the conversion and packing
//! cost more than the multiply-adds: in a profile of a 640×480 frame at min face 40, conv2
//! (8 → 16) alone took 20 ms of 46. Here a block of 8 or 12 output channels × `LANES`
//! neighbouring pixels stays in registers while every input channel and tap is added in, so
//! each input value loaded feeds 8 or 12 multiply-adds and nothing is copied first. On a CPU
//! with AVX2 and FMA (chosen at run time) each multiply-add is one fused instruction.
//!
//! Every output value is the same sum in the same order (input channel, then kernel row,
//! then kernel column; bias last), whichever pixel it is and whichever path computes it (a
//! full chunk, the overlapping last chunk of a row, or one pixel at a time on narrow maps),
//! on any one machine. So a lone 30×30 patch and the same window inside a whole pyramid level
//! still agree.

/// Neighbouring output pixels computed together: one AVX register or two SSE ones.
const LANES: usize = 8;
/// Output channels computed together: 12 × 8 sums fill 12 of AVX2's 16 registers, leaving
/// room for the pixels and a weight. The second stage's widths (24, 48, 96) are multiples
/// of 12; the first stage's (8, 16, 32) of `BLOCK`; a layer of neither (conv4, one channel)
/// runs one channel at a time. Wider blocks load each input value fewer times per
/// multiply-add: going from 4 to 8 and 12 cut a frame's time by a tenth and the second
/// stage's by about 40 % (README, "Measured").
const WIDE_BLOCK: usize = 12;
const BLOCK: usize = 8;

use rayon::prelude::*;

/// Shape of a host buffer, `[N, C, H, W]`, row-major.
pub type Dims = [usize; 4];

/// Valid convolution with a square `k`×`k` kernel and stride 1:
/// `x` `[N, c_in, H, W]`, `weight` `[c_out, c_in, k, k]`, `bias` `[c_out]` →
/// `[N, c_out, H−k+1, W−k+1]`. `None` for kernel sizes it has no code for (the net uses 2, 3
/// and 4) or inputs smaller than the kernel. Panics if a buffer's length does not match its
/// shape (a caller's bug).
pub fn conv(
    x: &[f32],
    dims: Dims,
    weight: &[f32],
    bias: &[f32],
    k: usize,
) -> Option<(Vec<f32>, Dims)> {
    match k {
        2 => conv_k::<2>(x, dims, weight, bias),
        3 => conv_k::<3>(x, dims, weight, bias),
        4 => conv_k::<4>(x, dims, weight, bias),
        _ => None,
    }
}

/// `conv` for one kernel size. Images × blocks of output channels run as parallel tasks, so
/// a large level's wider layers (2–4 blocks) and a batch of windows spread across cores.
fn conv_k<const K: usize>(
    x: &[f32],
    dims: Dims,
    weight: &[f32],
    bias: &[f32],
) -> Option<(Vec<f32>, Dims)> {
    let [n, c_in, h, w] = dims;
    let c_out = bias.len();
    assert_eq!(x.len(), n * c_in * h * w, "input length against its shape");
    assert_eq!(
        weight.len(),
        c_out * c_in * K * K,
        "weight length against the bias"
    );
    if h < K || w < K {
        return None;
    }
    // Whole blocks where the widths allow (every layer but the last, c_out = 1).
    let out = if c_out.is_multiple_of(WIDE_BLOCK) {
        conv_in_blocks::<K, WIDE_BLOCK>(x, dims, weight, bias)
    } else if c_out.is_multiple_of(BLOCK) {
        conv_in_blocks::<K, BLOCK>(x, dims, weight, bias)
    } else {
        conv_in_blocks::<K, 1>(x, dims, weight, bias)
    };
    Some((out, [n, c_out, h + 1 - K, w + 1 - K]))
}

/// `conv_k` with the output channels in blocks of `B` (`c_out` a multiple of it).
fn conv_in_blocks<const K: usize, const B: usize>(
    x: &[f32],
    [n, c_in, h, w]: Dims,
    weight: &[f32],
    bias: &[f32],
) -> Vec<f32> {
    let c_out = bias.len();
    let (ho, wo) = (h + 1 - K, w + 1 - K);
    let taps = c_in * K * K;
    // Tap-major weights, `[c_out / B][c_in·K·K][B]`: the B weights one input value meets sit
    // together. Built once here, shared by every image's tasks.
    let mut by_tap = vec![[0.0f32; B]; c_out / B * taps];
    for (co, filter) in weight.chunks_exact(taps).enumerate() {
        let block = &mut by_tap[co / B * taps..][..taps];
        for (tap, &v) in block.iter_mut().zip(filter) {
            tap[co % B] = v;
        }
    }
    let mut out = vec![0.0f32; n * c_out * ho * wo];
    out.par_chunks_mut(B * ho * wo)
        .enumerate()
        .for_each(|(task, out)| {
            let (image, first) = (task * B / c_out, task * B % c_out);
            let input = Input {
                image: &x[image * c_in * h * w..][..c_in * h * w],
                h,
                w,
            };
            let by_tap = &by_tap[first / B * taps..][..taps];
            channel_block::<K, B>(&input, by_tap, &bias[first..][..B], out);
        });
    out
}

/// `B` output channels of one image: `by_tap` their tap-major weights `[c_in·K·K][B]`, `out`
/// `[B, ho, wo]`.
fn channel_block<const K: usize, const B: usize>(
    input: &Input,
    by_tap: &[[f32; B]],
    bias: &[f32],
    out: &mut [f32],
) {
    #[cfg(target_arch = "x86_64")]
    if fused() {
        // SAFETY: `fused` has just found AVX2 and FMA on this CPU, all the callee requires.
        return unsafe { channel_block_avx2::<K, B>(input, by_tap, bias, out) };
    }
    channel_block_any_cpu::<K, B, false>(input, by_tap, bias, out)
}

/// Whether this CPU runs the fused (AVX2 + FMA) code: each multiply-add rounded once.
#[cfg_attr(not(any(test, target_arch = "x86_64")), allow(dead_code))]
fn fused() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// `channel_block` compiled for AVX2 and FMA: twice the lanes of the SSE2 baseline a default
/// build targets, and one fused multiply-add where the baseline needs a multiply and an add
/// (the arithmetic is the bottleneck). The same order of sums, each rounded once instead of
/// twice, so results differ from the portable code's in the last bits; within one machine
/// every path of it still gives the same bits for the same window.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn channel_block_avx2<const K: usize, const B: usize>(
    input: &Input,
    by_tap: &[[f32; B]],
    bias: &[f32],
    out: &mut [f32],
) {
    channel_block_any_cpu::<K, B, true>(input, by_tap, bias, out)
}

/// One image's input planes, `[c_in, h, w]`.
struct Input<'a> {
    image: &'a [f32],
    h: usize,
    w: usize,
}

/// `channel_block` in code any CPU runs; inlined into the AVX2 copy. `FUSED`: each
/// multiply-add as one `mul_add` (fast only where the CPU has the instruction).
#[inline(always)]
fn channel_block_any_cpu<const K: usize, const B: usize, const FUSED: bool>(
    input: &Input,
    by_tap: &[[f32; B]],
    bias: &[f32],
    out: &mut [f32],
) {
    let (ho, wo) = (input.h + 1 - K, input.w + 1 - K);
    let plane = ho * wo;
    for i in 0..ho {
        let row = i * wo;
        if wo >= LANES {
            // Chunks of LANES pixels; the last one overlaps its neighbour instead of
            // leaving a tail, and writes the same values where they overlap.
            let mut j = 0;
            loop {
                let start = j.min(wo - LANES);
                let acc = chunk::<K, B, LANES, FUSED>(input, by_tap, i, start);
                store(out, plane, row + start, &acc, bias);
                if start == wo - LANES {
                    break;
                }
                j += LANES;
            }
        } else {
            for j in 0..wo {
                let acc = chunk::<K, B, 1, FUSED>(input, by_tap, i, j);
                store(out, plane, row + j, &acc, bias);
            }
        }
    }
}

/// Writes `acc + bias` for `B` channels × `L` pixels at offset `at` of each channel's plane
/// (`plane` values apart) in `out`.
#[inline(always)]
fn store<const B: usize, const L: usize>(
    out: &mut [f32],
    plane: usize,
    at: usize,
    acc: &[[f32; L]; B],
    bias: &[f32],
) {
    for ((acc, &bias), out) in acc.iter().zip(bias).zip(out.chunks_exact_mut(plane)) {
        for (o, a) in out[at..][..L].iter_mut().zip(acc) {
            *o = a + bias;
        }
    }
}

/// Sums for `B` channels × `L` pixels of output row `i` from column `j`, bias not added.
#[inline(always)]
fn chunk<const K: usize, const B: usize, const L: usize, const FUSED: bool>(
    input: &Input,
    by_tap: &[[f32; B]],
    i: usize,
    j: usize,
) -> [[f32; L]; B] {
    let mut acc = [[0.0f32; L]; B];
    let planes = input.image.chunks_exact(input.h * input.w);
    for (plane, by_tap) in planes.zip(by_tap.chunks_exact(K * K)) {
        for (kh, by_tap) in by_tap.chunks_exact(K).enumerate() {
            let row = &plane[(i + kh) * input.w + j..][..L + K - 1];
            for (kw, weights) in by_tap.iter().enumerate() {
                let pixels = &row[kw..kw + L];
                for (acc, &weight) in acc.iter_mut().zip(weights) {
                    for (a, &p) in acc.iter_mut().zip(pixels) {
                        *a = if FUSED {
                            weight.mul_add(p, *a)
                        } else {
                            *a + weight * p
                        };
                    }
                }
            }
        }
    }
    acc
}

/// `relu(max_pool_2x2(x))` in one pass (max and ReLU commute); odd trailing rows and columns
/// are dropped, as a pooling layer does. `[N, C, H, W]` → `[N, C, H/2, W/2]`. Planes run as
/// parallel tasks (a batch of second-stage windows has thousands).
pub fn pool_relu(x: &[f32], [n, c, h, w]: Dims) -> (Vec<f32>, Dims) {
    assert_eq!(x.len(), n * c * h * w, "input length against its shape");
    let (h2, w2) = (h / 2, w / 2);
    let mut out = vec![0.0f32; n * c * h2 * w2];
    if h2 * w2 > 0 {
        x.par_chunks_exact(h * w)
            .zip(out.par_chunks_exact_mut(h2 * w2))
            .for_each(|(plane, out)| {
                for (i, out) in out.chunks_exact_mut(w2).enumerate() {
                    let top = &plane[2 * i * w..][..2 * w2];
                    let bottom = &plane[(2 * i + 1) * w..][..2 * w2];
                    let pooled = top.chunks_exact(2).zip(bottom.chunks_exact(2));
                    for (o, (a, b)) in out.iter_mut().zip(pooled) {
                        *o = a[0].max(a[1]).max(b[0].max(b[1])).max(0.0);
                    }
                }
            });
    }
    (out, [n, c, h2, w2])
}

/// ReLU in place.
pub fn relu(x: &mut [f32]) {
    for v in x {
        *v = v.max(0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition, one output at a time, summed in the documented order (input channel,
    /// kernel row, kernel column; bias last) and rounded as this CPU's fast code rounds
    /// (`fused`), so the fast paths must match it bit for bit.
    fn reference(
        x: &[f32],
        [n, c_in, h, w]: Dims,
        weight: &[f32],
        bias: &[f32],
        k: usize,
    ) -> Vec<f32> {
        let c_out = bias.len();
        let (ho, wo) = (h + 1 - k, w + 1 - k);
        let mut out = Vec::new();
        for b in 0..n {
            for co in 0..c_out {
                for i in 0..ho {
                    for j in 0..wo {
                        let mut sum = 0.0;
                        for ci in 0..c_in {
                            for kh in 0..k {
                                for kw in 0..k {
                                    let wv = weight[((co * c_in + ci) * k + kh) * k + kw];
                                    let xv = x[((b * c_in + ci) * h + i + kh) * w + j + kw];
                                    sum = if fused() {
                                        wv.mul_add(xv, sum)
                                    } else {
                                        sum + wv * xv
                                    };
                                }
                            }
                        }
                        out.push(sum + bias[co]);
                    }
                }
            }
        }
        out
    }

    fn values(len: usize, salt: usize) -> Vec<f32> {
        (0..len)
            .map(|i| ((i * 7919 + salt * 104_729) % 1000) as f32 / 500.0 - 1.0)
            .collect()
    }

    #[test]
    fn matches_the_definition_for_every_kernel_width_and_channel_count() {
        // Widths below, at and above LANES, a row that is not a multiple of it, channel counts
        // with and without a partial block, a batch of two.
        for k in [2, 3, 4] {
            for (c_in, c_out) in [(1, 8), (3, 5), (8, 1), (2, 12), (2, 24), (3, 16)] {
                for (h, w) in [(k, k), (7, 9), (12, 8 + k - 1), (11, 23)] {
                    let dims = [2, c_in, h, w];
                    let x = values(2 * c_in * h * w, 1);
                    let weight = values(c_out * c_in * k * k, 2);
                    let bias = values(c_out, 3);
                    let (got, got_dims) = conv(&x, dims, &weight, &bias, k).expect("supported");
                    assert_eq!(got_dims, [2, c_out, h + 1 - k, w + 1 - k]);
                    let want = reference(&x, dims, &weight, &bias, k);
                    assert_eq!(got, want, "k {k}, {c_in}→{c_out}, {h}×{w}");
                }
            }
        }
    }

    #[test]
    fn a_window_sums_bit_identically_wherever_its_row_puts_it() {
        // The right-hand part of a 5×17 input read as an image of its own: its outputs fall
        // in other lanes, other chunks, the overlapping last chunk or (narrower than LANES)
        // the one-pixel path, and must still be bit-identical, or a patch and a score map
        // would disagree. Twelve and 24 channels run in blocks of 12, eight in one block of
        // eight, five one at a time.
        let (c_in, k, h, w) = (2, 3, 5, 17);
        let (ho, wo) = (h + 1 - k, w + 1 - k);
        let wide = values(c_in * h * w, 4);
        for c_out in [24, 12, 8, 5] {
            let weight = values(c_out * c_in * k * k, 5);
            let bias = values(c_out, 6);
            let (a, _) = conv(&wide, [1, c_in, h, w], &weight, &bias, k).expect("supported");
            for from in [1, 3, 4, 9, 12] {
                let narrow: Vec<f32> = wide
                    .chunks_exact(w)
                    .flat_map(|row| row[from..].to_vec())
                    .collect();
                let cols = wo - from;
                let (b, _) =
                    conv(&narrow, [1, c_in, h, w - from], &weight, &bias, k).expect("supported");
                for co in 0..c_out {
                    for i in 0..ho {
                        assert_eq!(
                            &a[(co * ho + i) * wo + from..][..cols],
                            &b[(co * ho + i) * cols..][..cols],
                            "{c_out} channels, from {from}, channel {co}, row {i}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_portable_code_fused_gives_the_bits_the_dispatched_code_gives() {
        // On a machine with AVX2 and FMA `channel_block` runs the fused AVX2 copy; the portable
        // code, fused likewise (`mul_add` is exact everywhere, only slower without the
        // instruction), must agree with it exactly. Unfused, it rounds twice per step: close.
        let (c_in, h, w) = (3, 9, 21);
        let image = values(c_in * h * w, 7);
        let input = Input {
            image: &image,
            h,
            w,
        };
        // Tap-major weights, `[c_in·9][BLOCK]`.
        let by_tap: Vec<[f32; BLOCK]> = values(BLOCK * c_in * 9, 8)
            .chunks_exact(BLOCK)
            .map(|tap| tap.try_into().expect("BLOCK weights a tap"))
            .collect();
        let bias = values(BLOCK, 9);
        let plane = (h - 2) * (w - 2);
        let (mut fast, mut portable) = (vec![0.0; BLOCK * plane], vec![0.0; BLOCK * plane]);
        channel_block::<3, BLOCK>(&input, &by_tap, &bias, &mut fast);
        let mut unfused = vec![0.0; BLOCK * plane];
        channel_block_any_cpu::<3, BLOCK, true>(&input, &by_tap, &bias, &mut portable);
        channel_block_any_cpu::<3, BLOCK, false>(&input, &by_tap, &bias, &mut unfused);
        assert_eq!(&fast, if fused() { &portable } else { &unfused });
        assert!(fast.iter().any(|&v| v != 0.0));
        for (a, b) in portable.iter().zip(&unfused) {
            assert!((a - b).abs() <= 1e-5 * (1.0 + a.abs()), "{a} against {b}");
        }
    }

    #[test]
    fn kernels_it_has_no_code_for_or_inputs_too_small_are_declined() {
        let x = values(25, 1);
        assert!(conv(&x, [1, 1, 5, 5], &values(25, 2), &[0.0], 5).is_none());
        assert!(conv(&x[..4], [1, 1, 2, 2], &values(9, 2), &[0.0], 3).is_none());
    }

    #[test]
    fn pooling_planes_together_equals_each_plane_alone() {
        let (planes, h, w) = (6, 7, 9);
        let x = values(planes * h * w, 11);
        let (together, dims) = pool_relu(&x, [2, 3, h, w]);
        assert_eq!(dims, [2, 3, 3, 4]);
        let alone: Vec<f32> = x
            .chunks_exact(h * w)
            .flat_map(|plane| pool_relu(plane, [1, 1, h, w]).0)
            .collect();
        assert_eq!(together, alone);
        assert!(together.iter().any(|&v| v > 0.0));
    }

    #[test]
    fn pooling_takes_the_largest_of_four_and_clips_below_zero() {
        let x = [
            1.0, -2.0, 5.0, 0.5, -3.0, -1.0, -4.0, 2.0, 9.0, 9.0, 9.0, 9.0,
        ];
        let (out, dims) = pool_relu(&x, [1, 1, 3, 4]);
        assert_eq!(dims, [1, 1, 1, 2]);
        assert_eq!(out, vec![1.0, 5.0]);
        let (out, _) = pool_relu(&[-1.0, -2.0, -3.0, -4.0], [1, 1, 2, 2]);
        assert_eq!(out, vec![0.0]);
    }
}
