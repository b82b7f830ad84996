//! Running relevance evaluations: a judged collection (queries and TREC judgments), a suite of
//! them (every folder with `queries.tsv` and `qrels.txt`), and known-item search on any corpus
//! (each document with a unique title is looked for by its title). The metrics themselves are
//! [`crate::eval`]'s; searching is [`crate::search`]'s.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, IoContext, Result};
use crate::eval::{self, Metrics, Qrels};
use crate::remote::RemoteSearcher;
use crate::search::ranking::Ranking;
use crate::search::PassageSearcher;

/// What ranks documents for a query: the local index, or a remote one.
pub trait DocumentRanker {
    /// At most `depth` document ids with their scores, best first, for `query_text` (plain
    /// words when `plain`, else query syntax).
    fn rank_documents(
        &self,
        query_text: &str,
        depth: usize,
        ranking: &Ranking,
        plain: bool,
    ) -> Result<Vec<(String, f32)>>;
}

impl DocumentRanker for PassageSearcher {
    fn rank_documents(
        &self,
        query_text: &str,
        depth: usize,
        ranking: &Ranking,
        plain: bool,
    ) -> Result<Vec<(String, f32)>> {
        PassageSearcher::rank_documents(self, query_text, depth, ranking, plain)
    }
}

impl DocumentRanker for RemoteSearcher {
    fn rank_documents(
        &self,
        query_text: &str,
        depth: usize,
        ranking: &Ranking,
        plain: bool,
    ) -> Result<Vec<(String, f32)>> {
        RemoteSearcher::rank_documents(self, query_text, depth, ranking, plain)
    }
}

/// A judged collection.
#[derive(Debug)]
pub struct Collection {
    /// Its name (the folder's).
    pub name: String,
    /// The documents: `docs/` inside the folder, or the folder itself.
    pub corpus: PathBuf,
    /// `qid<TAB>text`, in file order.
    pub queries: Vec<(String, String)>,
    /// The judgments.
    pub qrels: Qrels,
}

impl Collection {
    /// Reads the collection whose queries and judgments are in the two files, over `corpus`.
    pub fn read(name: &str, corpus: &Path, queries: &Path, qrels: &Path) -> Result<Collection> {
        let read = |path: &Path| std::fs::read_to_string(path).with_path(path);
        let bad =
            |path: &Path, e: String| Error::InvalidArgument(format!("{}: {e}", path.display()));
        Ok(Collection {
            name: name.to_string(),
            corpus: corpus.to_path_buf(),
            queries: eval::parse_queries(&read(queries)?).map_err(|e| bad(queries, e))?,
            qrels: eval::parse_qrels(&read(qrels)?).map_err(|e| bad(qrels, e))?,
        })
    }
}

/// The judged collections in `suite`: every sub-folder holding `queries.tsv` and `qrels.txt`,
/// in name order.
pub fn discover(suite: &Path) -> Result<Vec<Collection>> {
    let mut folders: Vec<PathBuf> = std::fs::read_dir(suite)
        .with_path(suite)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("queries.tsv").is_file() && p.join("qrels.txt").is_file())
        .collect();
    folders.sort();
    if folders.is_empty() {
        return Err(Error::InvalidArgument(format!(
            "no folder in {} holds queries.tsv and qrels.txt",
            suite.display()
        )));
    }
    folders
        .iter()
        .map(|folder| {
            let name = folder
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            let docs = folder.join("docs");
            let corpus = if docs.is_dir() { docs } else { folder.clone() };
            Collection::read(
                &name,
                &corpus,
                &folder.join("queries.tsv"),
                &folder.join("qrels.txt"),
            )
        })
        .collect()
}

/// One query's ranking and metrics.
pub struct QueryResult {
    /// The query id.
    pub qid: String,
    /// Document ids and scores, best first.
    pub ranking: Vec<(String, f32)>,
    /// Its metrics.
    pub metrics: Metrics,
}

/// Runs the judged queries of `collection` (those without judgments are skipped) against the
/// index behind `searcher`, `depth` documents each.
pub fn run(
    searcher: &dyn DocumentRanker,
    collection: &Collection,
    ranking: &Ranking,
    depth: usize,
) -> Result<Vec<QueryResult>> {
    let mut results = Vec::new();
    for (qid, text) in &collection.queries {
        let Some(judgments) = collection.qrels.get(qid) else {
            continue;
        };
        let ranked = searcher.rank_documents(text, depth, ranking, true)?;
        let docids: Vec<String> = ranked.iter().map(|(d, _)| d.clone()).collect();
        results.push(QueryResult {
            qid: qid.clone(),
            metrics: eval::evaluate(&docids, judgments),
            ranking: ranked,
        });
    }
    Ok(results)
}

/// How a known item is looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KnownItemForm {
    /// The title typed as words.
    Title,
    /// The title as a quoted phrase.
    QuotedTitle,
    /// Three words of the title, as someone who half remembers it would type them.
    ThreeWords,
}

impl KnownItemForm {
    /// All forms, in report order.
    pub const ALL: [KnownItemForm; 3] = [
        KnownItemForm::Title,
        KnownItemForm::QuotedTitle,
        KnownItemForm::ThreeWords,
    ];

    /// Its name in reports.
    pub fn name(self) -> &'static str {
        match self {
            KnownItemForm::Title => "title as words",
            KnownItemForm::QuotedTitle => "quoted title",
            KnownItemForm::ThreeWords => "3 title words",
        }
    }
}

/// One known-item query: the document looked for, how, and the query text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownItemQuery {
    /// The form of the query.
    pub form: KnownItemForm,
    /// The document id looked for.
    pub docid: String,
    /// The query text (query syntax for the quoted title, plain words otherwise).
    pub text: String,
}

/// Known-item figures for one form.
#[derive(Debug, Clone)]
pub struct KnownItemReport {
    /// The form.
    pub form: KnownItemForm,
    /// Documents looked for.
    pub queries: usize,
    /// Mean reciprocal rank of the document (0 when not in the top `depth`).
    pub mrr: f64,
    /// Share of queries that put the document first.
    pub top1: f64,
}

/// Known-item search: documents whose title is unique in the index (at most `sample` of them,
/// spread evenly over the paths) are each looked for by every [`KnownItemForm`], in `ranker`
/// (the same index, or a copy of it on a cluster).
pub fn known_item(
    searcher: &PassageSearcher,
    ranker: &dyn DocumentRanker,
    ranking: &Ranking,
    sample: usize,
    depth: usize,
) -> Result<Vec<KnownItemReport>> {
    let queries = known_item_queries(searcher, sample)?;
    let mut reports = Vec::new();
    for form in KnownItemForm::ALL {
        let (mut count, mut rr_sum, mut top1) = (0usize, 0.0, 0usize);
        for query in queries.iter().filter(|q| q.form == form) {
            let plain = form != KnownItemForm::QuotedTitle;
            let ranked = ranker.rank_documents(&query.text, depth, ranking, plain)?;
            count += 1;
            if let Some(rank) = ranked.iter().position(|(d, _)| *d == query.docid) {
                rr_sum += 1.0 / (rank + 1) as f64;
                top1 += usize::from(rank == 0);
            }
        }
        if count > 0 {
            reports.push(KnownItemReport {
                form,
                queries: count,
                mrr: rr_sum / count as f64,
                top1: top1 as f64 / count as f64,
            });
        }
    }
    Ok(reports)
}

/// The known-item queries for the index behind `searcher`: for documents whose title is
/// unique (at most `sample`, spread evenly over the ids), one query of each form.
pub fn known_item_queries(
    searcher: &PassageSearcher,
    sample: usize,
) -> Result<Vec<KnownItemQuery>> {
    let titles = searcher.document_titles()?;
    let mut count: HashMap<String, usize> = HashMap::new();
    for title in titles.values() {
        *count.entry(normalise(title)).or_default() += 1;
    }
    let mut unique: Vec<(&String, &String)> = titles
        .iter()
        .filter(|(_, t)| count[&normalise(t)] == 1 && !normalise(t).is_empty())
        .collect();
    unique.sort();
    let step = unique.len().div_ceil(sample.max(1)).max(1);
    let chosen: Vec<(&String, &String)> = unique.into_iter().step_by(step).collect();
    let mut queries = Vec::new();
    for form in KnownItemForm::ALL {
        for (docid, title) in &chosen {
            if let Some(text) = known_item_query(form, docid, title) {
                queries.push(KnownItemQuery {
                    form,
                    docid: docid.to_string(),
                    text,
                });
            }
        }
    }
    Ok(queries)
}

/// The query for `title` in `form`; `None` when the title has too few words for it.
fn known_item_query(form: KnownItemForm, docid: &str, title: &str) -> Option<String> {
    match form {
        KnownItemForm::Title => Some(title.to_string()),
        KnownItemForm::QuotedTitle => Some(format!("\"{}\"", title.replace('"', " "))),
        KnownItemForm::ThreeWords => {
            let mut words: Vec<&str> = title
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.chars().count() >= 3 && !crate::search::ranking::is_stop_word(w))
                .collect();
            words.dedup();
            if words.len() < 3 {
                return None;
            }
            // A fixed pseudo-random choice per document, so runs compare.
            let mut seed = xxhash_rust::xxh3::xxh3_64(docid.as_bytes());
            let mut chosen = Vec::new();
            while chosen.len() < 3 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let i = (seed >> 33) as usize % words.len();
                chosen.push(words.remove(i));
            }
            Some(chosen.join(" "))
        }
    }
}

fn normalise(title: &str) -> String {
    crate::analysis::terms(title).join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_words_are_content_words_of_the_title_and_fixed_per_document() {
        let q = known_item_query(
            KnownItemForm::ThreeWords,
            "a",
            "The rise of the cocoa price in Bahia",
        )
        .unwrap();
        let words: Vec<&str> = q.split(' ').collect();
        assert_eq!(words.len(), 3);
        assert!(
            words
                .iter()
                .all(|w| ["rise", "cocoa", "price", "Bahia"].contains(w)),
            "{q}"
        );
        assert_eq!(
            known_item_query(
                KnownItemForm::ThreeWords,
                "a",
                "The rise of the cocoa price in Bahia"
            )
            .unwrap(),
            q
        );
        assert_eq!(
            known_item_query(KnownItemForm::ThreeWords, "a", "Oil up"),
            None
        );
        assert_eq!(
            known_item_query(KnownItemForm::QuotedTitle, "a", "Say \"no\"").unwrap(),
            "\"Say  no \""
        );
    }
}
