//! Settings that survive a restart: the detector's sliders, the heat map, tracks or raw
//! detections and trails, the source, the last weights file, the tab and the automatic-retrain
//! count. They live in the data folder
//! as `settings.json`, rewritten atomically whenever they change; a missing file means the
//! defaults, and an unreadable one means the defaults and a notice (the file is not touched
//! until the next change).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Tab;
use crate::DetectorConfig;
use crate::atomic::write_atomic;
use crate::error::{Error, Result};
use crate::live::SourceChoice;

/// The settings file, in the data folder.
pub const FILE: &str = "settings.json";

/// What is remembered. `None` fields fall back to the command line's defaults.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    pub detector: Option<DetectorConfig>,
    pub heat_map: bool,
    pub source: Option<SourceChoice>,
    pub weights: Option<PathBuf>,
    pub tab: Option<Tab>,
    pub auto_retrain_after: usize,
    /// Raw per-frame detections instead of tracks.
    pub raw_detections: bool,
    /// Trails behind the tracks.
    pub trails: bool,
}

impl Prefs {
    /// Reads the settings in `data_dir`: the defaults when there are none, and the defaults
    /// plus the reason when the file cannot be used.
    pub fn load(data_dir: &Path) -> (Self, Option<String>) {
        let path = data_dir.join(FILE);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (Self::default(), None),
            Err(e) => return (Self::default(), Some(format!("{}: {e}", path.display()))),
        };
        let parsed = serde_json::from_slice::<Self>(&bytes)
            .map_err(|e| e.to_string())
            .and_then(|p| p.validated().map_err(|e| e.to_string()));
        match parsed {
            Ok(p) => (p, None),
            Err(e) => (
                Self::default(),
                Some(format!("settings {} ignored: {e}", path.display())),
            ),
        }
    }

    /// Writes the settings into `data_dir`.
    pub fn save(&self, data_dir: &Path) -> Result<()> {
        let json =
            serde_json::to_vec_pretty(self).map_err(|e| Error::Config(format!("settings: {e}")))?;
        write_atomic(&data_dir.join(FILE), &json)
    }

    /// Rejects remembered detector settings the detector would refuse (a hand-edited file).
    fn validated(self) -> Result<Self> {
        if let Some(d) = &self.detector {
            d.validate()?;
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_a_broken_file_means_defaults_and_a_notice() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Prefs::load(dir.path()), (Prefs::default(), None));
        let detector = DetectorConfig {
            threshold: 1.25,
            ..DetectorConfig::default()
        };
        let prefs = Prefs {
            detector: Some(detector),
            heat_map: true,
            source: Some(SourceChoice::Video("clip.mp4".into())),
            weights: Some("mine.bpk".into()),
            tab: Some(Tab::Negatives),
            auto_retrain_after: 12,
            raw_detections: true,
            trails: true,
        };
        prefs.save(dir.path()).unwrap();
        assert_eq!(Prefs::load(dir.path()), (prefs, None));

        std::fs::write(dir.path().join(FILE), b"{\"detector\": {\"threshold\": ").unwrap();
        let (loaded, problem) = Prefs::load(dir.path());
        assert_eq!(loaded, Prefs::default());
        assert!(problem.unwrap().contains("ignored"));

        // Valid JSON with settings the detector refuses is not applied either.
        let mut bad = DetectorConfig::default();
        bad.nms.iou = 7.0;
        let json = serde_json::json!({ "detector": bad }).to_string();
        std::fs::write(dir.path().join(FILE), json).unwrap();
        assert!(Prefs::load(dir.path()).1.unwrap().contains("IoU"));
    }
}
