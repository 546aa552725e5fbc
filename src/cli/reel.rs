//! `facecam reel`: derive the bundled demo reel (`assets/reel/`) from the shared photos.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use facecam::atomic::write_atomic;
use facecam::live::reel::PHOTOS;
use facecam::live::resample::fit_within;
use image::codecs::jpeg::JpegEncoder;

/// The photos of the reel, relative to the photos folder, in playing order: groups and single
/// faces at sizes a 640×480 webcam would see, all under MIT licences (see assets/README.md).
const SOURCES: [&str; PHOTOS.len()] = [
    "ultralight/9.jpg",
    "ultralight/2.jpg",
    "facenet_pytorch/multiface.jpg",
    "face_api/sample4.jpg",
    "ultralight/19.jpg",
    "ultralight/23.jpg",
];
/// Stored a little larger than a frame, so the reel's 1.3× zoom stays sharp.
const STORED_SIZE: (u32, u32) = (1024, 768);
const JPEG_QUALITY: u8 = 85;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The shared photos folder.
    #[arg(long, default_value = "../shared/data/photos")]
    pub photos: PathBuf,
    /// Where to write reel-1.jpg … (the folder the binary embeds).
    #[arg(long, default_value = "assets/reel")]
    pub out: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    for (source, (name, _)) in SOURCES.iter().zip(PHOTOS) {
        let path = args.photos.join(source);
        let img = image::open(&path)
            .with_context(|| format!("reading {}", path.display()))?
            .into_rgb8();
        let img = fit_within(img, STORED_SIZE.0, STORED_SIZE.1);
        let mut jpeg = Vec::new();
        JpegEncoder::new_with_quality(&mut jpeg, JPEG_QUALITY)
            .encode_image(&img)
            .with_context(|| format!("encoding {name}"))?;
        let out = args.out.join(name);
        write_atomic(&out, &jpeg)?;
        println!(
            "{} ← {source} ({}×{}, {} KB)",
            out.display(),
            img.width(),
            img.height(),
            jpeg.len() / 1024
        );
    }
    println!("rebuild (`cargo build --release`) to embed the new reel");
    Ok(ExitCode::SUCCESS)
}
