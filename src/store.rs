//! The index folder: creating and opening the tantivy index with loupe's analyzer, checking
//! that it was written by a compatible loupe, and the information committed with each commit.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::store::{Compressor, ZstdCompressor};
use tantivy::{Index, IndexSettings};

use crate::analysis;
use crate::error::{Error, IndexContext, IoContext, Result};
use crate::schema::{self, Fields, SCHEMA_VERSION};

/// What loupe commits with the index (tantivy's commit payload), as JSON.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CommitInfo {
    /// Schema and analysis version of the index.
    pub schema_version: u32,
    /// Version of loupe that wrote the commit.
    pub loupe_version: String,
    /// When the commit was made, in seconds since the Unix epoch.
    pub committed_at: i64,
    /// Corpus folder the index was built from, as given.
    pub corpus: String,
    /// True while a build is still going on (an intermediate commit).
    #[serde(default)]
    pub partial: bool,
}

/// Passages are stored compressed with zstd at this level: text compresses about twice as well
/// as with tantivy's default lz4, for little time.
const DOCSTORE_ZSTD_LEVEL: i32 = 3;

/// Stored passages are compressed in blocks of this size; a hit reads one block.
const DOCSTORE_BLOCK_BYTES: usize = 16 * 1024;

/// An opened index with its field handles.
pub struct Store {
    /// The tantivy index.
    pub index: Index,
    /// Field handles.
    pub fields: Fields,
    /// The index folder.
    pub dir: PathBuf,
}

/// True when `dir` holds a tantivy index (not merely the folder or its README).
pub fn exists(dir: &Path) -> bool {
    dir.join("meta.json").is_file()
}

/// True when `dir` holds an index with at least one commit: a build that was interrupted
/// before its first commit does not count.
pub fn is_built(dir: &Path) -> bool {
    std::fs::read(dir.join("meta.json"))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .is_some_and(|meta| meta.get("payload").is_some_and(|p| !p.is_null()))
}

impl Store {
    /// Opens the index in `dir`, refusing one written by an incompatible loupe.
    pub fn open(dir: &Path) -> Result<Store> {
        if dir.exists() && !dir.is_dir() {
            return Err(Error::IndexNotADirectory(dir.to_path_buf()));
        }
        if !exists(dir) {
            return Err(Error::IndexMissing(dir.to_path_buf()));
        }
        let index = Index::open_in_dir(dir).context(format!("opening index {}", dir.display()))?;
        analysis::register(&index);
        let incompatible = |found: String| Error::IndexIncompatible {
            path: dir.to_path_buf(),
            found,
            expected: SCHEMA_VERSION,
        };
        let metas = index.load_metas().context("reading index metadata")?;
        match metas
            .payload
            .as_deref()
            .map(serde_json::from_str::<CommitInfo>)
        {
            Some(Ok(info)) if info.schema_version == SCHEMA_VERSION => {}
            Some(Ok(info)) => return Err(incompatible(info.schema_version.to_string())),
            Some(Err(_)) => return Err(incompatible("unknown".into())),
            // Created but never committed: usable if the schema is ours.
            None if metas.segments.is_empty() && index.schema() == schema::build() => {}
            None => return Err(incompatible("unknown".into())),
        }
        let fields = Fields::new(&index.schema()).map_err(|_| incompatible("unknown".into()))?;
        Ok(Store {
            index,
            fields,
            dir: dir.to_path_buf(),
        })
    }

    /// Creates a new, empty index in `dir` (the folder may exist and hold other files).
    pub fn create(dir: &Path) -> Result<Store> {
        if dir.exists() && !dir.is_dir() {
            return Err(Error::IndexNotADirectory(dir.to_path_buf()));
        }
        std::fs::create_dir_all(dir).with_path(dir)?;
        let settings = IndexSettings {
            docstore_compression: Compressor::Zstd(ZstdCompressor {
                compression_level: Some(DOCSTORE_ZSTD_LEVEL),
            }),
            docstore_blocksize: DOCSTORE_BLOCK_BYTES,
            ..IndexSettings::default()
        };
        let index = Index::builder()
            .settings(settings)
            .schema(schema::build())
            .create_in_dir(dir)
            .context(format!("creating index in {}", dir.display()))?;
        analysis::register(&index);
        let fields = Fields::new(&index.schema())?;
        Ok(Store {
            index,
            fields,
            dir: dir.to_path_buf(),
        })
    }

    /// The information committed with the last commit, if any.
    pub fn commit_info(&self) -> Result<Option<CommitInfo>> {
        let metas = self.index.load_metas().context("reading index metadata")?;
        Ok(metas.payload.and_then(|p| serde_json::from_str(&p).ok()))
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
