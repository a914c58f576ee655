//! Undo line-end hyphenation, across line and page breaks.
//!
//! Justified German text is hyphenated heavily (the fixtures break
//! `Fachkräf-`/`teagenturen`, `abwechslungsrei-`/`ches`). Left split, a word
//! is two wrong tokens and one missing one, so neither half finds the word.
//! But a hyphen at the end of a line is not always a break the typesetter
//! made: German keeps hyphens in compounds (`Ilm-Kreis`) and uses a
//! truncation hyphen, the *Ergänzungsstrich*, before a conjunction
//! (`Sprach- und Kulturförderung`). The rules, looking at the last word of a
//! line and the first word of the next:
//!
//! | line ends with            | next line starts with            | result                 |
//! |---------------------------|----------------------------------|------------------------|
//! | `Sprach-`                 | `und`, `oder`, `bzw.`, `sowie`, `bis`, `wie`, `noch`, `als auch`, … | unchanged: `Sprach- und` |
//! | `Fachkräf-`               | lower case `teagenturen`         | `Fachkräfteagenturen`  |
//! | `Ilm-`                    | upper case or digit `Kreis`      | `Ilm-Kreis`            |
//! | `E-`, `KMU-`, `IT-`, `3-` (one letter, all caps, digit) | lower case `gestützt` | `IT-gestützt` |
//! | `Know-`                   | `how`, `up`, `out`, `down`       | `Know-how`             |
//! | `13:00–` (glued en dash)  | letter or digit                  | `13:00–17:30`          |
//! | `ein abwechslungsrei` + soft hyphen | letter or digit        | `abwechslungsreiches`  |
//! | ` -` or ` –` (a lone dash) | anything                        | unchanged: a dash      |
//! | anything                  | something else (`-gewinnung`, `„`, `(`) | unchanged       |
//!
//! Where the letters mislead, the document's own spelling decides: if the
//! document writes the word elsewhere only closed (`LandarztPlus`), a break
//! before a capital (`Landarzt-` + `Plus-Netzwerk`) closes too; if it writes
//! it only hyphenated (`Ilm-Kreis-weit`), a break before lower case keeps
//! the hyphen.
//!
//! A soft hyphen (U+00AD, kept at the line end by [`super::normalize`]) is
//! the PDF saying outright that the word was broken there, so it always
//! joins without a hyphen; one with nothing to join becomes a visible `-`.
//!
//! The joined word goes where its first part was (so a passage still starts
//! on the page where the reader sees the word begin); the moved fragment is
//! cut from the next line, which is removed if nothing is left. When geometry
//! is present, a line only continues into the next one if that line is
//! plausibly the continuation: on the same page just below it (at most
//! 2.5 font sizes lower) and horizontally overlapping it, or at the top of a
//! new column to its right; across a page break, the first line of the very
//! next page. Without geometry (text files), consecutive lines continue.
//!
//! Limits: a compound whose true hyphen falls at a line end before a lower
//! case part (`Ilm-Kreis-` + `weit`, rare) loses the hyphen unless the
//! document spells it elsewhere; a code broken
//! after capitals (`HELA-` + `DEF1WAK`, a BIC) keeps one it should not have;
//! a truncation hyphen before a conjunction the list does not know stays
//! joined as a word.

use rustc_hash::FxHashSet as HashSet;

use crate::model::{Line, Page};

use super::normalize::SOFT_HYPHEN;

/// Words after which a line-end hyphen is an Ergänzungsstrich
/// (`Sprach- und`). `als` counts only in `als auch`, because `als` is also a
/// syllable (`Materi-als`).
const CONJUNCTIONS: &[&str] = &[
    "und",
    "oder",
    "bzw.",
    "bzw",
    "beziehungsweise",
    "sowie",
    "bis",
    "wie",
    "noch",
    "u.",
    "o.",
    "resp.",
    "respektive",
    "und/oder",
    "&",
    "statt",
    "anstatt",
    "versus",
    "vs.",
];

/// Second parts of English compounds that keep their hyphen (`Know-how`).
const ENGLISH_PARTICLES: &[&str] = &["how", "up", "out", "down"];

/// How two lines meet at a line-end hyphen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Join {
    /// Not a broken word: leave both lines alone.
    No,
    /// A word broken by the typesetter: join without the hyphen.
    Closed,
    /// A compound broken at its own hyphen: join and keep the hyphen.
    Hyphenated,
}

/// Decide how a line ending in `last` (its last word) continues into a line
/// whose text is `next`.
pub fn decide(last: &str, next: &str) -> Join {
    let Some(mark) = last.chars().last() else {
        return Join::No;
    };
    if !matches!(mark, '-' | '–' | SOFT_HYPHEN) {
        return Join::No;
    }
    let stem = &last[..last.len() - mark.len_utf8()];
    if !stem.chars().last().is_some_and(char::is_alphanumeric) {
        // A lone dash, or punctuation before the hyphen (`bzw.-`, `(a)-`).
        return Join::No;
    }
    let mut words = next.split(' ');
    let first_word = words.next().unwrap_or("");
    let Some(first) = first_word.chars().next() else {
        return Join::No;
    };
    if !first.is_alphanumeric() {
        return Join::No;
    }
    if mark == SOFT_HYPHEN {
        return Join::Closed;
    }
    let lower = first_word.to_lowercase();
    if CONJUNCTIONS.contains(&lower.as_str())
        || (lower == "als" && words.next().is_some_and(|w| w.starts_with("auch")))
    {
        return Join::No;
    }
    if mark == '–' || first.is_uppercase() || first.is_numeric() {
        return Join::Hyphenated;
    }
    if !first.is_lowercase() {
        // A letter without case (no German word starts so): leave it.
        return Join::No;
    }
    let bare = lower.trim_end_matches(|c: char| !c.is_alphanumeric());
    if keeps_hyphen(stem) || ENGLISH_PARTICLES.contains(&bare) {
        Join::Hyphenated
    } else {
        Join::Closed
    }
}

/// Is the part before a line-end hyphen one that never loses its hyphen:
/// a single letter (`E-Mail`), an abbreviation in capitals (`KMU-`, `IT-`,
/// `CO2-`) or a number (`3-fach`)?
fn keeps_hyphen(stem: &str) -> bool {
    let part = stem
        .rsplit(['-', '/'])
        .next()
        .unwrap_or(stem)
        .trim_start_matches(|c: char| !c.is_alphanumeric());
    let mut chars = part.chars();
    let single = chars.next().is_some() && chars.next().is_none();
    let capitals = part.chars().any(char::is_alphabetic) && !part.chars().any(char::is_lowercase);
    let number = part.chars().last().is_some_and(char::is_numeric);
    single || capitals || number
}

/// Join words broken at line ends, across lines and pages (see module docs).
pub fn dehyphenate(pages: &mut [Page]) {
    // The vocabulary is asked only about words before a line-end hyphen;
    // most pages have none, and then it is not built at all.
    let text = if pages
        .iter()
        .flat_map(|p| &p.lines)
        .any(|l| l.text.ends_with('-'))
    {
        words_of(pages)
    } else {
        String::new()
    };
    // Built on first use from the text as it was before any join: many
    // documents have line-end hyphens but no break the letters leave open.
    let vocabulary = std::cell::OnceCell::new();
    let vocabulary = || vocabulary.get_or_init(|| Vocabulary::new(&text));
    let order: Vec<(usize, usize)> = pages
        .iter()
        .enumerate()
        .flat_map(|(p, page)| (0..page.lines.len()).map(move |i| (p, i)))
        .collect();

    for (k, &(p, i)) in order.iter().enumerate() {
        // `from` is the line the continuation is measured from: line `k`
        // itself, or the last line emptied by moving its only word into `k`.
        let mut from = k;
        while let Some(next) =
            (from + 1..order.len()).find(|&m| !line(pages, order[m]).text.is_empty())
        {
            if !continues(pages, order[from], order[next]) {
                break;
            }
            let text = &pages[p].lines[i].text;
            let last = text.rsplit(' ').next().unwrap_or("");
            let next_text = &line(pages, order[next]).text;
            let join = settle(&vocabulary, last, next_text, decide(last, next_text));
            if join == Join::No {
                break;
            }
            let (fragment, rest) = next_text.split_once(' ').unwrap_or((next_text, ""));
            let (fragment, rest) = (fragment.to_string(), rest.to_string());
            let text = &mut pages[p].lines[i].text;
            if join == Join::Closed {
                text.pop();
            }
            text.push_str(&fragment);
            let (np, ni) = order[next];
            pages[np].lines[ni].text = rest;
            if !pages[np].lines[ni].text.is_empty() {
                break;
            }
            from = next;
        }
    }

    for page in pages.iter_mut() {
        page.lines.retain(|line| !line.text.is_empty());
        for line in &mut page.lines {
            if line.text.ends_with(SOFT_HYPHEN) {
                line.text.pop();
                line.text.push('-');
            }
        }
    }
}

/// The words a document spells elsewhere, to settle a case the letters
/// alone get wrong: `Landarzt-` + `Plus-Netzwerk` is `LandarztPlus-Netzwerk`
/// when the document writes `LandarztPlus` elsewhere, and `Know-` + `how`
/// keeps its hyphen where the document writes `Know-how`.
///
/// Many documents ask it about one word only, so it answers its first
/// question by a substring search of the text (every member is a piece of
/// the token it comes from, or for a pair of parts apart, the first part
/// and `--` are), checking each token that holds the word as
/// [`WordSet::of`] would; past [`SCANS_BEFORE_SET`] searches it builds the
/// set.
struct Vocabulary<'a> {
    text: &'a str,
    set: std::cell::OnceCell<WordSet<'a>>,
    scans: std::cell::Cell<usize>,
}

/// Substring searches of the text a [`Vocabulary`] makes before it builds
/// the [`WordSet`]: one search reads the text once at memchr's speed, the
/// set hashes every word of it, but a short fragment is found at many
/// places, each checked. Enough for one question (a pair of parts takes
/// two): on 1,500 Karlsruhe files (callgrind, structure_dump) the budgets
/// 48, 24, 12, 6 and 2 gave 2,122.7, 2,105.2, 2,091.4, 2,081.9 and
/// 2,074.7 M instructions in all.
const SCANS_BEFORE_SET: usize = 2;

/// Every word of a text, each of its hyphen-separated parts, and each pair
/// of neighbouring parts.
struct WordSet<'a> {
    /// Words, parts and pairs of parts as they stand in the text.
    words: HashSet<&'a str>,
    /// Pairs of parts that stand apart in the text ("a--b" gives `a-b`).
    pairs: HashSet<String>,
}

/// The document's words separated by spaces, as they were before any line
/// was joined: what [`Vocabulary`] reads.
fn words_of(pages: &[Page]) -> String {
    let lines = || pages.iter().flat_map(|p| &p.lines);
    let mut text = String::with_capacity(lines().map(|l| l.text.len() + 1).sum());
    for line in lines() {
        text.push_str(&line.text);
        text.push(' ');
    }
    text
}

impl<'a> Vocabulary<'a> {
    fn new(text: &'a str) -> Vocabulary<'a> {
        Vocabulary {
            text,
            set: std::cell::OnceCell::new(),
            scans: std::cell::Cell::new(0),
        }
    }

    /// Whether [`WordSet::of`] the text holds `word`.
    fn contains(&self, word: &str) -> bool {
        if let Some(set) = self.set.get() {
            return set.contains(word);
        }
        // An empty word or one with a space is not a piece of one token.
        let pair = word
            .split_once('-')
            .filter(|(a, b)| !a.is_empty() && !b.contains('-'));
        let scans = 1 + usize::from(pair.is_some());
        if word.is_empty() || word.contains(' ') || self.scans.get() + scans > SCANS_BEFORE_SET {
            return self
                .set
                .get_or_init(|| WordSet::of(self.text))
                .contains(word);
        }
        self.scans.set(self.scans.get() + scans);
        let holds = |needle: &str| {
            memchr::memmem::find_iter(self.text.as_bytes(), needle.as_bytes()).any(|at| {
                let start = self.text[..at].rfind(' ').map_or(0, |i| i + 1);
                let end = self.text[at..]
                    .find(' ')
                    .map_or(self.text.len(), |i| at + i);
                token_holds(&self.text[start..end], word)
            })
        };
        holds(word) || pair.is_some_and(|(first, _)| holds(&format!("{first}--")))
    }

    fn settle_hyphen(&self, last: &str, next: &str, join: Join) -> Join {
        settle_hyphen(|w| self.contains(w), last, next, join)
    }
}

/// Whether `word` is among what [`WordSet::of`] takes from `token`.
fn token_holds(token: &str, word: &str) -> bool {
    let token = trim_punctuation(token);
    if token == word {
        return true;
    }
    let mut parts = token.split('-').filter(|s| !s.is_empty());
    let Some(mut before) = parts.next() else {
        return false;
    };
    if before == word {
        return true;
    }
    for part in parts {
        // `part - before` is its pair, joined or apart ("a--b" gives `a-b`).
        if part == word
            || (word.len() == before.len() + 1 + part.len()
                && word.starts_with(before)
                && word[before.len()..].starts_with('-')
                && word.ends_with(part))
        {
            return true;
        }
        before = part;
    }
    false
}

/// `text.split(' ')`, the spaces found by `memchr`'s vector search: the
/// standard splitter calls a byte search per piece that costs more than
/// the piece (about 150 instructions a word in [`WordSet::of`]).
fn split_spaces(text: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    memchr::memchr_iter(b' ', text.as_bytes())
        .chain([text.len()])
        .map(move |end| {
            // A space is one byte: both ends are char boundaries.
            let piece = &text[start..end];
            start = end + 1;
            piece
        })
}

impl<'a> WordSet<'a> {
    /// Every word of `text` (see [`words_of`]) without surrounding
    /// punctuation, each of its hyphen-separated parts, and each pair of
    /// neighbouring parts. The set borrows from `text` instead of copying
    /// every word.
    fn of(text: &'a str) -> WordSet<'a> {
        // Sized up front for about one word per twelve bytes (the token rate;
        // distinct words are fewer, e.g. 17,951 in Karlsruhe's largest file of
        // 802 KB, so this over-reserves on long texts, capped at 16,384) so the
        // set is rarely rehashed (FxHash: the keys are the document's own words).
        let mut words =
            HashSet::with_capacity_and_hasher((text.len() / 12).min(16_384), Default::default());
        let mut pairs = HashSet::default();
        let mut parts: Vec<&str> = Vec::new();
        for token in split_spaces(text) {
            let token = trim_punctuation(token);
            // Most tokens have no hyphen: their only part is the token.
            if !token.as_bytes().contains(&b'-') {
                words.insert(token);
                continue;
            }
            parts.clear();
            parts.extend(token.split('-').filter(|s| !s.is_empty()));
            for pair in parts.windows(2) {
                // Both parts are slices of `token`: when one hyphen
                // separates them, their pair is a slice of it too.
                let start = pair[0].as_ptr() as usize - token.as_ptr() as usize;
                let end = pair[1].as_ptr() as usize - token.as_ptr() as usize + pair[1].len();
                let joined = &token[start..end];
                if joined.len() == pair[0].len() + 1 + pair[1].len() {
                    words.insert(joined);
                } else {
                    pairs.insert(format!("{}-{}", pair[0], pair[1]));
                }
            }
            words.extend(parts.iter().copied());
            words.insert(token);
        }
        WordSet { words, pairs }
    }

    fn contains(&self, word: &str) -> bool {
        self.words.contains(word) || self.pairs.contains(word)
    }
}

/// Overrule a join at a `-` when the document spells the word at the break
/// only the other way (called through [`settle`]); `contains` asks the
/// document's vocabulary.
///
/// The spelling that would overrule `join` is asked first and the other only
/// when the document has it: most breaks keep their join after one question
/// (each question is a search of the text or a hash lookup, and every search
/// brings the vocabulary's set nearer).
fn settle_hyphen(contains: impl Fn(&str) -> bool, last: &str, next: &str, join: Join) -> Join {
    let (left, right) = parts_at_break(last, next);
    let mut word = String::with_capacity(left.len() + 1 + right.len());
    let mut spelt = |hyphen: bool| {
        word.clear();
        word.push_str(left);
        if hyphen {
            word.push('-');
        }
        word.push_str(right);
        contains(&word)
    };
    match join {
        Join::Hyphenated if spelt(false) && !spelt(true) => Join::Closed,
        Join::Closed if spelt(true) && !spelt(false) => Join::Hyphenated,
        _ => join,
    }
}

/// The two parts that meet at a break: the last part of the line's last
/// word (before its `-`) and the first part of the next line's first word,
/// both without surrounding punctuation.
fn parts_at_break<'a>(last: &'a str, next: &'a str) -> (&'a str, &'a str) {
    let left = trim_punctuation(last.trim_end_matches('-'));
    let left = left.rsplit('-').next().unwrap_or(left);
    let right = trim_punctuation(next.split(' ').next().unwrap_or(""));
    let right = right.split('-').next().unwrap_or(right);
    (left, right)
}

/// Overrule `join` when the document spells the word at the break only the
/// other way; soft hyphens and dashes are left as decided. The vocabulary is
/// built only when a join at a `-` needs it.
fn settle<'a>(
    vocabulary: &impl Fn() -> &'a Vocabulary<'a>,
    last: &str,
    next: &str,
    join: Join,
) -> Join {
    if join == Join::No || !last.ends_with('-') {
        return join;
    }
    vocabulary().settle_hyphen(last, next, join)
}

// The common case inlined, the trim not: called for every word of a
// document's word set, and whether the compiler inlined the whole function
// changed with unrelated edits (±17 M instructions on 1,500 Karlsruhe
// entries).
#[inline(always)]
fn trim_punctuation(word: &str) -> &str {
    // Most words begin and end with an ASCII letter or digit: nothing to trim.
    let bytes = word.as_bytes();
    if bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
    {
        return word;
    }
    trim_punctuation_slow(word)
}

#[inline(never)]
fn trim_punctuation_slow(word: &str) -> &str {
    word.trim_matches(|c: char| !c.is_alphanumeric() && c != '-')
        .trim_end_matches('-')
}

fn line(pages: &[Page], (p, i): (usize, usize)) -> &Line {
    &pages[p].lines[i]
}

/// Is the line at `to` where the text of the line at `from` goes on?
fn continues(pages: &[Page], (pf, from): (usize, usize), (pt, to): (usize, usize)) -> bool {
    if pt != pf {
        // `from` is the last line of its page and `to` the first of a later
        // one: only the very next page continues the text.
        return pt == pf + 1;
    }
    let page = &pages[pf];
    let (a, b) = (&page.lines[from], &page.lines[to]);
    let geometry = page.height > 0.0 && a.font_size > 0.0 && b.font_size > 0.0;
    if !geometry {
        return true;
    }
    let size = a.font_size.max(b.font_size);
    let dy = b.y - a.y;
    if dy > 0.3 * size {
        // Below: the next line of the same column, not a block further down.
        let overlaps = b.x < a.x + a.width.max(size) && b.x + b.width.max(size) > a.x;
        dy <= 2.5 * size && overlaps
    } else if dy < -0.3 * size {
        // Above: the top of the next column, to the right.
        b.x >= a.x + a.width - size
    } else {
        // Same baseline: a neighbouring table cell or text box.
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TextSource;

    fn plain(number: u32, lines: &[&str]) -> Page {
        Page {
            number,
            width: 0.0,
            height: 0.0,
            lines: lines.iter().map(|&t| Line::plain(t)).collect(),
            source: TextSource::Native,
        }
    }

    /// Lines of an A4 page at 11 pt: `(text, x, y, width)`.
    fn a4(number: u32, lines: &[(&str, f32, f32, f32)]) -> Page {
        Page {
            number,
            width: 595.3,
            height: 841.9,
            lines: lines
                .iter()
                .map(|&(text, x, y, width)| Line {
                    text: text.into(),
                    x,
                    y,
                    width,
                    font_size: 11.0,
                })
                .collect(),
            source: TextSource::Native,
        }
    }

    fn run(lines: &[&str]) -> Vec<String> {
        let mut pages = vec![plain(1, lines)];
        dehyphenate(&mut pages);
        pages[0].lines.iter().map(|l| l.text.clone()).collect()
    }

    #[test]
    fn joins_a_broken_word_before_lower_case() {
        assert_eq!(
            run(&[
                "Wirtschaftsförderung, Jobcenter, Ausländerbehörde, Büro Landrat, Sozialamt und Fachkräf-",
                "teagenturen und Netzwerke",
            ]),
            [
                "Wirtschaftsförderung, Jobcenter, Ausländerbehörde, Büro Landrat, Sozialamt und Fachkräfteagenturen",
                "und Netzwerke",
            ]
        );
        // Punctuation and quotes travel with their word.
        assert_eq!(
            run(&[
                "Die Teilnehmenden der zweiten Sitzung „Haupt-",
                "amt“ am 20. September 2017",
            ]),
            [
                "Die Teilnehmenden der zweiten Sitzung „Hauptamt“",
                "am 20. September 2017"
            ]
        );
    }

    #[test]
    fn keeps_a_compound_hyphen_before_upper_case_or_digits() {
        assert_eq!(
            run(&[
                "Region Thüringer Bogen der Landkreise Ilm-",
                "Kreis und Gotha."
            ]),
            [
                "Region Thüringer Bogen der Landkreise Ilm-Kreis",
                "und Gotha."
            ]
        );
        assert_eq!(
            run(&["Zahl der Covid-", "19-Fälle"]),
            ["Zahl der Covid-19-Fälle"]
        );
    }

    #[test]
    fn keeps_the_ergaenzungsstrich_before_a_conjunction() {
        for (line, next) in [
            (
                "Somit können Kommunikations-",
                "und Kontakthürden abgebaut werden",
            ),
            ("im Haupt- und Ehren-", "oder Nebenamt"),
            ("zwischen Bund und Land-", "bzw. Kommunalebene"),
            ("der Sprach-", "sowie Kulturförderung"),
            ("sowohl Sprach-", "als auch Kulturförderung"),
            ("Organisation von 2-", "bis 4 Praxistouren"),
            ("Sprach-", "wie Kulturförderung"),
            ("weder Sprach-", "noch Kulturförderung"),
            ("Sprach-", "u. Kulturförderung"),
        ] {
            assert_eq!(run(&[line, next]), [line, next], "{line} / {next}");
        }
        // `als` without `auch` is a syllable.
        assert_eq!(
            run(&["des Potenzi-", "als der Region"]),
            ["des Potenzials", "der Region"]
        );
    }

    #[test]
    fn a_lone_dash_is_not_hyphenation() {
        for (line, next) in [
            (
                "regelmäßige Maßnahmen zur Selbstreflexion –",
                "Coaching- ermöglicht werden.",
            ),
            ("Uhr 13:00 -", "17:30 Uhr"),
            ("-", "nichts"),
        ] {
            assert_eq!(run(&[line, next]), [line, next]);
        }
    }

    #[test]
    fn a_hyphen_at_word_start_on_the_next_line_is_left_alone() {
        let lines = ["Fachkräftesicherung und", "-gewinnung sind zentrale Themen"];
        assert_eq!(run(&lines), lines);
        let lines = ["die Bereiche Planungs-", "„Bildung“ und Integration"];
        assert_eq!(run(&lines), lines);
        let lines = ["abgekürzt bzw.-", "weiter"];
        assert_eq!(run(&lines), lines);
    }

    #[test]
    fn letters_abbreviations_and_numbers_keep_their_hyphen() {
        assert_eq!(run(&["per E-", "mail an"]), ["per E-mail", "an"]);
        assert_eq!(run(&["per E-", "Mail an"]), ["per E-Mail", "an"]);
        assert_eq!(run(&["die KMU-", "Förderung"]), ["die KMU-Förderung"]);
        assert_eq!(
            run(&["IT-", "gestützte Verfahren"]),
            ["IT-gestützte", "Verfahren"]
        );
        assert_eq!(run(&["(CO2-", "neutral)"]), ["(CO2-neutral)"]);
        assert_eq!(run(&["der 3-", "fache Betrag"]), ["der 3-fache", "Betrag"]);
        assert_eq!(
            run(&["mit entsprechendem Know-", "how und"]),
            ["mit entsprechendem Know-how", "und"]
        );
    }

    #[test]
    fn the_documents_own_spelling_settles_the_case() {
        // Fixture 004 writes "LandarztPlus" and breaks it once at the capital.
        assert_eq!(
            run(&[
                "Das Programm LandarztPlus fördert ein Landarzt-",
                "Plus-Netzwerk im Kreis"
            ]),
            [
                "Das Programm LandarztPlus fördert ein LandarztPlus-Netzwerk",
                "im Kreis"
            ]
        );
        // Without that evidence the capital keeps the hyphen.
        assert_eq!(
            run(&[
                "Das Programm fördert ein Landarzt-",
                "Plus-Netzwerk im Kreis"
            ]),
            [
                "Das Programm fördert ein Landarzt-Plus-Netzwerk",
                "im Kreis"
            ]
        );
        // A lower-case part keeps its hyphen where the document writes it so.
        assert_eq!(
            run(&[
                "Ilm-Kreis-weit gilt: die Angebote sind Ilm-Kreis-",
                "weit bekannt"
            ]),
            [
                "Ilm-Kreis-weit gilt: die Angebote sind Ilm-Kreis-weit",
                "bekannt"
            ]
        );
        // Seen both ways: the letters decide.
        assert_eq!(
            run(&["IlmKreis und Ilm-Kreis, der Ilm-", "Kreis"]),
            ["IlmKreis und Ilm-Kreis, der Ilm-Kreis"]
        );
    }

    #[test]
    fn a_glued_en_dash_keeps_the_dash() {
        assert_eq!(
            run(&["Sprechzeiten 13:00–", "17:30 Uhr"]),
            ["Sprechzeiten 13:00–17:30", "Uhr"]
        );
    }

    #[test]
    fn soft_hyphens_always_close_the_word() {
        assert_eq!(
            run(&["ein abwechslungsrei\u{AD}", "ches Gourmetangebot"]),
            ["ein abwechslungsreiches", "Gourmetangebot"]
        );
        assert_eq!(
            run(&["Landarzt\u{AD}", "Plus Kreis"]),
            ["LandarztPlus", "Kreis"]
        );
        // Nothing to join: the soft hyphen shows as the hyphen it was drawn as.
        assert_eq!(
            run(&["ein abwechslungsrei\u{AD}"]),
            ["ein abwechslungsrei-"]
        );
    }

    #[test]
    fn an_emptied_line_is_removed_and_chains_continue() {
        assert_eq!(
            run(&[
                "Sozialamt und Fachkräfte-",
                "agenturen",
                "Vorteile für den Landkreis:"
            ]),
            [
                "Sozialamt und Fachkräfteagenturen",
                "Vorteile für den Landkreis:"
            ]
        );
        assert_eq!(
            run(&["Die Fach-", "kräf-", "teagenturen sind"]),
            ["Die Fachkräfteagenturen", "sind"]
        );
    }

    #[test]
    fn joins_across_a_page_break_onto_the_first_page() {
        let mut pages = vec![
            plain(22, &["Diese/r steht ins-"]),
            plain(
                23,
                &[
                    "besondere in der Anfangszeit bei Fragen",
                    "und begleitet die Person.",
                ],
            ),
        ];
        dehyphenate(&mut pages);
        assert_eq!(pages[0].text(), "Diese/r steht insbesondere");
        assert_eq!(
            pages[1].text(),
            "in der Anfangszeit bei Fragen\nund begleitet die Person."
        );

        // A page whose only line moves keeps its number, now without lines.
        let mut pages = vec![
            plain(1, &["Maß-"]),
            plain(2, &["nahmen"]),
            plain(3, &["Ende"]),
        ];
        dehyphenate(&mut pages);
        assert_eq!(pages[0].text(), "Maßnahmen");
        assert!(pages[1].lines.is_empty());
        assert_eq!(
            pages.iter().map(|p| p.number).collect::<Vec<_>>(),
            [1, 2, 3]
        );
    }

    #[test]
    fn only_the_very_next_page_continues() {
        let mut pages = vec![plain(1, &["Gesund-"]), plain(2, &[]), plain(3, &["heit"])];
        dehyphenate(&mut pages);
        assert_eq!(pages[0].text(), "Gesund-");
        assert_eq!(pages[2].text(), "heit");
    }

    #[test]
    fn with_geometry_only_the_continuation_line_joins() {
        let body = (
            "Ein fachliches Rahmenprogramm und ein abwechslungsrei-",
            71.0,
            160.4,
            467.0,
        );
        // The next line of the paragraph.
        let mut pages = vec![a4(1, &[body, ("ches Gourmetangebot", 71.0, 174.9, 120.0)])];
        dehyphenate(&mut pages);
        assert!(pages[0].lines[0].text.ends_with("abwechslungsreiches"));

        // A block far below the line.
        let mut pages = vec![a4(1, &[body, ("ches Gourmetangebot", 71.0, 400.0, 120.0)])];
        dehyphenate(&mut pages);
        assert_eq!(pages[0].lines.len(), 2);

        // A cell on the same baseline.
        let mut pages = vec![a4(
            1,
            &[("Bil-", 71.0, 160.4, 20.0), ("dung", 300.0, 160.4, 30.0)],
        )];
        dehyphenate(&mut pages);
        assert_eq!(pages[0].lines.len(), 2);

        // Below, but in another column (no horizontal overlap).
        let mut pages = vec![a4(
            1,
            &[("Bil-", 71.0, 160.4, 200.0), ("dung", 320.0, 174.9, 200.0)],
        )];
        dehyphenate(&mut pages);
        assert_eq!(pages[0].lines.len(), 2);

        // The top of the next column, to the right.
        let mut pages = vec![a4(
            1,
            &[
                ("Bil-", 71.0, 760.0, 220.0),
                ("dung ist", 310.0, 82.0, 220.0),
            ],
        )];
        dehyphenate(&mut pages);
        assert_eq!(pages[0].text(), "Bildung\nist");
    }

    #[test]
    fn with_geometry_a_chain_is_measured_from_the_emptied_line() {
        let mut pages = vec![a4(
            1,
            &[
                ("Die Fach-", 71.0, 100.0, 467.0),
                ("kräf-", 71.0, 114.5, 25.0),
                ("teagenturen sind", 71.0, 129.0, 100.0),
            ],
        )];
        dehyphenate(&mut pages);
        assert_eq!(pages[0].text(), "Die Fachkräfteagenturen\nsind");
    }

    #[test]
    fn decide_table() {
        use Join::*;
        for (last, next, want) in [
            ("Fachkräf-", "teagenturen", Closed),
            ("Ilm-", "Kreis", Hyphenated),
            ("Sprach-", "und Kultur", No),
            ("Sprach-", "UND", No),
            ("Sprach-", "als auch", No),
            ("Materi-", "als", Closed),
            ("-", "Kreis", No),
            ("–", "Kreis", No),
            ("Kreis", "weit", No),
            ("", "x", No),
            ("x-", "", No),
            ("Ilm-Kreis-Klini-", "ken", Closed),
            ("www.wartburg-", "kreis.de", Closed),
            ("Ärzte\u{AD}", "netzwerk", Closed),
            ("ß-", "ß", Hyphenated),
        ] {
            assert_eq!(decide(last, next), want, "{last:?} + {next:?}");
        }
    }

    /// Questions of every kind a break can ask about `text`: its tokens,
    /// their parts, neighbouring parts closed and hyphenated, neighbouring
    /// tokens, and pieces of these.
    fn questions(text: &str) -> Vec<String> {
        let tokens: Vec<&str> = text.split(' ').collect();
        let mut out = Vec::new();
        for (k, token) in tokens.iter().enumerate() {
            let trimmed = trim_punctuation(token);
            out.push(trimmed.to_string());
            let parts: Vec<&str> = trimmed.split('-').collect();
            for pair in parts.windows(2) {
                out.push(format!("{}{}", pair[0], pair[1]));
                out.push(format!("{}-{}", pair[0], pair[1]));
            }
            out.extend(parts.iter().map(|p| p.to_string()));
            if let Some(next) = tokens.get(k + 1) {
                let next = trim_punctuation(next);
                let next = next.split('-').next().unwrap_or(next);
                let left = trimmed.rsplit('-').next().unwrap_or(trimmed);
                out.push(format!("{left}{next}"));
                out.push(format!("{left}-{next}"));
            }
            let chars: Vec<char> = trimmed.chars().collect();
            if chars.len() > 3 {
                out.push(chars[1..chars.len() - 1].iter().collect());
                out.push(chars[..chars.len() - 2].iter().collect::<String>() + "-");
            }
        }
        out
    }

    /// The word set and the punctuation trim with their shortcuts (tokens
    /// without a hyphen, words without punctuation at their ends) hold and
    /// give what the plain rules do.
    #[test]
    fn word_set_shortcuts_agree_with_the_plain_rules() {
        let slow_trim = |word: &str| -> String {
            word.trim_matches(|c: char| !c.is_alphanumeric() && c != '-')
                .trim_end_matches('-')
                .to_string()
        };
        let mut texts = crate::test_texts::repository_texts();
        texts.push("a--b x-y-z -lead trail- --  „Haupt-amt“ E--Mail Ab--  9 ä Ä- -ö".into());
        for text in &texts {
            let text = text.replace('\n', " ") + " ";
            let (mut words, mut pairs) = (HashSet::default(), HashSet::default());
            for token in text.split(' ') {
                assert_eq!(trim_punctuation(token), slow_trim(token), "{token:?}");
                let token = slow_trim(token);
                // Parts with their offsets; neighbours one hyphen apart are
                // a word, further apart a pair.
                let mut parts: Vec<(usize, &str)> = Vec::new();
                let mut at = 0;
                for part in token.split('-') {
                    if !part.is_empty() {
                        parts.push((at, part));
                    }
                    at += part.len() + 1;
                }
                for w in parts.windows(2) {
                    let ((a, first), (b, second)) = (w[0], w[1]);
                    if b == a + first.len() + 1 {
                        words.insert(token[a..b + second.len()].to_string());
                    } else {
                        pairs.insert(format!("{first}-{second}"));
                    }
                }
                words.extend(parts.iter().map(|(_, p)| p.to_string()));
                words.insert(token.clone());
            }
            let set = WordSet::of(&text);
            let got: HashSet<String> = set.words.iter().map(|w| w.to_string()).collect();
            assert_eq!(got, words);
            assert_eq!(set.pairs, pairs);
        }
    }

    /// `settle_hyphen` as it was: both spellings asked on every break.
    fn settle_hyphen_asking_both(
        contains: impl Fn(&str) -> bool,
        last: &str,
        next: &str,
        join: Join,
    ) -> Join {
        let (left, right) = parts_at_break(last, next);
        let closed = contains(&format!("{left}{right}"));
        let hyphenated = contains(&format!("{left}-{right}"));
        match join {
            Join::Hyphenated if closed && !hyphenated => Join::Closed,
            Join::Closed if hyphenated && !closed => Join::Hyphenated,
            _ => join,
        }
    }

    /// Asking the overruling spelling first settles every break as asking
    /// both did, on every neighbouring pair of words of the repository's
    /// texts (each word given a line-end hyphen) under every join, with fewer
    /// questions.
    #[test]
    fn settle_hyphen_settles_as_asking_both() {
        let mut texts = crate::test_texts::repository_texts();
        texts.push("Know-how Know how Knowhow Haupt-amt Hauptamt a--b E--Mail".into());
        let (mut overruled, mut kept) = (0, 0);
        use std::cell::Cell;
        /// `set.contains`, counting the questions in `asked`.
        fn counted<'s>(set: &'s WordSet<'_>, asked: &'s Cell<usize>) -> impl Fn(&str) -> bool + 's {
            move |w| {
                asked.set(asked.get() + 1);
                set.contains(w)
            }
        }
        let (asked_new, asked_old) = (Cell::new(0), Cell::new(0));
        for text in &texts {
            let text = text.replace('\n', " ") + " ";
            let set = WordSet::of(&text);
            let tokens: Vec<&str> = text.split(' ').collect();
            for pair in tokens.windows(2) {
                let last = format!("{}-", pair[0].trim_end_matches('-'));
                for join in [Join::No, Join::Closed, Join::Hyphenated] {
                    let new = settle_hyphen(counted(&set, &asked_new), &last, pair[1], join);
                    let old =
                        settle_hyphen_asking_both(counted(&set, &asked_old), &last, pair[1], join);
                    assert_eq!(new, old, "{last:?} {:?} {join:?}", pair[1]);
                    if new == join {
                        kept += 1;
                    } else {
                        overruled += 1;
                    }
                }
            }
        }
        assert!(overruled > 100 && kept > 1_000, "{overruled} / {kept}");
        assert!(asked_new.get() < asked_old.get());
    }

    #[test]
    fn split_spaces_splits_as_split() {
        let mut texts = crate::test_texts::repository_texts();
        for odd in ["", " ", "  ", "a", "a ", " a", "a  b", "ä ö", " ü  ß "] {
            texts.push(odd.to_string());
        }
        for text in &texts {
            let text = text.replace('\n', " ");
            assert_eq!(
                split_spaces(&text).collect::<Vec<_>>(),
                text.split(' ').collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn vocabulary_answers_as_its_word_set() {
        let mut texts = crate::test_texts::repository_texts();
        texts.push("a--b x-y-z -lead trail- --  „Haupt-amt“ E--Mail Ab--".into());
        let (mut asked, mut yes) = (0, 0);
        for text in &texts {
            let text = text.replace('\n', " ") + " ";
            let set = WordSet::of(&text);
            for word in questions(&text) {
                // A fresh vocabulary per question: every answer by search.
                let vocabulary = Vocabulary::new(&text);
                let found = vocabulary.contains(&word);
                assert_eq!(found, set.contains(&word), "{word:?}");
                assert!(vocabulary.set.get().is_none() || word.is_empty());
                asked += 1;
                yes += usize::from(found);
            }
        }
        assert!(yes > 1_000 && asked - yes > 1_000, "{yes} of {asked}");
        // The pair of parts apart is found by its first part and `--`.
        let text = "a--b Ab--cd ";
        let vocabulary = Vocabulary::new(text);
        assert!(vocabulary.contains("a-b") && vocabulary.contains("Ab-cd"));
        assert!(!vocabulary.contains("ab") && !vocabulary.contains("b-Ab"));
    }

    #[test]
    fn vocabulary_builds_its_set_after_the_searches() {
        let text = "Know-how LandarztPlus Ilm-Kreis ";
        let vocabulary = Vocabulary::new(text);
        for _ in 0..SCANS_BEFORE_SET {
            assert!(vocabulary.contains("Know-how") || vocabulary.set.get().is_some());
        }
        assert!(vocabulary.set.get().is_some());
        assert!(vocabulary.contains("LandarztPlus") && vocabulary.contains("Kreis"));
        assert!(!vocabulary.contains("Landarzt"));
    }
}
