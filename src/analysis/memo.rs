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
//! start cold), one per chain and use ([`super::analyzer`] keeps one per
//! language for indexing, [`super::analyzer_over`] smaller ones for
//! snippets), and bounded: at its capacity ([`CAPACITY`] words for
//! indexing) it is cleared and refilled. Its words and their terms sit back
//! to back in one buffer and its table holds offsets into it, so a word
//! costs two table slots (the table is kept half empty) and its bytes, with
//! no allocation of its own. The table is laid out for few cache misses
//! (see [`MemoCache`]): the tables of two worker threads are far larger
//! than a core's cache, and a lookup that touched four cache lines
//! (hashbrown's control bytes, its entry, the word, the term ends) was a
//! tenth of an index run. The table hashes with FxHash: not
//! collision-resistant, but a text made to collide slows only this bounded
//! per-thread cache.

use std::cell::RefCell;
use std::hash::BuildHasher;
use std::thread::LocalKey;

use rustc_hash::FxBuildHasher;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer};

/// Words a thread's cache holds per chain before it is cleared: all the
/// distinct tokens of the Karlsruhe corpus (412,000 with those containing
/// digits) fit, with room to spare. Its table then has 2^20 slots of 8
/// bytes (8 MB), kept at most half full; up to 2^19 words would fit in the
/// same table (the number is 7/8 of 2^19 from the time the table was
/// hashbrown's, and the tokens do not depend on it).
pub const CAPACITY: usize = 458_752;

/// Words a search thread's cache holds ([`super::analyzer_over`], for
/// snippets): the words of hits that pass the snippet gate, far fewer than
/// a corpus's vocabulary. Its table and records then take ~5 MB.
pub const SEARCH_CAPACITY: usize = 65_536;

/// Bytes of records (words, terms and their length bytes) a cache holds per
/// word of its capacity before it is cleared (Karlsruhe's average is ~25):
/// keeps the cache bounded
/// when the input is full of long or garbage "words", which the chain
/// drops but the cache would keep.
const BYTES_PER_WORD: usize = 64;

/// Longest word, longest term and most terms per word a record holds: its
/// lengths are single ASCII bytes, so the record buffer stays a `String`.
/// Longer words (the chains drop words of 128 bytes and more anyway) run
/// the chain every time.
const MAX_RECORD_LEN: usize = 127;

// A length must be one byte of UTF-8 (ASCII), and every word the chains
// keep (shorter than `MAX_TOKEN_BYTES`) must fit a record.
const _: () = assert!(MAX_RECORD_LEN < 128 && super::MAX_TOKEN_BYTES - 1 <= MAX_RECORD_LEN);

/// Appends `len` (at most [`MAX_RECORD_LEN`]) to a record as one byte.
fn push_len(bytes: &mut String, len: usize) {
    assert!(len <= MAX_RECORD_LEN, "record length {len}");
    bytes.push(char::from(len as u8));
}

/// A bounded map from a word to the terms a chain makes of it.
///
/// Layout, for few cache lines per lookup: each word is one *record* in
/// `bytes`, `[word length][number of terms][word]` followed by
/// `[term length][term]` per term (lengths as one byte each); the table
/// `slots` is open addressing with linear probing, one `u64` per slot: the
/// high half of the word's hash (with its lowest bit set, so a used slot is
/// never 0) over the offset of the word's record. A lookup reads one slot
/// (eight to a cache line) and, when the hash halves agree, the record,
/// which holds both the word to compare and the terms to give.
pub struct MemoCache {
    slots: Vec<u64>,
    /// Number of cached words.
    len: usize,
    /// Every cached word's record, back to back.
    bytes: String,
    capacity: usize,
}

/// The word's hash: the low bits pick the slot, the high half is kept in it.
fn hash(word: &str) -> u64 {
    FxBuildHasher.hash_one(word)
}

/// What a slot holds of `hash`: its high half, never 0.
fn tag(hash: u64) -> u32 {
    (hash >> 32) as u32 | 1
}

impl MemoCache {
    /// An empty cache that is cleared whenever it holds `capacity` words.
    pub fn with_capacity(capacity: usize) -> MemoCache {
        MemoCache {
            slots: Vec::new(),
            len: 0,
            bytes: String::new(),
            capacity: capacity.max(1),
        }
    }

    /// Number of cached words.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The length byte at `at` of the record buffer.
    fn len_at(&self, at: usize) -> usize {
        usize::from(self.bytes.as_bytes()[at])
    }

    /// The word of the record at `record`.
    fn word(&self, record: usize) -> &str {
        let len = self.len_at(record);
        &self.bytes[record + 2..record + 2 + len]
    }

    /// The record of `word` (whose hash is `hash`), if cached.
    fn find(&self, word: &str, hash: u64) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let tag = tag(hash);
        let mut i = hash as usize & mask;
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                return None;
            }
            if (slot >> 32) as u32 == tag {
                let record = slot as u32 as usize;
                if self.word(record).as_bytes() == word.as_bytes() {
                    return Some(record);
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// Puts `record` into a free slot for `hash` (the table has one).
    fn place(slots: &mut [u64], hash: u64, record: usize) {
        let mask = slots.len() - 1;
        let mut i = hash as usize & mask;
        while slots[i] != 0 {
            i = (i + 1) & mask;
        }
        slots[i] = (u64::from(tag(hash)) << 32) | record as u64;
    }

    /// Makes room for one more record of `record_len` bytes: clears the
    /// cache when it is full (words or bytes) and doubles the table when it
    /// would be more than half full.
    fn make_room(&mut self, record_len: usize) {
        // Offsets are u32: clear long before they could overflow.
        let byte_budget = self
            .capacity
            .saturating_mul(BYTES_PER_WORD)
            .min((u32::MAX / 2) as usize);
        if self.len >= self.capacity || self.bytes.len() + record_len > byte_budget {
            self.slots.fill(0);
            self.bytes.clear();
            self.len = 0;
        }
        if (self.len + 1) * 2 > self.slots.len() {
            let mut slots = vec![0u64; (self.slots.len() * 2).max(16)];
            for &slot in self.slots.iter().filter(|&&s| s != 0) {
                let record = slot as u32 as usize;
                Self::place(&mut slots, hash(self.word(record)), record);
            }
            self.slots = slots;
        }
    }

    /// Sets `word` to the first term `chain` makes of it and `pending` to
    /// the others; `false` (`word` unchanged) if it makes none. Runs the
    /// chain only for a word not cached yet, and caches it.
    fn terms(
        &mut self,
        word: &mut String,
        chain: &mut TextAnalyzer,
        pending: &mut Pending,
    ) -> bool {
        pending.clear();
        let hash = hash(word);
        // A longer word never has a record (see `MAX_RECORD_LEN`).
        let found = if word.len() <= MAX_RECORD_LEN {
            self.find(word, hash)
        } else {
            None
        };
        if let Some(record) = found {
            let terms = self.len_at(record + 1);
            if terms == 0 {
                return false;
            }
            let mut at = record + 2 + word.len();
            let first = self.len_at(at);
            word.clear();
            word.push_str(&self.bytes[at + 1..at + 1 + first]);
            at += 1 + first;
            // Later terms are copied out: another stream on this thread
            // may clear the cache before they are emitted.
            for _ in 1..terms {
                let len = self.len_at(at);
                pending.text.push_str(&self.bytes[at + 1..at + 1 + len]);
                pending.ends.push(pending.text.len());
                at += 1 + len;
            }
            return true;
        }
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
            pending.text.push_str(&token.text);
            pending.ends.push(pending.text.len());
        }
        drop(stream);
        let terms = pending.ends.len();
        let mut from = 0;
        let fits = word.len() <= MAX_RECORD_LEN
            && terms <= MAX_RECORD_LEN
            && pending.ends.iter().all(|&end| {
                let len = end - std::mem::replace(&mut from, end);
                len <= MAX_RECORD_LEN
            });
        if fits {
            self.make_room(2 + word.len() + terms + pending.text.len());
            let record = self.bytes.len();
            push_len(&mut self.bytes, word.len());
            push_len(&mut self.bytes, terms);
            self.bytes.push_str(word);
            let mut from = 0;
            for &end in &pending.ends {
                push_len(&mut self.bytes, end - from);
                self.bytes.push_str(&pending.text[from..end]);
                from = end;
            }
            Self::place(&mut self.slots, hash, record);
            self.len += 1;
        }
        if terms == 0 {
            return false;
        }
        word.clear();
        word.push_str(&pending.text[..pending.ends[0]]);
        pending.next = 1;
        true
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

impl Pending {
    fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
        self.next = 0;
    }
}

impl<T: Tokenizer> Tokenizer for MemoFilter<T> {
    type TokenStream<'a> = MemoTokenStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        self.pending.clear();
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
            let word = &mut self.tail.token_mut().text;
            if self
                .cache
                .with(|cache| cache.borrow_mut().terms(word, chain, pending))
            {
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
        crate::analysis::memoised(CouncilTokenizer::default(), lang, cache)
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
        // Fifty distinct 120-byte "words", kept whole by the chain: records
        // of 243 bytes, 12,150 in all.
        let words: Vec<String> = (0..50)
            .map(|i| format!("{}{i:03}", "x".repeat(117)))
            .collect();
        let got: Vec<String> = tokens(&mut memoised, &words.join(" "))
            .into_iter()
            .map(|t| t.0)
            .collect();
        assert_eq!(got, words);
        let (held, len) = LONG.with(|c| (c.borrow().bytes.len(), c.borrow().len()));
        // The budget (6,400 bytes for 100 words) is cleared before a word
        // that would pass it goes in.
        assert!(held <= 6_400, "{held} bytes held for a 100-word cache");
        assert!(len < 50 && len > 0, "{len} words held");
    }

    #[test]
    fn words_too_long_for_a_record_are_not_cached() {
        thread_local! {
            static HUGE: RefCell<MemoCache> = RefCell::new(MemoCache::with_capacity(100));
        }
        let mut memoised = memoised(Lang::German, &HUGE);
        let mut plain = index_filters(CouncilTokenizer::default(), Lang::German);
        let cached = |n: usize| HUGE.with(|c| c.borrow().len()) == n;
        // The chain drops words of 128 bytes and more; none is cached.
        let text: String = (0..5)
            .map(|i| format!("{}{i} Haus ", "x".repeat(10_000)))
            .collect();
        let got: Vec<String> = tokens(&mut memoised, &text)
            .into_iter()
            .map(|t| t.0)
            .collect();
        assert_eq!(got, ["haus"; 5]);
        assert!(cached(1));
        // A word of 127 bytes has a record, one of 128 none.
        let long = format!("{}b", "a".repeat(126));
        assert_eq!(tokens(&mut memoised, &long), tokens(&mut plain, &long));
        assert!(cached(2));
        let longer = format!("{long}c");
        assert_eq!(tokens(&mut memoised, &longer), tokens(&mut plain, &longer));
        assert!(cached(2));
        // 127 bytes whose lowercase term is 190 bytes: no record either,
        // and the same tokens each time.
        let dotted = format!("{}a", "İ".repeat(63));
        assert_eq!(dotted.len(), 127);
        for _ in 0..2 {
            assert_eq!(tokens(&mut memoised, &dotted), tokens(&mut plain, &dotted));
        }
        assert!(cached(2));
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
