//! `extract`: file bytes → pages of positioned lines.
//!
//! STUB (being replaced by the content-stream extractor): uses lopdf's
//! `extract_text` so the later stages can be built against the real signature.

use std::path::Path;

use crate::error::{Error, PdfError, Result};
use crate::model::{Extracted, Line, Page, TextSource};

/// Extract the pages of a PDF held in memory.
pub fn extract_pdf(bytes: &[u8]) -> std::result::Result<Extracted, PdfError> {
    let doc = lopdf::Document::load_mem(bytes).map_err(|e| PdfError::Damaged(e.to_string()))?;
    let mut pages = Vec::new();
    for (i, (num, _)) in doc.get_pages().into_iter().enumerate() {
        let text = doc.extract_text(&[num]).unwrap_or_default();
        let lines: Vec<Line> = text.lines().map(Line::plain).collect();
        let source = if lines.iter().all(|l| l.text.trim().is_empty()) {
            TextSource::None
        } else {
            TextSource::Native
        };
        pages.push(Page {
            number: i as u32 + 1,
            width: 0.0,
            height: 0.0,
            lines,
            source,
        });
    }
    Ok(Extracted { pages })
}

/// Extract a `.pdf` or `.txt` file (text files: pages split at form feeds).
pub fn extract_file(path: &Path) -> Result<Extracted> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("pdf") => extract_pdf(&bytes).map_err(|source| Error::Pdf {
            path: path.into(),
            source,
        }),
        Some("txt") => Ok(plain_text(&String::from_utf8_lossy(&bytes))),
        _ => Err(Error::UnsupportedFile { path: path.into() }),
    }
}

/// Pages of a plain-text file: form feeds separate pages.
pub fn plain_text(text: &str) -> Extracted {
    let pages = text
        .split('\u{c}')
        .enumerate()
        .map(|(i, chunk)| Page {
            number: i as u32 + 1,
            width: 0.0,
            height: 0.0,
            lines: chunk.lines().map(Line::plain).collect(),
            source: TextSource::Native,
        })
        .collect();
    Extracted { pages }
}
