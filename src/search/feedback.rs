//! Pseudo-relevance feedback, RM3 (Lavrenko & Croft 2001; Abdul-Jaleel et al. 2004): the best
//! passages of a first search suggest more words, each weighted by how much of those passages
//! it makes up and how well each passage matched. The expanded query still requires one of the
//! query's own words, so feedback reorders the matches and never adds a passage without them.

use std::collections::{HashMap, HashSet};

use tantivy::query::{BoostQuery, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Term, Value};
use tantivy::{Searcher, TantivyDocument};

use crate::analysis::{self, Analysis};
use crate::error::{IndexContext, Result};
use crate::index::schema::{self, Fields};
use crate::search::ranking::{self, Ranking};
use crate::search::scoring::{Evidence, Scored};

/// Passages of the first search that feedback learns from.
pub const FEEDBACK_PASSAGES: usize = 10;

/// The expansion terms learnt from the `best` passages of `evidence`'s query, with their
/// weights: a relevance model (RM1) of those passages, its words together weighing
/// [`Ranking::feedback_weight`] query words (so a long query leans on feedback less than a
/// short one), the query's own words left out.
pub fn expansion(
    searcher: &Searcher,
    fields: &Fields,
    best: &[Scored],
    evidence: &Evidence,
) -> Result<Vec<(String, f32)>> {
    let ranking = evidence.ranking;
    let mut passages = Vec::with_capacity(best.len());
    for scored in best {
        let doc: TantivyDocument = searcher
            .doc(scored.address)
            .context("reading a stored passage")?;
        let language = doc.get_first(fields.lang).and_then(|v| v.as_str());
        let analysis = Analysis::of(language.unwrap_or("en"));
        let mut text = schema::stored_text(&doc, fields.title).unwrap_or_default();
        text.push('\n');
        let passage = evidence.texts.of(searcher, fields, scored.address, &doc)?;
        text.push_str(passage.text.as_deref().unwrap_or_default());
        passages.push((scored.score, analysis::query_terms(analysis, &text)));
    }
    let own: HashSet<&str> = evidence
        .document_terms
        .iter()
        .map(|(t, _)| t.as_str())
        .collect();
    let terms = relevance_model(&passages, &own, ranking.feedback_terms);
    Ok(terms
        .into_iter()
        .map(|(t, p)| (t, p * ranking.feedback_weight))
        .collect())
}

/// The expansion terms as queries over passages, one per term, each boosted by its weight.
pub fn expansion_queries(fields: &Fields, expansion: &[(String, f32)]) -> Vec<Box<dyn Query>> {
    expansion
        .iter()
        .map(|(term, weight)| {
            let q = TermQuery::new(
                Term::from_field_text(fields.body, term),
                IndexRecordOption::WithFreqs,
            );
            Box::new(BoostQuery::new(Box::new(q), *weight)) as Box<dyn Query>
        })
        .collect()
}

/// RM1 over feedback passages given as their scores and analyzed terms: a term's weight is
/// the sum over passages of its share of the passage's terms times the passage's share of the
/// total score. Terms in `exclude`, stop words, numbers and terms of one or two letters are
/// left out. At most `max_terms`, weights summing to 1, best first.
pub fn relevance_model(
    passages: &[(f32, Vec<String>)],
    exclude: &HashSet<&str>,
    max_terms: usize,
) -> Vec<(String, f32)> {
    // P(Q|D) ∝ exp(score): a BM25 score read as a log-likelihood ratio.
    let best = passages.iter().map(|(s, _)| *s).fold(f32::MIN, f32::max);
    let likelihoods: Vec<f32> = passages.iter().map(|(s, _)| (s - best).exp()).collect();
    let total_score: f32 = likelihoods.iter().sum();
    if passages.is_empty() || max_terms == 0 {
        return Vec::new();
    }
    let stop_stems: HashSet<String> = ranking::STOP_WORDS
        .iter()
        .flat_map(|w| analysis::terms(w))
        .collect();
    let mut weights: HashMap<&str, f32> = HashMap::new();
    for ((_, terms), likelihood) in passages.iter().zip(&likelihoods) {
        if terms.is_empty() {
            continue;
        }
        let per_term = likelihood / total_score / terms.len() as f32;
        for term in terms {
            *weights.entry(term.as_str()).or_default() += per_term;
        }
    }
    let mut ranked: Vec<(String, f32)> = weights
        .into_iter()
        .filter(|(t, _)| {
            t.chars().count() > 2
                && !t.chars().all(|c| c.is_ascii_digit())
                && !exclude.contains(*t)
                && !stop_stems.contains(*t)
        })
        .map(|(t, w)| (t.to_string(), w))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(max_terms);
    let sum: f32 = ranked.iter().map(|(_, w)| w).sum();
    if !sum.is_normal() {
        return Vec::new();
    }
    for (_, w) in &mut ranked {
        *w /= sum;
    }
    ranked
}

/// True when `ranking` expands a query of plain words ranked by `words` of them: a
/// description, not keywords or a headline.
pub fn applies(ranking: &Ranking, words: usize) -> bool {
    ranking.feedback_terms > 0
        && ranking.feedback_weight > 0.0
        && words >= ranking.feedback_min_words.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn frequent_terms_of_good_passages_win() {
        let passages = vec![
            (3.0, terms("wing flutter flutter model the")),
            (1.0, terms("wing panel noise")),
        ];
        let exclude: HashSet<&str> = ["wing"].into();
        let expansion = relevance_model(&passages, &exclude, 2);
        assert_eq!(expansion[0].0, "flutter");
        assert_eq!(expansion.len(), 2);
        assert!((expansion.iter().map(|(_, w)| w).sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(expansion.iter().all(|(t, _)| t != "wing" && t != "the"));
    }

    #[test]
    fn a_clear_best_match_speaks_loudest() {
        // Weighted by exp(score): 5 points ahead is about 150 times the weight.
        let passages = vec![
            (10.0, terms("engine gearbox")),
            (5.0, terms("jungle prey")),
            (5.0, terms("jungle night")),
        ];
        let expansion = relevance_model(&passages, &HashSet::new(), 3);
        assert_eq!(expansion[0].0, "engine");
        let weight = |t: &str| expansion.iter().find(|(w, _)| w == t).map(|(_, w)| *w);
        assert!(weight("engine").unwrap() > 50.0 * weight("jungle").unwrap_or(0.0));
    }

    #[test]
    fn scores_far_below_the_best_add_nothing_and_break_nothing() {
        let passages = vec![(0.0, Vec::new()), (-500.0, terms("jungle prey"))];
        let expansion = relevance_model(&passages, &HashSet::new(), 3);
        assert!(
            expansion.iter().all(|(_, w)| w.is_finite()),
            "{expansion:?}"
        );
    }

    #[test]
    fn nothing_from_nothing() {
        assert!(relevance_model(&[], &HashSet::new(), 10).is_empty());
        assert!(relevance_model(&[(0.0, terms("a b"))], &HashSet::new(), 10).is_empty());
    }
}
