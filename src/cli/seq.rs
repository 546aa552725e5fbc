//! `facecam seq train DEMO` trains one sequence demo's model, prints its figures and (with
//! `--out`) saves it with a sidecar; `facecam seq eval` re-measures weight files (by default
//! the bundled ones in `models/seq`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use anyhow::Context;
use facecam::BackendKind;
use facecam::seq::cells::CellKind;
use facecam::seq::echo::{EchoConfig, train_echo};
use facecam::seq::memnet::{MemNetTrainConfig, Task, train_memnet};
use facecam::seq::scorecard::{Figure, score};
use facecam::seq::seq2seq::{Seq2SeqTrainConfig, train_seq2seq};
use facecam::seq::tasks::Level;
use facecam::seq::train::{OrderTrainConfig, StepStats, train_order};
use facecam::seq::weights::{self, SeqArch, SeqMeta, SeqModel};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: SeqCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum SeqCommand {
    /// Train one demo's model from scratch and print its test figures.
    Train {
        #[command(subcommand)]
        demo: Demo,
    },
    /// Re-measure weight files (default: every bundled model in models/seq).
    Eval {
        /// `.bpk` files with their `.json` sidecars.
        files: Vec<PathBuf>,
        #[arg(long, default_value_t = BackendKind::default())]
        backend: BackendKind,
    },
}

#[derive(clap::Subcommand, Debug)]
pub enum Demo {
    /// Temporal order (Hochreiter & Schmidhuber 1997, exp. 6a): RNN, LSTM or GRU.
    Order(OrderArgs),
    /// Echo the input `--delay` steps late, trained with truncated BPTT in `--chunk` steps.
    Echo(EchoArgs),
    /// Reverse digit strings with an encoder–decoder, with or without attention.
    Seq2seq(Seq2seqArgs),
    /// A memory network answering questions about generated stories.
    Memnet(MemnetArgs),
}

/// What every demo's training takes.
#[derive(clap::Args, Debug)]
pub struct Common {
    /// Optimizer steps (default: the demo's own).
    #[arg(long)]
    pub steps: Option<usize>,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Learning rate (default: the demo's own).
    #[arg(long)]
    pub lr: Option<f64>,
    /// Save the model here (a `.bpk` and its `.json` sidecar), e.g. models/seq/echo-lstm.bpk.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[arg(long, default_value_t = BackendKind::default())]
    pub backend: BackendKind,
}

#[derive(clap::Args, Debug)]
pub struct OrderArgs {
    /// rnn, lstm or gru.
    #[arg(long, default_value = "lstm", value_parser = CellKind::from_str)]
    pub cell: CellKind,
    /// easy, normal, moderate, hard or nightmare.
    #[arg(long, default_value = "normal", value_parser = Level::from_str)]
    pub level: Level,
    #[arg(long, default_value_t = 16)]
    pub hidden: usize,
    #[arg(long, default_value_t = 32)]
    pub batch: usize,
    /// Gradient-norm clipping (0 = off).
    #[arg(long, default_value_t = 1.0)]
    pub clip: f32,
    /// Climb the levels from easy to `--level`, an equal share of the steps each.
    #[arg(long)]
    pub curriculum: bool,
    #[command(flatten)]
    pub common: Common,
}

#[derive(clap::Args, Debug)]
pub struct EchoArgs {
    #[arg(long, default_value = "lstm", value_parser = CellKind::from_str)]
    pub cell: CellKind,
    #[arg(long, default_value_t = 3)]
    pub delay: usize,
    /// Truncated-BPTT length: gradients flow back this many steps.
    #[arg(long, default_value_t = 20)]
    pub chunk: usize,
    #[arg(long, default_value_t = 16)]
    pub hidden: usize,
    #[command(flatten)]
    pub common: Common,
}

#[derive(clap::Args, Debug)]
pub struct Seq2seqArgs {
    /// The bottleneck model: the decoder sees only the encoder's last state.
    #[arg(long)]
    pub no_attention: bool,
    #[command(flatten)]
    pub common: Common,
}

#[derive(clap::Args, Debug)]
pub struct MemnetArgs {
    /// 1 (one supporting fact) or 2 (two supporting facts).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=2))]
    pub task: u8,
    #[command(flatten)]
    pub common: Common,
}

/// The training device, with Burn's random generator seeded from `--seed` too. The demos draw
/// their initial weights from the seed themselves; this covers anything else that might draw
/// from Burn's generator, so a run is reproducible.
fn seeded_device(common: &Common) -> anyhow::Result<burn::tensor::Device> {
    let device = common.backend.device()?;
    device.seed(common.seed);
    Ok(device)
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        SeqCommand::Train { demo } => train(demo),
        SeqCommand::Eval { files, backend } => eval(files, backend),
    }
}

/// Prints the mean loss and batch accuracy every 100 steps.
struct Progress {
    loss: f32,
    accuracy: f32,
}

impl Progress {
    fn step(&mut self, s: StepStats) {
        self.loss += s.loss;
        self.accuracy += s.accuracy;
        if (s.step + 1).is_multiple_of(100) {
            eprintln!(
                "step {:>6}: loss {:.3}, batch accuracy {:.1} %",
                s.step + 1,
                self.loss / 100.0,
                self.accuracy // a sum of 100 fractions reads as a percentage
            );
            (self.loss, self.accuracy) = (0.0, 0.0);
        }
    }
}

fn train(demo: Demo) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let mut progress = Progress {
        loss: 0.0,
        accuracy: 0.0,
    };
    let mut on_step = |s: StepStats| progress.step(s);
    let cancel = AtomicBool::new(false);
    let (model, arch, common, settings) = match demo {
        Demo::Order(a) => {
            let defaults = OrderTrainConfig::default();
            let cfg = OrderTrainConfig {
                kind: a.cell,
                level: a.level,
                hidden: a.hidden,
                steps: a.common.steps.unwrap_or(defaults.steps),
                batch: a.batch,
                learning_rate: a.common.lr.unwrap_or(defaults.learning_rate),
                clip: (a.clip > 0.0).then_some(a.clip),
                seed: a.common.seed,
                curriculum: a.curriculum,
                ..defaults
            };
            let device = seeded_device(&a.common)?;
            let model = train_order(&cfg, &device, &mut on_step, &cancel)?;
            let arch = SeqArch::Order {
                cell: cfg.kind,
                hidden: cfg.hidden,
                level: cfg.level,
            };
            let settings = format!(
                "steps {}, batch {}, lr {}, clip {:?}, curriculum {}",
                cfg.steps, cfg.batch, cfg.learning_rate, cfg.clip, cfg.curriculum
            );
            (SeqModel::Order(model), arch, a.common, settings)
        }
        Demo::Echo(a) => {
            let defaults = EchoConfig::default();
            let cfg = EchoConfig {
                kind: a.cell,
                hidden: a.hidden,
                delay: a.delay,
                chunk: a.chunk,
                steps: a.common.steps.unwrap_or(defaults.steps),
                learning_rate: a.common.lr.unwrap_or(defaults.learning_rate),
                seed: a.common.seed,
                ..defaults
            };
            let device = seeded_device(&a.common)?;
            let model = train_echo(&cfg, &device, &mut on_step, &cancel)?;
            let arch = SeqArch::Echo {
                cell: cfg.kind,
                hidden: cfg.hidden,
                delay: cfg.delay,
                chunk: cfg.chunk,
            };
            let settings = format!(
                "steps {}, batch {}, lr {}, streams of {} chunks",
                cfg.steps, cfg.batch, cfg.learning_rate, cfg.stream_chunks
            );
            (SeqModel::Echo(model), arch, a.common, settings)
        }
        Demo::Seq2seq(a) => {
            let defaults = Seq2SeqTrainConfig::default_for(!a.no_attention);
            let cfg = Seq2SeqTrainConfig {
                steps: a.common.steps.unwrap_or(defaults.steps),
                learning_rate: a.common.lr.unwrap_or(defaults.learning_rate),
                seed: a.common.seed,
                ..defaults
            };
            let device = seeded_device(&a.common)?;
            let model = train_seq2seq(&cfg, &device, &mut on_step, &cancel)?;
            let arch = SeqArch::Seq2seq {
                model: cfg.model.clone(),
                min_len: cfg.min_len,
                max_len: cfg.max_len,
            };
            let settings = format!(
                "steps {}, batch {}, lr {}, lengths {}–{}",
                cfg.steps, cfg.batch, cfg.learning_rate, cfg.min_len, cfg.max_len
            );
            (SeqModel::Seq2seq(Box::new(model)), arch, a.common, settings)
        }
        Demo::Memnet(a) => {
            let task = if a.task == 2 {
                Task::TwoFacts
            } else {
                Task::SingleFact
            };
            let defaults = MemNetTrainConfig::for_task(task);
            let cfg = MemNetTrainConfig {
                steps: a.common.steps.unwrap_or(defaults.steps),
                learning_rate: a.common.lr.unwrap_or(defaults.learning_rate),
                seed: a.common.seed,
                ..defaults
            };
            let device = seeded_device(&a.common)?;
            let model = train_memnet(&cfg, &device, &mut on_step, &cancel)?;
            let arch = SeqArch::Memnet {
                model: cfg.model.clone(),
                task: cfg.task,
                facts: cfg.facts.clone(),
            };
            let settings = format!(
                "steps {}, batch {}, lr {}, {} hops",
                cfg.steps, cfg.batch, cfg.learning_rate, cfg.model.hops
            );
            (SeqModel::Memnet(model), arch, a.common, settings)
        }
    };
    let seconds = started.elapsed().as_secs_f32();
    let device = common.backend.device()?;
    let figures = score(&model, &arch, &device)?;
    println!(
        "{} seed {} ({settings}): trained in {seconds:.0} s",
        describe(&arch),
        common.seed
    );
    print_figures(&figures);
    if let Some(out) = &common.out {
        let meta = SeqMeta {
            arch,
            training: serde_json::json!({
                "seed": common.seed,
                "settings": settings,
                "seconds": seconds,
                "figures": figures,
            }),
        };
        weights::save(&model, &meta, out).with_context(|| format!("saving {}", out.display()))?;
        println!("saved {}", out.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn eval(files: Vec<PathBuf>, backend: BackendKind) -> anyhow::Result<ExitCode> {
    let device = backend.device()?;
    // Each model with the name it is reported under: the built-in ones unless files are given.
    let models: Vec<(String, facecam::Result<_>)> = if files.is_empty() {
        weights::BUNDLED_NAMES
            .iter()
            .map(|&n| (n.to_string(), weights::load_bundled(n, &device)))
            .collect()
    } else {
        files
            .iter()
            .map(|p| (p.display().to_string(), weights::load(p, &device)))
            .collect()
    };
    let mut failed = 0;
    for (name, loaded) in models {
        match loaded {
            Ok((model, meta)) => {
                let started = Instant::now();
                let figures = score(&model, &meta.arch, &device)?;
                println!(
                    "{name}: {} ({:.1} s)",
                    describe(&meta.arch),
                    started.elapsed().as_secs_f32()
                );
                print_figures(&figures);
            }
            Err(e) => {
                eprintln!("{e}");
                failed += 1;
            }
        }
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn describe(arch: &SeqArch) -> String {
    match arch {
        SeqArch::Order {
            cell,
            hidden,
            level,
        } => format!("temporal order, {cell:?} {hidden} units, {level:?}"),
        SeqArch::Echo {
            cell,
            hidden,
            delay,
            chunk,
        } => format!("echo, {cell:?} {hidden} units, delay {delay}, chunk {chunk}"),
        SeqArch::Seq2seq {
            model,
            min_len,
            max_len,
        } => format!(
            "seq2seq reversal, {} attention, trained on lengths {min_len}–{max_len}",
            if model.attention { "with" } else { "without" }
        ),
        SeqArch::Memnet { model, task, .. } => {
            format!("memory network, {task:?}, {} hops", model.hops)
        }
    }
}

fn print_figures(figures: &[Figure]) {
    for f in figures {
        println!("  {}: {:.2} %", f.label, f.value * 100.0);
    }
}
