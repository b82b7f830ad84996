//! The `k` best passages of a query, with less work than tantivy's `TopDocs` on an index of
//! many segments, and in an order that does not depend on how the index is cut into segments.
//!
//! - `TopDocs` starts block-max WAND from a threshold of zero in every segment, so each segment
//!   first scores its own `k` best; here the k-th best score found so far is carried to the
//!   next segment, and shared between the threads that search a large index's segments side by
//!   side.
//! - `TopDocs` orders equal scores by their place in the index, which depends on which indexing
//!   thread took which file, and on merges: a rebuild of the same corpus could show other
//!   hits. Here equal scores are ordered by their document's key (a hash of its path), then by
//!   place, which within one document is passage order ([`result_order`]).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicU32, Ordering};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::{Bm25StatisticsProvider, EnableScoring, Query, Weight};
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

use crate::error::{IndexContext, Result};
use crate::search::count::DOC_KEY;

/// A passage found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Found {
    /// Its score.
    pub score: f32,
    /// Its document's key ([`crate::search::count::doc_key`]; 0 in an index without keys).
    pub key: u64,
    /// Its place in the index.
    pub address: DocAddress,
}

/// Result order: the best score first; equal scores by document key, then by place in the
/// index. A document's passages lie side by side in one segment, in passage order, so this
/// order is the same however the index is cut into segments.
pub fn result_order(a: &Found, b: &Found) -> std::cmp::Ordering {
    b.score
        .total_cmp(&a.score)
        .then_with(|| a.key.cmp(&b.key))
        .then_with(|| a.address.cmp(&b.address))
}

/// Indexes with fewer passages than this are searched on one thread: starting threads would
/// cost more than it saves.
const PARALLEL_MIN_DOCS: u64 = 200_000;

/// At most this many threads search one query.
const MAX_THREADS: usize = 4;

/// How many threads should search an index of `segments` segments holding `docs` documents.
pub fn threads_for(segments: usize, docs: u64) -> usize {
    if docs < PARALLEL_MIN_DOCS {
        return 1;
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores.min(segments).clamp(1, MAX_THREADS)
}

/// The `k` best passages for `query`, in [`result_order`].
pub fn best_passages(
    searcher: &Searcher,
    query: &dyn Query,
    statistics: &dyn Bm25StatisticsProvider,
    k: usize,
) -> Result<Vec<Found>> {
    if k == 0 {
        return Ok(Vec::new());
    }
    let weight = query
        .weight(EnableScoring::enabled_from_statistics_provider(
            statistics, searcher,
        ))
        .context("searching")?;
    let readers = searcher.segment_readers();
    let threads = threads_for(readers.len(), searcher.num_docs());
    best_on_threads(weight.as_ref(), readers, k, threads)
}

/// The `k` best passages of `readers`' segments, searched by `threads` threads.
fn best_on_threads(
    weight: &dyn Weight,
    readers: &[SegmentReader],
    k: usize,
    threads: usize,
) -> Result<Vec<Found>> {
    let shared = SharedThreshold::default();
    let parts: Vec<Result<Vec<Entry>>> = if threads == 1 {
        let all: Vec<usize> = (0..readers.len()).collect();
        vec![best_in_segments(weight, readers, &all, k, &shared)]
    } else {
        let shared = &shared;
        std::thread::scope(|scope| {
            let mut done = Vec::new();
            let mut workers = Vec::new();
            for t in 0..threads {
                // Every `threads`-th segment, so that each thread gets old and new ones.
                let ordinals: Vec<usize> = (t..readers.len()).step_by(threads).collect();
                let work = move || best_in_segments(weight, readers, &ordinals, k, shared);
                match std::thread::Builder::new().spawn_scoped(scope, work.clone()) {
                    Ok(worker) => workers.push(worker),
                    // No thread to be had: this one does the work.
                    Err(_) => done.push(work()),
                }
            }
            done.extend(
                workers
                    .into_iter()
                    .map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e))),
            );
            done
        })
    };
    let mut best: Vec<Found> = Vec::new();
    for part in parts {
        best.extend(part?.into_iter().map(Entry::found));
    }
    best.sort_by(result_order);
    best.truncate(k);
    Ok(best)
}

/// The `k` best passages of the segments `ordinals`.
fn best_in_segments(
    weight: &dyn Weight,
    readers: &[SegmentReader],
    ordinals: &[usize],
    k: usize,
    shared: &SharedThreshold,
) -> Result<Vec<Entry>> {
    let mut best = Best::new(k);
    for &ordinal in ordinals {
        let reader = &readers[ordinal];
        let alive = reader.alive_bitset();
        let keys = doc_keys(reader);
        weight
            .for_each_pruning(
                best.below().max(shared.below()),
                reader,
                &mut |doc, score| {
                    if !alive.is_some_and(|a| a.is_deleted(doc)) {
                        let address = DocAddress::new(ordinal as u32, doc);
                        if let Some(kth) = best.offer(score, key_of(&keys, doc), address) {
                            shared.raise(kth);
                        }
                    }
                    best.below().max(shared.below())
                },
            )
            .context("searching")?;
    }
    Ok(best.heap.into_vec())
}

/// The document keys of a segment's passages, when the index has them.
fn doc_keys(reader: &SegmentReader) -> Option<Column<u64>> {
    reader.fast_fields().u64(DOC_KEY).ok()
}

fn key_of(keys: &Option<Column<u64>>, doc: DocId) -> u64 {
    keys.as_ref().and_then(|c| c.first(doc)).unwrap_or(0)
}

/// The `k` best passages offered so far, in a heap whose top is the first to drop.
struct Best {
    heap: BinaryHeap<Entry>,
    k: usize,
}

impl Best {
    fn new(k: usize) -> Best {
        Best {
            heap: BinaryHeap::with_capacity(k + 1),
            k,
        }
    }

    /// Keeps the passage if it is among the `k` best; returns the k-th best score once `k`
    /// passages are kept.
    fn offer(&mut self, score: f32, key: u64, address: DocAddress) -> Option<f32> {
        let entry = Entry(score, Reverse((key, address)));
        if self.heap.len() == self.k && self.heap.peek().is_some_and(|worst| *worst <= entry) {
            return None;
        }
        self.heap.push(entry);
        if self.heap.len() > self.k {
            self.heap.pop();
        }
        (self.heap.len() == self.k).then(|| self.heap.peek().map_or(f32::MIN, |e| e.0))
    }

    /// The largest score a passage may have and still not be kept: just below the k-th best,
    /// since an equal score may come first by its key.
    fn below(&self) -> f32 {
        match self.heap.peek() {
            Some(worst) if self.heap.len() == self.k => worst.0.next_down(),
            _ => f32::MIN,
        }
    }
}

/// The `k` best passages in [`result_order`], as a collector: for the queries that are
/// counted in the ranking pass ([`crate::search::scoring`]), where block-max WAND cannot skip.
pub struct BestPassages(pub usize);

impl Collector for BestPassages {
    type Fruit = Vec<Found>;
    type Child = BestInSegment;

    fn for_segment(
        &self,
        ordinal: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<BestInSegment> {
        Ok(BestInSegment {
            best: Best::new(self.0),
            keys: doc_keys(reader),
            ordinal,
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, parts: Vec<Vec<Entry>>) -> tantivy::Result<Vec<Found>> {
        let mut best: Vec<Found> = parts.into_iter().flatten().map(Entry::found).collect();
        best.sort_by(result_order);
        best.truncate(self.0);
        Ok(best)
    }
}

/// [`BestPassages`] in one segment.
pub struct BestInSegment {
    best: Best,
    keys: Option<Column<u64>>,
    ordinal: SegmentOrdinal,
}

impl SegmentCollector for BestInSegment {
    type Fruit = Vec<Entry>;

    fn collect(&mut self, doc: DocId, score: Score) {
        // (tantivy leaves deleted passages out before they get here.)
        if score > self.best.below() {
            let address = DocAddress::new(self.ordinal, doc);
            self.best.offer(score, key_of(&self.keys, doc), address);
        }
    }

    fn harvest(self) -> Vec<Entry> {
        self.best.heap.into_vec()
    }
}

/// A passage's score, key and address, ordered so that a heap's top is the one to drop: the
/// lowest score, and of equal scores the last in [`result_order`].
#[derive(PartialEq)]
pub struct Entry(f32, Reverse<(u64, DocAddress)>);

impl Entry {
    fn found(self) -> Found {
        let Entry(score, Reverse((key, address))) = self;
        Found {
            score,
            key,
            address,
        }
    }
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other
            .0
            .total_cmp(&self.0)
            .then_with(|| other.1.cmp(&self.1))
    }
}

/// The highest k-th best score any thread has found: at least `k` passages score that much,
/// so no passage scoring less can be among the best.
#[derive(Default)]
struct SharedThreshold {
    /// The score's bits mapped so that unsigned order is the floats' order; 0 for none yet.
    bits: AtomicU32,
}

impl SharedThreshold {
    fn raise(&self, score: f32) {
        let bits = score.to_bits();
        let ordered = if bits >> 31 == 1 {
            !bits
        } else {
            bits | 1 << 31
        };
        self.bits.fetch_max(ordered, Ordering::Relaxed);
    }

    /// The largest score below the threshold: a passage must beat it to be passed on.
    fn below(&self) -> f32 {
        match self.bits.load(Ordering::Relaxed) {
            0 => f32::MIN,
            ordered => {
                let bits = if ordered >> 31 == 1 {
                    ordered & !(1 << 31)
                } else {
                    !ordered
                };
                f32::from_bits(bits).next_down()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::QueryParser;
    use tantivy::schema::{Schema, Term, TEXT};
    use tantivy::{doc, Index};

    /// An index of five segments, one passage in ten deleted, many equal scores.
    fn segmented_index() -> (Index, tantivy::schema::Field) {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let words = ["oil", "price", "market", "stock", "bank", "rate", "gold"];
        let mut seed = 7u64;
        for segment in 0..5 {
            for n in 0..200 {
                let mut body = Vec::new();
                for _ in 0..(3 + n % 11) {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    body.push(words[(seed >> 33) as usize % words.len()]);
                }
                body.push(if n % 10 == 0 { "marker" } else { "filler" });
                writer.add_document(doc!(text => body.join(" "))).unwrap();
            }
            if segment == 3 {
                writer.delete_term(Term::from_field_text(text, "marker"));
            }
            writer.commit().unwrap();
        }
        (index, text)
    }

    /// `TopDocs`' results as [`Found`] passages of an index without document keys.
    fn unkeyed(top: Vec<(f32, DocAddress)>) -> Vec<Found> {
        top.into_iter()
            .map(|(score, address)| Found {
                score,
                key: 0,
                address,
            })
            .collect()
    }

    /// Carrying the threshold across segments finds what `TopDocs` finds, in the same order
    /// (an index without document keys orders equal scores by place, as `TopDocs` does),
    /// deleted passages left out; so do several threads sharing it, and the collector.
    #[test]
    fn best_passages_are_what_top_docs_finds_on_one_thread_or_several() {
        let (index, text) = segmented_index();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 5);
        let parser = QueryParser::for_index(&index, vec![text]);
        for query in ["oil price", "stock market bank", "gold", "rate marker"] {
            let query = parser.parse_query(query).unwrap();
            for k in [1, 10, 40, 2000] {
                let expected = unkeyed(
                    searcher
                        .search(&query, &TopDocs::with_limit(k).order_by_score())
                        .unwrap(),
                );
                assert_eq!(
                    best_passages(&searcher, query.as_ref(), &searcher, k).unwrap(),
                    expected,
                    "k = {k}"
                );
                let weight = query
                    .weight(EnableScoring::enabled_from_searcher(&searcher))
                    .unwrap();
                let readers = searcher.segment_readers();
                let threaded = best_on_threads(weight.as_ref(), readers, k, 3).unwrap();
                assert_eq!(threaded, expected, "three threads, k = {k}");
                // Beside another collector, as it is used, and as `TopDocs` is then: every
                // match scored, without block-max WAND (whose sums may differ in the last bit).
                let (collected, _) = searcher.search(&query, &(BestPassages(k), Count)).unwrap();
                let (top_docs, _) = searcher
                    .search(&query, &(TopDocs::with_limit(k).order_by_score(), Count))
                    .unwrap();
                let top_docs = unkeyed(top_docs);
                assert_eq!(collected, top_docs, "collector, k = {k}");
                // One part searched after the other, as two threads may happen to run.
                let shared = SharedThreshold::default();
                let mut parallel = Vec::new();
                for ordinals in [[0, 2, 4].as_slice(), &[1, 3]] {
                    parallel.extend(
                        best_in_segments(weight.as_ref(), readers, ordinals, k, &shared)
                            .unwrap()
                            .into_iter()
                            .map(Entry::found),
                    );
                }
                parallel.sort_by(result_order);
                parallel.truncate(k);
                assert_eq!(parallel, expected, "two parts, k = {k}");
            }
        }
    }

    /// The same passages cut into segments two ways, all scoring alike: the best `k` are the
    /// same, the smallest document keys, found by the search and by the collector.
    #[test]
    fn equal_scores_are_ordered_by_document_key_whatever_the_segments() {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let key = schema.add_u64_field(DOC_KEY, tantivy::schema::FAST);
        let schema = schema.build();
        let keys: Vec<u64> = (0..90u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect();
        let build = |segments: &[&[usize]]| {
            let index = Index::create_in_ram(schema.clone());
            let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
            for part in segments {
                for &i in *part {
                    writer
                        .add_document(doc!(text => "heron nest", key => keys[i]))
                        .unwrap();
                }
                writer.commit().unwrap();
            }
            index
        };
        let all: Vec<usize> = (0..90).collect();
        let odd: Vec<usize> = (0..90).filter(|i| i % 2 == 1).collect();
        let even: Vec<usize> = (0..90).rev().filter(|i| i % 2 == 0).collect();
        let mut smallest = keys.clone();
        smallest.sort_unstable();
        smallest.truncate(40);
        for index in [build(&[&all]), build(&[&odd, &even])] {
            let searcher = index.reader().unwrap().searcher();
            let query = QueryParser::for_index(&index, vec![text])
                .parse_query("heron")
                .unwrap();
            let found = best_passages(&searcher, query.as_ref(), &searcher, 40).unwrap();
            let got: Vec<u64> = found.iter().map(|f| f.key).collect();
            assert_eq!(got, smallest);
            let (collected, _) = searcher.search(&query, &(BestPassages(40), Count)).unwrap();
            assert_eq!(collected, found);
        }
    }

    #[test]
    fn the_shared_threshold_keeps_the_highest_score_and_lets_equal_scores_through() {
        let shared = SharedThreshold::default();
        assert_eq!(shared.below(), f32::MIN);
        for score in [1.5, 0.0, 3.25, -2.0, 3.0] {
            shared.raise(score);
        }
        assert!(shared.below() < 3.25 && shared.below() > 3.2499);
        let negative = SharedThreshold::default();
        negative.raise(-2.0);
        assert!(negative.below() < -2.0 && negative.below() > -2.0001);
    }
}
