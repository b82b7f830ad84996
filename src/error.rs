//! The library's error type. Each variant names what went wrong in words a user can act on;
//! the binary adds context and chooses the exit code.

use std::path::PathBuf;

/// Everything that can go wrong in loupe's library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The corpus folder does not exist or is not a folder.
    #[error(
        "corpus folder {0} not found (pass --corpus DIR, or create it and put .txt files in it)"
    )]
    CorpusMissing(PathBuf),
    /// No index has been built in the folder yet.
    #[error("no index in {0} (build it with `loupe index`)")]
    IndexMissing(PathBuf),
    /// The index was built by another version of loupe whose schema or analysis differs.
    #[error(
        "index in {path} was built by an incompatible version of loupe (schema {found}, this loupe uses {expected}); rebuild it with `loupe index --rebuild`"
    )]
    IndexIncompatible {
        /// Index folder.
        path: PathBuf,
        /// Schema version recorded in the index.
        found: String,
        /// Schema version this build writes.
        expected: u32,
    },
    /// The index path exists but is not a folder.
    #[error("index path {0} is a file, not a folder (pass --index DIR with a folder)")]
    IndexNotADirectory(PathBuf),
    /// Another process holds the index writer lock.
    #[error(
        "index in {} is being updated by another loupe process{}; wait for it to finish (or pass --wait)",
        path.display(),
        holder.map(|pid| format!(" (pid {pid})")).unwrap_or_default()
    )]
    IndexLocked {
        /// Index folder.
        path: PathBuf,
        /// Process id of the holder, when known.
        holder: Option<u32>,
    },
    /// The query could not be understood.
    #[error("{0}")]
    Query(String),
    /// A bad option value.
    #[error("{0}")]
    InvalidArgument(String),
    /// An I/O error on a named file or folder.
    #[error("{}: {error}", path.display())]
    Io {
        /// File or folder the error concerns.
        path: PathBuf,
        /// What the operating system said (in the message, so not also a `source`).
        error: std::io::Error,
    },
    /// An error from the search engine, with what loupe was doing.
    #[error(
        "{context}: {error}; if the index is damaged, rebuild it with `loupe index --rebuild`"
    )]
    Index {
        /// What loupe was doing.
        context: String,
        /// The underlying tantivy error (in the message, so not also a `source`).
        error: tantivy::TantivyError,
    },
}

/// Result alias used across the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Attaches a description of the current operation to tantivy errors.
pub(crate) trait IndexContext<T> {
    fn context(self, context: impl Into<String>) -> Result<T>;
}

impl<T> IndexContext<T> for std::result::Result<T, tantivy::TantivyError> {
    fn context(self, context: impl Into<String>) -> Result<T> {
        self.map_err(|error| Error::Index {
            context: context.into(),
            error,
        })
    }
}

/// Attaches the path to I/O errors.
pub(crate) trait IoContext<T> {
    fn with_path(self, path: impl Into<PathBuf>) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn with_path(self, path: impl Into<PathBuf>) -> Result<T> {
        self.map_err(|error| Error::Io {
            path: path.into(),
            error,
        })
    }
}
