//! Extraction quality, measured: the fixture PDFs against their known text.
//!
//! Every fixture in `corpus/` (and the encrypted and scanned variants in
//! `tests/data/`) goes through `extract` and `clean` as the indexer sees it,
//! `Extracted { pages: clean(pages) }.text()`, and is scored with the
//! project's extraction metric (`common::compare`, a Rust port of
//! `../shared/tools/extract-score/score.py`): word precision/recall/F1 and
//! order (Levenshtein similarity of the word sequences).
//!
//! The bar per file is pdftotext (poppler): we must score at least what it
//! scores on the same file, for F1 and for order. Over all non-scan fixtures
//! the bar is F1 ≥ 0.99 and order ≥ 0.97. `cargo test --test extract --
//! --nocapture` prints the figures.
//!
//! Ignored by default (they need `../shared` and `pdftotext`):
//! - `metric_agrees_with_score_py_on_pdftotext`: the port gives score.py's
//!   figures on pdftotext's output;
//! - `realworld_*`: the 46 real council PDFs in `../shared/realworld/pdf`
//!   extract without panicking, yield text wherever pdftotext finds some, and
//!   recall pdftotext's words.
//!
//! Run them with `cargo test --test extract -- --ignored --nocapture`.

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, OnceLock};

use common::{compare, f1_of, normalize, pdftotext, repo_path, tokens, word_recall, Scores};
use ratsuche::clean::clean;
use ratsuche::extract::extract_file;
use ratsuche::{Extracted, TextSource};

// # Fixtures and their bars

/// A fixture PDF, its reference text and what pdftotext scores on it.
struct Fixture {
    pdf: &'static str,
    reference: &'static str,
    /// pdftotext's word F1 and order on this file: the bar we must reach.
    pdftotext_f1: f64,
    pdftotext_order: f64,
}

// pdftotext's figures come from
//   python3 ../shared/tools/extract-score/score.py --cmd 'pdftotext {pdf} -' \
//       --skip '\.scan\.pdf$' --json out.json ../shared/fixtures
// (pdftotext 22.12.0 from poppler-utils, rapidfuzz 3.14), read from out.json
// to six decimals. score.py's summary line for that run:
//   overall F1=0.989 order=0.979 fails=0
const FIXTURES: [Fixture; 6] = [
    Fixture {
        pdf: "corpus/000_f6b0283b3a559d13.lo.pdf",
        reference: "tests/data/000_f6b0283b3a559d13.lo.txt",
        pdftotext_f1: 0.989535,
        pdftotext_order: 0.979287,
    },
    Fixture {
        pdf: "tests/data/000_f6b0283b3a559d13.lo-enc.pdf",
        reference: "tests/data/000_f6b0283b3a559d13.lo-enc.txt",
        pdftotext_f1: 0.989535,
        pdftotext_order: 0.979287,
    },
    Fixture {
        pdf: "corpus/001_a00c5b5ad5e75977.lo.pdf",
        reference: "tests/data/001_a00c5b5ad5e75977.lo.txt",
        pdftotext_f1: 0.989212,
        pdftotext_order: 0.979046,
    },
    Fixture {
        pdf: "corpus/002_331fdc71ca8572da.lo.pdf",
        reference: "tests/data/002_331fdc71ca8572da.lo.txt",
        pdftotext_f1: 0.986813,
        pdftotext_order: 0.973970,
    },
    Fixture {
        pdf: "corpus/003_870927ed1bb89770.lo.pdf",
        reference: "tests/data/003_870927ed1bb89770.lo.txt",
        pdftotext_f1: 0.990354,
        pdftotext_order: 0.980892,
    },
    Fixture {
        pdf: "corpus/004_73665f4fe7c8e88e.lo.pdf",
        reference: "tests/data/004_73665f4fe7c8e88e.lo.txt",
        pdftotext_f1: 0.988129,
        pdftotext_order: 0.978120,
    },
];

const INFORMATION_000: usize = 0;
const INFORMATION_000_ENCRYPTED: usize = 1;
const KONZEPT_001: usize = 2;
const ANFRAGE_002: usize = 3;
const PROJECT_SHEET_003: usize = 4;
const AGENDA_004: usize = 5;

const SCAN_003: &str = "tests/data/003_870927ed1bb89770.scan.pdf";

/// Overall bars over all non-scan fixtures (word-weighted, as score.py).
const OVERALL_MIN_F1: f64 = 0.99;
const OVERALL_MIN_ORDER: f64 = 0.97;

/// The cleaned text of each fixture, extracted once per test binary: several
/// tests read the same file, and the long one takes seconds in a debug build.
static CLEANED: [OnceLock<String>; FIXTURES.len()] = [const { OnceLock::new() }; FIXTURES.len()];

fn cleaned_text(i: usize) -> &'static str {
    CLEANED[i].get_or_init(|| cleaned_text_of(&repo_path(FIXTURES[i].pdf)))
}

/// What the indexer sees of a file: extracted, cleaned, pages joined.
fn cleaned_text_of(pdf: &Path) -> String {
    let doc = extract_file(pdf).unwrap_or_else(|e| panic!("{}: {e}", pdf.display()));
    Extracted {
        pages: clean(doc.pages),
        timed_out: doc.timed_out,
    }
    .text()
}

fn reference(i: usize) -> String {
    let path = repo_path(FIXTURES[i].reference);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn name(i: usize) -> &'static str {
    FIXTURES[i].pdf.rsplit('/').next().unwrap()
}

fn score(i: usize) -> Scores {
    compare(&reference(i), cleaned_text(i))
}

/// Scores fixture `i` and holds it to pdftotext's figures on the same file.
fn assert_at_least_pdftotext(i: usize) {
    let f = &FIXTURES[i];
    let s = score(i);
    eprintln!(
        "{}: ours {}\n  pdftotext F1={:.4} order={:.4}\n  {}",
        name(i),
        s.summary(),
        f.pdftotext_f1,
        f.pdftotext_order,
        s.examples()
    );
    assert!(
        s.f1 >= f.pdftotext_f1,
        "{}: word F1 {:.4} < pdftotext's {:.4}\n  {}",
        name(i),
        s.f1,
        f.pdftotext_f1,
        s.examples()
    );
    assert!(
        s.order >= f.pdftotext_order,
        "{}: order {:.4} < pdftotext's {:.4}\n  {}",
        name(i),
        s.order,
        f.pdftotext_order,
        s.examples()
    );
}

// # Per fixture

/// Kreistag information with "Stichwort" items, 3 pages.
#[test]
fn information_stichworte_000() {
    assert_at_least_pdftotext(INFORMATION_000);
}

/// The same document encrypted with AES-256 and an empty user password.
#[test]
fn information_stichworte_000_encrypted() {
    assert_at_least_pdftotext(INFORMATION_000_ENCRYPTED);
}

/// The long one: an integration concept, 47 pages, footnotes, lists, tables.
#[test]
fn integration_konzept_001() {
    assert_at_least_pdftotext(KONZEPT_001);
}

/// A councillor's Anfrage as a letter: address block, bank details, questions.
#[test]
fn anfrage_letter_002() {
    assert_at_least_pdftotext(ANFRAGE_002);
}

/// A one-page project sheet (Handlungsfeld) with a bullet list.
#[test]
fn project_sheet_003() {
    assert_at_least_pdftotext(PROJECT_SHEET_003);
}

/// An agenda item with an Anfrage and its answers.
#[test]
fn agenda_anfragen_004() {
    assert_at_least_pdftotext(AGENDA_004);
}

// # Across fixtures

#[test]
fn overall_non_scan_fixtures() {
    let (mut tp, mut ref_words, mut ext_words) = (0, 0, 0);
    let mut order_weighted = 0.0;
    for i in 0..FIXTURES.len() {
        let s = score(i);
        eprintln!("{:36} {}", name(i), s.summary());
        tp += s.tp;
        ref_words += s.ref_words;
        ext_words += s.ext_words;
        order_weighted += s.order * s.ref_words as f64;
    }
    let (p, r, f1) = f1_of(tp, ref_words, ext_words);
    let order = order_weighted / ref_words as f64;
    eprintln!(
        "overall P={p:.4} R={r:.4} F1={f1:.4} order={order:.4} (pdftotext: F1=0.9891 order=0.9788)"
    );
    assert!(
        f1 >= OVERALL_MIN_F1,
        "overall F1 {f1:.4} < {OVERALL_MIN_F1}"
    );
    assert!(
        order >= OVERALL_MIN_ORDER,
        "overall order {order:.4} < {OVERALL_MIN_ORDER}"
    );
}

#[test]
fn encrypted_000_extracts_the_same_text_as_plain() {
    let plain = extract_file(&repo_path(FIXTURES[INFORMATION_000].pdf)).unwrap();
    let enc = extract_file(&repo_path(FIXTURES[INFORMATION_000_ENCRYPTED].pdf)).unwrap();
    assert_eq!(enc.pages.len(), plain.pages.len());
    for (e, p) in enc.pages.iter().zip(&plain.pages) {
        assert_eq!(e.source, TextSource::Native, "page {}", e.number);
        assert_eq!(e.text(), p.text(), "page {}", e.number);
    }
    assert!(!tokens(&plain.text()).is_empty());
    assert_eq!(
        cleaned_text(INFORMATION_000_ENCRYPTED),
        cleaned_text(INFORMATION_000)
    );
}

#[test]
fn scan_003_has_no_text_layer() {
    let doc = extract_file(&repo_path(SCAN_003)).unwrap();
    assert_eq!(doc.pages.len(), 1, "the scan is one page");
    for page in &doc.pages {
        assert_eq!(
            page.source,
            TextSource::None,
            "page {}: no text layer",
            page.number
        );
        assert!(
            page.is_empty(),
            "page {} has text: {:?}",
            page.number,
            page.text()
        );
    }
    let cleaned = Extracted {
        pages: clean(doc.pages),
        timed_out: doc.timed_out,
    };
    assert_eq!(cleaned.pages.len(), 1, "clean keeps the page");
    assert!(cleaned.pages.iter().all(|p| p.source == TextSource::None));
    assert_eq!(tokens(&cleaned.text()), Vec::<String>::new());
}

/// Line-end hyphenation undone, real hyphens kept. Each word below is broken
/// at a line end in the PDF (found with `pdftotext -layout`); it must come
/// out as often as the reference has it, and no extracted pair of words may
/// be a reference word split at a hyphen.
#[test]
fn line_end_hyphenation_undone_real_hyphens_kept() {
    // (fixture, word as score.py tokenizes it)
    let words = [
        (INFORMATION_000, "fachkräfteagenturen"), // Fachkräf- / teagenturen
        (INFORMATION_000, "ilm-kreis-kliniken"),  // Ilm-Kreis-Kli- / niken
        (ANFRAGE_002, "freiwilligenagenturen"),
        (KONZEPT_001, "ilm-kreis"), // Ilm- / Kreis, 6 times at a line end
        (KONZEPT_001, "ilm-kreises"),
        (KONZEPT_001, "ilm-kreis-unterwegs"),
        (PROJECT_SHEET_003, "ilm-kreis"),
    ];
    let mut failures = Vec::new();
    for (i, word) in words {
        let want = tokens(&reference(i)).iter().filter(|t| *t == word).count();
        let got = tokens(cleaned_text(i))
            .iter()
            .filter(|t| *t == word)
            .count();
        assert!(want > 0, "{word} is not in the reference of {}", name(i));
        eprintln!("{}: {word}: {got} of {want}", name(i));
        if got != want {
            failures.push(format!(
                "{}: {word:?} {got} times, reference {want}",
                name(i)
            ));
        }
    }
    // Suspended hyphens before "und" keep the hyphen and the space.
    for phrase in [
        "erziehungs- und",
        "integrations- und",
        "zu- und",
        "ehren- und",
    ] {
        let want = normalize(&reference(KONZEPT_001)).matches(phrase).count();
        let got = normalize(cleaned_text(KONZEPT_001)).matches(phrase).count();
        eprintln!("{}: {phrase:?}: {got} of {want}", name(KONZEPT_001));
        if got != want {
            failures.push(format!(
                "{}: {phrase:?} {got} times, reference {want}",
                name(KONZEPT_001)
            ));
        }
    }
    for i in 0..FIXTURES.len() {
        let s = score(i);
        if s.split_hy > 0 || s.glued > 0 {
            failures.push(format!(
                "{}: {} split at a hyphen, {} glued: {:?} {:?}",
                name(i),
                s.split_hy,
                s.glued,
                s.split_examples,
                s.glued_examples
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// # The metric itself

/// Expected values from score.py's `tokens_with_spans(normalize(s))`.
#[test]
fn metric_tokens_as_score_py() {
    let s = "Ilm-Kreis’ KV-Ärzte 88.168,20 x_y ﬁnden Straße\u{ad}n 2025a Nr.5 A\u{200b}B STRASSE-\nNETZ ²";
    assert_eq!(
        tokens(s),
        [
            "ilm-kreis",
            "kv-ärzte",
            "88.168,20",
            "x",
            "y",
            "finden",
            "straßen",
            "2025a",
            "nr",
            "5",
            "ab",
            "strasse",
            "netz",
            "²"
        ]
    );
}

/// Expected values from score.py's `compare(ref, ext)` on the same strings.
#[test]
fn metric_compare_as_score_py() {
    let reference = "Die Fachkräfteagenturen im Ilm-Kreis: 88.168,20 € für Ehren- und Hauptamt. \
                     Die Straße ﬁnden wir im Ilm-Kreis.";
    let ext = "Landratsamt Ilm-Kreis\nDie Fachkräf-\nteagenturen im Ilm-Kreis 88.168,20 € für Ehren- und \
               Hauptamt. Die Straße finden wirim Ilm-Kreis.\nSeite 1 von 2";
    let s = compare(reference, ext);
    assert_eq!((s.ref_words, s.ext_words, s.tp), (15, 21, 12));
    assert!((s.precision - 0.5714285714285714).abs() < 1e-12);
    assert!((s.recall - 0.8).abs() < 1e-12);
    assert!((s.f1 - 0.6666666666666666).abs() < 1e-12);
    assert!(
        (s.order - 0.5238095238095238).abs() < 1e-12,
        "order {}",
        s.order
    );
    assert_eq!((s.glued, s.split, s.split_hy), (1, 1, 1));
    assert_eq!(s.glued_examples, ["wirim"]);
    assert_eq!(s.split_examples, ["fachkräf- teagenturen"]);
    let missing: Vec<&str> = s.missing_examples.iter().map(|(w, _)| w.as_str()).collect();
    assert_eq!(missing, ["fachkräfteagenturen", "im", "wir"]);
    let extra: Vec<&str> = s.extra_examples.iter().map(|(w, _)| w.as_str()).collect();
    assert_eq!(
        extra,
        [
            "landratsamt",
            "ilm-kreis",
            "fachkräf",
            "teagenturen",
            "wirim",
            "seite",
            "1",
            "von"
        ]
    );
}

#[test]
fn metric_levenshtein_is_exact() {
    // rapidfuzz: normalized_similarity(list("abcdefgh"), list("axcdfghij")) = 5/9
    let a: Vec<&str> = "a b c d e f g h".split(' ').collect();
    let b: Vec<&str> = "a x c d f g h i j".split(' ').collect();
    assert!((common::seq_similarity(&a, &b) - 0.5555555555555556).abs() < 1e-12);
    // The band must widen until it holds the optimal path: compare with the
    // full table on sequences far apart and on shifted ones.
    let full = |a: &[u32], b: &[u32]| {
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, x) in a.iter().enumerate() {
            let mut cur = vec![i + 1; b.len() + 1];
            for (j, y) in b.iter().enumerate() {
                cur[j + 1] = (prev[j] + usize::from(x != y))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1);
            }
            prev = cur;
        }
        prev[b.len()]
    };
    let mut seed = 7u64;
    let mut rand = move |n: u32| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) % u64::from(n)) as u32
    };
    for len in [0usize, 1, 5, 40, 150, 400] {
        for alphabet in [2, 4, 50] {
            let a: Vec<u32> = (0..len).map(|_| rand(alphabet)).collect();
            let mut b: Vec<u32> = a.iter().copied().filter(|_| rand(10) != 0).collect();
            b.splice(0..0, (0..rand(60)).map(|_| rand(alphabet)));
            assert_eq!(
                common::levenshtein(&a, &b),
                full(&a, &b),
                "len {len} alphabet {alphabet}"
            );
            let c: Vec<u32> = (0..len / 2).map(|_| rand(alphabet)).collect();
            assert_eq!(common::levenshtein(&a, &c), full(&a, &c));
        }
    }
}

/// The port against score.py on real text: pdftotext's output for every
/// fixture must score what score.py said it scores (the constants above).
#[test]
#[ignore = "needs pdftotext (poppler-utils)"]
fn metric_agrees_with_score_py_on_pdftotext() {
    for (i, f) in FIXTURES.iter().enumerate() {
        let text = pdftotext(&repo_path(f.pdf)).unwrap();
        let s = compare(&reference(i), &text);
        eprintln!(
            "{}: pdftotext F1={:.6} order={:.6} (score.py {:.6} {:.6})",
            name(i),
            s.f1,
            s.order,
            f.pdftotext_f1,
            f.pdftotext_order
        );
        assert!(
            (s.f1 - f.pdftotext_f1).abs() <= 0.002,
            "{}: F1 {} vs score.py {}",
            name(i),
            s.f1,
            f.pdftotext_f1
        );
        assert!(
            (s.order - f.pdftotext_order).abs() <= 0.002,
            "{}: order {} vs score.py {}",
            name(i),
            s.order,
            f.pdftotext_order
        );
    }
}

// # Real council PDFs (../shared)

/// Overall word recall of pdftotext's words in our cleaned text (the text
/// the index gets). Both sides undo line-end hyphenation (pdftotext does by
/// default); pdftotext keeps running headers and footers, which clean drops,
/// so a little under 1.0 is expected on documents with furniture.
const REALWORLD_MIN_RECALL: f64 = 0.97;

/// What happened to one real PDF.
struct RealDoc {
    name: String,
    /// pdftotext's text, or why it failed.
    pdftotext: Result<String, String>,
    /// Our cleaned text, an extraction error, or a panic message.
    ours: Outcome,
}

enum Outcome {
    /// Raw extraction text and cleaned text.
    Text {
        raw: String,
        cleaned: String,
    },
    Error(String),
    Panic(String),
}

fn realworld_dir() -> PathBuf {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/realworld/pdf"
    ));
    assert!(
        dir.is_dir(),
        "{} is missing: these tests need the shared data next to the repository (../shared)",
        dir.display()
    );
    dir
}

/// Every real PDF through pdftotext and through us, once per test binary.
static REALWORLD: LazyLock<Vec<RealDoc>> = LazyLock::new(|| {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(realworld_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")))
        .collect();
    paths.sort();
    assert!(
        !paths.is_empty(),
        "no PDFs in {}",
        realworld_dir().display()
    );
    paths
        .iter()
        .map(|path| {
            let ours = match catch_unwind(AssertUnwindSafe(|| extract_file(path))) {
                Ok(Ok(doc)) => Outcome::Text {
                    raw: doc.text(),
                    cleaned: Extracted {
                        pages: clean(doc.pages),
                        timed_out: doc.timed_out,
                    }
                    .text(),
                },
                Ok(Err(e)) => Outcome::Error(e.to_string()),
                Err(payload) => Outcome::Panic(
                    payload
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_else(|| "(non-string panic)".into()),
                ),
            };
            RealDoc {
                name: path.file_name().unwrap().to_string_lossy().into_owned(),
                pdftotext: pdftotext(path),
                ours,
            }
        })
        .collect()
});

/// Fails (never skips) when pdftotext is missing, before the shared
/// extraction starts, so the message is the install hint.
fn require_pdftotext() {
    realworld_dir();
    if std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_err()
    {
        panic!("pdftotext is not installed: install poppler-utils (apt-get install poppler-utils)");
    }
}

#[test]
#[ignore = "needs ../shared"]
fn realworld_every_pdf_extracts_and_finds_text_where_pdftotext_does() {
    require_pdftotext();
    let mut failures = Vec::new();
    for doc in REALWORLD.iter() {
        let reference_words = doc
            .pdftotext
            .as_deref()
            .map(|t| tokens(t).len())
            .unwrap_or(0);
        match &doc.ours {
            Outcome::Panic(msg) => failures.push(format!("{}: PANIC {msg}", doc.name)),
            Outcome::Error(e) if reference_words > 0 => failures.push(format!(
                "{}: error {e}, pdftotext finds {reference_words} words",
                doc.name
            )),
            Outcome::Error(e) => {
                eprintln!("{}: error {e} (pdftotext finds no text either)", doc.name)
            }
            Outcome::Text { cleaned, .. } => {
                let words = tokens(cleaned).len();
                eprintln!(
                    "{:72} ours {words:6} words, pdftotext {reference_words:6}",
                    doc.name
                );
                if words == 0 && reference_words > 0 {
                    failures.push(format!(
                        "{}: no text, pdftotext finds {reference_words} words",
                        doc.name
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} files:\n{}",
        failures.len(),
        REALWORLD.len(),
        failures.join("\n")
    );
}

#[test]
#[ignore = "needs ../shared"]
fn realworld_word_recall_against_pdftotext() {
    require_pdftotext();
    let (mut tp, mut tp_raw, mut total) = (0, 0, 0);
    for doc in REALWORLD.iter() {
        let Ok(reference) = &doc.pdftotext else {
            eprintln!("{}: pdftotext failed, not counted", doc.name);
            continue;
        };
        let (raw, cleaned) = match &doc.ours {
            Outcome::Text { raw, cleaned } => (raw.as_str(), cleaned.as_str()),
            _ => ("", ""),
        };
        let (t, n) = word_recall(reference, cleaned);
        let (t_raw, _) = word_recall(reference, raw);
        let recall = if n > 0 { t as f64 / n as f64 } else { 1.0 };
        let recall_raw = if n > 0 { t_raw as f64 / n as f64 } else { 1.0 };
        eprintln!(
            "{:72} recall {recall:.4} ({t} of {n}; before clean {recall_raw:.4})",
            doc.name
        );
        if recall < REALWORLD_MIN_RECALL {
            let s = compare(reference, cleaned);
            eprintln!(
                "    not found: {:?}\n    only ours: {:?}",
                s.missing_examples, s.extra_examples
            );
        }
        tp += t;
        tp_raw += t_raw;
        total += n;
    }
    eprintln!(
        "before clean: {:.4} (clean drops running headers and footers, pdftotext keeps them)",
        tp_raw as f64 / total.max(1) as f64
    );
    let recall = tp as f64 / total.max(1) as f64;
    eprintln!("overall word recall vs pdftotext: {recall:.4} ({tp} of {total})");
    assert!(
        recall >= REALWORLD_MIN_RECALL,
        "overall word recall {recall:.4} < {REALWORLD_MIN_RECALL}"
    );
}
