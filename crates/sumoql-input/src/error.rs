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
    /// The content matches none of the formats the readers recognise: binary data that is
    /// not an `.evtx` file or a gzip or zstd stream.
    #[error("unrecognised input format in {path}: {detail}")]
    UnknownFormat { path: PathBuf, detail: String },
    /// A file of no recognised format met while reading a directory or a glob pattern. It
    /// is skipped, as search tools skip binary files, and reading goes on.
    #[error("skipped {path}: {detail}")]
    SkippedFile { path: PathBuf, detail: String },
    /// A glob pattern that matches no file.
    #[error("no files match {pattern}")]
    NoMatch { pattern: PathBuf },
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
            | ReadError::SkippedFile { path, .. }
            | ReadError::InvalidEvtx { path, .. }
            | ReadError::DirectoryCycle { path } => path,
            ReadError::NoMatch { pattern } => pattern,
        }
    }

    /// Returns whether this reports a file that was passed over on purpose rather than one that
    /// failed: a warning, not an error.
    pub fn is_skipped_file(&self) -> bool {
        matches!(self, ReadError::SkippedFile { .. })
    }
}
