//! "Has this been asked before?" (`search::similar`): a small hand-made set
//! in `tests/data/similar/` where the right earlier pair must rank first,
//! the `similar` command end to end, and — over `../shared` — held-out
//! Karlsruhe inquiries that must find the administration's answers to them.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use ratsuche::index::{doc_id_for, PassageIndex};
use ratsuche::ingest::{ingest, IngestOptions, NoProgress};
use ratsuche::search::similar::{similar, split_questions, SimilarOptions, SplitMode};
use serde_json::Value;
use tempfile::TempDir;

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/similar")
}

/// An index of `tests/data/similar/` in a temp dir.
fn small_index() -> (TempDir, PassageIndex) {
    let tmp = tempfile::tempdir().unwrap();
    let index = PassageIndex::open_or_create(&tmp.path().join("index")).unwrap();
    let report = ingest(
        &index,
        &[data_dir()],
        &IngestOptions::default(),
        &mut NoProgress,
    )
    .unwrap();
    assert_eq!(report.indexed, 4, "{report:?}");
    assert!(report.failed.is_empty(), "{report:?}");
    (tmp, index)
}

const NEW_INQUIRY: &str = "\
Anfrage der Fraktion Neue Mitte
Betreuung, Radverkehr und Schulen

1. Wie viele Kinder warten in der Nordstadt auf einen Kita-Platz?
2. Welche Gebühren zahlen Eltern für einen Krippenplatz?
3. Wann beginnt die Sanierung des Radweges in der Bahnhofstraße?
4. Wann werden die Toiletten an der Realschule Süd saniert?

Begründung
Die Bürgerinnen und Bürger fragen uns regelmäßig danach.
";

/// (file, question number) each question of [`NEW_INQUIRY`] must find first.
const EXPECTED: [(&str, &str); 4] = [
    ("2023-kita-plaetze.txt", "1"),
    ("2022-kita-gebuehren.txt", "1"),
    ("2021-radwege.txt", "1"),
    ("2024-schulsanierung.txt", "3"),
];

#[test]
fn the_right_earlier_pair_ranks_first() {
    let (_tmp, index) = small_index();
    let reader = index.reader().unwrap();
    let results = similar(
        &index,
        &reader.searcher(),
        NEW_INQUIRY,
        &SimilarOptions::default(),
    )
    .unwrap();
    assert_eq!(results.split, SplitMode::Numbered);
    assert_eq!(results.questions.len(), EXPECTED.len());
    for (q, (file, number)) in results.questions.iter().zip(EXPECTED) {
        let first = q
            .matches
            .first()
            .unwrap_or_else(|| panic!("no match for {:?}", q.question));
        assert!(
            first.file.ends_with(file) && first.number.as_deref() == Some(number),
            "{:?}: expected {file} question {number}, got {} question {:?} ({:?})",
            q.question,
            first.file,
            first.number,
            first.question
        );
        assert!(q.matches.len() <= 5);
        assert!(q.matches.windows(2).all(|w| w[0].score >= w[1].score));
    }
    // The pair carries the earlier question and its answer separately, and
    // the document facts.
    let m = &results.questions[3].matches[0];
    assert_eq!(
        m.question,
        "Wann werden die Toiletten der Realschule Süd erneuert?"
    );
    assert_eq!(
        m.answer,
        "Die Toilettenanlagen werden in den Osterferien 2024 vollständig erneuert."
    );
    assert_eq!(m.reference.as_deref(), Some("2024/0033"));
    assert_eq!(m.page, 1);
    assert_eq!(m.rank, 1);
}

#[test]
fn excluded_documents_are_not_returned() {
    let (_tmp, index) = small_index();
    let reader = index.reader().unwrap();
    let own = data_dir().join("2024-schulsanierung.txt");
    let opts = SimilarOptions {
        exclude_doc_ids: vec![doc_id_for(&own.canonicalize().unwrap())],
        ..SimilarOptions::default()
    };
    let text = "Wann werden die Toiletten der Realschule Süd erneuert?";
    let results = similar(&index, &reader.searcher(), text, &opts).unwrap();
    assert_eq!(results.split, SplitMode::Sentences);
    let files: Vec<&str> = results.questions[0]
        .matches
        .iter()
        .map(|m| m.file.as_str())
        .collect();
    assert!(
        files
            .iter()
            .all(|f| !f.ends_with("2024-schulsanierung.txt")),
        "{files:?}"
    );
}

#[test]
fn empty_inquiry_is_an_error() {
    let (_tmp, index) = small_index();
    let reader = index.reader().unwrap();
    let err = similar(
        &index,
        &reader.searcher(),
        " \n ",
        &SimilarOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("empty"), "{err}");
}

#[test]
fn an_inquiry_of_too_many_questions_is_refused_not_run() {
    let (_tmp, index) = small_index();
    let reader = index.reader().unwrap();
    let text: String = (0..ratsuche::search::similar::MAX_QUESTIONS + 1)
        .map(|i| format!("Wie hoch ist der Anteil {i}? "))
        .collect();
    let err = similar(
        &index,
        &reader.searcher(),
        &text,
        &SimilarOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("at most"), "{err}");
}

#[test]
fn similar_command_prints_json_and_text() {
    let tmp = tempfile::tempdir().unwrap();
    let index_dir = tmp.path().join("index");
    cargo_bin_cmd!("ratsuche")
        .arg("index")
        .arg(data_dir())
        .arg("--index")
        .arg(&index_dir)
        .assert()
        .success();
    let inquiry = tmp.path().join("neue_anfrage.txt");
    std::fs::write(&inquiry, NEW_INQUIRY).unwrap();
    let out = cargo_bin_cmd!("ratsuche")
        .args(["similar", "--json", "--limit", "2", "--file"])
        .arg(&inquiry)
        .arg("--index")
        .arg(&index_dir)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["split"], "numbered");
    let questions = v["questions"].as_array().unwrap();
    assert_eq!(questions.len(), 4);
    assert_eq!(questions[2]["matches"].as_array().unwrap().len(), 2);
    let first = &questions[2]["matches"][0];
    for key in [
        "question",
        "answer",
        "file",
        "path",
        "doc_id",
        "date",
        "page",
        "reference",
    ] {
        assert!(first.get(key).is_some(), "missing {key} in {first}");
    }
    assert_eq!(first["reference"], "2021/0217");

    let text = cargo_bin_cmd!("ratsuche")
        .args([
            "similar",
            "--text",
            "Wie viele Fahrradabstellplätze gibt es am Hauptbahnhof?",
        ])
        .arg("--index")
        .arg(&index_dir)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains("820 Abstellplätze"), "{text}");

    cargo_bin_cmd!("ratsuche")
        .args(["similar", "--index"])
        .arg(&index_dir)
        .assert()
        .failure();
}

// ---------------------------------------------------------------------------
// Karlsruhe: held-out inquiries must find the administration's answers.

fn karlsruhe_root() -> PathBuf {
    let root = std::env::var("RATSUCHE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"))
        .join("realworld/karlsruhe");
    assert!(
        root.join("MANIFEST.tsv").is_file(),
        "{} is missing: this test needs the shared data (../shared/realworld/karlsruhe)",
        root.display()
    );
    root
}

struct ManifestRow {
    id: String,
    nonspace: usize,
    paper_type: String,
    name: String,
    paper: String,
    file_name: String,
}

fn manifest(root: &Path) -> Vec<ManifestRow> {
    let text = std::fs::read_to_string(root.join("MANIFEST.tsv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|c| c.len() >= 13)
        .map(|c| ManifestRow {
            id: c[0].to_string(),
            nonspace: c[2].parse().unwrap_or(0),
            paper_type: c[3].to_string(),
            name: c[6].to_string(),
            paper: c[8].to_string(),
            file_name: c[11].to_string(),
        })
        .collect()
}

/// The administration's answer to an inquiry: a "Stellungnahme" file.
fn is_answer(r: &ManifestRow) -> bool {
    r.nonspace >= 100 && r.file_name.to_lowercase().contains("stellungnahme")
}

/// The inquiry as asked: a file of an Anfrage paper that is not the answer,
/// the minutes or an attachment.
fn is_inquiry(r: &ManifestRow) -> bool {
    let f = r.file_name.to_lowercase();
    let anfrage = r.paper_type == "Anfrage" || r.name.starts_with("Anfrage");
    anfrage
        && r.nonspace >= 100
        && ![
            "stellungnahme",
            "protokoll",
            "anlage",
            "abstimmung",
            "beschluss",
        ]
        .iter()
        .any(|w| f.contains(w))
}

/// The `qa` passages' numbers per document in the index.
fn qa_numbers(index: &PassageIndex) -> HashMap<String, HashSet<String>> {
    use tantivy::query::TermQuery;
    use tantivy::schema::{IndexRecordOption, Value as _};
    use tantivy::{TantivyDocument, Term};
    let fields = index.fields();
    let reader = index.reader().unwrap();
    let searcher = reader.searcher();
    let query = TermQuery::new(
        Term::from_field_text(fields.kind, "qa"),
        IndexRecordOption::Basic,
    );
    let addresses = searcher
        .search(&query, &tantivy::collector::DocSetCollector)
        .unwrap();
    let mut out: HashMap<String, HashSet<String>> = HashMap::new();
    for address in addresses {
        let doc: TantivyDocument = searcher.doc(address).unwrap();
        let get = |f| {
            doc.get_first(f)
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        };
        out.entry(get(fields.doc_id))
            .or_default()
            .insert(get(fields.number));
    }
    out
}

/// recall@5 and MRR@10 of [`similar`] over the questions of Karlsruhe
/// inquiries, against an index of every Karlsruhe Stellungnahme (1,494
/// files, so every other answer is a distractor). A question counts when
/// the Stellungnahme of its own paper holds a `qa` passage with its number
/// (the structure stage recognised that pair); it is found when that
/// passage is among the top 5.
#[test]
#[ignore = "needs ../shared"]
fn karlsruhe_held_out_inquiries_find_their_answers() {
    let root = karlsruhe_root();
    let rows = manifest(&root);
    let path_of = |r: &ManifestRow| root.join("file-contents").join(format!("{}.txt", r.id));

    let answers: Vec<&ManifestRow> = rows.iter().filter(|r| is_answer(r)).collect();
    let tmp = tempfile::tempdir().unwrap();
    let index = PassageIndex::open_or_create(&tmp.path().join("index")).unwrap();
    let started = std::time::Instant::now();
    let paths: Vec<PathBuf> = answers.iter().map(|r| path_of(r)).collect();
    let report = ingest(&index, &paths, &IngestOptions::default(), &mut NoProgress).unwrap();
    eprintln!(
        "indexed {} Stellungnahmen ({} passages) in {:.1} s",
        report.indexed,
        report.passages,
        started.elapsed().as_secs_f64()
    );
    let qa = qa_numbers(&index);
    eprintln!(
        "{} Stellungnahmen with recognised Q&A pairs, {} pairs",
        qa.len(),
        qa.values().map(HashSet::len).sum::<usize>()
    );

    // Answer documents per paper.
    let mut answer_docs: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for r in &answers {
        let canonical = path_of(r).canonicalize().unwrap();
        answer_docs
            .entry(r.paper.as_str())
            .or_default()
            .push(doc_id_for(&canonical));
    }

    // Held-out questions: numbered questions of the inquiry files whose
    // paper's Stellungnahme has a pair with that number.
    struct Case {
        question: String,
        number: String,
        targets: Vec<String>,
    }
    let mut cases = Vec::new();
    // Questions whose paper's Stellungnahme is indexed but has no pair with
    // their number (the structure stage did not recognise it): misses of
    // the whole pipeline, counted in the end-to-end figure.
    let mut unanswerable = 0;
    for r in rows.iter().filter(|r| is_inquiry(r)) {
        let Some(docs) = answer_docs.get(r.paper.as_str()) else {
            continue;
        };
        let text = std::fs::read_to_string(path_of(r)).unwrap();
        let (mode, questions) = split_questions(&text);
        if mode != SplitMode::Numbered {
            continue;
        }
        for q in questions {
            let number = q.number.unwrap_or_default();
            let targets: Vec<String> = docs
                .iter()
                .filter(|d| qa.get(*d).is_some_and(|ns| ns.contains(&number)))
                .cloned()
                .collect();
            if targets.is_empty() {
                unanswerable += 1;
                continue;
            }
            cases.push(Case {
                question: q.text,
                number,
                targets,
            });
        }
    }
    eprintln!(
        "{} held-out questions with their answer in the index ({} questions without)",
        cases.len(),
        unanswerable
    );
    assert!(
        cases.len() >= 200,
        "only {} evaluable questions: the pairing or the question split broke",
        cases.len()
    );

    let reader = index.reader().unwrap();
    let searcher = reader.searcher();
    let evaluate = |opts: &SimilarOptions| -> (f64, f64, f64) {
        let (mut found, mut first, mut rr) = (0usize, 0usize, 0f64);
        for case in &cases {
            let results = similar(&index, &searcher, &case.question, opts).unwrap();
            // One question in, one question out (a numbered question has a
            // question mark, so its sentence split keeps it whole or splits
            // it into its own sub-questions: take the best rank over them).
            let rank = results
                .questions
                .iter()
                .filter_map(|q| {
                    q.matches.iter().position(|m| {
                        case.targets.contains(&m.doc_id)
                            && m.number.as_deref() == Some(case.number.as_str())
                    })
                })
                .min();
            if let Some(rank) = rank {
                found += usize::from(rank < 5);
                first += usize::from(rank == 0);
                rr += 1.0 / (rank as f64 + 1.0);
            }
        }
        let n = cases.len() as f64;
        (found as f64 / n, first as f64 / n, rr / n)
    };
    let default = SimilarOptions {
        limit: 10,
        ..SimilarOptions::default()
    };
    let text_only = SimilarOptions {
        question_boost: 0.0,
        ..default.clone()
    };
    let started = std::time::Instant::now();
    let (recall, at1, mrr) = evaluate(&default);
    let per_second = cases.len() as f64 / started.elapsed().as_secs_f64();
    let (recall_text, at1_text, mrr_text) = evaluate(&text_only);
    let end_to_end = recall * cases.len() as f64 / (cases.len() + unanswerable) as f64;
    eprintln!(
        "similar over {} Karlsruhe questions: recall@5 {recall:.3}, recall@1 {at1:.3}, \
         MRR@10 {mrr:.3} (question boost {}, {per_second:.0} questions/s); \
         pair text only (boost 0): recall@5 {recall_text:.3}, recall@1 {at1_text:.3}, \
         MRR@10 {mrr_text:.3}; end to end incl. {unanswerable} questions whose pair \
         was not recognised: recall@5 {end_to_end:.3}",
        cases.len(),
        default.question_boost
    );
    // Measured minus a margin (see RECALL_FLOOR).
    assert!(
        recall >= RECALL_FLOOR,
        "recall@5 {recall:.3} < {RECALL_FLOOR}"
    );
    assert!(mrr >= MRR_FLOOR, "MRR {mrr:.3} < {MRR_FLOOR}");
    // Weighting the earlier question must not hurt.
    assert!(
        mrr >= mrr_text,
        "question boost lowers MRR: {mrr:.3} < {mrr_text:.3}"
    );
}

/// Measured 2026-11: recall@5 1.000 and MRR@10 0.997 over 340 questions
/// (the Stellungnahmen reprint the questions, so this mainly checks that
/// splitting, pairing and numbering agree across documents); floors leave a
/// margin for changes in structure recognition.
const RECALL_FLOOR: f64 = 0.95;
const MRR_FLOOR: f64 = 0.93;
