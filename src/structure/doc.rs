//! The document as the recognisers see it: a flat list of non-empty lines,
//! each remembering its page.
//!
//! Takes cleaned [`Page`]s, gives a [`Doc`]. Every recogniser works on the
//! same line indices, so the spans they record can be turned into passages
//! later without re-reading the pages. Lines are trimmed, NFC-normalised and
//! have their inner whitespace collapsed; nothing else is changed, so what a
//! recogniser returns is what the document says.

use std::ops::Range;

use unicode_normalization::UnicodeNormalization;

use crate::model::Page;

/// One non-empty line of the document.
#[derive(Debug, Clone)]
pub(crate) struct DocLine {
    /// 1-based page number.
    pub page: u32,
    pub text: String,
    /// Font size in points, 0 when unknown (plain text input).
    pub font_size: f32,
}

/// All non-empty lines of a document in reading order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Doc {
    pub lines: Vec<DocLine>,
    /// The lines joined by `\n` (for the scanners that look across lines).
    pub text: String,
    /// Byte offset in `text` where each line starts.
    starts: Vec<usize>,
    /// Line length (chars) above which a line in this document has probably
    /// been wrapped by the layout; `None` when lines are unwrapped paragraphs.
    pub wrap_width: Option<usize>,
}

impl Doc {
    pub fn new(pages: &[Page]) -> Doc {
        let mut lines = Vec::new();
        for page in pages {
            for line in &page.lines {
                let text = normalize_line(&line.text);
                if text.is_empty() {
                    continue;
                }
                lines.push(DocLine {
                    page: page.number,
                    text,
                    font_size: line.font_size,
                });
            }
        }
        let mut text = String::new();
        let mut starts = Vec::with_capacity(lines.len());
        for (i, l) in lines.iter().enumerate() {
            if i > 0 {
                text.push('\n');
            }
            starts.push(text.len());
            text.push_str(&l.text);
        }
        let wrap_width = wrap_width(&lines);
        Doc {
            lines,
            text,
            starts,
            wrap_width,
        }
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn line(&self, i: usize) -> &str {
        self.lines.get(i).map(|l| l.text.as_str()).unwrap_or("")
    }

    pub fn page(&self, i: usize) -> u32 {
        self.lines
            .get(i)
            .or_else(|| self.lines.last())
            .map(|l| l.page)
            .unwrap_or(1)
    }

    /// Byte offset in [`Doc::text`] where line `i` starts.
    pub fn line_start(&self, i: usize) -> usize {
        self.starts.get(i).copied().unwrap_or(self.text.len())
    }

    /// The lines of `range` joined by newlines.
    pub fn join_lines(&self, range: Range<usize>) -> String {
        let end = range.end.min(self.len());
        let start = range.start.min(end);
        self.lines[start..end]
            .iter()
            .map(|l| l.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The "head" of the document: the first lines up to about 1200
    /// characters (at least 8 lines), where letterheads, titles and labels sit.
    pub fn head_end(&self) -> usize {
        let mut chars = 0;
        for (i, l) in self.lines.iter().enumerate() {
            chars += l.text.chars().count();
            if i >= 8 && (chars > 1200 || i >= 40) {
                return i;
            }
        }
        self.len()
    }
}

/// Trim, NFC-normalise, map odd spaces and bullets, collapse whitespace.
pub(crate) fn normalize_line(s: &str) -> String {
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
            return rest.trim_start().to_string();
        }
    }
    out
}

/// Detects hard-wrapped text: many lines cluster just below a maximum width.
fn wrap_width(lines: &[DocLine]) -> Option<usize> {
    if lines.len() < 8 {
        return None;
    }
    let mut lens: Vec<usize> = lines.iter().map(|l| l.text.chars().count()).collect();
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

/// Whether `next` (line `j`) continues a title that ended on line `i`.
///
/// Text-only rule: the next line starts in lower case or the title line ends
/// with a hyphen or comma, or the document is hard-wrapped and the title line
/// is as long as a wrapped line. The next line itself must not end a
/// sentence, and when both lines carry a font size they must match.
pub(crate) fn continues_title(doc: &Doc, i: usize, j: usize, title: &str) -> bool {
    let (Some(a), Some(b)) = (doc.lines.get(i), doc.lines.get(j)) else {
        return false;
    };
    if a.page != b.page || ends_sentence(&b.text) || b.text.ends_with(':') {
        return false;
    }
    if a.font_size > 0.0 && b.font_size > 0.0 && (a.font_size - b.font_size).abs() > 0.6 {
        return false;
    }
    if b.text.chars().count() > 160 {
        return false;
    }
    let first = b.text.chars().next().unwrap_or(' ');
    if first.is_ascii_digit() {
        return false;
    }
    if first.is_lowercase() || title.ends_with('-') || title.ends_with(',') || title.ends_with('–')
    {
        return true;
    }
    match doc.wrap_width {
        Some(w) => a.text.chars().count() + 12 >= w,
        None => false,
    }
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
