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
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
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
    /// Set when the time limit cut the document short: `pages` then holds
    /// only the pages finished in time, the first ones of the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timed_out: Option<TimedOut>,
}

/// How a document that ran out of time was cut: which limit, and how many
/// of its pages were finished.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TimedOut {
    /// The time limit that was reached.
    #[serde(rename = "limit_secs", with = "secs")]
    pub limit: std::time::Duration,
    /// Pages finished (and kept).
    pub pages_done: usize,
    /// Pages the document has.
    pub pages_total: usize,
}

/// `timed out after 10 s: 12 of 47 pages`.
impl std::fmt::Display for TimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "timed out after {} s: {} of {} pages",
            crate::error::fmt_secs(self.limit),
            self.pages_done,
            self.pages_total
        )
    }
}

/// A `Duration` as (fractional) seconds in JSON.
mod secs {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let secs = f64::deserialize(d)?;
        Duration::try_from_secs_f64(secs).map_err(serde::de::Error::custom)
    }
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

/// What kind of part of a document a [`Passage`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PassageKind {
    /// A page-sized chunk of text not covered by a recognised part.
    Text,
    Stichwort,
    Handlungsfeld,
    Agenda,
    /// A question with its answer.
    Qa,
}

impl PassageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PassageKind::Text => "text",
            PassageKind::Stichwort => "stichwort",
            PassageKind::Handlungsfeld => "handlungsfeld",
            PassageKind::Agenda => "agenda",
            PassageKind::Qa => "qa",
        }
    }
}

/// One searchable unit: a recognised part of a document or a page of text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Passage {
    pub kind: PassageKind,
    /// 1-based page the passage starts on.
    pub page: u32,
    /// "1.3", "5.2", "A", … when the part is numbered.
    pub number: Option<String>,
    /// Title without number or label ("Grüne Woche").
    pub title: Option<String>,
    pub text: String,
}

/// Document-level facts the `structure` stage recognises (all optional:
/// a plain page of text has none of them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DocMeta {
    /// `information`, `konzept`, `anfrage`, … (see `structure`).
    pub doc_type: Option<String>,
    pub body: Option<String>,
    pub gremium: Option<String>,
    /// `YYYY-MM-DD` or `YYYY-MM`.
    pub date: Option<String>,
    pub reference: Option<String>,
    /// ISO dates and `start/end` ranges.
    pub dates_mentioned: Vec<String>,
}
