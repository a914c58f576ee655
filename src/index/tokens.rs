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
//! Format: per token `STEP LENGTH BYTES TEXT` with no separators: `STEP`
//! is the position minus the previous token's (wrapping; the first token's
//! previous position is 0), `LENGTH` the position length, `BYTES` the
//! length of `TEXT` in bytes (so any token text is safe). Each number is
//! written six bits at a time, lowest first, one ASCII byte each: `0x40 |
//! bits` while more follow, `bits` (`0x00..=0x3f`) for the last. The string
//! stays valid UTF-8 (tantivy takes a `&str`), and a typical token's three
//! numbers (step 0 or 1, length 1, a word shorter than 64 bytes) are three
//! bytes, each read in the first round of the number loop. (Decimal numbers
//! with spaces cost more on both sides: a callgrind run over 1,500
//! Karlsruhe files counted 4.4 % of the run in `push_number` and
//! `ReplayStream::advance`; with varints `ReplayStream::advance` went from
//! 167 M to 107 M instructions and `encode` from 1,488 M to 1,380 M.)

use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer, TokenizerManager};

use crate::analysis;

/// Writes the tokens `analyzer` makes of `text` into `out` (cleared
/// first), encoded.
pub(crate) fn encode(analyzer: &mut TextAnalyzer, text: &str, out: &mut String) {
    out.clear();
    let mut previous = 0usize;
    let mut stream = analyzer.token_stream(text);
    stream.process(&mut |token: &Token| {
        push_token(
            out,
            &mut previous,
            token.position,
            token.position_length,
            &token.text,
        );
    });
}

/// Appends one token to `out`; `previous` is the last token's position
/// (0 before the first) and becomes `position`.
fn push_token(
    out: &mut String,
    previous: &mut usize,
    position: usize,
    position_length: usize,
    text: &str,
) {
    push_number(out, position.wrapping_sub(*previous) as u64);
    *previous = position;
    push_number(out, position_length as u64);
    push_number(out, text.len() as u64);
    out.push_str(text);
}

/// Bits of a number each byte of the encoding carries.
const BITS: u32 = 6;
/// Set in every byte of a number but its last.
const MORE: u8 = 1 << BITS;
/// The number bits of a byte.
const LOW: u8 = MORE - 1;

/// Appends `n`, six bits a byte, lowest first (see the module docs).
fn push_number(out: &mut String, mut n: u64) {
    // By hand: no crate writes a varint into a `String` (the bytes must stay
    // ASCII), and `write!` of decimals cost more than the rest of `encode`.
    while n > u64::from(LOW) {
        out.push(char::from(MORE | (n as u8 & LOW)));
        n >>= BITS;
    }
    out.push(char::from(n as u8));
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
            position: 0,
            token: &mut self.token,
        }
    }
}

/// Token stream of [`Replay`].
pub(crate) struct ReplayStream<'a> {
    rest: &'a str,
    /// The last token's position (0 before the first).
    position: usize,
    token: &'a mut Token,
}

impl ReplayStream<'_> {
    /// The next number, or `None` at the end (or on text that [`encode`]
    /// did not write: a byte that is not ASCII, or more than 64 bits).
    fn number(&mut self) -> Option<u64> {
        let bytes = self.rest.as_bytes();
        let mut n = 0u64;
        let mut shift = 0u32;
        for (i, &b) in bytes.iter().enumerate() {
            let bits = u64::from(b & LOW);
            // The eleventh group of a 64-bit number holds its last four bits.
            if b >= 0x80 || (shift >= 10 * BITS && (shift > 10 * BITS || bits > 0xf)) {
                return None;
            }
            n |= bits << shift;
            if b & MORE == 0 {
                // `b` is ASCII: `i + 1` is a char boundary.
                self.rest = &self.rest[i + 1..];
                return Some(n);
            }
            shift += BITS;
        }
        None
    }
}

impl TokenStream for ReplayStream<'_> {
    fn advance(&mut self) -> bool {
        let (Some(step), Some(position_length), Some(len)) =
            (self.number(), self.number(), self.number())
        else {
            return false;
        };
        let (Ok(step), Ok(position_length), Ok(len)) = (
            usize::try_from(step),
            usize::try_from(position_length),
            usize::try_from(len),
        ) else {
            return false;
        };
        let Some(text) = self.rest.get(..len) else {
            return false;
        };
        self.rest = &self.rest[len..];
        self.position = self.position.wrapping_add(step);
        self.token.position = self.position;
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

    /// `tokens` (position, position length, text) encoded.
    fn encoded(tokens: &[(usize, usize, &str)]) -> String {
        let (mut out, mut previous) = (String::new(), 0);
        for &(position, length, text) in tokens {
            push_token(&mut out, &mut previous, position, length, text);
        }
        out
    }

    #[test]
    fn any_token_text_survives() {
        let tokens = [
            (0usize, 1usize, "a b"),
            (3, 1, "12 3 "),
            (3, 1, ""),
            (7, 2, "ü€😀"),
        ];
        let got = replayed(&encoded(&tokens));
        let want: Vec<(usize, usize, String)> = tokens
            .iter()
            .map(|&(p, l, t)| (p, l, t.to_string()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn any_numbers_survive_in_any_order() {
        // Around every group boundary, the largest numbers, and positions
        // going back (a step that wraps).
        let mut numbers = vec![0usize, 1, usize::MAX, usize::MAX - 1];
        for shift in (6..usize::BITS).step_by(6) {
            numbers.extend([(1 << shift) - 1, 1 << shift, (1 << shift) + 1]);
        }
        let long = "x".repeat(5000);
        let tokens: Vec<(usize, usize, &str)> = numbers
            .iter()
            .flat_map(|&n| [(n, 1, "a"), (5, n, ""), (n / 3, n, long.as_str())])
            .collect();
        let text = encoded(&tokens);
        assert!(text.is_ascii());
        let got = replayed(&text);
        assert_eq!(got.len(), tokens.len());
        for (got, want) in got.iter().zip(&tokens) {
            assert_eq!((got.0, got.1, got.2.as_str()), *want);
        }
    }

    #[test]
    fn a_typical_token_costs_three_bytes_and_its_text() {
        let text = encoded(&[(0, 1, "haus"), (1, 1, "kreistag"), (1, 1, "kreis")]);
        assert_eq!(
            text,
            "\0\u{1}\u{4}haus\u{1}\u{1}\u{8}kreistag\0\u{1}\u{5}kreis"
        );
    }

    #[test]
    fn numbers_past_64_bits_are_refused() {
        // 11 groups hold 66 bits: a last group above 0xf overflows.
        let max = format!("{}\u{f}", "\u{7f}".repeat(10));
        let mut replay = Replay::default();
        assert_eq!(replay.token_stream(&max).number(), Some(u64::MAX));
        let over = format!("{}\u{10}", "\u{7f}".repeat(10));
        assert_eq!(replay.token_stream(&over).number(), None);
        let longer = format!("{}\u{0}", "\u{40}".repeat(11));
        assert_eq!(replay.token_stream(&longer).number(), None);
    }

    #[test]
    fn foreign_text_gives_no_tokens_and_no_panic() {
        for text in ["", "Kreistag", "1 1 99 kurz", "x 1 1 a", "1 1 1", "ü\0\0"] {
            let _ = replayed(text);
        }
        assert!(replayed("Kreistag").is_empty());
        assert!(replayed("1 1 99 kurz").is_empty());
        assert!(replayed("\0\u{1}ü\u{1}a").is_empty());
        // One byte of the two of "ü": a length that ends inside a
        // character is refused.
        assert!(replayed("\0\u{1}\u{1}ü").is_empty());
        assert_eq!(replayed("\0\u{1}\u{2}ü").len(), 1);
    }
}
