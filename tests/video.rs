//! Video files as a source: clips encoded here by ffmpeg (mp4, webm, avi) decode frame by
//! frame with the right pixels, play on a loop in the live source, and go through
//! `facecam track`; a broken file is one clear error.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::facecam;
use facecam::live::video_file::VideoFileSource;
use facecam::live::{FrameSource, SourceChoice};
use facecam::video::VideoReader;
use image::{Rgb, RgbImage};

const FRAMES: usize = 12;
const SIZE: (u32, u32) = (64, 48);
const SQUARE: u32 = 8;

/// Frame `i` of the test clip: a white square moving 3 px a frame to the right on grey.
fn square_frame(i: usize) -> RgbImage {
    let mut img = RgbImage::from_pixel(SIZE.0, SIZE.1, Rgb([60, 60, 60]));
    let x0 = 4 + 3 * i as u32;
    for y in 20..20 + SQUARE {
        for x in x0..x0 + SQUARE {
            img.put_pixel(x, y, Rgb([255, 255, 255]));
        }
    }
    img
}

/// The x of the bright pixels' centroid.
fn bright_centroid_x(img: &RgbImage) -> f32 {
    let (mut sum, mut n) = (0.0, 0.0);
    for (x, _, p) in img.enumerate_pixels() {
        if p[0] > 160 {
            sum += x as f32;
            n += 1.0;
        }
    }
    sum / n
}

/// Encodes `frames` at `fps` into `out` with ffmpeg and `codec` arguments.
fn encode(frames: &[RgbImage], fps: u32, out: &Path, codec: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    for (i, f) in frames.iter().enumerate() {
        f.save(dir.path().join(format!("f{i:03}.png"))).unwrap();
    }
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-loglevel", "error", "-y", "-framerate"])
        .arg(fps.to_string())
        .arg("-i")
        .arg(dir.path().join("f%03d.png"))
        .args(codec)
        .arg(out)
        .status()
        .expect("ffmpeg must be installed to run these tests (.ci/run installs it)");
    assert!(
        status.success(),
        "ffmpeg could not encode {}",
        out.display()
    );
}

fn square_clip(dir: &Path, name: &str, fps: u32, codec: &[&str]) -> PathBuf {
    let frames: Vec<RgbImage> = (0..FRAMES).map(square_frame).collect();
    let path = dir.join(name);
    encode(&frames, fps, &path, codec);
    path
}

const MP4: &[&str] = &["-c:v", "libx264", "-pix_fmt", "yuv420p"];
const WEBM: &[&str] = &["-c:v", "libvpx", "-b:v", "1M"];
const AVI: &[&str] = &["-c:v", "mjpeg", "-q:v", "2"];

#[test]
fn clips_made_here_decode_frame_by_frame_in_mp4_webm_and_avi() {
    let dir = tempfile::tempdir().unwrap();
    for (name, codec) in [("a.mp4", MP4), ("b.webm", WEBM), ("c.avi", AVI)] {
        let path = square_clip(dir.path(), name, 10, codec);
        let mut reader = VideoReader::open(&path, None).unwrap();
        assert!(
            (reader.fps() - 10.0).abs() < 0.01,
            "{name}: {}",
            reader.fps()
        );
        let mut seen = 0;
        while let Some(frame) = reader.next_frame().unwrap() {
            assert_eq!(frame.dimensions(), SIZE, "{name}");
            let want = 4.0 + 3.0 * seen as f32 + (SQUARE - 1) as f32 / 2.0;
            let got = bright_centroid_x(&frame);
            assert!(
                (got - want).abs() < 1.0,
                "{name} frame {seen}: x {got}, want {want}"
            );
            seen += 1;
        }
        assert_eq!(seen, FRAMES, "{name}");
        assert!(
            reader.next_frame().unwrap().is_none(),
            "the end stays the end"
        );
    }
}

#[test]
fn the_live_source_plays_a_clip_on_a_loop_and_large_frames_are_scaled_down() {
    let dir = tempfile::tempdir().unwrap();
    let path = square_clip(dir.path(), "loop.mp4", 100, MP4);
    assert_eq!(
        SourceChoice::for_paths(vec![path.clone()]),
        SourceChoice::Video(path.clone())
    );
    let mut src = VideoFileSource::open(&path).unwrap();
    let xs: Vec<f32> = (0..FRAMES + 2)
        .map(|_| bright_centroid_x(&src.next_frame().unwrap()))
        .collect();
    // After the last frame, the first comes again.
    assert!((xs[FRAMES] - xs[0]).abs() < 0.5, "{xs:?}");
    assert!(xs[FRAMES - 1] > xs[0] + 20.0, "{xs:?}");
    assert!(src.describe().contains("loop 2"), "{}", src.describe());

    let big = dir.path().join("big.mp4");
    let frame = RgbImage::from_pixel(2560, 1440, Rgb([90, 90, 90]));
    encode(&[frame.clone(), frame], 10, &big, MP4);
    let mut src = VideoFileSource::open(&big).unwrap();
    assert_eq!(src.next_frame().unwrap().dimensions(), (1280, 720));
}

#[test]
fn a_folder_of_numbered_frames_plays_as_video_in_number_order() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..FRAMES {
        // Unpadded numbers: name order would put 10 and 11 before 2.
        square_frame(i)
            .save(dir.path().join(format!("{i}.png")))
            .unwrap();
    }
    let choice = SourceChoice::for_paths(vec![dir.path().to_path_buf()]);
    assert_eq!(choice, SourceChoice::Frames(dir.path().to_path_buf()));
    let mut src = facecam::live::capture::open_source(&choice).unwrap();
    let xs: Vec<f32> = (0..FRAMES)
        .map(|_| bright_centroid_x(&src.next_frame().unwrap()))
        .collect();
    assert!(xs.windows(2).all(|w| w[1] > w[0]), "{xs:?}");
}

#[test]
fn a_broken_video_is_one_clear_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.mp4");
    std::fs::write(&bad, b"this is not a video at all").unwrap();
    let err = match VideoReader::open(&bad, None).and_then(|mut r| r.next_frame()) {
        Err(e) => e.to_string(),
        Ok(f) => panic!("decoded {:?}", f.map(|f| f.dimensions())),
    };
    assert!(err.contains("broken.mp4"), "{err}");
    assert!(VideoFileSource::open(&bad).is_err());

    let run = facecam().arg("track").arg(&bad).output().unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(stderr.contains("broken.mp4"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn track_reads_a_video_file_at_its_own_frame_rate() {
    let dir = tempfile::tempdir().unwrap();
    // A slow pan across a group photo: its faces should keep their ids.
    let photo = image::open(common::shared_data().join("scenes/dlib/2007_007763.jpg"))
        .unwrap()
        .into_rgb8();
    let frames: Vec<RgbImage> = (0..20)
        .map(|i| image::imageops::crop_imm(&photo, 2 * i, i, 320, 240).to_image())
        .collect();
    let clip = dir.path().join("pan.mp4");
    encode(&frames, 15, &clip, MP4);
    let out = dir.path().join("mot.txt");
    let run = facecam()
        .args(["track", "--min-face", "20"])
        .arg(&clip)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(stderr.contains("20 frames at 15.00 fps"), "{stderr}");
    let text = std::fs::read_to_string(&out).unwrap();
    let frames_with_boxes: std::collections::BTreeSet<u64> = text
        .lines()
        .map(|l| l.split(',').next().unwrap().parse().unwrap())
        .collect();
    // Tracks are shown from their third hit on, and then in every frame.
    assert!(frames_with_boxes.len() >= 15, "{text}");
    assert!(frames_with_boxes.iter().all(|f| (1..=20).contains(f)));
}
