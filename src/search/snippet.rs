//! Snippets over a window: the query's indexed terms and a passage's text →
//! tantivy's best fragment with highlights, without analysing the whole
//! passage.
//!
//! tantivy's `SnippetGenerator` runs the field's *indexing* chain
//! (decompounding, stemming) over the whole stored text of every hit. For
//! passages of several thousand characters that was 60–70 % of a query's
//! time (profile in `benches/README.md`). Here a cheap scan finds where the
//! query's terms can occur — every indexed term of the German and English
//! chains is, after lowercasing and umlaut folding, a substring of the word
//! it came from (stems are prefixes, compound parts are inside the
//! compound) — and only a window around the best cluster of such places is
//! analysed. The exact analysis then decides what is highlighted, so a
//! window never highlights a false match; when the window finds nothing the
//! whole text is analysed as before.

use std::collections::BTreeMap;

use tantivy::query::Query;
use tantivy::schema::Field;
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::Score;

use crate::error::Result;

/// Texts up to this many bytes are analysed whole.
const WHOLE_TEXT_BYTES: usize = 2_000;
/// At most this many candidate places are considered per text.
const MAX_PLACES: usize = 512;

/// A snippet generator for one field that analyses a window of the text.
pub(crate) struct WindowedSnippets {
    generator: SnippetGenerator,
    /// The query's indexed terms of this field, folded, with tantivy's
    /// snippet score `1 / (1 + doc_freq)`.
    needles: Vec<(String, Score)>,
    max_chars: usize,
}

impl WindowedSnippets {
    /// Collects the query's terms of `field` that occur in the index (as
    /// tantivy's `SnippetGenerator::create` does) and keeps them for the scan.
    pub(crate) fn new(
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        field: Field,
        max_chars: usize,
    ) -> Result<WindowedSnippets> {
        let mut terms = Vec::new();
        query.query_terms(&mut |term, _| {
            if term.field() == field {
                terms.push(term.clone());
            }
        });
        let mut terms_text: BTreeMap<String, Score> = BTreeMap::new();
        for term in &terms {
            let value = term.value();
            let Some(text) = value.as_str() else {
                continue;
            };
            let doc_freq = searcher.doc_freq(term)?;
            if doc_freq > 0 {
                terms_text.insert(text.to_string(), 1.0 / (1.0 + doc_freq as Score));
            }
        }
        let needles = terms_text
            .iter()
            .map(|(text, score)| (fold(text).0, *score))
            .filter(|(folded, _)| !folded.is_empty())
            .collect();
        let tokenizer = searcher.index().tokenizer_for_field(field)?;
        let generator = SnippetGenerator::new(terms_text, tokenizer, field, max_chars);
        Ok(WindowedSnippets {
            generator,
            needles,
            max_chars,
        })
    }

    /// The best fragment of `text` (fragment-relative highlights), or an
    /// empty snippet when no query term occurs in it.
    pub(crate) fn snippet(&self, text: &str) -> Snippet {
        if text.len() <= WHOLE_TEXT_BYTES || self.needles.is_empty() {
            return self.generator.snippet(text);
        }
        let Some(window) = self.best_window(text) else {
            // No term can occur in the text (a title-only match): the exact
            // analysis of a head window confirms there is nothing to mark.
            let end = floor_char_boundary(text, WHOLE_TEXT_BYTES);
            return self.generator.snippet(&text[..end]);
        };
        let snippet = self.generator.snippet(&text[window]);
        if snippet.is_empty() {
            self.generator.snippet(text)
        } else {
            snippet
        }
    }

    /// A byte range of `text` around the densest cluster of candidate
    /// places, about three fragments wide, on char boundaries.
    fn best_window(&self, text: &str) -> Option<std::ops::Range<usize>> {
        let (folded, origin) = fold(text);
        let mut places: Vec<(usize, usize, Score)> = Vec::new(); // (offset, needle, score)
        for (i, (needle, score)) in self.needles.iter().enumerate() {
            // Non-overlapping occurrences, like `str::match_indices`, with
            // memchr's SIMD search (the scan runs over whole passages).
            for at in memchr::memmem::find_iter(folded.as_bytes(), needle.as_bytes()) {
                places.push((origin[at] as usize, i, *score));
                if places.len() >= MAX_PLACES {
                    break;
                }
            }
        }
        if places.is_empty() {
            return None;
        }
        places.sort_by_key(|p| p.0);
        // Sliding window of one fragment's width: the sum of the scores of
        // the distinct terms inside, as tantivy scores fragments.
        let width = self.max_chars * 2; // bytes; German text is mostly 1-byte chars
        let mut best = (0.0, places[0].0);
        for (start_idx, &(start, _, _)) in places.iter().enumerate() {
            let mut seen: Vec<usize> = Vec::new();
            let mut score = 0.0;
            for &(at, needle, s) in &places[start_idx..] {
                if at >= start + width {
                    break;
                }
                if !seen.contains(&needle) {
                    seen.push(needle);
                    score += s;
                }
            }
            if score > best.0 {
                best = (score, start);
            }
        }
        let start = floor_char_boundary(text, best.1.saturating_sub(self.max_chars));
        let end = floor_char_boundary(text, best.1 + 3 * self.max_chars);
        Some(start..end)
    }
}

/// Lowercase and fold umlauts and ß (ä → a, ß → ss), as the analysis
/// chains' terms are; gives the folded text and, for each of its bytes,
/// the byte offset of the character it came from in `text`. ASCII bytes
/// (most of German text) take a fast path.
fn fold(text: &str) -> (String, Vec<u32>) {
    let mut folded = String::with_capacity(text.len());
    let mut origin: Vec<u32> = Vec::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        if b.is_ascii() {
            folded.push(char::from(b.to_ascii_lowercase()));
            origin.push(at as u32);
            at += 1;
            continue;
        }
        // A char boundary: every earlier step ended on one.
        let Some(c) = text[at..].chars().next() else {
            break;
        };
        let before = folded.len();
        match c {
            'ä' | 'Ä' => folded.push('a'),
            'ö' | 'Ö' => folded.push('o'),
            'ü' | 'Ü' => folded.push('u'),
            'ß' | 'ẞ' => folded.push_str("ss"),
            c => folded.extend(c.to_lowercase()),
        }
        origin.resize(origin.len() + (folded.len() - before), at as u32);
        at += c.len_utf8();
    }
    (folded, origin)
}

/// The largest char boundary of `text` at or before `at` (clamped to its length).
fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_maps_every_byte_to_its_character() {
        let (folded, origin) = fold("Größe Ärzte");
        assert_eq!(folded, "grosse arzte");
        assert_eq!(origin.len(), folded.len());
        // "ss" both come from 'ß' at byte 4 of the original (ö takes two).
        assert_eq!(&origin[3..5], &[4, 4]);
        // 'a' of "arzte" comes from 'Ä' at byte 8.
        assert_eq!(origin[folded.find("arzte").unwrap()], 8);
    }

    #[test]
    fn floor_char_boundary_never_splits_a_character() {
        let text = "aä";
        assert_eq!(floor_char_boundary(text, 2), 1);
        assert_eq!(floor_char_boundary(text, 99), 3);
    }
}
