//! Does the index still match its corpus? Answered cheaply on every search, without walking
//! the corpus: after each indexing run loupe writes a snapshot of the corpus folders (their
//! modification times and how many indexed documents each holds). Adding, removing or
//! renaming a file changes its folder's modification time, so a search stats the folders, and
//! lists only those that changed. (Edits in place leave the folder alone; the files of the
//! hits shown are checked one by one, see [`crate::search`].) A changed folder whose document
//! names still sum to the snapshot's digest holds the same documents: a temporary file come
//! and gone, or every file touched, costs one listing of the folder, not a look-up per file,
//! and only once: the folder's new time is kept beside the snapshot ([`CONFIRMED_FILE`]), so
//! that later searches stat it instead of listing it again.

use std::io::Write;
use std::path::Path;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::error::{IoContext, Result};
use crate::index::corpus;

/// The snapshot's file name inside the index folder.
pub const SNAPSHOT_FILE: &str = "corpus-folders.tsv";

/// Folders whose time moved since the snapshot while their listing showed the same
/// documents, each with the time it was confirmed at (written by searches, beside the
/// snapshot, for the same commit).
pub const CONFIRMED_FILE: &str = "corpus-folders.confirmed";

/// How much older than the listing a folder's time must be for the listing to confirm it.
/// Timestamps are coarse (a clock tick; 2 s on FAT): a file added in the same tick as the
/// listing would leave the folder's time as it was, and must not be hidden by it.
const SETTLED_NS: i64 = 2_000_000_000;

/// A corpus folder as it was when indexed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Folder {
    /// Modification time in ns.
    pub mtime: i64,
    /// Indexed documents directly in it.
    pub documents: u64,
    /// The wrapping sum of the XXH3 of their file names ([`name_digest`]): which documents
    /// they are, whatever their order (`None` in snapshots from before it was kept).
    pub digest: Option<u64>,
}

impl Folder {
    /// A folder that could not be listed when indexed: its time is one no folder has, so
    /// that every search tries to list it again ([`drift`]).
    pub fn unlisted() -> Folder {
        Folder {
            mtime: UNLISTED,
            documents: 0,
            digest: Some(0),
        }
    }
}

/// The recorded time of a folder that could not be listed ([`Folder::unlisted`]).
const UNLISTED: i64 = i64::MIN;

/// One file name's share of its folder's [`Folder::digest`].
pub fn name_digest(name: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(name.as_bytes())
}

/// The corpus folders as they were when the index was last brought up to date.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The commit it describes ([`crate::index::store::CommitInfo::generation`]).
    pub generation: u64,
    /// Folder (relative, `""` for the root) → its time and indexed documents.
    pub folders: FxHashMap<String, Folder>,
    /// Document files that were skipped (binary, unreadable): present but rightly not indexed.
    pub skipped: FxHashSet<String>,
    /// Folder → a later time of it at which a listing found the same documents.
    pub confirmed: FxHashMap<String, i64>,
    /// True when [`drift`] confirmed folders that [`Snapshot::save_confirmed`] has not saved.
    pub confirmed_unsaved: bool,
}

impl Snapshot {
    /// The snapshot of a corpus just indexed: its `folders` as the walk found them (with the
    /// document files listed in each), less the `skipped` files, which were not indexed.
    pub fn new(
        generation: u64,
        mut folders: FxHashMap<String, Folder>,
        skipped: Vec<String>,
    ) -> Snapshot {
        for path in &skipped {
            let (folder, name) = split_parent(path);
            if let Some(entry) = folders.get_mut(folder) {
                entry.documents = entry.documents.saturating_sub(1);
                entry.digest = entry.digest.map(|d| d.wrapping_sub(name_digest(name)));
            }
        }
        Snapshot {
            generation,
            folders,
            skipped: skipped.into_iter().collect(),
            ..Snapshot::default()
        }
    }

    /// Writes the snapshot into `index_dir`, replacing the old one in one rename.
    pub fn write(&self, index_dir: &Path) -> Result<()> {
        let path = index_dir.join(SNAPSHOT_FILE);
        let tmp = index_dir.join(format!("{SNAPSHOT_FILE}.tmp"));
        let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp).with_path(&tmp)?);
        let mut lines = format!("loupe-folders 3 {}\n", self.generation);
        for (name, folder) in &self.folders {
            let digest = folder.digest.map_or("-".to_string(), |d| format!("{d:x}"));
            lines.push_str(&format!(
                "d\t{}\t{}\t{digest}\t{}\n",
                folder.mtime,
                folder.documents,
                escape(name)
            ));
        }
        for path in &self.skipped {
            lines.push_str(&format!("s\t{}\n", escape(path)));
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
        let header = lines.next()?;
        // Version 1 had no digests; version 3 escapes names (a name may hold a line break).
        let (version, generation) = if let Some(g) = header.strip_prefix("loupe-folders 3 ") {
            (3, g)
        } else if let Some(g) = header.strip_prefix("loupe-folders 2 ") {
            (2, g)
        } else {
            (1, header.strip_prefix("loupe-folders 1 ")?)
        };
        let name = |text: &str| {
            if version == 3 {
                unescape(text)
            } else {
                Some(text.to_string())
            }
        };
        let generation = generation.parse().ok()?;
        let mut snapshot = Snapshot {
            generation,
            ..Snapshot::default()
        };
        for line in lines {
            let mut parts = line.splitn(if version >= 2 { 5 } else { 4 }, '\t');
            match parts.next()? {
                "d" => {
                    let mtime = parts.next()?.parse().ok()?;
                    let documents = parts.next()?.parse().ok()?;
                    let digest = if version >= 2 {
                        match parts.next()? {
                            "-" => None,
                            hex => Some(u64::from_str_radix(hex, 16).ok()?),
                        }
                    } else {
                        None
                    };
                    let folder = Folder {
                        mtime,
                        documents,
                        digest,
                    };
                    snapshot.folders.insert(name(parts.next()?)?, folder);
                }
                "s" => {
                    snapshot.skipped.insert(name(parts.next()?)?);
                }
                _ => return None,
            }
        }
        snapshot.confirmed = read_confirmed(index_dir, generation).unwrap_or_default();
        Some(snapshot)
    }

    /// Writes the folders [`drift`] confirmed into `index_dir`, replacing the old list in one
    /// rename. A search calls it; an index folder it cannot write only means listing again.
    pub fn save_confirmed(&self, index_dir: &Path) -> Result<()> {
        let path = index_dir.join(CONFIRMED_FILE);
        // One temporary file per process: searches may run side by side.
        let tmp = index_dir.join(format!("{CONFIRMED_FILE}.{}.tmp", std::process::id()));
        let mut text = format!("loupe-confirmed 1 {}\n", self.generation);
        for (folder, mtime) in &self.confirmed {
            text.push_str(&format!("{mtime}\t{}\n", escape(folder)));
        }
        std::fs::write(&tmp, text).with_path(&tmp)?;
        std::fs::rename(&tmp, &path).with_path(&path)
    }
}

/// The confirmed folders saved for commit `generation`, if any.
fn read_confirmed(index_dir: &Path, generation: u64) -> Option<FxHashMap<String, i64>> {
    let text = std::fs::read_to_string(index_dir.join(CONFIRMED_FILE)).ok()?;
    let mut lines = text.lines();
    let header = lines.next()?.strip_prefix("loupe-confirmed 1 ")?;
    if header.parse::<u64>().ok()? != generation {
        return None;
    }
    lines
        .map(|line| {
            let (mtime, folder) = line.split_once('\t')?;
            Some((unescape(folder)?, mtime.parse().ok()?))
        })
        .collect()
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
    /// Folders holding indexed documents that cannot be listed now (permissions): their
    /// documents are shown as they were indexed.
    pub unreadable_folders: u64,
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
        if self.unreadable_folders > 0 {
            let folders = crate::plural(self.unreadable_folders, "folder");
            let them = if self.unreadable_folders == 1 {
                "it"
            } else {
                "them"
            };
            let unreadable = format!(
                "{folders} of the corpus cannot be read (permissions?); what was indexed from {them} is shown as it was, and what is new in {them} is missing"
            );
            if parts.is_empty() {
                return Some(unreadable);
            }
            parts.push(format!("{folders} unreadable"));
        }
        Some(format!(
            "the corpus changed since the last index ({}); run `loupe index` or search with --refresh to update",
            parts.join(", ")
        ))
    }
}

/// Compares the corpus under `root` with `snapshot`; `indexed` tells whether a document path
/// is in the index. Stats every snapshot folder; lists only those whose time changed (and was
/// not confirmed before), and adds to `snapshot.confirmed` those found to hold the same
/// documents.
pub fn drift(root: &Path, snapshot: &mut Snapshot, indexed: &dyn Fn(&str) -> bool) -> Drift {
    let mut drift = Drift::default();
    if !root.is_dir() {
        drift.corpus_missing = true;
        return drift;
    }
    let listed_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i64);
    let mut confirmed = Vec::new();
    // The folders that cannot be read, each named once: a folder that cannot be listed, or
    // the parent that keeps a folder from being examined.
    let mut unreadable_folders: FxHashSet<&str> = FxHashSet::default();
    for (folder, recorded) in &snapshot.folders {
        let path = corpus::on_disk(root, folder);
        let gone = |e: &std::io::Error| {
            use std::io::ErrorKind::{NotADirectory, NotFound};
            matches!(e.kind(), NotFound | NotADirectory)
        };
        // A folder that cannot be read tells nothing of its documents: they are not gone, and
        // those it holds now may be missing. Said for a folder that held documents, or that
        // could not be listed when indexed.
        let warned = recorded.documents > 0 || recorded.mtime == UNLISTED;
        let now = match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() => corpus::mtime_ns(&m),
            Err(e) if !gone(&e) => {
                if warned {
                    unreadable_folders.insert(split_parent(folder).0);
                }
                continue;
            }
            // The folder went: its documents with it (its subfolders are counted on their own).
            _ => {
                drift.removed += recorded.documents;
                continue;
            }
        };
        if now == recorded.mtime || snapshot.confirmed.get(folder) == Some(&now) {
            continue;
        }
        let entries = match std::fs::read_dir(&path) {
            Ok(entries) => entries,
            Err(e) if gone(&e) => {
                drift.removed += recorded.documents;
                continue;
            }
            Err(_) => {
                if warned {
                    unreadable_folders.insert(folder);
                }
                continue;
            }
        };
        // A folder is confirmed only when nothing in it is new: a new subfolder is not in
        // the snapshot, so no later stat would see what comes into it.
        let mut new_subfolder = false;
        // The folder's document files (the skipped ones left out), and its new subfolders.
        let mut documents: Vec<String> = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name();
            if corpus::is_hidden(name.as_encoded_bytes()) {
                continue;
            }
            let name = corpus::name_text(name.as_encoded_bytes());
            let rel = join(folder, &name);
            // The entry's type comes with the listing; only links need a stat.
            let is_dir = match entry.file_type() {
                Ok(t) if t.is_symlink() => entry.path().is_dir(),
                Ok(t) => t.is_dir(),
                Err(_) => entry.path().is_dir(),
            };
            if is_dir {
                if !snapshot.folders.contains_key(&rel) {
                    new_subfolder = true;
                    drift.added += count_documents(&entry.path());
                }
            } else if corpus::is_document_name(name.as_bytes()) && !snapshot.skipped.contains(&rel)
            {
                documents.push(rel);
            }
        }
        let digest = documents.iter().fold(0u64, |sum, rel| {
            sum.wrapping_add(name_digest(split_parent(rel).1))
        });
        if documents.len() as u64 == recorded.documents && Some(digest) == recorded.digest {
            if !new_subfolder && now <= listed_at - SETTLED_NS {
                confirmed.push((folder.clone(), now));
            }
            continue;
        }
        let mut present = 0;
        for rel in &documents {
            if indexed(rel) {
                present += 1;
            } else {
                drift.added += 1;
            }
        }
        drift.removed += recorded.documents.saturating_sub(present);
    }
    // A folder inside another that cannot be read is that one's, not one more.
    drift.unreadable_folders = unreadable_folders
        .iter()
        .filter(|folder| {
            let mut rest: &str = folder;
            while !rest.is_empty() {
                rest = split_parent(rest).0;
                if unreadable_folders.contains(rest) {
                    return false;
                }
            }
            true
        })
        .count() as u64;
    snapshot.confirmed_unsaved |= !confirmed.is_empty();
    snapshot.confirmed.extend(confirmed);
    drift
}

/// Document files anywhere under `dir` (a folder new since the snapshot, or a corpus about
/// to be indexed).
pub fn count_documents(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !corpus::is_hidden(corpus::entry_name(e)))
        .flatten()
        .filter(|e| e.file_type().is_file() && corpus::is_document_name(corpus::entry_name(e)))
        .count() as u64
}

/// A name as one field of a line: `\`, tab, line feed and carriage return written `\\`,
/// `\t`, `\n` and `\r`.
fn escape(name: &str) -> std::borrow::Cow<'_, str> {
    if !name.contains(['\\', '\t', '\n', '\r']) {
        return name.into();
    }
    let mut out = String::with_capacity(name.len() + 2);
    for c in name.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.into()
}

/// The name [`escape`] wrote as `text`; `None` for an escape it does not write.
fn unescape(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        out.push(match c {
            '\\' => match chars.next()? {
                '\\' => '\\',
                't' => '\t',
                'n' => '\n',
                'r' => '\r',
                _ => return None,
            },
            c => c,
        });
    }
    Some(out)
}

/// A relative path's folder (`""` for the root) and file name.
fn split_parent(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
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
        let first = snapshot(
            &[("", 5), ("a", 7)],
            &["x.txt", "a/y.txt", "a/z.txt"],
            &["a/bin.txt"],
        );
        first.write(dir.path()).unwrap();
        let read = Snapshot::read(dir.path()).unwrap();
        assert_eq!(read.generation, 42);
        assert_eq!(read.folders[""].mtime, 5);
        assert_eq!(read.folders[""].documents, 1);
        assert_eq!(
            read.folders["a"].documents, 2,
            "the skipped file is not counted"
        );
        let digest = name_digest("y.txt").wrapping_add(name_digest("z.txt"));
        assert_eq!(read.folders["a"].digest, Some(digest));
        assert!(read.skipped.contains("a/bin.txt"));

        // Names holding a line break, a tab or a backslash come back as they were.
        let odd = ["new\nline", "tab\there", "back\\slash\\n"];
        let mut odd_snapshot =
            snapshot(&[("", 5), (odd[0], 6), (odd[1], 7), (odd[2], 8)], &[], &[]);
        odd_snapshot.skipped.insert(format!("{}/x.txt", odd[0]));
        odd_snapshot.confirmed.insert(odd[2].to_string(), 9);
        odd_snapshot.write(dir.path()).unwrap();
        odd_snapshot.save_confirmed(dir.path()).unwrap();
        let read = Snapshot::read(dir.path()).unwrap();
        for (name, mtime) in odd.iter().zip(6..) {
            assert_eq!(read.folders[*name].mtime, mtime, "{name:?}");
        }
        assert!(read.skipped.contains("new\nline/x.txt"));
        assert_eq!(read.confirmed[odd[2]], 9);
    }

    /// A snapshot of the folders of `root` holding the `indexed` documents.
    fn snapshot(folders: &[(&str, i64)], indexed: &[&str], skipped: &[&str]) -> Snapshot {
        let mut map: FxHashMap<String, Folder> = folders
            .iter()
            .map(|&(f, mtime)| {
                let folder = Folder {
                    mtime,
                    documents: 0,
                    digest: Some(0),
                };
                (f.to_string(), folder)
            })
            .collect();
        for path in indexed.iter().chain(skipped) {
            let (folder, name) = split_parent(path);
            let entry = map.get_mut(folder).unwrap();
            entry.documents += 1;
            entry.digest = entry.digest.map(|d| d.wrapping_add(name_digest(name)));
        }
        Snapshot::new(42, map, skipped.iter().map(|s| s.to_string()).collect())
    }

    /// A snapshot of `root` as just indexed, but with every folder's time wrong: as if each
    /// had been touched since.
    fn touched_snapshot(root: &Path, indexed: &[&str]) -> Snapshot {
        let listing = corpus::list(root).unwrap();
        let folders: Vec<(&str, i64)> = listing
            .folders
            .iter()
            .map(|(f, _)| (f.as_str(), 1))
            .collect();
        snapshot(&folders, indexed, &[])
    }

    #[test]
    fn a_touched_folder_with_the_same_documents_is_clean_without_looking_them_up() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("sub")).unwrap();
        for f in ["a.txt", "b.txt", "sub/c.txt"] {
            std::fs::write(root.join(f), "text").unwrap();
        }
        let mut snapshot = touched_snapshot(root, &["a.txt", "b.txt", "sub/c.txt"]);
        let lookups = std::cell::Cell::new(0);
        let indexed = |_: &str| {
            lookups.set(lookups.get() + 1);
            true
        };
        assert!(drift(root, &mut snapshot, &indexed).is_clean());
        assert_eq!(lookups.get(), 0, "the digests matched: no file looked up");
        assert!(
            snapshot.confirmed.is_empty(),
            "folders changed just now are listed again next time"
        );
    }

    /// Sets the modification time of the folder `path`.
    fn set_time(path: &Path, time: std::time::SystemTime) {
        std::fs::File::open(path)
            .unwrap()
            .set_modified(time)
            .unwrap();
    }

    #[test]
    fn a_folder_found_unchanged_is_listed_once_then_only_statted() {
        let index = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in ["a.txt", "b.txt"] {
            std::fs::write(root.join(f), "text").unwrap();
        }
        // A temporary file came and went a minute ago.
        let a_minute_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
        set_time(root, a_minute_ago);
        let mut snapshot = touched_snapshot(root, &["a.txt", "b.txt"]);
        snapshot.write(index.path()).unwrap();
        let indexed = |_: &str| true;
        assert!(drift(root, &mut snapshot, &indexed).is_clean());
        assert!(snapshot.confirmed_unsaved);
        snapshot.save_confirmed(index.path()).unwrap();

        // The next search only stats the folder: a file added with the folder's time put
        // back as it was is not seen, as no listing is made.
        std::fs::write(root.join("c.txt"), "text").unwrap();
        set_time(root, a_minute_ago);
        let mut next = Snapshot::read(index.path()).unwrap();
        assert!(drift(root, &mut next, &indexed).is_clean());
        assert!(!next.confirmed_unsaved);
        // Any change moves the folder's time, and the folder is listed again.
        std::fs::write(root.join("d.txt"), "text").unwrap();
        let found = drift(root, &mut next, &|p: &str| p == "a.txt" || p == "b.txt");
        assert_eq!(found.added, 2, "{found:?}");

        // A new folder, empty for now, keeps its parent from being confirmed: what comes
        // into it later must be seen.
        std::fs::create_dir(root.join("new")).unwrap();
        set_time(root, a_minute_ago - std::time::Duration::from_secs(5));
        let mut with_folder = touched_snapshot(root, &["a.txt", "b.txt", "c.txt", "d.txt"]);
        with_folder.folders.remove("new");
        assert!(drift(root, &mut with_folder, &indexed).is_clean());
        assert!(
            with_folder.confirmed.is_empty(),
            "{:?}",
            with_folder.confirmed
        );
        std::fs::write(root.join("new/e.txt"), "text").unwrap();
        assert_eq!(drift(root, &mut with_folder, &indexed).added, 1);

        // A new commit's snapshot does not inherit the old confirmations.
        let mut rebuilt = touched_snapshot(root, &["a.txt", "b.txt"]);
        rebuilt.generation += 1;
        rebuilt.write(index.path()).unwrap();
        assert!(Snapshot::read(index.path()).unwrap().confirmed.is_empty());
    }

    #[test]
    fn a_renamed_file_is_found_though_the_count_is_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in ["a.txt", "b.txt"] {
            std::fs::write(root.join(f), "text").unwrap();
        }
        let mut snapshot = touched_snapshot(root, &["a.txt", "b.txt"]);
        std::fs::rename(root.join("b.txt"), root.join("renamed.txt")).unwrap();
        let indexed = |path: &str| path == "a.txt" || path == "b.txt";
        let found = drift(root, &mut snapshot, &indexed);
        assert_eq!((found.added, found.removed), (1, 1), "{found:?}");
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
