//! ratsuche — a search engine for German council papers.
//!
//! # Brief overview
//!
//! Data flows one way through stages that meet only at the plain types in
//! [`model`]:
//!
//! ```text
//! extract  (PDF bytes → pages of positioned lines)
//!   → clean      (dehyphenation, header/footer removal, normalization)
//!   → structure  (type, body, dates, Stichwort items, Q&A pairs, …)
//!   → analysis   (German tokenizer chain for tantivy)
//!   → index      (incremental tantivy index of passages)
//!   → search     (queries → ranked hits with snippets)
//! ```
//!
//! The front ends (`ratsuche` CLI, HTTP server) only parse arguments and
//! print; every decision lives in the library so each front end gets it.

pub mod analysis;
pub mod clean;
pub mod error;
pub mod extract;
pub mod index;
pub mod ingest;
pub mod model;
pub mod search;
pub mod structure;

pub use error::{Error, PdfError, Result};
pub use model::{Extracted, Line, Page, TextSource};
