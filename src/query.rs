//! Turning a parsed query ([`crate::query_syntax::Node`]) into a tantivy query over loupe's
//! fields, and into the [`Matcher`] that highlights what it matched. Words are analyzed here
//! exactly as the passages were, so stemmed and folded forms meet.

use std::ops::Bound;

use tantivy::query::{
    BooleanQuery, BoostQuery, FuzzyTermQuery, Occur as TantivyOccur, PhraseQuery, Query,
    RangeQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Term};
use tantivy::tokenizer::{TextAnalyzer, TokenStream};
use tantivy::DateTime;

use crate::analysis;
use crate::date::Date;
use crate::error::{Error, Result};
use crate::highlight::Matcher;
use crate::query_syntax::{Clause, FieldName, Node, Occur};
use crate::ranking::{self, Ranking};
use crate::schema::Fields;

/// A query ready to run, with what to highlight.
pub struct CompiledQuery {
    /// The tantivy query; `None` when the query has no searchable word.
    pub query: Option<Box<dyn Query>>,
    /// For a short keyword query (two to four words), the same words all required: passages
    /// matching it are ranked above those that hold only some of the words.
    pub strict: Option<Box<dyn Query>>,
    /// What to mark in the passages it returns.
    pub matcher: Matcher,
    /// For a long natural-language query, its analyzed terms in order (the input of query
    /// expansion).
    pub natural: Option<Vec<String>>,
}

/// A natural-language query: each of `terms` counts once per occurrence, each `expansion`
/// term with its weight, in text and title; with `ranking.proximity`, consecutive `terms`
/// found near each other in the text count extra.
pub fn natural_language(
    fields: &Fields,
    ranking: &Ranking,
    terms: &[String],
    expansion: &[(String, f32)],
) -> Box<dyn Query> {
    let mut weights: Vec<(String, f32)> = Vec::new();
    for (term, weight) in terms
        .iter()
        .map(|t| (t, 1.0))
        .chain(expansion.iter().map(|(t, w)| (t, *w)))
    {
        match weights.iter_mut().find(|(t, _)| t == term) {
            Some((_, w)) => *w += weight,
            None => weights.push((term.clone(), weight)),
        }
    }
    let term_query = |field: Field, term: &str, boost: f32| {
        let q = TermQuery::new(
            Term::from_field_text(field, term),
            IndexRecordOption::WithFreqs,
        );
        boosted(Box::new(q), boost)
    };
    let mut clauses: Vec<Box<dyn Query>> = Vec::new();
    let mut title_boosters = Vec::new();
    for (term, weight) in &weights {
        clauses.push(term_query(fields.text, term, *weight));
        title_boosters.push(term_query(fields.title, term, ranking.title_boost * weight));
    }
    if ranking.proximity > 0.0 {
        for pair in terms.windows(2).filter(|p| p[0] != p[1]) {
            let offsets = vec![
                (0, Term::from_field_text(fields.text, &pair[0])),
                (1, Term::from_field_text(fields.text, &pair[1])),
            ];
            let near = PhraseQuery::new_with_offset_and_slop(offsets, ranking.proximity_window);
            clauses.push(boosted(Box::new(near), ranking.proximity));
        }
    }
    with_title_boosters(any_of(clauses), title_boosters)
}

/// `query`, with `boosters` (title matches) adding to the score of the passages it matches:
/// a passage is found by its own text, and ranks higher when its article's title matches too.
fn with_title_boosters(query: Box<dyn Query>, boosters: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if boosters.is_empty() {
        return query;
    }
    let mut clauses = vec![(TantivyOccur::Must, query)];
    clauses.extend(boosters.into_iter().map(|b| (TantivyOccur::Should, b)));
    Box::new(BooleanQuery::new(clauses))
}

/// Keyword queries with this many words or fewer prefer passages holding all of them.
const MAX_STRICT_WORDS: usize = 4;

/// Compiles `node`; `filters` (such as date bounds) are added as required clauses.
pub fn compile(
    node: &Node,
    fields: &Fields,
    filters: &[Box<dyn Query>],
    ranking: &Ranking,
) -> Result<CompiledQuery> {
    let mut compiler = Compiler::new(fields, ranking);
    let natural = natural_language_words(node, ranking).map(|words| {
        let terms: Vec<String> = words.iter().flat_map(|w| analysis::terms(w)).collect();
        compiler.matcher.terms.extend(terms.iter().cloned());
        terms
    });
    let query = match &natural {
        Some(terms) if !terms.is_empty() => Some(natural_language(fields, ranking, terms, &[])),
        Some(_) => None,
        None => compiler
            .node(node, None, true)?
            .map(|q| with_title_boosters(q, std::mem::take(&mut compiler.title_boosters))),
    };
    if query.is_none() && has_only_exclusions(node) {
        return Err(Error::Query(
            "the query only excludes words; add a word to search for (e.g. `oil -gas`)".into(),
        ));
    }
    let strict = match all_words_required(node) {
        Some(words) => Compiler::new(fields, ranking).required_words(words)?,
        None => None,
    };
    let with_filters = |q: Option<Box<dyn Query>>| q.map(|q| filtered(q, filters));
    Ok(CompiledQuery {
        query: with_filters(query),
        strict: with_filters(strict),
        matcher: compiler.matcher,
        natural,
    })
}

/// The words of a long query of plain words (no operators, phrases or fields), with stop words
/// removed when the ranking says so (unless nothing would remain).
fn natural_language_words(node: &Node, ranking: &Ranking) -> Option<Vec<String>> {
    let Node::Bool(clauses) = node else {
        return None;
    };
    let words: Vec<String> = clauses
        .iter()
        .map(|c| match (&c.occur, &c.node) {
            (Occur::Should, Node::Term { field: None, text }) => Some(text.clone()),
            _ => None,
        })
        .collect::<Option<_>>()?;
    if words.len() < ranking.long_query_words {
        return None;
    }
    let content: Vec<String> = words
        .iter()
        .filter(|w| !ranking::is_stop_word(w))
        .cloned()
        .collect();
    Some(if ranking.stop_words && !content.is_empty() {
        content
    } else {
        words
    })
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

/// For a short query of plain words and phrases, the words and phrases to require.
fn all_words_required(node: &Node) -> Option<Vec<&Node>> {
    let Node::Bool(clauses) = node else {
        return None;
    };
    let words_only = clauses.iter().all(|c| {
        c.occur == Occur::Should
            && matches!(
                c.node,
                Node::Term { .. } | Node::Phrase { .. } | Node::Prefix { .. } | Node::Fuzzy { .. }
            )
    });
    (words_only && (2..=MAX_STRICT_WORDS).contains(&clauses.len()))
        .then(|| clauses.iter().map(|c| &c.node).collect())
}

/// `oil date:2026` means oil, restricted to 2026: when filters are the only required clauses,
/// the optional words become one required group (plain Boolean logic would make them optional).
fn words_required_beside_filters(clauses: &[Clause]) -> Option<Node> {
    let is_filter = |c: &Clause| {
        c.occur == Occur::Must && matches!(c.node, Node::DateRange { .. } | Node::Path { .. })
    };
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

fn has_only_exclusions(node: &Node) -> bool {
    match node {
        Node::Bool(clauses) => {
            !clauses.is_empty() && clauses.iter().all(|c| c.occur == Occur::MustNot)
        }
        _ => false,
    }
}

/// A required clause restricting passages to dates in `from..=to`.
pub fn date_filter(fields: &Fields, from: Option<Date>, to: Option<Date>) -> Box<dyn Query> {
    let term = |d: Date| {
        Term::from_field_date(fields.date, DateTime::from_timestamp_secs(d.unix_seconds()))
    };
    let lower = from.map_or(Bound::Unbounded, |d| Bound::Included(term(d)));
    let upper = to.map_or(Bound::Unbounded, |d| {
        Bound::Excluded(term(Date::from_days_since_epoch(d.days_since_epoch() + 1)))
    });
    Box::new(RangeQuery::new(lower, upper))
}

struct Compiler<'a> {
    fields: &'a Fields,
    ranking: &'a Ranking,
    /// Title queries for the positive words, added to the final query as score boosters.
    title_boosters: Vec<Box<dyn Query>>,
    matcher: Matcher,
    analyzer: TextAnalyzer,
}

impl<'a> Compiler<'a> {
    fn new(fields: &'a Fields, ranking: &'a Ranking) -> Compiler<'a> {
        Compiler {
            fields,
            ranking,
            title_boosters: Vec::new(),
            matcher: Matcher::default(),
            analyzer: analysis::analyzer(),
        }
    }

    /// Compiles one node; `highlight` is false under an exclusion.
    fn node(
        &mut self,
        node: &Node,
        field: Option<FieldName>,
        highlight: bool,
    ) -> Result<Option<Box<dyn Query>>> {
        match node {
            Node::Bool(clauses) => {
                if let Some(regrouped) = words_required_beside_filters(clauses) {
                    return self.node(&regrouped, field, highlight);
                }
                let mut subqueries = Vec::new();
                for clause in clauses {
                    let positive = clause.occur != Occur::MustNot;
                    let alternatives =
                        self.alternatives(&clause.node, field, highlight && positive)?;
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
                let alternatives = self.alternatives(leaf, field, highlight)?;
                Ok((!alternatives.is_empty()).then(|| any_of(alternatives)))
            }
        }
    }

    /// Every one of `words` required in the passage text, a title match adding to the score.
    /// (Required text terms intersect quickly; required "text or title" unions do not.)
    fn required_words(&mut self, words: Vec<&Node>) -> Result<Option<Box<dyn Query>>> {
        let mut clauses: Vec<(TantivyOccur, Box<dyn Query>)> = Vec::new();
        for word in words {
            let single_term = match word {
                Node::Term { field: None, text } => {
                    let terms = self.analyze(text);
                    (terms.len() == 1).then(|| terms[0].1.clone())
                }
                _ => None,
            };
            match single_term {
                Some(term) => {
                    let in_text = TermQuery::new(
                        Term::from_field_text(self.fields.text, &term),
                        IndexRecordOption::WithFreqs,
                    );
                    let in_title = TermQuery::new(
                        Term::from_field_text(self.fields.title, &term),
                        IndexRecordOption::WithFreqs,
                    );
                    clauses.push((TantivyOccur::Must, Box::new(in_text)));
                    clauses.push((
                        TantivyOccur::Should,
                        boosted(Box::new(in_title), self.ranking.title_boost),
                    ));
                }
                None => {
                    let alternatives = self.alternatives(word, None, false)?;
                    if alternatives.is_empty() {
                        continue;
                    }
                    clauses.push((TantivyOccur::Must, any_of(alternatives)));
                }
            }
        }
        Ok((!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>))
    }

    /// The queries any of which matches `node`: for a word, one per field it is searched in.
    fn alternatives(
        &mut self,
        node: &Node,
        field: Option<FieldName>,
        highlight: bool,
    ) -> Result<Vec<Box<dyn Query>>> {
        Ok(match node {
            Node::Bool(_) => self.node(node, field, highlight)?.into_iter().collect(),
            Node::Term { field: f, text } => self.words(text, f.or(field), 0, highlight),
            Node::Phrase {
                field: f,
                text,
                slop,
            } => self.words(text, f.or(field), *slop, highlight),
            Node::Prefix { field: f, text } => self.prefix(text, f.or(field), highlight),
            Node::Fuzzy {
                field: f,
                text,
                distance,
            } => self.fuzzy(text, f.or(field), *distance, highlight),
            Node::DateRange { from, to } => vec![date_filter(self.fields, *from, *to)],
            Node::Path { pattern } => vec![self.path(pattern)?],
        })
    }

    /// The field a clause searches: the passage text unless the query names the title.
    /// (Path and date values given as words are searched as text.)
    fn targets(&self, field: Option<FieldName>) -> Vec<(Field, f32)> {
        match field {
            Some(FieldName::Title) => vec![(self.fields.title, 1.0)],
            _ => vec![(self.fields.text, 1.0)],
        }
    }

    fn analyze(&mut self, text: &str) -> Vec<(usize, String)> {
        let mut stream = self.analyzer.token_stream(text);
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

    /// A word or a phrase: one term, or the analyzed terms in sequence within `slop`.
    fn words(
        &mut self,
        text: &str,
        field: Option<FieldName>,
        slop: u32,
        highlight: bool,
    ) -> Vec<Box<dyn Query>> {
        let terms = self.analyze(text);
        if terms.is_empty() {
            return Vec::new();
        }
        if highlight {
            if terms.len() == 1 {
                self.matcher.terms.insert(terms[0].1.clone());
            } else {
                self.matcher.phrases.push((terms.clone(), slop));
            }
            // A word searched in the text also scores when the article's title holds it.
            if field.is_none() {
                let q = sequence_query(self.fields.title, &terms, slop);
                self.title_boosters
                    .push(boosted(q, self.ranking.title_boost));
            }
        }
        self.targets(field)
            .into_iter()
            .map(|(f, boost)| boosted(sequence_query(f, &terms, slop), boost))
            .collect()
    }

    /// Folds a word as the analyzer does, without stemming (for prefixes and fuzzy words).
    fn fold(&mut self, text: &str) -> Option<String> {
        let folded = analysis::fold(text);
        (!folded.is_empty()).then_some(folded)
    }

    fn prefix(
        &mut self,
        text: &str,
        field: Option<FieldName>,
        highlight: bool,
    ) -> Vec<Box<dyn Query>> {
        let Some(prefix) = self.fold(text) else {
            return Vec::new();
        };
        if highlight {
            self.matcher.prefixes.push(prefix.clone());
        }
        self.targets(field)
            .into_iter()
            .map(|(f, boost)| {
                let q = FuzzyTermQuery::new_prefix(Term::from_field_text(f, &prefix), 0, true);
                boosted(Box::new(q), boost)
            })
            .collect()
    }

    fn fuzzy(
        &mut self,
        text: &str,
        field: Option<FieldName>,
        distance: u8,
        highlight: bool,
    ) -> Vec<Box<dyn Query>> {
        let terms = self.analyze(text);
        let Some((_, term)) = terms.into_iter().next() else {
            return Vec::new();
        };
        if highlight {
            self.matcher.fuzzy.push((term.clone(), distance));
        }
        self.targets(field)
            .into_iter()
            .map(|(f, boost)| {
                let q = FuzzyTermQuery::new(Term::from_field_text(f, &term), distance.min(2), true);
                boosted(Box::new(q), boost)
            })
            .collect()
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

/// One analyzed term, or several in sequence (a phrase, within `slop`), in `field`.
fn sequence_query(field: Field, terms: &[(usize, String)], slop: u32) -> Box<dyn Query> {
    if let [(_, term)] = terms {
        return Box::new(TermQuery::new(
            Term::from_field_text(field, term),
            IndexRecordOption::WithFreqs,
        ));
    }
    let offsets = terms
        .iter()
        .map(|(p, t)| (*p, Term::from_field_text(field, t)))
        .collect();
    Box::new(PhraseQuery::new_with_offset_and_slop(offsets, slop))
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
