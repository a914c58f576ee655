//! A parsed query ([`super::query::Node`]) → tantivy queries.
//!
//! Takes the syntax tree, the index and a searcher; gives one tantivy query
//! per [`MatchMode`], the typo corrections and synonym expansions it made.
//! Resolution (analysis, synonyms, corrections, prefix expansion) happens
//! once into a [`Resolved`] tree whose leaves are finished tantivy queries;
//! the AND and the OR-fallback query are then assembled from the same tree.
//!
//! * A word or phrase is analysed with each field's *query* chain
//!   ([`crate::analysis::query_tokenizers`]) and searched in
//!   [`Fields::query_fields`], titles boosted by [`TITLE_BOOST`]; a field
//!   in which a term occurs nowhere is left out (it could match nothing;
//!   most words never occur in the English fields). A word that is one
//!   term in every field where it occurs becomes a [`WordUnion`] (the
//!   same matches and scores as the `BooleanQuery` of those fields, with a
//!   lazy union that intersections can skip through). Document frequencies
//!   are looked up once per request ([`Stats`], also the BM25 statistics
//!   of the search). A word
//!   that analyses to several tokens ("Ilm-Kreis") and a phrase become a
//!   `PhraseQuery` over the token positions — stemmed, so "Weißer Ring"
//!   finds „Weißen Ring“. A word the German chain drops is a stop word and
//!   is left out.
//! * Synonyms ([`Synonyms`]): a word, a run of adjacent words or a phrase
//!   equal to a variant becomes `original OR variant₁ OR …` (variants
//!   weighted [`SYNONYM_BOOST`]).
//! * Compounds: a word that occurs nowhere in the query fields and has no
//!   synonyms, but that the index-time decompounder splits into parts that
//!   all occur ("Busausfälle" → Bus, Ausfälle), is replaced by the AND of
//!   its parts (not a phrase: the text may say "Ausfälle im Busverkehr"),
//!   which stays a conjunction in the OR fallback (it is one typed word).
//!   Reported like a typo correction. Tried before typo correction, which
//!   would otherwise turn a compound into some similar-looking word.
//! * Typos: a word of ≥ 5 letters whose terms occur nowhere in the query
//!   fields (document frequency 0) and that has no synonyms is replaced by
//!   the closest indexed term within edit distance 1 (5–8 letters) or 2
//!   (longer), transpositions counting 1; ties go to the more frequent term.
//!   The replacement is a plain term query, so snippets highlight it and
//!   the result can name it.
//! * `prefix*`: the indexed terms starting with the lowercased, normalised
//!   prefix or with its stem (index terms are stems), at most
//!   [`MAX_PREFIX_TERMS`] of them (the most frequent).

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::index::{InvertedIndexReader, SegmentId};
use tantivy::postings::TermInfo;
use tantivy::query::{
    AllQuery, Bm25StatisticsProvider, BooleanQuery, BoostQuery, EmptyQuery, FuzzyTermQuery, Occur,
    PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Score, Searcher, SegmentReader, Term};

use super::query::{Node, QueryError, Span};
use super::word_union::{Known, KnownClause, WordUnion};
use super::{MatchMode, TITLE_BOOST};
use crate::analysis::decompound::split_compound;
use crate::analysis::synonyms::Synonyms;
use crate::analysis::{german_normalize, query_analyzer, Lang};
use crate::error::{Error, Result};
use crate::index::Fields;

/// Weight of a synonym variant relative to the word the user typed.
pub const SYNONYM_BOOST: Score = 0.8;
/// Most index terms a `prefix*` expands to.
pub const MAX_PREFIX_TERMS: usize = 200;

/// A word replaced by the closest indexed term, or by its compound parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Fix {
    /// Where the word is in the query.
    pub span: Span,
    /// The word as typed.
    pub word: String,
    /// The indexed terms it was replaced by (analysed form): one for a typo
    /// correction, the parts for a split compound.
    pub terms: Vec<String>,
    /// How to write each term when no hit shows it: the term itself for a
    /// typo, the part with the word's capitalisation for a compound.
    pub written: Vec<String>,
    pub lang: Lang,
}

/// A word or words expanded by synonyms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Expansion {
    pub words: String,
    pub variants: Vec<String>,
}

/// The query tree with finished leaves.
pub(super) enum Resolved {
    Leaf(Box<dyn Query>),
    And(Vec<Resolved>),
    Or(Vec<Resolved>),
    Not(Box<Resolved>),
}

impl Resolved {
    /// The tantivy query for a match mode: implicit conjunctions are `Must`
    /// (All) or `Should` (Any); exclusions are always `MustNot`. A
    /// conjunction with exclusions only matches everything else.
    pub fn query(&self, mode: MatchMode) -> Box<dyn Query> {
        match self {
            Resolved::Leaf(query) => query.box_clone(),
            Resolved::Or(options) => Box::new(BooleanQuery::new(
                options
                    .iter()
                    .map(|o| (Occur::Should, o.query(mode)))
                    .collect(),
            )),
            Resolved::Not(_) => Resolved::And(vec![]).query_with(std::slice::from_ref(self), mode),
            Resolved::And(parts) => self.query_with(parts, mode),
        }
    }

    fn query_with(&self, parts: &[Resolved], mode: MatchMode) -> Box<dyn Query> {
        let occur = match mode {
            MatchMode::All => Occur::Must,
            MatchMode::Any => Occur::Should,
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = parts
            .iter()
            .map(|p| match p {
                Resolved::Not(inner) => (Occur::MustNot, inner.query(mode)),
                other => (occur, other.query(mode)),
            })
            .collect();
        if clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// True when the query has words to search for (not only exclusions).
    pub fn is_positive(&self) -> bool {
        match self {
            Resolved::Leaf(_) | Resolved::Or(_) => true,
            Resolved::Not(_) => false,
            Resolved::And(parts) => parts.iter().any(Resolved::is_positive),
        }
    }

    /// True when some conjunction has two or more positive parts, i.e. the
    /// OR fallback could find more than the AND query.
    pub fn has_conjunction(&self) -> bool {
        match self {
            Resolved::Leaf(_) => false,
            Resolved::Not(inner) => inner.has_conjunction(),
            Resolved::Or(parts) => parts.iter().any(Resolved::has_conjunction),
            Resolved::And(parts) => {
                parts.iter().filter(|p| p.is_positive()).count() > 1
                    || parts.iter().any(Resolved::has_conjunction)
            }
        }
    }
}

/// The index statistics one request needs, each looked up once: document
/// frequencies (the typo and compound checks, the pruning of query fields,
/// BM25 weights of the AND and the OR run, snippets) and the token count
/// of each field. tantivy's own provider (the searcher) reads a term's
/// frequency from every segment's dictionary each time a weight is made.
/// The values are the searcher's, so scores do not change.
///
/// A term's dictionary entry in each segment is kept too
/// ([`Stats::term_infos`]): a [`WordUnion`] opens its postings from it
/// instead of looking the term up in every segment's dictionary again.
pub(super) struct Stats<'a> {
    searcher: &'a Searcher,
    /// Per term: passages containing it, and its entry per segment (in
    /// the order of `segments`).
    doc_freqs: RefCell<FxHashMap<Term, (u64, TermInfos)>>,
    segments: Arc<[SegmentId]>,
    /// Per field: its inverted index and field norms in each segment.
    inverted: RefCell<Vec<(Field, PerSegment<Arc<InvertedIndexReader>>)>>,
    fieldnorms: RefCell<Vec<(Field, PerSegment<Option<FieldNormReader>>)>>,
    /// The entries of a term in no segment (shared).
    absent: TermInfos,
    tokens: RefCell<Vec<(Field, u64)>>,
}

/// A term's dictionary entry in each segment of a searcher (`None` where
/// the segment lacks the term).
pub(super) type TermInfos = PerSegment<Option<TermInfo>>;

/// One value per segment of a searcher, in segment order.
pub(super) type PerSegment<T> = Arc<[T]>;

/// `field`'s value in each segment of `searcher`, from `cache` or read
/// with `read` and kept there (a request uses a handful of fields, so a
/// list is enough).
fn per_field<T>(
    cache: &RefCell<Vec<(Field, PerSegment<T>)>>,
    searcher: &Searcher,
    field: Field,
    read: impl Fn(&SegmentReader) -> tantivy::Result<T>,
) -> tantivy::Result<PerSegment<T>> {
    if let Some((_, values)) = cache.borrow().iter().find(|(f, _)| *f == field) {
        return Ok(Arc::clone(values));
    }
    let values = searcher
        .segment_readers()
        .iter()
        .map(read)
        .collect::<tantivy::Result<Arc<[T]>>>()?;
    cache.borrow_mut().push((field, Arc::clone(&values)));
    Ok(values)
}

/// Analysed tokens with their positions.
type Tokens = Arc<[(usize, String)]>;

impl<'a> Stats<'a> {
    pub fn new(searcher: &'a Searcher) -> Stats<'a> {
        let segments: Arc<[SegmentId]> = searcher
            .segment_readers()
            .iter()
            .map(SegmentReader::segment_id)
            .collect();
        Stats {
            searcher,
            doc_freqs: RefCell::new(FxHashMap::with_capacity_and_hasher(32, Default::default())),
            absent: segments.iter().map(|_| None).collect(),
            segments,
            inverted: RefCell::new(Vec::new()),
            fieldnorms: RefCell::new(Vec::new()),
            tokens: RefCell::new(Vec::new()),
        }
    }

    /// `field`'s inverted index in each segment (looked up once).
    pub fn inverted(&self, field: Field) -> tantivy::Result<PerSegment<Arc<InvertedIndexReader>>> {
        per_field(&self.inverted, self.searcher, field, |reader| {
            reader.inverted_index(field)
        })
    }

    /// `field`'s field norms in each segment (looked up once).
    pub fn fieldnorms(&self, field: Field) -> tantivy::Result<PerSegment<Option<FieldNormReader>>> {
        per_field(&self.fieldnorms, self.searcher, field, |reader| {
            reader.fieldnorms_readers().get_field(field)
        })
    }

    /// Passages containing `term`, over all segments (the sum of its
    /// per-segment document frequencies, as `Searcher::doc_freq`).
    pub fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        Ok(self.lookup(term)?.0)
    }

    /// `term`'s dictionary entry in each segment, in segment order.
    pub fn term_infos(&self, term: &Term) -> tantivy::Result<TermInfos> {
        Ok(self.lookup(term)?.1)
    }

    /// The searcher's segments, in the order of [`Stats::term_infos`].
    pub fn segments(&self) -> Arc<[SegmentId]> {
        Arc::clone(&self.segments)
    }

    fn lookup(&self, term: &Term) -> tantivy::Result<(u64, TermInfos)> {
        if let Some((n, infos)) = self.doc_freqs.borrow().get(term) {
            return Ok((*n, Arc::clone(infos)));
        }
        let mut n = 0u64;
        let inverted = self.inverted(term.field())?;
        // On the stack for the usual few segments: most terms of the
        // English fields occur nowhere and need no allocation.
        let mut few: [Option<TermInfo>; 8] = Default::default();
        let mut many = Vec::new();
        for (s, inverted) in inverted.iter().enumerate() {
            let info = inverted.get_term_info(term)?;
            n += info.as_ref().map_or(0, |info| u64::from(info.doc_freq));
            match few.get_mut(s) {
                Some(slot) => *slot = info,
                None => many.push(info),
            }
        }
        let infos: TermInfos = if n == 0 {
            Arc::clone(&self.absent)
        } else if many.is_empty() {
            few[..inverted.len()].iter().cloned().collect()
        } else {
            few.into_iter().chain(many).collect()
        };
        self.doc_freqs
            .borrow_mut()
            .insert(term.clone(), (n, Arc::clone(&infos)));
        Ok((n, infos))
    }
}

impl Bm25StatisticsProvider for Stats<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        if let Some(&(_, n)) = self.tokens.borrow().iter().find(|(f, _)| *f == field) {
            return Ok(n);
        }
        let n = Bm25StatisticsProvider::total_num_tokens(self.searcher, field)?;
        self.tokens.borrow_mut().push((field, n));
        Ok(n)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Bm25StatisticsProvider::total_num_docs(self.searcher)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        Stats::doc_freq(self, term)
    }
}

/// Resolves a parsed query against one searcher.
pub(super) struct Builder<'a> {
    searcher: &'a Searcher,
    /// Statistics looked up so far (the search and the snippets reuse them).
    pub stats: Stats<'a>,
    fields: &'a Fields,
    synonyms: &'a Synonyms,
    german: TextAnalyzer,
    english: TextAnalyzer,
    pub fixes: Vec<Fix>,
    pub expansions: Vec<Expansion>,
    /// Words left out as stop words.
    pub stop_words: Vec<String>,
    /// Query analysis of each text so far: German, English.
    analysed: [FxHashMap<String, Tokens>; 2],
}

impl<'a> Builder<'a> {
    pub fn new(searcher: &'a Searcher, fields: &'a Fields) -> Result<Builder<'a>> {
        Ok(Builder {
            searcher,
            stats: Stats::new(searcher),
            fields,
            synonyms: Synonyms::global()?,
            german: query_analyzer(Lang::German),
            english: query_analyzer(Lang::English),
            fixes: Vec::new(),
            expansions: Vec::new(),
            stop_words: Vec::new(),
            analysed: [
                FxHashMap::with_capacity_and_hasher(8, Default::default()),
                FxHashMap::with_capacity_and_hasher(8, Default::default()),
            ],
        })
    }

    /// The resolved tree, or `None` when nothing searchable is left (only
    /// stop words).
    pub fn resolve(&mut self, node: &Node) -> Result<Option<Resolved>> {
        Ok(match node {
            Node::Word { text, prefix, span } => {
                if *prefix {
                    Some(Resolved::Leaf(self.prefix(text)?))
                } else {
                    self.word(text, *span)?
                }
            }
            Node::Phrase { text, .. } => self.words(text)?,
            Node::Not(inner) => self.resolve(inner)?.map(|r| Resolved::Not(Box::new(r))),
            Node::Or(options) => {
                let mut out = Vec::new();
                for option in options {
                    out.extend(self.resolve(option)?);
                }
                match out.len() {
                    0 => None,
                    1 => out.pop(),
                    _ => Some(Resolved::Or(out)),
                }
            }
            Node::And(parts) => {
                let mut out = self.sequence(parts)?;
                if !out.is_empty() && !out.iter().any(Resolved::is_positive) {
                    return Err(Error::Query(QueryError::at(
                        "the group only excludes words (the others are stop words)",
                        first_column(parts),
                    )));
                }
                match out.len() {
                    0 => None,
                    1 => out.pop(),
                    _ => Some(Resolved::And(out)),
                }
            }
        })
    }

    /// Parts of a conjunction; runs of plain words that together are a
    /// synonym variant ("Kassenärztliche Vereinigung") are expanded as one.
    fn sequence(&mut self, parts: &[Node]) -> Result<Vec<Resolved>> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < parts.len() {
            let run = plain_words(&parts[i..], self.synonyms.max_tokens());
            let mut matched = false;
            for len in (2..=run.len()).rev() {
                let text = run[..len].join(" ");
                let key = self.key(&text);
                if self.synonyms.contains(&key) {
                    out.extend(self.words(&text)?);
                    i += len;
                    matched = true;
                    break;
                }
            }
            if !matched {
                out.extend(self.resolve(&parts[i])?);
                i += 1;
            }
        }
        Ok(out)
    }

    /// A single word: synonyms, else a typo correction when it matches
    /// nothing, else the word.
    fn word(&mut self, text: &str, span: Span) -> Result<Option<Resolved>> {
        let key = self.key(text);
        if key.is_empty() {
            self.stop_words.push(text.to_string());
            return Ok(None);
        }
        if key.len() == 1 && self.synonyms.variants(&key).is_empty() && !self.occurs(text)? {
            if let Some((parts, terms)) = self.compound_parts(text)? {
                // One typed word: its parts stay a conjunction even in the OR
                // fallback, which relaxes between the user's words only.
                let mut group: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(parts.len());
                for part in &parts {
                    if let Some(resolved) = self.words(part)? {
                        group.push((Occur::Must, resolved.query(MatchMode::All)));
                    }
                }
                let capital = text.chars().next().is_some_and(char::is_uppercase);
                let written = parts
                    .iter()
                    .map(|part| {
                        if capital {
                            capitalised(part)
                        } else {
                            part.clone()
                        }
                    })
                    .collect();
                self.fixes.push(Fix {
                    span,
                    word: text.to_string(),
                    terms,
                    written,
                    lang: Lang::German,
                });
                return Ok(Some(Resolved::Leaf(Box::new(BooleanQuery::new(group)))));
            }
            if let Some(fix) = self.closest_term(text)? {
                let query = self.term_query(fix.lang, &fix.terms[0])?;
                self.fixes.push(Fix { span, ..fix });
                return Ok(Some(Resolved::Leaf(query)));
            }
        }
        self.words(text)
    }

    /// A compound that matches nothing, split by the index's decompounder
    /// ("Busausfälle" → `bus`, `ausfälle`): its parts and their analysed
    /// terms, if every part occurs in the index.
    fn compound_parts(&mut self, word: &str) -> Result<Option<(Vec<String>, Vec<String>)>> {
        let Some(parts) = split_compound(&word.to_lowercase()) else {
            return Ok(None);
        };
        let mut terms = Vec::with_capacity(parts.len());
        for part in &parts {
            if !self.occurs(part)? {
                return Ok(None);
            }
            match &*self.tokens(Lang::German, part) {
                [(_, term)] => terms.push(term.clone()),
                _ => return Ok(None),
            }
        }
        Ok(Some((parts, terms)))
    }

    /// Words (a phrase if several), expanded by synonyms.
    fn words(&mut self, text: &str) -> Result<Option<Resolved>> {
        let Some(original) = self.text_query(text)? else {
            self.stop_words.push(text.to_string());
            return Ok(None);
        };
        let key = self.key(text);
        let variants = self.synonyms.variants(&key);
        if variants.is_empty() {
            return Ok(Some(Resolved::Leaf(original)));
        }
        let mut options: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, original)];
        for variant in &variants {
            if let Some(query) = self.text_query(variant)? {
                options.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(query, SYNONYM_BOOST)),
                ));
            }
        }
        self.expansions.push(Expansion {
            words: text.to_string(),
            variants: variants.iter().map(|v| v.to_string()).collect(),
        });
        Ok(Some(Resolved::Leaf(Box::new(BooleanQuery::new(options)))))
    }

    fn analyzer(&mut self, lang: Lang) -> &mut TextAnalyzer {
        match lang {
            Lang::German => &mut self.german,
            Lang::English => &mut self.english,
        }
    }

    /// Analysed tokens with their positions. Each text is analysed once
    /// per language and request: a word is looked at by the synonym check,
    /// `occurs`, the compound and typo checks and the field queries.
    fn tokens(&mut self, lang: Lang, text: &str) -> Tokens {
        let slot = match lang {
            Lang::German => 0,
            Lang::English => 1,
        };
        if let Some(tokens) = self.analysed[slot].get(text) {
            return Arc::clone(tokens);
        }
        let mut out = Vec::new();
        {
            let mut stream = self.analyzer(lang).token_stream(text);
            while let Some(token) = stream.next() {
                out.push((token.position, token.text.clone()));
            }
        }
        let out: Tokens = out.into();
        self.analysed[slot].insert(text.to_string(), Arc::clone(&out));
        out
    }

    /// The synonym key of `text` ([`Synonyms::key`]: its German query
    /// terms), from the cached analysis.
    fn key(&mut self, text: &str) -> Vec<String> {
        self.tokens(Lang::German, text)
            .iter()
            .map(|(_, token)| token.clone())
            .collect()
    }

    /// `(field, language, boost)` of every query field.
    fn query_fields(&self) -> [(Field, Lang, Score); 4] {
        let f = self.fields;
        [
            (f.title_de, Lang::German, TITLE_BOOST),
            (f.title_en, Lang::English, TITLE_BOOST),
            (f.text_de, Lang::German, 1.0),
            (f.text_en, Lang::English, 1.0),
        ]
    }

    /// The words of `text` in every query field: a term, or a phrase for
    /// several tokens. `None` when German analysis leaves nothing. A field
    /// where a term occurs nowhere is left out: its clause would match
    /// nothing and add nothing to a score, yet cost a dictionary lookup per
    /// segment (most words never occur in the English fields).
    fn text_query(&mut self, text: &str) -> Result<Option<Box<dyn Query>>> {
        let german = self.tokens(Lang::German, text);
        if german.is_empty() {
            return Ok(None);
        }
        let english = self.tokens(Lang::English, text);
        // Per field where every token occurs: its boost and terms with
        // their positions relative to the first.
        let mut per_field: Vec<(Score, Vec<(usize, Term)>)> = Vec::new();
        for (field, lang, boost) in self.query_fields() {
            let tokens = match lang {
                Lang::German => &german,
                Lang::English => &english,
            };
            let Some(first) = tokens.first().map(|(pos, _)| *pos) else {
                continue;
            };
            let mut terms = Vec::with_capacity(tokens.len());
            for (pos, token) in tokens.iter() {
                let term = Term::from_field_text(field, token);
                if self.stats.doc_freq(&term)? == 0 {
                    break;
                }
                terms.push((pos - first, term));
            }
            if terms.len() < tokens.len() {
                continue;
            }
            per_field.push((boost, terms));
        }
        if !per_field.is_empty() && per_field.iter().all(|(_, terms)| terms.len() == 1) {
            let singles = per_field
                .into_iter()
                .filter_map(|(boost, mut terms)| Some((terms.pop()?.1, boost)))
                .collect();
            return Ok(Some(Box::new(self.word_union(singles)?)));
        }
        let per_field = per_field
            .into_iter()
            .map(|(boost, mut terms)| {
                let query: Box<dyn Query> = if terms.len() == 1 {
                    let (_, term) = terms.pop().expect("one term");
                    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
                } else {
                    Box::new(PhraseQuery::new_with_offset(terms))
                };
                (Occur::Should, boosted(query, boost))
            })
            .collect();
        Ok(Some(Box::new(BooleanQuery::new(per_field))))
    }

    /// One analysed term in the query fields of `lang` (where it occurs).
    fn term_query(&self, lang: Lang, term: &str) -> Result<Box<dyn Query>> {
        let mut clauses = Vec::new();
        for (field, _, boost) in self
            .query_fields()
            .into_iter()
            .filter(|(_, l, _)| *l == lang)
        {
            let term = Term::from_field_text(field, term);
            if self.stats.doc_freq(&term)? == 0 {
                continue;
            }
            clauses.push((term, boost));
        }
        if clauses.is_empty() {
            return Ok(Box::new(BooleanQuery::new(Vec::new())));
        }
        Ok(Box::new(self.word_union(clauses)?))
    }

    /// A [`WordUnion`] of `(term, boost)` per field, with the terms'
    /// dictionary entries looked up for the statistics.
    fn word_union(&self, clauses: Vec<(Term, Score)>) -> Result<WordUnion> {
        let mut known = Vec::with_capacity(clauses.len());
        for (term, _) in &clauses {
            known.push(KnownClause {
                infos: self.stats.term_infos(term)?,
                inverted: self.stats.inverted(term.field())?,
                fieldnorms: self.stats.fieldnorms(term.field())?,
            });
        }
        Ok(WordUnion::with_known(
            clauses,
            Known {
                segments: self.stats.segments(),
                clauses: known,
            },
        ))
    }

    /// True when some analysed term of `word` is in some query field.
    fn occurs(&mut self, word: &str) -> Result<bool> {
        for (field, lang, _) in self.query_fields() {
            for (_, token) in self.tokens(lang, word).iter() {
                if self.stats.doc_freq(&Term::from_field_text(field, token))? > 0 {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// The indexed term closest to `word`, if one is within the allowed
    /// edit distance.
    ///
    /// For a distance of 2 the terms within distance 1 are searched first:
    /// a term one edit away beats every term two edits away, and the
    /// automaton of distance 1 walks a small part of the term dictionary
    /// that the one of distance 2 walks (most typos are one edit). Only
    /// when nothing is one edit away are the terms two edits away searched,
    /// so the answer is the same as searching distance 2 at once.
    fn closest_term(&mut self, word: &str) -> Result<Option<Fix>> {
        let letters = word.chars().count();
        if !word.chars().all(char::is_alphabetic) {
            return Ok(None);
        }
        let distance: u8 = match letters {
            0..=4 => return Ok(None),
            5..=8 => 1,
            _ => 2,
        };
        let mut best = self.closest_within(word, 1)?;
        if best.is_none() && distance == 2 {
            best = self.closest_within(word, 2)?;
        }
        Ok(best.map(|(_, _, term, lang)| Fix {
            span: Span {
                start: 0,
                end: 0,
                column: 0,
            },
            word: word.to_string(),
            terms: vec![term.clone()],
            written: vec![term],
            lang,
        }))
    }

    /// The best indexed term within `distance` edits of `word`'s token in
    /// some query field: `(edit distance, -doc freq, term, language)`, the
    /// smallest tuple wins (ties go to the more frequent term).
    fn closest_within(
        &mut self,
        word: &str,
        distance: u8,
    ) -> Result<Option<(u32, i64, String, Lang)>> {
        let mut best: Option<(u32, i64, String, Lang)> = None;
        // The automaton depends on the token only: built once per distinct
        // token (the German fields share one), not per field.
        let mut automata: Vec<(String, tantivy::query::DfaWrapper)> = Vec::new();
        for (field, lang, _) in self.query_fields() {
            let tokens = self.tokens(lang, word);
            let [(_, token)] = &*tokens else {
                continue;
            };
            let at = match automata.iter().position(|(t, _)| t == token) {
                Some(at) => at,
                None => {
                    let fuzzy =
                        FuzzyTermQuery::new(Term::from_field_text(field, token), distance, true);
                    automata.push((token.clone(), fuzzy.automaton()?));
                    automata.len() - 1
                }
            };
            let automaton = &automata[at].1;
            let mut freq: HashMap<String, i64> = HashMap::new();
            for segment in self.searcher.segment_readers() {
                let inverted = segment.inverted_index(field)?;
                let mut stream = inverted
                    .terms()
                    .search(automaton)
                    .into_stream()
                    .map_err(tantivy::TantivyError::from)?;
                while stream.advance() {
                    if let Ok(term) = std::str::from_utf8(stream.key()) {
                        *freq.entry(term.to_string()).or_default() +=
                            i64::from(stream.value().doc_freq);
                    }
                }
            }
            for (term, n) in freq {
                let candidate = (edit_distance(token, &term), -n, term, lang);
                let better = best
                    .as_ref()
                    .is_none_or(|b| (candidate.0, candidate.1, &candidate.2) < (b.0, b.1, &b.2));
                if better {
                    best = Some(candidate);
                }
            }
        }
        Ok(best)
    }

    /// Terms starting with the prefix (or its stem) in every query field.
    fn prefix(&mut self, word: &str) -> Result<Box<dyn Query>> {
        let lower = word.to_lowercase();
        let mut per_field: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (field, lang, boost) in self.query_fields() {
            let mut prefixes = vec![match lang {
                Lang::German => german_normalize::normalize(&lower),
                Lang::English => lower.clone(),
            }];
            if let [(_, stem)] = &*self.tokens(lang, word) {
                if !prefixes.contains(stem) {
                    prefixes.push(stem.clone());
                }
            }
            let mut freq: HashMap<Vec<u8>, u64> = HashMap::new();
            for segment in self.searcher.segment_readers() {
                let inverted = segment.inverted_index(field)?;
                for prefix in &prefixes {
                    let mut stream = inverted
                        .terms()
                        .range()
                        .ge(prefix.as_bytes())
                        .into_stream()
                        .map_err(tantivy::TantivyError::from)?;
                    while stream.advance() {
                        if !stream.key().starts_with(prefix.as_bytes()) {
                            break;
                        }
                        *freq.entry(stream.key().to_vec()).or_default() +=
                            u64::from(stream.value().doc_freq);
                    }
                }
            }
            let mut terms: Vec<(Vec<u8>, u64)> = freq.into_iter().collect();
            terms.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            terms.truncate(MAX_PREFIX_TERMS);
            for (term, _) in terms {
                let Ok(term) = String::from_utf8(term) else {
                    continue;
                };
                let query = TermQuery::new(
                    Term::from_field_text(field, &term),
                    IndexRecordOption::WithFreqs,
                );
                per_field.push((Occur::Should, boosted(Box::new(query), boost)));
            }
        }
        if per_field.is_empty() {
            return Ok(Box::new(EmptyQuery));
        }
        Ok(Box::new(BooleanQuery::new(per_field)))
    }
}

/// `word` with its first letter upper case.
fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn boosted(query: Box<dyn Query>, boost: Score) -> Box<dyn Query> {
    if boost == 1.0 {
        query
    } else {
        Box::new(BoostQuery::new(query, boost))
    }
}

/// The texts of the plain (not prefix) words at the start of `parts`, at
/// most `max` of them.
fn plain_words(parts: &[Node], max: usize) -> Vec<&str> {
    parts
        .iter()
        .take(max)
        .map_while(|p| match p {
            Node::Word {
                text,
                prefix: false,
                ..
            } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

fn first_column(parts: &[Node]) -> usize {
    fn column(node: &Node) -> usize {
        match node {
            Node::Word { span, .. } | Node::Phrase { span, .. } => span.column,
            Node::And(nodes) | Node::Or(nodes) => nodes.first().map_or(1, column),
            Node::Not(inner) => column(inner),
        }
    }
    parts.first().map_or(1, column)
}

/// Optimal-string-alignment distance (Levenshtein plus adjacent
/// transpositions), on characters.
pub(super) fn edit_distance(a: &str, b: &str) -> u32 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i as u32;
    }
    rows[0] = (0..=b.len() as u32).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = u32::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Builder::key` reads the cached query analysis; it must stay what
    /// `Synonyms::key` computes, or synonym groups stop being found.
    #[test]
    fn cached_synonym_keys_are_the_synonym_modules() {
        let dir = tempfile::tempdir().expect("temp dir");
        let index = crate::index::PassageIndex::open_or_create(dir.path()).expect("index");
        let searcher = index.reader().expect("reader").searcher();
        let mut builder = Builder::new(&searcher, index.fields()).expect("builder");
        for text in [
            "ÖPNV",
            "Nahverkehr",
            "Kita-Plätze",
            "Weißer Ring",
            "Straßenbahn STRASSE",
            "Busausfälle",
            "Ilm-Kreis",
            "der die das",
            "TOP 5.1",
            "Bürgerinnen und Bürger",
        ] {
            assert_eq!(builder.key(text), Synonyms::key(text), "{text}");
            // Asked again (from the cache), the same.
            assert_eq!(builder.key(text), Synonyms::key(text), "{text}");
        }
    }

    #[test]
    fn edit_distance_counts_transpositions_once() {
        assert_eq!(edit_distance("konzpet", "konzept"), 1);
        assert_eq!(edit_distance("kita", "kita"), 0);
        assert_eq!(edit_distance("kita", "kitas"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("ärzt", "arzt"), 1);
    }
}
