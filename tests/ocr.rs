//! OCR of the scanned fixture (`tests/data/003_*.scan.pdf`): text source,
//! word F1 against the reference text, and the cache.

use std::collections::HashMap;
use std::path::Path;

use ratsuche::extract::Limits;
use ratsuche::ingest::extract_ocr_clean_bytes;
use ratsuche::ocr::{Ocr, OcrMode};
use ratsuche::TextSource;

const SCAN: &str = "tests/data/003_870927ed1bb89770.scan.pdf";
/// The text of the same page from its born-digital original.
const REFERENCE: &str = "tests/data/003_870927ed1bb89770.lo.txt";

/// F1 over the multiset of lower-cased words (punctuation trimmed).
fn word_f1(got: &str, want: &str) -> f64 {
    let bag = |text: &str| {
        let mut m: HashMap<String, usize> = HashMap::new();
        for w in text.split_whitespace() {
            let w = w
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase();
            if !w.is_empty() {
                *m.entry(w).or_default() += 1;
            }
        }
        m
    };
    let (g, w) = (bag(got), bag(want));
    let common: usize = g
        .iter()
        .map(|(k, n)| (*n).min(*w.get(k).unwrap_or(&0)))
        .sum();
    let (ng, nw) = (g.values().sum::<usize>(), w.values().sum::<usize>());
    if common == 0 {
        return 0.0;
    }
    let (p, r) = (common as f64 / ng as f64, common as f64 / nw as f64);
    2.0 * p * r / (p + r)
}

#[test]
fn word_f1_counts_words() {
    assert_eq!(word_f1("a b c", "a b c"), 1.0);
    assert_eq!(word_f1("x", "a"), 0.0);
    assert!((word_f1("a b", "a b c d") - 2.0 / 3.0).abs() < 1e-9);
}

#[test]
#[ignore = "needs tesseract"]
fn scan_is_ocred_accurately_and_cached() {
    let cache = tempfile::tempdir().unwrap();
    let ocr = Ocr::new(OcrMode::Auto).with_cache(cache.path());
    if let Err(why) = ocr.availability() {
        panic!("this test needs Tesseract with German: {why} (apt-get install tesseract-ocr tesseract-ocr-deu)");
    }
    let bytes = std::fs::read(SCAN).expect("scan fixture");
    let run = || {
        extract_ocr_clean_bytes(Path::new(SCAN), &bytes, &Limits::default(), &ocr)
            .expect("extracts")
    };
    let (first, report) = run();
    assert_eq!(report.pages, vec![1]);
    assert_eq!(report.cached, 0, "empty cache");
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    let TextSource::Ocr { confidence } = first.pages[0].source else {
        panic!("page 1 source is {:?}", first.pages[0].source);
    };
    assert!((50.0..=100.0).contains(&confidence), "{confidence}");
    let reference = std::fs::read_to_string(REFERENCE).unwrap();
    let f1 = word_f1(&first.text(), &reference);
    assert!(f1 >= 0.9, "word F1 {f1:.3} below 0.9");

    let (second, report) = run();
    assert_eq!(report.cached, 1, "second run reads the cache");
    assert_eq!(second, first);
}

#[test]
fn ocr_never_leaves_the_scan_without_text() {
    let bytes = std::fs::read(SCAN).expect("scan fixture");
    let ocr = Ocr::new(OcrMode::Never);
    let (ex, report) =
        extract_ocr_clean_bytes(Path::new(SCAN), &bytes, &Limits::default(), &ocr).unwrap();
    assert_eq!(ex.pages.len(), 1);
    assert_eq!(ex.pages[0].source, TextSource::None);
    assert!(ex.pages[0].is_empty());
    assert!(report.pages.is_empty() && report.skipped.is_empty());
}

#[test]
fn missing_tesseract_leaves_the_page_none_and_says_how_to_enable_ocr() {
    let bytes = std::fs::read(SCAN).expect("scan fixture");
    let ocr = Ocr::new(OcrMode::Auto).with_program("/nonexistent/tesseract");
    let (ex, report) =
        extract_ocr_clean_bytes(Path::new(SCAN), &bytes, &Limits::default(), &ocr).unwrap();
    assert_eq!(ex.pages[0].source, TextSource::None);
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.skipped[0].page, 1);
    assert!(report.skipped[0]
        .reason
        .contains("install tesseract-ocr tesseract-ocr-deu"));
}
