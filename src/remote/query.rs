//! loupe's query language in OpenSearch's query DSL. A parsed query ([`Node`]) becomes a
//! `bool` query over the remote index's fields ([`FieldSet`]), clause for clause as
//! [`crate::search::query::compile`] builds it for tantivy: the same words, phrases, prefixes
//! and fuzzy words, the same required, optional and excluded clauses, the same filters, and
//! the ranking's query-side parts (stop words, the bonus for neighbouring words).

use serde_json::{json, Value};

use crate::date::Date;
use crate::error::Result;
use crate::remote::mapping::FieldSet;
use crate::search::query::{has_only_exclusions, only_exclusions, plain_words};
use crate::search::query_syntax::{FieldName, Node, Occur};
use crate::search::ranking::{self, Ranking};

/// The DSL query for `node`, restricted to `since..=until`; `None` when it has no word to
/// search for. A query that only excludes is the same error as locally.
pub fn translate(
    node: &Node,
    ranking: &Ranking,
    since: Option<Date>,
    until: Option<Date>,
) -> Result<Option<Value>> {
    if has_only_exclusions(node) {
        return Err(only_exclusions());
    }
    let translator = Translator { ranking };
    let Some(query) = (match plain_words(node) {
        Some(words) => translator.keywords(&words),
        None => translator.node(node, None),
    }) else {
        return Ok(None);
    };
    if since.is_none() && until.is_none() {
        return Ok(Some(query));
    }
    Ok(Some(
        json!({"bool": {"must": [query], "filter": [date_range(since, until)]}}),
    ))
}

struct Translator<'a> {
    ranking: &'a Ranking,
}

impl Translator<'_> {
    /// Plain words: any of them, each scored in every language's fields, stop words left out
    /// as the ranking says, and neighbouring words rewarded where they stand together.
    fn keywords(&self, words: &[&str]) -> Option<Value> {
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
        let mut should: Vec<Value> = words
            .iter()
            .filter(|w| has_word(w))
            .map(|w| words_query(w, None, 0))
            .collect();
        if should.is_empty() {
            return None;
        }
        if self.ranking.proximity > 0.0 {
            let searched: Vec<&&str> = words.iter().filter(|w| has_word(w)).collect();
            for pair in searched.windows(2) {
                let mut near = words_query(
                    &format!("{} {}", pair[0], pair[1]),
                    None,
                    self.ranking.proximity_window,
                );
                near["multi_match"]["boost"] = json!(self.ranking.proximity);
                should.push(near);
            }
        }
        // The pairs only add to passages that hold the words: never a match on their own.
        Some(json!({"bool": {"should": should, "minimum_should_match": 1}}))
    }

    fn node(&self, node: &Node, field: Option<FieldName>) -> Option<Value> {
        match node {
            Node::Bool(clauses) => {
                let (mut must, mut should, mut must_not, mut filter) =
                    (Vec::new(), Vec::new(), Vec::new(), Vec::new());
                for clause in clauses {
                    let Some(query) = self.node(&clause.node, field) else {
                        if clause.occur == Occur::Must {
                            // A required word with no term: nothing can match.
                            must.push(json!({"match_none": {}}));
                        }
                        continue;
                    };
                    match clause.occur {
                        Occur::Must if clause.node.is_filter() => filter.push(query),
                        Occur::Must => must.push(query),
                        Occur::Should => should.push(query),
                        Occur::MustNot => must_not.push(query),
                    }
                }
                if must.is_empty() && should.is_empty() && filter.is_empty() {
                    return None;
                }
                let mut bool_query = json!({"bool": {}});
                let b = &mut bool_query["bool"];
                // Without a required clause, one optional clause must match.
                if must.is_empty() && !should.is_empty() {
                    b["minimum_should_match"] = json!(1);
                }
                for (name, list) in [
                    ("must", must),
                    ("should", should),
                    ("must_not", must_not),
                    ("filter", filter),
                ] {
                    if !list.is_empty() {
                        b[name] = json!(list);
                    }
                }
                Some(bool_query)
            }
            Node::Term { field: f, text } => {
                has_word(text).then(|| words_query(text, f.or(field), 0))
            }
            Node::Phrase {
                field: f,
                text,
                slop,
            } => has_word(text).then(|| words_query(text, f.or(field), *slop)),
            Node::Prefix { field: f, text } => {
                let prefix = crate::analysis::fold(text);
                if prefix.is_empty() {
                    return None;
                }
                let clauses: Vec<Value> = fields(f.or(field))
                    .into_iter()
                    .map(|name| {
                        json!({"prefix": {name: {"value": prefix, "rewrite": "top_terms_64"}}})
                    })
                    .collect();
                Some(json!({"bool": {"should": clauses, "minimum_should_match": 1}}))
            }
            Node::Fuzzy {
                field: f,
                text,
                distance,
            } => has_word(text).then(|| {
                let mut q = words_query(text, f.or(field), 0);
                q["multi_match"]["fuzziness"] = json!(distance.min(&2));
                q["multi_match"]["max_expansions"] = json!(64);
                q["multi_match"]["prefix_length"] = json!(0);
                q
            }),
            Node::DateRange { from, to } => Some(date_range(*from, *to)),
            Node::Lang { code } => Some(json!({"term": {"lang": code}})),
            Node::Path { pattern } => Some(path_query(pattern)),
        }
    }
}

/// True when `text` has a word that analysis keeps.
fn has_word(text: &str) -> bool {
    !crate::analysis::folded_words(text).is_empty()
}

/// The searched fields: every language's title fields for `title:`, else every language's
/// body fields (the title twice, then the passage text).
fn fields(field: Option<FieldName>) -> Vec<String> {
    FieldSet::ALL
        .iter()
        .map(|set| match field {
            Some(FieldName::Title) => set.title(),
            _ => set.body(),
        })
        .collect()
}

/// `text` in every language's fields: one word, or a phrase within `slop` when the analysis
/// makes several terms of it. A field scores with its own language's analysis, and a passage
/// fills only its language's fields, so the sum over fields is the passage's BM25.
fn words_query(text: &str, field: Option<FieldName>, slop: u32) -> Value {
    let several = crate::analysis::folded_words(text).len() > 1;
    let mut q = json!({"multi_match": {
        "query": text,
        "fields": fields(field),
        "type": if several { "phrase" } else { "most_fields" },
    }});
    if several {
        q["multi_match"]["slop"] = json!(slop);
    }
    q
}

fn date_range(from: Option<Date>, to: Option<Date>) -> Value {
    let mut range = json!({"format": "yyyy-MM-dd"});
    if let Some(from) = from {
        range["gte"] = json!(from.to_string());
    }
    if let Some(to) = to {
        range["lte"] = json!(to.to_string());
    }
    json!({"range": {"date": range}})
}

/// A glob over paths (`*` any run, `?` one character); without a wildcard, a path prefix.
fn path_query(pattern: &str) -> Value {
    if !pattern.contains(['*', '?']) {
        return json!({"prefix": {"path": pattern}});
    }
    let escaped = pattern.replace('\\', "\\\\");
    json!({"wildcard": {"path": {"value": escaped}}})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::query_syntax::parse;

    fn dsl(query: &str) -> Value {
        translate(&parse(query).unwrap(), &Ranking::bm25(), None, None)
            .unwrap()
            .unwrap()
    }

    #[test]
    fn plain_words_are_any_of_them() {
        let q = dsl("oil prices");
        let should = q["bool"]["should"].as_array().unwrap();
        assert_eq!(should.len(), 2);
        assert_eq!(should[0]["multi_match"]["query"], "oil");
        assert_eq!(should[0]["multi_match"]["fields"][0], "body_en");
        assert_eq!(q["bool"]["minimum_should_match"], 1);
    }

    #[test]
    fn stop_words_and_neighbours_follow_the_ranking() {
        let node = parse("the price of oil").unwrap();
        let q = translate(&node, &Ranking::default(), None, None)
            .unwrap()
            .unwrap();
        let should = q["bool"]["should"].as_array().unwrap();
        // price, oil, and the pair "price oil".
        assert_eq!(should.len(), 3);
        assert_eq!(should[2]["multi_match"]["type"], "phrase");
        assert_eq!(should[2]["multi_match"]["slop"], 1);
    }

    #[test]
    fn operators_phrases_and_filters() {
        let q = dsl("+\"armed forces\"~2 -navy title:coffee path:business/* date:2026 lang:ru");
        let b = &q["bool"];
        assert_eq!(b["must"][0]["multi_match"]["type"], "phrase");
        assert_eq!(b["must"][0]["multi_match"]["slop"], 2);
        assert_eq!(b["must_not"][0]["multi_match"]["query"], "navy");
        let filters = b["filter"].as_array().unwrap();
        assert!(filters
            .iter()
            .any(|f| f["wildcard"]["path"]["value"] == "business/*"));
        assert!(filters
            .iter()
            .any(|f| f["range"]["date"]["gte"] == "2026-01-01"));
        assert!(filters.iter().any(|f| f["term"]["lang"] == "ru"));
        let title = &b["should"][0]["multi_match"];
        assert_eq!(title["fields"][0], "title_en");
    }

    #[test]
    fn prefixes_and_fuzzy_words() {
        let q = dsl("democra* goverment~1");
        let should = q["bool"]["should"].as_array().unwrap();
        assert_eq!(
            should[0]["bool"]["should"][0]["prefix"]["body_en"]["value"],
            "democra"
        );
        assert_eq!(should[1]["multi_match"]["fuzziness"], 1);
    }

    #[test]
    fn only_exclusions_is_the_local_error() {
        let node = parse("-oil").unwrap();
        let error = translate(&node, &Ranking::bm25(), None, None).unwrap_err();
        assert!(error.to_string().contains("only excludes"));
    }
}
