//! Counting what a query matches: passages, and the documents they come from. A document's
//! passages are indexed in one batch, so they lie side by side in one segment, in passage
//! order (merges keep that order, and delete a document's passages together): its matching
//! passages come one after another, and the documents are counted by the changes of what
//! names a passage's document, with no set. That is a passage's doc id less its ordinal
//! ([`PASSAGE`], a column of a few bits), or in an index written before that column existed,
//! its `doc_key` (a 64-bit hash of the document path).

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// Name of the fast field that identifies a passage's document.
pub const DOC_KEY: &str = "doc_key";

/// Name of the fast field of a passage's ordinal in its document (a file record's: the number
/// of passages before it).
pub const PASSAGE: &str = "passage";

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
    /// The column that names each passage's document: [`PASSAGE`] or [`DOC_KEY`].
    keys: Option<Column<u64>>,
    /// Whether `keys` holds ordinals (the document is the doc id less the ordinal).
    ordinals: bool,
    passages: usize,
    documents: usize,
    /// What names the document of the last matching passage.
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
            for (&doc, &key) in self.pending.iter().zip(&self.keys_read) {
                let document = if self.ordinals {
                    key.map(|ordinal| u64::from(doc).wrapping_sub(ordinal))
                } else {
                    key
                };
                if document.is_some() && self.last != document {
                    self.documents += 1;
                    self.last = document;
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
        let ordinals = segment.fast_fields().u64(PASSAGE).ok();
        Ok(SegmentCounter {
            ordinals: ordinals.is_some(),
            keys: ordinals.or_else(|| segment.fast_fields().u64(DOC_KEY).ok()),
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
    /// blocks (nothing deleted) or one at a time (some deleted), across block boundaries, and
    /// after a merge: from passage ordinals, or from document keys in an index without them.
    #[test]
    fn counts_passages_and_their_documents_with_and_without_deletions() {
        for with_ordinals in [true, false] {
            let mut schema = Schema::builder();
            let word = schema.add_text_field("word", STRING);
            let key = schema.add_u64_field(DOC_KEY, FAST | INDEXED);
            let ordinal = schema.add_u64_field(if with_ordinals { PASSAGE } else { "other" }, FAST);
            let index = Index::create_in_ram(schema.build());
            let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
            let mut all = (0, std::collections::HashSet::new());
            let mut expected = (0, std::collections::HashSet::new());
            for document in 0..500u64 {
                let passages = 1 + document % 4;
                for passage in 0..passages {
                    let matching = (document + passage) % 3 != 0;
                    let text = if matching { "yes" } else { "no" };
                    writer
                        .add_document(doc!(word => text, key => document, ordinal => passage))
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
                // The file record, after its passages.
                writer
                    .add_document(doc!(key => document, ordinal => passages))
                    .unwrap();
                if document == 250 {
                    writer.commit().unwrap();
                }
            }
            writer.commit().unwrap();
            let query =
                TermQuery::new(Term::from_field_text(word, "yes"), IndexRecordOption::Basic);
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
            let expected = (expected.0, expected.1.len());
            assert_eq!((after.passages, after.documents), expected);
            let segments = index.searchable_segment_ids().unwrap();
            assert_eq!(segments.len(), 2);
            writer.merge(&segments).wait().unwrap();
            let merged = count();
            assert_eq!((merged.passages, merged.documents), expected, "merged");
        }
    }
}
