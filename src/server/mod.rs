//! `server`: the index over HTTP — a JSON API and a German search page.
//!
//! Takes an opened [`PassageIndex`]; gives an axum [`Router`] ([`router`])
//! that tests drive with `oneshot` and [`serve`] puts on a socket. The
//! handlers only translate HTTP to library calls and back: queries are
//! parsed by [`crate::search`], filter values by its parsers, documents are
//! described by [`crate::ingest::inspect_extracted`], so the CLI and the
//! server give the same answers.
//!
//! * One [`IndexReader`] follows the index's commits
//!   (`ReloadPolicy::OnCommitWithDelay`), so a running `ratsuche index`
//!   becomes searchable without a restart.
//! * Search results are kept in a bounded cache per searcher generation
//!   ([`cache`]), so a repeated request is answered without searching.
//! * Searches and document extraction are blocking (tantivy, lopdf): they
//!   run in `spawn_blocking`, at most [`Limits::max_blocking`] at once; more
//!   requests wait for a permit until the request timeout ends them.
//! * What a client sends is bounded ([`Limits`]): hits per page, offset,
//!   query length, body size, time per request, and time to send the
//!   headers ([`serve`] sets hyper's header-read timeout, which
//!   `axum::serve` leaves off, so slow clients cannot hold connections). A file is only ever
//!   served by its document id, looked up in the index, so no client input
//!   becomes a path.
//!
//! Routes: `GET /` (the page, [`page`]), `GET`/`POST /aehnlich` (the
//! page's "asked before?" form and its results), `GET /api/search`,
//! `GET /api/facets`, `POST /api/similar`, `GET /api/documents/{id}`,
//! `GET /api/documents/{id}/pdf`, `GET /oparl/papers` and
//! `GET /oparl/papers/{id}` (the documents as OParl Papers, shaped by
//! [`crate::oparl::serve`]), `GET /health`, `GET /api/openapi.json`
//! ([`api`], [`openapi`]).

pub mod api;
pub mod cache;
pub mod openapi;
pub mod page;
pub mod params;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use tantivy::{IndexReader, ReloadPolicy};
use tokio::sync::Semaphore;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::error::Result;
use crate::index::{IndexedFiles, PassageIndex};

pub use api::ApiError;

/// Bounds on what one client request may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest `limit` (hits per response) accepted.
    pub max_limit: usize,
    /// Largest `offset` accepted: the collector keeps `offset + limit` hits.
    pub max_offset: usize,
    /// Longest query accepted, in characters.
    pub max_query_chars: usize,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Time after which a request is answered with 503.
    pub request_timeout: Duration,
    /// Time a client has to send a request's headers; then the connection
    /// is closed (slow clients cannot hold connections open).
    pub header_read_timeout: Duration,
    /// Blocking jobs (searches, extractions) running at once.
    pub max_blocking: usize,
    /// Estimated bytes of search results kept for repeated requests
    /// ([`cache::ResultCache`]; 0 turns the cache off).
    pub result_cache_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Limits {
            max_limit: 100,
            max_offset: 10_000,
            max_query_chars: 2_000,
            max_body_bytes: 64 * 1024,
            request_timeout: Duration::from_secs(10),
            header_read_timeout: Duration::from_secs(10),
            max_blocking: cores * 2,
            result_cache_bytes: 32 << 20,
        }
    }
}

/// What every handler shares: the index, its reloading reader and the
/// permits for blocking work. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    index: PassageIndex,
    reader: IndexReader,
    limits: Limits,
    permits: Arc<Semaphore>,
    /// Documents in the index, per searcher generation (counting them reads
    /// a fast column of every passage, so `/health` does it once per commit).
    documents: Mutex<Option<(u64, usize)>>,
    results: cache::ResultCache,
}

impl AppState {
    /// State over `index` with a reader that follows its commits.
    pub fn new(index: PassageIndex, limits: Limits) -> Result<AppState> {
        let reader = index
            .tantivy()
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        Ok(AppState {
            inner: Arc::new(Inner {
                index,
                reader,
                permits: Arc::new(Semaphore::new(limits.max_blocking.max(1))),
                results: cache::ResultCache::new(limits.result_cache_bytes),
                limits,
                documents: Mutex::new(None),
            }),
        })
    }

    pub fn index(&self) -> &PassageIndex {
        &self.inner.index
    }

    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// The searcher of the latest commit the reader has seen.
    pub fn searcher(&self) -> tantivy::Searcher {
        self.inner.reader.searcher()
    }

    /// The cache of search results.
    pub fn result_cache(&self) -> &cache::ResultCache {
        &self.inner.results
    }

    /// Make the reader see the latest commit now instead of after the
    /// reload delay (tests that index while serving call this).
    pub fn reload(&self) -> Result<()> {
        Ok(self.inner.reader.reload()?)
    }

    /// Number of documents (files) in `searcher`'s view of the index.
    fn document_count(&self, searcher: &tantivy::Searcher) -> Result<usize> {
        let generation = searcher.generation().generation_id();
        let cached = *self
            .inner
            .documents
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some((seen, count)) = cached {
            if seen == generation {
                return Ok(count);
            }
        }
        let count = IndexedFiles::read(searcher)?.len();
        *self
            .inner
            .documents
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some((generation, count));
        Ok(count)
    }

    /// When the index was last committed: the time `meta.json` was written.
    fn last_commit(&self) -> Option<SystemTime> {
        std::fs::metadata(self.inner.index.dir().join("meta.json"))
            .and_then(|m| m.modified())
            .ok()
    }

    /// Run blocking work on tokio's blocking pool, at most
    /// [`Limits::max_blocking`] at once. A panic inside becomes a 500.
    async fn blocking<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&AppState) -> Result<T, ApiError> + Send + 'static,
    {
        let permit = self
            .inner
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| ApiError::internal("the blocking-work semaphore was closed"))?;
        let state = self.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work(&state)
        })
        .await
        .map_err(|e| ApiError::internal(format!("blocking task failed: {e}")))?
    }
}

/// The routes with their limits: body size, request timeout, and headers
/// that keep browsers from guessing content types or leaking referrers.
pub fn router(state: AppState) -> Router {
    let limits = *state.limits();
    Router::new()
        .route("/", get(page::search_page))
        .route("/api/search", get(api::search))
        .route("/api/facets", get(api::facets))
        .route("/api/similar", post(api::similar))
        .route(
            "/aehnlich",
            get(page::similar_page).post(page::similar_results),
        )
        .route("/api/documents/{id}", get(api::document))
        .route("/api/documents/{id}/pdf", get(api::document_file))
        .route("/api/openapi.json", get(openapi::openapi_json))
        .route("/oparl/papers", get(api::oparl_papers))
        .route("/oparl/papers/{id}", get(api::oparl_paper))
        .route("/health", get(api::health))
        .fallback(api::not_found)
        .with_state(state)
        .layer(axum::middleware::map_response(security_headers))
        .layer(RequestBodyLimitLayer::new(limits.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            limits.request_timeout,
        ))
}

async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// The tokio runtime `serve` runs on: tokio's default, except that its
/// pool of blocking threads is capped at [`Limits::max_blocking`] plus one
/// (for `/health`'s count, which takes no permit). Without the cap tokio
/// starts a new thread whenever none is idle at that instant, and a busy
/// server had 12 for 4 permits; each thread keeps its own analysis caches
/// (word memo, stems, compound splits), so threads are memory.
pub fn runtime(limits: &Limits) -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(limits.max_blocking.max(1) + 1)
        .enable_all()
        .build()
}

/// Serve `app` on `listener` until `shutdown` completes, then let the
/// requests in flight finish. Like `axum::serve`, plus a header-read
/// timeout ([`Limits::header_read_timeout`]) on every connection, which
/// `axum::serve` does not set.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto::Builder;
    use hyper_util::service::TowerToHyperService;

    let (close_tx, close_rx) = tokio::sync::watch::channel(());
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: wait, do not spin.
                    tracing::warn!("accepting a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let service = TowerToHyperService::new(app.clone());
        let mut close = close_rx.clone();
        tokio::spawn(async move {
            let mut builder = Builder::new(TokioExecutor::new());
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout);
            let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
            let mut connection = std::pin::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                _ = close.changed() => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(e) = result {
                tracing::debug!("connection ended: {e}");
            }
        });
    }
    drop(listener);
    drop(close_rx);
    let _ = close_tx.send(());
    close_tx.closed().await;
    Ok(())
}

/// Completes on Ctrl-C, or SIGTERM on Unix: the `shutdown` of [`serve`]
/// for the CLI.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        // If the handler cannot be installed, run until killed.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_runtime_keeps_at_most_max_blocking_plus_one_blocking_threads() {
        let limits = Limits {
            max_blocking: 2,
            ..Limits::default()
        };
        let runtime = runtime(&limits).unwrap();
        // Twenty blocking jobs at once, each long enough that tokio would
        // start a thread per job if it could.
        let threads: HashSet<std::thread::ThreadId> = runtime.block_on(async {
            let jobs: Vec<_> = (0..20)
                .map(|_| {
                    tokio::task::spawn_blocking(|| {
                        std::thread::sleep(Duration::from_millis(30));
                        std::thread::current().id()
                    })
                })
                .collect();
            let mut ids = HashSet::new();
            for job in jobs {
                ids.insert(job.await.unwrap());
            }
            ids
        });
        assert_eq!(threads.len(), 3, "max_blocking 2 + 1 for /health");
    }
}
