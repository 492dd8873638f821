//! Errors that stop one input. The stream goes on with the next input after each.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The path could not be opened, listed or read.
    #[error("failed to read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The content matches none of the formats the readers recognise.
    #[error(
        "unrecognised input format in {path}: {detail}; expected .evtx, Windows event XML or \
         JSON lines in the evtx crate's shape"
    )]
    UnknownFormat { path: PathBuf, detail: String },
    /// The file starts with the `.evtx` magic but its file header cannot be read.
    #[error("invalid .evtx file {path}: {reason}")]
    InvalidEvtx { path: PathBuf, reason: String },
    /// A directory reached a second time, as through a symbolic link loop; it is skipped.
    #[error("skipped directory {path}: it was already read (symbolic link loop?)")]
    DirectoryCycle { path: PathBuf },
}

impl ReadError {
    /// Returns the path the error is about.
    pub fn path(&self) -> &std::path::Path {
        match self {
            ReadError::Io { path, .. }
            | ReadError::UnknownFormat { path, .. }
            | ReadError::InvalidEvtx { path, .. }
            | ReadError::DirectoryCycle { path } => path,
        }
    }
}
