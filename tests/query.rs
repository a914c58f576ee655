//! The query language end to end: field filters, date ranges, `nr:`, typo
//! correction, synonyms, phrases across inflection, prefixes, OR and
//! exclusions, and hostile input — through the library on small indexes
//! built in a temp dir, and through the CLI (exit code 2, a message, never
//! a panic).

use std::fs;
use std::path::PathBuf;
use std::sync::OnceLock;

use assert_cmd::Command;
use ratsuche::analysis::Lang;
use ratsuche::index::{IndexedDocument, PassageIndex};
use ratsuche::ingest::{self, IngestOptions, NoProgress};
use ratsuche::model::{DocMeta, Passage, PassageKind};
use ratsuche::search::{self, query, Filters, MatchMode, SearchRequest, SearchResults};
use ratsuche::structure::DocType;
use ratsuche::Error;
use tempfile::TempDir;

struct Meta<'a> {
    doc_type: &'a str,
    gremium: &'a str,
    body: &'a str,
    date: Option<&'a str>,
    reference: Option<&'a str>,
}

fn document(name: &str, meta: Meta<'_>, passages: Vec<Passage>) -> IndexedDocument {
    IndexedDocument {
        path: PathBuf::from(format!("/x/{name}")),
        file: name.to_string(),
        hash: "0".repeat(64),
        language: Lang::German,
        meta: DocMeta {
            doc_type: Some(meta.doc_type.into()),
            gremium: Some(meta.gremium.into()),
            body: Some(meta.body.into()),
            date: meta.date.map(str::to_string),
            reference: meta.reference.map(str::to_string),
            ..DocMeta::default()
        },
        passages,
        page_sources: Vec::new(),
    }
}

fn text(text: &str) -> Passage {
    Passage {
        kind: PassageKind::Text,
        page: 1,
        number: None,
        title: None,
        text: text.into(),
    }
}

fn titled(kind: PassageKind, number: &str, title: &str, text: &str) -> Passage {
    Passage {
        kind,
        page: 2,
        number: Some(number.into()),
        title: Some(title.into()),
        text: text.into(),
    }
}

struct Fixture {
    _dir: TempDir,
    index: PassageIndex,
}

/// Five documents with known metadata, indexed once.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = TempDir::new().unwrap();
        let index = PassageIndex::open_or_create(&dir.path().join("index")).unwrap();
        let docs = [
            document(
                "anfrage.pdf",
                Meta {
                    doc_type: "anfrage_antwort",
                    gremium: "Kreistag",
                    body: "Ilm-Kreis",
                    date: Some("2025-03-10"),
                    reference: Some("0412/2025"),
                },
                vec![
                    text("Anfrage zum Integrationskonzept des Landkreises und zur Umsetzung."),
                    titled(
                        PassageKind::Qa,
                        "1",
                        "Wie viele Stellen gibt es?",
                        "Es gibt drei Vollzeitäquivalente in der Integrationsberatung.",
                    ),
                ],
            ),
            document(
                "konzept.pdf",
                Meta {
                    doc_type: "konzept",
                    gremium: "Ausschuss für Umwelt",
                    body: "Wartburgkreis",
                    date: Some("2024-11-05"),
                    reference: Some("DS 46/2024"),
                },
                vec![text(
                    "Der Nahverkehr im ländlichen Raum wird ausgebaut. Die Kindertagesstätten \
                     erhalten neue Außenanlagen.",
                )],
            ),
            document(
                "info.pdf",
                Meta {
                    doc_type: "information",
                    gremium: "Kreistag",
                    body: "Ilm-Kreis",
                    date: Some("2025-07-01"),
                    reference: Some("2025/0225"),
                },
                vec![
                    titled(
                        PassageKind::Stichwort,
                        "1.1",
                        "Grüne Woche",
                        "Die Grüne Woche findet im Januar statt.",
                    ),
                    titled(
                        PassageKind::Stichwort,
                        "1.2",
                        "Ärztliche Versorgung",
                        "Die Kassenärztliche Vereinigung plant eine Praxis in Ilmenau.",
                    ),
                ],
            ),
            document(
                "vorlage.pdf",
                Meta {
                    doc_type: "beschlussvorlage",
                    gremium: "Kreisausschuss",
                    body: "Ilm-Kreis",
                    date: None,
                    reference: None,
                },
                vec![text(
                    "Die KV und das LRA vereinbaren einen Arztlotsen. Der Radweg wird gebaut.",
                )],
            ),
            document(
                "radweg.pdf",
                Meta {
                    doc_type: "information",
                    gremium: "Kreistag",
                    body: "Ilm-Kreis",
                    date: Some("2023-05-02"),
                    reference: None,
                },
                vec![text(
                    "Der Radweg an der Ilm ist fertig. Die Integration gelingt.",
                )],
            ),
        ];
        let mut writer = index.writer(30_000_000).unwrap();
        for doc in &docs {
            writer.replace(doc).unwrap();
        }
        writer.finish().unwrap();
        Fixture { _dir: dir, index }
    })
}

fn try_run(query: &str, filters: Filters) -> ratsuche::Result<SearchResults> {
    let request = SearchRequest {
        filters,
        limit: 100,
        ..SearchRequest::new(query)
    };
    search::search(&fixture().index, &request)
}

fn run(query: &str) -> SearchResults {
    try_run(query, Filters::default()).unwrap_or_else(|e| panic!("{query}: {e}"))
}

/// File names of the hits, sorted (for filters, where order is by date).
fn files(results: &SearchResults) -> Vec<&str> {
    let mut files: Vec<&str> = results.hits.iter().map(|h| h.file.as_str()).collect();
    files.sort();
    files
}

fn query_error(query: &str, filters: Filters) -> String {
    match try_run(query, filters) {
        Err(err @ Error::Query(_)) => err.to_string(),
        Err(other) => panic!("{query}: not a query error: {other}"),
        Ok(results) => panic!("{query}: no error but {} hits", results.total),
    }
}

#[test]
fn field_filters_select_documents() {
    for (query, expected) in [
        ("typ:anfrage_antwort", &["anfrage.pdf"][..]),
        ("type:Konzept", &["konzept.pdf"]),
        ("gremium:\"Ausschuss für Umwelt\"", &["konzept.pdf"]),
        (
            "gremium:kreistag",
            &["anfrage.pdf", "info.pdf", "radweg.pdf"],
        ),
        ("body:wartburgkreis", &["konzept.pdf"]),
        ("Radweg body:Ilm-Kreis", &["radweg.pdf", "vorlage.pdf"]),
        ("Radweg gremium:Kreistag", &["radweg.pdf"]),
        ("kind:qa", &["anfrage.pdf"]),
        ("stichwort:Woche", &["info.pdf"]),
        ("Grüne stichwort:\"Grüne Woche\"", &["info.pdf"]),
        ("typ:information Radweg", &["radweg.pdf"]),
    ] {
        let results = run(query);
        assert_eq!(files(&results), expected, "{query}");
    }
    // A filter-only query is a listing, newest first.
    let listing = run("gremium:Kreistag");
    assert!(listing.listing);
    let names: Vec<&str> = listing.hits.iter().map(|h| h.file.as_str()).collect();
    assert_eq!(names, ["info.pdf", "anfrage.pdf", "radweg.pdf"]);
}

#[test]
fn date_filters_take_years_months_and_ranges() {
    for (query, expected) in [
        ("datum:2025", &["anfrage.pdf", "info.pdf"][..]),
        ("datum:2025-03", &["anfrage.pdf"]),
        ("datum:2025-03-10", &["anfrage.pdf"]),
        ("datum:2025-01..2025-06", &["anfrage.pdf"]),
        ("datum:..2024", &["konzept.pdf", "radweg.pdf"]),
        ("datum:2025-04..", &["info.pdf"]),
        ("date:2024..2025-03", &["anfrage.pdf", "konzept.pdf"]),
        ("datum:2022", &[]),
    ] {
        assert_eq!(files(&run(query)), expected, "{query}");
    }
}

#[test]
fn nr_matches_the_reference_number_however_written() {
    for (query, expected) in [
        ("nr:0412/2025", "anfrage.pdf"),
        ("nr:412/2025", "anfrage.pdf"),
        ("nr:46/2024", "konzept.pdf"),
        ("nr:\"DS 46/2024\"", "konzept.pdf"),
        ("nr:2025/225", "info.pdf"),
    ] {
        assert_eq!(files(&run(query)), [expected], "{query}");
    }
    assert_eq!(run("nr:46/2025").total, 0);
}

#[test]
fn query_filters_merge_with_request_filters() {
    let kreistag = Filters {
        gremium: Some("Kreistag".into()),
        ..Filters::default()
    };
    let both = try_run("typ:information", kreistag.clone()).unwrap();
    assert_eq!(files(&both), ["info.pdf", "radweg.pdf"]);
    let same = try_run("gremium:KREISTAG datum:2025", kreistag.clone()).unwrap();
    assert_eq!(files(&same), ["anfrage.pdf", "info.pdf"]);
    // Date ranges intersect.
    let from_2024 = Filters {
        from: Some("2024".parse().unwrap()),
        ..Filters::default()
    };
    let narrowed = try_run("datum:..2025-06", from_2024).unwrap();
    assert_eq!(files(&narrowed), ["anfrage.pdf", "konzept.pdf"]);
    // Different values of a one-value field contradict each other.
    let err = query_error(
        "Radweg typ:konzept",
        Filters {
            doc_type: Some(DocType::Information),
            ..Filters::default()
        },
    );
    assert!(
        err.contains("typ:konzept contradicts") && err.contains("at column 8"),
        "{err}"
    );
    let err = query_error("gremium:Kreisausschuss", kreistag);
    assert!(err.contains("contradicts"), "{err}");
}

#[test]
fn a_misspelt_word_is_corrected_and_reported() {
    let results = run("Integrationskonzpet");
    assert_eq!(files(&results), ["anfrage.pdf"]);
    assert_eq!(results.corrected.as_deref(), Some("Integrationskonzept"));
    assert_eq!(results.corrections.len(), 1);
    assert_eq!(results.corrections[0].from, "Integrationskonzpet");
    assert_eq!(results.corrections[0].to, "Integrationskonzept");
    // The corrected word is highlighted.
    assert!(results.hits[0]
        .marked_snippet("«", "»")
        .contains("«Integrationskonzept»"));
    // Other words keep their place in the corrected query.
    let two = run("Landkreises Integrationskonzpet");
    assert_eq!(
        two.corrected.as_deref(),
        Some("Landkreises Integrationskonzept")
    );
    assert_eq!((two.mode, two.fallback), (MatchMode::All, false));
    // Distance 1 for 5–8 letters: "Radwek" → "Radweg"; none below 5 letters.
    assert_eq!(run("Radwek").corrected.as_deref(), Some("Radweg"));
    assert_eq!(run("Ilmx").total, 0);
    assert_eq!(run("Ilmx").corrected, None);
    // A word that occurs is never "corrected", nor one too far from any.
    assert_eq!(run("Radweg").corrected, None);
    let far = run("Quantenchromodynamik");
    assert_eq!((far.total, far.corrected), (0, None));
}

#[test]
fn abbreviations_and_synonyms_find_each_other() {
    // ÖPNV → a passage that only says "Nahverkehr".
    let opnv = run("ÖPNV");
    assert_eq!(files(&opnv), ["konzept.pdf"]);
    assert_eq!(opnv.synonyms[0].words, "ÖPNV");
    assert!(opnv.synonyms[0]
        .variants
        .contains(&"Nahverkehr".to_string()));
    // KV ↔ Kassenärztliche Vereinigung, in both directions, also as words
    // next to each other and as a phrase.
    assert_eq!(files(&run("KV")), ["info.pdf", "vorlage.pdf"]);
    assert_eq!(
        files(&run("Kassenärztliche Vereinigung")),
        ["info.pdf", "vorlage.pdf"]
    );
    assert_eq!(
        files(&run("\"Kassenärztliche Vereinigung\"")),
        ["info.pdf", "vorlage.pdf"]
    );
    // Kita ↔ Kindertagesstätte (inflected in the text), LRA ↔ Landratsamt.
    assert_eq!(files(&run("Kita")), ["konzept.pdf"]);
    assert_eq!(files(&run("Landratsamt")), ["vorlage.pdf"]);
    // VZÄ ↔ Vollzeitäquivalent, Stelle.
    assert_eq!(files(&run("VZÄ")), ["anfrage.pdf"]);
    // Without a synonym the word alone is searched.
    assert!(run("Radweg").synonyms.is_empty());
}

#[test]
fn phrases_match_across_inflection_but_keep_word_order() {
    let dir = TempDir::new().unwrap();
    let docs = dir.path().join("docs");
    fs::create_dir(&docs).unwrap();
    fs::write(
        docs.join("ring.txt"),
        "Der Landkreis unterstützt den Weißen Ring bei der Opferhilfe.",
    )
    .unwrap();
    fs::write(
        docs.join("other.txt"),
        "Ein weißer Zaun steht am Ring der Stadt.",
    )
    .unwrap();
    let index = PassageIndex::open_or_create(&dir.path().join("index")).unwrap();
    ingest::ingest(&index, &[docs], &IngestOptions::default(), &mut NoProgress).unwrap();
    let names = |query: &str| -> Vec<String> {
        let results = search::search(&index, &SearchRequest::new(query)).unwrap();
        results
            .hits
            .iter()
            .map(|h| {
                PathBuf::from(&h.file)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect()
    };
    assert_eq!(names("\"Weißer Ring\""), ["ring.txt"]);
    assert_eq!(names("\"weisser ring\""), ["ring.txt"]);
    assert!(names("\"Ring Weißer\"").is_empty());
    // Unquoted, both documents have both words.
    assert_eq!(names("Weißer Ring").len(), 2);
}

#[test]
fn or_exclusion_prefix_and_groups() {
    assert_eq!(
        files(&run("Arztlotsen OR Integrationskonzept")),
        ["anfrage.pdf", "vorlage.pdf"]
    );
    assert_eq!(files(&run("Radweg -Integration")), ["vorlage.pdf"]);
    assert_eq!(files(&run("Radweg -\"Ilm ist\"")), ["vorlage.pdf"]);
    assert_eq!(files(&run("Radweg NOT Arztlotse")), ["radweg.pdf"]);
    let grouped = run("(Integration OR Arztlotsen) Radweg");
    assert_eq!(files(&grouped), ["radweg.pdf", "vorlage.pdf"]);
    assert!(!grouped.fallback);
    assert_eq!(files(&run("Integrations*")), ["anfrage.pdf", "radweg.pdf"]);
    assert_eq!(files(&run("Kindertages*")), ["konzept.pdf"]);
    assert_eq!(run("Xylophon*").total, 0);
    // Exclusions with a filter list the rest; without one they are refused.
    let rest = run("-Radweg body:Ilm-Kreis");
    assert_eq!(files(&rest), ["anfrage.pdf", "info.pdf"]);
    assert!(rest.listing);
    let err = query_error("-Radweg", Filters::default());
    assert!(err.contains("only excludes"), "{err}");
}

#[test]
fn and_falls_back_to_or_and_says_so() {
    let both = run("Radweg Arztlotsen");
    assert_eq!((both.mode, both.fallback), (MatchMode::All, false));
    assert_eq!(files(&both), ["vorlage.pdf"]);
    let either = run("Arztlotsen Woche");
    assert_eq!((either.mode, either.fallback), (MatchMode::Any, true));
    assert_eq!(files(&either), ["info.pdf", "vorlage.pdf"]);
    // Exclusions still hold in the fallback.
    let minus = run("Arztlotsen Woche -Januar");
    assert_eq!(files(&minus), ["vorlage.pdf"]);
}

/// Hostile input through the library: always a query error or a result,
/// never a panic.
#[test]
fn hostile_queries_give_errors_or_results() {
    let long = "Radweg ".repeat(1500);
    let many = "Radweg ".repeat(65);
    for (query, expected) in [
        ("", "empty"),
        ("   ", "empty"),
        ("OR", "OR has no word before it at column 1"),
        ("AND OR NOT", "AND has no word before it at column 1"),
        ("- -- -", "no words"),
        ("\"Radweg", "unbalanced quote at column 1"),
        ("Radweg \"", "unbalanced quote at column 8"),
        ("((((Radweg", "unclosed parenthesis at column 4"),
        ("Radweg))", "unbalanced ')' at column 7"),
        (
            "foo:bar",
            "unknown field \"foo\" at column 1 (known: typ, gremium",
        ),
        (
            "datum:2025-13",
            "invalid date \"2025-13\" in datum: at column 7",
        ),
        ("Radweg\u{0}", "control character U+0000 at column 7"),
        ("Rad\u{1b}[31mweg", "control character U+001B at column 4"),
        ("die der das", "only stop words or signs (die, der, das)"),
        (long.as_str(), "at most 2000"),
        (many.as_str(), "at most 64"),
    ] {
        let err = query_error(query, Filters::default());
        assert!(err.contains(expected), "{query:?}: {err}");
        assert!(err.starts_with("query: "), "{err}");
    }
    // Odd but valid: a result, maybe empty.
    for query in [
        "*",
        "Radweg \t\n Ilm",
        "🚲 Radweg",
        "§ 21",
        "0412/2025",
        "Ilm-Kreis",
        "10:30",
        "Bürger*innen",
        "ẞ",
        "\u{200b}",
        "+Radweg",
        "a OR b",
    ] {
        if let Err(err) = try_run(query, Filters::default()) {
            assert!(matches!(err, Error::Query(_)), "{query:?}: {err}");
        }
    }
}

#[test]
fn the_parser_is_public_for_tools() {
    let parsed = query::parse("Kita typ:konzept").unwrap();
    assert_eq!(parsed.filters.len(), 1);
    assert_eq!(parsed.term_count(), 1);
    let err = query::parse("Kita \"x").unwrap_err();
    assert_eq!(err.column, Some(6));
    assert_eq!(err.message, "unbalanced quote");
}

// --- CLI -----------------------------------------------------------------

/// An index of two small .txt files built by the CLI.
fn cli_index() -> &'static (TempDir, PathBuf) {
    static INDEX: OnceLock<(TempDir, PathBuf)> = OnceLock::new();
    INDEX.get_or_init(|| {
        let dir = TempDir::new().unwrap();
        let docs = dir.path().join("docs");
        fs::create_dir(&docs).unwrap();
        fs::write(
            docs.join("info.txt"),
            "Der Kreistag des Ilm-Kreises beschließt das Integrationskonzept.\n\
             Der Nahverkehr wird ausgebaut.",
        )
        .unwrap();
        let index = dir.path().join("index");
        Command::cargo_bin("ratsuche")
            .unwrap()
            .arg("index")
            .arg(&docs)
            .arg("--index")
            .arg(&index)
            .assert()
            .success();
        (dir, index)
    })
}

fn cli(args: &[&str]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("ratsuche")
        .unwrap()
        .arg("search")
        .args(args)
        .arg("--index")
        .arg(&cli_index().1)
        .env("NO_COLOR", "1")
        .assert()
}

#[test]
fn cli_reports_corrections_in_text_and_json() {
    let output = cli(&["Integrationskonzpet"]).success().get_output().clone();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.starts_with("Ergebnisse für „Integrationskonzept“"),
        "{stdout}"
    );
    assert!(stdout.contains("«Integrationskonzept»"), "{stdout}");
    let output = cli(&["Integrationskonzpet", "--json"])
        .success()
        .get_output()
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["corrected"], "Integrationskonzept");
    assert_eq!(json["corrections"][0]["from"], "Integrationskonzpet");
    let output = cli(&["ÖPNV", "--json"]).success().get_output().clone();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["total"], 1);
    assert_eq!(json["synonyms"][0]["words"], "ÖPNV");
}

#[test]
fn cli_hostile_queries_exit_2_with_a_message() {
    let long = "Kreistag ".repeat(1200);
    for (query, expected) in [
        (long.as_str(), "at most 2000"),
        ("Kreistag\u{7}", "control character U+0007 at column 9"),
        ("\u{1b}[2J", "control character U+001B at column 1"),
        ("\"Kreistag", "unbalanced quote at column 1"),
        ("foo:bar", "unknown field \"foo\" at column 1"),
        ("datum:2025-13", "invalid date \"2025-13\""),
        ("OR OR", "OR has no word before it"),
        ("(", "unclosed parenthesis"),
        ("", "empty"),
    ] {
        let output = cli(&[query]).code(2).get_output().clone();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.starts_with("error: query: "), "{query:?}: {stderr}");
        assert!(stderr.contains(expected), "{query:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}
