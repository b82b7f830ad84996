//! The indexer's lock on an index folder: one `loupe index` at a time. The lock file records
//! the holder's process id so that a refused run can say who holds it; the operating system
//! releases the lock when the holder exits, even if it is killed.

use std::fs::{File, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, IoContext, Result};

/// Name of the lock file inside the index folder.
pub const LOCK_FILE: &str = ".loupe-writer.lock";

/// A held lock; released when dropped.
#[derive(Debug)]
pub struct IndexLock {
    _file: File,
}

/// Takes the lock on `dir` (creating the folder if needed). With `wait`, blocks until the
/// current holder is done; otherwise a held lock is an [`Error::IndexLocked`].
pub fn acquire(dir: &Path, wait: bool) -> Result<IndexLock> {
    std::fs::create_dir_all(dir).with_path(dir)?;
    let path = dir.join(LOCK_FILE);
    let mut file = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .with_path(&path)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) if wait => file.lock().with_path(&path)?,
        Err(TryLockError::WouldBlock) => {
            return Err(Error::IndexLocked {
                path: dir.to_path_buf(),
                holder: holder(&mut file),
            })
        }
        Err(TryLockError::Error(e)) => return Err(e).with_path(&path),
    }
    record_holder(&mut file).with_path(&path)?;
    Ok(IndexLock { _file: file })
}

fn record_holder(file: &mut File) -> std::io::Result<()> {
    file.set_len(0)?;
    file.seek(SeekFrom::Start(0))?;
    writeln!(file, "{}", std::process::id())?;
    file.flush()
}

/// The process id written by the holder, when readable.
fn holder(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

/// The lock file's path in `dir`.
pub fn lock_path(dir: &Path) -> PathBuf {
    dir.join(LOCK_FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_is_refused_with_the_first_ones_pid() {
        let dir = tempfile::tempdir().unwrap();
        let first = acquire(dir.path(), false).unwrap();
        match acquire(dir.path(), false) {
            Err(Error::IndexLocked { holder, .. }) => assert_eq!(holder, Some(std::process::id())),
            other => panic!("expected a lock error, got {other:?}"),
        }
        drop(first);
        assert!(acquire(dir.path(), false).is_ok());
    }
}
