//! Searching a remote index: the query translated to the DSL and ranked by the cluster (with
//! global term statistics, `dfs_query_then_fetch`), then the page made as a local search makes
//! it: at most `per_document` passages of a document, identical documents collapsed, and the
//! matches found by loupe's own highlighter.
//!
//! The highlighter needs the query compiled against an index, for the terms a prefix or fuzzy
//! word stands for. The returned passages are indexed in memory and the query compiled
//! against them: what is marked is exactly what the local search would mark in them.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use serde_json::{json, Value};
use tantivy::{DateTime, Index, TantivyDocument};

use crate::analysis::{self, Analysis};
use crate::date::Date;
use crate::error::{Error, IndexContext, Result};
use crate::index::schema::{self, Fields, TITLE_WEIGHT};
use crate::remote::client::Client;
use crate::remote::push::refused;
use crate::remote::query;
use crate::search::count::Totals;
use crate::search::highlight::{self, Matcher};
use crate::search::query_syntax::{self, Node};
use crate::search::ranking::Ranking;
use crate::search::scoring::{Counting, Scored, SortOrder};
use crate::search::{document_id, Hit, SearchOptions, SearchResults};

/// The deepest a page of results may reach (OpenSearch's `index.max_result_window`).
const MAX_WINDOW: usize = 10_000;

/// A remote index, ready to answer queries.
pub struct RemoteSearcher {
    client: Client,
    index: String,
}

/// A passage as the cluster returned it.
struct RemotePassage {
    score: f32,
    path: String,
    title: Option<String>,
    date: Option<Date>,
    passage: u64,
    line: u64,
    column: u64,
    byte_start: u64,
    byte_end: u64,
    text: String,
    lang: String,
    content_hash: String,
    explanation: Option<String>,
}

impl RemoteSearcher {
    /// The remote index `index` behind `client`.
    pub fn new(client: Client, index: impl Into<String>) -> RemoteSearcher {
        RemoteSearcher {
            client,
            index: index.into(),
        }
    }

    /// Answers `query_text` as [`crate::search::PassageSearcher::search`] does.
    pub fn search(&self, query_text: &str, options: &SearchOptions) -> Result<SearchResults> {
        let started = Instant::now();
        let node = parse(query_text, options.plain)?;
        let mut results = SearchResults {
            query: query_text.to_string(),
            total_hits: None,
            total_documents: None,
            totals_estimated: false,
            took_ms: 0.0,
            hits: Vec::new(),
            warnings: Vec::new(),
            suggestions: Vec::new(),
            feedback: Vec::new(),
        };
        let Some(dsl) = query::translate(&node, &options.ranking, options.since, options.until)?
        else {
            if options.count != Counting::None {
                (results.total_hits, results.total_documents) = (Some(0), Some(0));
            }
            return Ok(results);
        };
        let limit = options.limit.max(1);
        let mut want = (limit * 3 + 10).min(MAX_WINDOW);
        let (chosen, totals) = loop {
            let (found, totals) = self.fetch(&dsl, want, options)?;
            let exhausted = found.len() < want || want == MAX_WINDOW;
            let chosen = page(found, limit, options.per_document);
            if chosen.len() >= limit || exhausted {
                break (chosen, totals);
            }
            want = (want * 4).min(MAX_WINDOW);
        };
        if let Some(totals) = totals {
            results.total_hits = Some(totals.passages);
            results.total_documents = Some(totals.documents);
            results.totals_estimated = totals.estimated;
        }
        let matchers = Matchers::new(&node, &chosen, &options.ranking)?;
        let mut title_only: HashSet<String> = HashSet::new();
        for (passage, identical) in chosen {
            let matcher = &matchers.matcher;
            let analysis = Analysis::of(&passage.lang);
            let matches = highlight::find_keyed_matches(&passage.text, matcher, analysis);
            // A document matched by its title alone is shown once.
            if !matcher.is_empty() && matches.is_empty() && !title_only.insert(passage.path.clone())
            {
                continue;
            }
            let title_highlights = passage
                .title
                .as_deref()
                .map_or_else(Vec::new, |t| highlight::find_matches(t, matcher, analysis));
            let snippet = highlight::snippet(&passage.text, &matches, options.snippet_bytes);
            let rank = results.hits.len() + 1;
            results.hits.push(Hit {
                rank,
                score: passage.score,
                path: passage.path,
                title: passage.title,
                date: passage.date,
                passage: passage.passage,
                line: passage.line,
                column: passage.column.max(1),
                byte_start: passage.byte_start,
                byte_end: passage.byte_end,
                lang: passage.lang,
                text: passage.text,
                snippet,
                title_highlights,
                stale: None,
                identical,
                parts: Scored {
                    score: passage.score,
                    passage: passage.score,
                    document: 0.0,
                    feedback: 0.0,
                    exact: 1.0,
                    rescored: false,
                    key: 0,
                    address: tantivy::DocAddress::new(0, rank as u32),
                },
                explanation: passage.explanation,
            });
        }
        results.took_ms = started.elapsed().as_secs_f64() * 1e3;
        Ok(results)
    }

    /// Documents ranked for `query_text`, a document scoring as its best passage: what
    /// relevance evaluation compares with judgments (as
    /// [`crate::search::PassageSearcher::rank_documents`]).
    pub fn rank_documents(
        &self,
        query_text: &str,
        depth: usize,
        ranking: &Ranking,
        plain: bool,
    ) -> Result<Vec<(String, f32)>> {
        let node = parse(query_text, plain)?;
        let Some(dsl) = query::translate(&node, ranking, None, None)? else {
            return Ok(Vec::new());
        };
        let options = SearchOptions {
            count: Counting::None,
            ranking: *ranking,
            ..SearchOptions::default()
        };
        let (found, _) = self.fetch(&dsl, (depth * 4).min(MAX_WINDOW), &options)?;
        let mut documents: Vec<(String, f32)> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        // Passages come best first: a document's first passage is its best.
        for passage in found {
            let id = document_id(&passage.path);
            if seen.insert(id.clone()) {
                documents.push((id, passage.score));
            }
        }
        documents.truncate(depth);
        Ok(documents)
    }

    /// The first `size` passages for `dsl`, with the numbers of matches when counting.
    fn fetch(
        &self,
        dsl: &Value,
        size: usize,
        options: &SearchOptions,
    ) -> Result<(Vec<RemotePassage>, Option<Totals>)> {
        let count = options.count != Counting::None;
        // Ties in a fixed order, as locally (there: by position in the index).
        let sort = match options.sort {
            SortOrder::Relevance => json!(["_score", {"path": "asc"}, {"passage": "asc"}]),
            SortOrder::Date => json!([
                {"date": {"order": "desc", "missing": "_last"}},
                "_score",
                {"path": "asc"},
                {"passage": "asc"},
            ]),
        };
        let mut body = json!({
            "query": dsl,
            "size": size,
            "sort": sort,
            "track_scores": true,
            // The numbers of matches are counted exactly (the cluster's estimates are only
            // lower bounds), or not at all.
            "track_total_hits": count,
            "_source": ["path", "title", "date", "passage", "line", "column", "byte_start",
                        "byte_end", "text", "lang", "content_hash"],
        });
        if count {
            body["aggs"] = json!({"documents": {"cardinality": {"field": "path", "precision_threshold": 40000}}});
        }
        if options.explain {
            body["explain"] = json!(true);
        }
        let answer = self.client.post_json(
            &format!("/{}/_search?search_type=dfs_query_then_fetch", self.index),
            &body,
        )?;
        if answer.status == 404 {
            return Err(Error::Remote(format!(
                "the cluster at {} has no index '{}' (push one with `loupe push --url {} --index-name {}`)",
                self.client.url(),
                self.index,
                self.client.url(),
                self.index
            )));
        }
        if !answer.ok() {
            return Err(refused(&self.client, "searching", &answer));
        }
        let json = answer.json();
        let passages = json["hits"]["hits"]
            .as_array()
            .map(|hits| hits.iter().map(remote_passage).collect())
            .unwrap_or_default();
        let totals = count.then(|| {
            let documents = json["aggregations"]["documents"]["value"]
                .as_u64()
                .unwrap_or(0);
            let total = &json["hits"]["total"];
            Totals {
                passages: total["value"].as_u64().unwrap_or(0) as usize,
                documents: documents as usize,
                estimated: total["relation"] == "gte" || documents > 40_000,
            }
        });
        Ok((passages, totals))
    }
}

fn parse(query_text: &str, plain: bool) -> Result<Node> {
    if plain {
        Ok(query_syntax::parse_plain(query_text))
    } else {
        query_syntax::parse(query_text).map_err(|e| Error::Query(format!("query error: {e}")))
    }
}

fn remote_passage(hit: &Value) -> RemotePassage {
    let source = &hit["_source"];
    let text_of = |name: &str| source[name].as_str().map(str::to_string);
    let number = |name: &str| source[name].as_u64().unwrap_or(0);
    RemotePassage {
        score: hit["_score"].as_f64().unwrap_or(0.0) as f32,
        path: text_of("path").unwrap_or_default(),
        title: text_of("title"),
        date: source["date"].as_str().and_then(Date::parse),
        passage: number("passage"),
        line: number("line"),
        column: number("column"),
        byte_start: number("byte_start"),
        byte_end: number("byte_end"),
        text: text_of("text").unwrap_or_default(),
        lang: text_of("lang").unwrap_or_else(|| analysis::UNDETERMINED.to_string()),
        content_hash: text_of("content_hash").unwrap_or_default(),
        explanation: hit
            .get("_explanation")
            .and_then(|e| serde_json::to_string_pretty(e).ok()),
    }
}

/// The page: passages in order, at most `per_document` of one document (0: no cap), a
/// document with the same title and text as one already shown collapsed into it.
fn page(
    found: Vec<RemotePassage>,
    limit: usize,
    per_document: usize,
) -> Vec<(RemotePassage, Vec<String>)> {
    let mut chosen: Vec<(RemotePassage, Vec<String>)> = Vec::new();
    let mut per_path: HashMap<String, usize> = HashMap::new();
    let mut by_content: HashMap<String, usize> = HashMap::new();
    for passage in found {
        if chosen.len() == limit {
            break;
        }
        if let Some(&first) = by_content.get(&passage.content_hash) {
            if chosen[first].0.path != passage.path {
                if !chosen[first].1.contains(&passage.path) {
                    chosen[first].1.push(passage.path);
                }
                continue;
            }
        }
        let seen = per_path.entry(passage.path.clone()).or_insert(0);
        if per_document > 0 && *seen >= per_document {
            continue;
        }
        *seen += 1;
        if !passage.content_hash.is_empty() {
            by_content
                .entry(passage.content_hash.clone())
                .or_insert(chosen.len());
        }
        chosen.push((passage, Vec::new()));
    }
    chosen
}

/// What to mark in the passages of a page.
struct Matchers {
    matcher: Matcher,
}

impl Matchers {
    /// The query compiled against the page's passages, indexed in memory as `loupe index`
    /// indexes them.
    fn new(
        node: &Node,
        page: &[(RemotePassage, Vec<String>)],
        ranking: &Ranking,
    ) -> Result<Matchers> {
        let schema = schema::build();
        let fields = Fields::new(&schema)?;
        let index = Index::create_in_ram(schema);
        analysis::register(&index);
        let mut writer: tantivy::IndexWriter = index
            .writer_with_num_threads(1, 15_000_000)
            .context("highlighting remote hits")?;
        for (passage, _) in page {
            writer
                .add_document(memory_document(&fields, passage))
                .context("highlighting remote hits")?;
        }
        writer.commit().context("highlighting remote hits")?;
        let searcher = index
            .reader()
            .context("highlighting remote hits")?
            .searcher();
        let languages = crate::index::manifest::languages(&searcher, &fields)?;
        let compiled =
            crate::search::query::compile(node, &fields, &searcher, &languages, &[], ranking)?;
        Ok(Matchers {
            matcher: compiled.matcher,
        })
    }
}

/// A passage as `loupe index` would have indexed it (the fields the compiler reads).
fn memory_document(fields: &Fields, passage: &RemotePassage) -> TantivyDocument {
    let analysis = Analysis::of(&passage.lang);
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.path, &passage.path);
    if let Some(title) = &passage.title {
        let title = analysis::tagged(analysis, title);
        doc.add_text(fields.title, &title);
        for _ in 0..TITLE_WEIGHT {
            doc.add_text(fields.body, &title);
        }
    }
    if let Some(date) = passage.date {
        doc.add_date(
            fields.date,
            DateTime::from_timestamp_secs(date.unix_seconds()),
        );
    }
    doc.add_text(fields.lang, &passage.lang);
    doc.add_text(fields.body, analysis::tagged(analysis, &passage.text));
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passage(path: &str, n: u64, content: &str) -> RemotePassage {
        RemotePassage {
            score: 1.0,
            path: path.into(),
            title: None,
            date: None,
            passage: n,
            line: 1,
            column: 1,
            byte_start: 0,
            byte_end: 0,
            text: String::new(),
            lang: "en".into(),
            content_hash: content.into(),
            explanation: None,
        }
    }

    #[test]
    fn a_page_caps_passages_per_document_and_collapses_copies() {
        let found = vec![
            passage("a.txt", 0, "1"),
            passage("a.txt", 1, "1"),
            passage("a.txt", 2, "1"),
            passage("copy-of-a.txt", 0, "1"),
            passage("b.txt", 0, "2"),
        ];
        let chosen = page(found, 10, 2);
        let shown: Vec<(&str, u64)> = chosen
            .iter()
            .map(|(p, _)| (p.path.as_str(), p.passage))
            .collect();
        assert_eq!(shown, [("a.txt", 0), ("a.txt", 1), ("b.txt", 0)]);
        assert_eq!(chosen[0].1, ["copy-of-a.txt"]);
    }

    #[test]
    fn the_page_marks_what_a_local_search_marks() {
        let mut p = passage("a.txt", 0, "1");
        p.text = "Democracy and democratic reform; the democrat voted.".into();
        let node = query_syntax::parse("democra* -voted").unwrap();
        let page = vec![(p, Vec::new())];
        let matchers = Matchers::new(&node, &page, &Ranking::default()).unwrap();
        let text = &page[0].0.text;
        let marked: Vec<&str> = highlight::find_matches(text, &matchers.matcher, Analysis::English)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(marked, ["Democracy", "democratic", "democrat"]);
    }
}
