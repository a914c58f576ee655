//! Bad input: broken, hostile and odd PDFs (issue 7, "Bad input").
//!
//! The corpus is `../shared/pdf-torture/` (152 files from pdf.js, qpdf,
//! pypdf, lopdf, pdf-extract and our own; see its `README.md` and
//! `MANIFEST.tsv`). It is not copied into the repository, so the tests that
//! read it are `#[ignore]`d and panic with a clear message when it is
//! missing — run them with `cargo test --test torture -- --ignored
//! --nocapture`. What they hold every file to:
//!
//! - no panic (each file runs inside `catch_unwind`, and a panic names it);
//! - done within the per-document time limit, counted as the limit counts
//!   it (CPU time of the extracting thread), plus a margin for the parts
//!   that cannot be interrupted (loading) and for a debug build, and within
//!   the wall-clock backstop, so a loaded machine does not fail the test;
//! - either text or one error naming the cause, and never an "unexplained
//!   empty result": `Ok` with no text on any page while `pdftotext` finds
//!   text. Files `pdftotext` reads but we reject are counted and listed as
//!   not recovered (mostly encrypted files and ones lopdf cannot repair).
//!
//! A table (file, ours, pdftotext) and per-cause counts are printed.
//!
//! `regressions_do_not_panic` (not ignored) replays the inputs fuzzing found
//! (`tests/data/regressions/`, see `fuzz/README.md`).

mod common;

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use ratsuche::error::PdfError;
use ratsuche::extract::{self, Limits};
use ratsuche::index::PassageIndex;
use ratsuche::ingest::{self, IngestOptions, NoProgress};
use ratsuche::model::TextSource;
use ratsuche::Error;

/// Files pdftotext reads and we do not, each with the reason. They are
/// printed on every run rather than skipped, and the test fails when one
/// starts working, so the list cannot go stale.
const KNOWN_GAPS: &[(&str, &str)] = &[
    (
        "pdfjs_issue3521.pdf",
        "CID font with a predefined CJK CMap and no ToUnicode (needs Adobe's CMap data)",
    ),
    (
        "pdfjs_issue16176.pdf",
        "CID font with a predefined CJK CMap and no ToUnicode (needs Adobe's CMap data)",
    ),
    (
        "pdfjs_vertical.pdf",
        "CID font with a predefined CJK CMap (vertical) and no ToUnicode",
    ),
    (
        "pdfjs_issue7665.pdf",
        "AES-256 with empty user password: lopdf opens it, but the content stream does not inflate",
    ),
];

/// Time on top of the limit a file may take: loading cannot be interrupted,
/// and the test build does not optimise our own crate.
const MARGIN: Duration = Duration::from_secs(5);

/// What running `f` cost: CPU time of this thread (what the limit counts,
/// see `extract::Deadline`) and wall-clock time.
fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration, Duration) {
    let cpu = || extract::thread_cpu_time().expect("a thread CPU clock (Linux)");
    let (cpu0, wall0) = (cpu(), Instant::now());
    let out = f();
    (out, cpu() - cpu0, wall0.elapsed())
}

/// Over the limit: more CPU time than `limit` + [`MARGIN`], or more
/// wall-clock time than the backstop (`WALL_CLOCK_FACTOR` × `limit`) + margin.
fn over_limit(cpu: Duration, wall: Duration, limit: Duration) -> Option<String> {
    let backstop = limit * extract::WALL_CLOCK_FACTOR;
    (cpu > limit + MARGIN || wall > backstop + MARGIN).then(|| {
        format!(
            "took {:.1} s CPU, {:.1} s wall (limit {:?} CPU + {:?} margin, backstop {:?} wall)",
            cpu.as_secs_f64(),
            wall.as_secs_f64(),
            limit,
            MARGIN,
            backstop
        )
    })
}

fn torture_dir() -> PathBuf {
    let dir = common::repo_path("../shared/pdf-torture");
    assert!(
        dir.join("MANIFEST.tsv").is_file(),
        "the torture corpus is missing: expected ../shared/pdf-torture/ (with MANIFEST.tsv) \
         next to the repository, at {}",
        dir.display()
    );
    dir
}

fn pdfs_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| ingest::is_indexable(p))
        .collect();
    files.sort();
    files
}

/// Characters that are not whitespace (form feeds and newlines do not count).
fn visible_chars(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// Visible characters `pdftotext FILE -` prints (whatever its exit code,
/// since it prints what it recovered and then complains), stopped after
/// 20 s as in the manifest.
fn pdftotext_chars(pdf: &Path) -> usize {
    let out = Command::new("timeout")
        .arg("20")
        .arg("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("cannot run `timeout pdftotext`");
    if out.status.code() == Some(127) {
        panic!("pdftotext is not installed: install poppler-utils (apt-get install poppler-utils)");
    }
    visible_chars(&String::from_utf8_lossy(&out.stdout))
}

/// The short cause of an error: `damaged`, `too large`, ... (the text
/// before the first `:`), for the per-cause counts.
fn cause(err: &PdfError) -> &'static str {
    match err {
        PdfError::NotPdf => "not a PDF",
        PdfError::PasswordRequired => "encrypted: password required",
        PdfError::Damaged(_) => "damaged",
        PdfError::TooLarge(_) => "too large",
        PdfError::Timeout(_) => "timed out",
    }
}

enum Ours {
    Text {
        chars: usize,
        pages: usize,
    },
    /// Ok, but no page has text, and every page says it has no text layer.
    NoTextLayer {
        pages: usize,
    },
    Failed(PdfError),
    Panicked(String),
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

fn run_ours(path: &Path, limits: &Limits) -> Ours {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    match catch_unwind(AssertUnwindSafe(|| {
        extract::extract_bytes_with(path, &bytes, limits)
    })) {
        Err(payload) => Ours::Panicked(panic_message(&*payload)),
        Ok(Ok(ex)) => {
            let chars = visible_chars(&ex.text());
            if chars == 0 {
                assert!(
                    ex.pages.iter().all(|p| p.source == TextSource::None),
                    "{}: a page without text must say it has no text layer",
                    path.display()
                );
                Ours::NoTextLayer {
                    pages: ex.pages.len(),
                }
            } else {
                Ours::Text {
                    chars,
                    pages: ex.pages.len(),
                }
            }
        }
        Ok(Err(Error::Pdf { source, .. })) => Ours::Failed(source),
        Ok(Err(other)) => panic!("{}: unexpected error kind: {other}", path.display()),
    }
}

#[test]
#[ignore = "needs ../shared"]
fn torture_corpus_ends_in_text_or_one_clear_error() {
    let dir = torture_dir();
    let files = pdfs_in(&dir);
    assert!(
        files.len() >= 150,
        "expected the 152 torture PDFs, found {}",
        files.len()
    );
    let limits = Limits::default();
    let limit = limits.max_time.expect("default limits have a time limit");

    let mut problems = Vec::new();
    let mut by_outcome: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut theirs_text, mut recovered, mut ours_only) = (0, 0, 0);
    let mut not_recovered = Vec::new();
    println!(
        "{:<58} {:>8} {:>40} {:>10}",
        "file", "ms", "ours", "pdftotext"
    );
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let (ours, cpu, elapsed) = timed(|| run_ours(path, &limits));
        let theirs = pdftotext_chars(path);

        let shown = match &ours {
            Ours::Text { chars, pages } => format!("{chars} chars, {pages} pages"),
            Ours::NoTextLayer { pages } => format!("no text layer, {pages} pages"),
            Ours::Failed(e) => e.to_string(),
            Ours::Panicked(m) => format!("PANIC: {m}"),
        };
        let shown: String = shown.chars().take(40).collect();
        println!(
            "{name:<58} {:>8} {shown:>40} {theirs:>10}",
            elapsed.as_millis()
        );

        let outcome = match &ours {
            Ours::Text { .. } => "text",
            Ours::NoTextLayer { .. } => "no text layer",
            Ours::Failed(e) => cause(e),
            Ours::Panicked(_) => "panic",
        };
        *by_outcome.entry(outcome).or_default() += 1;
        let ours_has_text = matches!(ours, Ours::Text { .. });
        if theirs > 0 {
            theirs_text += 1;
            if ours_has_text {
                recovered += 1;
            } else {
                not_recovered.push(format!("{name} ({shown})"));
            }
        } else if ours_has_text {
            ours_only += 1;
        }

        if let Ours::Panicked(m) = &ours {
            problems.push(format!("{name}: panicked: {m}"));
        }
        if let Some(over) = over_limit(cpu, elapsed, limit) {
            problems.push(format!("{name}: {over}"));
        }
        let known_gap = KNOWN_GAPS.iter().find(|(file, _)| *file == name);
        let empty = matches!(ours, Ours::NoTextLayer { .. }) && theirs > 0;
        match known_gap {
            Some((_, why)) if empty => println!("    known gap: {why}"),
            Some(_) => problems.push(format!(
                "{name}: listed in KNOWN_GAPS but no longer an empty result: remove it"
            )),
            None if empty => problems.push(format!(
                "{name}: unexplained empty result (no text on any page, pdftotext finds {theirs} chars)"
            )),
            None => {}
        }
    }

    println!("\n{} files:", files.len());
    for (outcome, n) in &by_outcome {
        println!("  {n:>4}  {outcome}");
    }
    println!(
        "pdftotext finds text in {theirs_text}; we find text in {recovered} of those \
         (and in {ours_only} where pdftotext finds none)"
    );
    println!("not recovered ({}):", not_recovered.len());
    for f in &not_recovered {
        println!("  {f}");
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
#[ignore = "needs ../shared"]
fn indexing_the_torture_folder_indexes_the_readable_and_lists_the_rest() {
    let dir = torture_dir();
    let files = pdfs_in(&dir);
    let tmp = tempfile::tempdir().expect("temp dir");
    let index = PassageIndex::open_or_create(&tmp.path().join("index")).expect("index");
    let options = IngestOptions {
        writer_memory: 30_000_000,
        ..IngestOptions::default()
    };
    let start = Instant::now();
    let report = ingest::ingest(&index, &[dir], &options, &mut NoProgress)
        .expect("a folder of broken files is not an error for the run");
    println!(
        "indexed {} files ({} pages, {} passages, {} without text), {} failed, in {:.1} s",
        report.indexed,
        report.pages,
        report.passages,
        report.without_text.len(),
        report.failed.len(),
        start.elapsed().as_secs_f64()
    );
    for failure in &report.failed {
        println!(
            "  {}: {}",
            failure.path.file_name().unwrap().to_string_lossy(),
            failure.reason
        );
    }
    assert_eq!(
        report.indexed + report.failed.len(),
        files.len(),
        "every PDF is either indexed or listed as failed"
    );
    assert!(report.indexed >= files.len() / 2, "most files are readable");
    for failure in &report.failed {
        assert!(
            !failure.reason.contains("panic"),
            "{}: {}",
            failure.path.display(),
            failure.reason
        );
        let known = [
            "not a PDF",
            "encrypted: password required",
            "damaged: ",
            "too large: ",
            "timed out after ",
        ];
        assert!(
            known.iter().any(|k| failure.reason.starts_with(k)),
            "{}: reason does not name one of the known causes: {}",
            failure.path.display(),
            failure.reason
        );
    }
}

/// Inputs fuzzing found once (crashes, hangs): each must now end in text
/// or an error, quickly.
#[test]
fn regressions_do_not_panic() {
    let dir = common::repo_path("tests/data/regressions");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no regression inputs in {}",
        dir.display()
    );
    let limits = Limits {
        max_time: Some(Duration::from_secs(5)),
        ..Limits::default()
    };
    for path in &files {
        let (ours, cpu, wall) = timed(|| run_ours(path, &limits));
        if let Ours::Panicked(m) = ours {
            panic!("{}: panicked: {m}", path.display());
        }
        if let Some(over) = over_limit(cpu, wall, Duration::from_secs(5)) {
            panic!("{}: {over}", path.display());
        }
    }
}

/// xorshift64*: a few lines, reproducible from the seed, no dependency.
struct Rng(u64);

impl Rng {
    /// Seeds go through splitmix64, so nearby seeds give unrelated streams
    /// (and the state is never the fixed point 0).
    fn new(seed: u64) -> Rng {
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Rng((z ^ (z >> 31)).max(1))
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Tokens that steer a mutation towards the parser's interesting paths.
const TOKENS: &[&[u8]] = &[
    b" obj ",
    b"endobj",
    b"stream\n",
    b"endstream",
    b" 0 R ",
    b"<<",
    b">>",
    b"[",
    b"]",
    b"/Filter /FlateDecode",
    b"/Length 999999999",
    b"/Kids [1 0 R]",
    b"/Parent 2 0 R",
    b"xref\n0 1\n",
    b"trailer",
    b"startxref\n0\n",
    b"%%EOF",
    b"-2147483649",
    b"1e308",
    b"BT",
    b"ET",
    b"Tj",
    b"TJ",
    b"Do",
    b"q",
    b"Q",
    b"cm",
    b"/Type0",
    b"beginbfrange",
    b"<0000> <FFFF> <0000>",
    b"/ObjStm",
    b"/N 2147483647",
    b"/Encrypt 1 0 R",
    b"(",
];

fn mutate(input: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(8) {
        let len = out.len();
        let at = rng.below(len + 1);
        match rng.below(7) {
            0 if len > 0 => out[at.min(len - 1)] ^= 1 << rng.below(8),
            1 if len > 0 => out[at.min(len - 1)] = rng.next() as u8,
            2 => {
                let n = rng.below(64).min(len - at);
                out.drain(at..at + n);
            }
            3 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                out.splice(at..at, t.iter().copied());
            }
            4 if len > 0 => {
                // Duplicate a chunk elsewhere (repeated objects, nested arrays).
                let from = rng.below(len);
                let n = rng.below(256).min(len - from);
                let chunk = out[from..from + n].to_vec();
                out.splice(at..at, chunk);
            }
            5 => out.truncate(at),
            _ => {
                // Replace a digit run with a huge or negative number.
                if let Some(p) = out[at..].iter().position(u8::is_ascii_digit) {
                    let p = at + p;
                    let end = out[p..]
                        .iter()
                        .position(|c| !c.is_ascii_digit())
                        .map_or(out.len(), |e| p + e);
                    let n: &[u8] = [
                        b"0".as_slice(),
                        b"4294967296",
                        b"99999999999999999999",
                        b"-1",
                    ][rng.below(4)];
                    out.splice(p..end, n.iter().copied());
                }
            }
        }
    }
    out
}

/// A bounded, reproducible stand-in for `cargo fuzz` on stable Rust:
/// mutate the small torture files and require text or an error, in time.
/// A failing input is saved under the test's temp dir and named in the
/// failure; move it to `tests/data/regressions/` once fixed.
#[test]
#[ignore = "needs ../shared"]
fn mutation_fuzz_loop() {
    let dir = torture_dir();
    let seeds: Vec<Vec<u8>> = pdfs_in(&dir)
        .into_iter()
        .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.len() < 20_000))
        .map(|p| std::fs::read(p).expect("read seed"))
        .collect();
    assert!(!seeds.is_empty(), "no small seeds in {}", dir.display());
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .map(|v| {
                v.parse()
                    .unwrap_or_else(|_| panic!("{name} must be a number"))
            })
            .unwrap_or(default)
    };
    let iterations = env("RATSUCHE_FUZZ_ITERS", 3_000);
    let seed = env("RATSUCHE_FUZZ_SEED", 0x5eed_0007);
    let mut rng = Rng::new(seed);
    let budget = Duration::from_secs(2);
    let limits = Limits {
        max_stream_bytes: 16 << 20,
        max_time: Some(budget),
        ..Limits::default()
    };
    let out_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz-failures");
    let mut failures = Vec::new();
    let mut outcomes: BTreeMap<&str, usize> = BTreeMap::new();
    let start = Instant::now();
    for i in 0..iterations {
        let input = mutate(&seeds[rng.below(seeds.len())], &mut rng);
        let (result, cpu, wall) = timed(|| {
            catch_unwind(AssertUnwindSafe(|| {
                extract::extract_pdf_with(&input, &limits)
            }))
        });
        let problem = match &result {
            Err(payload) => Some(format!("panic: {}", panic_message(&**payload))),
            Ok(_) => over_limit(cpu, wall, budget),
        };
        *outcomes
            .entry(match &result {
                Ok(Ok(_)) => "text or no text layer",
                Ok(Err(e)) => cause(e),
                Err(_) => "panic",
            })
            .or_default() += 1;
        if let Some(problem) = problem {
            std::fs::create_dir_all(&out_dir).expect("create failure dir");
            let path = out_dir.join(format!("iter{i}-seed{seed:x}.pdf"));
            std::fs::write(&path, &input).expect("save failing input");
            failures.push(format!("{}: {problem}", path.display()));
        }
    }
    println!(
        "{iterations} mutated inputs (seed {seed:#x}) in {:.1} s: {outcomes:?}",
        start.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} failing inputs:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
