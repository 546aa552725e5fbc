//! `facecam`: the command-line front end. Each subcommand lives in `cli/`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cli;

/// Face detection the NYU Deep Learning week-6 way: a Burn ConvNet over an image pyramid.
#[derive(Parser)]
#[command(name = "facecam", version, about, arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Find faces in image files; print `image x y w h score` lines.
    Detect(cli::detect::Args),
    /// Score the detector against a box file (faceeval.py's centre rule).
    Eval(cli::eval::Args),
    /// Train the detector from face crops and face-free scenes, with bootstrapping rounds.
    Train(cli::train::Args),
    /// Compose validation scenes: held-out faces pasted onto held-out face-free scenes.
    Scenes(cli::scenes::Args),
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"))
        .format_timestamp(None)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Detect(a) => cli::detect::run(a),
        Command::Eval(a) => cli::eval::run(a),
        Command::Train(a) => cli::train::run(a),
        Command::Scenes(a) => cli::scenes::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
