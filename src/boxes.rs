//! Box and detection files in the shared plain-text format.
//!
//! One record per line, whitespace separated; `#` lines and blank lines are skipped; the image
//! path is everything before the trailing numbers, so it may contain spaces:
//! `image x y w h` (boxes) or `image x y w h score` (detections). Paths are normalised the way
//! Python's `os.path.normpath` does, so `./a.jpg` and `a.jpg` are the same image.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use crate::error::{Error, Result};

/// An axis-aligned box in image pixels (top-left corner and size).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BoxF {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// A scored box on a named image.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoredBox {
    pub image: String,
    pub rect: BoxF,
    pub score: f64,
}

/// Boxes per image, images in sorted order, boxes in file order.
pub type BoxMap = BTreeMap<String, Vec<BoxF>>;

/// `os.path.normpath` for relative and absolute POSIX paths.
pub fn normpath(p: &str) -> String {
    let absolute = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// Splits a line into the image path and `n` trailing numbers.
fn parse_record(line: &str, n: usize) -> std::result::Result<(String, Vec<f64>), String> {
    let mut rest = line.trim();
    let mut nums = Vec::with_capacity(n);
    for _ in 0..n {
        let cut = rest
            .rfind(char::is_whitespace)
            .ok_or_else(|| format!("expected an image path and {n} numbers"))?;
        let v: f64 = rest[cut + 1..]
            .parse()
            .map_err(|_| format!("non-numeric field {:?}", &rest[cut + 1..]))?;
        nums.push(v);
        rest = rest[..cut].trim_end();
    }
    if rest.is_empty() {
        return Err(format!("expected an image path and {n} numbers"));
    }
    nums.reverse();
    Ok((normpath(rest), nums))
}

fn records(path: &Path, n: usize) -> Result<Vec<(usize, String, Vec<f64>)>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let s = line.trim();
        if s.is_empty() || s.starts_with('#') {
            continue;
        }
        let (img, nums) = parse_record(s, n).map_err(|reason| Error::Parse {
            path: path.to_path_buf(),
            line: i + 1,
            reason,
        })?;
        out.push((i + 1, img, nums));
    }
    Ok(out)
}

/// Reads a box file (`image x y w h`); a non-positive size is an error.
pub fn read_boxes(path: &Path) -> Result<BoxMap> {
    let mut map = BoxMap::new();
    for (line, img, v) in records(path, 4)? {
        if v[2] <= 0.0 || v[3] <= 0.0 {
            return Err(Error::Parse {
                path: path.to_path_buf(),
                line,
                reason: "non-positive box size".into(),
            });
        }
        map.entry(img).or_default().push(BoxF {
            x: v[0],
            y: v[1],
            w: v[2],
            h: v[3],
        });
    }
    Ok(map)
}

/// Reads a detection file (`image x y w h score`), dropping records the scorer drops too
/// (non-positive size, non-finite score).
pub fn read_detections(path: &Path) -> Result<Vec<ScoredBox>> {
    Ok(records(path, 5)?
        .into_iter()
        .filter(|(_, _, v)| v[2] > 0.0 && v[3] > 0.0 && v[4].is_finite())
        .map(|(_, image, v)| ScoredBox {
            image,
            rect: BoxF {
                x: v[0],
                y: v[1],
                w: v[2],
                h: v[3],
            },
            score: v[4],
        })
        .collect())
}

/// Reads an image list (one path a line).
pub fn read_image_list(path: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|s| !s.is_empty() && !s.starts_with('#'))
        .map(normpath)
        .collect())
}

/// Formats one detection line as `facecam detect` prints it. Numbers are printed exactly
/// (Rust's shortest round-trip form), so a reader gets back the very values scored.
pub fn detection_line(image: &str, x: f32, y: f32, w: f32, h: f32, score: f32) -> String {
    let mut s = String::with_capacity(image.len() + 40);
    let _ = write!(s, "{image} {x} {y} {w} {h} {score}");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normpath_matches_python() {
        assert_eq!(normpath("./a/b/../c.jpg"), "a/c.jpg");
        assert_eq!(normpath("a//b/./c"), "a/b/c");
        assert_eq!(normpath("../x"), "../x");
        assert_eq!(normpath("/x/../../y"), "/y");
        assert_eq!(normpath("."), ".");
    }

    #[test]
    fn image_paths_may_hold_spaces() {
        let (img, v) = parse_record("my photos/a b.jpg 1 2 3 4 0.5", 5).unwrap();
        assert_eq!(img, "my photos/a b.jpg");
        assert_eq!(v, vec![1.0, 2.0, 3.0, 4.0, 0.5]);
        assert!(parse_record("1 2 3 4", 4).is_err());
        assert!(parse_record("a.jpg 1 2 x 4", 4).is_err());
    }
}
