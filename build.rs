//! Lists the files the binary embeds (`src/embedded.rs`): the face model, the sequence demos'
//! models and the retraining patch set. Listing them here rather than by hand means a file
//! `facecam patches` or `models/seq/regenerate.sh` adds is embedded without a code change.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

/// Folders whose weight, sidecar and image files are embedded, relative to the crate root.
const EMBEDDED_DIRS: [&str; 3] = ["models", "models/seq", "assets/patches"];

fn is_embedded(name: &str) -> bool {
    [".bpk", ".json", ".png", ".jpg"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

fn main() {
    let root = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let mut files = Vec::new();
    for dir in EMBEDDED_DIRS {
        println!("cargo:rerun-if-changed={dir}");
        let Ok(entries) = fs::read_dir(Path::new(&root).join(dir)) else {
            continue; // a checkout without it still builds; loading says what is missing
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.path().is_file() && is_embedded(&name) {
                files.push(format!("{dir}/{name}"));
            }
        }
    }
    files.sort();
    let mut code = String::from(
        "/// Every embedded file: its path relative to the crate root, and its bytes.\n",
    );
    code.push_str("pub static FILES: &[(&str, &[u8])] = &[\n");
    for file in &files {
        let abs = Path::new(&root).join(file);
        writeln!(
            code,
            "    ({file:?}, include_bytes!({:?})),",
            abs.display().to_string()
        )
        .expect("writing to a String");
    }
    code.push_str("];\n");
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded.rs");
    fs::write(out, code).expect("OUT_DIR is writable");
}
