//! `ingest`: files and folders → an up-to-date index.
//!
//! Takes the paths a user names and a [`PassageIndex`]; finds the `.pdf` and
//! `.txt` files under them, skips files whose content hash the index already
//! holds, runs extract → clean → structure → passages → analysis for the
//! rest in parallel on a pool of [`IngestOptions::threads`] workers (rayon),
//! and feeds the results through a bounded channel to the one index writer,
//! so memory stays bounded however many files there are. Gives an
//! [`IngestReport`]: what was indexed, skipped, removed, and what failed why.
//!
//! # Threads
//!
//! All per-file work, the analysis chain included, runs on the worker pool
//! (see [`crate::index::DocumentBuilder`]); the index writer's own thread
//! only records the analysed tokens (about a tenth of the work), and the
//! calling thread passes documents on. So `threads` workers keep about
//! `threads` cores busy, and a second worker has a second core's worth of
//! work to do. Workers take the files one at a time, in walk order, each
//! the next file when it is free, so they finish together.
//!
//! # Incremental indexing
//!
//! A file's identity is its canonical absolute path; its version is the
//! blake3 hash of its bytes. Per run:
//!
//! * same path, same hash as in the index → skipped (`unchanged`);
//! * new path or different hash → its old passages (if any) are deleted and
//!   the new ones added, in one step, so a commit never holds half a file;
//! * a path the index holds under a *folder* named in this run that no longer
//!   exists there → removed. Files named one by one are never removed, and
//!   nothing under a subfolder that could not be read is removed either;
//! * a file that fails keeps whatever the index held for it before.
//!
//! Failures are per file (unreadable, damaged PDF, even a panic inside
//! extraction, caught at the document boundary): reported and skipped, while
//! everything else is committed. Progress is reported through the
//! [`Progress`] trait so the library does not depend on a terminal UI.

use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use rayon::prelude::*;

use crate::analysis;
use crate::clean;
use crate::error::{Error, Result};
use crate::extract;
use crate::index::{
    CommitPolicy, DocumentBuilder, IndexedDocument, IndexedFiles, PassageIndex, PreparedFile,
    DEFAULT_WRITER_MEMORY,
};
use crate::model::{Extracted, TextSource};
use crate::ocr;
use crate::structure::{self, DocStructure};

/// Tuning knobs of [`ingest`]; `Default` is what the CLI uses.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Memory budget of the index writer in bytes.
    pub writer_memory: usize,
    /// When to commit during the run, so a crash loses at most that much
    /// work (default: five minutes' worth; see [`CommitPolicy`]).
    pub commit: CommitPolicy,
    /// Bounds on the work one file may cause, among them the per-document
    /// time limit (`extract_limits.max_time`, 10 s by default): a file over
    /// a limit is listed in [`IngestReport::failed`] with the cause.
    pub extract_limits: extract::Limits,
    /// OCR of pages without text (see [`crate::ocr`]).
    pub ocr: ocr::Ocr,
    /// Set it to `true` to stop the run early (the CLI does on Ctrl-C):
    /// no new file is started, the files already prepared are written and
    /// committed, nothing is removed, and [`IngestReport::not_reached`]
    /// counts the files left for the next run.
    pub stop: Option<Arc<AtomicBool>>,
    /// Worker threads for the per-file work (`None`: rayon's default, one
    /// per core unless `RAYON_NUM_THREADS` says otherwise). The index
    /// writer adds one thread per [`WORKERS_PER_WRITER_THREAD`] workers.
    pub threads: Option<usize>,
}

/// Workers one index-writer thread keeps up with: recording tokens costs
/// about a tenth of what producing them does.
///
/// A second writer thread at two workers was measured and left out
/// (`benches/HISTORY.md`, "Serial phases of `ratsuche index`"): each thread
/// writes its own segment, so the one-thread flush at the end of a
/// Karlsruhe run (~0.9 CPU s) becomes two of ~0.6 s side by side, but the
/// run costs more CPU, no wall-clock gain showed in alternated runs,
/// searches over two segments were slower (ids only: ~17 % fewer
/// queries/s), and peak RSS at ten times Karlsruhe rose to 684 MB.
pub const WORKERS_PER_WRITER_THREAD: usize = 6;

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            writer_memory: DEFAULT_WRITER_MEMORY,
            commit: CommitPolicy::default(),
            extract_limits: extract::Limits::default(),
            ocr: ocr::Ocr::default(),
            stop: None,
            threads: None,
        }
    }
}

/// A file that could not be indexed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFailure {
    /// The path as discovered (as the user gave it, joined with the walk).
    pub path: PathBuf,
    pub reason: String,
}

/// What one [`ingest`] run did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IngestReport {
    /// Files (new or changed) whose passages were written.
    pub indexed: usize,
    /// Files skipped because the index already holds their content.
    pub unchanged: usize,
    /// Canonical paths removed because they vanished from a folder.
    pub removed: Vec<PathBuf>,
    /// Files not indexed, with the reason.
    pub failed: Vec<FileFailure>,
    /// Files indexed only in part, with what was left out (`timed out
    /// after 10 s: 12 of 47 pages`: the first 12 pages are indexed). They
    /// are counted in `indexed` too, and extracted again on the next run
    /// rather than skipped as unchanged.
    pub partial: Vec<FileFailure>,
    /// Indexed files without any text (scans without OCR, empty files).
    pub without_text: Vec<PathBuf>,
    /// Pages and passages written for the indexed files.
    pub pages: usize,
    pub passages: usize,
    /// Pages whose text came from OCR, and how many of them from the cache.
    pub ocr_pages: usize,
    pub ocr_cached: usize,
    /// Files with pages that needed OCR and did not get it.
    pub ocr_skipped: Vec<OcrSkipped>,
    /// Files the run did not get to because it was stopped
    /// ([`IngestOptions::stop`]); 0 for a run that finished.
    pub not_reached: usize,
}

/// Pages of one file left without text although OCR could have read them.
#[derive(Debug, Clone, PartialEq)]
pub struct OcrSkipped {
    pub path: PathBuf,
    pub pages: Vec<ocr::SkippedPage>,
}

impl IngestReport {
    /// Some file failed or was indexed only in part.
    pub fn has_failures(&self) -> bool {
        !self.failed.is_empty() || !self.partial.is_empty()
    }

    /// The run was stopped before it checked every file.
    pub fn interrupted(&self) -> bool {
        self.not_reached > 0
    }
}

fn stopped(options: &IngestOptions) -> bool {
    is_set(options.stop.as_deref())
}

/// Whether a stop flag (the CLI's Ctrl-C) is given and set.
pub(crate) fn is_set(stop: Option<&AtomicBool>) -> bool {
    stop.is_some_and(|stop| stop.load(Ordering::Relaxed))
}

/// What the index stores as the content hash of a file indexed only in
/// part: never equal to a real hash, so the next run extracts it again.
fn partial_hash(hash: &str) -> String {
    format!("{hash}+partial")
}

/// What happened to one file, as reported to [`Progress::file_done`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileStatus {
    Indexed,
    Unchanged,
    Failed,
}

/// Receives progress while [`ingest`] runs. All calls come from the thread
/// that called `ingest`, in order; every method has a no-op default.
pub trait Progress {
    /// Discovery is done; `files` files will be checked.
    fn start(&mut self, _files: usize) {}
    /// One file is done; `pages` is its page count (0 unless indexed).
    fn file_done(&mut self, _path: &Path, _status: FileStatus, _pages: usize) {}
    /// A step after the per-file work: "removing", "committing".
    fn step(&mut self, _name: &str) {}
}

/// A [`Progress`] that ignores everything.
pub struct NoProgress;

impl Progress for NoProgress {}

/// A file found on disk, with its identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The path as the user gave it (joined with the walk), for display.
    pub path: PathBuf,
    /// Canonical absolute path: the identity.
    pub canonical: PathBuf,
}

/// The result of walking the paths a user named.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Indexable files, each once, in walk order.
    pub files: Vec<SourceFile>,
    /// Canonical folders that were walked: indexed files under them that
    /// were not found again are removed.
    pub roots: Vec<PathBuf>,
    /// Canonical paths below which the walk failed: nothing under them is
    /// removed, since their files could not be seen.
    pub unreadable: Vec<PathBuf>,
    /// Entries that could not be walked or are not indexable.
    pub failed: Vec<FileFailure>,
}

/// True for `.pdf` and `.txt` files, case-insensitively.
pub fn is_indexable(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf") || e.eq_ignore_ascii_case("txt"))
}

/// Walk the given files and folders. A path that does not exist is an
/// error for the whole run (a typo must not look like "nothing to do");
/// problems inside a folder are collected in [`Discovery::failed`].
///
/// Symbolic links are followed (a folder of links to the papers of one
/// committee is a corpus like any other); a dangling link or a link loop is
/// a failed entry. Each folder is walked once, however many links lead to
/// it. A file is known by its canonical path, so a file reached
/// through a link that leads out of the walked folder is removed from the
/// index only by a run over the folder it really lies in.
pub fn discover(inputs: &[PathBuf]) -> Result<Discovery> {
    let mut found = Discovery::default();
    let mut seen = HashSet::new();
    let mut folders = HashSet::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|e| Error::io(input, e))?;
        let canonical = input.canonicalize().map_err(|e| Error::io(input, e))?;
        if meta.is_file() {
            if !is_indexable(input) {
                found.failed.push(FileFailure {
                    path: input.clone(),
                    reason: "unsupported file type (expected .pdf or .txt)".into(),
                });
            } else if seen.insert(canonical.clone()) {
                found.files.push(SourceFile {
                    path: input.clone(),
                    canonical,
                });
            }
            continue;
        }
        found.roots.push(canonical);
        for entry in walk(input, &mut folders) {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    let path = err.path().unwrap_or(input).to_path_buf();
                    // A loop leads back to a folder that is walked anyway:
                    // it hides nothing, so it must not stop removals there.
                    if err.loop_ancestor().is_none() {
                        if let Ok(c) = path.canonicalize() {
                            found.unreadable.push(c);
                        }
                    }
                    let reason = err
                        .io_error()
                        .map(|e| e.to_string())
                        .unwrap_or_else(|| err.to_string());
                    found.failed.push(FileFailure { path, reason });
                    continue;
                }
            };
            if !entry.file_type().is_file() || !is_indexable(entry.path()) {
                continue;
            }
            match entry.path().canonicalize() {
                Ok(canonical) => {
                    if seen.insert(canonical.clone()) {
                        found.files.push(SourceFile {
                            path: entry.into_path(),
                            canonical,
                        });
                    }
                }
                Err(e) => found.failed.push(FileFailure {
                    path: entry.into_path(),
                    reason: e.to_string(),
                }),
            }
        }
    }
    Ok(found)
}

/// The entries under `dir` in name order, following symbolic links, with
/// each folder walked once: a folder whose canonical path is in `folders`
/// (those walked before, which this walk adds to) is skipped, however many
/// links lead to it. Walking it again would find no new file, and folders
/// that link twice to the next, level after level, would make the walk
/// exponential and report each broken entry below them once per route. A
/// link loop is an error entry, as in [`walkdir`].
pub(crate) fn walk<'a>(
    dir: &Path,
    folders: &'a mut HashSet<PathBuf>,
) -> impl Iterator<Item = walkdir::Result<walkdir::DirEntry>> + 'a {
    let mut entries = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    std::iter::from_fn(move || loop {
        let entry = entries.next()?;
        if let Ok(dir) = &entry {
            if dir.file_type().is_dir() {
                if let Ok(canonical) = dir.path().canonicalize() {
                    if !folders.insert(canonical) {
                        entries.skip_current_dir();
                        continue;
                    }
                }
            }
        }
        return Some(entry);
    })
}

/// Extract and clean a file: the text exactly as it is indexed.
pub fn extract_clean(path: &Path) -> Result<Extracted> {
    extract_clean_with(path, &extract::Limits::default())
}

/// [`extract_clean`] with explicit extraction limits.
pub fn extract_clean_with(path: &Path, limits: &extract::Limits) -> Result<Extracted> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    extract_clean_bytes_with(path, &bytes, limits)
}

/// [`extract_clean`] on bytes already read (`path` decides the file type
/// and names errors). Indexing hashes and extracts the same bytes, so the
/// stored hash always describes the indexed text.
pub fn extract_clean_bytes(path: &Path, bytes: &[u8]) -> Result<Extracted> {
    extract_clean_bytes_with(path, bytes, &extract::Limits::default())
}

/// [`extract_clean_bytes`] with explicit extraction limits.
pub fn extract_clean_bytes_with(
    path: &Path,
    bytes: &[u8],
    limits: &extract::Limits,
) -> Result<Extracted> {
    let extracted = extract::extract_bytes_with(path, bytes, limits)?;
    Ok(Extracted {
        pages: clean::clean(extracted.pages),
        timed_out: extracted.timed_out,
    })
}

/// [`extract_clean_bytes_with`] plus OCR of the pages `ocr` selects
/// (between extraction and cleaning, so OCR text is cleaned like native).
pub fn extract_ocr_clean_bytes(
    path: &Path,
    bytes: &[u8],
    limits: &extract::Limits,
    ocr: &ocr::Ocr,
) -> Result<(Extracted, ocr::OcrReport)> {
    let mut extracted = extract::extract_bytes_with(path, bytes, limits)?;
    let is_pdf = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    let report = if is_pdf {
        ocr.apply(bytes, &mut extracted)
    } else {
        ocr::OcrReport::default()
    };
    Ok((
        Extracted {
            pages: clean::clean(extracted.pages),
            timed_out: extracted.timed_out,
        },
        report,
    ))
}

/// What `inspect` shows of one file: the recognised structure plus the
/// facts the caller knows (file, page count, language). Serialises to the
/// `inspect --json` shape shared by every front end.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Inspection {
    pub file: String,
    pub pages: usize,
    pub language: &'static str,
    /// Pages without a text layer (scans), 1-based.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pages_without_text: Vec<u32>,
    #[serde(flatten)]
    pub structure: DocStructure,
}

/// Extract, clean and recognise one file's structure.
pub fn inspect(path: &Path) -> Result<Inspection> {
    let extracted = extract_clean(path)?;
    Ok(inspect_extracted(&path.to_string_lossy(), &extracted))
}

/// [`inspect`] on text already extracted and cleaned.
pub fn inspect_extracted(file: &str, extracted: &Extracted) -> Inspection {
    Inspection {
        file: file.to_string(),
        pages: extracted.pages.len(),
        language: analysis::detect_language(&extracted.text()).code(),
        pages_without_text: extracted
            .pages
            .iter()
            .filter(|p| p.source == TextSource::None)
            .map(|p| p.number)
            .collect(),
        structure: structure::analyze(&extracted.pages),
    }
}

/// The outcome of the per-file work done on a rayon thread.
enum Prepared {
    Unchanged(PathBuf),
    Ready {
        documents: PreparedFile,
        /// The path as discovered, for the report.
        file: PathBuf,
        /// No passage had text (a scan without OCR, an empty file).
        without_text: bool,
        pages: usize,
        ocr: ocr::OcrReport,
        /// Set when only the first pages were read (time limit).
        partial: Option<String>,
    },
    Failed(FileFailure),
}

/// Hash, and if changed extract, clean, cut into passages and analyse one
/// file.
fn prepare(
    file: &SourceFile,
    known: &IndexedFiles,
    options: &IngestOptions,
    builder: &mut DocumentBuilder,
) -> Prepared {
    let failed = |reason: String| {
        Prepared::Failed(FileFailure {
            path: file.path.clone(),
            reason,
        })
    };
    let bytes = match std::fs::read(&file.path) {
        Ok(bytes) => bytes,
        Err(e) => return failed(e.to_string()),
    };
    let hash = blake3::hash(&bytes).to_hex().to_string();
    if known.hash_of(&file.canonical) == Some(hash.as_str()) {
        return Prepared::Unchanged(file.path.clone());
    }
    let extracted =
        extract_ocr_clean_bytes(&file.path, &bytes, &options.extract_limits, &options.ocr);
    let (extracted, ocr) = match extracted {
        Ok(done) => done,
        // The error already names the path; the report names it again.
        Err(e) => return failed(strip_path(&e, &file.path)),
    };
    let partial = extracted.timed_out.map(|cut| cut.to_string());
    let hash = match partial {
        Some(_) => partial_hash(&hash),
        None => hash,
    };
    let language = analysis::detect_language(&text_head(&extracted.pages));
    let (recognised, passages) = structure::analyze_with_passages(&extracted.pages);
    let doc = IndexedDocument {
        page_sources: extracted.pages.iter().map(|p| p.source).collect(),
        path: file.canonical.clone(),
        file: file.path.to_string_lossy().into_owned(),
        hash,
        language,
        meta: recognised.meta(),
        passages,
    };
    Prepared::Ready {
        documents: builder.build(&doc),
        file: PathBuf::from(doc.file),
        without_text: doc.passages.is_empty(),
        pages: extracted.pages.len(),
        ocr,
        partial,
    }
}

/// The start of [`Extracted::text`]: at least the part
/// [`analysis::detect_language`] reads, without copying a long document.
fn text_head(pages: &[crate::model::Page]) -> String {
    let mut head = String::new();
    for page in pages {
        if head.len() > analysis::language::SAMPLE_BYTES {
            break;
        }
        for (i, line) in page.lines.iter().enumerate() {
            if i > 0 {
                head.push('\n');
            }
            head.push_str(&line.text);
        }
        head.push_str("\n\u{c}");
    }
    head
}

/// The reason of an error without the leading "path: " the library adds,
/// since the report prints the path itself.
fn strip_path(err: &Error, path: &Path) -> String {
    let text = err.to_string();
    let prefix = format!("{}: ", path.display());
    text.strip_prefix(&prefix)
        .map(str::to_string)
        .unwrap_or(text)
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// `items` for the workers, one at a time and in order, each to whichever
/// worker is free. Not `par_iter`: rayon cuts a slice into runs of files
/// that one worker goes through alone, so at the end of a run the other
/// sat idle while the last run was finished (0.15–3.5 s of a ~9 s
/// Karlsruhe run with two workers; `benches/HISTORY.md`, "Serial phases of
/// `ratsuche index`"). The workers' state (the channel's sender, the
/// document builder) is still cloned once per worker, not per file.
fn share_out<T: Sync>(items: &[T]) -> impl ParallelIterator<Item = &T> {
    items.iter().par_bridge()
}

/// Bring the index up to date with the files under `inputs`.
///
/// Returns `Err` only for problems with the run as a whole (a named path
/// does not exist, the index cannot be written); per-file problems are in
/// [`IngestReport::failed`] and everything else is committed.
pub fn ingest(
    index: &PassageIndex,
    inputs: &[PathBuf],
    options: &IngestOptions,
    progress: &mut dyn Progress,
) -> Result<IngestReport> {
    let discovery = discover(inputs)?;
    let known = index.indexed_files()?;
    let workers = options
        .threads
        .unwrap_or_else(rayon::current_num_threads)
        .max(1);
    // A pool of exactly `workers` threads; should the system refuse to
    // start one, the work runs on rayon's global pool instead.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .build()
        .ok();
    let mut writer = index.writer_with_threads(
        options.writer_memory,
        Some(workers.div_ceil(WORKERS_PER_WRITER_THREAD)),
    )?;
    let builder = writer.document_builder();
    let mut report = IngestReport {
        failed: discovery.failed.clone(),
        ..IngestReport::default()
    };
    progress.start(discovery.files.len());

    // Room for a few finished documents per worker: enough to keep the
    // writer busy, few enough that memory does not grow with the corpus.
    let (sender, receiver) = crossbeam_channel::bounded(2 * workers);
    let write_result: Result<()> = std::thread::scope(|scope| {
        let files = &discovery.files;
        let known = &known;
        let pool = pool.as_ref();
        scope.spawn(move || {
            // `try_for_each` stops early once the receiver is gone (the
            // writer failed), instead of extracting files nobody will store.
            let work = || {
                share_out(files).try_for_each_with((sender, builder), |(sender, builder), file| {
                    if stopped(options) {
                        return Err(());
                    }
                    let prepared =
                        catch_unwind(AssertUnwindSafe(|| prepare(file, known, options, builder)))
                            .unwrap_or_else(|payload| {
                                Prepared::Failed(FileFailure {
                                    path: file.path.clone(),
                                    reason: format!(
                                        "panic while preparing the file: {}",
                                        panic_message(&*payload)
                                    ),
                                })
                            });
                    // An error means the writer is gone: stop.
                    sender.send(prepared).map_err(|_| ())
                })
            };
            let _ = match pool {
                Some(pool) => pool.install(work),
                None => work(),
            };
        });
        // Dropping the receiver on error (by returning) unblocks the workers.
        for prepared in receiver {
            match prepared {
                Prepared::Unchanged(path) => {
                    report.unchanged += 1;
                    progress.file_done(&path, FileStatus::Unchanged, 0);
                }
                Prepared::Failed(failure) => {
                    progress.file_done(&failure.path, FileStatus::Failed, 0);
                    report.failed.push(failure);
                }
                Prepared::Ready {
                    documents,
                    file,
                    without_text,
                    pages,
                    ocr,
                    partial,
                } => {
                    report.ocr_pages += ocr.pages.len();
                    report.ocr_cached += ocr.cached;
                    if !ocr.skipped.is_empty() {
                        report.ocr_skipped.push(OcrSkipped {
                            path: file.clone(),
                            pages: ocr.skipped,
                        });
                    }
                    report.passages += writer.write(documents)?;
                    report.indexed += 1;
                    report.pages += pages;
                    if let Some(reason) = partial {
                        report.partial.push(FileFailure {
                            path: file.clone(),
                            reason,
                        });
                    }
                    progress.file_done(&file, FileStatus::Indexed, pages);
                    if without_text {
                        report.without_text.push(file);
                    }
                    if writer.commit_due(&options.commit) {
                        progress.step("committing");
                        writer.commit()?;
                    }
                }
            }
        }
        Ok(())
    });
    write_result?;

    if stopped(options) {
        let done = report.indexed + report.unchanged + report.failed.len() - discovery.failed.len();
        // Zero when the workers had finished every file before the stop.
        report.not_reached = discovery.files.len().saturating_sub(done);
    }

    // An interrupted run has not looked at every file: it removes nothing.
    if !report.interrupted() {
        let found: HashSet<&Path> = discovery
            .files
            .iter()
            .map(|f| f.canonical.as_path())
            .collect();
        let mut removed: Vec<PathBuf> = known
            .paths()
            .filter(|path| !found.contains(path))
            .filter(|path| discovery.roots.iter().any(|root| path.starts_with(root)))
            .filter(|path| !discovery.unreadable.iter().any(|dir| path.starts_with(dir)))
            .map(Path::to_path_buf)
            .collect();
        removed.sort();
        if !removed.is_empty() {
            progress.step("removing");
            for path in &removed {
                writer.remove(path);
            }
        }
        report.removed = removed;
    }
    progress.step("committing");
    writer.finish()?;
    report.failed.sort_by(|a, b| a.path.cmp(&b.path));
    report.partial.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_head_is_what_language_detection_reads() {
        use crate::model::{Line, Page, TextSource};
        let page = |number, line: &str, lines| Page {
            number,
            width: 0.0,
            height: 0.0,
            lines: (0..lines).map(|_| Line::plain(line)).collect(),
            source: TextSource::Native,
        };
        let sample = analysis::language::SAMPLE_BYTES;
        for pages in [
            vec![],
            vec![page(1, "kurz", 2)],
            vec![page(1, "Ärzte und Zahnärzte", 300), page(2, "x", 3000)],
            (1..50)
                .map(|n| page(n, "Die Kreisverwaltung", 40))
                .collect(),
        ] {
            let full = Extracted {
                pages: pages.clone(),
                timed_out: None,
            }
            .text();
            let head = text_head(&pages);
            assert!(full.starts_with(&head));
            assert!(
                head.len() > sample || head == full,
                "{} of {}",
                head.len(),
                full.len()
            );
        }
    }

    #[test]
    fn indexable_extensions_ignore_case() {
        assert!(is_indexable(Path::new("a/B.PDF")));
        assert!(is_indexable(Path::new("x.Txt")));
        assert!(!is_indexable(Path::new("x.docx")));
        assert!(!is_indexable(Path::new("pdf")));
    }

    #[test]
    fn a_worker_stuck_on_one_file_leaves_every_other_file_to_the_rest() {
        use std::sync::atomic::AtomicUsize;
        use std::time::{Duration, Instant};
        // One file (whichever a worker takes first) holds its worker until
        // the other worker has done every other file, or 60 s have passed
        // (a bound for the failing case only).
        // Split into runs of files (`par_iter`), the files after the slow
        // one in its run would wait for it instead.
        let files: Vec<usize> = (0..64).collect();
        let done = AtomicUsize::new(0);
        let slow_taken = AtomicBool::new(false);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let others_done_while_stuck = pool.install(|| {
            share_out(&files)
                .map(|_| {
                    if slow_taken.swap(true, Ordering::SeqCst) {
                        done.fetch_add(1, Ordering::SeqCst);
                        return None;
                    }
                    let start = Instant::now();
                    while done.load(Ordering::SeqCst) < files.len() - 1
                        && start.elapsed() < Duration::from_secs(60)
                    {
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    Some(done.load(Ordering::SeqCst))
                })
                .flatten()
                .collect::<Vec<_>>()
        });
        assert_eq!(others_done_while_stuck, vec![files.len() - 1]);
    }
}
