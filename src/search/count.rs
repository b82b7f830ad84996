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
    /// The keys of a block of matching passages, read together.
    block: Vec<Option<u64>>,
}

impl SegmentCounter {
    fn count_document(&mut self, key: Option<u64>) {
        if key.is_some() && self.last != key {
            self.documents += 1;
            self.last = key;
        }
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
            block: Vec::new(),
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
        self.passages += 1;
        let key = self.keys.as_ref().and_then(|k| k.first(doc));
        self.count_document(key);
    }

    /// A block of matches (what tantivy hands over when nothing is deleted or scored): their
    /// keys are read in one call, not one look-up each.
    fn collect_block(&mut self, docs: &[DocId]) {
        self.passages += docs.len();
        let Some(keys) = &self.keys else {
            return;
        };
        let mut block = std::mem::take(&mut self.block);
        block.clear();
        block.resize(docs.len(), None);
        keys.first_vals(docs, &mut block);
        for &key in &block {
            self.count_document(key);
        }
        self.block = block;
    }

    fn harvest(self) -> Self::Fruit {
        (self.passages, self.documents)
    }
}
