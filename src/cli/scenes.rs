//! `facecam scenes`: build composite validation scenes from held-out data.

use std::path::{Path, PathBuf};

use anyhow::Context;
use std::process::ExitCode;

use facecam::scenes::insets::{InsetConfig, compose_insets, load_annotated};
use facecam::scenes::{CompositeConfig, compose};
use facecam::train::TrainingData;
use facecam::train::data::{SceneKind, synthetic_pages};

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
    /// Number of scenes (default 40, or 80 with --hard); with --insets, pages per photo
    /// (default 3).
    #[arg(long)]
    pub count: Option<usize>,
    /// Hard pages: text, graphics, clutter and texture backgrounds, 16–48 px faces, a
    /// scan-like degradation (the dev benchmark that tracks scanned real photos).
    #[arg(long)]
    pub hard: bool,
    /// Inset pages instead: the annotated photos in these folders (`boxes.txt`, and
    /// `ignore.txt` where there is one), shrunk to 16–40 px faces and printed on held-out
    /// text and graphics pages with the hard pages' scan look. Writes `ignore.txt` beside
    /// `boxes.txt`: pass it to `eval --ignore`.
    #[arg(long, value_name = "DIR")]
    pub insets: Vec<PathBuf>,
    /// Instead, write the first N synthetic face-free pages the trainer adds to its scenes
    /// (text, symbols, line art), to look at.
    #[arg(long, value_name = "N")]
    pub synthetic: Option<usize>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(n) = args.synthetic {
        return write_synthetic(n, &args.out);
    }
    let data = TrainingData::load(&args.data)?;
    if !args.insets.is_empty() {
        return write_insets(&data, &args);
    }
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

fn write_insets(data: &TrainingData, args: &Args) -> anyhow::Result<ExitCode> {
    let mut photos = Vec::new();
    for dir in &args.insets {
        photos.extend(load_annotated(dir).with_context(|| format!("reading {}", dir.display()))?);
    }
    let backgrounds: Vec<_> = data
        .val_scenes
        .iter()
        .filter(|s| s.kind == SceneKind::Graphics)
        .map(|s| s.image())
        .collect();
    let cfg = InsetConfig {
        seed: args.seed,
        copies: args.count.unwrap_or(InsetConfig::default().copies),
        ..InsetConfig::default()
    };
    let summary = compose_insets(&photos, &backgrounds, &cfg, &args.out)?;
    println!(
        "{} pages from {} photos with {} faces ({} don't-care regions) written to {}",
        summary.pages,
        photos.len(),
        summary.faces,
        summary.ignored,
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn write_synthetic(n: usize, out: &Path) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    for (i, page) in synthetic_pages(n).iter().enumerate() {
        let path = out.join(format!("synthetic_{i:04}.png"));
        page.save(&path)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    println!("{n} synthetic pages written to {}", out.display());
    Ok(ExitCode::SUCCESS)
}
