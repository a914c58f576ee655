//! The search page in a real browser: headless Chromium, driven through
//! chromedriver's W3C WebDriver protocol, loads the page served from an
//! index of `corpus/`, types a query (Enter, from the keyboard), applies a
//! filter by clicking a facet count, and checks the results and the PDF
//! link; a screenshot is saved under the target directory.
//!
//! Ignored by default (needs the Debian packages `chromium` and
//! `chromium-driver`, which `.ci/run` installs):
//!
//! ```text
//! cargo test --test browser -- --ignored --nocapture
//! ```
//!
//! The WebDriver client is the handful of JSON-over-HTTP calls below, on a
//! plain `TcpStream`: the one maintained Rust client (fantoccini) would add
//! 53 crates, two versions of the ICU stack among them, for eight requests.

use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tempfile::TempDir;

use ratsuche::index::PassageIndex;
use ratsuche::ingest::{self, IngestOptions, NoProgress};
use ratsuche::server::{self, AppState, Limits};

/// The W3C WebDriver key for an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
/// WebDriver's code for the Enter key in "send keys".
const ENTER: &str = "\u{E007}";

/// One HTTP/1.1 exchange with a server on loopback: status and body.
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> (u16, Vec<u8>, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         Content-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    // Read the head, then exactly the body: chromedriver may keep the
    // connection open whatever `Connection: close` says.
    let mut answer = Vec::new();
    let mut buffer = [0u8; 16 * 1024];
    let split = loop {
        if let Some(at) = answer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let n = stream.read(&mut buffer).unwrap();
        assert!(n > 0, "connection closed before the end of the headers");
        answer.extend_from_slice(&buffer[..n]);
    };
    let head = String::from_utf8_lossy(&answer[..split]).into_owned();
    let mut body = answer[split + 4..].to_vec();
    let status: u16 = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("no status");
    let lower = head.to_ascii_lowercase();
    let length = lower.lines().find_map(|line| {
        line.strip_prefix("content-length:")
            .and_then(|v| v.trim().parse::<usize>().ok())
    });
    let chunked = lower.contains("transfer-encoding: chunked");
    loop {
        let complete = match length {
            Some(length) => body.len() >= length,
            None if chunked => body.windows(5).any(|w| w == b"0\r\n\r\n"),
            None => false,
        };
        if complete {
            break;
        }
        let n = stream.read(&mut buffer).unwrap();
        if n == 0 {
            break;
        }
        body.extend_from_slice(&buffer[..n]);
    }
    if chunked {
        body = dechunk(&body);
    }
    (status, body, head)
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&data[..end])
                .split(';')
                .next()
                .unwrap()
                .trim(),
            16,
        )
        .unwrap();
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 2 + size + 2..];
    }
    out
}

/// A chromedriver process and one browser session in it.
struct Browser {
    driver: Child,
    port: u16,
    session: String,
    _profile: TempDir,
}

impl Browser {
    fn start(chromium: &Path, chromedriver: &Path) -> Browser {
        let port = free_port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting chromedriver");
        let start = Instant::now();
        loop {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                let (_, body, _) = http(port, "GET", "/status", None);
                let status: Value = serde_json::from_slice(&body).unwrap();
                if status["value"]["ready"] == true {
                    break;
                }
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = TempDir::new().unwrap();
        let mut browser = Browser {
            driver,
            port,
            session: String::new(),
            _profile: profile,
        };
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1280,1000",
        ]
        .iter()
        .map(|a| a.to_string())
        .chain([format!(
            "--user-data-dir={}",
            browser._profile.path().display()
        )])
        .collect::<Vec<_>>();
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium, "args": args}
        }}});
        let session = browser.call("POST", "/session", Some(&capabilities));
        browser.session = session["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {session}"))
            .to_string();
        browser
    }

    /// A WebDriver command; panics with the driver's message on an error.
    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let (status, body, _) = http(self.port, method, path, body);
        let answer: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        assert_eq!(status, 200, "{method} {path}: {answer}");
        answer["value"].clone()
    }

    fn session_call(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        self.call(method, &format!("/session/{}{path}", self.session), body)
    }

    fn goto(&self, url: &str) {
        self.session_call("POST", "/url", Some(&json!({ "url": url })));
    }

    fn url(&self) -> String {
        self.session_call("GET", "/url", None)
            .as_str()
            .unwrap()
            .to_string()
    }

    fn find_all(&self, css: &str) -> Vec<String> {
        self.session_call(
            "POST",
            "/elements",
            Some(&json!({"using": "css selector", "value": css})),
        )
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e[ELEMENT].as_str().unwrap().to_string())
        .collect()
    }

    fn find(&self, css: &str) -> String {
        self.find_all(css)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no element {css} on {}", self.url()))
    }

    /// An element inside `parent`.
    fn find_hit_part(&self, parent: &str, css: &str) -> String {
        let found = self.session_call(
            "POST",
            &format!("/element/{parent}/element"),
            Some(&json!({"using": "css selector", "value": css})),
        );
        found[ELEMENT].as_str().unwrap().to_string()
    }

    fn text(&self, element: &str) -> String {
        self.session_call("GET", &format!("/element/{element}/text"), None)
            .as_str()
            .unwrap()
            .to_string()
    }

    fn attribute(&self, element: &str, name: &str) -> String {
        self.session_call("GET", &format!("/element/{element}/attribute/{name}"), None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    fn property(&self, element: &str, name: &str) -> Value {
        self.session_call("GET", &format!("/element/{element}/property/{name}"), None)
    }

    fn type_text(&self, element: &str, text: &str) {
        self.session_call(
            "POST",
            &format!("/element/{element}/value"),
            Some(&json!({ "text": text })),
        );
    }

    fn click(&self, element: &str) {
        self.session_call(
            "POST",
            &format!("/element/{element}/click"),
            Some(&json!({})),
        );
    }

    /// Wait until the URL satisfies `test` (a form submit or link click
    /// navigates asynchronously) and the page has loaded.
    fn wait_for_url(&self, what: &str, test: impl Fn(&str) -> bool) {
        let start = Instant::now();
        while !test(&self.url()) {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "{what}: still on {}",
                self.url()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        while self.session_call(
            "POST",
            "/execute/sync",
            Some(&json!({"script": "return document.readyState", "args": []})),
        ) != "complete"
        {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "{what}: page never loaded"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn screenshot(&self, path: &Path) {
        let png = self.session_call("GET", "/screenshot", None);
        fs::write(path, base64_decode(png.as_str().unwrap())).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = http(
                self.port,
                "DELETE",
                &format!("/session/{}", self.session),
                None,
            );
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let digits: Vec<u8> = text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .map(value)
        .collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &d)| n | u32::from(d) << (18 - 6 * i));
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len() - 1]);
    }
    out
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The first of `names` found on `PATH`.
fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// An index of a temp copy of `corpus/`, served on a free loopback port
/// by a runtime that lives as long as the returned values.
fn serve_corpus() -> (TempDir, tokio::runtime::Runtime, u16) {
    let dir = TempDir::new().unwrap();
    let docs = dir.path().join("corpus");
    fs::create_dir(&docs).unwrap();
    for entry in fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "pdf") {
            fs::copy(&path, docs.join(path.file_name().unwrap())).unwrap();
        }
    }
    let index = PassageIndex::open_or_create(&dir.path().join("index")).unwrap();
    let report =
        ingest::ingest(&index, &[docs], &IngestOptions::default(), &mut NoProgress).unwrap();
    assert_eq!(report.indexed, 5);
    let app = server::router(AppState::new(index, Limits::default()).unwrap());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    runtime.spawn(async move { axum::serve(listener, app).await });
    (dir, runtime, port)
}

#[test]
#[ignore = "needs chromium"]
fn a_user_searches_filters_and_opens_the_pdf() {
    let (Some(chromium), Some(chromedriver)) = (
        find_program(&["chromium", "chromium-browser", "google-chrome"]),
        find_program(&["chromedriver"]),
    ) else {
        panic!(
            "this test needs Chromium and chromedriver on PATH \
             (Debian: apt-get install chromium chromium-driver; .ci/run installs them)"
        );
    };
    let (_dir, _runtime, port) = serve_corpus();
    let base = format!("http://127.0.0.1:{port}");
    let browser = Browser::start(&chromium, &chromedriver);

    // Type a query and press Enter, as a user would.
    browser.goto(&format!("{base}/"));
    let search_box = browser.find("#q");
    browser.type_text(&search_box, &format!("Pflege{ENTER}"));
    browser.wait_for_url("search submitted", |url| url.contains("q=Pflege"));
    let hits = browser.find_all("li.hit");
    assert!(!hits.is_empty(), "no results for Pflege");
    assert_eq!(
        browser.property(&browser.find("#q"), "value"),
        "Pflege",
        "the query stays in the box"
    );

    // Apply a filter: the first type facet, e.g. "Konzept (1)".
    let facet = browser.find(r#"aside.facets a[href*="type="]"#);
    let label = browser.text(&facet);
    let count_text = browser.text(&browser.find("aside.facets li .count"));
    let count: usize = count_text
        .trim_matches(|c| c == '(' || c == ')')
        .parse()
        .unwrap_or_else(|_| panic!("facet count {count_text:?}"));
    browser.click(&facet);
    browser.wait_for_url("facet clicked", |url| {
        url.contains("type=") && url.contains("q=Pflege")
    });
    let filtered = browser.find_all("li.hit");
    assert_eq!(
        filtered.len(),
        count.min(10),
        "the facet said {count} for {label}"
    );
    for hit in &filtered {
        let meta = browser.text(&browser.find_hit_part(hit, "p.meta"));
        assert!(meta.starts_with(&label), "{meta:?} is not {label}");
    }
    let active = browser.text(&browser.find("ul.active"));
    assert!(active.contains(&label), "active filters: {active:?}");

    // The PDF link opens the document at the passage's page.
    let link = browser.attribute(&browser.find("li.hit a.pdf"), "href");
    let (path, fragment) = link.split_once('#').expect("no #page in the link");
    assert!(
        path.starts_with("/api/documents/") && path.ends_with("/pdf"),
        "{link}"
    );
    assert!(fragment.starts_with("page="), "{link}");
    let (status, body, head) = http(port, "GET", path, None);
    assert_eq!(status, 200, "{head}");
    assert!(head
        .to_ascii_lowercase()
        .contains("content-type: application/pdf"));
    assert!(body.starts_with(b"%PDF-"));

    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-search.png");
    browser.screenshot(&shot);
    let png = fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "the screenshot is not a PNG");
    println!("screenshot: {}", shot.display());
}
