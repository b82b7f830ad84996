//! Figures about a built index: how many documents and passages it holds, its size, and when
//! and from what it was last committed.

use std::path::Path;

use serde::Serialize;

use crate::date::Date;
use crate::error::{IndexContext, Result};
use crate::index::manifest;
use crate::index::store::Store;

/// What `loupe stats` reports.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    /// Indexed documents (corpus files).
    pub documents: u64,
    /// Indexed passages.
    pub passages: u64,
    /// Bytes of the indexed files.
    pub corpus_bytes: u64,
    /// Bytes of the index folder.
    pub index_bytes: u64,
    /// Number of index segments.
    pub segments: usize,
    /// When the index was last committed (`YYYY-MM-DDTHH:MM:SSZ`).
    pub last_indexed: Option<String>,
    /// The corpus folder it was built from.
    pub corpus: Option<String>,
    /// Schema version of the index.
    pub schema_version: u32,
    /// True when the last commit was made in the middle of a build that did not finish.
    pub partial: bool,
}

/// Gathers the figures of the index in `dir`.
pub fn collect(dir: &Path) -> Result<Stats> {
    let store = Store::open(dir)?;
    let reader = store.index.reader().context("opening index reader")?;
    let searcher = reader.searcher();
    let files = manifest::load(&searcher, &store.fields)?;
    let documents = files.len() as u64;
    let info = store.commit_info()?;
    let index_bytes = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0);
    Ok(Stats {
        documents,
        passages: searcher.num_docs().saturating_sub(documents),
        corpus_bytes: files.values().map(|r| r.size).sum(),
        index_bytes,
        segments: searcher.segment_readers().len(),
        last_indexed: info.as_ref().map(|i| timestamp(i.committed_at)),
        corpus: info.as_ref().map(|i| i.corpus.clone()),
        schema_version: crate::index::schema::SCHEMA_VERSION,
        partial: info.is_some_and(|i| i.partial),
    })
}

fn timestamp(unix_seconds: i64) -> String {
    let date = Date::from_unix_seconds(unix_seconds);
    let secs = unix_seconds.rem_euclid(86_400);
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}
