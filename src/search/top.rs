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
//! - tantivy sums a passage's term scores in an order that depends on where its cursors stand,
//!   so one passage may score a rounding error apart in two layouts of the same files. Here
//!   the passages within a rounding error of the k-th are kept too, and all are scored again
//!   with the terms summed in the query's order ([`settle`]) before the `k` best are cut.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicU32, Ordering};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::{Bm25StatisticsProvider, BooleanQuery, EnableScoring, Occur, Query, Weight};
use tantivy::SeekDangerResult;
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

/// How far below the k-th best score, as a fraction of it, a passage may have been scored and
/// still be kept for [`settle`]: far above the rounding error of a sum of a few dozen terms
/// (about 1e-7 each), far below any difference that matters.
const NEAR: f32 = 1e-5;

/// The lowest score that may be the k-th best's, given that it was computed as `kth`.
fn near(kth: f32) -> f32 {
    kth - kth.abs() * NEAR
}

/// Sorts `found` in [`result_order`] and keeps the `k` best, with those scored within a
/// rounding error ([`NEAR`]) of the k-th when `near`.
fn keep_best(found: &mut Vec<Found>, k: usize, near: bool) {
    found.sort_by(result_order);
    if k == 0 || found.len() <= k || !near {
        found.truncate(k);
        return;
    }
    let bound = self::near(found[k - 1].score);
    let end = k + found[k..].iter().take_while(|f| f.score >= bound).count();
    found.truncate(end);
}

/// Scores `found` again with the query's terms summed in the query's order, which does not
/// depend on the index's layout, then keeps the `k` best in [`result_order`]. `found` comes
/// from [`best_passages`] or [`BestPassages`], which keep those near the k-th for this.
pub fn settle(
    searcher: &Searcher,
    query: &dyn Query,
    statistics: &dyn Bm25StatisticsProvider,
    found: &mut Vec<Found>,
    k: usize,
) -> Result<()> {
    if scored_in_parts(query) {
        let addresses: Vec<DocAddress> = found.iter().map(|f| f.address).collect();
        let scores = scores_in_order(searcher, query, statistics, &addresses)?;
        for (found, score) in found.iter_mut().zip(scores) {
            found.score = score;
        }
    }
    found.sort_by(result_order);
    found.truncate(k);
    Ok(())
}

/// Whether `query`'s score is a sum that [`scores_in_order`] can fix the order of (a single
/// term or phrase is scored alike in any layout).
fn scored_in_parts(query: &dyn Query) -> bool {
    disjunction(query).is_some()
}

/// The clauses of `query` if it matches wherever any of them matches and scores the sum of
/// those that do (a Boolean query of optional clauses, one of which is enough). A required
/// clause is not such a part: `banks`, restricted to the passages of some languages, scores
/// only where the restriction holds.
fn disjunction(query: &dyn Query) -> Option<&[(Occur, Box<dyn Query>)]> {
    let boolean = query.downcast_ref::<BooleanQuery>()?;
    let clauses = boolean.clauses();
    let optional = clauses.iter().all(|(occur, _)| *occur == Occur::Should);
    (optional && boolean.get_minimum_number_should_match() <= 1 && !clauses.is_empty())
        .then_some(clauses)
}

/// The scores of `query` at `addresses`: a disjunction's ([`disjunction`]) as the sum of its
/// clauses' scores in clause order, any other as its scorer gives them.
fn scores_in_order(
    searcher: &Searcher,
    query: &dyn Query,
    statistics: &dyn Bm25StatisticsProvider,
    addresses: &[DocAddress],
) -> Result<Vec<f32>> {
    let Some(clauses) = disjunction(query) else {
        return scores_at(searcher, query, statistics, addresses);
    };
    let mut scores = vec![0.0; addresses.len()];
    for (_, clause) in clauses {
        let part = scores_in_order(searcher, clause.as_ref(), statistics, addresses)?;
        for (score, part) in scores.iter_mut().zip(part) {
            *score += part;
        }
    }
    Ok(scores)
}

/// The scores `query` gives the documents at `addresses` (0 where it does not match), found by
/// seeking its scorer to each of them. Give it one term or phrase at a time: a union's scorer
/// seeks by scoring every document on the way.
pub fn scores_at(
    searcher: &Searcher,
    query: &dyn Query,
    statistics: &dyn Bm25StatisticsProvider,
    addresses: &[DocAddress],
) -> Result<Vec<f32>> {
    use tantivy::DocSet;
    let weight = query
        .weight(EnableScoring::enabled_from_statistics_provider(
            statistics, searcher,
        ))
        .context("scoring")?;
    let mut order: Vec<usize> = (0..addresses.len()).collect();
    order.sort_by_key(|&i| addresses[i]);
    let mut scores = vec![0.0; addresses.len()];
    // The scorer of the current segment, and whether it stands on a match (a `seek_danger`
    // that misses may leave it between documents).
    let mut current: Option<(u32, Box<dyn tantivy::query::Scorer>, bool)> = None;
    let mut previous: Option<(DocAddress, f32)> = None;
    for i in order {
        let address = addresses[i];
        if let Some((_, score)) = previous.filter(|(at, _)| *at == address) {
            scores[i] = score;
            continue;
        }
        if current
            .as_ref()
            .is_none_or(|(segment, _, _)| *segment != address.segment_ord)
        {
            let reader = searcher.segment_reader(address.segment_ord);
            let scorer = weight.scorer(reader, 1.0).context("scoring")?;
            current = Some((address.segment_ord, scorer, true));
        }
        let (_, scorer, on_match) = current.as_mut().expect("a scorer");
        let target = address.doc_id;
        let doc = scorer.doc();
        // Only whether this passage matches: a phrase scorer's `seek` would read on to the
        // next passage holding the phrase. Targets increase, as `seek_danger` requires, and a
        // scorer past the target has passed it.
        let matches = if doc == target && *on_match {
            true
        } else if doc > target {
            false
        } else {
            *on_match = scorer.seek_danger(target) == SeekDangerResult::Found;
            *on_match
        };
        if matches {
            scores[i] = scorer.score();
        }
        previous = Some((address, scores[i]));
    }
    Ok(scores)
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

/// The `k` best passages for `query`, in [`result_order`], [`settle`]d.
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
    let near = scored_in_parts(query);
    let mut best = best_on_threads(weight.as_ref(), readers, k, near, threads)?;
    settle(searcher, query, statistics, &mut best, k)?;
    Ok(best)
}

/// The `k` best passages of `readers`' segments, searched by `threads` threads, with those
/// near the k-th when `near` ([`keep_best`]).
fn best_on_threads(
    weight: &dyn Weight,
    readers: &[SegmentReader],
    k: usize,
    near: bool,
    threads: usize,
) -> Result<Vec<Found>> {
    let shared = SharedThreshold::default();
    let parts: Vec<Result<Vec<Entry>>> = if threads == 1 {
        let all: Vec<usize> = (0..readers.len()).collect();
        vec![best_in_segments(weight, readers, &all, k, near, &shared)]
    } else {
        let shared = &shared;
        std::thread::scope(|scope| {
            let mut done = Vec::new();
            let mut workers = Vec::new();
            for t in 0..threads {
                // Every `threads`-th segment, so that each thread gets old and new ones.
                let ordinals: Vec<usize> = (t..readers.len()).step_by(threads).collect();
                let work = move || best_in_segments(weight, readers, &ordinals, k, near, shared);
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
    keep_best(&mut best, k, near);
    Ok(best)
}

/// The `k` best passages of the segments `ordinals`, with those near the k-th when `near`.
fn best_in_segments(
    weight: &dyn Weight,
    readers: &[SegmentReader],
    ordinals: &[usize],
    k: usize,
    near: bool,
    shared: &SharedThreshold,
) -> Result<Vec<Entry>> {
    let mut best = Best::new(k, near);
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
    Ok(best.into_entries())
}

/// The document keys of a segment's passages, when the index has them.
fn doc_keys(reader: &SegmentReader) -> Option<Column<u64>> {
    reader.fast_fields().u64(DOC_KEY).ok()
}

fn key_of(keys: &Option<Column<u64>>, doc: DocId) -> u64 {
    keys.as_ref().and_then(|c| c.first(doc)).unwrap_or(0)
}

/// Passages kept near the k-th at most (beyond that, a run of equal scores may be cut by
/// their rounding errors).
const NEAR_MAX: usize = 4096;

/// The `k` best passages offered so far, in a heap whose top is the first to drop, and when
/// asked those that dropped out within a rounding error of the k-th ([`NEAR`]).
struct Best {
    heap: BinaryHeap<Entry>,
    near: Option<Vec<Entry>>,
    k: usize,
}

impl Best {
    fn new(k: usize, near: bool) -> Best {
        Best {
            heap: BinaryHeap::with_capacity(k + 1),
            near: near.then(Vec::new),
            k,
        }
    }

    /// Keeps the passage if it is among the `k` best, or near the k-th; returns the k-th best
    /// score once `k` passages are kept.
    fn offer(&mut self, score: f32, key: u64, address: DocAddress) -> Option<f32> {
        let entry = Entry(score, Reverse((key, address)));
        if self.heap.len() == self.k && self.heap.peek().is_some_and(|worst| *worst <= entry) {
            self.keep_near(entry);
            return None;
        }
        self.heap.push(entry);
        if self.heap.len() > self.k {
            if let Some(dropped) = self.heap.pop() {
                self.keep_near(dropped);
            }
        }
        (self.heap.len() == self.k).then(|| self.heap.peek().map_or(f32::MIN, |e| e.0))
    }

    /// Keeps a passage that dropped out of the `k` best if it is near the k-th and near ones
    /// are asked for; forgets those no longer near.
    fn keep_near(&mut self, dropped: Entry) {
        let (Some(kept), Some(worst)) = (&mut self.near, self.heap.peek()) else {
            return;
        };
        let bound = near(worst.0);
        if dropped.0 >= bound {
            kept.push(dropped);
        }
        if kept.len() > self.k.max(64) {
            kept.retain(|e| e.0 >= bound);
            if kept.len() > NEAR_MAX {
                // Best first (an entry orders below those it beats).
                kept.sort_unstable();
                kept.truncate(NEAR_MAX / 2);
            }
        }
    }

    /// The largest score a passage may have and still not be kept: just below the lowest
    /// that may be the k-th best's.
    fn below(&self) -> f32 {
        match self.heap.peek() {
            Some(worst) if self.heap.len() == self.k => near(worst.0).next_down(),
            _ => f32::MIN,
        }
    }

    /// The passages kept, in no order.
    fn into_entries(self) -> Vec<Entry> {
        let mut entries = self.near.unwrap_or_default();
        if let Some(bound) = self.heap.peek().map(|worst| near(worst.0)) {
            entries.retain(|e| e.0 >= bound);
        }
        entries.extend(self.heap);
        entries
    }
}

/// The `k` best passages in [`result_order`], with those near the k-th, as a collector: for the
/// queries that are counted in the ranking pass ([`crate::search::scoring`]), where block-max
/// WAND cannot skip. [`settle`] cuts them to `k`.
pub struct BestPassages {
    k: usize,
    near: bool,
}

impl BestPassages {
    /// The `k` best passages for `query`.
    pub fn new(query: &dyn Query, k: usize) -> BestPassages {
        BestPassages {
            k,
            near: scored_in_parts(query),
        }
    }
}

impl Collector for BestPassages {
    type Fruit = Vec<Found>;
    type Child = BestInSegment;

    fn for_segment(
        &self,
        ordinal: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<BestInSegment> {
        Ok(BestInSegment {
            best: Best::new(self.k, self.near),
            keys: doc_keys(reader),
            ordinal,
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, parts: Vec<Vec<Entry>>) -> tantivy::Result<Vec<Found>> {
        let mut best: Vec<Found> = parts.into_iter().flatten().map(Entry::found).collect();
        keep_best(&mut best, self.k, self.near);
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
        self.best.into_entries()
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

    /// The largest score below the lowest that may be the threshold's: a passage must beat
    /// it to be passed on.
    fn below(&self) -> f32 {
        match self.bits.load(Ordering::Relaxed) {
            0 => f32::MIN,
            ordered => {
                let bits = if ordered >> 31 == 1 {
                    ordered & !(1 << 31)
                } else {
                    !ordered
                };
                near(f32::from_bits(bits)).next_down()
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

    /// The `k` best passages for the words of `text`, each word scored alone by `TopDocs` and
    /// the scores summed in the words' order: what the search must find in any layout.
    fn summed_in_order(
        searcher: &Searcher,
        parser: &QueryParser,
        text: &str,
        k: usize,
    ) -> Vec<Found> {
        let mut sums: std::collections::BTreeMap<DocAddress, f32> = Default::default();
        for word in text.split(' ') {
            let query = parser.parse_query(word).unwrap();
            let top = TopDocs::with_limit(100_000).order_by_score();
            for (score, address) in searcher.search(&query, &top).unwrap() {
                *sums.entry(address).or_insert(0.0) += score;
            }
        }
        let mut found = unkeyed(sums.into_iter().map(|(a, s)| (s, a)).collect());
        found.sort_by(result_order);
        found.truncate(k);
        found
    }

    /// Carrying the threshold across segments finds the best passages, scored as the sum of
    /// their words' scores in the query's order, best first (an index without document keys
    /// orders equal scores by place), deleted passages left out; so do several threads
    /// sharing it, and the collector.
    #[test]
    fn best_passages_are_the_best_sums_on_one_thread_or_several() {
        let (index, text) = segmented_index();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 5);
        let parser = QueryParser::for_index(&index, vec![text]);
        for words in ["oil price", "stock market bank", "gold", "rate marker"] {
            let query = parser.parse_query(words).unwrap();
            for k in [1, 10, 40, 2000] {
                let expected = summed_in_order(&searcher, &parser, words, k);
                assert_eq!(
                    best_passages(&searcher, query.as_ref(), &searcher, k).unwrap(),
                    expected,
                    "{words}, k = {k}"
                );
                let settled = |mut found: Vec<Found>| {
                    settle(&searcher, query.as_ref(), &searcher, &mut found, k).unwrap();
                    found
                };
                let weight = query
                    .weight(EnableScoring::enabled_from_searcher(&searcher))
                    .unwrap();
                let readers = searcher.segment_readers();
                let near = scored_in_parts(query.as_ref());
                let threaded = best_on_threads(weight.as_ref(), readers, k, near, 3).unwrap();
                assert_eq!(settled(threaded), expected, "three threads, k = {k}");
                // Beside another collector, as it is used: every match scored, without
                // block-max WAND.
                let collector = (BestPassages::new(query.as_ref(), k), Count);
                let (collected, _) = searcher.search(&query, &collector).unwrap();
                assert_eq!(settled(collected), expected, "collector, k = {k}");
                // One part searched after the other, as two threads may happen to run.
                let shared = SharedThreshold::default();
                let mut parallel = Vec::new();
                for ordinals in [[0, 2, 4].as_slice(), &[1, 3]] {
                    parallel.extend(
                        best_in_segments(weight.as_ref(), readers, ordinals, k, near, &shared)
                            .unwrap()
                            .into_iter()
                            .map(Entry::found),
                    );
                }
                keep_best(&mut parallel, k, near);
                assert_eq!(settled(parallel), expected, "two parts, k = {k}");
            }
        }
    }

    /// Scores at chosen passages, phrases included (whose scorers may be left between
    /// passages by a miss), equal the scores a full search gives them, and 0 where the query
    /// does not match; repeated and unsorted addresses too.
    #[test]
    fn scores_at_passages_are_their_scores_in_a_full_search() {
        let (index, text) = segmented_index();
        let searcher = index.reader().unwrap().searcher();
        let parser = QueryParser::for_index(&index, vec![text]);
        for words in [
            "\"oil price\"",
            "\"stock market bank\"~1",
            "gold",
            "\"rate marker\"",
        ] {
            let query = parser.parse_query(words).unwrap();
            let all: std::collections::HashMap<DocAddress, f32> = searcher
                .search(&query, &TopDocs::with_limit(100_000).order_by_score())
                .unwrap()
                .into_iter()
                .map(|(score, address)| (address, score))
                .collect();
            // Every third passage, backwards, with one asked for twice.
            let mut addresses: Vec<DocAddress> = searcher
                .segment_readers()
                .iter()
                .enumerate()
                .flat_map(|(s, r)| (0..r.max_doc()).map(move |d| DocAddress::new(s as u32, d)))
                .step_by(3)
                .collect();
            addresses.reverse();
            addresses.push(addresses[7]);
            let scores = scores_at(&searcher, query.as_ref(), &searcher, &addresses).unwrap();
            let matched = scores.iter().filter(|&&s| s > 0.0).count();
            assert!(
                matched > 0 && matched < addresses.len(),
                "{words}: {matched}"
            );
            for (address, score) in addresses.iter().zip(scores) {
                let deleted = searcher
                    .segment_reader(address.segment_ord)
                    .is_deleted(address.doc_id);
                let expected = if deleted {
                    score
                } else {
                    all.get(address).copied().unwrap_or(0.0)
                };
                assert_eq!(score, expected, "{words} at {address:?}");
            }
        }
    }

    /// A word restricted to some languages (a required term and a required filter) adds its
    /// score only where the filter holds: scored again, it is not taken for a part on its own.
    #[test]
    fn a_restricted_word_scores_only_where_its_restriction_holds() {
        use tantivy::query::{ConstScoreQuery, TermQuery};
        use tantivy::schema::{IndexRecordOption, STRING};
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let lang = schema.add_text_field("lang", STRING);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for (body, code) in [("banks bank", "en"), ("banks bank", "es"), ("bank", "en")] {
            for _ in 0..30 {
                writer
                    .add_document(doc!(text => body, lang => code))
                    .unwrap();
            }
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let term = |field, word: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, word),
                IndexRecordOption::WithFreqs,
            ))
        };
        let only_es = BooleanQuery::new(vec![
            (Occur::Must, term(text, "banks")),
            (
                Occur::Must,
                Box::new(ConstScoreQuery::new(term(lang, "es"), 0.0)),
            ),
        ]);
        let query = BooleanQuery::new(vec![
            (Occur::Should, term(text, "bank")),
            (Occur::Should, Box::new(only_es)),
        ]);
        let expected = searcher
            .search(&query, &TopDocs::with_limit(90).order_by_score())
            .unwrap();
        let found = best_passages(&searcher, &query, &searcher, 90).unwrap();
        assert_eq!(found.len(), 90);
        for f in &found {
            let (score, _) = expected.iter().find(|(_, a)| *a == f.address).unwrap();
            assert!((f.score - score).abs() < 1e-4, "{f:?} against {score}");
        }
    }

    /// The same passages in one segment and in five, added in another order: the same best
    /// passages with the same scores, though tantivy adds up their words' scores in an order
    /// that depends on the layout.
    #[test]
    fn the_best_passages_and_their_scores_do_not_depend_on_the_layout() {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let key = schema.add_u64_field(DOC_KEY, tantivy::schema::FAST);
        let schema = schema.build();
        let words = [
            "oil", "price", "market", "stock", "bank", "rate", "gold", "crude",
        ];
        let mut seed = 11u64;
        let bodies: Vec<String> = (0..3000)
            .map(|n| {
                (0..(2 + n % 23))
                    .map(|_| {
                        seed = seed
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        words[(seed >> 33) as usize % words.len()]
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let build = |parts: usize| {
            let index = Index::create_in_ram(schema.clone());
            let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
            for part in 0..parts {
                for (i, body) in bodies.iter().enumerate().rev() {
                    if i % parts == part {
                        let k = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                        writer
                            .add_document(doc!(text => body.as_str(), key => k))
                            .unwrap();
                    }
                }
                writer.commit().unwrap();
            }
            index
        };
        let (one, five) = (build(1), build(5));
        let queries = [
            "oil price market stock bank",
            "gold crude rate",
            "stock market",
        ];
        for words in queries {
            let found: Vec<Vec<(f32, u64)>> = [&one, &five]
                .iter()
                .map(|index| {
                    let searcher = index.reader().unwrap().searcher();
                    let query = QueryParser::for_index(index, vec![text])
                        .parse_query(words)
                        .unwrap();
                    let best = best_passages(&searcher, query.as_ref(), &searcher, 40).unwrap();
                    best.into_iter().map(|f| (f.score, f.key)).collect()
                })
                .collect();
            assert_eq!(found[0], found[1], "{words}");
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
            let (collected, _) = searcher
                .search(&query, &(BestPassages::new(query.as_ref(), 40), Count))
                .unwrap();
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
