//! [`YearParts`]: adds the year of a date, range or reference number as an
//! extra token, so the query "2025" finds "10.11.2025", "2025/2026" and
//! "0412/2025".
//!
//! Takes tokens of the [`CouncilTokenizer`](super::tokenizer) (which keeps
//! those forms whole, so "0412/2025" and "10.11.2025" stay searchable as
//! written); gives every token unchanged and, after a token of digit groups
//! joined by `.` or `/`, each group that is a year (four digits, 1900–2099)
//! **at the same position** and with the token's offsets, like
//! [`Decompounder`](super::decompound::Decompounder) adds compound parts.
//! Numbers with a decimal comma ("1.000,50") and lone numbers are left
//! alone: a lone "2025" already is the year.
//!
//! It belongs to the *indexing* chains only: a query "10.11.2025" must stay
//! one term (the date), not also match every passage of that year.

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// The years among the digit groups of `token`, in order, each once; empty
/// unless `token` is digit groups joined by `.` or `/`.
///
/// ```
/// use ratsuche::analysis::years::years_in;
///
/// assert_eq!(years_in("10.11.2025"), ["2025"]);
/// assert_eq!(years_in("2025/2026"), ["2025", "2026"]);
/// assert_eq!(years_in("0412/2025"), ["2025"]);
/// assert!(years_in("2025").is_empty());
/// assert!(years_in("1.000,50").is_empty());
/// ```
pub fn years_in(token: &str) -> Vec<&str> {
    if !token.contains(['.', '/'])
        || !token
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '/')
    {
        return Vec::new();
    }
    let mut years: Vec<&str> = Vec::new();
    for group in token.split(['.', '/']) {
        if is_year(group) && !years.contains(&group) {
            years.push(group);
        }
    }
    years
}

fn is_year(group: &str) -> bool {
    group.len() == 4
        && group.bytes().all(|b| b.is_ascii_digit())
        && (group.starts_with("19") || group.starts_with("20"))
}

/// Token filter adding the years of dates, ranges and reference numbers at
/// their position (indexing chains only).
#[derive(Clone, Copy, Debug, Default)]
pub struct YearParts;

impl TokenFilter for YearParts {
    type Tokenizer<T: Tokenizer> = YearPartsFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> YearPartsFilter<T> {
        YearPartsFilter { inner: tokenizer }
    }
}

/// [`Tokenizer`] wrapper built by [`YearParts`].
#[derive(Clone)]
pub struct YearPartsFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for YearPartsFilter<T> {
    type TokenStream<'a> = YearPartsTokenStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        YearPartsTokenStream {
            tail: self.inner.token_stream(text),
            years: Vec::new(),
            next: 0,
            year: Token::default(),
        }
    }
}

/// Token stream of [`YearPartsFilter`]: the tail's tokens, each followed by
/// the years in it.
pub struct YearPartsTokenStream<T> {
    tail: T,
    /// Years of the current tail token, emitted after it.
    years: Vec<String>,
    /// Index into `years` of the next one to emit; `0` means the current
    /// token is the tail's.
    next: usize,
    year: Token,
}

impl<T: TokenStream> TokenStream for YearPartsTokenStream<T> {
    fn advance(&mut self) -> bool {
        if self.next < self.years.len() {
            let whole = self.tail.token();
            self.year.text.clear();
            self.year.text.push_str(&self.years[self.next]);
            self.year.position = whole.position;
            self.year.offset_from = whole.offset_from;
            self.year.offset_to = whole.offset_to;
            self.year.position_length = whole.position_length;
            self.next += 1;
            return true;
        }
        self.years.clear();
        self.next = 0;
        if !self.tail.advance() {
            return false;
        }
        let found = years_in(&self.tail.token().text);
        self.years.extend(found.into_iter().map(str::to_string));
        true
    }

    fn token(&self) -> &Token {
        if self.next > 0 {
            &self.year
        } else {
            self.tail.token()
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        if self.next > 0 {
            &mut self.year
        } else {
            self.tail.token_mut()
        }
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::TextAnalyzer;

    use super::*;
    use crate::analysis::test_util::{assert_token, collect_tokens, texts};
    use crate::analysis::tokenizer::CouncilTokenizer;

    #[test]
    fn years_of_dates_ranges_and_references() {
        assert_eq!(years_in("10.11.2025"), ["2025"]);
        assert_eq!(years_in("11.2025"), ["2025"]);
        assert_eq!(years_in("2025/2026"), ["2025", "2026"]);
        assert_eq!(years_in("2025/2025"), ["2025"]);
        assert_eq!(years_in("0412/2025"), ["2025"]);
        assert_eq!(years_in("1999/2000"), ["1999", "2000"]);
        // No year: other numbers, decimals, plain years, words.
        for token in [
            "2025",
            "46/24",
            "1.000,50",
            "1.500",
            "2100/2101",
            "20250/1",
            "ds",
        ] {
            assert!(years_in(token).is_empty(), "{token}");
        }
    }

    #[test]
    fn the_year_follows_its_token_at_the_same_position() {
        let mut analyzer = TextAnalyzer::builder(CouncilTokenizer::default())
            .filter(YearParts)
            .build();
        let t = collect_tokens(&mut analyzer, "am 10.11.2025 für 2025/2026 Vorlage");
        assert_eq!(
            texts(&t),
            [
                "am",
                "10.11.2025",
                "2025",
                "für",
                "2025/2026",
                "2025",
                "2026",
                "Vorlage"
            ]
        );
        assert_token(&t[1], 1, "10.11.2025", 3, 13);
        assert_token(&t[2], 1, "2025", 3, 13);
        assert_token(&t[5], 3, "2025", 19, 28);
        assert_token(&t[6], 3, "2026", 19, 28);
        assert_token(&t[7], 4, "Vorlage", 29, 36);
        // A year token at the very end is emitted too.
        assert_eq!(
            texts(&collect_tokens(&mut analyzer, "0412/2025")),
            ["0412/2025", "2025"]
        );
    }
}
