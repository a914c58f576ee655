//! [`StopWords`]: drops German or English function words.
//!
//! Takes lowercased tokens; gives the same stream without the stop words.
//! Positions are left untouched, so a dropped word leaves a gap and a phrase
//! query ("Stadt der Zukunft") still only matches words at the right distance
//! (queries go through the same chain and get the same gap).
//!
//! The lists are the Snowball project's German and English stop lists (BSD
//! licence, text below), embedded so there is nothing to load at run time:
//!
//! * German, with two deliberate changes: `weg` is *removed* from the list,
//!   because in council papers "Weg" is mostly the noun (a path, a street
//!   name: "Am Weg", "auf den Weg bringen"); and every entry with ä/ö/ü/ß is
//!   also added in its transliterated spelling (`fuer`, `ueber`, `dass`, …),
//!   since this filter runs before umlaut normalization and "dass" is the
//!   post-1996 spelling of the list's "daß".
//! * English, the Snowball list as published, contractions included (they
//!   never match, since the tokenizer splits at apostrophes; kept for
//!   fidelity).
//!
//! ```text
//! Copyright (c) 2001, Dr Martin Porter
//! Copyright (c) 2004,2005, Richard Boulton
//! Copyright (c) 2013, Yoshiki Shibukawa
//! Copyright (c) 2006,2007,2009,2010,2011,2014-2019, Olly Betts
//! All rights reserved.
//!
//! Redistribution and use in source and binary forms, with or without
//! modification, are permitted provided that the following conditions
//! are met:
//!
//!   1. Redistributions of source code must retain the above copyright notice,
//!      this list of conditions and the following disclaimer.
//!   2. Redistributions in binary form must reproduce the above copyright notice,
//!      this list of conditions and the following disclaimer in the documentation
//!      and/or other materials provided with the distribution.
//!   3. Neither the name of the Snowball project nor the names of its contributors
//!      may be used to endorse or promote products derived from this software
//!      without specific prior written permission.
//!
//! THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
//! ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
//! WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
//! DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT OWNER OR CONTRIBUTORS BE LIABLE FOR
//! ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES
//! (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES;
//! LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON
//! ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT
//! (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE OF THIS
//! SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
//! ```

use std::sync::{Arc, LazyLock};

// FxHash: the keys are a fixed list, and every token is looked up.
use rustc_hash::FxHashSet as HashSet;

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

use super::Lang;

/// Snowball German stop list (`algorithms/german/stop.txt`), minus `weg`.
#[rustfmt::skip]
pub const GERMAN_STOP_WORDS: &[&str] = &[
    "aber", "alle", "allem", "allen", "aller", "alles", "als", "also", "am", "an",
    "ander", "andere", "anderem", "anderen", "anderer", "anderes", "anderm", "andern",
    "anderr", "anders", "auch", "auf", "aus", "bei", "bin", "bis", "bist", "da",
    "damit", "dann", "der", "den", "des", "dem", "die", "das", "daß", "derselbe",
    "derselben", "denselben", "desselben", "demselben", "dieselbe", "dieselben",
    "dasselbe", "dazu", "dein", "deine", "deinem", "deinen", "deiner", "deines",
    "denn", "derer", "dessen", "dich", "dir", "du", "dies", "diese", "diesem",
    "diesen", "dieser", "dieses", "doch", "dort", "durch", "ein", "eine", "einem",
    "einen", "einer", "eines", "einig", "einige", "einigem", "einigen", "einiger",
    "einiges", "einmal", "er", "ihn", "ihm", "es", "etwas", "euer", "eure", "eurem",
    "euren", "eurer", "eures", "für", "gegen", "gewesen", "hab", "habe", "haben",
    "hat", "hatte", "hatten", "hier", "hin", "hinter", "ich", "mich", "mir", "ihr",
    "ihre", "ihrem", "ihren", "ihrer", "ihres", "euch", "im", "in", "indem", "ins",
    "ist", "jede", "jedem", "jeden", "jeder", "jedes", "jene", "jenem", "jenen",
    "jener", "jenes", "jetzt", "kann", "kein", "keine", "keinem", "keinen", "keiner",
    "keines", "können", "könnte", "machen", "man", "manche", "manchem", "manchen",
    "mancher", "manches", "mein", "meine", "meinem", "meinen", "meiner", "meines",
    "mit", "muss", "musste", "nach", "nicht", "nichts", "noch", "nun", "nur", "ob",
    "oder", "ohne", "sehr", "sein", "seine", "seinem", "seinen", "seiner", "seines",
    "selbst", "sich", "sie", "ihnen", "sind", "so", "solche", "solchem", "solchen",
    "solcher", "solches", "soll", "sollte", "sondern", "sonst", "über", "um", "und",
    "uns", "unse", "unsem", "unsen", "unser", "unses", "unter", "viel", "vom", "von",
    "vor", "während", "war", "waren", "warst", "was", "weil", "weiter", "welche",
    "welchem", "welchen", "welcher", "welches", "wenn", "werde", "werden", "wie",
    "wieder", "will", "wir", "wird", "wirst", "wo", "wollen", "wollte", "würde",
    "würden", "zu", "zum", "zur", "zwar", "zwischen",
];

/// Snowball English stop list (`algorithms/english/stop.txt`).
#[rustfmt::skip]
pub const ENGLISH_STOP_WORDS: &[&str] = &[
    "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your",
    "yours", "yourself", "yourselves", "he", "him", "his", "himself", "she", "her",
    "hers", "herself", "it", "its", "itself", "they", "them", "their", "theirs",
    "themselves", "what", "which", "who", "whom", "this", "that", "these", "those",
    "am", "is", "are", "was", "were", "be", "been", "being", "have", "has", "had",
    "having", "do", "does", "did", "doing", "would", "should", "could", "ought",
    "i'm", "you're", "he's", "she's", "it's", "we're", "they're", "i've", "you've",
    "we've", "they've", "i'd", "you'd", "he'd", "she'd", "we'd", "they'd", "i'll",
    "you'll", "he'll", "she'll", "we'll", "they'll", "isn't", "aren't", "wasn't",
    "weren't", "hasn't", "haven't", "hadn't", "doesn't", "don't", "didn't", "won't",
    "wouldn't", "shan't", "shouldn't", "can't", "cannot", "couldn't", "mustn't",
    "let's", "that's", "who's", "what's", "here's", "there's", "when's", "where's",
    "why's", "how's", "a", "an", "the", "and", "but", "if", "or", "because", "as",
    "until", "while", "of", "at", "by", "for", "with", "about", "against", "between",
    "into", "through", "during", "before", "after", "above", "below", "to", "from",
    "up", "down", "in", "out", "on", "off", "over", "under", "again", "further",
    "then", "once", "here", "there", "when", "where", "why", "how", "all", "any",
    "both", "each", "few", "more", "most", "other", "some", "such", "no", "nor",
    "not", "only", "own", "same", "so", "than", "too", "very",
];

/// ä → ae, ö → oe, ü → ue, ß → ss; `None` if the word has none of them.
fn transliterate(word: &str) -> Option<String> {
    if word.is_ascii() {
        return None;
    }
    let mut out = String::with_capacity(word.len() + 2);
    for c in word.chars() {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            _ => out.push(c),
        }
    }
    Some(out)
}

static GERMAN_SET: LazyLock<Arc<StopSet>> = LazyLock::new(|| {
    let mut set: HashSet<String> = GERMAN_STOP_WORDS.iter().map(|w| w.to_string()).collect();
    set.extend(GERMAN_STOP_WORDS.iter().filter_map(|w| transliterate(w)));
    Arc::new(StopSet::new(set))
});

static ENGLISH_SET: LazyLock<Arc<StopSet>> = LazyLock::new(|| {
    Arc::new(StopSet::new(
        ENGLISH_STOP_WORDS.iter().map(|w| w.to_string()).collect(),
    ))
});

/// A stop list, with the length of its longest word: longer tokens (most
/// of them) are passed without hashing.
#[derive(Debug)]
struct StopSet {
    words: HashSet<String>,
    longest: usize,
}

impl StopSet {
    fn new(words: HashSet<String>) -> StopSet {
        let longest = words.iter().map(String::len).max().unwrap_or(0);
        StopSet { words, longest }
    }

    fn contains(&self, word: &str) -> bool {
        word.len() <= self.longest && self.words.contains(word)
    }
}

/// Stop-word filter; configure with [`StopWords::new`] or [`StopWords::custom`].
#[derive(Clone)]
pub struct StopWords {
    words: Arc<StopSet>,
}

impl StopWords {
    /// The embedded list for `lang` (shared, built once per process).
    pub fn new(lang: Lang) -> StopWords {
        let words = match lang {
            Lang::German => &GERMAN_SET,
            Lang::English => &ENGLISH_SET,
        };
        StopWords {
            words: Arc::clone(words),
        }
    }

    /// A filter that removes exactly `words` (expected lowercase).
    pub fn custom<I: IntoIterator<Item = S>, S: Into<String>>(words: I) -> StopWords {
        StopWords {
            words: Arc::new(StopSet::new(words.into_iter().map(Into::into).collect())),
        }
    }

    /// Whether `word` (lowercased) is on this list.
    pub fn contains(&self, word: &str) -> bool {
        self.words.contains(word)
    }

    /// Bytes of the longest word on this list: a longer lowercased word is
    /// not on it.
    pub fn longest(&self) -> usize {
        self.words.longest
    }
}

impl TokenFilter for StopWords {
    type Tokenizer<T: Tokenizer> = StopWordsFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> StopWordsFilter<T> {
        StopWordsFilter {
            words: self.words,
            inner: tokenizer,
        }
    }
}

/// [`Tokenizer`] wrapper built by [`StopWords`].
#[derive(Clone)]
pub struct StopWordsFilter<T> {
    words: Arc<StopSet>,
    inner: T,
}

impl<T: Tokenizer> Tokenizer for StopWordsFilter<T> {
    type TokenStream<'a> = StopWordsTokenStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        StopWordsTokenStream {
            words: &self.words,
            tail: self.inner.token_stream(text),
        }
    }
}

/// Token stream of [`StopWordsFilter`].
pub struct StopWordsTokenStream<'a, T> {
    words: &'a StopSet,
    tail: T,
}

impl<T: TokenStream> TokenStream for StopWordsTokenStream<'_, T> {
    fn advance(&mut self) -> bool {
        while self.tail.advance() {
            if !self.words.contains(&self.tail.token().text) {
                return true;
            }
        }
        false
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

    fn tokens(lang: Lang, text: &str) -> Vec<Token> {
        let mut analyzer = TextAnalyzer::builder(CouncilTokenizer::default())
            .filter(LowerCaser)
            .filter(StopWords::new(lang))
            .build();
        collect_tokens(&mut analyzer, text)
    }

    #[test]
    fn german_stop_words_removed_positions_kept() {
        let t = tokens(Lang::German, "Die Stadt und der Kreis");
        assert_eq!(t.len(), 2);
        assert_token(&t[0], 1, "stadt", 4, 9);
        assert_token(&t[1], 4, "kreis", 18, 23);
    }

    #[test]
    fn umlaut_stop_words_in_both_spellings() {
        let t = tokens(
            Lang::German,
            "für fuer über ueber daß dass während waehrend Antrag",
        );
        assert_eq!(texts(&t), ["antrag"]);
    }

    #[test]
    fn weg_is_not_a_stop_word_but_content_words_survive() {
        let t = tokens(Lang::German, "Am Weg SGB IX Ausschuss");
        assert_eq!(texts(&t), ["weg", "sgb", "ix", "ausschuss"]);
    }

    #[test]
    fn english_list() {
        let t = tokens(Lang::English, "The council and the mayor of Berlin");
        assert_eq!(texts(&t), ["council", "mayor", "berlin"]);
        assert!(StopWords::new(Lang::English).contains("yourselves"));
        assert!(!StopWords::new(Lang::English).contains("us"));
    }

    #[test]
    fn custom_list() {
        let filter = StopWords::custom(["foo"]);
        assert!(filter.contains("foo"));
        assert!(!filter.contains("die"));
    }

    #[test]
    fn lists_are_lowercase_and_german_has_no_weg() {
        for w in GERMAN_STOP_WORDS.iter().chain(ENGLISH_STOP_WORDS) {
            assert_eq!(*w, w.to_lowercase());
        }
        assert!(!GERMAN_STOP_WORDS.contains(&"weg"));
        assert_eq!(GERMAN_STOP_WORDS.len(), 231 - 1);
    }
}
