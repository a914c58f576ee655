//! [`Facets`]: how the matching documents spread over type, year, body,
//! Gremium and Handlungsfeld, returned with every result list so a front end
//! can offer "konzept (3)" as the next filter.
//!
//! Counts are of documents, not passages: a document with five matching
//! passages counts once. The Handlungsfeld facet counts, per title, the
//! documents in which a Handlungsfeld passage of that title matched.

use rustc_hash::FxHashMap;
use serde::ser::{Serialize, SerializeMap, Serializer};

/// Counts per facet. Serialises as
/// `{"type": {"information": 3, …}, "year": {…}, "body": {…}, "gremium": {…}, "handlungsfeld": {…}}`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Facets {
    #[serde(rename = "type")]
    #[schema(value_type = HashMap<String, usize>)]
    pub doc_type: FacetCounts,
    /// Year of the document date, newest first.
    #[schema(value_type = HashMap<String, usize>)]
    pub year: FacetCounts,
    #[schema(value_type = HashMap<String, usize>)]
    pub body: FacetCounts,
    #[schema(value_type = HashMap<String, usize>)]
    pub gremium: FacetCounts,
    #[schema(value_type = HashMap<String, usize>)]
    pub handlungsfeld: FacetCounts,
}

/// Values of one facet with their document counts: most frequent first
/// (ties alphabetical), except years, which are newest first. Serialises as
/// a JSON object in that order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FacetCounts {
    values: Vec<(String, usize)>,
}

impl FacetCounts {
    fn by_count<'a>(counts: impl IntoIterator<Item = (&'a str, usize)>) -> FacetCounts {
        let mut values: Vec<(String, usize)> = counts
            .into_iter()
            .map(|(v, n)| (v.to_string(), n))
            .collect();
        values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        FacetCounts { values }
    }

    fn by_value_desc(counts: impl IntoIterator<Item = (String, usize)>) -> FacetCounts {
        let mut values: Vec<(String, usize)> = counts.into_iter().collect();
        values.sort_by(|a, b| b.0.cmp(&a.0));
        FacetCounts { values }
    }

    /// The documents counted for `value` (0 when it does not occur).
    pub fn get(&self, value: &str) -> usize {
        self.values
            .iter()
            .find(|(v, _)| v == value)
            .map_or(0, |(_, n)| *n)
    }

    /// `(value, count)` in display order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, usize)> {
        self.values.iter().map(|(v, n)| (v.as_str(), *n))
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

impl Serialize for FacetCounts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.values.len()))?;
        for (value, count) in &self.values {
            map.serialize_entry(value, count)?;
        }
        map.end()
    }
}

/// The facet values of one matching document.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct DocFacets<'a> {
    pub doc_type: Option<&'a str>,
    pub year: Option<u64>,
    pub body: Option<&'a str>,
    pub gremium: Option<&'a str>,
    /// Titles of the document's matching Handlungsfeld passages, each once.
    pub handlungsfelder: Vec<&'a str>,
}

/// Accumulates [`DocFacets`] of distinct documents into [`Facets`]; values
/// are borrowed until [`Tally::finish`], so counting allocates nothing per
/// document.
#[derive(Debug, Default)]
pub(super) struct Tally<'a> {
    doc_type: FxHashMap<&'a str, usize>,
    year: FxHashMap<u64, usize>,
    body: FxHashMap<&'a str, usize>,
    gremium: FxHashMap<&'a str, usize>,
    handlungsfeld: FxHashMap<&'a str, usize>,
}

impl<'a> Tally<'a> {
    pub fn add(&mut self, doc: &DocFacets<'a>) {
        let count = |map: &mut FxHashMap<&'a str, usize>, value: Option<&'a str>| {
            if let Some(value) = value {
                *map.entry(value).or_default() += 1;
            }
        };
        count(&mut self.doc_type, doc.doc_type);
        if let Some(y) = doc.year {
            *self.year.entry(y).or_default() += 1;
        }
        count(&mut self.body, doc.body);
        count(&mut self.gremium, doc.gremium);
        for title in &doc.handlungsfelder {
            count(&mut self.handlungsfeld, Some(title));
        }
    }

    /// `n` more documents of type `value`.
    pub fn add_doc_type(&mut self, value: &'a str, n: usize) {
        *self.doc_type.entry(value).or_default() += n;
    }

    /// `n` more documents of body `value`.
    pub fn add_body(&mut self, value: &'a str, n: usize) {
        *self.body.entry(value).or_default() += n;
    }

    /// `n` more documents of Gremium `value`.
    pub fn add_gremium(&mut self, value: &'a str, n: usize) {
        *self.gremium.entry(value).or_default() += n;
    }

    pub fn finish(self) -> Facets {
        Facets {
            doc_type: FacetCounts::by_count(self.doc_type),
            year: FacetCounts::by_value_desc(
                self.year.into_iter().map(|(y, n)| (y.to_string(), n)),
            ),
            body: FacetCounts::by_count(self.body),
            gremium: FacetCounts::by_count(self.gremium),
            handlungsfeld: FacetCounts::by_count(self.handlungsfeld),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc<'a>(doc_type: &'a str, year: Option<u64>, hf: &[&'a str]) -> DocFacets<'a> {
        DocFacets {
            doc_type: Some(doc_type),
            year,
            body: Some("Ilm-Kreis"),
            gremium: None,
            handlungsfelder: hf.to_vec(),
        }
    }

    #[test]
    fn counts_documents_in_display_order() {
        let mut tally = Tally::default();
        tally.add(&doc("konzept", Some(2023), &["Wohnen"]));
        tally.add(&doc("information", Some(2025), &[]));
        tally.add(&doc(
            "information",
            None,
            &["Wohnen", "Sprache und Bildung"],
        ));
        let facets = tally.finish();
        let types: Vec<_> = facets.doc_type.iter().collect();
        assert_eq!(types, [("information", 2), ("konzept", 1)]);
        let years: Vec<_> = facets.year.iter().collect();
        assert_eq!(years, [("2025", 1), ("2023", 1)]);
        assert_eq!(facets.body.get("Ilm-Kreis"), 3);
        assert!(facets.gremium.is_empty());
        assert_eq!(facets.handlungsfeld.get("Wohnen"), 2);
        assert_eq!(facets.handlungsfeld.get("Kultur"), 0);
        let json = serde_json::to_string(&facets.doc_type).unwrap();
        assert_eq!(json, r#"{"information":2,"konzept":1}"#);
    }
}
