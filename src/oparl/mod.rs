//! `oparl`: an OParl 1.0/1.1 system → indexed documents.
//!
//! Takes an OParl source — a directory of saved JSON (list pages, single
//! objects, `.jsonl(.gz)` dumps) or a live endpoint URL — and a
//! [`PassageIndex`]; gives an [`ImportReport`]. OParl is how German council
//! information systems publish their papers, so importing it gives the
//! index the metadata a PDF alone only hints at.
//!
//! * Each **Paper** becomes one indexed document whose [`DocMeta`] comes from
//!   the OParl fields, the same fields `structure` recognises in a PDF:
//!   `paperType` → [`DocType`] ([`doc_type_for`]), `date`, `reference`, the
//!   Body's name, and the Gremium of its consultations (the authoritative
//!   one, else the first). Its first passage holds name, type, reference and
//!   file names; each File's text follows as the normal pipeline's passages
//!   (`File.text`, else a local file under `--files DIR`, else — live
//!   endpoints only — the downloaded PDF through the normal extraction).
//!   Files without text are listed as "not fetched".
//! * Each **Meeting** becomes a document (type `sonstiges`, as an invitation
//!   PDF is classified; date = start; Gremium = its organization) with one
//!   `agenda` passage per **AgendaItem** (`number` = AgendaItem.number).
//! * Identity is the OParl `id` URL: it is stored as the document's path,
//!   so the document id is stable and a re-import replaces, never duplicates.
//!   Content hashes make an unchanged object a no-op; `deleted: true`
//!   tombstones remove the object from the index.
//! * Faults of real systems are counted, not fatal: entries without `type`,
//!   tombstones, other object kinds ([`ImportReport::skipped`]); references
//!   to objects the source does not hold ([`ImportReport::missing`]); pages
//!   or files that could not be read ([`ImportReport::failed`]).
//!
//! A live import remembers when it last ran in `.oparl-sync.json` in the
//! index directory and asks the server only for papers and meetings
//! modified since then (`modified_since`), minus an hour for clock skew.

pub mod serve;
pub mod source;
pub mod types;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use rayon::prelude::*;

use crate::analysis;
use crate::error::{Error, Result};
use crate::extract;
use crate::index::{
    CommitPolicy, IndexedDocument, PassageIndex, PreparedFile, DEFAULT_WRITER_MEMORY,
};
use crate::ingest::{extract_clean_bytes_with, FileStatus, NoProgress, Progress};
use crate::model::{DocMeta, Passage, PassageKind};
use crate::structure::{self, DocType};

pub use source::{Fetch, HttpFetch, LocalFiles, Store};
use types::{AgendaItem, File, Meeting, Paper, Ref};

/// Name of the sync-state file kept in the index directory.
pub const SYNC_STATE_FILE: &str = ".oparl-sync.json";
/// How far before the last run's start a sync asks again (clock skew
/// between this machine and the server).
pub const SYNC_OVERLAP_SECS: u64 = 3600;

/// Where the OParl objects come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Dir(PathBuf),
    Url(String),
}

impl Source {
    /// `http(s)://…` is a live endpoint, anything else a directory.
    pub fn parse(arg: &str) -> Source {
        let lower = arg.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            Source::Url(arg.to_string())
        } else {
            Source::Dir(PathBuf::from(arg))
        }
    }
}

/// Knobs of [`import`]; `Default` is what the CLI uses.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub writer_memory: usize,
    /// When to commit during the import (see [`CommitPolicy`]).
    pub commit: CommitPolicy,
    /// Ask a live endpoint only for objects modified since this timestamp
    /// (ISO 8601). `None`: use the sync state, if any (see [`ImportOptions::full`]).
    pub modified_since: Option<String>,
    /// Ignore the sync state and read everything.
    pub full: bool,
    /// A folder with the Files' contents (`<file id>.txt` / `.pdf`).
    pub local_files: Option<PathBuf>,
    /// Download Files without text from a live endpoint.
    pub download: bool,
    /// Largest file downloaded, in bytes.
    pub max_download_bytes: u64,
    pub extract_limits: extract::Limits,
    /// Set from outside (the CLI's Ctrl-C handler) to end the import early:
    /// no further page of a live endpoint is read (a directory is read
    /// whole first) and no further chunk of papers built; what was written
    /// is committed, nothing is removed, and a live endpoint's sync point
    /// stays where it was, so the next run reads everything it would have.
    pub stop: Option<Arc<AtomicBool>>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            writer_memory: DEFAULT_WRITER_MEMORY,
            commit: CommitPolicy::default(),
            modified_since: None,
            full: false,
            local_files: None,
            download: true,
            max_download_bytes: 100 * 1024 * 1024,
            extract_limits: extract::Limits::default(),
            stop: None,
        }
    }
}

/// What one [`import`] did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportReport {
    /// Papers and meetings written (new or changed).
    pub papers: usize,
    pub meetings: usize,
    /// Agenda items written as passages of their meetings.
    pub agenda_items: usize,
    /// Papers and meetings whose indexed content was already up to date.
    pub unchanged: usize,
    /// Tombstoned objects removed from the index.
    pub removed: usize,
    pub passages: usize,
    /// Files whose text was indexed, by where it came from
    /// (`oparl-text`, `local`, `downloaded`).
    pub files_with_text: BTreeMap<String, usize>,
    /// File ids without text: not in the data, not local, not downloaded.
    pub files_not_fetched: Vec<String>,
    /// Entries not imported, by reason.
    pub skipped: BTreeMap<String, usize>,
    /// Referenced objects the source does not hold, by kind.
    pub missing: BTreeMap<String, BTreeSet<String>>,
    /// Source files, pages or Files that could not be read: (what, why).
    pub failed: Vec<(String, String)>,
    /// Source files or HTTP pages read.
    pub pages_read: usize,
    /// The `modified_since` used, if any.
    pub modified_since: Option<String>,
    /// Papers and meetings not looked at because the import was stopped
    /// ([`ImportOptions::stop`]).
    pub not_reached: usize,
    /// The import was stopped before it read or wrote everything.
    pub interrupted: bool,
}

impl ImportReport {
    pub fn has_failures(&self) -> bool {
        !self.failed.is_empty()
    }

    /// The report as lines for a person (failures are listed separately).
    pub fn summary(&self) -> Vec<String> {
        let mut lines = vec![format!(
            "imported {} papers and {} meetings ({} agenda items, {} passages), \
             {} unchanged, {} removed (deleted upstream); {} source pages read",
            self.papers,
            self.meetings,
            self.agenda_items,
            self.passages,
            self.unchanged,
            self.removed,
            self.pages_read
        )];
        if let Some(since) = &self.modified_since {
            lines.push(format!("only objects modified since {since}"));
        }
        let with_text: usize = self.files_with_text.values().sum();
        let sources: Vec<String> = self
            .files_with_text
            .iter()
            .map(|(from, n)| format!("{n} {from}"))
            .collect();
        lines.push(format!(
            "files: {with_text} with text ({}), {} not fetched",
            if sources.is_empty() {
                "none".to_string()
            } else {
                sources.join(", ")
            },
            self.files_not_fetched.len()
        ));
        for (reason, n) in &self.skipped {
            lines.push(format!("skipped {n}: {reason}"));
        }
        for (kind, ids) in &self.missing {
            let first = ids.iter().next().map(String::as_str).unwrap_or_default();
            lines.push(format!(
                "missing {} referenced {kind} object(s), e.g. {first}",
                ids.len()
            ));
        }
        if !self.failed.is_empty() {
            lines.push(format!("{} failures", self.failed.len()));
        }
        if self.interrupted && self.pages_read == 0 {
            lines.push("interrupted before the source answered: nothing read or written".into());
        } else if self.interrupted {
            lines.push(format!(
                "interrupted: {} papers and meetings not reached, nothing removed; \
                 the next run imports the rest",
                self.not_reached
            ));
        }
        lines
    }
}

/// ratsuche's [`DocType`] for an OParl `paperType` (free text in practice:
/// "Beschlussvorlage", "Mitteilungsvorlage", "Beantwortung einer Anfrage",
/// "Änderungs-/Ergänzungsantrag", …). Motions go to `sonstiges`, as
/// `structure` files them.
pub fn doc_type_for(paper_type: &str) -> DocType {
    let t = paper_type.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
    if has(&["beantwortung", "antwort", "stellungnahme"]) {
        DocType::Antwort
    } else if has(&["anfrage"]) {
        DocType::Anfrage
    } else if has(&["mitteilung", "information", "bericht", "kenntnis"]) {
        DocType::Information
    } else if has(&["niederschrift", "protokoll"]) {
        DocType::Niederschrift
    } else if has(&["konzept"]) {
        DocType::Konzept
    } else if has(&["vorlage", "drucksache"]) {
        DocType::Beschlussvorlage
    } else {
        DocType::Sonstiges
    }
}

/// `YYYY-MM-DD` from an OParl date or date-time, if it is one.
fn day(value: Option<&str>) -> Option<String> {
    let d = value?.get(..10)?;
    crate::index::schema::parse_date(d).map(|_| d.to_string())
}

/// Import `source` into `index` (HTTP through [`HttpFetch`]).
pub fn import(
    index: &PassageIndex,
    source: &Source,
    options: &ImportOptions,
) -> Result<ImportReport> {
    import_with(
        index,
        source,
        options,
        &HttpFetch::default(),
        &mut NoProgress,
    )
}

/// [`import`] with a given [`Fetch`] (tests use a local server) and a
/// [`Progress`] that hears of every paper and meeting as it is written
/// (`pages` is then its passage count).
pub fn import_with(
    index: &PassageIndex,
    source: &Source,
    options: &ImportOptions,
    fetch: &dyn Fetch,
    progress: &mut dyn Progress,
) -> Result<ImportReport> {
    let started = now_secs();
    let stopped = || crate::ingest::is_set(options.stop.as_deref());
    let mut store = Store::default();
    let mut report = ImportReport::default();
    progress.step("reading the source");
    match source {
        Source::Dir(dir) => source::read_dir(dir, &mut store)?,
        Source::Url(url) => {
            let since = match (&options.modified_since, options.full) {
                (Some(since), _) => Some(since.clone()),
                (None, false) => read_sync_state(index.dir(), url),
                (None, true) => None,
            };
            let fetch = StoppableFetch {
                inner: fetch,
                stop: options.stop.as_deref(),
            };
            let read = source::read_url(&fetch, url, since.as_deref(), &mut store);
            report.modified_since = since;
            if let Err(e) = read {
                // A stop before the endpoint's first answer (the request
                // was refused, so no page was read): nothing is written;
                // the run was interrupted, it did not fail. An error after
                // a page was read is the endpoint's, stop or not.
                if stopped() && store.pages == 0 {
                    tracing::debug!("interrupted before the endpoint answered: {e}");
                    report.interrupted = true;
                    return Ok(report);
                }
                return Err(e);
            }
        }
    }
    let download = matches!(source, Source::Url(_)) && options.download;
    let ctx = Context {
        store: &store,
        papers_by_id: store.papers.iter().map(|p| (p.id.as_str(), p)).collect(),
        local: options.local_files.clone().map(|dir| LocalFiles { dir }),
        fetch: download.then_some(fetch),
        options,
    };

    let known = index.indexed_files()?;
    let mut writer = index.writer(options.writer_memory)?;
    let jobs: Vec<Job> = store
        .papers
        .iter()
        .map(Job::Paper)
        .chain(store.meetings.iter().map(Job::Meeting))
        .collect();
    // Chunks bound memory: a chunk is built and analysed in parallel (the
    // German chain is most of the work), then written.
    let builder = writer.document_builder();
    progress.start(jobs.len());
    for (n, chunk) in jobs.chunks(CHUNK).enumerate() {
        if stopped() {
            report.not_reached = jobs.len() - n * CHUNK;
            break;
        }
        let built: Vec<(Built, Option<PreparedFile>)> = chunk
            .par_iter()
            .map_with(builder.clone(), |builder, job| {
                let b = ctx.build(job);
                let changed = known.hash_of(&b.doc.path) != Some(b.doc.hash.as_str());
                let prepared = changed.then(|| builder.build(&b.doc));
                (b, prepared)
            })
            .collect();
        for (b, prepared) in built {
            for (kind, id) in b.missing {
                report
                    .missing
                    .entry(kind.to_string())
                    .or_default()
                    .insert(id);
            }
            for outcome in b.files {
                match outcome {
                    FileOutcome::Text(from) => {
                        *report.files_with_text.entry(from.to_string()).or_default() += 1
                    }
                    FileOutcome::NotFetched(id) => report.files_not_fetched.push(id),
                    FileOutcome::Failed(id, why) => {
                        report.files_not_fetched.push(id.clone());
                        report.failed.push((id, why));
                    }
                }
            }
            let Some(prepared) = prepared else {
                report.unchanged += 1;
                progress.file_done(&b.doc.path, FileStatus::Unchanged, 0);
                continue;
            };
            let passages = writer.write(prepared)?;
            report.passages += passages;
            progress.file_done(&b.doc.path, FileStatus::Indexed, passages);
            if b.is_meeting {
                report.meetings += 1;
                report.agenda_items += b.agenda_items;
            } else {
                report.papers += 1;
            }
            if writer.commit_due(&options.commit) {
                writer.commit()?;
            }
        }
    }
    // A stop during reading left pages unread (see `StoppableFetch`).
    report.interrupted = stopped();
    // Like an interrupted `ingest`, an interrupted import removes nothing.
    if !report.interrupted {
        progress.step("removing");
        for id in &store.deleted {
            let path = Path::new(id);
            if known.hash_of(path).is_some() {
                writer.remove(path);
                report.removed += 1;
            }
        }
    }
    progress.step("committing");
    writer.finish()?;

    report.skipped = store.skipped.clone();
    report.failed.splice(0..0, store.failed.iter().cloned());
    report.pages_read = store.pages;
    report.files_not_fetched.sort();
    report.files_not_fetched.dedup();
    if let Source::Url(url) = source {
        // Only a complete run moves the sync point, so nothing is skipped
        // next time because a page failed or was not read this time.
        if store.failed.is_empty() && !report.interrupted {
            write_sync_state(index.dir(), url, started.saturating_sub(SYNC_OVERLAP_SECS))?;
        }
    }
    Ok(report)
}

/// Papers and meetings built in parallel, then written, at a time.
const CHUNK: usize = 256;

/// A [`Fetch`] that fails every request once the import is stopped, so a
/// long crawl ends after the page in flight. The pages it refuses are
/// failures of the run (listed, and they keep the sync point).
struct StoppableFetch<'a> {
    inner: &'a dyn Fetch,
    stop: Option<&'a AtomicBool>,
}

impl Fetch for StoppableFetch<'_> {
    fn get_json(&self, url: &str) -> std::result::Result<serde_json::Value, String> {
        if crate::ingest::is_set(self.stop) {
            return Err("not read: the import was interrupted".into());
        }
        self.inner.get_json(url)
    }

    fn get_bytes(&self, url: &str, max: u64) -> std::result::Result<Vec<u8>, String> {
        self.inner.get_bytes(url, max)
    }
}

enum Job<'a> {
    Paper(&'a Paper),
    Meeting(&'a Meeting),
}

enum FileOutcome {
    Text(&'static str),
    NotFetched(String),
    Failed(String, String),
}

struct Built {
    doc: IndexedDocument,
    is_meeting: bool,
    agenda_items: usize,
    files: Vec<FileOutcome>,
    missing: Vec<(&'static str, String)>,
}

struct Context<'a> {
    store: &'a Store,
    papers_by_id: HashMap<&'a str, &'a Paper>,
    local: Option<LocalFiles>,
    fetch: Option<&'a dyn Fetch>,
    options: &'a ImportOptions,
}

/// What a document is being built from, gathered as it goes.
#[derive(Default)]
struct Draft {
    passages: Vec<Passage>,
    files: Vec<FileOutcome>,
    missing: Vec<(&'static str, String)>,
    /// Structure recognised in the first file with text.
    recognised: Option<DocMeta>,
}

impl Context<'_> {
    fn build(&self, job: &Job) -> Built {
        match job {
            Job::Paper(p) => self.build_paper(p),
            Job::Meeting(m) => self.build_meeting(m),
        }
    }

    fn body_name(&self, body: Option<&str>, d: &mut Draft) -> Option<String> {
        let id = body?;
        match self.store.bodies.get(id) {
            Some(b) => b.name.clone().or_else(|| b.short_name.clone()),
            None => {
                d.missing.push(("body", id.to_string()));
                None
            }
        }
    }

    fn organization_name(&self, id: &str, d: &mut Draft) -> Option<String> {
        match self.store.organizations.get(id) {
            Some(o) => o.name.clone().or_else(|| o.short_name.clone()),
            None => {
                d.missing.push(("organization", id.to_string()));
                None
            }
        }
    }

    fn resolve_file<'f>(&'f self, r: &'f Ref<File>, d: &mut Draft) -> Option<&'f File> {
        match r {
            Ref::Object(f) => Some(f),
            Ref::Url(url) => {
                let f = self.store.files.get(url);
                if f.is_none() {
                    d.missing.push(("file", url.clone()));
                }
                f
            }
        }
    }

    /// Append the passages of a File's text, or record why there is none.
    fn add_file(&self, file: &File, d: &mut Draft) {
        let limits = &self.options.extract_limits;
        let (from, extracted) = if let Some(text) = &file.text {
            (
                "oparl-text",
                extract_clean_bytes_with(Path::new("file.txt"), text.as_bytes(), limits),
            )
        } else if let Some(path) = self.local.as_ref().and_then(|l| l.find(file)) {
            let extracted = std::fs::read(&path)
                .map_err(|e| Error::io(&path, e))
                .and_then(|bytes| extract_clean_bytes_with(&path, &bytes, limits));
            ("local", extracted)
        } else if let (Some(fetch), Some(url)) = (
            self.fetch,
            file.download_url.as_ref().or(file.access_url.as_ref()),
        ) {
            let name = match file.mime_type.as_deref() {
                Some("text/plain") => "file.txt",
                _ => "file.pdf",
            };
            let extracted = fetch
                .get_bytes(url, self.options.max_download_bytes)
                .map_err(Error::Oparl)
                .and_then(|bytes| extract_clean_bytes_with(Path::new(name), &bytes, limits));
            ("downloaded", extracted)
        } else {
            d.files.push(FileOutcome::NotFetched(file.id.clone()));
            return;
        };
        let extracted = match extracted {
            Ok(e) => e,
            Err(e) => {
                d.files
                    .push(FileOutcome::Failed(file.id.clone(), e.to_string()));
                return;
            }
        };
        // One pass over the document's lines for both (as `ingest` does).
        let (recognised, mut passages) = structure::analyze_with_passages(&extracted.pages);
        if d.recognised.is_none() {
            d.recognised = Some(recognised.meta());
        }
        // Page-sized text passages carry the file's name as their title, so
        // a hit says which attachment it is in.
        for p in &mut passages {
            if p.kind == PassageKind::Text && p.title.is_none() {
                p.title = file.name.clone();
            }
        }
        d.passages.extend(passages);
        d.files.push(FileOutcome::Text(from));
    }

    fn build_paper(&self, paper: &Paper) -> Built {
        let mut d = Draft::default();
        let body = self.body_name(paper.body.as_deref(), &mut d);

        // The Gremium: the authoritative consultation's, else the first's.
        let mut consultations = Vec::new();
        for c in &paper.consultation {
            match c {
                Ref::Object(c) => consultations.push(&**c),
                Ref::Url(url) => match self.store.consultations.get(url) {
                    Some(c) => consultations.push(c),
                    None => d.missing.push(("consultation", url.clone())),
                },
            }
        }
        consultations.sort_by_key(|c| c.authoritative != Some(true));
        let gremium = consultations
            .iter()
            .flat_map(|c| c.organization.iter())
            .find_map(|org| self.organization_name(org, &mut d));

        let mut head = vec![paper.name.clone().unwrap_or_default()];
        let kind_line: Vec<&str> = [paper.paper_type.as_deref(), paper.reference.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        if !kind_line.is_empty() {
            head.push(kind_line.join(" "));
        }
        let mut file_names = Vec::new();
        for r in paper.files() {
            if let Some(file) = self.resolve_file(r, &mut d) {
                if let Some(name) = &file.name {
                    file_names.push(name.replace('\n', " "));
                }
                self.add_file(file, &mut d);
            }
        }
        if !file_names.is_empty() {
            head.push(format!("Dateien: {}", file_names.join("; ")));
        }
        let recognised = d.recognised.take().unwrap_or_default();
        let doc_type = match &paper.paper_type {
            Some(t) => doc_type_for(t).as_str().to_string(),
            None => recognised
                .doc_type
                .clone()
                .unwrap_or_else(|| DocType::Sonstiges.as_str().to_string()),
        };
        let meta = DocMeta {
            doc_type: Some(doc_type),
            body: body.or(recognised.body),
            gremium: gremium.or(recognised.gremium),
            date: day(paper.date.as_deref()).or(recognised.date),
            reference: paper.reference.clone().or(recognised.reference),
            dates_mentioned: recognised.dates_mentioned,
        };
        let first = Passage {
            kind: PassageKind::Text,
            page: 1,
            number: None,
            title: paper.name.clone(),
            text: head.join("\n"),
        };
        d.passages.insert(0, first);
        self.finish(&paper.id, paper.web.as_deref(), meta, d, false, 0)
    }

    fn build_meeting(&self, meeting: &Meeting) -> Built {
        let mut d = Draft::default();
        let body = self.body_name(meeting.body.as_deref(), &mut d);
        let gremien: Vec<String> = meeting
            .organization
            .iter()
            .filter_map(|o| self.organization_name(o, &mut d))
            .collect();
        let location = match &meeting.location {
            Some(Ref::Object(l)) => l.description.clone(),
            _ => None,
        };
        let mut head = vec![meeting.name.clone().unwrap_or_default()];
        head.extend(gremien.iter().cloned());
        head.extend(meeting.start.iter().map(|s| format!("Beginn: {s}")));
        head.extend(location.map(|l| format!("Ort: {l}")));
        if meeting.cancelled == Some(true) {
            head.push("abgesagt".into());
        }
        let mut passages = vec![Passage {
            kind: PassageKind::Text,
            page: 1,
            number: None,
            title: meeting.name.clone(),
            text: head.join("\n"),
        }];
        // Embedded items, plus items served on their own that point here.
        let mut items: Vec<&AgendaItem> = Vec::new();
        for r in &meeting.agenda_item {
            match r {
                Ref::Object(a) => items.push(a),
                Ref::Url(url) => match self.store.agenda_items.get(url) {
                    Some(a) => items.push(a),
                    None => d.missing.push(("agendaItem", url.clone())),
                },
            }
        }
        let listed: std::collections::HashSet<&str> = items.iter().map(|a| a.id.as_str()).collect();
        let mut backlinked: Vec<&AgendaItem> = self
            .store
            .agenda_items
            .values()
            .filter(|a| a.meeting.as_deref() == Some(meeting.id.as_str()))
            .filter(|a| !listed.contains(a.id.as_str()))
            .collect();
        backlinked.sort_by_key(|a| (a.order, a.id.clone()));
        items.extend(backlinked);
        let agenda_items = items.len();
        let mut files: Vec<&File> = Vec::new();
        for item in &items {
            let mut text = vec![item.name.clone().unwrap_or_default()];
            if let Some(paper) = item
                .consultation
                .as_deref()
                .and_then(|c| self.store.consultations.get(c))
                .and_then(|c| c.paper.as_deref())
                .and_then(|p| self.papers_by_id.get(p))
            {
                let line: Vec<&str> = [paper.reference.as_deref(), paper.name.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect();
                text.push(format!("Vorlage: {}", line.join(" ")));
            }
            text.extend(item.result.clone());
            text.extend(item.resolution_text.clone());
            passages.push(Passage {
                kind: PassageKind::Agenda,
                page: 1,
                number: item.number.clone(),
                title: item.name.clone(),
                text: text.join("\n"),
            });
            for r in item.resolution_file.iter().chain(&item.auxiliary_file) {
                if let Some(f) = self.resolve_file(r, &mut d) {
                    files.push(f);
                }
            }
        }
        d.passages = passages;
        for r in meeting.files() {
            if let Some(f) = self.resolve_file(r, &mut d) {
                files.push(f);
            }
        }
        for f in files {
            self.add_file(f, &mut d);
        }
        let meta = DocMeta {
            doc_type: Some(DocType::Sonstiges.as_str().to_string()),
            body,
            gremium: gremien.into_iter().next(),
            date: day(meeting.start.as_deref()),
            reference: None,
            dates_mentioned: Vec::new(),
        };
        self.finish(
            &meeting.id,
            meeting.web.as_deref(),
            meta,
            d,
            true,
            agenda_items,
        )
    }

    fn finish(
        &self,
        id: &str,
        web: Option<&str>,
        meta: DocMeta,
        d: Draft,
        is_meeting: bool,
        agenda_items: usize,
    ) -> Built {
        let mut text = String::new();
        for p in &d.passages {
            text.push_str(&p.text);
            text.push('\n');
        }
        let language = analysis::detect_language(&text);
        // The hash covers exactly what is indexed, so "unchanged" means the
        // index already holds this content.
        let mut hasher = blake3::Hasher::new();
        hasher.update(language.code().as_bytes());
        hasher.update(&serde_json::to_vec(&(&meta, &d.passages, web)).unwrap_or_default());
        let doc = IndexedDocument {
            path: PathBuf::from(id),
            file: web.unwrap_or(id).to_string(),
            hash: hasher.finalize().to_hex().to_string(),
            language,
            meta,
            passages: d.passages,
            page_sources: Vec::new(),
        };
        Built {
            doc,
            is_meeting,
            agenda_items,
            files: d.files,
            missing: d.missing,
        }
    }
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `YYYY-MM-DDTHH:MM:SSZ` of a Unix time (H. Hinnant's civil-from-days).
pub fn iso_utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

fn read_sync_state(index_dir: &Path, url: &str) -> Option<String> {
    let text = std::fs::read_to_string(index_dir.join(SYNC_STATE_FILE)).ok()?;
    let state: BTreeMap<String, String> = serde_json::from_str(&text).ok()?;
    state.get(url).cloned()
}

fn write_sync_state(index_dir: &Path, url: &str, secs: u64) -> Result<()> {
    let path = index_dir.join(SYNC_STATE_FILE);
    let mut state: BTreeMap<String, String> = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    state.insert(url.to_string(), iso_utc(secs));
    let json = serde_json::to_string_pretty(&state).unwrap_or_default();
    std::fs::write(&path, json).map_err(|e| Error::io(&path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_types_map_to_doc_types() {
        use DocType::*;
        for (t, want) in [
            ("Beschlussvorlage", Beschlussvorlage),
            ("Tischvorlage", Beschlussvorlage),
            ("Mitteilungsvorlage", Information),
            ("Informationsvorlage", Information),
            ("Beantwortung einer Anfrage", Antwort),
            ("Anfrage", Anfrage),
            ("Antrag", Sonstiges),
            ("Änderungs-/Ergänzungsantrag", Sonstiges),
            ("Haushalt THH 1100", Sonstiges),
            ("Niederschrift", Niederschrift),
        ] {
            assert_eq!(doc_type_for(t), want, "{t}");
        }
    }

    #[test]
    fn days_from_dates_and_times() {
        assert_eq!(
            day(Some("2013-01-04T08:00:00+01:00")).as_deref(),
            Some("2013-01-04")
        );
        assert_eq!(day(Some("2014-04-04")).as_deref(), Some("2014-04-04"));
        assert_eq!(day(Some("04.04.2014")), None);
        assert_eq!(day(None), None);
    }

    #[test]
    fn iso_utc_formats_unix_times() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(1_737_072_000 + 3661), "2025-01-17T01:01:01Z");
        assert_eq!(iso_utc(1_709_164_800), "2024-02-29T00:00:00Z");
    }
}
