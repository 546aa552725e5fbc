//! Burn modules to and from burnpack bytes, with every failure a clear `Error::Weights`.
//!
//! Shared by the face detector's weights and the sequence demos' weights, so a corrupt file
//! is reported the same way everywhere and never panics the app.

use std::path::Path;

use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::Bytes;

use crate::error::{Error, Result};

fn fail(path: &Path, reason: String) -> Error {
    Error::Weights {
        path: path.to_path_buf(),
        reason,
    }
}

/// The module's parameters as burnpack bytes (`path` only names the file in errors).
pub fn to_bytes<M: Module>(module: &M, path: &Path) -> Result<Vec<u8>> {
    module
        .clone()
        .into_record()
        .into_bytes()
        .map(|b| b.to_vec())
        .map_err(|e| fail(path, format!("{e:?}")))
}

/// Loads burnpack `bytes` into `fresh`, a module of the right architecture.
pub fn load_into<M: Module>(fresh: M, bytes: Vec<u8>, path: &Path) -> Result<M> {
    // The burnpack reader is defensive, but a panic deep inside it must not take the app down.
    let record =
        std::panic::catch_unwind(|| ModuleRecord::from_bytes(Bytes::from_bytes_vec(bytes)))
            .map_err(|_| fail(path, "not a burnpack file".into()))?
            .map_err(|e| fail(path, format!("not a burnpack file ({e:?})")))?;
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        fresh.try_load_record(record)
    }))
    .map_err(|_| fail(path, "tensors do not fit the architecture".into()))?
    .map_err(|e| fail(path, format!("tensors do not fit the architecture ({e:?})")))
}
