//! Analysed text handed to tantivy as a string: [`encode`] on the ingest
//! workers, [`Replay`] inside tantivy's indexing thread.
//!
//! Takes the tokens of a passage (from the analyzer registered for its
//! field); gives one string that, run through [`Replay`], yields the same
//! tokens again (text, position, position length).
//!
//! Why: tantivy analyses text fields inside its own indexing threads, so the
//! German chain (decompounding, stemming), the larger part of indexing,
//! would run on the writer's threads while `clean` and `structure` run on
//! the ingest pool, and a thread setting could govern only one of the two.
//! Analysing on the ingest workers instead puts all per-file work on one
//! pool the caller sizes; the indexing thread only records postings.
//! Tantivy's own route for this, `PreTokenizedString`, goes through its
//! document as JSON (serialised, parsed back and cloned per token on the
//! indexing thread), which costs about as much as analysing; a string in a
//! simple format read back by a tokenizer costs a few instructions per
//! token.
//!
//! [`Replay`] is registered under the analyzers' names only on the index
//! handle the writer uses ([`replay_tokenizers`]); readers and searchers
//! keep the real chains. The fields that carry encoded text are indexed,
//! not stored, so the encoding never reaches the disk.
//!
//! Format: per token `POSITION LENGTH BYTES TEXT` (decimal numbers, each
//! followed by one space; `TEXT` is exactly `BYTES` bytes, so any token text
//! is safe).

use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer, TokenizerManager};

use crate::analysis;

/// Writes the tokens `analyzer` makes of `text` into `out` (cleared
/// first), encoded.
pub(crate) fn encode(analyzer: &mut TextAnalyzer, text: &str, out: &mut String) {
    out.clear();
    let mut stream = analyzer.token_stream(text);
    stream.process(&mut |token: &Token| {
        push_number(out, token.position);
        push_number(out, token.position_length);
        push_number(out, token.text.len());
        out.push_str(&token.text);
    });
}

/// Appends `n` in decimal and a space (by hand: `write!` costs more than
/// the rest of the encoding).
fn push_number(out: &mut String, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &digit in &digits[at..] {
        out.push(char::from(digit));
    }
    out.push(' ');
}

/// The tokenizers of the writer's index handle: the analyzers' names
/// ([`analysis::GERMAN`], [`analysis::ENGLISH`]) mapped to [`Replay`], and
/// tantivy's defaults for the keyword fields.
pub(crate) fn replay_tokenizers() -> TokenizerManager {
    let tokenizers = TokenizerManager::default();
    for lang in analysis::Lang::ALL {
        tokenizers.register(lang.analyzer_name(), Replay::default());
    }
    tokenizers
}

/// Tokenizer reading back what [`encode`] wrote.
#[derive(Clone, Default)]
pub(crate) struct Replay {
    token: Token,
}

impl Tokenizer for Replay {
    type TokenStream<'a> = ReplayStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ReplayStream<'a> {
        self.token.reset();
        ReplayStream {
            rest: text,
            token: &mut self.token,
        }
    }
}

/// Token stream of [`Replay`].
pub(crate) struct ReplayStream<'a> {
    rest: &'a str,
    token: &'a mut Token,
}

impl ReplayStream<'_> {
    /// The next space-terminated decimal number, or `None` at the end (or
    /// on text that [`encode`] did not write).
    fn number(&mut self) -> Option<usize> {
        let bytes = self.rest.as_bytes();
        let mut n: usize = 0;
        for (i, &b) in bytes.iter().enumerate().take(20) {
            match b {
                b'0'..=b'9' => n = n.checked_mul(10)?.checked_add(usize::from(b - b'0'))?,
                b' ' if i > 0 => {
                    self.rest = &self.rest[i + 1..];
                    return Some(n);
                }
                _ => return None,
            }
        }
        None
    }
}

impl TokenStream for ReplayStream<'_> {
    fn advance(&mut self) -> bool {
        let (Some(position), Some(position_length), Some(len)) =
            (self.number(), self.number(), self.number())
        else {
            return false;
        };
        let Some(text) = self.rest.get(..len) else {
            return false;
        };
        self.rest = &self.rest[len..];
        self.token.position = position;
        self.token.position_length = position_length;
        self.token.text.clear();
        self.token.text.push_str(text);
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
    use std::fmt::Write as _;

    use super::*;
    use crate::analysis::{analyzer, Lang};

    fn replayed(encoded: &str) -> Vec<(usize, usize, String)> {
        let mut replay = Replay::default();
        let mut stream = replay.token_stream(encoded);
        let mut tokens = Vec::new();
        while stream.advance() {
            let t = stream.token();
            tokens.push((t.position, t.position_length, t.text.clone()));
        }
        tokens
    }

    #[test]
    fn replay_gives_the_analyzers_tokens() {
        let text = "Der Kreistagsbeschluss vom 10.11.2025 zu § 21: Ärztinnen, 1 2 3 Straße";
        let mut german = analyzer(Lang::German);
        let mut expected = Vec::new();
        german.token_stream(text).process(&mut |t: &Token| {
            expected.push((t.position, t.position_length, t.text.clone()))
        });
        assert!(expected.len() > 8, "{expected:?}");
        let mut encoded = String::new();
        encode(&mut german, text, &mut encoded);
        assert_eq!(replayed(&encoded), expected);
    }

    #[test]
    fn any_token_text_survives() {
        let mut encoded = String::new();
        for (position, text) in [(0usize, "a b"), (3, "12 3 "), (3, ""), (7, "ü€😀")] {
            let _ = write!(encoded, "{position} 1 {} {text}", text.len());
        }
        assert_eq!(
            replayed(&encoded),
            [
                (0, 1, "a b".to_string()),
                (3, 1, "12 3 ".to_string()),
                (3, 1, String::new()),
                (7, 1, "ü€😀".to_string())
            ]
        );
    }

    #[test]
    fn foreign_text_gives_no_tokens_and_no_panic() {
        for text in ["", "Kreistag", "1 1 99 kurz", "x 1 1 a", "1 1 1"] {
            let _ = replayed(text);
        }
        assert!(replayed("Kreistag").is_empty());
        assert!(replayed("1 1 99 kurz").is_empty());
    }
}
