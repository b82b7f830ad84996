//! "Did you mean": for a query word that is rare or absent in the index, a close word that is
//! common, as a suggestion only (the query itself is never changed).

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{FuzzyTermQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Term, Value};
use tantivy::tokenizer::TokenStream;
use tantivy::{Searcher, TantivyDocument};

use crate::analysis::{self, Analysis};
use crate::error::{IndexContext, Result};
use crate::index::schema::Fields;
use crate::search::passage_text::PassageTexts;
use crate::search::query_syntax::{Node, Occur};

/// A word is suggested against when it is in at most one passage in this many...
const RARE_ONE_IN: u64 = 1000;
/// ...and a close word is in at least this many times as many (and this many at the least).
const MORE_COMMON: u64 = 10;
const COMMON: u64 = 5;
/// At most this many suggestions for one query (a long pasted text has many rare words).
const MAX_SUGGESTIONS: usize = 3;

/// One suggested correction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// The word as typed.
    pub word: String,
    /// The suggested word.
    pub suggestion: String,
    /// The whole query with the word replaced.
    pub query: String,
}

/// Suggestions for the plain words of `node` (the query `query_text`).
pub fn suggestions(
    searcher: &Searcher,
    fields: &Fields,
    texts: &PassageTexts,
    node: &Node,
    query_text: &str,
) -> Result<Vec<Suggestion>> {
    let mut words = Vec::new();
    plain_words(node, &mut words);
    let passages: u64 = searcher.num_docs();
    let rare = (passages / RARE_ONE_IN).max(2);
    let mut out = Vec::new();
    for word in words {
        if out.len() == MAX_SUGGESTIONS {
            break;
        }
        let terms = analysis::terms(&word);
        let [term] = terms.as_slice() else {
            continue;
        };
        let frequency = |t: &str| searcher.doc_freq(&Term::from_field_text(fields.body, t));
        let own = frequency(term).context("looking up a word")?;
        if own > rare || term.chars().count() < 4 {
            continue;
        }
        let distance = if term.chars().count() >= 8 { 2 } else { 1 };
        let automaton =
            FuzzyTermQuery::new(Term::from_field_text(fields.body, term), distance, true);
        // The most frequent close word (ties: the first in term order).
        let best = crate::search::query::matching_terms(searcher, fields.body, &automaton)?
            .into_iter()
            .filter(|(candidate, _)| candidate != term)
            .fold(None::<(u64, String)>, |best, (candidate, df)| match best {
                Some((d, _)) if d >= df => best,
                _ => Some((df, candidate)),
            });
        let Some((df, candidate)) = best else {
            continue;
        };
        if df < COMMON || df < MORE_COMMON * (own + 1) {
            continue;
        }
        if let Some(surface) = surface_form(searcher, fields, texts, &candidate)? {
            if surface != word.to_lowercase() {
                out.push(Suggestion {
                    query: replace_word(query_text, &word, &surface),
                    word,
                    suggestion: surface,
                });
            }
        }
    }
    Ok(out)
}

/// The positive single words of the query (not phrases, prefixes or fuzzy words).
fn plain_words(node: &Node, out: &mut Vec<String>) {
    match node {
        Node::Term { text, .. } => out.push(text.clone()),
        Node::Bool(clauses) => {
            for clause in clauses.iter().filter(|c| c.occur != Occur::MustNot) {
                plain_words(&clause.node, out);
            }
        }
        _ => {}
    }
}

/// A word of the corpus that analyzes to `term`, lower-cased (index terms are stems).
fn surface_form(
    searcher: &Searcher,
    fields: &Fields,
    texts: &PassageTexts,
    term: &str,
) -> Result<Option<String>> {
    let query = TermQuery::new(
        Term::from_field_text(fields.body, term),
        IndexRecordOption::Basic,
    );
    let top = searcher
        .search(&query, &TopDocs::with_limit(1).order_by_score())
        .context("looking up a word")?;
    let Some((_, address)) = top.into_iter().next() else {
        return Ok(None);
    };
    let doc: TantivyDocument = searcher.doc(address).context("reading a stored passage")?;
    let language = doc.get_first(fields.lang).and_then(|v| v.as_str());
    let mut analyzer = Analysis::of(language.unwrap_or("en")).analyzer();
    let title = crate::index::schema::stored_text(&doc, fields.title);
    let passage = texts.of(searcher, fields, address, &doc)?.text;
    for text in [title, passage].into_iter().flatten() {
        let mut stream = analyzer.token_stream(&text);
        while stream.advance() {
            let token = stream.token();
            if token.text == term {
                return Ok(Some(
                    text[token.offset_from..token.offset_to].to_lowercase(),
                ));
            }
        }
    }
    Ok(None)
}

/// `query` with the first whole-word `word` replaced by `with`.
fn replace_word(query: &str, word: &str, with: &str) -> String {
    let mut start = 0;
    while let Some(i) = query[start..].find(word) {
        let at = start + i;
        let end = at + word.len();
        let before = query[..at].chars().next_back();
        let after = query[end..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        if boundary(before) && boundary(after) {
            return format!("{}{with}{}", &query[..at], &query[end..]);
        }
        start = end;
    }
    query.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_words_only() {
        assert_eq!(
            replace_word("goverment goverments", "goverment", "government"),
            "government goverments"
        );
        assert_eq!(
            replace_word("xgoverment goverment", "goverment", "government"),
            "xgoverment government"
        );
        assert_eq!(replace_word("none", "goverment", "government"), "none");
    }
}
