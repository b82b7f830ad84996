//! Pseudo-relevance feedback (RM3-style query expansion) for long natural-language queries:
//! the best passages of a first search suggest further terms, weighted by how often they occur
//! in those passages and how well each passage matched. Only the arithmetic lives here; the
//! searches are [`crate::search`]'s.

use std::collections::{HashMap, HashSet};

/// Expansion terms from feedback passages, each given as its score and its analyzed terms.
/// A term's weight is the sum over passages of its share of the passage's terms times the
/// passage's share of the total score; terms in `exclude`, stop words, numbers and one- or
/// two-letter terms are left out. Returns at most `max_terms`, weights summing to 1.
pub fn expansion_terms(
    passages: &[(f32, Vec<String>)],
    exclude: &HashSet<String>,
    max_terms: usize,
) -> Vec<(String, f32)> {
    let total_score: f32 = passages.iter().map(|(s, _)| s.max(0.0)).sum();
    if total_score <= 0.0 || max_terms == 0 {
        return Vec::new();
    }
    let stop_stems: HashSet<String> = crate::ranking::STOP_WORDS
        .iter()
        .flat_map(|w| crate::analysis::terms(w))
        .collect();
    let mut weights: HashMap<&str, f32> = HashMap::new();
    for (score, terms) in passages {
        if terms.is_empty() {
            continue;
        }
        let passage_weight = score.max(0.0) / total_score;
        let per_term = passage_weight / terms.len() as f32;
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
    if sum > 0.0 {
        for (_, w) in &mut ranked {
            *w /= sum;
        }
    }
    ranked
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
        let exclude: HashSet<String> = ["wing".to_string()].into();
        let expansion = expansion_terms(&passages, &exclude, 2);
        assert_eq!(expansion[0].0, "flutter");
        assert_eq!(expansion.len(), 2);
        assert!((expansion.iter().map(|(_, w)| w).sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(expansion.iter().all(|(t, _)| t != "wing" && t != "the"));
    }

    #[test]
    fn nothing_from_nothing() {
        assert!(expansion_terms(&[], &HashSet::new(), 10).is_empty());
        assert!(expansion_terms(&[(0.0, terms("a b"))], &HashSet::new(), 10).is_empty());
    }
}
