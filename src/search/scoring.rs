//! Scoring passages: each passage's BM25F match (title and text), plus its document's BM25F
//! weighted by [`Ranking::document_weight`] (passage and document evidence together, after
//! Callan 1994), computed exactly for the documents of the best passages.

use std::cell::OnceCell;

use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
use tantivy::collector::TopDocs;
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Term};
use tantivy::{DocAddress, Order, Searcher};

use crate::error::{IndexContext, Result};
use crate::index::schema::Fields;
use crate::search::count::{self, PassagesAndDocuments, Totals};
use crate::search::document;
use crate::search::facts::IndexFacts;
use crate::search::feedback;
use crate::search::passage_text::PassageTexts;
use crate::search::ranking::Ranking;
use crate::search::statistics::PassageStatistics;
use crate::search::top;

/// What a passage's score is made of.
pub struct Evidence<'a> {
    /// The passage query.
    pub query: &'a dyn Query,
    /// The nearness bonuses (one query per pair of words), scored for the best passages only.
    pub proximity: &'a [Box<dyn Query>],
    /// The terms whose document-level BM25F adds to a passage's score.
    pub document_terms: &'a [(String, f32)],
    /// The query is plain words, any of which matches ([`crate::search::query::CompiledQuery::any_word`]):
    /// its numbers of matches can be estimated from the words' frequencies.
    pub any_word: bool,
    /// The forms one query word takes in the index's analyses, where they differ: each
    /// word's forms share one document frequency ([`PassageStatistics::with_word_forms`]).
    pub word_forms: &'a [Vec<String>],
    /// The ranking's parameters.
    pub ranking: &'a Ranking,
    /// Figures about the whole index.
    pub facts: &'a IndexFacts,
    /// The documents' average length in terms, for their BM25F.
    pub document_length: f32,
    /// Re-score the best passages with pseudo-relevance feedback ([`feedback`]).
    pub feedback: bool,
    /// Where the passages' text is read from (feedback learns from it).
    pub texts: &'a PassageTexts,
}

/// A passage with its score and the score's parts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    /// The whole score: `(passage + document + feedback) × exact`.
    pub score: f32,
    /// The passage's own BM25F (with the nearness bonus).
    pub passage: f32,
    /// Its document's BM25F, weighted.
    pub document: f32,
    /// What the words added by pseudo-relevance feedback score, in the passage and its document.
    pub feedback: f32,
    /// The factor for words found exactly as typed (1 when none, or not applied).
    pub exact: f32,
    /// Whether the bonuses re-ranked it ([`Ranking::rescored`]); the passages past those are
    /// scored by their words alone.
    pub rescored: bool,
    /// Its document's key ([`count::doc_key`]), which orders equal scores ([`top::result_order`]).
    pub key: u64,
    /// Where the passage is.
    pub address: DocAddress,
}

impl Scored {
    /// Sets the exact-form factor for a passage holding `share` of the query words as typed;
    /// a passage past the re-ranked ones keeps its words' score.
    pub fn with_exact_share(mut self, share: f32, ranking: &Ranking) -> Scored {
        if self.rescored {
            self.exact = 1.0 + ranking.exact_form * share;
            self.score = self.sum() * self.exact;
        }
        self
    }

    /// The highest score the exact-form factor can give it, ordered as a result: a passage
    /// that sorts after a page's last hit by this cannot be on the page.
    pub fn best_possible(&self, ranking: &Ranking) -> Scored {
        let mut best = *self;
        if self.rescored {
            best.score = self.sum() * (1.0 + ranking.exact_form.max(0.0));
        }
        best
    }

    /// The parts added up, before the exact-form factor.
    fn sum(&self) -> f32 {
        self.passage + self.document + self.feedback
    }

    /// Result order ([`top::result_order`]).
    pub fn result_order(&self, other: &Scored) -> std::cmp::Ordering {
        top::result_order(&self.found(), &other.found())
    }

    fn found(&self) -> top::Found {
        top::Found {
            score: self.score,
            key: self.key,
            address: self.address,
        }
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

/// How matches are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Counting {
    /// Not at all.
    None,
    /// Exactly.
    #[default]
    Exact,
    /// Exactly, except for queries of several plain words, whose numbers are estimated from
    /// the words' frequencies (as if they occurred independently): counting exactly would read
    /// every posting of every word.
    Estimate,
}

/// The passages' BM25 statistics for `evidence`'s query.
fn statistics<'a>(
    searcher: &'a Searcher,
    fields: &Fields,
    evidence: &Evidence<'a>,
) -> Result<PassageStatistics<'a>> {
    PassageStatistics::passages(searcher, evidence.facts)
        .with_word_forms(&[fields.body, fields.title], evidence.word_forms)
        .context("searching")
}

/// The best passages of a query.
pub struct Ranked {
    /// The passages, in result order.
    pub passages: Vec<Scored>,
    /// The numbers of matching passages and documents, when counted.
    pub totals: Option<Totals>,
    /// The terms pseudo-relevance feedback added, with their weights (empty when it did not
    /// apply).
    pub feedback: Vec<(String, f32)>,
}

/// The first `want` passages in result order, with the numbers of matching passages and
/// documents when `count`.
pub fn ranked(
    searcher: &Searcher,
    fields: &Fields,
    evidence: &Evidence,
    sort: SortOrder,
    want: usize,
    counting: Counting,
) -> Result<Ranked> {
    let count = counting != Counting::None;
    let query = evidence.query;
    let passages = statistics(searcher, fields, evidence)?;
    let plain = |top::Found {
                     score,
                     key,
                     address,
                 }| Scored {
        score,
        passage: score,
        document: 0.0,
        feedback: 0.0,
        exact: 1.0,
        rescored: false,
        key,
        address,
    };
    if sort == SortOrder::Date {
        // Newest first; among passages of one day, the best match first, then as in
        // [`top::result_order`].
        let collector = TopDocs::with_limit(want).order_by((
            (
                SortByStaticFastValue::<tantivy::DateTime>::for_field("date"),
                Order::Desc,
            ),
            (SortBySimilarityScore, Order::Desc),
            (
                SortByStaticFastValue::<u64>::for_field(count::DOC_KEY),
                Order::Asc,
            ),
        ));
        let (top, total) = searcher
            .search_with_statistics_provider(query, &(collector, PassagesAndDocuments), &passages)
            .context("searching")?;
        let found = top
            .into_iter()
            .map(|((_, score, key), address)| {
                plain(top::Found {
                    score,
                    key: key.unwrap_or(0),
                    address,
                })
            })
            .collect();
        return Ok(Ranked {
            passages: found,
            totals: Some(total),
            feedback: Vec::new(),
        });
    }
    let weight = evidence.ranking.document_weight;
    let rescoring = weight > 0.0 || !evidence.proximity.is_empty() || evidence.feedback;
    let depth = if rescoring {
        evidence.ranking.rescored
    } else {
        0
    };
    let pool = want.max(depth);
    // The best passages by their words alone; the bonuses re-rank the first `depth`. Plain
    // words are ranked in a pass that lets tantivy skip blocks of weak matches, and counted
    // (or their numbers estimated) apart, without scoring; other queries (phrases above all)
    // are counted in the ranking pass, so that they are evaluated once.
    let (top, total) = if count && !evidence.any_word {
        let collector = top::BestPassages::new(query, pool);
        let (mut top, total) = searcher
            .search_with_statistics_provider(query, &(collector, PassagesAndDocuments), &passages)
            .context("searching")?;
        top::settle(searcher, query, &passages, &mut top, pool)?;
        (top, Some(total))
    } else {
        let top = top::best_passages(searcher, query, &passages, pool)?;
        let total = if !count {
            None
        } else if let Some(estimate) = (counting == Counting::Estimate)
            .then(|| estimated_totals(fields, evidence, &passages))
            .transpose()?
            .flatten()
        {
            Some(estimate)
        } else {
            Some(
                searcher
                    .search(query, &PassagesAndDocuments)
                    .context("counting")?,
            )
        };
        (top, total)
    };
    let mut all: Vec<Scored> = top.into_iter().map(plain).collect();
    let past = all.split_off(depth.min(all.len()));
    let mut found = all;
    let bonus = Bonus {
        searcher,
        fields,
        evidence,
        passages: &passages,
    };
    let bonuses = bonus.scores(&found, evidence.proximity, evidence.document_terms)?;
    for (scored, (passage, document)) in found.iter_mut().zip(bonuses) {
        scored.passage += passage;
        scored.document += document;
        scored.score = scored.sum();
        scored.rescored = true;
    }
    sort_by_score(&mut found);
    let mut expansion = Vec::new();
    if evidence.feedback && !found.is_empty() {
        let best = &found[..found.len().min(feedback::FEEDBACK_PASSAGES)];
        expansion = feedback::expansion(searcher, fields, best, evidence)?;
        if !expansion.is_empty() {
            let queries = feedback::expansion_queries(fields, &expansion);
            let bonuses = bonus.scores(&found, &queries, &expansion)?;
            for (scored, (passage, document)) in found.iter_mut().zip(bonuses) {
                scored.feedback = passage + document;
                scored.score = scored.sum();
            }
            sort_by_score(&mut found);
        }
    }
    // The bonuses only add, so the re-ranked passages all score at least as much as the rest.
    found.extend(past);
    found.truncate(want);
    Ok(Ranked {
        passages: found,
        totals: total,
        feedback: expansion,
    })
}

/// What adds to the scores of the best passages: a query scored on those passages alone, and
/// the same terms' document-level BM25F.
struct Bonus<'a> {
    searcher: &'a Searcher,
    fields: &'a Fields,
    evidence: &'a Evidence<'a>,
    passages: &'a PassageStatistics<'a>,
}

impl Bonus<'_> {
    /// For each passage of `found`: the sum of `passage_queries`' scores of it, and the
    /// document-level BM25F of `document_terms` for its document, weighted by
    /// [`Ranking::document_weight`].
    fn scores(
        &self,
        found: &[Scored],
        passage_queries: &[Box<dyn Query>],
        document_terms: &[(String, f32)],
    ) -> Result<Vec<(f32, f32)>> {
        let mut scores = vec![(0.0, 0.0); found.len()];
        if found.is_empty() {
            return Ok(scores);
        }
        let addresses: Vec<DocAddress> = found.iter().map(|s| s.address).collect();
        for query in passage_queries {
            let bonus = top::scores_at(self.searcher, query.as_ref(), self.passages, &addresses)?;
            for (score, bonus) in scores.iter_mut().zip(bonus) {
                score.0 += bonus;
            }
        }
        let weight = self.evidence.ranking.document_weight;
        if weight > 0.0 {
            let doc_keys: Vec<(u64, u32)> = found
                .iter()
                .map(|s| (s.key, s.address.segment_ord))
                .collect();
            let documents = document::document_scores(
                self.searcher,
                self.fields,
                self.passages,
                self.evidence.document_length,
                document_terms,
                &doc_keys,
            )?;
            for (score, (key, _)) in scores.iter_mut().zip(&doc_keys) {
                score.1 = weight * documents.get(key).copied().unwrap_or(0.0);
            }
        }
        Ok(scores)
    }
}

/// For a query of several plain words, the numbers of matching passages and documents
/// estimated from each word's frequency, as if the words occurred independently: a share
/// `1 − Π(1 − df/n)` of the passages, and of the documents `1 − (1 − share)^p` for their `p`
/// passages on average. `None` for a single word, which is counted exactly.
fn estimated_totals(
    fields: &Fields,
    evidence: &Evidence,
    passages: &PassageStatistics,
) -> Result<Option<Totals>> {
    use tantivy::query::Bm25StatisticsProvider;
    if evidence.document_terms.len() < 2 {
        return Ok(None);
    }
    let n = passages.total_num_docs().context("counting")? as f64;
    let mut none = 1.0;
    for (term, _) in evidence.document_terms {
        let df = passages
            .doc_freq(&Term::from_field_text(fields.body, term))
            .context("counting")? as f64;
        none *= 1.0 - (df / n).min(1.0);
    }
    let documents = evidence.facts.documents as f64;
    let per_document = (n / documents).max(1.0);
    Ok(Some(Totals {
        passages: (n * (1.0 - none)).round() as usize,
        documents: (documents * (1.0 - none.powf(per_document))).round() as usize,
        estimated: true,
    }))
}

/// Best first, equal scores in [`top::result_order`].
pub fn sort_by_score(found: &mut [Scored]) {
    found.sort_by(Scored::result_order);
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
            &statistics(searcher, fields, evidence)?,
        )
        .context("searching")?;
    Ok(top.into_iter().next().map(|(passage, address)| Scored {
        score: passage + like.document + like.feedback,
        passage,
        document: like.document,
        feedback: like.feedback,
        exact: 1.0,
        rescored: like.rescored,
        key: like.key,
        address,
    }))
}

/// The content hashes of candidate passages (equal for documents with the same text), their
/// column opened once per segment when first needed.
pub struct Columns<'a> {
    searcher: &'a Searcher,
    content: Vec<OnceCell<Option<Column<u64>>>>,
}

impl<'a> Columns<'a> {
    /// The columns of the index behind `searcher`.
    pub fn new(searcher: &'a Searcher) -> Columns<'a> {
        let segments = searcher.segment_readers().len();
        Columns {
            searcher,
            content: (0..segments).map(|_| OnceCell::new()).collect(),
        }
    }

    /// The content hash of the passage at `address`.
    pub fn content(&self, at: DocAddress) -> u64 {
        let column = self.content[at.segment_ord as usize].get_or_init(|| {
            self.searcher
                .segment_reader(at.segment_ord)
                .fast_fields()
                .u64("content_hash")
                .ok()
        });
        column
            .as_ref()
            .and_then(|c| c.first(at.doc_id))
            .unwrap_or(0)
    }
}
