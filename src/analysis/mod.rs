//! Text analysis: how passages and queries are cut into index terms, in each language. The one
//! place where analyzers are named and built; every field with text uses them, at index and
//! query time, so that `Turkiye` finds `Türkiye`, `Mother's` finds `Mother’s`, `killed`
//! matches `kill`, `Москве` matches `Москва` and `北京` is found inside `在北京市`.
//!
//! Each passage is analyzed by its language ([`Analysis::of`]): English, Russian, Turkish,
//! German, French, Spanish, Italian, Portuguese and Dutch are stemmed with their Snowball
//! stemmers; Turkish and Azerbaijani keep their casing of `I` and drop suffixes after an
//! apostrophe; every other language, and text whose language is not known, is folded but not
//! stemmed. CJK text is cut into bigrams by every analysis.

mod language;
mod stemmer;
mod words;

use std::borrow::Cow;

use tantivy::tokenizer::{
    AsciiFoldingFilter, BoxTokenStream, RemoveLongFilter, TextAnalyzer, TokenStream, Tokenizer,
};
use tantivy::Index;

pub use language::{languages, Evidence, UNDETERMINED};
pub use words::{is_cjk, WordTokenizer};

pub use stemmer::stemming_only;
use stemmer::{ApostropheSuffix, CachedStemmer, StemGate};

/// Name under which loupe's tokenizer ([`TaggedTokenizer`]) is registered on an index: the
/// tokenizer of the text fields.
pub const ANALYZER: &str = "loupe_en";

/// Terms longer than this (in bytes) are dropped: they are noise such as encoded data.
const MAX_TERM_BYTES: usize = 48;

/// How a passage's words become index terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Analysis {
    /// Folded and stemmed with the English Snowball stemmer.
    English,
    /// Folded and stemmed with the Russian Snowball stemmer.
    Russian,
    /// Turkish casing, apostrophe suffixes dropped, the Turkish Snowball stemmer, then folded.
    Turkish,
    /// Turkish casing and apostrophes, folded (`ə`→`a`, `ı`→`i`, ...), not stemmed.
    Azerbaijani,
    /// Folded and stemmed with the Snowball stemmer of German, French, Spanish, Italian,
    /// Portuguese or Dutch.
    Snowball(Western),
    /// Folded, not stemmed: other languages, and text whose language is not known.
    Plain,
}

impl Analysis {
    /// Every analysis, in the order of their tags ([`tagged`]).
    pub const ALL: [Analysis; 11] = [
        Analysis::English,
        Analysis::Russian,
        Analysis::Turkish,
        Analysis::Azerbaijani,
        Analysis::Plain,
        Analysis::Snowball(Western::German),
        Analysis::Snowball(Western::French),
        Analysis::Snowball(Western::Spanish),
        Analysis::Snowball(Western::Italian),
        Analysis::Snowball(Western::Portuguese),
        Analysis::Snowball(Western::Dutch),
    ];

    /// This analysis's place in [`Analysis::ALL`].
    fn ordinal(self) -> usize {
        Analysis::ALL
            .iter()
            .position(|a| *a == self)
            .expect("every analysis is listed")
    }

    /// The analysis for a passage in `language` (an ISO 639-1 code, or [`UNDETERMINED`]).
    pub fn of(language: &str) -> Analysis {
        match language {
            "en" => Analysis::English,
            "ru" => Analysis::Russian,
            "tr" => Analysis::Turkish,
            "az" => Analysis::Azerbaijani,
            "de" => Analysis::Snowball(Western::German),
            "fr" => Analysis::Snowball(Western::French),
            "es" => Analysis::Snowball(Western::Spanish),
            "it" => Analysis::Snowball(Western::Italian),
            "pt" => Analysis::Snowball(Western::Portuguese),
            "nl" => Analysis::Snowball(Western::Dutch),
            _ => Analysis::Plain,
        }
    }

    /// The analyzer that indexes passages (CJK characters alone as well as in bigrams).
    pub fn analyzer(self) -> TextAnalyzer {
        self.build(WordTokenizer::default(), WordTokenizer::turkic())
    }

    /// The analyzer of [`Analysis::analyzer`], with a [`StemGate`] before its English stemmer:
    /// inside [`stemming_only`], only the words that may stem to the terms looked for are
    /// stemmed (the others come out empty). For finding a query's terms in a passage.
    pub fn finding_analyzer(self) -> TextAnalyzer {
        match self {
            Analysis::English => TextAnalyzer::builder(WordTokenizer::default())
                .filter(RemoveLongFilter::limit(MAX_TERM_BYTES))
                .filter(AsciiFoldingFilter)
                .filter(StemGate)
                .filter(CachedStemmer(frostem::Algorithm::English))
                .build(),
            other => other.analyzer(),
        }
    }

    /// The analyzer for queries (CJK text as bigrams only).
    pub fn query_analyzer(self) -> TextAnalyzer {
        self.build(
            WordTokenizer::default().for_queries(),
            WordTokenizer::turkic().for_queries(),
        )
    }

    fn build(self, words: WordTokenizer, turkic: WordTokenizer) -> TextAnalyzer {
        let long = RemoveLongFilter::limit(MAX_TERM_BYTES);
        match self {
            Analysis::English => TextAnalyzer::builder(words)
                .filter(long)
                .filter(AsciiFoldingFilter)
                .filter(CachedStemmer(frostem::Algorithm::English))
                .build(),
            Analysis::Russian => TextAnalyzer::builder(words)
                .filter(long)
                .filter(AsciiFoldingFilter)
                .filter(CachedStemmer(frostem::Algorithm::Russian))
                .build(),
            Analysis::Turkish => TextAnalyzer::builder(turkic)
                .filter(long)
                .filter(ApostropheSuffix { keep_start: true })
                .filter(CachedStemmer(frostem::Algorithm::Turkish))
                .filter(AsciiFoldingFilter)
                .build(),
            Analysis::Azerbaijani => TextAnalyzer::builder(turkic)
                .filter(long)
                .filter(ApostropheSuffix { keep_start: true })
                .filter(AsciiFoldingFilter)
                .build(),
            Analysis::Snowball(language @ (Western::French | Western::Italian)) => {
                TextAnalyzer::builder(words)
                    .filter(long)
                    .filter(ApostropheSuffix { keep_start: false })
                    .filter(AsciiFoldingFilter)
                    .filter(CachedStemmer(language.algorithm()))
                    .build()
            }
            Analysis::Snowball(language) => TextAnalyzer::builder(words)
                .filter(long)
                .filter(AsciiFoldingFilter)
                .filter(CachedStemmer(language.algorithm()))
                .build(),
            Analysis::Plain => TextAnalyzer::builder(words)
                .filter(long)
                .filter(AsciiFoldingFilter)
                .build(),
        }
    }
}

/// Western European languages with a Snowball stemmer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum Western {
    German,
    French,
    Spanish,
    Italian,
    Portuguese,
    Dutch,
}

impl Western {
    fn algorithm(self) -> frostem::Algorithm {
        match self {
            Western::German => frostem::Algorithm::German,
            Western::French => frostem::Algorithm::French,
            Western::Spanish => frostem::Algorithm::Spanish,
            Western::Italian => frostem::Algorithm::Italian,
            Western::Portuguese => frostem::Algorithm::Portuguese,
            Western::Dutch => frostem::Algorithm::Dutch,
        }
    }
}

/// The tokenizer registered on indexes: it analyzes text by the analysis its first character
/// names ([`tagged`]), and untagged text as English. This is how passages of one field get
/// each their own analysis, with no second pass over their text.
#[derive(Clone)]
pub struct TaggedTokenizer {
    analyzers: Vec<TextAnalyzer>,
}

impl Default for TaggedTokenizer {
    fn default() -> TaggedTokenizer {
        TaggedTokenizer {
            analyzers: Analysis::ALL.iter().map(|a| a.analyzer()).collect(),
        }
    }
}

impl Tokenizer for TaggedTokenizer {
    type TokenStream<'a> = BoxTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BoxTokenStream<'a> {
        let (ordinal, text) = untag_ordinal(text);
        self.analyzers[ordinal].token_stream(text)
    }
}

/// The first character of text tagged with an analysis: private-use characters, one per
/// analysis, never seen in real text.
const TAG: char = '\u{F0000}';

/// `text` tagged for the index's tokenizer to analyze it by `analysis` (English text is left
/// as it is).
pub fn tagged(analysis: Analysis, text: &str) -> Cow<'_, str> {
    if analysis == Analysis::English {
        return Cow::Borrowed(text);
    }
    let tag =
        char::from_u32(TAG as u32 + analysis.ordinal() as u32).expect("a private-use character");
    let mut out = String::with_capacity(text.len() + 4);
    out.push(tag);
    out.push_str(text);
    Cow::Owned(out)
}

/// The analysis `text` is tagged with (English when it has no tag), and the text without it.
pub fn untag(text: &str) -> (Analysis, &str) {
    let (ordinal, text) = untag_ordinal(text);
    (Analysis::ALL[ordinal], text)
}

/// [`untag`], with the analysis as its place in [`Analysis::ALL`].
fn untag_ordinal(text: &str) -> (usize, &str) {
    let Some(c) = text.chars().next() else {
        return (0, text);
    };
    let ordinal = (c as u32).wrapping_sub(TAG as u32) as usize;
    if ordinal < Analysis::ALL.len() {
        (ordinal, &text[c.len_utf8()..])
    } else {
        (0, text)
    }
}

/// The English analyzer, as registered on indexes.
pub fn analyzer() -> TextAnalyzer {
    Analysis::English.analyzer()
}

/// Registers loupe's tokenizer on `index`; needed after every open.
pub fn register(index: &Index) {
    index
        .tokenizers()
        .register(ANALYZER, TextAnalyzer::from(TaggedTokenizer::default()));
}

/// The analyzed terms of `text` as a query in `analysis`, in order.
pub fn query_terms(analysis: Analysis, text: &str) -> Vec<String> {
    let mut analyzer = analysis.query_analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// The analyzed terms of `text` as an English query, in order.
pub fn terms(text: &str) -> Vec<String> {
    query_terms(Analysis::English, text)
}

/// How many terms the analyzer makes of `text` (counted without stemming them, which never
/// adds or removes one): a document's length as BM25 counts it. ASCII words are counted by a
/// scan of the bytes (runs of letters and digits, joined by an apostrophe between two of
/// them); a stretch between ASCII spaces that holds other characters is counted again by the
/// tokenizer, since no word spans ASCII whitespace. (Tokenizing whole documents to count them
/// was 6 % of a build.)
pub fn count_terms(text: &str) -> u64 {
    let bytes = text.as_bytes();
    let alnum = |i: usize| bytes.get(i).is_some_and(|&b| ALNUM[usize::from(b)]);
    let mut tokenizer = WordTokenizer::default();
    let (mut count, mut i) = (0, 0);
    // Where the current stretch began, and the words counted in it so far.
    let (mut stretch, mut in_stretch) = (0, 0);
    while i < bytes.len() {
        let b = bytes[i];
        if ALNUM[usize::from(b)] {
            let start = i;
            loop {
                i += bytes[i..]
                    .iter()
                    .position(|&b| !ALNUM[usize::from(b)])
                    .unwrap_or(bytes.len() - i);
                if bytes.get(i) == Some(&b'\'') && alnum(i + 1) {
                    i += 1;
                } else {
                    break;
                }
            }
            if i - start < MAX_TERM_BYTES {
                count += 1;
                in_stretch += 1;
            }
        } else if b.is_ascii() {
            i += 1;
            if b.is_ascii_whitespace() {
                (stretch, in_stretch) = (i, 0);
            }
        } else {
            let end = bytes[i..]
                .iter()
                .position(u8::is_ascii_whitespace)
                .map_or(bytes.len(), |n| i + n);
            count = count - in_stretch + count_tokens(&mut tokenizer, &text[stretch..end]);
            (i, stretch, in_stretch) = (end, end, 0);
        }
    }
    count
}

/// Which bytes are ASCII letters and digits, for [`count_terms`]'s scan (a table look-up is
/// cheaper than two range tests).
static ALNUM: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    table
};

/// [`count_terms`] by the tokenizer itself.
fn count_tokens(tokenizer: &mut WordTokenizer, text: &str) -> u64 {
    let mut stream = tokenizer.token_stream(text);
    let mut count = 0;
    while stream.advance() {
        if stream.token().text.len() < MAX_TERM_BYTES {
            count += 1;
        }
    }
    count
}

/// The first word of `text` normalised and folded like index terms, but not stemmed: the form
/// to compare with the start of index terms (prefix queries). Empty when there is no word.
pub fn fold(text: &str) -> String {
    folded_words(text).into_iter().next().unwrap_or_default()
}

/// The analyzer of [`folded_words`]: words cut as in queries and folded, not stemmed.
pub fn folding_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer::default().for_queries())
        .filter(AsciiFoldingFilter)
        .build()
}

/// The words of `text` normalised and folded like index terms, but not stemmed: the exact
/// forms, to tell `pickings` from `picking`.
pub fn folded_words(text: &str) -> Vec<String> {
    let mut analyzer = folding_analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_accents_apostrophes_and_stems() {
        assert_eq!(terms("Türkiye TURKIYE"), ["turkiy", "turkiy"]);
        assert_eq!(
            terms("Mother’s Mother's mothers"),
            ["mother", "mother", "mother"]
        );
        assert_eq!(terms("killed kills killing"), ["kill", "kill", "kill"]);
        assert_eq!(terms("café CAFE"), ["cafe", "cafe"]);
    }

    #[test]
    fn non_latin_scripts() {
        assert_eq!(
            terms("İstanbul ıstanbul ISTANBUL"),
            ["istanbul", "istanbul", "istanbul"]
        );
        assert_eq!(terms("Москва МОСКВА"), ["москва", "москва"]);
        assert_eq!(terms("ΟΔΟΣ οδος"), ["οδοσ", "οδοσ"]);
    }

    #[test]
    fn offsets_cover_the_source_words() {
        let text = "«Ünïcode» — it’s 34th!";
        let mut analyzer = analyzer();
        let mut stream = analyzer.token_stream(text);
        let mut words = Vec::new();
        while stream.advance() {
            let t = stream.token();
            words.push(&text[t.offset_from..t.offset_to]);
        }
        assert_eq!(words, ["Ünïcode", "it’s", "34th"]);
    }

    #[test]
    fn fold_keeps_words_unstemmed() {
        assert_eq!(fold("Démocra"), "democra");
        assert_eq!(fold("running"), "running");
        assert_eq!(fold("!!"), "");
    }

    #[test]
    fn count_terms_counts_what_the_analyzer_indexes() {
        let long = "x".repeat(60);
        for text in [
            "Mother’s day: Türkiye's İstanbul, 3.5 km",
            "",
            "--- ...",
            &format!("before {long} after"),
        ] {
            assert_eq!(count_terms(text), terms(text).len() as u64, "{text}");
        }
    }

    #[test]
    fn the_fast_count_agrees_with_the_tokenizer() {
        let long = "y".repeat(47);
        for text in [
            "it's 'quoted' rock'n'roll o'' 'a 3.5% x'y'z \u{2019}tis",
            "don’t “curly” café naïve 在北京市 ok İI",
            &format!("{long} {long}y {long}'s a{long}"),
            "tab\tnew\nline\r\nfeed\x0cvt\x0bend",
            "a\u{301} \u{301}\u{301} e\u{301}x",
        ] {
            let expected = count_tokens(&mut WordTokenizer::default(), text);
            assert_eq!(count_terms(text), expected, "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn the_fast_count_agrees_on_any_text(text in "[a-zA-Z0-9' \t\n\x0b\x0c’é在İ\u{301}.-]{0,200}") {
            let expected = count_tokens(&mut WordTokenizer::default(), &text);
            proptest::prop_assert_eq!(count_terms(&text), expected);
        }
    }

    #[test]
    fn punctuation_only_gives_no_terms() {
        assert!(terms("--- ... ’’ !!").is_empty());
        assert!(terms("").is_empty());
    }
}
