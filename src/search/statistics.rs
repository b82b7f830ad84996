//! BM25 statistics for each kind of document in the index. Passages and file records share
//! one tantivy index, so tantivy's own counts mix them: a passage field's average length would
//! be divided by passages and records together. This provider counts only the passages, as an
//! engine indexing them apart would.

use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::{Field, Term};
use tantivy::Searcher;

/// BM25 statistics over the passages (fields `body` and `title`).
pub struct PassageStatistics<'a> {
    searcher: &'a Searcher,
    documents: u64,
}

impl<'a> PassageStatistics<'a> {
    /// Statistics over the passages only.
    pub fn passages(searcher: &'a Searcher) -> PassageStatistics<'a> {
        let all: u64 = searcher
            .segment_readers()
            .iter()
            .map(|s| u64::from(s.max_doc()))
            .sum();
        PassageStatistics {
            searcher,
            documents: all
                .saturating_sub(PassageStatistics::documents(searcher))
                .max(1),
        }
    }

    /// File records (documents) in the index, deleted ones included (as tantivy counts
    /// documents), at least 1.
    pub fn documents(searcher: &Searcher) -> u64 {
        use tantivy::columnar::ColumnValues;
        searcher
            .segment_readers()
            .iter()
            .filter_map(|s| s.fast_fields().u64("size").ok())
            .map(|column| u64::from(column.values.num_vals()))
            .sum::<u64>()
            .max(1)
    }
}

impl Bm25StatisticsProvider for PassageStatistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        Bm25StatisticsProvider::total_num_tokens(self.searcher, field)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.documents)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        // Never above the document count (tantivy asserts it).
        Ok(self.searcher.doc_freq(term)?.min(self.documents))
    }
}
