//! [`CouncilTokenizer`]: splits council text into words, keeping reference
//! numbers, dates, decimals and paragraph citations whole.
//!
//! Takes the cleaned text of a passage; gives tokens whose `text` is the word
//! as written (case untouched: lowercasing is the next filter), whose offsets
//! are byte offsets into the input and whose positions are consecutive.
//!
//! Why not tantivy's `SimpleTokenizer`: it breaks at every non-alphanumeric
//! character, so "0412/2025" became `0412`, `2025`, "10.11.2025" became three
//! numbers and "§ 21" lost the `§` entirely. In council papers those are what
//! people search for. The rules:
//!
//! * A word is a run of Unicode letters and digits (`char::is_alphanumeric`).
//! * `/`, `.` and `,` *between two digits* stay inside the word, so
//!   "0412/2025", "DS 46/2024" → `DS`, `46/2024`, "10.11.2025", "1,5" and
//!   "1.000,50" are single tokens. Between letters they split ("und/oder",
//!   "z.B."), as does a trailing "2025." at a sentence end.
//! * Everything else splits, hyphens included: "Ilm-Kreis" → `Ilm`, `Kreis` at
//!   consecutive positions, so the phrase "Ilm Kreis" and the query
//!   "Ilm-Kreis" both match it.
//! * `§` (or `§§`) followed by whitespace and a word starting with a digit is
//!   glued to it: "§ 21", "§21" and "§§ 21" all give `§21`. A lone `§` is
//!   dropped.
//! * Invisible format characters inside a word (soft hyphen, zero-width
//!   space/joiners, BOM) are skipped without splitting the word; PDF text is
//!   full of them. Combining accents (U+0300–U+036F) stay in the word, and a
//!   word containing one is NFC-composed, so a decomposed "A\u{308}rzte"
//!   becomes `Ärzte` and is stemmed like the composed spelling.
//!
//! The tokenizer never fails and never panics on any input; every offset it
//! gives is a char boundary of the input.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use unicode_normalization::UnicodeNormalization;

/// Tokenizer for German council text; see the module docs for the rules.
#[derive(Clone, Default)]
pub struct CouncilTokenizer {
    token: Token,
    /// Read words char by char only (tests compare it with the fast path).
    no_ascii_run: bool,
}

/// Token stream produced by [`CouncilTokenizer`].
pub struct CouncilTokenStream<'a> {
    text: &'a str,
    /// Byte offset where the search for the next token starts.
    cursor: usize,
    token: &'a mut Token,
    no_ascii_run: bool,
}

impl Tokenizer for CouncilTokenizer {
    type TokenStream<'a> = CouncilTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CouncilTokenStream<'a> {
        self.token.reset();
        CouncilTokenStream {
            text,
            cursor: 0,
            token: &mut self.token,
            no_ascii_run: self.no_ascii_run,
        }
    }
}

/// Part of a word. German's non-ASCII letters are answered without
/// `is_alphanumeric`'s Unicode tables (they are alphabetic).
fn is_word_char(c: char) -> bool {
    matches!(c, 'ä' | 'ö' | 'ü' | 'ß' | 'Ä' | 'Ö' | 'Ü') || c.is_alphanumeric()
}

/// Characters that may sit between two digits of one number or reference.
fn is_digit_joiner(c: char) -> bool {
    matches!(c, '/' | '.' | ',')
}

/// Invisible characters that PDFs leave inside words; skipped, not split on.
fn is_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

/// Combining diacritical marks: part of the word, composed afterwards.
fn is_combining(c: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&c)
}

impl CouncilTokenStream<'_> {
    /// Reads the word starting at byte `start` (which holds a word char) into
    /// `self.token.text`, appending to what is already there. Returns the byte
    /// offset just after the last character that belongs to the word.
    fn read_word(&mut self, start: usize) -> usize {
        let text = self.text;
        let bytes = text.as_bytes();
        let mut at = start;
        let mut end = start;
        let mut prev: Option<char> = None;
        let mut needs_nfc = false;
        loop {
            // Fast path: a run of ASCII letters and digits (most of a
            // German word, and what follows an umlaut) is copied at once;
            // the char-by-char rules below would push each of them the
            // same way.
            if !self.no_ascii_run {
                let run = bytes[at..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric())
                    .count();
                if run > 0 {
                    self.token.text.push_str(&text[at..at + run]);
                    at += run;
                    end = at;
                    prev = Some(char::from(bytes[at - 1]));
                }
            }
            let mut rest = text[at..].chars();
            let Some(c) = rest.next() else { break };
            let next = rest.next();
            if is_word_char(c) {
                self.token.text.push(c);
            } else if is_combining(c) && prev.is_some() {
                self.token.text.push(c);
                needs_nfc = true;
            } else if is_ignorable(c) && next.is_some_and(is_word_char) {
                // Skip it, but keep reading the same word.
                at += c.len_utf8();
                continue;
            } else if is_digit_joiner(c)
                && prev.is_some_and(|p| p.is_ascii_digit())
                && next.is_some_and(|n| n.is_ascii_digit())
            {
                self.token.text.push(c);
            } else {
                break;
            }
            prev = Some(c);
            at += c.len_utf8();
            end = at;
        }
        if needs_nfc {
            let composed: String = self.token.text.nfc().collect();
            self.token.text = composed;
        }
        end
    }

    /// After `§` at byte `at`: the start of the cited number, if one follows.
    fn paragraph_number_start(&self, at: usize) -> Option<usize> {
        let rest = &self.text[at..];
        let skipped = rest
            .char_indices()
            .find(|&(_, c)| c != '§' && !c.is_whitespace())?;
        skipped.1.is_ascii_digit().then_some(at + skipped.0)
    }
}

impl TokenStream for CouncilTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.token.text.clear();
        while let Some((i, c)) = self.text[self.cursor..]
            .char_indices()
            .find(|&(_, c)| is_word_char(c) || c == '§')
        {
            let start = self.cursor + i;
            if c == '§' {
                match self.paragraph_number_start(start) {
                    Some(number) => {
                        self.token.text.push('§');
                        let end = self.read_word(number);
                        return self.emit(start, end);
                    }
                    None => {
                        self.cursor = start + c.len_utf8();
                        continue;
                    }
                }
            }
            let end = self.read_word(start);
            return self.emit(start, end);
        }
        self.cursor = self.text.len();
        false
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

impl CouncilTokenStream<'_> {
    fn emit(&mut self, start: usize, end: usize) -> bool {
        self.cursor = end;
        self.token.offset_from = start;
        self.token.offset_to = end;
        // Starts at usize::MAX after `reset`, so the first token gets 0.
        self.token.position = self.token.position.wrapping_add(1);
        true
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::TextAnalyzer;

    use super::*;
    use crate::analysis::test_util::{assert_token, collect_tokens, texts};

    fn tokens(text: &str) -> Vec<Token> {
        collect_tokens(&mut TextAnalyzer::from(CouncilTokenizer::default()), text)
    }

    /// Texts and offsets of every token, with or without the ASCII fast path.
    fn all_tokens(text: &str, no_ascii_run: bool) -> Vec<(String, usize, usize, usize)> {
        let mut tokenizer = CouncilTokenizer {
            no_ascii_run,
            ..CouncilTokenizer::default()
        };
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
        }
        out
    }

    fn assert_fast_path_changes_nothing(text: &str) -> usize {
        let fast = all_tokens(text, false);
        assert_eq!(
            fast,
            all_tokens(text, true),
            "{}",
            &text[..text.len().min(80)]
        );
        fast.len()
    }

    #[test]
    fn ascii_fast_path_gives_the_char_by_char_tokens() {
        let mut n = assert_fast_path_changes_nothing(
            "Straße 10.11.2025 0412/2025 1,5 § 21 §§ 3a Ilm-Kreis Bürger\u{00AD}innen \
             A\u{0308}rzte abc\u{200B}def 2000er x1.2.3 Kita-Plätze Ärzte ÄRZTE 12.-14.",
        );
        for text in crate::test_texts::repository_texts() {
            n += assert_fast_path_changes_nothing(&text);
        }
        assert!(n > 10_000, "only {n} tokens compared");
    }

    #[test]
    fn word_chars_are_the_alphanumeric_chars() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            assert_eq!(is_word_char(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    #[ignore = "needs ../shared"]
    fn ascii_fast_path_gives_the_char_by_char_tokens_on_karlsruhe() {
        let mut n = 0;
        for text in crate::test_texts::karlsruhe_texts() {
            n += assert_fast_path_changes_nothing(&text);
        }
        assert!(n > 1_000_000, "only {n} tokens compared");
    }

    fn words(text: &str) -> Vec<String> {
        texts(&tokens(text))
    }

    #[test]
    fn plain_words_with_offsets_and_positions() {
        let t = tokens("Der Rat  beschließt.");
        assert_eq!(t.len(), 3);
        assert_token(&t[0], 0, "Der", 0, 3);
        assert_token(&t[1], 1, "Rat", 4, 7);
        assert_token(&t[2], 2, "beschließt", 9, 20);
    }

    #[test]
    fn reference_numbers_stay_whole() {
        let t = tokens("Vorlage 0412/2025 und DS 46/2024.");
        assert_eq!(texts(&t), ["Vorlage", "0412/2025", "und", "DS", "46/2024"]);
        assert_token(&t[1], 1, "0412/2025", 8, 17);
        assert_token(&t[4], 4, "46/2024", 25, 32);
    }

    #[test]
    fn slash_between_letters_splits() {
        assert_eq!(
            words("und/oder VO/0412/2025"),
            ["und", "oder", "VO", "0412/2025"]
        );
    }

    #[test]
    fn dates_and_decimals_stay_whole() {
        assert_eq!(
            words("Am 10.11.2025 stieg er um 1,5 % auf 1.000,50 Euro."),
            [
                "Am",
                "10.11.2025",
                "stieg",
                "er",
                "um",
                "1,5",
                "auf",
                "1.000,50",
                "Euro"
            ]
        );
    }

    #[test]
    fn sentence_final_dot_and_comma_are_not_joiners() {
        assert_eq!(
            words("im Jahr 2025. 3, 4"),
            ["im", "Jahr", "2025", "3", "4"]
        );
        assert_eq!(words("z.B. Abs.2"), ["z", "B", "Abs", "2"]);
    }

    #[test]
    fn paragraph_sign_is_glued_to_the_number() {
        let t = tokens("nach § 21 Abs. 2");
        assert_eq!(texts(&t), ["nach", "§21", "Abs", "2"]);
        assert_token(&t[1], 1, "§21", 5, 10);
        assert_eq!(words("§21"), ["§21"]);
        assert_eq!(words("§§ 21a ff."), ["§21a", "ff"]);
        assert_eq!(words("§\u{a0}21"), ["§21"]);
    }

    #[test]
    fn lone_paragraph_sign_is_dropped() {
        assert_eq!(words("§ Abs §"), ["Abs"]);
        assert_eq!(words("§"), Vec::<String>::new());
    }

    #[test]
    fn roman_numerals_are_words() {
        assert_eq!(words("SGB IX"), ["SGB", "IX"]);
    }

    #[test]
    fn hyphenated_words_split_with_consecutive_positions() {
        let t = tokens("Ilm-Kreis");
        assert_eq!(t.len(), 2);
        assert_token(&t[0], 0, "Ilm", 0, 3);
        assert_token(&t[1], 1, "Kreis", 4, 9);
        assert_eq!(
            words("Bau- und Umweltausschuss"),
            ["Bau", "und", "Umweltausschuss"]
        );
    }

    #[test]
    fn soft_hyphen_and_zero_width_chars_do_not_split() {
        let t = tokens("Haus\u{ad}halt Zu\u{200b}schuss");
        assert_eq!(texts(&t), ["Haushalt", "Zuschuss"]);
        // Offsets still cover the original bytes, invisible char included.
        assert_token(&t[0], 0, "Haushalt", 0, 10);
        // Trailing soft hyphen is not part of the word.
        assert_token(&tokens("Haus\u{ad} x")[0], 0, "Haus", 0, 4);
    }

    #[test]
    fn decomposed_umlauts_are_composed() {
        let t = tokens("A\u{308}rzte Stra\u{df}e");
        assert_eq!(texts(&t), ["Ärzte", "Straße"]);
        assert_token(&t[0], 0, "Ärzte", 0, 7);
    }

    #[test]
    fn empty_and_punctuation_only_input() {
        assert!(tokens("").is_empty());
        assert!(tokens(" ,.;-–/ ").is_empty());
        // A combining mark with no base letter is not a word.
        assert!(tokens("\u{308}").is_empty());
    }

    #[test]
    fn offsets_are_char_boundaries_on_odd_input() {
        let text = "§\u{308}1/ä.ß,2 §§ 🙂 1/2/ \u{ad}\u{ad}x ü\u{ad}";
        for t in tokens(text) {
            assert!(text.is_char_boundary(t.offset_from), "{t:?}");
            assert!(text.is_char_boundary(t.offset_to), "{t:?}");
            assert!(t.offset_from < t.offset_to, "{t:?}");
        }
    }
}
