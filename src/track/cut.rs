//! Hard cuts between shots. A track that outlives a cut would hand its id to whichever face
//! of the new shot happens to sit where the old one was, so at a cut every track ends and the
//! next frame is scanned whole.
//!
//! Consecutive frames are compared as small thumbnails normalised to zero mean and unit
//! spread, so a change of light or exposure is not a cut; the best of a few small shifts is
//! taken, so a pan is not one either.

use image::GrayImage;

/// Thumbnail side in cells (the frame is averaged over a `CELLS × CELLS` grid).
const CELLS: usize = 24;
/// Shifts of the thumbnail tried, in cells each way (a pan moves the picture by a few).
const MAX_SHIFT: isize = 2;

/// Finds hard cuts in a stream of frames.
#[derive(Clone, Debug)]
pub struct CutDetector {
    /// Least mean absolute difference of the normalised thumbnails that is a cut.
    pub threshold: f32,
    last: Option<Vec<f32>>,
}

impl Default for CutDetector {
    fn default() -> Self {
        Self {
            threshold: 0.5,
            last: None,
        }
    }
}

impl CutDetector {
    /// Whether `gray` starts a new shot (never for the first frame).
    pub fn is_cut(&mut self, gray: &GrayImage) -> bool {
        self.change(gray) >= self.threshold
    }

    /// How different `gray` looks from the last frame: 0 for the same picture, about 1 for
    /// unrelated ones (the first frame gives 0).
    pub fn change(&mut self, gray: &GrayImage) -> f32 {
        let thumb = thumbnail(gray);
        let change = self
            .last
            .as_ref()
            .map_or(0.0, |last| least_difference(last, &thumb));
        self.last = Some(thumb);
        change
    }
}

/// `gray` averaged over a `CELLS × CELLS` grid, then shifted and scaled to zero mean and unit
/// standard deviation (a flat frame stays all zeros). Shape: [CELLS * CELLS], row-major.
fn thumbnail(gray: &GrayImage) -> Vec<f32> {
    let (w, h) = (gray.width() as usize, gray.height() as usize);
    if w == 0 || h == 0 {
        return vec![0.0; CELLS * CELLS];
    }
    let column_cell: Vec<usize> = (0..w).map(|x| x * CELLS / w).collect();
    let mut sums = vec![0u64; CELLS * CELLS];
    let mut rows_in = [0u64; CELLS];
    for (y, row) in gray.as_raw().chunks_exact(w).enumerate() {
        let cell_row = y * CELLS / h;
        rows_in[cell_row] += 1;
        let sums = &mut sums[cell_row * CELLS..][..CELLS];
        for (&p, &c) in row.iter().zip(&column_cell) {
            sums[c] += p as u64;
        }
    }
    let mut columns_in = [0u64; CELLS];
    for &c in &column_cell {
        columns_in[c] += 1;
    }
    let means: Vec<f32> = sums
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            let n = rows_in[i / CELLS] * columns_in[i % CELLS];
            if n > 0 { s as f32 / n as f32 } else { 0.0 }
        })
        .collect();
    let mean = means.iter().sum::<f32>() / means.len() as f32;
    let var = means.iter().map(|m| (m - mean).powi(2)).sum::<f32>() / means.len() as f32;
    // Below about one grey level of spread the picture is flat: nothing to normalise.
    let scale = if var > 1.0 { var.sqrt().recip() } else { 0.0 };
    means.iter().map(|m| (m - mean) * scale).collect()
}

/// The smallest mean absolute difference between `a` and `b` shifted by up to `MAX_SHIFT`
/// cells each way, over the cells both cover.
fn least_difference(a: &[f32], b: &[f32]) -> f32 {
    let n = CELLS as isize;
    let mut best = f32::INFINITY;
    for dy in -MAX_SHIFT..=MAX_SHIFT {
        for dx in -MAX_SHIFT..=MAX_SHIFT {
            let mut sum = 0.0;
            let mut count = 0;
            for y in 0.max(-dy)..n.min(n - dy) {
                for x in 0.max(-dx)..n.min(n - dx) {
                    let i = (y * n + x) as usize;
                    let j = ((y + dy) * n + x + dx) as usize;
                    sum += (a[i] - b[j]).abs();
                    count += 1;
                }
            }
            best = best.min(sum / count as f32);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::reel::{FRAMES_PER_PHOTO, ReelSource};
    use image::DynamicImage;

    fn gray(tick: usize) -> GrayImage {
        let reel = ReelSource::unpaced().unwrap();
        DynamicImage::ImageRgb8(reel.render(tick)).into_luma8()
    }

    #[test]
    fn the_next_photo_is_a_cut_and_the_first_frame_is_not() {
        let mut cuts = CutDetector::default();
        assert!(!cuts.is_cut(&gray(0)));
        assert!(cuts.is_cut(&gray(FRAMES_PER_PHOTO)));
    }

    #[test]
    fn noise_light_and_a_pan_are_not_cuts() {
        let mut cuts = CutDetector::default();
        let still = gray(10);
        cuts.is_cut(&still);
        // The reel's own camera move, frame to frame.
        assert!(!cuts.is_cut(&gray(11)));
        // Half the light, and noise of ±12 levels.
        let mut dim = still.clone();
        for (i, p) in dim.pixels_mut().enumerate() {
            let noise = (i * 7919 % 25) as f32 - 12.0;
            p.0[0] = (p.0[0] as f32 * 0.5 + noise).clamp(0.0, 255.0) as u8;
        }
        assert!(!cuts.is_cut(&still));
        assert!(!cuts.is_cut(&dim));
        // A pan of 24 px (4 % of the frame) between two frames: the picture moves left, the
        // new strip on the right repeats the edge.
        let (w, h) = (still.width(), still.height());
        let panned = GrayImage::from_fn(w, h, |x, y| *still.get_pixel((x + 24).min(w - 1), y));
        cuts.is_cut(&still);
        let change = cuts.change(&panned);
        assert!(change < cuts.threshold / 2.0, "{change}");
    }

    #[test]
    fn a_flat_frame_after_a_picture_is_a_cut_and_flat_after_flat_is_not() {
        let mut cuts = CutDetector::default();
        let flat = GrayImage::from_pixel(64, 48, image::Luma([90]));
        cuts.is_cut(&gray(0));
        assert!(cuts.is_cut(&flat));
        assert!(!cuts.is_cut(&GrayImage::from_pixel(64, 48, image::Luma([200]))));
    }
}
