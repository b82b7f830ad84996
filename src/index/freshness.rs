//! Does the index still match its corpus? Answered cheaply on every search, without walking
//! the corpus: after each indexing run loupe writes a snapshot of the corpus folders (their
//! modification times and how many indexed documents each holds). Adding, removing or
//! renaming a file changes its folder's modification time, so a search stats the folders, and
//! lists only those that changed. (Edits in place leave the folder alone; the files of the
//! hits shown are checked one by one, see [`crate::search`].)

use std::io::Write;
use std::path::Path;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::error::{IoContext, Result};
use crate::index::corpus;

/// The snapshot's file name inside the index folder.
pub const SNAPSHOT_FILE: &str = "corpus-folders.tsv";

/// The corpus folders as they were when the index was last brought up to date.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The commit it describes ([`crate::index::store::CommitInfo::generation`]).
    pub generation: u64,
    /// Folder (relative, `""` for the root) → (modification time in ns, indexed documents).
    pub folders: FxHashMap<String, (i64, u64)>,
    /// Document files that were skipped (binary, unreadable): present but rightly not indexed.
    pub skipped: FxHashSet<String>,
}

impl Snapshot {
    /// The snapshot of a corpus just indexed: its `folders` from the walk, the `indexed`
    /// document paths and the `skipped` ones.
    pub fn new<'a>(
        generation: u64,
        folders: &[(String, i64)],
        indexed: impl Iterator<Item = &'a str>,
        skipped: impl Iterator<Item = String>,
    ) -> Snapshot {
        let mut map: FxHashMap<String, (i64, u64)> =
            folders.iter().map(|(f, m)| (f.clone(), (*m, 0))).collect();
        for path in indexed {
            if let Some(entry) = map.get_mut(parent(path)) {
                entry.1 += 1;
            }
        }
        Snapshot {
            generation,
            folders: map,
            skipped: skipped.collect(),
        }
    }

    /// Writes the snapshot into `index_dir`, replacing the old one in one rename.
    pub fn write(&self, index_dir: &Path) -> Result<()> {
        let path = index_dir.join(SNAPSHOT_FILE);
        let tmp = index_dir.join(format!("{SNAPSHOT_FILE}.tmp"));
        let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp).with_path(&tmp)?);
        let mut lines = format!("loupe-folders 1 {}\n", self.generation);
        for (folder, (mtime, documents)) in &self.folders {
            lines.push_str(&format!("d\t{mtime}\t{documents}\t{folder}\n"));
        }
        for path in &self.skipped {
            lines.push_str(&format!("s\t{path}\n"));
        }
        out.write_all(lines.as_bytes()).with_path(&tmp)?;
        out.into_inner()
            .map_err(|e| e.into_error())
            .with_path(&tmp)?;
        std::fs::rename(&tmp, &path).with_path(&path)
    }

    /// Reads the snapshot of `index_dir`; `None` when there is none or it is unreadable.
    pub fn read(index_dir: &Path) -> Option<Snapshot> {
        let text = std::fs::read_to_string(index_dir.join(SNAPSHOT_FILE)).ok()?;
        let mut lines = text.lines();
        let generation = lines
            .next()?
            .strip_prefix("loupe-folders 1 ")?
            .parse()
            .ok()?;
        let mut snapshot = Snapshot {
            generation,
            ..Snapshot::default()
        };
        for line in lines {
            let mut parts = line.splitn(4, '\t');
            match parts.next()? {
                "d" => {
                    let mtime = parts.next()?.parse().ok()?;
                    let documents = parts.next()?.parse().ok()?;
                    snapshot
                        .folders
                        .insert(parts.next()?.to_string(), (mtime, documents));
                }
                "s" => {
                    snapshot.skipped.insert(parts.next()?.to_string());
                }
                _ => return None,
            }
        }
        Some(snapshot)
    }
}

/// How the corpus differs from the index, as far as a cheap look can tell.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Drift {
    /// Document files that are not in the index.
    pub added: u64,
    /// Indexed documents whose files are gone.
    pub removed: u64,
    /// Indexed documents whose files were edited (among those looked at).
    pub changed: u64,
    /// The corpus folder itself is gone.
    pub corpus_missing: bool,
    /// No snapshot matches the last commit (an interrupted run, or an index from an older loupe).
    pub unknown: bool,
}

impl Drift {
    /// True when nothing differs.
    pub fn is_clean(&self) -> bool {
        *self == Drift::default()
    }

    /// The one line telling a user what differs and what fixes it, or `None`.
    pub fn message(&self, corpus: &Path) -> Option<String> {
        if self.corpus_missing {
            return Some(format!(
                "corpus folder {} is missing (unmounted or moved?); results come from the index as it was",
                corpus.display()
            ));
        }
        if self.unknown {
            return Some(
                "cannot tell whether the corpus changed since the last index (the last `loupe index` did not finish, or the index predates this check); run `loupe index`".into(),
            );
        }
        if self.is_clean() {
            return None;
        }
        let mut parts = Vec::new();
        for (n, what) in [
            (self.added, "added"),
            (self.removed, "removed"),
            (self.changed, "changed"),
        ] {
            if n > 0 {
                parts.push(format!("{} {what}", crate::plural(n, "file")));
            }
        }
        Some(format!(
            "the corpus changed since the last index ({}); run `loupe index` or search with --refresh to update",
            parts.join(", ")
        ))
    }
}

/// Compares the corpus under `root` with `snapshot`; `indexed` tells whether a document path
/// is in the index. Stats every snapshot folder; lists only those whose time changed.
pub fn drift(root: &Path, snapshot: &Snapshot, indexed: &dyn Fn(&str) -> bool) -> Drift {
    let mut drift = Drift::default();
    if !root.is_dir() {
        drift.corpus_missing = true;
        return drift;
    }
    for (folder, &(mtime, documents)) in &snapshot.folders {
        let path = root.join(folder);
        let now = match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() => corpus::mtime_ns(&m),
            // The folder went: its documents with it (its subfolders are counted on their own).
            _ => {
                drift.removed += documents;
                continue;
            }
        };
        if now == mtime {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&path) else {
            continue;
        };
        let mut present = 0;
        for entry in entries.flatten() {
            let name = entry.file_name();
            if corpus::is_hidden(&name) {
                continue;
            }
            let entry_path = entry.path();
            let rel = join(folder, &name.to_string_lossy());
            if entry_path.is_dir() {
                if !snapshot.folders.contains_key(&rel) {
                    drift.added += count_documents(&entry_path);
                }
            } else if corpus::has_document_extension(&entry_path) {
                if indexed(&rel) {
                    present += 1;
                } else if !snapshot.skipped.contains(&rel) {
                    drift.added += 1;
                }
            }
        }
        drift.removed += documents.saturating_sub(present);
    }
    drift
}

/// Document files anywhere under `dir` (a folder new since the snapshot).
fn count_documents(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !corpus::is_hidden(e.file_name()))
        .flatten()
        .filter(|e| e.file_type().is_file() && corpus::has_document_extension(e.path()))
        .count() as u64
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

fn join(folder: &str, name: &str) -> String {
    if folder.is_empty() {
        name.to_string()
    } else {
        format!("{folder}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let folders = vec![("".to_string(), 5), ("a".to_string(), 7)];
        let snapshot = Snapshot::new(
            42,
            &folders,
            ["x.txt", "a/y.txt", "a/z.txt"].into_iter(),
            ["a/bin.txt".to_string()].into_iter(),
        );
        snapshot.write(dir.path()).unwrap();
        let read = Snapshot::read(dir.path()).unwrap();
        assert_eq!(read.generation, 42);
        assert_eq!(read.folders[""], (5, 1));
        assert_eq!(read.folders["a"], (7, 2));
        assert!(read.skipped.contains("a/bin.txt"));
    }

    #[test]
    fn messages_count_and_name_the_fix() {
        let drift = Drift {
            added: 2,
            removed: 1,
            ..Drift::default()
        };
        let message = drift.message(Path::new("c")).unwrap();
        assert!(
            message.contains("2 files added, 1 file removed"),
            "{message}"
        );
        assert!(message.contains("loupe index"));
        assert_eq!(Drift::default().message(Path::new("c")), None);
    }
}
