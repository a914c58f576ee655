//! `analysis`: the German (and English) tokenizer chains for tantivy.
//!
//! Takes text (a passage at index time, the user's words at query time);
//! gives the terms tantivy indexes and looks up. Both sides go through the
//! same filters, so every rule here only has to be *consistent*, with two
//! deliberate differences: German compounds are split, and the years of
//! dates and ranges added, at index time only.
//!
//! # Brief overview
//!
//! One filter per file, each the config → filter → token-stream shape of
//! tantivy's own tokenizers:
//!
//! ```text
//! German (GERMAN = "ratsuche_de")          English (ENGLISH = "ratsuche_en")
//!   tokenizer::CouncilTokenizer              tokenizer::CouncilTokenizer
//!   RemoveLongFilter (MAX_TOKEN_BYTES)       RemoveLongFilter
//!   years::YearParts (index only)            years::YearParts (index only)
//!   LowerCaser                               LowerCaser
//!   stopwords::StopWords (Snowball de)       stopwords::StopWords (Snowball en)
//!   decompound::Decompounder (index only)    –
//!   gender::FeminineForms  Ärztin → ärzt     –
//!   stem::CachedStemmer (Snowball de)        stem::CachedStemmer (Snowball en)
//!   german_normalize::GermanNormalizer       –
//! ```
//!
//! In the indexing chains every filter after the tokenizer runs inside a
//! [`memo::Memo`]: once per distinct word and thread, the word's terms
//! replayed from a cache afterwards (the filters' output depends on the
//! word alone). The query chains run the filters on every word.
//!
//! * [`tokenizer`]: words, with "0412/2025", "10.11.2025", "1,5" and "§ 21"
//!   (→ `§21`) kept whole; hyphens split ("Ilm-Kreis" → `ilm`, `kreis`).
//! * [`years`]: adds the year of "10.11.2025", "2025/2026" or "0412/2025"
//!   as an extra token at the same position, so the query "2025" finds them.
//! * [`stopwords`]: Snowball stop lists.
//! * [`decompound`]: adds the parts of compounds at the compound's position
//!   ("Kreistagsbeschluss" → `kreistagsbeschluss`, `kreistag`, `beschluss`).
//! * [`gender`]: a conservative rule mapping feminine person nouns
//!   (Ärztin, Bürgerinnen) to the masculine base before stemming.
//! * [`stem`]: Snowball via `rust-stemmers`, with a bounded per-thread cache.
//! * [`german_normalize`]: Lucene's `GermanNormalizationFilter` (ä/ae → a, …).
//! * [`language`]: [`detect_language`], German unless clearly English.
//! * [`memo`]: the per-thread cache of a chain's terms per word.
//!
//! Custom analyzers are not stored in the index: [`register`] must be called
//! after every `Index::create*` **and** every `Index::open*`.
//!
//! # Index chain and query chain
//!
//! [`GERMAN`] (indexing) splits compounds, [`GERMAN_QUERY`] (searching) does
//! not. A query "Netzwerk" is then the single term `netzwerk`, which the
//! index holds as a part of "Ärztenetzwerk"; a query "Ärztenetzwerk" is the
//! single term of the compound. Splitting queries as well would not add
//! recall and would cost precision: tantivy's query parser turns several
//! tokens of one word into a *phrase* whose terms at the same position must
//! all be present, so "Fachkräftesicherung" would still only match the
//! compound, while a query split into its parts would match any text
//! mentioning "Fachkräfte" and "Sicherung" anywhere.
//!
//! tantivy (0.27) keeps one tokenizer name per field and the
//! `QueryParser` looks that name up in the `TokenizerManager` it is given.
//! So the field keeps `GERMAN`, and the query side passes
//! [`query_tokenizers`] (where that same name means the query chain) to
//! `QueryParser::new` instead of using `QueryParser::for_index`.
//!
//! A compound *query* does not find the compound written apart
//! ("Fachkräfte-Sicherung", "Sicherung von Fachkräften"); a search front end
//! that wants that can expand a query word with
//! [`decompound::split_compound`] into `compound OR (part₁ AND part₂ …)`.
//!
//! # Example
//!
//! ```
//! use ratsuche::analysis::{analyze, analyze_query, Lang};
//!
//! assert_eq!(analyze(Lang::German, "Ärztinnen"), analyze(Lang::German, "Arzt"));
//! assert_eq!(analyze(Lang::German, "Straße"), analyze(Lang::German, "Strasse"));
//! assert_eq!(analyze(Lang::German, "DS 46/2024 nach § 21"), ["ds", "46/2024", "2024", "§21"]);
//! assert_eq!(analyze_query(Lang::German, "DS 46/2024"), ["ds", "46/2024"]);
//! ```

use std::cell::RefCell;

use tantivy::tokenizer::{LowerCaser, RemoveLongFilter, TextAnalyzer, Tokenizer, TokenizerManager};

use memo::MemoCache;

pub mod decompound;
pub mod gender;
pub mod german_normalize;
pub mod language;
pub mod memo;
pub mod stem;
pub mod stopwords;
pub mod synonyms;
pub mod tokenizer;
pub mod years;

pub use language::detect_language;

/// Name of the German analyzer registered on every index.
pub const GERMAN: &str = "ratsuche_de";
/// Name of the German *query* analyzer: [`GERMAN`] without compound
/// splitting. Registered too, but see [`query_tokenizers`] for how queries
/// reach it.
pub const GERMAN_QUERY: &str = "ratsuche_de_query";
/// Name of the English analyzer (the same chain for indexing and queries).
pub const ENGLISH: &str = "ratsuche_en";

/// Tokens of this many bytes or more are dropped before lowercasing: they are
/// extraction debris (base64, runs of glyph names), not words, and would only
/// bloat the term dictionary and the stem cache. The longest German
/// compounds in administrative language are well under 100 characters.
pub const MAX_TOKEN_BYTES: usize = 128;

/// Language of a document, as far as analysis cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    German,
    English,
}

impl Lang {
    /// All languages with an analyzer.
    pub const ALL: [Lang; 2] = [Lang::German, Lang::English];

    /// ISO 639-1 code ("de", "en").
    pub fn code(self) -> &'static str {
        match self {
            Lang::German => "de",
            Lang::English => "en",
        }
    }

    /// Name under which this language's analyzer is registered.
    pub fn analyzer_name(self) -> &'static str {
        match self {
            Lang::German => GERMAN,
            Lang::English => ENGLISH,
        }
    }
}

/// A fresh *indexing* analyzer for `lang` (cheap: the stop lists and the
/// compound dictionary are shared).
///
/// The filters run through [`memo::Memo`]: once per distinct word and
/// thread, with the same tokens as [`index_filters`]. The per-thread caches
/// hold up to [`memo::CAPACITY`] words: an indexing worker sees a corpus's
/// whole vocabulary.
pub fn analyzer(lang: Lang) -> TextAnalyzer {
    thread_local! {
        static GERMAN_WORDS: RefCell<MemoCache> = RefCell::new(MemoCache::with_capacity(memo::CAPACITY));
        static ENGLISH_WORDS: RefCell<MemoCache> = RefCell::new(MemoCache::with_capacity(memo::CAPACITY));
    }
    let cache = match lang {
        Lang::German => &GERMAN_WORDS,
        Lang::English => &ENGLISH_WORDS,
    };
    memoised(tokenizer::CouncilTokenizer::default(), lang, cache)
}

/// The *indexing* chain of `lang` after a given tokenizer instead of the
/// council tokenizer: the snippet generator (`search::snippet`) runs it
/// over single words the council tokenizer already cut.
///
/// Memoised like [`analyzer`], in caches of their own that hold at most
/// [`memo::SEARCH_CAPACITY`] words: they live in the threads that answer
/// searches (a server keeps several), which see only the words of hits
/// that pass the snippet gate, and at the indexing capacity each thread's
/// cache could grow to its bound of ~37 MB (8 MB of table and
/// [`memo::CAPACITY`] × 64 bytes of records).
pub fn analyzer_over<T: Tokenizer>(tokenizer: T, lang: Lang) -> TextAnalyzer {
    // One cache per language, shared by every tokenizer type `T`: the
    // memoised chain sees single words only, and the index chain has no
    // runtime settings. A configurable dictionary would have to key these.
    thread_local! {
        static GERMAN_WORDS: RefCell<MemoCache> = RefCell::new(MemoCache::with_capacity(memo::SEARCH_CAPACITY));
        static ENGLISH_WORDS: RefCell<MemoCache> = RefCell::new(MemoCache::with_capacity(memo::SEARCH_CAPACITY));
    }
    let cache = match lang {
        Lang::German => &GERMAN_WORDS,
        Lang::English => &ENGLISH_WORDS,
    };
    memoised(tokenizer, lang, cache)
}

/// `lang`'s index filters after `tokenizer`, memoised in `cache`.
pub(crate) fn memoised<T: Tokenizer>(
    tokenizer: T,
    lang: Lang,
    cache: &'static std::thread::LocalKey<RefCell<MemoCache>>,
) -> TextAnalyzer {
    TextAnalyzer::builder(tokenizer)
        .filter(memo::Memo::new(
            index_filters(memo::OneWord::default(), lang),
            cache,
        ))
        .build()
}

/// The filters of the *indexing* chain of `lang` over `tokenizer`, run on
/// every token (no [`memo::Memo`]).
pub fn index_filters<T: Tokenizer>(tokenizer: T, lang: Lang) -> TextAnalyzer {
    let base = TextAnalyzer::builder(tokenizer)
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(years::YearParts)
        .filter(LowerCaser)
        .filter(stopwords::StopWords::new(lang));
    match lang {
        Lang::German => base
            .filter(decompound::Decompounder)
            .filter(gender::FeminineForms)
            .filter(stem::CachedStemmer::new(lang))
            .filter(german_normalize::GermanNormalizer)
            .build(),
        Lang::English => base.filter(stem::CachedStemmer::new(lang)).build(),
    }
}

/// A fresh *query* analyzer for `lang`: the indexing chain without compound
/// splitting and without the years of dates.
pub fn query_analyzer(lang: Lang) -> TextAnalyzer {
    let base = TextAnalyzer::builder(tokenizer::CouncilTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(stopwords::StopWords::new(lang));
    match lang {
        Lang::German => base
            .filter(gender::FeminineForms)
            .filter(stem::CachedStemmer::new(lang))
            .filter(german_normalize::GermanNormalizer)
            .build(),
        Lang::English => base.filter(stem::CachedStemmer::new(lang)).build(),
    }
}

fn terms(mut analyzer: TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut terms = Vec::new();
    while let Some(token) = stream.next() {
        terms.push(token.text.clone());
    }
    terms
}

/// The terms `text` is indexed as, in order (compound parts right after
/// their compound).
pub fn analyze(lang: Lang, text: &str) -> Vec<String> {
    terms(analyzer(lang), text)
}

/// The terms `text` is searched as, in order.
pub fn analyze_query(lang: Lang, text: &str) -> Vec<String> {
    terms(query_analyzer(lang), text)
}

/// Register the analyzers on an index; call after every create *and* open.
/// Registers the indexing chains under [`GERMAN`] and [`ENGLISH`] and the
/// German query chain under [`GERMAN_QUERY`].
pub fn register(index: &tantivy::Index) {
    let tokenizers = index.tokenizers();
    for lang in Lang::ALL {
        tokenizers.register(lang.analyzer_name(), analyzer(lang));
    }
    tokenizers.register(GERMAN_QUERY, query_analyzer(Lang::German));
}

/// The tokenizers a `QueryParser` must use: each field's analyzer name
/// ([`GERMAN`], [`ENGLISH`]) mapped to that language's *query* chain.
///
/// ```
/// # use tantivy::{query::QueryParser, schema::Schema, Index};
/// # let index = Index::create_in_ram(Schema::builder().build());
/// let parser = QueryParser::new(index.schema(), vec![], ratsuche::analysis::query_tokenizers());
/// ```
pub fn query_tokenizers() -> TokenizerManager {
    let tokenizers = TokenizerManager::default();
    for lang in Lang::ALL {
        tokenizers.register(lang.analyzer_name(), query_analyzer(lang));
    }
    tokenizers.register(GERMAN_QUERY, query_analyzer(Lang::German));
    tokenizers
}

/// Helpers shared by the unit tests of every filter (tantivy's
/// `assert_token` habit).
#[cfg(test)]
pub(crate) mod test_util {
    use tantivy::tokenizer::{TextAnalyzer, Token};

    /// Asserts one token's position, text and byte offsets.
    pub fn assert_token(token: &Token, position: usize, text: &str, from: usize, to: usize) {
        assert_eq!(
            (
                token.position,
                token.text.as_str(),
                token.offset_from,
                token.offset_to
            ),
            (position, text, from, to),
            "token {token:?}"
        );
    }

    /// All tokens `analyzer` makes of `text`.
    pub fn collect_tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Token> {
        let mut tokens = Vec::new();
        let mut stream = analyzer.token_stream(text);
        stream.process(&mut |token: &Token| tokens.push(token.clone()));
        tokens
    }

    /// The texts of `tokens`.
    pub fn texts(tokens: &[Token]) -> Vec<String> {
        tokens.iter().map(|t| t.text.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::test_util::{assert_token, collect_tokens};
    use super::*;

    #[test]
    fn german_chain_end_to_end() {
        let t = collect_tokens(&mut analyzer(Lang::German), "Die Ärztinnen prüfen Gebühren");
        assert_eq!(t.len(), 3);
        assert_token(&t[0], 1, "arzt", 4, 14);
        assert_token(&t[1], 2, "pruf", 15, 22);
        assert_token(&t[2], 3, "gebuhr", 23, 32);
    }

    #[test]
    fn compounds_are_split_when_indexing_only() {
        assert_eq!(
            analyze(Lang::German, "Ärztenetzwerk"),
            ["arztenetzwerk", "arzt", "netzwerk"]
        );
        assert_eq!(
            analyze_query(Lang::German, "Ärztenetzwerk"),
            ["arztenetzwerk"]
        );
        assert_eq!(
            analyze_query(Lang::German, "Netzwerk Ärzte"),
            ["netzwerk", "arzt"]
        );
    }

    #[test]
    fn query_tokenizers_map_index_names_to_query_chains() {
        let tokenizers = query_tokenizers();
        let mut german = tokenizers.get(GERMAN).expect("registered");
        let mut stream = german.token_stream("Kreistagsbeschluss");
        assert_eq!(
            stream.next().map(|t| t.text.clone()).as_deref(),
            Some("kreistagsbeschluss")
        );
        assert!(stream.next().is_none());
        assert!(tokenizers.get(ENGLISH).is_some());
    }

    #[test]
    fn long_tokens_are_dropped() {
        let junk = "x".repeat(MAX_TOKEN_BYTES);
        assert_eq!(
            analyze(Lang::German, &format!("Rat {junk} Kreis")),
            ["rat", "kreis"]
        );
    }

    #[test]
    fn names_and_codes() {
        assert_eq!(Lang::German.analyzer_name(), GERMAN);
        assert_eq!(Lang::English.code(), "en");
    }
}
