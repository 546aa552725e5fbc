//! The command line's handling of bad input: clear errors, nothing lost.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{facecam, run_ok};

#[test]
fn nonsense_options_get_clap_errors() {
    let out = facecam()
        .args(["detect", "--min-face", "banana", "x.jpg"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--min-face"));
    let out = facecam()
        .args(["detect", "--backend", "abacus", "x.jpg"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_bad_lcn_floor_is_refused_before_anything_is_trained_or_written() {
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("never.bpk");
    let init = ["--init", "models/face.bpk"];
    for (args, says) in [
        (vec!["--lcn-floor", "-0.5"], "LCN floor"),
        // A trained net keeps the floor it was trained with; only a new second stage takes one.
        (
            [&init[..], &["--lcn-floor", "0.01"]].concat(),
            "--lcn-floor",
        ),
        (
            [
                &init[..],
                &["--second-stage", "4,8,8", "--lcn-floor", "NaN"],
            ]
            .concat(),
            "LCN floor",
        ),
    ] {
        let out = facecam()
            .arg("train")
            .args(&args)
            .arg("--out")
            .arg(&out_file)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!out_file.exists());
    }
}

#[test]
fn corrupt_weights_are_one_clear_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.bpk");
    std::fs::write(&bad, b"\x00\x01 definitely not weights").unwrap();
    let img = common::shared_data().join("bench_frames_640x480/frame00.png");
    let out = facecam()
        .args(["detect", "--weights"])
        .arg(&bad)
        .arg(&img)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken.bpk"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn an_unreadable_image_is_reported_and_the_rest_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("not_an_image.jpg");
    std::fs::write(&bad, b"plain text").unwrap();
    let good = common::shared_data().join("scenes/dlib/2007_007763.jpg");
    let out = facecam()
        .arg("detect")
        .arg(&bad)
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not_an_image.jpg"), "{err}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    // The good image was still scanned: the bundled model finds faces in this group photo.
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.len() >= 3, "{stdout}");
    assert!(
        lines
            .iter()
            .all(|l| l.contains("2007_007763.jpg") && l.split_whitespace().count() == 6)
    );
}

#[test]
fn a_copy_that_cannot_be_drawn_loses_neither_the_rest_nor_the_boxes() {
    let dir = tempfile::tempdir().unwrap();
    let drawn = dir.path().join("drawn");
    // A folder where the first copy would go: saving it must fail.
    std::fs::create_dir_all(drawn.join("2007_007763.png")).unwrap();
    let boxes = dir.path().join("boxes.txt");
    let scenes = common::shared_data().join("scenes/dlib");
    let out = facecam()
        .args(["detect", "--draw"])
        .arg(&drawn)
        .arg("--boxes")
        .arg(&boxes)
        .arg(scenes.join("2007_007763.jpg"))
        .arg(scenes.join("2008_001009.jpg"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("2007_007763"), "{err}");
    // Every box was still written, the failed image's included.
    let lines = std::fs::read_to_string(&boxes).unwrap();
    assert!(
        lines
            .lines()
            .filter(|l| l.contains("2007_007763.jpg"))
            .count()
            >= 3,
        "{lines}"
    );
    // The second copy was drawn: same size as the photo, with green box pixels.
    let copy = image::open(drawn.join("2008_001009.png"))
        .unwrap()
        .into_rgb8();
    let photo = image::open(scenes.join("2008_001009.jpg")).unwrap();
    assert_eq!(copy.dimensions(), (photo.width(), photo.height()));
    assert!(copy.pixels().any(|p| p.0 == [0, 255, 0]));
}

#[test]
fn cli_eval_agrees_with_faceeval_on_the_dlib_scenes() {
    let dir = tempfile::tempdir().unwrap();
    let scenes = common::shared_data().join("scenes/dlib");
    let dets = dir.path().join("dets.txt");
    let out = run_ok(
        facecam()
            .args(["eval", "--boxes"])
            .arg(scenes.join("boxes.txt"))
            .arg("--dets-out")
            .arg(&dets),
    );
    let ours = String::from_utf8_lossy(&out.stdout).to_string();
    let py = run_ok(
        Command::new("python3")
            .arg(common::faceeval())
            .arg("--gt")
            .arg(scenes.join("boxes.txt"))
            .arg("--det")
            .arg(&dets)
            .args(["--label", "facecam"]),
    );
    let theirs = String::from_utf8_lossy(&py.stdout).to_string();
    let mut n = 0;
    for line in ours.lines().filter(|l| l.starts_with("facecam.center.")) {
        assert!(
            theirs.lines().any(|t| t == line),
            "{line} not in faceeval output:\n{theirs}"
        );
        n += 1;
    }
    assert!(n >= 10);
    // The bundled model is a real detector: it finds most dlib faces at 10 false positives.
    let dr10: f64 = ours
        .lines()
        .find_map(|l| l.strip_prefix("facecam.center.dr_at_10fp: "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(dr10 > 0.5, "dr@10fp = {dr10}");
}

#[test]
fn inset_pages_keep_every_dlib_face_as_a_box_or_a_dont_care_region() {
    let dir = tempfile::tempdir().unwrap();
    let data = common::shared_data();
    let out_dir = dir.path().join("insets");
    let out = run_ok(
        facecam()
            .args(["scenes", "--count", "1", "--seed", "2", "--data"])
            .arg(&data)
            .arg("--insets")
            .arg(data.join("scenes/dlib"))
            .arg("--out")
            .arg(&out_dir),
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("9 pages from 9 photos"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let count = |file: &str| -> Vec<f64> {
        std::fs::read_to_string(out_dir.join(file))
            .unwrap()
            .lines()
            .map(|l| l.split_whitespace().nth(3).unwrap().parse().unwrap())
            .collect()
    };
    let (faces, ignored) = (count("boxes.txt"), count("ignore.txt"));
    // dlib's 43 faces, each printed once: scored where at least 16 px wide, don't-care below.
    assert_eq!(faces.len() + ignored.len(), 43);
    assert!(faces.len() >= 30, "{} faces kept", faces.len());
    assert!(faces.iter().all(|&w| w >= 16.0));
    let eval = run_ok(
        facecam()
            .args(["eval", "--min-face", "16", "--threshold", "-4", "--boxes"])
            .arg(out_dir.join("boxes.txt"))
            .arg("--images")
            .arg(out_dir.join("images.txt"))
            .arg("--ignore")
            .arg(out_dir.join("ignore.txt")),
    );
    let report = String::from_utf8_lossy(&eval.stdout);
    assert!(
        report.contains(&format!("set.gt_faces: {}", faces.len())),
        "{report}"
    );
}

#[test]
fn the_hand_checked_photo_boxes_find_every_photo_beside_the_checkout() {
    let dir = tempfile::tempdir().unwrap();
    let boxes = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/photo_faces");
    let out_dir = dir.path().join("insets");
    let out = run_ok(
        facecam()
            .args(["scenes", "--count", "1", "--data"])
            .arg(common::shared_data())
            .arg("--insets")
            .arg(&boxes)
            .arg("--out")
            .arg(&out_dir),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("10 pages from 10 photos"), "{stdout}");
    let lines = |file: &str| {
        std::fs::read_to_string(out_dir.join(file))
            .unwrap()
            .lines()
            .count()
    };
    // 78 boxed faces and 4 turned or tilted ones left as don't-care regions, each photo once.
    assert_eq!(lines("images.txt"), 10);
    assert_eq!(lines("boxes.txt") + lines("ignore.txt"), 82);
}

#[test]
fn a_copy_of_the_binary_in_an_empty_folder_still_has_its_model() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("facecam");
    std::fs::copy(env!("CARGO_BIN_EXE_facecam"), &copy).unwrap();
    let img = common::shared_data().join("scenes/dlib/2007_007763.jpg");
    let out = Command::new(&copy)
        .current_dir(dir.path())
        .arg("detect")
        .arg(&img)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    // The built-in model finds this group photo's faces (one line per box).
    assert!(
        String::from_utf8_lossy(&out.stdout).lines().count() >= 3,
        "{err}"
    );
}

#[test]
fn track_writes_mot_lines_for_every_shown_box() {
    let dir = tempfile::tempdir().unwrap();
    let photo = common::shared_data().join("scenes/dlib/2007_007763.jpg");
    let boxes = dir.path().join("boxes.txt");
    // The photo's faces are not needed for the format: one box is enough to make a clip.
    std::fs::write(&boxes, format!("{} 10 10 50 50\n", photo.display())).unwrap();
    let out = dir.path().join("mot.txt");
    let run = facecam()
        .args(["track", "--frames-each", "8", "--synthetic"])
        .arg(&boxes)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{err}");
    assert!(err.contains("MOTA"), "{err}");
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(!lines.is_empty(), "the group photo's faces are tracked");
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 10, "{line}");
        let frame: u64 = f[0].parse().unwrap();
        assert!((1..=8).contains(&frame), "{line}");
        assert!(f[1].parse::<u64>().unwrap() >= 1);
        assert!(f[2..7].iter().all(|v| v.parse::<f32>().is_ok()), "{line}");
        assert_eq!(&f[7..], ["-1", "-1", "-1"]);
    }
}

#[test]
fn join_writes_one_committee_and_refuses_a_foreign_first_stage() {
    use burn::tensor::Device;
    use facecam::FaceNetConfig;
    use facecam::detect::SecondStageConfig;
    use facecam::detect::weights;
    let device = Device::flex();
    let dir = tempfile::tempdir().unwrap();
    let bundled = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/face.bpk");
    let (model, meta) = weights::load(&bundled, &device).unwrap();
    let bundled_members = model.members();
    // One more member on the bundled first stage, and a cascade on a first stage of its own.
    let second = SecondStageConfig {
        members: 1,
        ..meta.net.second.unwrap()
    };
    let mut one_member = meta.clone();
    one_member.net.second = Some(second);
    let member = dir.path().join("member.bpk");
    let fresh = model.with_second_stage(second, &device);
    weights::save(&fresh, &one_member, &member).unwrap();
    let foreign = dir.path().join("foreign.bpk");
    let stranger = FaceNetConfig::new()
        .init(&device)
        .with_second_stage(second, &device);
    weights::save(&stranger, &one_member, &foreign).unwrap();

    let out_file = dir.path().join("committee.bpk");
    let out = facecam()
        .arg("join")
        .args([&bundled, &member, &foreign])
        .arg("--out")
        .arg(&out_file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("foreign.bpk") && err.contains("first stages"),
        "{err}"
    );
    assert!(!out_file.exists());

    run_ok(
        facecam()
            .arg("join")
            .args([&bundled, &member])
            .arg("--out")
            .arg(&out_file),
    );
    let (committee, joined) = weights::load(&out_file, &device).unwrap();
    assert_eq!(committee.members(), bundled_members + 1);
    assert_eq!(
        joined.net.second.map(|s| s.members),
        Some(bundled_members + 1)
    );
    assert_eq!(joined.detector, meta.detector);
    // The committee detects like any weights file.
    let img = common::shared_data().join("scenes/dlib/2007_007763.jpg");
    run_ok(
        facecam()
            .args(["detect", "--weights"])
            .arg(&out_file)
            .arg(&img),
    );
}
