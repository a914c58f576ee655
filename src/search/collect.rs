//! [`Matches`]: a tantivy collector that makes one pass over the matching
//! passages and yields everything a result page needs: the top hits
//! (best passage per document, or every passage), the number of matching
//! documents and passages, and the [`Facets`] of the matching documents.
//!
//! Grouping after a plain top-k would need a guess of how many passages to
//! fetch so that `limit` distinct documents remain, and facets over a top-k
//! would count only what is shown; collecting per document is exact. Every
//! value read per passage comes from a fast field (no stored documents are
//! opened), read once per segment into the per-passage rows of
//! [`super::segment_cache`]; per passage only term ordinals are read, and they become
//! strings through the per-segment tables of [`super::segment_cache`]
//! (document ids, type, body, Gremium) or, for Handlungsfeld titles, in
//! one sorted pass over the dictionary. [`Matches::without_facets`] skips
//! the facets for callers that only rank.
//!
//! A document's passages are written together but may still land in
//! different segments (tantivy's indexing threads), so segments report per
//! document identity (the `doc_id`, as a number when it is hex) and
//! [`Matches::merge_fruits`] joins them.

use std::cmp::Ordering;
use std::collections::hash_map::Entry;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::facets::{DocFacets, Facets, Tally};
use super::filter::Sort;
use super::segment_cache::{segment_data, DocName, SegmentData};

/// A matching passage and what it is ordered by.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranked {
    pub score: Score,
    pub address: DocAddress,
    /// Document date, seconds since the epoch (read for [`Sort::Date`]
    /// only; `None` under relevance order, which never looks at it).
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
pub(super) fn doc_key(doc_id: &str) -> u64 {
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
    /// Empty when the collector was made [`Matches::without_facets`].
    pub facets: Facets,
}

pub struct Matches {
    limit: usize,
    all_passages: bool,
    sort: Sort,
    facets: bool,
}

impl Matches {
    /// Collect the top `limit` documents (or passages, with
    /// `all_passages`) in `sort` order, and the facets of all matches.
    pub fn new(limit: usize, all_passages: bool, sort: Sort) -> Matches {
        Matches {
            limit,
            all_passages,
            sort,
            facets: true,
        }
    }

    /// The same without facet counts (hits and totals only): nothing is
    /// counted per facet (the segment cache holds the columns either way).
    pub fn without_facets(mut self) -> Matches {
        self.facets = false;
        self
    }
}

fn first_ord(column: &Option<StrColumn>, doc: DocId) -> Option<u64> {
    column.as_ref()?.term_ords(doc).next()
}

/// Calls `each(i, bytes)` with the string of every `ords[i]` that `column`'s
/// dictionary has. `ords` must be sorted: the dictionary is then read in
/// one pass instead of searching a block per ordinal, which was a quarter
/// of a query's time (profile in `benches/HISTORY.md`). An unreadable
/// dictionary is treated as missing values.
fn each_name(column: Option<&StrColumn>, ords: &[u64], mut each: impl FnMut(usize, &[u8])) {
    let Some(column) = column else {
        return;
    };
    let dictionary = column.dictionary();
    let known = ords.partition_point(|&ord| ord < dictionary.num_terms() as u64);
    let mut i = 0;
    let _ = dictionary.sorted_ords_to_term_cb(&ords[..known], |bytes| {
        each(i, bytes);
        i += 1;
    });
}

/// Term ordinal → string of one column, for the ordinals a segment's
/// matches use.
#[derive(Default)]
struct NameTable(FxHashMap<u64, Box<str>>);

impl NameTable {
    /// The names of `ords` (any order, repeats allowed).
    fn resolve(column: &Option<StrColumn>, mut ords: Vec<u64>) -> NameTable {
        ords.sort_unstable();
        ords.dedup();
        let mut table = FxHashMap::default();
        each_name(column.as_ref(), &ords, |i, bytes| {
            if let Ok(name) = std::str::from_utf8(bytes) {
                table.insert(ords[i], name.into());
            }
        });
        NameTable(table)
    }

    fn get(&self, ord: Option<u64>) -> Option<&str> {
        self.0.get(&ord?).map(|name| &**name)
    }
}

/// Per segment and document: its best passage and the term ordinals of its
/// matching Handlungsfeld titles.
struct DocEntry {
    best: Ranked,
    handlungsfelder: Vec<u64>,
}

pub struct SegmentMatches {
    segment: SegmentOrdinal,
    data: Arc<SegmentData>,
    limit: usize,
    all_passages: bool,
    sort: Sort,
    facets: bool,
    /// By `doc_id` term ordinal.
    docs: FxHashMap<u64, DocEntry>,
    passages: usize,
    /// With `all_passages`: the best passages so far (pruned to `limit`).
    top: Vec<Ranked>,
}

/// The facet values of a document as term ordinals of its segment's
/// columns (resolved through [`SegmentFruit::names`]).
#[derive(Default)]
struct FacetOrds {
    doc_type: Option<u64>,
    year: Option<u64>,
    body: Option<u64>,
    gremium: Option<u64>,
    handlungsfelder: Vec<u64>,
}

/// A document as one segment saw it.
pub struct DocFruit {
    name: DocName,
    best: Ranked,
    facets: FacetOrds,
}

pub struct SegmentFruit {
    data: Arc<SegmentData>,
    docs: Vec<DocFruit>,
    /// Names of the Handlungsfeld titles the documents use.
    titles: NameTable,
    passages: usize,
    top: Vec<Ranked>,
}

/// Sorts `list` and keeps the first `limit`, selecting them first so a
/// long list is not sorted whole.
fn sort_truncate(list: &mut Vec<Ranked>, limit: usize, sort: Sort) {
    if limit == 0 {
        list.clear();
        return;
    }
    if list.len() > limit {
        list.select_nth_unstable_by(limit - 1, |a, b| order(a, b, sort));
        list.truncate(limit);
    }
    // `order` is total (the address is unique), so unstable is exact.
    list.sort_unstable_by(|a, b| order(a, b, sort));
}

impl Collector for Matches {
    type Fruit = Collected;
    type Child = SegmentMatches;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentMatches> {
        Ok(SegmentMatches {
            segment,
            data: segment_data(reader)?,
            limit: self.limit,
            all_passages: self.all_passages,
            sort: self.sort,
            facets: self.facets,
            docs: FxHashMap::default(),
            passages: 0,
            top: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<SegmentFruit>) -> tantivy::Result<Collected> {
        /// A distinct document: where it was first seen (whose facets
        /// count), its best passage over all segments, and the
        /// Handlungsfeld titles other segments add.
        struct Merged<'a> {
            fruit: usize,
            doc: usize,
            best: Ranked,
            more_titles: Vec<&'a str>,
        }
        let mut passages = 0;
        let mut top = Vec::new();
        let mut docs: FxHashMap<&DocName, Merged> = FxHashMap::default();
        docs.reserve(fruits.iter().map(|f| f.docs.len()).sum());
        for (f, fruit) in fruits.iter().enumerate() {
            passages += fruit.passages;
            top.extend_from_slice(&fruit.top);
            for (d, doc) in fruit.docs.iter().enumerate() {
                match docs.entry(&doc.name) {
                    Entry::Vacant(slot) => {
                        slot.insert(Merged {
                            fruit: f,
                            doc: d,
                            best: doc.best,
                            more_titles: Vec::new(),
                        });
                    }
                    Entry::Occupied(mut slot) => {
                        let seen = slot.get_mut();
                        if order(&doc.best, &seen.best, self.sort) == Ordering::Less {
                            seen.best = doc.best;
                        }
                        seen.more_titles.extend(
                            doc.facets
                                .handlungsfelder
                                .iter()
                                .filter_map(|&ord| fruit.titles.get(Some(ord))),
                        );
                    }
                }
            }
        }
        let facets = if self.facets {
            // Type, body and Gremium are counted per segment and term
            // ordinal (an array slot per document) and named once per
            // ordinal at the end, instead of hashing three strings per
            // document.
            let mut by_ord: Vec<[Vec<usize>; 3]> = fruits
                .iter()
                .map(|f| {
                    [
                        vec![0; f.data.doc_type.len()],
                        vec![0; f.data.body.len()],
                        vec![0; f.data.gremium.len()],
                    ]
                })
                .collect();
            let mut tally = Tally::default();
            for merged in docs.values() {
                let fruit = &fruits[merged.fruit];
                let ords = &fruit.docs[merged.doc].facets;
                let counts = &mut by_ord[merged.fruit];
                for (slot, ord) in [ords.doc_type, ords.body, ords.gremium]
                    .into_iter()
                    .enumerate()
                {
                    if let Some(n) = ord.and_then(|o| counts[slot].get_mut(o as usize)) {
                        *n += 1;
                    }
                }
                let mut handlungsfelder: Vec<&str> = Vec::new();
                for title in ords
                    .handlungsfelder
                    .iter()
                    .filter_map(|&ord| fruit.titles.get(Some(ord)))
                    .chain(merged.more_titles.iter().copied())
                {
                    if !handlungsfelder.contains(&title) {
                        handlungsfelder.push(title);
                    }
                }
                tally.add(&DocFacets {
                    doc_type: None,
                    year: ords.year,
                    body: None,
                    gremium: None,
                    handlungsfelder,
                });
            }
            for (fruit, counts) in fruits.iter().zip(&by_ord) {
                let data = &fruit.data;
                let tables = [&data.doc_type, &data.body, &data.gremium];
                for ((slot, table), counts) in tables.into_iter().enumerate().zip(counts) {
                    for (ord, &n) in counts.iter().enumerate() {
                        if n == 0 {
                            continue;
                        }
                        if let Some(name) = SegmentData::name(table, Some(ord as u64)) {
                            match slot {
                                0 => tally.add_doc_type(name, n),
                                1 => tally.add_body(name, n),
                                _ => tally.add_gremium(name, n),
                            }
                        }
                    }
                }
            }
            tally.finish()
        } else {
            Facets::default()
        };
        if !self.all_passages {
            top = docs.values().map(|d| d.best).collect();
        }
        sort_truncate(&mut top, self.limit, self.sort);
        Ok(Collected {
            top,
            documents: docs.len(),
            passages,
            facets,
        })
    }
}

impl SegmentCollector for SegmentMatches {
    type Fruit = SegmentFruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.passages += 1;
        let columns = &self.data.columns;
        let handlungsfeld = self.data.handlungsfeld;
        let (key, passage, is_handlungsfeld) = match self.data.row(doc) {
            Some(row) => (row.doc(), row.passage(), row.handlungsfeld),
            None => (
                first_ord(&columns.doc_id, doc),
                columns.passage_index.as_ref().and_then(|c| c.first(doc)),
                handlungsfeld.is_some() && first_ord(&columns.kind, doc) == handlungsfeld,
            ),
        };
        // Every passage has a doc_id; one without would be its own document.
        let key = key.unwrap_or(u64::MAX - u64::from(doc));
        let doc_key = match self.docs.get(&key) {
            Some(entry) => entry.best.doc_key,
            None => self.data.doc(key).map_or(u64::MAX, |(_, key)| *key),
        };
        let ranked = Ranked {
            score,
            address: DocAddress::new(self.segment, doc),
            // Only the date order reads it.
            date: match self.sort {
                Sort::Date => columns
                    .date
                    .as_ref()
                    .and_then(|c| c.first(doc))
                    .map(|d| d.into_timestamp_secs()),
                Sort::Relevance => None,
            },
            doc_key,
            passage: passage.unwrap_or(u64::from(doc)),
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
        if self.facets && is_handlungsfeld {
            if let Some(title) = first_ord(&columns.title, doc) {
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
        let data = &self.data;
        let c = &data.columns;
        let docs: Vec<DocFruit> = self
            .docs
            .into_iter()
            .map(|(ord, entry)| {
                let doc = entry.best.address.doc_id;
                let name = match data.doc(ord) {
                    Some((name, _)) => name.clone(),
                    None => DocName::Other(format!("segment {} doc {doc}", self.segment).into()),
                };
                let facets = if self.facets {
                    match data.row(doc) {
                        Some(row) => FacetOrds {
                            doc_type: row.doc_type(),
                            year: row.year(),
                            body: row.body(),
                            gremium: row.gremium(),
                            handlungsfelder: entry.handlungsfelder,
                        },
                        None => FacetOrds {
                            doc_type: first_ord(&c.doc_type, doc),
                            year: c.year.as_ref().and_then(|y| y.first(doc)),
                            body: first_ord(&c.body, doc),
                            gremium: first_ord(&c.gremium, doc),
                            handlungsfelder: entry.handlungsfelder,
                        },
                    }
                } else {
                    FacetOrds::default()
                };
                DocFruit {
                    name,
                    best: entry.best,
                    facets,
                }
            })
            .collect();
        let titles = NameTable::resolve(
            &c.title,
            docs.iter()
                .flat_map(|d| d.facets.handlungsfelder.iter().copied())
                .collect(),
        );
        SegmentFruit {
            data: self.data.clone(),
            docs,
            titles,
            passages: self.passages,
            top: self.top,
        }
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
