//! `facecam detect`: boxes for image files, optionally drawn onto copies.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ab_glyph::FontRef;
use facecam::atomic::{write_atomic, write_png};
use facecam::boxes::detection_line;
use facecam::gray::load_gray;
use facecam::{Detection, Error};
use image::{Rgb, RgbImage};
use imageproc::drawing::{draw_hollow_rect_mut, draw_text_mut};
use imageproc::rect::Rect;

use super::common::DetectorArgs;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub detector: DetectorArgs,
    /// Write the detections here instead of to standard output.
    #[arg(long, value_name = "OUT")]
    pub boxes: Option<PathBuf>,
    /// Save a copy of each image with its boxes drawn into this folder.
    #[arg(long, value_name = "DIR")]
    pub draw: Option<PathBuf>,
    /// Print each image's detection time (ms, decoding excluded) to standard error.
    #[arg(long)]
    pub timings: bool,
    /// Images to scan (PNG or JPEG).
    #[arg(required = true, value_name = "IMAGES")]
    pub images: Vec<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let detector = args.detector.build()?;
    let font = FontRef::try_from_slice(epaint_default_fonts::HACK_REGULAR)?;
    let mut lines = String::new();
    let mut failed = 0;
    for path in &args.images {
        let image = match load_gray(path) {
            Ok(img) => img,
            Err(e) => {
                eprintln!("skipped: {e}");
                failed += 1;
                continue;
            }
        };
        let name = path.to_string_lossy();
        let pyramid = &detector.config().pyramid;
        let smallest = pyramid.effective_min_face(image.width(), image.height());
        if smallest > pyramid.min_face {
            eprintln!(
                "{name}: {}×{} is too large to search for {} px faces; looking for {smallest:.0} px \
                 and larger",
                image.width(),
                image.height(),
                pyramid.min_face
            );
        }
        let started = std::time::Instant::now();
        let found = detector.detect(&image);
        if args.timings {
            let ms = started.elapsed().as_secs_f64() * 1e3;
            eprintln!("{name}: {} faces in {ms:.1} ms", found.len());
        }
        for d in &found {
            lines.push_str(&detection_line(&name, d.x, d.y, d.w, d.h, d.score));
            lines.push('\n');
        }
        if let Some(dir) = &args.draw
            && let Err(e) = draw_copy(path, &found, &font, dir)
        {
            // One copy that cannot be drawn or saved loses neither the rest nor the boxes.
            eprintln!("not drawn: {e:#}");
            failed += 1;
        }
        if args.boxes.is_none() {
            std::io::stdout().write_all(lines.as_bytes())?;
            lines.clear();
        }
    }
    if let Some(out) = &args.boxes {
        write_atomic(out, lines.as_bytes())?;
    }
    if failed > 0 {
        eprintln!("{failed} of {} images could not be read", args.images.len());
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

/// Saves `dir/<stem>.png`: the image in colour with a box and its score per detection.
fn draw_copy(path: &Path, found: &[Detection], font: &FontRef, dir: &Path) -> anyhow::Result<()> {
    let mut img = image::open(path)
        .map_err(|cause| Error::Image {
            path: path.to_path_buf(),
            cause,
        })?
        .into_rgb8();
    for d in found {
        draw_box(&mut img, d, Rgb([0, 255, 0]));
        let label = format!("{:.1}", d.score);
        let (x, y) = (d.x.round() as i32, d.y.round() as i32 - 14);
        draw_text_mut(&mut img, Rgb([0, 255, 0]), x, y.max(0), 13.0, font, &label);
    }
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let out = dir.join(format!("{stem}.png"));
    write_png(&out, img)?;
    Ok(())
}

/// A 2-pixel hollow rectangle (imageproc clips it to the image).
fn draw_box(img: &mut RgbImage, d: &Detection, colour: Rgb<u8>) {
    let (x, y) = (d.x.round() as i32, d.y.round() as i32);
    let (w, h) = (d.w.round().max(3.0) as u32, d.h.round().max(3.0) as u32);
    draw_hollow_rect_mut(img, Rect::at(x, y).of_size(w, h), colour);
    draw_hollow_rect_mut(img, Rect::at(x + 1, y + 1).of_size(w - 2, h - 2), colour);
}
