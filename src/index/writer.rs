//! [`PassageWriter`]: adds, replaces and removes whole source files.
//!
//! A file's passages are always written together, right after deleting the
//! file's old passages by its `path` term, so any commit — periodic or final —
//! contains only complete documents, never half of a file. They go to tantivy
//! as one operation group (`IndexWriter::run`), which puts them into one
//! segment in passage order: search relies on a document's passages being
//! in index order when it breaks ties (a listing shows a file's first passage).
//!
//! Building a file's tantivy documents, which includes running the
//! analysis chain over its passages, is a separate step
//! ([`DocumentBuilder::build`] → [`PreparedFile`]) that any thread can do:
//! ingest runs it on its workers, and the writer's indexing thread only
//! records the tokens (see [`super::tokens`]).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use tantivy::indexer::UserOperation;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{IndexWriter, TantivyDocument, Term};

use super::schema::{keyword_key, parse_date, reference_keys, schema_payload, Fields};
use super::tokens;
use super::{path_key, IndexedDocument};
use super::{CommitPolicy, MAX_MERGED_DOCS};
use crate::analysis::Lang;
use crate::error::Result;
use crate::model::{Passage, PassageKind, TextSource};

/// The index's single writer. Uncommitted changes are discarded when it is
/// dropped; call [`PassageWriter::finish`] to commit and wait for merges.
pub struct PassageWriter {
    writer: IndexWriter,
    builder: DocumentBuilder,
    uncommitted: usize,
    /// Passage text (and titles) written since the last commit, in bytes.
    uncommitted_bytes: usize,
    /// Passages written since the last commit.
    uncommitted_passages: usize,
    /// [`PassageWriter::commit_due`] also says yes once `uncommitted_bytes`
    /// reach this: half the writer's memory budget.
    flush_bytes: usize,
    /// When the last commit was made (or the writer opened).
    last_commit: Instant,
    /// Whether this writer has committed changes.
    changed: bool,
    /// The index directory, named in write errors.
    dir: PathBuf,
    /// Tells the merge policy the next commit is the run's last.
    finishing: Arc<AtomicBool>,
}

/// One file's passages as tantivy documents, ready for
/// [`PassageWriter::write`].
pub struct PreparedFile {
    /// The `path` term the file's old passages are deleted by.
    path: String,
    documents: Vec<TantivyDocument>,
    /// Bytes of passage text and titles, a measure of the writer memory
    /// the file will take.
    bytes: usize,
}

/// Turns [`IndexedDocument`]s into [`PreparedFile`]s, analysing passage
/// text and titles with the index's analyzers. Clone one per thread.
#[derive(Clone)]
pub struct DocumentBuilder {
    fields: Fields,
    german: TextAnalyzer,
    english: TextAnalyzer,
    /// The last text's replay encoding, reused from text to text: the
    /// document copies it into its own buffer.
    encoded: String,
}

impl DocumentBuilder {
    pub(super) fn new(fields: Fields, german: TextAnalyzer, english: TextAnalyzer) -> Self {
        DocumentBuilder {
            fields,
            german,
            english,
            encoded: String::new(),
        }
    }

    /// The documents for `doc`'s passages. A document without passages (a
    /// scan without text) is stored as one empty passage, so the index still
    /// knows the file and its hash and does not extract it again on every run.
    pub fn build(&mut self, doc: &IndexedDocument) -> PreparedFile {
        let placeholder;
        let passages: &[Passage] = if doc.passages.is_empty() {
            placeholder = [Passage {
                kind: PassageKind::Text,
                page: 1,
                number: None,
                title: None,
                text: String::new(),
            }];
            &placeholder
        } else {
            &doc.passages
        };
        let doc_id = doc.doc_id();
        let path = path_key(&doc.path);
        let documents = passages
            .iter()
            .enumerate()
            .map(|(i, passage)| self.passage_document(doc, &doc_id, &path, i, passage))
            .collect();
        let bytes = passages
            .iter()
            .map(|p| p.text.len() + p.title.as_ref().map_or(0, String::len))
            .sum();
        PreparedFile {
            path,
            documents,
            bytes,
        }
    }

    /// `text` as analysed for `lang`, encoded for the writer's replay
    /// tokenizer, in a buffer the next call reuses.
    fn analysed(&mut self, lang: Lang, text: &str) -> &str {
        let analyzer = match lang {
            Lang::German => &mut self.german,
            Lang::English => &mut self.english,
        };
        tokens::encode(analyzer, text, &mut self.encoded);
        &self.encoded
    }

    fn passage_document(
        &mut self,
        doc: &IndexedDocument,
        doc_id: &str,
        path: &str,
        index: usize,
        passage: &Passage,
    ) -> TantivyDocument {
        let f = self.fields.clone();
        let f = &f;
        let mut t = TantivyDocument::new();
        t.add_text(f.doc_id, doc_id);
        t.add_text(f.path, path);
        t.add_text(f.file, &doc.file);
        t.add_text(f.hash, &doc.hash);
        t.add_u64(f.passage_index, index as u64);
        t.add_u64(f.page, u64::from(passage.page));
        t.add_text(f.kind, passage.kind.as_str());
        if let Some(number) = &passage.number {
            t.add_text(f.number, number);
        }
        if let Some(title) = &passage.title {
            t.add_text(f.title, title);
            t.add_text(
                f.title_for(doc.language),
                self.analysed(doc.language, title),
            );
        }
        t.add_text(f.text, &passage.text);
        let source = if doc.passages.is_empty() {
            // The placeholder of a file without text.
            TextSource::None
        } else {
            doc.page_sources
                .get(passage.page as usize - 1)
                .copied()
                .unwrap_or(TextSource::Native)
        };
        t.add_text(f.text_source, crate::ocr::source_key(source));
        t.add_text(
            f.text_for(doc.language),
            self.analysed(doc.language, &passage.text),
        );
        t.add_text(f.language, doc.language.code());
        let meta = &doc.meta;
        for (field, value) in [
            (f.doc_type, &meta.doc_type),
            (f.body, &meta.body),
            (f.gremium, &meta.gremium),
            (f.date, &meta.date),
            (f.reference, &meta.reference),
        ] {
            if let Some(value) = value {
                t.add_text(field, value);
            }
        }
        for (field, value) in [(f.body_key, &meta.body), (f.gremium_key, &meta.gremium)] {
            if let Some(value) = value {
                t.add_text(field, keyword_key(value));
            }
        }
        if let Some(reference) = &meta.reference {
            for key in reference_keys(reference) {
                t.add_text(f.reference_key, key);
            }
        }
        if let Some(date) = meta.date.as_deref() {
            if let Some(value) = parse_date(date) {
                t.add_date(f.date_value, value);
                // `parse_date` accepted it, so it starts with a numeric year.
                if let Some(year) = date.split('-').next().and_then(|y| y.parse().ok()) {
                    t.add_u64(f.year, year);
                }
            }
        }
        for date in &meta.dates_mentioned {
            t.add_text(f.dates_mentioned, date);
        }
        t
    }
}

impl PassageWriter {
    pub(super) fn new(
        writer: IndexWriter,
        builder: DocumentBuilder,
        memory_budget: usize,
        dir: PathBuf,
        finishing: Arc<AtomicBool>,
    ) -> PassageWriter {
        PassageWriter {
            writer,
            builder,
            uncommitted: 0,
            uncommitted_bytes: 0,
            uncommitted_passages: 0,
            flush_bytes: memory_budget / 2,
            last_commit: Instant::now(),
            changed: false,
            dir,
            finishing,
        }
    }

    /// A builder of this index's documents, for [`PassageWriter::write`].
    pub fn document_builder(&self) -> DocumentBuilder {
        self.builder.clone()
    }

    /// Replace whatever the index holds for `doc.path` with `doc`'s passages
    /// ([`DocumentBuilder::build`] and [`PassageWriter::write`] in one).
    /// Returns the number of passages written.
    pub fn replace(&mut self, doc: &IndexedDocument) -> Result<usize> {
        let prepared = self.builder.build(doc);
        self.write(prepared)
    }

    /// Replace whatever the index holds for the prepared file's path with its
    /// passages. Returns the number of passages written.
    pub fn write(&mut self, file: PreparedFile) -> Result<usize> {
        let passages = file.documents.len();
        let mut group = Vec::with_capacity(passages + 1);
        group.push(UserOperation::Delete(Term::from_field_text(
            self.builder.fields.path,
            &file.path,
        )));
        group.extend(file.documents.into_iter().map(UserOperation::Add));
        self.writer
            .run(group)
            .map_err(|e| super::write_error(&self.dir, e))?;
        self.uncommitted += 1;
        self.uncommitted_bytes += file.bytes;
        self.uncommitted_passages += passages;
        Ok(passages)
    }

    /// Delete every passage of the file with this canonical path.
    pub fn remove(&mut self, path: &Path) {
        let term = Term::from_field_text(self.builder.fields.path, &path_key(path));
        self.writer.delete_term(term);
        self.uncommitted += 1;
    }

    /// Changes (replaced or removed files) since the last commit.
    pub fn uncommitted(&self) -> usize {
        self.uncommitted
    }

    /// Make all changes so far durable and visible to new readers.
    pub fn commit(&mut self) -> Result<()> {
        let failed = |e| super::write_error(&self.dir, e);
        let mut prepared = self.writer.prepare_commit().map_err(failed)?;
        prepared.set_payload(&schema_payload());
        prepared.commit().map_err(failed)?;
        self.changed |= self.uncommitted > 0;
        self.uncommitted = 0;
        self.uncommitted_bytes = 0;
        self.uncommitted_passages = 0;
        self.last_commit = Instant::now();
        Ok(())
    }

    /// Whether the pending changes are due for a commit: `policy` says so,
    /// or the text written since the last commit reached half the writer's
    /// memory budget, or the passages written reached the merge cap
    /// ([`MAX_MERGED_DOCS`]).
    ///
    /// The byte bound keeps memory bounded. Tantivy flushes a full
    /// in-memory segment on its own indexing thread, and meanwhile its
    /// queue of up to 10,000 operation groups — whole files — fills: at
    /// ten times Karlsruhe that backlog took peak RSS from 417 MB to 509 MB
    /// (`benches/HISTORY.md`, "Commits by time"). A commit instead makes the
    /// caller wait for the flush, so nothing piles up. Half the budget is
    /// measured, not derived: with one indexing thread and Karlsruhe's
    /// texts, tantivy flushed on its own after 63.9 MB of text at 60 MB of
    /// budget, never within 95.1 MB at 200 MB, but every ~1.9 MB at its
    /// minimum of 15 MB (it sets up to a third of a thread's share aside
    /// for its term table) — hence [`PassageIndex::writer_with_threads`]
    /// gives each thread at least 50 MB.
    ///
    /// The passage bound keeps segments within what the merge policy
    /// merges: a segment above the cap would never be merged again, so its
    /// deleted passages would stay.
    ///
    /// [`PassageIndex::writer_with_threads`]: super::PassageIndex::writer_with_threads
    pub fn commit_due(&self, policy: &CommitPolicy) -> bool {
        self.uncommitted > 0
            && (policy.due(self.uncommitted, self.last_commit.elapsed())
                || self.uncommitted_bytes >= self.flush_bytes
                || self.uncommitted_passages >= MAX_MERGED_DOCS as usize)
    }

    /// Commit pending changes (if any) and wait for background merges.
    /// When this writer changed the index, the final commit also merges
    /// the tail of small segments its commits left (see
    /// [`super::CappedMergePolicy`]); it is made even with nothing pending,
    /// as a commit is what lets tantivy's merge policy run.
    pub fn finish(mut self) -> Result<()> {
        if self.uncommitted > 0 || self.changed {
            self.finishing.store(true, Ordering::Relaxed);
            self.commit()?;
        }
        let dir = self.dir.clone();
        self.writer
            .wait_merging_threads()
            .map_err(|e| super::write_error(&dir, e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Lang;
    use crate::index::PassageIndex;
    use crate::model::DocMeta;

    fn file(path: &str, title: &str, text: &str) -> IndexedDocument {
        IndexedDocument {
            path: PathBuf::from(path),
            file: path.to_string(),
            hash: "0".repeat(64),
            language: Lang::German,
            meta: DocMeta::default(),
            passages: vec![Passage {
                kind: PassageKind::Text,
                page: 1,
                number: None,
                title: Some(title.to_string()),
                text: text.to_string(),
            }],
            page_sources: Vec::new(),
        }
    }

    /// A writer with a 30 MB budget on a fresh index in a temporary
    /// directory (returned too: it must outlive the writer).
    fn writer() -> (tempfile::TempDir, PassageWriter) {
        let dir = tempfile::tempdir().expect("temp dir");
        let index = PassageIndex::open_or_create(&dir.path().join("index")).expect("index");
        let writer = index.writer(30_000_000).expect("writer");
        (dir, writer)
    }

    #[test]
    fn prepared_files_measure_their_text_and_titles() {
        let (_dir, writer) = writer();
        let prepared = writer
            .document_builder()
            .build(&file("/x/a.pdf", "Titel", "Kreistag"));
        assert_eq!(prepared.bytes, "Titel".len() + "Kreistag".len());
    }

    #[test]
    fn a_commit_is_due_once_half_the_memory_budget_of_text_is_written() {
        let (_dir, mut writer) = writer();
        assert_eq!(writer.flush_bytes, 15_000_000, "half the budget");
        // A small bound, so that a test file reaches it.
        writer.flush_bytes = 20;
        let never = CommitPolicy::AT_END;
        writer.replace(&file("/x/a.pdf", "", "Kreistag")).unwrap();
        assert!(!writer.commit_due(&never), "8 of 20 bytes");
        writer
            .replace(&file("/x/b.pdf", "Stichwort", "Haushalt"))
            .unwrap();
        assert!(writer.commit_due(&never), "25 of 20 bytes");
        writer.commit().unwrap();
        assert!(!writer.commit_due(&never), "the commit resets the count");
        writer.replace(&file("/x/c.pdf", "", "Kreistag")).unwrap();
        assert!(!writer.commit_due(&never), "8 bytes since the commit");
        writer.finish().unwrap();
    }

    #[test]
    fn a_commit_is_due_once_a_segment_would_exceed_the_merge_cap() {
        let (_dir, mut writer) = writer();
        let never = CommitPolicy::AT_END;
        writer.replace(&file("/x/a.pdf", "", "Kreistag")).unwrap();
        assert!(!writer.commit_due(&never), "one passage");
        // As if 39,999 passages had been written since the last commit.
        writer.uncommitted_passages = MAX_MERGED_DOCS as usize - 1;
        assert!(!writer.commit_due(&never));
        writer.replace(&file("/x/b.pdf", "", "Haushalt")).unwrap();
        assert!(writer.commit_due(&never), "the cap's 40,000th passage");
        writer.commit().unwrap();
        writer.replace(&file("/x/c.pdf", "", "Kreistag")).unwrap();
        assert!(!writer.commit_due(&never), "the commit resets the count");
        writer.finish().unwrap();
    }

    #[test]
    fn the_time_bound_counts_from_the_last_commit() {
        let (_dir, mut writer) = writer();
        let interval = std::time::Duration::from_secs(2);
        let policy = CommitPolicy {
            files: 0,
            interval: Some(interval),
        };
        writer.replace(&file("/x/a.pdf", "", "Kreistag")).unwrap();
        assert!(!writer.commit_due(&policy), "just opened");
        // As if the writer had opened three seconds ago (no sleeping).
        writer.last_commit = Instant::now()
            .checked_sub(interval + std::time::Duration::from_secs(1))
            .expect("the clock reaches back three seconds");
        assert!(writer.commit_due(&policy));
        writer.commit().unwrap();
        writer.replace(&file("/x/b.pdf", "", "Haushalt")).unwrap();
        assert!(
            !writer.commit_due(&policy),
            "the clock restarts at the commit"
        );
        writer.finish().unwrap();
    }
}
