//! `facecam train`: train from the shared data, write weights + JSON sidecar.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use anyhow::Context;
use facecam::BackendKind;
use facecam::detect::SecondStageConfig;
use facecam::detect::weights::{self, ModelMeta};
use facecam::negatives;
use facecam::train::data::SYNTHETIC_PAGES;
use facecam::train::{TrainConfig, TrainEvent, TrainingData, train};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The shared data folder (faces/, nonfaces/).
    #[arg(long, default_value = "../shared/data")]
    pub data: PathBuf,
    /// Where to write the weights (a `.json` sidecar goes beside them).
    #[arg(long, default_value = "models/face.bpk")]
    pub out: PathBuf,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Bootstrapping rounds after the first training pass.
    #[arg(long)]
    pub rounds: Option<usize>,
    /// Epochs of the first pass.
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Epochs after each bootstrapping round.
    #[arg(long)]
    pub round_epochs: Option<usize>,
    /// User-marked hard negatives: the app's negative store (e.g.
    /// ~/.local/share/facecam/negatives), or any folder of image crops (read recursively).
    #[arg(long, value_name = "DIR")]
    pub negatives: Option<PathBuf>,
    /// Start from these weights instead of from scratch (fine-tuning).
    #[arg(long, value_name = "FILE")]
    pub init: Option<PathBuf>,
    #[arg(long, default_value_t = BackendKind::default())]
    pub backend: BackendKind,
    /// Widths of conv1, conv2, conv3 (from scratch only).
    #[arg(long, value_delimiter = ',', value_name = "C1,C2,C3")]
    pub channels: Option<Vec<usize>>,
    /// Face-free scenes scanned per bootstrapping round (0 = all).
    #[arg(long)]
    pub scenes_per_round: Option<usize>,
    /// LCN's floor, the spread below which a neighbourhood is not amplified, of the net being
    /// trained: a new net, or with `--second-stage` the new stage (default: `lcn::FLOOR`, ≈ 6
    /// grey levels, for a new net; the first stage's for a second stage). A trained net's is
    /// fixed.
    #[arg(long, value_name = "SPREAD", allow_hyphen_values = true)]
    pub lcn_floor: Option<f32>,
    /// Smallest face size the bootstrapping scan looks for, pixels.
    #[arg(long)]
    pub mining_min_face: Option<f32>,
    /// Train a cascade's second stage of these widths on top of `--init`'s net, which stays
    /// fixed (the first bootstrapping round mines what the first stage lets through).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "C1,C2,C3",
        requires = "init"
    )]
    pub second_stage: Option<Vec<usize>>,
    /// First-stage logit a window needs to reach the second stage.
    #[arg(long, default_value_t = -2.0, allow_hyphen_values = true)]
    pub gate: f32,
    /// Largest share of an epoch's negatives drawn from the mined pool.
    #[arg(long)]
    pub hard_share: Option<f32>,
    /// Synthetic face-free pages (text, symbols, line art) added to the scenes.
    #[arg(long, default_value_t = SYNTHETIC_PAGES)]
    pub synthetic_pages: usize,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let device = args.backend.device()?;
    let mut cfg = TrainConfig {
        seed: args.seed,
        ..TrainConfig::default()
    };
    if let Some(v) = args.rounds {
        cfg.rounds = v;
    }
    if let Some(v) = args.epochs {
        cfg.epochs = v;
    }
    if let Some(v) = args.round_epochs {
        cfg.round_epochs = v;
    }
    if let Some(c) = &args.channels {
        let [a, b, c] = c[..] else {
            anyhow::bail!("--channels takes three widths, e.g. 8,16,32");
        };
        cfg.net.channels = [a, b, c];
    }
    if let Some(v) = args.lcn_floor {
        anyhow::ensure!(
            args.init.is_none() || args.second_stage.is_some(),
            "--lcn-floor applies to a new net or a new --second-stage; --init's net keeps the floor it was trained with"
        );
        if args.init.is_none() {
            cfg.net.lcn_floor = Some(v);
            cfg.net.validate()?;
        }
    }
    if let Some(v) = args.scenes_per_round {
        cfg.mining.scenes_per_round = v;
    }
    if let Some(v) = args.mining_min_face {
        cfg.mining.detector.pyramid.min_face = v;
    }
    if let Some(v) = args.hard_share {
        cfg.hard_share = v;
    }
    let (init, mut meta) = match &args.init {
        Some(p) => {
            let (mut m, mut meta) = weights::load(p, &device)?;
            if let Some(c) = &args.second_stage {
                let [a, b, c] = c[..] else {
                    anyhow::bail!("--second-stage takes three widths, e.g. 16,32,64");
                };
                anyhow::ensure!(args.gate.is_finite(), "--gate must be a number");
                let second = SecondStageConfig {
                    channels: [a, b, c],
                    gate: args.gate,
                    // Arbitration is an inference choice, set in the sidecar after training.
                    mirror: false,
                    peaks_only: false,
                    lcn_floor: args.lcn_floor,
                    members: 1,
                };
                meta.net.second = Some(second);
                meta.net.validate()?;
                m = m.with_second_stage(second, &device);
                if args.epochs.is_none() {
                    cfg.epochs = 0; // mine the first stage's false positives before training
                }
            }
            cfg.net = meta.net.clone();
            (Some(m), meta)
        }
        None => (None, ModelMeta::default()),
    };
    // The data last: a bad setting or weights file fails before minutes of loading.
    let user_negatives = match &args.negatives {
        Some(dir) => negatives::windows_in(dir)
            .with_context(|| format!("loading negatives from {}", dir.display()))?,
        None => Vec::new(),
    };
    let data = TrainingData::load(&args.data)
        .with_context(|| format!("loading training data from {}", args.data.display()))?
        .with_user_negatives(user_negatives)
        .with_synthetic_pages(args.synthetic_pages);
    log::info!("data: {:?}", data.summary());
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut on_event = |e: TrainEvent| {
        match e {
        TrainEvent::EpochStart {
            round,
            epoch,
            batches,
        } => {
            bar.reset();
            bar.set_length(batches as u64);
            bar.set_prefix(format!("round {round} epoch {epoch}"));
        }
        TrainEvent::Batch { loss } => {
            bar.inc(1);
            bar.set_message(format!("loss {loss:.4}"));
        }
        TrainEvent::EpochEnd(s) => bar.suspend(|| eprintln!(
            "round {} epoch {}: train loss {:.4} | val loss {:.4} acc {:.2}% face recall {:.2}% fp rate {:.3}%",
            s.round,
            s.epoch,
            s.train_loss,
            s.val.loss,
            100.0 * s.val.accuracy,
            100.0 * s.val.face_recall,
            100.0 * s.val.false_positive_rate
        )),
        TrainEvent::Mining {
            round,
            scenes_done,
            scenes,
        } => {
            if scenes_done == 1 {
                bar.reset();
                bar.set_length(scenes as u64);
                bar.set_prefix(format!("round {round} mining"));
            }
            bar.set_position(scenes_done as u64);
        }
        TrainEvent::Mined { round, found, pool } => bar.suspend(|| {
            eprintln!("round {round}: mined {found} false positives (pool {pool})")
        }),
    }
    };
    let never = AtomicBool::new(false);
    let (model, report) = train(&data, &cfg, &device, init, &mut on_event, &never)?;
    bar.finish_and_clear();
    meta.net = cfg.net.clone();
    meta.training = serde_json::to_value(&report)?;
    weights::save(&model, &meta, &args.out)?;
    println!(
        "trained in {:.0} s; weights written to {} (+ {})",
        report.seconds,
        args.out.display(),
        weights::meta_path(&args.out).display()
    );
    Ok(ExitCode::SUCCESS)
}
