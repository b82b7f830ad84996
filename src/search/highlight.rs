//! Highlighting: which byte ranges of a passage matched the query, and the snippet shown for
//! it — a bounded excerpt centred on the densest cluster of matches, cut at word boundaries.
//! Passages are re-analyzed with the index's analyzer, so stemmed and folded forms are found
//! exactly as the index found them.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

use tantivy::tokenizer::{TextAnalyzer, TokenStream};

use crate::analysis::{self, Analysis};

/// What to mark in a passage: the positive parts of a query, in analyzed form.
#[derive(Debug, Default, Clone)]
pub struct Matcher {
    /// Single terms (words, and the index terms a prefix or fuzzy word expanded to).
    pub terms: HashSet<String>,
    /// Phrases: terms with their relative positions, and the slop.
    pub phrases: Vec<(Vec<(usize, String)>, u32)>,
    /// The query's words as typed, folded but not stemmed.
    pub exact: HashSet<String>,
}

/// The share of the query's words that `text` holds in exactly the typed form (folded, not
/// stemmed): 1 when every word stands as typed, 0 when only other forms of them match.
/// `matches` are `text`'s matches ([`find_keyed_matches`]): an exact form is always one.
pub fn exact_share(text: &str, matches: &[(Range<usize>, String)], matcher: &Matcher) -> f32 {
    if matcher.exact.is_empty() {
        return 0.0;
    }
    let mut analyzer = analysis::folding_analyzer();
    let mut found: HashSet<&str> = HashSet::new();
    for (range, _) in matches {
        let mut stream = analyzer.token_stream(&text[range.clone()]);
        while stream.advance() {
            if let Some(word) = matcher.exact.get(&stream.token().text) {
                found.insert(word);
            }
        }
    }
    found.len() as f32 / matcher.exact.len() as f32
}

impl Matcher {
    /// True when nothing would be marked.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty() && self.phrases.is_empty()
    }

    fn matches_word(&self, term: &str) -> bool {
        self.terms.contains(term)
    }

    /// True when `term` is one to mark or a word of a phrase.
    fn concerns(&self, term: &str) -> bool {
        self.matches_word(term)
            || self
                .phrases
                .iter()
                .any(|(terms, _)| terms.iter().any(|(_, t)| t == term))
    }
}

thread_local! {
    /// Each thread's analyzers, kept from one passage to the next: their stem caches make the
    /// words of the next passage (mostly the same words) a look-up instead of a stemming.
    static ANALYZERS: RefCell<Vec<(Analysis, TextAnalyzer)>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with this thread's analyzer for `analysis`.
fn with_analyzer<R>(analysis: Analysis, f: impl FnOnce(&mut TextAnalyzer) -> R) -> R {
    ANALYZERS.with(|cell| {
        let mut analyzers = cell.borrow_mut();
        let i = match analyzers.iter().position(|(a, _)| *a == analysis) {
            Some(i) => i,
            None => {
                analyzers.push((analysis, analysis.finding_analyzer()));
                analyzers.len() - 1
            }
        };
        f(&mut analyzers[i].1)
    })
}

/// A passage excerpt with the byte ranges of its highlighted words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The excerpt, with `…` where it was cut.
    pub text: String,
    /// Sorted, non-overlapping byte ranges into `text`.
    pub highlights: Vec<Range<usize>>,
}

struct Word {
    term: String,
    range: Range<usize>,
    position: usize,
}

/// Byte ranges of `text` (analyzed by `analysis`) matched by `matcher`, sorted and merged.
pub fn find_matches(text: &str, matcher: &Matcher, analysis: Analysis) -> Vec<Range<usize>> {
    merge(
        find_keyed_matches(text, matcher, analysis)
            .into_iter()
            .map(|(r, _)| r)
            .collect(),
    )
}

/// Byte ranges of `text` (analyzed by `analysis`) matched by `matcher`, each with what it
/// matched (the term, or the phrase's number), in text order; not merged.
pub fn find_keyed_matches(
    text: &str,
    matcher: &Matcher,
    analysis: Analysis,
) -> Vec<(Range<usize>, String)> {
    if matcher.is_empty() {
        return Vec::new();
    }
    // Only the words that concern the query, each with its position, which is all a phrase
    // needs to be found.
    let terms = matcher.terms.iter().chain(
        matcher
            .phrases
            .iter()
            .flat_map(|(terms, _)| terms.iter().map(|(_, t)| t)),
    );
    let words = with_analyzer(analysis, |analyzer| {
        analysis::stemming_only(terms, || {
            let mut stream = analyzer.token_stream(text);
            let mut words = Vec::new();
            while stream.advance() {
                let t = stream.token();
                if matcher.concerns(&t.text) {
                    words.push(Word {
                        term: t.text.clone(),
                        range: t.offset_from..t.offset_to,
                        position: t.position,
                    });
                }
            }
            words
        })
    });
    let mut found: Vec<(Range<usize>, String)> = words
        .iter()
        .filter(|w| matcher.matches_word(&w.term))
        .map(|w| (w.range.clone(), w.term.clone()))
        .collect();
    if !matcher.phrases.is_empty() {
        let mut by_position: HashMap<usize, Vec<usize>> = HashMap::new();
        for (i, w) in words.iter().enumerate() {
            by_position.entry(w.position).or_default().push(i);
        }
        for (n, (terms, slop)) in matcher.phrases.iter().enumerate() {
            let key = format!("\u{0}phrase{n}");
            found.extend(
                phrase_matches(&words, &by_position, terms, *slop)
                    .into_iter()
                    .map(|r| (r, key.clone())),
            );
        }
    }
    found.sort_by_key(|(r, _)| (r.start, r.end));
    found
}

/// Occurrences of a phrase: the whole span for an exact phrase, each word for a proximity one.
/// `by_position` lists the words at each position (a CJK character shares one with its bigram).
fn phrase_matches(
    words: &[Word],
    by_position: &HashMap<usize, Vec<usize>>,
    terms: &[(usize, String)],
    slop: u32,
) -> Vec<Range<usize>> {
    let find = |position: usize, term: &str| {
        by_position
            .get(&position)
            .and_then(|at| at.iter().copied().find(|&i| words[i].term == term))
    };
    let mut out = Vec::new();
    let Some((first_offset, first)) = terms.first() else {
        return out;
    };
    for start in words.iter().filter(|w| &w.term == first) {
        let base = start.position.saturating_sub(*first_offset);
        if slop == 0 {
            let found: Option<Vec<usize>> = terms
                .iter()
                .map(|(off, term)| find(base + off, term))
                .collect();
            if let Some(found) = found {
                let end = found.iter().map(|&i| words[i].range.end).max();
                out.push(start.range.start..end.unwrap_or(start.range.end));
            }
        } else {
            // Each following term within `slop` extra positions of the previous one, in order.
            let mut ranges = vec![start.range.clone()];
            let mut prev = start.position;
            for (_, term) in &terms[1..] {
                match (prev + 1..=prev + 1 + slop as usize).find_map(|p| find(p, term)) {
                    Some(i) => {
                        ranges.push(words[i].range.clone());
                        prev = words[i].position;
                    }
                    None => {
                        ranges.clear();
                        break;
                    }
                }
            }
            out.extend(ranges);
        }
    }
    out
}

fn merge(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

/// An excerpt of at most about `max_bytes` of `text`: the window that holds the most
/// different things matched (query words, phrases), then the most matches, starting at the
/// passage's beginning when that window fits there; cut at word boundaries, with `…` where cut.
pub fn snippet(text: &str, matches: &[(Range<usize>, String)], max_bytes: usize) -> Snippet {
    let ranges = merge(matches.iter().map(|(r, _)| r.clone()).collect());
    if text.len() <= max_bytes {
        return Snippet {
            text: text.to_string(),
            highlights: ranges,
        };
    }
    // The window (starting at a match) with the most distinct keys, then the most matches.
    let (mut best_start, mut best) = (0, (0, 0));
    for (i, (m, _)) in matches.iter().enumerate() {
        let inside: Vec<&(Range<usize>, String)> = matches[i..]
            .iter()
            .take_while(|(n, _)| n.end <= m.start + max_bytes)
            .collect();
        let distinct: HashSet<&str> = inside.iter().map(|(_, k)| k.as_str()).collect();
        let score = (distinct.len(), inside.len());
        if score > best {
            (best_start, best) = (m.start, score);
        }
    }
    let cluster_end = matches
        .iter()
        .filter(|(m, _)| m.start >= best_start && m.end <= best_start + max_bytes)
        .map(|(m, _)| m.end)
        .max()
        .unwrap_or(best_start);
    // From the beginning when the cluster fits there; otherwise centred on the cluster.
    let mut start = if cluster_end <= max_bytes {
        0
    } else {
        let slack = max_bytes.saturating_sub(cluster_end - best_start);
        best_start.saturating_sub(slack / 2)
    };
    let mut end = (start + max_bytes).min(text.len());
    start = end.saturating_sub(max_bytes).min(start);
    start = word_start_at_or_after(text, start, best_start);
    end = word_end_at_or_before(text, end, cluster_end);
    let prefix = if start > 0 { "…" } else { "" };
    let suffix = if end < text.len() { "…" } else { "" };
    let body = text[start..end].trim();
    let lead = text[start..end].len() - text[start..end].trim_start().len();
    let shift = start + lead;
    let highlights = ranges
        .iter()
        .filter(|m| m.start >= shift && m.end <= shift + body.len())
        .map(|m| m.start - shift + prefix.len()..m.end - shift + prefix.len())
        .collect();
    Snippet {
        text: format!("{prefix}{body}{suffix}"),
        highlights,
    }
}

/// The first word start at or after `pos` (but not past `limit`), or `pos` at text start.
fn word_start_at_or_after(text: &str, pos: usize, limit: usize) -> usize {
    if pos == 0 {
        return 0;
    }
    let mut p = pos;
    while !text.is_char_boundary(p) {
        p += 1;
    }
    if text[..p].ends_with(char::is_whitespace) {
        return p;
    }
    match text[p..limit.max(p)].find(char::is_whitespace) {
        Some(i) => p + i + text[p + i..].chars().next().map_or(1, char::len_utf8),
        None => p,
    }
}

/// The last word end at or before `pos` (but not before `limit`).
fn word_end_at_or_before(text: &str, pos: usize, limit: usize) -> usize {
    if pos >= text.len() {
        return text.len();
    }
    let mut p = pos;
    while !text.is_char_boundary(p) {
        p -= 1;
    }
    if text[p..].starts_with(char::is_whitespace) {
        return p;
    }
    let from = limit.min(p);
    match text[from..p].rfind(char::is_whitespace) {
        Some(i) => from + i,
        None => p,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked<'a>(text: &'a str, matcher: &Matcher) -> Vec<&'a str> {
        find_matches(text, matcher, Analysis::English)
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    fn terms(words: &[&str]) -> Matcher {
        Matcher {
            terms: words.iter().flat_map(|w| analysis::terms(w)).collect(),
            ..Matcher::default()
        }
    }

    fn phrase(words: &str, slop: u32) -> Matcher {
        let terms = analysis::terms(words).into_iter().enumerate().collect();
        Matcher {
            phrases: vec![(terms, slop)],
            ..Matcher::default()
        }
    }

    #[test]
    fn stemmed_and_folded_forms_are_marked() {
        let m = terms(&["kill", "turkiye"]);
        assert_eq!(
            marked("Killed in Türkiye, killing.", &m),
            ["Killed", "Türkiye", "killing"]
        );
    }

    #[test]
    fn exact_phrase_marks_its_occurrences_only() {
        let m = phrase("armed forces", 0);
        let text = "Armed forces came; the forces were armed. ARMED FORCES left.";
        assert_eq!(marked(text, &m), ["Armed forces", "ARMED FORCES"]);
    }

    #[test]
    fn proximity_phrase_marks_words_within_the_window() {
        let m = phrase("armed forces", 2);
        assert_eq!(
            marked("armed and ready forces; forces alone", &m),
            ["armed", "forces"]
        );
    }

    #[test]
    fn multibyte_offsets_are_exact() {
        let text = "Сегодня в Москве — «Москва» 🙂 moscow";
        let m = terms(&["москв"]);
        for r in find_matches(text, &m, Analysis::English) {
            assert!(text[r].to_lowercase().starts_with("москв"));
        }
    }

    #[test]
    fn snippet_centres_on_the_matches_and_keeps_offsets() {
        let text = format!(
            "{} needle here {}",
            "lorem ipsum ".repeat(50),
            "dolor sit ".repeat(50)
        );
        let m = terms(&["needle"]);
        let s = snippet(
            &text,
            &find_keyed_matches(&text, &m, Analysis::English),
            100,
        );
        assert!(s.text.starts_with('…') && s.text.ends_with('…'));
        assert!(s.text.len() <= 100 + 2 * '…'.len_utf8());
        assert_eq!(s.highlights.len(), 1);
        assert_eq!(&s.text[s.highlights[0].clone()], "needle");
    }

    #[test]
    fn snippet_prefers_the_window_with_every_query_word() {
        let text = format!(
            "Khojaly Khojaly Khojaly {} the Khojaly massacre was remembered {}",
            "filler words ".repeat(40),
            "more filler ".repeat(20)
        );
        let m = terms(&["khojaly", "massacre"]);
        let s = snippet(
            &text,
            &find_keyed_matches(&text, &m, Analysis::English),
            120,
        );
        assert!(s.text.contains("Khojaly massacre"), "{}", s.text);
    }

    #[test]
    fn snippet_starts_at_the_passage_start_when_the_matches_fit() {
        let text = format!("Opening words here, then needle, {}", "tail ".repeat(80));
        let m = terms(&["needle"]);
        let s = snippet(
            &text,
            &find_keyed_matches(&text, &m, Analysis::English),
            100,
        );
        assert!(s.text.starts_with("Opening words"), "{}", s.text);
        assert!(s.text.ends_with('…'));
    }

    #[test]
    fn short_text_is_its_own_snippet() {
        let m = terms(&["b"]);
        let s = snippet(
            "a b c",
            &find_keyed_matches("a b c", &m, Analysis::English),
            100,
        );
        assert_eq!(s.text, "a b c");
        assert_eq!(s.highlights, [Range { start: 2, end: 3 }]);
    }
}
