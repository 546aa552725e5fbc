//! The one bilinear resampler for 8-bit images, gray (`C = 1`: the pyramid, scene shrinking)
//! or RGB (`C = 3`: the demo reel's pans, stills fitted to the view), plus the 2×2 box halving
//! that keeps it from aliasing when shrinking by more than 2.
//!
//! Integer arithmetic with 8-bit weights, taps computed once per call, and each source row
//! filtered horizontally once: the image crate's generic resize was a third of a frame's
//! time in a probe.

/// A rectangle in source pixels (fractional: the reel's pan moves by fractions of a pixel).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl Rect {
    /// The whole of a `width × height` image.
    pub fn full(width: u32, height: u32) -> Rect {
        Rect {
            x: 0.0,
            y: 0.0,
            w: width as f32,
            h: height as f32,
        }
    }

    /// Linear interpolation between two rectangles, `t` in [0, 1].
    pub fn lerp(a: Rect, b: Rect, t: f32) -> Rect {
        let m = |p: f32, q: f32| p + (q - p) * t;
        Rect {
            x: m(a.x, b.x),
            y: m(a.y, b.y),
            w: m(a.w, b.w),
            h: m(a.h, b.h),
        }
    }

    /// The largest rectangle of aspect `w : h` centred in a `width × height` image.
    pub fn cover(width: u32, height: u32, aspect: f32) -> Rect {
        let (iw, ih) = (width as f32, height as f32);
        let (w, h) = if iw / ih > aspect {
            (ih * aspect, ih)
        } else {
            (iw, iw / aspect)
        };
        Rect {
            x: (iw - w) / 2.0,
            y: (ih - h) / 2.0,
            w,
            h,
        }
    }
}

/// One output column's (or row's) two source taps and the weight of the second.
#[derive(Clone, Copy)]
struct Tap {
    i0: usize,
    i1: usize,
    w1: u32, // in 1/256
}

/// Taps for `dst_len` outputs over `extent` source pixels from `start`, pixel centres lined
/// up (output centre `d + 0.5` samples the source at `start + (d + 0.5) · extent / dst_len`).
fn taps(src_len: usize, start: f32, extent: f32, dst_len: usize) -> Vec<Tap> {
    let ratio = extent / dst_len as f32;
    let last = src_len - 1;
    (0..dst_len)
        .map(|d| {
            let s = (start + (d as f32 + 0.5) * ratio - 0.5).clamp(0.0, last as f32);
            let i0 = (s.floor() as usize).min(last);
            let i1 = (i0 + 1).min(last);
            let w1 = ((s - i0 as f32) * 256.0).round().clamp(0.0, 256.0) as u32;
            Tap { i0, i1, w1 }
        })
        .collect()
}

/// Bilinear resample of `area` of `src` (`sw × sh` pixels of `C` interleaved channels) to
/// `w × h`. Meant for factors between 0.5 and 2, where bilinear does not alias; halve first
/// for larger reductions.
pub fn bilinear<const C: usize>(
    src: &[u8],
    (sw, sh): (u32, u32),
    area: Rect,
    (w, h): (u32, u32),
) -> Vec<u8> {
    let (sw, sh, w, h) = (sw as usize, sh as usize, w as usize, h as usize);
    assert!(
        sw > 0 && sh > 0 && src.len() == sw * sh * C,
        "source {sw}×{sh}×{C}"
    );
    let xt = taps(sw, area.x, area.w, w);
    let yt = taps(sh, area.y, area.h, h);
    let mut out = vec![0u8; w * h * C];
    // Two horizontally filtered source rows (in 1/256), reused while the taps stay on them.
    let mut row0 = vec![0u32; w * C];
    let mut row1 = vec![0u32; w * C];
    let horizontal = |y: usize, dst: &mut [u32]| {
        let r = &src[y * sw * C..(y + 1) * sw * C];
        if C == 1 {
            // The pyramid's case, kept as a flat loop: the per-channel one is 20 % slower.
            for (d, t) in dst.iter_mut().zip(&xt) {
                *d = r[t.i0] as u32 * (256 - t.w1) + r[t.i1] as u32 * t.w1;
            }
            return;
        }
        for (d, t) in dst.chunks_exact_mut(C).zip(&xt) {
            let (a, b) = (&r[t.i0 * C..t.i0 * C + C], &r[t.i1 * C..t.i1 * C + C]);
            for ((d, &a), &b) in d.iter_mut().zip(a).zip(b) {
                *d = a as u32 * (256 - t.w1) + b as u32 * t.w1;
            }
        }
    };
    let mut cached = (usize::MAX, usize::MAX);
    for (y, t) in yt.iter().enumerate() {
        if cached != (t.i0, t.i1) {
            if cached.1 == t.i0 {
                std::mem::swap(&mut row0, &mut row1);
            } else {
                horizontal(t.i0, &mut row0);
            }
            horizontal(t.i1, &mut row1);
            cached = (t.i0, t.i1);
        }
        let o = &mut out[y * w * C..(y + 1) * w * C];
        for ((o, a), b) in o.iter_mut().zip(&row0).zip(&row1) {
            *o = ((a * (256 - t.w1) + b * t.w1 + (1 << 15)) >> 16) as u8;
        }
    }
    out
}

/// Halves both sides of an `sw × sh` image of `C` channels with a 2×2 box filter (an
/// anti-aliased octave step); returns the pixels and the new size.
pub fn halve<const C: usize>(src: &[u8], (sw, sh): (u32, u32)) -> (Vec<u8>, (u32, u32)) {
    let (w, h) = (sw / 2, sh / 2);
    let (sw, wu) = (sw as usize, w as usize);
    let mut out = vec![0u8; wu * h as usize * C];
    for (y, row) in out
        .chunks_exact_mut((wu * C).max(1))
        .enumerate()
        .take(h as usize)
    {
        let r0 = &src[2 * y * sw * C..];
        let r1 = &src[(2 * y + 1) * sw * C..];
        for (x, px) in row.chunks_exact_mut(C).enumerate() {
            for (c, o) in px.iter_mut().enumerate() {
                let (a, b) = ((2 * x) * C + c, (2 * x + 1) * C + c);
                let sum = r0[a] as u16 + r0[b] as u16 + r1[a] as u16 + r1[b] as u16;
                *o = ((sum + 2) / 4) as u8;
            }
        }
    }
    (out, (w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halving_averages_blocks_in_every_channel() {
        let gray = [0, 4, 8, 8, 4, 0, 8, 8];
        assert_eq!(halve::<1>(&gray, (4, 2)), (vec![2, 8], (2, 1)));
        // Two RGB pixels per row, two rows: one output pixel per channel mean.
        let rgb = [0, 10, 200, 4, 10, 100, 8, 30, 0, 4, 30, 100];
        assert_eq!(halve::<3>(&rgb, (2, 2)), (vec![4, 20, 100], (1, 1)));
    }

    #[test]
    fn gray_and_colour_agree_channel_by_channel() {
        // The RGB image is three gray images side by side in its channels.
        let (sw, sh) = (17u32, 11u32);
        let plane = |k: u32| -> Vec<u8> {
            (0..sw * sh)
                .map(|i| ((i * (7 + k) + k * 40) % 251) as u8)
                .collect()
        };
        let planes: Vec<Vec<u8>> = (0..3).map(plane).collect();
        let rgb: Vec<u8> = (0..(sw * sh) as usize)
            .flat_map(|i| planes.iter().map(move |p| p[i]))
            .collect();
        let area = Rect {
            x: 1.5,
            y: 0.25,
            w: 12.0,
            h: 9.5,
        };
        let out = bilinear::<3>(&rgb, (sw, sh), area, (9, 7));
        for (c, p) in planes.iter().enumerate() {
            let gray = bilinear::<1>(p, (sw, sh), area, (9, 7));
            let channel: Vec<u8> = out.iter().skip(c).step_by(3).copied().collect();
            assert_eq!(channel, gray, "channel {c}");
        }
        // The whole image at its own size is the identity.
        assert_eq!(
            bilinear::<3>(&rgb, (sw, sh), Rect::full(sw, sh), (sw, sh)),
            rgb
        );
    }
}
