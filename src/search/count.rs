//! Counting what a query matches: passages, and the documents they come from. A document's
//! passages are indexed in one batch, so they lie side by side in one segment (merges keep
//! that order): its matching passages come one after another, and the documents are counted
//! by the changes of the passages' `doc_key` (a hash of the document path), with no set.

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// Name of the fast field that identifies a passage's document.
pub const DOC_KEY: &str = "doc_key";

/// The document key of a path: equal paths, equal keys.
pub fn doc_key(rel_path: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(rel_path.as_bytes())
}

/// Collects the numbers of matching passages and of the documents they come from.
pub struct PassagesAndDocuments;

/// What [`PassagesAndDocuments`] counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    /// Matching passages.
    pub passages: usize,
    /// Distinct documents among them.
    pub documents: usize,
    /// True when both are estimates.
    pub estimated: bool,
}

/// One segment's part of [`PassagesAndDocuments`].
pub struct SegmentCounter {
    keys: Option<Column<u64>>,
    passages: usize,
    documents: usize,
    /// The document of the last matching passage.
    last: Option<u64>,
    /// Matching passages whose keys are not read yet: keys are read a block at a time, which
    /// costs a fraction of one look-up each.
    pending: Vec<DocId>,
    /// The keys of the pending passages, once read.
    keys_read: Vec<Option<u64>>,
}

/// How many matching passages are counted together.
const BLOCK: usize = 64;

impl SegmentCounter {
    /// Counts the pending passages and their documents.
    fn flush(&mut self) {
        self.passages += self.pending.len();
        if let Some(keys) = &self.keys {
            self.keys_read.clear();
            self.keys_read.resize(self.pending.len(), None);
            keys.first_vals(&self.pending, &mut self.keys_read);
            for &key in &self.keys_read {
                if key.is_some() && self.last != key {
                    self.documents += 1;
                    self.last = key;
                }
            }
        }
        self.pending.clear();
    }
}

impl Collector for PassagesAndDocuments {
    type Fruit = Totals;
    type Child = SegmentCounter;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentCounter> {
        Ok(SegmentCounter {
            keys: segment.fast_fields().u64(DOC_KEY).ok(),
            passages: 0,
            documents: 0,
            last: None,
            pending: Vec::with_capacity(2 * BLOCK),
            keys_read: Vec::with_capacity(2 * BLOCK),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, parts: Vec<(usize, usize)>) -> tantivy::Result<Totals> {
        Ok(Totals {
            passages: parts.iter().map(|(p, _)| p).sum(),
            documents: parts.iter().map(|(_, d)| d).sum(),
            estimated: false,
        })
    }
}

impl SegmentCollector for SegmentCounter {
    type Fruit = (usize, usize);

    fn collect(&mut self, doc: DocId, _: Score) {
        self.pending.push(doc);
        if self.pending.len() >= BLOCK {
            self.flush();
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        self.pending.extend_from_slice(docs);
        if self.pending.len() >= BLOCK {
            self.flush();
        }
    }

    fn harvest(mut self) -> Self::Fruit {
        self.flush();
        (self.passages, self.documents)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::query::TermQuery;
    use tantivy::schema::{IndexRecordOption, Schema, FAST, INDEXED, STRING};
    use tantivy::{doc, Index, Term};

    /// Passages and documents are counted exactly whether tantivy hands the matches over in
    /// blocks (nothing deleted) or one at a time (some deleted), across block boundaries.
    #[test]
    fn counts_passages_and_their_documents_with_and_without_deletions() {
        let mut schema = Schema::builder();
        let word = schema.add_text_field("word", STRING);
        let key = schema.add_u64_field(DOC_KEY, FAST | INDEXED);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let mut all = (0, std::collections::HashSet::new());
        let mut expected = (0, std::collections::HashSet::new());
        for document in 0..500u64 {
            for passage in 0..(1 + document % 4) {
                let matching = (document + passage) % 3 != 0;
                let text = if matching { "yes" } else { "no" };
                writer
                    .add_document(doc!(word => text, key => document))
                    .unwrap();
                if matching {
                    all.0 += 1;
                    all.1.insert(document);
                }
                if matching && document % 7 != 0 {
                    expected.0 += 1;
                    expected.1.insert(document);
                }
            }
        }
        writer.commit().unwrap();
        let query = TermQuery::new(Term::from_field_text(word, "yes"), IndexRecordOption::Basic);
        let count = || {
            let searcher = index.reader().unwrap().searcher();
            searcher.search(&query, &PassagesAndDocuments).unwrap()
        };
        let before = count();
        assert_eq!((before.passages, before.documents), (all.0, all.1.len()));
        for document in (0..500u64).step_by(7) {
            writer.delete_term(Term::from_field_u64(key, document));
        }
        writer.commit().unwrap();
        let after = count();
        assert_eq!(
            (after.passages, after.documents),
            (expected.0, expected.1.len())
        );
    }
}
