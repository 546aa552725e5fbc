//! `facecam`: the desktop app (no subcommand) and the command-line tools. Each lives in `cli/`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cli;

/// Face detection the NYU Deep Learning week-6 way: a Burn ConvNet over an image pyramid.
///
/// Without a subcommand, opens the live desktop app.
#[derive(Parser)]
#[command(
    name = "facecam",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[cfg(feature = "gui")]
    #[command(flatten)]
    app: cli::gui::Args,
}

#[derive(Subcommand)]
enum Command {
    /// Find faces in image files; print `image x y w h score` lines.
    Detect(cli::detect::Args),
    /// Score the detector against a box file (faceeval.py's centre rule).
    Eval(cli::eval::Args),
    /// False positives per million windows on held-out face-free images, by kind.
    FpRate(cli::fp_rate::Args),
    /// Train the detector from face crops and face-free scenes, with bootstrapping rounds.
    Train(cli::train::Args),
    /// Compose validation scenes: held-out faces pasted onto held-out face-free scenes.
    Scenes(cli::scenes::Args),
    /// Regenerate the bundled demo reel (assets/reel) from the shared photos.
    Reel(cli::reel::Args),
    /// Regenerate the compact training set (assets/patches) the in-app retraining uses.
    Patches(cli::patches::Args),
    /// Join cascades trained apart on one first stage into a committee of second stages.
    Join(cli::join::Args),
    /// Check in-app mining with a simulated user: mark false positives, retrain, compare.
    MiningSim(cli::mining_sim::Args),
    /// Sequence models (week 6, second half): train on the temporal-order task.
    Seq(cli::seq::Args),
    /// Detect and track faces over every frame of a video; write MOTChallenge lines.
    Track(cli::track::Args),
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"))
        .format_timestamp(None)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        #[cfg(feature = "gui")]
        None => cli::gui::run(cli.app),
        #[cfg(not(feature = "gui"))]
        None => Err(anyhow::anyhow!(
            "this facecam was built without the desktop app (the `gui` feature); \
             name a subcommand (see --help)"
        )),
        Some(Command::Detect(a)) => cli::detect::run(a),
        Some(Command::Eval(a)) => cli::eval::run(a),
        Some(Command::FpRate(a)) => cli::fp_rate::run(a),
        Some(Command::Train(a)) => cli::train::run(a),
        Some(Command::Scenes(a)) => cli::scenes::run(a),
        Some(Command::Reel(a)) => cli::reel::run(a),
        Some(Command::Patches(a)) => cli::patches::run(a),
        Some(Command::Join(a)) => cli::join::run(a),
        Some(Command::MiningSim(a)) => cli::mining_sim::run(a),
        Some(Command::Seq(a)) => cli::seq::run(a),
        Some(Command::Track(a)) => cli::track::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use anyhow::Context;

    #[test]
    fn a_cause_the_message_already_quotes_is_said_once() {
        // What `main` prints after "error: ".
        let report = |e: &anyhow::Error| format!("{e:#}");
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let quoted = facecam::error::Error::io("/x/boxes.txt", io);
        let e = Err::<(), _>(quoted)
            .context("reading /x")
            .expect_err("an error");
        assert_eq!(
            report(&e),
            "reading /x: I/O error on /x/boxes.txt: no such file"
        );
        let plain = Err::<(), _>(anyhow::anyhow!("inner"))
            .context("outer")
            .expect_err("an error");
        assert_eq!(report(&plain), "outer: inner");
    }
}
