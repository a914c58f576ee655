//! `index`: the on-disk tantivy index of passages.
//!
//! Takes [`IndexedDocument`]s (one source file: its identity, content hash,
//! language, [`DocMeta`] and [`Passage`]s) and stores one tantivy document per
//! passage (see [`schema`]). Gives back a [`PassageIndex`] to search and the
//! [`IndexedFiles`] map (canonical path → content hash) that incremental
//! indexing compares against.
//!
//! The index is its own bookkeeping: which files it holds and in which
//! version is read from the index itself (fast fields `path` and `hash`), so
//! there is no state file that could drift from what is really searchable.
//! Every commit carries [`schema::schema_payload`], so an index built by an
//! incompatible version is refused with a message instead of misbehaving.
//!
//! Custom analyzers are not persisted by tantivy: [`PassageIndex`] registers
//! them (via [`analysis::register`]) on every create and open.

mod commit;
mod merge;
pub mod schema;
mod tokens;
mod writer;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tantivy::{Index, IndexReader, ReloadPolicy};

use crate::analysis;
use crate::error::{Error, Result};
use crate::model::{DocMeta, Passage, TextSource};

pub use commit::CommitPolicy;
pub use merge::{CappedMergePolicy, MAX_MERGED_DOCS, MERGE_THREADS};
pub use schema::{Fields, SCHEMA_VERSION};
pub use writer::{DocumentBuilder, PassageWriter, PreparedFile};

/// Memory budget of the index writer: enough for large batches, small
/// enough for a laptop. Tantivy splits it between its indexing threads.
/// Ingest commits once the text written reaches half of it
/// ([`PassageWriter::commit_due`]): 128 MB of text, so all of Karlsruhe's
/// 95 MB fit in one segment (peak RSS 254 MB, `benches/HISTORY.md`,
/// "Commits by time").
pub const DEFAULT_WRITER_MEMORY: usize = 256_000_000;

/// The least memory an indexing thread gets. Tantivy accepts 15 MB, but
/// sets up to a third of a thread's share aside for its term table and
/// then flushes every ~2 MB of text; at 50 MB and more a thread holds
/// about as many bytes of postings as the text it indexed
/// ([`PassageWriter::commit_due`]).
const MIN_MEMORY_PER_THREAD: usize = 50_000_000;

/// Writer threads [`PassageIndex::writer`] starts at most (tantivy's own
/// default limit): they only record tokens, and each writes its own segment.
const MAX_WRITER_THREADS: usize = 8;

/// Everything the index stores about one source file.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexedDocument {
    /// Canonical absolute path: the file's identity.
    pub path: PathBuf,
    /// The path as the user gave it, for display.
    pub file: String,
    /// blake3 of the file's bytes, hex.
    pub hash: String,
    pub language: analysis::Lang,
    pub meta: DocMeta,
    pub passages: Vec<Passage>,
    /// Where each page's text came from, page 1 first; pages not listed
    /// count as native (text files, metadata records).
    pub page_sources: Vec<TextSource>,
}

impl IndexedDocument {
    pub fn doc_id(&self) -> String {
        doc_id_for(&self.path)
    }
}

/// The document id of a canonical path: the first 16 hex digits of the
/// blake3 hash of the path (64 bits: collisions are not a concern at the
/// scale of a council archive).
pub fn doc_id_for(path: &Path) -> String {
    let hash = blake3::hash(path_key(path).as_bytes());
    hash.to_hex()[..16].to_string()
}

/// True when `text` has the shape of a [`doc_id_for`] id (16 lowercase hex
/// digits). Front ends check ids they receive before looking them up.
pub fn is_doc_id(text: &str) -> bool {
    text.len() == 16 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Where an indexed document came from, as the index stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentSource {
    pub doc_id: String,
    /// Canonical absolute path of the file when it was indexed.
    pub path: PathBuf,
    /// The path as the user gave it when the file was indexed.
    pub file: String,
}

/// The string under which a canonical path is stored in the `path` field.
/// Non-UTF-8 bytes are replaced (lossy); such paths are vanishingly rare in
/// council archives and still get a stable key.
pub fn path_key(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// An opened index: the tantivy index with analyzers registered and its
/// field handles resolved.
#[derive(Clone)]
pub struct PassageIndex {
    index: Index,
    fields: Fields,
    dir: PathBuf,
}

impl std::fmt::Debug for PassageIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PassageIndex")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl PassageIndex {
    /// Open an existing index; fails with a hint when `dir` holds none.
    pub fn open(dir: &Path) -> Result<PassageIndex> {
        if !has_index(dir) {
            return Err(index_dir_error(
                dir,
                "no index here (build one with `ratsuche index PATH… --index DIR`)",
            ));
        }
        let index = Index::open_in_dir(dir).map_err(|e| match io_cause(&e) {
            Some(io) => index_dir_error(dir, format!("cannot open the index: {io}")),
            None => index_dir_error(dir, e),
        })?;
        Self::checked(index, dir)
    }

    /// Open the index in `dir`, creating the directory and an empty index
    /// when there is none yet. Refuses to create an index in a non-empty
    /// directory that holds something else (dotfiles such as `.gitkeep` are
    /// allowed), so a mistyped `--index` cannot litter a folder of PDFs.
    pub fn open_or_create(dir: &Path) -> Result<PassageIndex> {
        if has_index(dir) {
            return Self::open(dir);
        }
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let foreign = std::fs::read_dir(dir)
            .map_err(|e| Error::io(dir, e))?
            .filter_map(|entry| entry.ok())
            .find(|entry| !entry.file_name().to_string_lossy().starts_with('.'));
        if let Some(entry) = foreign {
            return Err(index_dir_error(
                dir,
                format!(
                    "directory is not empty (contains {:?}) and holds no index; \
                     choose an empty or new directory with --index",
                    entry.file_name()
                ),
            ));
        }
        let (schema, fields) = schema::build_schema();
        let index = Index::create_in_dir(dir, schema).map_err(|e| index_dir_error(dir, e))?;
        analysis::register(&index);
        let created = PassageIndex {
            index,
            fields,
            dir: dir.to_path_buf(),
        };
        // Commit once so the payload (schema version) is on disk from the start.
        let mut writer = created.writer(15_000_000)?;
        writer.commit()?;
        writer.finish()?;
        Ok(created)
    }

    fn checked(index: Index, dir: &Path) -> Result<PassageIndex> {
        let (expected, fields) = schema::build_schema();
        let metas = index.load_metas()?;
        let payload = metas.payload;
        let expected_payload = schema::schema_payload();
        // `open_or_create` writes tantivy's first `meta.json` (no payload)
        // and then commits the payload: a process killed in between leaves
        // an empty index without a version. With our schema and no
        // segments there is nothing to be incompatible with; the next
        // commit writes the payload.
        let unfinished_create =
            payload.is_none() && metas.segments.is_empty() && index.schema() == expected;
        if !unfinished_create
            && (payload.as_deref() != Some(expected_payload.as_str()) || index.schema() != expected)
        {
            let found = payload.unwrap_or_else(|| "no ratsuche schema version".into());
            return Err(index_dir_error(
                dir,
                format!(
                    "incompatible index (found {found}, this ratsuche needs {expected_payload}); \
                     delete the directory and run `ratsuche index` again to rebuild it"
                ),
            ));
        }
        analysis::register(&index);
        Ok(PassageIndex {
            index,
            fields,
            dir: dir.to_path_buf(),
        })
    }

    pub fn tantivy(&self) -> &Index {
        &self.index
    }

    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A reader on the last commit. It does not follow later commits by
    /// itself: call `reload()` on it (a long-running server should).
    ///
    /// Tantivy takes a lock file (`.tantivy-meta.lock`) even to read, so a
    /// directory the process cannot write fails here, with the directory
    /// named.
    pub fn reader(&self) -> Result<IndexReader> {
        self.index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| match io_kind(&e) {
                Some(
                    std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem,
                ) => index_dir_error(
                    &self.dir,
                    format!(
                        "cannot read the index (read-only or no permission: tantivy \
                             writes a lock file even to read): {}",
                        io_cause(&e).map_or_else(|| e.to_string(), |io| io.to_string())
                    ),
                ),
                _ => write_error(&self.dir, e),
            })
    }

    /// The only writer of this index (tantivy holds a lock file while it
    /// lives), with one indexing thread per core (at most
    /// eight, tantivy's own limit, as memory allows).
    pub fn writer(&self, memory_budget: usize) -> Result<PassageWriter> {
        self.writer_with_threads(memory_budget, None)
    }

    /// [`PassageIndex::writer`] with `threads` indexing threads (at most one
    /// per 15 MB of `memory_budget`, tantivy's minimum). They only record
    /// tokens: analysis happens in [`DocumentBuilder::build`], on whichever
    /// thread calls it. Merges follow [`CappedMergePolicy`] on
    /// [`MERGE_THREADS`] thread, so the segment files a merge maps into
    /// memory stay bounded however large the index grows.
    pub fn writer_with_threads(
        &self,
        memory_budget: usize,
        threads: Option<usize>,
    ) -> Result<PassageWriter> {
        // The writer gets its own handle on the index, whose analyzers
        // replay the tokens the document builder encoded; `self.index`
        // keeps the real chains for readers and searchers.
        let mut handle = self.index.clone();
        handle.set_tokenizers(tokens::replay_tokenizers());
        let most = (memory_budget / MIN_MEMORY_PER_THREAD).max(1);
        let threads = threads
            .unwrap_or_else(|| {
                std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_WRITER_THREADS))
            })
            .clamp(1, most);
        let options = tantivy::indexer::IndexWriterOptions::builder()
            .num_worker_threads(threads)
            .memory_budget_per_thread(memory_budget / threads)
            .num_merge_threads(MERGE_THREADS)
            .build();
        let writer = handle.writer_with_options(options);
        let writer = writer.map_err(|e| match e {
            tantivy::TantivyError::LockFailure(
                tantivy::directory::error::LockError::LockBusy,
                _,
            ) => index_dir_error(
                &self.dir,
                "locked by another process writing to this index; wait for it to finish",
            ),
            other => write_error(&self.dir, other),
        })?;
        let analyzer = |lang: analysis::Lang| {
            self.index
                .tokenizers()
                .get(lang.analyzer_name())
                .unwrap_or_else(|| analysis::analyzer(lang))
        };
        let policy = CappedMergePolicy::default();
        let finishing = policy.finishing();
        writer.set_merge_policy(Box::new(policy));
        let builder = DocumentBuilder::new(
            self.fields.clone(),
            analyzer(analysis::Lang::German),
            analyzer(analysis::Lang::English),
        );
        Ok(PassageWriter::new(
            writer,
            builder,
            memory_budget,
            self.dir.clone(),
            finishing,
        ))
    }

    /// The indexed file with id `doc_id` as seen by `searcher`, or `None`
    /// when the index holds no such document. The path comes from the
    /// index alone, so a front end serving the file never opens a path a
    /// client chose.
    pub fn document_source(
        &self,
        searcher: &tantivy::Searcher,
        doc_id: &str,
    ) -> Result<Option<DocumentSource>> {
        if !is_doc_id(doc_id) {
            return Ok(None);
        }
        let term = tantivy::Term::from_field_text(self.fields.doc_id, doc_id);
        let query = tantivy::query::TermQuery::new(term, tantivy::schema::IndexRecordOption::Basic);
        let top = searcher.search(
            &query,
            &tantivy::collector::TopDocs::with_limit(1).order_by_score(),
        )?;
        let Some((_, address)) = top.into_iter().next() else {
            return Ok(None);
        };
        let doc: tantivy::TantivyDocument = searcher.doc(address)?;
        let text_of = |field| {
            use tantivy::schema::Value;
            doc.get_first(field)
                .and_then(|v| v.as_str().map(str::to_string))
        };
        let Some(path) = text_of(self.fields.path) else {
            return Ok(None);
        };
        Ok(Some(DocumentSource {
            doc_id: doc_id.to_string(),
            file: text_of(self.fields.file).unwrap_or_else(|| path.clone()),
            path: PathBuf::from(path),
        }))
    }

    /// The files held by the index as of its last commit.
    pub fn indexed_files(&self) -> Result<IndexedFiles> {
        IndexedFiles::read(&self.reader()?.searcher())
    }
}

fn has_index(dir: &Path) -> bool {
    dir.join("meta.json").is_file()
}

/// An error while writing the index in `dir`, worded for the user when it
/// comes from the file system: the directory is named, and a read-only
/// directory or a full disk is said so. Tantivy writes new segment files
/// first and switches `meta.json` atomically last, so after any of these
/// the previous commit is still what the directory holds.
pub(crate) fn write_error(dir: &Path, err: tantivy::TantivyError) -> Error {
    use std::io::ErrorKind;
    let Some(kind) = io_kind(&err) else {
        return Error::Index(err);
    };
    let what = match kind {
        ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem => {
            "cannot write here (read-only or no permission); the index is unchanged"
        }
        ErrorKind::StorageFull | ErrorKind::FileTooLarge | ErrorKind::QuotaExceeded => {
            "cannot write here (disk full, or a file size limit or quota reached); \
             the index keeps its last commit"
        }
        _ => "cannot write here; the index keeps its last commit",
    };
    let cause = match io_cause(&err) {
        Some(io) => io.to_string(),
        None => err.to_string(),
    };
    index_dir_error(dir, format!("{what}: {cause}"))
}

/// The kind of operating-system error underneath a tantivy error, if any.
/// Errors from tantivy's indexing threads reach us flattened to text
/// (`Internal error: 'File too large (os error 27)'`); their OS error code
/// is read back from that text.
fn io_kind(err: &tantivy::TantivyError) -> Option<std::io::ErrorKind> {
    if let Some(io) = io_cause(err) {
        return Some(io.kind());
    }
    let text = err.to_string();
    let code = text.split("(os error ").nth(1)?.split(')').next()?;
    Some(std::io::Error::from_raw_os_error(code.parse().ok()?).kind())
}

/// The operating-system error underneath a tantivy error, if any.
fn io_cause(err: &tantivy::TantivyError) -> Option<&std::io::Error> {
    use tantivy::directory::error::{LockError, OpenReadError, OpenWriteError};
    use tantivy::TantivyError as T;
    match err {
        T::IoError(io) => Some(io),
        T::OpenReadError(OpenReadError::IoError { io_error, .. }) => Some(io_error),
        T::LockFailure(LockError::IoError(io), _) => Some(io),
        T::OpenWriteError(OpenWriteError::IoError { io_error, .. }) => Some(io_error),
        _ => None,
    }
}

fn index_dir_error(dir: &Path, message: impl ToString) -> Error {
    Error::IndexDir {
        path: dir.to_path_buf(),
        message: message.to_string(),
    }
}

/// Which files an index holds: canonical path → content hash.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexedFiles {
    hashes: HashMap<PathBuf, String>,
}

impl IndexedFiles {
    /// Read the map from the `path` and `hash` fast fields of every live
    /// passage. Each distinct term ordinal is resolved once per segment, so
    /// this costs one column lookup per passage.
    pub fn read(searcher: &tantivy::Searcher) -> Result<IndexedFiles> {
        let mut hashes = HashMap::new();
        for segment in searcher.segment_readers() {
            let fast = segment.fast_fields();
            let (Some(paths), Some(hash_col)) = (fast.str("path")?, fast.str("hash")?) else {
                continue;
            };
            let mut seen = std::collections::HashSet::new();
            let mut path_buf = String::new();
            let mut hash_buf = String::new();
            for doc in segment.doc_ids_alive() {
                let Some(path_ord) = paths.term_ords(doc).next() else {
                    continue;
                };
                if !seen.insert(path_ord) {
                    continue;
                }
                let Some(hash_ord) = hash_col.term_ords(doc).next() else {
                    continue;
                };
                paths
                    .ord_to_str(path_ord, &mut path_buf)
                    .map_err(|e| Error::Index(e.into()))?;
                hash_col
                    .ord_to_str(hash_ord, &mut hash_buf)
                    .map_err(|e| Error::Index(e.into()))?;
                hashes.insert(PathBuf::from(&path_buf), hash_buf.clone());
            }
        }
        Ok(IndexedFiles { hashes })
    }

    /// The content hash under which `path` (canonical) is indexed.
    pub fn hash_of(&self, path: &Path) -> Option<&str> {
        self.hashes.get(path).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Canonical paths of all indexed files, in no particular order.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.hashes.keys().map(PathBuf::as_path)
    }
}
