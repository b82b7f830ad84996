//! Running a query against the index: parse, compile, collect the top passages (optionally
//! at most a few per document, or newest first), then load each hit's stored fields and
//! highlight it. Knows nothing of output formats.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
use tantivy::collector::TopDocs;
use tantivy::query::Query;
use tantivy::schema::Value;
use tantivy::{DocAddress, IndexReader, Order, ReloadPolicy, TantivyDocument};

use crate::analysis;
use crate::corpus;
use crate::count::PassagesAndDocuments;
use crate::date::Date;
use crate::decode;
use crate::error::{Error, IndexContext, Result};
use crate::feedback;
use crate::freshness::{self, Drift, Snapshot};
use crate::highlight::{self, Snippet};
use crate::manifest;
use crate::query;
use crate::query_syntax;
use crate::ranking::Ranking;
use crate::store::Store;

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    /// Best match first.
    #[default]
    Relevance,
    /// Newest document first; undated documents last.
    Date,
}

/// What to return for a query.
#[derive(Debug, Clone)]
pub struct SearchOptions {
    /// Number of passages to return.
    pub limit: usize,
    /// At most this many passages of one document (0: no cap).
    pub per_document: usize,
    /// Only documents dated on or after this day.
    pub since: Option<Date>,
    /// Only documents dated on or before this day.
    pub until: Option<Date>,
    /// Result order.
    pub sort: SortOrder,
    /// Longest snippet, in bytes (the whole passage when shorter).
    pub snippet_bytes: usize,
    /// Read the query as plain words, without query syntax.
    pub plain: bool,
    /// Ranking settings.
    pub ranking: Ranking,
    /// Count every matching passage (costs time on large indexes).
    pub count_total: bool,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 10,
            per_document: 0,
            since: None,
            until: None,
            sort: SortOrder::Relevance,
            snippet_bytes: 320,
            plain: false,
            ranking: Ranking::default(),
            count_total: true,
        }
    }
}

/// One returned passage.
#[derive(Debug, Clone)]
pub struct Hit {
    /// 1-based rank.
    pub rank: usize,
    /// Relevance score (BM25 based).
    pub score: f32,
    /// Document path relative to the corpus root.
    pub path: String,
    /// Document title, when it has one.
    pub title: Option<String>,
    /// Document date, when it has one.
    pub date: Option<Date>,
    /// Ordinal of the passage in the document, from 0.
    pub passage: u64,
    /// 1-based line of the passage start in the source file.
    pub line: u64,
    /// Byte offset of the passage in the source text.
    pub byte_start: u64,
    /// Byte offset just past the passage.
    pub byte_end: u64,
    /// The whole passage.
    pub text: String,
    /// The excerpt shown, with highlights.
    pub snippet: Snippet,
    /// Byte ranges of the matches in the title.
    pub title_highlights: Vec<std::ops::Range<usize>>,
    /// Set when the hit's file changed or went away since it was indexed.
    pub stale: Option<Stale>,
}

/// How a hit's file differs from what was indexed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stale {
    /// The file is gone.
    Deleted,
    /// The file was edited. When the passage is still in it, `line` and the byte range were
    /// moved to where it is now; otherwise they are those of the old text.
    Changed {
        /// True when the passage was found in the new text and the hit points at it.
        relocated: bool,
    },
}

impl Stale {
    /// The word used in JSON: `deleted` or `changed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Stale::Deleted => "deleted",
            Stale::Changed { .. } => "changed",
        }
    }
}

/// The answer to a query.
#[derive(Debug, Clone)]
pub struct SearchResults {
    /// The query as given.
    pub query: String,
    /// Number of passages matching the query (`None` unless `count_total` was asked).
    pub total_hits: Option<usize>,
    /// Number of documents those passages come from (`None` unless `count_total` was asked).
    pub total_documents: Option<usize>,
    /// Time taken, in milliseconds.
    pub took_ms: f64,
    /// The returned passages, best first.
    pub hits: Vec<Hit>,
    /// Things the user should know about these results (stale index, filters that cannot
    /// work), one sentence each.
    pub warnings: Vec<String>,
}

/// An opened index, ready to answer queries.
pub struct PassageSearcher {
    store: Store,
    reader: IndexReader,
}

impl PassageSearcher {
    /// Opens the index in `dir` for searching.
    pub fn open(dir: &Path) -> Result<PassageSearcher> {
        let store = Store::open(dir)?;
        let reader = store
            .index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e: tantivy::TantivyError| Error::IndexDamaged {
                path: dir.to_path_buf(),
                detail: e.to_string(),
            })?;
        Ok(PassageSearcher { store, reader })
    }

    /// Answers `query_text`.
    pub fn search(&self, query_text: &str, options: &SearchOptions) -> Result<SearchResults> {
        let started = Instant::now();
        let node = if options.plain {
            query_syntax::parse_plain(query_text)
        } else {
            query_syntax::parse(query_text)
                .map_err(|e| Error::Query(format!("query error: {e}")))?
        };
        let fields = &self.store.fields;
        let mut warnings = Vec::new();
        let filters_by_date =
            options.since.is_some() || options.until.is_some() || has_date_range(&node);
        if (filters_by_date || options.sort == SortOrder::Date) && !self.has_dates() {
            if filters_by_date {
                warnings.push("no indexed document has a date (a `date YYYY-MM-DD` header line), so the date filter matches nothing".to_string());
            }
            if options.sort == SortOrder::Date {
                warnings.push("--sort date: no indexed document has a date, so results are in relevance order".to_string());
            }
        }
        let mut filters = Vec::new();
        if options.since.is_some() || options.until.is_some() {
            filters.push(query::date_filter(fields, options.since, options.until));
        }
        let compiled = query::compile(&node, fields, &filters, &options.ranking)?;
        let searcher = self.reader.searcher();
        let Some(query) = compiled.query else {
            return Ok(SearchResults {
                query: query_text.to_string(),
                total_hits: options.count_total.then_some(0),
                total_documents: options.count_total.then_some(0),
                took_ms: started.elapsed().as_secs_f64() * 1e3,
                hits: Vec::new(),
                warnings,
            });
        };
        let query = self.expanded(
            &searcher,
            query,
            compiled.natural.as_deref(),
            &filters,
            &options.ranking,
        )?;
        let (candidates, total_hits) = self.top_passages(
            &searcher,
            query.as_ref(),
            compiled.strict.as_deref(),
            options,
        )?;
        let mut hits = Vec::with_capacity(candidates.len());
        for (rank, (score, doc)) in candidates.into_iter().enumerate() {
            hits.push(self.hit(
                rank + 1,
                score,
                &doc,
                &compiled.matcher,
                options.snippet_bytes,
            ));
        }
        Ok(SearchResults {
            query: query_text.to_string(),
            total_hits: total_hits.map(|t| t.0),
            total_documents: total_hits.map(|t| t.1),
            took_ms: started.elapsed().as_secs_f64() * 1e3,
            hits,
            warnings,
        })
    }

    /// True when at least one indexed passage has a date.
    pub fn has_dates(&self) -> bool {
        use tantivy::columnar::ColumnValues;
        self.reader
            .searcher()
            .segment_readers()
            .iter()
            .any(|segment| {
                segment
                    .fast_fields()
                    .date("date")
                    .is_ok_and(|column| column.values.num_vals() > 0)
            })
    }

    /// Compares the index with the corpus under `corpus` (cheaply: folder times, and the
    /// files of the hits), marks hits whose file was deleted or edited, moves an edited hit to
    /// where its passage is now, and adds a warning saying what changed and how to update.
    pub fn check_freshness(&self, results: &mut SearchResults, corpus: &Path) -> Result<()> {
        let searcher = self.reader.searcher();
        let fields = &self.store.fields;
        let generation = self.store.commit_info()?.map(|i| (i.generation, i.partial));
        let mut drift = match (Snapshot::read(&self.store.dir), generation) {
            (Some(snapshot), Some((generation, false))) if snapshot.generation == generation => {
                let indexed = |path: &str| {
                    manifest::record_of(&searcher, fields, path).is_ok_and(|r| r.is_some())
                };
                freshness::drift(corpus, &snapshot, &indexed)
            }
            _ => Drift {
                unknown: true,
                corpus_missing: !corpus.is_dir(),
                ..Drift::default()
            },
        };
        if !drift.corpus_missing {
            for hit in &mut results.hits {
                hit.stale = stale_state(hit, corpus, &searcher, fields)?;
                if matches!(hit.stale, Some(Stale::Changed { .. })) {
                    drift.changed += 1;
                }
            }
        }
        if let Some(message) = drift.message(corpus) {
            results.warnings.push(message);
        }
        Ok(())
    }

    /// Documents ranked by their best passage for `query_text` read as plain words: at most
    /// `depth` pairs of document id (the path without its extension) and score. This is what
    /// relevance evaluation compares with judgments.
    pub fn rank_documents(
        &self,
        query_text: &str,
        depth: usize,
        ranking: &Ranking,
    ) -> Result<Vec<(String, f32)>> {
        let node = query_syntax::parse_plain(query_text);
        let compiled = query::compile(&node, &self.store.fields, &[], ranking)?;
        let Some(query) = compiled.query else {
            return Ok(Vec::new());
        };
        let searcher = self.reader.searcher();
        let query = self.expanded(&searcher, query, compiled.natural.as_deref(), &[], ranking)?;
        // A document scores as its best passage, plus a share of its other passages' scores.
        let options = SearchOptions {
            limit: depth * 4,
            count_total: false,
            ..SearchOptions::default()
        };
        let (top, _) = self.top_passages(&searcher, query.as_ref(), None, &options)?;
        let path_of = |doc: &TantivyDocument| {
            let path = doc
                .get_first(self.store.fields.path)
                .and_then(|v| v.as_str())
                .unwrap_or("");
            let without_ext = path.rsplit_once('.').filter(|(_, ext)| !ext.contains('/'));
            without_ext.map_or(path, |(stem, _)| stem).to_string()
        };
        let mut documents: Vec<(String, f32, f32)> = Vec::new();
        let mut position: HashMap<String, usize> = HashMap::new();
        for (score, doc) in &top {
            let path = path_of(doc);
            match position.get(&path) {
                Some(&i) => documents[i].2 += score,
                None => {
                    position.insert(path.clone(), documents.len());
                    documents.push((path, *score, 0.0));
                }
            }
        }
        let mut ranked: Vec<(String, f32)> = documents
            .into_iter()
            .map(|(path, best, rest)| (path, best + ranking.other_passages * rest))
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        ranked.truncate(depth);
        Ok(ranked)
    }

    /// With feedback on and a natural-language query (its analyzed `natural` terms), the query
    /// expanded with terms from the best passages of a first search; otherwise `query` itself.
    fn expanded(
        &self,
        searcher: &tantivy::Searcher,
        query: Box<dyn Query>,
        natural: Option<&[String]>,
        filters: &[Box<dyn Query>],
        ranking: &Ranking,
    ) -> Result<Box<dyn Query>> {
        let Some(terms) = natural.filter(|_| ranking.feedback_terms > 0) else {
            return Ok(query);
        };
        let top = searcher
            .search(
                query.as_ref(),
                &TopDocs::with_limit(ranking.feedback_passages).order_by_score(),
            )
            .context("searching")?;
        let mut passages = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address).context("reading a stored passage")?;
            let text = doc
                .get_first(self.store.fields.text)
                .and_then(|v| v.as_str())
                .unwrap_or("");
            passages.push((score, analysis::terms(text)));
        }
        let exclude: HashSet<String> = terms.iter().cloned().collect();
        let expansion = feedback::expansion_terms(&passages, &exclude, ranking.feedback_terms);
        // The original terms weigh `original_weight / |Q|` each and the expansion the rest;
        // scaled so that an original term weighs 1.
        let lambda = ranking.original_weight.clamp(0.05, 1.0);
        let scale = (1.0 - lambda) / lambda * terms.len() as f32;
        let expansion: Vec<(String, f32)> =
            expansion.into_iter().map(|(t, w)| (t, w * scale)).collect();
        let expanded = query::natural_language(&self.store.fields, ranking, terms, &expansion);
        Ok(query::filtered(expanded, filters))
    }

    /// The best passages in order, at most `per_document` per document, with the total count.
    #[allow(clippy::type_complexity)]
    fn top_passages(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        strict: Option<&dyn Query>,
        options: &SearchOptions,
    ) -> Result<(Vec<(f32, TantivyDocument)>, Option<(usize, usize)>)> {
        let limit = options.limit.max(1);
        let mut want = if options.per_document == 0 {
            limit
        } else {
            limit * 3 + 10
        };
        loop {
            let (found, total) = ranked(
                searcher,
                query,
                strict,
                options.sort,
                want,
                options.count_total,
            )?;
            let exhausted = found.len() < want;
            let mut per_path: HashMap<String, usize> = HashMap::new();
            let mut chosen = Vec::new();
            for (score, address) in found {
                let doc: TantivyDocument =
                    searcher.doc(address).context("reading a stored passage")?;
                let path = doc
                    .get_first(self.store.fields.path)
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_string();
                let seen = per_path.entry(path).or_default();
                if options.per_document > 0 && *seen >= options.per_document {
                    continue;
                }
                *seen += 1;
                chosen.push((score, doc));
                if chosen.len() == limit {
                    break;
                }
            }
            if chosen.len() == limit || exhausted {
                return Ok((chosen, total));
            }
            want *= 4;
        }
    }

    fn hit(
        &self,
        rank: usize,
        score: f32,
        doc: &TantivyDocument,
        matcher: &highlight::Matcher,
        snippet_bytes: usize,
    ) -> Hit {
        let f = &self.store.fields;
        let text_of = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let u64_of = |field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0);
        let text = text_of(f.text).unwrap_or_default();
        let matches = highlight::find_matches(&text, matcher);
        let snippet = highlight::snippet(&text, &matches, snippet_bytes);
        let title = text_of(f.title);
        let title_highlights = title
            .as_deref()
            .map_or_else(Vec::new, |t| highlight::find_matches(t, matcher));
        Hit {
            rank,
            score,
            path: text_of(f.path).unwrap_or_default(),
            title,
            title_highlights,
            date: doc
                .get_first(f.date)
                .and_then(|v| v.as_datetime())
                .map(|d| Date::from_unix_seconds(d.into_timestamp_secs())),
            passage: u64_of(f.passage),
            line: u64_of(f.line),
            byte_start: u64_of(f.byte_start),
            byte_end: u64_of(f.byte_end),
            text,
            snippet,
            stale: None,
        }
    }
}

/// True when the query holds a `date:` filter.
fn has_date_range(node: &query_syntax::Node) -> bool {
    match node {
        query_syntax::Node::DateRange { .. } => true,
        query_syntax::Node::Bool(clauses) => clauses.iter().any(|c| has_date_range(&c.node)),
        _ => false,
    }
}

/// Whether `hit`'s file still holds what was indexed; an edited file's hit is moved to where
/// its passage is now, when it is still there.
fn stale_state(
    hit: &mut Hit,
    corpus: &Path,
    searcher: &tantivy::Searcher,
    fields: &crate::schema::Fields,
) -> Result<Option<Stale>> {
    let path = corpus.join(&hit.path);
    let Ok(metadata) = std::fs::metadata(&path) else {
        return Ok(Some(Stale::Deleted));
    };
    let Some(record) = manifest::record_of(searcher, fields, &hit.path)? else {
        return Ok(None);
    };
    if record.size == metadata.len() && record.mtime_ns == corpus::mtime_ns(&metadata) {
        return Ok(None);
    }
    let Ok(bytes) = std::fs::read(&path) else {
        return Ok(Some(Stale::Deleted));
    };
    if xxhash_rust::xxh3::xxh3_64(&bytes) == record.hash {
        return Ok(None);
    }
    let Ok(decoded) = decode::decode_owned(bytes) else {
        return Ok(Some(Stale::Changed { relocated: false }));
    };
    let Some(start) = decoded.text.find(hit.text.as_str()) else {
        return Ok(Some(Stale::Changed { relocated: false }));
    };
    let before = &decoded.text.as_bytes()[..start];
    hit.line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    hit.byte_start = (start + decoded.bom_len) as u64;
    hit.byte_end = hit.byte_start + hit.text.len() as u64;
    Ok(Some(Stale::Changed { relocated: true }))
}

/// Passages with their scores, best first.
type Ranked = Vec<(f32, DocAddress)>;

/// The first `want` passages in result order, with the number of all matching passages. With
/// a `strict` query (all words required), its matches come first, then the other matches.
fn ranked(
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    strict: Option<&dyn Query>,
    sort: SortOrder,
    want: usize,
    count: bool,
) -> Result<(Ranked, Option<(usize, usize)>)> {
    if sort == SortOrder::Date {
        // Newest first; among passages of one day, the best match first.
        let collector = TopDocs::with_limit(want).order_by((
            (
                SortByStaticFastValue::<tantivy::DateTime>::for_field("date"),
                Order::Desc,
            ),
            (SortBySimilarityScore, Order::Desc),
        ));
        let (top, total) = searcher
            .search(query, &(collector, PassagesAndDocuments))
            .context("searching")?;
        return Ok((
            top.into_iter().map(|((_, score), a)| (score, a)).collect(),
            Some(total),
        ));
    }
    let mut found: Vec<(f32, DocAddress)> = match strict {
        Some(strict) => searcher
            .search(strict, &TopDocs::with_limit(want).order_by_score())
            .context("searching")?
            .into_iter()
            .collect(),
        None => Vec::new(),
    };
    if !count && found.len() == want {
        return Ok((found, None));
    }
    let first: HashSet<DocAddress> = found.iter().map(|(_, a)| *a).collect();
    let collector = TopDocs::with_limit(want + first.len()).order_by_score();
    // Counting every match keeps tantivy from skipping blocks of weak matches: only when asked.
    let (top, total) = if count {
        let (top, total) = searcher
            .search(query, &(collector, PassagesAndDocuments))
            .context("searching")?;
        (top, Some(total))
    } else {
        (
            searcher.search(query, &collector).context("searching")?,
            None,
        )
    };
    let rest = top.into_iter().filter(|(_, a)| !first.contains(a));
    found.extend(rest.take(want - found.len()));
    Ok((found, total))
}
