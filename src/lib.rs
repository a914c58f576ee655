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
//! [`ingest`] drives extract → clean → passages → index for a set of files.
//!
//! # Example
//!
//! ```
//! use ratsuche::index::PassageIndex;
//! use ratsuche::ingest::{ingest, IngestOptions, NoProgress};
//! use ratsuche::search::{search, SearchRequest};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let tmp = tempfile::tempdir()?;
//! let docs = tmp.path().join("docs");
//! std::fs::create_dir(&docs)?;
//! std::fs::write(docs.join("info.txt"), "Der Arztlotse berät junge Ärzte.")?;
//!
//! let index = PassageIndex::open_or_create(&tmp.path().join("index"))?;
//! let report = ingest(&index, &[docs], &IngestOptions::default(), &mut NoProgress)?;
//! assert_eq!(report.indexed, 1);
//!
//! let results = search(&index, &SearchRequest::new("Arztlotse"))?;
//! assert!(results.hits[0].file.ends_with("info.txt"));
//! // Snippets end at the last word; matched words can be marked any way.
//! assert_eq!(results.hits[0].marked_snippet("«", "»"), "Der «Arztlotse» berät junge Ärzte");
//! # Ok(())
//! # }
//! ```

pub mod analysis;
pub mod clean;
pub mod error;
pub mod eval;
pub mod export;
pub mod extract;
pub mod index;
pub mod ingest;
pub mod model;
pub mod ocr;
pub mod oparl;
pub mod search;
pub mod server;
pub mod structure;
#[cfg(test)]
mod test_texts;

pub use error::{Error, PdfError, Result};
pub use model::{Extracted, Line, Page, TextSource};
