//! The HTTP server through its router (`oneshot`, no socket) and once over
//! a real socket: JSON shapes against the library's own answers, filters,
//! paging, errors (400 with detail, 404, limits), the original file, the
//! OpenAPI description, the search page, and a commit becoming visible
//! while the server runs. The index is built once from a temp copy of
//! `corpus/`.

mod corpus_index;

use std::fs;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::response::Response;
use serde_json::Value;
use tempfile::TempDir;
use tower::ServiceExt;

use ratsuche::index::PassageIndex;
use ratsuche::ingest::{self, IngestOptions, NoProgress};
use ratsuche::search::{self, SearchRequest};
use ratsuche::server::{self, AppState, Limits};
use ratsuche::Error;

const ARZTLOTSE: &str = "000_f6b0283b3a559d13.lo.pdf";

struct Corpus {
    _dir: TempDir,
    docs: PathBuf,
    index: PassageIndex,
    state: AppState,
}

fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let (dir, docs, index) = corpus_index::index_corpus();
        let state = AppState::new(index.clone(), Limits::default()).unwrap();
        Corpus {
            _dir: dir,
            docs,
            index,
            state,
        }
    })
}

async fn send(request: Request<Body>) -> Response {
    server::router(corpus().state.clone())
        .oneshot(request)
        .await
        .unwrap()
}

async fn get(uri: &str) -> Response {
    send(Request::get(uri).body(Body::empty()).unwrap()).await
}

async fn body_bytes(response: Response) -> Vec<u8> {
    axum::body::to_bytes(response.into_body(), 64 << 20)
        .await
        .unwrap()
        .to_vec()
}

/// Status and parsed JSON body.
async fn get_json(uri: &str) -> (StatusCode, Value) {
    let response = get(uri).await;
    let status = response.status();
    let content_type = response.headers()[header::CONTENT_TYPE].clone();
    let body = body_bytes(response).await;
    assert_eq!(content_type, "application/json", "{uri}");
    (status, serde_json::from_slice(&body).unwrap())
}

async fn get_html(uri: &str) -> (StatusCode, String) {
    let response = get(uri).await;
    let status = response.status();
    assert!(response.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(response
        .headers()
        .contains_key(header::CONTENT_SECURITY_POLICY));
    (
        status,
        String::from_utf8(body_bytes(response).await).unwrap(),
    )
}

/// `/api/search?…` with the pairs percent-encoded.
fn search_uri(path: &str, pairs: &[(&str, &str)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        query.append_pair(k, v);
    }
    format!("{path}?{}", query.finish())
}

fn doc_ids(json: &Value) -> Vec<String> {
    json["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["doc_id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn search_answers_with_the_libraries_results() {
    let (status, json) = get_json(&search_uri("/api/search", &[("q", "Arztlotse")])).await;
    assert_eq!(status, StatusCode::OK);
    let library = search::search(&corpus().index, &SearchRequest::new("Arztlotse")).unwrap();
    assert!(library.total > 0);
    // Through JSON text, as the CLI prints it (f32 scores print short).
    let expected: Value = serde_json::from_str(&serde_json::to_string(&library).unwrap()).unwrap();
    // The CLI's --json shape, field for field, plus paging and timing.
    for field in [
        "query", "total", "hits", "facets", "mode", "fallback", "listing", "sort",
    ] {
        assert_eq!(json[field], expected[field], "{field}");
    }
    assert!(json["took_ms"].as_f64().unwrap() >= 0.0);
    assert_eq!(
        (json["offset"].as_u64(), json["limit"].as_u64()),
        (Some(0), Some(10))
    );
    assert!(json["hits"][0]["file"]
        .as_str()
        .unwrap()
        .ends_with(ARZTLOTSE));
}

#[tokio::test]
async fn filters_restrict_hits_and_facets() {
    let uri = search_uri(
        "/api/search",
        &[("q", "*"), ("type", "Anfrage-Antwort"), ("limit", "100")],
    );
    let (status, json) = get_json(&uri).await;
    assert_eq!(status, StatusCode::OK);
    let hits = json["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 2, "{json}");
    assert!(hits.iter().all(|h| h["type"] == "anfrage_antwort"));
    assert_eq!(
        json["facets"]["type"],
        serde_json::json!({"anfrage_antwort": 2})
    );

    let uri = search_uri(
        "/api/search",
        &[("q", "*"), ("from", "2026"), ("limit", "100")],
    );
    let (_, json) = get_json(&uri).await;
    let hits = json["hits"].as_array().unwrap();
    assert!(!hits.is_empty());
    assert!(hits
        .iter()
        .all(|h| h["date"].as_str().unwrap().as_bytes() >= b"2026".as_slice()));
    // Filters are compared by key: case and hyphens do not matter.
    let uri = search_uri("/api/search", &[("q", "*"), ("body", "WARTBURGKREIS")]);
    let (_, json) = get_json(&uri).await;
    assert_eq!(json["total"], 1, "{json}");
    assert_eq!(json["hits"][0]["body"], "Wartburgkreis");
}

#[tokio::test]
async fn offset_pages_through_the_same_ranking() {
    let all = get_json(&search_uri("/api/search", &[("q", "*"), ("limit", "4")]))
        .await
        .1;
    let first = get_json(&search_uri("/api/search", &[("q", "*"), ("limit", "2")]))
        .await
        .1;
    let second = get_json(&search_uri(
        "/api/search",
        &[("q", "*"), ("limit", "2"), ("offset", "2")],
    ))
    .await
    .1;
    let mut paged = doc_ids(&first);
    paged.extend(doc_ids(&second));
    assert_eq!(paged, doc_ids(&all));
    assert_eq!(first["total"], 5);
    assert_eq!(second["total"], 5);
    let beyond = get_json(&search_uri("/api/search", &[("q", "*"), ("offset", "10")]))
        .await
        .1;
    assert_eq!(
        (beyond["total"].as_u64(), doc_ids(&beyond).len()),
        (Some(5), 0)
    );
}

#[tokio::test]
async fn bad_parameters_are_400_with_a_detail_naming_them() {
    for (name, value) in [
        ("limit", "0"),
        ("limit", "1000"),
        ("limit", "zehn"),
        ("offset", "-3"),
        ("offset", "99999999"),
        ("type", "memo"),
        ("from", "2025-13"),
        ("to", "gestern"),
        ("sort", "beliebt"),
        ("passages", "some"),
    ] {
        let (status, json) = get_json(&search_uri(
            "/api/search",
            &[("q", "Pflege"), (name, value)],
        ))
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name}={value}");
        assert_eq!(json["error"], format!("invalid parameter '{name}'"));
        let detail = json["detail"].as_str().unwrap();
        assert!(detail.starts_with(&format!("{name}: ")), "{detail}");
        assert!(detail.contains(value), "{detail}");
    }
    let long = "Pflege ".repeat(300);
    let (status, json) = get_json(&search_uri("/api/search", &[("q", &long)])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        json["detail"].as_str().unwrap().contains("at most 2000"),
        "{json}"
    );
    let (status, json) = get_json(&search_uri(
        "/api/search",
        &[("from", "2026"), ("to", "2025")],
    ))
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json["error"], "invalid filters");
    assert!(json["detail"]
        .as_str()
        .unwrap()
        .contains("date range is empty"));
}

#[tokio::test]
async fn a_query_the_library_rejects_is_400_with_its_message() {
    let Err(Error::Query(message)) = search::search(&corpus().index, &SearchRequest::new(""))
    else {
        panic!("the library accepts an empty query without filters");
    };
    let (status, json) = get_json("/api/search?q=").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json["error"], "invalid query");
    assert_eq!(json["detail"], message.to_string());
    // A query that does not parse: the library's message and its column.
    let Err(Error::Query(parse_error)) =
        search::search(&corpus().index, &SearchRequest::new("Radweg \""))
    else {
        panic!("an unbalanced quote parses");
    };
    let (status, json) = get_json(&search_uri("/api/search", &[("q", "Radweg \"")])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json["detail"], parse_error.to_string());
    assert_eq!(
        json["column"].as_u64(),
        parse_error.column.map(|c| c as u64)
    );
    assert!(json["column"].is_u64(), "{json}");
    // Bytes that are not UTF-8 are replaced, not a server error.
    let (status, _) = get_json("/api/search?q=%FF%FE%80").await;
    assert!(status == StatusCode::OK || status == StatusCode::BAD_REQUEST);
    // A repeated parameter is ambiguous.
    let (status, json) = get_json("/api/search?q=a&q=b").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{json}");
}

/// The id of the Arztlotse document, from a search.
async fn arztlotse_id() -> String {
    let (_, json) = get_json(&search_uri("/api/search", &[("q", "Arztlotse")])).await;
    json["hits"][0]["doc_id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_pdf_is_served_by_id_with_its_bytes() {
    let id = arztlotse_id().await;
    let response = get(&format!("/api/documents/{id}/pdf")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(
        response.headers()[header::X_CONTENT_TYPE_OPTIONS],
        "nosniff"
    );
    let bytes = body_bytes(response).await;
    assert_eq!(bytes, fs::read(corpus().docs.join(ARZTLOTSE)).unwrap());
    // Range requests, as PDF viewers make them.
    let response = send(
        Request::get(format!("/api/documents/{id}/pdf"))
            .header(header::RANGE, "bytes=0-4")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(body_bytes(response).await, b"%PDF-");
}

#[tokio::test]
async fn unknown_ids_and_traversal_attempts_are_404() {
    for uri in [
        "/api/documents/0000000000000000",
        "/api/documents/0000000000000000/pdf",
        "/api/documents/..%2F..%2Fetc%2Fpasswd/pdf",
        "/api/documents/..%2F..%2Fetc%2Fpasswd",
        "/api/documents/%2e%2e/pdf",
        "/api/documents/%FF%FE/pdf",
        "/api/documents/..%5C..%5Cwindows/pdf",
        "/api/documents/%2Fetc%2Fpasswd/pdf",
        "/api/documents/../../etc/passwd",
        "/api/nothing-here",
    ] {
        let response = get(uri).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{uri}");
        let body = body_bytes(response).await;
        let json: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["error"], "not found", "{uri}");
        assert!(!String::from_utf8_lossy(&body).contains("root:"), "{uri}");
    }
}

#[tokio::test]
async fn a_document_is_described_like_inspect() {
    let id = arztlotse_id().await;
    let (status, json) = get_json(&format!("/api/documents/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let expected =
        serde_json::to_value(ingest::inspect(&corpus().docs.join(ARZTLOTSE)).unwrap()).unwrap();
    for field in ["type", "body", "date", "pages", "stichworte", "qa_pairs"] {
        assert_eq!(json[field], expected[field], "{field}");
    }
    assert!(json["file"].as_str().unwrap().ends_with(ARZTLOTSE));
}

#[tokio::test]
async fn facets_and_health_describe_the_whole_index() {
    let (status, json) = get_json("/api/facets").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json["total"], 5);
    let per_type: u64 = json["facets"]["type"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(per_type, 5);
    let (_, filtered) = get_json("/api/facets?type=konzept").await;
    assert_eq!(filtered["total"], 1);

    let (status, health) = get_json("/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["status"], "ok");
    assert_eq!(health["documents"], 5);
    assert!(health["passages"].as_u64().unwrap() > 5);
    let commit = health["last_commit"].as_str().unwrap();
    assert!(
        commit.len() >= 20 && commit.starts_with("20") && commit.ends_with('Z'),
        "{commit}"
    );
}

#[tokio::test]
async fn openapi_lists_every_route_and_the_hit_schema() {
    let (status, json) = get_json("/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(json["openapi"].as_str().unwrap().starts_with('3'));
    let paths = json["paths"].as_object().unwrap();
    for path in [
        "/api/search",
        "/api/facets",
        "/api/documents/{id}",
        "/api/documents/{id}/pdf",
        "/health",
        "/api/openapi.json",
        "/oparl/papers",
        "/oparl/papers/{id}",
    ] {
        assert!(
            paths.contains_key(path),
            "{path} missing: {:?}",
            paths.keys()
        );
    }
    let params: Vec<&str> = json["paths"]["/api/search"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for name in [
        "q", "limit", "offset", "sort", "type", "body", "gremium", "from", "to", "passages",
    ] {
        assert!(params.contains(&name), "{name} not in {params:?}");
    }
    let schemas = json["components"]["schemas"].as_object().unwrap();
    for schema in [
        "Hit",
        "SearchResponse",
        "ErrorBody",
        "Facets",
        "Health",
        "OParlPaper",
        "PaperList",
    ] {
        assert!(schemas.contains_key(schema), "{schema} missing");
    }
    assert!(schemas["Hit"]["properties"]
        .as_object()
        .unwrap()
        .contains_key("doc_id"));
}

#[tokio::test]
async fn limits_on_body_size() {
    let response = send(
        Request::post("/api/search")
            .header(header::CONTENT_LENGTH, 100 * 1024)
            .body(Body::from(vec![b'x'; 100 * 1024]))
            .unwrap(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn the_page_shows_results_with_marks_and_pdf_links() {
    let (status, html) = get_html(&search_uri("/", &[("q", "Arztlotse")])).await;
    assert_eq!(status, StatusCode::OK);
    let id = arztlotse_id().await;
    assert!(html.contains("<html lang=\"de\">"));
    assert!(html.contains(r#"name="viewport""#));
    assert!(html.contains(r#"<label for="q">"#));
    assert!(
        html.contains(r#"value="Arztlotse""#),
        "the query stays in the box"
    );
    assert!(html.contains("<mark>Arztlotse</mark>"), "{html}");
    assert!(html.contains(&format!(r#"href="/api/documents/{id}/pdf#page="#)));
    // A facet link adds its filter to the current search.
    assert!(html.contains(r#"href="/?q=Arztlotse&amp;type="#), "{html}");
    // Nothing is fetched from elsewhere.
    assert!(!html.contains("http://") && !html.contains("https://"));
    assert!(!html.contains("<script"));
}

#[tokio::test]
async fn the_page_escapes_what_the_user_typed() {
    let typed = r#"<script>alert("x")</script> Pflege"#;
    let (_, html) = get_html(&search_uri("/", &[("q", typed), ("gremium", "\"><b>")])).await;
    assert!(!html.contains("<script>"), "{html}");
    assert!(!html.contains("<b>"));
    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Pflege"));
}

#[tokio::test]
async fn the_page_reports_bad_input_in_german_and_pages_listings() {
    let (status, html) = get_html("/?q=Pflege&from=2025-13").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains(r#"role="alert""#));
    assert!(html.contains("Die Suche ist nicht möglich"));
    assert!(html.contains("2025-13"));

    let (status, html) = get_html("/?q=*&limit=2").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Seite 1 von 3"), "{html}");
    assert!(
        html.contains(r#"href="/?q=*&amp;limit=2&amp;offset=2""#),
        "{html}"
    );
    let (_, last) = get_html("/?q=*&limit=2&offset=4").await;
    assert!(last.contains("Seite 3 von 3") && !last.contains("Weiter"));

    let (status, start) = get_html("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(start.contains("Im Index: 5 Dokumente"), "{start}");
}

#[tokio::test]
async fn a_commit_becomes_searchable_without_a_restart() {
    let dir = TempDir::new().unwrap();
    let docs = dir.path().join("docs");
    fs::create_dir(&docs).unwrap();
    fs::write(docs.join("a.txt"), "Die Kreisstraße wird saniert.").unwrap();
    let index = PassageIndex::open_or_create(&dir.path().join("index")).unwrap();
    let options = IngestOptions::default();
    ingest::ingest(
        &index,
        std::slice::from_ref(&docs),
        &options,
        &mut NoProgress,
    )
    .unwrap();
    let app = server::router(AppState::new(index.clone(), Limits::default()).unwrap());
    let count = |app: axum::Router| async move {
        let response = app
            .oneshot(
                Request::get("/api/search?q=Zauberwort")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        let json: Value = serde_json::from_slice(&body_bytes(response).await).unwrap();
        json["total"].as_u64().unwrap()
    };
    assert_eq!(count(app.clone()).await, 0);
    fs::write(docs.join("b.txt"), "Das Zauberwort heißt Bitte.").unwrap();
    ingest::ingest(
        &index,
        std::slice::from_ref(&docs),
        &options,
        &mut NoProgress,
    )
    .unwrap();
    // The reader follows commits by itself (with a short delay).
    let start = Instant::now();
    while count(app.clone()).await == 0 {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the commit did not become visible"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `server::serve` on a free loopback port with `limits`; aborted when
/// the test ends.
async fn real_server(limits: Limits) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = server::router(corpus().state.clone());
    tokio::spawn(server::serve(listener, app, limits, std::future::pending()));
    addr
}

/// Send `request` on a new connection and read until the server closes it.
async fn exchange(addr: std::net::SocketAddr, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut answer))
        .await
        .expect("no answer within 30 s")
        .unwrap();
    String::from_utf8(answer).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_server_on_port_0_answers_http() {
    let addr = real_server(Limits::default()).await;
    let answer = exchange(
        addr,
        b"GET /api/search?q=Arztlotse&limit=1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
    assert!(head
        .to_ascii_lowercase()
        .contains("content-type: application/json"));
    let json: Value = serde_json::from_str(body).unwrap();
    assert_eq!(json["hits"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let limits = Limits {
        header_read_timeout: Duration::from_secs(1),
        ..Limits::default()
    };
    let addr = real_server(limits).await;
    let start = Instant::now();
    let slow = tokio::spawn(exchange(addr, b"GET /health HTTP/1.1\r\nHost: loc"));
    // Meanwhile the server answers others.
    let answer = exchange(
        addr,
        b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    let slow_answer = slow.await.unwrap();
    let waited = start.elapsed();
    assert!(
        waited < Duration::from_secs(10),
        "the slow connection stayed open {waited:?}"
    );
    // hyper answers 408 or just closes; it never serves the request.
    assert!(
        slow_answer.is_empty() || slow_answer.starts_with("HTTP/1.1 408"),
        "{slow_answer}"
    );
}

/// A question of the corpus' answered inquiry (002, question 2), sent as a
/// new inquiry.
const NETZWERK_QUESTION: &str = "Welche Netzwerke wurden und werden durch die Stabsstelle \
                                 koordiniert, und mit welchem konkreten Ziel jeweils?";
const INTEGRATION_FILE: &str = "002_331fdc71ca8572da.lo.pdf";

async fn post(uri: &str, content_type: &str, body: impl Into<Body>) -> Response {
    send(
        Request::post(uri)
            .header(header::CONTENT_TYPE, content_type)
            .body(body.into())
            .unwrap(),
    )
    .await
}

async fn json_of(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    (
        status,
        serde_json::from_slice(&body_bytes(response).await).unwrap(),
    )
}

#[tokio::test]
async fn similar_finds_the_earlier_pair_a_question_was_taken_from() {
    for (content_type, body) in [
        ("text/plain; charset=utf-8", NETZWERK_QUESTION.to_string()),
        (
            "application/json",
            serde_json::json!({"text": NETZWERK_QUESTION, "limit": 2}).to_string(),
        ),
    ] {
        let (status, json) = json_of(post("/api/similar", content_type, body).await).await;
        assert_eq!(status, StatusCode::OK, "{content_type}: {json}");
        let questions = json["questions"].as_array().unwrap();
        assert_eq!(questions.len(), 1, "{json}");
        let matches = questions[0]["matches"].as_array().unwrap();
        let first = &matches[0];
        assert!(
            first["file"].as_str().unwrap().ends_with(INTEGRATION_FILE),
            "{content_type}: {first}"
        );
        assert_eq!(first["number"], "2", "{first}");
        assert_eq!(first["rank"], 1);
        assert!(first["answer"].as_str().unwrap().contains("Netzwerk"));
        if content_type == "application/json" {
            assert!(matches.len() <= 2, "limit 2 was asked for: {json}");
        }
        // The same as the library answers.
        let library = search::similar::similar(
            &corpus().index,
            &corpus().state.searcher(),
            NETZWERK_QUESTION,
            &search::similar::SimilarOptions::default(),
        )
        .unwrap();
        assert_eq!(
            first["doc_id"],
            library.questions[0].matches[0].doc_id.as_str()
        );
    }
}

#[tokio::test]
async fn similar_rejects_empty_bad_and_oversized_bodies() {
    for (content_type, body) in [
        ("text/plain", "".to_string()),
        ("text/plain", "  \n\t ".to_string()),
        ("application/json", r#"{"text": ""}"#.to_string()),
    ] {
        let (status, json) = json_of(post("/api/similar", content_type, body.clone()).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body:?}: {json}");
        assert!(
            json["detail"].as_str().unwrap().contains("question"),
            "{json}"
        );
    }
    let (status, json) =
        json_of(post("/api/similar", "application/json", r#"{"text": 5}"#).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{json}");
    let (status, json) = json_of(
        post(
            "/api/similar",
            "application/json",
            r#"{"text": "Wie viele?", "limit": 100000}"#,
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{json}");
    assert!(json["error"].as_str().unwrap().contains("limit"), "{json}");
    let (status, json) =
        json_of(post("/api/similar", "text/plain", vec![0xff, 0xfe, b'?']).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{json}");
    assert!(json["detail"].as_str().unwrap().contains("UTF-8"), "{json}");
    let response = send(
        Request::post("/api/similar")
            .header(header::CONTENT_TYPE, "text/plain")
            .header(header::CONTENT_LENGTH, 100 * 1024)
            .body(Body::from(vec![b'x'; 100 * 1024]))
            .unwrap(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn openapi_lists_similar_with_its_schema() {
    let (status, json) = get_json("/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(json["paths"]["/api/similar"]["post"].is_object(), "{json}");
    let schemas = &json["components"]["schemas"];
    for name in ["SimilarResults", "SimilarPair", "SimilarRequest"] {
        assert!(schemas[name].is_object(), "no schema {name}");
    }
}

#[tokio::test]
async fn the_page_has_the_similar_form_and_renders_escaped_pairs() {
    let (status, html) = get_html("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"<form method="post" action="/aehnlich">"#));
    assert!(html.contains(r#"<label for="anfrage-text">"#));
    assert!(html.contains(r#"<textarea id="anfrage-text" name="text""#));

    let typed = format!("<script>alert(1)</script> {NETZWERK_QUESTION}");
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("text", &typed)
        .finish();
    let response = post("/aehnlich", "application/x-www-form-urlencoded", body).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response
        .headers()
        .contains_key(header::CONTENT_SECURITY_POLICY));
    let html = String::from_utf8(body_bytes(response).await).unwrap();
    assert!(!html.contains("<script>"), "unescaped input");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // The earlier question, its answer and a link to its page in the PDF.
    let first = html
        .split(r#"<li class="hit">"#)
        .nth(1)
        .expect("no pair shown");
    assert!(
        first.contains("Welche Netzwerke wurden und werden"),
        "{first}"
    );
    assert!(first.contains("Antwort:"), "{first}");
    assert!(
        first.contains("Netzwerk Integration Wartburgkreis"),
        "{first}"
    );
    let link = regex::Regex::new(r#"href="/api/documents/([0-9a-f]{16})/pdf#page=\d+""#).unwrap();
    assert!(link.is_match(first), "{first}");
    assert!(first.contains(INTEGRATION_FILE), "{first}");

    let response = post("/aehnlich", "application/x-www-form-urlencoded", "text=").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let html = String::from_utf8(body_bytes(response).await).unwrap();
    assert!(html.contains(r#"role="alert""#), "{html}");
}

// ---- OParl ----

const HOST: &str = "ratsuche.test:8080";
const BASE: &str = "http://ratsuche.test:8080";

async fn get_oparl(uri: &str) -> (StatusCode, Value) {
    let response = send(
        Request::get(uri)
            .header(header::HOST, HOST)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    json_of(response).await
}

/// The path and query of one of our absolute URLs.
fn local(url: &str) -> &str {
    url.strip_prefix(BASE)
        .unwrap_or_else(|| panic!("{url} is not under {BASE}"))
}

fn paper_ids(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn oparl_papers_list_every_document_with_pagination_links() {
    let (status, all) = get_oparl("/oparl/papers").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let ids = paper_ids(&all);
    assert_eq!(ids.len(), 5, "{all}");
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, ids, "one entry per document, ordered by id");
    let dated = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["date"].as_str())
        .inspect(|d| assert!(d.len() == 10 && d.as_bytes()[4] == b'-', "{d}"))
        .count();
    assert!(dated >= 1, "corpus/ has dated papers: {all}");
    for paper in all["data"].as_array().unwrap() {
        assert_eq!(paper["type"], "https://schema.oparl.org/1.1/Paper");
        assert!(paper["paperType"].is_string(), "{paper}");
        assert!(paper["id"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{BASE}/oparl/papers/")));
    }
    assert_eq!(
        all["pagination"],
        serde_json::json!({"totalElements": 5, "elementsPerPage": 20, "currentPage": 1, "totalPages": 1})
    );
    assert_eq!(all["links"]["first"], format!("{BASE}/oparl/papers?page=1"));
    assert_eq!(all["links"]["last"], format!("{BASE}/oparl/papers?page=1"));
    assert!(all["links"].get("next").is_none() && all["links"].get("prev").is_none());

    // Two per page: walk the `next` links to the end.
    let (_, page) = get_oparl("/oparl/papers?limit=2").await;
    assert_eq!(page["pagination"]["totalPages"], 3);
    assert!(page["links"].get("prev").is_none());
    assert_eq!(
        page["links"]["last"],
        format!("{BASE}/oparl/papers?page=3&limit=2")
    );
    let mut walked = paper_ids(&page);
    let mut current = page;
    let mut pages = 1;
    while let Some(next) = current["links"]["next"].as_str() {
        let (status, json) = get_oparl(local(next)).await;
        assert_eq!(status, StatusCode::OK);
        pages += 1;
        assert_eq!(json["pagination"]["currentPage"], pages);
        let prev = json["links"]["prev"].as_str().unwrap();
        assert_eq!(
            prev,
            format!("{BASE}/oparl/papers?page={}&limit=2", pages - 1)
        );
        walked.extend(paper_ids(&json));
        current = json;
    }
    assert_eq!(pages, 3);
    assert_eq!(walked, ids, "the pages together are the whole list");

    // Past the last page: empty, with a way back.
    let (status, past) = get_oparl("/oparl/papers?page=9&limit=2").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(past["data"], serde_json::json!([]));
    assert_eq!(
        past["links"]["prev"],
        format!("{BASE}/oparl/papers?page=3&limit=2")
    );

    for (uri, name) in [
        ("/oparl/papers?page=0", "page"),
        ("/oparl/papers?page=x", "page"),
        ("/oparl/papers?limit=1000", "limit"),
    ] {
        let (status, json) = get_oparl(uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(
            json["error"],
            format!("invalid parameter '{name}'"),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn oparl_paper_by_id_carries_the_documents_metadata_and_file() {
    let id = arztlotse_id().await;
    let (_, search) = get_json(&search_uri("/api/search", &[("q", "Arztlotse")])).await;
    let hit = &search["hits"][0];
    let (status, paper) = get_oparl(&format!("/oparl/papers/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{paper}");
    assert_eq!(paper["id"], format!("{BASE}/oparl/papers/{id}"));
    assert_eq!(paper["type"], "https://schema.oparl.org/1.1/Paper");
    assert!(
        !paper["name"].as_str().unwrap().trim().is_empty(),
        "{paper}"
    );
    // Type and date as the index recognised them, in OParl's form.
    let label = match hit["type"].as_str().unwrap() {
        "information" => "Information",
        "konzept" => "Konzept",
        "anfrage" => "Anfrage",
        "antwort" => "Antwort",
        "anfrage_antwort" => "Anfrage mit Antwort",
        "niederschrift" => "Niederschrift",
        "beschlussvorlage" => "Beschlussvorlage",
        "projekt" => "Projekt",
        other => panic!("unexpected type {other}"),
    };
    assert_eq!(paper["paperType"], label);
    match hit["date"].as_str() {
        Some(date) if date.len() == 10 => assert_eq!(paper["date"], date),
        _ => assert!(paper.get("date").is_none(), "{paper}"),
    }
    assert_eq!(
        paper.get("reference"),
        hit.get("reference").filter(|r| !r.is_null())
    );
    assert!(paper.get("ratsuche:source").is_none());

    let file = &paper["mainFile"];
    assert_eq!(file["type"], "https://schema.oparl.org/1.1/File");
    assert_eq!(file["mimeType"], "application/pdf");
    assert_eq!(file["fileName"], ARZTLOTSE);
    let access = file["accessUrl"].as_str().unwrap();
    assert_eq!(access, format!("{BASE}/api/documents/{id}/pdf"));
    let response = get(local(access)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        body_bytes(response).await,
        fs::read(corpus().docs.join(ARZTLOTSE)).unwrap()
    );

    // The same paper in the list; without a Host header the base is localhost.
    let (_, list) = get_oparl("/oparl/papers").await;
    assert!(list["data"].as_array().unwrap().contains(&paper));
    let (_, json) = get_json(&format!("/oparl/papers/{id}")).await;
    assert_eq!(json["id"], format!("http://localhost/oparl/papers/{id}"));
}

#[tokio::test]
async fn oparl_unknown_paper_ids_are_404() {
    for uri in [
        "/oparl/papers/0000000000000000",
        "/oparl/papers/not-an-id",
        "/oparl/papers/..%2F..%2Fetc%2Fpasswd",
    ] {
        let (status, json) = get_oparl(uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(json["error"], "not found", "{uri}");
    }
}

/// Issue 7, "serve while index runs": a real server answers every search
/// while a separate `ratsuche index` process writes and commits into the
/// same index, and the new documents appear once committed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searches_keep_answering_while_an_index_run_commits() {
    let dir = TempDir::new().unwrap();
    let docs = dir.path().join("docs");
    fs::create_dir(&docs).unwrap();
    fs::write(docs.join("start.txt"), "Die Kreisstraße wird saniert.").unwrap();
    let index_dir = dir.path().join("index");
    let index = PassageIndex::open_or_create(&index_dir).unwrap();
    ingest::ingest(
        &index,
        std::slice::from_ref(&docs),
        &IngestOptions::default(),
        &mut NoProgress,
    )
    .unwrap();
    const NEW: usize = 60;
    for i in 0..NEW {
        fs::write(
            docs.join(format!("neu-{i:03}.txt")),
            format!("Anfrage {i}: Wie viele Zauberwörter kennt der Kreistag im Jahr 2025?"),
        )
        .unwrap();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = server::router(AppState::new(index, Limits::default()).unwrap());
    tokio::spawn(server::serve(
        listener,
        app,
        Limits::default(),
        std::future::pending(),
    ));

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ratsuche"))
        .arg("index")
        .arg(&docs)
        .arg("--index")
        .arg(&index_dir)
        .args(["--commit-every", "5"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let request =
        |q: &str| format!("GET /api/search?q={q} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    let mut answered = 0;
    let status = loop {
        let answer = exchange(addr, request("Kreisstra%C3%9Fe").as_bytes()).await;
        assert!(
            answer.starts_with("HTTP/1.1 200"),
            "a search failed while indexing: {}",
            answer.lines().next().unwrap_or("")
        );
        answered += 1;
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
    };
    let output = child.wait_with_output().unwrap();
    assert!(
        status.success(),
        "index run failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(answered > 0);
    // Every new document appears once committed (the reader follows commits).
    let start = Instant::now();
    loop {
        let answer = exchange(addr, request("Zauberw%C3%B6rter&limit=100").as_bytes()).await;
        let body = answer.split("\r\n\r\n").nth(1).unwrap_or("");
        // Chunked bodies: take the JSON object between the first { and last }.
        let json = &body[body.find('{').unwrap()..=body.rfind('}').unwrap()];
        let total = serde_json::from_str::<Value>(json).unwrap()["total"]
            .as_u64()
            .unwrap();
        if total as usize == NEW {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "only {total} of {NEW} new documents visible after the run"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!("{answered} searches answered while the index run committed");
}
