//! Snowball stemming with a cache of stems, and the apostrophe rule of Turkish proper nouns.

use rustc_hash::FxHashMap;
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Snowball stemming with a cache of stems: words repeat so much in text that most tokens are
/// stemmed by a look-up (stemming was a third of indexing time). The cache keeps the first
/// words it meets, which in running text are mostly the frequent ones, and stays small enough
/// to be fast.
#[derive(Clone)]
pub struct CachedStemmer(pub frostem::Algorithm);

/// Most words kept in a stem cache.
const STEM_CACHE_ENTRIES: usize = 32_768;

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            inner: tokenizer,
            algorithm: self.0,
            cache: FxHashMap::default(),
        }
    }
}

/// The tokenizer that [`CachedStemmer`] wraps around another.
#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    inner: T,
    algorithm: frostem::Algorithm,
    cache: FxHashMap<String, String>,
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
    cache: &'a mut FxHashMap<String, String>,
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
