//! The model the live detector runs, swappable at any moment without stopping the video.
//!
//! The detector thread takes an `Arc` of the current model once per frame; installing a new
//! one is an atomic pointer swap, so a frame in flight finishes with the model it started with.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use arc_swap::ArcSwap;
use burn::tensor::Device;

use crate::detect::FaceNet;
use crate::detect::weights::{self, ModelMeta};
use crate::error::Result;

/// Where a model came from.
#[derive(Clone, Debug, PartialEq)]
pub enum ModelOrigin {
    Bundled,
    File(PathBuf),
    /// Trained in this session (issue 4's retraining), not yet saved.
    Trained(String),
}

impl std::fmt::Display for ModelOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModelOrigin::Bundled => f.write_str("bundled model"),
            ModelOrigin::File(p) => write!(
                f,
                "{}",
                p.file_name().map_or_else(
                    || p.display().to_string(),
                    |n| { n.to_string_lossy().into_owned() }
                )
            ),
            ModelOrigin::Trained(name) => f.write_str(name),
        }
    }
}

/// A network ready to run, with its description.
#[derive(Debug)]
pub struct LoadedModel {
    pub net: FaceNet,
    pub meta: ModelMeta,
    pub origin: ModelOrigin,
    /// Increases with every swap, so the detector thread knows when to rebuild.
    pub version: u64,
}

/// The current model plus the device models are loaded onto.
pub struct ModelSlot {
    current: ArcSwap<LoadedModel>,
    versions: AtomicU64,
    device: Device,
}

impl ModelSlot {
    /// Starts with the weights at `path` (or the bundled ones).
    pub fn open(path: Option<&Path>, device: Device) -> Result<Self> {
        let ((net, meta), origin) = match path {
            Some(p) => (
                weights::load(p, &device)?,
                ModelOrigin::File(p.to_path_buf()),
            ),
            None => (weights::load_bundled(&device)?, ModelOrigin::Bundled),
        };
        Ok(Self {
            current: ArcSwap::from_pointee(LoadedModel {
                net,
                meta,
                origin,
                version: 0,
            }),
            versions: AtomicU64::new(0),
            device,
        })
    }

    pub fn current(&self) -> Arc<LoadedModel> {
        self.current.load_full()
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Loads a weights file and makes it current. On any error the current model stays.
    pub fn load_file(&self, path: &Path) -> Result<Arc<LoadedModel>> {
        let (net, meta) = weights::load(path, &self.device)?;
        Ok(self.install(net, meta, ModelOrigin::File(path.to_path_buf())))
    }

    /// Goes back to the shipped weights (built into the binary).
    pub fn revert_to_bundled(&self) -> Result<Arc<LoadedModel>> {
        let (net, meta) = weights::load_bundled(&self.device)?;
        Ok(self.install(net, meta, ModelOrigin::Bundled))
    }

    /// Makes `net` the current model (an atomic swap) and returns it.
    pub fn install(&self, net: FaceNet, meta: ModelMeta, origin: ModelOrigin) -> Arc<LoadedModel> {
        let version = self.versions.fetch_add(1, Ordering::SeqCst) + 1;
        let model = Arc::new(LoadedModel {
            net,
            meta,
            origin,
            version,
        });
        self.current.store(Arc::clone(&model));
        model
    }
}
