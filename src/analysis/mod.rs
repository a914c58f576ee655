//! `analysis`: the German (and English) tokenizer chains for tantivy.
//!
//! STUB: simple tokenizer + lowercase + stemmer until the real chain lands.

use tantivy::tokenizer::{LowerCaser, SimpleTokenizer, TextAnalyzer};

/// Name of the German analyzer registered on every index.
pub const GERMAN: &str = "ratsuche_de";
/// Name of the English analyzer.
pub const ENGLISH: &str = "ratsuche_en";

/// Language of a document, as far as analysis cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    German,
    English,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::German => "de",
            Lang::English => "en",
        }
    }
    pub fn analyzer_name(self) -> &'static str {
        match self {
            Lang::German => GERMAN,
            Lang::English => ENGLISH,
        }
    }
}

/// Detect a document's language (German unless clearly English).
pub fn detect_language(_text: &str) -> Lang {
    Lang::German
}

fn analyzer(_lang: Lang) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(LowerCaser)
        .build()
}

/// Register the analyzers on an index; call after every create *and* open.
pub fn register(index: &tantivy::Index) {
    index.tokenizers().register(GERMAN, analyzer(Lang::German));
    index
        .tokenizers()
        .register(ENGLISH, analyzer(Lang::English));
}
