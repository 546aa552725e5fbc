//! `facecam mining-sim`: the scripted check of in-app hard-negative mining (see
//! `facecam::negatives::simulate`): marks, one retraining round, figures before and after.

use std::path::PathBuf;
use std::process::ExitCode;

use facecam::BackendKind;
use facecam::negatives::simulate::{SimConfig, run as simulate};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The shared data folder.
    #[arg(long, default_value = "../shared/data")]
    pub data: PathBuf,
    /// Scratch folder for the simulated user's store and the composite scenes: a new or empty
    /// folder, or one an earlier run made (any other is refused).
    #[arg(long, default_value = "out/mining-sim")]
    pub work: PathBuf,
    #[arg(long, default_value_t = 50)]
    pub max_marks: usize,
    #[arg(long, default_value_t = BackendKind::default())]
    pub backend: BackendKind,
    /// Override the round's epochs, learning rate, copies of each mark, copies of each face.
    #[arg(long)]
    pub epochs: Option<usize>,
    #[arg(long)]
    pub lr: Option<f64>,
    #[arg(long)]
    pub user_copies: Option<usize>,
    #[arg(long)]
    pub face_copies: Option<usize>,
    #[arg(long)]
    pub negative_ratio: Option<f32>,
    #[arg(long)]
    pub seed: Option<u64>,
    /// Leading convolutions of the second stage the round leaves fixed (0: fine-tune all;
    /// at most 3, conv4 always trains).
    #[arg(long)]
    pub frozen_layers: Option<usize>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut cfg = SimConfig {
        max_marks: args.max_marks,
        ..SimConfig::default()
    };
    let r = &mut cfg.retrain;
    r.epochs = args.epochs.unwrap_or(r.epochs);
    r.learning_rate = args.lr.unwrap_or(r.learning_rate);
    r.user_copies = args.user_copies.unwrap_or(r.user_copies);
    r.face_copies = args.face_copies.unwrap_or(r.face_copies);
    r.negative_ratio = args.negative_ratio.unwrap_or(r.negative_ratio);
    r.seed = args.seed.unwrap_or(r.seed);
    r.frozen_layers = args.frozen_layers.unwrap_or(r.frozen_layers);
    let r = simulate(&args.data, &args.work, &cfg, &args.backend.device()?)?;
    println!("{}", serde_json::to_string_pretty(&r)?);
    println!(
        "marked {} boxes on {} face-free frames; on {} other face-free frames false positives \
         {} → {}; detection rate on {} faces ({} scenes) {:.1} % → {:.1} %; round took {:.1} s; {}",
        r.marks,
        r.marked_frames,
        r.other_frames,
        r.other_fp_before,
        r.other_fp_after,
        r.faces,
        r.face_scenes,
        r.detection_rate_before * 100.0,
        r.detection_rate_after * 100.0,
        r.retrain_seconds,
        r.gate.verdict
    );
    Ok(ExitCode::SUCCESS)
}
