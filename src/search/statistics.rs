//! BM25 statistics for each kind of document in the index. Passages and file records share
//! one tantivy index, so tantivy's own counts mix them: a passage field's average length would
//! be divided by passages and records together. These providers count only the documents that
//! can hold the field, as an engine indexing them apart would.

use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::{Field, Term};
use tantivy::Searcher;

/// BM25 statistics over one kind of document.
pub struct KindStatistics<'a> {
    searcher: &'a Searcher,
    documents: u64,
}

impl<'a> KindStatistics<'a> {
    /// Statistics over the passages (fields `body`, `title`) and over the file records (field
    /// `doc_body`), in that order.
    pub fn of(searcher: &'a Searcher) -> (KindStatistics<'a>, KindStatistics<'a>) {
        let all: u64 = searcher
            .segment_readers()
            .iter()
            .map(|s| u64::from(s.max_doc()))
            .sum();
        let records = records(searcher);
        (
            KindStatistics {
                searcher,
                documents: all.saturating_sub(records).max(1),
            },
            KindStatistics {
                searcher,
                documents: records.max(1),
            },
        )
    }
}

/// File records in the index, deleted ones included (as tantivy counts documents).
fn records(searcher: &Searcher) -> u64 {
    use tantivy::columnar::ColumnValues;
    searcher
        .segment_readers()
        .iter()
        .filter_map(|s| s.fast_fields().u64("size").ok())
        .map(|column| u64::from(column.values.num_vals()))
        .sum()
}

impl Bm25StatisticsProvider for KindStatistics<'_> {
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
