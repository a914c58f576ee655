//! [`WordUnion`]: one analysed word in several fields (`title_de` boosted,
//! `text_de`, the English fields where the word occurs), as a tantivy query
//! whose scorer is a lazy union of the per-field postings.
//!
//! Takes the word's terms in clause order with their boosts; gives a
//! tantivy [`Query`] that matches and scores exactly like the
//! `BooleanQuery` of `Occur::Should` clauses ([`WordUnion::to_boolean`])
//! that [`super::build`] made before: the same documents, and per document
//! the same `f32` score, summed from `0.0` over the matching fields in
//! clause order (tantivy's `SumCombiner`), each field's BM25 weight taken
//! from the same statistics provider and multiplied by the same boosts.
//!
//! Why hand-written: tantivy's Should-union of term scorers is a *buffered*
//! union (`BufferedUnionScorer`): it allocates and clears a 4,096-slot score
//! window per segment, and every refill decodes and scores every posting
//! of every field within the next 4,096 documents — even inside an
//! intersection ("Radweg Sanierung") that then skips most of them. The
//! callgrind profile of the ids-only search (`benches/HISTORY.md`, "Lazy word
//! union and per-request lookups") showed
//! that union's set-up, refills and window clearing as the largest part of
//! a query. [`WordUnionScorer`] instead keeps one cursor per field (at most
//! four), moves only the cursors behind the target on `seek`, and computes
//! a score only when asked, i.e. only for documents the whole query
//! matches. tantivy has no lazy scoring union and does not export its term
//! scorer, so the per-field cursor ([`FieldTerm`]) is rebuilt here from
//! tantivy's public postings and field norms, with BM25 computed as
//! tantivy's `Bm25Weight` computes it (same `f32` operations in the same
//! order) but with one per-field-norm table shared by all terms of a field
//! (tantivy builds a 256-entry table per term, and per segment).
//!
//! Exactness beyond the scores: an intersection orders its parts by
//! `cost()` and sums their scores in that order, so [`WordUnionScorer`]
//! reports the cost the buffered union would report at the same point
//! (the fields that still have a posting beyond the buffered window); the
//! search's scores and their ties therefore do not change.
//! With scoring disabled (snippets, counts) the query falls back to the
//! equivalent `BooleanQuery`.
//!
//! The exactness holds for searches that visit every match (`scorer`,
//! `for_each`), which is what ratsuche's own collector
//! ([`super::collect::Matches`]) does. tantivy's `TopDocs` goes through
//! `for_each_pruning`, where a `BooleanQuery` of term scorers runs
//! block-max WAND (another summing order, and in tantivy 0.27 it can miss
//! documents its exhaustive path ranks in the top); [`WordUnion`] has no
//! block-max pruning and scores every match there too, so a tool that puts
//! it under `TopDocs` gets the exhaustive answer, not block-WAND's.

use std::cell::Cell;
use std::sync::{Arc, Mutex, PoisonError};

use tantivy::fieldnorm::FieldNormReader;
use tantivy::index::{InvertedIndexReader, SegmentId};
use tantivy::postings::{Postings, SegmentPostings, TermInfo};
use tantivy::query::{
    Bm25Weight, BooleanQuery, BoostQuery, EmptyScorer, EnableScoring, Explanation, Occur, Query,
    Scorer, TermQuery, Weight,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term, TERMINATED};

/// The window of tantivy's `BufferedUnionScorer` (64 × 64 documents); only
/// used to report the same `cost()`.
const HORIZON: u32 = 64 * 64;

/// One word in several fields: `(term, boost)` per field, in clause order.
/// Cloning is cheap (the query is cloned per run and per segment).
#[derive(Debug, Clone)]
pub(crate) struct WordUnion {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    clauses: Vec<(Term, Score)>,
    known: Option<Known>,
}

/// What the statistics already looked up for each clause's term, per
/// segment of a searcher: its dictionary entry, the field's inverted index
/// and field norms. Postings are opened from these instead of looking
/// them up again per segment.
#[derive(Debug)]
pub(crate) struct Known {
    pub segments: Arc<[SegmentId]>,
    /// In clause order.
    pub clauses: Vec<KnownClause>,
}

/// One clause's entries of [`Known`], each in the order of its segments.
pub(crate) struct KnownClause {
    pub infos: Arc<[Option<TermInfo>]>,
    pub inverted: Arc<[Arc<InvertedIndexReader>]>,
    pub fieldnorms: Arc<[Option<FieldNormReader>]>,
}

impl std::fmt::Debug for KnownClause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KnownClause")
            .field("infos", &self.infos)
            .finish_non_exhaustive()
    }
}

impl WordUnion {
    /// The word's term in each field with the field's boost, in the order
    /// the scores are summed.
    #[cfg(test)]
    pub fn new(clauses: Vec<(Term, Score)>) -> WordUnion {
        WordUnion {
            inner: Arc::new(Inner {
                clauses,
                known: None,
            }),
        }
    }

    /// The same, opening postings from what `known` holds for the
    /// segments it names (a segment it does not name is looked up as
    /// usual). `known` is ignored unless it has an entry per clause and
    /// segment.
    pub fn with_known(clauses: Vec<(Term, Score)>, known: Known) -> WordUnion {
        let n = known.segments.len();
        let fits = known.clauses.len() == clauses.len()
            && known.clauses.iter().all(|clause| {
                clause.infos.len() == n
                    && clause.inverted.len() == n
                    && clause.fieldnorms.len() == n
            });
        WordUnion {
            inner: Arc::new(Inner {
                clauses,
                known: fits.then_some(known),
            }),
        }
    }

    /// The tantivy query this one replaces: a `Should` clause per field,
    /// a `BoostQuery` around each term whose boost is not 1.
    pub fn to_boolean(&self) -> BooleanQuery {
        BooleanQuery::new(
            self.inner
                .clauses
                .iter()
                .map(|(term, boost)| {
                    let query: Box<dyn Query> =
                        Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs));
                    let query: Box<dyn Query> = if *boost == 1.0 {
                        query
                    } else {
                        Box::new(BoostQuery::new(query, *boost))
                    };
                    (Occur::Should, query)
                })
                .collect(),
        )
    }
}

impl Query for WordUnion {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let EnableScoring::Enabled {
            statistics_provider,
            ..
        } = enable_scoring
        else {
            return self.to_boolean().weight(enable_scoring);
        };
        let schema = enable_scoring.schema();
        let mut bm25 = Vec::with_capacity(self.inner.clauses.len());
        for (term, _) in &self.inner.clauses {
            let entry = schema.get_field_entry(term.field());
            if !entry.is_indexed() {
                return Err(TantivyError::SchemaError(format!(
                    "Field {:?} is not indexed.",
                    entry.name()
                )));
            }
            // The statistics `Bm25Weight::for_terms` reads for one term.
            let num_docs = statistics_provider.total_num_docs()?;
            let average_fieldnorm =
                statistics_provider.total_num_tokens(term.field())? as Score / num_docs as Score;
            let doc_freq = statistics_provider.doc_freq(term)?;
            bm25.push((
                Bm25::new(doc_freq, num_docs, average_fieldnorm),
                (doc_freq, num_docs, average_fieldnorm),
            ));
        }
        Ok(Box::new(WordUnionWeight {
            query: Arc::clone(&self.inner),
            bm25,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (term, _) in &self.inner.clauses {
            visitor(term, false);
        }
    }
}

/// The [`Weight`] of a [`WordUnion`] with scoring enabled.
struct WordUnionWeight {
    query: Arc<Inner>,
    /// Per clause: the term's BM25 weight (before boosts), and document
    /// frequency, number of documents and average field norm (to rebuild
    /// the weight with its explanation).
    bm25: Vec<(Bm25, (u64, u64, Score))>,
}

impl WordUnionWeight {
    /// A cursor per field whose term occurs in the segment, in clause
    /// order. `boost` comes from enclosing queries (a synonym's weight) and
    /// is multiplied by the field's boost as tantivy's `BoostWeight` does.
    fn field_terms(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Vec<FieldTerm>> {
        let clauses = &self.query.clauses;
        let mut terms = Vec::with_capacity(clauses.len());
        let segment = self.query.known.as_ref().and_then(|known| {
            let id = reader.segment_id();
            Some((known, known.segments.iter().position(|s| *s == id)?))
        });
        for (c, (term, field_boost)) in clauses.iter().enumerate() {
            let field = term.field();
            let boost = if *field_boost == 1.0 {
                boost
            } else {
                boost * field_boost
            };
            // The field's index, the term's entry and the field norms: from
            // what the statistics kept, else looked up in the segment.
            let (inverted, info, fieldnorms) = match segment {
                Some((known, s)) => {
                    let known = &known.clauses[c];
                    let Some(info) = known.infos[s].clone() else {
                        continue;
                    };
                    (
                        Arc::clone(&known.inverted[s]),
                        info,
                        known.fieldnorms[s].clone(),
                    )
                }
                None => {
                    let inverted = reader.inverted_index(field)?;
                    let Some(info) = inverted.get_term_info(term)? else {
                        continue;
                    };
                    (
                        inverted,
                        info,
                        reader.fieldnorms_readers().get_field(field)?,
                    )
                }
            };
            // Built in place: a cursor is over a kilobyte (decoded block).
            terms.push(FieldTerm {
                clause: c,
                postings: inverted
                    .read_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)?,
                fieldnorms: fieldnorms
                    .unwrap_or_else(|| FieldNormReader::constant(reader.max_doc(), 1)),
                bm25: self.bm25[c].0.boost_by(boost),
            });
        }
        Ok(terms)
    }
}

impl Weight for WordUnionWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut terms = self.field_terms(reader, boost)?;
        Ok(match terms.len() {
            0 => Box::new(EmptyScorer),
            1 => Box::new(terms.pop().expect("one field")),
            _ => Box::new(WordUnionScorer::new(terms, reader.num_docs())),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut total: Score = 0.0;
        let mut details = Vec::new();
        for mut term in self.field_terms(reader, 1.0)? {
            if term.doc() > doc || term.seek(doc) != doc {
                continue;
            }
            total += term.score();
            let (clause_term, boost) = &self.query.clauses[term.clause];
            let (doc_freq, num_docs, average_fieldnorm) = self.bm25[term.clause].1;
            let mut detail = Bm25Weight::for_one_term(doc_freq, num_docs, average_fieldnorm)
                .boost_by(*boost)
                .explain(term.fieldnorms.fieldnorm_id(doc), term.postings.term_freq());
            detail.add_context(format!("Term={clause_term:?}"));
            details.push(detail);
        }
        if details.is_empty() {
            return Err(TantivyError::InvalidArgument(format!(
                "Document #({doc}) does not match"
            )));
        }
        let mut explanation = Explanation::new("sum over the word's fields", total);
        for detail in details {
            explanation.add_detail(detail);
        }
        Ok(explanation)
    }
}

/// tantivy's BM25 parameters (`query::bm25`).
const K1: Score = 1.2;
const B: Score = 0.75;

/// A term's BM25 weight, computed as tantivy's `Bm25Weight` computes it
/// (same operations in the same order, so the same `f32`s), with the 256
/// per-field-norm components shared by every term of a field instead of
/// computed per term: that sharing is why it is not tantivy's own
/// `Bm25Weight::for_one_term_without_explain`.
#[derive(Clone)]
struct Bm25 {
    weight: Score,
    /// `K1 * (1 - B + B * fieldnorm / average)` per field-norm id.
    norms: Arc<[Score; 256]>,
}

impl Bm25 {
    fn new(doc_freq: u64, num_docs: u64, average_fieldnorm: Score) -> Bm25 {
        let x = (num_docs.saturating_sub(doc_freq) as Score + 0.5) / (doc_freq as Score + 0.5);
        let idf = (1.0 + x).ln();
        Bm25 {
            weight: idf * (1.0 + K1),
            norms: norm_components(average_fieldnorm),
        }
    }

    /// As `Bm25Weight::boost_by`.
    fn boost_by(&self, boost: Score) -> Bm25 {
        if boost == 1.0 {
            return self.clone();
        }
        Bm25 {
            weight: self.weight * boost,
            norms: Arc::clone(&self.norms),
        }
    }

    /// As `Bm25Weight::score`.
    #[inline]
    fn score(&self, fieldnorm_id: u8, term_freq: u32) -> Score {
        let term_freq = term_freq as Score;
        let norm = self.norms[fieldnorm_id as usize];
        self.weight * (term_freq / (term_freq + norm))
    }
}

/// The per-field-norm components of BM25 for an average field norm,
/// computed once per distinct average (a field of an index has one; the
/// last few are kept).
fn norm_components(average_fieldnorm: Score) -> Arc<[Score; 256]> {
    static KEPT: Mutex<Vec<(u32, Arc<[Score; 256]>)>> = Mutex::new(Vec::new());
    let key = average_fieldnorm.to_bits();
    let mut kept = KEPT.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, norms)) = kept.iter().find(|(k, _)| *k == key) {
        return Arc::clone(norms);
    }
    let mut norms = [0.0; 256];
    for (id, norm) in norms.iter_mut().enumerate() {
        let fieldnorm = FieldNormReader::id_to_fieldnorm(id as u8);
        *norm = K1 * (1.0 - B + B * fieldnorm as Score / average_fieldnorm);
    }
    let norms = Arc::new(norms);
    if kept.len() >= 16 {
        kept.remove(0);
    }
    kept.push((key, Arc::clone(&norms)));
    norms
}

/// The postings of one field's term, scored like tantivy's `TermScorer`:
/// BM25 of the term frequency and the field norm.
pub(crate) struct FieldTerm {
    /// Which clause of the [`WordUnion`].
    clause: usize,
    postings: SegmentPostings,
    fieldnorms: FieldNormReader,
    bm25: Bm25,
}

impl FieldTerm {
    /// True when the term occurs in a document `>= target` (without moving).
    fn occurs_from(&self, target: DocId) -> bool {
        let doc = self.postings.doc();
        if doc >= target {
            return doc != TERMINATED;
        }
        let mut ahead = self.postings.clone();
        ahead.seek(target) != TERMINATED
    }
}

impl DocSet for FieldTerm {
    #[inline]
    fn advance(&mut self) -> DocId {
        self.postings.advance()
    }

    #[inline]
    fn seek(&mut self, target: DocId) -> DocId {
        self.postings.seek(target)
    }

    #[inline]
    fn doc(&self) -> DocId {
        self.postings.doc()
    }

    fn size_hint(&self) -> u32 {
        self.postings.size_hint()
    }
}

impl Scorer for FieldTerm {
    #[inline]
    fn score(&mut self) -> Score {
        let doc = self.postings.doc();
        self.bm25
            .score(self.fieldnorms.fieldnorm_id(doc), self.postings.term_freq())
    }
}

/// The union of two to four [`FieldTerm`]s: a document matches when some
/// field has the term; its score is the sum over those fields.
pub(crate) struct WordUnionScorer {
    /// In clause order (the order scores are summed in).
    terms: Vec<FieldTerm>,
    doc: DocId,
    /// Where the buffered union's window would start now (for `cost`).
    window: DocId,
    num_docs: u32,
    /// `cost()` at a document (an intersection asks for it repeatedly
    /// while sorting its parts; the state only changes when `doc` does).
    cost_at: Cell<Option<(DocId, u64)>>,
}

impl WordUnionScorer {
    fn new(terms: Vec<FieldTerm>, num_docs: u32) -> WordUnionScorer {
        let doc = terms.iter().map(DocSet::doc).min().unwrap_or(TERMINATED);
        WordUnionScorer {
            terms,
            doc,
            window: doc,
            num_docs,
            cost_at: Cell::new(None),
        }
    }

    /// Moves to `doc`; a document beyond the buffered window starts the
    /// next window, as the buffered union's refill would.
    #[inline]
    fn moved_to(&mut self, doc: DocId) -> DocId {
        if doc != TERMINATED && doc - self.window >= HORIZON {
            self.window = doc;
        }
        self.doc = doc;
        doc
    }

    /// The fields the buffered union would still hold: those with a
    /// posting beyond its current window (none once it is exhausted).
    fn held(&self) -> impl Iterator<Item = &FieldTerm> {
        let end = self.window.saturating_add(HORIZON);
        let exhausted = self.doc == TERMINATED;
        self.terms
            .iter()
            .filter(move |term| !exhausted && term.occurs_from(end))
    }
}

impl DocSet for WordUnionScorer {
    #[inline]
    fn advance(&mut self) -> DocId {
        let current = self.doc;
        if current == TERMINATED {
            return TERMINATED;
        }
        let mut next = TERMINATED;
        for term in &mut self.terms {
            let mut doc = term.doc();
            if doc == current {
                doc = term.advance();
            }
            next = next.min(doc);
        }
        self.moved_to(next)
    }

    #[inline]
    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        let mut next = TERMINATED;
        for term in &mut self.terms {
            let mut doc = term.doc();
            if doc < target {
                doc = term.seek(target);
            }
            next = next.min(doc);
        }
        self.moved_to(next)
    }

    #[inline]
    fn doc(&self) -> DocId {
        self.doc
    }

    /// tantivy's estimate for a union, over the fields the buffered union
    /// would hold.
    fn size_hint(&self) -> u32 {
        let max_docs = self.num_docs;
        let mut not_in_any = 1.0f64;
        for term in self.held() {
            let in_set = (term.size_hint() as f64 / max_docs as f64) * 0.8;
            not_in_any *= 1.0 - in_set;
        }
        let estimate = (max_docs as f64 * (1.0 - not_in_any)).round();
        estimate.min(max_docs as f64) as u32
    }

    /// The buffered union's cost: the summed costs of the fields it holds.
    fn cost(&self) -> u64 {
        if let Some((doc, cost)) = self.cost_at.get() {
            if doc == self.doc {
                return cost;
            }
        }
        let cost = self.held().map(DocSet::cost).sum();
        self.cost_at.set(Some((self.doc, cost)));
        cost
    }
}

impl Scorer for WordUnionScorer {
    #[inline]
    fn score(&mut self) -> Score {
        let doc = self.doc;
        if doc == TERMINATED {
            // No document: nothing to score (and no field norm to read).
            return 0.0;
        }
        let mut score: Score = 0.0;
        for term in &mut self.terms {
            if term.doc() == doc {
                score += term.score();
            }
        }
        score
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use tantivy::collector::{Collector, SegmentCollector};
    use tantivy::schema::{Schema, STRING, TEXT};
    use tantivy::{Index, IndexWriter, Searcher, SegmentOrdinal};

    /// A small index: four text fields, documents in two segments; a few
    /// hundred documents so postings span several 128-doc blocks.
    struct Fixture {
        searcher: Searcher,
        fields: [tantivy::schema::Field; 4],
        other: tantivy::schema::Field,
    }

    fn fixture() -> Fixture {
        let mut builder = Schema::builder();
        let title = builder.add_text_field("title", TEXT);
        let title_en = builder.add_text_field("title_en", TEXT);
        let text = builder.add_text_field("text", TEXT);
        let text_en = builder.add_text_field("text_en", TEXT);
        let other = builder.add_text_field("other", STRING);
        let index = Index::create_in_ram(builder.build());
        // One indexing thread: each commit is one segment.
        let mut writer: IndexWriter = index
            .writer_with_num_threads(1, 15_000_000)
            .expect("writer");
        for segment in 0..2u32 {
            for i in 0..700u32 {
                let n = segment * 1000 + i;
                let mut doc = tantivy::TantivyDocument::default();
                if n % 7 == 0 {
                    doc.add_text(title, "radweg sanierung");
                }
                if n % 3 == 0 {
                    doc.add_text(text, "der radweg radweg wird gebaut");
                } else if n % 5 == 0 {
                    doc.add_text(
                        text,
                        "ein langer text über den radweg und viele andere wörter",
                    );
                } else {
                    doc.add_text(text, "sanierung der schule");
                }
                if n % 11 == 0 {
                    doc.add_text(text_en, "cycle path radweg");
                }
                if n % 13 == 0 {
                    doc.add_text(title_en, "school");
                }
                doc.add_text(other, if n % 2 == 0 { "even" } else { "odd" });
                writer.add_document(doc).expect("add");
            }
            writer.commit().expect("commit");
        }
        // Late documents beyond the 4,096-doc window of the buffered union.
        for i in 0..9000u32 {
            let mut doc = tantivy::TantivyDocument::default();
            doc.add_text(text, if i % 997 == 0 { "radweg" } else { "füllwort" });
            if i % 1500 == 0 {
                doc.add_text(title, "radweg");
            }
            doc.add_text(other, "late");
            writer.add_document(doc).expect("add");
        }
        writer.commit().expect("commit");
        let reader = index.reader().expect("reader");
        Fixture {
            searcher: reader.searcher(),
            fields: [title, title_en, text, text_en],
            other,
        }
    }

    fn word(fixture: &Fixture, word: &str, fields: &[(usize, Score)]) -> WordUnion {
        WordUnion::new(
            fields
                .iter()
                .map(|&(f, boost)| (Term::from_field_text(fixture.fields[f], word), boost))
                .collect(),
        )
    }

    /// Every `(segment, doc, score)` a query gives, in order.
    struct All;
    struct SegmentAll(SegmentOrdinal, Vec<(SegmentOrdinal, DocId, Score)>);
    impl Collector for All {
        type Fruit = Vec<(SegmentOrdinal, DocId, Score)>;
        type Child = SegmentAll;
        fn for_segment(
            &self,
            segment: SegmentOrdinal,
            _: &SegmentReader,
        ) -> tantivy::Result<SegmentAll> {
            Ok(SegmentAll(segment, Vec::new()))
        }
        fn requires_scoring(&self) -> bool {
            true
        }
        fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
            Ok(fruits.into_iter().flatten().collect())
        }
    }
    impl SegmentCollector for SegmentAll {
        type Fruit = Vec<(SegmentOrdinal, DocId, Score)>;
        fn collect(&mut self, doc: DocId, score: Score) {
            self.1.push((self.0, doc, score));
        }
        fn harvest(self) -> Self::Fruit {
            self.1
        }
    }

    /// Asserts that `ours` and `theirs` match the same documents with
    /// bit-identical scores.
    fn assert_same(fixture: &Fixture, ours: &dyn Query, theirs: &dyn Query) -> usize {
        let a = fixture.searcher.search(ours, &All).expect("ours");
        let b = fixture.searcher.search(theirs, &All).expect("theirs");
        assert_eq!(a.len(), b.len(), "number of matches");
        for (x, y) in a.iter().zip(&b) {
            assert_eq!((x.0, x.1), (y.0, y.1), "document");
            assert_eq!(x.2.to_bits(), y.2.to_bits(), "score of {:?}", x);
        }
        a.len()
    }

    /// The scorers of `query` and of its `BooleanQuery` in `segment`.
    fn scorers(
        fixture: &Fixture,
        query: &WordUnion,
        segment: usize,
    ) -> (Box<dyn Scorer>, Box<dyn Scorer>) {
        let scoring = EnableScoring::enabled_from_searcher(&fixture.searcher);
        let reader = fixture.searcher.segment_reader(segment as SegmentOrdinal);
        let ours = query.weight(scoring).expect("weight");
        let theirs = query.to_boolean().weight(scoring).expect("weight");
        (
            ours.scorer(reader, 1.0).expect("scorer"),
            theirs.scorer(reader, 1.0).expect("scorer"),
        )
    }

    #[test]
    fn advance_gives_the_boolean_querys_documents_and_scores() {
        let fixture = fixture();
        let query = word(&fixture, "radweg", &[(0, 2.0), (2, 1.0), (3, 1.0)]);
        let matches = assert_same(&fixture, &query, &query.to_boolean());
        assert!(matches > 500, "the fixture should match much: {matches}");
        for segment in 0..fixture.searcher.segment_readers().len() {
            let (mut ours, mut theirs) = scorers(&fixture, &query, segment);
            while theirs.doc() != TERMINATED {
                assert_eq!(ours.doc(), theirs.doc());
                assert_eq!(ours.score().to_bits(), theirs.score().to_bits());
                assert_eq!(ours.cost(), theirs.cost(), "cost at {}", theirs.doc());
                assert_eq!(ours.size_hint(), theirs.size_hint());
                theirs.advance();
                ours.advance();
            }
            assert_eq!(ours.doc(), TERMINATED);
            assert_eq!(ours.advance(), TERMINATED, "advancing past the end");
        }
    }

    #[test]
    fn seek_lands_on_the_same_documents_including_past_the_end() {
        let fixture = fixture();
        let query = word(
            &fixture,
            "radweg",
            &[(0, 2.0), (1, 2.0), (2, 1.0), (3, 1.0)],
        );
        for segment in 0..fixture.searcher.segment_readers().len() {
            let max_doc = fixture
                .searcher
                .segment_reader(segment as SegmentOrdinal)
                .max_doc();
            // Short and long jumps: within a block, across blocks, across
            // the buffered union's 4,096-doc window, a target equal to the
            // current document.
            for step in [1u32, 5, 130, 999, 4_100] {
                let (mut ours, mut theirs) = scorers(&fixture, &query, segment);
                let mut target = ours.doc();
                while target < max_doc + 2 * step {
                    let expected = theirs.seek(target);
                    assert_eq!(ours.seek(target), expected, "seek({target}) step {step}");
                    if expected != TERMINATED {
                        assert_eq!(ours.score().to_bits(), theirs.score().to_bits());
                    }
                    assert_eq!(ours.cost(), theirs.cost(), "cost after seek({target})");
                    target += step;
                }
                assert_eq!(ours.seek(TERMINATED), TERMINATED);
                assert_eq!(ours.doc(), TERMINATED, "seek past the end");
                assert_eq!(ours.cost(), 0);
            }
        }
    }

    #[test]
    fn fields_without_the_term_are_left_out() {
        let fixture = fixture();
        // "school" is only in title_en, "schule" only in text; "fahrrad"
        // nowhere.
        let school = word(&fixture, "school", &[(0, 2.0), (1, 2.0), (2, 1.0)]);
        assert!(assert_same(&fixture, &school, &school.to_boolean()) > 50);
        let nothing = word(&fixture, "fahrrad", &[(0, 2.0), (2, 1.0)]);
        assert_eq!(assert_same(&fixture, &nothing, &nothing.to_boolean()), 0);
        let (scorer, _) = scorers(&fixture, &nothing, 0);
        assert_eq!(scorer.doc(), TERMINATED);
    }

    #[test]
    fn one_field_only_scores_like_its_term_query() {
        let fixture = fixture();
        let query = word(&fixture, "sanierung", &[(2, 1.0)]);
        assert!(assert_same(&fixture, &query, &query.to_boolean()) > 100);
        let term = TermQuery::new(
            Term::from_field_text(fixture.fields[2], "sanierung"),
            IndexRecordOption::WithFreqs,
        );
        assert_same(&fixture, &query, &term);
        let boosted = word(&fixture, "sanierung", &[(0, 2.0)]);
        assert!(assert_same(&fixture, &boosted, &boosted.to_boolean()) > 10);
    }

    #[test]
    fn inside_intersections_and_synonyms_the_scores_are_unchanged() {
        let fixture = fixture();
        let radweg = word(&fixture, "radweg", &[(0, 2.0), (2, 1.0), (3, 1.0)]);
        let sanierung = word(&fixture, "sanierung", &[(0, 2.0), (2, 1.0)]);
        let der = word(&fixture, "der", &[(0, 2.0), (2, 1.0)]);
        let even: Box<dyn Query> = Box::new(TermQuery::new(
            Term::from_field_text(fixture.other, "even"),
            IndexRecordOption::Basic,
        ));
        let and = |parts: Vec<Box<dyn Query>>| -> BooleanQuery {
            BooleanQuery::new(parts.into_iter().map(|q| (Occur::Must, q)).collect())
        };
        let ours = and(vec![
            Box::new(radweg.clone()),
            Box::new(sanierung.clone()),
            Box::new(der.clone()),
            even.box_clone(),
        ]);
        let theirs = and(vec![
            Box::new(radweg.to_boolean()),
            Box::new(sanierung.to_boolean()),
            Box::new(der.to_boolean()),
            even.box_clone(),
        ]);
        assert!(assert_same(&fixture, &ours, &theirs) > 0);
        // A word OR its synonym (boosted), AND another word.
        let synonym = |a: Box<dyn Query>, b: Box<dyn Query>| -> BooleanQuery {
            BooleanQuery::new(vec![
                (Occur::Should, a),
                (Occur::Should, Box::new(BoostQuery::new(b, 0.8))),
            ])
        };
        let ours = and(vec![
            Box::new(synonym(Box::new(radweg.clone()), Box::new(der.clone()))),
            Box::new(sanierung.clone()),
        ]);
        let theirs = and(vec![
            Box::new(synonym(
                Box::new(radweg.to_boolean()),
                Box::new(der.to_boolean()),
            )),
            Box::new(sanierung.to_boolean()),
        ]);
        assert!(assert_same(&fixture, &ours, &theirs) > 0);
    }

    #[test]
    fn cost_after_a_long_seek_is_the_buffered_unions() {
        // An intersection sorts its parts by cost after aligning them, and
        // sums their scores in that order: the costs must agree then too.
        let fixture = fixture();
        let radweg = word(&fixture, "radweg", &[(0, 2.0), (2, 1.0), (3, 1.0)]);
        let late = fixture
            .searcher
            .segment_readers()
            .iter()
            .position(|reader| reader.max_doc() == 9000)
            .expect("the segment of late documents");
        let (mut ours, mut theirs) = scorers(&fixture, &radweg, late);
        let full = theirs.cost();
        assert_eq!(ours.cost(), full);
        assert_eq!(ours.seek(4_500), theirs.seek(4_500));
        assert_eq!(ours.cost(), theirs.cost());
        assert!(
            theirs.cost() < full,
            "fields ending within the new window no longer count"
        );
    }

    #[test]
    fn bm25_is_tantivys_to_the_bit() {
        for (doc_freq, num_docs) in [(1u64, 1u64), (1, 33_700), (663, 10_400), (33_700, 33_700)] {
            for average in [0.5 as Score, 1.484_230_8, 7.25, 312.9] {
                let ours = Bm25::new(doc_freq, num_docs, average);
                let theirs = Bm25Weight::for_one_term(doc_freq, num_docs, average);
                for boost in [1.0 as Score, 2.0, 0.8, 1.6] {
                    let (ours, theirs) = (ours.boost_by(boost), theirs.boost_by(boost));
                    for id in 0..=255u8 {
                        for term_freq in [1u32, 2, 3, 17, 1000] {
                            assert_eq!(
                                ours.score(id, term_freq).to_bits(),
                                theirs.score(id, term_freq).to_bits(),
                                "df {doc_freq} N {num_docs} avg {average} boost {boost} id {id} tf {term_freq}"
                            );
                        }
                    }
                }
            }
        }
    }

    /// What the statistics would know of `query`'s clauses in `searcher`.
    fn known_of(query: &WordUnion, searcher: &Searcher) -> Known {
        let readers = searcher.segment_readers();
        let clauses = query
            .inner
            .clauses
            .iter()
            .map(|(term, _)| KnownClause {
                infos: readers
                    .iter()
                    .map(|r| {
                        r.inverted_index(term.field())
                            .expect("inverted index")
                            .get_term_info(term)
                            .expect("term info")
                    })
                    .collect(),
                inverted: readers
                    .iter()
                    .map(|r| r.inverted_index(term.field()).expect("inverted index"))
                    .collect(),
                fieldnorms: readers
                    .iter()
                    .map(|r| {
                        r.fieldnorms_readers()
                            .get_field(term.field())
                            .expect("fieldnorms")
                    })
                    .collect(),
            })
            .collect();
        Known {
            segments: readers.iter().map(|r| r.segment_id()).collect(),
            clauses,
        }
    }

    #[test]
    fn known_dictionary_entries_give_the_same_matches() {
        let fixture = fixture();
        let query = word(
            &fixture,
            "radweg",
            &[(0, 2.0), (1, 2.0), (2, 1.0), (3, 1.0)],
        );
        let clauses = query.inner.clauses.clone();
        let known = WordUnion::with_known(clauses.clone(), known_of(&query, &fixture.searcher));
        assert!(known.inner.known.is_some());
        assert!(assert_same(&fixture, &known, &query.to_boolean()) > 500);
        // Entries of other segments (another searcher's): looked up again,
        // even when they claim the term is nowhere.
        let mut elsewhere = known_of(&query, &fixture.searcher);
        elsewhere.segments = elsewhere
            .segments
            .iter()
            .map(|_| SegmentId::generate_random())
            .collect();
        for clause in &mut elsewhere.clauses {
            clause.infos = clause.infos.iter().map(|_| None).collect();
        }
        let stale = WordUnion::with_known(clauses.clone(), elsewhere);
        assert!(stale.inner.known.is_some());
        assert!(assert_same(&fixture, &stale, &query.to_boolean()) > 500);
        // Entries of these very segments are used as they are: claiming the
        // term is nowhere gives no match (so the matches above came from
        // the entries, not from looking the term up again).
        let mut nowhere = known_of(&query, &fixture.searcher);
        for clause in &mut nowhere.clauses {
            clause.infos = clause.infos.iter().map(|_| None).collect();
        }
        let nowhere = WordUnion::with_known(clauses.clone(), nowhere);
        assert!(nowhere.inner.known.is_some());
        assert_eq!(
            fixture.searcher.search(&nowhere, &All).expect("search"),
            vec![]
        );
        // Entries that do not fit the clauses are not used.
        let mut short = known_of(&query, &fixture.searcher);
        short.clauses.pop();
        assert!(WordUnion::with_known(clauses, short).inner.known.is_none());
    }

    /// The explanation's total is the boolean query's score to the bit; its
    /// tree is flatter (no separate boost node: each field's detail holds
    /// the boosted weight, whose last bit may differ from tantivy's).
    #[test]
    fn terms_and_explanation_totals_are_the_boolean_querys() {
        let fixture = fixture();
        let query = word(&fixture, "radweg", &[(0, 2.0), (2, 1.0)]);
        let mut ours = Vec::new();
        query.query_terms(&mut |term, positions| ours.push((term.clone(), positions)));
        let mut theirs = Vec::new();
        query
            .to_boolean()
            .query_terms(&mut |term, positions| theirs.push((term.clone(), positions)));
        assert_eq!(ours, theirs);
        let first = fixture.searcher.search(&query, &All).expect("search")[0];
        let address = tantivy::DocAddress::new(first.0, first.1);
        let explanation = query.explain(&fixture.searcher, address).expect("explain");
        assert_eq!(explanation.value().to_bits(), first.2.to_bits());
        assert!(query
            .explain(&fixture.searcher, tantivy::DocAddress::new(0, 1))
            .is_err());
        // A first clause whose term is nowhere: the explanation still
        // names the clause that matched.
        let text_only = word(&fixture, "radweg", &[(1, 2.0), (2, 1.0)]);
        let hit = fixture.searcher.search(&text_only, &All).expect("search")[0];
        let explanation = text_only
            .explain(&fixture.searcher, tantivy::DocAddress::new(hit.0, hit.1))
            .expect("explain");
        assert_eq!(explanation.value().to_bits(), hit.2.to_bits());
        let json = explanation.to_pretty_json();
        let field = format!("field={}", fixture.fields[2].field_id());
        assert!(json.contains(&field), "{json}");
        assert!(!json.contains(&format!("field={}", fixture.fields[1].field_id())));
        // With scoring disabled the query is the boolean one.
        let count = fixture
            .searcher
            .search(&query, &tantivy::collector::Count)
            .expect("count");
        let expected = fixture
            .searcher
            .search(&query.to_boolean(), &tantivy::collector::Count)
            .expect("count");
        assert_eq!(count, expected);
    }

    /// Four segments of varied sizes and lengths, deleted documents, a field
    /// without norms, a field missing from one segment and a term missing
    /// from another; words in intersections with a constant-score filter
    /// and a boosted optional word, under exclusion, and in a three-word
    /// OR. Enough distinct scores that summing the fields in another order
    /// fails it (checked by reversing `score`'s loop).
    #[test]
    fn random_segments_and_combinations_score_like_the_boolean_query() {
        use tantivy::schema::{TextFieldIndexing, TextOptions};
        let mut builder = Schema::builder();
        let without_norms = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_fieldnorms(false)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let fields = [
            builder.add_text_field("a", TEXT),
            builder.add_text_field("b", without_norms),
            builder.add_text_field("c", TEXT),
            builder.add_text_field("d", TEXT),
        ];
        let other = builder.add_text_field("other", STRING);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index
            .writer_with_num_threads(1, 15_000_000)
            .expect("writer");
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        let mut state: u64 = 0x1234_5678_9abc_def1;
        let mut next = move |bound: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % bound
        };
        let words = [
            "alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta", "fill", "fill",
            "fill", "fill",
        ];
        for (segment, size) in [300u32, 9000, 50, 6000].into_iter().enumerate() {
            for i in 0..size {
                let mut doc = tantivy::TantivyDocument::default();
                for (k, field) in fields.iter().enumerate() {
                    if segment == 2 && k == 0 {
                        continue; // field a absent from a segment
                    }
                    let len = 1 + next(if k == 0 { 6 } else { 40 });
                    let mut text = String::new();
                    for _ in 0..len {
                        let mut w = words[next(words.len() as u64) as usize];
                        if segment == 1 && w == "gamma" {
                            w = "fill"; // a term missing from a segment
                        }
                        text.push_str(w);
                        text.push(' ');
                    }
                    doc.add_text(*field, &text);
                }
                doc.add_text(other, if i % 3 == 0 { "x" } else { "y" });
                writer.add_document(doc).expect("add");
            }
            writer.commit().expect("commit");
        }
        writer.delete_term(Term::from_field_text(other, "x"));
        writer.commit().expect("commit");
        let searcher = index.reader().expect("reader").searcher();
        assert!(searcher
            .segment_readers()
            .iter()
            .any(|r| r.num_deleted_docs() > 0));
        let fixture = Fixture {
            searcher,
            fields,
            other,
        };
        let boosts = [(0usize, 3.0), (1, 3.0), (2, 1.0), (3, 1.0)];
        let unions: Vec<WordUnion> = ["alpha", "beta", "gamma", "delta", "eps"]
            .iter()
            .map(|w| word(&fixture, w, &boosts))
            .collect();
        let filter: Box<dyn Query> = Box::new(tantivy::query::ConstScoreQuery::new(
            Box::new(TermQuery::new(
                Term::from_field_text(other, "y"),
                IndexRecordOption::Basic,
            )),
            0.0,
        ));
        // The same combination built from our unions and from the boolean ones.
        type Shape<'s> = &'s dyn Fn(&dyn Fn(usize) -> Box<dyn Query>) -> BooleanQuery;
        let mut checked = 0;
        for i in 0..unions.len() {
            for j in (0..unions.len()).filter(|&j| j != i) {
                for k in 0..unions.len() {
                    let shapes: [Shape; 3] = [
                        &|q| {
                            BooleanQuery::new(vec![
                                (Occur::Must, q(i)),
                                (Occur::Must, q(j)),
                                (Occur::Should, Box::new(BoostQuery::new(q(k), 0.8))),
                                (Occur::Must, filter.box_clone()),
                            ])
                        },
                        &|q| {
                            BooleanQuery::new(vec![
                                (Occur::Must, q(i)),
                                (Occur::MustNot, q(j)),
                                (Occur::Must, q(k)),
                            ])
                        },
                        &|q| {
                            BooleanQuery::new(vec![
                                (Occur::Should, q(i)),
                                (Occur::Should, q(j)),
                                (Occur::Should, q(k)),
                            ])
                        },
                    ];
                    for shape in shapes {
                        let ours = shape(&|n| Box::new(unions[n].clone()));
                        let theirs = shape(&|n| Box::new(unions[n].to_boolean()));
                        checked += assert_same(&fixture, &ours, &theirs);
                        let count = |q: &BooleanQuery| {
                            fixture
                                .searcher
                                .search(q, &tantivy::collector::Count)
                                .expect("count")
                        };
                        assert_eq!(count(&ours), count(&theirs));
                    }
                }
            }
        }
        assert!(checked > 100_000, "only {checked} matches compared");
    }
}
