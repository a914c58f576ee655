//! "Has this been asked before?": a new inquiry → its questions → the most
//! similar earlier question/answer pairs of the index.
//!
//! Takes the text of a new inquiry (already extracted; [`similar`] cleans it
//! the way `.txt` input is cleaned) and gives [`SimilarResults`]: for each
//! question of the inquiry the best `qa` passages of the index with their
//! question, answer, document, date, page and reference — what staff reuse
//! when they draft a reply. Plain serde data, so the CLI prints it and the
//! HTTP server sends it as JSON without deciding anything of its own.
//!
//! # Splitting the inquiry
//!
//! [`split_questions`] runs the structure stage ([`crate::structure::analyze`])
//! on the text: the numbered questions it recognises ("1. Wie viele …?",
//! "Frage 2: …"), answered or not, are the questions. A text without
//! numbered questions gives its sentences ending in "?", and a text without
//! any question mark is one question as a whole.
//!
//! # Finding earlier pairs
//!
//! A "more like this" query, built the way Lucene's `MoreLikeThis` builds it:
//! the question is analysed with the German *query* chain (stop words out,
//! stemmed, no compound splitting — the index holds compounds and their
//! parts), each distinct term weighted by `tf × idf` (idf over the passages
//! of the index), the [`SimilarOptions::max_terms`] heaviest kept, and each
//! kept term searched as a `Should` clause boosted by its weight relative to
//! the heaviest. Every term is looked up twice: in the stored question of a
//! pair (`title_de`, boosted by [`SimilarOptions::question_boost`]) and in
//! the pair's whole text (`text_de`, question and answer), so a pair whose
//! *question* says the same ranks above one whose answer merely mentions the
//! words. Only `qa` passages are searched.
//!
//! German only: inquiries to German councils are German; English documents
//! go into `text_en` and are not searched here.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{Score, TantivyDocument, Term};

use crate::analysis::{self, Lang};
use crate::error::{Error, Result};
use crate::index::{Fields, PassageIndex};
use crate::model::PassageKind;

/// Default number of earlier pairs per question.
pub const DEFAULT_LIMIT: usize = 5;
/// Most questions compared per inquiry: each costs one query, and a
/// pasted text of hundreds of "…?" sentences must not become unbounded work.
pub const MAX_QUESTIONS: usize = 100;
/// Default number of terms of a question that go into its query.
pub const DEFAULT_MAX_TERMS: usize = 25;
/// Default boost of a match in an earlier pair's question over one in its
/// whole text.
pub const DEFAULT_QUESTION_BOOST: Score = 2.0;

/// How [`similar`] searches. Deserialisable with every field optional, so
/// a front end can take it from a request as it is.
#[derive(Debug, Clone, PartialEq, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SimilarOptions {
    /// Earlier pairs returned per question.
    pub limit: usize,
    /// The heaviest this many terms of a question make its query.
    pub max_terms: usize,
    /// Weight of a term found in an earlier *question* relative to one
    /// found anywhere in the pair (0 searches the pair's text only).
    pub question_boost: Score,
    /// Documents (`doc_id`s) whose pairs are left out, e.g. the new inquiry
    /// itself when it is already indexed.
    pub exclude_doc_ids: Vec<String>,
}

impl Default for SimilarOptions {
    fn default() -> SimilarOptions {
        SimilarOptions {
            limit: DEFAULT_LIMIT,
            max_terms: DEFAULT_MAX_TERMS,
            question_boost: DEFAULT_QUESTION_BOOST,
            exclude_doc_ids: Vec::new(),
        }
    }
}

/// How the inquiry was split into questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SplitMode {
    /// Numbered questions recognised by the structure stage.
    Numbered,
    /// Sentences ending in "?".
    Sentences,
    /// No question mark: the whole text is one question.
    Whole,
}

/// One question of the new inquiry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct InquiryQuestion {
    /// The question's number when the inquiry numbers its questions.
    pub number: Option<String>,
    pub text: String,
}

/// The answer to [`similar`]: per question of the new inquiry, the most
/// similar earlier pairs, best first.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SimilarResults {
    pub split: SplitMode,
    pub questions: Vec<QuestionMatches>,
}

/// One question of the new inquiry and the earlier pairs found for it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct QuestionMatches {
    pub number: Option<String>,
    pub question: String,
    /// The analysed terms the query was made of, heaviest first.
    pub terms: Vec<String>,
    pub matches: Vec<SimilarPair>,
}

/// An earlier question/answer pair.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SimilarPair {
    /// 1-based rank within its question's matches.
    pub rank: usize,
    pub score: Score,
    /// The earlier question as printed.
    pub question: String,
    /// The administration's answer to it.
    pub answer: String,
    /// The question's number in its document.
    pub number: Option<String>,
    /// The part's label ("Frage 3 — Welche …"), as search results name it.
    pub heading: Option<String>,
    pub file: String,
    pub path: String,
    pub doc_id: String,
    /// 0-based position of the pair among its document's passages.
    pub passage_index: u64,
    /// 1-based page the pair starts on.
    pub page: u64,
    #[serde(rename = "type")]
    pub doc_type: Option<String>,
    pub date: Option<String>,
    pub reference: Option<String>,
    pub body: Option<String>,
    pub gremium: Option<String>,
}

/// The questions of an inquiry (see the module docs for the rules), and how
/// they were found. Empty text gives no questions.
pub fn split_questions(text: &str) -> (SplitMode, Vec<InquiryQuestion>) {
    let pages = crate::clean::clean(crate::extract::plain_text(text).pages);
    let s = crate::structure::analyze(&pages);
    let mut numbered: Vec<(u32, u32, InquiryQuestion)> = s
        .qa_pairs
        .iter()
        .map(|p| (p.page, &p.number, &p.question))
        .chain(
            s.open_questions
                .iter()
                .map(|q| (q.page, &q.number, &q.question)),
        )
        .map(|(page, number, question)| {
            (
                page,
                number.parse().unwrap_or(u32::MAX),
                InquiryQuestion {
                    number: Some(number.clone()),
                    text: collapse(question),
                },
            )
        })
        .collect();
    if !numbered.is_empty() {
        numbered.sort_by_key(|(page, number, _)| (*page, *number));
        return (
            SplitMode::Numbered,
            numbered.into_iter().map(|(_, _, q)| q).collect(),
        );
    }
    let text = collapse(
        &pages
            .iter()
            .map(|p| p.text())
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let asked: Vec<InquiryQuestion> = sentences(&text)
        .into_iter()
        .filter(|s| s.ends_with('?'))
        .map(|s| InquiryQuestion {
            number: None,
            text: s.to_string(),
        })
        .collect();
    if !asked.is_empty() {
        return (SplitMode::Sentences, asked);
    }
    let whole = if text.is_empty() {
        Vec::new()
    } else {
        vec![InquiryQuestion { number: None, text }]
    };
    (SplitMode::Whole, whole)
}

/// Whitespace runs → one space, trimmed.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Sentences of whitespace-collapsed text: one ends at `?` or `!` followed
/// by a space, or at `.` followed by a space and an upper-case letter unless
/// the full stop ends an abbreviation or a number (so "z. B. Im Bauamt" and
/// "am 3. Mai" stay whole), and at the end.
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        let (Some(&(_, space)), Some(&(_, next))) = (chars.get(k + 1), chars.get(k + 2)) else {
            continue;
        };
        let ends = space == ' ' && (c != '.' || (next.is_uppercase() && !abbreviation(&text[..i])));
        if ends {
            let s = text[start..i + c.len_utf8()].trim();
            if !s.is_empty() {
                out.push(s);
            }
            start = i + c.len_utf8();
        }
    }
    let rest = text[start..].trim();
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// Abbreviations common in council letters, lower-cased, without the dot.
const ABBREVIATIONS: [&str; 16] = [
    "abs", "bzw", "ca", "dr", "evtl", "ggf", "gem", "hr", "inkl", "nr", "prof", "st", "str", "vgl",
    "usw", "ziff",
];

/// `before` (the text up to a full stop) ends with a one-letter word, a
/// number or a known abbreviation.
fn abbreviation(before: &str) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '.' || c == '(')
        .next()
        .unwrap_or("");
    word.chars().count() <= 1
        || word.chars().all(|c| c.is_ascii_digit())
        || ABBREVIATIONS.contains(&word.to_lowercase().as_str())
}

/// The earlier question/answer pairs most similar to each question of the
/// inquiry `text`.
///
/// Errors: an empty inquiry, a `limit` or `max_terms` of 0 ([`Error::Query`]),
/// and index errors.
pub fn similar(
    index: &PassageIndex,
    searcher: &tantivy::Searcher,
    text: &str,
    opts: &SimilarOptions,
) -> Result<SimilarResults> {
    if opts.limit == 0 {
        return Err(Error::Query("limit must be at least 1".into()));
    }
    if opts.max_terms == 0 {
        return Err(Error::Query("max_terms must be at least 1".into()));
    }
    if !opts.question_boost.is_finite() || opts.question_boost < 0.0 {
        return Err(Error::Query(
            "question_boost must be a number ≥ 0".to_string().into(),
        ));
    }
    let (split, questions) = split_questions(text);
    if questions.is_empty() {
        return Err(Error::Query(
            "the inquiry is empty: give the text of at least one question".into(),
        ));
    }
    if questions.len() > MAX_QUESTIONS {
        return Err(Error::Query(
            format!(
                "the inquiry has {} questions; at most {MAX_QUESTIONS} are compared at once: split it",
                questions.len()
            )
            .into(),
        ));
    }
    let mut out = Vec::with_capacity(questions.len());
    for q in questions {
        out.push(similar_question(index, searcher, q, opts)?);
    }
    Ok(SimilarResults {
        split,
        questions: out,
    })
}

/// The pairs for one question (already split off its inquiry).
pub fn similar_question(
    index: &PassageIndex,
    searcher: &tantivy::Searcher,
    question: InquiryQuestion,
    opts: &SimilarOptions,
) -> Result<QuestionMatches> {
    let fields = index.fields();
    let weighted = weighted_terms(searcher, fields, &question.text, opts.max_terms)?;
    let mut matches = Vec::new();
    if let Some(query) = build_query(fields, &weighted, opts) {
        let top = searcher.search(
            &*query,
            &tantivy::collector::TopDocs::with_limit(opts.limit).order_by_score(),
        )?;
        for (rank, (score, address)) in top.into_iter().enumerate() {
            let doc: TantivyDocument = searcher.doc(address)?;
            matches.push(pair(fields, &doc, rank + 1, score));
        }
    }
    Ok(QuestionMatches {
        number: question.number,
        question: question.text,
        terms: weighted.into_iter().map(|(term, _)| term).collect(),
        matches,
    })
}

/// The question's distinct query terms that occur in the index, weighted by
/// `tf × idf`, heaviest first (ties by term, so the query is deterministic),
/// at most `max_terms`.
fn weighted_terms(
    searcher: &tantivy::Searcher,
    fields: &Fields,
    text: &str,
    max_terms: usize,
) -> Result<Vec<(String, f32)>> {
    let mut tf: HashMap<String, u32> = HashMap::new();
    for term in analysis::analyze_query(Lang::German, text) {
        *tf.entry(term).or_default() += 1;
    }
    let n = searcher.num_docs() as f32;
    let mut weighted = Vec::with_capacity(tf.len());
    for (term, count) in tf {
        let df = searcher.doc_freq(&Term::from_field_text(fields.text_de, &term))? as f32;
        if df == 0.0 {
            continue;
        }
        // BM25's idf, as tantivy scores with it.
        let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
        weighted.push((term, count as f32 * idf));
    }
    weighted.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    weighted.truncate(max_terms);
    Ok(weighted)
}

/// `Should` clauses per weighted term (see the module docs), restricted to
/// `qa` passages and away from excluded documents. `None` when no term is
/// left.
fn build_query(
    fields: &Fields,
    weighted: &[(String, f32)],
    opts: &SimilarOptions,
) -> Option<Box<dyn Query>> {
    let top = weighted.first()?.1;
    let mut shoulds: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(weighted.len() * 2);
    let term_query = |field: Field, term: &str, boost: f32| -> Box<dyn Query> {
        Box::new(BoostQuery::new(
            Box::new(TermQuery::new(
                Term::from_field_text(field, term),
                IndexRecordOption::WithFreqs,
            )),
            boost,
        ))
    };
    for (term, weight) in weighted {
        let boost = weight / top;
        shoulds.push((Occur::Should, term_query(fields.text_de, term, boost)));
        if opts.question_boost > 0.0 {
            shoulds.push((
                Occur::Should,
                term_query(fields.title_de, term, boost * opts.question_boost),
            ));
        }
    }
    let keyword = |field: Field, value: &str| -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        ))
    };
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
        (Occur::Must, Box::new(BooleanQuery::new(shoulds))),
        (
            Occur::Must,
            Box::new(ConstScoreQuery::new(
                keyword(fields.kind, PassageKind::Qa.as_str()),
                0.0,
            )),
        ),
    ];
    for doc_id in &opts.exclude_doc_ids {
        clauses.push((Occur::MustNot, keyword(fields.doc_id, doc_id)));
    }
    Some(Box::new(BooleanQuery::new(clauses)))
}

fn pair(fields: &Fields, doc: &TantivyDocument, rank: usize, score: Score) -> SimilarPair {
    let text_of = |field: Field| {
        doc.get_first(field)
            .and_then(|v| v.as_str().map(str::to_string))
    };
    let u64_of = |field: Field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0);
    let question = text_of(fields.title).unwrap_or_default();
    let text = text_of(fields.text).unwrap_or_default();
    let number = text_of(fields.number);
    SimilarPair {
        rank,
        score,
        answer: answer_of(&question, &text).to_string(),
        heading: super::heading("qa", number.as_deref(), Some(&question)),
        question,
        number,
        file: text_of(fields.file).unwrap_or_default(),
        path: text_of(fields.path).unwrap_or_default(),
        doc_id: text_of(fields.doc_id).unwrap_or_default(),
        passage_index: u64_of(fields.passage_index),
        page: u64_of(fields.page),
        doc_type: text_of(fields.doc_type),
        date: text_of(fields.date),
        reference: text_of(fields.reference),
        body: text_of(fields.body),
        gremium: text_of(fields.gremium),
    }
}

/// A `qa` passage stores "question\nanswer" as its text and the question as
/// its title (see `structure::passages`): the answer is the text after the
/// question.
fn answer_of<'a>(question: &str, text: &'a str) -> &'a str {
    text.strip_prefix(question)
        .map(|rest| rest.trim_start_matches(['\n', ' ']))
        .unwrap_or(text)
        .trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_questions_are_split() {
        let (mode, qs) = split_questions(
            "Anfrage der Fraktion\n1. Wie viele Kitaplätze fehlen im Jahr 2025?\n\
             2. Welche Träger planen neue\nEinrichtungen?\nBegründung\nDer Bedarf wächst.",
        );
        assert_eq!(mode, SplitMode::Numbered);
        let texts: Vec<_> = qs.iter().map(|q| q.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Wie viele Kitaplätze fehlen im Jahr 2025?",
                "Welche Träger planen neue Einrichtungen?"
            ]
        );
        assert_eq!(qs[1].number.as_deref(), Some("2"));
    }

    #[test]
    fn unnumbered_questions_are_sentences_with_a_question_mark() {
        let (mode, qs) = split_questions(
            "Sehr geehrter Herr Dr. Meier, wir fragen an. Wie hoch ist der \
             Krankenstand z. B. Im Bauamt seit dem 3. Mai? Gibt es dafür\nGründe? Danke.",
        );
        assert_eq!(mode, SplitMode::Sentences);
        let texts: Vec<_> = qs.iter().map(|q| q.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Wie hoch ist der Krankenstand z. B. Im Bauamt seit dem 3. Mai?",
                "Gibt es dafür Gründe?"
            ]
        );
    }

    #[test]
    fn text_without_question_is_one_question() {
        let (mode, qs) = split_questions("Stand der Sanierung der Turnhalle\n");
        assert_eq!(mode, SplitMode::Whole);
        assert_eq!(qs.len(), 1);
        assert_eq!(qs[0].text, "Stand der Sanierung der Turnhalle");
        assert!(split_questions("  \n ").1.is_empty());
    }

    #[test]
    fn options_deserialise_with_defaults() {
        let opts: SimilarOptions = serde_json::from_str(r#"{"limit": 3}"#).unwrap();
        assert_eq!(
            opts,
            SimilarOptions {
                limit: 3,
                ..SimilarOptions::default()
            }
        );
    }

    #[test]
    fn answer_is_the_text_after_the_question() {
        assert_eq!(answer_of("Wie?", "Wie?\nSo. Und so."), "So. Und so.");
        assert_eq!(
            answer_of("Wer?", "Anders\nformatiert"),
            "Anders\nformatiert"
        );
    }
}
