//! The whole article behind a hit, for reading it around its passages (`loupe serve`'s
//! article view): its text as indexed, where each passage lies in it, and where the query
//! matches it.

use std::path::Path;

use serde::Serialize;
use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Term, Value};
use tantivy::TantivyDocument;

use super::{query, query_syntax, u64_of, PassageSearcher};
use crate::analysis::Analysis;
use crate::error::{Error, IndexContext, Result};
use crate::index::article::Article;
use crate::index::{decode, manifest};
use crate::search::highlight;
use crate::search::ranking::Ranking;

/// An article as the article view shows it. Byte offsets are into `text`.
#[derive(Debug, Serialize)]
pub struct ArticleView {
    /// Path relative to the corpus root.
    pub path: String,
    /// Title, when the article has one.
    pub title: Option<String>,
    /// `YYYY-MM-DD`, when the article has a date header.
    pub date: Option<String>,
    /// The article's text (decoded, without a byte-order mark).
    pub text: String,
    /// Its passages, in order.
    pub passages: Vec<PassageSpan>,
    /// `[start, end]` byte ranges of the query's matches in `text` (empty without a query).
    pub highlights: Vec<[usize; 2]>,
    /// `"changed"` when the file is no longer what was indexed (the passage ranges may be off).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale: Option<&'static str>,
}

/// Where one passage lies in its article.
#[derive(Debug, Serialize)]
pub struct PassageSpan {
    /// Ordinal from 0.
    pub passage: u64,
    /// 1-based line of its first character.
    pub line: u64,
    /// Byte range in the article's `text`.
    pub byte_start: usize,
    /// Just past its end.
    pub byte_end: usize,
    /// Its language: an ISO 639-1 code, or `und`.
    pub lang: String,
}

/// What [`PassageSearcher::article`] found.
#[derive(Debug)]
pub enum ArticleLookup {
    /// The article, read from its file now.
    Found(ArticleView),
    /// No document of that path is indexed.
    NotIndexed,
    /// It is indexed, but its file cannot be shown now: why, for the user.
    Unavailable(String),
}

impl PassageSearcher {
    /// The indexed article at `rel_path` in `corpus`, with the matches of `query_text` when
    /// given.
    pub fn article(
        &self,
        corpus: &Path,
        rel_path: &str,
        query_text: Option<&str>,
    ) -> Result<ArticleLookup> {
        let fields = &self.store.fields;
        let searcher = self.reader.searcher();
        let Some(record) = manifest::record_of(&searcher, fields, rel_path)? else {
            return Ok(ArticleLookup::NotIndexed);
        };
        let bytes = match std::fs::read(crate::index::corpus::on_disk(corpus, rel_path)) {
            Ok(bytes) => bytes,
            Err(e) => {
                let why = match e.kind() {
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory => {
                        "was deleted from the corpus since it was indexed".to_string()
                    }
                    std::io::ErrorKind::PermissionDenied => {
                        return Ok(ArticleLookup::Unavailable(format!(
                            "{rel_path} is in the index but its file cannot be read now (permission denied): its permissions must let loupe read it"
                        )));
                    }
                    _ => format!("cannot be read ({e})"),
                };
                return Ok(ArticleLookup::Unavailable(format!(
                    "{rel_path} is in the index but {why}; run `loupe index` to update the index"
                )));
            }
        };
        let changed = xxhash_rust::xxh3::xxh3_64(&bytes) != record.hash;
        let Ok(decoded) = decode::decode_owned(bytes) else {
            return Ok(ArticleLookup::Unavailable(format!(
                "{rel_path} is in the index but its file no longer holds text; run `loupe index` to update the index"
            )));
        };
        let text = decoded.text;
        let article = Article::parse(&text);
        let by_path = TermQuery::new(
            Term::from_field_text(fields.path, rel_path),
            IndexRecordOption::Basic,
        );
        let addresses = searcher
            .search(&by_path, &DocSetCollector)
            .context("reading passages")?;
        let mut passages = Vec::with_capacity(addresses.len());
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address).context("reading passages")?;
            let offset = |field| {
                (u64_of(&doc, field) as usize)
                    .saturating_sub(decoded.bom_len)
                    .min(text.len())
            };
            passages.push(PassageSpan {
                passage: u64_of(&doc, fields.passage),
                line: u64_of(&doc, fields.line),
                byte_start: offset(fields.byte_start),
                byte_end: offset(fields.byte_end),
                lang: doc
                    .get_first(fields.lang)
                    .and_then(|v| v.as_str())
                    .unwrap_or(crate::analysis::UNDETERMINED)
                    .to_string(),
            });
        }
        passages.sort_by_key(|p| p.passage);
        let highlights = match query_text {
            None => Vec::new(),
            Some(q) => {
                let node = query_syntax::parse(q)
                    .map_err(|e| Error::Query(format!("query error: {e}")))?;
                let languages = manifest::languages(&searcher, fields)?;
                let ranking = Ranking::default();
                let compiled = query::compile(&node, fields, &searcher, &languages, &[], &ranking)?;
                // The title in the first passage's analysis, each passage in its own.
                let title = article.title.clone().map(|r| (r, passages.first()));
                let parts = title
                    .into_iter()
                    .chain(passages.iter().map(|p| (p.byte_start..p.byte_end, Some(p))));
                let mut highlights = Vec::new();
                for (range, passage) in parts {
                    let analysis = Analysis::of(passage.map_or("en", |p| p.lang.as_str()));
                    let Some(part) = text.get(range.clone()) else {
                        continue;
                    };
                    highlights.extend(
                        highlight::find_matches(part, &compiled.matcher, analysis)
                            .into_iter()
                            .map(|r| [range.start + r.start, range.start + r.end]),
                    );
                }
                highlights
            }
        };
        Ok(ArticleLookup::Found(ArticleView {
            path: rel_path.to_string(),
            title: article.title.clone().map(|r| text[r].to_string()),
            date: article.date.map(|d| d.to_string()),
            passages,
            highlights,
            stale: changed.then_some("changed"),
            text,
        }))
    }
}
