//! The JSON contract of `loupe search --format json|jsonl`. Field names are stable and
//! documented in the README; `highlights` are UTF-8 byte offsets into `snippet`.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use crate::search::{Hit, SearchResults};

/// One hit as written in JSON.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct JsonHit {
    /// 1-based rank.
    pub rank: usize,
    /// Relevance score.
    pub score: f32,
    /// Path relative to the corpus root.
    pub path: String,
    /// Title, or null.
    pub title: Option<String>,
    /// `YYYY-MM-DD`, or null.
    pub date: Option<String>,
    /// Passage ordinal in its document, from 0.
    pub passage: u64,
    /// 1-based line of the passage start.
    pub line: u64,
    /// 1-based column (in characters) of the passage start in that line.
    pub column: u64,
    /// Byte offset of the passage in the source text.
    pub byte_start: u64,
    /// Byte offset just past the passage.
    pub byte_end: u64,
    /// The passage's language: an ISO 639-1 code (`en`, `ru`, `tr`, `az`, `zh`, ...) or `und`.
    pub lang: String,
    /// The whole passage, read from its file; empty when the file no longer holds it.
    pub text: String,
    /// The excerpt shown.
    pub snippet: String,
    /// `[start, end]` byte ranges of matches in `snippet`.
    pub highlights: Vec<[usize; 2]>,
    /// `[start, end]` byte ranges of matches in `title`.
    pub title_highlights: Vec<[usize; 2]>,
    /// `"deleted"`, `"unreadable"` or `"changed"` when the file differs from what was indexed
    /// or cannot be read; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stale: Option<String>,
    /// Paths of other documents with the same title and text, collapsed into this hit.
    pub identical: Vec<String>,
    /// With `--explain`: the score's parts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explain: Option<serde_json::Value>,
}

/// The object written by `--format json`.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct JsonResults {
    /// The query as given.
    pub query: String,
    /// All matching passages.
    pub total_hits: usize,
    /// Documents those passages come from.
    pub total_documents: usize,
    /// Time taken in milliseconds.
    pub took_ms: f64,
    /// The hits, best first.
    pub hits: Vec<JsonHit>,
    /// What the user should know about these results (stale index, filters that cannot
    /// work); empty when all is well.
    pub warnings: Vec<String>,
    /// "Did you mean" suggestions: `{"word", "suggestion", "query"}`.
    pub suggestions: Vec<JsonSuggestion>,
    /// The analyzed terms pseudo-relevance feedback added to a description, best first:
    /// `{"term", "weight"}`; left out when it did not apply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub feedback_terms: Vec<JsonFeedbackTerm>,
}

/// A term added by pseudo-relevance feedback, as written in JSON.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct JsonFeedbackTerm {
    /// The analyzed (stemmed) term.
    pub term: String,
    /// Its weight in the expanded query, in query words.
    pub weight: f32,
}

/// A "did you mean" suggestion as written in JSON.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct JsonSuggestion {
    /// The word as typed.
    pub word: String,
    /// The suggested word.
    pub suggestion: String,
    /// The whole query with the word replaced.
    pub query: String,
}

impl From<&Hit> for JsonHit {
    fn from(hit: &Hit) -> JsonHit {
        JsonHit {
            rank: hit.rank,
            score: hit.score,
            path: hit.path.clone(),
            title: hit.title.clone(),
            date: hit.date.map(|d| d.to_string()),
            passage: hit.passage,
            line: hit.line,
            column: hit.column,
            byte_start: hit.byte_start,
            byte_end: hit.byte_end,
            lang: hit.lang.clone(),
            text: hit.text.clone(),
            snippet: hit.snippet.text.clone(),
            highlights: pairs(&hit.snippet.highlights),
            title_highlights: pairs(&hit.title_highlights),
            stale: hit.stale.map(|s| s.as_str().to_string()),
            identical: hit.identical.clone(),
            explain: hit.explanation.as_ref().map(|detail| {
                serde_json::json!({
                    "passage": hit.parts.passage,
                    "document": hit.parts.document,
                    "feedback": hit.parts.feedback,
                    "exact_form_factor": hit.parts.exact,
                    "rescored": hit.parts.rescored,
                    "passage_detail": serde_json::from_str::<serde_json::Value>(detail).unwrap_or_default(),
                })
            }),
        }
    }
}

fn pairs(ranges: &[std::ops::Range<usize>]) -> Vec<[usize; 2]> {
    ranges.iter().map(|r| [r.start, r.end]).collect()
}

/// The JSON object of `--format json` for `results`.
pub fn results(results: &SearchResults) -> JsonResults {
    JsonResults {
        query: results.query.clone(),
        total_hits: results.total_hits.unwrap_or(0),
        total_documents: results.total_documents.unwrap_or(0),
        // Rounded to 0.01 ms: more digits would be noise.
        took_ms: (results.took_ms * 100.0).round() / 100.0,
        hits: results.hits.iter().map(JsonHit::from).collect(),
        warnings: results.warnings.clone(),
        suggestions: results
            .suggestions
            .iter()
            .map(|s| JsonSuggestion {
                word: s.word.clone(),
                suggestion: s.suggestion.clone(),
                query: s.query.clone(),
            })
            .collect(),
        feedback_terms: results
            .feedback
            .iter()
            .map(|(term, weight)| JsonFeedbackTerm {
                term: term.clone(),
                weight: (weight * 1e4).round() / 1e4,
            })
            .collect(),
    }
}

/// Writes all results as one JSON object and a newline.
pub fn write_json(out: &mut dyn Write, results: &SearchResults) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &self::results(results))?;
    writeln!(out)
}

/// Writes one JSON object per hit, one per line.
pub fn write_jsonl(out: &mut dyn Write, results: &SearchResults) -> io::Result<()> {
    for hit in &results.hits {
        serde_json::to_writer(&mut *out, &JsonHit::from(hit))?;
        writeln!(out)?;
    }
    Ok(())
}
