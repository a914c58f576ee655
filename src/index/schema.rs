//! The tantivy schema of a passage index, and the [`Fields`] handle to it.
//!
//! One tantivy document is one [`Passage`](crate::model::Passage) of one
//! source file; every passage repeats the file-level facts (`doc_id`, `path`,
//! `hash`, [`DocMeta`](crate::model::DocMeta)) so a hit needs no second
//! lookup and a file's passages can be deleted with one term on `path`.
//!
//! Text is indexed per language: a German document's text goes into
//! `text_de`/`title_de` (analyzer [`analysis::GERMAN`]), an English one into
//! `text_en`/`title_en` ([`analysis::ENGLISH`]). Queries search all four, so
//! each query word is analysed the way the documents it can match were. The
//! display text is stored once, in the stored `text`/`title` fields.
//!
//! Document-level facts are keyword fields (one term each) with fast
//! columns, so search can filter on them with term and range queries and
//! count facets without reading stored documents. `body` and `gremium` keep
//! their spelling for display and facets; their `_key` twins hold the
//! [`keyword_key`] normalisation that filters match against, so
//! `--body ilm-kreis` finds "Ilm-Kreis".

use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, Schema, TextFieldIndexing,
    TextOptions, FAST, INDEXED, STORED, STRING,
};

use crate::analysis;

/// Bump whenever [`build_schema`] changes in a way an old index cannot serve.
/// Stored in the index's commit payload and checked on open.
///
/// * v2: `title` fast (Handlungsfeld facet), `body_key`/`gremium_key`
///   (normalised filter terms), `year` (facet).
/// * v3: the German index chain adds compound parts (decompounding), so an
///   index built without them would silently miss part matches.
/// * v4: `reference_key` ([`reference_keys`]), the terms the query filter
///   `nr:` matches.
/// * v5: `text_source` (native, OCR with confidence, none) per passage.
/// * v6: the index chains add the year of a date, range or reference
///   number ("10.11.2025" → also `2025`) and split compound parts further
///   (recursive decompounding).
pub const SCHEMA_VERSION: u32 = 6;

/// The commit payload identifying an index built with this schema version.
pub fn schema_payload() -> String {
    format!("ratsuche-schema-v{SCHEMA_VERSION}")
}

/// Handles of every field of the schema, resolved once.
#[derive(Debug, Clone)]
pub struct Fields {
    /// Short hex blake3 of the canonical path: the document's identity in results.
    pub doc_id: Field,
    /// Canonical absolute path; the term used to delete a file's passages.
    pub path: Field,
    /// The path as the user gave it when the file was indexed (for display).
    pub file: Field,
    /// blake3 of the file's bytes, hex.
    pub hash: Field,
    /// 0-based position of the passage within its document.
    pub passage_index: Field,
    /// 1-based page the passage starts on.
    pub page: Field,
    /// [`PassageKind`](crate::model::PassageKind) as a string.
    pub kind: Field,
    pub number: Field,
    /// Stored title, for display; also a raw fast column (Handlungsfeld facet).
    pub title: Field,
    pub title_de: Field,
    pub title_en: Field,
    /// Stored passage text, for display and snippets.
    pub text: Field,
    pub text_de: Field,
    pub text_en: Field,
    /// `de` or `en`: which of the `_de`/`_en` fields the text went into.
    pub language: Field,
    /// [`DocType`](crate::structure::DocType) as a string.
    pub doc_type: Field,
    /// Issuing body as written ("Ilm-Kreis"): stored and fast, for display and facets.
    pub body: Field,
    /// [`keyword_key`] of `body`: the term the body filter matches.
    pub body_key: Field,
    pub gremium: Field,
    /// [`keyword_key`] of `gremium`.
    pub gremium_key: Field,
    /// The document date as written by `structure` (`YYYY-MM-DD` / `YYYY-MM`).
    pub date: Field,
    /// The same date as a tantivy date (fast, indexed) for sorting and ranges.
    pub date_value: Field,
    /// The year of `date` (fast, indexed): the year facet.
    pub year: Field,
    pub dates_mentioned: Field,
    /// The reference number as written ("DS 46/2024"), stored.
    pub reference: Field,
    /// [`reference_keys`] of `reference`: the terms `nr:` matches.
    pub reference_key: Field,
    /// Where the passage's first page's text came from, stored as
    /// [`ocr::source_key`](crate::ocr::source_key): `native`, `ocr:91.3`, `none`.
    pub text_source: Field,
}

impl Fields {
    /// The stored text field's language-specific indexed twin.
    pub fn text_for(&self, lang: analysis::Lang) -> Field {
        match lang {
            analysis::Lang::German => self.text_de,
            analysis::Lang::English => self.text_en,
        }
    }

    pub fn title_for(&self, lang: analysis::Lang) -> Field {
        match lang {
            analysis::Lang::German => self.title_de,
            analysis::Lang::English => self.title_en,
        }
    }

    /// Fields a free-text query searches, titles first.
    pub fn query_fields(&self) -> Vec<Field> {
        vec![self.title_de, self.title_en, self.text_de, self.text_en]
    }
}

fn analysed(analyzer: &str) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

/// Build the schema and its field handles.
pub fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let keyword = STRING | STORED | FAST;
    let fields = Fields {
        doc_id: b.add_text_field("doc_id", keyword.clone()),
        path: b.add_text_field("path", keyword.clone()),
        file: b.add_text_field("file", STORED),
        hash: b.add_text_field("hash", keyword.clone()),
        passage_index: b.add_u64_field("passage_index", INDEXED | STORED | FAST),
        page: b.add_u64_field("page", INDEXED | STORED | FAST),
        kind: b.add_text_field("kind", keyword.clone()),
        number: b.add_text_field("number", STRING | STORED),
        title: b.add_text_field("title", TextOptions::default().set_stored().set_fast("raw")),
        title_de: b.add_text_field("title_de", analysed(analysis::GERMAN)),
        title_en: b.add_text_field("title_en", analysed(analysis::ENGLISH)),
        text: b.add_text_field("text", STORED),
        text_de: b.add_text_field("text_de", analysed(analysis::GERMAN)),
        text_en: b.add_text_field("text_en", analysed(analysis::ENGLISH)),
        language: b.add_text_field("language", keyword.clone()),
        doc_type: b.add_text_field("doc_type", keyword.clone()),
        body: b.add_text_field("body", keyword.clone()),
        body_key: b.add_text_field("body_key", STRING),
        gremium: b.add_text_field("gremium", keyword),
        gremium_key: b.add_text_field("gremium_key", STRING),
        date: b.add_text_field("date", STRING | STORED),
        date_value: b.add_date_field(
            "date_value",
            DateOptions::default()
                .set_indexed()
                .set_fast()
                .set_precision(DateTimePrecision::Seconds),
        ),
        year: b.add_u64_field("year", INDEXED | FAST),
        dates_mentioned: b.add_text_field("dates_mentioned", STRING | STORED),
        reference: b.add_text_field("reference", STRING | STORED),
        reference_key: b.add_text_field("reference_key", STRING),
        text_source: b.add_text_field("text_source", STORED),
    };
    (b.build(), fields)
}

/// The form of a body or Gremium name that filters compare: lowercase,
/// every run of characters other than letters and digits one `-`, trimmed.
/// "Ilm-Kreis", "ilm kreis" and " ILM–Kreis " all give `ilm-kreis`.
pub fn keyword_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    for word in name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !key.is_empty() {
            key.push('-');
        }
        key.extend(word.chars().flat_map(char::to_lowercase));
    }
    key
}

/// The form of a reference number that `nr:` compares: [`keyword_key`]
/// with leading zeros of number groups dropped, so "0412/2025", "412-2025"
/// and "412 / 2025" all give `412-2025`.
pub fn reference_key(reference: &str) -> String {
    keyword_key(reference)
        .split('-')
        .map(|part| {
            if !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()) {
                let trimmed = part.trim_start_matches('0');
                if trimmed.is_empty() {
                    "0"
                } else {
                    trimmed
                }
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// The terms a document's reference number is indexed under: its
/// [`reference_key`] and, when it starts with letters ("DS 46/2024"), the
/// key of the number alone (`46-2024`), so `nr:46/2024` finds it too.
pub fn reference_keys(reference: &str) -> Vec<String> {
    let full = reference_key(reference);
    let mut keys = vec![full.clone()];
    if let Some(at) = full.find(|c: char| c.is_ascii_digit()) {
        let number = full[at..].to_string();
        if at > 0 && !number.is_empty() {
            keys.push(number);
        }
    }
    keys.retain(|k| !k.is_empty());
    keys
}

/// Parse `YYYY-MM-DD` or `YYYY-MM` (first of the month) into a tantivy date.
/// Anything else, including impossible days, gives `None`.
pub fn parse_date(s: &str) -> Option<tantivy::DateTime> {
    let mut parts = s.trim().split('-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = match parts.next() {
        Some(d) => d.parse().ok()?,
        None => 1,
    };
    if parts.next().is_some() || !(1..=12).contains(&month) || day < 1 {
        return None;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day > days_in_month {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(tantivy::DateTime::from_timestamp_secs(days * 86_400))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: &str) -> Option<i64> {
        parse_date(s).map(|d| d.into_timestamp_secs())
    }

    #[test]
    fn parses_days_and_months() {
        assert_eq!(secs("1970-01-01"), Some(0));
        assert_eq!(secs("2025-01-17"), Some(1_737_072_000));
        assert_eq!(secs("2024-02"), secs("2024-02-01"));
        assert_eq!(secs("2024-02-29"), Some(1_709_164_800));
    }

    #[test]
    fn rejects_impossible_dates() {
        assert_eq!(secs("2023-02-29"), None);
        assert_eq!(secs("2024-13-01"), None);
        assert_eq!(secs("2024-04-31"), None);
        assert_eq!(secs("17.01.2025"), None);
        assert_eq!(secs("2024-01-01-01"), None);
    }

    #[test]
    fn keyword_keys_ignore_case_and_separators() {
        assert_eq!(keyword_key("Ilm-Kreis"), "ilm-kreis");
        assert_eq!(keyword_key(" ILM–Kreis "), "ilm-kreis");
        assert_eq!(keyword_key("ilm kreis"), "ilm-kreis");
        assert_eq!(keyword_key("Kreis Heinsberg"), "kreis-heinsberg");
        assert_eq!(
            keyword_key("Ausschuss für Soziales"),
            "ausschuss-für-soziales"
        );
        assert_eq!(keyword_key(" - "), "");
    }

    #[test]
    fn reference_keys_ignore_zeros_separators_and_prefixes() {
        assert_eq!(reference_keys("0412/2025"), ["412-2025"]);
        assert_eq!(reference_key("412 / 2025"), "412-2025");
        assert_eq!(reference_keys("DS 46/2024"), ["ds-46-2024", "46-2024"]);
        assert_eq!(reference_keys("2019/0225"), ["2019-225"]);
        assert_eq!(reference_keys("/"), Vec::<String>::new());
    }

    #[test]
    fn schema_field_names_are_stable() {
        let (schema, _) = build_schema();
        for name in ["doc_id", "path", "hash", "text_de", "text_en", "date_value"] {
            assert!(schema.get_field(name).is_ok(), "{name}");
        }
    }
}
