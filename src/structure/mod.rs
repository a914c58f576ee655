//! `structure` stage: what a council paper is and what its parts are.
//!
//! # Brief overview
//!
//! Takes cleaned [`Page`]s (text only is enough: plain-text input has no
//! geometry), gives a [`DocStructure`] — type, issuing body, Gremium, main
//! date, reference, every date mentioned, Stichwort items, Handlungsfelder,
//! agenda items and question/answer pairs — and from it the searchable
//! [`Passage`]s: one per recognised part plus the remaining text in
//! page-sized chunks.
//!
//! | file | does |
//! |---|---|
//! | `doc.rs` | pages → flat list of normalised lines with their page; which lines the layout wrapped (geometry) |
//! | `doctype.rs` | the paper's type from cues and found structure |
//! | `dates.rs` | dates and ranges in all the forms papers use |
//! | `items.rs` | Stichwort items, Handlungsfelder, agenda items |
//! | `qa.rs` | numbered questions and their answers |
//! | `meta.rs` | body, Gremium, reference, main date |
//! | `passages.rs` | recognised parts and leftover text → passages |
//!
//! Every recogniser is a set of general rules over line starts and labels
//! (what a reader would look for), not a description of particular papers.
//!
//! # Example
//!
//! ```
//! use ratsuche::model::{Line, Page, TextSource};
//! use ratsuche::structure::{analyze, passages, DocType};
//!
//! let text = "Der Kreistag des Ilm-Kreises möge zur Kenntnis nehmen:\n\
//!             1.1 Stichwort: Grüne Woche\n\
//!             Vom 17. bis 26. Januar 2025 findet die Grüne Woche statt.\n\
//!             1.2 Stichwort: Radwege\n\
//!             Der Radweg wird am 5. März 2025 eröffnet.";
//! let pages = [Page {
//!     number: 1,
//!     width: 0.0,
//!     height: 0.0,
//!     lines: text.lines().map(Line::plain).collect(),
//!     source: TextSource::Native,
//! }];
//! let s = analyze(&pages);
//! assert_eq!(s.doc_type, DocType::Information);
//! assert_eq!(s.body.as_deref(), Some("Ilm-Kreis"));
//! assert_eq!(s.gremium.as_deref(), Some("Kreistag"));
//! assert_eq!(s.stichworte[0].title, "Grüne Woche");
//! assert_eq!(s.dates_mentioned, ["2025-01-17/2025-01-26", "2025-03-05"]);
//! assert_eq!(passages(&pages, &s).len(), 3); // 2 items + the intro line
//! ```

mod dates;
mod doc;
mod doctype;
mod items;
mod meta;
mod passages;
mod qa;
mod start;

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::model::{DocMeta, Page, Passage};

pub use dates::{find_dates, DateMention, DateValue, Ymd};

/// The genres of council papers we tell apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocType {
    /// Informationen/Mitteilungen of the Landrat, Oberbürgermeister, …
    Information,
    Konzept,
    Anfrage,
    Antwort,
    /// Inquiry and reply in one file.
    AnfrageAntwort,
    /// Minutes (Niederschrift, Protokoll, Auszug).
    Niederschrift,
    /// Beschluss-/Sitzungsvorlage, Drucksache.
    Beschlussvorlage,
    /// Project sheets.
    Projekt,
    #[default]
    Sonstiges,
}

impl DocType {
    pub fn as_str(self) -> &'static str {
        match self {
            DocType::Information => "information",
            DocType::Konzept => "konzept",
            DocType::Anfrage => "anfrage",
            DocType::Antwort => "antwort",
            DocType::AnfrageAntwort => "anfrage_antwort",
            DocType::Niederschrift => "niederschrift",
            DocType::Beschlussvorlage => "beschlussvorlage",
            DocType::Projekt => "projekt",
            DocType::Sonstiges => "sonstiges",
        }
    }
}

impl fmt::Display for DocType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Stichwort item or a Handlungsfeld.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// "1.3", "5.2", "A"; `None` when unnumbered.
    pub number: Option<String>,
    /// Without number or label ("Grüne Woche").
    pub title: String,
    /// Page the item starts on.
    pub page: u32,
    /// Lines (of the analysed pages' non-empty lines) the item covers.
    #[serde(skip)]
    lines: Range<usize>,
}

/// How a vote went.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Votes {
    pub ja: Option<u32>,
    pub nein: Option<u32>,
    pub enthaltung: Option<u32>,
    pub einstimmig: bool,
}

/// An item of the Tagesordnung.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgendaItem {
    pub number: String,
    pub title: String,
    pub page: u32,
    /// The decision as the minutes record it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beschluss: Option<String>,
    /// "25 Ja, 3 Nein, 1 Enthaltung" as printed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abstimmung: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub votes: Option<Votes>,
    #[serde(skip)]
    lines: Range<usize>,
}

/// A numbered question with its answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QaPair {
    pub number: String,
    pub question: String,
    pub answer: String,
    pub page: u32,
    #[serde(skip)]
    spans: Vec<Range<usize>>,
}

/// A numbered question that no answer was found for (an inquiry).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub number: String,
    pub question: String,
    pub page: u32,
}

/// What [`analyze`] recognised. Serialises to the `inspect --json` shape
/// (the caller adds `file`, `pages`, `language`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DocStructure {
    #[serde(rename = "type")]
    pub doc_type: DocType,
    pub body: Option<String>,
    pub gremium: Option<String>,
    /// `YYYY-MM-DD` or `YYYY-MM`.
    pub date: Option<String>,
    pub reference: Option<String>,
    pub stichworte: Vec<Item>,
    pub handlungsfelder: Vec<Item>,
    pub agenda_items: Vec<AgendaItem>,
    pub qa_pairs: Vec<QaPair>,
    /// Questions of an inquiry without an answer in this document.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub open_questions: Vec<Question>,
    /// Sorted ISO dates and `start/end` ranges.
    pub dates_mentioned: Vec<String>,
    /// Of `dates_mentioned`, those printed without a year.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dates_year_inferred: Vec<String>,
}

impl DocStructure {
    /// The document-level facts, for the index.
    pub fn meta(&self) -> DocMeta {
        DocMeta {
            doc_type: Some(self.doc_type.as_str().to_string()),
            body: self.body.clone(),
            gremium: self.gremium.clone(),
            date: self.date.clone(),
            reference: self.reference.clone(),
            dates_mentioned: self.dates_mentioned.clone(),
        }
    }
}

/// Recognises type, metadata and parts of a cleaned document.
pub fn analyze(pages: &[Page]) -> DocStructure {
    analyze_doc(&doc::Doc::new(pages))
}

/// [`analyze`] and [`passages`] together, reading the pages into lines once
/// instead of twice (what indexing needs).
pub fn analyze_with_passages(pages: &[Page]) -> (DocStructure, Vec<Passage>) {
    let doc = doc::Doc::new(pages);
    let structure = analyze_doc(&doc);
    let passages = passages::build(&doc, &structure);
    (structure, passages)
}

fn analyze_doc(doc: &doc::Doc) -> DocStructure {
    if doc.len() == 0 {
        return DocStructure::default();
    }

    let stichworte = items::stichworte(doc);
    let handlungsfelder = items::handlungsfelder(doc);
    let agenda = items::agenda(doc);

    // Q&A per agenda item: two inquiries in one set of minutes both have a
    // question 1.
    let mut bounds: Vec<usize> = agenda.iter().map(|a| a.item.line).collect();
    bounds.retain(|&b| b > 0);
    bounds.insert(0, 0);
    bounds.push(doc.len());
    bounds.dedup();
    let mut found_qa = Vec::new();
    let mut question_list = false;
    for w in bounds.windows(2) {
        let seg = qa::pairs(doc, w[0]..w[1]);
        let unanswered = seg.iter().filter(|q| q.answer.is_none()).count();
        if unanswered >= 2 || seg.len() >= 2 && seg.iter().any(|q| q.spans.len() > 2) {
            question_list = true;
        }
        found_qa.extend(seg);
    }

    let evidence = doctype::Evidence {
        stichworte: stichworte.len(),
        handlungsfelder: handlungsfelder.len(),
        agenda_heads: agenda.len(),
        answered: found_qa.iter().filter(|q| q.answer.is_some()).count(),
        questions: found_qa.len(),
        question_list,
    };
    let doc_type = doctype::classify(doc, &evidence);

    let date = meta::main_date(doc, doc_type);
    let default_year = date.as_deref().and_then(|d| d.get(..4)?.parse().ok());
    let mentions = dates::find_dates(&doc.text, default_year);
    let dates_mentioned = dates::iso_list(&mentions);
    let inferred: Vec<DateMention> = mentions
        .iter()
        .filter(|m| m.year_inferred)
        .cloned()
        .collect();

    let item = |f: items::Found| Item {
        page: doc.page(f.line),
        number: f.number,
        title: f.title,
        lines: f.line..f.end,
    };
    let mut qa_pairs = Vec::new();
    let mut open_questions = Vec::new();
    for q in found_qa {
        match q.answer {
            Some(answer) => qa_pairs.push(QaPair {
                number: q.number.to_string(),
                question: q.question,
                answer,
                page: doc.page(q.line),
                spans: q.spans,
            }),
            None => open_questions.push(Question {
                number: q.number.to_string(),
                question: q.question,
                page: doc.page(q.line),
            }),
        }
    }
    qa_pairs.sort_by_key(|p| p.spans.first().map_or(0, |s| s.start));

    DocStructure {
        doc_type,
        body: meta::body(doc),
        gremium: meta::gremium(doc, doc_type),
        date,
        reference: meta::reference(doc),
        stichworte: stichworte.into_iter().map(item).collect(),
        handlungsfelder: handlungsfelder.into_iter().map(item).collect(),
        agenda_items: agenda
            .into_iter()
            .map(|a| AgendaItem {
                number: a.item.number.unwrap_or_default(),
                title: a.item.title,
                page: doc.page(a.item.line),
                beschluss: a.beschluss,
                abstimmung: a.abstimmung,
                votes: a.votes,
                lines: a.item.line..a.item.end,
            })
            .collect(),
        qa_pairs,
        open_questions,
        dates_mentioned,
        dates_year_inferred: dates::iso_list(&inferred),
    }
}

/// The searchable parts of a document: every recognised item (from its
/// heading to the next item) and the text no item covers, one passage per
/// page (pages longer than about 4000 characters are split).
///
/// `s` must come from [`analyze`] on the same `pages`; a structure read back
/// from JSON has lost its line spans, and its items then yield passages of
/// their title (and Q&A text) only.
pub fn passages(pages: &[Page], s: &DocStructure) -> Vec<Passage> {
    passages::build(&doc::Doc::new(pages), s)
}
