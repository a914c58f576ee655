//! `search`: a query string and filters → ranked hits with snippets and facets.
//!
//! Takes a [`SearchRequest`] and a [`PassageIndex`]; gives [`SearchResults`],
//! plain serializable data shared by every front end (the CLI prints it,
//! the HTTP server sends it as JSON, batch writes it as records), so ranking, grouping, filtering,
//! fallback, facet and snippet decisions — and how a hit is labelled — are
//! made here once.
//!
//! * Query words are ANDed; if no passage contains all of them, the query is
//!   run again with OR (exclusions stay) and [`SearchResults::fallback`]
//!   says so.
//! * Each word is looked up in the German and English fields (see
//!   [`crate::index::schema`]); title matches are boosted above body matches.
//! * [`Filters`] (type, date range, body, Gremium, passage kind, Stichwort
//!   or Handlungsfeld title) are added as `Must` clauses that do not score.
//! * An empty query (or `*`) with filters lists the matching documents,
//!   newest first ([`SearchResults::listing`]).
//! * By default only the best passage of each document is returned
//!   ([`SearchRequest::all_passages`] returns every passage); [`Sort`]
//!   orders by relevance or by document date; [`SearchRequest::offset`]
//!   skips the hits of earlier pages.
//! * [`Facets`] count the matching documents per type, year, body, Gremium
//!   and Handlungsfeld, in the same pass that finds the hits.
//! * Snippets come from tantivy's `SnippetGenerator` run over a window of
//!   the passage around the query's terms, with the German chain's
//!   expensive steps run only on words that can hold a query term
//!   (`snippet`), whitespace collapsed and the matched words as byte
//!   ranges into the snippet;
//!   [`Hit::heading`] names the part a passage is ("Stichwort 1.2 — …").
//!
//! [`rank_with`] runs the same search and gives ids and scores only (no
//! facets, stored documents or snippets), for tools that only rank.
//!
//! The query language is ratsuche's own ([`query`]: words, `"phrases"`,
//! `-exclusions`, `OR`, parentheses, `prefix*`, field filters such as
//! `typ:konzept datum:2025-01..2025-06 nr:0412/2025`), parsed once per
//! request into a syntax tree with positioned errors; `build` turns the
//! tree into tantivy queries with synonym expansion and typo correction
//! ([`SearchResults::corrected`]). Field filters of the query merge with
//! [`SearchRequest::filters`].

pub mod batch;
mod build;
mod collect;
pub mod facets;
pub mod filter;
pub mod query;
mod segment_cache;
pub mod similar;
mod snippet;
mod word_union;

use std::ops::Range;

use serde::Serialize;
use tantivy::query::{AllQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, Score, TantivyDocument, Term};

use crate::error::{Error, Result};
use crate::index::schema::reference_key;
use crate::index::{Fields, PassageIndex};
use snippet::WindowedSnippets;

pub use facets::{FacetCounts, Facets};
pub use filter::{parse_doc_type, parse_kind, DateBound, Filters, InvalidFilter, Sort};
pub use query::{MergedFilters, ParsedQuery, QueryError};

/// Title matches count this many times a body match.
pub const TITLE_BOOST: Score = 3.0;
/// Maximum snippet length in characters (before whitespace is collapsed).
pub const SNIPPET_CHARS: usize = 200;
/// Default number of hits.
pub const DEFAULT_LIMIT: usize = 10;
/// Maximum length in characters of the title part of [`Hit::heading`].
pub const HEADING_TITLE_CHARS: usize = 100;

/// What to search for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRequest {
    pub query: String,
    /// Maximum number of hits returned.
    pub limit: usize,
    /// Hits to skip before the first one returned (paging: the second page
    /// of 10 is `offset: 10, limit: 10`). Totals and facets do not change.
    pub offset: usize,
    /// Return every matching passage instead of the best one per document.
    pub all_passages: bool,
    /// Order of the hits; `None`: by relevance, or by date for a listing
    /// (empty query).
    pub sort: Option<Sort>,
    pub filters: Filters,
}

impl SearchRequest {
    pub fn new(query: impl Into<String>) -> SearchRequest {
        SearchRequest {
            query: query.into(),
            limit: DEFAULT_LIMIT,
            offset: 0,
            all_passages: false,
            sort: None,
            filters: Filters::default(),
        }
    }

    /// True when the query has no words: empty, `*`, or field filters
    /// only. Such a request lists the documents its filters match (or, for
    /// `*`, all). False for a query that does not parse.
    pub fn is_listing(&self) -> bool {
        query::parse(&self.query).is_ok_and(|q| q.text.is_none())
    }
}

/// How query words were combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MatchMode {
    /// Every word must occur (the default).
    All,
    /// Any word may occur (the fallback when `All` finds nothing).
    Any,
}

/// The answer to a [`SearchRequest`].
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SearchResults {
    /// The query as given.
    pub query: String,
    /// The query as actually run when words matching nothing were replaced
    /// by the closest indexed word ("Integrationskonzpet" →
    /// "Integrationskonzept") or, for a compound, by its parts
    /// ("Busausfälle" → "Bus Ausfälle", searched as separate words);
    /// `None` when nothing was corrected.
    pub corrected: Option<String>,
    /// Each replaced word, in query order.
    pub corrections: Vec<Correction>,
    /// Words that were also searched as their synonyms or abbreviations.
    pub synonyms: Vec<SynonymExpansion>,
    pub mode: MatchMode,
    /// True when no passage matched all words and `mode` fell back to `Any`.
    pub fallback: bool,
    /// True when the query had no words and the hits list the documents
    /// the filters match.
    pub listing: bool,
    /// The order the hits are in.
    pub sort: Sort,
    /// Matching documents (or passages, with `all_passages`).
    pub total: usize,
    /// Matching passages, whatever the grouping.
    pub total_passages: usize,
    pub hits: Vec<Hit>,
    /// Counts of the matching documents (all of them, not only the hits shown).
    pub facets: Facets,
}

/// A query word that matched nothing, replaced by the closest indexed word
/// or by its compound parts (`to` then holds the parts separated by spaces).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Correction {
    /// As typed.
    pub from: String,
    /// As found in the documents.
    pub to: String,
}

/// A query word (or words) searched together with its synonym group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SynonymExpansion {
    pub words: String,
    /// The other variants that were searched too.
    pub variants: Vec<String>,
}

/// One ranked passage.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Hit {
    /// The file as given when it was indexed.
    pub file: String,
    /// Canonical absolute path of the file.
    pub path: String,
    pub doc_id: String,
    /// 1-based page the passage starts on.
    pub page: u64,
    #[schema(value_type = f32)]
    pub score: Score,
    /// Up to [`SNIPPET_CHARS`] of the passage text, whitespace collapsed.
    pub snippet: String,
    /// Byte ranges of the matched words in `snippet`, as `[start, end]`.
    pub highlights: Vec<[usize; 2]>,
    /// Passage kind: `text`, `stichwort`, `handlungsfeld`, `agenda`, `qa`.
    pub kind: String,
    pub number: Option<String>,
    /// The part's title; for a `qa` passage the question.
    pub title: Option<String>,
    /// What the passage is, for display: see [`heading`]. `None` for text
    /// passages.
    pub heading: Option<String>,
    pub passage_index: u64,
    /// `de` or `en`.
    pub language: String,
    #[serde(rename = "type")]
    pub doc_type: Option<String>,
    pub date: Option<String>,
    pub body: Option<String>,
    pub gremium: Option<String>,
    pub reference: Option<String>,
    pub dates_mentioned: Vec<String>,
    /// Where the text of the passage's page came from (`native`, `ocr`
    /// with its mean confidence, `none`), so a reader knows OCR text.
    pub text_source: crate::model::TextSource,
}

/// The label of a recognised part, as a councillor would name it:
/// "Stichwort 1.2 — Grüne Woche", "Handlungsfeld 5.2 — Sprache und Bildung",
/// "TOP 5.1 — Anfrage …", "Frage 3 — Welche Konzepte …". The title is
/// shortened to [`HEADING_TITLE_CHARS`] (with "…"). Text passages and
/// unknown kinds have none.
pub fn heading(kind: &str, number: Option<&str>, title: Option<&str>) -> Option<String> {
    let label = match kind {
        "stichwort" => "Stichwort",
        "handlungsfeld" => "Handlungsfeld",
        "agenda" => "TOP",
        "qa" => "Frage",
        _ => return None,
    };
    let mut out = label.to_string();
    if let Some(number) = number.map(str::trim).filter(|n| !n.is_empty()) {
        out.push(' ');
        out.push_str(number);
    }
    if let Some(title) = title.map(str::trim).filter(|t| !t.is_empty()) {
        let title = collapse_whitespace(title, &[]).0;
        out.push_str(" — ");
        let short = head(&title, HEADING_TITLE_CHARS);
        out.push_str(short);
        if short.len() < title.len() {
            out.push_str(" …");
        }
    }
    Some(out)
}

impl Hit {
    /// "OCR, Konfidenz 91 %" for a passage whose text came from OCR, else
    /// `None`: what front ends show after the location.
    pub fn source_label(&self) -> Option<String> {
        match self.text_source {
            crate::model::TextSource::Ocr { confidence } => {
                Some(format!("OCR, Konfidenz {confidence:.0} %"))
            }
            _ => None,
        }
    }

    /// One line saying where the hit is: the heading and page for a
    /// recognised part ("Stichwort 1.2 — Grüne Woche, S. 1"), the file and
    /// page for a text passage ("info.pdf, S. 3").
    pub fn location(&self) -> String {
        match &self.heading {
            Some(heading) => format!("{heading}, S. {}", self.page),
            None => format!("{}, S. {}", self.file, self.page),
        }
    }

    /// The snippet with each highlighted range wrapped in `open` … `close`
    /// (`«`/`»` for plain text, `<mark>`/`</mark>` for HTML after escaping, …).
    pub fn marked_snippet(&self, open: &str, close: &str) -> String {
        self.marked_snippet_with(|word| format!("{open}{word}{close}"))
    }

    /// The snippet with each highlighted word replaced by `mark(word)`.
    pub fn marked_snippet_with(&self, mut mark: impl FnMut(&str) -> String) -> String {
        let mut out = String::with_capacity(self.snippet.len() + 16);
        let mut at = 0;
        for &[start, end] in &self.highlights {
            // Ranges come from this module; still, never panic on bad ones.
            let (Some(before), Some(word)) =
                (self.snippet.get(at..start), self.snippet.get(start..end))
            else {
                continue;
            };
            out.push_str(before);
            out.push_str(&mark(word));
            at = end;
        }
        out.push_str(self.snippet.get(at..).unwrap_or_default());
        out
    }
}

/// The text part of a user's query as one tantivy query for `mode`, with
/// the query's own field filters (`typ:` …) applied. Errors are
/// [`Error::Query`] with a message meant for the user. [`search_with`] is
/// what front ends call; this is for tools that need the query itself.
/// Its words are `search::word_union` queries: under tantivy's `TopDocs` they
/// score every match rather than prune with block-max WAND (see that
/// module), so a top-k is the exhaustive one.
pub fn parse_query(index: &PassageIndex, text: &str, mode: MatchMode) -> Result<Box<dyn Query>> {
    let parsed = query::parse(text).map_err(Error::Query)?;
    let merged = parsed
        .merge_filters(&Filters::default())
        .map_err(Error::Query)?;
    let filters = filter_queries(index, &merged)?;
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let mut builder = build::Builder::new(&searcher, index.fields())?;
    let text = match &parsed.text {
        Some(node) => builder.resolve(node)?,
        None => None,
    };
    let Some(text) = text else {
        return Err(Error::Query(QueryError::new(
            "the query has no words to search for",
        )));
    };
    Ok(filter::restrict(text.query(mode), filters))
}

/// The tantivy queries of the request's and the query's filters.
fn filter_queries(index: &PassageIndex, merged: &MergedFilters) -> Result<Vec<Box<dyn Query>>> {
    let mut filters = merged.filters.queries(index)?;
    if let Some(reference) = &merged.reference {
        filters.push(Box::new(TermQuery::new(
            Term::from_field_text(index.fields().reference_key, &reference_key(reference)),
            IndexRecordOption::Basic,
        )));
    }
    Ok(filters)
}

/// Run a request on a fresh reader of the index's last commit.
pub fn search(index: &PassageIndex, request: &SearchRequest) -> Result<SearchResults> {
    let reader = index.reader()?;
    search_with(index, &reader.searcher(), request)
}

/// A request parsed, resolved and run: what [`search_with`] and
/// [`rank_with`] share.
struct Ran<'a> {
    builder: build::Builder<'a>,
    /// The text query as run (for the snippets).
    query: Box<dyn Query>,
    found: Found,
    mode: MatchMode,
    fallback: bool,
    listing: bool,
    sort: Sort,
}

/// Parse `request`'s query, resolve it (synonyms, corrections, compounds)
/// and run it with the AND → OR fallback; `facets`: count them too.
fn resolve_and_run<'a>(
    index: &'a PassageIndex,
    searcher: &'a tantivy::Searcher,
    request: &SearchRequest,
    facets: bool,
) -> Result<Ran<'a>> {
    segment_cache::retain_searcher(searcher);
    let parsed = query::parse(&request.query).map_err(Error::Query)?;
    let merged = parsed
        .merge_filters(&request.filters)
        .map_err(Error::Query)?;
    let filters = filter_queries(index, &merged)?;
    let has_filters = !merged.filters.is_empty() || merged.reference.is_some();
    let fields = index.fields();
    let mut builder = build::Builder::new(searcher, fields)?;
    let resolved = match &parsed.text {
        Some(node) => builder.resolve(node)?,
        None => None,
    };
    if parsed.text.is_some() && resolved.is_none() {
        return Err(Error::Query(QueryError::new(format!(
            "the query has only stop words or signs ({}): nothing to search for",
            builder.stop_words.join(", ")
        ))));
    }
    if resolved.as_ref().is_some_and(|r| !r.is_positive()) && !has_filters {
        return Err(Error::Query(
            QueryError::new("the query only excludes words")
                .with_hint("add a word to search for, or a filter such as typ:konzept"),
        ));
    }
    if resolved.is_none() && !parsed.all && !has_filters {
        let message = if request.query.trim().is_empty() {
            "the query is empty: give words to search for, a filter, or * for all documents"
        } else {
            "the query has no words to search for: give words, a filter, or * for all documents"
        };
        return Err(Error::Query(QueryError::new(message)));
    }
    // Only exclusions (with filters): the documents the filters leave, as
    // a listing.
    let listing = resolved.as_ref().is_none_or(|r| !r.is_positive());
    let sort = request
        .sort
        .unwrap_or(if listing { Sort::Date } else { Sort::Relevance });
    let mut mode = MatchMode::All;
    let mut fallback = false;
    let stats = &builder.stats;
    let run = |query: Box<dyn Query>| run(searcher, stats, query, &filters, request, sort, facets);
    let (query, found): (Box<dyn Query>, Found) = match &resolved {
        None => (Box::new(AllQuery), run(Box::new(AllQuery))?),
        Some(resolved) => {
            let all = resolved.query(MatchMode::All);
            let found = run(all.box_clone())?;
            if found.total_passages > 0 || !resolved.has_conjunction() {
                (all, found)
            } else {
                let any = resolved.query(MatchMode::Any);
                let found_any = run(any.box_clone())?;
                if found_any.total_passages > 0 {
                    mode = MatchMode::Any;
                    fallback = true;
                    (any, found_any)
                } else {
                    (all, found)
                }
            }
        }
    };
    Ok(Ran {
        builder,
        query,
        found,
        mode,
        fallback,
        listing,
        sort,
    })
}

/// A document found by [`rank_with`]: its id, best passage and score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankedHit {
    pub doc_id: String,
    /// 0-based position of the hit's passage in its document.
    pub passage_index: u64,
    pub score: Score,
}

/// What [`rank_with`] gives: the hits of [`SearchResults`] as ids and
/// scores, with the totals and how the words were combined.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranking {
    pub mode: MatchMode,
    pub fallback: bool,
    pub total: usize,
    pub total_passages: usize,
    pub hits: Vec<RankedHit>,
}

/// The search of [`search_with`] — same parser, synonyms, corrections,
/// fallback, grouping, order and paging — giving ids and scores only: no
/// facets, no stored documents, no snippets. For tools that only rank,
/// and for comparing with engines that return ids (`benches/query_latency.rs`).
pub fn rank_with(
    index: &PassageIndex,
    searcher: &tantivy::Searcher,
    request: &SearchRequest,
) -> Result<Ranking> {
    let ran = resolve_and_run(index, searcher, request, false)?;
    let mut hits = Vec::with_capacity(ran.found.top.len());
    for (score, address) in ran.found.top {
        let data = segment_cache::segment_data(searcher.segment_reader(address.segment_ord))?;
        let columns = &data.columns;
        let doc_id = columns
            .doc_id
            .as_ref()
            .and_then(|ids| ids.term_ords(address.doc_id).next())
            .and_then(|ord| data.doc(ord))
            .map(|(name, _)| name.to_string())
            .unwrap_or_default();
        let passage_index = columns
            .passage_index
            .as_ref()
            .and_then(|c| c.first(address.doc_id))
            .unwrap_or(0);
        hits.push(RankedHit {
            doc_id,
            passage_index,
            score,
        });
    }
    Ok(Ranking {
        mode: ran.mode,
        fallback: ran.fallback,
        total: ran.found.total,
        total_passages: ran.found.total_passages,
        hits,
    })
}

/// Run a request on a given searcher (a server keeps one reader and
/// passes its current searcher). The one entry point every front end
/// (CLI, HTTP, batch) uses: the raw query string is parsed here.
pub fn search_with(
    index: &PassageIndex,
    searcher: &tantivy::Searcher,
    request: &SearchRequest,
) -> Result<SearchResults> {
    let fields = index.fields();
    let Ran {
        builder,
        query,
        found,
        mode,
        fallback,
        listing,
        sort,
    } = resolve_and_run(index, searcher, request, true)?;
    // Snippets mark the query's words only, never a filter's (nor an
    // excluded word).
    let query: Box<dyn Query> = if listing { Box::new(AllQuery) } else { query };
    let snippets = Snippets::new(searcher, &builder.stats, &*query, fields)?;
    let mut hits = Vec::with_capacity(found.top.len());
    for (score, address) in found.top {
        hits.push(hit(searcher, fields, &snippets, score, address)?);
    }
    let corrections: Vec<Correction> = builder
        .fixes
        .iter()
        .map(|fix| Correction {
            from: fix.word.clone(),
            to: fix
                .terms
                .iter()
                .zip(&fix.written)
                .map(|(term, written)| surface_form(fix.lang, term, written, &hits))
                .collect::<Vec<_>>()
                .join(" "),
        })
        .collect();
    let corrected = (!corrections.is_empty()).then(|| {
        let mut text = request.query.clone();
        // Right to left, so earlier spans stay valid.
        let mut fixes: Vec<(&build::Fix, &Correction)> =
            builder.fixes.iter().zip(&corrections).collect();
        fixes.sort_by_key(|(fix, _)| std::cmp::Reverse(fix.span.start));
        for (fix, correction) in fixes {
            if text.is_char_boundary(fix.span.start) && text.is_char_boundary(fix.span.end) {
                text.replace_range(fix.span.start..fix.span.end, &correction.to);
            }
        }
        text
    });
    Ok(SearchResults {
        query: request.query.clone(),
        corrected,
        corrections,
        synonyms: builder
            .expansions
            .iter()
            .map(|e| SynonymExpansion {
                words: e.words.clone(),
                variants: e.variants.clone(),
            })
            .collect(),
        mode,
        fallback,
        listing,
        sort,
        total: found.total,
        total_passages: found.total_passages,
        hits,
        facets: found.facets,
    })
}

/// A corrected term as the documents write it: the first word in the
/// hits' snippets (or titles) that analyses to `term`, else `written`.
fn surface_form(lang: crate::analysis::Lang, term: &str, written: &str, hits: &[Hit]) -> String {
    let mut analyzer = crate::analysis::query_analyzer(lang);
    for hit in hits {
        for text in [Some(hit.snippet.as_str()), hit.title.as_deref()]
            .into_iter()
            .flatten()
        {
            let mut stream = analyzer.token_stream(text);
            while let Some(token) = stream.next() {
                if token.text == term {
                    if let Some(word) = text.get(token.offset_from..token.offset_to) {
                        return word.to_string();
                    }
                }
            }
        }
    }
    written.to_string()
}

struct Found {
    top: Vec<(Score, DocAddress)>,
    total: usize,
    total_passages: usize,
    facets: Facets,
}

fn run(
    searcher: &tantivy::Searcher,
    stats: &build::Stats,
    text: Box<dyn Query>,
    filters: &[Box<dyn Query>],
    request: &SearchRequest,
    sort: Sort,
    facets: bool,
) -> Result<Found> {
    let filters = filters.iter().map(|f| f.box_clone()).collect();
    let query = filter::restrict(text, filters);
    // The collector keeps the best `offset + limit`; the first `offset` are
    // the earlier pages.
    let wanted = request.limit.saturating_add(request.offset);
    let mut collector = collect::Matches::new(wanted, request.all_passages, sort);
    if !facets {
        collector = collector.without_facets();
    }
    let found = searcher.search_with_statistics_provider(&*query, &collector, stats)?;
    Ok(Found {
        top: found
            .top
            .iter()
            .skip(request.offset)
            .map(|r| (r.score, r.address))
            .collect(),
        total: if request.all_passages {
            found.passages
        } else {
            found.documents
        },
        total_passages: found.passages,
        facets: found.facets,
    })
}

/// One snippet generator per language field.
struct Snippets {
    de: WindowedSnippets,
    en: WindowedSnippets,
}

impl Snippets {
    fn new(
        searcher: &tantivy::Searcher,
        stats: &build::Stats,
        query: &dyn Query,
        fields: &Fields,
    ) -> Result<Snippets> {
        Ok(Snippets {
            de: WindowedSnippets::new(
                searcher,
                stats,
                query,
                fields.text_de,
                crate::analysis::Lang::German,
                SNIPPET_CHARS,
            )?,
            en: WindowedSnippets::new(
                searcher,
                stats,
                query,
                fields.text_en,
                crate::analysis::Lang::English,
                SNIPPET_CHARS,
            )?,
        })
    }

    fn for_language(&self, code: &str) -> &WindowedSnippets {
        if code == crate::analysis::Lang::English.code() {
            &self.en
        } else {
            &self.de
        }
    }
}

fn hit(
    searcher: &tantivy::Searcher,
    fields: &Fields,
    snippets: &Snippets,
    score: Score,
    address: DocAddress,
) -> Result<Hit> {
    let doc: TantivyDocument = searcher.doc(address)?;
    let text_of = |field: Field| {
        doc.get_first(field)
            .and_then(|v| v.as_str().map(str::to_string))
    };
    let u64_of = |field: Field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0);
    let language = text_of(fields.language).unwrap_or_default();
    let kind = text_of(fields.kind).unwrap_or_default();
    let number = text_of(fields.number);
    let title = text_of(fields.title);
    let text = text_of(fields.text).unwrap_or_default();
    let snippet = snippets.for_language(&language).snippet(&text);
    let (snippet, highlights) = if snippet.is_empty() {
        // Only the title matched: show the passage's beginning.
        (
            collapse_whitespace(head(&text, SNIPPET_CHARS), &[]).0,
            Vec::new(),
        )
    } else {
        collapse_whitespace(snippet.fragment(), snippet.highlighted())
    };
    Ok(Hit {
        file: text_of(fields.file).unwrap_or_default(),
        path: text_of(fields.path).unwrap_or_default(),
        doc_id: text_of(fields.doc_id).unwrap_or_default(),
        page: u64_of(fields.page),
        score,
        snippet,
        highlights: highlights.into_iter().map(|r| [r.start, r.end]).collect(),
        heading: heading(&kind, number.as_deref(), title.as_deref()),
        kind,
        number,
        title,
        passage_index: u64_of(fields.passage_index),
        language,
        doc_type: text_of(fields.doc_type),
        date: text_of(fields.date),
        body: text_of(fields.body),
        gremium: text_of(fields.gremium),
        reference: text_of(fields.reference),
        dates_mentioned: doc
            .get_all(fields.dates_mentioned)
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        text_source: crate::ocr::parse_source_key(&text_of(fields.text_source).unwrap_or_default()),
    })
}

/// At most `max_chars` characters of `text`, cut at a word boundary when
/// there is one.
fn head(text: &str, max_chars: usize) -> &str {
    let Some((end, _)) = text.char_indices().nth(max_chars) else {
        return text;
    };
    let cut = &text[..end];
    match cut.rfind(char::is_whitespace) {
        Some(space) if space > 0 => &cut[..space],
        _ => cut,
    }
}

/// Collapse runs of whitespace (line breaks of the page) into single spaces
/// and trim, moving the highlight ranges along.
fn collapse_whitespace(text: &str, ranges: &[Range<usize>]) -> (String, Vec<Range<usize>>) {
    let mut out = String::with_capacity(text.len());
    // Byte offset in `out` of every byte offset in `text` (plus the end).
    let mut map = vec![0; text.len() + 1];
    let mut pending_space = false;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
        } else if pending_space {
            out.push(' ');
            pending_space = false;
        }
        // A whitespace char maps to where the next kept char will go.
        map[i..i + c.len_utf8()].fill(out.len());
        if !c.is_whitespace() {
            out.push(c);
        }
    }
    map[text.len()] = out.len();
    let ranges = ranges
        .iter()
        .filter(|r| r.start < r.end && r.end <= text.len())
        .map(|r| map[r.start]..map[r.end - 1] + 1)
        .map(|r| {
            // `map[end - 1]` points at the start of the range's last byte's
            // char; widen to the char's end so the range stays on boundaries.
            let mut end = r.end;
            while end < out.len() && !out.is_char_boundary(end) {
                end += 1;
            }
            r.start..end
        })
        .collect();
    (out, ranges)
}

#[cfg(test)]
impl Hit {
    /// A German text passage on page 1 with `snippet` and its highlights,
    /// every other field empty: for unit tests here and in the front ends.
    pub(crate) fn for_test(snippet: &str, highlights: Vec<[usize; 2]>) -> Hit {
        Hit {
            file: String::new(),
            path: String::new(),
            doc_id: String::new(),
            page: 1,
            score: 1.0,
            snippet: snippet.into(),
            highlights,
            kind: "text".into(),
            number: None,
            title: None,
            heading: None,
            passage_index: 0,
            language: "de".into(),
            doc_type: None,
            date: None,
            body: None,
            gremium: None,
            reference: None,
            dates_mentioned: Vec::new(),
            text_source: crate::model::TextSource::Native,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapse_moves_highlights_along() {
        let text = "  Der\n\nArztlotse   ist  da ";
        let start = text.find("Arztlotse").unwrap();
        let word = start..start + "Arztlotse".len();
        let (out, ranges) = collapse_whitespace(text, std::slice::from_ref(&word));
        assert_eq!(out, "Der Arztlotse ist da");
        assert_eq!(&out[ranges[0].clone()], "Arztlotse");
    }

    #[test]
    fn collapse_keeps_multibyte_ranges_on_char_boundaries() {
        let text = "die\n Ärzte \n kommen";
        let start = text.find("Ärzte").unwrap();
        let word = start..start + "Ärzte".len();
        let (out, ranges) = collapse_whitespace(text, std::slice::from_ref(&word));
        assert_eq!(&out[ranges[0].clone()], "Ärzte");
    }

    #[test]
    fn head_cuts_at_a_word_boundary() {
        assert_eq!(head("eins zwei drei", 7), "eins");
        assert_eq!(head("kurz", 10), "kurz");
        assert_eq!(head("ääääää", 3), "äää");
    }

    #[test]
    fn headings_name_the_part_in_german() {
        assert_eq!(
            heading("stichwort", Some("1.2"), Some("Grüne  Woche")).as_deref(),
            Some("Stichwort 1.2 — Grüne Woche")
        );
        assert_eq!(
            heading("qa", Some("3"), Some("Welche Konzepte?")).as_deref(),
            Some("Frage 3 — Welche Konzepte?")
        );
        assert_eq!(
            heading("agenda", Some("5.1"), None).as_deref(),
            Some("TOP 5.1")
        );
        assert_eq!(
            heading("handlungsfeld", None, Some("Wohnen")).as_deref(),
            Some("Handlungsfeld — Wohnen")
        );
        assert_eq!(heading("text", None, None), None);
        let long = "Wort ".repeat(40);
        let h = heading("qa", Some("1"), Some(&long)).unwrap();
        assert!(h.ends_with(" …") && h.chars().count() < 120, "{h}");
    }

    #[test]
    fn location_is_heading_or_file_with_page() {
        let mut hit = Hit::for_test("", vec![]);
        hit.file = "a.pdf".into();
        hit.page = 3;
        assert_eq!(hit.location(), "a.pdf, S. 3");
        hit.heading = Some("TOP 5".into());
        assert_eq!(hit.location(), "TOP 5, S. 3");
    }

    #[test]
    fn marked_snippet_wraps_each_highlight() {
        let hit = Hit::for_test("Pflege und Pflegekarte", vec![[0, 6], [11, 22]]);
        assert_eq!(hit.marked_snippet("«", "»"), "«Pflege» und «Pflegekarte»");
    }

    #[test]
    fn marked_snippet_ignores_invalid_ranges() {
        let hit = Hit::for_test("Ärzte", vec![[1, 3], [0, 99]]);
        assert_eq!(hit.marked_snippet("«", "»"), "Ärzte");
    }
}
