//! Does the index still match its corpus? Answered cheaply on every search, without walking
//! the corpus: after each indexing run loupe writes a snapshot of the corpus folders (their
//! modification times and how many indexed documents each holds). Adding, removing or
//! renaming a file changes its folder's modification time, so a search stats the folders, and
//! lists only those that changed, comparing each of their files with its record (a file saved
//! by rename keeps its name but moves its folder's time). (Edits in place leave the folder
//! alone; the files of the hits shown are checked one by one, see [`crate::search`].) A
//! changed folder whose document names still sum to the snapshot's digest, and whose files all
//! match their records, holds the same documents: a temporary file come and gone, say. It is
//! listed only once: the folder's new time is kept beside the snapshot ([`CONFIRMED_FILE`]),
//! so that later searches stat it instead of listing it again.

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

/// Whether a listing at `listed_at` may confirm a folder whose time is `time`: one at least
/// [`SETTLED_NS`] older, or as far in the future (a clock set wrong, a `touch -d`), which any
/// change now would move back to the present.
fn settled(time: i64, listed_at: i64) -> bool {
    time <= listed_at - SETTLED_NS || time > listed_at + SETTLED_NS
}

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

/// A file's size and modification time, as its record or the snapshot has them: a file that
/// no longer has them was changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, ns since the epoch.
    pub mtime_ns: i64,
}

impl FileStamp {
    /// The stamp of `metadata`.
    pub fn of(metadata: &std::fs::Metadata) -> FileStamp {
        FileStamp {
            size: metadata.len(),
            mtime_ns: corpus::mtime_ns(metadata),
        }
    }
}

/// The time of `metadata`'s last change of status (permissions, owner, contents; the ctime of
/// Unix), in ns since the epoch; its modification time where there is none.
pub fn status_time(metadata: &std::fs::Metadata) -> i64 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        metadata.ctime() * 1_000_000_000 + metadata.ctime_nsec()
    }
    #[cfg(not(unix))]
    {
        corpus::mtime_ns(metadata)
    }
}

/// The corpus folders as they were when the index was last brought up to date.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The commit it describes ([`crate::index::store::CommitInfo::generation`]).
    pub generation: u64,
    /// Folder (relative, `""` for the root) → its time and indexed documents.
    pub folders: FxHashMap<String, Folder>,
    /// Document files that were skipped (binary, unreadable): present but rightly not indexed;
    /// with their size and time then, where known (a snapshot before version 4 has none), so
    /// that one replaced since (by text, say) is noticed.
    pub skipped: FxHashMap<String, Option<FileStamp>>,
    /// Those of the skipped files that could not be read for their permissions, with their
    /// size and time and the time of their last change of status: a `chmod` moves no folder's
    /// time and no file's modification time, so every search stats them.
    pub unreadable: FxHashMap<String, (FileStamp, i64)>,
    /// Folder → a later time of it at which a listing found the same documents.
    pub confirmed: FxHashMap<String, i64>,
    /// True when [`drift`] confirmed folders that [`Snapshot::save_confirmed`] has not saved.
    pub confirmed_unsaved: bool,
}

impl Snapshot {
    /// The snapshot of a corpus just indexed: its `folders` as the walk found them (with the
    /// document files listed in each), less the `skipped` files, which were not indexed: each
    /// with its size and time then, or `None` for one that vanished while indexing (left out
    /// of its folder, and not kept as skipped: should it come back, it is new).
    pub fn new(
        generation: u64,
        mut folders: FxHashMap<String, Folder>,
        skipped: Vec<(String, Option<FileStamp>)>,
        unreadable: Vec<(String, FileStamp, i64)>,
    ) -> Snapshot {
        for (path, _) in &skipped {
            let (folder, name) = split_parent(path);
            if let Some(entry) = folders.get_mut(folder) {
                entry.documents = entry.documents.saturating_sub(1);
                entry.digest = entry.digest.map(|d| d.wrapping_sub(name_digest(name)));
            }
        }
        Snapshot {
            generation,
            folders,
            skipped: skipped
                .into_iter()
                .filter(|(_, stamp)| stamp.is_some())
                .collect(),
            unreadable: unreadable
                .into_iter()
                .map(|(path, stamp, status)| (path, (stamp, status)))
                .collect(),
            ..Snapshot::default()
        }
    }

    /// Writes the snapshot into `index_dir`, replacing the old one in one rename.
    pub fn write(&self, index_dir: &Path) -> Result<()> {
        let path = index_dir.join(SNAPSHOT_FILE);
        let tmp = index_dir.join(format!("{SNAPSHOT_FILE}.tmp"));
        let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp).with_path(&tmp)?);
        let mut lines = format!("loupe-folders 4 {}\n", self.generation);
        for (name, folder) in &self.folders {
            let digest = folder.digest.map_or("-".to_string(), |d| format!("{d:x}"));
            lines.push_str(&format!(
                "d\t{}\t{}\t{digest}\t{}\n",
                folder.mtime,
                folder.documents,
                escape(name)
            ));
        }
        for (path, stamp) in &self.skipped {
            let stamp = stamp.map_or("-\t-".to_string(), |s| {
                format!("{}\t{}", s.size, s.mtime_ns)
            });
            lines.push_str(&format!("s\t{stamp}\t{}\n", escape(path)));
        }
        for (path, (stamp, status)) in &self.unreadable {
            lines.push_str(&format!(
                "u\t{}\t{}\t{status}\t{}\n",
                stamp.size,
                stamp.mtime_ns,
                escape(path)
            ));
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
        // Version 1 had no digests; version 3 escapes names (a name may hold a line break);
        // version 4 gives skipped files their size and time.
        let (version, generation) = if let Some(g) = header.strip_prefix("loupe-folders 4 ") {
            (4, g)
        } else if let Some(g) = header.strip_prefix("loupe-folders 3 ") {
            (3, g)
        } else if let Some(g) = header.strip_prefix("loupe-folders 2 ") {
            (2, g)
        } else {
            (1, header.strip_prefix("loupe-folders 1 ")?)
        };
        let name = |text: &str| {
            if version >= 3 {
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
                "s" if version >= 4 => {
                    let (size, mtime) = (parts.next()?, parts.next()?);
                    let stamp = match (size.parse(), mtime.parse()) {
                        (Ok(size), Ok(mtime_ns)) => Some(FileStamp { size, mtime_ns }),
                        _ => None,
                    };
                    snapshot.skipped.insert(name(parts.next()?)?, stamp);
                }
                "s" => {
                    snapshot.skipped.insert(name(parts.next()?)?, None);
                }
                "u" => {
                    let size = parts.next()?.parse().ok()?;
                    let mtime_ns = parts.next()?.parse().ok()?;
                    let status = parts.next()?.parse().ok()?;
                    let stamp = FileStamp { size, mtime_ns };
                    let path = name(parts.next()?)?;
                    snapshot.unreadable.insert(path, (stamp, status));
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
    /// The paths counted in `changed` by [`drift`] (files of folders it listed).
    pub changed_paths: Vec<String>,
    /// Folders holding indexed documents that cannot be listed now (permissions): their
    /// documents are shown as they were indexed.
    pub unreadable_folders: u64,
    /// The corpus folder itself is gone.
    pub corpus_missing: bool,
    /// No snapshot matches the last commit (an interrupted run, or an index from an older loupe).
    pub unknown: bool,
    /// The index has a commit newer than the one searched (it landed while the search ran,
    /// or before a server's reader reloaded): what was found is older than the index now.
    pub overtaken: bool,
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
        if self.overtaken {
            return Some(
                "the index has a newer commit than these results (it was updated a moment ago); search again for the latest".into(),
            );
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

/// Compares the corpus under `root` with `snapshot`; `indexed` gives the size and time a
/// document path was indexed with, `None` for one not in the index. Stats every snapshot
/// folder; lists (and stats the files of) only those whose time changed (and was not
/// confirmed before), and adds to `snapshot.confirmed` those found to hold the same documents.
pub fn drift(
    root: &Path,
    snapshot: &mut Snapshot,
    indexed: &dyn Fn(&str) -> Option<FileStamp>,
) -> Drift {
    let mut drift = Drift::default();
    if !root.is_dir() {
        drift.corpus_missing = true;
        return drift;
    }
    let listed_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i64);
    // A file that could not be read when indexed and whose permissions (or anything else)
    // changed since may be one to add. Statted, not opened: whether the searching user may
    // read it says nothing of the indexing user, and opening a pipe put in its place would
    // block.
    drift.added += snapshot
        .unreadable
        .iter()
        .filter(|(path, (stamp, status))| {
            std::fs::metadata(corpus::on_disk(root, path)).is_ok_and(|m| {
                m.is_file() && (FileStamp::of(&m) != *stamp || status_time(&m) != *status)
            })
        })
        .count() as u64;
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
                    // Its parent, when that cannot be listed (and so keeps it from being
                    // examined); itself otherwise (a link into a folder that cannot be read).
                    let parent = split_parent(folder).0;
                    let parent_listed = std::fs::read_dir(corpus::on_disk(root, parent)).is_ok();
                    unreadable_folders.insert(if parent_listed { folder } else { parent });
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
        // The folder's document files (the skipped ones left out), each with its size and
        // time now where a stat could tell them.
        let mut documents: Vec<(String, Option<FileStamp>)> = Vec::new();
        // Files changed since: indexed ones, and skipped ones no longer as they were skipped
        // (a binary file replaced by text, say).
        let mut changed = 0;
        let mut replaced_skipped = false;
        for entry in entries.flatten() {
            let name = entry.file_name();
            if corpus::is_hidden(name.as_encoded_bytes()) {
                continue;
            }
            let name = corpus::name_text(name.as_encoded_bytes());
            let rel = join(folder, &name);
            // Links are followed, as the walk follows them.
            let link = entry.file_type().map_or(true, |t| t.is_symlink());
            let metadata = if link {
                std::fs::metadata(entry.path())
            } else {
                entry.metadata()
            };
            let stamp = match metadata {
                Ok(m) if m.is_dir() => {
                    // A link back to a folder above is a loop, which the walk skips too.
                    let is_loop = link
                        && std::fs::canonicalize(entry.path()).is_ok_and(|target| {
                            std::fs::canonicalize(&path).is_ok_and(|here| here.starts_with(target))
                        });
                    if !is_loop && !snapshot.folders.contains_key(&rel) {
                        new_subfolder = true;
                        drift.added += count_documents(&entry.path());
                    }
                    continue;
                }
                Ok(m) if m.is_file() => Some(FileStamp::of(&m)),
                // A pipe or a device is no document, nor is a dangling link: the walk skips
                // them too.
                Ok(_) => continue,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                // What cannot be examined (a folder listed but not entered, a link into a
                // folder that cannot be read, a link to itself) keeps its record if it has
                // one, and is skipped by the walk if not.
                Err(_) if indexed(&rel).is_some() => None,
                Err(_) => continue,
            };
            if !corpus::is_document_name(name.as_bytes()) {
                continue;
            }
            match snapshot.skipped.get(&rel) {
                // Not in the index: a skipped file replaced since is one to add (those skipped
                // for their permissions are checked above, on every search).
                Some(was) => {
                    let replaced = was.is_some_and(|was| stamp.is_some_and(|now| now != was));
                    if replaced && !snapshot.unreadable.contains_key(&rel) {
                        drift.added += 1;
                        replaced_skipped = true;
                    }
                }
                None => documents.push((rel, stamp)),
            }
        }
        let digest = documents.iter().fold(0u64, |sum, (rel, _)| {
            sum.wrapping_add(name_digest(split_parent(rel).1))
        });
        let same_names =
            documents.len() as u64 == recorded.documents && Some(digest) == recorded.digest;
        // The names alone miss a file replaced under its name (an editor's or rsync's save
        // by rename, which moves the folder's time): each file is compared with its record.
        let mut present = 0;
        for (rel, stamp) in &documents {
            match indexed(rel) {
                Some(record) => {
                    present += 1;
                    if stamp.is_some_and(|now| now != record) {
                        changed += 1;
                        drift.changed_paths.push(rel.clone());
                    }
                }
                None => drift.added += 1,
            }
        }
        drift.removed += recorded.documents.saturating_sub(present);
        drift.changed += changed;
        if same_names
            && changed == 0
            && !replaced_skipped
            && !new_subfolder
            && settled(now, listed_at)
        {
            confirmed.push((folder.clone(), now));
        }
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
        assert_eq!(
            read.skipped["a/bin.txt"],
            Some(STAMP),
            "its size and time too"
        );

        // Names holding a line break, a tab or a backslash come back as they were.
        let odd = ["new\nline", "tab\there", "back\\slash\\n"];
        let mut odd_snapshot =
            snapshot(&[("", 5), (odd[0], 6), (odd[1], 7), (odd[2], 8)], &[], &[]);
        odd_snapshot
            .skipped
            .insert(format!("{}/x.txt", odd[0]), None);
        odd_snapshot
            .unreadable
            .insert(format!("{}/locked.txt", odd[1]), (STAMP, 11));
        odd_snapshot.confirmed.insert(odd[2].to_string(), 9);
        odd_snapshot.write(dir.path()).unwrap();
        odd_snapshot.save_confirmed(dir.path()).unwrap();
        let read = Snapshot::read(dir.path()).unwrap();
        for (name, mtime) in odd.iter().zip(6..) {
            assert_eq!(read.folders[*name].mtime, mtime, "{name:?}");
        }
        assert!(read.skipped.contains_key("new\nline/x.txt"));
        assert_eq!(read.unreadable["tab\there/locked.txt"], (STAMP, 11));
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
        let skipped = skipped.iter().map(|s| (s.to_string(), Some(STAMP)));
        Snapshot::new(42, map, skipped.collect(), Vec::new())
    }

    /// The size and time of the skipped files of [`snapshot`].
    const STAMP: FileStamp = FileStamp {
        size: 3,
        mtime_ns: 7,
    };

    /// The records of an index of `root`'s files `paths` as they are on disk now.
    fn indexed_as_now<'a>(
        root: &'a Path,
        paths: &'a [&str],
    ) -> impl Fn(&str) -> Option<FileStamp> + 'a {
        move |path: &str| {
            let metadata = std::fs::metadata(root.join(path)).ok()?;
            paths.contains(&path).then(|| FileStamp::of(&metadata))
        }
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
    fn a_touched_folder_with_the_same_files_is_clean_and_a_file_saved_by_rename_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("sub")).unwrap();
        for f in ["a.txt", "b.txt", "sub/c.txt"] {
            std::fs::write(root.join(f), "text").unwrap();
        }
        let names = ["a.txt", "b.txt", "sub/c.txt"];
        let mut snapshot = touched_snapshot(root, &names);
        let indexed = indexed_as_now(root, &names);
        // What the index holds: the files as they were.
        let records: FxHashMap<&str, FileStamp> =
            names.iter().map(|&n| (n, indexed(n).unwrap())).collect();
        let as_indexed = |path: &str| records.get(path).copied();
        assert!(drift(root, &mut snapshot, &as_indexed).is_clean());
        assert!(
            snapshot.confirmed.is_empty(),
            "folders changed just now are listed again next time"
        );

        // Saved by rename, as editors, `sed -i` and rsync do: the same name, another file.
        std::fs::write(root.join("b.txt.new"), "other text").unwrap();
        std::fs::rename(root.join("b.txt.new"), root.join("b.txt")).unwrap();
        let found = drift(root, &mut snapshot, &as_indexed);
        assert_eq!(
            (found.added, found.changed, found.removed),
            (0, 1, 0),
            "{found:?}"
        );
        assert_eq!(found.changed_paths, ["b.txt"]);
        assert!(
            snapshot.confirmed.is_empty(),
            "not confirmed while it differs"
        );

        // Neither a pipe nor a dangling link is a document, whatever its name.
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("nowhere.txt", root.join("sub/dangling.txt")).unwrap();
            let pipe = std::ffi::CString::new(
                root.join("sub/pipe.txt")
                    .into_os_string()
                    .into_encoded_bytes(),
            )
            .unwrap();
            // SAFETY: `pipe` is a valid C string for the length of the call.
            assert_eq!(unsafe { libc::mkfifo(pipe.as_ptr(), 0o644) }, 0);
            let found = drift(root, &mut touched_snapshot(root, &names), &as_indexed);
            assert_eq!((found.added, found.changed), (0, 1), "{found:?}");
        }
    }

    #[test]
    fn a_skipped_file_replaced_since_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("a.txt"), "text").unwrap();
        std::fs::write(root.join("bin.txt"), [0u8, 159, 146, 150]).unwrap();
        let bin = FileStamp::of(&std::fs::metadata(root.join("bin.txt")).unwrap());
        let mut snapshot = touched_snapshot(root, &["a.txt"]);
        snapshot.skipped.insert("bin.txt".into(), Some(bin));
        let indexed = indexed_as_now(root, &["a.txt"]);
        assert!(drift(root, &mut snapshot, &indexed).is_clean());
        std::fs::write(root.join("bin.tmp"), "Now text\n\nto be indexed.\n").unwrap();
        std::fs::rename(root.join("bin.tmp"), root.join("bin.txt")).unwrap();
        assert_eq!(
            drift(root, &mut snapshot, &indexed).added,
            1,
            "a file to add"
        );
        // A snapshot of an older loupe knows no size or time: the name alone counts.
        snapshot.skipped.insert("bin.txt".into(), None);
        assert!(drift(root, &mut snapshot, &indexed).is_clean());
    }

    #[test]
    fn a_folder_dated_in_the_future_is_confirmed_once_listed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("a.txt"), "text").unwrap();
        let in_an_hour = std::time::SystemTime::now() + std::time::Duration::from_secs(3600);
        set_time(root, in_an_hour);
        let mut snapshot = touched_snapshot(root, &["a.txt"]);
        let indexed = indexed_as_now(root, &["a.txt"]);
        assert!(drift(root, &mut snapshot, &indexed).is_clean());
        assert_eq!(
            snapshot.confirmed.len(),
            1,
            "listed once, not on every search"
        );
        // Any change now moves its time back to the present, and it is listed again.
        std::fs::write(root.join("b.txt"), "text").unwrap();
        assert_eq!(drift(root, &mut snapshot, &indexed).added, 1);
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
        let indexed = indexed_as_now(root, &["a.txt", "b.txt", "c.txt", "d.txt"]);
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
        let found = drift(root, &mut next, &indexed_as_now(root, &["a.txt", "b.txt"]));
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
        let found = drift(
            root,
            &mut snapshot,
            &indexed_as_now(root, &["a.txt", "b.txt"]),
        );
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
