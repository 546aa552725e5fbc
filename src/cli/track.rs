//! `facecam track`: the detector and the tracker over every frame of a video, as fast as they
//! run, writing MOTChallenge lines `frame,id,x,y,w,h,score,-1,-1,-1` (frames from 1).
//!
//! The video is a file ffmpeg decodes, a folder of numbered frames, or `--synthetic BOXES`: a clip the tracker's
//! tests also use, made from a box file's annotated photos (pan and zoom, sensor noise, hard
//! cuts), which is then scored against its exact ground truth.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use facecam::atomic::write_atomic;
use facecam::boxes::read_boxes;
use facecam::gray::{image_files, numbered_frames};
use facecam::live::LIVE_MIN_FACE;
use facecam::live::reel::{self, ReelSource};
use facecam::track::clips::{Clip, Effects, with_effects};
use facecam::track::metrics::{IdBox, score};
use facecam::track::{
    CutDetector, FocusConfig, FocusedDetector, TrackedBox, Tracker, TrackerConfig, mot_line,
};
use facecam::video::VideoReader;
use image::{DynamicImage, GrayImage, RgbImage};
use indicatif::{ProgressBar, ProgressStyle};

use super::common::DetectorArgs;

/// The time step when neither the video nor `--fps` gives one.
const DEFAULT_FPS: f32 = 30.0;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub detector: DetectorArgs,
    /// A video file (mp4, webm, avi, …; decoded by ffmpeg) or a folder of numbered frames
    /// (PNG or JPEG, played in number order).
    #[arg(value_name = "VIDEO", required_unless_present_any = ["synthetic", "reel"])]
    pub video: Option<PathBuf>,
    /// Instead of VIDEO: a clip made from the photos of this box file, scored against its
    /// ground truth.
    #[arg(long, value_name = "BOXES", conflicts_with = "video")]
    pub synthetic: Option<PathBuf>,
    /// Instead of VIDEO: the bundled demo reel, all its photos once (6 s each at 30 fps).
    /// It has no ground truth: the report counts tracks and boxes that show for one frame.
    #[arg(long, conflicts_with_all = ["video", "synthetic"])]
    pub reel: bool,
    /// Frames per photo of the synthetic clip.
    #[arg(long, default_value_t = 90)]
    pub frames_each: usize,
    /// Seed of the synthetic clip's camera moves and noise.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// The synthetic clip's camera also rolls back and forth, up to this many degrees.
    #[arg(
        long,
        value_name = "DEG",
        default_value_t = 0.0,
        requires = "synthetic"
    )]
    pub roll: f32,
    /// The synthetic clip's light changes over each shot (gain ×0.45–1.5).
    #[arg(long, requires = "synthetic")]
    pub light: bool,
    /// A grey bar sweeps across each shot of the synthetic clip.
    #[arg(long, requires = "synthetic")]
    pub occluder: bool,
    /// Write the MOTChallenge lines here (default: standard output).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Frame rate (the tracker's time step). Default: the video file's own, else 30.
    #[arg(long)]
    pub fps: Option<f32>,
    /// Per-frame detections (a full scan every frame) linked by overlap alone, without
    /// hysteresis or smoothing: the baseline the tracker is measured against.
    #[arg(long)]
    pub raw: bool,
    /// Scan the whole frame every N frames and only around the tracks in between
    /// (detect-then-track); 1 scans every frame.
    #[arg(long, value_name = "N", default_value_t = FocusConfig::default().full_every)]
    pub full_every: usize,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut detector = args.detector.build()?;
    if args.detector.min_face.is_none() {
        // The live view's default: webcam faces are large.
        let mut cfg = detector.config().clone();
        cfg.pyramid.min_face = cfg.pyramid.min_face.max(LIVE_MIN_FACE);
        detector.set_config(cfg)?;
    }
    // The frames, decoded one at a time as the loop reaches them (a long video never sits
    // in memory), and the truth of a synthetic clip.
    let (mut frames, truth) = match (&args.video, &args.synthetic) {
        (_, Some(boxes)) => {
            let effects = Effects {
                roll_deg: args.roll,
                light: args.light,
                occluder: args.occluder,
            };
            let clip = synthetic_clip(boxes, args.frames_each, args.seed, effects)?;
            (Frames::Rgb(clip.frames.into_iter()), Some(clip.truth))
        }
        (Some(path), None) if path.is_dir() => {
            // Numbered frames in number order; any other folder in name order.
            let files = match numbered_frames(path)? {
                Some(files) => files,
                None => image_files(path)?,
            };
            (Frames::Files(files.into_iter()), None)
        }
        (Some(path), None) => (Frames::Video(VideoReader::open(path, None)?), None),
        (None, None) if args.reel => {
            let reel = ReelSource::unpaced()?;
            let frames = (0..reel::PHOTOS.len() * reel::FRAMES_PER_PHOTO).map(|t| reel.render(t));
            (Frames::Rgb(frames.collect::<Vec<_>>().into_iter()), None)
        }
        (None, None) => {
            anyhow::bail!("name a video, a folder of frames, --reel or --synthetic BOXES")
        }
    };
    let fps = args.fps.unwrap_or(match &frames {
        Frames::Video(v) => v.fps(),
        _ => DEFAULT_FPS,
    });
    let config = if args.raw {
        TrackerConfig::naive()
    } else {
        TrackerConfig::default()
    };
    let mut tracker = Tracker::new(config);
    let mut focused = FocusedDetector::new(
        detector,
        FocusConfig {
            // The baseline scans every frame, as per-frame detection does.
            full_every: if args.raw { 1 } else { args.full_every.max(1) },
            ..FocusConfig::default()
        },
    );
    let bar = match frames.len() {
        Some(n) => ProgressBar::new(n as u64).with_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} frames, {per_sec}, eta {eta}")
                .context("progress template")?,
        ),
        None => ProgressBar::no_length().with_style(
            ProgressStyle::with_template("{spinner} {pos} frames, {per_sec}")
                .context("progress template")?,
        ),
    };
    let dt = 1.0 / fps.max(1.0);
    let mut shown: Vec<Vec<TrackedBox>> = Vec::new();
    let mut detect_ms = Vec::new();
    let mut lines = String::new();
    let mut i = 0u64;
    let mut cuts = CutDetector::default();
    while let Some(gray) = frames.next_gray()? {
        i += 1;
        let started = Instant::now();
        // The naive baseline links boxes across cuts too, as per-frame linking does (and
        // so pays nothing for the check).
        if !args.raw && cuts.is_cut(&gray) {
            tracker.cut();
        }
        let (detections, _) = focused.detect(&gray, &tracker.predicted(dt));
        detect_ms.push(started.elapsed().as_secs_f32() * 1e3);
        let boxes = tracker.update(&detections, dt);
        for b in &boxes {
            lines.push_str(&mot_line(i, b));
            lines.push('\n');
        }
        shown.push(boxes);
        bar.inc(1);
    }
    bar.finish_and_clear();
    anyhow::ensure!(
        i > 0,
        "no frames to track (an empty folder or box file, or --frames-each 0?)"
    );
    match &args.out {
        Some(path) => write_atomic(path, lines.as_bytes())?,
        None => print!("{lines}"),
    }
    detect_ms.sort_by(f32::total_cmp);
    let mean = detect_ms.iter().sum::<f32>() / detect_ms.len() as f32;
    eprintln!(
        "{i} frames at {fps:.2} fps; detector {:.1} ms a frame on average (median {:.1} ms)",
        mean,
        detect_ms[detect_ms.len() / 2]
    );
    if truth.is_none() {
        // No ground truth: how many tracks, and how many boxes blinked on for one frame.
        let mut frames_of: std::collections::HashMap<u64, usize> = Default::default();
        for b in shown.iter().flatten() {
            *frames_of.entry(b.id).or_default() += 1;
        }
        let blinks = frames_of.values().filter(|&&n| n == 1).count();
        let boxes: usize = shown.iter().map(Vec::len).sum();
        eprintln!(
            "{} tracks, {:.2} boxes a frame, {blinks} shown for one frame only ({:.1} a minute)",
            frames_of.len(),
            boxes as f32 / i as f32,
            blinks as f32 / (i as f32 / fps / 60.0)
        );
    }
    if let Some(truth) = truth {
        let hyp: Vec<Vec<IdBox>> = shown
            .iter()
            .map(|f| f.iter().map(IdBox::from).collect())
            .collect();
        let s = score(&truth, &hyp);
        let minutes = i as f32 / fps / 60.0;
        eprintln!(
            "MOTA {:.3}, IDF1 {:.3}, {} id switches, {} FP, {} FN of {} face-frames, jitter {:.2} px RMS, \
             {} single-frame false boxes ({:.1} a minute)",
            s.mota,
            s.idf1,
            s.id_switches,
            s.false_positives,
            s.false_negatives,
            s.gt,
            s.jitter_px,
            s.single_frame_fp,
            s.single_frame_fp as f32 / minutes
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The video's frames, decoded when their turn comes.
enum Frames {
    Files(std::vec::IntoIter<PathBuf>),
    Rgb(std::vec::IntoIter<RgbImage>),
    Video(VideoReader),
}

impl Frames {
    /// How many there are, when that is known before decoding them all.
    fn len(&self) -> Option<usize> {
        match self {
            Frames::Files(f) => Some(f.len()),
            Frames::Rgb(f) => Some(f.len()),
            Frames::Video(_) => None,
        }
    }

    /// The next frame in gray, converted as the live view converts a camera frame.
    fn next_gray(&mut self) -> anyhow::Result<Option<GrayImage>> {
        let rgb = match self {
            Frames::Files(files) => match files.next() {
                Some(path) => return Ok(Some(facecam::gray::load_gray(&path)?)),
                None => None,
            },
            Frames::Rgb(frames) => frames.next(),
            Frames::Video(reader) => reader.next_frame()?,
        };
        Ok(rgb.map(|rgb| DynamicImage::ImageRgb8(rgb).into_luma8()))
    }
}

/// The box file's photos (paths relative to it) as one clip with cuts between them.
fn synthetic_clip(
    boxes: &std::path::Path,
    frames_each: usize,
    seed: u64,
    effects: Effects,
) -> anyhow::Result<Clip> {
    let root = boxes.parent().unwrap_or(std::path::Path::new("."));
    let mut photos = Vec::new();
    for (image, faces) in read_boxes(boxes)? {
        let path = root.join(&image);
        let rgb = image::open(&path)
            .with_context(|| format!("reading {}", path.display()))?
            .into_rgb8();
        photos.push((rgb, faces));
    }
    Ok(with_effects(
        &photos,
        frames_each,
        (640, 480),
        seed,
        effects,
    ))
}
