//! `ratsuche batch` end to end over an index of `corpus/`: output shapes
//! (jsonl, csv, trec), input order, stdin, and a failing query reported in
//! its own line while the others succeed.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::cargo::cargo_bin_cmd;
use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// One index of `corpus/`, built once for every test here.
fn shared_index() -> PathBuf {
    static SHARED: OnceLock<TempDir> = OnceLock::new();
    SHARED
        .get_or_init(|| {
            let tmp = TempDir::new().unwrap();
            let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
            ratsuche()
                .arg("index")
                .arg(&corpus)
                .arg("--index")
                .arg(tmp.path().join("index"))
                .assert()
                .success();
            tmp
        })
        .path()
        .join("index")
}

fn ratsuche() -> Command {
    let mut cmd = cargo_bin_cmd!("ratsuche");
    cmd.env_remove("CI").env_remove("CLICOLOR_FORCE");
    cmd
}

/// `ratsuche batch -` with `input` on stdin; returns (exit code, stdout, stderr).
fn batch_stdin(input: &str, args: &[&str]) -> (i32, String, String) {
    let output = ratsuche()
        .arg("batch")
        .arg("-")
        .arg("--index")
        .arg(shared_index())
        .args(args)
        .write_stdin(input)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

const QUERIES: &str = "\
# Karlsruhe-style query file
a1\tArztlotse
a2\tStelle

a3\tKreis
a4\tArztlotse Quantenchromodynamik
";

fn jsonl(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn jsonl_has_one_line_per_query_in_input_order() {
    let (code, stdout, stderr) = batch_stdin(QUERIES, &["--limit", "3"]);
    assert_eq!(code, 0, "{stderr}");
    let lines = jsonl(&stdout);
    let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["a1", "a2", "a3", "a4"]);
    assert_eq!(lines[0]["query"], "Arztlotse");
    for line in &lines {
        assert!(line.get("error").is_none(), "{line}");
        let hits = line["hits"].as_array().unwrap();
        assert!(!hits.is_empty() && hits.len() <= 3, "{line}");
        assert!(line["total"].as_u64().unwrap() >= hits.len() as u64);
        for (i, hit) in hits.iter().enumerate() {
            assert_eq!(hit["rank"], i + 1);
            for key in ["score", "file", "path", "page", "snippet", "docid"] {
                assert!(hit.get(key).is_some(), "missing {key}: {hit}");
            }
            assert!(hit["section"].get("kind").is_some(), "{hit}");
            assert!(hit["section"].get("number").is_some(), "{hit}");
            assert!(hit["section"].get("title").is_some(), "{hit}");
        }
    }
    assert!(lines[0]["hits"][0]["file"]
        .as_str()
        .unwrap()
        .ends_with("000_f6b0283b3a559d13.lo.pdf"));
    assert!(stderr.contains("4 queries, 0 failed"), "{stderr}");
}

#[test]
fn batch_output_matches_single_searches() {
    // The parallel batch must give what `search --json` gives, query by query.
    let (_, stdout, _) = batch_stdin(QUERIES, &["--limit", "5"]);
    for line in jsonl(&stdout) {
        let single = ratsuche()
            .arg("search")
            .arg(line["query"].as_str().unwrap())
            .args(["--json", "--limit", "5", "--index"])
            .arg(shared_index())
            .output()
            .unwrap();
        let single: Value = serde_json::from_slice(&single.stdout).unwrap();
        let files = |hits: &Value, key: &str| -> Vec<String> {
            hits.as_array()
                .unwrap()
                .iter()
                .map(|h| format!("{}:{}", h[key].as_str().unwrap(), h["page"]))
                .collect()
        };
        assert_eq!(
            files(&line["hits"], "file"),
            files(&single["hits"], "file"),
            "{}",
            line["query"]
        );
        assert_eq!(line["total"], single["total"]);
    }
}

#[test]
fn lines_without_ids_are_numbered_and_read_from_a_file() {
    let tmp = TempDir::new().unwrap();
    let file = tmp.path().join("queries.txt");
    std::fs::write(&file, "Arztlotse\n\n# kommentar\nStelle\n").unwrap();
    let output = ratsuche()
        .arg("batch")
        .arg(&file)
        .arg("--index")
        .arg(shared_index())
        .output()
        .unwrap();
    assert!(output.status.success());
    let lines = jsonl(&String::from_utf8(output.stdout).unwrap());
    let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["1", "4"]);
}

#[test]
fn a_failing_query_is_reported_in_its_line_and_the_rest_run() {
    // An empty query cannot run (no words, no filters); it must not stop
    // the queries before or after it.
    let input = "ok1\tArztlotse\nbad\t   \nok2\tStelle\n";
    let (code, stdout, stderr) = batch_stdin(input, &[]);
    assert_eq!(code, 1, "{stderr}");
    let lines = jsonl(&stdout);
    assert_eq!(lines.len(), 3);
    assert!(lines[0].get("error").is_none());
    assert!(!lines[0]["hits"].as_array().unwrap().is_empty());
    assert!(
        lines[1]["error"].as_str().unwrap().contains("empty"),
        "{}",
        lines[1]
    );
    assert_eq!(lines[1]["hits"].as_array().unwrap().len(), 0);
    assert!(!lines[2]["hits"].as_array().unwrap().is_empty());
    assert!(stderr.contains("query bad:"), "{stderr}");
    assert!(stderr.contains("3 queries, 1 failed"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn csv_has_a_header_and_one_row_per_hit() {
    let (code, stdout, stderr) = batch_stdin(QUERIES, &["--format", "csv", "--limit", "2"]);
    assert_eq!(code, 0, "{stderr}");
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, ratsuche::search::batch::CSV_HEADER);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    // Every query has hits here (a4 falls back to any word): two rows each
    // at most, ranks counting from 1 within a query.
    assert!(rows.len() >= 4 && rows.len() <= 8, "{}", rows.len());
    let ids: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "rows in input order");
    assert_eq!(&rows[0][3], "1");
    assert!(rows[0][6].ends_with(".pdf"));
    assert!(!rows[0][11].is_empty(), "snippet");
}

#[test]
fn trec_lines_have_six_columns_for_trec_eval() {
    let (code, stdout, stderr) = batch_stdin(QUERIES, &["--format", "trec", "--limit", "3"]);
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<Vec<&str>> = stdout.lines().map(|l| l.split(' ').collect()).collect();
    assert!(lines.len() >= 4);
    let docid = regex::Regex::new(r"^[0-9a-f]{16}#\d+$").unwrap();
    for cols in &lines {
        assert_eq!(cols.len(), 6, "{cols:?}");
        assert!(cols[0].starts_with('a'));
        assert_eq!(cols[1], "Q0");
        assert!(docid.is_match(cols[2]), "{cols:?}");
        assert!(cols[3].parse::<usize>().unwrap() >= 1);
        assert!(cols[4].parse::<f32>().unwrap() > 0.0);
        assert_eq!(cols[5], "ratsuche");
    }
    // The same docid for the same hit in jsonl.
    let (_, json, _) = batch_stdin(QUERIES, &["--limit", "3"]);
    assert_eq!(jsonl(&json)[0]["hits"][0]["docid"], lines[0][2]);
}

#[test]
fn bad_arguments_are_clear_errors() {
    let (code, _, stderr) = batch_stdin("x\n", &["--format", "xml"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("xml"), "{stderr}");
    let output = ratsuche()
        .arg("batch")
        .arg("/nonexistent/queries.tsv")
        .arg("--index")
        .arg(shared_index())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8(output.stderr)
        .unwrap()
        .contains("/nonexistent/queries.tsv"));
}
