//! Scoring passages: each passage's BM25F match (title and text), plus its document's BM25F
//! weighted by [`Ranking::document_weight`] (passage and document evidence together, after
//! Callan 1994), computed exactly for the documents of the best passages.

use std::collections::HashMap;

use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Term};
use tantivy::{DocAddress, Order, Searcher};

use crate::count::{self, PassagesAndDocuments, Totals};
use crate::error::{IndexContext, Result};
use crate::query;
use crate::ranking::Ranking;
use crate::schema::Fields;
use crate::statistics::KindStatistics;

/// What a passage's score is made of.
pub struct Evidence<'a> {
    /// The passage query.
    pub query: &'a dyn Query,
    /// The nearness bonus, scored for the best passages only.
    pub proximity: Option<&'a dyn Query>,
    /// The terms whose document-level BM25F adds to a passage's score.
    pub document_terms: &'a [(String, f32)],
    /// Documents can be counted with the document-level query ([`crate::query::CompiledQuery::any_word`]).
    pub any_word: bool,
    /// The ranking's parameters.
    pub ranking: &'a Ranking,
}

/// A passage with its score and the score's parts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    /// The whole score: `(passage + document) × exact`.
    pub score: f32,
    /// The passage's own BM25F (with the nearness bonus).
    pub passage: f32,
    /// Its document's BM25F, weighted.
    pub document: f32,
    /// The factor for words found exactly as typed (1 when none, or not applied).
    pub exact: f32,
    /// Where the passage is.
    pub address: DocAddress,
}

impl Scored {
    /// Sets the exact-form factor for a passage holding `share` of the query words as typed.
    pub fn with_exact_share(mut self, share: f32, ranking: &Ranking) -> Scored {
        self.exact = 1.0 + ranking.exact_form * share;
        self.score = (self.passage + self.document) * self.exact;
        self
    }
}

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    /// Best match first.
    #[default]
    Relevance,
    /// Newest document first; undated documents last.
    Date,
}

/// Passages are re-scored with their document's evidence among at least this many of the best.
const MIN_RESCORED: usize = 100;

/// The first `want` passages in result order, with the numbers of matching passages and
/// documents when `count`.
pub fn ranked(
    searcher: &Searcher,
    fields: &Fields,
    evidence: &Evidence,
    sort: SortOrder,
    want: usize,
    count: bool,
) -> Result<(Vec<Scored>, Option<Totals>)> {
    let query = evidence.query;
    let passages = KindStatistics::passages(searcher);
    let plain = |score: f32, address: DocAddress| Scored {
        score,
        passage: score,
        document: 0.0,
        exact: 1.0,
        address,
    };
    if sort == SortOrder::Date {
        // Newest first; among passages of one day, the best match first.
        let collector = TopDocs::with_limit(want).order_by((
            (
                SortByStaticFastValue::<tantivy::DateTime>::for_field("date"),
                Order::Desc,
            ),
            (SortBySimilarityScore, Order::Desc),
        ));
        let (top, total) = searcher
            .search_with_statistics_provider(query, &(collector, PassagesAndDocuments), &passages)
            .context("searching")?;
        let found = top.into_iter().map(|((_, s), a)| plain(s, a)).collect();
        return Ok((found, Some(total)));
    }
    let weight = evidence.ranking.document_weight;
    let rescored = weight > 0.0 || evidence.proximity.is_some();
    let pool = if rescored {
        want.max(MIN_RESCORED)
    } else {
        want
    };
    // The best passages by their words alone, which lets tantivy skip blocks of weak matches;
    // the bonuses are scored for those only. Counting goes apart, without scoring.
    let top = searcher
        .search_with_statistics_provider(
            query,
            &TopDocs::with_limit(pool).order_by_score(),
            &passages,
        )
        .context("searching")?;
    let total = if count {
        Some(totals(searcher, fields, evidence)?)
    } else {
        None
    };
    let mut found: Vec<Scored> = top.into_iter().map(|(s, a)| plain(s, a)).collect();
    if let Some(proximity) = evidence.proximity {
        let addresses: Vec<DocAddress> = found.iter().map(|s| s.address).collect();
        let bonus = scores_at(searcher, proximity, &passages, &addresses)?;
        for (scored, bonus) in found.iter_mut().zip(bonus) {
            scored.passage += bonus;
            scored.score = scored.passage;
        }
    }
    if weight > 0.0 && !found.is_empty() {
        let keys: Vec<u64> = found
            .iter()
            .map(|s| doc_key_of(searcher, s.address))
            .collect();
        let scores = document_scores(searcher, fields, evidence.document_terms, &keys)?;
        for (scored, key) in found.iter_mut().zip(&keys) {
            scored.document = weight * scores.get(key).copied().unwrap_or(0.0);
            scored.score = scored.passage + scored.document;
        }
    }
    if rescored {
        sort_by_score(&mut found);
    }
    found.truncate(want);
    Ok((found, total))
}

/// The numbers of matching passages and documents. Documents are counted from the
/// document-level field when that is exact (plain words), else from the passages' keys.
fn totals(searcher: &Searcher, fields: &Fields, evidence: &Evidence) -> Result<Totals> {
    let document_query = evidence
        .any_word
        .then(|| query::document_query(fields, evidence.document_terms))
        .flatten();
    let Some(document_query) = document_query else {
        return searcher
            .search(evidence.query, &PassagesAndDocuments)
            .context("counting");
    };
    Ok(Totals {
        passages: searcher
            .search(evidence.query, &tantivy::collector::Count)
            .context("counting")?,
        documents: searcher
            .search(document_query.as_ref(), &tantivy::collector::Count)
            .context("counting")?,
    })
}

/// The scores `query` gives the documents at `addresses` (0 where it does not match), found by
/// seeking its scorer to each of them.
fn scores_at(
    searcher: &Searcher,
    query: &dyn Query,
    statistics: &dyn tantivy::query::Bm25StatisticsProvider,
    addresses: &[DocAddress],
) -> Result<Vec<f32>> {
    use tantivy::query::EnableScoring;
    use tantivy::DocSet;
    let weight = query
        .weight(EnableScoring::enabled_from_statistics_provider(
            statistics, searcher,
        ))
        .context("scoring")?;
    let mut order: Vec<usize> = (0..addresses.len()).collect();
    order.sort_by_key(|&i| addresses[i]);
    let mut scores = vec![0.0; addresses.len()];
    let mut current: Option<(u32, Box<dyn tantivy::query::Scorer>)> = None;
    for i in order {
        let address = addresses[i];
        if current
            .as_ref()
            .is_none_or(|(segment, _)| *segment != address.segment_ord)
        {
            let reader = searcher.segment_reader(address.segment_ord);
            current = Some((
                address.segment_ord,
                weight.scorer(reader, 1.0).context("scoring")?,
            ));
        }
        let (_, scorer) = current.as_mut().expect("a scorer");
        if scorer.doc() < address.doc_id {
            scorer.seek(address.doc_id);
        }
        if scorer.doc() == address.doc_id {
            scores[i] = scorer.score();
        }
    }
    Ok(scores)
}

/// Best first; equal scores in index order, so the order is the same on every run.
pub fn sort_by_score(found: &mut [Scored]) {
    found.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.address.cmp(&b.address))
    });
}

/// The first passage of the document `path`, scored like `like` (same document part): the
/// passage shown for a document that matched by its title alone.
pub fn first_passage(
    searcher: &Searcher,
    fields: &Fields,
    evidence: &Evidence,
    path: &str,
    like: &Scored,
) -> Result<Option<Scored>> {
    let this = BooleanQuery::new(vec![
        (
            Occur::Must,
            Box::new(TermQuery::new(
                Term::from_field_text(fields.path, path),
                IndexRecordOption::Basic,
            )) as Box<dyn Query>,
        ),
        (
            Occur::Must,
            Box::new(TermQuery::new(
                Term::from_field_u64(fields.passage, 0),
                IndexRecordOption::Basic,
            )),
        ),
    ]);
    let query = BooleanQuery::new(vec![
        (Occur::Must, evidence.query.box_clone()),
        (
            Occur::Must,
            Box::new(ConstScoreQuery::new(Box::new(this), 0.0)),
        ),
    ]);
    let top = searcher
        .search_with_statistics_provider(
            &query,
            &TopDocs::with_limit(1).order_by_score(),
            &KindStatistics::passages(searcher),
        )
        .context("searching")?;
    Ok(top.into_iter().next().map(|(passage, address)| Scored {
        score: passage + like.document,
        passage,
        document: like.document,
        exact: 1.0,
        address,
    }))
}

/// The document key of the passage at `address`.
pub fn doc_key_of(searcher: &Searcher, address: DocAddress) -> u64 {
    fast_u64(searcher, address, count::DOC_KEY)
}

/// The value of the fast field `name` of the document at `address` (0 when it has none).
pub fn fast_u64(searcher: &Searcher, address: DocAddress, name: &str) -> u64 {
    searcher
        .segment_reader(address.segment_ord)
        .fast_fields()
        .u64(name)
        .ok()
        .and_then(|c| c.first(address.doc_id))
        .unwrap_or(0)
}

/// The document-level BM25F scores of the documents with `keys`, by key.
fn document_scores(
    searcher: &Searcher,
    fields: &Fields,
    terms: &[(String, f32)],
    keys: &[u64],
) -> Result<HashMap<u64, f32>> {
    let Some(terms_query) = query::document_query(fields, terms) else {
        return Ok(HashMap::new());
    };
    let mut distinct: Vec<u64> = keys.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    // A union of term look-ups (a term set would stream the whole key dictionary).
    let these = BooleanQuery::new(
        distinct
            .iter()
            .map(|&k| {
                let term = TermQuery::new(
                    Term::from_field_u64(fields.doc_key, k),
                    IndexRecordOption::Basic,
                );
                (Occur::Should, Box::new(term) as Box<dyn Query>)
            })
            .collect(),
    );
    let query = BooleanQuery::new(vec![
        (Occur::Must, terms_query),
        (
            Occur::Must,
            Box::new(ConstScoreQuery::new(Box::new(these), 0.0)),
        ),
    ]);
    let top = searcher
        .search_with_statistics_provider(
            &query,
            &TopDocs::with_limit(distinct.len().max(1)).order_by_score(),
            &KindStatistics::records(searcher),
        )
        .context("searching documents")?;
    Ok(top
        .into_iter()
        .map(|(score, address)| (doc_key_of(searcher, address), score))
        .collect())
}
