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
use super::CommitPolicy;
use super::{path_key, IndexedDocument};
use crate::analysis::Lang;
use crate::error::Result;
use crate::model::{Passage, PassageKind, TextSource};

/// The index's single writer. Uncommitted changes are discarded when it is
/// dropped; call [`PassageWriter::finish`] to commit and wait for merges.
pub struct PassageWriter {
    writer: IndexWriter,
    builder: DocumentBuilder,
    uncommitted: usize,
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
}

/// Turns [`IndexedDocument`]s into [`PreparedFile`]s, analysing passage
/// text and titles with the index's analyzers. Clone one per thread.
#[derive(Clone)]
pub struct DocumentBuilder {
    fields: Fields,
    german: TextAnalyzer,
    english: TextAnalyzer,
}

impl DocumentBuilder {
    pub(super) fn new(fields: Fields, german: TextAnalyzer, english: TextAnalyzer) -> Self {
        DocumentBuilder {
            fields,
            german,
            english,
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
        PreparedFile { path, documents }
    }

    /// `text` as analysed for `lang`, encoded for the writer's replay
    /// tokenizer.
    fn analysed(&mut self, lang: Lang, text: &str) -> String {
        let analyzer = match lang {
            Lang::German => &mut self.german,
            Lang::English => &mut self.english,
        };
        let mut encoded = String::new();
        tokens::encode(analyzer, text, &mut encoded);
        encoded
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
        dir: PathBuf,
        finishing: Arc<AtomicBool>,
    ) -> PassageWriter {
        PassageWriter {
            writer,
            builder,
            uncommitted: 0,
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
        self.last_commit = Instant::now();
        Ok(())
    }

    /// Whether `policy` says the pending changes are due for a commit.
    pub fn commit_due(&self, policy: &CommitPolicy) -> bool {
        policy.due(self.uncommitted, self.last_commit.elapsed())
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
