//! `facecam scenes`: build composite validation scenes from held-out data.

use std::path::PathBuf;
use std::process::ExitCode;

use facecam::scenes::{CompositeConfig, compose};
use facecam::train::TrainingData;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The shared data folder (faces/, nonfaces/).
    #[arg(long, default_value = "../shared/data")]
    pub data: PathBuf,
    /// Output folder for scene_NNN.png, boxes.txt and images.txt.
    #[arg(long, default_value = "out/composite")]
    pub out: PathBuf,
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Number of scenes (default 40, or 80 with --hard).
    #[arg(long)]
    pub count: Option<usize>,
    /// Hard pages: text, graphics, clutter and texture backgrounds, 16–48 px faces, a
    /// scan-like degradation (the dev benchmark that tracks scanned real photos).
    #[arg(long)]
    pub hard: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let data = TrainingData::load(&args.data, None)?;
    let mut cfg = if args.hard {
        CompositeConfig::hard(args.seed)
    } else {
        CompositeConfig {
            seed: args.seed,
            ..CompositeConfig::default()
        }
    };
    if let Some(n) = args.count {
        cfg.scenes = n;
    }
    let faces = compose(&data, &cfg, &args.out)?;
    println!(
        "{} scenes with {faces} faces written to {}",
        cfg.scenes,
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
