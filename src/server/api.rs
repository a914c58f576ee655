//! The JSON API handlers and the one error type every route answers with.
//!
//! Status codes: 400 for a bad query or parameter (`{"error", "detail"}`,
//! the detail naming the problem), 404 for an unknown route or document
//! id, 500 with a generic message (and the cause in the log) for anything
//! that is not the client's fault, 503 when the request timeout ends a
//! request that waited too long.

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use tower::ServiceExt;
use tower_http::services::ServeFile;
use utoipa::ToSchema;

use super::cache::ResultCache;
use super::params::{OParlListParams, SearchParams};
use super::AppState;
use crate::error::Error;
use crate::index::DocumentSource;
use crate::oparl::serve::{self as oparl_out, OParlPaper, PaperList};
use crate::search::similar::{SimilarOptions, SimilarResults};
use crate::search::{self, Facets, SearchRequest, SearchResults};

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong, short: "invalid parameter 'limit'", "not found", …
    pub error: String,
    /// The details: which value, what would be accepted.
    pub detail: String,
    /// For a query that does not parse: the 1-based character column the
    /// problem starts at, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

/// An error answer: a status and an [`ErrorBody`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
}

impl ApiError {
    pub fn bad_request(error: impl Into<String>, detail: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            body: ErrorBody {
                error: error.into(),
                detail: detail.into(),
                column: None,
            },
        }
    }

    pub fn not_found(detail: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            body: ErrorBody {
                error: "not found".into(),
                detail: detail.into(),
                column: None,
            },
        }
    }

    /// A 500 with a generic message; `cause` goes to the log only.
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        tracing::error!("internal error: {cause}");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            body: ErrorBody {
                error: "internal error".into(),
                detail: "the server could not answer this request; the cause is in its log".into(),
                column: None,
            },
        }
    }

    /// Status, error and detail (for front ends that render errors their
    /// own way, and for tests).
    pub fn parts(&self) -> (StatusCode, &str, &str) {
        (self.status, &self.body.error, &self.body.detail)
    }
}

impl From<Error> for ApiError {
    fn from(err: Error) -> ApiError {
        match err {
            Error::Query(e) => {
                let mut error = ApiError::bad_request("invalid query", e.to_string());
                error.body.column = e.column;
                error
            }
            other => ApiError::internal(other),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> ApiError {
        ApiError::bad_request("invalid query string", rejection.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

/// `/api/search`'s answer: the library's [`SearchResults`] (the CLI's
/// `--json` shape) plus paging and timing.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResponse {
    #[serde(flatten)]
    pub results: SearchResults,
    /// Hits skipped before the first one returned.
    pub offset: usize,
    /// Hits asked for.
    pub limit: usize,
    /// Time the search took on the server (for a cached answer: the
    /// lookup), in milliseconds.
    pub took_ms: f64,
    /// True when the answer came from the server's cache of recent
    /// results (same request, same index state) instead of a search.
    pub cached: bool,
}

/// `/api/facets`' answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FacetsResponse {
    /// Documents matching the query and filters.
    pub total: usize,
    pub facets: Facets,
}

/// `/health`'s answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the server answers.
    pub status: String,
    /// Documents (files) in the index.
    pub documents: usize,
    /// Passages (tantivy documents) in the index.
    pub passages: u64,
    /// When the index was last committed (RFC 3339, UTC).
    pub last_commit: Option<String>,
}

/// What [`run_search`] gives.
pub(super) struct Searched {
    pub results: SearchResults,
    /// Time the search (or the cache lookup) took, in milliseconds.
    pub took_ms: f64,
    /// True when the results came from the cache.
    pub cached: bool,
}

/// Run `request` on the current searcher in the blocking pool, or take
/// its results from the cache when the same request was answered on the
/// same searcher generation.
pub(super) async fn run_search(
    state: &AppState,
    request: SearchRequest,
) -> Result<Searched, ApiError> {
    let start = Instant::now();
    let searcher = state.searcher();
    let generation = searcher.generation().generation_id();
    let cache = state.result_cache();
    let key = cache.is_enabled().then(|| ResultCache::key(&request));
    if let Some(results) = key.as_deref().and_then(|key| cache.get(generation, key)) {
        return Ok(Searched {
            results: (*results).clone(),
            took_ms: elapsed_ms(start),
            cached: true,
        });
    }
    let (results, took_ms) = state
        .blocking(move |state| {
            let start = Instant::now();
            let results = search::search_with(state.index(), &searcher, &request)?;
            Ok((results, elapsed_ms(start)))
        })
        .await?;
    if let Some(key) = key {
        cache.insert(generation, key, Arc::new(results.clone()));
    }
    Ok(Searched {
        results,
        took_ms,
        cached: false,
    })
}

/// Milliseconds since `start`, rounded to 0.01.
fn elapsed_ms(start: Instant) -> f64 {
    (start.elapsed().as_secs_f64() * 100_000.0).round() / 100.0
}

/// Search the index.
#[utoipa::path(
    get,
    path = "/api/search",
    params(SearchParams),
    responses(
        (status = 200, description = "Hits, totals and facets", body = SearchResponse),
        (status = 400, description = "Bad query or parameter", body = ErrorBody),
    ),
    tag = "search"
)]
pub async fn search(
    State(state): State<AppState>,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Json<SearchResponse>, ApiError> {
    let Query(params) = params?;
    let request = params.request(state.limits())?;
    let (offset, limit) = (request.offset, request.limit);
    let searched = run_search(&state, request).await?;
    Ok(Json(SearchResponse {
        results: searched.results,
        offset,
        limit,
        took_ms: searched.took_ms,
        cached: searched.cached,
    }))
}

/// Facet counts of the documents a query and filters match; without
/// either, of the whole index.
#[utoipa::path(
    get,
    path = "/api/facets",
    params(SearchParams),
    responses(
        (status = 200, description = "Document counts per type, year, body, Gremium, Handlungsfeld", body = FacetsResponse),
        (status = 400, description = "Bad query or parameter", body = ErrorBody),
    ),
    tag = "search"
)]
pub async fn facets(
    State(state): State<AppState>,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Json<FacetsResponse>, ApiError> {
    let Query(params) = params?;
    let mut request = params.request(state.limits())?;
    if request.query.trim().is_empty() {
        request.query = "*".into();
    }
    request.limit = 0;
    request.offset = 0;
    let results = run_search(&state, request).await?.results;
    Ok(Json(FacetsResponse {
        total: results.total,
        facets: results.facets,
    }))
}

/// The indexed document with this id, looked up in the current searcher.
/// Ids that are not ids, or ids the index does not hold, are 404.
async fn source_of(
    state: &AppState,
    id: Result<Path<String>, PathRejection>,
) -> Result<DocumentSource, ApiError> {
    // A path segment that is not UTF-8 cannot be an id either.
    let Ok(Path(id)) = id else {
        return Err(ApiError::not_found("no document with this id"));
    };
    if !crate::index::is_doc_id(&id) {
        return Err(ApiError::not_found(format!(
            "no document with id {id:?} (ids are 16 hex digits, as in a hit's doc_id)"
        )));
    }
    state
        .blocking(move |state| {
            state
                .index()
                .document_source(&state.searcher(), &id)?
                .ok_or_else(|| ApiError::not_found(format!("no document with id {id:?}")))
        })
        .await
}

/// A document's type, body, Gremium, dates and parts (the `inspect --json`
/// shape), recognised again from the indexed file.
#[utoipa::path(
    get,
    path = "/api/documents/{id}",
    params(("id" = String, Path, description = "A hit's doc_id (16 hex digits)")),
    responses(
        (status = 200, description = "The inspect JSON of the document", body = Object),
        (status = 404, description = "Unknown id, or the file is gone", body = ErrorBody),
    ),
    tag = "documents"
)]
pub async fn document(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let source = source_of(&state, id).await?;
    let inspection = state
        .blocking(move |_| match crate::ingest::extract_clean(&source.path) {
            Ok(extracted) => Ok(crate::ingest::inspect_extracted(&source.file, &extracted)),
            Err(Error::Io { source: e, .. }) if e.kind() == std::io::ErrorKind::NotFound => Err(
                ApiError::not_found("the document is in the index but its file is gone"),
            ),
            Err(other) => Err(other.into()),
        })
        .await?;
    Ok(Json(inspection).into_response())
}

/// The original file of an indexed document (`application/pdf` for PDFs),
/// so a hit can link to `…/pdf#page=N`. Range requests are supported.
#[utoipa::path(
    get,
    path = "/api/documents/{id}/pdf",
    params(("id" = String, Path, description = "A hit's doc_id (16 hex digits)")),
    responses(
        (status = 200, description = "The file's bytes", content_type = "application/pdf"),
        (status = 404, description = "Unknown id, or the file is gone", body = ErrorBody),
    ),
    tag = "documents"
)]
pub async fn document_file(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    request: Request,
) -> Result<Response, ApiError> {
    let source = source_of(&state, id).await?;
    if !source.path.is_file() {
        return Err(ApiError::not_found(
            "the document is in the index but its file is gone",
        ));
    }
    let name = download_name(&source);
    let response = ServeFile::new(&source.path)
        .oneshot(request)
        .await
        .map_err(ApiError::internal)?;
    let mut response = response.map(axum::body::Body::new);
    if let Ok(value) = HeaderValue::from_str(&format!("inline; filename=\"{name}\"")) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// The file's name for `Content-Disposition`, reduced to characters that
/// need no quoting in a header.
fn download_name(source: &DocumentSource) -> String {
    let name = source
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.is_empty() {
        format!("{}.pdf", source.doc_id)
    } else {
        safe
    }
}

/// `/api/similar`'s JSON body (a `text/plain` body is the text alone,
/// with the default options).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SimilarRequest {
    /// The text of the new inquiry.
    pub text: String,
    /// How to search; every field optional.
    #[serde(flatten)]
    pub options: SimilarOptions,
}

/// Largest `max_terms` accepted (each term is two query clauses).
pub const MAX_SIMILAR_TERMS: usize = 100;

/// Run [`crate::search::similar::similar`] on the current searcher in the
/// blocking pool, after checking `options` against the server's limits.
pub(super) async fn run_similar(
    state: &AppState,
    text: String,
    options: SimilarOptions,
) -> Result<SimilarResults, ApiError> {
    let max_limit = state.limits().max_limit;
    if options.limit > max_limit {
        return Err(ApiError::bad_request(
            "invalid parameter 'limit'",
            format!("limit must be at most {max_limit}, got {}", options.limit),
        ));
    }
    if options.max_terms > MAX_SIMILAR_TERMS {
        return Err(ApiError::bad_request(
            "invalid parameter 'max_terms'",
            format!(
                "max_terms must be at most {MAX_SIMILAR_TERMS}, got {}",
                options.max_terms
            ),
        ));
    }
    if text.trim().is_empty() {
        return Err(ApiError::bad_request(
            "empty inquiry",
            "the body must hold the text of at least one question",
        ));
    }
    state
        .blocking(move |state| {
            Ok(crate::search::similar::similar(
                state.index(),
                &state.searcher(),
                &text,
                &options,
            )?)
        })
        .await
}

/// Earlier question/answer pairs similar to each question of a new
/// inquiry ("has this been asked before?"). The body is the inquiry's text
/// (`text/plain`), or JSON with `text` and the options.
#[utoipa::path(
    post,
    path = "/api/similar",
    request_body(
        description = "The inquiry's text as text/plain, or a JSON object",
        content(
            (String = "text/plain"),
            (SimilarRequest = "application/json")
        )
    ),
    responses(
        (status = 200, description = "Per question of the inquiry, the most similar earlier pairs", body = SimilarResults),
        (status = 400, description = "Empty inquiry, body not UTF-8 or not the JSON shape, bad option", body = ErrorBody),
        (status = 413, description = "Body over the server's limit"),
    ),
    tag = "search"
)]
pub async fn similar(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<SimilarResults>, ApiError> {
    let body = body.map_err(|rejection| ApiError {
        status: rejection.status(),
        body: ErrorBody {
            error: "unreadable body".into(),
            detail: rejection.body_text(),
            column: None,
        },
    })?;
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
        });
    let (text, options) = if is_json {
        let request: SimilarRequest = serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad_request("invalid JSON body", e.to_string()))?;
        (request.text, request.options)
    } else {
        let text = String::from_utf8(body.to_vec()).map_err(|e| {
            ApiError::bad_request("invalid body", format!("the text is not UTF-8: {e}"))
        })?;
        (text, SimilarOptions::default())
    };
    Ok(Json(run_similar(&state, text, options).await?))
}

/// `http://{host}` from the request's `Host` header (`localhost` when it
/// is missing or not a host[:port]): the base of the OParl URLs.
fn base_url(headers: &axum::http::HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<axum::http::uri::Authority>().ok())
        .filter(|a| !a.as_str().contains('@'))
        .map(|a| a.as_str().to_string())
        .unwrap_or_else(|| "localhost".to_string());
    format!("http://{host}")
}

/// The indexed documents as an OParl list of Papers, ordered by id.
#[utoipa::path(
    get,
    path = "/oparl/papers",
    params(OParlListParams),
    responses(
        (status = 200, description = "An OParl list: data, pagination, links", body = PaperList),
        (status = 400, description = "Bad page or limit", body = ErrorBody),
    ),
    tag = "oparl"
)]
pub async fn oparl_papers(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    params: Result<Query<OParlListParams>, QueryRejection>,
) -> Result<Json<PaperList>, ApiError> {
    let Query(params) = params?;
    let (page, per_page, limit_given) = params.paging(state.limits())?;
    let base = base_url(&headers);
    let list = state
        .blocking(move |state| {
            Ok(oparl_out::paper_list(
                state.index(),
                &state.searcher(),
                &base,
                page,
                per_page,
                limit_given,
            )?)
        })
        .await?;
    Ok(Json(list))
}

/// One indexed document as an OParl Paper.
#[utoipa::path(
    get,
    path = "/oparl/papers/{id}",
    params(("id" = String, Path, description = "A hit's doc_id (16 hex digits)")),
    responses(
        (status = 200, description = "The OParl Paper", body = OParlPaper),
        (status = 404, description = "Unknown id", body = ErrorBody),
    ),
    tag = "oparl"
)]
pub async fn oparl_paper(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<OParlPaper>, ApiError> {
    let Ok(Path(id)) = id else {
        return Err(ApiError::not_found("no document with this id"));
    };
    if !crate::index::is_doc_id(&id) {
        return Err(ApiError::not_found(format!(
            "no document with id {id:?} (ids are 16 hex digits, as in a hit's doc_id)"
        )));
    }
    let base = base_url(&headers);
    let paper = state
        .blocking(move |state| {
            let head = oparl_out::document_head(state.index(), &state.searcher(), &id)?
                .ok_or_else(|| ApiError::not_found(format!("no document with id {id:?}")))?;
            Ok(oparl_out::paper(&head, &base))
        })
        .await?;
    Ok(Json(paper))
}

/// Index size and freshness; answers without waiting for searches.
#[utoipa::path(
    get,
    path = "/health",
    responses((status = 200, description = "The server is up", body = Health)),
    tag = "server"
)]
pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    let searcher = state.searcher();
    let passages = searcher.num_docs();
    let counter = state.clone();
    // Counting reads a fast column (once per commit): off the async threads,
    // but not behind the search permits, so /health answers under load.
    let documents = tokio::task::spawn_blocking(move || counter.document_count(&searcher))
        .await
        .map_err(ApiError::internal)??;
    Ok(Json(Health {
        status: "ok".into(),
        documents,
        passages,
        last_commit: state.last_commit().and_then(rfc3339),
    }))
}

fn rfc3339(time: SystemTime) -> Option<String> {
    let time = tantivy::time::OffsetDateTime::from(time);
    time.format(&tantivy::time::format_description::well_known::Rfc3339)
        .ok()
}

/// Every unknown route.
pub async fn not_found(request: Request) -> ApiError {
    ApiError::not_found(format!(
        "no route {} {}",
        request.method(),
        request.uri().path()
    ))
}
