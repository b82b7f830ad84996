//! Text analysis: how passages and queries are cut into index terms. The one place where the
//! analyzer's name and recipe live; every field with text uses it, at index and query time, so
//! that `Turkiye` finds `Türkiye`, `Mother's` finds `Mother’s`, and `killed` matches `kill`.

use rustc_hash::FxHashMap;
use tantivy::tokenizer::{
    AsciiFoldingFilter, RemoveLongFilter, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};
use tantivy::Index;

/// Name under which [`analyzer`] is registered on an index.
pub const ANALYZER: &str = "loupe_en";

/// Terms longer than this (in bytes) are dropped: they are noise such as encoded data.
const MAX_TERM_BYTES: usize = 48;

/// Words (Unicode letters and digits), lowercased and folded to ASCII where possible, then
/// stemmed with the English Snowball stemmer.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TERM_BYTES))
        .filter(AsciiFoldingFilter)
        .filter(CachedStemmer)
        .build()
}

/// Registers loupe's analyzer on `index`; needed after every open.
pub fn register(index: &Index) {
    index.tokenizers().register(ANALYZER, analyzer());
}

/// English Snowball stemming with a cache of stems: words repeat so much in text that most
/// tokens are stemmed by a look-up (stemming was a third of indexing time). The cache keeps the
/// first words it meets, which in running text are mostly the frequent ones, and stays small
/// enough to be fast.
#[derive(Clone)]
pub struct CachedStemmer;

/// Most words kept in a stem cache.
const STEM_CACHE_ENTRIES: usize = 32_768;

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            inner: tokenizer,
            cache: FxHashMap::default(),
        }
    }
}

/// The tokenizer that [`CachedStemmer`] wraps around another.
#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    inner: T,
    cache: FxHashMap<String, String>,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            cache: &mut self.cache,
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
        }
    }
}

/// Token stream of [`CachedStemmerFilter`].
pub struct CachedStemmerStream<'a, T> {
    tail: T,
    cache: &'a mut FxHashMap<String, String>,
    stemmer: frostem::Stemmer,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        // Snowball's English stemmer leaves words of one or two letters alone.
        if token.text.len() <= 2 {
            return true;
        }
        match self.cache.get(&token.text) {
            Some(stem) => {
                token.text.clear();
                token.text.push_str(stem);
            }
            None => {
                let stem = self.stemmer.stem(&token.text).into_owned();
                if self.cache.len() < STEM_CACHE_ENTRIES {
                    self.cache
                        .insert(std::mem::take(&mut token.text), stem.clone());
                }
                token.text = stem;
            }
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Splits text into words and normalises each: lower case (with Turkish dotted and dotless
/// i folded to `i`, and final sigma to sigma), combining marks removed, and typographic
/// apostrophes inside a word (`Mother’s`) made straight so the stemmer can remove them.
#[derive(Clone, Default)]
pub struct WordTokenizer {
    token: Token,
}

/// Token stream of [`WordTokenizer`].
pub struct WordTokenStream<'a> {
    text: &'a str,
    pos: usize,
    token: &'a mut Token,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordTokenStream<'a> {
        self.token.reset();
        WordTokenStream {
            text,
            pos: 0,
            token: &mut self.token,
        }
    }
}

fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        c.is_alphanumeric()
    }
}

fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}' | '\u{2018}')
}

impl WordTokenStream<'_> {
    /// The character at byte `i` (a char boundary) and its length.
    fn char_at(&self, i: usize) -> Option<(char, usize)> {
        let b = *self.text.as_bytes().get(i)?;
        if b.is_ascii() {
            return Some((char::from(b), 1));
        }
        self.text[i..].chars().next().map(|c| (c, c.len_utf8()))
    }

    /// Appends the normalised form of `c` to the token text.
    fn push_normalised(&mut self, c: char) {
        let text = &mut self.token.text;
        match c {
            c if c.is_ascii() => text.push(c.to_ascii_lowercase()),
            'İ' | 'ı' => text.push('i'),
            'ς' => text.push('σ'),
            c if is_apostrophe(c) => text.push('\''),
            c if is_combining_mark(c) => {}
            c => text.extend(c.to_lowercase()),
        }
    }
}

impl TokenStream for WordTokenStream<'_> {
    fn advance(&mut self) -> bool {
        // Find the next word character (with a fast path for ASCII).
        let mut i = self.pos;
        loop {
            match self.char_at(i) {
                None => {
                    self.pos = self.text.len();
                    return false;
                }
                Some((c, _)) if is_word_char(c) => break,
                Some((_, len)) => i += len,
            }
        }
        let start = i;
        self.token.text.clear();
        // Take word characters, combining marks, and apostrophes followed by a word character.
        while let Some((c, len)) = self.char_at(i) {
            let inside = is_word_char(c)
                || is_combining_mark(c)
                || (is_apostrophe(c)
                    && self.char_at(i + len).is_some_and(|(n, _)| is_word_char(n)));
            if !inside {
                break;
            }
            self.push_normalised(c);
            i += len;
        }
        self.pos = i;
        self.token.position = self.token.position.wrapping_add(1);
        self.token.offset_from = start;
        self.token.offset_to = i;
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// The analyzed terms of `text`, in order (a convenience for queries and tests).
pub fn terms(text: &str) -> Vec<String> {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// How many terms the analyzer makes of `text` (counted without stemming them, which never
/// adds or removes one): a document's length as BM25 counts it.
pub fn count_terms(text: &str) -> u64 {
    let mut tokenizer = WordTokenizer::default();
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

/// The words of `text` normalised and folded like index terms, but not stemmed: the exact
/// forms, to tell `pickings` from `picking`.
pub fn folded_words(text: &str) -> Vec<String> {
    let mut analyzer = TextAnalyzer::builder(WordTokenizer::default())
        .filter(AsciiFoldingFilter)
        .build();
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
    fn punctuation_only_gives_no_terms() {
        assert!(terms("--- ... ’’ !!").is_empty());
        assert!(terms("").is_empty());
    }
}
