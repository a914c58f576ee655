//! [`FeminineForms`]: maps German feminine person nouns to the masculine base,
//! so `Ärztin`, `Ärztinnen`, `Ärzte` and `Arzt` find each other.
//!
//! Takes lowercased, stop-word-filtered German tokens (before stemming);
//! gives the same tokens with a feminine `-in` / `-innen` ending cut off where
//! the rule below fires. The stemmer then treats `ärzt` like `ärzte`.
//!
//! Why a rule at all: Snowball German leaves the ending alone (`ärztinnen` →
//! `arztinn`, `ärztin` → `arztin`, `ärzte` → `arzt`), so a search for "Ärzte"
//! would miss "Ärztinnen", which council papers write at least as often.
//!
//! Why so conservative: "-in" ends countless other nouns (Termin, Berlin,
//! Medizin, Benzin, Kamin, Disziplin, Magazin, Vitamin, Login, Verein) and
//! "-innen" ends verbs and plurals (gewinnen, beginnen, Dachrinnen, Spinnen).
//! Cutting those would merge unrelated words (`kamin` → `kam`). So the ending
//! is cut only when what stays ends in a known *agentive* ending of a person
//! noun ([`AGENTIVE_ENDINGS`]: Lehrer-in, Direktor-in, Student-in, Ärzt-in,
//! Stadträt-in, …), and never for words ending in one of the listed
//! [`EXCEPTIONS`] (Schwerin, Glyzerin, Valentin, Konstantin, …). Unknown
//! feminine forms simply stay as they are: a miss, never a wrong merge.
//!
//! Queries go through the same filter, so the rule only has to be consistent,
//! not linguistically complete.

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Endings of masculine person nouns that take a feminine `-in`, with the
/// number of characters that must precede the ending (so that e.g. `karin`
/// is not read as `k` + `ar` + `in`). Umlaut entries come with their
/// ae/oe/ue spelling too, because this filter runs before normalization.
#[rustfmt::skip]
pub const AGENTIVE_ENDINGS: &[(&str, usize)] = &[
    // Generic derivational endings: need at least two letters before them.
    ("er", 2), ("or", 2), ("ar", 2), ("är", 2), ("aer", 2), ("nd", 2),
    ("ent", 2), ("ant", 2), ("ist", 2), ("eur", 2), ("eut", 2),
    ("olog", 1), ("agog", 1), ("krat", 1), ("rät", 2), ("raet", 2),
    // Whole person nouns (also as the end of a compound: Zahnärztin).
    ("ärzt", 0), ("aerzt", 0), ("anwält", 0), ("anwaelt", 0), ("beamt", 0),
    ("kolleg", 0), ("chef", 0), ("wirt", 0), ("held", 0), ("zeug", 0),
    ("köch", 0), ("koech", 0), ("schöff", 0), ("schoeff", 0), ("kandidat", 0),
    ("soldat", 0), ("diplomat", 0), ("architekt", 0), ("expert", 0), ("pilot", 0),
];

/// Words (or word endings) that look feminine under [`AGENTIVE_ENDINGS`] but
/// are not: place names, given names, substances.
#[rustfmt::skip]
pub const EXCEPTIONS: &[&str] = &[
    "schwerin", "glyzerin", "glycerin", "florin", "chlorin", "mandarin", "margarin",
    "tamarin", "valentin", "quentin", "florentin", "argentin", "konstantin",
    "byzantin", "levantin", "brigantin", "terpentin", "serpentin", "rosmarin",
    "alizarin", "cumarin", "kumarin", "hierin",
];

/// The length (in bytes) `word` is cut to, if the rule fires.
pub fn feminine_base_len(word: &str) -> Option<usize> {
    let base_len = if let Some(base) = word.strip_suffix("innen") {
        base.len()
    } else if let Some(base) = word.strip_suffix("in") {
        base.len()
    } else {
        return None;
    };
    if EXCEPTIONS.iter().any(|e| word.ends_with(e)) {
        return None;
    }
    let base = &word[..base_len];
    AGENTIVE_ENDINGS.iter().find_map(|&(ending, before)| {
        let stem = base.strip_suffix(ending)?;
        (stem.chars().count() >= before).then_some(base_len)
    })
}

/// Token filter that strips feminine endings (German chain only).
#[derive(Clone, Copy, Debug, Default)]
pub struct FeminineForms;

impl TokenFilter for FeminineForms {
    type Tokenizer<T: Tokenizer> = FeminineFormsFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> FeminineFormsFilter<T> {
        FeminineFormsFilter { inner: tokenizer }
    }
}

/// [`Tokenizer`] wrapper built by [`FeminineForms`].
#[derive(Clone)]
pub struct FeminineFormsFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for FeminineFormsFilter<T> {
    type TokenStream<'a> = FeminineFormsTokenStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        FeminineFormsTokenStream {
            tail: self.inner.token_stream(text),
        }
    }
}

/// Token stream of [`FeminineFormsFilter`].
pub struct FeminineFormsTokenStream<T> {
    tail: T,
}

impl<T: TokenStream> TokenStream for FeminineFormsTokenStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let text = &mut self.tail.token_mut().text;
        if let Some(len) = feminine_base_len(text) {
            text.truncate(len);
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

    fn words(text: &str) -> Vec<String> {
        let mut analyzer = TextAnalyzer::builder(CouncilTokenizer::default())
            .filter(LowerCaser)
            .filter(FeminineForms)
            .build();
        texts(&collect_tokens(&mut analyzer, text))
    }

    fn cut(word: &str) -> String {
        match feminine_base_len(word) {
            Some(len) => word[..len].to_string(),
            None => word.to_string(),
        }
    }

    #[test]
    fn feminine_forms_lose_their_ending() {
        for (word, base) in [
            ("ärztin", "ärzt"),
            ("ärztinnen", "ärzt"),
            ("zahnärztin", "zahnärzt"),
            ("aerztinnen", "aerzt"),
            ("lehrerin", "lehrer"),
            ("bürgerinnen", "bürger"),
            ("bürgermeisterin", "bürgermeister"),
            ("direktorin", "direktor"),
            ("notarin", "notar"),
            ("sekretärin", "sekretär"),
            ("kundin", "kund"),
            ("studentinnen", "student"),
            ("praktikantin", "praktikant"),
            ("polizistin", "polizist"),
            ("ingenieurin", "ingenieur"),
            ("therapeutin", "therapeut"),
            ("psychologin", "psycholog"),
            ("pädagogin", "pädagog"),
            ("demokratin", "demokrat"),
            ("stadträtin", "stadträt"),
            ("rechtsanwältin", "rechtsanwält"),
            ("beamtin", "beamt"),
            ("kollegin", "kolleg"),
            ("kandidatinnen", "kandidat"),
            ("landwirtin", "landwirt"),
        ] {
            assert_eq!(cut(word), base, "{word}");
        }
    }

    #[test]
    fn words_merely_ending_in_in_keep_it() {
        for word in [
            "termin",
            "berlin",
            "medizin",
            "benzin",
            "kamin",
            "disziplin",
            "magazin",
            "vitamin",
            "login",
            "verein",
            "latein",
            "insulin",
            "nikotin",
            "platin",
            "termine",
            "in",
            "karin",
            "sarin",
            "erin",
            "zarin",
            "martin",
            "justin",
            "augustin",
            "schwerin",
            "glyzerin",
            "nitroglyzerin",
            "mandarin",
            "valentin",
            "konstantin",
            "florin",
            "pinguin",
            "delfin",
            "robin",
            // Found by running the rule over the Snowball German vocabulary.
            "hierin",
            "rosmarin",
            "terpentin",
        ] {
            assert_eq!(cut(word), word, "{word}");
        }
    }

    #[test]
    fn innen_words_that_are_not_feminine_plurals_keep_it() {
        for word in [
            "innen",
            "gewinnen",
            "unternehmensgewinnen",
            "beginnen",
            "dachrinnen",
            "spinnen",
            "besinnen",
            "entrinnen",
            "zinnen",
            "binnen",
            "sinnen",
        ] {
            assert_eq!(cut(word), word, "{word}");
        }
    }

    #[test]
    fn umlaut_endings_come_with_their_transliteration() {
        for (ending, before) in AGENTIVE_ENDINGS {
            if !ending.is_ascii() {
                let ascii = ending
                    .replace('ä', "ae")
                    .replace('ö', "oe")
                    .replace('ü', "ue");
                assert!(
                    AGENTIVE_ENDINGS.contains(&(ascii.as_str(), *before)),
                    "{ending} has no transliterated twin"
                );
            }
        }
    }

    #[test]
    fn filter_keeps_offsets_and_positions() {
        let mut analyzer = TextAnalyzer::builder(CouncilTokenizer::default())
            .filter(LowerCaser)
            .filter(FeminineForms)
            .build();
        let t = collect_tokens(&mut analyzer, "Die Ärztinnen am Termin");
        assert_token(&t[1], 1, "ärzt", 4, 14);
        assert_eq!(
            words("Die Ärztinnen am Termin"),
            ["die", "ärzt", "am", "termin"]
        );
    }
}
