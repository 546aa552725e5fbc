//! Grayscale images: loading, and the octave-then-bilinear resizing the pyramid and the
//! trainer need (on `crate::resample`, the one resampler).

use std::path::Path;

use image::GrayImage;

use crate::error::{Error, Result};
use crate::resample::{self, Rect};

/// Whether `path` names an image file this crate reads (PNG or JPEG, by extension).
pub fn is_image_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "png" | "jpg" | "jpeg"))
}

/// Image files directly inside `dir`, sorted by name (so runs are reproducible).
pub fn image_files(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| is_image_file(p))
        .collect();
    files.sort();
    Ok(files)
}

/// The images in `dir` if it holds numbered frames — at least two, every name ending in a
/// number (`frame_0001.png`, `12.jpg`) — in number order (so `2.png` comes before `10.png`);
/// `None` for any other folder.
pub fn numbered_frames(dir: &Path) -> Result<Option<Vec<std::path::PathBuf>>> {
    let files = image_files(dir)?;
    let numbered: Option<Vec<(u64, std::path::PathBuf)>> = files
        .into_iter()
        .map(|p| frame_number(&p).map(|n| (n, p)))
        .collect();
    Ok(numbered.filter(|v| v.len() >= 2).map(|mut v| {
        v.sort();
        v.into_iter().map(|(_, p)| p).collect()
    }))
}

/// The number a file's stem ends with: `frame_0012.png` → 12.
fn frame_number(path: &Path) -> Option<u64> {
    let stem = path.file_stem()?.to_str()?;
    let digits = stem.len() - stem.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    stem[stem.len() - digits..].parse().ok()
}

/// Reads any supported image file (PNG, JPEG) as 8-bit grayscale.
pub fn load_gray(path: &Path) -> Result<GrayImage> {
    let img = image::open(path).map_err(|cause| Error::Image {
        path: path.to_path_buf(),
        cause,
    })?;
    Ok(img.into_luma8())
}

/// Decodes PNG or JPEG `bytes` as 8-bit grayscale; `name` labels them in errors.
pub fn decode_gray(bytes: &[u8], name: &Path) -> Result<GrayImage> {
    let img = image::load_from_memory(bytes).map_err(|cause| Error::Image {
        path: name.to_path_buf(),
        cause,
    })?;
    Ok(img.into_luma8())
}

/// Halves both sides with a 2×2 box filter (an anti-aliased octave step).
pub fn halve(src: &GrayImage) -> GrayImage {
    let (pixels, (w, h)) = resample::halve::<1>(src.as_raw(), src.dimensions());
    GrayImage::from_raw(w, h, pixels).expect("halve sizes its output")
}

/// Bilinear resize to `w`×`h`. Meant for factors between 0.5 and 2, where bilinear does not
/// alias; the pyramid halves first for larger reductions.
pub fn resize_bilinear(src: &GrayImage, w: u32, h: u32) -> GrayImage {
    let full = Rect::full(src.width(), src.height());
    let pixels = resample::bilinear::<1>(src.as_raw(), src.dimensions(), full, (w, h));
    GrayImage::from_raw(w, h, pixels).expect("bilinear sizes its output")
}

/// The image and its repeated 2×2 halvings, while a halving is still at least
/// `min_width`×`min_height`: sources from which any smaller size is at most a 2× bilinear step.
pub fn octaves(image: GrayImage, min_width: u32, min_height: u32) -> Vec<GrayImage> {
    let mut out = vec![image];
    while let Some(last) = out.last() {
        if last.width() / 2 < min_width.max(1) || last.height() / 2 < min_height.max(1) {
            break;
        }
        let next = halve(last);
        out.push(next);
    }
    out
}

/// Resamples to `w`×`h` from the smallest of `octaves` (see [`octaves`]) that is at least as
/// large — so bilinear never shrinks by more than 2 — or from the first when none is.
pub fn from_octaves(octaves: &[GrayImage], w: u32, h: u32) -> GrayImage {
    let src = octaves
        .iter()
        .rev()
        .find(|o| o.width() >= w && o.height() >= h)
        .unwrap_or(&octaves[0]);
    if src.width() == w && src.height() == h {
        src.clone()
    } else {
        resize_bilinear(src, w, h)
    }
}

/// Resizes by any factor: halves while the target is at most half the size, then bilinear.
pub fn resize(src: &GrayImage, w: u32, h: u32) -> GrayImage {
    from_octaves(&octaves(src.clone(), w, h), w, h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_frames_come_in_number_order_and_other_folders_are_not_frames() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["f10.png", "f2.png", "f1.png"] {
            GrayImage::new(2, 2).save(dir.path().join(name)).unwrap();
        }
        let names: Vec<_> = numbered_frames(dir.path())
            .unwrap()
            .unwrap()
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["f1.png", "f2.png", "f10.png"]);
        GrayImage::new(2, 2)
            .save(dir.path().join("cover.png"))
            .unwrap();
        assert!(numbered_frames(dir.path()).unwrap().is_none());
    }

    #[test]
    fn halve_averages_blocks() {
        let img = GrayImage::from_raw(4, 2, vec![0, 4, 8, 8, 4, 0, 8, 8]).unwrap();
        let h = halve(&img);
        assert_eq!((h.width(), h.height()), (2, 1));
        assert_eq!(h.as_raw(), &vec![2, 8]);
    }

    #[test]
    fn bilinear_keeps_a_constant_image_constant_and_a_ramp_monotone() {
        let flat = GrayImage::from_pixel(17, 9, image::Luma([77]));
        let r = resize_bilinear(&flat, 11, 6);
        assert!(r.pixels().all(|p| p.0[0] == 77));
        let ramp = GrayImage::from_fn(40, 3, |x, _| image::Luma([(x * 6) as u8]));
        let r = resize(&ramp, 13, 1);
        let row: Vec<u8> = r.pixels().map(|p| p.0[0]).collect();
        assert!(row.windows(2).all(|w| w[0] <= w[1]), "{row:?}");
    }
}
