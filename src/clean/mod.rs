//! `clean`: extracted pages → pages fit for indexing.
//!
//! STUB: identity until the real stage lands.

use crate::model::Page;

/// Clean a document's pages (dehyphenation, furniture removal, normalization).
pub fn clean(pages: Vec<Page>) -> Vec<Page> {
    pages
}
