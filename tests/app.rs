//! The real app under Xvfb: demo reel → detector → egui window → screenshot.
//!
//! Needs `xvfb-run` (Debian package `xvfb`; `.ci/run` installs it).
#![cfg(feature = "gui")]

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_facecam");

fn detection_lines(stdout: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

/// Runs the app under Xvfb with `args`, saving `dir/shot.png` and keeping its data in `dir`.
fn screenshot_run(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1600x1000x24", BIN])
        .args(args)
        .arg("--screenshot")
        .arg(dir.join("shot.png"))
        .arg("--data-dir")
        .arg(dir.join("data"))
        .output()
        .expect("xvfb-run must be installed for this test (Debian package xvfb)")
}

#[test]
fn the_app_plays_the_reel_and_draws_the_boxes_detect_finds() {
    // Raw detections: each frame scanned whole, as `facecam detect` does.
    let dir = tempfile::tempdir().unwrap();
    let shot = dir.path().join("shot.png");
    let run = screenshot_run(dir.path(), &["--demo", "--raw", "--frames", "6"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "app failed: {stderr}");

    // The window's size, and not blank: a photo has many distinct colours.
    let img = image::open(&shot).expect("screenshot is a PNG").to_rgb8();
    let [w, h] = facecam::app::WINDOW_SIZE;
    assert_eq!(img.dimensions(), (w as u32, h as u32));
    let mut colours: Vec<[u8; 3]> = img.pixels().map(|p| p.0).collect();
    colours.sort_unstable();
    colours.dedup();
    assert!(colours.len() > 2000, "only {} colours", colours.len());

    // The boxes the app drew are those `facecam detect` finds on the same frame.
    let live = detection_lines(&run.stdout);
    assert!(
        !live.is_empty(),
        "the reel opens on faces; stderr: {stderr}"
    );
    let frame = shot.with_extension("frame.png");
    assert!(Path::new(&frame).exists());
    // The live view starts at a 40 px minimum face (facecam::app::LIVE_MIN_FACE).
    let min_face = facecam::app::LIVE_MIN_FACE.to_string();
    let det = Command::new(BIN)
        .args(["detect", "--min-face", &min_face])
        .arg(&frame)
        .output()
        .unwrap();
    assert!(det.status.success());
    assert_eq!(live, detection_lines(&det.stdout));

    // And they were drawn: the box colour appears in the screenshot.
    let green = img.pixels().filter(|p| p.0 == [60, 230, 60]).count();
    assert!(
        green > 100 * live.len().min(5),
        "{green} box pixels for {} boxes",
        live.len()
    );
}

#[test]
fn by_default_the_app_draws_face_tracks() {
    let dir = tempfile::tempdir().unwrap();
    let shot = dir.path().join("shot.png");
    let run = screenshot_run(dir.path(), &["--demo", "--trails", "--frames", "12"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "app failed: {stderr}");
    // The reel opens on a held shot of faces: after three hits they are confirmed tracks.
    let tracks: usize = stderr
        .split_once(" tracks shown")
        .and_then(|(before, _)| before.rsplit('(').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no track count in: {stderr}"));
    assert!(tracks >= 1, "{stderr}");
    let img = image::open(&shot).unwrap().to_rgb8();
    let green = img.pixels().filter(|p| p.0 == [60, 230, 60]).count();
    assert!(green > 100, "{green} box pixels for {tracks} tracks");
}
