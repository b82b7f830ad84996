//! Text analysis: how passages and queries are cut into index terms. The one place where the
//! analyzer's name and recipe live; every field with text uses it, at index and query time, so
//! that `Turkiye` finds `Türkiye`, `Mother's` finds `Mother’s`, and `killed` matches `kill`.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, RemoveLongFilter, Stemmer, TextAnalyzer, Token, TokenStream,
    Tokenizer,
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
        .filter(Stemmer::new(Language::English))
        .build()
}

/// Registers loupe's analyzer on `index`; needed after every open.
pub fn register(index: &Index) {
    index.tokenizers().register(ANALYZER, analyzer());
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
    c.is_alphanumeric()
}

fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}' | '\u{2018}')
}

impl WordTokenStream<'_> {
    /// Byte offset where the word starting at `start` ends.
    fn word_end(&self, start: usize) -> usize {
        let mut chars = self.text[start..].char_indices().peekable();
        let mut end = start;
        while let Some((i, c)) = chars.next() {
            let next_is_word = chars.peek().is_some_and(|&(_, n)| is_word_char(n));
            if is_word_char(c) || is_combining_mark(c) || (is_apostrophe(c) && next_is_word) {
                end = start + i + c.len_utf8();
            } else {
                break;
            }
        }
        end
    }
}

impl TokenStream for WordTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let Some((offset, _)) = self.text[self.pos..]
            .char_indices()
            .find(|&(_, c)| is_word_char(c))
        else {
            self.pos = self.text.len();
            return false;
        };
        let start = self.pos + offset;
        let end = self.word_end(start);
        self.pos = end;
        self.token.position = self.token.position.wrapping_add(1);
        self.token.offset_from = start;
        self.token.offset_to = end;
        self.token.text.clear();
        for c in self.text[start..end].chars() {
            match c {
                'İ' | 'I' | 'ı' => self.token.text.push('i'),
                'ς' => self.token.text.push('σ'),
                c if is_apostrophe(c) => self.token.text.push('\''),
                c if is_combining_mark(c) => {}
                c if c.is_ascii() => self.token.text.push(c.to_ascii_lowercase()),
                c => self.token.text.extend(c.to_lowercase()),
            }
        }
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

/// The first word of `text` normalised and folded like index terms, but not stemmed: the form
/// to compare with the start of index terms (prefix queries). Empty when there is no word.
pub fn fold(text: &str) -> String {
    let mut analyzer = TextAnalyzer::builder(WordTokenizer::default())
        .filter(AsciiFoldingFilter)
        .build();
    let mut stream = analyzer.token_stream(text);
    if stream.advance() {
        stream.token().text.clone()
    } else {
        String::new()
    }
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
    fn punctuation_only_gives_no_terms() {
        assert!(terms("--- ... ’’ !!").is_empty());
        assert!(terms("").is_empty());
    }
}
