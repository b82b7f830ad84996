//! Document-level evidence, computed at query time from the passages' postings: a document's
//! BM25F is the BM25F of all its passages' text together with its title, as if the whole
//! document were one field. Nothing is indexed twice: the document's term frequencies and
//! length are sums over its passages, less the title that every passage repeats.

use std::collections::HashMap;

use rustc_hash::FxHashMap;
use tantivy::postings::Postings;
use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::{IndexRecordOption, Term};
use tantivy::{DocId, DocSet, Searcher, SegmentOrdinal, SegmentReader};

use crate::error::{IndexContext, Result};
use crate::index::schema::{Fields, TITLE_WEIGHT};
use crate::search::statistics::PassageStatistics;

/// BM25's term-frequency saturation, as tantivy scores passages.
const K1: f32 = 1.2;
/// BM25's length normalisation, as tantivy scores passages.
const B: f32 = 0.75;

/// What is summed over one document's passages.
#[derive(Default)]
struct Sums {
    /// Passages found.
    passages: u32,
    /// The document's length, from its file record.
    length: u64,
    /// Whether the file record was found.
    record_read: bool,
    /// Per query term: occurrences in the passages' `body`, and in the title.
    frequencies: Vec<(u64, u64)>,
    /// Whether the title's frequencies were read (from the first passage met).
    title_read: bool,
}

impl Sums {
    /// The document's term frequencies: the title counted [`TITLE_WEIGHT`] times once, not
    /// once per passage.
    fn frequencies(&self) -> impl Iterator<Item = f32> + '_ {
        let repeats = u64::from(self.passages.saturating_sub(1)) * TITLE_WEIGHT as u64;
        self.frequencies
            .iter()
            .map(move |&(body, title)| body.saturating_sub(repeats * title) as f32)
    }
}

/// The BM25F scores of `documents`, each a key ([`crate::search::count::doc_key`]) and the
/// segment that holds it, for the weighted analyzed `terms`, by key; documents matching none
/// of them are left out. A document's passages are indexed in one batch, so they lie in one
/// segment (merges keep them together): only that segment is read, and the others only for the
/// file record of a file touched since (whose new record was added on its own).
///
/// Terms are weighted by the passages' idf, the same weight as in the passage scores; lengths
/// are normalised by `average_length`, the documents' average length.
pub fn document_scores(
    searcher: &Searcher,
    fields: &Fields,
    passages: &PassageStatistics,
    average_length: f32,
    terms: &[(String, f32)],
    documents: &[(u64, SegmentOrdinal)],
) -> Result<HashMap<u64, f32>> {
    if terms.is_empty() || documents.is_empty() {
        return Ok(HashMap::new());
    }
    let mut sums: FxHashMap<u64, Sums> = documents
        .iter()
        .map(|&(k, _)| {
            let sums = Sums {
                frequencies: vec![(0, 0); terms.len()],
                ..Sums::default()
            };
            (k, sums)
        })
        .collect();
    let mut by_segment: Vec<(SegmentOrdinal, u64)> =
        documents.iter().map(|&(k, s)| (s, k)).collect();
    by_segment.sort_unstable();
    by_segment.dedup();
    for part in by_segment.chunk_by(|a, b| a.0 == b.0) {
        let keys: Vec<u64> = part.iter().map(|&(_, k)| k).collect();
        let segment = searcher.segment_reader(part[0].0);
        add_segment(segment, fields, terms, &keys, &mut sums).context("scoring documents")?;
    }
    let unrecorded: Vec<u64> = by_segment
        .iter()
        .filter(|(_, k)| !sums[k].record_read)
        .map(|&(_, k)| k)
        .collect();
    if !unrecorded.is_empty() {
        for (ordinal, segment) in searcher.segment_readers().iter().enumerate() {
            if by_segment
                .binary_search_by_key(&(ordinal as u32), |&(s, _)| s)
                .is_err()
            {
                add_segment(segment, fields, &[], &unrecorded, &mut sums)
                    .context("scoring documents")?;
            }
        }
    }
    let average = average_length.max(1.0);
    // The passages' idf: one weight per term for both kinds of evidence.
    let all = passages.total_num_docs().context("scoring documents")?;
    let mut idf = Vec::with_capacity(terms.len());
    for (term, _) in terms {
        let df = passages
            .doc_freq(&Term::from_field_text(fields.body, term))
            .context("scoring documents")?;
        let x = ((all - df) as f32 + 0.5) / (df as f32 + 0.5);
        idf.push((1.0 + x).ln());
    }
    Ok(sums
        .into_iter()
        .filter_map(|(key, sums)| {
            let norm = K1 * (1.0 - B + B * sums.length.max(1) as f32 / average);
            let score: f32 = sums
                .frequencies()
                .zip(terms.iter().zip(&idf))
                .map(|(tf, ((_, weight), idf))| weight * idf * (1.0 + K1) * tf / (tf + norm))
                .sum();
            (score > 0.0).then_some((key, score))
        })
        .collect())
}

/// Adds what `segment` holds of the documents `keys` to their `sums`.
fn add_segment(
    segment: &SegmentReader,
    fields: &Fields,
    terms: &[(String, f32)],
    keys: &[u64],
    sums: &mut FxHashMap<u64, Sums>,
) -> tantivy::Result<()> {
    // The passages of these documents in this segment, in doc-id order.
    let by_key = segment.inverted_index(fields.doc_key)?;
    let mut passages: Vec<(DocId, u64)> = Vec::new();
    for &key in keys {
        let term = Term::from_field_u64(fields.doc_key, key);
        let Some(mut postings) = by_key.read_postings(&term, IndexRecordOption::Basic)? else {
            continue;
        };
        while postings.doc() != tantivy::TERMINATED {
            let doc = postings.doc();
            if !segment.is_deleted(doc) {
                passages.push((doc, key));
            }
            postings.advance();
        }
    }
    if passages.is_empty() {
        return Ok(());
    }
    passages.sort_unstable();
    // File records share the key; they have no text but the document's length.
    let body_norms = segment.get_fieldnorms_reader(fields.body)?;
    let lengths = segment.fast_fields().u64("length")?;
    let mut title_from: Vec<(DocId, u64)> = Vec::new();
    passages.retain(|&(doc, key)| {
        let s = sums.get_mut(&key).expect("a key asked for");
        if body_norms.fieldnorm(doc) == 0 {
            s.length = lengths.first(doc).unwrap_or(0);
            s.record_read = true;
            return false;
        }
        s.passages += 1;
        if !s.title_read {
            s.title_read = true;
            title_from.push((doc, key));
        }
        true
    });
    let body = segment.inverted_index(fields.body)?;
    let title = segment.inverted_index(fields.title)?;
    for (i, (text, _)) in terms.iter().enumerate() {
        let in_body = Term::from_field_text(fields.body, text);
        for_each_frequency(&body, &in_body, &passages, |key, tf| {
            sums.get_mut(&key).expect("a key asked for").frequencies[i].0 += tf;
        })?;
        let in_title = Term::from_field_text(fields.title, text);
        for_each_frequency(&title, &in_title, &title_from, |key, tf| {
            sums.get_mut(&key).expect("a key asked for").frequencies[i].1 = tf;
        })?;
    }
    Ok(())
}

/// Calls `found` with the key and the frequency of `term` for each of `docs` (in doc-id
/// order) that holds it, seeking the term's postings to them.
fn for_each_frequency(
    index: &tantivy::InvertedIndexReader,
    term: &Term,
    docs: &[(DocId, u64)],
    mut found: impl FnMut(u64, u64),
) -> tantivy::Result<()> {
    let Some(mut postings) = index.read_postings(term, IndexRecordOption::WithFreqs)? else {
        return Ok(());
    };
    for &(doc, key) in docs {
        if postings.doc() < doc {
            postings.seek(doc);
        }
        if postings.doc() == doc {
            found(key, u64::from(postings.term_freq()));
        }
    }
    Ok(())
}
