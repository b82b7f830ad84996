//! Running a query against the index: parse, compile, collect the top passages (optionally
//! at most a few per document, or newest first), then load each hit's stored fields, read its
//! text from its file ([`passage_text`]) and highlight it. Knows nothing of output formats.

pub mod count;
pub mod document;
pub mod facts;
pub mod feedback;
pub mod highlight;
pub mod passage_text;
pub mod query;
pub mod query_syntax;
pub mod ranking;
pub mod scoring;
pub mod statistics;
pub mod suggest;
pub mod top;
pub mod view;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use tantivy::query::Query;
use tantivy::schema::Value;
use tantivy::{DocAddress, IndexReader, ReloadPolicy, TantivyDocument};

use crate::analysis::Analysis;
use crate::date::Date;
use crate::error::{Error, IndexContext, Result};
use crate::index::freshness::{self, Drift, Snapshot};
use crate::index::location;
use crate::index::manifest;
use crate::index::schema::{self, Fields};
use crate::index::store::Store;
use count::Totals;
use highlight::Snippet;
use passage_text::{PassageText, PassageTexts};
use ranking::Ranking;
use scoring::{first_passage, ranked, Columns, Evidence, Scored};
use suggest::Suggestion;

pub use scoring::{Counting, SortOrder};

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
    /// How to count the matching passages and documents.
    pub count: Counting,
    /// Keep each hit's score explanation.
    pub explain: bool,
    /// Look for "did you mean" suggestions for rare words.
    pub suggest: bool,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 10,
            per_document: 2,
            since: None,
            until: None,
            sort: SortOrder::Relevance,
            snippet_bytes: 320,
            plain: false,
            ranking: Ranking::default(),
            count: Counting::Exact,
            explain: false,
            suggest: true,
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
    /// 1-based column (in characters) of the passage start in that line.
    pub column: u64,
    /// Byte offset of the passage in the source text.
    pub byte_start: u64,
    /// Byte offset just past the passage.
    pub byte_end: u64,
    /// The passage's language: an ISO 639-1 code, or `und` when it is not known.
    pub lang: String,
    /// The whole passage.
    pub text: String,
    /// The excerpt shown, with highlights.
    pub snippet: Snippet,
    /// Byte ranges of the matches in the title.
    pub title_highlights: Vec<std::ops::Range<usize>>,
    /// Set when the hit's file changed or went away since it was indexed.
    pub stale: Option<Stale>,
    /// Paths of other documents with the same title and text, collapsed into this hit.
    pub identical: Vec<String>,
    /// The score's parts.
    pub parts: Scored,
    /// With `explain`: how the passage's own score came about (tantivy's explanation, JSON).
    pub explanation: Option<String>,
}

/// How a hit's file differs from what was indexed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stale {
    /// The file is gone.
    Deleted,
    /// The file is there but cannot be read (its permissions, or a read error): the hit has
    /// no text. Nothing says it changed, so `loupe index` keeps its record.
    Unreadable,
    /// The file was edited. When the passage is still in it, the hit's text, line and byte
    /// range are where it is now; otherwise the hit has no text, and its line and byte range
    /// are those of the old text.
    Changed {
        /// True when the passage was found in the new text and the hit points at it.
        relocated: bool,
        /// True when the file's size and time are still as indexed: `loupe index`, which
        /// reads only the files whose size or time changed, cannot see the edit.
        size_and_time_kept: bool,
    },
}

impl Stale {
    /// The word used in JSON: `deleted`, `unreadable` or `changed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Stale::Deleted => "deleted",
            Stale::Unreadable => "unreadable",
            Stale::Changed { .. } => "changed",
        }
    }
}

/// The answer to a query.
#[derive(Debug, Clone)]
pub struct SearchResults {
    /// The query as given.
    pub query: String,
    /// Number of passages matching the query (`None` when not counted).
    pub total_hits: Option<usize>,
    /// Number of documents those passages come from (`None` when not counted).
    pub total_documents: Option<usize>,
    /// True when the two numbers are estimates ([`Counting::Estimate`]).
    pub totals_estimated: bool,
    /// Time taken, in milliseconds.
    pub took_ms: f64,
    /// The returned passages, best first.
    pub hits: Vec<Hit>,
    /// Things the user should know about these results (stale index, filters that cannot
    /// work), one sentence each.
    pub warnings: Vec<String>,
    /// "Did you mean" suggestions for rare query words.
    pub suggestions: Vec<Suggestion>,
    /// The analyzed terms pseudo-relevance feedback added to the query, with their weights
    /// (empty when it did not apply: [`feedback`]).
    pub feedback: Vec<(String, f32)>,
}

/// An opened index, ready to answer queries.
pub struct PassageSearcher {
    store: Store,
    reader: IndexReader,
    facts: facts::FactsCache,
    /// The corpus folder the passages' text is read from: the one the index records, unless
    /// [`PassageSearcher::with_corpus`] named it.
    corpus: OnceLock<PathBuf>,
}

impl PassageSearcher {
    /// Opens the index in `dir` for searching.
    pub fn open(dir: &Path) -> Result<PassageSearcher> {
        PassageSearcher::open_with(dir, ReloadPolicy::Manual)
    }

    /// Opens the index in `dir` for a long-running process: the searcher follows new commits
    /// (of `loupe index` runs beside it) a moment after they are made.
    pub fn open_following_commits(dir: &Path) -> Result<PassageSearcher> {
        PassageSearcher::open_with(dir, ReloadPolicy::OnCommitWithDelay)
    }

    fn open_with(dir: &Path, reload: ReloadPolicy) -> Result<PassageSearcher> {
        let mut store = Store::open(dir)?;
        // A large index's segments are searched on several threads (set before the reader,
        // whose searchers keep the executor they were made with).
        let docs = store.segment_sizes.iter().map(|&n| u64::from(n)).sum();
        let threads = top::threads_for(store.segment_sizes.len(), docs);
        if threads > 1 {
            // Without threads to be had, the search runs on this one.
            let _ = store.index.set_multithread_executor(threads);
        }
        let reader = store
            .index
            .reader_builder()
            .reload_policy(reload)
            .try_into()
            .map_err(|e: tantivy::TantivyError| Error::IndexDamaged {
                path: dir.to_path_buf(),
                detail: e.to_string(),
            })?;
        Ok(PassageSearcher {
            store,
            reader,
            facts: facts::FactsCache::default(),
            corpus: OnceLock::new(),
        })
    }

    /// Reads the passages' text from `corpus` instead of the folder the index records (the
    /// one a `--corpus` option names, already checked against the record).
    pub fn with_corpus(self, corpus: &Path) -> PassageSearcher {
        let _ = self.corpus.set(corpus.to_path_buf());
        self
    }

    /// The corpus folder the passages' text is read from.
    fn corpus(&self) -> &Path {
        self.corpus
            .get_or_init(|| location::recorded_corpus(&self.store.dir))
    }

    /// Answers `query_text`.
    pub fn search(&self, query_text: &str, options: &SearchOptions) -> Result<SearchResults> {
        let started = Instant::now();
        let node = if options.plain {
            if let Some((_, words)) = query_syntax::too_many_words(query_text) {
                return Err(Error::Query(format!(
                    "query error: the query has {words} different words; use at most {}",
                    query_syntax::MAX_WORDS
                )));
            }
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
        let searcher = self.reader.searcher();
        let facts = self.facts.of(&searcher, &self.store)?;
        let compiled = query::compile(
            &node,
            fields,
            &searcher,
            &facts.languages,
            &filters,
            &options.ranking,
        )?;
        let Some(query) = compiled.query else {
            return Ok(SearchResults {
                query: query_text.to_string(),
                total_hits: (options.count != Counting::None).then_some(0),
                total_documents: (options.count != Counting::None).then_some(0),
                totals_estimated: false,
                took_ms: started.elapsed().as_secs_f64() * 1e3,
                hits: Vec::new(),
                warnings,
                suggestions: Vec::new(),
                feedback: Vec::new(),
            });
        };
        let texts = PassageTexts::new(self.corpus());
        let evidence = Evidence {
            query: query.as_ref(),
            proximity: &compiled.proximity,
            document_terms: &compiled.document_terms,
            word_forms: &compiled.word_forms,
            any_word: compiled.any_word,
            ranking: &options.ranking,
            facts: &facts,
            document_length: facts.average_document_length(),
            feedback: compiled.any_word && feedback::applies(&options.ranking, compiled.words),
            texts: &texts,
        };
        let Page {
            candidates,
            totals: total_hits,
            feedback,
        } = self.top_passages(&searcher, &evidence, &compiled.matcher, options)?;
        let mut hits = Vec::with_capacity(candidates.len());
        for (rank, candidate) in candidates.into_iter().enumerate() {
            let mut hit = self.hit(
                rank + 1,
                &candidate,
                &compiled.matcher,
                options.snippet_bytes,
            );
            if options.explain {
                let explanation = query
                    .explain(&searcher, candidate.scored.address)
                    .context("explaining a score")?;
                hit.explanation = Some(explanation.to_pretty_json());
            }
            hits.push(hit);
        }
        let suggestions = if options.suggest {
            suggest::suggestions(&searcher, fields, &texts, &node, query_text)?
        } else {
            Vec::new()
        };
        Ok(SearchResults {
            query: query_text.to_string(),
            total_hits: total_hits.map(|t| t.passages),
            total_documents: total_hits.map(|t| t.documents),
            totals_estimated: total_hits.is_some_and(|t| t.estimated),
            took_ms: started.elapsed().as_secs_f64() * 1e3,
            hits,
            warnings,
            suggestions,
            feedback,
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

    /// Compares the index with the corpus under `corpus` (cheaply, by folder times; the hits'
    /// own files were compared when their text was read) and adds a warning saying what
    /// changed and how to update.
    pub fn check_freshness(&self, results: &mut SearchResults, corpus: &Path) -> Result<()> {
        let searcher = self.reader.searcher();
        let fields = &self.store.fields;
        // The commit the searcher reads: `meta.json` may already name a later one, whose
        // snapshot would not describe these results.
        let commit = self.store.commit_info_of(&searcher)?;
        let overtaken = commit.is_none() && self.store.commit_info()?.is_some();
        let generation = commit.as_ref().map(|i| (i.generation, i.partial));
        let mut drift = match (Snapshot::read(&self.store.dir), generation) {
            (Some(mut snapshot), Some((generation, false)))
                if snapshot.generation == generation =>
            {
                let records = manifest::FileRecords::default();
                let indexed = |path: &str| {
                    let record = records.near(&searcher, fields, path, 0).ok().flatten()?;
                    Some(freshness::FileStamp {
                        size: record.size,
                        mtime_ns: record.mtime_ns,
                    })
                };
                let drift = freshness::drift(corpus, &mut snapshot, &indexed);
                if snapshot.confirmed_unsaved {
                    // Only saves the next search a listing: a read-only index is no error.
                    let _ = snapshot.save_confirmed(&self.store.dir);
                }
                drift
            }
            _ => Drift {
                unknown: !overtaken,
                overtaken,
                corpus_missing: !corpus.is_dir(),
                ..Drift::default()
            },
        };
        // Files, not hits: one edited file may hold several of the passages shown.
        let files_of = |wanted: fn(Stale) -> bool| {
            let paths: HashSet<&str> = results
                .hits
                .iter()
                .filter(|hit| hit.stale.is_some_and(wanted))
                .map(|hit| hit.path.as_str())
                .collect();
            paths.len() as u64
        };
        let unreadable = files_of(|s| s == Stale::Unreadable);
        if !drift.corpus_missing {
            // Those the folders' listing counted already are not counted twice.
            let paths: HashSet<&str> = results
                .hits
                .iter()
                .filter(|hit| matches!(hit.stale, Some(Stale::Changed { .. })))
                .map(|hit| hit.path.as_str())
                .filter(|path| !drift.changed_paths.iter().any(|p| p == path))
                .collect();
            drift.changed += paths.len() as u64;
        }
        if let Some(message) = drift.message(corpus) {
            results.warnings.push(message);
        }
        let unseen = files_of(|s| {
            matches!(
                s,
                Stale::Changed {
                    size_and_time_kept: true,
                    ..
                }
            )
        });
        if unseen > 0 && !drift.corpus_missing {
            results.warnings.push(format!(
                "{} of the hits shown {} edited with {} size and time kept, which `loupe index` cannot see: touch {} or run `loupe index --rebuild`",
                crate::plural(unseen, "file"),
                if unseen == 1 { "was" } else { "were" },
                if unseen == 1 { "its" } else { "their" },
                if unseen == 1 { "it" } else { "them" },
            ));
        }
        if unreadable > 0 && !drift.corpus_missing {
            results.warnings.push(format!(
                "{} of the hits shown cannot be read (permissions?); they are shown without text",
                crate::plural(unreadable, "file")
            ));
        }
        Ok(())
    }

    /// Documents ranked for `query_text` (plain words, or query syntax unless `plain`): at
    /// most `depth` pairs of document id (the path without its extension) and score, a
    /// document scoring as its best passage. This is what relevance evaluation compares with
    /// judgments.
    pub fn rank_documents(
        &self,
        query_text: &str,
        depth: usize,
        ranking: &Ranking,
        plain: bool,
    ) -> Result<Vec<(String, f32)>> {
        let node = if plain {
            query_syntax::parse_plain(query_text)
        } else {
            query_syntax::parse(query_text).map_err(|e| Error::Query(e.to_string()))?
        };
        let searcher = self.reader.searcher();
        let facts = self.facts.of(&searcher, &self.store)?;
        let compiled = query::compile(
            &node,
            &self.store.fields,
            &searcher,
            &facts.languages,
            &[],
            ranking,
        )?;
        let Some(query) = compiled.query else {
            return Ok(Vec::new());
        };
        let texts = PassageTexts::new(self.corpus());
        let evidence = Evidence {
            query: query.as_ref(),
            proximity: &compiled.proximity,
            document_terms: &compiled.document_terms,
            word_forms: &compiled.word_forms,
            any_word: compiled.any_word,
            ranking,
            facts: &facts,
            document_length: facts.average_document_length(),
            feedback: compiled.any_word && feedback::applies(ranking, compiled.words),
            texts: &texts,
        };
        // Enough passages that `depth` documents are among them.
        let top = ranked(
            &searcher,
            &self.store.fields,
            &evidence,
            SortOrder::Relevance,
            depth * 4,
            Counting::None,
        )?;
        let mut documents: Vec<(String, f32)> = Vec::new();
        let mut position: HashMap<String, usize> = HashMap::new();
        for scored in top.passages {
            let doc: TantivyDocument = searcher
                .doc(scored.address)
                .context("reading a stored passage")?;
            let passage = texts.of(&searcher, &self.store.fields, scored.address, &doc)?;
            let text = passage.text.as_deref().unwrap_or_default();
            let analysis = analysis_of(&doc, &self.store.fields);
            let matches = highlight::find_keyed_matches(text, &compiled.matcher, analysis);
            let share = highlight::exact_share(text, &matches, &compiled.matcher);
            let scored = scored.with_exact_share(share, ranking);
            let path = doc
                .get_first(self.store.fields.path)
                .and_then(|v| v.as_str())
                .unwrap_or("");
            let id = document_id(path);
            match position.get(&id) {
                Some(&i) => documents[i].1 = documents[i].1.max(scored.score),
                None => {
                    position.insert(id.clone(), documents.len());
                    documents.push((id, scored.score));
                }
            }
        }
        documents.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        documents.truncate(depth);
        Ok(documents)
    }

    /// Every document's title, by document id (the path without its extension): what
    /// known-item evaluation looks documents up by.
    pub fn document_titles(&self) -> Result<HashMap<String, String>> {
        let searcher = self.reader.searcher();
        let fields = &self.store.fields;
        let mut titles = HashMap::new();
        for (ordinal, segment) in searcher.segment_readers().iter().enumerate() {
            for doc_id in segment.doc_ids_alive() {
                let address = DocAddress::new(ordinal as u32, doc_id);
                let doc: TantivyDocument =
                    searcher.doc(address).context("reading a stored passage")?;
                let Some(path) = doc.get_first(fields.path).and_then(|v| v.as_str()) else {
                    continue;
                };
                let Some(title) = schema::stored_text(&doc, fields.title) else {
                    continue;
                };
                let id = document_id(path);
                titles.entry(id).or_insert(title);
            }
        }
        Ok(titles)
    }

    /// The best passages in order, with the counts. At most `per_document` passages of a
    /// document; a document that matched by its title alone shows its first passage, once;
    /// documents with the same title and text are collapsed into the first; passages holding
    /// the words as typed are preferred (the exact-form factor).
    fn top_passages(
        &self,
        searcher: &tantivy::Searcher,
        evidence: &Evidence,
        matcher: &highlight::Matcher,
        options: &SearchOptions,
    ) -> Result<Page> {
        let fields = &self.store.fields;
        let limit = options.limit.max(1);
        let mut want = limit * 3 + 10;
        loop {
            let ranked = ranked(
                searcher,
                fields,
                evidence,
                options.sort,
                want,
                options.count,
            )?;
            let (found, total) = (ranked.passages, ranked.totals);
            let exhausted = found.len() < want;
            let columns = Columns::new(searcher);
            let mut chosen: Vec<Candidate> = Vec::new();
            let mut per_document: HashMap<u64, usize> = HashMap::new();
            let mut by_content: HashMap<u64, usize> = HashMap::new();
            let mut title_only: HashSet<u64> = HashSet::new();
            let mut shown: HashSet<tantivy::DocAddress> = HashSet::new();
            // The page's last hit so far, once the page is full.
            let mut last: Option<Scored> = None;
            let mut settled = false;
            // Fast fields decide first; a passage's stored text is read only when it may be shown.
            for mut scored in found {
                if chosen.len() >= limit {
                    // The exact-form factor can lift a passage over hits before it: read on
                    // while the next one could still make the page.
                    let outranks_last = last.is_some_and(|last| {
                        let best = scored.best_possible(&options.ranking);
                        best.result_order(&last) == std::cmp::Ordering::Less
                    });
                    if options.sort == SortOrder::Date || !outranks_last {
                        settled = true;
                        break;
                    }
                }
                let key = scored.key;
                let content = columns.content(scored.address);
                let same_story = by_content.get(&content).copied();
                if let Some(first) = same_story.filter(|&i| chosen[i].key != key) {
                    let doc: TantivyDocument = searcher
                        .doc(scored.address)
                        .context("reading a stored passage")?;
                    let path = stored_str(&doc, fields.path);
                    if !chosen[first].identical.contains(&path) {
                        chosen[first].identical.push(path);
                    }
                    continue;
                }
                let seen = per_document.get(&key).copied().unwrap_or(0);
                if options.per_document > 0 && seen >= options.per_document {
                    continue;
                }
                let mut doc: TantivyDocument = searcher
                    .doc(scored.address)
                    .context("reading a stored passage")?;
                let mut passage = evidence.texts.of(searcher, fields, scored.address, &doc)?;
                let mut matches = highlight::find_keyed_matches(
                    passage.text.as_deref().unwrap_or_default(),
                    matcher,
                    analysis_of(&doc, fields),
                );
                // (A passage whose text is gone cannot tell how it matched.)
                if !matcher.is_empty() && matches.is_empty() && passage.text.is_some() {
                    // Matched by the title alone: one hit for the document, its first passage.
                    if !title_only.insert(key) {
                        continue;
                    }
                    if u64_of(&doc, fields.passage) != 0 {
                        let path = stored_str(&doc, fields.path);
                        if let Some(first) =
                            first_passage(searcher, fields, evidence, &path, &scored)?
                        {
                            scored = first;
                            doc = searcher
                                .doc(scored.address)
                                .context("reading a stored passage")?;
                            passage = evidence.texts.of(searcher, fields, scored.address, &doc)?;
                            matches = highlight::find_keyed_matches(
                                passage.text.as_deref().unwrap_or_default(),
                                matcher,
                                analysis_of(&doc, fields),
                            );
                        }
                    }
                }
                // A title-only hit shown as the first passage may be a hit of its own too.
                if !shown.insert(scored.address) {
                    continue;
                }
                per_document.insert(key, seen + 1);
                if options.sort == SortOrder::Relevance {
                    let text = passage.text.as_deref().unwrap_or_default();
                    let share = highlight::exact_share(text, &matches, matcher);
                    scored = scored.with_exact_share(share, &options.ranking);
                }
                if content != 0 {
                    by_content.entry(content).or_insert(chosen.len());
                }
                chosen.push(Candidate {
                    path: stored_str(&doc, fields.path),
                    scored,
                    doc,
                    passage,
                    matches,
                    key,
                    identical: Vec::new(),
                });
                if chosen.len() >= limit {
                    last = Some(last_on_page(&chosen, limit));
                }
            }
            if settled || exhausted {
                if options.sort == SortOrder::Relevance {
                    chosen.sort_by(|a, b| a.scored.result_order(&b.scored));
                }
                chosen.truncate(limit);
                return Ok(Page {
                    candidates: chosen,
                    totals: total,
                    feedback: ranked.feedback,
                });
            }
            want *= 4;
        }
    }

    fn hit(
        &self,
        rank: usize,
        candidate: &Candidate,
        matcher: &highlight::Matcher,
        snippet_bytes: usize,
    ) -> Hit {
        let f = &self.store.fields;
        let doc = &candidate.doc;
        let passage = &candidate.passage;
        let text = passage.text.clone().unwrap_or_default();
        let snippet = highlight::snippet(&text, &candidate.matches, snippet_bytes);
        let place = passage.moved.clone().unwrap_or(passage_text::Place {
            line: u64_of(doc, f.line),
            column: u64_of(doc, f.column).max(1),
            bytes: u64_of(doc, f.byte_start)..u64_of(doc, f.byte_end),
        });
        let title = schema::stored_text(doc, f.title);
        let title_highlights = title.as_deref().map_or_else(Vec::new, |t| {
            highlight::find_matches(t, matcher, analysis_of(doc, f))
        });
        Hit {
            rank,
            score: candidate.scored.score,
            path: candidate.path.clone(),
            title,
            title_highlights,
            date: doc
                .get_first(f.date)
                .and_then(|v| v.as_datetime())
                .map(|d| Date::from_unix_seconds(d.into_timestamp_secs())),
            passage: u64_of(doc, f.passage),
            line: place.line,
            column: place.column,
            byte_start: place.bytes.start,
            byte_end: place.bytes.end,
            lang: doc
                .get_first(f.lang)
                .and_then(|v| v.as_str())
                .unwrap_or(crate::analysis::UNDETERMINED)
                .to_string(),
            text,
            snippet,
            stale: passage.stale,
            identical: candidate.identical.clone(),
            parts: candidate.scored,
            explanation: None,
        }
    }
}

/// The passages chosen for a page, with the counts and the terms feedback added.
struct Page {
    candidates: Vec<Candidate>,
    totals: Option<Totals>,
    feedback: Vec<(String, f32)>,
}

/// A passage chosen for the page, before it becomes a [`Hit`].
struct Candidate {
    scored: Scored,
    doc: TantivyDocument,
    /// The passage text, and the query's matches in it.
    passage: PassageText,
    matches: Vec<(std::ops::Range<usize>, String)>,
    path: String,
    /// The document's key ([`crate::search::count::doc_key`]).
    key: u64,
    identical: Vec<String>,
}

/// A document's id in evaluations: its path without the extension (`docs/0184.txt` is
/// `docs/0184`).
pub(crate) fn document_id(path: &str) -> String {
    let without_ext = path.rsplit_once('.').filter(|(_, ext)| !ext.contains('/'));
    without_ext.map_or(path, |(stem, _)| stem).to_string()
}

/// The `limit`-th best of `chosen` in result order (`chosen` holds at least `limit`).
fn last_on_page(chosen: &[Candidate], limit: usize) -> Scored {
    let mut scores: Vec<Scored> = chosen.iter().map(|c| c.scored).collect();
    *scores
        .select_nth_unstable_by(limit - 1, Scored::result_order)
        .1
}

fn stored_str(doc: &TantivyDocument, field: tantivy::schema::Field) -> String {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string()
}

/// How the passage `doc` was analyzed: by its language.
fn analysis_of(doc: &TantivyDocument, fields: &Fields) -> Analysis {
    let language = doc.get_first(fields.lang).and_then(|v| v.as_str());
    Analysis::of(language.unwrap_or("en"))
}

fn u64_of(doc: &TantivyDocument, field: tantivy::schema::Field) -> u64 {
    doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0)
}

/// True when the query holds a `date:` filter.
fn has_date_range(node: &query_syntax::Node) -> bool {
    match node {
        query_syntax::Node::DateRange { .. } => true,
        query_syntax::Node::Bool(clauses) => clauses.iter().any(|c| has_date_range(&c.node)),
        _ => false,
    }
}
