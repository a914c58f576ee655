//! [`Matches`]: a tantivy collector that makes one pass over the matching
//! passages and yields everything a result page needs: the top hits
//! (best passage per document, or every passage), the number of matching
//! documents and passages, and the [`Facets`] of the matching documents.
//!
//! Grouping after a plain top-k would need a guess of how many passages to
//! fetch so that `limit` distinct documents remain, and facets over a top-k
//! would count only what is shown; collecting per document is exact. Every
//! value read per passage comes from a fast field (no stored documents are
//! opened), and strings are resolved once per document and segment.
//!
//! A document's passages are written together but may still land in
//! different segments (tantivy's indexing threads), so segments report per
//! `doc_id` string and [`Matches::merge_fruits`] joins them.

use std::cmp::Ordering;
use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::facets::{DocFacets, Facets, Tally};
use super::filter::Sort;
use crate::model::PassageKind;

/// A matching passage and what it is ordered by.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranked {
    pub score: Score,
    pub address: DocAddress,
    /// Document date, seconds since the epoch.
    pub date: Option<i64>,
    /// The document's `doc_id` (16 hex digits) as a number: the tie-break.
    pub doc_key: u64,
    /// 0-based position of the passage in its document.
    pub passage: u64,
}

/// `Less` when `a` goes before `b`. Ties fall back to the document id and
/// the passage's position in it — not to the index address, which depends
/// on the order parallel extraction finished files in — so the same files
/// give the same order in every index built from them.
fn order(a: &Ranked, b: &Ranked, sort: Sort) -> Ordering {
    let by_score = b.score.total_cmp(&a.score);
    let primary = match sort {
        Sort::Relevance => by_score,
        // Undated documents last: `None < Some` reversed.
        Sort::Date => b.date.cmp(&a.date).then(by_score),
    };
    primary
        .then(a.doc_key.cmp(&b.doc_key))
        .then(a.passage.cmp(&b.passage))
        .then_with(|| a.address.cmp(&b.address))
}

/// The tie-break number of a `doc_id`: its hex digits (the first 16) read
/// as a number; an id that is not hex (only in hand-made indexes) by its
/// bytes, so the key is still stable.
fn doc_key(doc_id: &str) -> u64 {
    let digits = doc_id.get(..16.min(doc_id.len())).unwrap_or(doc_id);
    u64::from_str_radix(digits, 16).unwrap_or_else(|_| {
        doc_id
            .bytes()
            .take(8)
            .fold(0u64, |key, b| (key << 8) | u64::from(b))
    })
}

/// What [`Matches`] found.
#[derive(Debug, Default)]
pub struct Collected {
    /// The hits to show, in order, at most `limit`.
    pub top: Vec<Ranked>,
    /// Distinct documents with at least one matching passage.
    pub documents: usize,
    pub passages: usize,
    pub facets: Facets,
}

pub struct Matches {
    limit: usize,
    all_passages: bool,
    sort: Sort,
}

impl Matches {
    /// Collect the top `limit` documents (or passages, with
    /// `all_passages`) in `sort` order.
    pub fn new(limit: usize, all_passages: bool, sort: Sort) -> Matches {
        Matches {
            limit,
            all_passages,
            sort,
        }
    }
}

/// The fast columns read per passage; `None` where a segment has no value
/// at all for a field.
struct Columns {
    doc_id: Option<StrColumn>,
    kind: Option<StrColumn>,
    title: Option<StrColumn>,
    doc_type: Option<StrColumn>,
    body: Option<StrColumn>,
    gremium: Option<StrColumn>,
    date: Option<Column<tantivy::DateTime>>,
    year: Option<Column<u64>>,
    passage_index: Option<Column<u64>>,
}

impl Columns {
    fn open(reader: &SegmentReader) -> tantivy::Result<Columns> {
        let fast = reader.fast_fields();
        Ok(Columns {
            doc_id: fast.str("doc_id")?,
            kind: fast.str("kind")?,
            title: fast.str("title")?,
            doc_type: fast.str("doc_type")?,
            body: fast.str("body")?,
            gremium: fast.str("gremium")?,
            date: fast.column_opt("date_value")?,
            year: fast.column_opt("year")?,
            passage_index: fast.column_opt("passage_index")?,
        })
    }
}

fn first_ord(column: &Option<StrColumn>, doc: DocId) -> Option<u64> {
    column.as_ref()?.term_ords(doc).next()
}

/// Per segment and document: its best passage and the term ordinals of its
/// matching Handlungsfeld titles.
struct DocEntry {
    best: Ranked,
    handlungsfelder: Vec<u64>,
}

pub struct SegmentMatches {
    segment: SegmentOrdinal,
    columns: Columns,
    limit: usize,
    all_passages: bool,
    sort: Sort,
    /// Ordinal of `handlungsfeld` in this segment's `kind` column.
    handlungsfeld: Option<u64>,
    docs: HashMap<u64, DocEntry>,
    passages: usize,
    /// With `all_passages`: the best passages so far (pruned to `limit`).
    top: Vec<Ranked>,
}

/// A document as one segment saw it.
pub struct DocFruit {
    doc_id: String,
    best: Ranked,
    facets: DocFacets,
}

pub struct SegmentFruit {
    docs: Vec<DocFruit>,
    passages: usize,
    top: Vec<Ranked>,
}

fn sort_truncate(list: &mut Vec<Ranked>, limit: usize, sort: Sort) {
    list.sort_by(|a, b| order(a, b, sort));
    list.truncate(limit);
}

impl Collector for Matches {
    type Fruit = Collected;
    type Child = SegmentMatches;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentMatches> {
        let columns = Columns::open(reader)?;
        let handlungsfeld = match &columns.kind {
            Some(kind) => kind
                .dictionary()
                .term_ord(PassageKind::Handlungsfeld.as_str())?,
            None => None,
        };
        Ok(SegmentMatches {
            segment,
            columns,
            limit: self.limit,
            all_passages: self.all_passages,
            sort: self.sort,
            handlungsfeld,
            docs: HashMap::new(),
            passages: 0,
            top: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<SegmentFruit>) -> tantivy::Result<Collected> {
        let mut docs: HashMap<String, DocFruit> = HashMap::new();
        let mut passages = 0;
        let mut top = Vec::new();
        for fruit in fruits {
            passages += fruit.passages;
            top.extend(fruit.top);
            for doc in fruit.docs {
                match docs.get_mut(&doc.doc_id) {
                    None => {
                        docs.insert(doc.doc_id.clone(), doc);
                    }
                    Some(seen) => {
                        if order(&doc.best, &seen.best, self.sort) == Ordering::Less {
                            seen.best = doc.best;
                        }
                        for title in doc.facets.handlungsfelder {
                            if !seen.facets.handlungsfelder.contains(&title) {
                                seen.facets.handlungsfelder.push(title);
                            }
                        }
                    }
                }
            }
        }
        let mut tally = Tally::default();
        for doc in docs.values() {
            tally.add(&doc.facets);
        }
        if !self.all_passages {
            top = docs.values().map(|d| d.best).collect();
        }
        sort_truncate(&mut top, self.limit, self.sort);
        Ok(Collected {
            top,
            documents: docs.len(),
            passages,
            facets: tally.finish(),
        })
    }
}

impl SegmentMatches {
    /// [`doc_key`] of the document with `doc_id` term ordinal `ord`.
    fn doc_key_of(&self, ord: u64) -> u64 {
        let mut id = String::new();
        match &self.columns.doc_id {
            // An unreadable dictionary entry is treated as a missing value.
            Some(ids) if ids.ord_to_str(ord, &mut id).unwrap_or(false) => doc_key(&id),
            _ => u64::MAX,
        }
    }
}

impl SegmentCollector for SegmentMatches {
    type Fruit = SegmentFruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.passages += 1;
        // Every passage has a doc_id; one without would be its own document.
        let key = first_ord(&self.columns.doc_id, doc).unwrap_or(u64::MAX - u64::from(doc));
        let doc_key = match self.docs.get(&key) {
            Some(entry) => entry.best.doc_key,
            None => self.doc_key_of(key),
        };
        let ranked = Ranked {
            score,
            address: DocAddress::new(self.segment, doc),
            date: self
                .columns
                .date
                .as_ref()
                .and_then(|c| c.first(doc))
                .map(|d| d.into_timestamp_secs()),
            doc_key,
            passage: self
                .columns
                .passage_index
                .as_ref()
                .and_then(|c| c.first(doc))
                .unwrap_or(u64::from(doc)),
        };
        if self.all_passages {
            self.top.push(ranked);
            // Prune now and then instead of keeping every passage.
            if self.top.len() >= 2 * self.limit + 64 {
                sort_truncate(&mut self.top, self.limit, self.sort);
            }
        }
        let sort = self.sort;
        let entry = self.docs.entry(key).or_insert(DocEntry {
            best: ranked,
            handlungsfelder: Vec::new(),
        });
        if order(&ranked, &entry.best, sort) == Ordering::Less {
            entry.best = ranked;
        }
        if self.handlungsfeld.is_some() && first_ord(&self.columns.kind, doc) == self.handlungsfeld
        {
            if let Some(title) = first_ord(&self.columns.title, doc) {
                if !entry.handlungsfelder.contains(&title) {
                    entry.handlungsfelder.push(title);
                }
            }
        }
    }

    fn harvest(mut self) -> SegmentFruit {
        if self.all_passages {
            sort_truncate(&mut self.top, self.limit, self.sort);
        }
        let c = &self.columns;
        let (mut doc_type, mut body) = (Names::new(&c.doc_type), Names::new(&c.body));
        let (mut gremium, mut title) = (Names::new(&c.gremium), Names::new(&c.title));
        let mut buffer = String::new();
        let docs = self
            .docs
            .into_iter()
            .map(|(key, entry)| {
                let doc = entry.best.address.doc_id;
                // An unreadable dictionary entry is treated as a missing value.
                let doc_id = match &c.doc_id {
                    Some(ids) if ids.ord_to_str(key, &mut buffer).unwrap_or(false) => {
                        buffer.clone()
                    }
                    _ => format!("segment {} doc {doc}", self.segment),
                };
                let facets = DocFacets {
                    doc_type: doc_type.of(doc),
                    year: c.year.as_ref().and_then(|y| y.first(doc)),
                    body: body.of(doc),
                    gremium: gremium.of(doc),
                    handlungsfelder: entry
                        .handlungsfelder
                        .iter()
                        .filter_map(|&ord| title.name(ord))
                        .collect(),
                };
                DocFruit {
                    doc_id,
                    best: entry.best,
                    facets,
                }
            })
            .collect();
        SegmentFruit {
            docs,
            passages: self.passages,
            top: self.top,
        }
    }
}

/// Term ordinal → string for one column, cached: facet values repeat a lot.
struct Names<'a> {
    column: &'a Option<StrColumn>,
    cache: HashMap<u64, Option<String>>,
}

impl<'a> Names<'a> {
    fn new(column: &'a Option<StrColumn>) -> Names<'a> {
        Names {
            column,
            cache: HashMap::new(),
        }
    }

    /// The (first) value of `doc`.
    fn of(&mut self, doc: DocId) -> Option<String> {
        self.name(first_ord(self.column, doc)?)
    }

    fn name(&mut self, ord: u64) -> Option<String> {
        let column = self.column.as_ref()?;
        self.cache
            .entry(ord)
            .or_insert_with(|| {
                let mut name = String::new();
                // An unreadable dictionary entry is treated as a missing value.
                column
                    .ord_to_str(ord, &mut name)
                    .unwrap_or(false)
                    .then_some(name)
            })
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranked(score: Score, doc: DocId, date: Option<i64>) -> Ranked {
        Ranked {
            score,
            address: DocAddress::new(0, doc),
            date,
            doc_key: 0,
            passage: u64::from(doc),
        }
    }

    #[test]
    fn equal_scores_are_ordered_by_document_id_then_passage_not_address() {
        let tie = |doc_key: u64, passage: u64, segment: u32, doc: DocId| Ranked {
            score: 1.0,
            address: DocAddress::new(segment, doc),
            date: None,
            doc_key,
            passage,
        };
        // The same three passages, indexed in two different orders.
        let first = vec![tie(7, 2, 0, 0), tie(3, 5, 0, 1), tie(7, 1, 1, 0)];
        let second = vec![tie(7, 1, 0, 0), tie(7, 2, 0, 1), tie(3, 5, 1, 0)];
        for mut list in [first, second] {
            sort_truncate(&mut list, 10, Sort::Relevance);
            let keys: Vec<(u64, u64)> = list.iter().map(|r| (r.doc_key, r.passage)).collect();
            assert_eq!(keys, [(3, 5), (7, 1), (7, 2)]);
        }
        // A higher score still wins over a smaller key.
        let mut list = vec![
            tie(1, 0, 0, 0),
            Ranked {
                score: 2.0,
                ..tie(9, 9, 0, 1)
            },
        ];
        sort_truncate(&mut list, 10, Sort::Relevance);
        assert_eq!(list[0].doc_key, 9);
    }

    #[test]
    fn doc_key_reads_hex_ids_and_is_stable_for_others() {
        assert_eq!(doc_key("00000000000000ff"), 255);
        assert!(doc_key("0000000000000001") < doc_key("ffffffffffffffff"));
        assert_eq!(doc_key("not hex"), doc_key("not hex"));
        assert_ne!(doc_key("not hex"), doc_key("other"));
    }

    #[test]
    fn date_order_puts_newest_first_and_undated_last() {
        let mut list = vec![
            ranked(5.0, 0, None),
            ranked(1.0, 1, Some(100)),
            ranked(2.0, 2, Some(200)),
            ranked(3.0, 3, Some(100)),
        ];
        sort_truncate(&mut list, 10, Sort::Date);
        let docs: Vec<DocId> = list.iter().map(|r| r.address.doc_id).collect();
        assert_eq!(docs, [2, 3, 1, 0]);
        sort_truncate(&mut list, 2, Sort::Relevance);
        let docs: Vec<DocId> = list.iter().map(|r| r.address.doc_id).collect();
        assert_eq!(docs, [0, 3]);
    }
}
