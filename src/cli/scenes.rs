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
    /// Number of scenes.
    #[arg(long, default_value_t = 40)]
    pub count: usize,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let data = TrainingData::load(&args.data, None)?;
    let cfg = CompositeConfig {
        seed: args.seed,
        scenes: args.count,
        ..CompositeConfig::default()
    };
    let faces = compose(&data, &cfg, &args.out)?;
    println!(
        "{} scenes with {faces} faces written to {}",
        args.count,
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
