//! ratsuche's query language: a query string → a small syntax tree.
//!
//! Takes the raw query a user typed (CLI argument, HTTP parameter, batch
//! line); gives a [`ParsedQuery`] — the text part as a tree of [`Node`]s and
//! the field filters as [`FieldFilter`]s — or a [`QueryError`] that says what
//! is wrong and at which character column. Nothing here touches the index:
//! `search::build` turns the tree into tantivy queries (analysis, synonyms,
//! typo correction), so this module can be fuzzed on its own.
//!
//! Why not tantivy's `QueryParser`: its errors carry no position, it knows
//! only schema fields (not `datum:2025-01..2025-06` or `typ:` with our
//! document types), and it cannot expand synonyms or correct typos.
//!
//! # Syntax
//!
//! | Input | Meaning |
//! |---|---|
//! | `Kita Kosten` | both words (if no passage has both: either, ranked) |
//! | `"Weißer Ring"` | the words in this order (inflected forms match) |
//! | `-Kosten`, `-"freie Träger"`, `NOT Kosten` | exclude |
//! | `Kita OR Kindergarten` | either; binds tighter than the implicit AND |
//! | `(Kita OR Hort) Kosten` | grouping |
//! | `Integrations*` | words starting with "Integrations" (≥ 2 letters) |
//! | `AND` | allowed, same as a space |
//! | `*` | alone (with or without filters): every document |
//!
//! Field filters (names case-insensitive, values may be `"quoted"`) apply to
//! the whole query, so they may not be negated, grouped or joined with OR:
//! `typ:`/`type:`, `gremium:`, `body:`/`körperschaft:`, `stichwort:`,
//! `handlungsfeld:`, `kind:`/`art:`, `datum:`/`date:` (`2025`, `2025-03`,
//! `2025-03-17`, ranges `2025-01..2025-06`, `..2025`, `2024..`) and
//! `nr:` (the document's reference number, e.g. `nr:0412/2025`).
//!
//! A word followed by `:` is a field name; a word that is not a known field
//! is an error (quote it to search for it). Limits: [`MAX_QUERY_CHARS`]
//! characters, [`MAX_TERMS`] words/phrases/filters, [`MAX_DEPTH`] nested
//! parentheses. Control characters other than tab and line breaks are
//! refused.

use std::fmt;

use crate::model::PassageKind;
use crate::structure::DocType;

use super::filter::{parse_doc_type, parse_kind, DateBound, Filters};
use crate::index::schema::keyword_key;

/// Longest accepted query, in characters.
pub const MAX_QUERY_CHARS: usize = 2_000;
/// Most words, phrases and field filters in one query.
pub const MAX_TERMS: usize = 64;
/// Deepest nesting of parentheses.
pub const MAX_DEPTH: usize = 16;
/// Fewest characters before a trailing `*`.
pub const MIN_PREFIX_CHARS: usize = 2;

/// What is wrong with a query, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// What is wrong, without the position ("unbalanced quote").
    pub message: String,
    /// 1-based character column the problem starts at, if it has one.
    pub column: Option<usize>,
    /// What would be accepted instead, if there is something to say.
    pub hint: Option<String>,
}

impl QueryError {
    /// An error about the query as a whole (no position).
    pub fn new(message: impl Into<String>) -> QueryError {
        QueryError {
            message: message.into(),
            column: None,
            hint: None,
        }
    }

    /// An error at `column` (1-based characters).
    pub fn at(message: impl Into<String>, column: usize) -> QueryError {
        QueryError {
            message: message.into(),
            column: Some(column),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> QueryError {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for QueryError {
    /// `unknown field "foo" at column 1 (known: typ, gremium, …)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(column) = self.column {
            write!(f, " at column {column}")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for QueryError {}

impl From<String> for QueryError {
    fn from(message: String) -> QueryError {
        QueryError::new(message)
    }
}

impl From<&str> for QueryError {
    fn from(message: &str) -> QueryError {
        QueryError::new(message)
    }
}

/// Where a part of the query is: byte range into the query string and the
/// 1-based character column of its start (for messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub column: usize,
}

/// The text part of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// One word as typed; `prefix` when it ended in `*` (the `*` removed).
    Word {
        text: String,
        prefix: bool,
        span: Span,
    },
    /// The words between double quotes.
    Phrase { text: String, span: Span },
    /// Words next to each other: all must match (or, in the OR fallback,
    /// any). Always at least two children.
    And(Vec<Node>),
    /// Alternatives joined by `OR`; at least two, none negated.
    Or(Vec<Node>),
    /// `-x` or `NOT x`: passages matching `x` are excluded. Only ever a
    /// child of [`Node::And`] or the top level.
    Not(Box<Node>),
}

/// A known filter field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterField {
    Typ,
    Gremium,
    Body,
    Stichwort,
    Handlungsfeld,
    Kind,
    Datum,
    Nr,
}

/// Field names and aliases, in the order they are listed to users.
const FIELD_NAMES: [(&str, FilterField); 13] = [
    ("typ", FilterField::Typ),
    ("gremium", FilterField::Gremium),
    ("body", FilterField::Body),
    ("stichwort", FilterField::Stichwort),
    ("handlungsfeld", FilterField::Handlungsfeld),
    ("kind", FilterField::Kind),
    ("datum", FilterField::Datum),
    ("nr", FilterField::Nr),
    ("type", FilterField::Typ),
    ("körperschaft", FilterField::Body),
    ("art", FilterField::Kind),
    ("date", FilterField::Datum),
    ("reference", FilterField::Nr),
];

impl FilterField {
    /// The main name, as written in messages.
    pub fn name(self) -> &'static str {
        FIELD_NAMES
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("?", |(n, _)| n)
    }

    fn lookup(name: &str) -> Option<FilterField> {
        let lower = name.to_lowercase();
        let lower = lower.replace("oe", "ö");
        FIELD_NAMES
            .iter()
            .find(|(n, _)| *n == lower)
            .map(|(_, f)| *f)
    }
}

/// The list of field names for the "unknown field" message.
fn known_fields() -> String {
    let names: Vec<&str> = FIELD_NAMES[..8].iter().map(|(n, _)| *n).collect();
    format!("known: {}", names.join(", "))
}

/// A filter's checked value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterValue {
    DocType(DocType),
    Kind(PassageKind),
    /// Inclusive bounds; at least one is set.
    Dates {
        from: Option<DateBound>,
        to: Option<DateBound>,
    },
    /// Body, Gremium, Stichwort/Handlungsfeld words or reference number.
    Text(String),
}

/// `field:value` in a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldFilter {
    pub field: FilterField,
    pub value: FilterValue,
    /// The whole `field:value`.
    pub span: Span,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedQuery {
    /// The words, phrases and operators; `None` when there are none.
    pub text: Option<Node>,
    /// Field filters, in query order.
    pub filters: Vec<FieldFilter>,
    /// The query was `*` (every document), with or without filters.
    pub all: bool,
}

impl ParsedQuery {
    /// Number of words and phrases (negated ones included).
    pub fn term_count(&self) -> usize {
        fn count(node: &Node) -> usize {
            match node {
                Node::Word { .. } | Node::Phrase { .. } => 1,
                Node::And(nodes) | Node::Or(nodes) => nodes.iter().map(count).sum(),
                Node::Not(node) => count(node),
            }
        }
        self.text.as_ref().map_or(0, count)
    }
}

/// The filters of a request with those of its query merged in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MergedFilters {
    pub filters: Filters,
    /// `nr:`: only documents with this reference number.
    pub reference: Option<String>,
}

impl ParsedQuery {
    /// Merge the query's field filters into `base` (the request's own
    /// filters, e.g. from CLI flags). Date ranges intersect; Stichwort and
    /// Handlungsfeld words add up; for the other fields two different
    /// values (a document has only one) are an error naming the query's
    /// filter and its column.
    pub fn merge_filters(&self, base: &Filters) -> Result<MergedFilters, QueryError> {
        let mut out = MergedFilters {
            filters: base.clone(),
            reference: None,
        };
        for filter in &self.filters {
            let column = filter.span.column;
            let name = filter.field.name();
            let conflict = |old: &dyn fmt::Display, new: &dyn fmt::Display| {
                QueryError::at(
                    format!("{name}:{new} contradicts the other {name} filter {old}"),
                    column,
                )
                .with_hint("a document has only one; give one value")
            };
            let f = &mut out.filters;
            match (&filter.value, filter.field) {
                (FilterValue::DocType(t), _) => match f.doc_type {
                    Some(old) if old != *t => return Err(conflict(&old.as_str(), &t.as_str())),
                    _ => f.doc_type = Some(*t),
                },
                (FilterValue::Kind(k), _) => match f.kind {
                    Some(old) if old != *k => return Err(conflict(&old.as_str(), &k.as_str())),
                    _ => f.kind = Some(*k),
                },
                (FilterValue::Dates { from, to }, _) => {
                    if let Some(from) = from {
                        if f.from.is_none_or(|old| old.start() < from.start()) {
                            f.from = Some(*from);
                        }
                    }
                    if let Some(to) = to {
                        if f.to.is_none_or(|old| old.end() > to.end()) {
                            f.to = Some(*to);
                        }
                    }
                    if let (Some(from), Some(to)) = (f.from, f.to) {
                        if from.start() >= to.end() {
                            return Err(QueryError::at(
                                format!("the dates leave nothing: from {from} is after to {to}"),
                                column,
                            ));
                        }
                    }
                }
                (FilterValue::Text(value), field) => {
                    let slot = match field {
                        FilterField::Gremium => &mut f.gremium,
                        FilterField::Body => &mut f.body,
                        FilterField::Stichwort => &mut f.stichwort,
                        FilterField::Handlungsfeld => &mut f.handlungsfeld,
                        _ => &mut out.reference,
                    };
                    let words =
                        matches!(field, FilterField::Stichwort | FilterField::Handlungsfeld);
                    match slot {
                        Some(old) if words => *old = format!("{old} {value}"),
                        Some(old) if keyword_key(old) != keyword_key(value) => {
                            return Err(conflict(&format!("{old:?}"), &format!("{value:?}")))
                        }
                        _ => *slot = Some(value.clone()),
                    }
                }
            }
        }
        Ok(out)
    }
}

/// Parse a query. See the module docs for the syntax. Never panics.
pub fn parse(query: &str) -> Result<ParsedQuery, QueryError> {
    let chars = query.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(QueryError::new(format!(
            "the query is {chars} characters long; at most {MAX_QUERY_CHARS} are allowed"
        )));
    }
    let tokens = lex(query)?;
    let mut parser = Parser {
        tokens,
        at: 0,
        filters: Vec::new(),
        all: None,
    };
    let nodes = parser.sequence(0, None)?;
    let text = match nodes.len() {
        0 => None,
        1 => nodes.into_iter().next(),
        _ => Some(Node::And(nodes)),
    };
    if let (Some(star), Some(_)) = (parser.all, &text) {
        return Err(QueryError::at("'*' alone means every document", star)
            .with_hint("it cannot be combined with words; use word* for a prefix"));
    }
    Ok(ParsedQuery {
        text,
        filters: parser.filters,
        all: parser.all.is_some(),
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Open,
    Close,
    /// `-` directly before a word, phrase or parenthesis.
    Minus,
    Or,
    And,
    Not,
    Star,
    Word {
        text: String,
        prefix: bool,
    },
    Phrase(String),
    Filter(FieldFilter),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    span: Span,
}

/// Byte offset → 1-based column, for a query being lexed.
struct Columns<'a> {
    text: &'a str,
}

impl Columns<'_> {
    fn of(&self, byte: usize) -> usize {
        self.text
            .get(..byte)
            .map_or(1, |before| before.chars().count() + 1)
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span {
            start,
            end,
            column: self.of(start),
        }
    }
}

fn is_word_end(c: char) -> bool {
    c.is_whitespace() || c == '(' || c == ')' || c == '"'
}

fn lex(query: &str) -> Result<Vec<Token>, QueryError> {
    let cols = Columns { text: query };
    if let Some((at, c)) = query
        .char_indices()
        .find(|&(_, c)| c.is_control() && !c.is_whitespace())
    {
        return Err(QueryError::at(
            format!("control character U+{:04X}", u32::from(c)),
            cols.of(at),
        )
        .with_hint("remove it; only printable text can be searched"));
    }
    let mut tokens = Vec::new();
    let mut terms = 0;
    let mut it = query.char_indices().peekable();
    while let Some(&(start, c)) = it.peek() {
        if c.is_whitespace() {
            it.next();
            continue;
        }
        let tok = match c {
            '(' => {
                it.next();
                Tok::Open
            }
            ')' => {
                it.next();
                Tok::Close
            }
            '"' => {
                it.next();
                let (text, _) = quoted(query, start, &mut it, &cols)?;
                if text.trim().is_empty() {
                    return Err(QueryError::at("empty phrase", cols.of(start))
                        .with_hint("put words between the quotes"));
                }
                Tok::Phrase(text)
            }
            '-' | '+' => {
                it.next();
                match it.peek() {
                    Some(&(_, next)) if !next.is_whitespace() && next != ')' && next != c => {
                        if c == '-' {
                            Tok::Minus
                        } else {
                            // `+word`: required, which words are anyway.
                            continue;
                        }
                    }
                    // A lone dash (or a run of them) is punctuation.
                    _ => continue,
                }
            }
            _ => {
                let mut end = start;
                while let Some(&(i, c)) = it.peek() {
                    if is_word_end(c) {
                        break;
                    }
                    end = i + c.len_utf8();
                    it.next();
                }
                let run = &query[start..end];
                match field_name(run) {
                    Some((name, value)) => {
                        let filter = field_filter(query, start, name, value, &mut it, &cols)?;
                        let span = filter.span;
                        tokens.push(Token {
                            tok: Tok::Filter(filter),
                            span,
                        });
                        terms += 1;
                        check_terms(terms, span.column)?;
                        continue;
                    }
                    None => word(run, cols.of(start))?,
                }
            }
        };
        let end = it.peek().map_or(query.len(), |&(i, _)| i);
        let span = cols.span(start, end);
        if matches!(tok, Tok::Word { .. } | Tok::Phrase(_)) {
            terms += 1;
            check_terms(terms, span.column)?;
        }
        tokens.push(Token { tok, span });
    }
    Ok(tokens)
}

fn check_terms(terms: usize, column: usize) -> Result<(), QueryError> {
    if terms > MAX_TERMS {
        return Err(QueryError::at(
            format!("too many words: at most {MAX_TERMS} words, phrases and filters are allowed"),
            column,
        ));
    }
    Ok(())
}

/// The text up to the closing quote of a quote opened at byte `open` (the
/// iterator is just past it). Gives the text and the byte offset after the
/// closing quote.
fn quoted(
    query: &str,
    open: usize,
    it: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    cols: &Columns<'_>,
) -> Result<(String, usize), QueryError> {
    let from = open + 1;
    for (i, c) in it.by_ref() {
        if c == '"' {
            return Ok((query[from..i].to_string(), i + 1));
        }
    }
    Err(QueryError::at("unbalanced quote", cols.of(open)).with_hint("a phrase needs a closing \""))
}

/// A plain word (or operator) from a run of non-space characters.
fn word(run: &str, column: usize) -> Result<Tok, QueryError> {
    Ok(match run {
        "OR" => Tok::Or,
        "AND" => Tok::And,
        "NOT" => Tok::Not,
        "*" => Tok::Star,
        _ => {
            let stem = run.trim_end_matches('*');
            if stem.len() == run.len() {
                Tok::Word {
                    text: run.to_string(),
                    prefix: false,
                }
            } else if stem.chars().filter(|c| c.is_alphanumeric()).count() < MIN_PREFIX_CHARS {
                return Err(
                    QueryError::at(format!("prefix {run:?} is too short"), column).with_hint(
                        format!("give at least {MIN_PREFIX_CHARS} letters before the *"),
                    ),
                );
            } else {
                Tok::Word {
                    text: stem.to_string(),
                    prefix: true,
                }
            }
        }
    })
}

/// `name` and the rest after the first `:` if `run` starts with a field
/// name (letters and `_` only) and a colon.
fn field_name(run: &str) -> Option<(&str, &str)> {
    let (name, value) = run.split_once(':')?;
    let is_name = !name.is_empty() && name.chars().all(|c| c.is_alphabetic() || c == '_');
    is_name.then_some((name, value))
}

fn field_filter(
    query: &str,
    start: usize,
    name: &str,
    value: &str,
    it: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    cols: &Columns<'_>,
) -> Result<FieldFilter, QueryError> {
    let column = cols.of(start);
    let Some(field) = FilterField::lookup(name) else {
        return Err(
            QueryError::at(format!("unknown field {name:?}"), column).with_hint(format!(
                "{}; put the text in double quotes to search for it",
                known_fields()
            )),
        );
    };
    let mut value_start = start + name.len() + 1;
    let (value, end) = if !value.is_empty() {
        (value.to_string(), value_start + value.len())
    } else if let Some(&(open, '"')) = it.peek() {
        it.next();
        value_start = open + 1;
        quoted(query, open, it, cols)?
    } else {
        return Err(QueryError::at(
            format!("missing value after {}:", name.to_lowercase()),
            column,
        )
        .with_hint(
            "write it without a space, e.g. gremium:Kreistag or gremium:\"Ausschuss für Umwelt\"",
        ));
    };
    let value_column = cols.of(value_start);
    let value = check_value(field, value.trim(), value_column)?;
    Ok(FieldFilter {
        field,
        value,
        span: Span { start, end, column },
    })
}

fn check_value(field: FilterField, value: &str, column: usize) -> Result<FilterValue, QueryError> {
    let name = field.name();
    let has_text = value.chars().any(char::is_alphanumeric);
    let invalid = |message: String| QueryError::at(message, column);
    match field {
        FilterField::Typ => parse_doc_type(value)
            .map(FilterValue::DocType)
            .map_err(|e| invalid(format!("{e} in {name}:"))),
        FilterField::Kind => parse_kind(value)
            .map(FilterValue::Kind)
            .map_err(|e| invalid(format!("{e} in {name}:"))),
        FilterField::Datum => dates(value, column),
        _ if !has_text => Err(invalid(format!(
            "the value {value:?} of {name}: has no letters or digits"
        ))),
        _ => Ok(FilterValue::Text(value.to_string())),
    }
}

/// `2025`, `2025-03`, `2025-01..2025-06`, `..2025`, `2024..`.
fn dates(value: &str, column: usize) -> Result<FilterValue, QueryError> {
    let bound = |text: &str, offset: usize| -> Result<DateBound, QueryError> {
        text.parse::<DateBound>().map_err(|_| {
            QueryError::at(
                format!("invalid date {text:?} in datum:"),
                column + value[..offset].chars().count(),
            )
            .with_hint("expected YYYY, YYYY-MM or YYYY-MM-DD, or a range like 2025-01..2025-06")
        })
    };
    let (from, to) = match value.split_once("..") {
        None => {
            let day = bound(value, 0)?;
            (Some(day), Some(day))
        }
        Some((a, b)) => {
            let from = (!a.is_empty()).then(|| bound(a, 0)).transpose()?;
            let to = (!b.is_empty()).then(|| bound(b, a.len() + 2)).transpose()?;
            if from.is_none() && to.is_none() {
                return Err(
                    QueryError::at("the date range in datum: has no bounds", column)
                        .with_hint("e.g. datum:2025-01..2025-06, datum:..2025 or datum:2024.."),
                );
            }
            (from, to)
        }
    };
    if let (Some(f), Some(t)) = (from, to) {
        if f.start() >= t.end() {
            return Err(QueryError::at(
                format!("the date range {value:?} in datum: is empty: {f} is after {t}"),
                column,
            ));
        }
    }
    Ok(FilterValue::Dates { from, to })
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    filters: Vec<FieldFilter>,
    /// Column of a `*` standing alone.
    all: Option<usize>,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    /// Nodes next to each other up to the end (top level) or the closing
    /// parenthesis of the one opened at `open` (a column).
    fn sequence(&mut self, depth: usize, open: Option<usize>) -> Result<Vec<Node>, QueryError> {
        let mut nodes = Vec::new();
        loop {
            let Some(token) = self.peek().cloned() else {
                if let Some(open) = open {
                    return Err(
                        QueryError::at("unclosed parenthesis", open).with_hint("add the closing )")
                    );
                }
                return Ok(nodes);
            };
            match token.tok {
                Tok::Close => {
                    self.next();
                    return match open {
                        Some(open) if nodes.is_empty() => {
                            Err(QueryError::at("empty parentheses", open))
                        }
                        Some(_) => Ok(nodes),
                        None => Err(QueryError::at("unbalanced ')'", token.span.column)
                            .with_hint("no ( before it")),
                    };
                }
                Tok::And => {
                    self.next();
                    if nodes.is_empty() {
                        return Err(operator_without("AND", "before", token.span.column));
                    }
                    match self.peek().map(|t| &t.tok) {
                        None | Some(Tok::Close | Tok::Or | Tok::And) => {
                            return Err(operator_without("AND", "after", token.span.column))
                        }
                        _ => {}
                    }
                }
                Tok::Or => {
                    return Err(operator_without("OR", "before", token.span.column));
                }
                Tok::Filter(filter) if open.is_none() => {
                    self.next();
                    self.filters.push(filter);
                }
                Tok::Star if open.is_none() => {
                    self.next();
                    self.all = Some(token.span.column);
                }
                _ => nodes.push(self.alternatives(depth)?),
            }
        }
    }

    /// `x OR y OR …` (or just `x`).
    fn alternatives(&mut self, depth: usize) -> Result<Node, QueryError> {
        let first_column = self.peek().map_or(1, |t| t.span.column);
        let first = self.unary(depth)?;
        if !matches!(self.peek().map(|t| &t.tok), Some(Tok::Or)) {
            return Ok(first);
        }
        if matches!(first, Node::Not(_)) {
            return Err(excluded_alternative(first_column));
        }
        let mut options = vec![first];
        while let Some(Token { tok: Tok::Or, span }) = self.peek().cloned() {
            self.next();
            match self.peek().map(|t| &t.tok) {
                None | Some(Tok::Close | Tok::Or | Tok::And) => {
                    return Err(operator_without("OR", "after", span.column))
                }
                Some(Tok::Minus | Tok::Not) => {
                    let column = self.peek().map_or(span.column, |t| t.span.column);
                    return Err(excluded_alternative(column));
                }
                _ => {}
            }
            options.push(self.unary(depth)?);
        }
        // `a OR (b OR c)` is `a OR b OR c`.
        let mut flat = Vec::with_capacity(options.len());
        for option in options {
            match option {
                Node::Or(inner) => flat.extend(inner),
                other => flat.push(other),
            }
        }
        Ok(Node::Or(flat))
    }

    /// `-x`, `NOT x` or `x`.
    fn unary(&mut self, depth: usize) -> Result<Node, QueryError> {
        let Some(token) = self.peek().cloned() else {
            return Err(QueryError::new("the query ends where a word was expected"));
        };
        match token.tok {
            Tok::Minus | Tok::Not => {
                self.next();
                let what = if token.tok == Tok::Not { "NOT" } else { "-" };
                match self.peek().map(|t| &t.tok) {
                    Some(Tok::Word { .. } | Tok::Phrase(_) | Tok::Open) => {}
                    Some(Tok::Filter(_)) => {
                        return Err(QueryError::at(
                            "a field filter cannot be excluded",
                            token.span.column,
                        )
                        .with_hint("field filters select; give the value you want instead"))
                    }
                    _ => {
                        return Err(QueryError::at(
                            format!("{what} needs a word, phrase or group after it"),
                            token.span.column,
                        ))
                    }
                }
                Ok(Node::Not(Box::new(self.atom(depth)?)))
            }
            _ => self.atom(depth),
        }
    }

    fn atom(&mut self, depth: usize) -> Result<Node, QueryError> {
        let Some(token) = self.next() else {
            return Err(QueryError::new("the query ends where a word was expected"));
        };
        let column = token.span.column;
        match token.tok {
            Tok::Word { text, prefix } => Ok(Node::Word {
                text,
                prefix,
                span: token.span,
            }),
            Tok::Phrase(text) => Ok(Node::Phrase {
                text,
                span: token.span,
            }),
            Tok::Open => {
                if depth >= MAX_DEPTH {
                    return Err(QueryError::at(
                        format!("parentheses nested more than {MAX_DEPTH} deep"),
                        column,
                    ));
                }
                let mut nodes = self.sequence(depth + 1, Some(column))?;
                if nodes.iter().all(|n| matches!(n, Node::Not(_))) {
                    return Err(
                        QueryError::at("the group in parentheses only excludes", column)
                            .with_hint("add a word to search for inside it"),
                    );
                }
                Ok(if nodes.len() == 1 {
                    nodes.remove(0)
                } else {
                    Node::And(nodes)
                })
            }
            Tok::Filter(filter) => Err(QueryError::at(
                format!(
                    "the field filter {}: cannot be grouped or joined with OR",
                    filter.field.name()
                ),
                column,
            )
            .with_hint("field filters apply to the whole query; put it outside parentheses")),
            Tok::Star => Err(QueryError::at("'*' alone means every document", column)
                .with_hint("it cannot be grouped or joined with OR; use word* for a prefix")),
            Tok::Close => Err(QueryError::at("unexpected ')'", column)),
            Tok::Or | Tok::And | Tok::Not | Tok::Minus => Err(QueryError::at(
                "an operator where a word was expected",
                column,
            )),
        }
    }
}

fn excluded_alternative(column: usize) -> QueryError {
    QueryError::at("an excluded word cannot be an alternative of OR", column)
        .with_hint("write a OR b -c to exclude c from both")
}

fn operator_without(op: &str, side: &str, column: usize) -> QueryError {
    QueryError::at(format!("{op} has no word {side} it"), column)
        .with_hint("write OR and AND between two words; in lower case they are searched for")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(query: &str) -> String {
        parse(query).unwrap_err().to_string()
    }

    fn words(node: &Node) -> Vec<String> {
        match node {
            Node::Word { text, prefix, .. } => {
                vec![format!("{text}{}", if *prefix { "*" } else { "" })]
            }
            Node::Phrase { text, .. } => vec![format!("\"{text}\"")],
            Node::And(nodes) => nodes.iter().flat_map(words).collect(),
            Node::Or(nodes) => {
                let inner: Vec<String> = nodes.iter().flat_map(words).collect();
                vec![format!("({})", inner.join("|"))]
            }
            Node::Not(node) => words(node).into_iter().map(|w| format!("-{w}")).collect(),
        }
    }

    fn shape(query: &str) -> Vec<String> {
        parse(query)
            .unwrap()
            .text
            .as_ref()
            .map(words)
            .unwrap_or_default()
    }

    #[test]
    fn words_phrases_negation_prefix_and_or() {
        assert_eq!(shape("Kita Kosten"), ["Kita", "Kosten"]);
        assert_eq!(
            shape("\"Weißer Ring\" -Kosten -\"freie Träger\""),
            ["\"Weißer Ring\"", "-Kosten", "-\"freie Träger\""]
        );
        assert_eq!(shape("Kita OR Hort Kosten"), ["(Kita|Hort)", "Kosten"]);
        assert_eq!(
            shape("(Kita OR Hort) AND Kosten"),
            ["(Kita|Hort)", "Kosten"]
        );
        assert_eq!(shape("a OR (b OR c)"), ["(a|b|c)"]);
        assert_eq!(shape("Integrations*"), ["Integrations*"]);
        assert_eq!(shape("NOT Kosten Kita"), ["-Kosten", "Kita"]);
        // Lower-case "or", lone dashes, inner hyphens and gender stars are text.
        assert_eq!(
            shape("Kita or Hort - Ilm-Kreis Bürger*innen"),
            ["Kita", "or", "Hort", "Ilm-Kreis", "Bürger*innen"]
        );
        assert_eq!(shape("10:30 Uhr"), ["10:30", "Uhr"]);
    }

    #[test]
    fn spans_point_into_the_query() {
        let q = "Ärzte \"Weißer Ring\"";
        let parsed = parse(q).unwrap();
        let Some(Node::And(nodes)) = parsed.text else {
            panic!("{parsed:?}")
        };
        let Node::Phrase { span, .. } = &nodes[1] else {
            panic!()
        };
        assert_eq!(&q[span.start..span.end], "\"Weißer Ring\"");
        assert_eq!(span.column, 7);
    }

    #[test]
    fn field_filters_are_checked_and_kept_apart() {
        let parsed = parse(
            "Kita typ:Anfrage-Antwort gremium:\"Ausschuss für Umwelt\" datum:2025-01..2025-06 nr:0412/2025",
        )
        .unwrap();
        assert_eq!(parsed.term_count(), 1);
        let values: Vec<_> = parsed.filters.iter().map(|f| f.value.clone()).collect();
        assert_eq!(values[0], FilterValue::DocType(DocType::AnfrageAntwort));
        assert_eq!(values[1], FilterValue::Text("Ausschuss für Umwelt".into()));
        let bound = |s: &str| Some(s.parse::<DateBound>().unwrap());
        assert_eq!(
            values[2],
            FilterValue::Dates {
                from: bound("2025-01"),
                to: bound("2025-06")
            }
        );
        assert_eq!(values[3], FilterValue::Text("0412/2025".into()));
        assert_eq!(parsed.filters[1].span.column, 26);

        let open = parse("datum:..2025 Type:konzept KIND:frage").unwrap();
        assert_eq!(
            open.filters[0].value,
            FilterValue::Dates {
                from: None,
                to: bound("2025")
            }
        );
        assert_eq!(open.filters[1].field, FilterField::Typ);
        assert_eq!(open.filters[2].value, FilterValue::Kind(PassageKind::Qa));
        let year = parse("datum:2024..").unwrap();
        assert!(year.text.is_none() && !year.all);
        assert!(parse("* typ:konzept").unwrap().all);
    }

    #[test]
    fn each_error_says_what_and_where() {
        for (query, expected) in [
            ("Kosten \"Kita", "unbalanced quote at column 8"),
            (
                "foo:bar",
                "unknown field \"foo\" at column 1 (known: typ, gremium, body",
            ),
            (
                "Kita datum:2025-13",
                "invalid date \"2025-13\" in datum: at column 12",
            ),
            (
                "datum:2025-01..2025-13",
                "invalid date \"2025-13\" in datum: at column 16",
            ),
            (
                "datum:2025..2024",
                "is empty: 2025 is after 2024 at column 7",
            ),
            ("datum:..", "has no bounds at column 7"),
            ("typ:konzpt", "unknown document type \"konzpt\""),
            ("kind:absatz", "unknown passage kind"),
            (
                "gremium: Kreistag",
                "missing value after gremium: at column 1",
            ),
            (
                "Stichwort: Woche",
                "missing value after stichwort: at column 1",
            ),
            ("body:--", "has no letters or digits at column 6"),
            ("(Kita", "unclosed parenthesis at column 1"),
            ("Kita)", "unbalanced ')' at column 5"),
            ("()", "empty parentheses at column 1"),
            ("a AND OR b", "AND has no word after it at column 3"),
            ("OR Kita", "OR has no word before it at column 1"),
            ("Kita OR", "OR has no word after it at column 6"),
            ("AND", "AND has no word before it at column 1"),
            (
                "Kita OR -Hort",
                "cannot be an alternative of OR at column 9",
            ),
            (
                "-typ:konzept",
                "a field filter cannot be excluded at column 1",
            ),
            (
                "(typ:konzept)",
                "cannot be grouped or joined with OR at column 2",
            ),
            (
                "Kita OR typ:konzept",
                "cannot be grouped or joined with OR at column 9",
            ),
            ("Kita *", "'*' alone means every document at column 6"),
            ("a*", "prefix \"a*\" is too short at column 1"),
            ("**", "prefix \"**\" is too short at column 1"),
            ("\"\"", "empty phrase at column 1"),
            ("(-Kosten) Kita", "only excludes at column 1"),
            (
                "Kita NOT",
                "NOT needs a word, phrase or group after it at column 6",
            ),
            ("Kita\u{7}", "control character U+0007 at column 5"),
        ] {
            let message = err(query);
            assert!(message.contains(expected), "{query:?}: {message}");
        }
    }

    #[test]
    fn limits_are_errors() {
        let long = "Kita ".repeat(500);
        assert!(err(&long).contains("at most 2000"), "{}", err(&long));
        let many = "Kita ".repeat(MAX_TERMS + 1);
        assert!(
            err(&many).contains(&format!("at column {}", MAX_TERMS * 5 + 1)),
            "{}",
            err(&many)
        );
        let deep = format!("{}Kita{}", "(".repeat(20), ")".repeat(20));
        assert!(err(&deep).contains("nested more than 16"), "{}", err(&deep));
        assert!(parse(&"Kita ".repeat(MAX_TERMS)).is_ok());
    }

    #[test]
    fn empty_and_operator_only_queries_parse_to_nothing_or_fail() {
        for empty in ["", "   ", " - -- ", "+"] {
            assert_eq!(parse(empty).unwrap(), ParsedQuery::default(), "{empty:?}");
        }
        assert!(parse("*").unwrap().all);
        for operators in ["OR", "OR AND", "NOT", "-(", ")", "(("] {
            assert!(parse(operators).is_err(), "{operators:?}");
        }
    }

    /// A tiny deterministic generator (xorshift) so the test needs no crate.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn random_strings_never_panic() {
        const PIECES: [&str; 24] = [
            "Kita",
            " ",
            "\"",
            "(",
            ")",
            "-",
            "OR",
            "AND",
            "NOT",
            "*",
            ":",
            "typ:",
            "datum:",
            "2025",
            "..",
            "ä",
            "ß",
            "\u{0}",
            "\t",
            "gremium:\"",
            "nr:",
            "\u{200b}",
            "x",
            "ẞ",
        ];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut parsed = 0;
        for _ in 0..100_000 {
            let n = (rng.next() % 12) as usize;
            let mut query = String::new();
            for _ in 0..n {
                let r = rng.next();
                if r.is_multiple_of(5) {
                    // Any char, including surrogates' neighbours and controls.
                    if let Some(c) = char::from_u32((r >> 8) as u32 % 0x11_0000) {
                        query.push(c);
                    }
                } else {
                    query.push_str(PIECES[(r >> 8) as usize % PIECES.len()]);
                }
            }
            match parse(&query) {
                Ok(_) => parsed += 1,
                Err(e) => assert!(!e.message.is_empty(), "{query:?}"),
            }
        }
        // The generator must exercise both outcomes.
        assert!(parsed > 1_000 && parsed < 99_000, "{parsed}");
    }
}
