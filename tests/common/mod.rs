//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The shared data folder beside the checkout (`../shared/data`), as in CI.
pub fn shared_data() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    assert!(
        p.join("README.md").exists(),
        "the shared data must be at {} (see README)",
        p.display()
    );
    p
}

pub fn faceeval() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/faceeval.py")
}
