//! Pipeline throughput: extraction against pdftotext, and analysis.
//!
//! `cargo bench --bench pipeline` (see `benches/README.md` for what each
//! figure means, `benches/HISTORY.md` for the numbers on our machine).
//!
//! Groups:
//! - `extract_corpus`: all PDFs in `corpus/` per iteration, throughput in
//!   pages. `ratsuche_extract_clean` is `extract_pdf` + `clean` in process;
//!   `pdftotext_process` spawns `pdftotext FILE -` once per file (process
//!   start included, as a shell-out indexer would pay it). Without pdftotext
//!   only ours runs, and the bench says so.
//! - `analyze_corpus`: extract + clean + `analysis::analyze(Lang::German,
//!   text)` of all text, throughput in bytes of cleaned text.
//! - `index_corpus`: the whole `ratsuche index` pipeline (discover, hash,
//!   extract, clean, structure, analysis, tantivy writer, commit) into a
//!   fresh index per iteration; throughput in bytes of input PDF.
//!
//! After criterion's groups, a summary pass times each side once with
//! `Instant` and prints pages/s and the ratio ours/pdftotext.
//!
//! Every iteration checks what it produced (pages, bytes, terms) against a
//! count taken up front, so a broken extractor cannot look fast.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use ratsuche::analysis::{analyze, Lang};
use ratsuche::clean::clean;
use ratsuche::extract::extract_pdf;
use ratsuche::index::PassageIndex;
use ratsuche::ingest::{ingest, IngestOptions, NoProgress};
use ratsuche::Extracted;

/// One corpus PDF, read into memory once (the bench measures extraction,
/// not the disk).
struct Pdf {
    path: PathBuf,
    bytes: Vec<u8>,
}

fn corpus() -> Vec<Pdf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no PDFs in {}", dir.display());
    paths
        .into_iter()
        .map(|path| Pdf {
            bytes: std::fs::read(&path).unwrap(),
            path,
        })
        .collect()
}

/// What the indexer gets from one PDF: extracted and cleaned.
fn extract_clean(pdf: &Pdf) -> Extracted {
    let doc = extract_pdf(&pdf.bytes).unwrap_or_else(|e| panic!("{}: {e}", pdf.path.display()));
    Extracted {
        pages: clean(doc.pages),
        timed_out: doc.timed_out,
    }
}

/// Extracts every file; returns (pages, bytes of cleaned text).
fn ours_all(files: &[Pdf]) -> (usize, usize) {
    let (mut pages, mut bytes) = (0, 0);
    for pdf in files {
        let doc = extract_clean(black_box(pdf));
        pages += doc.pages.len();
        bytes += black_box(doc.text()).len();
    }
    (pages, bytes)
}

/// Runs `pdftotext FILE -` on every file; returns bytes of output.
fn pdftotext_all(files: &[Pdf]) -> usize {
    files
        .iter()
        .map(|pdf| {
            let out = Command::new("pdftotext")
                .arg(&pdf.path)
                .arg("-")
                .output()
                .expect("run pdftotext");
            assert!(
                out.status.success(),
                "pdftotext failed on {}",
                pdf.path.display()
            );
            black_box(out.stdout).len()
        })
        .sum()
}

/// Extract, clean and analyze every file; returns (text bytes, terms).
fn analyze_all(files: &[Pdf]) -> (usize, usize) {
    let (mut bytes, mut terms) = (0, 0);
    for pdf in files {
        let text = extract_clean(black_box(pdf)).text();
        bytes += text.len();
        terms += black_box(analyze(Lang::German, &text)).len();
    }
    (bytes, terms)
}

fn pdftotext_installed() -> bool {
    Command::new("pdftotext").arg("-v").output().is_ok()
}

/// What one pass over the corpus must produce; taken once, checked by every
/// iteration.
struct Expected {
    pages: usize,
    text_bytes: usize,
    terms: usize,
    pdftotext_bytes: Option<usize>,
}

fn expected(files: &[Pdf], with_pdftotext: bool) -> Expected {
    let (pages, text_bytes) = ours_all(files);
    let (_, terms) = analyze_all(files);
    assert!(pages > 0, "extraction produced no pages");
    assert!(
        text_bytes > 10_000,
        "extraction produced only {text_bytes} bytes of text"
    );
    assert!(terms > 1_000, "analysis produced only {terms} terms");
    let pdftotext_bytes = with_pdftotext.then(|| pdftotext_all(files));
    if let Some(b) = pdftotext_bytes {
        assert!(b > 10_000, "pdftotext produced only {b} bytes");
    }
    Expected {
        pages,
        text_bytes,
        terms,
        pdftotext_bytes,
    }
}

fn bench_extract(c: &mut Criterion, files: &[Pdf], exp: &Expected) {
    let mut group = c.benchmark_group("extract_corpus");
    group.throughput(Throughput::Elements(exp.pages as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("ratsuche_extract_clean", |b| {
        b.iter(|| {
            let (pages, bytes) = ours_all(files);
            assert_eq!((pages, bytes), (exp.pages, exp.text_bytes));
        })
    });
    if let Some(want) = exp.pdftotext_bytes {
        group.bench_function("pdftotext_process", |b| {
            b.iter(|| assert_eq!(pdftotext_all(files), want))
        });
    } else {
        eprintln!(
            "pdftotext is not installed (poppler-utils): reference missing, benching ours only"
        );
    }
    group.finish();
}

/// Analysis throughput over the extracted text (no index).
fn bench_analyze(c: &mut Criterion, files: &[Pdf], exp: &Expected) {
    let mut group = c.benchmark_group("analyze_corpus");
    group.throughput(Throughput::Bytes(exp.text_bytes as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("extract_clean_analyze_de", |b| {
        b.iter(|| {
            assert_eq!(analyze_all(files), (exp.text_bytes, exp.terms));
        })
    });
    group.finish();
}

/// Index the whole corpus into a fresh temporary index; returns
/// (files indexed, passages).
fn index_all() -> (usize, usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let index = PassageIndex::open_or_create(dir.path()).expect("index");
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let report = ingest(
        &index,
        &[corpus],
        &IngestOptions::default(),
        &mut NoProgress,
    )
    .expect("ingest");
    assert!(report.failed.is_empty(), "failures: {:?}", report.failed);
    (report.indexed, report.passages)
}

fn bench_index(c: &mut Criterion, files: &[Pdf]) {
    let input_bytes: usize = files.iter().map(|f| f.bytes.len()).sum();
    let (indexed, passages) = index_all();
    assert_eq!(indexed, files.len(), "every corpus file is indexed");
    assert!(passages >= files.len(), "at least one passage per file");
    let mut group = c.benchmark_group("index_corpus");
    group.throughput(Throughput::Bytes(input_bytes as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(15));
    group.bench_function("ratsuche_index_fresh", |b| {
        b.iter(|| assert_eq!(index_all(), (indexed, passages)))
    });
    group.finish();
}

/// One warm-up and one timed pass per side; prints pages/s and the ratio.
fn summary(files: &[Pdf], exp: &Expected) {
    let time = |f: &dyn Fn()| {
        f();
        let t = Instant::now();
        f();
        t.elapsed().as_secs_f64()
    };
    let ours = time(&|| assert_eq!(ours_all(files).0, exp.pages));
    let ours_pps = exp.pages as f64 / ours;
    println!();
    println!(
        "summary (single-run measurement, one timed pass after one warm-up; criterion's figures above are the careful ones):"
    );
    println!(
        "  ratsuche extract+clean: {} files, {} pages in {:.3} s = {:.1} pages/s",
        files.len(),
        exp.pages,
        ours,
        ours_pps
    );
    match exp.pdftotext_bytes {
        Some(want) => {
            let theirs = time(&|| assert_eq!(pdftotext_all(files), want));
            let theirs_pps = exp.pages as f64 / theirs;
            println!(
                "  pdftotext (one process per file): {:.3} s = {:.1} pages/s",
                theirs, theirs_pps
            );
            println!(
                "  ratio ours/pdftotext pages per second: {:.2}",
                ours_pps / theirs_pps
            );
        }
        None => println!("  pdftotext is not installed (poppler-utils): no reference, no ratio"),
    }
    let texts: Vec<String> = files.iter().map(|pdf| extract_clean(pdf).text()).collect();
    let analysis_only = time(&|| {
        let terms: usize = texts
            .iter()
            .map(|t| black_box(analyze(Lang::German, t)).len())
            .sum();
        assert_eq!(terms, exp.terms);
    });
    println!(
        "  analyze alone (text already extracted): {:.2} MB/s",
        exp.text_bytes as f64 / 1e6 / analysis_only
    );
    let input_bytes: usize = files.iter().map(|f| f.bytes.len()).sum();
    let index = time(&|| assert_eq!(index_all().0, files.len()));
    println!(
        "  index (full pipeline, fresh index): {:.2} MB of PDF in {:.3} s = {:.2} MB/s, {:.1} pages/s",
        input_bytes as f64 / 1e6,
        index,
        input_bytes as f64 / 1e6 / index,
        exp.pages as f64 / index
    );
    let analyze = time(&|| assert_eq!(analyze_all(files).1, exp.terms));
    println!(
        "  extract+clean+analyze: {:.2} MB of text in {:.3} s = {:.2} MB/s ({} terms)",
        exp.text_bytes as f64 / 1e6,
        analyze,
        exp.text_bytes as f64 / 1e6 / analyze,
        exp.terms
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // Criterion runs in test mode (each bench once) unless cargo bench
    // passed `--bench`; neither that nor `--list` wants a timing pass.
    let quick = !args.iter().any(|a| a == "--bench") || args.iter().any(|a| a == "--list");
    let files = corpus();
    let exp = expected(&files, pdftotext_installed());
    let mut c = Criterion::default().configure_from_args();
    bench_extract(&mut c, &files, &exp);
    bench_analyze(&mut c, &files, &exp);
    bench_index(&mut c, &files);
    c.final_summary();
    if !quick {
        summary(&files, &exp);
    }
}
