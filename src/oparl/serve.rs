//! Indexed documents → OParl 1.1 `Paper` objects, for the HTTP API.
//!
//! Takes a [`PassageIndex`] and a searcher; gives one [`DocumentHead`] per
//! indexed document (its document-level stored fields and the title of its
//! first passage) and turns it into an OParl [`OParlPaper`], or a page of
//! them into an OParl list ([`PaperList`]). Other council software speaks
//! OParl, so serving it lets such clients read what ratsuche indexed.
//!
//! * Every document is one Paper: PDFs indexed by `ratsuche index` and
//!   objects imported from OParl alike. Our `id` is the URL of the Paper
//!   endpoint; a document imported from OParl keeps its upstream id under
//!   the vendor field `ratsuche:source`.
//! * Only what the index knows is written: `name`, `reference`, `date`
//!   (full days only), `paperType` (the German label of the
//!   [`DocType`](crate::structure::DocType)), `mainFile` for local PDFs and
//!   text files (served by `/api/documents/{id}/pdf`), `web` (the search
//!   page, by reference number). OParl allows leaving out everything but
//!   `id` and `type`.
//! * Lists are ordered by document id, which is stable across commits and
//!   merges, so pages do not reshuffle while a client walks them.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use tantivy::schema::Value;
use tantivy::{DocAddress, Searcher, TantivyDocument};
use utoipa::ToSchema;

use crate::error::{Error, Result};
use crate::index::{is_doc_id, PassageIndex};

/// OParl's type URL of a Paper.
pub const PAPER_TYPE: &str = "https://schema.oparl.org/1.1/Paper";
/// OParl's type URL of a File.
pub const FILE_TYPE: &str = "https://schema.oparl.org/1.1/File";
/// Papers per list page when the client does not ask (`limit`).
pub const DEFAULT_PAGE_SIZE: usize = 20;

/// The document-level facts the index stores about one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentHead {
    pub doc_id: String,
    /// Canonical path, or the OParl id URL of an imported object.
    pub path: String,
    /// The path as given when indexing.
    pub file: String,
    /// Title of the first passage (an imported Paper's `name`).
    pub title: Option<String>,
    pub doc_type: Option<String>,
    pub date: Option<String>,
    pub reference: Option<String>,
    pub body: Option<String>,
    pub gremium: Option<String>,
}

impl DocumentHead {
    /// True when the document was imported from OParl (its path is the
    /// object's URL, not a file).
    pub fn is_imported(&self) -> bool {
        let lower = self.path.to_ascii_lowercase();
        lower.starts_with("http://") || lower.starts_with("https://")
    }
}

/// An OParl File: the document's original file as this server serves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OParlFile {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    pub access_url: String,
}

/// An OParl 1.1 Paper with the fields the index can fill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OParlPaper {
    /// This Paper's URL on this server.
    pub id: String,
    /// Always [`PAPER_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paper_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub main_file: Option<OParlFile>,
    /// The search page showing this paper's passages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web: Option<String>,
    /// For a paper imported from OParl: its id in the upstream system.
    #[serde(rename = "ratsuche:source", skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// OParl's `pagination` object of a list page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    pub total_elements: usize,
    pub elements_per_page: usize,
    /// 1-based.
    pub current_page: usize,
    pub total_pages: usize,
}

/// OParl's `links` object of a list page (absent links are omitted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ListLinks {
    pub first: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    pub last: String,
}

/// One page of an OParl list of Papers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PaperList {
    pub data: Vec<OParlPaper>,
    pub pagination: Pagination,
    pub links: ListLinks,
}

/// German name of a stored document type ("anfrage_antwort" → "Anfrage
/// mit Antwort"); unknown types as they are.
pub fn paper_type_label(doc_type: &str) -> &str {
    match doc_type {
        "information" => "Information",
        "konzept" => "Konzept",
        "anfrage" => "Anfrage",
        "antwort" => "Antwort",
        "anfrage_antwort" => "Anfrage mit Antwort",
        "niederschrift" => "Niederschrift",
        "beschlussvorlage" => "Beschlussvorlage",
        "projekt" => "Projekt",
        "sonstiges" => "Sonstiges",
        other => other,
    }
}

/// The first passage of every document in `searcher`'s view, ordered by
/// document id. Reads fast columns only.
fn first_passages(searcher: &Searcher) -> Result<Vec<(String, DocAddress)>> {
    let mut best: HashMap<String, (u64, DocAddress)> = HashMap::new();
    let mut buf = String::new();
    for (segment_ord, segment) in searcher.segment_readers().iter().enumerate() {
        let fast = segment.fast_fields();
        let Some(ids) = fast.str("doc_id")? else {
            continue;
        };
        let positions = fast.u64("passage_index")?;
        let mut in_segment: HashMap<u64, (u64, u32)> = HashMap::new();
        for doc in segment.doc_ids_alive() {
            let Some(ord) = ids.term_ords(doc).next() else {
                continue;
            };
            let position = positions.first(doc).unwrap_or(u64::MAX);
            let entry = in_segment.entry(ord).or_insert((position, doc));
            if position < entry.0 {
                *entry = (position, doc);
            }
        }
        for (ord, (position, doc)) in in_segment {
            ids.ord_to_str(ord, &mut buf)
                .map_err(|e| Error::Index(e.into()))?;
            let address = DocAddress::new(segment_ord as u32, doc);
            match best.get_mut(buf.as_str()) {
                Some(kept) if kept.0 <= position => {}
                Some(kept) => *kept = (position, address),
                None => {
                    best.insert(buf.clone(), (position, address));
                }
            }
        }
    }
    let mut heads: Vec<(String, DocAddress)> = best
        .into_iter()
        .map(|(id, (_, address))| (id, address))
        .collect();
    heads.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(heads)
}

fn read_head(
    index: &PassageIndex,
    searcher: &Searcher,
    address: DocAddress,
) -> Result<DocumentHead> {
    let doc: TantivyDocument = searcher.doc(address)?;
    let f = index.fields();
    let text = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_str().map(str::to_string))
            .filter(|s| !s.trim().is_empty())
    };
    let path = text(f.path).unwrap_or_default();
    Ok(DocumentHead {
        doc_id: text(f.doc_id).unwrap_or_default(),
        file: text(f.file).unwrap_or_else(|| path.clone()),
        path,
        title: text(f.title),
        doc_type: text(f.doc_type),
        date: text(f.date),
        reference: text(f.reference),
        body: text(f.body),
        gremium: text(f.gremium),
    })
}

/// Number of documents and the heads of those on `page` (1-based) of
/// `per_page`, ordered by document id. A page past the last is empty.
pub fn document_heads(
    index: &PassageIndex,
    searcher: &Searcher,
    page: usize,
    per_page: usize,
) -> Result<(usize, Vec<DocumentHead>)> {
    let all = first_passages(searcher)?;
    let start = page.saturating_sub(1).saturating_mul(per_page);
    let heads = all
        .iter()
        .skip(start)
        .take(per_page)
        .map(|(_, address)| read_head(index, searcher, *address))
        .collect::<Result<Vec<_>>>()?;
    Ok((all.len(), heads))
}

/// The head of the document with id `doc_id`, or `None` when the index
/// holds no such document.
pub fn document_head(
    index: &PassageIndex,
    searcher: &Searcher,
    doc_id: &str,
) -> Result<Option<DocumentHead>> {
    if !is_doc_id(doc_id) {
        return Ok(None);
    }
    let term = tantivy::Term::from_field_text(index.fields().doc_id, doc_id);
    let query = tantivy::query::TermQuery::new(term, tantivy::schema::IndexRecordOption::Basic);
    let addresses = searcher.search(&query, &tantivy::collector::DocSetCollector)?;
    let mut first: Option<(u64, DocAddress)> = None;
    for address in addresses {
        let positions = searcher
            .segment_reader(address.segment_ord)
            .fast_fields()
            .u64("passage_index")?;
        let position = positions.first(address.doc_id).unwrap_or(u64::MAX);
        if first.is_none_or(|(kept, _)| position < kept) {
            first = Some((position, address));
        }
    }
    match first {
        Some((_, address)) => Ok(Some(read_head(index, searcher, address)?)),
        None => Ok(None),
    }
}

/// `head` as an OParl Paper served under `base` (`http://host:port`, no
/// trailing slash).
pub fn paper(head: &DocumentHead, base: &str) -> OParlPaper {
    let id = format!("{base}/oparl/papers/{}", head.doc_id);
    let file_name = (!head.is_imported())
        .then(|| {
            std::path::Path::new(&head.path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .flatten();
    let mime_type = file_name.as_deref().and_then(|name| {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".pdf") {
            Some("application/pdf")
        } else if lower.ends_with(".txt") {
            Some("text/plain")
        } else {
            None
        }
    });
    let main_file = mime_type.map(|mime| {
        let url = format!("{base}/api/documents/{}/pdf", head.doc_id);
        OParlFile {
            id: url.clone(),
            kind: FILE_TYPE.to_string(),
            name: head.title.clone().or_else(|| file_name.clone()),
            file_name: file_name.clone(),
            mime_type: Some(mime.to_string()),
            access_url: url,
        }
    });
    let date = head
        .date
        .as_deref()
        .filter(|d| is_full_day(d))
        .map(str::to_string);
    let web = head.reference.as_deref().map(|reference| {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("q", &format!("nr:\"{}\"", reference.replace('"', " ")))
            .finish();
        format!("{base}/?{query}")
    });
    OParlPaper {
        id,
        kind: PAPER_TYPE.to_string(),
        name: head.title.clone().or(file_name),
        reference: head.reference.clone(),
        date,
        paper_type: head
            .doc_type
            .as_deref()
            .map(|t| paper_type_label(t).to_string()),
        main_file,
        web,
        source: head.is_imported().then(|| head.path.clone()),
    }
}

fn is_full_day(date: &str) -> bool {
    let b = date.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// Page `page` (1-based) of `per_page` Papers of the whole index as an
/// OParl list served under `base`. `limit_in_links` keeps a client's
/// `limit` parameter in the links.
pub fn paper_list(
    index: &PassageIndex,
    searcher: &Searcher,
    base: &str,
    page: usize,
    per_page: usize,
    limit_in_links: bool,
) -> Result<PaperList> {
    let per_page = per_page.max(1);
    let page = page.max(1);
    let (total, heads) = document_heads(index, searcher, page, per_page)?;
    let total_pages = total.div_ceil(per_page).max(1);
    let link = |n: usize| {
        if limit_in_links {
            format!("{base}/oparl/papers?page={n}&limit={per_page}")
        } else {
            format!("{base}/oparl/papers?page={n}")
        }
    };
    Ok(PaperList {
        data: heads.iter().map(|h| paper(h, base)).collect(),
        pagination: Pagination {
            total_elements: total,
            elements_per_page: per_page,
            current_page: page,
            total_pages,
        },
        links: ListLinks {
            first: link(1),
            prev: (page > 1).then(|| link((page - 1).min(total_pages))),
            next: (page < total_pages).then(|| link(page + 1)),
            last: link(total_pages),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(path: &str) -> DocumentHead {
        DocumentHead {
            doc_id: "0123456789abcdef".into(),
            path: path.into(),
            file: path.into(),
            title: Some("Antwort".into()),
            doc_type: Some("anfrage_antwort".into()),
            date: Some("2025-11-10".into()),
            reference: Some("DS 46/2024".into()),
            body: None,
            gremium: None,
        }
    }

    #[test]
    fn a_local_pdf_gets_a_main_file_and_no_source() {
        let p = paper(&head("/docs/a.pdf"), "http://h:1");
        assert_eq!(p.id, "http://h:1/oparl/papers/0123456789abcdef");
        assert_eq!(p.paper_type.as_deref(), Some("Anfrage mit Antwort"));
        let file = p.main_file.unwrap();
        assert_eq!(
            file.access_url,
            "http://h:1/api/documents/0123456789abcdef/pdf"
        );
        assert_eq!(file.mime_type.as_deref(), Some("application/pdf"));
        assert_eq!(file.file_name.as_deref(), Some("a.pdf"));
        assert_eq!(p.source, None);
        assert_eq!(
            p.web.as_deref(),
            Some("http://h:1/?q=nr%3A%22DS+46%2F2024%22")
        );
    }

    #[test]
    fn an_imported_paper_keeps_its_upstream_id_and_has_no_file() {
        let mut h = head("https://oparl.example.org/paper/749");
        h.date = Some("2014-04".into());
        let p = paper(&h, "http://h");
        assert_eq!(
            p.source.as_deref(),
            Some("https://oparl.example.org/paper/749")
        );
        assert!(p.main_file.is_none());
        assert_eq!(p.date, None, "a month is not an OParl date");
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["type"], PAPER_TYPE);
        assert!(json.get("mainFile").is_none());
    }
}
