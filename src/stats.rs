//! Figures about a built index: how many documents and passages it holds, its size, and when
//! and from what it was last committed.

use std::path::Path;

use serde::Serialize;

use crate::date::Date;
use crate::error::{IndexContext, Result};
use crate::index::manifest;
use crate::index::schema::Fields;
use crate::index::store::Store;
use crate::search::count::PassagesAndDocuments;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Term};
use tantivy::Searcher;

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
    /// Passages and documents in each language, most passages first.
    pub languages: Vec<LanguageCount>,
    /// When the index was last committed (`YYYY-MM-DDTHH:MM:SSZ`).
    pub last_indexed: Option<String>,
    /// The corpus folder it was built from.
    pub corpus: Option<String>,
    /// Schema version of the index.
    pub schema_version: u32,
    /// True when the last commit was made in the middle of a build that did not finish.
    pub partial: bool,
}

/// How much of the index is in one language.
#[derive(Debug, Clone, Serialize)]
pub struct LanguageCount {
    /// An ISO 639-1 code, or `und` for text whose language is not known.
    pub lang: String,
    /// Passages in the language.
    pub passages: u64,
    /// Documents with at least one passage in it.
    pub documents: u64,
}

/// The passages and documents of each language in the index.
fn languages(searcher: &Searcher, fields: &Fields) -> Result<Vec<LanguageCount>> {
    let mut counts = Vec::new();
    for lang in manifest::languages(searcher, fields)? {
        let query = TermQuery::new(
            Term::from_field_text(fields.lang, &lang),
            IndexRecordOption::Basic,
        );
        let totals = searcher
            .search(&query, &PassagesAndDocuments)
            .context("counting languages")?;
        if totals.passages > 0 {
            counts.push(LanguageCount {
                lang,
                passages: totals.passages as u64,
                documents: totals.documents as u64,
            });
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.passages));
    Ok(counts)
}

/// Gathers the figures of the index in `dir`.
pub fn collect(dir: &Path) -> Result<Stats> {
    let store = Store::open(dir)?;
    let reader = store.index.reader().context("opening index reader")?;
    let searcher = reader.searcher();
    // Counted record by record: a large index's records are not held at once.
    let (mut documents, mut corpus_bytes) = (0u64, 0u64);
    manifest::for_each(&searcher, &store.fields, &mut |_, record| {
        documents += 1;
        corpus_bytes += record.size;
    })?;
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
        corpus_bytes,
        index_bytes,
        segments: searcher.segment_readers().len(),
        languages: languages(&searcher, &store.fields)?,
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
