//! A weights file and its JSON sidecar, saved so that a crash at any moment leaves a pair
//! that belongs together: the new one, or the old one.
//!
//! Each file is replaced atomically, but two renames are not one. So the sidecar records a
//! checksum of the weights it describes, and the old sidecar is kept as `NAME.prev.json`
//! until both new files are in place. A loader that finds the sidecar describing other
//! weights (a save interrupted between its renames) falls back to the previous sidecar.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::atomic::{sync_dir, write_atomic};
use crate::error::{Error, Result};

/// The sidecar field holding the weights' checksum.
const CHECKSUM_FIELD: &str = "weights_checksum";

/// The sidecar path for a weights file: same name, `.json`.
pub fn sidecar_path(weights: &Path) -> PathBuf {
    weights.with_extension("json")
}

fn previous_path(weights: &Path) -> PathBuf {
    weights.with_extension("prev.json")
}

/// FNV-1a, 64 bits, in hex: enough to tell two weight files apart, with no dependency.
pub fn checksum(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// Saves `weights` (burnpack bytes) at `path` and `meta` as its sidecar, checksum added.
pub fn save(path: &Path, weights: &[u8], meta: &impl Serialize) -> Result<()> {
    let fail = |reason: String| Error::Weights {
        path: path.to_path_buf(),
        reason,
    };
    let mut json = serde_json::to_value(meta).map_err(|e| fail(e.to_string()))?;
    if let Some(fields) = json.as_object_mut() {
        fields.insert(CHECKSUM_FIELD.into(), checksum(weights).into());
    }
    let json = serde_json::to_vec_pretty(&json).map_err(|e| fail(e.to_string()))?;
    let (sidecar, previous) = (sidecar_path(path), previous_path(path));
    set_aside_old_sidecar(path)?;
    let written = write_atomic(&sidecar, &json).and_then(|()| write_atomic(path, weights));
    if written.is_err() {
        // Put the old sidecar back (or none, if there was none): the old weights are still
        // there (a full disk, say).
        let restored = match fs::read(&previous) {
            Ok(old) if old == NO_SIDECAR => fs::remove_file(&sidecar),
            Ok(_) => fs::rename(&previous, &sidecar),
            // A new file: no half of it stays behind.
            Err(e) if e.kind() == ErrorKind::NotFound => fs::remove_file(&sidecar),
            Err(e) => Err(e),
        };
        if restored.is_ok() {
            let _ = fs::remove_file(&previous);
            if let Some(dir) = path.parent() {
                sync_dir(dir);
            }
        }
        return written;
    }
    let _ = fs::remove_file(&previous);
    Ok(())
}

/// What `NAME.prev.json` holds while a file that had no sidecar gets its first one.
const NO_SIDECAR: &[u8] = b"{\"previous\": \"none\"}";

/// Keeps the sidecar that describes the weights now on disk as `NAME.prev.json`, where a
/// crash mid-save leaves it for `load`. After an interrupted save the one that fits may
/// already be there, and the sidecar beside it describes weights that were never written:
/// that one is dropped rather than kept over it.
fn set_aside_old_sidecar(path: &Path) -> Result<()> {
    let (sidecar, previous) = (sidecar_path(path), previous_path(path));
    let old = match fs::read(&sidecar) {
        Ok(json) => Some(json),
        Err(e) if e.kind() == ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(&sidecar, e)),
    };
    // Whether a sidecar describes the weights now on disk; the weights are read only when
    // an interrupted save may have left one that does not.
    let fits = |json: &[u8]| -> Result<bool> {
        let Some(recorded) = recorded_checksum(json) else {
            return Ok(true);
        };
        match fs::read(path) {
            Ok(weights) => Ok(recorded == checksum(&weights)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
            Err(e) => Err(Error::io(path, e)),
        }
    };
    match old {
        Some(json) if previous.exists() && !fits(&json)? => {
            fs::remove_file(&sidecar).map_err(|e| Error::io(&sidecar, e))
        }
        Some(_) => fs::rename(&sidecar, &previous).map_err(|e| Error::io(&sidecar, e)),
        // Weights without a sidecar: say so, so a crash leaves them loading as before.
        None if path.exists() => write_atomic(&previous, NO_SIDECAR),
        None => Ok(()),
    }
}

/// Reads the weights at `path` and the sidecar that describes them (`None` when it has
/// none). After an interrupted save, that is the previous sidecar.
pub fn load(path: &Path) -> Result<(Vec<u8>, Option<Vec<u8>>)> {
    let fail = |reason: String| Error::Weights {
        path: path.to_path_buf(),
        reason,
    };
    let weights = fs::read(path).map_err(|e| fail(e.to_string()))?;
    let sum = checksum(&weights);
    let mut mismatch = false;
    for candidate in [sidecar_path(path), previous_path(path)] {
        let json = match fs::read(&candidate) {
            Ok(json) if json == NO_SIDECAR => return Ok((weights, None)),
            Ok(json) => json,
            Err(e) if e.kind() == ErrorKind::NotFound => continue,
            Err(e) => return Err(fail(format!("sidecar {}: {e}", candidate.display()))),
        };
        match recorded_checksum(&json) {
            Some(recorded) if recorded != sum => mismatch = true,
            // Matches, or an older sidecar without a checksum.
            _ => {
                if mismatch {
                    log::warn!(
                        "{}: a save was interrupted; using the previous sidecar",
                        path.display()
                    );
                }
                return Ok((weights, Some(json)));
            }
        }
    }
    if mismatch {
        return Err(fail(format!(
            "its sidecar {} describes other weights (an interrupted save?)",
            sidecar_path(path).display()
        )));
    }
    Ok((weights, None))
}

fn recorded_checksum(json: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(json).ok()?;
    Some(value.get(CHECKSUM_FIELD)?.as_str()?.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(n: u32) -> serde_json::Value {
        serde_json::json!({ "version": n })
    }

    /// Replays a save of version `n` stopped after its sidecar was written, before its
    /// weights were: a sidecar for weights that never arrived.
    fn sidecar_only(path: &Path, n: u32) {
        let mut m = meta(n);
        m[CHECKSUM_FIELD] = checksum(format!("v{n} weights").as_bytes()).into();
        fs::write(sidecar_path(path), serde_json::to_vec(&m).unwrap()).unwrap();
    }

    fn version(json: &[u8]) -> u64 {
        serde_json::from_slice::<serde_json::Value>(json).unwrap()["version"]
            .as_u64()
            .unwrap()
    }

    #[test]
    fn a_save_interrupted_between_its_renames_leaves_the_old_pair() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.bpk");
        save(&path, b"old weights", &meta(1)).unwrap();
        save(&path, b"new weights", &meta(2)).unwrap();
        let (w, json) = load(&path).unwrap();
        assert_eq!(
            (w.as_slice(), version(&json.unwrap())),
            (&b"new weights"[..], 2)
        );
        assert!(!previous_path(&path).exists());

        // Replay a save of v3 that stops after the sidecar's rename, before the weights'.
        fs::rename(sidecar_path(&path), previous_path(&path)).unwrap();
        sidecar_only(&path, 3);
        let (w, json) = load(&path).unwrap();
        assert_eq!(
            (w.as_slice(), version(&json.unwrap())),
            (&b"new weights"[..], 2)
        );

        // The next save repairs the folder.
        save(&path, b"v4 weights", &meta(4)).unwrap();
        let (w, json) = load(&path).unwrap();
        assert_eq!(
            (w.as_slice(), version(&json.unwrap())),
            (&b"v4 weights"[..], 4)
        );
    }

    #[test]
    fn a_second_interrupted_save_still_leaves_the_first_pair() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.bpk");
        save(&path, b"v1 weights", &meta(1)).unwrap();
        // Interrupted after the sidecar's rename: v2's sidecar beside v1's weights.
        fs::rename(sidecar_path(&path), previous_path(&path)).unwrap();
        sidecar_only(&path, 2);
        // The next save (v3) crashes at the same point: v1 must still load.
        set_aside_old_sidecar(&path).unwrap();
        sidecar_only(&path, 3);
        let (w, json) = load(&path).unwrap();
        assert_eq!(
            (w.as_slice(), version(&json.unwrap())),
            (&b"v1 weights"[..], 1)
        );
    }

    #[test]
    fn weights_without_a_sidecar_keep_loading_when_their_first_save_is_interrupted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.bpk");
        fs::write(&path, b"bare weights").unwrap();
        set_aside_old_sidecar(&path).unwrap();
        // A crash here, with a new sidecar written beside the old weights:
        sidecar_only(&path, 2);
        let (w, json) = load(&path).unwrap();
        assert_eq!((w.as_slice(), json), (&b"bare weights"[..], None));
    }

    #[test]
    fn a_sidecar_for_other_weights_is_refused_and_old_sidecars_still_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.bpk");
        save(&path, b"weights", &meta(1)).unwrap();
        fs::write(&path, b"replaced by hand").unwrap();
        let err = load(&path).unwrap_err().to_string();
        assert!(err.contains("describes other weights"), "{err}");

        // A sidecar without a checksum (written before it existed) is taken as it is.
        fs::write(sidecar_path(&path), b"{\"version\": 7}").unwrap();
        assert_eq!(version(&load(&path).unwrap().1.unwrap()), 7);
        fs::remove_file(sidecar_path(&path)).unwrap();
        assert!(load(&path).unwrap().1.is_none());
    }
}
