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
        self.numbered(".bpk")
    }

    /// Files `face-v<N><suffix>` in the folder, by number.
    fn numbered(&self, suffix: &str) -> Vec<(u32, PathBuf)> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut found: Vec<(u32, PathBuf)> = entries
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let n = name
                    .strip_prefix("face-v")?
                    .strip_suffix(suffix)?
                    .parse()
                    .ok()?;
                Some((n, e.path()))
            })
            .collect();
        found.sort();
        found
    }

    /// Saves `net` as the next version (weights and sidecar as one pair); returns its number
    /// and path. Two app instances saving at once get different numbers: each number is
    /// claimed first by creating `face-v<N>.claim`, which only one process can do.
    pub fn save_next(&self, net: &FaceNet, meta: &ModelMeta) -> Result<(u32, PathBuf)> {
        std::fs::create_dir_all(&self.dir).map_err(|e| Error::io(&self.dir, e))?;
        // Claims first: a saver writes its weights before it drops its claim, so a number
        // is always visible as one or the other.
        let claimed = self.numbered(CLAIM);
        let mut n = [claimed, self.list()]
            .iter()
            .flatten()
            .map(|(n, _)| *n)
            .max()
            .map_or(1, |n| n + 1);
        let claim = loop {
            let claim = self.dir.join(format!("face-v{n}{CLAIM}"));
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&claim)
            {
                // Saved meanwhile by another instance (its claim already gone): next one.
                Ok(_) if self.dir.join(format!("face-v{n}.bpk")).exists() => {
                    let _ = std::fs::remove_file(&claim);
                    n += 1;
                }
                Ok(_) => break claim,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => n += 1,
                Err(e) => return Err(Error::io(&claim, e)),
            }
        };
        let path = self.dir.join(format!("face-v{n}.bpk"));
        let saved = weights::save(net, meta, &path);
        // The claim stays if the save failed, so the number is not handed out twice.
        if saved.is_ok() {
            let _ = std::fs::remove_file(&claim);
        }
        saved.map(|()| (n, path))
    }
}

/// Suffix of the empty file that claims a version number while it is being saved.
const CLAIM: &str = ".claim";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FaceNetConfig;
    use burn::tensor::Device;
    use std::sync::Arc;

    #[test]
    fn two_instances_saving_at_once_never_share_a_number() {
        let dir = tempfile::tempdir().unwrap();
        let net = FaceNetConfig::new().init(&Device::flex());
        let versions = Arc::new(ModelVersions::new(dir.path()));
        let savers: Vec<_> = (0..2)
            .map(|_| {
                let (versions, net) = (Arc::clone(&versions), net.clone());
                std::thread::spawn(move || {
                    (0..6)
                        .map(|_| versions.save_next(&net, &ModelMeta::default()).unwrap().0)
                        .collect::<Vec<u32>>()
                })
            })
            .collect();
        let mut numbers: Vec<u32> = savers.into_iter().flat_map(|s| s.join().unwrap()).collect();
        numbers.sort();
        assert_eq!(numbers, (1..=12).collect::<Vec<u32>>());
        for (_, path) in versions.list() {
            weights::load(&path, &Device::flex()).unwrap();
        }
        assert!(versions.numbered(CLAIM).is_empty());
    }
}
