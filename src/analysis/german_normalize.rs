//! [`GermanNormalizer`]: folds umlauts, ß and their ASCII spellings, a port of
//! Lucene's `GermanNormalizationFilter`.
//!
//! Takes lowercased, stemmed German tokens; gives them with `ä`→`a`, `ö`→`o`,
//! `ü`→`u`, `ß`→`ss`, and the transliterations `ae`/`oe`/`ue` folded to
//! `a`/`o`/`u`, so "Straße"/"Strasse", "Ärzte"/"Aerzte" and
//! "München"/"Muenchen" end up as the same term.
//!
//! It runs after the stemmer: Snowball German already folds real umlauts and
//! ß, but not the ASCII spellings, which survive stemming (`aerzte` →
//! `aerzt`); this filter catches them.
//!
//! The `e` of `ae`/`oe`/`ue` is only dropped in "umlaut state", exactly as in
//! Lucene's state machine:
//!
//! * `a` or `o` enters umlaut state; `u` enters it only after an ordinary
//!   letter, so the `u` of "au", "eu" and "qu" does not: "Bauer", "neue",
//!   "Quelle" keep their `e`.
//! * `e`, `i`, `q`, `y` and a folded umlaut leave a state in which a following
//!   `u` cannot start an umlaut; any other character resets to ordinary.
//!
//! Like Lucene's, it over-folds a few words ("Israel" → `isral`, "Poesie" →
//! `posie`); since queries are folded the same way this costs no recall.

use std::mem;

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Folds `text` into `out` (cleared first) by Lucene's rules.
pub fn normalize_into(text: &str, out: &mut String) {
    #[derive(PartialEq, Clone, Copy)]
    enum State {
        /// Ordinary.
        N,
        /// Stops a following `u` from entering umlaut state.
        V,
        /// Umlaut state: a following `e` is deleted.
        U,
    }
    out.clear();
    out.reserve(text.len());
    let mut state = State::N;
    for c in text.chars() {
        state = match c {
            'a' | 'o' => {
                out.push(c);
                State::U
            }
            'u' => {
                out.push(c);
                if state == State::N {
                    State::U
                } else {
                    State::V
                }
            }
            'e' => {
                if state != State::U {
                    out.push('e');
                }
                State::V
            }
            'i' | 'q' | 'y' => {
                out.push(c);
                State::V
            }
            'ä' => {
                out.push('a');
                State::V
            }
            'ö' => {
                out.push('o');
                State::V
            }
            'ü' => {
                out.push('u');
                State::V
            }
            'ß' => {
                out.push_str("ss");
                State::N
            }
            _ => {
                out.push(c);
                State::N
            }
        };
    }
}

/// Whether [`normalize_into`] can change `text` at all (fast path).
fn may_change(text: &str) -> bool {
    text.bytes().any(|b| b == b'e') || !text.is_ascii()
}

/// Convenience: the normalized form of one word.
pub fn normalize(text: &str) -> String {
    let mut out = String::new();
    normalize_into(text, &mut out);
    out
}

/// Token filter applying [`normalize_into`] to every token.
#[derive(Clone, Copy, Debug, Default)]
pub struct GermanNormalizer;

impl TokenFilter for GermanNormalizer {
    type Tokenizer<T: Tokenizer> = GermanNormalizerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> GermanNormalizerFilter<T> {
        GermanNormalizerFilter {
            inner: tokenizer,
            buffer: String::new(),
        }
    }
}

/// [`Tokenizer`] wrapper built by [`GermanNormalizer`].
#[derive(Clone)]
pub struct GermanNormalizerFilter<T> {
    inner: T,
    buffer: String,
}

impl<T: Tokenizer> Tokenizer for GermanNormalizerFilter<T> {
    type TokenStream<'a> = GermanNormalizerTokenStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        self.buffer.clear();
        GermanNormalizerTokenStream {
            tail: self.inner.token_stream(text),
            buffer: &mut self.buffer,
        }
    }
}

/// Token stream of [`GermanNormalizerFilter`].
pub struct GermanNormalizerTokenStream<'a, T> {
    tail: T,
    buffer: &'a mut String,
}

impl<T: TokenStream> TokenStream for GermanNormalizerTokenStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if may_change(&token.text) {
            normalize_into(&token.text, self.buffer);
            // Swap buffers instead of copying: both keep their capacity.
            mem::swap(&mut token.text, self.buffer);
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

    #[test]
    fn umlauts_and_sharp_s() {
        assert_eq!(normalize("äöüß"), "aouss");
        assert_eq!(normalize("straße"), "strasse");
        assert_eq!(normalize("größe"), "grosse");
    }

    #[test]
    fn transliterations_fold_like_umlauts() {
        for (a, b) in [
            ("aerzte", "ärzte"),
            ("muenchen", "münchen"),
            ("gebuehren", "gebühren"),
            ("koeln", "köln"),
            ("strasse", "straße"),
        ] {
            assert_eq!(normalize(a), normalize(b), "{a} / {b}");
        }
    }

    // Cases in the style of Lucene's TestGermanNormalizationFilter.
    #[test]
    fn lucene_cases() {
        assert_eq!(normalize("weißbier"), "weissbier");
        assert_eq!(normalize("schaltflächen"), "schaltflachen");
        assert_eq!(normalize("schaltflaechen"), "schaltflachen");
        assert_eq!(normalize("übersetzung"), "ubersetzung");
        assert_eq!(normalize("uebersetzung"), "ubersetzung");
        assert_eq!(normalize("bäckerei"), "backerei");
        assert_eq!(normalize("baeckerei"), "backerei");
    }

    #[test]
    fn u_after_vowel_or_q_does_not_start_an_umlaut() {
        assert_eq!(normalize("bauer"), "bauer");
        assert_eq!(normalize("neue"), "neue");
        assert_eq!(normalize("quelle"), "quelle");
        assert_eq!(normalize("feuer"), "feuer");
        // After an ordinary consonant it does.
        assert_eq!(normalize("tuer"), "tur");
    }

    #[test]
    fn umlaut_then_e_keeps_the_e() {
        // "ä" leaves state V, so a following e is a real e.
        assert_eq!(normalize("äe"), "ae");
        assert_eq!(normalize("ae"), "a");
    }

    #[test]
    fn non_german_text_passes_through() {
        assert_eq!(normalize("0412/2025"), "0412/2025");
        assert_eq!(normalize("§21"), "§21");
        assert_eq!(normalize(""), "");
        assert_eq!(normalize("ελλάδα"), "ελλάδα");
    }

    #[test]
    fn filter_reuses_buffer_and_keeps_offsets() {
        let mut analyzer = TextAnalyzer::builder(CouncilTokenizer::default())
            .filter(LowerCaser)
            .filter(GermanNormalizer)
            .build();
        let t = collect_tokens(&mut analyzer, "Große Aerzte kommen");
        assert_eq!(texts(&t), ["grosse", "arzte", "kommen"]);
        assert_token(&t[0], 0, "grosse", 0, 6);
        assert_token(&t[1], 1, "arzte", 7, 13);
    }
}
