//! [`PassageWriter`]: adds, replaces and removes whole source files.
//!
//! A file's passages are always written together, right after deleting the
//! file's old passages by its `path` term, so any commit — periodic or final —
//! contains only complete documents, never half of a file. They go to tantivy
//! as one operation group (`IndexWriter::run`), which puts them into one
//! segment in passage order: search relies on a document's passages being
//! in index order when it breaks ties (a listing shows a file's first passage).

use std::path::{Path, PathBuf};

use tantivy::indexer::UserOperation;
use tantivy::{IndexWriter, TantivyDocument, Term};

use super::schema::{keyword_key, parse_date, reference_keys, schema_payload, Fields};
use super::{path_key, IndexedDocument};
use crate::error::Result;
use crate::model::{Passage, PassageKind, TextSource};

/// The index's single writer. Uncommitted changes are discarded when it is
/// dropped; call [`PassageWriter::finish`] to commit and wait for merges.
pub struct PassageWriter {
    writer: IndexWriter,
    fields: Fields,
    uncommitted: usize,
    /// The index directory, named in write errors.
    dir: PathBuf,
}

impl PassageWriter {
    pub(super) fn new(writer: IndexWriter, fields: Fields, dir: PathBuf) -> PassageWriter {
        PassageWriter {
            writer,
            fields,
            uncommitted: 0,
            dir,
        }
    }

    /// Replace whatever the index holds for `doc.path` with `doc`'s passages.
    /// A document without passages (a scan without text) is stored as one
    /// empty passage, so the index still knows the file and its hash and does
    /// not extract it again on every run. Returns the number of passages written.
    pub fn replace(&mut self, doc: &IndexedDocument) -> Result<usize> {
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
        let mut group = Vec::with_capacity(passages.len() + 1);
        group.push(UserOperation::Delete(Term::from_field_text(
            self.fields.path,
            &path,
        )));
        for (i, passage) in passages.iter().enumerate() {
            let tdoc = self.passage_document(doc, &doc_id, &path, i, passage);
            group.push(UserOperation::Add(tdoc));
        }
        self.writer
            .run(group)
            .map_err(|e| super::write_error(&self.dir, e))?;
        self.uncommitted += 1;
        Ok(passages.len())
    }

    /// Delete every passage of the file with this canonical path.
    pub fn remove(&mut self, path: &Path) {
        let term = Term::from_field_text(self.fields.path, &path_key(path));
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
        self.uncommitted = 0;
        Ok(())
    }

    /// Commit pending changes (if any) and wait for background merges.
    pub fn finish(mut self) -> Result<()> {
        if self.uncommitted > 0 {
            self.commit()?;
        }
        let dir = self.dir.clone();
        self.writer
            .wait_merging_threads()
            .map_err(|e| super::write_error(&dir, e))?;
        Ok(())
    }

    fn passage_document(
        &self,
        doc: &IndexedDocument,
        doc_id: &str,
        path: &str,
        index: usize,
        passage: &Passage,
    ) -> TantivyDocument {
        let f = &self.fields;
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
            t.add_text(f.title_for(doc.language), title);
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
        t.add_text(f.text_for(doc.language), &passage.text);
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
