//! The library's error type: one enum, each variant naming what the user can fix.

use std::path::PathBuf;

/// Everything that can go wrong in the library, with the file or value at fault.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The message quotes its cause, so the cause is not also a `source()`: error chains
    /// (`{:#}`) would print it twice.
    #[error("cannot read image {path}: {cause}")]
    Image {
        path: PathBuf,
        cause: image::ImageError,
    },
    #[error("cannot load weights from {path}: {reason}")]
    Weights { path: PathBuf, reason: String },
    /// Quotes its cause in the message, as `Image` does.
    #[error("I/O error on {path}: {cause}")]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("{path}:{line}: {reason}")]
    Parse {
        path: PathBuf,
        line: usize,
        reason: String,
    },
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error("no training data: {0}")]
    NoData(String),
    #[error("cancelled")]
    Cancelled,
    #[error("camera {0}: {1}")]
    Camera(String, String),
    #[error("cannot play video {path}: {reason}")]
    Video { path: PathBuf, reason: String },
    #[error("backend {0} is not available: {1}")]
    Backend(String, String),
}

/// Shorthand used across the library.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Wraps an `std::io::Error` with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, cause: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            cause,
        }
    }
}
