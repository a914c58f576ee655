//! [`Memo`]: runs the filters after the tokenizer once per distinct word
//! and thread, and replays their output for every later occurrence.
//!
//! Takes the tokens of a tokenizer; gives exactly the tokens the wrapped
//! chain of filters gives for them. Requires of that chain what every
//! filter of ours does: the tokens it makes of one word depend on the
//! word's text alone, and all of them keep that word's position, position
//! length and offsets (filters that change a token's text, drop it, or
//! add tokens at the same position: lowercasing, stop words, compound
//! parts, years, stemming, normalisation). A test compares the memoised
//! chains with the plain ones, token by token, on every text of the
//! repository.
//!
//! Why: the German index chain costs ~2,400 instructions a token (a
//! callgrind run over all of Karlsruhe), most of it stemming and
//! decompounding the same few hundred thousand words again and again;
//! their own caches still hash and copy once per filter and per part,
//! and the lowercasing, stop-word, year and feminine-form checks run on
//! every token. Text is Zipfian: Karlsruhe's 10.6 M tokens without digits
//! are 297,000 distinct words (all 11.7 M: 412,000), so one lookup per token
//! of the word as the tokenizer wrote it replaces the whole chain.
//!
//! The cache ([`MemoCache`]) is thread-local like the stem cache (tantivy
//! clones analyzers freely, and a clone must neither copy a full map nor
//! start cold), one per chain ([`super::analyzer_over`] keeps one per
//! language), and bounded: at [`CAPACITY`] words it is cleared and
//! refilled. Its words and their terms sit back to back in one buffer and
//! its table holds offsets into it, so a word costs one table slot and its
//! bytes, with no allocation of its own. The table hashes with FxHash: not
//! collision-resistant, but a text made to collide slows only this bounded
//! per-thread cache.

use std::cell::RefCell;
use std::hash::BuildHasher;
use std::thread::LocalKey;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer};

/// Words a thread's cache holds per chain before it is cleared: all the
/// distinct tokens of the Karlsruhe corpus (412,000 with those containing
/// digits) fit. 7/8 of 2^19, the most hashbrown's table of 2^19 buckets
/// holds (~9 MB); one word more would double the table.
pub const CAPACITY: usize = 458_752;

/// Bytes of words and terms a cache holds per word of [`CAPACITY`] before
/// it is cleared (Karlsruhe's average is ~25): keeps the cache bounded
/// when the input is full of long or garbage "words", which the chain
/// drops but the cache would keep.
const BYTES_PER_WORD: usize = 64;

/// Where one cached word and its terms are in [`MemoCache::bytes`].
#[derive(Clone, Copy)]
struct Entry {
    /// The word: `bytes[word..word + word_len]`; its first term starts
    /// right after it.
    word: u32,
    word_len: u32,
    /// The terms' ends are `ends[first..first + terms]`.
    first: u32,
    terms: u32,
}

/// A bounded map from a word to the terms a chain makes of it.
pub struct MemoCache {
    table: HashTable<Entry>,
    /// Every cached word followed by its terms, back to back.
    bytes: String,
    /// End (in `bytes`) of every cached term, word by word.
    ends: Vec<u32>,
    capacity: usize,
}

impl MemoCache {
    /// An empty cache that is cleared whenever it holds `capacity` words.
    pub fn with_capacity(capacity: usize) -> MemoCache {
        MemoCache {
            table: HashTable::new(),
            bytes: String::new(),
            ends: Vec::new(),
            capacity: capacity.max(1),
        }
    }

    /// Number of cached words.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Term `i` of `entry`.
    fn term(&self, entry: Entry, i: u32) -> &str {
        let start = match i {
            0 => entry.word + entry.word_len,
            _ => self.ends[(entry.first + i - 1) as usize],
        };
        &self.bytes[start as usize..self.ends[(entry.first + i) as usize] as usize]
    }

    /// The entry of `word`, running `chain` over it on a miss.
    fn entry(&mut self, word: &str, chain: &mut TextAnalyzer) -> Entry {
        let hash = FxBuildHasher.hash_one(word);
        let MemoCache {
            table,
            bytes,
            ends,
            capacity,
        } = self;
        if let Some(&entry) = table.find(hash, |e| {
            &bytes[e.word as usize..(e.word + e.word_len) as usize] == word
        }) {
            return entry;
        }
        // Offsets are u32: clear long before they could overflow.
        let byte_budget = capacity
            .saturating_mul(BYTES_PER_WORD)
            .min((u32::MAX / 2) as usize);
        if table.len() >= *capacity || bytes.len() + word.len() > byte_budget {
            table.clear();
            bytes.clear();
            ends.clear();
        }
        let entry_start = bytes.len() as u32;
        let first = ends.len() as u32;
        bytes.push_str(word);
        let mut stream = chain.token_stream(word);
        while stream.advance() {
            let token = stream.token();
            debug_assert_eq!(
                (
                    token.position,
                    token.position_length,
                    token.offset_from,
                    token.offset_to
                ),
                (0, 1, 0, word.len()),
                "a memoised chain moved a token of {word:?}"
            );
            bytes.push_str(&token.text);
            ends.push(bytes.len() as u32);
        }
        let entry = Entry {
            word: entry_start,
            word_len: word.len() as u32,
            first,
            terms: ends.len() as u32 - first,
        };
        table.insert_unique(hash, entry, |e| {
            FxBuildHasher.hash_one(&bytes[e.word as usize..(e.word + e.word_len) as usize])
        });
        entry
    }
}

/// A tokenizer giving its whole input as one token at position 0: what
/// [`Memo`] runs its chain on.
#[derive(Clone, Default)]
pub struct OneWord {
    token: Token,
}

impl Tokenizer for OneWord {
    type TokenStream<'a> = OneWordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> OneWordStream<'a> {
        self.token.reset();
        self.token.text.push_str(text);
        self.token.offset_to = text.len();
        self.token.position = 0;
        OneWordStream {
            token: &mut self.token,
            done: false,
        }
    }
}

/// Token stream of [`OneWord`].
pub struct OneWordStream<'a> {
    token: &'a mut Token,
    done: bool,
}

impl TokenStream for OneWordStream<'_> {
    fn advance(&mut self) -> bool {
        !std::mem::replace(&mut self.done, true)
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// Token filter running `chain` (a [`TextAnalyzer`] over [`OneWord`]) on
/// each token, through the thread's cache `cache`. One cache must only
/// ever serve one chain.
#[derive(Clone)]
pub struct Memo {
    chain: TextAnalyzer,
    cache: &'static LocalKey<RefCell<MemoCache>>,
}

impl Memo {
    /// Memoises `chain`, which must be built on [`OneWord`], in `cache`.
    pub fn new(chain: TextAnalyzer, cache: &'static LocalKey<RefCell<MemoCache>>) -> Memo {
        Memo { chain, cache }
    }
}

impl TokenFilter for Memo {
    type Tokenizer<T: Tokenizer> = MemoFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> MemoFilter<T> {
        MemoFilter {
            inner: tokenizer,
            chain: self.chain,
            cache: self.cache,
            pending: Pending::default(),
        }
    }
}

/// [`Tokenizer`] wrapper built by [`Memo`].
#[derive(Clone)]
pub struct MemoFilter<T> {
    inner: T,
    chain: TextAnalyzer,
    cache: &'static LocalKey<RefCell<MemoCache>>,
    pending: Pending,
}

/// The terms of the current word still to emit after its first.
#[derive(Clone, Default)]
struct Pending {
    text: String,
    ends: Vec<usize>,
    next: usize,
}

impl<T: Tokenizer> Tokenizer for MemoFilter<T> {
    type TokenStream<'a> = MemoTokenStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        self.pending.text.clear();
        self.pending.ends.clear();
        self.pending.next = 0;
        MemoTokenStream {
            tail: self.inner.token_stream(text),
            chain: &mut self.chain,
            cache: self.cache,
            pending: &mut self.pending,
        }
    }
}

/// Token stream of [`MemoFilter`]: each tail token's text replaced by the
/// chain's terms for it, one token per term (none for a dropped word).
pub struct MemoTokenStream<'a, T> {
    tail: T,
    chain: &'a mut TextAnalyzer,
    cache: &'static LocalKey<RefCell<MemoCache>>,
    pending: &'a mut Pending,
}

impl<T: TokenStream> TokenStream for MemoTokenStream<'_, T> {
    fn advance(&mut self) -> bool {
        let pending = &mut *self.pending;
        if pending.next < pending.ends.len() {
            let from = match pending.next {
                0 => 0,
                i => pending.ends[i - 1],
            };
            let text = &mut self.tail.token_mut().text;
            text.clear();
            text.push_str(&pending.text[from..pending.ends[pending.next]]);
            pending.next += 1;
            return true;
        }
        let chain = &mut *self.chain;
        loop {
            if !self.tail.advance() {
                return false;
            }
            let token = self.tail.token_mut();
            let emitted = self.cache.with(|cache| {
                let mut cache = cache.borrow_mut();
                let entry = cache.entry(&token.text, chain);
                if entry.terms == 0 {
                    return false;
                }
                // Later terms are copied out: another stream on this
                // thread may clear the cache before they are emitted.
                pending.text.clear();
                pending.ends.clear();
                pending.next = 0;
                for i in 1..entry.terms {
                    pending.text.push_str(cache.term(entry, i));
                    pending.ends.push(pending.text.len());
                }
                token.text.clear();
                token.text.push_str(cache.term(entry, 0));
                true
            });
            if emitted {
                return true;
            }
        }
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
    use super::*;
    use crate::analysis::tokenizer::CouncilTokenizer;
    use crate::analysis::{analyzer, index_filters, Lang};

    /// Text, position, position length and offsets of every token.
    type Tokens = Vec<(String, usize, usize, usize, usize)>;

    fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Tokens {
        let mut out = Vec::new();
        analyzer.token_stream(text).process(&mut |t: &Token| {
            out.push((
                t.text.clone(),
                t.position,
                t.position_length,
                t.offset_from,
                t.offset_to,
            ))
        });
        out
    }

    const SAMPLE: &str = "Der Kreistagsbeschluss vom 10.11.2025 (Vorlage 0412/2025) zu § 21: \
        Ärztinnen, Aerzte und das Ärztenetzwerk; DIE Straße, die Strasse, Linienbusverkehr \
        2025/2026 Sachbearbeiterinnen Bürger*innen Kita-Plätze A\u{308}rzte Haus\u{ad}halt";

    /// The memoised chain gives the plain chain's tokens, twice over (cold
    /// and warm cache).
    fn assert_same_tokens(lang: Lang, text: &str) -> usize {
        let mut plain = index_filters(CouncilTokenizer::default(), lang);
        let expected = tokens(&mut plain, text);
        let mut memoised = analyzer(lang);
        assert_eq!(
            tokens(&mut memoised, text),
            expected,
            "{}",
            &text[..text.len().min(80)]
        );
        assert_eq!(tokens(&mut memoised, text), expected);
        expected.len()
    }

    #[test]
    fn memoised_chains_give_the_plain_chains_tokens() {
        let mut n = 0;
        for lang in Lang::ALL {
            n += assert_same_tokens(lang, SAMPLE);
            for text in crate::test_texts::repository_texts() {
                n += assert_same_tokens(lang, &text);
            }
        }
        assert!(n > 20_000, "only {n} tokens compared");
        // Compound parts, a year and a dropped stop word are among them.
        let sample = tokens(&mut analyzer(Lang::German), SAMPLE);
        let texts: Vec<&str> = sample.iter().map(|t| t.0.as_str()).collect();
        for term in [
            "kreistagsbeschluss",
            "kreistag",
            "beschluss",
            "2025",
            "arzt",
            "strass",
        ] {
            assert!(texts.contains(&term), "{term} missing from {texts:?}");
        }
        assert!(!texts.contains(&"der"), "{texts:?}");
    }

    #[test]
    #[ignore = "needs ../shared"]
    fn memoised_chain_gives_the_plain_chains_tokens_on_karlsruhe() {
        let mut n = 0;
        for text in crate::test_texts::karlsruhe_texts() {
            n += assert_same_tokens(Lang::German, &text);
        }
        assert!(n > 5_000_000, "only {n} tokens compared");
    }

    thread_local! {
        static TINY: RefCell<MemoCache> = RefCell::new(MemoCache::with_capacity(2));
    }

    /// The council tokenizer and `lang`'s index filters memoised in `cache`.
    fn memoised(lang: Lang, cache: &'static LocalKey<RefCell<MemoCache>>) -> TextAnalyzer {
        TextAnalyzer::builder(CouncilTokenizer::default())
            .filter(Memo::new(index_filters(OneWord::default(), lang), cache))
            .build()
    }

    fn tiny(lang: Lang) -> TextAnalyzer {
        memoised(lang, &TINY)
    }

    #[test]
    fn a_full_cache_is_cleared_and_stays_correct() {
        let mut plain = index_filters(CouncilTokenizer::default(), Lang::German);
        let expected = tokens(&mut plain, SAMPLE);
        assert_eq!(tokens(&mut tiny(Lang::German), SAMPLE), expected);
        assert!(TINY.with(|c| c.borrow().len()) <= 2);
    }

    #[test]
    fn long_words_do_not_grow_the_cache_past_its_byte_budget() {
        thread_local! {
            static LONG: RefCell<MemoCache> = RefCell::new(MemoCache::with_capacity(100));
        }
        let mut memoised = memoised(Lang::German, &LONG);
        // Fifty distinct 10 kB "words": the chain drops them all.
        let text: String = (0..50)
            .map(|i| format!("{}{i} ", "x".repeat(10_000)))
            .collect();
        assert!(tokens(&mut memoised, &text).is_empty());
        let held = LONG.with(|c| c.borrow().bytes.len());
        // The budget (6,400 bytes for 100 words) is cleared before each
        // such word goes in: at most the last one or two stay, not all 50.
        assert!(held <= 2 * 10_010, "{held} bytes held for a 100-word cache");
    }

    #[test]
    fn streams_sharing_a_cache_do_not_disturb_each_other() {
        // Two streams advanced in turn on one thread: each clears the
        // two-word cache under the other's compound parts.
        let (a, b) = (
            "Kreistagsbeschluss Linienbusverkehr Ärztenetzwerk",
            "Haus Hof Schule Amt",
        );
        let mut plain = index_filters(CouncilTokenizer::default(), Lang::German);
        let (want_a, want_b) = (tokens(&mut plain, a), tokens(&mut plain, b));
        let (mut first, mut second) = (tiny(Lang::German), tiny(Lang::German));
        let (mut sa, mut sb) = (first.token_stream(a), second.token_stream(b));
        let (mut got_a, mut got_b) = (Vec::new(), Vec::new());
        loop {
            let more_a = sa.advance();
            if more_a {
                got_a.push(sa.token().text.clone());
            }
            let more_b = sb.advance();
            if more_b {
                got_b.push(sb.token().text.clone());
            }
            if !more_a && !more_b {
                break;
            }
        }
        let texts = |t: &Tokens| t.iter().map(|t| t.0.clone()).collect::<Vec<_>>();
        assert_eq!(got_a, texts(&want_a));
        assert_eq!(got_b, texts(&want_b));
        assert!(want_a.len() > 3, "{want_a:?}");
    }

    #[test]
    fn each_word_is_analysed_once() {
        thread_local! {
            static WORDS: RefCell<MemoCache> = RefCell::new(MemoCache::with_capacity(100));
        }
        let mut memoised = memoised(Lang::German, &WORDS);
        let text = "Haus Haus haus Kreistagsbeschluss Kreistagsbeschluss der";
        let got: Vec<String> = tokens(&mut memoised, text)
            .into_iter()
            .map(|t| t.0)
            .collect();
        let compound = [
            "kreistagsbeschluss",
            "kreistag",
            "beschluss",
            "kreis",
            "tag",
        ];
        let want: Vec<&str> = ["haus"; 3]
            .iter()
            .chain(&compound)
            .chain(&compound)
            .copied()
            .collect();
        assert_eq!(got, want);
        // "Haus", "haus", "Kreistagsbeschluss" and the stop word "der".
        assert_eq!(WORDS.with(|c| c.borrow().len()), 4);
    }
}
