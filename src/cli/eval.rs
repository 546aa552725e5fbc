//! `facecam eval`: run the detector over a box file's images and score it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use facecam::atomic::write_atomic;
use facecam::boxes::{self, ScoredBox, detection_line};
use facecam::eval::evaluate;
use facecam::gray::load_gray;

use super::common::DetectorArgs;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub detector: DetectorArgs,
    /// Ground-truth box file (`image x y w h`).
    #[arg(long = "boxes", value_name = "GT")]
    pub gt: PathBuf,
    /// Don't-care regions: detections centred inside count neither way.
    #[arg(long, value_name = "FILE")]
    pub ignore: Option<PathBuf>,
    /// All images of the set, face-free ones included (one path a line).
    #[arg(long, value_name = "LIST")]
    pub images: Option<PathBuf>,
    /// Folder the image paths are relative to. Default: the box file's folder.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Also write the detections (for faceeval.py or plotting).
    #[arg(long, value_name = "FILE")]
    pub dets_out: Option<PathBuf>,
    /// Label for the output keys.
    #[arg(long, default_value = "facecam")]
    pub label: String,
}

/// Default logit threshold of `eval`: low, so the detection rates at up to 167 false
/// positives are reachable.
const EVAL_THRESHOLD: f32 = -1.0;

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let gt = boxes::read_boxes(&args.gt)?;
    let ignore = match &args.ignore {
        Some(p) => boxes::read_boxes(p)?,
        None => Default::default(),
    };
    let mut images: BTreeSet<String> = gt.keys().cloned().collect();
    if let Some(list) = &args.images {
        images.extend(boxes::read_image_list(list)?);
    }
    let root = args
        .root
        .clone()
        .unwrap_or_else(|| args.gt.parent().unwrap_or(Path::new(".")).to_path_buf());
    // Trace the ROC curve well below the model's operating point unless told otherwise.
    let mut detector_args = args.detector.clone();
    detector_args.threshold = detector_args.threshold.or(Some(EVAL_THRESHOLD));
    let detector = detector_args.build()?;
    let mut dets = Vec::new();
    let mut failed = 0;
    for name in &images {
        let image = match load_gray(&root.join(name)) {
            Ok(img) => img,
            Err(e) => {
                eprintln!("skipped: {e}");
                failed += 1;
                continue;
            }
        };
        for d in detector.detect(&image) {
            dets.push(ScoredBox {
                image: name.clone(),
                rect: boxes::BoxF {
                    x: d.x as f64,
                    y: d.y as f64,
                    w: d.w as f64,
                    h: d.h as f64,
                },
                score: d.score as f64,
            });
        }
    }
    if let Some(out) = &args.dets_out {
        let text: String = dets
            .iter()
            .map(|d| {
                let r = d.rect;
                detection_line(
                    &d.image,
                    r.x as f32,
                    r.y as f32,
                    r.w as f32,
                    r.h as f32,
                    d.score as f32,
                ) + "\n"
            })
            .collect();
        write_atomic(out, text.as_bytes())?;
    }
    // `detection_line` prints each f32 exactly (shortest round trip), so faceeval.py reading
    // the file sees the very numbers scored here.
    let report = evaluate(&dets, &gt, &ignore, &images);
    for line in report.lines(&args.label) {
        println!("{line}");
    }
    if failed > 0 {
        eprintln!("{failed} images could not be read and count as having no detections");
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}
