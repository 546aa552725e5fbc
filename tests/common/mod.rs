//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

/// The built `facecam` binary.
pub fn facecam() -> Command {
    Command::new(env!("CARGO_BIN_EXE_facecam"))
}

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

/// Runs `cmd` to the end and returns its output, failing the test with its stderr if it did
/// not succeed.
pub fn run_ok(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().expect("the command could be started");
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        cmd.get_program(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}
