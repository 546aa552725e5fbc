//! Weight files: a burnpack `.bpk` with a JSON sidecar (`.json`) that makes it self-describing.
//!
//! The sidecar holds the architecture (so a file with other layer widths still loads), the
//! detector defaults the model was tuned with, and how it was trained.

use std::path::{Path, PathBuf};

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use super::detector::DetectorConfig;
use super::model::{FaceNet, FaceNetConfig};
use crate::error::{Error, Result};
use crate::{burnpack, embedded, weight_pair};

/// The shipped default weights, relative to the crate root (built into the binary).
pub const BUNDLED: &str = "models/face.bpk";

/// What the JSON sidecar records.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ModelMeta {
    /// Architecture.
    pub net: FaceNetConfig,
    /// Detector settings chosen for these weights (threshold, pyramid, NMS).
    pub detector: DetectorConfig,
    /// Free-form training record: data counts, seed, validation figures.
    #[serde(default)]
    pub training: serde_json::Value,
}

impl Default for ModelMeta {
    fn default() -> Self {
        Self {
            net: FaceNetConfig::new(),
            detector: DetectorConfig::default(),
            training: serde_json::Value::Null,
        }
    }
}

/// The sidecar path for a weights file: same name, `.json`.
pub fn meta_path(weights: &Path) -> PathBuf {
    weight_pair::sidecar_path(weights)
}

/// Saves weights and sidecar as a pair a crash cannot split (see `weight_pair`).
pub fn save(model: &FaceNet, meta: &ModelMeta, path: &Path) -> Result<()> {
    let bytes = burnpack::to_bytes(model, path)?;
    weight_pair::save(path, &bytes, meta)
}

/// Loads weights (and their sidecar, if present) onto `device`.
///
/// Any failure — missing file, not a burnpack, wrong tensor shapes, unreadable JSON — is one
/// `Error::Weights` naming the file.
pub fn load(path: &Path, device: &Device) -> Result<(FaceNet, ModelMeta)> {
    let (bytes, sidecar) = weight_pair::load(path)?;
    from_bytes(path, bytes, sidecar.as_deref(), device)
}

/// Loads the shipped weights, built into the binary.
pub fn load_bundled(device: &Device) -> Result<(FaceNet, ModelMeta)> {
    let bytes = embedded::file(BUNDLED)?.to_vec();
    let sidecar = embedded::file(&meta_path(Path::new(BUNDLED)).to_string_lossy())?;
    from_bytes(&embedded::label(BUNDLED), bytes, Some(sidecar), device)
}

/// Weights from burnpack `bytes` and sidecar JSON (`None`: the default architecture);
/// `path` names them in errors.
fn from_bytes(
    path: &Path,
    bytes: Vec<u8>,
    sidecar: Option<&[u8]>,
    device: &Device,
) -> Result<(FaceNet, ModelMeta)> {
    let fail = |reason: String| Error::Weights {
        path: path.to_path_buf(),
        reason: format!("sidecar {}: {reason}", meta_path(path).display()),
    };
    let meta = match sidecar {
        Some(json) => serde_json::from_slice::<ModelMeta>(json).map_err(|e| fail(e.to_string()))?,
        None => ModelMeta::default(),
    };
    meta.detector
        .validate()
        .and_then(|()| meta.net.validate())
        .map_err(|e| fail(e.to_string()))?;
    let model = burnpack::load_into(meta.net.init(device), bytes, path)?;
    Ok((model, meta))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn save_then_load_gives_the_same_scores() {
        let device = Device::flex();
        let model = FaceNetConfig::new().init(&device);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.bpk");
        let meta = ModelMeta {
            detector: DetectorConfig {
                threshold: 1.5,
                ..DetectorConfig::default()
            },
            ..ModelMeta::default()
        };
        save(&model, &meta, &path).unwrap();
        let (loaded, meta2) = load(&path, &device).unwrap();
        assert_eq!(meta2.detector.threshold, 1.5);
        let x: Vec<f32> = (0..900 * 3)
            .map(|i| ((i * 37) % 101) as f32 / 101.0 - 0.5)
            .collect();
        let a = super::super::detector::score_windows(&model, &x, &device);
        let b = super::super::detector::score_windows(&loaded, &x, &device);
        assert_eq!(a, b);
    }

    #[test]
    fn corrupt_or_missing_files_are_clear_errors() {
        let device = Device::flex();
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.bpk");
        let err = load(&missing, &device).unwrap_err().to_string();
        assert!(err.contains("nope.bpk"), "{err}");

        let garbage = dir.path().join("garbage.bpk");
        fs::write(&garbage, b"this is not a burnpack file at all").unwrap();
        let err = load(&garbage, &device).unwrap_err().to_string();
        assert!(err.contains("garbage.bpk"), "{err}");

        // A valid file of another architecture does not fit.
        let other = FaceNetConfig::new().with_channels([4, 8, 8]).init(&device);
        let path = dir.path().join("other.bpk");
        save(&other, &ModelMeta::default(), &path).unwrap();
        fs::remove_file(meta_path(&path)).unwrap(); // sidecar gone: default architecture assumed
        let err = load(&path, &device).unwrap_err().to_string();
        assert!(err.contains("other.bpk"), "{err}");

        // A sidecar with settings the detector would reject is refused at load time.
        let odd = dir.path().join("odd.bpk");
        let mut meta = ModelMeta::default();
        meta.detector.nms.iou = -1.0;
        save(&FaceNetConfig::new().init(&device), &meta, &odd).unwrap();
        let err = load(&odd, &device).unwrap_err().to_string();
        assert!(err.contains("odd.json") && err.contains("IoU"), "{err}");

        // So is an architecture no file could hold, or a cascade gate that is not a number.
        let weights = fs::read(&odd).unwrap();
        for (name, net, what) in [
            (
                "wide",
                r#"{"channels": [8, 16, 4000000000], "lcn": true}"#,
                "widths",
            ),
            (
                "gate",
                r#"{"channels": [8, 16, 32], "lcn": true, "second": {"channels": [16, 32, 64], "gate": null}}"#,
                "",
            ),
        ] {
            let p = dir.path().join(format!("{name}.bpk"));
            fs::write(&p, &weights).unwrap();
            let json = format!(
                r#"{{"net": {net}, "detector": {}}}"#,
                serde_json::to_string(&DetectorConfig::default()).unwrap()
            );
            fs::write(meta_path(&p), json).unwrap();
            let err = load(&p, &device).unwrap_err().to_string();
            assert!(
                err.contains(&format!("{name}.json")) && err.contains(what),
                "{err}"
            );
        }
    }
}
