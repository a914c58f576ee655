//! [`BestPerDocument`]: a tantivy collector keeping the best-scoring passage
//! of each document, in one pass.
//!
//! Grouping after a plain top-k would need a guess of how many passages to
//! fetch so that `limit` distinct documents remain; collecting per document
//! is exact and also yields the number of matching documents.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::schema::Field;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// The best passages of the top `limit` documents, and how many documents matched.
#[derive(Debug, Default)]
pub struct Grouped {
    /// Best passage per document, best documents first.
    pub top: Vec<(Score, DocAddress)>,
    /// Distinct documents with at least one matching passage.
    pub documents: usize,
}

pub struct BestPerDocument {
    doc_id: Field,
    limit: usize,
}

impl BestPerDocument {
    pub fn new(doc_id: Field, limit: usize) -> BestPerDocument {
        BestPerDocument { doc_id, limit }
    }
}

/// Per segment: best (score, doc) per `doc_id` term ordinal.
pub struct SegmentBest {
    segment: SegmentOrdinal,
    doc_ids: Option<StrColumn>,
    best: HashMap<u64, (Score, DocId)>,
}

/// A segment's harvest: document id string → best (score, address).
type SegmentFruit = Vec<(String, Score, DocAddress)>;

/// Higher score first; among equal scores the earlier passage, so results
/// do not change order from run to run.
fn better(a: (Score, DocAddress), b: (Score, DocAddress)) -> bool {
    a.0 > b.0 || (a.0 == b.0 && a.1 < b.1)
}

impl Collector for BestPerDocument {
    type Fruit = Grouped;
    type Child = SegmentBest;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentBest> {
        let name = reader.schema().get_field_name(self.doc_id).to_string();
        Ok(SegmentBest {
            segment,
            doc_ids: reader.fast_fields().str(&name)?,
            best: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<SegmentFruit>) -> tantivy::Result<Grouped> {
        let mut best: HashMap<String, (Score, DocAddress)> = HashMap::new();
        for (doc_id, score, address) in fruits.into_iter().flatten() {
            best.entry(doc_id)
                .and_modify(|current| {
                    if better((score, address), *current) {
                        *current = (score, address);
                    }
                })
                .or_insert((score, address));
        }
        let documents = best.len();
        let mut top: Vec<(Score, DocAddress)> = best.into_values().collect();
        top.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        top.truncate(self.limit);
        Ok(Grouped { top, documents })
    }
}

impl SegmentCollector for SegmentBest {
    type Fruit = SegmentFruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        // Every passage has a doc_id; one without would be its own group.
        let ord = self
            .doc_ids
            .as_ref()
            .and_then(|column| column.term_ords(doc).next())
            .unwrap_or(u64::MAX - u64::from(doc));
        let segment = self.segment;
        self.best
            .entry(ord)
            .and_modify(|current| {
                let here = DocAddress::new(segment, doc);
                let there = DocAddress::new(segment, current.1);
                if better((score, here), (current.0, there)) {
                    *current = (score, doc);
                }
            })
            .or_insert((score, doc));
    }

    fn harvest(self) -> SegmentFruit {
        let mut name = String::new();
        self.best
            .into_iter()
            .map(|(ord, (score, doc))| {
                let resolved = self
                    .doc_ids
                    .as_ref()
                    .and_then(|column| column.ord_to_str(ord, &mut name).ok())
                    .unwrap_or(false);
                let key = if resolved {
                    name.clone()
                } else {
                    format!("segment {} doc {doc}", self.segment)
                };
                (key, score, DocAddress::new(self.segment, doc))
            })
            .collect()
    }
}
