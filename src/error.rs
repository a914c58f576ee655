//! The library's one error type.
//!
//! Errors carry the file or parameter they are about, because the front ends
//! print them to a user who needs to know *which* of 10,000 PDFs failed and why.

use std::path::PathBuf;

/// Result alias used throughout the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a PDF could not be turned into text.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("not a PDF")]
    NotPdf,
    #[error("encrypted: password required")]
    PasswordRequired,
    #[error("damaged: {0}")]
    Damaged(String),
    #[error("too large: {0}")]
    TooLarge(String),
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
    #[error("query: {0}")]
    Query(String),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
