//! Numbered questions of an inquiry and the answers to them.
//!
//! Takes the [`Doc`] lines of one segment (an agenda item, or the whole
//! paper), gives question/answer pairs keyed by question number. An answer
//! to an inquiry is searched for as "what did the administration say about
//! question 3", so each pair becomes its own passage.
//!
//! Questions are lines "1. Wie viele …?" / "1) …" / "Frage 1: …" whose text
//! has a question mark (or that sit between two such questions, numbered in
//! sequence). Answers are found three ways:
//! - after a label, whatever its wording: "Zu Frage 1", "Zu 1.:",
//!   "Antwort zu Frage 2:", "Zu den Fragen 3 und 4:" (every question named
//!   gets that answer), or a bare "Antwort:" right after a question;
//! - directly after a single question (question, answer, question, answer);
//! - a list of questions with nothing between them is the inquiry itself: the
//!   text after its last question is *not* an answer (that is the letter
//!   going on, or the Begründung).
//!
//! Questions repeated in the answer letter are paired once, with the text of
//! their first occurrence.
//!
//! Questions and answers that wrap over several lines are joined: a question
//! runs to the line with its question mark, an answer to the next question,
//! label or closing. A line the layout wrapped in mid-sentence is never a
//! question or label, even when it starts "2. …" or "Zu …" (see
//! [`Doc::mid_sentence`]).

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::doc::Doc;
use super::items::CLOSING;
use super::start::StartRegex;

/// A question with its answer (if one was found).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FoundQa {
    pub number: u32,
    pub question: String,
    pub answer: Option<String>,
    /// Line where the pair starts (the question next to its answer, or the
    /// first occurrence).
    pub line: usize,
    /// Lines covered by the question (every occurrence) and the answer.
    pub spans: Vec<Range<usize>>,
}

static QUESTION: LazyLock<StartRegex> = LazyLock::new(|| {
    StartRegex::new(r"^(?:(\d{1,2})[.)]|(?i:Frage)\s+(\d{1,2})\s*[:.)]?)\s+(\S.*)$")
});

/// "Frage 3:" alone on its line; the question follows on the next line.
static QUESTION_BARE: LazyLock<StartRegex> =
    LazyLock::new(|| StartRegex::new(r"(?i)^Frage\s+(\d{1,2})\s*[:.]?$"));

static LABEL: LazyLock<StartRegex> = LazyLock::new(|| {
    StartRegex::new(
        r"(?i)^(?:Antwort(?:\s+der\s+Verwaltung)?\s*(?:zu[rm]?\s+)?|Beantwortung\s+(?:der\s+)?|Zu\s+)(?:(?:den\s+)?Fragen?\s*|Nr\.\s*|Punkt\s*)?(\d{1,2})\.?((?:\s*(?:,|und|u\.|&|bis|-|–)\s*(?:Frage\s*)?\d{1,2}\.?)*)\s*(?::|\)|–|-)?\s*(.*)$",
    )
});

static LABEL_BARE: LazyLock<StartRegex> = LazyLock::new(|| {
    StartRegex::new(
        r"(?i)^(?:Antwort|Beantwortung|Antwort der Verwaltung|Stellungnahme(?: der Verwaltung)?)\s*:\s*(.*)$",
    )
});

static NUMS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\d{1,2}").expect("nums regex"));

static SUBQUESTION: LazyLock<StartRegex> =
    LazyLock::new(|| StartRegex::new(r"^(?:[a-z][.)]|[-–•])\s"));

/// One piece of text to classify: a line, or part of a line that holds two
/// numbered questions ("… übermitteln.) 4. Welche …?").
#[derive(Debug, Clone)]
struct Unit<'a> {
    line: usize,
    /// A slice of the line: no copy per line.
    text: &'a str,
    /// The unit goes on with a sentence of the line before (see
    /// [`Doc::mid_sentence`]): it cannot start a question or a label.
    mid_sentence: bool,
    /// `QUESTION` on `text` as [`split_units`] already ran it (the number,
    /// 0 if it does not parse, and the question's text); `None` when it did
    /// not run on exactly this text (the first part of a split line), so
    /// [`classify`] runs it.
    question: Option<Option<(u32, &'a str)>>,
}

/// The number of a `QUESTION` match, `None` when it does not parse.
fn question_of(c: &regex::Captures<'_>) -> Option<u32> {
    c.get(1)
        .or_else(|| c.get(2))
        .and_then(|m| m.as_str().parse::<u32>().ok())
}

/// A `QUESTION` match as [`Unit::question`] keeps it: the number (0 if it
/// does not parse) and the question's text.
fn question_parts<'h>(c: &regex::Captures<'h>) -> (u32, &'h str) {
    (
        question_of(c).unwrap_or(0),
        c.get(3).map_or("", |m| m.as_str()),
    )
}

/// `QUESTION` run on `text`, as [`question_parts`].
fn question_in(text: &str) -> Option<(u32, &str)> {
    QUESTION.captures(text).map(|c| question_parts(&c))
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Question(u32, String),
    Label(Vec<u32>, String),
    Bare(String),
    Closing,
    Other,
}

fn split_units(doc: &Doc, range: Range<usize>) -> Vec<Unit<'_>> {
    let mut out = Vec::new();
    for i in range {
        let mut text = doc.line(i);
        let mut mid_sentence = doc.mid_sentence(i);
        // The last `QUESTION` run, on the `text` pushed last.
        let mut question;
        // A second question run into the first one's line.
        loop {
            let c = QUESTION.captures(text);
            question = c.as_ref().map(question_parts);
            let Some(c) = c else { break };
            let Some(n) = question_of(&c) else {
                break;
            };
            let needle = format!(" {}. ", n + 1);
            let cut = text.match_indices(&needle).find_map(|(p, _)| {
                let before = text[..p].trim_end();
                let after = &text[p + needle.len()..];
                let ok = (before.ends_with('?') || before.ends_with(')') || before.ends_with('.'))
                    && after.chars().next().is_some_and(|ch| ch.is_uppercase());
                ok.then_some(p)
            });
            match cut {
                Some(p) => {
                    out.push(Unit {
                        line: i,
                        text: text[..p].trim(),
                        mid_sentence,
                        question: None,
                    });
                    text = text[p..].trim();
                    mid_sentence = false;
                }
                None => break,
            }
        }
        out.push(Unit {
            line: i,
            text,
            mid_sentence,
            question: Some(question),
        });
    }
    out
}

fn classify(u: &Unit, next: Option<&Unit>) -> Kind {
    let t = u.text;
    if u.mid_sentence {
        return Kind::Other;
    }
    if CLOSING.is_match(t) {
        return Kind::Closing;
    }
    if let Some(c) = LABEL.captures(t) {
        let mut ns: Vec<u32> = vec![c[1].parse().unwrap_or(0)];
        let more = c.get(2).map_or("", |m| m.as_str());
        let listed: Vec<u32> = NUMS
            .find_iter(more)
            .filter_map(|m| m.as_str().parse().ok())
            .collect();
        if more.contains("bis") && listed.len() == 1 && listed[0] > ns[0] && listed[0] - ns[0] < 20
        {
            ns = (ns[0]..=listed[0]).collect();
        } else {
            ns.extend(listed);
        }
        ns.retain(|&n| n > 0);
        if !ns.is_empty() {
            return Kind::Label(ns, c.get(3).map_or("", |m| m.as_str()).trim().to_string());
        }
    }
    if let Some(c) = LABEL_BARE.captures(t) {
        return Kind::Bare(c[1].trim().to_string());
    }
    let question = u.question.unwrap_or_else(|| question_in(t));
    if let Some((n, q)) = question {
        if n > 0 {
            return Kind::Question(n, q.trim().to_string());
        }
    }
    if let (Some(c), Some(next)) = (QUESTION_BARE.captures(t), next) {
        let n = c[1].parse().unwrap_or(0);
        if n > 0 {
            return Kind::Question(n, next.text.to_string());
        }
    }
    Kind::Other
}

/// Where a question's text ends: the unit with its question mark, plus
/// sub-questions ("a. …?") right after. `None` if no question mark comes
/// before the next numbered line or label.
fn question_extent(units: &[Unit], kinds: &[Kind], q: usize) -> (usize, bool) {
    let mut end = None;
    for k in q..units.len().min(q + 8) {
        if k > q && !matches!(kinds[k], Kind::Other) {
            break;
        }
        if units[k].text.contains('?') {
            end = Some(k);
            break;
        }
    }
    let Some(mut e) = end else {
        return (q, false);
    };
    while e + 1 < units.len()
        && matches!(kinds[e + 1], Kind::Other)
        && SUBQUESTION.is_match(units[e + 1].text)
        && units[e + 1].text.trim_end().ends_with('?')
    {
        e += 1;
    }
    (e, true)
}

/// Question/answer pairs of one segment, answered or not.
pub(crate) fn pairs(doc: &Doc, range: Range<usize>) -> Vec<FoundQa> {
    let units = split_units(doc, range);
    let kinds: Vec<Kind> = (0..units.len())
        .map(|i| classify(&units[i], units.get(i + 1)))
        .collect();

    // Accept questions: a question mark, numbered in sequence (or a repeat).
    let cands: Vec<(usize, u32, usize, bool)> = (0..units.len())
        .filter_map(|i| match &kinds[i] {
            Kind::Question(n, _) => {
                let (e, has_q) = question_extent(&units, &kinds, i);
                Some((i, *n, e, has_q))
            }
            _ => None,
        })
        .collect();
    let mut accepted: Vec<(usize, u32, usize)> = Vec::new();
    let mut seen: BTreeMap<u32, usize> = BTreeMap::new();
    let mut last: u32 = 0;
    for (ci, &(i, n, e, has_q)) in cands.iter().enumerate() {
        let in_sequence = n == 1 || n == last + 1 || seen.contains_key(&n);
        let gap_filler = !has_q
            && n == last + 1
            && last > 0
            && cands
                .get(ci + 1)
                .is_some_and(|&(_, m, _, q)| q && m == n + 1);
        if in_sequence && (has_q || gap_filler) {
            accepted.push((i, n, if has_q { e } else { i }));
            seen.entry(n).or_insert(i);
            last = n;
        }
    }
    if accepted.is_empty() {
        return Vec::new();
    }

    // Boundaries: accepted questions, labels of known questions, bare labels,
    // closings.
    let accepted_at: std::collections::HashSet<usize> = accepted.iter().map(|a| a.0).collect();
    let is_boundary = |k: usize| -> bool {
        match &kinds[k] {
            Kind::Label(ns, _) => ns.iter().any(|n| seen.contains_key(n)),
            Kind::Bare(_) | Kind::Closing => true,
            Kind::Question(..) => accepted_at.contains(&k),
            Kind::Other => false,
        }
    };
    // next_boundary[k]: first boundary at or after k (computed once: long
    // documents have thousands of units).
    let mut next_boundary = vec![units.len(); units.len() + 1];
    for k in (0..units.len()).rev() {
        next_boundary[k] = if is_boundary(k) {
            k
        } else {
            next_boundary[k + 1]
        };
    }
    let block_end = |from: usize| -> usize { next_boundary[from.min(units.len())] };

    struct Q {
        text: String,
        first_line: usize,
        spans: Vec<Range<usize>>,
        answer: Option<(String, usize, Range<usize>, bool)>, // text, start line, span, labelled
    }
    let line_span = |a: usize, b: usize| -> Range<usize> {
        // units a..b (exclusive) → lines
        let start = units[a].line;
        let end = units[b.max(a + 1) - 1].line + 1;
        start..end
    };
    let join = |a: usize, b: usize| -> String {
        units[a..b]
            .iter()
            .map(|u| u.text)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut qs: BTreeMap<u32, Q> = BTreeMap::new();
    for &(i, n, e) in &accepted {
        let text = match &kinds[i] {
            Kind::Question(_, t) => {
                let mut s = t.clone();
                if e > i {
                    s.push(' ');
                    s.push_str(&join(i + 1, e + 1));
                }
                s
            }
            _ => String::new(),
        };
        let q = qs.entry(n).or_insert_with(|| Q {
            text,
            first_line: units[i].line,
            spans: Vec::new(),
            answer: None,
        });
        q.spans.push(line_span(i, e + 1));
    }

    // Question runs: consecutive accepted questions with nothing between.
    let mut direct: Vec<(u32, usize, usize, usize)> = Vec::new(); // n, q unit, from, to
    let mut run_len = 0;
    for (ai, &(i, n, e)) in accepted.iter().enumerate() {
        let from = e + 1;
        let to = block_end(from);
        let empty = units[from.min(units.len())..to]
            .iter()
            .all(|u| u.text.trim().is_empty());
        let next_is_question = accepted.get(ai + 1).is_some_and(|&(j, _, _)| j == to);
        if empty && next_is_question {
            run_len += 1;
            continue;
        }
        run_len += 1;
        let labelled_next =
            to < units.len() && matches!(kinds[to], Kind::Label(..) | Kind::Bare(_));
        if run_len == 1 && !empty && !labelled_next {
            direct.push((n, i, from, to));
        }
        run_len = 0;
    }

    // Labelled answers.
    for k in 0..units.len() {
        let (ns, rest) = match &kinds[k] {
            Kind::Label(ns, rest) if ns.iter().any(|n| seen.contains_key(n)) => {
                (ns.clone(), rest.clone())
            }
            Kind::Bare(rest) => {
                // The question right before it.
                let Some(&(_, n, _)) = accepted.iter().rev().find(|&&(i, _, _)| i < k) else {
                    continue;
                };
                (vec![n], rest.clone())
            }
            _ => continue,
        };
        let to = block_end(k + 1);
        let mut text = rest;
        let body = join(k + 1, to);
        if !body.is_empty() {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(&body);
        }
        if text.trim().is_empty() {
            continue;
        }
        // The pair starts at the question printed right before the label,
        // if it is one of those answered.
        let start_line = accepted
            .iter()
            .rev()
            .find(|&&(i, n, _)| i < k && ns.contains(&n) && block_end(i + 1) >= k)
            .map_or(units[k].line, |&(i, _, _)| units[i].line);
        for n in ns {
            if let Some(q) = qs.get_mut(&n) {
                if q.answer.as_ref().is_none_or(|a| !a.3) {
                    q.answer = Some((text.clone(), start_line, line_span(k, to), true));
                }
            }
        }
    }
    for (n, qi, from, to) in direct {
        let text = join(from, to);
        if text.chars().count() < 10 {
            continue;
        }
        if let Some(q) = qs.get_mut(&n) {
            if q.answer.is_none() {
                q.answer = Some((text, units[qi].line, line_span(from, to), false));
            }
        }
    }

    qs.into_iter()
        .map(|(n, q)| {
            let mut spans = q.spans;
            let (answer, line) = match q.answer {
                Some((text, line, span, _)) => {
                    spans.push(span);
                    (Some(text), line)
                }
                None => (None, q.first_line),
            };
            FoundQa {
                number: n,
                question: q.text,
                answer,
                line,
                spans,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Line, Page, TextSource};
    use crate::structure::doc::doc_of as doc;

    /// Every line regex is anchored in every branch, so its first-byte
    /// guard is on (see `structure::start`).
    #[test]
    fn line_regexes_are_guarded() {
        for re in [
            &*QUESTION,
            &*QUESTION_BARE,
            &*LABEL,
            &*LABEL_BARE,
            &*SUBQUESTION,
        ] {
            assert!(re.is_guarded(), "{re:?} has no first-byte guard");
            crate::structure::start::tests::assert_guard_agrees_on_repository_lines(re, &[]);
        }
    }

    /// The `QUESTION` result `split_units` hands on is the one a fresh run
    /// on the unit's text gives, and `classify` says the same with it as
    /// without it, on every line of the repository texts and on lines split
    /// in two (whose first part has no result handed on).
    #[test]
    fn handed_on_question_is_a_fresh_run() {
        let mut texts = crate::test_texts::repository_texts();
        texts.push("1. Wer?\n2. Welche? (Anlage.) 3. Was? 4. Wo?\n5) Wann?".to_string());
        let (mut handed, mut questions, mut split) = (0, 0, 0);
        for text in &texts {
            let d = doc(text);
            let units = split_units(&d, 0..d.len());
            for (i, u) in units.iter().enumerate() {
                let fresh = question_in(u.text);
                match u.question {
                    Some(q) => {
                        assert_eq!(q, fresh, "{:?}", u.text);
                        handed += 1;
                        questions += usize::from(q.is_some());
                    }
                    None => split += 1,
                }
                let plain = Unit {
                    question: None,
                    ..u.clone()
                };
                let next = units.get(i + 1);
                assert_eq!(classify(u, next), classify(&plain, next), "{:?}", u.text);
            }
        }
        assert!(
            handed > 1000 && questions > 10 && split >= 3,
            "{handed} {questions} {split}"
        );
    }

    fn answered(text: &str) -> Vec<(u32, String, String)> {
        let d = doc(text);
        pairs(&d, 0..d.len())
            .into_iter()
            .filter_map(|p| Some((p.number, p.question, p.answer?)))
            .collect()
    }

    #[test]
    fn zu_frage_labels_and_repeats() {
        let got = answered("Fragen:\n1. Wie viele?\n2. Welche?\nMit freundlichen Grüßen\nX\n1. Wie viele?\nZu Frage 1\nDrei.\n2. Welche?\nZu Frage 2:\nKeine.");
        assert_eq!(
            got,
            [
                (1, "Wie viele?".into(), "Drei.".into()),
                (2, "Welche?".into(), "Keine.".into())
            ]
        );
    }

    #[test]
    fn combined_and_short_labels() {
        let got = answered("1. Wie?\n2. Wo?\n3. Wann?\n4. Warum?\nZu 1.: So.\nAntwort zu Frage 2: Dort.\nZu Frage 3 und 4:\nMorgen, weil es geht.");
        let answers: Vec<_> = got.iter().map(|g| g.2.as_str()).collect();
        assert_eq!(
            answers,
            [
                "So.",
                "Dort.",
                "Morgen, weil es geht.",
                "Morgen, weil es geht."
            ]
        );
    }

    #[test]
    fn direct_answers() {
        let got = answered("Einleitung.\n1. Wie ist der Stand?\nSeit dem 01.01.2025 läuft es.\n2. Was kostet es?\nDas kostet nichts mehr.");
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].2, "Das kostet nichts mehr.");
    }

    #[test]
    fn question_list_is_not_answered_by_following_text() {
        let got = answered("1) Was brauchst du?\n2) Welche Probleme gibt es?\n3) Was bedeutet Integration?\nDie Antworten wurden ausgewertet.");
        assert!(got.is_empty());
    }

    #[test]
    fn inline_second_question() {
        let d = doc("3. Welche Konzepte? (Bitte als Anlage.) 4. Welche Veranstaltungen?\nZu Frage 3:\nA.\nZu Frage 4:\nB.");
        let p = pairs(&d, 0..d.len());
        assert_eq!(p.len(), 0, "sequence must start at 1");
        let d = doc("1. Wer?\n2. Welche Konzepte? (Bitte als Anlage.) 3. Welche Veranstaltungen?\nZu Frage 2:\nA ist es.\nZu Frage 3:\nB ist es.");
        let p = pairs(&d, 0..d.len());
        assert_eq!(p.len(), 3);
        assert_eq!(p[2].question, "Welche Veranstaltungen?");
        assert_eq!(p[2].answer.as_deref(), Some("B ist es."));
    }

    #[test]
    fn wrapped_line_starting_with_a_number_is_no_question() {
        // "… am" / "2. Mai …": the layout wrapped a sentence before a date.
        let at = |text: &str, y: f32, width: f32| Line {
            text: text.into(),
            x: 71.0,
            y,
            width,
            font_size: 11.0,
        };
        let d = Doc::new(&[Page {
            number: 1,
            width: 595.0,
            height: 842.0,
            lines: vec![
                at(
                    "1. Wann beginnt der Bau des neuen Radweges zwischen",
                    100.0,
                    467.0,
                ),
                at("Nord und Süd?", 114.5, 80.0),
                at(
                    "Der Bau beginnt nach dem Beschluss des Ausschusses am",
                    135.0,
                    467.0,
                ),
                at("2. Mai 2025 und dauert bis zum Herbst?", 149.5, 200.0),
                at("Mit freundlichen Grüßen", 170.0, 120.0),
            ],
            source: TextSource::Native,
        }]);
        let p = pairs(&d, 0..d.len());
        assert_eq!(p.len(), 1);
        assert_eq!(
            p[0].question,
            "Wann beginnt der Bau des neuen Radweges zwischen Nord und Süd?"
        );
        assert!(p[0]
            .answer
            .as_deref()
            .unwrap_or("")
            .ends_with("bis zum Herbst?"));
    }

    #[test]
    fn numbered_answer_lists_are_not_questions() {
        let got = answered("1. Wie viele Fahrzeuge?\nZu 1.:\n1. Insgesamt 318 Fahrzeuge.\n2. Bei den Stadtwerken 325.");
        assert_eq!(got.len(), 1);
        assert!(got[0].2.contains("325"));
    }
}
