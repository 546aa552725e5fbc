//! `facecam eval` must score exactly like `shared/tools/faceeval.py` (centre rule).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use facecam::boxes::{read_boxes, read_detections, read_image_list};
use facecam::eval::evaluate;

/// Runs faceeval.py and returns its `key: value` lines as a map.
fn faceeval(args: &[&str]) -> BTreeMap<String, String> {
    let out = Command::new("python3")
        .arg(common::faceeval())
        .args(args)
        .output()
        .expect("python3 must be installed (CI installs it with numpy)");
    assert!(
        out.status.success(),
        "faceeval.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    parse(&String::from_utf8_lossy(&out.stdout))
}

fn parse(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// A fixture with every case the rule distinguishes: ties, duplicates, a scale-window reject,
/// an ignore region, a face-free image, and a detection on an image outside the set.
fn write_fixture(dir: &Path) {
    std::fs::write(
        dir.join("gt.txt"),
        "# ground truth\n\
         a.jpg 10 10 40 40\n\
         a.jpg 100 10 40 40\n\
         a.jpg 200 200 20 20\n\
         b b.jpg 50 50 60 60\n\
         c.jpg 0 0 30 30\n",
    )
    .unwrap();
    std::fs::write(dir.join("ignore.txt"), "a.jpg 300 300 50 50\n").unwrap();
    std::fs::write(dir.join("images.txt"), "a.jpg\nb b.jpg\nc.jpg\nempty.jpg\n").unwrap();
    std::fs::write(
        dir.join("dets.txt"),
        "a.jpg 12 12 38 38 0.9\n\
         a.jpg 14 10 40 40 0.9\n\
         a.jpg 101 11 39 39 0.8\n\
         a.jpg 200 200 60 60 0.95\n\
         a.jpg 205 205 12 12 0.3\n\
         a.jpg 310 310 20 20 0.99\n\
         b b.jpg 55 52 58 58 0.7\n\
         b b.jpg 0 0 10 10 0.7\n\
         empty.jpg 5 5 30 30 0.85\n\
         empty.jpg 50 5 30 30 0.2\n\
         outside.jpg 0 0 10 10 0.5\n\
         c.jpg -5 -5 40 40 0.1\n",
    )
    .unwrap();
}

#[test]
fn library_scores_match_faceeval_on_a_fixture() {
    let dir = tempfile::tempdir().unwrap();
    write_fixture(dir.path());
    let p = |n: &str| dir.path().join(n);
    let py = faceeval(&[
        "--gt",
        p("gt.txt").to_str().unwrap(),
        "--ignore",
        p("ignore.txt").to_str().unwrap(),
        "--images",
        p("images.txt").to_str().unwrap(),
        "--det",
        p("dets.txt").to_str().unwrap(),
        "--label",
        "facecam",
    ]);
    let gt = read_boxes(&p("gt.txt")).unwrap();
    let ignore = read_boxes(&p("ignore.txt")).unwrap();
    let images: BTreeSet<String> = read_image_list(&p("images.txt"))
        .unwrap()
        .into_iter()
        .collect();
    let dets = read_detections(&p("dets.txt")).unwrap();
    let ours = parse(
        &evaluate(&dets, &gt, &ignore, &images)
            .lines("facecam")
            .join("\n"),
    );
    let mut compared = 0;
    for (k, v) in &ours {
        let theirs = py
            .get(k)
            .unwrap_or_else(|| panic!("faceeval.py has no key {k}"));
        assert_eq!(v, theirs, "key {k}");
        compared += 1;
    }
    assert!(compared >= 14, "only {compared} keys compared");
    // The fixture is not degenerate: some hits, some misses.
    assert_ne!(ours["facecam.center.tp"], "0");
    assert_ne!(ours["facecam.center.fp"], "0");
}
