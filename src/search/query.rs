//! Turning a parsed query ([`crate::search::query_syntax::Node`]) into tantivy queries over loupe's
//! fields, and into the [`Matcher`] that highlights what they matched. Words are analyzed here
//! exactly as the passages were, so stemmed and folded forms meet.
//!
//! One scoring model serves every query: BM25 over a passage's `body` (its title, weighted, and
//! its text: BM25F), plus, for words typed next to each other, an ordered-window bonus for
//! passages where they stand together (the sequential dependence model's ordered pairs). Prefix
//! and fuzzy words expand to the index terms they match, each scored by BM25 and weighted by
//! how close it is to what was typed.

use std::ops::Bound;

use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, FuzzyTermQuery, Occur as TantivyOccur,
    PhraseQuery, Query, RangeQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Term};
use tantivy::tokenizer::{TextAnalyzer, TokenStream};
use tantivy::{DateTime, Searcher};

use crate::analysis::{self, Analysis};
use crate::date::{Date, FIRST_INDEXED, LAST_INDEXED};
use crate::error::{Error, IndexContext, Result};
use crate::index::schema::Fields;
use crate::search::highlight::Matcher;
use crate::search::query_syntax::{Clause, FieldName, Node, Occur};
use crate::search::ranking::{self, Ranking};

/// A query ready to run, with what to highlight.
pub struct CompiledQuery {
    /// The passage query; `None` when the query has no searchable word.
    pub query: Option<Box<dyn Query>>,
    /// The bonuses for neighbouring words standing together (one query per pair), scored
    /// only for the best passages of `query` (they match no passage that `query` does not).
    pub proximity: Vec<Box<dyn Query>>,
    /// The positive analyzed terms with their weights: the query for document-level evidence.
    pub document_terms: Vec<(String, f32)>,
    /// For a query of plain words, how many it is ranked by (stop words left out); else 0.
    pub words: usize,
    /// The forms of each query word that the index's analyses make differently (for one
    /// document frequency per word).
    pub word_forms: Vec<Vec<String>>,
    /// True for a query of plain words without filters: a passage matches exactly when it
    /// holds one of the words, so the numbers of matches can be estimated from their frequencies.
    pub any_word: bool,
    /// What to mark in the passages it returns.
    pub matcher: Matcher,
}

/// At most this many index terms stand in for one prefix or fuzzy word (the most frequent).
const MAX_EXPANSIONS: usize = 64;

/// Weight of an expanded term that is not exactly what was typed: per edit for fuzzy words,
/// once for a prefix's longer completions.
const EXPANSION_DECAY: f32 = 0.5;

/// Compiles `node` for the index behind `searcher`, whose passages are in `languages`
/// ([`crate::index::manifest::languages`]); `filters` (such as date bounds) are added as required clauses.
pub fn compile(
    node: &Node,
    fields: &Fields,
    searcher: &Searcher,
    languages: &[String],
    filters: &[Box<dyn Query>],
    ranking: &Ranking,
) -> Result<CompiledQuery> {
    let mut analyses = analyses_of(languages);
    // `lang:ru москва`: the words analyzed as the filtered languages' passages are.
    let hinted: Vec<Analysis> = required_languages(node)
        .iter()
        .map(|code| Analysis::of(code))
        .collect();
    if !hinted.is_empty() {
        analyses.retain(|a| hinted.contains(a));
        if analyses.is_empty() {
            analyses = hinted;
        }
    }
    let analyses: Vec<(Analysis, Vec<String>)> = analyses
        .into_iter()
        .map(|a| {
            let mine = languages
                .iter()
                .filter(|c| Analysis::of(c) == a)
                .cloned()
                .collect();
            (a, mine)
        })
        .collect();
    let mut compiler = Compiler::new(fields, searcher, ranking, &analyses);
    let any_word = filters.is_empty() && plain_words(node).is_some();
    let query = match plain_words(node) {
        Some(words) => compiler.keywords(&words),
        None => compiler.node(node, None, true)?,
    };
    let proximity = std::mem::take(&mut compiler.proximity);
    if query.is_none() && has_only_exclusions(node) {
        return Err(only_exclusions());
    }
    Ok(CompiledQuery {
        query: query.map(|q| filtered(q, filters)),
        proximity,
        document_terms: merge_weights(compiler.document_terms),
        words: compiler.words,
        word_forms: compiler.word_forms,
        any_word,
        matcher: compiler.matcher,
    })
}

/// The languages a query requires with top-level `lang:` filters (any of them).
fn required_languages(node: &Node) -> Vec<&str> {
    let Node::Bool(clauses) = node else {
        return Vec::new();
    };
    let mut codes = Vec::new();
    for clause in clauses.iter().filter(|c| c.occur == Occur::Must) {
        match &clause.node {
            Node::Lang { code } => codes.push(code.as_str()),
            Node::Bool(inner) if inner.iter().all(|c| matches!(c.node, Node::Lang { .. })) => codes
                .extend(inner.iter().filter_map(|c| match &c.node {
                    Node::Lang { code } => Some(code.as_str()),
                    _ => None,
                })),
            _ => {}
        }
    }
    codes
}

/// The words of a query of plain words (no operators, phrases or fields).
pub(crate) fn plain_words(node: &Node) -> Option<Vec<&str>> {
    let Node::Bool(clauses) = node else {
        return None;
    };
    clauses
        .iter()
        .map(|c| match (&c.occur, &c.node) {
            (Occur::Should, Node::Term { field: None, text }) => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

/// `query`, restricted by the required `filters`.
pub fn filtered(query: Box<dyn Query>, filters: &[Box<dyn Query>]) -> Box<dyn Query> {
    if filters.is_empty() {
        return query;
    }
    let mut clauses = vec![(TantivyOccur::Must, query)];
    clauses.extend(filters.iter().map(|f| (TantivyOccur::Must, f.box_clone())));
    Box::new(BooleanQuery::new(clauses))
}

/// `oil date:2026` means oil, restricted to 2026: when filters are the only required clauses,
/// the optional words become one required group (plain Boolean logic would make them optional).
fn words_required_beside_filters(clauses: &[Clause]) -> Option<Node> {
    let is_filter = |c: &Clause| c.occur == Occur::Must && c.node.is_filter();
    let has_should = clauses.iter().any(|c| c.occur == Occur::Should);
    let has_filter = clauses.iter().any(is_filter);
    let other_must = clauses
        .iter()
        .any(|c| c.occur == Occur::Must && !is_filter(c));
    if !(has_should && has_filter) || other_must {
        return None;
    }
    let (mut required, rest): (Vec<Clause>, Vec<Clause>) =
        clauses.iter().cloned().partition(is_filter);
    required.push(Clause {
        occur: Occur::Must,
        node: Node::Bool(rest),
    });
    Some(Node::Bool(required))
}

/// The error for a query that only excludes words.
pub(crate) fn only_exclusions() -> Error {
    Error::Query("the query only excludes words; add a word to search for (e.g. `oil -gas`)".into())
}

/// True for a query whose every clause excludes.
pub(crate) fn has_only_exclusions(node: &Node) -> bool {
    match node {
        Node::Bool(clauses) => {
            !clauses.is_empty() && clauses.iter().all(|c| c.occur == Occur::MustNot)
        }
        _ => false,
    }
}

/// A required clause restricting passages to dates in `from..=to` (an open end, or both, meaning
/// any date: `date:*` is every dated passage). Bounds beyond the dates the index can hold are
/// brought back to them, which selects the same passages.
pub fn date_filter(fields: &Fields, from: Option<Date>, to: Option<Date>) -> Box<dyn Query> {
    let from = from.unwrap_or(FIRST_INDEXED).max(FIRST_INDEXED);
    let to = to.unwrap_or(LAST_INDEXED).min(LAST_INDEXED);
    if from > to {
        return Box::new(EmptyQuery);
    }
    let term = |d: Date| {
        Term::from_field_date(fields.date, DateTime::from_timestamp_secs(d.unix_seconds()))
    };
    let day_after = Date::from_days_since_epoch(to.days_since_epoch() + 1);
    Box::new(RangeQuery::new(
        Bound::Included(term(from)),
        Bound::Excluded(term(day_after)),
    ))
}

/// The analyses of passages in the languages `codes`, one per language, English first
/// (English alone when there are none).
fn analyses_of(codes: &[String]) -> Vec<Analysis> {
    let mut analyses: std::collections::BTreeSet<Analysis> =
        codes.iter().map(|code| Analysis::of(code)).collect();
    if analyses.is_empty() {
        analyses.insert(Analysis::English);
    }
    analyses.into_iter().collect()
}

/// Analyzed terms with their positions, from 0.
type Sequence = Vec<(usize, String)>;

struct Compiler<'a> {
    fields: &'a Fields,
    searcher: &'a Searcher,
    ranking: &'a Ranking,
    matcher: Matcher,
    document_terms: Vec<(String, f32)>,
    /// The words a query of plain words is ranked by (stop words left out).
    words: usize,
    proximity: Vec<Box<dyn Query>>,
    word_forms: Vec<Vec<String>>,
    /// A query analyzer for each analysis the index's passages went through: a word matches
    /// each passage through that passage's own analysis.
    analyzers: Vec<TextAnalyzer>,
    /// The language codes of each analysis's passages in the index.
    languages: Vec<Vec<String>>,
}

impl<'a> Compiler<'a> {
    fn new(
        fields: &'a Fields,
        searcher: &'a Searcher,
        ranking: &'a Ranking,
        analyses: &[(Analysis, Vec<String>)],
    ) -> Compiler<'a> {
        Compiler {
            fields,
            searcher,
            ranking,
            matcher: Matcher::default(),
            document_terms: Vec::new(),
            words: 0,
            proximity: Vec::new(),
            word_forms: Vec::new(),
            analyzers: analyses.iter().map(|(a, _)| a.query_analyzer()).collect(),
            languages: analyses.iter().map(|(_, codes)| codes.clone()).collect(),
        }
    }

    /// The terms of `word` in every analysis: the first analysis's, then the others' that
    /// differ from them, each with the languages it is restricted to ([`Compiler::only_in`]).
    fn variants(&mut self, word: &str) -> Vec<(String, Option<Vec<String>>)> {
        let mut variants: Vec<(String, Option<Vec<String>>)> = Vec::new();
        for (i, (sequence, producers)) in self.analyze_all(word).into_iter().enumerate() {
            let only = self.only_in(&producers);
            for (_, term) in sequence {
                if i == 0 || !variants.iter().any(|(t, _)| *t == term) {
                    variants.push((term, only.clone()));
                }
            }
        }
        variants
    }

    /// `text` analyzed by each analysis (positions from 0), with the analyses (their places
    /// in `self.analyzers`) that give each sequence. A one-term text with several forms is
    /// noted in `word_forms`.
    fn analyze_all(&mut self, text: &str) -> Vec<(Sequence, Vec<usize>)> {
        let mut sequences: Vec<(Sequence, Vec<usize>)> = Vec::new();
        for (i, analyzer) in self.analyzers.iter_mut().enumerate() {
            let sequence = analyze(analyzer, text);
            match sequences.iter_mut().find(|(s, _)| *s == sequence) {
                Some((_, producers)) => producers.push(i),
                None => sequences.push((sequence, vec![i])),
            }
        }
        if sequences.len() > 1 && sequences.iter().all(|(s, _)| s.len() == 1) {
            let forms: Vec<String> = sequences.iter().map(|(s, _)| s[0].1.clone()).collect();
            if !self.word_forms.contains(&forms) {
                self.word_forms.push(forms);
            }
        }
        sequences
    }

    /// The languages whose passages terms made by the analyses `producers` may match: none
    /// named (all passages) when the first analysis makes them too, else those analyses'
    /// languages. In the one field all passages share, a form only another analysis makes
    /// must not match the first analysis's text: the Dutch stem of `power` is `pow`, and
    /// English passages saying "POW!" are not about power.
    fn only_in(&self, producers: &[usize]) -> Option<Vec<String>> {
        if producers.contains(&0) {
            return None;
        }
        Some(
            producers
                .iter()
                .flat_map(|&i| self.languages[i].iter().cloned())
                .collect(),
        )
    }

    /// `query`, matching only passages in `languages` when given.
    fn restricted(&self, query: Box<dyn Query>, languages: Option<&Vec<String>>) -> Box<dyn Query> {
        let Some(languages) = languages.filter(|l| !l.is_empty()) else {
            return query;
        };
        let codes: Vec<Box<dyn Query>> = languages
            .iter()
            .map(|code| {
                Box::new(TermQuery::new(
                    Term::from_field_text(self.fields.lang, code),
                    IndexRecordOption::Basic,
                )) as Box<dyn Query>
            })
            .collect();
        Box::new(BooleanQuery::new(vec![
            (TantivyOccur::Must, query),
            (
                TantivyOccur::Must,
                Box::new(ConstScoreQuery::new(any_of(codes), 0.0)),
            ),
        ]))
    }

    /// Plain words: each analyzed term once per occurrence, and (in `self.proximity`) for each
    /// two neighbouring words a bonus where they stand together in order. Stop words are left out when the
    /// ranking says so, unless nothing else remains.
    fn keywords(&mut self, words: &[&str]) -> Option<Box<dyn Query>> {
        let content: Vec<&str> = words
            .iter()
            .copied()
            .filter(|w| !ranking::is_stop_word(w))
            .collect();
        let words = if self.ranking.stop_words && !content.is_empty() {
            content
        } else {
            words.to_vec()
        };
        self.words = words.len();
        let variants: Vec<(String, Option<Vec<String>>)> =
            words.iter().flat_map(|w| self.variants(w)).collect();
        if variants.is_empty() {
            return None;
        }
        self.matcher
            .terms
            .extend(variants.iter().map(|(t, _)| t.clone()));
        self.matcher
            .exact
            .extend(words.iter().flat_map(|w| analysis::folded_words(w)));
        let weighted = merge_weights(variants.iter().map(|(t, _)| (t.clone(), 1.0)).collect());
        self.document_terms.extend(weighted.iter().cloned());
        let clauses: Vec<Box<dyn Query>> = weighted
            .iter()
            .map(|(t, w)| {
                let only = variants
                    .iter()
                    .find(|(v, _)| v == t)
                    .and_then(|(_, o)| o.as_ref());
                self.restricted(term_query(self.fields.body, t, *w), only)
            })
            .collect();
        if self.ranking.proximity > 0.0 {
            // Neighbouring terms: every pair of the first analysis (a pair typed twice counts
            // twice), and the pairs other analyses add.
            let mut pairs: Vec<[String; 2]> = Vec::new();
            for (i, analyzer) in self.analyzers.iter_mut().enumerate() {
                let sequence: Vec<String> = words
                    .iter()
                    .flat_map(|w| analyze(analyzer, w).into_iter().map(|(_, t)| t))
                    .collect();
                for pair in sequence.windows(2).filter(|p| p[0] != p[1]) {
                    let pair = [pair[0].clone(), pair[1].clone()];
                    if i == 0 || !pairs.contains(&pair) {
                        pairs.push(pair);
                    }
                }
            }
            for pair in &pairs {
                let offsets = vec![
                    (0, Term::from_field_text(self.fields.body, &pair[0])),
                    (1, Term::from_field_text(self.fields.body, &pair[1])),
                ];
                let near =
                    PhraseQuery::new_with_offset_and_slop(offsets, self.ranking.proximity_window);
                self.proximity
                    .push(boosted(Box::new(near), self.ranking.proximity));
            }
        }
        Some(any_of(clauses))
    }

    /// Compiles one node; `positive` is false under an exclusion.
    fn node(
        &mut self,
        node: &Node,
        field: Option<FieldName>,
        positive: bool,
    ) -> Result<Option<Box<dyn Query>>> {
        match node {
            Node::Bool(clauses) => {
                if let Some(regrouped) = words_required_beside_filters(clauses) {
                    return self.node(&regrouped, field, positive);
                }
                let mut subqueries = Vec::new();
                for clause in clauses {
                    let keep = positive && clause.occur != Occur::MustNot;
                    let alternatives = self.alternatives(&clause.node, field, keep)?;
                    match clause.occur {
                        // Optional clauses are spliced in flat: a union of plain term
                        // queries lets tantivy skip blocks that cannot reach the top hits.
                        Occur::Should => subqueries
                            .extend(alternatives.into_iter().map(|q| (TantivyOccur::Should, q))),
                        Occur::Must if !alternatives.is_empty() => {
                            subqueries.push((TantivyOccur::Must, any_of(alternatives)))
                        }
                        Occur::MustNot if !alternatives.is_empty() => {
                            subqueries.push((TantivyOccur::MustNot, any_of(alternatives)))
                        }
                        // A required word with no match in the index: nothing can match.
                        Occur::Must => subqueries.push((TantivyOccur::Must, Box::new(EmptyQuery))),
                        _ => {}
                    }
                }
                if subqueries.iter().all(|(o, _)| *o == TantivyOccur::MustNot) {
                    return Ok(None);
                }
                if subqueries.len() == 1 && subqueries[0].0 != TantivyOccur::MustNot {
                    return Ok(subqueries.pop().map(|(_, q)| q));
                }
                Ok(Some(Box::new(BooleanQuery::new(subqueries))))
            }
            leaf => {
                let alternatives = self.alternatives(leaf, field, positive)?;
                Ok((!alternatives.is_empty()).then(|| any_of(alternatives)))
            }
        }
    }

    /// The queries any of which matches `node`.
    fn alternatives(
        &mut self,
        node: &Node,
        field: Option<FieldName>,
        positive: bool,
    ) -> Result<Vec<Box<dyn Query>>> {
        Ok(match node {
            Node::Bool(_) => self.node(node, field, positive)?.into_iter().collect(),
            Node::Term { field: f, text } => self.words(text, f.or(field), 0, positive),
            Node::Phrase {
                field: f,
                text,
                slop,
            } => self.words(text, f.or(field), *slop, positive),
            Node::Prefix { field: f, text } => self.prefix(text, f.or(field), positive)?,
            Node::Fuzzy {
                field: f,
                text,
                distance,
            } => self.fuzzy(text, f.or(field), *distance, positive)?,
            Node::DateRange { from, to } => vec![date_filter(self.fields, *from, *to)],
            Node::Path { pattern } => vec![self.path(pattern)?],
            Node::Lang { code } => vec![Box::new(TermQuery::new(
                Term::from_field_text(self.fields.lang, code),
                IndexRecordOption::Basic,
            ))],
        })
    }

    /// The field a clause searches: the title alone when the query names it, else the body
    /// (title and passage text).
    fn target(&self, field: Option<FieldName>) -> Field {
        match field {
            Some(FieldName::Title) => self.fields.title,
            _ => self.fields.body,
        }
    }

    /// A word or a phrase: one term, or the analyzed terms in sequence within `slop`; one
    /// query for each analysis that analyzes it differently.
    fn words(
        &mut self,
        text: &str,
        field: Option<FieldName>,
        slop: u32,
        positive: bool,
    ) -> Vec<Box<dyn Query>> {
        let sequences = self.analyze_all(text);
        if sequences.iter().all(|(s, _)| s.is_empty()) {
            return Vec::new();
        }
        if positive {
            self.matcher.exact.extend(analysis::folded_words(text));
            let mut counted: Vec<&String> = Vec::new();
            for (terms, _) in sequences.iter().filter(|(s, _)| !s.is_empty()) {
                if terms.len() == 1 {
                    self.matcher.terms.insert(terms[0].1.clone());
                } else {
                    self.matcher.phrases.push((terms.clone(), slop));
                }
                for (_, t) in terms {
                    if counted.is_empty() || !counted.contains(&t) {
                        self.document_terms.push((t.clone(), 1.0));
                    }
                }
                counted.extend(terms.iter().map(|(_, t)| t));
            }
        }
        let target = self.target(field);
        sequences
            .iter()
            .filter(|(s, _)| !s.is_empty())
            .map(|(terms, producers)| {
                let only = self.only_in(producers);
                self.restricted(sequence_query(target, terms, slop), only.as_ref())
            })
            .collect()
    }

    /// `prefix*`: every index term that starts with the folded prefix.
    fn prefix(
        &mut self,
        text: &str,
        field: Option<FieldName>,
        positive: bool,
    ) -> Result<Vec<Box<dyn Query>>> {
        let prefix = analysis::fold(text);
        if prefix.is_empty() {
            return Ok(Vec::new());
        }
        let target = self.target(field);
        let exact = analysis::terms(&prefix);
        let weight = |term: &str| {
            if exact.iter().any(|e| e == term) || term == prefix {
                1.0
            } else {
                EXPANSION_DECAY
            }
        };
        let automaton = FuzzyTermQuery::new_prefix(Term::from_field_text(target, &prefix), 0, true);
        let mut expansions = self.expand(target, automaton, &weight)?;
        // Russian stems spell `ё` as `е`, while text of no known language keeps it: `ёлк*`
        // looks for both.
        if prefix.contains('ё') {
            let plain = prefix.replace('ё', "е");
            let automaton =
                FuzzyTermQuery::new_prefix(Term::from_field_text(target, &plain), 0, true);
            for (term, w) in self.expand(target, automaton, &weight)? {
                if !expansions.iter().any(|(t, _)| *t == term) {
                    expansions.push((term, w));
                }
            }
        }
        // Index terms are stems, which can be shorter than the prefix typed: `shipp*` must
        // find `shipped`, indexed as `ship`. Stems the prefix starts with, a letter or two
        // shorter, count too.
        let chars: Vec<char> = prefix.chars().collect();
        for cut in (chars.len().saturating_sub(2)..chars.len()).filter(|&n| n >= 3) {
            let stem: String = chars[..cut].iter().collect();
            let known = self
                .searcher
                .doc_freq(&Term::from_field_text(target, &stem))
                .context("expanding a word")?;
            if known > 0 && !expansions.iter().any(|(t, _)| *t == stem) {
                expansions.push((stem, EXPANSION_DECAY));
            }
        }
        Ok(self.expanded(target, expansions, positive))
    }

    /// `word~N`: every index term within N edits of the word's term.
    fn fuzzy(
        &mut self,
        text: &str,
        field: Option<FieldName>,
        distance: u8,
        positive: bool,
    ) -> Result<Vec<Box<dyn Query>>> {
        let typed: Vec<String> = self
            .analyze_all(text)
            .into_iter()
            .filter_map(|(terms, _)| terms.into_iter().next().map(|(_, t)| t))
            .collect();
        let target = self.target(field);
        let mut expansions: Vec<(String, f32)> = Vec::new();
        for typed in &typed {
            let automaton =
                FuzzyTermQuery::new(Term::from_field_text(target, typed), distance.min(2), true);
            let found = self.expand(target, automaton, &|term: &str| {
                EXPANSION_DECAY.powi(edit_distance(term, typed) as i32)
            })?;
            for (term, weight) in found {
                match expansions.iter_mut().find(|(t, _)| *t == term) {
                    Some((_, w)) => *w = w.max(weight),
                    None => expansions.push((term, weight)),
                }
            }
        }
        Ok(self.expanded(target, expansions, positive))
    }

    /// The index terms of `field` that `automaton` accepts (the most frequent ones), with the
    /// weight `closeness` gives each.
    fn expand(
        &self,
        field: Field,
        automaton: FuzzyTermQuery,
        closeness: &dyn Fn(&str) -> f32,
    ) -> Result<Vec<(String, f32)>> {
        let found = matching_terms(self.searcher, field, &automaton)?;
        let mut found = found;
        found.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        found.truncate(MAX_EXPANSIONS);
        Ok(found
            .into_iter()
            .map(|(term, _)| {
                let weight = closeness(&term);
                (term, weight)
            })
            .collect())
    }

    /// The term queries of `expansions`, each highlighted when `positive`.
    fn expanded(
        &mut self,
        field: Field,
        expansions: Vec<(String, f32)>,
        positive: bool,
    ) -> Vec<Box<dyn Query>> {
        if positive {
            self.matcher
                .terms
                .extend(expansions.iter().map(|(t, _)| t.clone()));
            self.document_terms.extend(expansions.iter().cloned());
        }
        if expansions.is_empty() {
            return Vec::new();
        }
        let clauses = expansions
            .iter()
            .map(|(t, w)| term_query(field, t, *w))
            .collect();
        vec![any_of(clauses)]
    }

    /// A glob over paths (`*` any run, `?` one character); without a wildcard, a path prefix.
    fn path(&self, pattern: &str) -> Result<Box<dyn Query>> {
        let mut regex = String::new();
        for c in pattern.chars() {
            match c {
                '*' => regex.push_str(".*"),
                '?' => regex.push('.'),
                c if c.is_alphanumeric() || c == '/' || c == '_' => regex.push(c),
                c => regex.push_str(&format!("\\x{{{:x}}}", u32::from(c))),
            }
        }
        if !pattern.contains(['*', '?']) {
            regex.push_str(".*");
        }
        RegexQuery::from_pattern(&regex, self.fields.path)
            .map(|q| Box::new(q) as Box<dyn Query>)
            .map_err(|e| Error::Query(format!("path pattern '{pattern}' is not usable: {e}")))
    }
}

/// The index terms of `field` that `automaton` accepts, each with the number of documents
/// holding it (summed over segments), in term order.
pub fn matching_terms(
    searcher: &Searcher,
    field: Field,
    automaton: &FuzzyTermQuery,
) -> Result<Vec<(String, u64)>> {
    let automaton = automaton.automaton().context("expanding a word")?;
    let mut found: std::collections::BTreeMap<String, u64> = Default::default();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field).context("expanding a word")?;
        let mut stream = inverted
            .terms()
            .search(&automaton)
            .into_stream()
            .map_err(tantivy::TantivyError::from)
            .context("expanding a word")?;
        while stream.advance() {
            let term = String::from_utf8_lossy(stream.key()).into_owned();
            *found.entry(term).or_default() += u64::from(stream.value().doc_freq);
        }
    }
    Ok(found.into_iter().collect())
}

/// The terms of `text` by `analyzer`, with positions counted from the first term's.
fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        let t = stream.token();
        out.push((t.position, t.text.clone()));
    }
    if let Some(&(first, _)) = out.first() {
        for (pos, _) in &mut out {
            *pos -= first;
        }
    }
    out
}

/// Terms with their weights added up, in first-seen order.
fn merge_weights(terms: Vec<(String, f32)>) -> Vec<(String, f32)> {
    let mut merged: Vec<(String, f32)> = Vec::new();
    for (term, weight) in terms {
        match merged.iter_mut().find(|(t, _)| *t == term) {
            Some((_, w)) => *w += weight,
            None => merged.push((term, weight)),
        }
    }
    merged
}

/// One analyzed term, or several in sequence (a phrase, within `slop`), in `field`.
fn sequence_query(field: Field, terms: &[(usize, String)], slop: u32) -> Box<dyn Query> {
    if let [(_, term)] = terms {
        return term_query(field, term, 1.0);
    }
    let offsets = terms
        .iter()
        .map(|(p, t)| (*p, Term::from_field_text(field, t)))
        .collect();
    Box::new(PhraseQuery::new_with_offset_and_slop(offsets, slop))
}

fn term_query(field: Field, term: &str, weight: f32) -> Box<dyn Query> {
    let q = TermQuery::new(
        Term::from_field_text(field, term),
        IndexRecordOption::WithFreqs,
    );
    boosted(Box::new(q), weight)
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if boost == 1.0 {
        query
    } else {
        Box::new(BoostQuery::new(query, boost))
    }
}

fn any_of(mut queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if queries.len() == 1 {
        return queries.pop().expect("one query");
    }
    Box::new(BooleanQuery::new(
        queries
            .into_iter()
            .map(|q| (TantivyOccur::Should, q))
            .collect(),
    ))
}

/// Optimal-string-alignment distance between `a` and `b`.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2 = vec![0usize; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0usize; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("goverment", "government"), 1);
        assert_eq!(edit_distance("oil", "oil"), 0);
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn weights_add_up_in_order() {
        let merged = merge_weights(vec![
            ("a".into(), 1.0),
            ("b".into(), 0.5),
            ("a".into(), 1.0),
        ]);
        assert_eq!(merged, [("a".to_string(), 2.0), ("b".to_string(), 0.5)]);
    }
}
