//! `facecam` with no subcommand: the desktop app.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::anyhow;
use facecam::BackendKind;
use facecam::app::prefs::Prefs;
use facecam::app::seq_tab::Demo;
use facecam::app::{AppOptions, FacecamApp, Tab, WINDOW_SIZE, default_data_dir};
use facecam::live::SourceChoice;

#[derive(clap::Args, Debug, Default)]
pub struct Args {
    /// Camera to open (index as listed by the system; default 0, or the source used last
    /// time). The demo reel plays if it cannot open.
    #[arg(long, value_name = "N")]
    pub camera: Option<u32>,
    /// Camera resolution to ask for, e.g. 1280x720 (the closest supported one is used).
    #[arg(long, value_name = "WxH", value_parser = parse_resolution)]
    pub resolution: Option<(u32, u32)>,
    /// Show a video file (mp4, webm, avi, …; needs ffmpeg), a folder of numbered frames, or
    /// image files and folders of images instead of a camera.
    #[arg(long, value_name = "PATH", num_args = 1.., conflicts_with = "demo")]
    pub source: Vec<PathBuf>,
    /// Play the bundled demo reel instead of opening a camera.
    #[arg(long)]
    pub demo: bool,
    /// Weights file to start with (`.bpk`). Default: the one used last time, or the bundled
    /// model.
    #[arg(long, value_name = "FILE")]
    pub weights: Option<PathBuf>,
    /// Burn backend: flex, ndarray (CPU) or wgpu (GPU).
    #[arg(long, default_value_t = BackendKind::default())]
    pub backend: BackendKind,
    /// Save a screenshot of the window to FILE after `--frames` frames, then exit.
    #[arg(long, value_name = "FILE")]
    pub screenshot: Option<PathBuf>,
    /// Frames to run before the screenshot.
    #[arg(long, value_name = "N", default_value_t = 30, requires = "screenshot")]
    pub frames: u64,
    /// Close the window after SECS seconds and print the run summary (the soak check,
    /// `.ci/soak`).
    #[arg(long, value_name = "SECS", value_parser = parse_seconds)]
    pub quit_after: Option<std::time::Duration>,
    /// Start with the score-map heat map shown.
    #[arg(long)]
    pub heat_map: bool,
    /// Start with raw per-frame detections instead of face tracks.
    #[arg(long)]
    pub raw: bool,
    /// Start with trails drawn behind the face tracks.
    #[arg(long)]
    pub trails: bool,
    /// Start with the video paused (the window then sits idle until Resume).
    #[arg(long)]
    pub paused: bool,
    /// Folder for the negative store and retrained models. Default: the user's data folder
    /// (e.g. ~/.local/share/facecam).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Tab to open first: live, negatives or sequences (default: the last one used).
    #[arg(long, value_parser = parse_tab)]
    pub tab: Option<Tab>,
    /// Sequence demo to open in the Sequences tab: order, flow, inside, echo, seq2seq or
    /// memory.
    #[arg(long, default_value = "order", value_parser = parse_demo)]
    pub seq_demo: Demo,
    /// How egui draws: glow (OpenGL, the default: fastest under software GL) or wgpu.
    #[arg(long, default_value = "glow", value_parser = ["glow", "wgpu"])]
    pub renderer: String,
}

fn parse_tab(s: &str) -> Result<Tab, String> {
    match s.to_ascii_lowercase().as_str() {
        "live" => Ok(Tab::Live),
        "negatives" => Ok(Tab::Negatives),
        "sequences" | "seq" => Ok(Tab::Sequences),
        other => Err(format!(
            "unknown tab {other:?} (live, negatives or sequences)"
        )),
    }
}

fn parse_demo(s: &str) -> Result<Demo, String> {
    Demo::ALL
        .into_iter()
        .find(|d| d.key() == s.to_ascii_lowercase())
        .ok_or_else(|| format!("unknown demo {s:?} (order, flow, inside, echo, seq2seq, memory)"))
}

fn parse_seconds(s: &str) -> Result<std::time::Duration, String> {
    let secs: f32 = s.trim().parse().map_err(|e| format!("{s:?}: {e}"))?;
    std::time::Duration::try_from_secs_f32(secs)
        .map_err(|_| format!("expected a number of seconds ≥ 0, got {s:?}"))
}

fn parse_resolution(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s
        .split_once(['x', '×'])
        .ok_or_else(|| format!("expected WIDTHxHEIGHT, got {s:?}"))?;
    let n = |v: &str| v.trim().parse::<u32>().map_err(|e| format!("{v:?}: {e}"));
    Ok((n(w)?, n(h)?))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let data_dir = args.data_dir.clone().unwrap_or_else(default_data_dir);
    // A scripted run (--screenshot) neither reads nor writes the remembered settings, so it
    // gives the same result on every machine.
    let remember = args.screenshot.is_none() && args.quit_after.is_none();
    let (prefs, prefs_problem) = if remember {
        Prefs::load(&data_dir)
    } else {
        (Prefs::default(), None)
    };
    let source = if args.demo {
        SourceChoice::Reel
    } else if !args.source.is_empty() {
        SourceChoice::for_paths(args.source.clone())
    } else if args.camera.is_some() || args.resolution.is_some() {
        SourceChoice::Camera {
            index: args.camera.unwrap_or(0),
            resolution: args.resolution,
        }
    } else {
        prefs.source.clone().unwrap_or(SourceChoice::Camera {
            index: 0,
            resolution: None,
        })
    };
    let options = AppOptions {
        source,
        weights: args.weights.clone().or_else(|| prefs.weights.clone()),
        backend: args.backend,
        screenshot: args.screenshot.clone().map(|p| (p, args.frames)),
        quit_after: args.quit_after,
        heat_map: args.heat_map || prefs.heat_map,
        paused: args.paused,
        tab: args.tab.or(prefs.tab).unwrap_or_default(),
        seq_demo: args.seq_demo,
        raw: args.raw || prefs.raw_detections,
        trails: args.trails || prefs.trails,
        remember: remember.then_some((prefs, prefs_problem)),
        data_dir,
    };
    let native = eframe::NativeOptions {
        viewport: eframe::egui::ViewportBuilder::default()
            .with_title("facecam")
            .with_inner_size(WINDOW_SIZE)
            .with_resizable(args.screenshot.is_none()),
        renderer: if args.renderer == "wgpu" {
            eframe::Renderer::Wgpu
        } else {
            eframe::Renderer::Glow
        },
        ..Default::default()
    };
    let outcome = Arc::new(Mutex::new(None));
    let shared = Arc::clone(&outcome);
    eframe::run_native(
        "facecam",
        native,
        Box::new(move |cc| {
            let mut app = FacecamApp::new(&cc.egui_ctx, options)?;
            app.outcome = shared;
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| match e {
        // The window opened; the app itself could not start (e.g. a --weights file).
        eframe::Error::AppCreation(e) => anyhow!("the app could not start: {e}"),
        e => anyhow!("cannot open the window: {e} (is there a display? try xvfb-run)"),
    })?;
    if args.screenshot.is_none() {
        return Ok(ExitCode::SUCCESS);
    }
    match outcome
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
    {
        Some(Ok(_)) => Ok(ExitCode::SUCCESS),
        Some(Err(e)) => Err(anyhow!("screenshot failed: {e}")),
        None => Err(anyhow!("the window closed before the screenshot was taken")),
    }
}
