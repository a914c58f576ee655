//! Snippets over a window: the query's indexed terms and a passage's text →
//! tantivy's best fragment with highlights, without analysing the whole
//! passage, and without running the expensive parts of the chain on words
//! that cannot match.
//!
//! tantivy's `SnippetGenerator` runs the field's *indexing* chain
//! (decompounding, stemming) over the whole stored text of every hit. For
//! passages of several thousand characters that was 60–70 % of a query's
//! time (profiles in `benches/HISTORY.md`: "Query latency, Karlsruhe 1×"
//! and the first batch run). Two things make it cheap: the
//! gate is exact (same fragments and highlights); the window is a
//! heuristic that can pick a different fragment than the whole text would
//! when two clusters tie or a term is no substring of its word:
//!
//! * **Window.** A cheap scan finds where the query's terms can occur —
//!   every indexed term of the German and English chains is, after
//!   lowercasing and umlaut folding, nearly always a substring of the word
//!   it came from (stems are prefixes, compound parts are inside the
//!   compound) — and only a window around the best cluster of such places
//!   is analysed. The exact analysis then decides what is highlighted, so a
//!   window never highlights a false match; when the window finds nothing
//!   the whole text is analysed as before.
//! * **Gate** (German passages, [`GatedGerman`]). tantivy picks fragments
//!   from the offsets of *every* token the chain emits and highlights the
//!   tokens whose text is a query term. Every token of one word carries the
//!   word's offsets, so what a word contributes is decided by two
//!   questions: does the chain drop it (a stop word), and can any of its
//!   terms be a query term? The second has a cheap, sound answer
//!   ([`canonical`]): every term the German index chain makes of a word
//!   (years, the stem of the word or of a compound part, with ae/oe/ue and
//!   umlauts folded and feminine endings cut) is, with umlauts folded and
//!   every `e` removed, a substring of the word treated the same way — up to
//!   a final `n` of a restored `-en` ending, which the needles leave off. So
//!   only words containing a needle go through the rest of the chain
//!   (decompounding, stemming); the others are emitted with their offsets
//!   and an empty text that matches no term. The property is checked on
//!   every word of the test texts (and, `--ignored`, of the Karlsruhe
//!   corpus) in this module's tests.

use std::collections::BTreeMap;
use std::sync::Arc;

use tantivy::query::Query;
use tantivy::schema::Field;
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};
use tantivy::Score;

use crate::analysis::memo::OneWord;
use crate::analysis::stopwords::StopWords;
use crate::analysis::tokenizer::{CouncilTokenStream, CouncilTokenizer};
use crate::analysis::{analyzer_over, years, Lang, MAX_TOKEN_BYTES};
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
    needles: Vec<(Vec<u8>, Score)>,
    max_chars: usize,
}

impl WindowedSnippets {
    /// Collects the query's terms of `field` that occur in the index (as
    /// tantivy's `SnippetGenerator::create` does) and keeps them for the
    /// scan; `lang` is the language of the field's chain.
    pub(crate) fn new(
        searcher: &tantivy::Searcher,
        stats: &super::build::Stats,
        query: &dyn Query,
        field: Field,
        lang: Lang,
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
            let doc_freq = stats.doc_freq(term)?;
            if doc_freq > 0 {
                terms_text.insert(text.to_string(), 1.0 / (1.0 + doc_freq as Score));
            }
        }
        let needles = terms_text
            .iter()
            .map(|(text, score)| (fold(text).text, *score))
            .filter(|(folded, _)| !folded.is_empty())
            .collect();
        let tokenizer = match lang {
            // An empty term would match the gate's empty texts.
            Lang::German if !terms_text.contains_key("") => {
                TextAnalyzer::from(GatedGerman::new(terms_text.keys().map(String::as_str)))
            }
            _ => searcher.index().tokenizer_for_field(field)?,
        };
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
        let folded = fold(text);
        let mut places: Vec<(usize, usize, Score)> = Vec::new(); // (offset, needle, score)
        for (i, (needle, score)) in self.needles.iter().enumerate() {
            // Non-overlapping occurrences, like `str::match_indices`, with
            // memchr's SIMD search (the scan runs over whole passages).
            for at in memchr::memmem::find_iter(&folded.text, needle) {
                places.push((folded.origin(at), i, *score));
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

/// A text lowercased with umlauts and ß folded, and where each of its
/// bytes came from.
struct Folded {
    text: Vec<u8>,
    /// Where the byte-for-byte correspondence with the original changes:
    /// `(folded offset, original offset, constant)`, sorted. From an entry
    /// on, folded byte `f` comes from original byte `o + (f - folded)`, or
    /// from `o` itself when `constant` (the bytes a non-ASCII character
    /// folded to all point at its first byte).
    breaks: Vec<(u32, u32, bool)>,
}

impl Folded {
    /// The byte offset in the original text of the character folded byte
    /// `at` came from.
    fn origin(&self, at: usize) -> usize {
        let at = at as u32;
        let i = self.breaks.partition_point(|b| b.0 <= at);
        match self.breaks.get(i.wrapping_sub(1)) {
            Some(&(folded, original, constant)) => {
                (if constant {
                    original
                } else {
                    original + (at - folded)
                }) as usize
            }
            None => at as usize,
        }
    }
}

/// Lowercase and fold umlauts and ß (ä → a, ß → ss), as the analysis
/// chains' terms are; gives the folded text and where each byte came from.
/// Runs of ASCII (most of German text) are copied and lowercased in bulk.
fn fold(text: &str) -> Folded {
    let bytes = text.as_bytes();
    let mut folded: Vec<u8> = Vec::with_capacity(text.len());
    let mut breaks: Vec<(u32, u32, bool)> = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let run = ascii_run(&bytes[at..]);
        let start = folded.len();
        folded.extend_from_slice(&bytes[at..at + run]);
        folded[start..].make_ascii_lowercase();
        at += run;
        if at >= bytes.len() {
            break;
        }
        // A char boundary: every earlier step ended on one.
        let Some(c) = text[at..].chars().next() else {
            break;
        };
        breaks.push((folded.len() as u32, at as u32, true));
        let mut buf = [0u8; 4];
        match fold_german(c) {
            Some(ascii) => folded.extend_from_slice(ascii),
            None => {
                for lower in c.to_lowercase() {
                    folded.extend_from_slice(lower.encode_utf8(&mut buf).as_bytes());
                }
            }
        }
        at += c.len_utf8();
        breaks.push((folded.len() as u32, at as u32, false));
    }
    Folded {
        text: folded,
        breaks,
    }
}

/// Length of the ASCII run `bytes` starts with, tested eight bytes at a time.
fn ascii_run(bytes: &[u8]) -> usize {
    let mut chunks = bytes.chunks_exact(8);
    let mut run = 0;
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        if word & 0x8080_8080_8080_8080 != 0 {
            break;
        }
        run += 8;
    }
    run + bytes[run..]
        .iter()
        .position(|b| !b.is_ascii())
        .unwrap_or(bytes.len() - run)
}

/// The largest char boundary of `text` at or before `at` (clamped to its length).
fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Appends the gate's canonical form of `word` to `out`: lowercased (as
/// tantivy's `LowerCaser`), ä/ö/ü → a/o/u, ß → ss, and every `e` removed.
/// Every term the German index chain makes of a word is, in this form, a
/// substring of the word's form (see the module docs; [`needle`] leaves off
/// a final `n`).
fn canonical(word: &str, out: &mut Vec<u8>) {
    if word.is_ascii() {
        out.extend(
            word.bytes()
                .map(|b| b.to_ascii_lowercase())
                .filter(|&b| b != b'e'),
        );
        return;
    }
    let mut buf = [0u8; 4];
    for c in word.chars() {
        for lower in c.to_lowercase() {
            match (lower, fold_german(lower)) {
                ('e', _) => {}
                (_, Some(ascii)) => out.extend_from_slice(ascii),
                (other, None) => out.extend_from_slice(other.encode_utf8(&mut buf).as_bytes()),
            }
        }
    }
}

/// The ASCII that the scan and the gate fold a German letter to: ä/ö/ü
/// (either case) → a/o/u, ß/ẞ → ss; `None` for every other character.
fn fold_german(c: char) -> Option<&'static [u8]> {
    match c {
        'ä' | 'Ä' => Some(b"a"),
        'ö' | 'Ö' => Some(b"o"),
        'ü' | 'Ü' => Some(b"u"),
        'ß' | 'ẞ' => Some(b"ss"),
        _ => None,
    }
}

/// The gate's needle for an indexed term: its [`canonical`] form without a
/// final `n` (a restored `-en` the stemmer left on a compound part would
/// otherwise be missing from the written word).
fn needle(term: &str) -> Vec<u8> {
    let mut out = Vec::new();
    canonical(term, &mut out);
    if out.last() == Some(&b'n') {
        out.pop();
    }
    out
}

/// The German indexing chain for the snippet generator, gated: the council
/// tokenizer cuts words, and only a word whose [`canonical`] form contains
/// a query term's [`needle`] runs through the rest of the chain; any other
/// word is dropped if the chain would drop it (a stop word) and otherwise
/// emitted once with an empty text. Offsets, and so tantivy's fragments
/// and highlights, are those of the full chain (module docs).
#[derive(Clone)]
struct GatedGerman {
    raw: CouncilTokenizer,
    /// The index chain after the tokenizer, over one word.
    words: TextAnalyzer,
    needles: Arc<[Vec<u8>]>,
    stop: StopWords,
    /// Buffers reused for every word.
    canon: Vec<u8>,
    lower: String,
    pending: Vec<String>,
}

impl GatedGerman {
    fn new<'t>(terms: impl Iterator<Item = &'t str>) -> GatedGerman {
        GatedGerman {
            raw: CouncilTokenizer::default(),
            words: analyzer_over(OneWord::default(), Lang::German),
            needles: terms.map(needle).collect(),
            stop: StopWords::new(Lang::German),
            canon: Vec::new(),
            lower: String::new(),
            pending: Vec::new(),
        }
    }
}

impl Tokenizer for GatedGerman {
    type TokenStream<'a> = GatedStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> GatedStream<'a> {
        let GatedGerman {
            raw,
            words,
            needles,
            stop,
            canon,
            lower,
            pending,
        } = self;
        pending.clear();
        GatedStream {
            raw: raw.token_stream(text),
            words,
            needles,
            stop,
            canon,
            lower,
            pending,
            next: 0,
            token: Token::default(),
        }
    }
}

struct GatedStream<'a> {
    raw: CouncilTokenStream<'a>,
    words: &'a mut TextAnalyzer,
    needles: &'a [Vec<u8>],
    stop: &'a StopWords,
    canon: &'a mut Vec<u8>,
    lower: &'a mut String,
    /// The terms of the current word still to emit, from `next` on.
    pending: &'a mut Vec<String>,
    next: usize,
    token: Token,
}

/// Whether some needle occurs in `word`'s canonical form. Words are short:
/// a plain comparison at each offset beats setting up a substring searcher.
fn may_match(word: &str, needles: &[Vec<u8>], canon: &mut Vec<u8>) -> bool {
    // An ASCII word's canonical form is at most as long as the word.
    if word.is_ascii() && needles.iter().all(|n| n.len() > word.len()) {
        return false;
    }
    canon.clear();
    canonical(word, canon);
    needles.iter().any(|n| match n.split_first() {
        None => true,
        Some((&first, rest)) => {
            canon.len() >= n.len()
                && (0..=canon.len() - n.len())
                    .any(|at| canon[at] == first && canon[at + 1..at + n.len()] == *rest)
        }
    })
}

/// Whether the German chain emits nothing for `word`: a stop word once
/// lowercased (as tantivy's `LowerCaser` does), with no year in it.
fn dropped(word: &str, stop: &StopWords, lower: &mut String) -> bool {
    lower.clear();
    if word.is_ascii() {
        // ASCII keeps its length when lowercased.
        if word.len() > stop.longest() {
            return false;
        }
        lower.push_str(word);
        lower.make_ascii_lowercase();
    } else {
        for c in word.chars() {
            lower.extend(c.to_lowercase());
        }
    }
    stop.contains(lower) && years::years_in(word).is_empty()
}

impl TokenStream for GatedStream<'_> {
    fn advance(&mut self) -> bool {
        loop {
            if self.next < self.pending.len() {
                std::mem::swap(&mut self.token.text, &mut self.pending[self.next]);
                self.next += 1;
                return true;
            }
            if !self.raw.advance() {
                return false;
            }
            let raw = self.raw.token();
            if raw.text.len() >= MAX_TOKEN_BYTES {
                continue;
            }
            self.token.offset_from = raw.offset_from;
            self.token.offset_to = raw.offset_to;
            self.token.position = raw.position;
            self.token.position_length = raw.position_length;
            if may_match(&raw.text, self.needles, self.canon) {
                self.pending.clear();
                self.next = 0;
                let mut terms = self.words.token_stream(&raw.text);
                while let Some(term) = terms.next() {
                    self.pending.push(term.text.clone());
                }
                continue;
            }
            if !dropped(&raw.text, self.stop, self.lower) {
                self.token.text.clear();
                return true;
            }
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_maps_every_byte_to_its_character() {
        let text = "Größe Ärzte";
        let folded = fold(text);
        assert_eq!(folded.text, b"grosse arzte");
        // "ss" both come from 'ß' at byte 4 of the original (ö takes two).
        assert_eq!(folded.origin(3), 4);
        assert_eq!(folded.origin(4), 4);
        // 'e' after the ß is byte 6 of the original.
        assert_eq!(folded.origin(5), 6);
        // 'a' of "arzte" comes from 'Ä' at byte 8, 'r' from byte 10.
        let at = memchr::memmem::find(&folded.text, b"arzte").unwrap();
        assert_eq!(folded.origin(at), 8);
        assert_eq!(folded.origin(at + 1), 10);
        assert_eq!(folded.origin(0), 0);
    }

    #[test]
    fn fold_maps_like_a_byte_by_byte_fold() {
        // The reference: every folded byte with the offset of its character.
        fn reference(text: &str) -> (Vec<u8>, Vec<usize>) {
            let (mut out, mut origin) = (Vec::new(), Vec::new());
            for (at, c) in text.char_indices() {
                let folded: String = match c {
                    'ä' | 'Ä' => "a".into(),
                    'ö' | 'Ö' => "o".into(),
                    'ü' | 'Ü' => "u".into(),
                    'ß' | 'ẞ' => "ss".into(),
                    c => c.to_lowercase().collect(),
                };
                origin.extend(std::iter::repeat_n(at, folded.len()));
                out.extend_from_slice(folded.as_bytes());
            }
            (out, origin)
        }
        let long = format!(
            "{}Ärzte {}ß{}",
            "Eine LANGE Zeile, ".repeat(3),
            "x".repeat(9),
            "y".repeat(17)
        );
        for text in [
            "",
            "ÄÖÜ",
            "Straße STRASSE İstanbul",
            "a€b ÆØ ﬁx",
            "plain ascii",
            &long,
        ] {
            let (bytes, origin) = reference(text);
            let folded = fold(text);
            assert_eq!(folded.text, bytes, "{text}");
            for (at, &o) in origin.iter().enumerate() {
                assert_eq!(folded.origin(at), o, "{text} byte {at}");
            }
        }
    }

    #[test]
    fn canonical_folds_umlauts_and_drops_every_e() {
        let mut out = Vec::new();
        canonical("Ärztenetzwerk", &mut out);
        assert_eq!(out, b"arztntzwrk");
        assert_eq!(needle("wohnen"), b"wohn");
        assert_eq!(needle("Straße"), b"strass");
    }

    /// Every indexed term of every word of `text` passes the gate for that
    /// word, or the gate could hide a highlight. Returns the words checked.
    fn check_gate(text: &str) -> usize {
        let mut raw = CouncilTokenizer::default();
        let mut chain = analyzer_over(OneWord::default(), Lang::German);
        let mut words = raw.token_stream(text);
        let mut canon = Vec::new();
        let mut checked = 0;
        while let Some(word) = words.next() {
            let mut terms = chain.token_stream(&word.text);
            while let Some(term) = terms.next() {
                assert!(
                    may_match(&word.text, &[needle(&term.text)], &mut canon),
                    "the gate hides term {:?} of word {:?}",
                    term.text,
                    word.text
                );
            }
            checked += 1;
        }
        checked
    }

    #[test]
    fn gate_lets_every_term_of_a_word_through() {
        let samples = "Ärztinnen und Aerzte im Ärztenetzwerk, Schulhof, Wohnraum, \
            Kreistagsbeschluss vom 10.11.2025 (Vorlage 0412/2025), Straßenbahn, \
            Israel, Poesie, Linienbusverkehr, Sachbearbeiterinnen, Bauerwartungsland, \
            Kita-Plätze, § 21, Bürger*innen, Quelle, neue Ergebnisse";
        let mut checked = check_gate(samples);
        for text in crate::test_texts::repository_texts() {
            checked += check_gate(&text);
        }
        assert!(checked > 10_000, "only {checked} words checked");
    }

    #[test]
    #[ignore = "needs ../shared"]
    fn gate_lets_every_term_of_the_karlsruhe_corpus_through() {
        let mut checked = 0;
        for text in crate::test_texts::karlsruhe_texts() {
            checked += check_gate(&text);
        }
        assert!(checked > 1_000_000, "only {checked} words checked");
    }

    #[test]
    fn gated_chain_gives_the_full_chains_fragments_and_highlights() {
        let text = "Der Kreistag hat die Ärztinnen und Aerzte der Stadt gehört. \
            Das Ärztenetzwerk im Landkreis soll wachsen; der Kreistagsbeschluss \
            vom 10.11.2025 sieht neue Stellen vor. Und die Hausärzte?";
        let full = crate::analysis::analyzer(Lang::German);
        for terms in [
            vec!["arzt"],
            vec!["kreistag", "2025"],
            vec!["netzwerk", "stell"],
            vec!["hausarzt", "fehlt"],
        ] {
            let scored: BTreeMap<String, Score> =
                terms.iter().map(|t| (t.to_string(), 0.5)).collect();
            let gated = TextAnalyzer::from(GatedGerman::new(terms.iter().copied()));
            let field = Field::from_field_id(0);
            for max in [40, 80, 200] {
                let a =
                    SnippetGenerator::new(scored.clone(), full.clone(), field, max).snippet(text);
                let b =
                    SnippetGenerator::new(scored.clone(), gated.clone(), field, max).snippet(text);
                assert_eq!(a.fragment(), b.fragment(), "{terms:?} {max}");
                assert_eq!(a.highlighted(), b.highlighted(), "{terms:?} {max}");
            }
        }
    }

    #[test]
    fn floor_char_boundary_never_splits_a_character() {
        let text = "aä";
        assert_eq!(floor_char_boundary(text, 2), 1);
        assert_eq!(floor_char_boundary(text, 99), 3);
    }
}
