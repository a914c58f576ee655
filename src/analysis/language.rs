//! [`detect_language`]: picks the analyzer chain for a document.
//!
//! Takes a document's (or passage's) text; gives [`Lang::English`] only when
//! `whatlang` is confident the text is English, and [`Lang::German`]
//! otherwise. The corpus is German council papers: an English document is the
//! rare exception, and wrongly stemming a German paper with the English chain
//! costs far more than the reverse. So:
//!
//! * the detector only chooses between German and English (a Dutch-looking
//!   German table must not become "other");
//! * texts with fewer than [`MIN_LETTERS`] letters are German without asking,
//!   since trigram statistics on a title or a table cell are noise;
//! * only the first [`SAMPLE_BYTES`] bytes are looked at, which keeps the cost
//!   flat for long documents.

use std::sync::LazyLock;

use whatlang::Detector;

use super::Lang;

/// Below this many letters a text is assumed German.
pub const MIN_LETTERS: usize = 40;
/// How much of a text is given to the detector.
pub const SAMPLE_BYTES: usize = 8 * 1024;

static DETECTOR: LazyLock<Detector> =
    LazyLock::new(|| Detector::with_allowlist(vec![whatlang::Lang::Deu, whatlang::Lang::Eng]));

/// The longest prefix of `text` of at most `max` bytes ending on a char
/// boundary.
fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Language of `text`: German unless whatlang is confident it is English.
pub fn detect_language(text: &str) -> Lang {
    let sample = prefix(text, SAMPLE_BYTES);
    if sample.chars().filter(|c| c.is_alphabetic()).count() < MIN_LETTERS {
        return Lang::German;
    }
    match DETECTOR.detect(sample) {
        Some(info) if info.lang() == whatlang::Lang::Eng && info.is_reliable() => Lang::English,
        _ => Lang::German,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_text_is_english() {
        let text = "The city council approved the budget for the new primary school. \
                    The mayor said the building work will start next spring and \
                    should be finished within two years.";
        assert_eq!(detect_language(text), Lang::English);
    }

    #[test]
    fn german_text_is_german() {
        let text = "Der Stadtrat beschließt den Haushaltsplan für das Jahr 2026. \
                    Die Verwaltung wird beauftragt, die Maßnahmen umzusetzen und \
                    dem Ausschuss zu berichten.";
        assert_eq!(detect_language(text), Lang::German);
    }

    #[test]
    fn german_with_english_loanwords_stays_german() {
        let text = "Das Smart-City-Projekt und das Open-Data-Portal wurden im \
                    Digital-Ausschuss vorgestellt; das Team plant ein Update im Herbst.";
        assert_eq!(detect_language(text), Lang::German);
    }

    #[test]
    fn short_or_empty_text_is_german() {
        assert_eq!(detect_language(""), Lang::German);
        assert_eq!(detect_language("The budget"), Lang::German);
        assert_eq!(
            detect_language("0412/2025 §21 10.11.2025 1,5"),
            Lang::German
        );
    }

    #[test]
    fn prefix_respects_char_boundaries() {
        assert_eq!(prefix("ääää", 3), "ä");
        assert_eq!(prefix("abc", 10), "abc");
        // A long English text cut mid-char is still detected.
        let long = "The council will meet again to discuss the report. ".repeat(400) + "ä";
        assert_eq!(detect_language(&long), Lang::English);
    }
}
