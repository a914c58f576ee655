//! `search`: a query string → ranked hits with snippets.
//!
//! Takes a [`SearchRequest`] and a [`PassageIndex`]; gives [`SearchResults`],
//! plain serializable data shared by every front end (the CLI prints it,
//! an HTTP server will send it as JSON), so ranking, grouping, fallback and
//! snippet decisions are made here once.
//!
//! * Query words are ANDed; if no passage contains all of them, the query is
//!   run again with OR and [`SearchResults::fallback`] says so.
//! * Each word is looked up in the German and English fields (see
//!   [`crate::index::schema`]); title matches are boosted above body matches.
//! * By default only the best passage of each document is returned
//!   ([`SearchRequest::all_passages`] returns every passage).
//! * Snippets come from tantivy's `SnippetGenerator`, with whitespace
//!   collapsed and the matched words as byte ranges into the snippet.
//!
//! The query syntax is tantivy's (phrases in quotes, `+`/`-`, `AND`/`OR`,
//! `field:value` for `kind`, `doc_type`, `page`, …); parsing lives in
//! [`parse_query`] alone so an own query language can replace it.

mod collect;

use std::ops::Range;

use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{Query, QueryParser, QueryParserError};
use tantivy::schema::{Field, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Score, TantivyDocument};

use crate::error::{Error, Result};
use crate::index::{Fields, PassageIndex};

/// Title matches count this many times a body match.
pub const TITLE_BOOST: Score = 3.0;
/// Maximum snippet length in characters (before whitespace is collapsed).
pub const SNIPPET_CHARS: usize = 200;
/// Default number of hits.
pub const DEFAULT_LIMIT: usize = 10;

/// What to search for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRequest {
    pub query: String,
    /// Maximum number of hits returned.
    pub limit: usize,
    /// Return every matching passage instead of the best one per document.
    pub all_passages: bool,
}

impl SearchRequest {
    pub fn new(query: impl Into<String>) -> SearchRequest {
        SearchRequest {
            query: query.into(),
            limit: DEFAULT_LIMIT,
            all_passages: false,
        }
    }
}

/// How query words were combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchMode {
    /// Every word must occur (the default).
    All,
    /// Any word may occur (the fallback when `All` finds nothing).
    Any,
}

/// The answer to a [`SearchRequest`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResults {
    pub query: String,
    pub mode: MatchMode,
    /// True when no passage matched all words and `mode` fell back to `Any`.
    pub fallback: bool,
    /// Matching documents (or passages, with `all_passages`).
    pub total: usize,
    /// Matching passages, whatever the grouping.
    pub total_passages: usize,
    pub hits: Vec<Hit>,
}

/// One ranked passage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// The file as given when it was indexed.
    pub file: String,
    /// Canonical absolute path of the file.
    pub path: String,
    pub doc_id: String,
    /// 1-based page the passage starts on.
    pub page: u64,
    pub score: Score,
    /// Up to [`SNIPPET_CHARS`] of the passage text, whitespace collapsed.
    pub snippet: String,
    /// Byte ranges of the matched words in `snippet`, as `[start, end]`.
    pub highlights: Vec<[usize; 2]>,
    /// Passage kind: `text`, `stichwort`, `qa`, …
    pub kind: String,
    pub number: Option<String>,
    pub title: Option<String>,
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
}

impl Hit {
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

/// Parse a user's query over the title and text fields (titles boosted).
/// Errors are [`Error::Query`] with a message meant for the user.
pub fn parse_query(index: &PassageIndex, text: &str, mode: MatchMode) -> Result<Box<dyn Query>> {
    if text.trim().is_empty() {
        return Err(Error::Query("the query is empty".into()));
    }
    let fields = index.fields();
    let mut parser = QueryParser::for_index(index.tantivy(), fields.query_fields());
    parser.set_field_boost(fields.title_de, TITLE_BOOST);
    parser.set_field_boost(fields.title_en, TITLE_BOOST);
    if mode == MatchMode::All {
        parser.set_conjunction_by_default();
    }
    parser
        .parse_query(text)
        .map_err(|e| Error::Query(query_error_message(text, e)))
}

fn query_error_message(text: &str, err: QueryParserError) -> String {
    match err {
        QueryParserError::SyntaxError(_) => format!(
            "cannot parse {text:?}: check quotes, parentheses and operators \
             (put text in double quotes to search it literally)"
        ),
        QueryParserError::FieldDoesNotExist(field) => format!(
            "unknown field {field:?} in {text:?} (a word followed by ':' is read as a field \
             name; put the text in double quotes to search for it)"
        ),
        QueryParserError::FieldNotIndexed(field) => {
            format!("field {field:?} in {text:?} cannot be searched")
        }
        QueryParserError::AllButQueryForbidden => {
            format!("{text:?} only excludes words; add at least one word to search for")
        }
        other => format!("invalid query {text:?}: {other}"),
    }
}

/// Run a request on a fresh reader of the index's last commit.
pub fn search(index: &PassageIndex, request: &SearchRequest) -> Result<SearchResults> {
    let reader = index.reader()?;
    search_with(index, &reader.searcher(), request)
}

/// Run a request on a given searcher (a server keeps one reader and
/// passes its current searcher).
pub fn search_with(
    index: &PassageIndex,
    searcher: &tantivy::Searcher,
    request: &SearchRequest,
) -> Result<SearchResults> {
    let query = parse_query(index, &request.query, MatchMode::All)?;
    let mut found = run(index, searcher, &*query, request)?;
    let mut mode = MatchMode::All;
    let mut fallback = false;
    let mut query = query;
    if found.total_passages == 0 {
        let any = parse_query(index, &request.query, MatchMode::Any)?;
        let found_any = run(index, searcher, &*any, request)?;
        if found_any.total_passages > 0 {
            found = found_any;
            query = any;
            mode = MatchMode::Any;
            fallback = true;
        }
    }
    let fields = index.fields();
    let snippets = Snippets::new(searcher, &*query, fields)?;
    let mut hits = Vec::with_capacity(found.top.len());
    for (score, address) in found.top {
        hits.push(hit(searcher, fields, &snippets, score, address)?);
    }
    Ok(SearchResults {
        query: request.query.clone(),
        mode,
        fallback,
        total: found.total,
        total_passages: found.total_passages,
        hits,
    })
}

struct Found {
    top: Vec<(Score, DocAddress)>,
    total: usize,
    total_passages: usize,
}

fn run(
    index: &PassageIndex,
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    request: &SearchRequest,
) -> Result<Found> {
    if request.all_passages {
        // TopDocs needs a positive limit; an empty answer is cut below.
        let top_docs = TopDocs::with_limit(request.limit.max(1)).order_by_score();
        let (total, mut top) = searcher.search(query, &(Count, top_docs))?;
        top.truncate(request.limit);
        Ok(Found {
            top,
            total,
            total_passages: total,
        })
    } else {
        let best = collect::BestPerDocument::new(index.fields().doc_id, request.limit);
        let (total_passages, grouped) = searcher.search(query, &(Count, best))?;
        Ok(Found {
            top: grouped.top,
            total: grouped.documents,
            total_passages,
        })
    }
}

/// One snippet generator per language field.
struct Snippets {
    de: SnippetGenerator,
    en: SnippetGenerator,
}

impl Snippets {
    fn new(searcher: &tantivy::Searcher, query: &dyn Query, fields: &Fields) -> Result<Snippets> {
        let make = |field: Field| -> Result<SnippetGenerator> {
            let mut generator = SnippetGenerator::create(searcher, query, field)?;
            generator.set_max_num_chars(SNIPPET_CHARS);
            Ok(generator)
        };
        Ok(Snippets {
            de: make(fields.text_de)?,
            en: make(fields.text_en)?,
        })
    }

    fn for_language(&self, code: &str) -> &SnippetGenerator {
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
        kind: text_of(fields.kind).unwrap_or_default(),
        number: text_of(fields.number),
        title: text_of(fields.title),
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

    fn hit_with(snippet: &str, highlights: Vec<[usize; 2]>) -> Hit {
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
            passage_index: 0,
            language: "de".into(),
            doc_type: None,
            date: None,
            body: None,
            gremium: None,
            reference: None,
            dates_mentioned: Vec::new(),
        }
    }

    #[test]
    fn marked_snippet_wraps_each_highlight() {
        let hit = hit_with("Pflege und Pflegekarte", vec![[0, 6], [11, 22]]);
        assert_eq!(hit.marked_snippet("«", "»"), "«Pflege» und «Pflegekarte»");
    }

    #[test]
    fn marked_snippet_ignores_invalid_ranges() {
        let hit = hit_with("Ärzte", vec![[1, 3], [0, 99]]);
        assert_eq!(hit.marked_snippet("«", "»"), "Ärzte");
    }
}
