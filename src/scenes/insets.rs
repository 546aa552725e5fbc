//! Inset pages: real annotated photos, shrunk until their faces are 16–40 px and printed on
//! held-out text and graphics pages, the whole page then given the hard pages' scan look.
//!
//! The hard pages (`compose` with `hard`) paste held-out crops of the very sources the model
//! trains on, framed as it was trained, onto backgrounds; a detector trained elsewhere reads
//! them as far harder than scanned photos (OpenCV's Haar cascades find a third to a half of
//! their faces, against eight or nine in ten on the held-out benchmark). Here each face keeps
//! everything a real photo gives it — hair, hats, bodies, crowds, lighting, pose — and only
//! the print and the scan are simulated, as in a newspaper page. With dlib's photos the pages
//! order the detectors as the held-out benchmark does; how well a set of pages predicts it
//! still depends on its photos (README, "Which dev benchmark predicts the held-out one").
//!
//! Faces a photo's box file lists that end up under the smallest size, and the photo's own
//! don't-care regions (`ignore.txt`, as WIDER has), go to the pages' `ignore.txt`, so the
//! scorer counts detections there neither way.

use std::ops::RangeInclusive;
use std::path::Path;

use image::GrayImage;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use super::degrade_page;
use crate::atomic::{write_atomic, write_png};
use crate::boxes::{BoxF, read_boxes};
use crate::error::{Error, Result};
use crate::gray::{from_octaves, load_gray, octaves, resize_bilinear};

/// A photo whose every face is boxed (`boxes.txt`), with its don't-care regions.
pub struct AnnotatedPhoto {
    pub image: GrayImage,
    pub faces: Vec<BoxF>,
    pub ignore: Vec<BoxF>,
}

/// How the inset pages are made.
#[derive(Clone, Debug)]
pub struct InsetConfig {
    pub seed: u64,
    /// Pages per photo, each at its own scale, on its own background, with its own scan look.
    pub copies: usize,
    /// The photo's median face is shrunk to a side drawn from this range (pixels); photos
    /// are never enlarged.
    pub face_size: RangeInclusive<f32>,
    /// Faces that end up smaller than this (pixels) are don't-care regions.
    pub min_face: f32,
}

impl Default for InsetConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            copies: 3,
            face_size: 16.0..=40.0,
            min_face: 16.0,
        }
    }
}

/// What `compose_insets` wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InsetSummary {
    pub pages: usize,
    pub faces: usize,
    pub ignored: usize,
}

/// Reads every image `dir/boxes.txt` names, with its boxes and, where `dir/ignore.txt`
/// exists, its don't-care regions. An image the box file names that cannot be read is an
/// error naming it: a benchmark silently missing photos would read easier than it is.
pub fn load_annotated(dir: &Path) -> Result<Vec<AnnotatedPhoto>> {
    let faces = read_boxes(&dir.join("boxes.txt"))?;
    let ignore_path = dir.join("ignore.txt");
    let mut ignore = if ignore_path.is_file() {
        read_boxes(&ignore_path)?
    } else {
        Default::default()
    };
    faces
        .into_iter()
        .map(|(name, faces)| {
            Ok(AnnotatedPhoto {
                image: load_gray(&dir.join(&name))?,
                ignore: ignore.remove(&name).unwrap_or_default(),
                faces,
            })
        })
        .collect()
}

/// Writes `out/page_NNN.png`, `out/boxes.txt`, `out/ignore.txt` and `out/images.txt`:
/// `cfg.copies` pages per photo, each on a background drawn from `backgrounds`.
pub fn compose_insets(
    photos: &[AnnotatedPhoto],
    backgrounds: &[&GrayImage],
    cfg: &InsetConfig,
    out: &Path,
) -> Result<InsetSummary> {
    if photos.is_empty() || backgrounds.is_empty() {
        return Err(Error::NoData(
            "inset pages need annotated photos and background pages".into(),
        ));
    }
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    let (mut boxes, mut ignore, mut images) = (String::new(), String::new(), String::new());
    let mut summary = InsetSummary {
        pages: 0,
        faces: 0,
        ignored: 0,
    };
    for _ in 0..cfg.copies {
        for photo in photos.iter().filter(|p| !p.faces.is_empty()) {
            let background = backgrounds[rng.random_range(0..backgrounds.len())];
            let page = inset_page(photo, background, cfg, &mut rng);
            let name = format!("page_{:03}.png", summary.pages);
            write_png(&out.join(&name), degrade_page(page.image, &mut rng)?)?;
            images.push_str(&format!("{name}\n"));
            for b in &page.faces {
                boxes.push_str(&box_line(&name, b));
            }
            for b in &page.ignore {
                ignore.push_str(&box_line(&name, b));
            }
            summary.pages += 1;
            summary.faces += page.faces.len();
            summary.ignored += page.ignore.len();
        }
    }
    write_atomic(&out.join("boxes.txt"), boxes.as_bytes())?;
    write_atomic(&out.join("ignore.txt"), ignore.as_bytes())?;
    write_atomic(&out.join("images.txt"), images.as_bytes())?;
    Ok(summary)
}

/// One page before its scan look, with its boxes in page pixels.
struct InsetPage {
    image: GrayImage,
    faces: Vec<BoxF>,
    ignore: Vec<BoxF>,
}

/// Shrinks `photo` so its median face (by its longer side) is `cfg.face_size` wide and prints
/// it somewhere on `background`, enlarged to hold it with a margin where it is too small.
fn inset_page(
    photo: &AnnotatedPhoto,
    background: &GrayImage,
    cfg: &InsetConfig,
    rng: &mut StdRng,
) -> InsetPage {
    let mut sides: Vec<f64> = photo.faces.iter().map(|b| b.w.max(b.h)).collect();
    sides.sort_by(f64::total_cmp);
    let median = sides[sides.len() / 2];
    let scale = (rng.random_range(cfg.face_size.clone()) as f64 / median).min(1.0);
    let (w, h) = (
        ((photo.image.width() as f64 * scale).round() as u32).max(1),
        ((photo.image.height() as f64 * scale).round() as u32).max(1),
    );
    // Halvings first, so bilinear never shrinks by more than 2 (it would alias).
    let inset = from_octaves(&octaves(photo.image.clone(), w, h), w, h);
    let page_w = background.width().max(w + rng.random_range(20..=120));
    let page_h = background.height().max(h + rng.random_range(20..=120));
    let mut page = if background.dimensions() == (page_w, page_h) {
        background.clone()
    } else {
        resize_bilinear(background, page_w, page_h)
    };
    let (ox, oy) = (
        rng.random_range(0..=page_w - w),
        rng.random_range(0..=page_h - h),
    );
    image::imageops::replace(&mut page, &inset, ox as i64, oy as i64);
    let place = |b: &BoxF| BoxF {
        x: ox as f64 + b.x * scale,
        y: oy as f64 + b.y * scale,
        w: b.w * scale,
        h: b.h * scale,
    };
    let (faces, small): (Vec<BoxF>, Vec<BoxF>) = photo
        .faces
        .iter()
        .map(place)
        .partition(|b| b.w.max(b.h) >= cfg.min_face as f64);
    let ignore = small
        .into_iter()
        .chain(photo.ignore.iter().map(place))
        .collect();
    InsetPage {
        image: page,
        faces,
        ignore,
    }
}

fn box_line(image: &str, b: &BoxF) -> String {
    format!("{image} {:.1} {:.1} {:.1} {:.1}\n", b.x, b.y, b.w, b.h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boxes::read_image_list;

    /// A 400×300 photo with an 80 px face box, a 20 px one and a don't-care region.
    fn photo() -> AnnotatedPhoto {
        let image = GrayImage::from_fn(400, 300, |x, y| {
            image::Luma([((x * 7 + y * 3) % 256) as u8])
        });
        let b = |x, y, s| BoxF { x, y, w: s, h: s };
        AnnotatedPhoto {
            image,
            faces: vec![
                b(100.0, 60.0, 80.0),
                b(300.0, 200.0, 20.0),
                b(20.0, 20.0, 80.0),
            ],
            ignore: vec![b(250.0, 20.0, 10.0)],
        }
    }

    #[test]
    fn faces_are_shrunk_into_range_and_small_ones_are_dont_care() {
        let dir = tempfile::tempdir().expect("temp dir");
        let background = GrayImage::from_pixel(320, 240, image::Luma([230]));
        let cfg = InsetConfig {
            copies: 4,
            ..InsetConfig::default()
        };
        let summary =
            compose_insets(&[photo()], &[&background], &cfg, dir.path()).expect("pages written");
        assert_eq!(summary.pages, 4);
        // The median face is 80 px, shrunk to 16–40 px: the two 80 px faces stay, the 20 px
        // one falls to 4–10 px and joins the photo's own don't-care region.
        assert_eq!((summary.faces, summary.ignored), (8, 8));
        let faces = read_boxes(&dir.path().join("boxes.txt")).expect("boxes");
        let images = read_image_list(&dir.path().join("images.txt")).expect("list");
        assert_eq!(images.len(), 4);
        for (name, boxes) in &faces {
            let page = load_gray(&dir.path().join(name)).expect("page");
            // The background is enlarged to hold the inset (400 × ≤ 0.5 = ≤ 200 px wide).
            assert!(page.width() >= 320 && page.height() >= 240);
            for b in boxes {
                assert!((16.0..=40.0 + 1e-6).contains(&b.w), "{b:?}");
                assert!(b.x >= 0.0 && b.y >= 0.0);
                assert!(b.x + b.w <= page.width() as f64 && b.y + b.h <= page.height() as f64);
            }
        }
        let ignored = read_boxes(&dir.path().join("ignore.txt")).expect("ignore");
        assert!(ignored.values().flatten().all(|b| b.w < 16.0));
    }

    #[test]
    fn the_same_seed_writes_the_same_pages() {
        let background = GrayImage::from_pixel(200, 150, image::Luma([200]));
        let write = |seed| {
            let dir = tempfile::tempdir().expect("temp dir");
            let cfg = InsetConfig {
                seed,
                ..InsetConfig::default()
            };
            compose_insets(&[photo()], &[&background], &cfg, dir.path()).expect("pages");
            let boxes = std::fs::read(dir.path().join("boxes.txt")).expect("boxes");
            let page = std::fs::read(dir.path().join("page_000.png")).expect("page");
            (boxes, page)
        };
        assert_eq!(write(3), write(3));
        assert_ne!(write(3).0, write(4).0);
    }

    #[test]
    fn a_missing_box_file_or_photo_is_a_clear_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let err = load_annotated(dir.path()).err().expect("no boxes.txt");
        assert!(err.to_string().contains("boxes.txt"), "{err}");
        std::fs::write(dir.path().join("boxes.txt"), "gone.jpg 1 2 30 30\n").expect("write");
        let err = load_annotated(dir.path()).err().expect("no photo");
        assert!(err.to_string().contains("gone.jpg"), "{err}");
    }

    #[test]
    fn photos_and_their_dont_care_regions_load_together() {
        let dir = tempfile::tempdir().expect("temp dir");
        photo().image.save(dir.path().join("a.png")).expect("save");
        std::fs::write(
            dir.path().join("boxes.txt"),
            "a.png 10 10 40 40\na.png 60 10 40 40\n",
        )
        .expect("write");
        std::fs::write(dir.path().join("ignore.txt"), "a.png 0 0 5 5\n").expect("write");
        let photos = load_annotated(dir.path()).expect("loads");
        assert_eq!(photos.len(), 1);
        assert_eq!((photos[0].faces.len(), photos[0].ignore.len()), (2, 1));
        assert_eq!(photos[0].image.dimensions(), (400, 300));
    }
}
