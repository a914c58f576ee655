//! `GET /`: the search page, server-rendered German HTML.
//!
//! Takes the same query parameters as `/api/search` (see
//! [`SearchParams`]), so a search is a plain GET form: it works without
//! JavaScript, and the URL is the bookmarkable, shareable search. Gives a
//! page with the search box, filters (Typ, Gremium, Körperschaft, Datum
//! von/bis, Sortierung), facet counts as links that add their filter,
//! results ("TOP 5.1 — …", date, body, snippet with the hits in `<mark>`,
//! a link that opens the PDF at the passage's page) and paging.
//!
//! Everything that comes from a client or a document is HTML-escaped by
//! [`esc`]; the page loads nothing from elsewhere (inline CSS, no scripts),
//! and its Content-Security-Policy forbids anything else.

use std::fmt::Write as _;

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use super::api::{run_search, run_similar, ApiError};
use super::params::SearchParams;
use super::AppState;
use crate::search::filter::DOC_TYPES;
use crate::search::similar::{SimilarOptions, SimilarPair, SimilarResults};
use crate::search::{Facets, Hit, SearchResults};

/// The page's Content-Security-Policy: inline styles only, forms to
/// ourselves, no frames, no scripts.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; \
                   form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// What the page shows below the form.
enum Outcome {
    /// No query and no filter: the index at a glance.
    Start(SearchResults),
    Results(SearchResults),
    Error(ApiError),
}

pub async fn search_page(
    State(state): State<AppState>,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Response {
    let params = match params {
        Ok(Query(params)) => params,
        Err(rejection) => {
            return render(&SearchParams::default(), &Outcome::Error(rejection.into()))
        }
    };
    let outcome = match params.request(state.limits()) {
        Err(err) => Outcome::Error(err),
        Ok(mut request) => {
            let start = request.query.trim().is_empty() && request.filters.is_empty();
            if start {
                request.query = "*".into();
                request.limit = 0;
                request.offset = 0;
            }
            match run_search(&state, request).await {
                Ok(searched) if start => Outcome::Start(searched.results),
                Ok(searched) => Outcome::Results(searched.results),
                Err(err) => Outcome::Error(err),
            }
        }
    };
    render(&params, &outcome)
}

fn render(params: &SearchParams, outcome: &Outcome) -> Response {
    let status = match outcome {
        Outcome::Error(err) => err.parts().0,
        _ => StatusCode::OK,
    };
    let mut response = (status, Html(page(params, outcome))).into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    response
}

/// Escape text for HTML element content and quoted attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The snippet, escaped, with each highlighted range in `<mark>`
/// (ranges that are not on character boundaries are skipped, as in
/// [`Hit::marked_snippet`]).
pub fn marked_snippet_html(hit: &Hit) -> String {
    let snippet = &hit.snippet;
    let mut out = String::with_capacity(snippet.len() + 32);
    let mut at = 0;
    for &[start, end] in &hit.highlights {
        let (Some(before), Some(word)) = (snippet.get(at..start), snippet.get(start..end)) else {
            continue;
        };
        out.push_str(&esc(before));
        out.push_str("<mark>");
        out.push_str(&esc(word));
        out.push_str("</mark>");
        at = end;
    }
    out.push_str(&esc(snippet.get(at..).unwrap_or_default()));
    out
}

/// German name of a document type as stored in the index.
fn type_label(doc_type: &str) -> &str {
    crate::oparl::serve::paper_type_label(doc_type)
}

/// `2025-11-10` → `10.11.2025`, `2025-11` → `11/2025`; anything else as is.
fn german_date(date: &str) -> String {
    let parts: Vec<&str> = date.split('-').collect();
    match parts.as_slice() {
        [y, m, d] => format!("{d}.{m}.{y}"),
        [y, m] => format!("{m}/{y}"),
        _ => date.to_string(),
    }
}

/// The current search's parameters as `(name, value)` pairs, blank ones
/// left out, in a fixed order (so links are stable).
fn current(params: &SearchParams) -> Vec<(&'static str, String)> {
    [
        ("q", &params.q),
        ("type", &params.doc_type),
        ("gremium", &params.gremium),
        ("body", &params.body),
        ("from", &params.from),
        ("to", &params.to),
        ("sort", &params.sort),
        ("passages", &params.passages),
        ("limit", &params.limit),
        ("offset", &params.offset),
    ]
    .into_iter()
    .filter_map(|(name, value)| {
        let value = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
        Some((name, value.to_string()))
    })
    .collect()
}

/// A link to `/` with `pairs` as its query string.
fn href(pairs: &[(&str, String)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        query.append_pair(name, value);
    }
    let query = query.finish();
    if query.is_empty() {
        "/".into()
    } else {
        format!("/?{query}")
    }
}

/// The current parameters with `set` replacing (or adding) values and
/// `unset` removed; the offset always goes (a new filter starts at page 1).
fn with(params: &SearchParams, set: &[(&'static str, String)], unset: &[&str]) -> String {
    let mut pairs: Vec<(&str, String)> = current(params)
        .into_iter()
        .filter(|(name, _)| {
            *name != "offset" && !unset.contains(name) && !set.iter().any(|(n, _)| n == name)
        })
        .collect();
    pairs.extend(set.iter().cloned());
    href(&pairs)
}

fn page(params: &SearchParams, outcome: &Outcome) -> String {
    let query = params.q.as_deref().unwrap_or_default();
    let title = if query.trim().is_empty() {
        "Ratsuche".to_string()
    } else {
        format!("{} – Ratsuche", esc(query))
    };
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        r##"<!doctype html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{STYLE}</style>
</head>
<body>
<a class="skip" href="#ergebnisse">Zu den Ergebnissen springen</a>
<header><p class="brand"><a href="/">Ratsuche</a></p>
<p class="tagline">Suche in Papieren von Kreistag, Stadtrat und Ausschüssen</p></header>
<main>
"##
    );
    search_form(&mut out, params, outcome);
    out.push_str(r#"<div id="ergebnisse" class="layout">"#);
    match outcome {
        Outcome::Error(err) => {
            error_alert(&mut out, err);
        }
        Outcome::Start(results) => {
            let _ = write!(
                out,
                r#"<section class="results" aria-label="Übersicht"><p class="summary">Im Index: {}. Suchbegriffe eingeben oder unten einen Filter wählen.</p>
<p class="help">Alle Wörter müssen vorkommen; <code>"genaue Wortfolge"</code> in Anführungszeichen, <code>-wort</code> schließt aus, <code>ODER</code> als <code>OR</code>.</p></section>"#,
                documents(results.total, false)
            );
            facets(&mut out, params, &results.facets);
        }
        Outcome::Results(results) => {
            hits(&mut out, params, results);
            facets(&mut out, params, &results.facets);
        }
    }
    out.push_str("</div>\n");
    similar_form(&mut out, "");
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// The "asked before?" box: a textarea posted to `/aehnlich` (no script
/// needed), holding `text` again after a search.
/// The alert paragraph for a failed search or similar request: a client
/// error says what is wrong, anything else gets a generic sentence (the
/// details are in the server's log).
fn error_alert(out: &mut String, err: &ApiError) {
    let (status, error, detail) = err.parts();
    let text = if status.is_client_error() {
        format!(
            "Die Suche ist nicht möglich: {} ({})",
            esc(detail),
            esc(error)
        )
    } else {
        "Bei der Suche ist ein Fehler aufgetreten. Bitte später noch einmal versuchen.".to_string()
    };
    let _ = write!(out, r#"<p class="error" role="alert">{text}</p>"#);
}

fn similar_form(out: &mut String, text: &str) {
    let _ = write!(
        out,
        r#"<section class="aehnlich" aria-labelledby="aehnlich-titel">
<h2 id="aehnlich-titel">Ähnliche frühere Anfragen</h2>
<form method="post" action="/aehnlich">
<label for="anfrage-text">Text einer neuen Anfrage</label>
<textarea id="anfrage-text" name="text" rows="6" required aria-describedby="anfrage-hilfe">{}</textarea>
<p id="anfrage-hilfe" class="hint">Zu jeder Frage der Anfrage werden die ähnlichsten früher gestellten Fragen mit ihren Antworten gezeigt.</p>
<button type="submit">Frühere Anfragen finden</button>
</form>
</section>
"#,
        esc(text)
    );
}

/// `/aehnlich`'s form body.
#[derive(Debug, Default, serde::Deserialize)]
pub struct SimilarForm {
    #[serde(default)]
    pub text: String,
}

/// `GET /aehnlich`: the form alone.
pub async fn similar_page() -> Response {
    render_similar("", None)
}

/// `POST /aehnlich`: the form and, per question of the posted inquiry,
/// the earlier pairs found (or the error, in German).
pub async fn similar_results(
    State(state): State<AppState>,
    form: Result<Form<SimilarForm>, FormRejection>,
) -> Response {
    let Form(form) = match form {
        Ok(form) => form,
        Err(rejection) => {
            let error = ApiError::bad_request("invalid form", rejection.body_text());
            return render_similar("", Some(Err(error)));
        }
    };
    let outcome = run_similar(&state, form.text.clone(), SimilarOptions::default()).await;
    render_similar(&form.text, Some(outcome))
}

fn render_similar(text: &str, outcome: Option<Result<SimilarResults, ApiError>>) -> Response {
    let status = match &outcome {
        Some(Err(err)) => err.parts().0,
        _ => StatusCode::OK,
    };
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        r##"<!doctype html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ähnliche frühere Anfragen – Ratsuche</title>
<style>{STYLE}</style>
</head>
<body>
<a class="skip" href="#ergebnisse">Zu den Ergebnissen springen</a>
<header><p class="brand"><a href="/">Ratsuche</a></p>
<p class="tagline">Wurde das schon einmal gefragt?</p></header>
<main>
"##
    );
    similar_form(&mut out, text);
    out.push_str(r#"<div id="ergebnisse">"#);
    match &outcome {
        None => {}
        Some(Err(err)) => {
            error_alert(&mut out, err);
        }
        Some(Ok(results)) => similar_matches(&mut out, results),
    }
    out.push_str("</div>\n</main>\n</body>\n</html>\n");
    let mut response = (status, Html(out)).into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    response
}

/// Longest answer excerpt shown, in characters.
const ANSWER_EXCERPT_CHARS: usize = 600;

fn excerpt(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => format!("{} …", text[..end].trim_end()),
        None => text.to_string(),
    }
}

fn similar_matches(out: &mut String, results: &SimilarResults) {
    let _ = write!(
        out,
        r#"<section class="results" aria-label="Frühere Anfragen"><p class="summary">{} {} erkannt.</p>"#,
        results.questions.len(),
        if results.questions.len() == 1 {
            "Frage"
        } else {
            "Fragen"
        }
    );
    for question in &results.questions {
        let number = question
            .number
            .as_deref()
            .map(|n| format!("Frage {}: ", esc(n)))
            .unwrap_or_default();
        let _ = write!(
            out,
            r#"<article class="frage"><h2>{number}{}</h2>"#,
            esc(&question.question)
        );
        if question.matches.is_empty() {
            out.push_str(r#"<p class="note">Keine ähnliche frühere Frage gefunden.</p>"#);
        } else {
            out.push_str(r#"<ol class="hits">"#);
            for pair in &question.matches {
                one_pair(out, pair);
            }
            out.push_str("</ol>");
        }
        out.push_str("</article>\n");
    }
    out.push_str("</section>");
}

fn one_pair(out: &mut String, pair: &SimilarPair) {
    let file_name = std::path::Path::new(&pair.file)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| pair.file.clone());
    let is_pdf = pair.path.to_ascii_lowercase().ends_with(".pdf");
    let file_url = format!("/api/documents/{}/pdf", esc(&pair.doc_id));
    let page_url = if is_pdf {
        format!("{file_url}#page={}", pair.page)
    } else {
        file_url
    };
    let meta: Vec<String> = [
        pair.doc_type.as_deref().map(|t| esc(type_label(t))),
        pair.date.as_deref().map(|d| esc(&german_date(d))),
        pair.reference.as_deref().map(esc),
        pair.body.as_deref().map(esc),
        pair.gremium.as_deref().map(esc),
        pair.number.as_deref().map(|n| format!("Frage {}", esc(n))),
    ]
    .into_iter()
    .flatten()
    .collect();
    let _ = write!(
        out,
        r#"<li class="hit"><h3>{}</h3>
<p class="meta">{}</p>
<p class="snippet"><strong>Antwort:</strong> {}</p>
<p class="links"><a class="pdf" href="{page_url}">{} öffnen, Seite {}</a> <span class="file">{}</span></p></li>
"#,
        esc(&pair.question),
        meta.join(" · "),
        esc(&excerpt(&pair.answer, ANSWER_EXCERPT_CHARS)),
        if is_pdf { "PDF" } else { "Text" },
        pair.page,
        esc(&file_name),
    );
}

fn documents(n: usize, passages: bool) -> String {
    let (one, many) = if passages {
        ("Abschnitt", "Abschnitte")
    } else {
        ("Dokument", "Dokumente")
    };
    format!("{n} {}", if n == 1 { one } else { many })
}

fn search_form(out: &mut String, params: &SearchParams, outcome: &Outcome) {
    let value = |v: &Option<String>| esc(v.as_deref().unwrap_or_default());
    let facets = match outcome {
        Outcome::Start(r) | Outcome::Results(r) => Some(&r.facets),
        Outcome::Error(_) => None,
    };
    let _ = write!(
        out,
        r#"<form method="get" action="/" role="search" class="search">
<label for="q">Suchbegriffe</label>
<div class="row"><input type="search" id="q" name="q" value="{q}" maxlength="2000" placeholder="z. B. Fachkräfte Pflege"><button type="submit">Suchen</button></div>
<fieldset><legend>Filter</legend><div class="filters">
<div><label for="type">Typ</label><select id="type" name="type"><option value="">alle</option>"#,
        q = value(&params.q)
    );
    let chosen = params
        .doc_type
        .as_deref()
        .and_then(|t| crate::search::parse_doc_type(t).ok());
    for doc_type in DOC_TYPES {
        let selected = if chosen == Some(doc_type) {
            " selected"
        } else {
            ""
        };
        let _ = write!(
            out,
            r#"<option value="{}"{selected}>{}</option>"#,
            doc_type.as_str(),
            type_label(doc_type.as_str())
        );
    }
    out.push_str("</select></div>");
    let text_input = |out: &mut String, id: &str, label: &str, v: &Option<String>, hint: &str| {
        let list = if hint.is_empty() {
            String::new()
        } else {
            format!(r#" list="{id}-liste""#)
        };
        let _ = write!(
            out,
            r#"<div><label for="{id}">{label}</label><input type="text" id="{id}" name="{id}" value="{}"{list}></div>"#,
            value(v)
        );
    };
    text_input(out, "gremium", "Gremium", &params.gremium, "liste");
    text_input(out, "body", "Körperschaft", &params.body, "liste");
    for (id, label, v) in [
        ("from", "Datum von", &params.from),
        ("to", "Datum bis", &params.to),
    ] {
        let _ = write!(
            out,
            r#"<div><label for="{id}">{label}</label><input type="text" id="{id}" name="{id}" value="{}" inputmode="numeric" placeholder="JJJJ-MM-TT" aria-describedby="datum-hilfe"></div>"#,
            value(v)
        );
    }
    let by_date = params
        .sort
        .as_deref()
        .and_then(|s| s.parse::<crate::search::Sort>().ok())
        == Some(crate::search::Sort::Date);
    let _ = write!(
        out,
        r#"<div><label for="sort">Sortierung</label><select id="sort" name="sort"><option value="">Relevanz</option><option value="date"{}>Datum, neueste zuerst</option></select></div>
</div><p id="datum-hilfe" class="hint">Datum als Jahr (2025), Monat (2025-03) oder Tag (2025-03-17).</p></fieldset>"#,
        if by_date { " selected" } else { "" }
    );
    if let Some(facets) = facets {
        for (id, counts) in [("gremium", &facets.gremium), ("body", &facets.body)] {
            let _ = write!(out, r#"<datalist id="{id}-liste">"#);
            for (name, _) in counts.iter() {
                let _ = write!(out, r#"<option value="{}">"#, esc(name));
            }
            out.push_str("</datalist>");
        }
    }
    out.push_str("</form>\n");
}

fn hits(out: &mut String, params: &SearchParams, results: &SearchResults) {
    let passages = params.passages.as_deref() == Some("all");
    let offset: usize = params
        .offset
        .as_deref()
        .and_then(|o| o.trim().parse().ok())
        .unwrap_or(0);
    let limit: usize = params
        .limit
        .as_deref()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(crate::search::DEFAULT_LIMIT)
        .max(1);
    out.push_str(r#"<section class="results" aria-label="Ergebnisse">"#);
    let found = documents(results.total, passages);
    let summary = if results.total == 0 {
        if results.listing {
            "Keine Dokumente passen zu diesen Filtern.".to_string()
        } else {
            format!("Keine Treffer für „{}“.", esc(&results.query))
        }
    } else if results.listing {
        format!("{found}, neueste zuerst.")
    } else {
        format!("{found} gefunden.")
    };
    let _ = write!(out, r#"<p class="summary" role="status">{summary}</p>"#);
    if results.fallback {
        out.push_str(
            r#"<p class="note">Kein Abschnitt enthält alle Suchwörter; gezeigt werden Abschnitte mit einem von ihnen.</p>"#,
        );
    }
    active_filters(out, params);
    if !results.hits.is_empty() {
        let _ = write!(out, r#"<ol class="hits" start="{}">"#, offset + 1);
        for hit in &results.hits {
            one_hit(out, hit);
        }
        out.push_str("</ol>");
    }
    paging(out, params, results.total, offset, limit);
    out.push_str("</section>");
}

fn one_hit(out: &mut String, hit: &Hit) {
    let file_name = std::path::Path::new(&hit.file)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| hit.file.clone());
    let heading = hit.heading.clone().unwrap_or_else(|| file_name.clone());
    let is_pdf = hit.path.to_ascii_lowercase().ends_with(".pdf");
    let file_url = format!("/api/documents/{}/pdf", esc(&hit.doc_id));
    let page_url = if is_pdf {
        format!("{file_url}#page={}", hit.page)
    } else {
        file_url.clone()
    };
    let meta: Vec<String> = [
        hit.doc_type.as_deref().map(|t| esc(type_label(t))),
        hit.date.as_deref().map(|d| esc(&german_date(d))),
        hit.body.as_deref().map(esc),
        hit.gremium.as_deref().map(esc),
        Some(format!("Seite {}", hit.page)),
        hit.source_label().map(|label| esc(&label)),
    ]
    .into_iter()
    .flatten()
    .collect();
    let _ = write!(
        out,
        r#"<li class="hit"><h2><a href="{page_url}">{}</a></h2>
<p class="meta">{}</p>
<p class="snippet">{}</p>
<p class="links"><a class="pdf" href="{page_url}">{} öffnen, Seite {}</a> <span class="file">{}</span></p></li>
"#,
        esc(&heading),
        meta.join(" · "),
        marked_snippet_html(hit),
        if is_pdf { "PDF" } else { "Text" },
        hit.page,
        esc(&file_name),
    );
}

fn active_filters(out: &mut String, params: &SearchParams) {
    let active: Vec<(&str, &str, String)> = [
        ("type", "Typ", &params.doc_type),
        ("gremium", "Gremium", &params.gremium),
        ("body", "Körperschaft", &params.body),
        ("from", "von", &params.from),
        ("to", "bis", &params.to),
    ]
    .into_iter()
    .filter_map(|(name, label, value)| {
        let value = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
        let shown = if name == "type" {
            type_label(value).to_string()
        } else {
            value.to_string()
        };
        Some((name, label, shown))
    })
    .collect();
    if active.is_empty() {
        return;
    }
    out.push_str(r#"<ul class="active" aria-label="Aktive Filter">"#);
    for (name, label, value) in active {
        let _ = write!(
            out,
            r#"<li>{label}: {} <a href="{}" aria-label="Filter {label} entfernen">✕</a></li>"#,
            esc(&value),
            esc(&with(params, &[], &[name]))
        );
    }
    out.push_str("</ul>");
}

fn paging(out: &mut String, params: &SearchParams, total: usize, offset: usize, limit: usize) {
    if total <= limit && offset == 0 {
        return;
    }
    let pages = total.div_ceil(limit).max(1);
    let current_page = offset / limit + 1;
    out.push_str(r#"<nav class="paging" aria-label="Seiten">"#);
    if offset > 0 {
        let previous = offset.saturating_sub(limit);
        let _ = write!(
            out,
            r#"<a rel="prev" href="{}">« Zurück</a>"#,
            esc(&with(params, &[("offset", previous.to_string())], &[]))
        );
    }
    let _ = write!(
        out,
        r#"<span aria-current="page">Seite {current_page} von {pages}</span>"#
    );
    if offset + limit < total {
        let _ = write!(
            out,
            r#"<a rel="next" href="{}">Weiter »</a>"#,
            esc(&with(
                params,
                &[("offset", (offset + limit).to_string())],
                &[]
            ))
        );
    }
    out.push_str("</nav>");
}

fn facets(out: &mut String, params: &SearchParams, facets: &Facets) {
    out.push_str(r#"<aside class="facets" aria-label="Eingrenzen"><h2>Eingrenzen</h2>"#);
    let groups: [(&str, &str, &crate::search::FacetCounts); 4] = [
        ("type", "Typ", &facets.doc_type),
        ("year", "Jahr", &facets.year),
        ("gremium", "Gremium", &facets.gremium),
        ("body", "Körperschaft", &facets.body),
    ];
    for (name, label, counts) in groups {
        if counts.is_empty() {
            continue;
        }
        let _ = write!(out, "<h3>{label}</h3><ul>");
        for (value, count) in counts.iter().take(12) {
            let (shown, link) = if name == "year" {
                (
                    value.to_string(),
                    with(
                        params,
                        &[("from", value.to_string()), ("to", value.to_string())],
                        &[],
                    ),
                )
            } else if name == "type" {
                (
                    type_label(value).to_string(),
                    with(params, &[("type", value.to_string())], &[]),
                )
            } else {
                (
                    value.to_string(),
                    with(params, &[(name, value.to_string())], &[]),
                )
            };
            let _ = write!(
                out,
                r#"<li><a href="{}">{}</a> <span class="count">({count})</span></li>"#,
                esc(&link),
                esc(&shown)
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</aside>");
}

const STYLE: &str = r#"
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;background:#fafafa}
a{color:#0b4f9c}
a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #f0a500;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:1}
header{background:#0b4f9c;color:#fff;padding:.75rem 1rem}
header a{color:#fff;text-decoration:none}
.brand{font-size:1.4rem;font-weight:700;margin:0}.tagline{margin:0;font-size:.95rem}
main{max-width:70rem;margin:0 auto;padding:1rem}
.search label{font-weight:600;display:block;margin-bottom:.2rem}
.row{display:flex;gap:.5rem}
input,select,button{font:inherit;padding:.45rem .6rem;border:1px solid #777;border-radius:4px;background:#fff;color:inherit}
#q{flex:1;min-width:0}
button{background:#0b4f9c;color:#fff;border-color:#0b4f9c;cursor:pointer}
fieldset{border:1px solid #ccc;border-radius:4px;margin:.75rem 0 0;padding:.5rem .75rem}
.filters{display:grid;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr));gap:.5rem .75rem}
.filters input,.filters select{width:100%}
.hint{font-size:.85rem;color:#555;margin:.4rem 0 0}
.layout{display:flex;gap:1.5rem;align-items:flex-start;margin-top:1rem}
.results{flex:1;min-width:0}
.facets{width:16rem;flex:none;background:#fff;border:1px solid #ddd;border-radius:4px;padding:.5rem .75rem}
.facets h2{font-size:1.1rem;margin:.2rem 0}.facets h3{font-size:.95rem;margin:.6rem 0 .2rem}
.facets ul,.active{list-style:none;margin:0;padding:0}
.count{color:#555}
.active{display:flex;flex-wrap:wrap;gap:.4rem;margin:.5rem 0}
.active li{background:#e6eef8;border-radius:1rem;padding:.1rem .6rem}
.active a{text-decoration:none;margin-left:.2rem}
.hits{padding-left:1.5rem}
.hit{margin:0 0 1.25rem}
.hit h2{font-size:1.1rem;margin:0 0 .2rem;overflow-wrap:anywhere}
.meta{margin:0;color:#444;font-size:.9rem}
.snippet{margin:.3rem 0}
mark{background:#ffe58a;color:inherit;padding:0 .1em}
.links{margin:0;font-size:.9rem}.file{color:#666;overflow-wrap:anywhere}
.error{background:#fde8e8;border:1px solid #c33;padding:.75rem;border-radius:4px}
.note{background:#fff6d6;padding:.5rem;border-radius:4px}
.paging{display:flex;gap:1rem;align-items:center;margin:1rem 0}
.aehnlich{margin-top:2rem;border-top:1px solid #ccc;padding-top:.5rem}
.aehnlich label{font-weight:600;display:block;margin-bottom:.2rem}
textarea{font:inherit;width:100%;padding:.45rem .6rem;border:1px solid #777;border-radius:4px}
.aehnlich button{margin-top:.5rem}
.frage h2{font-size:1.15rem}.hit h3{font-size:1.05rem;margin:0 0 .2rem}
@media (max-width:48rem){.layout{flex-direction:column}.facets{width:100%}}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc(r#"<script>"a" & 'b'</script>"#),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
    }

    #[test]
    fn snippet_marks_hits_and_escapes_the_rest() {
        let hit = Hit {
            file: "a.pdf".into(),
            path: "/x/a.pdf".into(),
            doc_id: "0123456789abcdef".into(),
            page: 2,
            text_source: crate::model::TextSource::Native,
            ..Hit::for_test("<b>Pflege</b> & Pflegekarte", vec![[3, 9], [16, 27]])
        };
        assert_eq!(
            marked_snippet_html(&hit),
            "&lt;b&gt;<mark>Pflege</mark>&lt;/b&gt; &amp; <mark>Pflegekarte</mark>"
        );
    }

    #[test]
    fn a_hit_says_when_its_text_came_from_ocr() {
        let mut hit = Hit {
            file: "scan.pdf".into(),
            path: "/x/scan.pdf".into(),
            doc_id: "0123456789abcdef".into(),
            page: 3,
            text_source: crate::model::TextSource::Ocr { confidence: 94.2 },
            ..Hit::for_test("Text", vec![])
        };
        let mut out = String::new();
        one_hit(&mut out, &hit);
        assert!(
            out.contains(r#"<p class="meta">Seite 3 · OCR, Konfidenz 94 %</p>"#),
            "{out}"
        );
        hit.text_source = crate::model::TextSource::Native;
        let mut out = String::new();
        one_hit(&mut out, &hit);
        assert!(!out.contains("OCR"), "{out}");
    }

    #[test]
    fn links_keep_the_search_and_drop_the_offset() {
        let params = SearchParams {
            q: Some("Pflege & Alter".into()),
            offset: Some("20".into()),
            doc_type: Some("konzept".into()),
            ..SearchParams::default()
        };
        assert_eq!(
            with(&params, &[("gremium", "Kreistag".into())], &["type"]),
            "/?q=Pflege+%26+Alter&gremium=Kreistag"
        );
    }

    #[test]
    fn german_dates() {
        assert_eq!(german_date("2025-11-10"), "10.11.2025");
        assert_eq!(german_date("2025-11"), "11/2025");
        assert_eq!(german_date("2025"), "2025");
    }
}
