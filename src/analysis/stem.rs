//! [`CachedStemmer`]: Snowball stemming (German or English, via
//! `rust-stemmers`) with a per-thread cache.
//!
//! Takes lowercased tokens; gives their Snowball stems. Tokens containing an
//! ASCII digit (`0412/2025`, `§21`, `10.11.2025`, `b2b`) are passed through
//! unstemmed: they are identifiers, and a suffix rule cutting `-er` off
//! `2000er` would only blur them.
//!
//! Why a cache: stemming is the most expensive step of indexing, and text is
//! Zipfian: a few thousand distinct words make up most tokens. Each thread
//! keeps a `HashMap<word, stem>` per language ([`StemCache`]); on a hit the
//! stem is copied into the token's existing buffer, with no allocation and no
//! Snowball run. The map is bounded: when it reaches
//! [`CACHE_CAPACITY`] entries it is cleared and refilled, which keeps memory
//! flat (a few MB per thread) without any bookkeeping on the hot path. The
//! cache is thread-local rather than owned by the filter because tantivy
//! clones analyzers freely (once per segment writer, once per query), and a
//! clone must neither copy a full map nor start cold every time.
//!
//! German stemming runs *before* umlaut normalization: Snowball German handles
//! ä/ö/ü/ß itself (and removes the umlaut at the end), while a word already
//! folded to "a" would be stemmed by different rules.

use std::cell::RefCell;
use std::thread::LocalKey;

use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::FxHashMap as HashMap;
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

use super::Lang;

/// Entries a thread's cache holds per language before it is cleared.
pub const CACHE_CAPACITY: usize = 50_000;

/// The Snowball algorithm used for `lang`.
pub fn algorithm(lang: Lang) -> Algorithm {
    match lang {
        Lang::German => Algorithm::German,
        Lang::English => Algorithm::English,
    }
}

/// Stems one lowercased word with no cache and no extra rules, exactly as
/// `rust-stemmers` does (for tests and one-off use).
pub fn stem_raw(lang: Lang, word: &str) -> String {
    Stemmer::create(algorithm(lang)).stem(word).into_owned()
}

/// A bounded word → stem map.
pub struct StemCache {
    map: HashMap<String, String>,
    capacity: usize,
}

impl StemCache {
    /// An empty cache that is cleared whenever it reaches `capacity` entries.
    pub fn with_capacity(capacity: usize) -> StemCache {
        StemCache {
            map: HashMap::default(),
            capacity: capacity.max(1),
        }
    }

    /// Number of cached words.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Replaces `word` by its stem, from the cache or by running `stemmer`.
    pub fn stem_in_place(&mut self, stemmer: &Stemmer, word: &mut String) {
        if let Some(stem) = self.map.get(word.as_str()) {
            word.clear();
            word.push_str(stem);
            return;
        }
        let stem = stemmer.stem(word).into_owned();
        if self.map.len() >= self.capacity {
            self.map.clear();
        }
        // The word's own buffer becomes the key; the token gets the stem.
        let key = std::mem::replace(word, stem);
        self.map.insert(key, word.clone());
    }
}

thread_local! {
    static GERMAN_CACHE: RefCell<StemCache> = RefCell::new(StemCache::with_capacity(CACHE_CAPACITY));
    static ENGLISH_CACHE: RefCell<StemCache> = RefCell::new(StemCache::with_capacity(CACHE_CAPACITY));
}

fn cache_for(lang: Lang) -> &'static LocalKey<RefCell<StemCache>> {
    match lang {
        Lang::German => &GERMAN_CACHE,
        Lang::English => &ENGLISH_CACHE,
    }
}

/// Number of words in this thread's cache for `lang` (for tests and stats).
pub fn cached_words(lang: Lang) -> usize {
    cache_for(lang).with(|c| c.borrow().len())
}

/// Whether a token is an identifier that must not be stemmed.
fn has_digit(text: &str) -> bool {
    text.bytes().any(|b| b.is_ascii_digit())
}

/// Stemming token filter; `CachedStemmer::new(Lang::German)`.
#[derive(Clone, Copy, Debug)]
pub struct CachedStemmer {
    lang: Lang,
}

impl CachedStemmer {
    /// A stemmer for `lang` sharing this thread's cache for that language.
    pub fn new(lang: Lang) -> CachedStemmer {
        CachedStemmer { lang }
    }
}

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            lang: self.lang,
            inner: tokenizer,
        }
    }
}

/// [`Tokenizer`] wrapper built by [`CachedStemmer`].
#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    lang: Lang,
    inner: T,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerTokenStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerTokenStream {
            tail: self.inner.token_stream(text),
            stemmer: Stemmer::create(algorithm(self.lang)),
            cache: cache_for(self.lang),
        }
    }
}

/// Token stream of [`CachedStemmerFilter`].
pub struct CachedStemmerTokenStream<T> {
    tail: T,
    stemmer: Stemmer,
    cache: &'static LocalKey<RefCell<StemCache>>,
}

impl<T: TokenStream> TokenStream for CachedStemmerTokenStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let text = &mut self.tail.token_mut().text;
        if !text.is_empty() && !has_digit(text) {
            let stemmer = &self.stemmer;
            self.cache
                .with(|cache| cache.borrow_mut().stem_in_place(stemmer, text));
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

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::{LowerCaser, TextAnalyzer};

    use super::*;
    use crate::analysis::test_util::{assert_token, collect_tokens, texts};
    use crate::analysis::tokenizer::CouncilTokenizer;

    fn words(lang: Lang, text: &str) -> Vec<String> {
        let mut analyzer = TextAnalyzer::builder(CouncilTokenizer::default())
            .filter(LowerCaser)
            .filter(CachedStemmer::new(lang))
            .build();
        texts(&collect_tokens(&mut analyzer, text))
    }

    #[test]
    fn german_stems() {
        assert_eq!(
            words(Lang::German, "Ärzte Arzt Gebühren Straße Strassen Bürger"),
            ["arzt", "arzt", "gebuhr", "strass", "strass", "burg"]
        );
    }

    #[test]
    fn english_stems() {
        assert_eq!(
            words(Lang::English, "councils running generously"),
            ["council", "run", "generous"]
        );
    }

    #[test]
    fn tokens_with_digits_are_not_stemmed() {
        assert_eq!(
            words(Lang::German, "2000er 0412/2025 §21 Häuser"),
            ["2000er", "0412/2025", "§21", "haus"]
        );
    }

    #[test]
    fn offsets_and_positions_survive() {
        let mut analyzer = TextAnalyzer::builder(CouncilTokenizer::default())
            .filter(LowerCaser)
            .filter(CachedStemmer::new(Lang::German))
            .build();
        let t = collect_tokens(&mut analyzer, "neue Gebühren");
        assert_token(&t[1], 1, "gebuhr", 5, 14);
    }

    #[test]
    fn cache_hit_gives_the_same_stem_and_fills_once() {
        // Runs on its own test thread, so the thread-local cache starts empty.
        assert_eq!(cached_words(Lang::English), 0);
        let first = words(Lang::English, "hearings hearings hearings");
        assert_eq!(first, ["hear", "hear", "hear"]);
        assert_eq!(cached_words(Lang::English), 1);
        assert_eq!(words(Lang::English, "hearings"), ["hear"]);
        assert_eq!(cached_words(Lang::English), 1);
    }

    #[test]
    fn cache_is_cleared_at_capacity_and_stays_correct() {
        let stemmer = Stemmer::create(Algorithm::German);
        let mut cache = StemCache::with_capacity(2);
        let mut run = |w: &str| {
            let mut s = w.to_string();
            cache.stem_in_place(&stemmer, &mut s);
            s
        };
        assert_eq!(run("häuser"), "haus");
        assert_eq!(run("gebühren"), "gebuhr");
        // Third distinct word: the cache is full, so it is cleared first.
        assert_eq!(run("straßen"), "strass");
        assert_eq!(run("häuser"), "haus");
        assert!(cache.len() <= 2);
    }
}
