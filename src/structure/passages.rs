//! Recognised parts and leftover text → searchable [`Passage`]s.
//!
//! Takes the [`Doc`] and a [`DocStructure`], gives one passage per Stichwort
//! item, Handlungsfeld, agenda item and question/answer pair, and the text no
//! part covers as page-sized `Text` passages. A hit on a passage can then
//! name the part ("TOP 5.1", "Frage 3") and its page. Every line ends up in
//! exactly one passage, except a question printed twice (inquiry and reply),
//! which is in its pair only once.

use super::doc::Doc;
use super::DocStructure;
use crate::model::{Passage, PassageKind};

/// Text passages longer than this are split (at a line or word boundary).
const MAX_CHARS: usize = 4000;

pub(crate) fn build(doc: &Doc, s: &DocStructure) -> Vec<Passage> {
    let n = doc.len();
    let mut covered = vec![false; n];
    let mut out = Vec::new();

    // Q&A pairs first: they sit inside agenda items and take their lines.
    let mut qa_lines = vec![false; n];
    for p in &s.qa_pairs {
        for span in &p.spans {
            for flag in qa_lines.iter_mut().take(span.end.min(n)).skip(span.start) {
                *flag = true;
            }
        }
    }

    let mut items: Vec<(usize, Passage)> = Vec::new();
    let mut push_item = |kind: PassageKind,
                         lines: &std::ops::Range<usize>,
                         page: u32,
                         number: Option<String>,
                         title: &str| {
        let mut text = String::new();
        for i in lines.start.min(n)..lines.end.min(n) {
            if qa_lines[i] || covered[i] {
                continue;
            }
            covered[i] = true;
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(doc.line(i));
        }
        if text.is_empty() {
            text = title.to_string();
        }
        items.push((
            lines.start,
            Passage {
                kind,
                page,
                number,
                title: (!title.is_empty()).then(|| title.to_string()),
                text,
            },
        ));
    };
    for it in &s.stichworte {
        push_item(
            PassageKind::Stichwort,
            &it.lines,
            it.page,
            it.number.clone(),
            &it.title,
        );
    }
    for it in &s.handlungsfelder {
        push_item(
            PassageKind::Handlungsfeld,
            &it.lines,
            it.page,
            it.number.clone(),
            &it.title,
        );
    }
    for it in &s.agenda_items {
        push_item(
            PassageKind::Agenda,
            &it.lines,
            it.page,
            Some(it.number.clone()),
            &it.title,
        );
    }
    for p in &s.qa_pairs {
        let start = p.spans.first().map_or(usize::MAX, |r| r.start);
        items.push((
            start,
            Passage {
                kind: PassageKind::Qa,
                page: p.page,
                number: Some(p.number.clone()),
                title: Some(p.question.clone()),
                text: format!("{}\n{}", p.question, p.answer),
            },
        ));
    }
    for (i, c) in qa_lines.iter().enumerate() {
        if *c {
            covered[i] = true;
        }
    }

    // Leftover text, per page.
    let mut texts: Vec<(usize, Passage)> = Vec::new();
    let mut i = 0;
    while i < n {
        if covered[i] {
            i += 1;
            continue;
        }
        let page = doc.page(i);
        let first = i;
        let mut chunk = String::new();
        while i < n && !covered[i] && doc.page(i) == page {
            let line = doc.line(i);
            if !chunk.is_empty() && chunk.len() + line.len() + 1 > MAX_CHARS {
                break;
            }
            if !chunk.is_empty() {
                chunk.push('\n');
            }
            chunk.push_str(line);
            i += 1;
        }
        for piece in split_long(&chunk) {
            texts.push((
                first,
                Passage {
                    kind: PassageKind::Text,
                    page,
                    number: None,
                    title: None,
                    text: piece,
                },
            ));
        }
    }

    items.extend(texts);
    items.sort_by_key(|(start, _)| *start);
    out.extend(items.into_iter().map(|(_, p)| p));
    out
}

/// Splits a text with a line longer than [`MAX_CHARS`] at word boundaries.
fn split_long(s: &str) -> Vec<String> {
    if s.len() <= MAX_CHARS {
        return vec![s.to_string()];
    }
    let mut out = Vec::new();
    let mut rest = s;
    while rest.len() > MAX_CHARS {
        let mut cut = MAX_CHARS;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        if let Some(sp) = rest[..cut].rfind([' ', '\n']) {
            if sp > MAX_CHARS / 2 {
                cut = sp;
            }
        }
        out.push(rest[..cut].trim().to_string());
        rest = &rest[cut..];
    }
    if !rest.trim().is_empty() {
        out.push(rest.trim().to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_long_respects_chars() {
        let s = "ä".repeat(5000);
        let parts = split_long(&s);
        assert!(parts.len() >= 2);
        assert_eq!(parts.iter().map(|p| p.chars().count()).sum::<usize>(), 5000);
    }
}
