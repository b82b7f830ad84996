//! Which corpus belongs to an index. `loupe index` records the corpus folder (its canonical
//! path, and its path relative to the index folder) in every commit; later commands given only
//! `--index` use that folder, and a `--corpus` that names another folder is refused, so that a
//! mistyped flag can never bring an index "up to date" against the wrong folder.

use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};
use crate::index::store;

/// The corpus folder used when neither the command line nor the index names one.
pub const DEFAULT_CORPUS: &str = "corpus";

/// The corpus folder to use with the index in `index_dir`.
///
/// - `given` (from `--corpus`) must be the recorded corpus (or the folder its path relative
///   to the index leads to), unless `switching` (a rebuild, which may index another folder)
///   or the index records none.
/// - Without `given`, the recorded corpus: its absolute path, or, when that is gone but the
///   path relative to the index leads to a folder, that one (the two were moved together).
///   When both are there and differ (copied together), neither is guessed: an error asks for
///   `--corpus`, which may name either.
/// - With neither, [`DEFAULT_CORPUS`].
pub fn corpus_for(index_dir: &Path, given: Option<&Path>, switching: bool) -> Result<PathBuf> {
    // Indexes from before this record kept the path as given, often relative: no record.
    let Some(info) =
        store::read_commit_info(index_dir).filter(|info| Path::new(&info.corpus).is_absolute())
    else {
        return Ok(given.map_or_else(|| PathBuf::from(DEFAULT_CORPUS), Path::to_path_buf));
    };
    let (recorded, beside) = corpus_now(index_dir, &info);
    match given {
        Some(given) if !switching => {
            let canonical = std::fs::canonicalize(given)
                .map_err(|_| Error::CorpusMissing(given.to_path_buf()))?;
            // Either folder the index could mean is the user's to choose.
            if canonical != recorded && Some(&canonical) != beside.as_ref() {
                return Err(Error::CorpusMismatch {
                    index: index_dir.to_path_buf(),
                    recorded,
                    given: given.to_path_buf(),
                });
            }
            Ok(given.to_path_buf())
        }
        Some(given) => Ok(given.to_path_buf()),
        None => match beside {
            Some(beside) if recorded.is_dir() => Err(Error::CorpusAmbiguous {
                index: index_dir.to_path_buf(),
                recorded,
                beside,
            }),
            Some(beside) => Ok(beside),
            None => Ok(recorded),
        },
    }
}

/// The corpus folder of the index in `index_dir`, as [`corpus_for`] finds it without a
/// `--corpus`.
pub fn recorded_corpus(index_dir: &Path) -> PathBuf {
    corpus_for(index_dir, None, false).unwrap_or_else(|_| PathBuf::from(DEFAULT_CORPUS))
}

/// The corpus recorded in `info`, and the folder where its path relative to the index leads
/// now when that is another folder (the two were moved together, or copied).
fn corpus_now(index_dir: &Path, info: &store::CommitInfo) -> (PathBuf, Option<PathBuf>) {
    let absolute = PathBuf::from(&info.corpus);
    let beside = info
        .corpus_from_index
        .as_ref()
        .map(|relative| index_dir.join(relative))
        .filter(|moved| moved.is_dir())
        .map(|moved| std::fs::canonicalize(&moved).unwrap_or(moved))
        .filter(|moved| {
            *moved != absolute && std::fs::canonicalize(&absolute).ok().as_ref() != Some(moved)
        });
    (absolute, beside)
}

/// `to` relative to `from` (both absolute and canonical), e.g. `../corpus`.
pub fn relative_path(from: &Path, to: &Path) -> Option<PathBuf> {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    if from.first() != to.first() {
        return None;
    }
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for part in &to[common..] {
        out.push(part);
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        let rel = |a: &str, b: &str| relative_path(Path::new(a), Path::new(b)).unwrap();
        assert_eq!(
            rel("/w/repo/index", "/w/repo/corpus"),
            Path::new("../corpus")
        );
        assert_eq!(rel("/w/index", "/data/news"), Path::new("../../data/news"));
        assert_eq!(rel("/w/index", "/w/index/docs"), Path::new("docs"));
        assert_eq!(rel("/w", "/w"), Path::new("."));
    }

    #[test]
    fn without_an_index_the_given_or_default_corpus() {
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("index");
        assert_eq!(
            corpus_for(&index, None, false).unwrap(),
            Path::new(DEFAULT_CORPUS)
        );
        assert_eq!(
            corpus_for(&index, Some(Path::new("x")), false).unwrap(),
            Path::new("x")
        );
    }
}
