//! `facecam fp-rate`: false positives per million windows on the held-out face-free images,
//! by kind (photos, text/graphics, textures).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use facecam::fp_rate::false_positives_by_kind;
use facecam::train::TrainingData;

use super::common::DetectorArgs;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub detector: DetectorArgs,
    /// The shared data folder (its held-out face-free scenes are scanned).
    #[arg(long, default_value = "../shared/data")]
    pub data: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let detector = args.detector.build()?;
    let data = TrainingData::load(&args.data)
        .with_context(|| format!("loading {}", args.data.display()))?;
    let cfg = detector.config();
    println!(
        "held-out face-free images, min face {} px, threshold {}:",
        cfg.pyramid.min_face, cfg.threshold
    );
    println!("kind        images   windows   fired  per million  boxes/image");
    for t in false_positives_by_kind(&detector, &data.val_scenes) {
        println!(
            "{:<10} {:>7} {:>9} {:>7} {:>12.2} {:>12.3}",
            format!("{:?}", t.kind),
            t.images,
            t.windows,
            t.windows_fired,
            t.per_million(),
            t.boxes_per_image()
        );
    }
    Ok(ExitCode::SUCCESS)
}
