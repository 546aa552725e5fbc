//! Accepted retrained models, kept as numbered weight files so any of them can be restored.

use std::path::{Path, PathBuf};

use crate::FaceNet;
use crate::detect::weights::{self, ModelMeta};
use crate::error::{Error, Result};

/// `face-v1.bpk`, `face-v2.bpk`, … (each with its `.json` sidecar) in one folder.
pub struct ModelVersions {
    dir: PathBuf,
}

impl ModelVersions {
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
        }
    }

    /// Saved versions, oldest first: (number, weights path).
    pub fn list(&self) -> Vec<(u32, PathBuf)> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut found: Vec<(u32, PathBuf)> = entries
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let n = name
                    .strip_prefix("face-v")?
                    .strip_suffix(".bpk")?
                    .parse()
                    .ok()?;
                Some((n, e.path()))
            })
            .collect();
        found.sort();
        found
    }

    /// Saves `net` as the next version (atomically, sidecar included); returns its path.
    pub fn save_next(&self, net: &FaceNet, meta: &ModelMeta) -> Result<(u32, PathBuf)> {
        std::fs::create_dir_all(&self.dir).map_err(|e| Error::io(&self.dir, e))?;
        let n = self.list().last().map_or(1, |(n, _)| n + 1);
        let path = self.dir.join(format!("face-v{n}.bpk"));
        weights::save(net, meta, &path)?;
        Ok((n, path))
    }
}
