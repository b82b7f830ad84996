//! The index folder as tantivy sees it, searchable where it cannot be written: an index on a
//! read-only disk, or one another user owns, is read without creating a file; and the files
//! tantivy writes for its commits are as readable as the folder.

use std::fs::{File, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::directory::error::{
    DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError,
};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, FileSlice, Lock, MmapDirectory, WatchCallback,
    WatchHandle, WritePtr,
};

/// tantivy's memory-mapped folder, except for a lock it cannot take for want of write access:
/// that lock is taken on the lock file opened for reading, or, where there is no lock file,
/// not at all (nobody can write there, so there is nothing to keep out).
#[derive(Clone, Debug)]
pub struct IndexDirectory {
    inner: MmapDirectory,
    root: PathBuf,
}

impl IndexDirectory {
    /// The folder `root`.
    pub fn open(root: &Path) -> Result<IndexDirectory, OpenDirectoryError> {
        Ok(IndexDirectory {
            inner: MmapDirectory::open(root)?,
            root: root.to_path_buf(),
        })
    }

    /// `lock` taken on its file opened for reading (a shared lock, which keeps writers out as
    /// tantivy's exclusive one does).
    fn read_only_lock(
        &self,
        lock: &Lock,
        denied: Arc<io::Error>,
    ) -> Result<DirectoryLock, LockError> {
        let file = match File::open(self.root.join(&lock.filepath)) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok(DirectoryLock::from(Box::new(())))
            }
            Err(_) => return Err(LockError::IoError(denied)),
        };
        if lock.is_blocking {
            file.lock_shared().map_err(LockError::wrap_io_error)?;
        } else {
            file.try_lock_shared().map_err(|e| match e {
                TryLockError::WouldBlock => LockError::LockBusy,
                TryLockError::Error(e) => LockError::wrap_io_error(e),
            })?;
        }
        // Closing the file releases the lock.
        Ok(DirectoryLock::from(Box::new(file)))
    }
}

/// tantivy writes `meta.json` and `.managed.json` through a temporary file, which only its
/// owner may read; each is given the read permissions of the index folder (a folder others may
/// read holds files others may read; only the owner writes), so that another user can search
/// the index as its other files allow. Widening them may fail only where the file is not ours, which leaves
/// it as it was.
#[cfg(unix)]
fn readable_as_folder(root: &Path, file: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(folder) = std::fs::metadata(root) else {
        return;
    };
    let mode = folder.permissions().mode() & 0o444 | 0o600;
    let _ = std::fs::set_permissions(file, std::fs::Permissions::from_mode(mode));
}

#[cfg(not(unix))]
fn readable_as_folder(_root: &Path, _file: &Path) {}

/// Gives the files of the last commit the folder's permissions ([`readable_as_folder`]), as
/// every commit of this loupe does.
pub fn share_commit_files(root: &Path) {
    for name in ["meta.json", ".managed.json"] {
        readable_as_folder(root, &root.join(name));
    }
}

impl Directory for IndexDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn open_read(&self, path: &Path) -> Result<FileSlice, OpenReadError> {
        self.inner.open_read(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.inner.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.inner.atomic_write(path, data)?;
        readable_as_folder(&self.root, &self.root.join(path));
        Ok(())
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.inner.acquire_lock(lock) {
            Err(LockError::IoError(e))
                if matches!(
                    e.kind(),
                    io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
                ) =>
            {
                self.read_only_lock(lock, e)
            }
            other => other,
        }
    }

    fn watch(&self, callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(callback)
    }
}
