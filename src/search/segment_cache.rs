//! Per-segment data that every search reads, prepared once per segment
//! instead of once per query: the fast columns [`super::collect`] reads per
//! passage, the identity of every `doc_id` term ordinal, and the names of
//! the small facet dictionaries (type, body, Gremium), and per passage the
//! values the collector reads ([`Row`]).
//!
//! Takes a tantivy `SegmentReader`; gives an `Arc<SegmentData>`. Opening
//! the columns and resolving `doc_id` strings was most of a query's time
//! once snippets were windowed (profile in `benches/HISTORY.md`); a segment
//! never changes once written, so its entry stays right for as long as
//! the segment exists. The cache is keyed by the segment's id (random per
//! segment). Every search first drops the entries of segments its searcher
//! no longer has ([`retain_searcher`]), so segments merged away or deleted
//! by a newer commit do not stay cached (nor keep their files mapped), and
//! memory is bounded by the searched index's documents (about 40 bytes per
//! document and 40 per passage); [`MAX_SEGMENTS`] bounds the rest (several indexes searched
//! by one process).

use std::sync::{Arc, Mutex, OnceLock};

use tantivy::columnar::{Column, StrColumn};
use tantivy::index::SegmentId;
use tantivy::SegmentReader;

use crate::model::PassageKind;

/// Segments kept in the cache at most; far above the segment count of one
/// index (one per 20,000–40,000 passages under the merge cap: 3 for
/// Karlsruhe, 12 at ten times that), so one index's searches do not evict
/// each other's segments below ~10 million passages.
pub const MAX_SEGMENTS: usize = 512;

/// The fast columns read per passage; `None` where a segment has no value
/// at all for a field.
#[derive(Clone)]
pub(super) struct Columns {
    pub doc_id: Option<StrColumn>,
    pub kind: Option<StrColumn>,
    pub title: Option<StrColumn>,
    pub doc_type: Option<StrColumn>,
    pub body: Option<StrColumn>,
    pub gremium: Option<StrColumn>,
    pub date: Option<Column<tantivy::DateTime>>,
    pub year: Option<Column<u64>>,
    pub passage_index: Option<Column<u64>>,
}

/// A document's identity across segments: its `doc_id`, held as a number
/// when it is 16 lowercase hex digits (every id ratsuche writes), so that
/// joining segments compares integers, not strings.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum DocName {
    Hex(u64),
    Other(Box<str>),
}

impl DocName {
    pub fn new(id: &str) -> DocName {
        let bytes = id.as_bytes();
        if bytes.len() == 16 && bytes.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            if let Ok(n) = u64::from_str_radix(id, 16) {
                return DocName::Hex(n);
            }
        }
        DocName::Other(id.into())
    }

    /// The tie-break key: [`super::collect::doc_key`] of the id.
    pub fn key(&self) -> u64 {
        match self {
            DocName::Hex(n) => *n,
            DocName::Other(id) => super::collect::doc_key(id),
        }
    }
}

impl std::fmt::Display for DocName {
    /// The id as written in the index.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DocName::Hex(n) => write!(f, "{n:016x}"),
            DocName::Other(id) => f.write_str(id),
        }
    }
}

/// What the collector reads of one passage, taken from the fast columns
/// once per segment: per matching passage the collector then reads one
/// array slot instead of six columns (each a lookup through tantivy's
/// column index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Row {
    /// First term ordinals of `doc_id`, `doc_type`, `body`, `gremium`;
    /// [`Row::NONE`] for no value.
    doc: u32,
    doc_type: u32,
    body: u32,
    gremium: u32,
    /// First value of `year` and `passage_index`; `u64::MAX` for none.
    year: u64,
    passage: u64,
    /// The passage's kind is `handlungsfeld`.
    pub handlungsfeld: bool,
}

impl Row {
    const NONE: u32 = u32::MAX;

    fn ord(value: u32) -> Option<u64> {
        (value != Row::NONE).then_some(u64::from(value))
    }

    fn value(value: u64) -> Option<u64> {
        (value != u64::MAX).then_some(value)
    }

    pub fn doc(&self) -> Option<u64> {
        Row::ord(self.doc)
    }

    pub fn doc_type(&self) -> Option<u64> {
        Row::ord(self.doc_type)
    }

    pub fn body(&self) -> Option<u64> {
        Row::ord(self.body)
    }

    pub fn gremium(&self) -> Option<u64> {
        Row::ord(self.gremium)
    }

    pub fn year(&self) -> Option<u64> {
        Row::value(self.year)
    }

    pub fn passage(&self) -> Option<u64> {
        Row::value(self.passage)
    }
}

/// What a search needs of one segment, beyond its postings.
pub(super) struct SegmentData {
    pub columns: Columns,
    /// Ordinal of `handlungsfeld` in the `kind` column.
    pub handlungsfeld: Option<u64>,
    /// Per `doc_id` term ordinal: the document's identity and tie-break
    /// key (`None`: an entry that is not UTF-8, treated as missing).
    pub docs: Vec<Option<(DocName, u64)>>,
    /// Per term ordinal of `doc_type`, `body` and `gremium`: the value.
    pub doc_type: Vec<Option<Box<str>>>,
    pub body: Vec<Option<Box<str>>>,
    pub gremium: Vec<Option<Box<str>>>,
    /// Per passage (doc id of the segment); `None` when some value does
    /// not fit a [`Row`] (never in an index ratsuche writes): the
    /// collector then reads the columns.
    pub rows: Option<Vec<Row>>,
}

impl SegmentData {
    fn read(reader: &SegmentReader) -> tantivy::Result<SegmentData> {
        let fast = reader.fast_fields();
        let columns = Columns {
            doc_id: fast.str("doc_id")?,
            kind: fast.str("kind")?,
            title: fast.str("title")?,
            doc_type: fast.str("doc_type")?,
            body: fast.str("body")?,
            gremium: fast.str("gremium")?,
            date: fast.column_opt("date_value")?,
            year: fast.column_opt("year")?,
            passage_index: fast.column_opt("passage_index")?,
        };
        let handlungsfeld = match &columns.kind {
            Some(kind) => kind
                .dictionary()
                .term_ord(PassageKind::Handlungsfeld.as_str())?,
            None => None,
        };
        let docs = all_terms(&columns.doc_id, |s| {
            let name = DocName::new(s);
            let key = name.key();
            (name, key)
        })?;
        let rows = rows(reader.max_doc(), &columns, handlungsfeld);
        Ok(SegmentData {
            rows,
            doc_type: all_terms(&columns.doc_type, |s: &str| Box::from(s))?,
            body: all_terms(&columns.body, |s: &str| Box::from(s))?,
            gremium: all_terms(&columns.gremium, |s: &str| Box::from(s))?,
            docs,
            handlungsfeld,
            columns,
        })
    }

    /// The [`Row`] of passage `doc`, unless the segment has no rows.
    pub fn row(&self, doc: u32) -> Option<&Row> {
        self.rows.as_ref()?.get(doc as usize)
    }

    /// The identity and tie-break key of `doc_id` term ordinal `ord`.
    pub fn doc(&self, ord: u64) -> Option<&(DocName, u64)> {
        self.docs.get(usize::try_from(ord).ok()?)?.as_ref()
    }

    /// The value of facet term ordinal `ord` in `table`.
    pub fn name(table: &[Option<Box<str>>], ord: Option<u64>) -> Option<&str> {
        table.get(usize::try_from(ord?).ok()?)?.as_deref()
    }
}

/// The [`Row`] of every passage of a segment with `max_doc` passages.
fn rows(max_doc: u32, columns: &Columns, handlungsfeld: Option<u64>) -> Option<Vec<Row>> {
    fn first_ord(column: &Option<StrColumn>, doc: u32) -> Option<u32> {
        match column.as_ref().and_then(|c| c.term_ords(doc).next()) {
            None => Some(Row::NONE),
            Some(ord) => u32::try_from(ord).ok().filter(|&o| o != Row::NONE),
        }
    }
    fn first(column: &Option<Column<u64>>, doc: u32) -> Option<u64> {
        match column.as_ref().and_then(|c| c.first(doc)) {
            None => Some(u64::MAX),
            Some(value) => (value != u64::MAX).then_some(value),
        }
    }
    let mut rows = Vec::with_capacity(max_doc as usize);
    for doc in 0..max_doc {
        let kind = columns.kind.as_ref().and_then(|c| c.term_ords(doc).next());
        rows.push(Row {
            doc: first_ord(&columns.doc_id, doc)?,
            doc_type: first_ord(&columns.doc_type, doc)?,
            body: first_ord(&columns.body, doc)?,
            gremium: first_ord(&columns.gremium, doc)?,
            year: first(&columns.year, doc)?,
            passage: first(&columns.passage_index, doc)?,
            handlungsfeld: handlungsfeld.is_some() && kind == handlungsfeld,
        });
    }
    Some(rows)
}

/// `make` of every term of `column`'s dictionary, by ordinal, in one pass.
fn all_terms<T>(
    column: &Option<StrColumn>,
    make: impl Fn(&str) -> T,
) -> tantivy::Result<Vec<Option<T>>> {
    let Some(column) = column else {
        return Ok(Vec::new());
    };
    let dictionary = column.dictionary();
    let mut out = Vec::with_capacity(dictionary.num_terms());
    let mut stream = dictionary.stream()?;
    while stream.advance() {
        out.push(std::str::from_utf8(stream.key()).ok().map(&make));
    }
    Ok(out)
}

struct Cache {
    /// (segment, last use, data); at most [`MAX_SEGMENTS`].
    entries: Vec<(SegmentId, u64, Arc<SegmentData>)>,
    clock: u64,
}

fn cache() -> &'static Mutex<Cache> {
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    CACHE.get_or_init(|| {
        Mutex::new(Cache {
            entries: Vec::new(),
            clock: 0,
        })
    })
}

/// Drops the cached data of every segment `searcher` does not have. Cheap
/// (a few dozen id comparisons); called at the start of every search. A
/// search on an older searcher during a reload may drop the newer
/// segments: they are read again by the next search, never answered wrongly.
pub(super) fn retain_searcher(searcher: &tantivy::Searcher) {
    let readers = searcher.segment_readers();
    let mut cache = cache().lock().unwrap_or_else(|e| e.into_inner());
    cache
        .entries
        .retain(|e| readers.iter().any(|r| r.segment_id() == e.0));
}

/// The data of `reader`'s segment, from the cache or read now.
pub(super) fn segment_data(reader: &SegmentReader) -> tantivy::Result<Arc<SegmentData>> {
    let id = reader.segment_id();
    {
        let mut cache = cache().lock().unwrap_or_else(|e| e.into_inner());
        cache.clock += 1;
        let now = cache.clock;
        if let Some(entry) = cache.entries.iter_mut().find(|e| e.0 == id) {
            entry.1 = now;
            return Ok(entry.2.clone());
        }
    }
    // Read outside the lock: two threads may both read a new segment once.
    let data = Arc::new(SegmentData::read(reader)?);
    let mut cache = cache().lock().unwrap_or_else(|e| e.into_inner());
    if !cache.entries.iter().any(|e| e.0 == id) {
        if cache.entries.len() >= MAX_SEGMENTS {
            if let Some(oldest) = (0..cache.entries.len()).min_by_key(|&i| cache.entries[i].1) {
                cache.entries.swap_remove(oldest);
            }
        }
        let now = cache.clock;
        cache.entries.push((id, now, data.clone()));
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{IndexedDocument, PassageIndex};
    use crate::model::{DocMeta, Passage};

    /// What the collector read per passage before rows existed (and still
    /// reads when a segment has none): the columns themselves.
    fn row_from_columns(data: &SegmentData, doc: u32) -> [Option<u64>; 6] {
        let c = &data.columns;
        let ord = |col: &Option<StrColumn>| col.as_ref().and_then(|c| c.term_ords(doc).next());
        [
            ord(&c.doc_id),
            ord(&c.doc_type),
            ord(&c.body),
            ord(&c.gremium),
            c.year.as_ref().and_then(|y| y.first(doc)),
            c.passage_index.as_ref().and_then(|p| p.first(doc)),
        ]
    }

    #[test]
    fn rows_hold_what_the_columns_hold() {
        let dir = tempfile::TempDir::new().unwrap();
        let index = PassageIndex::open_or_create(dir.path()).unwrap();
        let mut writer = index.writer(30_000_000).unwrap();
        let passage = |kind, text: &str| Passage {
            kind,
            page: 1,
            number: None,
            title: None,
            text: text.to_string(),
        };
        for (i, meta) in [
            DocMeta {
                doc_type: Some("konzept".into()),
                body: Some("Landkreis Beispiel".into()),
                gremium: Some("Kreistag".into()),
                date: Some("2025-11-10".into()),
                ..DocMeta::default()
            },
            // Other values, so that each column's ordinals differ (a row
            // that mixed up body and Gremium would show).
            DocMeta {
                doc_type: Some("anfrage".into()),
                body: Some("Stadt Muster".into()),
                gremium: Some("Ausschuss".into()),
                date: Some("2024-03".into()),
                ..DocMeta::default()
            },
            // No type, body, Gremium or date: the row must say "none" too.
            DocMeta::default(),
        ]
        .into_iter()
        .enumerate()
        {
            let doc = IndexedDocument {
                path: dir.path().join(format!("f{i}.txt")),
                file: format!("f{i}.txt"),
                hash: format!("{i:064}"),
                language: crate::analysis::Lang::German,
                meta,
                passages: vec![
                    passage(PassageKind::Text, "Radverkehr im Landkreis"),
                    passage(PassageKind::Handlungsfeld, "Mobilität und Verkehr"),
                ],
                page_sources: Vec::new(),
            };
            writer.replace(&doc).unwrap();
        }
        writer.finish().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let mut compared = 0;
        for reader in searcher.segment_readers() {
            let data = SegmentData::read(reader).unwrap();
            assert!(data.rows.is_some(), "every value fits a row");
            for doc in 0..reader.max_doc() {
                let row = data.row(doc).expect("a row per passage");
                let from_row = [
                    row.doc(),
                    row.doc_type(),
                    row.body(),
                    row.gremium(),
                    row.year(),
                    row.passage(),
                ];
                assert_eq!(from_row, row_from_columns(&data, doc), "passage {doc}");
                let kind = data
                    .columns
                    .kind
                    .as_ref()
                    .and_then(|k| k.term_ords(doc).next());
                assert_eq!(
                    row.handlungsfeld,
                    kind.is_some() && kind == data.handlungsfeld
                );
                compared += 1;
            }
        }
        assert_eq!(compared, 6);
        let flagged = searcher
            .segment_readers()
            .iter()
            .map(|r| SegmentData::read(r).unwrap())
            .flat_map(|d| d.rows.unwrap())
            .filter(|row| row.handlungsfeld)
            .count();
        assert_eq!(flagged, 3, "one Handlungsfeld passage per file");
    }

    #[test]
    fn doc_names_are_numbers_only_for_16_lowercase_hex_digits() {
        assert_eq!(DocName::new("00000000000000ff"), DocName::Hex(255));
        assert_eq!(DocName::new("00000000000000ff").key(), 255);
        assert_eq!(
            DocName::new("00000000000000ff").to_string(),
            "00000000000000ff"
        );
        assert_eq!(DocName::new("Not-Hex").to_string(), "Not-Hex");
        assert!(matches!(
            DocName::new("00000000000000FF"),
            DocName::Other(_)
        ));
        assert!(matches!(DocName::new("ff"), DocName::Other(_)));
        assert_eq!(
            DocName::new("not hex").key(),
            super::super::collect::doc_key("not hex")
        );
    }
}
