//! BM25 statistics for each kind of document in the index. Passages and file records share
//! one tantivy index, so tantivy's own counts mix them: a passage field's average length would
//! be divided by passages and records together. This provider counts only the passages, as an
//! engine indexing them apart would. A query word analyzed differently in different languages
//! (`prices` stemmed in English passages, kept whole in others) has one document frequency
//! for all its forms, as one word should.

use std::sync::Mutex;

use rustc_hash::FxHashMap;
use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::{Field, Term};
use tantivy::Searcher;

use crate::search::facts::IndexFacts;

/// BM25 statistics over the passages (fields `body` and `title`).
pub struct PassageStatistics<'a> {
    searcher: &'a Searcher,
    facts: &'a IndexFacts,
    documents: u64,
    /// The document frequencies of terms that are forms of one query word: the sum over the forms.
    word_freqs: FxHashMap<Term, u64>,
    /// The other terms' document frequencies, as looked up: a query's terms are weighed for
    /// its passages, for their documents, for the bonuses and for [`crate::search::top::settle`],
    /// and each look-up reads every segment's term dictionary.
    looked_up: Mutex<FxHashMap<Term, u64>>,
}

impl<'a> PassageStatistics<'a> {
    /// Statistics over the passages only, of the index whose figures are `facts`.
    pub fn passages(searcher: &'a Searcher, facts: &'a IndexFacts) -> PassageStatistics<'a> {
        let all: u64 = searcher
            .segment_readers()
            .iter()
            .map(|s| u64::from(s.max_doc()))
            .sum();
        PassageStatistics {
            searcher,
            facts,
            documents: all.saturating_sub(facts.documents).max(1),
            word_freqs: FxHashMap::default(),
            looked_up: Mutex::default(),
        }
    }

    /// The same statistics, where each of the `forms` of a word (in `fields`) counts the
    /// passages holding any of them.
    pub fn with_word_forms(
        mut self,
        fields: &[Field],
        forms: &[Vec<String>],
    ) -> tantivy::Result<PassageStatistics<'a>> {
        for &field in fields {
            for group in forms {
                let terms: Vec<Term> = group
                    .iter()
                    .map(|t| Term::from_field_text(field, t))
                    .collect();
                let mut total = 0;
                for term in &terms {
                    total += self.searcher.doc_freq(term)?;
                }
                for term in terms {
                    self.word_freqs.insert(term, total);
                }
            }
        }
        Ok(self)
    }
}

impl Bm25StatisticsProvider for PassageStatistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        match self.facts.tokens_of(field) {
            Some(tokens) => Ok(tokens),
            None => Bm25StatisticsProvider::total_num_tokens(self.searcher, field),
        }
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.documents)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        // Never above the document count (tantivy asserts it).
        let freq = match self.word_freqs.get(term) {
            Some(&freq) => freq,
            None => {
                let mut looked_up = self.looked_up.lock().unwrap_or_else(|e| e.into_inner());
                match looked_up.get(term) {
                    Some(&freq) => freq,
                    None => {
                        let freq = self.searcher.doc_freq(term)?;
                        looked_up.insert(term.clone(), freq);
                        freq
                    }
                }
            }
        };
        Ok(freq.min(self.documents))
    }
}
