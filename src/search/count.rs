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
        if let Some(key) = self.keys.as_ref().and_then(|k| k.first(doc)) {
            if self.last != Some(key) {
                self.documents += 1;
                self.last = Some(key);
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        (self.passages, self.documents)
    }
}
