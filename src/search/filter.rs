//! [`Filters`]: restrictions on what a search may return, beside its words.
//!
//! Every front end fills the same struct (the CLI from flags, the HTTP API
//! from query parameters, batch mode from its input), and the values are
//! parsed by the functions here ([`parse_doc_type`], [`parse_kind`],
//! [`DateBound`]'s `FromStr`, [`Sort`]'s `FromStr`), so "2025-13" or
//! "konzpt" is rejected with the same message everywhere; a front end only
//! adds the name of its flag or parameter.
//!
//! [`Filters::queries`] turns the filters into tantivy queries that
//! [`search`](super::search) adds to the text query as `Must` clauses with a
//! constant score of 0, so filters restrict but never reorder results:
//! term queries on the keyword fields (`doc_type`, `kind`, the normalised
//! `body_key`/`gremium_key`), a range query on the `date_value` fast field,
//! and for the Stichwort/Handlungsfeld title filters the analysed title
//! words (all must occur in the passage's title).

use std::fmt;
use std::ops::Bound;
use std::str::FromStr;

use serde::Serialize;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use crate::error::{Error, Result};
use crate::index::schema::{keyword_key, parse_date};
use crate::index::PassageIndex;
use crate::model::PassageKind;
use crate::structure::DocType;

/// A filter value that cannot be used, with a message for the user that
/// names the value and what would be accepted (but not the flag or
/// parameter: the front end knows its name and adds it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidFilter(pub String);

impl fmt::Display for InvalidFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InvalidFilter {}

impl From<InvalidFilter> for Error {
    fn from(err: InvalidFilter) -> Error {
        Error::Query(super::query::QueryError::new(err.0))
    }
}

/// Restrictions of a [`SearchRequest`](super::SearchRequest); all `None`
/// (the default) restricts nothing. Several filters must all hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// Only documents of this type.
    pub doc_type: Option<DocType>,
    /// Only documents dated on or after the start of this day, month or year.
    pub from: Option<DateBound>,
    /// Only documents dated on or before the end of this day, month or year.
    pub to: Option<DateBound>,
    /// Only documents of this body ("Ilm-Kreis"); compared by [`keyword_key`],
    /// so case, hyphens and spaces do not matter.
    pub body: Option<String>,
    /// Only documents of this Gremium ("Kreistag"), compared like `body`.
    pub gremium: Option<String>,
    /// Only Stichwort passages whose title contains all these words
    /// (analysed like the title, so inflected forms match).
    pub stichwort: Option<String>,
    /// Only Handlungsfeld passages whose title contains all these words.
    pub handlungsfeld: Option<String>,
    /// Only passages of this kind.
    pub kind: Option<PassageKind>,
}

impl Filters {
    /// True when no filter is set.
    pub fn is_empty(&self) -> bool {
        *self == Filters::default()
    }

    /// Reject filters that contradict each other or are empty.
    pub fn check(&self) -> Result<(), InvalidFilter> {
        if let (Some(from), Some(to)) = (&self.from, &self.to) {
            if from.start() >= to.end() {
                return Err(InvalidFilter(format!(
                    "the date range is empty: from {from} is after to {to}"
                )));
            }
        }
        for (name, value) in [
            ("body", &self.body),
            ("gremium", &self.gremium),
            ("stichwort", &self.stichwort),
            ("handlungsfeld", &self.handlungsfeld),
        ] {
            if let Some(value) = value {
                if keyword_key(value).is_empty() {
                    return Err(InvalidFilter(format!(
                        "the {name} filter {value:?} contains no letters or digits"
                    )));
                }
            }
        }
        let implied = match (&self.stichwort, &self.handlungsfeld) {
            (Some(_), Some(_)) => {
                return Err(InvalidFilter(
                    "a passage is a Stichwort or a Handlungsfeld, not both: \
                     give only one of the stichwort and handlungsfeld filters"
                        .into(),
                ))
            }
            (Some(_), None) => Some(("stichwort", PassageKind::Stichwort)),
            (None, Some(_)) => Some(("handlungsfeld", PassageKind::Handlungsfeld)),
            (None, None) => None,
        };
        if let (Some((name, implied)), Some(kind)) = (implied, self.kind) {
            if kind != implied {
                return Err(InvalidFilter(format!(
                    "the {name} filter selects {} passages, but kind {} was asked for",
                    implied.as_str(),
                    kind.as_str()
                )));
            }
        }
        Ok(())
    }

    /// One query per filter, each meant as a `Must` clause. Checks the
    /// filters first ([`Filters::check`]).
    pub fn queries(&self, index: &PassageIndex) -> Result<Vec<Box<dyn Query>>> {
        self.check()?;
        let f = index.fields();
        let mut out: Vec<Box<dyn Query>> = Vec::new();
        if let Some(doc_type) = self.doc_type {
            out.push(term(f.doc_type, doc_type.as_str()));
        }
        if let Some(body) = &self.body {
            out.push(term(f.body_key, &keyword_key(body)));
        }
        if let Some(gremium) = &self.gremium {
            out.push(term(f.gremium_key, &keyword_key(gremium)));
        }
        if self.from.is_some() || self.to.is_some() {
            let date = |d: tantivy::DateTime| Term::from_field_date_for_search(f.date_value, d);
            let lower = self
                .from
                .as_ref()
                .map_or(Bound::Unbounded, |d| Bound::Included(date(d.start())));
            let upper = self
                .to
                .as_ref()
                .map_or(Bound::Unbounded, |d| Bound::Excluded(date(d.end())));
            out.push(Box::new(RangeQuery::new(lower, upper)));
        }
        let kind = self
            .kind
            .or(self.stichwort.as_ref().map(|_| PassageKind::Stichwort))
            .or(self
                .handlungsfeld
                .as_ref()
                .map(|_| PassageKind::Handlungsfeld));
        if let Some(kind) = kind {
            out.push(term(f.kind, kind.as_str()));
        }
        for (name, words) in [
            ("stichwort", &self.stichwort),
            ("handlungsfeld", &self.handlungsfeld),
        ] {
            if let Some(words) = words {
                out.push(title_words(index, name, words)?);
            }
        }
        Ok(out)
    }
}

/// The passages with exactly `value` in the keyword field `field`.
fn term(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

/// Passages whose title, in either language's analysis, has every word of
/// `words`. Words are analysed by the title fields' own analyzers (so
/// "Fachkräfte" finds "Fachkräften"); a filter of stop words only is an error.
fn title_words(index: &PassageIndex, name: &str, words: &str) -> Result<Box<dyn Query>> {
    let f = index.fields();
    let mut per_language: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for field in [f.title_de, f.title_en] {
        let mut analyzer = index.tantivy().tokenizer_for_field(field)?;
        let mut tokens = Vec::new();
        let mut stream = analyzer.token_stream(words);
        stream.process(&mut |token| tokens.push(token.text.clone()));
        if tokens.is_empty() {
            continue;
        }
        let all: Vec<(Occur, Box<dyn Query>)> = tokens
            .iter()
            .map(|t| (Occur::Must, term(field, t)))
            .collect();
        per_language.push((Occur::Should, Box::new(BooleanQuery::new(all))));
    }
    if per_language.is_empty() {
        return Err(InvalidFilter(format!(
            "the {name} filter {words:?} has no searchable word (only stop words?)"
        ))
        .into());
    }
    Ok(Box::new(BooleanQuery::new(per_language)))
}

/// `text` AND every filter; filters score 0 so the ranking is the text's.
pub(super) fn restrict(text: Box<dyn Query>, filters: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if filters.is_empty() {
        return text;
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text)];
    for filter in filters {
        clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0))));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// Every [`DocType`], in the order they are listed to users.
pub const DOC_TYPES: [DocType; 9] = [
    DocType::Information,
    DocType::Konzept,
    DocType::Anfrage,
    DocType::Antwort,
    DocType::AnfrageAntwort,
    DocType::Niederschrift,
    DocType::Beschlussvorlage,
    DocType::Projekt,
    DocType::Sonstiges,
];

/// Fails to compile when `DocType` gains a variant `DOC_TYPES` lacks.
#[allow(dead_code)]
fn doc_types_are_complete(t: DocType) {
    match t {
        DocType::Information
        | DocType::Konzept
        | DocType::Anfrage
        | DocType::Antwort
        | DocType::AnfrageAntwort
        | DocType::Niederschrift
        | DocType::Beschlussvorlage
        | DocType::Projekt
        | DocType::Sonstiges => {}
    }
}

const KINDS: [PassageKind; 5] = [
    PassageKind::Stichwort,
    PassageKind::Handlungsfeld,
    PassageKind::Agenda,
    PassageKind::Qa,
    PassageKind::Text,
];

/// Fails to compile when `PassageKind` gains a variant `KINDS` lacks.
#[allow(dead_code)]
fn kinds_are_complete(k: PassageKind) {
    match k {
        PassageKind::Stichwort
        | PassageKind::Handlungsfeld
        | PassageKind::Agenda
        | PassageKind::Qa
        | PassageKind::Text => {}
    }
}

/// The lowercase, `_`-separated form of a user's keyword ("Anfrage-Antwort"
/// → "anfrage_antwort").
fn keyword(value: &str) -> String {
    keyword_key(value).replace('-', "_")
}

/// A document type by name, case-insensitively; `-` or a space may stand
/// for `_` ("anfrage-antwort").
pub fn parse_doc_type(value: &str) -> Result<DocType, InvalidFilter> {
    let wanted = keyword(value);
    DOC_TYPES
        .into_iter()
        .find(|t| t.as_str() == wanted)
        .ok_or_else(|| {
            let names: Vec<&str> = DOC_TYPES.iter().map(|t| t.as_str()).collect();
            InvalidFilter(format!(
                "unknown document type {value:?}; expected one of: {}",
                names.join(", ")
            ))
        })
}

/// A passage kind by name, case-insensitively. German names are accepted
/// too: `frage` for `qa`, `top`/`tagesordnung` for `agenda`, `text` for
/// the rest.
pub fn parse_kind(value: &str) -> Result<PassageKind, InvalidFilter> {
    let wanted = keyword(value);
    let alias = match wanted.as_str() {
        "frage" | "fragen" | "antwort" => "qa",
        "top" | "tagesordnung" => "agenda",
        "handlungsfelder" => "handlungsfeld",
        "stichworte" => "stichwort",
        other => other,
    };
    KINDS
        .into_iter()
        .find(|k| k.as_str() == alias)
        .ok_or_else(|| {
            let names: Vec<&str> = KINDS.iter().map(|k| k.as_str()).collect();
            InvalidFilter(format!(
                "unknown passage kind {value:?}; expected one of: {}",
                names.join(", ")
            ))
        })
}

/// A day, month or year as a bound of a date range: `2025`, `2025-03` or
/// `2025-03-17`. As a lower bound it means its first day, as an upper
/// bound its last day (both inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateBound {
    year: u16,
    month: Option<u8>,
    day: Option<u8>,
}

impl DateBound {
    /// The first moment of the period.
    pub fn start(&self) -> tantivy::DateTime {
        let (month, day) = (self.month.unwrap_or(1), self.day.unwrap_or(1));
        day_start(self.year, month, day)
    }

    /// The first moment after the period (an exclusive upper bound).
    pub fn end(&self) -> tantivy::DateTime {
        match (self.month, self.day) {
            (Some(_), Some(_)) => {
                tantivy::DateTime::from_timestamp_secs(self.start().into_timestamp_secs() + 86_400)
            }
            (Some(12), None) | (None, _) => day_start(self.year + 1, 1, 1),
            (Some(month), None) => day_start(self.year, month + 1, 1),
        }
    }
}

/// Midnight (UTC) of a date known to be valid.
fn day_start(year: u16, month: u8, day: u8) -> tantivy::DateTime {
    parse_date(&format!("{year:04}-{month:02}-{day:02}"))
        .unwrap_or_else(|| tantivy::DateTime::from_timestamp_secs(0))
}

impl FromStr for DateBound {
    type Err = InvalidFilter;

    fn from_str(value: &str) -> Result<DateBound, InvalidFilter> {
        let invalid = || {
            InvalidFilter(format!(
                "invalid date {value:?}: expected YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2025-03-17)"
            ))
        };
        let text = value.trim();
        let parts: Vec<&str> = text.split('-').collect();
        let widths_ok = match parts.as_slice() {
            [y] => y.len() == 4,
            [y, m] => y.len() == 4 && m.len() == 2,
            [y, m, d] => y.len() == 4 && m.len() == 2 && d.len() == 2,
            _ => false,
        };
        if !widths_ok || !text.chars().all(|c| c.is_ascii_digit() || c == '-') {
            return Err(invalid());
        }
        let year: u16 = parts[0].parse().map_err(|_| invalid())?;
        let month: Option<u8> = parts
            .get(1)
            .map(|m| m.parse())
            .transpose()
            .map_err(|_| invalid())?;
        let day: Option<u8> = parts
            .get(2)
            .map(|d| d.parse())
            .transpose()
            .map_err(|_| invalid())?;
        // `parse_date` knows month lengths and leap years.
        let full = format!(
            "{year:04}-{:02}-{:02}",
            month.unwrap_or(1),
            day.unwrap_or(1)
        );
        if parse_date(&full).is_none() {
            return Err(invalid());
        }
        Ok(DateBound { year, month, day })
    }
}

impl fmt::Display for DateBound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(month) = self.month {
            write!(f, "-{month:02}")?;
        }
        if let Some(day) = self.day {
            write!(f, "-{day:02}")?;
        }
        Ok(())
    }
}

/// How hits are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Best match first (ties: earlier in the index first).
    Relevance,
    /// Newest document date first; undated documents last; ties by relevance.
    Date,
}

impl FromStr for Sort {
    type Err = InvalidFilter;

    fn from_str(value: &str) -> Result<Sort, InvalidFilter> {
        match keyword(value).as_str() {
            "relevance" | "relevanz" | "score" => Ok(Sort::Relevance),
            "date" | "datum" => Ok(Sort::Date),
            _ => Err(InvalidFilter(format!(
                "unknown sort order {value:?}; expected relevance or date"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bound(s: &str) -> DateBound {
        s.parse().unwrap()
    }

    fn day(s: &str) -> i64 {
        parse_date(s).unwrap().into_timestamp_secs()
    }

    #[test]
    fn date_bounds_cover_their_whole_period() {
        let y = bound("2025");
        assert_eq!(y.start().into_timestamp_secs(), day("2025-01-01"));
        assert_eq!(y.end().into_timestamp_secs(), day("2026-01-01"));
        let m = bound("2024-02");
        assert_eq!(m.end().into_timestamp_secs(), day("2024-03-01"));
        let dec = bound("2024-12");
        assert_eq!(dec.end().into_timestamp_secs(), day("2025-01-01"));
        let d = bound("2024-02-29");
        assert_eq!(d.start().into_timestamp_secs(), day("2024-02-29"));
        assert_eq!(d.end().into_timestamp_secs(), day("2024-03-01"));
        assert_eq!(d.to_string(), "2024-02-29");
    }

    #[test]
    fn bad_dates_are_rejected_with_the_expected_forms() {
        for bad in [
            "",
            "25",
            "2025-1",
            "2025-13",
            "2023-02-29",
            "17.01.2025",
            "2025-01-01-01",
            "+2025",
            "2025-0a",
        ] {
            let err = bad.parse::<DateBound>().unwrap_err();
            assert!(err.0.contains("YYYY-MM-DD"), "{bad}: {err}");
        }
    }

    #[test]
    fn types_and_kinds_parse_leniently_and_list_alternatives() {
        assert_eq!(
            parse_doc_type("Anfrage-Antwort").unwrap(),
            DocType::AnfrageAntwort
        );
        assert_eq!(parse_doc_type("konzept").unwrap(), DocType::Konzept);
        let err = parse_doc_type("konzpt").unwrap_err();
        assert!(
            err.0.contains("konzpt") && err.0.contains("anfrage_antwort"),
            "{err}"
        );
        assert_eq!(parse_kind("Stichwort").unwrap(), PassageKind::Stichwort);
        assert_eq!(parse_kind("frage").unwrap(), PassageKind::Qa);
        assert_eq!(parse_kind("TOP").unwrap(), PassageKind::Agenda);
        let err = parse_kind("kapitel").unwrap_err();
        assert!(err.0.contains("handlungsfeld"), "{err}");
        assert_eq!("Datum".parse::<Sort>().unwrap(), Sort::Date);
        assert!("neu".parse::<Sort>().is_err());
    }

    #[test]
    fn contradicting_filters_are_refused() {
        let backwards = Filters {
            from: Some(bound("2025")),
            to: Some(bound("2024-12-31")),
            ..Filters::default()
        };
        assert!(backwards.check().unwrap_err().0.contains("after"));
        let same_day = Filters {
            from: Some(bound("2025-03-01")),
            to: Some(bound("2025-03-01")),
            ..Filters::default()
        };
        assert!(same_day.check().is_ok());
        let both = Filters {
            stichwort: Some("Woche".into()),
            handlungsfeld: Some("Wohnen".into()),
            ..Filters::default()
        };
        assert!(both.check().is_err());
        let other_kind = Filters {
            stichwort: Some("Woche".into()),
            kind: Some(PassageKind::Qa),
            ..Filters::default()
        };
        assert!(other_kind.check().unwrap_err().0.contains("qa"));
        let blank = Filters {
            body: Some(" - ".into()),
            ..Filters::default()
        };
        assert!(blank.check().is_err());
        assert!(Filters::default().is_empty() && !blank.is_empty());
    }
}
