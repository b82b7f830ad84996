//! Property tests: thousands of generated inputs thrown at the parsers, the passage splitter,
//! the decoder, the highlighter and the whole search path. None may panic, and each result
//! must keep its invariants (ranges inside the text, on character boundaries, bounded).

use loupe::analysis::Analysis;
use loupe::index::article::Article;
use loupe::index::indexer::{self, IndexOptions};
use loupe::index::passage::{self, PassageLimits};
use loupe::search::highlight::{find_keyed_matches, snippet, Matcher};
use loupe::search::query_syntax;
use loupe::search::{PassageSearcher, SearchOptions};
use proptest::prelude::*;
use std::sync::OnceLock;

/// Text with the characters that matter to the parsers: blank lines, CRLF, headers,
/// sentence ends, multi-byte letters.
fn messy_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\n".to_string()),
        Just("\n\n".to_string()),
        Just("\r\n".to_string()),
        Just(" ".to_string()),
        Just(". ".to_string()),
        Just("date 2026-02-26 ".to_string()),
        Just("Türkiye’s ".to_string()),
        Just("Москва ".to_string()),
        Just("İSTANBUL'da Xocalı ".to_string()),
        Just("在北京市".to_string()),
        Just("東京都に".to_string()),
        Just("lang tr\n".to_string()),
        Just("🙂".to_string()),
        "[a-zA-Z]{1,12}",
        any::<char>().prop_map(|c| c.to_string()),
    ];
    proptest::collection::vec(piece, 0..200).prop_map(|v| v.concat())
}

fn query_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\"".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just(" AND ".to_string()),
        Just(" OR ".to_string()),
        Just(" NOT ".to_string()),
        Just("+".to_string()),
        Just("-".to_string()),
        Just("*".to_string()),
        Just("~".to_string()),
        Just("~2".to_string()),
        Just("^3".to_string()),
        Just(":".to_string()),
        Just("title:".to_string()),
        Just("path:".to_string()),
        Just("date:[".to_string()),
        Just(" TO ".to_string()),
        Just("]".to_string()),
        Just("2026-01-01".to_string()),
        Just("oil".to_string()),
        Just("prices".to_string()),
        Just(" ".to_string()),
        "[a-z]{1,8}",
        any::<char>().prop_map(|c| c.to_string()),
    ];
    proptest::collection::vec(piece, 0..30).prop_map(|v| v.concat())
}

fn is_char_range(text: &str, r: &std::ops::Range<usize>) -> bool {
    r.start <= r.end
        && r.end <= text.len()
        && text.is_char_boundary(r.start)
        && text.is_char_boundary(r.end)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn article_parts_are_valid_ranges(text in messy_text()) {
        let a = Article::parse(&text);
        prop_assert!(is_char_range(&text, &a.body));
        if let Some(title) = &a.title {
            prop_assert!(is_char_range(&text, title) && title.end <= a.body.start);
            prop_assert!(!text[title.clone()].contains('\n'));
        }
    }

    #[test]
    fn passages_are_bounded_ordered_and_cover_the_words(text in messy_text(), min in 1usize..400, extra in 4usize..1200) {
        let limits = PassageLimits { min, max: min + extra };
        let ranges = passage::split(&text, limits);
        let mut last_end = 0;
        for r in &ranges {
            prop_assert!(is_char_range(&text, r));
            prop_assert!(r.start >= last_end && r.start < r.end);
            prop_assert!(r.len() <= limits.max, "passage of {} bytes > {}", r.len(), limits.max);
            last_end = r.end;
        }
        // Every non-whitespace character is in some passage.
        let covered: usize = ranges.iter().map(|r| text[r.clone()].chars().filter(|c| !c.is_whitespace()).count()).sum();
        prop_assert_eq!(covered, text.chars().filter(|c| !c.is_whitespace()).count());
    }

    #[test]
    fn decoding_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        if let Ok(decoded) = loupe::index::decode::decode(&bytes) {
            prop_assert!(decoded.bom_len <= 4);
        }
    }

    #[test]
    fn query_parser_never_panics(query in query_text()) {
        let _ = query_syntax::parse(&query);
    }

    #[test]
    fn snippets_keep_highlights_on_words(text in messy_text(), word in "[a-z]{1,6}", max in 20usize..400) {
        let matcher = Matcher { terms: loupe::analysis::terms(&word).into_iter().collect(), ..Matcher::default() };
        let matches = find_keyed_matches(&text, &matcher, Analysis::English);
        for (m, _) in &matches {
            prop_assert!(is_char_range(&text, m));
        }
        let s = snippet(&text, &matches, max);
        for h in &s.highlights {
            prop_assert!(is_char_range(&s.text, h));
            prop_assert_eq!(loupe::analysis::terms(&s.text[h.clone()]), loupe::analysis::terms(&word));
        }
    }
}

/// One small index shared by the search-path properties.
fn searcher() -> &'static PassageSearcher {
    static SEARCHER: OnceLock<(tempfile::TempDir, PassageSearcher)> = OnceLock::new();
    let (_, searcher) = SEARCHER.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        std::fs::create_dir(&corpus).unwrap();
        std::fs::write(
            corpus.join("a.txt"),
            "date 2026-01-01 Oil prices\n\nOil prices rose; the armed forces of Türkiye watched.\n",
        )
        .unwrap();
        std::fs::write(
            corpus.join("b.txt"),
            "Gas\n\nGas prices fell in Москва, said the democrats.\n",
        )
        .unwrap();
        let index = dir.path().join("index");
        indexer::run(&IndexOptions::new(&corpus, &index), &mut indexer::Quiet).unwrap();
        let searcher = PassageSearcher::open(&index).unwrap();
        (dir, searcher)
    });
    searcher
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    #[test]
    fn search_path_never_panics(query in query_text(), plain in any::<bool>()) {
        let options = SearchOptions { plain, limit: 5, ..SearchOptions::default() };
        if let Ok(results) = searcher().search(&query, &options) {
            for hit in &results.hits {
                for h in &hit.snippet.highlights {
                    prop_assert!(is_char_range(&hit.snippet.text, h));
                }
            }
        }
    }

    #[test]
    fn every_analysis_cuts_text_at_character_boundaries(text in messy_text()) {
        use tantivy::tokenizer::TokenStream;
        for analysis in Analysis::ALL {
            for mut analyzer in [analysis.analyzer(), analysis.query_analyzer()] {
                let mut stream = analyzer.token_stream(&text);
                let mut last_position = 0;
                while stream.advance() {
                    let t = stream.token();
                    prop_assert!(is_char_range(&text, &(t.offset_from..t.offset_to)));
                    prop_assert!(!t.text.is_empty() || analysis != Analysis::English);
                    prop_assert!(t.position >= last_position);
                    last_position = t.position;
                }
            }
        }
    }
}
