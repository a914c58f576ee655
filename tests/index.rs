//! Incremental indexing and search through the library API, on small
//! `.txt` files written by each test into a temp dir.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use ratsuche::analysis::Lang;
use ratsuche::index::{CommitPolicy, IndexedDocument, PassageIndex};
use ratsuche::ingest::{self, IngestOptions, IngestReport, NoProgress};
use ratsuche::model::{DocMeta, Passage, PassageKind};
use ratsuche::search::{self, MatchMode, SearchRequest};
use ratsuche::Error;
use tempfile::TempDir;

/// A temp dir with a `docs/` folder of source files and an `index/` dir.
struct Fixture {
    dir: TempDir,
}

impl Fixture {
    fn new(files: &[(&str, &str)]) -> Fixture {
        let fixture = Fixture {
            dir: TempDir::new().unwrap(),
        };
        fs::create_dir(fixture.docs()).unwrap();
        for (name, text) in files {
            fixture.write(name, text.as_bytes());
        }
        fixture
    }

    fn docs(&self) -> PathBuf {
        self.dir.path().join("docs")
    }

    fn index_dir(&self) -> PathBuf {
        self.dir.path().join("index")
    }

    fn write(&self, name: &str, bytes: &[u8]) {
        let path = self.docs().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }

    fn index(&self) -> PassageIndex {
        PassageIndex::open_or_create(&self.index_dir()).unwrap()
    }

    fn ingest(&self, inputs: &[PathBuf]) -> IngestReport {
        let options = IngestOptions {
            writer_memory: 30_000_000,
            commit: CommitPolicy::every_files(1),
            ..IngestOptions::default()
        };
        ingest::ingest(&self.index(), inputs, &options, &mut NoProgress).unwrap()
    }

    fn ingest_docs(&self) -> IngestReport {
        self.ingest(&[self.docs()])
    }

    fn search(&self, query: &str) -> search::SearchResults {
        let index = PassageIndex::open(&self.index_dir()).unwrap();
        search::search(&index, &SearchRequest::new(query)).unwrap()
    }

    /// Files (display names, sorted) with a passage containing all words of `query`.
    fn files_matching(&self, query: &str) -> Vec<String> {
        let results = self.search(query);
        if results.mode != MatchMode::All {
            return Vec::new();
        }
        let mut files: Vec<String> = results
            .hits
            .iter()
            .map(|h| file_name(Path::new(&h.file)))
            .collect();
        files.sort();
        files
    }

    fn passage_count(&self) -> u64 {
        let index = PassageIndex::open(&self.index_dir()).unwrap();
        index.reader().unwrap().searcher().num_docs()
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

const THREE: [(&str, &str); 3] = [
    ("a.txt", "Kreistag Haushalt Schulsanierung"),
    ("b.txt", "Kreistag Radweg Verkehrskonferenz"),
    ("sub/c.TXT", "Kreistag Frauenförderpreis Ehrenamt"),
];

#[test]
fn first_run_indexes_every_txt_file_recursively() {
    let fx = Fixture::new(&THREE);
    fx.write("notes.docx", b"Kreistag");
    let report = fx.ingest_docs();
    assert_eq!(report.indexed, 3);
    assert_eq!(report.unchanged, 0);
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(fx.index().indexed_files().unwrap().len(), 3);
    assert_eq!(fx.files_matching("Kreistag"), ["a.txt", "b.txt", "c.TXT"]);
}

#[test]
fn a_finished_run_leaves_no_tail_of_small_segments() {
    // A commit per file makes a segment per file; log merging alone would
    // leave five small segments, which every query would visit in turn.
    let files: Vec<(String, String)> = (0..5)
        .map(|i| (format!("f{i}.txt"), format!("Kreistag Sitzung Nummer{i}")))
        .collect();
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let fx = Fixture::new(&files);
    assert_eq!(fx.ingest_docs().indexed, 5);
    let segments = fx.index().tantivy().searchable_segment_metas().unwrap();
    assert_eq!(segments.len(), 1, "{segments:?}");
    assert_eq!(fx.files_matching("Kreistag").len(), 5);
}

#[test]
fn second_run_skips_unchanged_files() {
    let fx = Fixture::new(&THREE);
    fx.ingest_docs();
    let passages = fx.passage_count();
    let report = fx.ingest_docs();
    assert_eq!(report.indexed, 0);
    assert_eq!(report.unchanged, 3);
    assert!(report.removed.is_empty());
    assert_eq!(fx.passage_count(), passages);
}

#[test]
fn changed_file_replaces_its_old_passages() {
    let fx = Fixture::new(&THREE);
    fx.ingest_docs();
    fx.write("a.txt", b"Kreistag Breitbandausbau");
    let report = fx.ingest_docs();
    assert_eq!((report.indexed, report.unchanged), (1, 2));
    assert!(fx.files_matching("Schulsanierung").is_empty());
    assert_eq!(fx.files_matching("Breitbandausbau"), ["a.txt"]);
    // Exactly one passage per one-page file: the old one is gone.
    assert_eq!(fx.passage_count(), 3);
    assert_eq!(fx.search("Kreistag").total_passages, 3);
}

#[test]
fn deleted_file_is_removed_from_the_index() {
    let fx = Fixture::new(&THREE);
    fx.ingest_docs();
    fs::remove_file(fx.docs().join("b.txt")).unwrap();
    let report = fx.ingest_docs();
    assert_eq!(report.removed.len(), 1);
    assert_eq!(file_name(&report.removed[0]), "b.txt");
    assert!(fx.files_matching("Radweg").is_empty());
    assert_eq!(fx.index().indexed_files().unwrap().len(), 2);
}

#[test]
fn files_outside_the_reindexed_folder_are_kept() {
    let fx = Fixture::new(&THREE);
    fx.ingest_docs();
    let other = fx.dir.path().join("other");
    fs::create_dir(&other).unwrap();
    fs::write(other.join("d.txt"), "Kreistag Abfallwirtschaft").unwrap();
    fx.ingest(std::slice::from_ref(&other));
    // Re-indexing only docs/ (with b.txt gone) must not touch other/.
    fs::remove_file(fx.docs().join("b.txt")).unwrap();
    let report = fx.ingest_docs();
    assert_eq!(report.removed.len(), 1);
    assert_eq!(fx.files_matching("Abfallwirtschaft"), ["d.txt"]);
}

#[cfg(unix)]
#[test]
fn linked_files_and_folders_are_indexed_and_dangling_links_reported() {
    use std::os::unix::fs::symlink;
    let fx = Fixture::new(&[("a.txt", "Kreistag Haushalt")]);
    let elsewhere = fx.dir.path().join("elsewhere");
    fs::create_dir_all(elsewhere.join("folder")).unwrap();
    fs::write(elsewhere.join("linked.txt"), "Kreistag Radweg").unwrap();
    fs::write(elsewhere.join("folder/deep.txt"), "Kreistag Ehrenamt").unwrap();
    symlink(elsewhere.join("linked.txt"), fx.docs().join("link.txt")).unwrap();
    symlink(elsewhere.join("folder"), fx.docs().join("linked-folder")).unwrap();
    symlink(elsewhere.join("gone.txt"), fx.docs().join("dangling.txt")).unwrap();
    // A loop: docs/loop -> docs.
    symlink(fx.docs(), fx.docs().join("loop")).unwrap();

    let report = fx.ingest_docs();
    assert_eq!(report.indexed, 3, "{report:?}");
    // A hit names the file by the path it was found under (the link).
    assert_eq!(
        fx.files_matching("Kreistag"),
        ["a.txt", "deep.txt", "link.txt"]
    );
    let failed: Vec<String> = report.failed.iter().map(|f| file_name(&f.path)).collect();
    assert_eq!(failed, ["dangling.txt", "loop"], "{:?}", report.failed);

    // The loop does not count as an unreadable folder: a deleted file is
    // still removed.
    fs::remove_file(fx.docs().join("a.txt")).unwrap();
    let report = fx.ingest_docs();
    let removed: Vec<String> = report.removed.iter().map(|p| file_name(p)).collect();
    assert_eq!(removed, ["a.txt"], "{report:?}");
}

#[cfg(unix)]
#[test]
fn a_folder_reached_through_many_links_is_walked_once() {
    use std::os::unix::fs::symlink;
    // level0 .. level12 under docs/, each with a file and two links to the
    // next level: 2^12 routes lead to the last level, which holds a
    // dangling link. Walked once per route, that link would be reported
    // 4,096 times (and a deeper chain would never finish).
    let fx = Fixture::new(&[]);
    let levels = 12;
    let level = |i: usize| fx.docs().join(format!("level{i:02}"));
    for i in 0..=levels {
        fs::create_dir(level(i)).unwrap();
        fs::write(level(i).join(format!("doc{i:02}.txt")), "Kreistag Haushalt").unwrap();
        if i < levels {
            symlink(level(i + 1), level(i).join("a")).unwrap();
            symlink(level(i + 1), level(i).join("b")).unwrap();
        }
    }
    symlink(
        fx.dir.path().join("gone.txt"),
        level(levels).join("dangling.txt"),
    )
    .unwrap();

    let report = fx.ingest_docs();
    assert_eq!(report.indexed, levels + 1, "{report:?}");
    let reported = report.failed.len();
    assert_eq!(
        reported, 1,
        "the dangling link is reported {reported} times"
    );
    assert_eq!(file_name(&report.failed[0].path), "dangling.txt");
}

#[test]
fn corrupt_pdf_is_reported_and_the_other_files_are_indexed() {
    let fx = Fixture::new(&THREE);
    fx.write("bad.pdf", b"this is not a PDF at all");
    let report = fx.ingest_docs();
    assert_eq!(report.indexed, 3);
    assert_eq!(report.failed.len(), 1);
    assert_eq!(file_name(&report.failed[0].path), "bad.pdf");
    assert!(!report.failed[0].reason.is_empty());
    assert_eq!(fx.files_matching("Kreistag").len(), 3);
    // A failed file is not remembered as indexed: the next run tries again.
    let again = fx.ingest_docs();
    assert_eq!((again.unchanged, again.failed.len()), (3, 1));
}

#[test]
fn missing_input_path_fails_the_run_without_touching_the_index() {
    let fx = Fixture::new(&THREE);
    fx.ingest_docs();
    let missing = fx.dir.path().join("no-such-folder");
    let err = ingest::ingest(
        &fx.index(),
        &[missing],
        &IngestOptions::default(),
        &mut NoProgress,
    )
    .unwrap_err();
    assert!(err.to_string().contains("no-such-folder"), "{err}");
    assert_eq!(fx.index().indexed_files().unwrap().len(), 3);
}

#[test]
fn long_pages_become_several_passages_of_the_same_page() {
    let long = "Die Verwaltung berichtet über den Haushalt. ".repeat(300); // ~13 kB
    let fx = Fixture::new(&[("long.txt", &long), ("short.txt", "zweite\u{c}Seite")]);
    fx.ingest_docs();
    let index = PassageIndex::open(&fx.index_dir()).unwrap();
    let mut request = SearchRequest::new("Verwaltung");
    request.all_passages = true;
    request.limit = 100;
    let results = search::search(&index, &request).unwrap();
    assert!(results.hits.len() >= 4, "{}", results.hits.len());
    assert!(results.hits.iter().all(|h| h.page == 1));
    let seite = fx.search("Seite");
    assert_eq!(seite.hits[0].page, 2);
}

#[test]
fn best_passage_per_document_unless_all_passages() {
    let fx = Fixture::new(&[(
        "two-pages.txt",
        "Pflege Pflege Pflege\u{c}Pflege und anderes",
    )]);
    fx.ingest_docs();
    let grouped = fx.search("Pflege");
    assert_eq!((grouped.total, grouped.total_passages), (1, 2));
    assert_eq!(grouped.hits.len(), 1);
    let index = PassageIndex::open(&fx.index_dir()).unwrap();
    let mut request = SearchRequest::new("Pflege");
    request.all_passages = true;
    let all = search::search(&index, &request).unwrap();
    assert_eq!(all.hits.len(), 2);
    assert!(all.hits[0].score >= all.hits[1].score);
}

#[test]
fn words_are_anded_with_fallback_to_or() {
    let fx = Fixture::new(&THREE);
    fx.ingest_docs();
    let both = fx.search("Kreistag Radweg");
    assert_eq!(
        (both.mode, both.fallback, both.total),
        (MatchMode::All, false, 1)
    );
    let either = fx.search("Radweg Ehrenamt");
    assert_eq!(
        (either.mode, either.fallback, either.total),
        (MatchMode::Any, true, 2)
    );
}

#[test]
fn limit_caps_hits_but_not_total() {
    let fx = Fixture::new(&THREE);
    fx.ingest_docs();
    let index = PassageIndex::open(&fx.index_dir()).unwrap();
    let mut request = SearchRequest::new("Kreistag");
    request.limit = 1;
    let results = search::search(&index, &request).unwrap();
    assert_eq!((results.hits.len(), results.total), (1, 3));
}

#[test]
fn snippet_highlights_the_matched_word() {
    let fx = Fixture::new(&THREE);
    fx.ingest_docs();
    let results = fx.search("Radweg");
    let hit = &results.hits[0];
    assert_eq!(hit.highlights.len(), 1);
    let [start, end] = hit.highlights[0];
    assert_eq!(&hit.snippet[start..end], "Radweg");
    assert_eq!(
        hit.marked_snippet("«", "»"),
        "Kreistag «Radweg» Verkehrskonferenz"
    );
}

#[test]
fn malformed_query_is_a_query_error() {
    let fx = Fixture::new(&THREE);
    fx.ingest_docs();
    let index = PassageIndex::open(&fx.index_dir()).unwrap();
    for query in ["(Kreistag", "Stichwort: Woche", "   ", "a AND OR b"] {
        let err = search::search(&index, &SearchRequest::new(query)).unwrap_err();
        assert!(matches!(err, Error::Query(_)), "{query}: {err}");
    }
}

fn passage(title: Option<&str>, text: &str) -> Passage {
    Passage {
        kind: PassageKind::Stichwort,
        page: 1,
        number: title.map(|_| "1.2".to_string()),
        title: title.map(str::to_string),
        text: text.to_string(),
    }
}

fn document(path: &str, language: Lang, passages: Vec<Passage>) -> IndexedDocument {
    IndexedDocument {
        path: PathBuf::from(path),
        file: path.trim_start_matches('/').to_string(),
        hash: "0".repeat(64),
        language,
        meta: DocMeta {
            doc_type: Some("information".into()),
            date: Some("2025-01-17".into()),
            dates_mentioned: vec!["2025-01-17/2025-01-26".into()],
            ..DocMeta::default()
        },
        passages,
        page_sources: Vec::new(),
    }
}

#[test]
fn title_matches_rank_above_body_matches() {
    let fx = Fixture::new(&[]);
    let index = fx.index();
    let mut writer = index.writer(30_000_000).unwrap();
    let body = "Der Arztlotse berät. Der Arztlotse hilft. Der Arztlotse vermittelt.";
    writer
        .replace(&document(
            "/x/body.pdf",
            Lang::German,
            vec![passage(None, body)],
        ))
        .unwrap();
    writer
        .replace(&document(
            "/x/title.pdf",
            Lang::German,
            vec![passage(Some("Arztlotse"), "Ein Projekt der Verwaltung.")],
        ))
        .unwrap();
    writer.finish().unwrap();
    let results = fx.search("Arztlotse");
    assert_eq!(results.hits[0].file, "x/title.pdf");
    let hit = &results.hits[0];
    assert_eq!(hit.title.as_deref(), Some("Arztlotse"));
    assert_eq!(
        (hit.kind.as_str(), hit.number.as_deref()),
        ("stichwort", Some("1.2"))
    );
    assert_eq!(hit.doc_type.as_deref(), Some("information"));
    assert_eq!(hit.date.as_deref(), Some("2025-01-17"));
    assert_eq!(hit.dates_mentioned, ["2025-01-17/2025-01-26"]);
}

#[test]
fn english_documents_are_found_through_the_english_field() {
    let fx = Fixture::new(&[]);
    let index = fx.index();
    let mut writer = index.writer(30_000_000).unwrap();
    writer
        .replace(&document(
            "/x/en.pdf",
            Lang::English,
            vec![passage(None, "The county council meets on Monday.")],
        ))
        .unwrap();
    writer.finish().unwrap();
    let results = fx.search("council");
    assert_eq!(results.hits.len(), 1);
    assert_eq!(results.hits[0].language, "en");
    assert_eq!(results.hits[0].highlights.len(), 1);
}

#[test]
fn an_index_with_another_schema_is_refused_with_a_rebuild_hint() {
    let dir = TempDir::new().unwrap();
    let mut builder = tantivy::schema::Schema::builder();
    builder.add_text_field("body", tantivy::schema::TEXT);
    tantivy::Index::create_in_dir(dir.path(), builder.build()).unwrap();
    let err = PassageIndex::open_or_create(dir.path()).unwrap_err();
    assert!(matches!(err, Error::IndexDir { .. }), "{err}");
    assert!(err.to_string().contains("delete the directory"), "{err}");
}

#[test]
fn index_is_not_created_in_a_folder_of_other_files() {
    let fx = Fixture::new(&THREE);
    let err = PassageIndex::open_or_create(&fx.docs()).unwrap_err();
    assert!(matches!(err, Error::IndexDir { .. }), "{err}");
    assert!(!fx.docs().join("meta.json").exists());
}

#[test]
fn search_without_an_index_says_how_to_build_one() {
    let dir = TempDir::new().unwrap();
    let err = PassageIndex::open(dir.path()).unwrap_err();
    assert!(err.to_string().contains("ratsuche index"), "{err}");
}

#[test]
fn the_writer_counts_changes_from_its_last_commit() {
    use std::time::Duration;
    let fx = Fixture::new(&[]);
    let index = fx.index();
    let mut writer = index.writer(30_000_000).unwrap();
    let every_moment = CommitPolicy {
        files: 0,
        interval: Some(Duration::ZERO),
    };
    let two_files = CommitPolicy::every_files(2);
    assert!(!writer.commit_due(&every_moment), "nothing pending yet");
    writer
        .replace(&document(
            "/x/a.pdf",
            Lang::German,
            vec![passage(None, "Kreistag")],
        ))
        .unwrap();
    assert!(writer.commit_due(&every_moment));
    assert!(!writer.commit_due(&two_files));
    assert!(
        !writer.commit_due(&CommitPolicy::default()),
        "five minutes have not passed"
    );
    writer.remove(Path::new("/x/b.pdf"));
    assert!(writer.commit_due(&two_files), "a removal is a change too");
    writer.commit().unwrap();
    assert!(
        !writer.commit_due(&every_moment),
        "the commit reset the count"
    );
    assert!(!writer.commit_due(&two_files));
    writer.finish().unwrap();
}

/// Sets the stop flag once the first file is done, as a Ctrl-C would.
struct StopAfterFirst(Arc<AtomicBool>);

impl ingest::Progress for StopAfterFirst {
    fn file_done(&mut self, _: &Path, _: ingest::FileStatus, _: usize) {
        self.0.store(true, Ordering::Relaxed);
    }
}

#[test]
fn a_stopped_run_commits_what_it_did_and_the_next_run_does_the_rest() {
    let names: Vec<String> = (0..60).map(|i| format!("d{i:02}.txt")).collect();
    let texts: Vec<String> = (0..60)
        .map(|i| format!("Kreistag Sitzung Nummer {i}. Der Haushalt wird beraten."))
        .collect();
    let files: Vec<(&str, &str)> = names
        .iter()
        .zip(&texts)
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let fx = Fixture::new(&files);
    let stop = Arc::new(AtomicBool::new(false));
    let options = IngestOptions {
        writer_memory: 30_000_000,
        commit: CommitPolicy::AT_END,
        stop: Some(Arc::clone(&stop)),
        threads: Some(2),
        ..IngestOptions::default()
    };
    let first = ingest::ingest(
        &fx.index(),
        &[fx.docs()],
        &options,
        &mut StopAfterFirst(Arc::clone(&stop)),
    )
    .unwrap();
    assert!(first.interrupted(), "{first:?}");
    assert!(first.indexed >= 1, "{first:?}");
    assert_eq!(first.indexed + first.not_reached, 60, "{first:?}");
    // What the stopped run did is committed: a new reader sees exactly it.
    assert_eq!(fx.index().indexed_files().unwrap().len(), first.indexed);

    let second = fx.ingest_docs();
    assert!(!second.interrupted());
    assert_eq!(second.unchanged, first.indexed);
    assert_eq!(second.indexed, first.not_reached);
    assert_eq!(fx.index().indexed_files().unwrap().len(), 60);
}
