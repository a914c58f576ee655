//! OParl import: the specification's examples (tests/data/oparl/spec, CC BY-SA
//! 4.0, see its README), hand-made tombstones, a live endpoint served by a
//! local server (paging and `modified_since`, no network), and — over
//! `../shared` — the Hürtgenwald crawl and the Karlsruhe records.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use ratsuche::index::PassageIndex;
use ratsuche::ingest;
use ratsuche::model::PassageKind;
use ratsuche::oparl::{self, ImportOptions, ImportReport, Source};
use ratsuche::search::{self, Filters, SearchRequest};
use ratsuche::structure::DocType;
use tempfile::TempDir;

fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/oparl/spec")
}

fn new_index(dir: &TempDir) -> PassageIndex {
    PassageIndex::open_or_create(&dir.path().join("index")).unwrap()
}

fn import_dir(index: &PassageIndex, dir: &Path, options: &ImportOptions) -> ImportReport {
    oparl::import(index, &Source::Dir(dir.to_path_buf()), options).unwrap()
}

fn passages_in(index: &PassageIndex) -> u64 {
    index.reader().unwrap().searcher().num_docs()
}

fn find(index: &PassageIndex, query: &str, filters: Filters) -> search::SearchResults {
    let mut request = SearchRequest::new(query);
    request.filters = filters;
    search::search(index, &request).unwrap()
}

#[test]
fn spec_examples_become_a_paper_and_a_meeting() {
    let tmp = TempDir::new().unwrap();
    let index = new_index(&tmp);
    let report = import_dir(&index, &spec_dir(), &ImportOptions::default());
    assert_eq!((report.papers, report.meetings), (1, 1), "{report:#?}");
    assert_eq!(report.agenda_items, 1);
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    // Paper-01's auxiliary file carries `text`; its main file has none and,
    // from a directory, nothing is downloaded.
    assert!(report.files_with_text["oparl-text"] >= 1, "{report:#?}");
    assert!(report
        .files_not_fetched
        .contains(&"https://oparl.example.org/files/57737".to_string()));
    // The examples reference objects they do not contain: reported, not fatal.
    assert!(report.missing["body"].contains("https://oparl.example.org/bodies/1"));
    assert!(report.missing["organization"].contains("https://oparl.example.org/organization/96"));

    // The paper, found by a word of its file's text, with OParl's metadata.
    let results = find(&index, "Übersichtsplan", Filters::default());
    assert_eq!(results.total, 1);
    let hit = &results.hits[0];
    assert_eq!(hit.path, "https://oparl.example.org/paper/749");
    assert_eq!(hit.doc_type.as_deref(), Some("antwort"));
    assert_eq!(hit.date.as_deref(), Some("2014-04-04"));
    assert_eq!(hit.reference.as_deref(), Some("1234/2014"));

    // … and by its reference and its type as a filter.
    let by_ref = find(
        &index,
        "1234/2014",
        Filters {
            doc_type: Some(DocType::Antwort),
            ..Filters::default()
        },
    );
    assert_eq!(by_ref.hits[0].path, "https://oparl.example.org/paper/749");

    // The agenda item is an `agenda` passage of its meeting, numbered as in OParl.
    let agenda = find(
        &index,
        "Satzungsänderung",
        Filters {
            kind: Some(PassageKind::Agenda),
            ..Filters::default()
        },
    );
    assert_eq!(agenda.total, 1);
    let item = &agenda.hits[0];
    assert_eq!(item.path, "https://oparl.example.org/meeting/281");
    assert_eq!(item.number.as_deref(), Some("10.1"));
    assert_eq!(
        item.heading.as_deref(),
        Some("TOP 10.1 — Satzungsänderung für Ausschreibungen")
    );
    assert_eq!(
        item.gremium.as_deref(),
        Some("Ausschuss für Haushalt und Finanzen")
    );
    assert_eq!(item.date.as_deref(), Some("2013-01-04"));
}

#[test]
fn reimport_replaces_instead_of_duplicating() {
    let tmp = TempDir::new().unwrap();
    let index = new_index(&tmp);
    let first = import_dir(&index, &spec_dir(), &ImportOptions::default());
    let passages = passages_in(&index);
    assert_eq!(first.papers + first.meetings, 2);
    let second = import_dir(&index, &spec_dir(), &ImportOptions::default());
    assert_eq!(
        (second.papers, second.meetings, second.unchanged),
        (0, 0, 2)
    );
    assert_eq!(passages_in(&index), passages);

    // A changed paper replaces the old version under the same document id.
    let changed = TempDir::new().unwrap();
    let paper = std::fs::read_to_string(spec_dir().join("Paper-01.json"))
        .unwrap()
        .replace(
            "Antwort auf Anfrage 1200/2014",
            "Antwort auf Anfrage zum Radweg",
        );
    std::fs::write(changed.path().join("p.json"), paper).unwrap();
    let third = import_dir(&index, changed.path(), &ImportOptions::default());
    assert_eq!(third.papers, 1);
    assert_eq!(passages_in(&index), passages);
    let hits = find(&index, "Radweg", Filters::default());
    assert_eq!(hits.total, 1);
    let old = find(
        &index,
        "\"Antwort auf Anfrage 1200/2014\"",
        Filters::default(),
    );
    assert_eq!(old.total, 0, "the old title is gone");
}

#[test]
fn tombstones_and_untyped_entries_are_skipped_and_remove_old_copies() {
    let tmp = TempDir::new().unwrap();
    let index = new_index(&tmp);
    let src = TempDir::new().unwrap();
    let ty = "https://schema.oparl.org/1.0/Paper";
    let page = serde_json::json!({
        "data": [
            {"id": "https://x.example/paper/1", "type": ty, "name": "Kreisumlage 2025",
             "paperType": "Beschlussvorlage", "reference": "7/2025", "date": "2025-02-03"},
            {"id": "https://x.example/paper/2", "type": ty, "name": "Bolzplatz Nord"},
            {"id": "https://x.example/paper/3", "created": "2020-01-01T00:00:00+01:00"},
        ],
        "links": {}
    });
    std::fs::write(src.path().join("paper.json"), page.to_string()).unwrap();
    std::fs::write(src.path().join("broken.json"), "{not json").unwrap();
    let report = import_dir(&index, src.path(), &ImportOptions::default());
    assert_eq!(report.papers, 2);
    assert_eq!(report.skipped["no type"], 1);
    assert_eq!(report.failed.len(), 1, "the broken file is reported");
    assert!(report.failed[0].0.ends_with("broken.json"));
    let hit = &find(&index, "Kreisumlage", Filters::default()).hits[0];
    assert_eq!(hit.doc_type.as_deref(), Some("beschlussvorlage"));
    assert_eq!(hit.reference.as_deref(), Some("7/2025"));

    // The next crawl has paper 2 as a tombstone (no type, as Hürtgenwald sends them).
    let later = TempDir::new().unwrap();
    let page = serde_json::json!({"data": [
        {"id": "https://x.example/paper/2", "deleted": true, "modified": "2025-03-01T00:00:00+01:00"}
    ]});
    std::fs::write(later.path().join("paper.json"), page.to_string()).unwrap();
    let report = import_dir(&index, later.path(), &ImportOptions::default());
    assert_eq!((report.removed, report.skipped["deleted"]), (1, 1));
    assert_eq!(find(&index, "Bolzplatz", Filters::default()).total, 0);
    assert_eq!(find(&index, "Kreisumlage", Filters::default()).total, 1);
}

/// A local OParl server: serves `routes` (path with query → JSON, `{BASE}`
/// replaced by its own address) and records every requested path.
struct Server {
    base: String,
    log: Arc<Mutex<Vec<String>>>,
    routes: Arc<Mutex<HashMap<String, String>>>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let routes: Arc<Mutex<HashMap<String, String>>> = Arc::default();
        let (log2, routes2, base2) = (log.clone(), routes.clone(), base.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    continue;
                }
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                        break;
                    }
                }
                let path = request_line
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("/")
                    .to_string();
                log2.lock().unwrap().push(path.clone());
                let body = routes2.lock().unwrap().get(&path).cloned();
                let (status, body) = match body {
                    Some(b) => ("200 OK", b.replace("{BASE}", &base2)),
                    None => ("404 Not Found", "{}".to_string()),
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Server { base, log, routes }
    }

    fn route(&self, path: &str, body: serde_json::Value) {
        self.routes
            .lock()
            .unwrap()
            .insert(path.to_string(), body.to_string());
    }

    fn take_log(&self) -> Vec<String> {
        std::mem::take(&mut *self.log.lock().unwrap())
    }
}

fn paper(n: u32, name: &str) -> serde_json::Value {
    serde_json::json!({
        "id": format!("{{BASE}}/paper/{n}"), "type": "https://schema.oparl.org/1.1/Paper",
        "body": "{BASE}/body/1", "name": name, "paperType": "Mitteilungsvorlage",
        "reference": format!("{n}/2024"), "date": "2024-05-06",
        "consultation": [{"id": format!("{{BASE}}/consultation/{n}"),
                          "type": "https://schema.oparl.org/1.1/Consultation",
                          "organization": ["{BASE}/organization/1"], "authoritative": true}],
        "mainFile": {"id": format!("{{BASE}}/file/{n}"), "type": "https://schema.oparl.org/1.1/File",
                     "name": "Vorlage", "text": format!("{name}: Text der Vorlage.")}
    })
}

/// A live endpoint with one body ("Landkreis Beispiel"), one organization
/// ("Kreisausschuss") and no meetings; the caller routes `/papers`.
fn one_body_endpoint() -> Server {
    let server = Server::start();
    let ty = |t: &str| format!("https://schema.oparl.org/1.1/{t}");
    server.route(
        "/system",
        serde_json::json!({"id": "{BASE}/system", "type": ty("System"), "body": "{BASE}/bodies"}),
    );
    server.route(
        "/bodies",
        serde_json::json!({"data": [{"id": "{BASE}/body/1", "type": ty("Body"), "name": "Landkreis Beispiel",
            "organization": "{BASE}/organizations", "paper": "{BASE}/papers", "meeting": "{BASE}/meetings"}],
            "links": {}}),
    );
    server.route(
        "/organizations",
        serde_json::json!({"data": [{"id": "{BASE}/organization/1", "type": ty("Organization"),
            "name": "Kreisausschuss"}], "links": {}}),
    );
    server.route("/meetings", serde_json::json!({"data": [], "links": {}}));
    server
}

#[test]
fn live_endpoint_is_paged_and_synced_incrementally() {
    let server = one_body_endpoint();
    server.route(
        "/papers",
        serde_json::json!({"data": [paper(1, "Schulbus Fahrplan")],
            "links": {"next": "{BASE}/papers?page=2"}}),
    );
    server.route(
        "/papers?page=2",
        serde_json::json!({"data": [paper(2, "Radweg Lückenschluss")], "links": {}}),
    );

    let tmp = TempDir::new().unwrap();
    let index = new_index(&tmp);
    let source = Source::Url(format!("{}/system", server.base));
    let report = oparl::import(&index, &source, &ImportOptions::default()).unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(report.papers, 2, "both pages were read");
    assert_eq!(report.modified_since, None, "first run reads everything");
    let log = server.take_log();
    assert!(log.contains(&"/papers?page=2".to_string()), "{log:?}");
    assert!(!log.iter().any(|p| p.contains("modified_since")), "{log:?}");

    let hit = &find(&index, "Radweg", Filters::default()).hits[0];
    assert_eq!(hit.body.as_deref(), Some("Landkreis Beispiel"));
    assert_eq!(hit.gremium.as_deref(), Some("Kreisausschuss"));
    assert_eq!(hit.doc_type.as_deref(), Some("information"));
    assert_eq!(hit.reference.as_deref(), Some("2/2024"));

    // Second run: the sync state asks only for changes; the server answers
    // modified_since requests with one changed paper and one tombstone.
    let changed = serde_json::json!({"data": [paper(1, "Schulbus Winterfahrplan"),
        {"id": "{BASE}/paper/2", "deleted": true}], "links": {}});
    let since_key = |log: &[String]| {
        log.iter()
            .find(|p| p.starts_with("/papers?modified_since="))
            .cloned()
            .unwrap_or_else(|| panic!("no modified_since request in {log:?}"))
    };
    // Learn the exact URL the importer builds, then serve it.
    let probe = oparl::import(&index, &source, &ImportOptions::default()).unwrap();
    let since = probe.modified_since.clone().expect("sync state used");
    let path = since_key(&server.take_log());
    assert!(
        path.ends_with(&since.replace(':', "%3A").replace('+', "%2B")),
        "{path}"
    );
    server.route(&path, changed);
    server.route(
        &path.replace("/papers?", "/meetings?"),
        serde_json::json!({"data": [], "links": {}}),
    );
    let options = ImportOptions {
        modified_since: Some(since),
        ..ImportOptions::default()
    };
    let report = oparl::import(&index, &source, &options).unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!((report.papers, report.removed), (1, 1), "{report:#?}");
    assert_eq!(find(&index, "Winterfahrplan", Filters::default()).total, 1);
    assert_eq!(find(&index, "Radweg", Filters::default()).total, 0);
}

/// Sets the stop flag once the first paper is written, as a Ctrl-C would.
struct StopAfterFirst(Arc<AtomicBool>);

impl ingest::Progress for StopAfterFirst {
    fn file_done(&mut self, _: &Path, _: ingest::FileStatus, _: usize) {
        self.0.store(true, Ordering::Relaxed);
    }
}

#[test]
fn a_stopped_import_commits_what_it_wrote_and_removes_nothing() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("crawl");
    std::fs::create_dir(&dir).unwrap();
    let papers: Vec<serde_json::Value> = (1..=300)
        .map(|n| paper(n, &format!("Vorlage Nummer {n}")))
        .collect();
    let crawl = serde_json::to_string(&serde_json::json!({ "data": papers }))
        .unwrap()
        .replace("{BASE}", "https://oparl.example");
    std::fs::write(dir.join("papers.json"), crawl).unwrap();
    let index = new_index(&tmp);
    // An earlier run indexed a paper the crawl now has a tombstone for.
    let old = dir.join("old.json");
    std::fs::write(
        &old,
        paper(999, "Alte Vorlage")
            .to_string()
            .replace("{BASE}", "https://oparl.example"),
    )
    .unwrap();
    assert_eq!(
        import_dir(&index, &dir, &ImportOptions::default()).papers,
        301
    );
    std::fs::write(
        &old,
        r#"{"id": "https://oparl.example/paper/999", "deleted": true}"#,
    )
    .unwrap();
    // Make the first 300 look changed, so the stopped run writes some.
    let crawl = std::fs::read_to_string(dir.join("papers.json")).unwrap();
    std::fs::write(
        dir.join("papers.json"),
        crawl.replace("Text der Vorlage", "Neuer Text"),
    )
    .unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let options = ImportOptions {
        stop: Some(Arc::clone(&stop)),
        ..ImportOptions::default()
    };
    let source = Source::Dir(dir.clone());
    let first = oparl::import_with(
        &index,
        &source,
        &options,
        &oparl::HttpFetch::default(),
        &mut StopAfterFirst(Arc::clone(&stop)),
    )
    .unwrap();
    assert!(first.interrupted, "{first:#?}");
    // Papers are built and written in chunks; the stop ends the run at
    // the next chunk, before the last paper.
    assert!(first.papers >= 1 && first.not_reached >= 1, "{first:#?}");
    assert_eq!(first.papers + first.not_reached, 300, "{first:#?}");
    assert_eq!(first.removed, 0, "an interrupted import removes nothing");
    assert!(first
        .summary()
        .iter()
        .any(|l| l.starts_with("interrupted:")));
    // What it wrote is committed and searchable.
    assert_eq!(
        find(&index, "Neuer", Filters::default()).total,
        first.papers
    );
    assert_eq!(find(&index, "Alte Vorlage", Filters::default()).total, 1);

    let second = import_dir(&index, &dir, &ImportOptions::default());
    assert!(!second.interrupted);
    assert_eq!(
        (second.papers, second.unchanged),
        (300 - first.papers, first.papers)
    );
    assert_eq!(second.removed, 1);
    assert_eq!(find(&index, "Neuer", Filters::default()).total, 300);
}

#[test]
fn a_live_import_stopped_after_reading_every_page_keeps_the_sync_point() {
    let server = one_body_endpoint();
    server.route(
        "/papers",
        serde_json::json!({"data": [paper(1, "Schulbus Fahrplan"), paper(2, "Radweg")], "links": {}}),
    );
    let tmp = TempDir::new().unwrap();
    let index = new_index(&tmp);
    let stop = Arc::new(AtomicBool::new(false));
    let options = ImportOptions {
        stop: Some(Arc::clone(&stop)),
        ..ImportOptions::default()
    };
    let source = Source::Url(format!("{}/system", server.base));
    // Every page is read; the stop comes with the first paper written.
    let report = oparl::import_with(
        &index,
        &source,
        &options,
        &oparl::HttpFetch::default(),
        &mut StopAfterFirst(stop),
    )
    .unwrap();
    assert!(report.interrupted, "{report:#?}");
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert!(
        !index.dir().join(oparl::SYNC_STATE_FILE).exists(),
        "an interrupted import must not move the sync point"
    );
}

/// An endpoint whose first page (the System) comes with a Ctrl-C: counts
/// the requests that reach it.
struct StopOnFirstPage {
    stop: Arc<AtomicBool>,
    requests: Mutex<Vec<String>>,
}

impl oparl::Fetch for StopOnFirstPage {
    fn get_json(&self, url: &str) -> Result<serde_json::Value, String> {
        self.requests.lock().unwrap().push(url.to_string());
        self.stop.store(true, Ordering::Relaxed);
        Ok(
            serde_json::json!({"id": url, "type": "https://schema.oparl.org/1.1/System",
            "body": "https://oparl.example/bodies"}),
        )
    }

    fn get_bytes(&self, url: &str, _: u64) -> Result<Vec<u8>, String> {
        Err(format!("{url}: no files here"))
    }
}

#[test]
fn a_stop_while_reading_an_endpoint_reads_no_further_page_and_keeps_the_sync_point() {
    let tmp = TempDir::new().unwrap();
    let index = new_index(&tmp);
    let stop = Arc::new(AtomicBool::new(false));
    let fetch = StopOnFirstPage {
        stop: Arc::clone(&stop),
        requests: Mutex::new(Vec::new()),
    };
    let options = ImportOptions {
        stop: Some(stop),
        ..ImportOptions::default()
    };
    let source = Source::Url("https://oparl.example/system".into());
    let report =
        oparl::import_with(&index, &source, &options, &fetch, &mut ingest::NoProgress).unwrap();
    assert!(report.interrupted, "{report:#?}");
    assert_eq!(
        *fetch.requests.lock().unwrap(),
        ["https://oparl.example/system"]
    );
    assert!(
        report
            .failed
            .iter()
            .any(|(url, why)| url.ends_with("/bodies") && why.contains("interrupted")),
        "{:?}",
        report.failed
    );
    assert!(
        !index.dir().join(oparl::SYNC_STATE_FILE).exists(),
        "an interrupted import must not move the sync point"
    );
}

#[test]
fn a_stop_before_the_endpoints_first_answer_is_an_interruption_not_an_error() {
    let tmp = TempDir::new().unwrap();
    let index = new_index(&tmp);
    let fetch = StopOnFirstPage {
        stop: Arc::new(AtomicBool::new(false)),
        requests: Mutex::new(Vec::new()),
    };
    // Ctrl-C came before the first request.
    let options = ImportOptions {
        stop: Some(Arc::new(AtomicBool::new(true))),
        ..ImportOptions::default()
    };
    let source = Source::Url("https://oparl.example/system".into());
    let report =
        oparl::import_with(&index, &source, &options, &fetch, &mut ingest::NoProgress).unwrap();
    assert!(report.interrupted, "{report:#?}");
    assert!(fetch.requests.lock().unwrap().is_empty());
    assert_eq!(report.papers + report.meetings, 0);
    assert!(
        report
            .summary()
            .iter()
            .any(|l| l == "interrupted before the source answered: nothing read or written"),
        "{:?}",
        report.summary()
    );
    assert!(
        !index.dir().join(oparl::SYNC_STATE_FILE).exists(),
        "an interrupted import must not move the sync point"
    );
}

/// `../shared/realworld/<rel>`, or a panic saying it is missing.
fn shared(rel: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/realworld")
        .join(rel);
    assert!(
        path.exists(),
        "{} is missing: these tests need ../shared",
        path.display()
    );
    path
}

#[test]
#[ignore = "needs ../shared"]
fn huertgenwald_crawl_imports_metadata_and_reports_files_not_fetched() {
    let tmp = TempDir::new().unwrap();
    let index = new_index(&tmp);
    let report = import_dir(
        &index,
        &shared("oparl-huertgenwald/cache"),
        &ImportOptions::default(),
    );
    println!("{}", report.summary().join("\n"));
    // README: 2,097 live papers + 18 tombstones; 346 live meetings + 21 tombstones.
    assert_eq!(report.papers, 2_097);
    assert_eq!(report.meetings, 346);
    assert_eq!(report.skipped["deleted"], 18 + 21);
    assert_eq!(report.agenda_items, 5_106);
    // 6,947 Files, none with text, none local: all not fetched.
    assert_eq!(report.files_not_fetched.len(), 6_947);
    assert!(report.files_with_text.is_empty());
    // missing_ids.json is the validator's bookkeeping, not an OParl object.
    assert_eq!(report.skipped["no id (not an OParl object)"], 1);
    assert!(report.failed.is_empty(), "{:?}", report.failed);

    // Paper 60: "Umbesetzungen im Bauausschuss", Tischvorlage 102/2002.
    let hits = find(&index, "Umbesetzungen Bauausschuss", Filters::default());
    let hit = hits
        .hits
        .iter()
        .find(|h| h.path.ends_with("/body/1/paper/60"))
        .expect("paper 60 found by its title");
    assert_eq!(hit.reference.as_deref(), Some("102/2002"));
    assert_eq!(hit.doc_type.as_deref(), Some("beschlussvorlage"));
    assert_eq!(hit.body.as_deref(), Some("Gemeinde Hürtgenwald"));
    let by_ref = find(&index, "102/2002", Filters::default());
    assert!(by_ref
        .hits
        .iter()
        .any(|h| h.path.ends_with("/body/1/paper/60")));
}

#[test]
#[ignore = "needs ../shared"]
fn karlsruhe_papers_import_with_local_file_texts() {
    let tmp = TempDir::new().unwrap();
    let index = new_index(&tmp);
    let options = ImportOptions {
        local_files: Some(shared("karlsruhe/file-contents")),
        ..ImportOptions::default()
    };
    let started = std::time::Instant::now();
    let report = import_dir(&index, &shared("karlsruhe/oparl"), &options);
    let bytes: u64 = std::fs::read_dir(tmp.path().join("index"))
        .unwrap()
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "{}\n({:.1} s, index {:.1} MB, {} passages)",
        report.summary().join("\n"),
        started.elapsed().as_secs_f64(),
        bytes as f64 / 1e6,
        passages_in(&index)
    );
    // README: 14,004 paper records of which 268 are tombstones; 2,609 meetings.
    assert_eq!(report.papers, 14_004 - 268);
    assert_eq!(
        report.meetings + report.skipped.get("deleted").copied().unwrap_or(0) - 268,
        2_609
    );
    // 12,692 texts, of which 29 belong to no stored paper.
    assert_eq!(report.files_with_text["local"], 12_692 - 29);
    assert!(
        report.failed.is_empty(),
        "{:?}",
        &report.failed[..report.failed.len().min(5)]
    );

    // MANIFEST row of file 1010: Beschlussvorlage 20910 of 2008-09-22,
    // "Antrag CDU: Papierkörbe an der Pfinz".
    let hits = find(&index, "Papierkörbe Pfinz", Filters::default());
    let hit = hits
        .hits
        .iter()
        .find(|h| h.reference.as_deref() == Some("20910"))
        .unwrap_or_else(|| panic!("no hit with reference 20910: {:#?}", hits.hits));
    assert_eq!(hit.doc_type.as_deref(), Some("beschlussvorlage"));
    assert_eq!(hit.date.as_deref(), Some("2008-09-22"));
}

/// The imported spec Paper, served back over the HTTP API in OParl's shape.
#[tokio::test]
async fn an_imported_paper_is_served_back_as_an_oparl_paper() {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    let tmp = TempDir::new().unwrap();
    let index = new_index(&tmp);
    let report = import_dir(&index, &spec_dir(), &ImportOptions::default());
    assert_eq!((report.papers, report.meetings), (1, 1), "{report:#?}");
    let state = ratsuche::server::AppState::new(index.clone(), ratsuche::server::Limits::default())
        .unwrap();
    let get = |uri: String| {
        let router = ratsuche::server::router(state.clone());
        async move {
            let response = router
                .oneshot(
                    Request::get(uri)
                        .header("host", "example.test")
                        .body(Body::empty())
                        .unwrap(),
                )
                .await
                .unwrap();
            let status = response.status();
            let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
                .await
                .unwrap();
            (
                status,
                serde_json::from_slice::<serde_json::Value>(&bytes).unwrap(),
            )
        }
    };

    let (status, list) = get("/oparl/papers".into()).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    // The paper and the meeting are the index's two documents.
    assert_eq!(list["pagination"]["totalElements"], 2, "{list}");
    let paper = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["ratsuche:source"] == "https://oparl.example.org/paper/749")
        .unwrap_or_else(|| panic!("the spec paper is not listed: {list}"))
        .clone();
    assert_eq!(paper["type"], "https://schema.oparl.org/1.1/Paper");
    assert_eq!(paper["name"], "Antwort auf Anfrage 1200/2014");
    assert_eq!(paper["reference"], "1234/2014");
    assert_eq!(paper["date"], "2014-04-04");
    // "Beantwortung einer Anfrage" is indexed as `antwort`.
    assert_eq!(paper["paperType"], "Antwort");
    // Its files live upstream, not here: no mainFile of ours.
    assert!(paper.get("mainFile").is_none(), "{paper}");

    let id = paper["id"].as_str().unwrap();
    let path = id
        .strip_prefix("http://example.test")
        .unwrap_or_else(|| panic!("{id} is not under the request's host"));
    let (status, one) = get(path.to_string()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one, paper);
}
