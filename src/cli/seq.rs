//! `facecam seq train`: train a recurrent classifier on the temporal-order task and report
//! its test accuracy (the tab and the bundled sequence models build on this).

use std::process::ExitCode;
use std::str::FromStr;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use facecam::BackendKind;
use facecam::seq::cells::CellKind;
use facecam::seq::tasks::Level;
use facecam::seq::train::{OrderTrainConfig, evaluate, train_order};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: SeqCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum SeqCommand {
    /// Train on the temporal-order task (Hochreiter & Schmidhuber 1997, exp. 6a).
    Train(TrainArgs),
}

#[derive(clap::Args, Debug)]
pub struct TrainArgs {
    /// rnn, lstm or gru.
    #[arg(long, default_value = "lstm", value_parser = parse_cell)]
    pub cell: CellKind,
    /// easy, normal, moderate, hard or nightmare.
    #[arg(long, default_value = "normal", value_parser = parse_level)]
    pub level: Level,
    #[arg(long, default_value_t = 16)]
    pub hidden: usize,
    #[arg(long, default_value_t = 2000)]
    pub steps: usize,
    #[arg(long, default_value_t = 32)]
    pub batch: usize,
    #[arg(long, default_value_t = 1e-2)]
    pub lr: f64,
    /// Gradient-norm clipping (0 = off).
    #[arg(long, default_value_t = 1.0)]
    pub clip: f32,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Climb the levels from easy to `--level`, an equal share of the steps each.
    #[arg(long)]
    pub curriculum: bool,
    #[arg(long, default_value_t = BackendKind::default())]
    pub backend: BackendKind,
}

fn parse_cell(s: &str) -> Result<CellKind, String> {
    match s.to_ascii_lowercase().as_str() {
        "rnn" => Ok(CellKind::Rnn),
        "lstm" => Ok(CellKind::Lstm),
        "gru" => Ok(CellKind::Gru),
        other => Err(format!("unknown cell {other:?} (rnn, lstm or gru)")),
    }
}

fn parse_level(s: &str) -> Result<Level, String> {
    Level::from_str(s)
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let SeqCommand::Train(a) = args.command;
    let device = a.backend.device()?;
    let cfg = OrderTrainConfig {
        kind: a.cell,
        level: a.level,
        hidden: a.hidden,
        steps: a.steps,
        batch: a.batch,
        learning_rate: a.lr,
        clip: (a.clip > 0.0).then_some(a.clip),
        seed: a.seed,
        curriculum: a.curriculum,
        ..OrderTrainConfig::default()
    };
    let started = Instant::now();
    let (mut loss, mut acc) = (0.0, 0.0);
    let model = train_order(
        &cfg,
        &device,
        &mut |s| {
            loss += s.loss;
            acc += s.accuracy;
            if (s.step + 1) % 100 == 0 {
                eprintln!(
                    // Sums over 100 steps: the accuracy sum of 100 fractions reads as a percentage.
                    "step {:>6}: loss {:.3}, batch accuracy {:.1} %",
                    s.step + 1,
                    loss / 100.0,
                    acc
                );
                (loss, acc) = (0.0, 0.0);
            }
        },
        &AtomicBool::new(false),
    )?;
    let test = evaluate(&model, a.level, 2000, a.seed ^ 0x7e57, &device);
    println!(
        "{:?} {:?} hidden {} seed {}: test accuracy {:.1} % on 2000 fresh sequences ({:.0} s)",
        a.cell,
        a.level,
        a.hidden,
        a.seed,
        test * 100.0,
        started.elapsed().as_secs_f32()
    );
    Ok(ExitCode::SUCCESS)
}
