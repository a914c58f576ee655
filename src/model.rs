//! Plain data passed between the pipeline stages.
//!
//! `extract` produces [`Page`]s of positioned [`Line`]s, `clean` rewrites them
//! (same types, furniture removed, hyphenation undone), later stages read them.
//! Nothing here knows about PDFs or tantivy: these types are the contract
//! between stages, so each stage can be tested on hand-written values.

use serde::{Deserialize, Serialize};

/// One line of text on a page, in reading order.
///
/// Coordinates are in PDF points with the origin at the *top left* of the
/// page (y grows downwards), so sorting by `y` is sorting top to bottom.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// The line's text, words separated by single spaces.
    pub text: String,
    /// Left edge of the first glyph.
    pub x: f32,
    /// Baseline position, from the top of the page.
    pub y: f32,
    /// Right edge of the last glyph minus `x`.
    pub width: f32,
    /// Dominant font size of the line in points (after all transformations).
    pub font_size: f32,
}

impl Line {
    /// A line with only text, for tests and plain-text input (no geometry).
    pub fn plain(text: impl Into<String>) -> Line {
        Line {
            text: text.into(),
            x: 0.0,
            y: 0.0,
            width: 0.0,
            font_size: 0.0,
        }
    }
}

/// Where the text of a page came from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum TextSource {
    /// The PDF's own text layer (or a plain-text file).
    Native,
    /// Optical character recognition, with mean word confidence 0..100.
    Ocr { confidence: f32 },
    /// The page has no text layer (for example a scanned image) and was not OCRed.
    None,
}

/// One page of a document: its 1-based number and its lines in reading order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page {
    /// 1-based page number as a reader counts pages in the file.
    pub number: u32,
    /// Page width and height in points (0 when unknown, e.g. plain text).
    pub width: f32,
    pub height: f32,
    pub lines: Vec<Line>,
    pub source: TextSource,
}

impl Page {
    /// The page's text: its lines joined by newlines.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for (i, line) in self.lines.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(&line.text);
        }
        out
    }

    /// True when the page carries no text at all.
    pub fn is_empty(&self) -> bool {
        self.lines.iter().all(|l| l.text.trim().is_empty())
    }
}

/// Pages of one source file, as the extraction stage delivers them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extracted {
    pub pages: Vec<Page>,
}

impl Extracted {
    /// The whole text, pages separated by a form feed (as pdftotext does).
    pub fn text(&self) -> String {
        let mut out = String::new();
        for page in &self.pages {
            out.push_str(&page.text());
            out.push('\n');
            out.push('\u{c}');
        }
        out
    }
}
