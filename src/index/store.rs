//! The index folder: creating and opening the tantivy index with loupe's analyzer, checking
//! that it was written by a compatible loupe, and the information committed with each commit.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use tantivy::store::Compressor;
use tantivy::{Index, IndexSettings};

use crate::analysis;
use crate::error::{Error, IndexContext, IoContext, Result};
use crate::index::directory;
use crate::index::schema::{self, Fields, SCHEMA_VERSION};

/// What loupe commits with the index (tantivy's commit payload), as JSON.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CommitInfo {
    /// Schema and analysis version of the index.
    pub schema_version: u32,
    /// Version of loupe that wrote the commit.
    pub loupe_version: String,
    /// When the commit was made, in seconds since the Unix epoch.
    pub committed_at: i64,
    /// Corpus folder the index was built from: its canonical absolute path.
    pub corpus: String,
    /// The same folder relative to the index folder, so that an index moved together with its
    /// corpus still finds it.
    #[serde(default)]
    pub corpus_from_index: Option<String>,
    /// Changes with every commit; the corpus snapshot written after a run names the commit it
    /// belongs to with it.
    #[serde(default)]
    pub generation: u64,
    /// True while a build is still going on (an intermediate commit).
    #[serde(default)]
    pub partial: bool,
    /// Documents (files) in the index.
    #[serde(default)]
    pub documents: u64,
    /// Their lengths in terms, summed ([`crate::index::manifest::FileRecord::length`]): with
    /// `documents`, the average document length of BM25, exact whatever was deleted.
    #[serde(default)]
    pub document_terms: u64,
}

/// The parts of tantivy's `meta.json` that loupe reads itself. Every search reads it several
/// times, and skipping the schema (and the rest) costs a tenth of parsing it into JSON values.
#[derive(Clone, Deserialize)]
struct MetaHead {
    /// The commit payload: a [`CommitInfo`] as JSON, for a loupe commit.
    payload: Option<String>,
    /// The committed segments.
    segments: Option<Vec<SegmentHead>>,
}

/// What loupe reads of a committed segment in `meta.json`.
#[derive(Clone, Deserialize)]
struct SegmentHead {
    /// Documents in the segment, deleted ones included.
    max_doc: u32,
    /// The segment's id, a UUID with dashes.
    segment_id: String,
    /// Its deleted documents, when it has any.
    deletes: Option<DeletesHead>,
}

/// What loupe reads of a segment's deletes in `meta.json`.
#[derive(Clone, Deserialize)]
struct DeletesHead {
    num_deleted_docs: u32,
}

/// The `meta.json` last parsed, with the identity of the file it was read from.
static LAST_READ: Mutex<Option<(PathBuf, FileIdentity, MetaHead)>> = Mutex::new(None);

/// What tells one `meta.json` from another: tantivy replaces the file on every commit (a new
/// inode, though one may be reused), and its length and time change as well.
#[derive(Clone, Copy, PartialEq, Eq)]
struct FileIdentity {
    device: u64,
    inode: u64,
    length: u64,
    modified: (i64, i64),
}

impl FileIdentity {
    /// The identity of an open file; `None` where the system does not tell it.
    fn of(file: &std::fs::File) -> Option<FileIdentity> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let m = file.metadata().ok()?;
            Some(FileIdentity {
                device: m.dev(),
                inode: m.ino(),
                length: m.len(),
                modified: (m.mtime(), m.mtime_nsec()),
            })
        }
        #[cfg(not(unix))]
        {
            let _ = file;
            None
        }
    }
}

impl MetaHead {
    /// Reads `dir`'s `meta.json`. A search reads it four times (to see what the folder holds,
    /// to open the index, for the corpus it records and for its figures): the file is parsed
    /// again only when it is another one than the last parsed.
    fn read(dir: &Path) -> std::result::Result<MetaHead, String> {
        use std::io::Read;
        let path = dir.join("meta.json");
        let mut file = std::fs::File::open(&path).map_err(|e| e.to_string())?;
        let identity = FileIdentity::of(&file);
        let mut last = LAST_READ.lock().unwrap_or_else(|e| e.into_inner());
        if let (Some(identity), Some((last_path, last_identity, meta))) = (identity, last.as_ref())
        {
            if *last_path == path && *last_identity == identity {
                return Ok(meta.clone());
            }
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
        let meta: MetaHead = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
        // A file written in the last second is not kept: file times may be as coarse as a
        // few milliseconds, and a commit then could leave one identity for two files.
        let settled = file
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age >= std::time::Duration::from_secs(1));
        *last = identity
            .filter(|_| settled)
            .map(|identity| (path, identity, meta.clone()));
        Ok(meta)
    }

    fn commit_info(&self) -> Option<std::result::Result<CommitInfo, serde_json::Error>> {
        self.payload.as_deref().map(serde_json::from_str)
    }
}

/// Name of the file that marks a folder as a loupe index: loupe writes into, and rebuilds,
/// only folders that hold it (or that are empty).
pub const MARKER: &str = ".loupe-index";

/// Files a folder may hold and still count as empty for a new index.
const HARMLESS: &[&str] = &[
    "README.md",
    ".gitignore",
    ".gitkeep",
    crate::index::lock::LOCK_FILE,
    MARKER,
];

/// What a folder holds, as far as loupe is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexState {
    /// No index yet: the folder is missing, empty, or holds a build that never committed.
    Missing,
    /// A committed loupe index.
    Built,
    /// A loupe index whose metadata cannot be read; the text says what is wrong.
    Damaged(String),
    /// A folder with other files in it: not loupe's to write.
    Foreign,
    /// A folder that cannot be listed (its permissions); the text is the system's reason.
    Unreadable(String),
}

/// Looks at `dir` without opening the index.
pub fn inspect(dir: &Path) -> IndexState {
    inspect_with_meta(dir).0
}

/// [`inspect`], and the metadata it read, when it read them.
fn inspect_with_meta(dir: &Path) -> (IndexState, Option<MetaHead>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if dir.exists() => return (IndexState::Unreadable(e.to_string()), None),
        Err(_) => return (IndexState::Missing, None),
    };
    let names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let marked = names.iter().any(|n| n == MARKER);
    let has_meta = names.iter().any(|n| n == "meta.json");
    if !has_meta {
        let only_harmless = names.iter().all(|n| HARMLESS.contains(&n.as_str()));
        let state = if marked || only_harmless {
            IndexState::Missing
        } else {
            IndexState::Foreign
        };
        return (state, None);
    }
    let meta = match MetaHead::read(dir) {
        Ok(meta) => meta,
        // Permissions are no damage: rebuilding would not mend them.
        Err(e) if marked && permission_denied(&dir.join("meta.json")) => {
            return (IndexState::Unreadable(format!("meta.json: {e}")), None)
        }
        Err(e) if marked => return (IndexState::Damaged(format!("meta.json: {e}")), None),
        Err(_) => return (IndexState::Foreign, None),
    };
    let state = match meta.commit_info() {
        Some(Ok(_)) => IndexState::Built,
        // Created but not committed yet (a first build that was interrupted).
        None if marked && meta.segments.is_some() => IndexState::Missing,
        _ if marked => IndexState::Damaged("meta.json holds no loupe commit".into()),
        _ => IndexState::Foreign,
    };
    (state, Some(meta))
}

/// Whether opening `path` for reading is refused by its permissions.
fn permission_denied(path: &Path) -> bool {
    std::fs::File::open(path).is_err_and(|e| e.kind() == std::io::ErrorKind::PermissionDenied)
}

/// The information of the last commit in `dir`, read without opening the index.
pub fn read_commit_info(dir: &Path) -> Option<CommitInfo> {
    MetaHead::read(dir).ok()?.commit_info()?.ok()
}

/// Passages' stored fields (path, title, place, language; not their text) are compressed with
/// lz4. zstd made them 1.6 times smaller, but they are a small part of the index now that the
/// text is read from the files, and each of its block reads set up a decompression context
/// that cost a search 6 % of its time (`BENCHMARKS.md`). Indexes made with zstd stay readable.
const DOCSTORE_COMPRESSION: Compressor = Compressor::Lz4;

/// Stored passages are compressed in blocks of this size; a hit reads and decompresses one
/// block. 4 KB blocks cut 4 % of a reuters search's instructions but made the 1 GB build 8 %
/// slower (`BENCHMARKS.md`).
const DOCSTORE_BLOCK_BYTES: usize = 16 * 1024;

/// An opened index with its field handles.
pub struct Store {
    /// The tantivy index.
    pub index: Index,
    /// Field handles.
    pub fields: Fields,
    /// The index folder.
    pub dir: PathBuf,
    /// The documents of each committed segment (deleted ones included) when it was opened.
    pub segment_sizes: Vec<u32>,
}

/// True when `dir` holds a tantivy index (not merely the folder or its README).
pub fn exists(dir: &Path) -> bool {
    dir.join("meta.json").is_file()
}

impl Store {
    /// Opens the index in `dir`, refusing one written by an incompatible loupe.
    pub fn open(dir: &Path) -> Result<Store> {
        if dir.exists() && !dir.is_dir() {
            return Err(Error::IndexNotADirectory(dir.to_path_buf()));
        }
        let (state, meta) = inspect_with_meta(dir);
        let meta = match (state, meta) {
            (IndexState::Foreign, _) => return Err(Error::NotAnIndex(dir.to_path_buf())),
            (IndexState::Damaged(detail), _) => return Err(damaged(dir, detail)),
            (IndexState::Unreadable(detail), _) => return Err(unreadable(dir, detail)),
            (_, Some(meta)) => meta,
            (_, None) => return Err(Error::IndexMissing(dir.to_path_buf())),
        };
        let directory =
            directory::IndexDirectory::open(dir).map_err(|e| damaged(dir, e.to_string()))?;
        let index = Index::open(directory).map_err(|e| damaged(dir, e.to_string()))?;
        analysis::register(&index);
        let incompatible = |found: String| Error::IndexIncompatible {
            path: dir.to_path_buf(),
            found,
            expected: SCHEMA_VERSION,
        };
        match meta.commit_info() {
            Some(Ok(info)) if info.schema_version == SCHEMA_VERSION => {}
            Some(Ok(info)) => return Err(incompatible(info.schema_version.to_string())),
            Some(Err(_)) => return Err(incompatible("unknown".into())),
            // Created but never committed: usable if the schema is ours.
            None if meta.segments.as_ref().is_none_or(|s| s.is_empty())
                && index.schema() == schema::build() => {}
            None => return Err(incompatible("unknown".into())),
        }
        // The commit says the schema is ours: one that is not was damaged, not made by
        // another loupe, and is not replaced unasked.
        let fields = Fields::new(&index.schema())
            .map_err(|e| damaged(dir, format!("its schema is not loupe's ({e})")))?;
        let segment_sizes = meta.segments.unwrap_or_default();
        Ok(Store {
            index,
            fields,
            dir: dir.to_path_buf(),
            segment_sizes: segment_sizes.iter().map(|s| s.max_doc).collect(),
        })
    }

    /// Creates a new, empty index in `dir`: a new folder, an empty one, or one marked as a
    /// loupe index (whose old index files were removed).
    pub fn create(dir: &Path) -> Result<Store> {
        if dir.exists() && !dir.is_dir() {
            return Err(Error::IndexNotADirectory(dir.to_path_buf()));
        }
        if inspect(dir) == IndexState::Foreign {
            return Err(Error::NotAnIndex(dir.to_path_buf()));
        }
        std::fs::create_dir_all(dir).with_path(dir)?;
        mark(dir)?;
        let settings = IndexSettings {
            docstore_compression: DOCSTORE_COMPRESSION,
            docstore_blocksize: DOCSTORE_BLOCK_BYTES,
            ..IndexSettings::default()
        };
        let creating = || format!("creating index in {}", dir.display());
        let directory: Box<dyn tantivy::Directory> = Box::new(
            directory::IndexDirectory::open(dir)
                .map_err(tantivy::TantivyError::from)
                .context(creating())?,
        );
        let exists = Index::exists(&*directory).map_err(tantivy::TantivyError::from);
        if exists.context(creating())? {
            return Err(tantivy::TantivyError::IndexAlreadyExists).context(creating());
        }
        let index = Index::create(directory, schema::build(), settings).context(creating())?;
        analysis::register(&index);
        let fields = Fields::new(&index.schema())?;
        Ok(Store {
            index,
            fields,
            dir: dir.to_path_buf(),
            segment_sizes: Vec::new(),
        })
    }

    /// The information committed with the commit `searcher` reads, if any; `Ok(None)` also
    /// when `meta.json` already names a later commit (one that landed since the searcher was
    /// opened), whose information would not describe what `searcher` finds.
    pub fn commit_info_of(&self, searcher: &tantivy::Searcher) -> Result<Option<CommitInfo>> {
        let meta = MetaHead::read(&self.dir).map_err(|e| Error::IndexDamaged {
            path: self.dir.clone(),
            detail: format!("meta.json: {e}"),
        })?;
        let mut committed: Vec<(String, u32)> = meta
            .segments
            .iter()
            .flatten()
            .map(|s| {
                let deleted = s.deletes.as_ref().map_or(0, |d| d.num_deleted_docs);
                (s.segment_id.replace('-', ""), deleted)
            })
            .collect();
        let mut searched: Vec<(String, u32)> = searcher
            .segment_readers()
            .iter()
            .map(|r| (r.segment_id().uuid_string(), r.num_deleted_docs()))
            .collect();
        committed.sort();
        searched.sort();
        if committed != searched {
            return Ok(None);
        }
        Ok(meta.commit_info().and_then(|info| info.ok()))
    }

    /// The information committed with the last commit, if any.
    pub fn commit_info(&self) -> Result<Option<CommitInfo>> {
        let meta = MetaHead::read(&self.dir).map_err(|e| Error::IndexDamaged {
            path: self.dir.clone(),
            detail: format!("meta.json: {e}"),
        })?;
        Ok(meta.commit_info().and_then(|info| info.ok()))
    }
}

/// Writes the marker file that makes `dir` loupe's.
pub fn mark(dir: &Path) -> Result<()> {
    let path = dir.join(MARKER);
    if path.is_file() {
        return Ok(());
    }
    std::fs::write(
        &path,
        "This folder is a loupe search index; `loupe index --rebuild` may rewrite it.\n",
    )
    .with_path(path)
}

/// The error for an index folder that cannot be listed.
pub fn unreadable(dir: &Path, detail: String) -> Error {
    Error::IndexUnreadable {
        path: dir.to_path_buf(),
        detail,
    }
}

fn damaged(dir: &Path, detail: String) -> Error {
    Error::IndexDamaged {
        path: dir.to_path_buf(),
        detail,
    }
}

/// Removes the tantivy files from `dir`, keeping anything else (such as the folder's README).
pub fn remove_index_files(dir: &Path) -> Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_path(dir),
    };
    for entry in entries {
        let entry = entry.with_path(dir)?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let is_index_file = name == "meta.json"
            || name == ".managed.json"
            || name.starts_with(".tantivy")
            || [
                ".idx",
                ".pos",
                ".term",
                ".store",
                ".fast",
                ".fieldnorm",
                ".del",
                ".json",
            ]
            .iter()
            .any(|ext| name.ends_with(ext) && name != "README.md");
        if is_index_file && entry.path().is_file() {
            std::fs::remove_file(entry.path()).with_path(entry.path())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    /// Writes a `meta.json` whose payload is `payload`, as tantivy does (a new file renamed
    /// over the old one), always with the same time, long past (so that [`MetaHead::read`]
    /// keeps what it read).
    fn commit(dir: &Path, payload: &str) {
        let temp = dir.join("meta.json.tmp");
        let json = format!(r#"{{"segments":[],"payload":"{payload}","schema":[]}}"#);
        std::fs::write(&temp, json).unwrap();
        let file = std::fs::File::options().write(true).open(&temp).unwrap();
        file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000))
            .unwrap();
        drop(file);
        std::fs::rename(&temp, dir.join("meta.json")).unwrap();
    }

    #[test]
    fn a_new_commit_is_read_even_with_the_same_length_and_time() {
        let dir = tempfile::tempdir().unwrap();
        commit(dir.path(), "first");
        assert_eq!(
            MetaHead::read(dir.path()).unwrap().payload.as_deref(),
            Some("first")
        );
        // Read again, from what was kept.
        assert_eq!(
            MetaHead::read(dir.path()).unwrap().payload.as_deref(),
            Some("first")
        );
        commit(dir.path(), "other");
        assert_eq!(
            MetaHead::read(dir.path()).unwrap().payload.as_deref(),
            Some("other")
        );
    }

    #[test]
    fn a_file_rewritten_in_place_within_the_second_is_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("meta.json");
        std::fs::write(&path, r#"{"segments":[],"payload":"first"}"#).unwrap();
        assert_eq!(
            MetaHead::read(dir.path()).unwrap().payload.as_deref(),
            Some("first")
        );
        std::fs::write(&path, r#"{"segments":[],"payload":"other"}"#).unwrap();
        assert_eq!(
            MetaHead::read(dir.path()).unwrap().payload.as_deref(),
            Some("other")
        );
    }
}
