//! Cutting text into normalised words: the tokenizer under every analysis. Letters and digits
//! make words; Chinese, Japanese and Korean characters, written without spaces, are cut into
//! overlapping pairs (character bigrams, as Lucene's CJK analysis does) so that any
//! two-character word is found inside a sentence.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Splits text into words and normalises each: lower case (with final sigma made sigma, and
/// dotted and dotless i made `i`, or with Turkish casing when [`WordTokenizer::turkic`]),
/// combining marks removed, and typographic apostrophes inside a word (`Mother’s`) made
/// straight. Runs of CJK characters become bigrams; for indexing, each character is also a
/// term of its own at the position of its bigram, so that a one-character query finds it.
#[derive(Clone, Default)]
pub struct WordTokenizer {
    token: Token,
    options: Options,
    /// Byte offsets of the characters of the CJK run being cut, then the run's end.
    run: Vec<usize>,
}

#[derive(Clone, Copy, Default)]
struct Options {
    /// Turkish and Azerbaijani casing: `I` lowercases to `ı` (the stemmer needs the letter;
    /// folding makes it `i` afterwards).
    turkic: bool,
    /// Bigrams only, with no single characters beside them: how queries are cut, so that a
    /// two-character word is one term.
    query: bool,
}

impl WordTokenizer {
    /// The tokenizer for Turkish and Azerbaijani text.
    pub fn turkic() -> WordTokenizer {
        WordTokenizer {
            options: Options {
                turkic: true,
                query: false,
            },
            ..WordTokenizer::default()
        }
    }

    /// The same tokenizer, cutting CJK text as queries are cut (bigrams only).
    pub fn for_queries(mut self) -> WordTokenizer {
        self.options.query = true;
        self
    }
}

/// Token stream of [`WordTokenizer`].
pub struct WordTokenStream<'a> {
    text: &'a str,
    pos: usize,
    token: &'a mut Token,
    options: Options,
    run: &'a mut Vec<usize>,
    /// The next token of the current CJK run to emit (see [`WordTokenStream::next_in_run`]).
    in_run: usize,
    /// Position of the run's first character.
    run_position: usize,
    /// Position the next word takes.
    next_position: usize,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordTokenStream<'a> {
        self.token.reset();
        self.run.clear();
        WordTokenStream {
            text,
            pos: 0,
            token: &mut self.token,
            options: self.options,
            run: &mut self.run,
            in_run: 0,
            run_position: 0,
            next_position: 0,
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

/// Han ideographs, Japanese kana and Korean hangul: scripts written without spaces between
/// words (Korean has spaces, but cutting it into bigrams too is what Lucene's CJK analysis does).
pub fn is_cjk(c: char) -> bool {
    if c < '\u{1100}' {
        return false;
    }
    matches!(c,
        '\u{3040}'..='\u{30FF}' // hiragana, katakana
        | '\u{31F0}'..='\u{31FF}' // katakana extensions
        | '\u{3400}'..='\u{4DBF}' // Han extension A
        | '\u{4E00}'..='\u{9FFF}' // Han
        | '\u{F900}'..='\u{FAFF}' // Han compatibility
        | '\u{FF66}'..='\u{FF9F}' // halfwidth katakana
        | '\u{1100}'..='\u{11FF}' // hangul jamo
        | '\u{3130}'..='\u{318F}' // hangul compatibility jamo
        | '\u{AC00}'..='\u{D7AF}' // hangul syllables
        | '\u{20000}'..='\u{2FA1F}' // Han extensions B and later
    )
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
            'I' if self.options.turkic => text.push('ı'),
            c if c.is_ascii() => text.push(c.to_ascii_lowercase()),
            'İ' => text.push('i'),
            'ı' if !self.options.turkic => text.push('i'),
            'ς' => text.push('σ'),
            c if is_apostrophe(c) => text.push('\''),
            c if is_combining_mark(c) => {}
            c => text.extend(c.to_lowercase()),
        }
    }

    /// Emits the next token of the current CJK run, if any is left. With `n` characters, an
    /// index gets, at each position `i`, character `i` and (but for the last) the bigram of
    /// characters `i` and `i + 1`; a query gets the bigrams only (or the character alone when
    /// the run has one). Either way the run takes `n` positions.
    fn next_in_run(&mut self) -> bool {
        let n = self.run.len() - 1;
        let (index, width) = if n == 1 {
            (self.in_run, 1)
        } else if self.options.query {
            (self.in_run, 2)
        } else {
            (self.in_run / 2, 1 + self.in_run % 2)
        };
        if index + width > n {
            self.run.clear();
            return false;
        }
        self.in_run += 1;
        let (from, to) = (self.run[index], self.run[index + width]);
        self.token.text.clear();
        self.token.text.push_str(&self.text[from..to]);
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.position = self.run_position + index;
        true
    }

    /// Reads the CJK run starting at byte `start` and emits its first token.
    fn start_run(&mut self, start: usize) -> bool {
        let mut i = start;
        while let Some((_, len)) = self.char_at(i).filter(|(c, _)| is_cjk(*c)) {
            self.run.push(i);
            i += len;
        }
        self.run.push(i);
        self.pos = i;
        self.in_run = 0;
        self.run_position = self.next_position;
        self.next_position += self.run.len() - 1;
        self.next_in_run()
    }
}

impl TokenStream for WordTokenStream<'_> {
    fn advance(&mut self) -> bool {
        if !self.run.is_empty() && self.next_in_run() {
            return true;
        }
        let mut i = self.pos;
        let start = loop {
            // Find the next word character (with a fast path for ASCII).
            loop {
                match self.char_at(i) {
                    None => {
                        self.pos = self.text.len();
                        return false;
                    }
                    Some((c, _)) if is_word_char(c) => {
                        if is_cjk(c) {
                            return self.start_run(i);
                        }
                        break;
                    }
                    Some((_, len)) => i += len,
                }
            }
            let start = i;
            self.token.text.clear();
            // Take word characters, combining marks, and apostrophes followed by a word character.
            while let Some(&b) = self.text.as_bytes().get(i) {
                // Fast path: ASCII letters and digits.
                if b.is_ascii_alphanumeric() {
                    let lower = if b == b'I' && self.options.turkic {
                        'ı'
                    } else {
                        char::from(b.to_ascii_lowercase())
                    };
                    self.token.text.push(lower);
                    i += 1;
                    continue;
                }
                let (c, len) = self.char_at(i).expect("a char boundary");
                let word = |c: char| is_word_char(c) && !is_cjk(c);
                let inside = word(c)
                    || is_combining_mark(c)
                    || (is_apostrophe(c) && self.char_at(i + len).is_some_and(|(n, _)| word(n)));
                if !inside {
                    break;
                }
                self.push_normalised(c);
                i += len;
            }
            // A word of combining marks alone (a stray accent) normalises to nothing: skipped.
            if !self.token.text.is_empty() {
                break start;
            }
        };
        self.pos = i;
        self.token.position = self.next_position;
        self.next_position += 1;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(mut tokenizer: WordTokenizer, text: &str) -> Vec<(String, usize, &str)> {
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            out.push((
                t.text.clone(),
                t.position,
                &text[t.offset_from..t.offset_to],
            ));
        }
        out
    }

    #[test]
    fn a_stray_combining_mark_is_no_word() {
        let got = tokens(
            WordTokenizer::default(),
            "\u{363}\n a \u{301}\u{301} cafe\u{301}",
        );
        let terms: Vec<&str> = got.iter().map(|(t, _, _)| t.as_str()).collect();
        assert_eq!(terms, ["a", "cafe"]);
        assert_eq!(got[1].1, 1, "positions count words only");
    }

    #[test]
    fn cjk_runs_become_bigrams_and_characters() {
        let got = tokens(WordTokenizer::default(), "在北京市 ok");
        let terms: Vec<(&str, usize)> = got.iter().map(|(t, p, _)| (t.as_str(), *p)).collect();
        assert_eq!(
            terms,
            [
                ("在", 0),
                ("在北", 0),
                ("北", 1),
                ("北京", 1),
                ("京", 2),
                ("京市", 2),
                ("市", 3),
                ("ok", 4)
            ]
        );
        assert!(got.iter().all(|(t, _, source)| t == source));
    }

    #[test]
    fn queries_get_bigrams_and_keep_positions_in_step() {
        let got = tokens(WordTokenizer::default().for_queries(), "北京市 ok 京");
        let terms: Vec<(&str, usize)> = got.iter().map(|(t, p, _)| (t.as_str(), *p)).collect();
        assert_eq!(terms, [("北京", 0), ("京市", 1), ("ok", 3), ("京", 4)]);
    }

    #[test]
    fn a_lone_cjk_character_is_one_token() {
        for tokenizer in [
            WordTokenizer::default(),
            WordTokenizer::default().for_queries(),
        ] {
            let got = tokens(tokenizer, "京");
            assert_eq!(got, [("京".to_string(), 0, "京")]);
        }
    }

    #[test]
    fn cjk_next_to_latin_letters_splits_them() {
        let got = tokens(WordTokenizer::default().for_queries(), "iPhone手机");
        let terms: Vec<&str> = got.iter().map(|(t, _, _)| t.as_str()).collect();
        assert_eq!(terms, ["iphone", "手机"]);
    }

    #[test]
    fn turkic_casing_keeps_dotless_i() {
        let got = tokens(WordTokenizer::turkic(), "ISTANBUL İstanbul Xocalı");
        let terms: Vec<&str> = got.iter().map(|(t, _, _)| t.as_str()).collect();
        assert_eq!(terms, ["ıstanbul", "istanbul", "xocalı"]);
    }
}
