//! `facecam patches`: derive the compact training set in `assets/patches/` that the in-app
//! retraining fine-tunes on.

use std::path::PathBuf;
use std::process::ExitCode;

use burn::tensor::Device;
use facecam::detect::weights;
use facecam::train::TrainingData;
use facecam::train::bundle::{self, BundleConfig};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The shared data folder (faces/, nonfaces/).
    #[arg(long, default_value = "../shared/data")]
    pub data: PathBuf,
    #[arg(long, default_value = "assets/patches")]
    pub out: PathBuf,
    /// The model whose false positives become the bundle's hard negatives.
    #[arg(long, value_name = "FILE")]
    pub weights: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let data = TrainingData::load(&args.data)?;
    let device = Device::flex();
    let (model, _) = match &args.weights {
        Some(path) => weights::load(path, &device)?,
        None => weights::load_bundled(&device)?,
    };
    let index = bundle::write(&data, &BundleConfig::default(), &args.out, &model, &device)?;
    println!(
        "{} faces, {} held-out faces, {} non-face windows, {} hard negatives, {} scenes written \
         to {}",
        index.faces,
        index.val_faces,
        index.patches,
        index.hard,
        index.scenes.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
