//! The document as the recognisers see it: a flat list of non-empty lines,
//! each remembering its page.
//!
//! Takes cleaned [`Page`]s, gives a [`Doc`]. Every recogniser works on the
//! same line indices, so the spans they record can be turned into passages
//! later without re-reading the pages. Lines are trimmed, NFC-normalised and
//! have their inner whitespace collapsed; nothing else is changed, so what a
//! recogniser returns is what the document says.
//!
//! # Wrapped lines
//!
//! A PDF lays a paragraph or a long title out over several lines; the
//! recognisers must know where a line only goes on. With geometry (PDF
//! input) a line *wraps* into the next when the next line's first word would
//! not have fitted before the page's right text edge, and the next line
//! follows at the page's usual line pitch, in the same font size, not left
//! of it. A line ending well before the right margin ends its paragraph; a
//! larger vertical gap starts a new block. Plain-text input has no geometry
//! (x = y = width = font size = 0): there no line wraps, and the text-only
//! rules ([`continues_title`]) decide alone.

use std::borrow::Cow;
use std::ops::Range;

use unicode_normalization::UnicodeNormalization;

use crate::model::{Line, Page};

/// One non-empty line of the document. Its text is [`Doc::line`]: a slice
/// of [`Doc::text`], not a copy of its own.
#[derive(Debug, Clone)]
pub(crate) struct DocLine {
    /// 1-based page number.
    pub page: u32,
    /// Byte range of the line in [`Doc::text`].
    span: Range<usize>,
    /// Font size in points, 0 when unknown (plain text input).
    pub font_size: f32,
    /// The layout wrapped this line: the next line goes on with the same
    /// paragraph or title (geometry only; always false for plain text).
    pub wraps: bool,
}

/// All non-empty lines of a document in reading order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Doc {
    pub lines: Vec<DocLine>,
    /// The lines joined by `\n` (for the scanners that look across lines);
    /// the only copy of the lines' text.
    pub text: String,
    /// Line length (chars) above which a line in this document has probably
    /// been wrapped by the layout; `None` when lines are unwrapped paragraphs.
    pub wrap_width: Option<usize>,
}

impl Doc {
    pub fn new(pages: &[Page]) -> Doc {
        // Each normalised line goes straight into `text` (a line already
        // normal is not copied anywhere else); the lines keep its range.
        let mut text = String::with_capacity(
            pages
                .iter()
                .flat_map(|p| &p.lines)
                .map(|l| l.text.len() + 1)
                .sum(),
        );
        let mut lines: Vec<DocLine> = Vec::new();
        let mut kept: Vec<&Line> = Vec::new();
        for page in pages {
            kept.clear();
            let first = lines.len();
            for l in &page.lines {
                let normal = normalize_line(&l.text);
                if normal.is_empty() {
                    continue;
                }
                if !lines.is_empty() {
                    text.push('\n');
                }
                let start = text.len();
                text.push_str(&normal);
                lines.push(DocLine {
                    page: page.number,
                    span: start..text.len(),
                    font_size: l.font_size,
                    wraps: false,
                });
                kept.push(l);
            }
            if let Some(layout) = PageLayout::of(&kept) {
                for k in 0..kept.len().saturating_sub(1) {
                    let (this, next) = (&lines[first + k], &lines[first + k + 1]);
                    let wraps = layout.wraps(
                        kept[k],
                        &text[this.span.clone()],
                        kept[k + 1],
                        &text[next.span.clone()],
                    );
                    lines[first + k].wraps = wraps;
                }
            }
        }
        let wrap_width = wrap_width(&text, &lines);
        Doc {
            lines,
            text,
            wrap_width,
        }
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn line(&self, i: usize) -> &str {
        self.lines.get(i).map_or("", |l| &self.text[l.span.clone()])
    }

    pub fn page(&self, i: usize) -> u32 {
        self.lines
            .get(i)
            .or_else(|| self.lines.last())
            .map(|l| l.page)
            .unwrap_or(1)
    }

    /// Line `i` goes on with a sentence the line before it began: the
    /// previous line wraps into it and does not end with a sentence mark or
    /// a colon. Such a line cannot start a label, question or heading,
    /// whatever its first words look like ("vom 11.09.2024 besetzt …").
    pub fn mid_sentence(&self, i: usize) -> bool {
        let Some(prev) = i.checked_sub(1).and_then(|p| self.lines.get(p)) else {
            return false;
        };
        let prev_text = &self.text[prev.span.clone()];
        prev.wraps && !ends_sentence(prev_text) && !prev_text.ends_with(':')
    }

    /// Byte offset in [`Doc::text`] where line `i` starts.
    pub fn line_start(&self, i: usize) -> usize {
        self.lines.get(i).map_or(self.text.len(), |l| l.span.start)
    }

    /// The lines of `range` joined by newlines: a slice of [`Doc::text`],
    /// which holds them so.
    pub fn join_lines(&self, range: Range<usize>) -> &str {
        let end = range.end.min(self.len());
        let start = range.start.min(end);
        if start == end {
            return "";
        }
        &self.text[self.lines[start].span.start..self.lines[end - 1].span.end]
    }

    /// The "head" of the document: the first lines up to about 1200
    /// characters (at least 8 lines), where letterheads, titles and labels sit.
    pub fn head_end(&self) -> usize {
        let mut chars = 0;
        for (i, l) in self.lines.iter().enumerate() {
            chars += self.text[l.span.clone()].chars().count();
            if i >= 8 && (chars > 1200 || i >= 40) {
                return i;
            }
        }
        self.len()
    }
}

/// Trim, NFC-normalise, map odd spaces and bullets, collapse whitespace.
pub(crate) fn normalize_line(s: &str) -> Cow<'_, str> {
    // Cleaned lines (the usual input) are already normal by the stricter
    // rules of `clean`: skip the Unicode composition (and the copy).
    if crate::clean::normalize::is_normalized(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.nfc() {
        let c = match c {
            '\u{a0}' | '\u{2007}' | '\u{202f}' | '\t' | '\u{2009}' => ' ',
            '\u{ad}' => continue,
            _ => c,
        };
        if c.is_whitespace() || c.is_control() {
            space = !out.is_empty();
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    // A leading bullet glyph is layout, not text.
    for bullet in ['\u{f0b7}', '•', '▪', '●', '◦', '\u{f0a7}'] {
        if let Some(rest) = out.strip_prefix(bullet) {
            return Cow::Owned(rest.trim_start().to_string());
        }
    }
    Cow::Owned(out)
}

/// Where a page's text ends on the right and how far apart its lines sit:
/// the measures [`PageLayout::wraps`] compares a line with.
#[derive(Debug, Clone, Copy)]
struct PageLayout {
    /// Right edge of full lines (90th percentile of right edges).
    right: f32,
    /// Usual distance between baselines of one paragraph (median gap).
    pitch: f32,
}

impl PageLayout {
    /// `None` without geometry (plain text) or with too few lines to tell.
    fn of(lines: &[&Line]) -> Option<PageLayout> {
        if lines.len() < 4 || lines.iter().any(|l| l.width <= 0.0 || l.font_size <= 0.0) {
            return None;
        }
        let mut rights: Vec<f32> = lines.iter().map(|l| l.x + l.width).collect();
        rights.sort_by(f32::total_cmp);
        let right = rights[rights.len() * 9 / 10];
        let mut gaps: Vec<f32> = lines
            .windows(2)
            .map(|w| w[1].y - w[0].y)
            .filter(|&g| {
                let fs = lines[0].font_size.max(1.0);
                g > 0.8 * fs.min(8.0) && g < 4.0 * fs.max(12.0)
            })
            .collect();
        if gaps.is_empty() {
            return None;
        }
        gaps.sort_by(f32::total_cmp);
        Some(PageLayout {
            right,
            pitch: gaps[gaps.len() / 2],
        })
    }

    /// Whether `line` wraps into `next`: `next`'s first word would not have
    /// fitted on `line`, `next` follows at the usual pitch (a paragraph gap
    /// starts a new block), has the same font size, and starts no further
    /// left than `line` (a hanging indent continues to the right).
    fn wraps(&self, line: &Line, text: &str, next: &Line, next_text: &str) -> bool {
        let gap = next.y - line.y;
        if gap <= 0.0 || gap > self.pitch * 1.2 + 0.5 {
            return false;
        }
        if (line.font_size - next.font_size).abs() > 0.6 || next.x < line.x - 2.0 {
            return false;
        }
        let chars = text.chars().count().max(1) as f32;
        let char_width = line.width / chars;
        let word = next_text.split(' ').next().unwrap_or("").chars().count() as f32;
        line.x + line.width + (word + 1.0) * char_width > self.right + 1.0
    }
}

/// Detects hard-wrapped text: many lines cluster just below a maximum width.
fn wrap_width(text: &str, lines: &[DocLine]) -> Option<usize> {
    if lines.len() < 8 {
        return None;
    }
    let mut lens: Vec<usize> = lines
        .iter()
        .map(|l| text[l.span.clone()].chars().count())
        .collect();
    lens.sort_unstable();
    let p90 = lens[lens.len() * 9 / 10];
    let max = *lens.last().unwrap_or(&0);
    // Unwrapped paragraphs produce a long tail of very long lines.
    if (40..=140).contains(&p90) && max <= p90 * 2 {
        Some(p90)
    } else {
        None
    }
}

/// True when `s` ends a sentence (and so cannot be a wrapped title).
pub(crate) fn ends_sentence(s: &str) -> bool {
    let t = s.trim_end_matches(['"', '“', '”', '\'', ')', ' ']);
    t.ends_with('.') || t.ends_with('!') || t.ends_with('?') || t.ends_with(';')
}

/// Strips a trailing hyphen of a wrapped word and appends `next` to `title`.
pub(crate) fn append_wrapped(title: &mut String, next: &str) {
    let next = next.trim();
    if title.ends_with('-')
        && !title.ends_with(" -")
        && next.chars().next().is_some_and(|c| c.is_lowercase())
    {
        title.pop();
        title.push_str(next);
    } else if title.ends_with('-') && !title.ends_with(" -") {
        title.push_str(next);
    } else {
        title.push(' ');
        title.push_str(next);
    }
}

/// Words and marks a title cannot end with: conjunctions, articles,
/// prepositions, a dash, a comma, an ampersand. A title line ending so goes
/// on in the next line ("… in der Medizin und" / "Pflege").
const OPEN_ENDS: &[&str] = &[
    "und",
    "oder",
    "sowie",
    "bzw.",
    "bzw",
    "sowohl",
    "als",
    "wie",
    "der",
    "die",
    "das",
    "des",
    "dem",
    "den",
    "ein",
    "eine",
    "einer",
    "eines",
    "einem",
    "einen",
    "zur",
    "zum",
    "zu",
    "für",
    "mit",
    "von",
    "vom",
    "im",
    "in",
    "an",
    "am",
    "auf",
    "bei",
    "beim",
    "aus",
    "nach",
    "über",
    "unter",
    "gegen",
    "durch",
    "ohne",
    "um",
    "vor",
    "zwischen",
    "gem.",
    "gemäß",
    "betreffend",
    "&",
    "-",
    "–",
    "—",
    "+",
];

/// True when `title` ends with a word or mark that cannot end a title.
pub(crate) fn ends_open(title: &str) -> bool {
    let t = title.trim_end();
    if t.ends_with(',') || t.ends_with('-') || t.ends_with('–') || t.ends_with('&') {
        return true;
    }
    let last = t.rsplit(' ').next().unwrap_or("");
    t.contains(' ') && OPEN_ENDS.iter().any(|w| last.eq_ignore_ascii_case(w))
}

/// Whether `next` (line `j`) continues a title that ended on line `i`.
///
/// The next line must not end a sentence or open a label (":"), must not
/// start with a digit (a new numbered item), and when both lines carry a
/// font size they must match. Then it continues the title when it starts in
/// lower case, when the title ends with a word that cannot end a title
/// ([`ends_open`]: "und", "der", "zur", "-", ","), when the layout wrapped
/// the title line ([`DocLine::wraps`]), or — text only — when the document
/// is hard-wrapped and the title line is as long as a wrapped line.
pub(crate) fn continues_title(doc: &Doc, i: usize, j: usize, title: &str) -> bool {
    let (Some(a), Some(b)) = (doc.lines.get(i), doc.lines.get(j)) else {
        return false;
    };
    let (a_text, b_text) = (doc.line(i), doc.line(j));
    if a.page != b.page || ends_sentence(b_text) || b_text.ends_with(':') {
        return false;
    }
    if a.font_size > 0.0 && b.font_size > 0.0 && (a.font_size - b.font_size).abs() > 0.6 {
        return false;
    }
    if b_text.chars().count() > 160 {
        return false;
    }
    let first = b_text.chars().next().unwrap_or(' ');
    if first.is_ascii_digit() {
        return false;
    }
    if first.is_lowercase() || a.wraps || ends_open(title) {
        return true;
    }
    match doc.wrap_width {
        Some(w) => a_text.chars().count() + 12 >= w,
        None => false,
    }
}

/// A one-page document of `text`'s lines, as the structure tests build
/// them.
#[cfg(test)]
pub(crate) fn doc_of(text: &str) -> Doc {
    Doc::new(&[Page {
        number: 1,
        width: 0.0,
        height: 0.0,
        lines: text.lines().map(Line::plain).collect(),
        source: crate::model::TextSource::Native,
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_collapses_and_strips_bullets() {
        assert_eq!(normalize_line("  a \t b\u{a0}c  "), "a b c");
        assert_eq!(normalize_line("\u{f0b7} Punkt"), "Punkt");
        assert_eq!(normalize_line("Fach\u{ad}kraft"), "Fachkraft");
    }

    fn at(text: &str, x: f32, y: f32, width: f32) -> Line {
        Line {
            text: text.into(),
            x,
            y,
            width,
            font_size: 11.0,
        }
    }

    fn page(lines: Vec<Line>) -> Page {
        Page {
            number: 1,
            width: 595.0,
            height: 842.0,
            lines,
            source: crate::model::TextSource::Native,
        }
    }

    #[test]
    fn wraps_from_geometry() {
        let d = Doc::new(&[page(vec![
            at(
                "Ein langer Absatz, der bis an den Rand geht und",
                71.0,
                100.0,
                467.0,
            ),
            at("weitergeht, endet hier kurz.", 71.0, 114.5, 150.0),
            at(
                "Zweiter Absatz nach einer Lücke, auch bis zum Rand",
                71.0,
                135.0,
                467.0,
            ),
            at("Rand.", 71.0, 149.5, 30.0),
            at("Kurze Zeile", 71.0, 164.0, 60.0),
            at("folgt direkt.", 71.0, 178.5, 70.0),
        ])]);
        let wraps: Vec<bool> = d.lines.iter().map(|l| l.wraps).collect();
        assert_eq!(wraps, [true, false, true, false, false, false]);
        assert!(d.mid_sentence(1));
        assert!(!d.mid_sentence(2));
        // On a later page, after a line that normalises to nothing: the
        // page's kept lines must line up with the document's lines.
        let first = page(vec![at("Erste Seite, kurz.", 71.0, 100.0, 90.0)]);
        let second = Page {
            number: 2,
            ..page(vec![
                at("Kurz.", 71.0, 100.0, 30.0),
                at(" \u{ad} ", 71.0, 114.5, 5.0),
                at(
                    "Ein langer Absatz, der bis an den Rand geht und",
                    71.0,
                    129.0,
                    467.0,
                ),
                at("weitergeht, endet hier kurz.", 71.0, 143.5, 150.0),
                at(
                    "Noch ein langer Absatz, der bis an den Rand geht",
                    71.0,
                    164.0,
                    467.0,
                ),
                at("und endet.", 71.0, 178.5, 60.0),
            ])
        };
        let d = Doc::new(&[first, second]);
        let lines: Vec<(u32, bool)> = (0..d.len())
            .map(|i| (d.page(i), d.lines[i].wraps))
            .collect();
        assert_eq!(
            lines,
            [
                (1, false),
                (2, false),
                (2, true),
                (2, false),
                (2, true),
                (2, false)
            ]
        );
        // Plain text never wraps.
        let d = Doc::new(&[page(vec![Line::plain("a b c"), Line::plain("d e f")])]);
        assert!(d.lines.iter().all(|l| !l.wraps));
    }

    /// `Doc::new` keeps each line only as a range of `Doc::text`; the lines,
    /// line starts and joined ranges must be what normalising every line on
    /// its own and joining them by `\n` gives, on `tests/data`'s texts
    /// (raw and cleaned, cut into pages) and on lines that need the slow
    /// path (bullets, odd spaces, soft hyphens, lines that end up empty).
    #[test]
    fn lines_are_ranges_of_the_one_text() {
        let mut docs: Vec<Vec<Page>> = Vec::new();
        for text in crate::test_texts::repository_texts() {
            let lines: Vec<&str> = text.lines().collect();
            let pages: Vec<Page> = lines
                .chunks(40)
                .enumerate()
                .map(|(n, chunk)| Page {
                    number: n as u32 + 1,
                    width: 0.0,
                    height: 0.0,
                    lines: chunk.iter().map(|&l| Line::plain(l)).collect(),
                    source: crate::model::TextSource::Native,
                })
                .collect();
            docs.push(crate::clean::clean(pages.clone()));
            docs.push(pages);
        }
        docs.push(vec![page(vec![
            Line::plain("  \u{f0b7} Punkt\u{a0} eins "),
            Line::plain(" \t "),
            Line::plain("Fach\u{ad}kraft"),
            Line::plain(""),
            Line::plain("e\u{301}te"),
        ])]);
        docs.push(Vec::new());
        let mut checked = 0;
        for pages in &docs {
            let d = Doc::new(pages);
            let expected: Vec<(u32, String)> = pages
                .iter()
                .flat_map(|p| p.lines.iter().map(move |l| (p.number, l)))
                .map(|(n, l)| (n, normalize_line(&l.text).into_owned()))
                .filter(|(_, t)| !t.is_empty())
                .collect();
            assert_eq!(d.len(), expected.len());
            let texts: Vec<&str> = expected.iter().map(|(_, t)| t.as_str()).collect();
            assert_eq!(d.text, texts.join("\n"));
            let mut start = 0;
            for (i, (page, text)) in expected.iter().enumerate() {
                assert_eq!(d.line(i), text);
                assert_eq!(d.page(i), *page);
                assert_eq!(d.line_start(i), start);
                start += text.len() + 1;
            }
            assert_eq!(d.line(d.len()), "");
            assert_eq!(d.line_start(d.len()), d.text.len());
            for (a, b) in [(0, d.len()), (1, 3), (2, 2), (3, 1), (0, d.len() + 5)] {
                let b_ = b.min(d.len());
                let a_ = a.min(b_);
                assert_eq!(d.join_lines(a..b), texts[a_..b_].join("\n"));
            }
            checked += expected.len();
        }
        assert!(checked > 1000, "only {checked} lines checked");
    }

    #[test]
    fn open_title_ends() {
        assert!(ends_open("Fachkräftesicherung in der Medizin und"));
        assert!(ends_open("CO2 einsparen - Ilm-Kreis und"));
        assert!(ends_open("Bericht über die"));
        assert!(ends_open("Kultur, Freizeit,"));
        assert!(!ends_open("Grüne Woche"));
        assert!(!ends_open("und"));
    }

    #[test]
    fn append_joins_hyphenation() {
        let mut t = "und Initia-".to_string();
        append_wrapped(&mut t, "tive Erfurter Kreuz");
        assert_eq!(t, "und Initiative Erfurter Kreuz");
        let mut t = "Ilm-".to_string();
        append_wrapped(&mut t, "Kreis");
        assert_eq!(t, "Ilm-Kreis");
    }
}
