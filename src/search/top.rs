//! The `k` best passages of a query: what tantivy's `TopDocs` finds, in the same order, with
//! less work on an index of many segments. `TopDocs` starts block-max WAND from a threshold of
//! zero in every segment, so each segment first scores its own `k` best; here the k-th best
//! score found so far is carried to the next segment, and shared between the threads that
//! search a large index's segments side by side.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicU32, Ordering};

use tantivy::query::{Bm25StatisticsProvider, EnableScoring, Query, Weight};
use tantivy::{DocAddress, Searcher, SegmentReader};

use crate::error::{IndexContext, Result};

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

/// The `k` best passages for `query`, best first, equal scores in index order.
pub fn best_passages(
    searcher: &Searcher,
    query: &dyn Query,
    statistics: &dyn Bm25StatisticsProvider,
    k: usize,
) -> Result<Vec<(f32, DocAddress)>> {
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
) -> Result<Vec<(f32, DocAddress)>> {
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
    let mut best: Vec<(f32, DocAddress)> = Vec::new();
    for part in parts {
        best.extend(part?.into_iter().map(|Entry(s, Reverse(a))| (s, a)));
    }
    best.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    best.truncate(k);
    Ok(best)
}

/// The `k` best passages of the segments `ordinals` (in that order, which is index order).
fn best_in_segments(
    weight: &dyn Weight,
    readers: &[SegmentReader],
    ordinals: &[usize],
    k: usize,
    shared: &SharedThreshold,
) -> Result<Vec<Entry>> {
    let mut heap: BinaryHeap<Entry> = BinaryHeap::with_capacity(k + 1);
    // The k-th best score of these segments, once k are found. A later passage must beat it
    // (an equal score loses to the earlier passage); another thread's k-th best it only has
    // to equal, since which of two equal scores comes first is decided when the parts merge.
    let mut own = f32::MIN;
    for &ordinal in ordinals {
        let reader = &readers[ordinal];
        let alive = reader.alive_bitset();
        weight
            .for_each_pruning(own.max(shared.below()), reader, &mut |doc, score| {
                if !alive.is_some_and(|a| a.is_deleted(doc)) {
                    heap.push(Entry(score, Reverse(DocAddress::new(ordinal as u32, doc))));
                    if heap.len() > k {
                        heap.pop();
                    }
                    if heap.len() == k {
                        own = heap.peek().map_or(f32::MIN, |e| e.0);
                        shared.raise(own);
                    }
                }
                own.max(shared.below())
            })
            .context("searching")?;
    }
    Ok(heap.into_vec())
}

/// A passage's score and address, ordered so that a heap's top is the one to drop: the lowest
/// score, and of equal scores the latest in the index.
#[derive(PartialEq)]
struct Entry(f32, Reverse<DocAddress>);

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
    use tantivy::collector::TopDocs;
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

    /// Carrying the threshold across segments finds what `TopDocs` finds, in the same order,
    /// deleted passages left out; so do several threads sharing it.
    #[test]
    fn best_passages_are_what_top_docs_finds_on_one_thread_or_several() {
        let (index, text) = segmented_index();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 5);
        let parser = QueryParser::for_index(&index, vec![text]);
        for query in ["oil price", "stock market bank", "gold", "rate marker"] {
            let query = parser.parse_query(query).unwrap();
            for k in [1, 10, 40, 2000] {
                let expected = searcher
                    .search(&query, &TopDocs::with_limit(k).order_by_score())
                    .unwrap();
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
                // One part searched after the other, as two threads may happen to run.
                let shared = SharedThreshold::default();
                let mut parallel = Vec::new();
                for ordinals in [[0, 2, 4].as_slice(), &[1, 3]] {
                    parallel.extend(
                        best_in_segments(weight.as_ref(), readers, ordinals, k, &shared)
                            .unwrap()
                            .into_iter()
                            .map(|Entry(s, Reverse(a))| (s, a)),
                    );
                }
                parallel.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
                parallel.truncate(k);
                assert_eq!(parallel, expected, "two parts, k = {k}");
            }
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
