//! Snowball stemming with a cache of stems, and the apostrophe rule of Turkish proper nouns.

use std::cell::RefCell;
use std::hash::Hasher;

use rustc_hash::FxHasher;
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Snowball stemming with a cache of stems: words repeat so much in text that most tokens are
/// stemmed by a look-up (stemming was a third of indexing time). The cache keeps the first
/// words it meets, which in running text are mostly the frequent ones, and stays small enough
/// to be fast.
#[derive(Clone)]
pub struct CachedStemmer(pub frostem::Algorithm);

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            inner: tokenizer,
            algorithm: self.0,
            cache: StemCache::default(),
        }
    }
}

/// Empties, inside [`stemming_only`], the words that cannot stem to the terms looked for, so
/// that the stemmer after it leaves them alone. Only before stemmers that change no more than
/// the last [`STEM_TAIL`] characters of a word (English).
#[derive(Clone)]
pub struct StemGate;

impl TokenFilter for StemGate {
    type Tokenizer<T: Tokenizer> = StemGateFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> StemGateFilter<T> {
        StemGateFilter(tokenizer)
    }
}

/// The tokenizer that [`StemGate`] wraps around another.
#[derive(Clone)]
pub struct StemGateFilter<T>(T);

impl<T: Tokenizer> Tokenizer for StemGateFilter<T> {
    type TokenStream<'a> = StemGateStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        StemGateStream(self.0.token_stream(text))
    }
}

/// Token stream of [`StemGateFilter`].
pub struct StemGateStream<T>(T);

impl<T: TokenStream> TokenStream for StemGateStream<T> {
    fn advance(&mut self) -> bool {
        if !self.0.advance() {
            return false;
        }
        let token = self.0.token_mut();
        if !passes_gate(&token.text) {
            token.text.clear();
        }
        true
    }

    fn token(&self) -> &Token {
        self.0.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}

/// Snowball's English stemmer keeps every character of a word but its last four (its
/// longest rewritten ending, such as `enci` → `ence`), and always its first: a word stems
/// to `term` only if it starts with `term` less its last four characters (but one).
/// Checked on the 353,000 words of the shared corpora; a test keeps checking it.
pub const STEM_TAIL: usize = 4;

/// What a word must start with to stem to `term` (in an analysis with a [`StemGate`]).
pub fn stem_prefix(term: &str) -> &str {
    let keep = term.chars().count().saturating_sub(STEM_TAIL).max(1);
    match term.char_indices().nth(keep) {
        Some((end, _)) => &term[..end],
        None => term,
    }
}

thread_local! {
    /// The prefixes ([`stem_prefix`]) of the terms looked for, while [`stemming_only`] runs.
    static GATE: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
}

/// Runs `f` with this thread's [`StemGate`]s letting through only the words that may stem to
/// one of `terms`, and emptying the others: finding where a few terms stand in a text then stems
/// a few of its words instead of all of them (a third of a search's instructions).
pub fn stemming_only<R>(
    terms: impl IntoIterator<Item = impl AsRef<str>>,
    f: impl FnOnce() -> R,
) -> R {
    struct Reset(Option<Vec<String>>);
    impl Drop for Reset {
        fn drop(&mut self) {
            let before = self.0.take();
            GATE.with(|gate| *gate.borrow_mut() = before);
        }
    }
    let prefixes = terms
        .into_iter()
        .map(|t| stem_prefix(t.as_ref()).to_string())
        .collect();
    let _reset = Reset(GATE.with(|gate| gate.borrow_mut().replace(prefixes)));
    f()
}

/// True when no [`stemming_only`] gate shuts `word` out.
fn passes_gate(word: &str) -> bool {
    GATE.with(|gate| {
        gate.borrow()
            .as_ref()
            .is_none_or(|prefixes| prefixes.iter().any(|p| word.starts_with(p.as_str())))
    })
}

/// The tokenizer that [`CachedStemmer`] wraps around another.
#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    inner: T,
    algorithm: frostem::Algorithm,
    cache: StemCache,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            cache: &mut self.cache,
            stemmer: frostem::Stemmer::new(self.algorithm),
        }
    }
}

/// Token stream of [`CachedStemmerFilter`].
pub struct CachedStemmerStream<'a, T> {
    tail: T,
    cache: &'a mut StemCache,
    stemmer: frostem::Stemmer,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        // Snowball's stemmers leave words of one or two letters alone.
        if token.text.len() <= 2 {
            return true;
        }
        match self.cache.get(&token.text) {
            Some(Stem::Same) => {}
            Some(Stem::Other(stem)) => {
                token.text.clear();
                token.text.push_str(stem);
            }
            None => {
                let stem = self.stemmer.stem(&token.text);
                self.cache.insert(&token.text, &stem);
                if stem != token.text.as_str() {
                    token.text = stem.into_owned();
                }
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

/// What the cache knows of a word's stem.
#[derive(Debug, PartialEq)]
enum Stem<'a> {
    /// The word is its own stem.
    Same,
    /// The stem differs from the word.
    Other(&'a str),
}

/// Words and their stems, for at most [`StemCache::ENTRIES`] words: an open-addressing table
/// of 8-byte slots over one string that holds the words and stems side by side. A look-up
/// reads a slot and then the word and its stem in one place; a map of `String`s would follow
/// two pointers to two allocations, and the profile showed those cache misses as a sixth of
/// indexing time.
#[derive(Clone, Default)]
struct StemCache {
    /// Empty (0), or a word: bits 48..64 hold its hash's top bits, 40..48 the word's length,
    /// 32..40 the stem's length (0: the word is its own stem), 0..32 its offset in `text`.
    slots: Vec<u64>,
    /// Each cached word, followed by its stem when that differs.
    text: String,
    entries: usize,
}

impl StemCache {
    /// Most words kept.
    const ENTRIES: usize = 32_768;
    /// Slots to start with; the table doubles as it fills, up to twice [`StemCache::ENTRIES`].
    const FIRST_SLOTS: usize = 1_024;

    fn hash(word: &str) -> u64 {
        let mut hasher = FxHasher::default();
        hasher.write(word.as_bytes());
        hasher.finish()
    }

    fn get(&self, word: &str) -> Option<Stem<'_>> {
        if self.slots.is_empty() {
            return None;
        }
        let hash = Self::hash(word);
        let mask = self.slots.len() - 1;
        let tag = hash >> 48;
        let mut i = hash as usize & mask;
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                return None;
            }
            let (word_len, stem_len) = ((slot >> 40) as u8 as usize, (slot >> 32) as u8 as usize);
            if slot >> 48 == tag && word_len == word.len() {
                let at = slot as u32 as usize;
                if &self.text[at..at + word_len] == word {
                    return Some(match stem_len {
                        0 => Stem::Same,
                        n => Stem::Other(&self.text[at + word_len..at + word_len + n]),
                    });
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// Caches `stem` as the stem of `word` (not there yet), while there is room.
    fn insert(&mut self, word: &str, stem: &str) {
        let fits = |n: usize| (1..256).contains(&n);
        if self.entries >= Self::ENTRIES || !fits(word.len()) || stem.len() > 255 || stem.is_empty()
        {
            return;
        }
        if self.slots.len() < 2 * (self.entries + 1) {
            self.grow();
        }
        let at = self.text.len() as u64;
        self.text.push_str(word);
        let stem_len = if stem == word {
            0
        } else {
            self.text.push_str(stem);
            stem.len() as u64
        };
        let hash = Self::hash(word);
        let slot = (hash >> 48) << 48 | (word.len() as u64) << 40 | stem_len << 32 | at;
        self.place(hash, slot);
        self.entries += 1;
    }

    fn place(&mut self, hash: u64, slot: u64) {
        let mask = self.slots.len() - 1;
        let mut i = hash as usize & mask;
        while self.slots[i] != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = slot;
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(Self::FIRST_SLOTS);
        let old = std::mem::replace(&mut self.slots, vec![0; size]);
        for slot in old.into_iter().filter(|&s| s != 0) {
            let at = slot as u32 as usize;
            let word_len = (slot >> 40) as u8 as usize;
            let hash = Self::hash(&self.text[at..at + word_len]);
            self.place(hash, slot);
        }
    }
}

/// Turkish and Azerbaijani write a proper noun's suffixes after an apostrophe (`İstanbul'da`,
/// `Ankara'nın`): the apostrophe and what follows are dropped, as Lucene's Turkish analysis
/// does. French and Italian elide articles before it (`l'élection`, `dell'anno`): what comes
/// before is dropped, as Lucene's elision filter does.
#[derive(Clone)]
pub struct ApostropheSuffix {
    /// Keep the part before the apostrophe (Turkish) rather than after it (elision).
    pub keep_start: bool,
}

impl TokenFilter for ApostropheSuffix {
    type Tokenizer<T: Tokenizer> = ApostropheSuffixFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> ApostropheSuffixFilter<T> {
        ApostropheSuffixFilter(tokenizer, self.keep_start)
    }
}

/// The tokenizer that [`ApostropheSuffix`] wraps around another.
#[derive(Clone)]
pub struct ApostropheSuffixFilter<T>(T, bool);

impl<T: Tokenizer> Tokenizer for ApostropheSuffixFilter<T> {
    type TokenStream<'a> = ApostropheSuffixStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        ApostropheSuffixStream(self.0.token_stream(text), self.1)
    }
}

/// Token stream of [`ApostropheSuffixFilter`].
pub struct ApostropheSuffixStream<T>(T, bool);

impl<T: TokenStream> TokenStream for ApostropheSuffixStream<T> {
    fn advance(&mut self) -> bool {
        if !self.0.advance() {
            return false;
        }
        let keep_start = self.1;
        let token = self.0.token_mut();
        if keep_start {
            if let Some(cut) = token.text.find('\'') {
                token.text.truncate(cut);
            }
        } else if let Some(cut) = token.text.rfind('\'') {
            token.text.drain(..=cut);
        }
        true
    }

    fn token(&self) -> &Token {
        self.0.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_gives_back_what_it_was_given() {
        let mut cache = StemCache::default();
        assert_eq!(cache.get("running"), None);
        cache.insert("running", "run");
        cache.insert("cat", "cat");
        assert_eq!(cache.get("running"), Some(Stem::Other("run")));
        assert_eq!(cache.get("cat"), Some(Stem::Same));
        assert_eq!(cache.get("runnin"), None);
        assert_eq!(cache.get("runnings"), None);
    }

    #[test]
    fn the_cache_keeps_every_word_as_it_grows_and_stops_at_its_size() {
        let mut cache = StemCache::default();
        let words: Vec<String> = (0..StemCache::ENTRIES + 100)
            .map(|i| format!("wörd{i}"))
            .collect();
        for (i, word) in words.iter().enumerate() {
            cache.insert(word, &format!("s{i}"));
        }
        for (i, word) in words.iter().enumerate() {
            let expected = format!("s{i}");
            let got = cache.get(word);
            if i < StemCache::ENTRIES {
                assert_eq!(got, Some(Stem::Other(&expected)), "{word}");
            } else {
                assert_eq!(got, None, "{word} is past the cache's size");
            }
        }
    }

    #[test]
    fn cached_stems_are_the_stemmers_stems() {
        let text = "running runs ran runner running generously generous runs Ägypten";
        let mut analyzer = tantivy::tokenizer::TextAnalyzer::builder(
            crate::analysis::words::WordTokenizer::default(),
        )
        .filter(CachedStemmer(frostem::Algorithm::English))
        .build();
        let stemmer = frostem::Stemmer::new(frostem::Algorithm::English);
        for _ in 0..2 {
            let mut stream = analyzer.token_stream(text);
            let mut got = Vec::new();
            while stream.advance() {
                got.push(stream.token().text.clone());
            }
            let expected: Vec<String> = text
                .split(' ')
                .map(|w| stemmer.stem(&w.to_lowercase()).into_owned())
                .collect();
            assert_eq!(got, expected);
        }
    }

    /// Whether `word`'s English stem starts a word the way [`stem_prefix`] says.
    fn keeps_prefix(word: &str) -> bool {
        let stem = frostem::Stemmer::new(frostem::Algorithm::English)
            .stem(word)
            .into_owned();
        word.starts_with(stem_prefix(&stem))
    }

    #[test]
    fn english_stems_keep_the_start_of_their_word() {
        // Snowball's exceptions, and its longest rewritten endings.
        for word in [
            "dying",
            "lying",
            "tying",
            "skies",
            "news",
            "idly",
            "gently",
            "early",
            "hoping",
            "relational",
            "conditional",
            "valenci",
            "hesitanci",
            "digitizer",
            "conformabli",
            "radicalli",
            "differentli",
            "vileli",
            "analogousli",
            "vietnamization",
            "predication",
            "operator",
            "feudalism",
            "decisiveness",
            "hopefulness",
            "callousness",
            "formaliti",
            "sensitiviti",
            "sensibiliti",
            "generalizations",
            "happily",
            "cried",
            "ties",
            "succeeded",
            "agreed",
            "a",
            "ab",
            "y",
            "yes",
        ] {
            assert!(keeps_prefix(word), "{word}");
        }
        assert_eq!(stem_prefix("die"), "d");
        assert_eq!(stem_prefix("general"), "gen");
        assert_eq!(stem_prefix("ж"), "ж");
    }

    proptest::proptest! {
        #[test]
        fn any_english_word_stems_keeping_its_start(
            stem in "[a-z]{1,9}",
            ending in "(|s|es|ies|ed|ied|ing|ly|li|ational|tional|enci|anci|abli|ousli|ization|ation|ator|alism|iveness|fulness|ousness|aliti|iviti|biliti|logi|fulli|lessli|icate|ative|alize|iciti|ical|ful|ness|ement|ment|ent|ism|able|ible|ant|ence|ance|er|ic|al|ate|ive|ize|iti|ous|ion|eed|eedly|ingly|edly|e)",
        ) {
            let word = format!("{stem}{ending}");
            proptest::prop_assert!(keeps_prefix(&word), "{}", word);
        }
    }

    /// The terms of `text` with an English stemmer, behind a [`StemGate`] or not, inside
    /// `stemming_only(terms)` when `terms` are given.
    fn english_terms(text: &str, gated: bool, terms: Option<&[&str]>) -> Vec<String> {
        let words = tantivy::tokenizer::TextAnalyzer::builder(
            crate::analysis::words::WordTokenizer::default(),
        );
        let mut analyzer = if gated {
            words
                .filter(StemGate)
                .filter(CachedStemmer(frostem::Algorithm::English))
                .build()
        } else {
            words
                .filter(CachedStemmer(frostem::Algorithm::English))
                .build()
        };
        let mut run = || {
            let mut stream = analyzer.token_stream(text);
            let mut got = Vec::new();
            while stream.advance() {
                got.push(stream.token().text.clone());
            }
            got
        };
        match terms {
            Some(terms) => stemming_only(terms, run),
            None => run(),
        }
    }

    #[test]
    fn a_stem_gate_lets_through_only_words_that_may_reach_the_terms() {
        let text = "Running runners ran generously while the runner dried";
        let all = english_terms(text, false, None);
        assert_eq!(
            all,
            ["run", "runner", "ran", "generous", "while", "the", "runner", "dri"]
        );
        let gated = english_terms(text, true, Some(&["run", "dri"]));
        assert_eq!(gated, ["run", "runner", "ran", "", "", "", "runner", "dri"]);
        assert_eq!(
            english_terms(text, false, Some(&["run"])),
            all,
            "without a gate, `stemming_only` changes nothing"
        );
        assert_eq!(
            english_terms(text, true, None),
            all,
            "outside `stemming_only`, the gate lets everything through"
        );
    }
}
