//! Batch runs: a file of queries → one record per query, in input order.
//!
//! Takes query lines ([`parse_queries`]: `ID<TAB>QUERY`, or one query per
//! line with its line number as ID; blank lines and `#` comments skipped)
//! and gives one [`BatchRecord`] per query — its total and ranked hits, or
//! the error that query met. Queries run in parallel on the current rayon
//! pool against ONE shared [`tantivy::Searcher`] (searchers are `Sync`), a
//! chunk at a time, and [`run`] hands the records to a sink in input order
//! as each chunk finishes, so output streams and memory stays flat however
//! long the file.
//!
//! A query that fails (a syntax error, an unknown field) becomes a record
//! with `error` set; the rest of the batch goes on. [`Format`] writes records
//! as JSON lines, CSV (one row per hit) or TREC run lines, here in the
//! library so a server can stream the same shapes.
//!
//! # TREC document ids
//!
//! `trec_eval` needs one stable id per retrieved unit. A hit is a passage,
//! so its id is [`passage_id`]: `<doc_id>#<passage_index>` — the document's
//! id (a hash of its canonical path, see [`crate::index::doc_id_for`]) and
//! the 0-based position of the passage in the document. It stays the same
//! across re-indexing as long as the file's path and content do not change.

use std::io::{self, BufRead, Write};

use rayon::prelude::*;
use serde::Serialize;
use tantivy::Score;

use super::{search_with, Hit, SearchRequest};
use crate::error::{Error, Result};
use crate::index::PassageIndex;

/// Queries run in parallel this many at a time; records of a chunk are
/// written before the next chunk starts (bounded memory, ordered output).
pub const CHUNK: usize = 256;

/// The run tag in the last TREC column.
pub const TREC_RUN_TAG: &str = "ratsuche";

/// One line of a query file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchQuery {
    pub id: String,
    pub query: String,
}

/// Queries of a query file's text. A line with a tab is `ID<TAB>QUERY`
/// (both trimmed); any other line is a query whose ID is its 1-based line
/// number. Blank lines and lines starting with `#` are skipped (they still
/// count for line numbers). A line with an empty ID (`\tquery`) gets its
/// line number too.
pub fn parse_queries(text: &str) -> Vec<BatchQuery> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let (id, query) = match line.split_once('\t') {
            Some((id, query)) if !id.trim().is_empty() => (id.trim().to_string(), query.trim()),
            Some((_, query)) => ((n + 1).to_string(), query.trim()),
            None => ((n + 1).to_string(), trimmed),
        };
        out.push(BatchQuery {
            id,
            query: query.to_string(),
        });
    }
    out
}

/// [`parse_queries`] on everything `reader` gives; `source` names it in
/// errors (a file name, or `-` for stdin).
pub fn read_queries(mut reader: impl BufRead, source: &str) -> Result<Vec<BatchQuery>> {
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(source, e))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        Error::io(
            source,
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()),
            ),
        )
    })?;
    Ok(parse_queries(&text))
}

/// What every query of a batch shares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchOptions {
    /// Hits per query.
    pub limit: usize,
    /// Every matching passage instead of the best one per document.
    pub all_passages: bool,
    /// Worker threads; `None`: rayon's global pool (one per core).
    pub threads: Option<usize>,
}

impl Default for BatchOptions {
    fn default() -> BatchOptions {
        BatchOptions {
            limit: super::DEFAULT_LIMIT,
            all_passages: false,
            threads: None,
        }
    }
}

/// The result of one query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchRecord {
    pub id: String,
    pub query: String,
    /// Matching documents (passages with `all_passages`); 0 on error.
    pub total: usize,
    pub hits: Vec<BatchHit>,
    /// Why the query failed, for the user; absent when it ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One ranked hit of a batch query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchHit {
    /// 1-based.
    pub rank: usize,
    pub score: Score,
    /// [`passage_id`] of the hit (the TREC docid).
    pub docid: String,
    pub file: String,
    pub path: String,
    pub page: u64,
    pub section: Section,
    pub snippet: String,
}

/// The part of the document a hit is in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    /// Passage kind: `text`, `stichwort`, `handlungsfeld`, `agenda`, `qa`.
    pub kind: String,
    pub number: Option<String>,
    pub title: Option<String>,
}

/// The stable id of a passage: `<doc_id>#<passage_index>` (module docs).
pub fn passage_id(doc_id: &str, passage_index: u64) -> String {
    format!("{doc_id}#{passage_index}")
}

impl BatchRecord {
    fn from_hits(query: &BatchQuery, total: usize, hits: Vec<Hit>) -> BatchRecord {
        BatchRecord {
            id: query.id.clone(),
            query: query.query.clone(),
            total,
            hits: hits
                .into_iter()
                .enumerate()
                .map(|(i, h)| BatchHit {
                    rank: i + 1,
                    score: h.score,
                    docid: passage_id(&h.doc_id, h.passage_index),
                    file: h.file,
                    path: h.path,
                    page: h.page,
                    section: Section {
                        kind: h.kind,
                        number: h.number,
                        title: h.title,
                    },
                    snippet: h.snippet,
                })
                .collect(),
            error: None,
        }
    }

    fn failed(query: &BatchQuery, error: &Error) -> BatchRecord {
        BatchRecord {
            id: query.id.clone(),
            query: query.query.clone(),
            total: 0,
            hits: Vec::new(),
            error: Some(error.to_string()),
        }
    }
}

/// Run one query into its record (never fails: errors go into the record).
pub fn run_one(
    index: &PassageIndex,
    searcher: &tantivy::Searcher,
    query: &BatchQuery,
    opts: &BatchOptions,
) -> BatchRecord {
    let mut request = SearchRequest::new(query.query.clone());
    request.limit = opts.limit;
    request.all_passages = opts.all_passages;
    match search_with(index, searcher, &request) {
        Ok(results) => BatchRecord::from_hits(query, results.total, results.hits),
        Err(err) => BatchRecord::failed(query, &err),
    }
}

/// Counts of a finished run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchSummary {
    pub queries: usize,
    pub failed: usize,
}

/// Run every query in parallel ([`BatchOptions::threads`] workers, or
/// rayon's global pool), handing each record to `sink` in input order, on
/// the calling thread. `done(n)` is called after each chunk with the number
/// of queries finished so far (for a progress bar). Stops at the first
/// error of `sink` (e.g. a closed pipe); query errors do not stop it.
pub fn run(
    index: &PassageIndex,
    searcher: &tantivy::Searcher,
    queries: &[BatchQuery],
    opts: &BatchOptions,
    mut done: impl FnMut(usize),
    mut sink: impl FnMut(&BatchRecord) -> io::Result<()>,
) -> io::Result<BatchSummary> {
    let pool = match opts.threads {
        Some(n) => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| io::Error::other(format!("cannot start {n} worker threads: {e}")))?,
        ),
        None => None,
    };
    let mut summary = BatchSummary::default();
    for chunk in queries.chunks(CHUNK) {
        let work = || -> Vec<BatchRecord> {
            chunk
                .par_iter()
                .map(|q| run_one(index, searcher, q, opts))
                .collect()
        };
        let records = match &pool {
            Some(pool) => pool.install(work),
            None => work(),
        };
        for record in &records {
            summary.queries += 1;
            summary.failed += usize::from(record.error.is_some());
            sink(record)?;
        }
        done(summary.queries);
    }
    Ok(summary)
}

/// Output format of a batch run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// One JSON object per query and line.
    #[default]
    Jsonl,
    /// A header row, then one row per hit (a query without hits, or one
    /// that failed, gets one row with the hit columns empty).
    Csv,
    /// `qid Q0 docid rank score ratsuche` per hit, for `trec_eval`.
    Trec,
}

impl std::str::FromStr for Format {
    type Err = super::InvalidFilter;

    fn from_str(s: &str) -> std::result::Result<Format, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "jsonl" | "json" => Ok(Format::Jsonl),
            "csv" => Ok(Format::Csv),
            "trec" => Ok(Format::Trec),
            _ => Err(super::InvalidFilter(format!(
                "unknown format {s:?} (expected jsonl, csv or trec)"
            ))),
        }
    }
}

/// The CSV columns, in order.
pub const CSV_HEADER: [&str; 14] = [
    "id",
    "query",
    "total",
    "rank",
    "score",
    "docid",
    "file",
    "path",
    "page",
    "section_kind",
    "section_number",
    "section_title",
    "snippet",
    "error",
];

/// Writes records in one [`Format`] (the CSV header first).
pub struct RecordWriter<W: Write> {
    format: Format,
    out: RecordOut<W>,
}

enum RecordOut<W: Write> {
    Plain(W),
    Csv(Box<csv::Writer<W>>),
}

impl<W: Write> RecordWriter<W> {
    pub fn new(format: Format, out: W) -> io::Result<RecordWriter<W>> {
        let out = match format {
            Format::Csv => {
                let mut w = csv::Writer::from_writer(out);
                w.write_record(CSV_HEADER).map_err(csv_io)?;
                RecordOut::Csv(Box::new(w))
            }
            Format::Jsonl | Format::Trec => RecordOut::Plain(out),
        };
        Ok(RecordWriter { format, out })
    }

    pub fn write(&mut self, record: &BatchRecord) -> io::Result<()> {
        match (&mut self.out, self.format) {
            (RecordOut::Plain(out), Format::Jsonl) => {
                serde_json::to_writer(&mut *out, record)?;
                out.write_all(b"\n")
            }
            (RecordOut::Plain(out), _) => {
                let qid = trec_field(&record.id);
                for hit in &record.hits {
                    writeln!(
                        out,
                        "{qid} Q0 {} {} {} {TREC_RUN_TAG}",
                        hit.docid, hit.rank, hit.score
                    )?;
                }
                Ok(())
            }
            (RecordOut::Csv(w), _) => {
                let total = record.total.to_string();
                let error = record.error.as_deref().unwrap_or("");
                if record.hits.is_empty() {
                    let empty = [""; 10];
                    let mut row = vec![record.id.as_str(), &record.query, &total];
                    row.extend(empty);
                    row.push(error);
                    return w.write_record(&row).map_err(csv_io);
                }
                for hit in &record.hits {
                    w.write_record([
                        record.id.as_str(),
                        &record.query,
                        &total,
                        &hit.rank.to_string(),
                        &hit.score.to_string(),
                        &hit.docid,
                        &hit.file,
                        &hit.path,
                        &hit.page.to_string(),
                        &hit.section.kind,
                        hit.section.number.as_deref().unwrap_or(""),
                        hit.section.title.as_deref().unwrap_or(""),
                        &hit.snippet,
                        error,
                    ])
                    .map_err(csv_io)?;
                }
                Ok(())
            }
        }
    }

    /// Flush and give the writer back.
    pub fn finish(self) -> io::Result<W> {
        match self.out {
            RecordOut::Plain(mut out) => {
                out.flush()?;
                Ok(out)
            }
            RecordOut::Csv(w) => w.into_inner().map_err(|e| e.into_error()),
        }
    }
}

/// TREC columns are separated by white space: an ID's own white space
/// becomes `_`.
fn trec_field(id: &str) -> String {
    id.chars()
        .map(|c| if c.is_whitespace() { '_' } else { c })
        .collect()
}

fn csv_io(err: csv::Error) -> io::Error {
    match err.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_lines_with_and_without_ids() {
        let qs = parse_queries(
            "# comment\nq1\tKita Gebühren\n\nArztlotse\n  \t leer id\n\tohne id\n# x\tz\n",
        );
        let got: Vec<(&str, &str)> = qs
            .iter()
            .map(|q| (q.id.as_str(), q.query.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("q1", "Kita Gebühren"),
                ("4", "Arztlotse"),
                ("5", "leer id"),
                ("6", "ohne id")
            ]
        );
    }

    #[test]
    fn non_utf8_input_names_its_source() {
        let err = read_queries(&b"ok\n\xff\xfe\n"[..], "q.tsv").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("q.tsv") && msg.contains("UTF-8"), "{msg}");
    }

    fn record(hits: usize, error: Option<&str>) -> BatchRecord {
        BatchRecord {
            id: "a b".into(),
            query: "Kita, \"Gebühren\"".into(),
            total: hits,
            hits: (0..hits)
                .map(|i| BatchHit {
                    rank: i + 1,
                    score: 2.5 - i as f32,
                    docid: passage_id("00ff", i as u64),
                    file: "x.pdf".into(),
                    path: "/x.pdf".into(),
                    page: 3,
                    section: Section {
                        kind: "qa".into(),
                        number: Some("2".into()),
                        title: Some("Wie?".into()),
                    },
                    snippet: "Die Kita".into(),
                })
                .collect(),
            error: error.map(str::to_string),
        }
    }

    fn written(format: Format, records: &[BatchRecord]) -> String {
        let mut w = RecordWriter::new(format, Vec::new()).unwrap();
        for r in records {
            w.write(r).unwrap();
        }
        String::from_utf8(w.finish().unwrap()).unwrap()
    }

    #[test]
    fn trec_lines_have_six_columns() {
        let out = written(Format::Trec, &[record(2, None), record(0, Some("bad"))]);
        assert_eq!(
            out,
            "a_b Q0 00ff#0 1 2.5 ratsuche\na_b Q0 00ff#1 2 1.5 ratsuche\n"
        );
    }

    #[test]
    fn csv_has_a_header_and_a_row_per_hit() {
        let out = written(Format::Csv, &[record(2, None), record(0, Some("bad"))]);
        let mut rows = csv::Reader::from_reader(out.as_bytes());
        assert_eq!(
            rows.headers().unwrap().iter().collect::<Vec<_>>(),
            CSV_HEADER
        );
        let rows: Vec<csv::StringRecord> = rows.records().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(&rows[0][1], "Kita, \"Gebühren\"");
        assert_eq!(&rows[1][3], "2");
        assert_eq!(&rows[2][13], "bad");
        assert_eq!(&rows[2][3], "");
    }

    #[test]
    fn jsonl_omits_error_when_none() {
        let out = written(Format::Jsonl, &[record(1, None), record(0, Some("bad"))]);
        let lines: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].get("error").is_none());
        assert_eq!(lines[0]["hits"][0]["section"]["kind"], "qa");
        assert_eq!(lines[1]["error"], "bad");
    }

    #[test]
    fn formats_parse() {
        assert_eq!("TREC".parse::<Format>().unwrap(), Format::Trec);
        assert!("xml".parse::<Format>().unwrap_err().0.contains("jsonl"));
    }
}
