//! The `ratsuche` binary end to end, on a temp copy of `corpus/`.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::cargo::cargo_bin_cmd;
use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

const ARZTLOTSE_FILE: &str = "000_f6b0283b3a559d13.lo.pdf";

/// `corpus/` copied into `<tmp>/corpus`, so tests may add files to it.
fn corpus_copy(tmp: &Path) -> PathBuf {
    let target = tmp.join("corpus");
    fs::create_dir(&target).unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    for entry in fs::read_dir(source).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "pdf") {
            fs::copy(&path, target.join(path.file_name().unwrap())).unwrap();
        }
    }
    target
}

fn ratsuche() -> Command {
    let mut cmd = cargo_bin_cmd!("ratsuche");
    cmd.env_remove("CI").env_remove("CLICOLOR_FORCE");
    cmd
}

fn index_cmd(paths: &[&Path], index: &Path) -> Command {
    let mut cmd = ratsuche();
    cmd.arg("index").args(paths).arg("--index").arg(index);
    cmd
}

fn search_cmd(index: &Path, args: &[&str]) -> Command {
    let mut cmd = ratsuche();
    cmd.arg("search").args(args).arg("--index").arg(index);
    cmd
}

fn search_json(index: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let output = search_cmd(index, &all)
        .assert()
        .success()
        .get_output()
        .clone();
    serde_json::from_slice(&output.stdout).expect("search --json prints JSON")
}

/// One index of the whole corpus, built once and shared by the read-only tests.
fn shared_index() -> PathBuf {
    static SHARED: OnceLock<TempDir> = OnceLock::new();
    SHARED
        .get_or_init(|| {
            let tmp = TempDir::new().unwrap();
            let corpus = corpus_copy(tmp.path());
            index_cmd(&[&corpus], &tmp.path().join("index"))
                .assert()
                .success();
            tmp
        })
        .path()
        .join("index")
}

fn hits(results: &Value) -> &Vec<Value> {
    results["hits"].as_array().expect("hits is an array")
}

fn ends_with(hit: &Value, name: &str) -> bool {
    hit["file"].as_str().is_some_and(|f| f.ends_with(name))
}

#[test]
fn search_finds_arztlotse_in_the_landrat_information() {
    let results = search_json(&shared_index(), &["Arztlotse"]);
    let hit = &hits(&results)[0];
    assert!(ends_with(hit, ARZTLOTSE_FILE), "{hit}");
    let page = hit["page"].as_u64().unwrap();
    assert!(page == 1 || page == 2, "page {page}");
    assert!(hit["snippet"].as_str().unwrap().contains("Arztlotse"));
    assert!(!hit["highlights"].as_array().unwrap().is_empty());
    for key in ["score", "doc_id", "kind", "number", "title", "type", "date"] {
        assert!(hit.get(key).is_some(), "hit has no {key}: {hit}");
    }
    assert_eq!(results["query"], "Arztlotse");
}

#[test]
fn limit_one_gives_one_hit() {
    let results = search_json(&shared_index(), &["Kreis", "--limit", "1"]);
    assert_eq!(hits(&results).len(), 1);
    assert!(results["total"].as_u64().unwrap() > 1, "{results}");
}

#[test]
fn piped_search_output_has_no_ansi_escapes_but_marks_matches() {
    let output = search_cmd(&shared_index(), &["Arztlotse"])
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(!stdout.contains('\u{1b}'), "{stdout}");
    assert!(stdout.contains("«Arztlotse»"), "{stdout}");
    assert!(stdout.contains(ARZTLOTSE_FILE), "{stdout}");
}

#[test]
fn fallback_to_any_word_is_announced() {
    let results = search_json(&shared_index(), &["Arztlotse Quantenchromodynamik"]);
    assert_eq!(results["fallback"], true);
    assert!(ends_with(&hits(&results)[0], ARZTLOTSE_FILE));
    let text = search_cmd(&shared_index(), &["Arztlotse Quantenchromodynamik"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(text).unwrap().contains("any of them"));
}

#[test]
fn malformed_query_is_a_clear_error_not_a_panic() {
    for query in ["(Arztlotse", "\"Arztlotse", "Stichwort: Woche"] {
        let output = search_cmd(&shared_index(), &[query])
            .assert()
            .code(2)
            .get_output()
            .clone();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.starts_with("error: query"), "{query}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn search_without_index_fails_with_a_hint() {
    let tmp = TempDir::new().unwrap();
    let output = search_cmd(&tmp.path().join("none"), &["Arztlotse"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(String::from_utf8(output.stderr)
        .unwrap()
        .contains("ratsuche index"));
}

#[test]
fn corrupt_pdf_fails_the_run_after_indexing_the_others() {
    let tmp = TempDir::new().unwrap();
    let corpus = corpus_copy(tmp.path());
    fs::write(corpus.join("bad.pdf"), b"%PDF-1.7 garbage, not a PDF").unwrap();
    let index = tmp.path().join("index");
    let output = index_cmd(&[&corpus], &index)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("bad.pdf"), "{stderr}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("indexed 5 files"), "{stdout}");
    assert!(stdout.contains("1 failed"), "{stdout}");
    let results = search_json(&index, &["Arztlotse"]);
    assert!(ends_with(&hits(&results)[0], ARZTLOTSE_FILE));
}

#[test]
fn second_index_run_skips_everything_and_prints_only_the_summary() {
    let tmp = TempDir::new().unwrap();
    let corpus = corpus_copy(tmp.path());
    let index = tmp.path().join("index");
    index_cmd(&[&corpus], &index).assert().success();
    let output = index_cmd(&[&corpus], &index)
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("indexed 0 files"), "{stdout}");
    assert!(stdout.contains("5 unchanged"), "{stdout}");
    // No progress bar when stderr is not a terminal.
    assert!(
        output.stderr.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn extract_prints_the_indexed_text_with_form_feeds() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(ARZTLOTSE_FILE);
    let output = ratsuche()
        .arg("extract")
        .arg(&file)
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("Arztlotse"));
    assert!(text.contains('\u{c}'));
    let output = ratsuche()
        .arg("extract")
        .arg(&file)
        .arg("--json")
        .assert()
        .success()
        .get_output()
        .clone();
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    let pages = json["pages"].as_array().unwrap();
    assert_eq!(pages.len(), text.matches('\u{c}').count());
    assert!(pages[0]["lines"][0].get("font_size").is_some());
}

#[test]
fn extract_of_a_missing_file_names_it() {
    let output = ratsuche()
        .args(["extract", "no-such-file.pdf"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(String::from_utf8(output.stderr)
        .unwrap()
        .contains("no-such-file.pdf"));
}

fn stdout_of(cmd: &mut Command) -> String {
    String::from_utf8(cmd.assert().success().get_output().stdout.clone()).unwrap()
}

fn file_names(results: &Value) -> Vec<String> {
    hits(results)
        .iter()
        .map(|h| {
            let file = h["file"].as_str().unwrap();
            Path::new(file)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

#[test]
fn hits_are_headed_by_their_part_and_followed_by_facets() {
    let stdout = stdout_of(&mut search_cmd(&shared_index(), &["Arztlotse"]));
    let first = stdout.lines().next().unwrap();
    assert!(
        first.starts_with("1. Stichwort 1.2 — Projekt des Ilm-Kreises zur Fachkräftesicherung"),
        "{stdout}"
    );
    assert!(first.ends_with(", S. 1"), "{first}");
    let facets = stdout.lines().last().unwrap();
    assert_eq!(
        facets,
        "Typ: information (1) · Körperschaft: Ilm-Kreis (1) · Gremium: Kreistag (1)"
    );
    // A text passage is located by its file.
    let text = stdout_of(&mut search_cmd(
        &shared_index(),
        &["--kind", "text", "--type", "konzept"],
    ));
    assert!(
        text.starts_with("1. ") && text.lines().next().unwrap().contains("001_"),
        "{text}"
    );
}

#[test]
fn json_hits_carry_the_passage_and_document_facts_and_facets() {
    let results = search_json(&shared_index(), &["Arztlotse"]);
    let hit = &hits(&results)[0];
    assert_eq!(hit["kind"], "stichwort");
    assert_eq!(hit["number"], "1.2");
    assert_eq!(hit["page"], 1);
    assert_eq!(hit["type"], "information");
    assert_eq!(hit["body"], "Ilm-Kreis");
    assert_eq!(hit["gremium"], "Kreistag");
    assert!(hit["date"].is_null());
    assert!(hit["title"]
        .as_str()
        .unwrap()
        .starts_with("Projekt des Ilm-Kreises"));
    assert!(hit["heading"]
        .as_str()
        .unwrap()
        .starts_with("Stichwort 1.2 — "));
    assert_eq!(results["facets"]["type"]["information"], 1);
    assert_eq!(results["facets"]["body"]["Ilm-Kreis"], 1);
    for facet in ["type", "year", "body", "gremium", "handlungsfeld"] {
        assert!(results["facets"][facet].is_object(), "{facet}");
    }
}

#[test]
fn filters_without_a_query_list_the_matching_documents() {
    let konzept = search_json(&shared_index(), &["--type", "konzept"]);
    assert_eq!(file_names(&konzept), ["001_a00c5b5ad5e75977.lo.pdf"]);
    assert_eq!(konzept["listing"], true);
    let star = search_json(&shared_index(), &["*", "--type", "Anfrage-Antwort"]);
    assert_eq!(star["total"], 2);
    // Newest first.
    assert_eq!(
        file_names(&star),
        ["004_73665f4fe7c8e88e.lo.pdf", "002_331fdc71ca8572da.lo.pdf"]
    );
    let text = stdout_of(&mut search_cmd(&shared_index(), &["--type", "konzept"]));
    assert!(text.contains("newest first"), "{text}");
    assert!(!text.contains("score"), "{text}");
}

#[test]
fn date_body_gremium_and_kind_flags_filter() {
    let index = shared_index();
    let in_2025 = search_json(&index, &["--from", "2025", "--to", "2025-12-31"]);
    assert_eq!(file_names(&in_2025), ["002_331fdc71ca8572da.lo.pdf"]);
    let march_2026 = search_json(&index, &["--from", "2026-03", "--to", "2026-03"]);
    assert_eq!(file_names(&march_2026), ["004_73665f4fe7c8e88e.lo.pdf"]);
    let ilm = search_json(&index, &["Integration", "--body", "ilm-kreis"]);
    assert_eq!(ilm["total"], 3);
    assert!(hits(&ilm).iter().all(|h| h["body"] == "Ilm-Kreis"));
    let kreistag = search_json(&index, &["--gremium", "KREISTAG"]);
    assert_eq!(file_names(&kreistag), [ARZTLOTSE_FILE]);
    let qa = search_json(&index, &["Stelle", "--kind", "qa", "--all-passages"]);
    assert!(hits(&qa).iter().all(|h| h["kind"] == "qa"), "{qa}");
}

#[test]
fn stichwort_and_handlungsfeld_flags_match_titles() {
    let index = shared_index();
    let woche = search_json(&index, &["--stichwort", "Grüne Woche"]);
    let hit = &hits(&woche)[0];
    assert_eq!(
        (hit["kind"].as_str(), hit["number"].as_str()),
        (Some("stichwort"), Some("1.1"))
    );
    assert_eq!(woche["total_passages"], 1);
    let text = stdout_of(&mut search_cmd(&index, &["--handlungsfeld", "Wohnen"]));
    assert!(
        text.starts_with("1. Handlungsfeld 5.4 — Wohnen, S. "),
        "{text}"
    );
    assert!(text.contains("Handlungsfeld: Wohnen (1)"), "{text}");
}

#[test]
fn sort_date_puts_newer_documents_first() {
    let by_date = search_json(&shared_index(), &["Stelle", "--sort", "date"]);
    let dates: Vec<&Value> = hits(&by_date).iter().map(|h| &h["date"]).collect();
    assert_eq!(dates[0], "2026-03-25");
    assert_eq!(dates[1], "2025-11-10");
    assert_eq!(by_date["sort"], "date");
    let by_relevance = search_json(&shared_index(), &["Stelle"]);
    assert_eq!(by_relevance["sort"], "relevance");
}

#[test]
fn bad_filter_values_name_the_flag() {
    for (args, expected) in [
        (&["x", "--from", "2025-13"][..], "--from"),
        (&["x", "--to", "17.01.2025"][..], "--to"),
        (&["x", "--type", "konzpt"][..], "--type"),
        (&["x", "--kind", "absatz"][..], "--kind"),
        (&["x", "--sort", "newest"][..], "--sort"),
    ] {
        let output = search_cmd(&shared_index(), args)
            .assert()
            .code(2)
            .get_output()
            .clone();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(stderr.contains(args[2]), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    let output = search_cmd(&shared_index(), &["--from", "2025", "--to", "2024"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("from 2025 is after to 2024"), "{stderr}");
}
