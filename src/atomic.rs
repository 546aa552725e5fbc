//! Atomic file writes: a reader (or a crash) never sees a half-written file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Suffix of the temporary file a write goes through; such leftovers are ignored on load.
pub const TEMP_SUFFIX: &str = ".partial";

/// Writes `bytes` to `path` through a temporary file in the same folder, synced, then renamed.
///
/// The rename is atomic on one filesystem, so `path` holds either the old or the new content.
/// On any error (a full disk, say) the temporary file is removed and `path` is untouched.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let tmp = temp_path(path);
    let result = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    sync_dir(dir);
    Ok(())
}

/// Makes a rename in `dir` durable: without it a power cut can forget the new name even
/// though the file's bytes were synced. Best effort: not every platform can open a folder.
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Encodes `img` as PNG and writes it with `write_atomic`.
pub fn write_png(path: &Path, img: impl Into<image::DynamicImage>) -> Result<()> {
    let mut bytes = Vec::new();
    img.into()
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .map_err(|cause| Error::Image {
            path: path.to_path_buf(),
            cause,
        })?;
    write_atomic(path, &bytes)
}

fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}{}", std::process::id(), TEMP_SUFFIX));
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn failed_write_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing-dir-is-a-file");
        fs::write(&path, b"old").unwrap();
        // A path whose parent is a regular file cannot be created.
        let bad = path.join("child.txt");
        assert!(write_atomic(&bad, b"new").is_err());
        assert_eq!(fs::read(&path).unwrap(), b"old");
    }
}
