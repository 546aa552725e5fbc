//! The files `facecam` ships — the face model, the sequence demos' models and the retraining
//! patch set — compiled into the binary, so a copied or `cargo install`ed executable runs
//! every feature from any folder. `build.rs` lists them; a user's own files load from paths.

use std::path::PathBuf;

use crate::error::{Error, Result};

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// The bytes of a shipped file, by its path relative to the crate root
/// (`"models/face.bpk"`), or an error naming it if this binary was built without it.
pub fn file(path: &str) -> Result<&'static [u8]> {
    FILES
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, bytes)| *bytes)
        .ok_or_else(|| Error::Io {
            path: label(path),
            cause: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "not built into this binary (rebuild from a full checkout)",
            ),
        })
}

/// How messages name a shipped file: `built-in models/face.bpk`.
pub fn label(path: &str) -> PathBuf {
    PathBuf::from(format!("built-in {path}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_models_and_patch_set_are_built_in() {
        for path in [
            "models/face.bpk",
            "models/face.json",
            "models/seq/order-moderate-lstm.bpk",
            "assets/patches/bundle.json",
            "assets/patches/faces.png",
        ] {
            let bytes = file(path).unwrap();
            let on_disk =
                std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/").to_owned() + path).unwrap();
            assert_eq!(bytes, on_disk.as_slice(), "{path}");
        }
        let err = file("models/nope.bpk").unwrap_err().to_string();
        assert!(err.contains("built-in models/nope.bpk"), "{err}");
    }
}
