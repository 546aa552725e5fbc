//! The user's hard negatives on disk: every box they marked "not a face".
//!
//! Layout under the store's folder:
//!
//! ```text
//! windows/<id>.png   the 30×30 gray window the detector saw (what training reads)
//! full/<id>.png      the full-resolution colour crop (for the thumbnails and for people)
//! meta/<id>.json     frame, box, score, model, time
//! trash/             removed entries, so "undo" can bring them back
//! ```
//!
//! Every file is written atomically and the JSON last: an entry exists exactly when its JSON
//! does, so a kill in the middle of a save leaves at most an ignored leftover. The id is a hash
//! of the window's pixels, so marking the same crop twice stores it once.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use image::{GrayImage, RgbImage};
use serde::{Deserialize, Serialize};

use crate::atomic::{TEMP_SUFFIX, write_atomic, write_png};
use crate::detect::model::{WINDOW, normalise};
use crate::error::{Error, Result};

/// What is known about a marked box.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NegativeMeta {
    /// Hash of the window's pixels (16 hex digits).
    pub id: String,
    /// Where the frame came from (camera, reel, file) and its frame number.
    pub source: String,
    pub frame_id: u64,
    /// The box in frame pixels and its logit.
    pub bbox: [f32; 4],
    pub score: f32,
    /// The model that produced the false positive.
    pub model: String,
    pub model_version: u64,
    /// Milliseconds since 1970.
    pub saved_at_ms: u64,
}

/// One stored negative.
#[derive(Clone, Debug)]
pub struct Negative {
    pub meta: NegativeMeta,
    /// 30×30 gray.
    pub window: GrayImage,
}

/// Whether `add` stored something new.
#[derive(Clone, Debug, PartialEq)]
pub enum Added {
    New(String),
    Duplicate(String),
}

/// The store, with its entries in memory (a few thousand 30×30 windows at most).
pub struct NegativeStore {
    root: PathBuf,
    entries: Vec<Negative>,
    /// Ids removed in this session, newest last: what "undo" restores.
    removed: Vec<String>,
}

const PARTS: [(&str, &str); 3] = [("windows", "png"), ("full", "png"), ("meta", "json")];

/// The 30×30 windows of a folder of negatives: the app's store (its windows, not the full
/// crops beside them), or any folder of image files (searched recursively).
pub fn windows_in(dir: &Path) -> Result<Vec<f32>> {
    if NegativeStore::is_store(dir) {
        Ok(NegativeStore::open(dir)?.windows())
    } else {
        crate::train::data::load_windows_recursive(dir)
    }
}

impl NegativeStore {
    /// Whether `dir` looks like a store (rather than a plain folder of crops).
    pub fn is_store(dir: &Path) -> bool {
        dir.join("meta").is_dir() && dir.join("windows").is_dir()
    }

    /// Opens (creating if needed) the store at `root` and reads its entries. Leftover temporary
    /// files from an interrupted save are removed; entries with a missing or unreadable window
    /// are skipped with a warning.
    pub fn open(root: &Path) -> Result<Self> {
        for (part, _) in PARTS {
            let dir = root.join(part);
            fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
            remove_leftovers(&dir);
        }
        let mut ids = Vec::new();
        let meta_dir = root.join("meta");
        for entry in fs::read_dir(&meta_dir).map_err(|e| Error::io(&meta_dir, e))? {
            let path = entry.map_err(|e| Error::io(&meta_dir, e))?.path();
            if path.extension().is_some_and(|e| e == "json") {
                ids.push(path);
            }
        }
        ids.sort();
        let mut entries = Vec::new();
        for meta_path in ids {
            match read_entry(root, &meta_path) {
                Ok(n) => entries.push(n),
                Err(e) => log::warn!("skipped negative {}: {e}", meta_path.display()),
            }
        }
        entries.sort_by_key(|n| (n.meta.saved_at_ms, n.meta.id.clone()));
        Ok(Self {
            root: root.to_path_buf(),
            entries,
            removed: Vec::new(),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Entries, oldest first (by save time to the millisecond; ties in id order).
    pub fn entries(&self) -> &[Negative] {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Stores a negative. `meta.id` and `meta.saved_at_ms` are filled in here. On an error (a
    /// full disk, say) nothing is half-stored: the entry is either complete or absent.
    pub fn add(
        &mut self,
        window: &GrayImage,
        full: &RgbImage,
        mut meta: NegativeMeta,
    ) -> Result<Added> {
        if window.dimensions() != (WINDOW as u32, WINDOW as u32) {
            return Err(Error::Config(format!(
                "a negative window must be {WINDOW}×{WINDOW}, got {:?}",
                window.dimensions()
            )));
        }
        let id = window_id(window);
        if self.entries.iter().any(|n| n.meta.id == id) {
            return Ok(Added::Duplicate(id));
        }
        meta.id = id.clone();
        meta.saved_at_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        write_png(&self.path("windows", &id), window.clone())?;
        write_png(&self.path("full", &id), full.clone())?;
        let json = serde_json::to_vec_pretty(&meta)
            .map_err(|e| Error::Config(format!("negative metadata: {e}")))?;
        write_atomic(&self.path("meta", &id), &json)?;
        self.entries.push(Negative {
            meta,
            window: window.clone(),
        });
        Ok(Added::New(id))
    }

    /// Moves an entry to `trash/` (JSON first: once it is gone the entry is gone). If a later
    /// move fails, the ones done are undone, so the entry stays whole.
    pub fn remove(&mut self, id: &str) -> Result<()> {
        let Some(pos) = self.entries.iter().position(|n| n.meta.id == id) else {
            return Err(Error::Config(format!("no negative with id {id}")));
        };
        let trash = self.root.join("trash");
        let mut moved: Vec<(PathBuf, PathBuf)> = Vec::new();
        for (part, ext) in [PARTS[2], PARTS[0], PARTS[1]] {
            let dir = trash.join(part);
            let from = self.path(part, id);
            let to = dir.join(format!("{id}.{ext}"));
            let step = fs::create_dir_all(&dir).and_then(|()| fs::rename(&from, &to));
            if let Err(e) = step {
                for (back_to, back_from) in moved.iter().rev() {
                    let _ = fs::rename(back_from, back_to);
                }
                return Err(Error::io(&from, e));
            }
            moved.push((from, to));
        }
        self.entries.remove(pos);
        self.removed.push(id.to_owned());
        Ok(())
    }

    /// Brings back the most recently removed entry; returns its id.
    pub fn undo(&mut self) -> Result<Option<String>> {
        let Some(id) = self.removed.pop() else {
            return Ok(None);
        };
        // Marked again since it was deleted: it is back already.
        if self.entries.iter().any(|n| n.meta.id == id) {
            return Ok(Some(id));
        }
        let trash = self.root.join("trash");
        // Window and crop first, the JSON (the commit) last.
        for (part, ext) in PARTS {
            let from = trash.join(part).join(format!("{id}.{ext}"));
            let to = self.path(part, &id);
            fs::rename(&from, &to).map_err(|e| Error::io(&from, e))?;
        }
        let entry = read_entry(&self.root, &self.path("meta", &id))?;
        self.entries.push(entry);
        self.entries
            .sort_by_key(|n| (n.meta.saved_at_ms, n.meta.id.clone()));
        Ok(Some(id))
    }

    /// The full-resolution crop of an entry.
    pub fn full_crop(&self, id: &str) -> Result<RgbImage> {
        let path = self.path("full", id);
        Ok(image::open(&path)
            .map_err(|cause| Error::Image { path, cause })?
            .into_rgb8())
    }

    /// All windows as network input (900 normalised values each), for training and the gate.
    pub fn windows(&self) -> Vec<f32> {
        self.entries
            .iter()
            .flat_map(|n| n.window.as_raw().iter().map(|&p| normalise(p)))
            .collect()
    }

    fn path(&self, part: &str, id: &str) -> PathBuf {
        let ext = PARTS
            .iter()
            .find(|(p, _)| *p == part)
            .map_or("bin", |(_, e)| e);
        self.root.join(part).join(format!("{id}.{ext}"))
    }
}

fn read_entry(root: &Path, meta_path: &Path) -> Result<Negative> {
    let json = fs::read(meta_path).map_err(|e| Error::io(meta_path, e))?;
    let meta: NegativeMeta = serde_json::from_slice(&json).map_err(|e| Error::Parse {
        path: meta_path.to_path_buf(),
        line: e.line(),
        reason: e.to_string(),
    })?;
    let window_path = root.join("windows").join(format!("{}.png", meta.id));
    let window = image::open(&window_path)
        .map_err(|cause| Error::Image {
            path: window_path.clone(),
            cause,
        })?
        .into_luma8();
    if window.dimensions() != (WINDOW as u32, WINDOW as u32) {
        return Err(Error::Config(format!(
            "{} is not {WINDOW}×{WINDOW}",
            window_path.display()
        )));
    }
    Ok(Negative { meta, window })
}

/// Temporary files of writes that never finished (the process was killed).
fn remove_leftovers(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        if e.file_name().to_string_lossy().ends_with(TEMP_SUFFIX) {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// FNV-1a of the pixels: equal windows get equal ids.
fn window_id(window: &GrayImage) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in window.as_raw() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}
