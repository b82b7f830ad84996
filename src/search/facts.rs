//! Figures about the whole index that every search needs and that change only with the
//! index: how many articles it holds, in which languages, how many terms its passages'
//! searched fields hold, and what was committed with it. Each took a pass over every segment (opening a fast column, a term
//! dictionary), for every search; now once per searcher generation.

use std::sync::{Arc, Mutex};

use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::Field;
use tantivy::Searcher;

use crate::error::{IndexContext, Result};
use crate::index::manifest;
use crate::index::store::{CommitInfo, Store};

/// The figures of one searcher's view of the index.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexFacts {
    /// File records (documents), deleted ones included (as tantivy counts documents), at least 1.
    pub documents: u64,
    /// The languages of the indexed passages, as ISO 639-1 codes (or `und`), sorted.
    pub languages: Vec<String>,
    /// Terms in the `body` and `title` fields over all passages (BM25's total field length).
    pub tokens: [(Field, u64); 2],
    /// What loupe committed with the index, read when the figures were.
    pub commit: Option<CommitInfo>,
}

impl IndexFacts {
    /// Computes the figures of `searcher`.
    pub fn of(searcher: &Searcher, store: &Store) -> Result<IndexFacts> {
        use tantivy::columnar::ColumnValues;
        let fields = &store.fields;
        let documents = searcher
            .segment_readers()
            .iter()
            .filter_map(|s| s.fast_fields().u64("size").ok())
            .map(|column| u64::from(column.values.num_vals()))
            .sum::<u64>()
            .max(1);
        let tokens = |field| {
            searcher
                .total_num_tokens(field)
                .context("reading index figures")
        };
        Ok(IndexFacts {
            documents,
            languages: manifest::languages(searcher, fields)?,
            tokens: [
                (fields.body, tokens(fields.body)?),
                (fields.title, tokens(fields.title)?),
            ],
            commit: store.commit_info()?,
        })
    }

    /// The indexed documents' average length in terms, as recorded with the commit.
    pub fn average_document_length(&self) -> f32 {
        self.commit.as_ref().map_or(1.0, |i| {
            (i.document_terms as f64 / i.documents.max(1) as f64) as f32
        })
    }

    /// The total number of terms in `field`, when it is one of the passages' searched fields.
    pub fn tokens_of(&self, field: Field) -> Option<u64> {
        self.tokens
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, n)| *n)
    }
}

/// The facts of the latest searcher asked about, computed again when the searcher is another
/// generation (after a commit, for a searcher that follows them).
#[derive(Default)]
pub struct FactsCache {
    latest: Mutex<Option<(u64, Arc<IndexFacts>)>>,
}

impl FactsCache {
    /// The facts of `searcher`.
    pub fn of(&self, searcher: &Searcher, store: &Store) -> Result<Arc<IndexFacts>> {
        let generation = searcher.generation().generation_id();
        let mut latest = self.latest.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((known, facts)) = latest.as_ref() {
            if *known == generation {
                return Ok(Arc::clone(facts));
            }
        }
        let facts = Arc::new(IndexFacts::of(searcher, store)?);
        *latest = Some((generation, Arc::clone(&facts)));
        Ok(facts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::indexer::{self, IndexOptions, Quiet};

    /// The figures are kept for one searcher and computed again for the next generation.
    #[test]
    fn facts_follow_the_searcher_generation() {
        let dir = tempfile::tempdir().unwrap();
        let (corpus, index) = (dir.path().join("corpus"), dir.path().join("index"));
        std::fs::create_dir_all(&corpus).unwrap();
        std::fs::write(
            corpus.join("en.txt"),
            "Oil\n\nThe oil prices rose again today.\n",
        )
        .unwrap();
        indexer::run(&IndexOptions::new(&corpus, &index), &mut Quiet).unwrap();
        let store = Store::open(&index).unwrap();
        let reader = store.index.reader().unwrap();
        let cache = FactsCache::default();
        let first = cache.of(&reader.searcher(), &store).unwrap();
        assert_eq!(
            (first.documents, first.languages.clone()),
            (1, vec!["en".to_string()])
        );
        assert!(first.tokens_of(store.fields.body).unwrap() >= 5);
        let again = cache.of(&reader.searcher(), &store).unwrap();
        assert!(
            Arc::ptr_eq(&first, &again),
            "the same searcher's figures are kept"
        );

        std::fs::write(
            corpus.join("ru.txt"),
            "Новости Москвы\n\nВчера в Москве прошла встреча министров, и они заявили, что \
             переговоры будут продолжены. Это было важно для всех, кто живёт в столице.\n",
        )
        .unwrap();
        indexer::run(&IndexOptions::new(&corpus, &index), &mut Quiet).unwrap();
        reader.reload().unwrap();
        let next = cache.of(&reader.searcher(), &store).unwrap();
        assert_eq!(next.documents, 2);
        assert_eq!(next.languages, ["en", "ru"]);
        assert!(next.tokens_of(store.fields.body) > first.tokens_of(store.fields.body));
    }
}
