//! The library's one error type.
//!
//! Errors carry the file or parameter they are about, because the front ends
//! print them to a user who needs to know *which* of 10,000 PDFs failed and why.

use std::path::PathBuf;

/// Result alias used throughout the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a PDF could not be turned into text.
///
/// Exactly one cause per file, worded for a user reading an indexing report.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// Neither looks like nor loads as a PDF (no `%PDF-` header and nothing
    /// a reconstruction scan could use).
    #[error("not a PDF")]
    NotPdf,
    /// Encrypted and the empty user password does not open it.
    #[error("encrypted: password required")]
    PasswordRequired,
    /// Looks like a PDF but its structure cannot be read.
    #[error("damaged: {0}")]
    Damaged(String),
    /// Over one of the size limits of [`crate::extract::Limits`].
    #[error("too large: {0}")]
    TooLarge(String),
    /// Over the per-document time limit before any page was finished.
    #[error("timed out after {} s", fmt_secs(*.0))]
    Timeout(std::time::Duration),
}

/// `10` for whole seconds, `0.5` otherwise.
pub(crate) fn fmt_secs(d: std::time::Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0}")
    } else {
        format!("{s}")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Pdf { path: PathBuf, source: PdfError },
    #[error("{path}: unsupported file type (expected .pdf or .txt)")]
    UnsupportedFile { path: PathBuf },
    #[error("index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("index directory {path}: {message}")]
    IndexDir { path: PathBuf, message: String },
    /// A query or filter that cannot be run; the payload says what is wrong
    /// and, for the query string, at which column.
    #[error("query: {0}")]
    Query(crate::search::QueryError),
    /// An OParl source that cannot be read at all (not one bad object).
    #[error("OParl: {0}")]
    Oparl(String),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
