//! The library's error type. Each variant names what went wrong in words a user can act on;
//! the binary adds context and chooses the exit code.

use std::path::PathBuf;

/// Everything that can go wrong in loupe's library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The corpus folder does not exist or is not a folder.
    #[error("{}", corpus_missing(.0))]
    CorpusMissing(PathBuf),
    /// The index folder is there but cannot be listed (its permissions).
    #[error("cannot read the index folder {} ({detail}); check its permissions", path.display())]
    IndexUnreadable {
        /// Index folder.
        path: PathBuf,
        /// The system's reason.
        detail: String,
    },
    /// No index has been built in the folder yet.
    #[error("no index at {} (build it with `loupe index`)", .0.display())]
    IndexMissing(PathBuf),
    /// The index was built by another version of loupe whose schema or analysis differs.
    #[error(
        "index at {} was built by an incompatible version of loupe (schema {found}, this loupe uses {expected}); rebuild it with `loupe index --rebuild`", path.display()
    )]
    IndexIncompatible {
        /// Index folder.
        path: PathBuf,
        /// Schema version recorded in the index.
        found: String,
        /// Schema version this build writes.
        expected: u32,
    },
    /// The index folder holds loupe's files but they cannot be read.
    #[error("index at {} is damaged ({detail}): run `loupe index --rebuild`", path.display())]
    IndexDamaged {
        /// Index folder.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// The index folder holds other files and is not marked as a loupe index.
    #[error("{} is not a loupe index: it holds other files and no `.loupe-index` marker, so loupe will not write into it (pass --index with a new or empty folder)", .0.display())]
    NotAnIndex(PathBuf),
    /// `--corpus` names another folder than the one the index was built from.
    #[error("index at {} was built from {}, not {}; to index {} instead, run `loupe index --corpus {} --index {} --rebuild` (or choose another --index)", index.display(), recorded.display(), given.display(), given.display(), given.display(), index.display())]
    CorpusMismatch {
        /// Index folder.
        index: PathBuf,
        /// The corpus recorded in the index.
        recorded: PathBuf,
        /// The corpus named on the command line.
        given: PathBuf,
    },
    /// The corpus the index records and a folder where its path relative to the index leads
    /// are both there, and differ: the index was copied with its corpus, or beside another.
    #[error("index at {} was built from {}, but {} (where the corpus lay beside the index) is another folder: the index was copied or moved with a copy of its corpus? Pass --corpus to say which (`loupe index --corpus DIR --index {}` records it)", index.display(), recorded.display(), beside.display(), index.display())]
    CorpusAmbiguous {
        /// Index folder.
        index: PathBuf,
        /// The corpus recorded in the index.
        recorded: PathBuf,
        /// The folder its path relative to the index leads to now.
        beside: PathBuf,
    },
    /// An update would remove most of the index: the corpus is probably not what it was.
    #[error("refusing to update: {removed} of the {total} indexed documents are gone from {} (corpus folder empty, unmounted or another folder?); nothing was changed. Run `loupe index --force` to remove them", corpus.display())]
    MassRemoval {
        /// Documents the update would remove.
        removed: usize,
        /// Documents in the index.
        total: usize,
        /// The corpus folder.
        corpus: PathBuf,
    },
    /// An index of another loupe would be replaced by one of a corpus folder with no documents.
    #[error("refusing to replace the index at {} (built by another version of loupe) with one of {}, which holds no documents (empty, unmounted or another folder?); nothing was changed. Run `loupe index --force` to replace it anyway", index.display(), corpus.display())]
    EmptyReplacement {
        /// Index folder.
        index: PathBuf,
        /// The corpus folder.
        corpus: PathBuf,
    },
    /// The index path exists but is not a folder.
    #[error("index path {} is a file, not a folder (pass --index DIR with a folder)", .0.display())]
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
    /// A remote cluster could not be reached, or refused or failed a request.
    #[error("{0}")]
    Remote(String),
    /// The index's disk is full: what was being written is lost, the last commit is not.
    #[error("{context}: no space left on the index's device; what was committed before is intact and searchable: free some space and run `loupe index` again")]
    DiskFull {
        /// What loupe was doing.
        context: String,
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
        self.map_err(|error| {
            let context = context.into();
            if is_disk_full(&error) {
                Error::DiskFull { context }
            } else {
                Error::Index { context, error }
            }
        })
    }
}

/// Whether tantivy failed for want of disk space (its errors carry the system's error in
/// several forms, some only as text).
fn is_disk_full(error: &tantivy::TantivyError) -> bool {
    let kind_full = matches!(error, tantivy::TantivyError::IoError(e)
        if e.kind() == std::io::ErrorKind::StorageFull);
    let text = error.to_string();
    kind_full || text.contains("No space left on device") || text.contains("StorageFull")
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

/// What [`Error::CorpusMissing`] says: a path that is there is a file.
fn corpus_missing(path: &std::path::Path) -> String {
    if path.exists() {
        format!(
            "corpus path {} is a file, not a folder (pass --corpus DIR with a folder of .txt files)",
            path.display()
        )
    } else {
        format!(
            "corpus folder {} not found (pass --corpus DIR, or create it and put .txt files in it)",
            path.display()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A full disk is told as such, in each form tantivy reports it, and says that the last
    /// commit is intact instead of pointing at a rebuild (which needs more space still).
    #[test]
    fn a_full_disk_says_the_index_is_intact_and_asks_for_space() {
        let full = std::io::Error::from(std::io::ErrorKind::StorageFull);
        let as_text = std::io::Error::from_raw_os_error(28);
        let wrapped = tantivy::directory::error::OpenWriteError::IoError {
            io_error: std::sync::Arc::new(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                "write failed",
            )),
            filepath: "x.idx".into(),
        };
        for error in [
            tantivy::TantivyError::IoError(std::sync::Arc::new(full)),
            tantivy::TantivyError::InternalError(as_text.to_string()),
            tantivy::TantivyError::OpenWriteError(wrapped),
        ] {
            let message = Err::<(), _>(error)
                .context("preparing commit")
                .unwrap_err()
                .to_string();
            assert!(
                message.starts_with("preparing commit: no space left")
                    && message.contains("intact")
                    && !message.contains("--rebuild"),
                "{message}"
            );
        }
        let other = Err::<(), _>(tantivy::TantivyError::InternalError("bad".into()))
            .context("committing")
            .unwrap_err()
            .to_string();
        assert!(other.contains("--rebuild"), "{other}");
    }
}
