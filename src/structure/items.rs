//! Numbered parts of a paper: Stichwort items, Handlungsfelder, agenda items.
//!
//! Takes the [`Doc`] lines, gives the items with number, title, start line
//! and the line where their text ends. They become passages, so a search hit
//! can say "1.3 Informationen zu Rechtsbehelfsverfahren" instead of "page 2".
//!
//! All three are found from headings at the start of a line, never from
//! mentions inside a sentence ("siehe Handlungsfeld Arbeitsmarkt"):
//! - Stichwort: "1.3 Stichwort: Titel", "Stichwort – Titel".
//! - Handlungsfeld: "Handlungsfeld 1: …", "Handlungsfeld A – …", or the
//!   numbered sub-chapters ("5.2 Sprache und Bildung") of a chapter whose
//!   heading names Handlungsfelder ("5 Handlungsfelder und Maßnahmen").
//! - Agenda: "Tagesordnungspunkt 5.1", "TOP 3", "Punkt 20.1 der
//!   Tagesordnung:", titled from the heading, the Tagesordnung list or the
//!   first title-like line below the heading; for minutes also the Beschluss
//!   and the Abstimmungsergebnis.
//!
//! Titles that wrap over several lines are joined (see
//! [`doc::continues_title`](super::doc::continues_title)).

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use regex::Regex;

use super::start::StartRegex;

use super::doc::{append_wrapped, continues_title, ends_sentence, Doc};
use super::Votes;

/// An item as found, before it gets its page.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Found {
    pub number: Option<String>,
    pub title: String,
    /// Heading line.
    pub line: usize,
    /// First line after the item's text.
    pub end: usize,
}

/// An agenda item with what the minutes record about it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FoundAgenda {
    pub item: Found,
    pub beschluss: Option<String>,
    pub abstimmung: Option<String>,
    pub votes: Option<Votes>,
}

static STICHWORT: LazyLock<StartRegex> = LazyLock::new(|| {
    StartRegex::new(
        r"(?i)^(?:(\d{1,2}(?:\.\d{1,2})*)\.?\s+)?Stichwort(?:\s+(\d{1,2}))?\s*(?::|–|—|-)\s*(\S.*)$",
    )
});

static HF_EXPLICIT: LazyLock<StartRegex> = LazyLock::new(|| {
    StartRegex::new(
        r"^(?:(\d{1,2}(?:\.\d{1,2})*)\.?\s+)?Handlungsfeld(?:\s+([A-Z]|[IVX]{1,4}|\d{1,2}(?:\.\d{1,2})?))?\s*(?::|–|—|-|\.|\))\s*(\S.*)$",
    )
});

/// "Handlungsfeld 1" / "Handlungsfeld A" alone on its line (title below).
static HF_BARE: LazyLock<StartRegex> =
    LazyLock::new(|| StartRegex::new(r"^Handlungsfeld\s+([A-Z]|[IVX]{1,4}|\d{1,2})\s*:?$"));

/// A numbered chapter heading: "5 Handlungsfelder und Maßnahmen", "5.2 Wohnen".
static CHAPTER: LazyLock<StartRegex> =
    LazyLock::new(|| StartRegex::new(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+(\S.{0,150})$"));

static AGENDA_HEAD: LazyLock<StartRegex> = LazyLock::new(|| {
    StartRegex::new(
        r"(?i)^(?:zu\s+)?(?:TOP|Tagesordnungspunkt|TO-Punkt)\s*(?:Nr\.?\s*)?(\d{1,3}(?:\.\d{1,3})*)\.?(?:\s*(?:ö|nö|öffentlich|nichtöffentlich)\b)?\s*(?::|–|—|-|\))?\s*(.*)$",
    )
});

static AGENDA_PUNKT: LazyLock<StartRegex> = LazyLock::new(|| {
    StartRegex::new(r"(?i)^Punkt\s+(\d{1,3}(?:\.\d{1,3})*)\.?\s+der\s+Tagesordnung\s*:?\s*(.*)$")
});

static AGENDA_LIST_HEAD: LazyLock<StartRegex> = LazyLock::new(|| {
    StartRegex::new(
        r"(?i)^(?:(?:vorläufige|endgültige|geänderte)\s+)?Tagesordnung\s*(?:\(.*\))?\s*:?$",
    )
});

static AGENDA_LIST_ROW: LazyLock<StartRegex> =
    LazyLock::new(|| StartRegex::new(r"(?i)^(?:TOP\s*)?(\d{1,3}(?:\.\d{1,3})*)\.?\s+(\S.*)$"));

/// Lines that close a letter or an information sheet: item text ends here.
pub(crate) static CLOSING: LazyLock<StartRegex> = LazyLock::new(|| {
    StartRegex::new(
        r"(?i)^(?:mit freundlichen grüßen|mit freundlichem gruß|freundliche grüße|gez\.|im auftrag\b|i\.\s?a\.\s|anlagen?\s*:?$|anlagen?:)",
    )
});

static BESCHLUSS: LazyLock<StartRegex> = LazyLock::new(|| {
    StartRegex::new(
        r"(?i)^(?:Beschluss(?:fassung|text)?|Beschlussvorschlag|Beschlussempfehlung)\s*:\s*(.*)$",
    )
});

static ABSTIMMUNG: LazyLock<StartRegex> = LazyLock::new(|| {
    StartRegex::new(
        r"(?i)^(?:Abstimmungsergebnis(?:se)?|Abstimmung|Ergebnis der Abstimmung)\s*:?\s*(.*)$",
    )
});

static VOTE_JA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\d{1,3})\s*(?:x\s*)?(?:Ja\b|Ja-Stimme|Jastimme|Zustimmung|dafür)")
        .expect("vote regex")
});
static VOTE_NEIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\d{1,3})\s*(?:x\s*)?(?:Nein\b|Nein-Stimme|Neinstimme|Gegenstimme|dagegen)")
        .expect("vote regex")
});
static VOTE_ENTH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(\d{1,3})\s*(?:x\s*)?Enthaltung").expect("vote regex"));
static VOTE_EINSTIMMIG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\beinstimmig\b").expect("vote regex"));

/// A title that is really a sentence or a label is not a title.
fn plausible_title(t: &str) -> bool {
    let n = t.chars().count();
    (2..=250).contains(&n) && !ends_sentence(t) || (n <= 250 && t.ends_with('?'))
}

/// Joins wrapped continuation lines onto the title that starts on `line`.
/// Returns the title and the first line after it.
fn wrapped_title(
    doc: &Doc,
    line: usize,
    first: &str,
    stop: &dyn Fn(usize) -> bool,
) -> (String, usize) {
    let mut title = first.trim().to_string();
    let mut j = line + 1;
    while j < doc.len() && j <= line + 2 && !stop(j) && continues_title(doc, j - 1, j, &title) {
        append_wrapped(&mut title, doc.line(j));
        j += 1;
    }
    (title, j)
}

/// Stichwort items, in document order.
pub(crate) fn stichworte(doc: &Doc) -> Vec<Found> {
    let is_head = |i: usize| STICHWORT.is_match(doc.line(i));
    let mut out: Vec<Found> = Vec::new();
    for i in 0..doc.len() {
        let Some(c) = STICHWORT.captures(doc.line(i)) else {
            continue;
        };
        let number = c
            .get(1)
            .or_else(|| c.get(2))
            .map(|m| m.as_str().to_string());
        let rest = c.get(3).map_or("", |m| m.as_str());
        let (title, _) = wrapped_title(doc, i, rest, &|j| is_head(j));
        if title.chars().count() > 300 {
            continue;
        }
        out.push(Found {
            number,
            title,
            line: i,
            end: doc.len(),
        });
    }
    set_ends(doc, &mut out, &|_| false);
    out
}

/// Each item ends where the next begins, or at a letter closing, or where
/// `stop` says (a higher-level heading).
fn set_ends(doc: &Doc, items: &mut [Found], stop: &dyn Fn(usize) -> bool) {
    let starts: Vec<usize> = items.iter().map(|f| f.line).collect();
    for (k, item) in items.iter_mut().enumerate() {
        let limit = starts.get(k + 1).copied().unwrap_or(doc.len());
        let mut end = limit;
        for j in item.line + 1..limit {
            if CLOSING.is_match(doc.line(j)) || stop(j) {
                end = j;
                break;
            }
        }
        item.end = end;
    }
}

/// Handlungsfelder: explicit "Handlungsfeld X: …" headings, else the
/// sub-chapters of a chapter about Handlungsfelder.
pub(crate) fn handlungsfelder(doc: &Doc) -> Vec<Found> {
    // Both kinds need the word: the headings spell "Handlungsfeld", and a
    // chapter's title must hold "handlungsfeld" once lower-cased, which only
    // ASCII letters can give (no non-ASCII character lower-cases into these
    // letters; see `meta::tests::lowercase_into_ascii`). Most documents
    // have neither, and then no line needs the regexes.
    static WORD: LazyLock<AhoCorasick> = LazyLock::new(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(["handlungsfeld"])
            .expect("handlungsfeld needle")
    });
    if !WORD.is_match(&doc.text) {
        return Vec::new();
    }
    handlungsfelder_unguarded(doc)
}

/// [`handlungsfelder`] without the test for the word.
fn handlungsfelder_unguarded(doc: &Doc) -> Vec<Found> {
    let mut out: Vec<Found> = Vec::new();
    let is_head = |i: usize| HF_EXPLICIT.is_match(doc.line(i)) || HF_BARE.is_match(doc.line(i));
    for i in 0..doc.len() {
        let line = doc.line(i);
        if let Some(c) = HF_EXPLICIT.captures(line) {
            let number = c
                .get(2)
                .or_else(|| c.get(1))
                .map(|m| m.as_str().to_string());
            let rest = c.get(3).map_or("", |m| m.as_str());
            let (title, _) = wrapped_title(doc, i, rest, &|j| is_head(j));
            if plausible_title(&title) && !title.ends_with('?') {
                out.push(Found {
                    number,
                    title,
                    line: i,
                    end: doc.len(),
                });
            }
        } else if let Some(c) = HF_BARE.captures(line) {
            let next = doc.line(i + 1);
            if i + 1 < doc.len() && plausible_title(next) && !is_head(i + 1) {
                let (title, _) = wrapped_title(doc, i + 1, next, &|j| is_head(j));
                out.push(Found {
                    number: Some(c[1].to_string()),
                    title,
                    line: i,
                    end: doc.len(),
                });
            }
        }
    }
    if !out.is_empty() {
        dedupe_last(&mut out);
        set_ends(doc, &mut out, &|_| false);
        return out;
    }
    chapter_handlungsfelder(doc)
}

/// A table of contents repeats headings; keep the last occurrence of a number
/// (the one with the text below it).
fn dedupe_last(items: &mut Vec<Found>) {
    let mut keep = vec![true; items.len()];
    for i in 0..items.len() {
        if items[i].number.is_some()
            && items[i + 1..]
                .iter()
                .any(|o| o.number == items[i].number && o.title == items[i].title)
        {
            keep[i] = false;
        }
    }
    let mut k = keep.into_iter();
    items.retain(|_| k.next().unwrap_or(true));
}

fn chapter_handlungsfelder(doc: &Doc) -> Vec<Found> {
    for i in 0..doc.len() {
        let Some(c) = CHAPTER.captures(doc.line(i)) else {
            continue;
        };
        let num = &c[1];
        let title = &c[2];
        if !title.to_lowercase().contains("handlungsfeld") || ends_sentence(title) {
            continue;
        }
        // Its sub-chapters num.1, num.2, … in order.
        let mut subs: Vec<Found> = Vec::new();
        let mut want = 1;
        let mut j = i + 1;
        let mut chapter_end = doc.len();
        let next_chapter = next_number(num);
        while j < doc.len() {
            let line = doc.line(j);
            if let Some(s) = CHAPTER.captures(line) {
                let prefix = format!("{num}.{want}");
                if s[1] == prefix && !ends_sentence(&s[2]) && starts_upper(&s[2]) {
                    let (t, _) = wrapped_title(doc, j, &s[2], &|k| CHAPTER.is_match(doc.line(k)));
                    subs.push(Found {
                        number: Some(prefix),
                        title: t,
                        line: j,
                        end: doc.len(),
                    });
                    want += 1;
                } else if Some(s[1].to_string()) == next_chapter
                    && want > 1
                    && !ends_sentence(&s[2])
                    && starts_upper(&s[2])
                {
                    chapter_end = j;
                    break;
                }
            }
            j += 1;
        }
        if subs.len() >= 2 {
            let stop = |k: usize| k >= chapter_end;
            set_ends(doc, &mut subs, &stop);
            return subs;
        }
    }
    Vec::new()
}

fn starts_upper(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_uppercase())
}

/// "5" → "6", "5.2" → "5.3".
fn next_number(n: &str) -> Option<String> {
    let (head, last) = match n.rsplit_once('.') {
        Some((h, l)) => (Some(h), l),
        None => (None, n),
    };
    let v: u32 = last.parse().ok()?;
    Some(match head {
        Some(h) => format!("{h}.{}", v + 1),
        None => (v + 1).to_string(),
    })
}

/// Lines to skip when looking for an agenda title below a bare heading.
static AGENDA_SKIP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:\d{1,2}\.\d{1,2}\.\d{2,4}\b|(?:nicht)?öffentlich\b|ö$|nö$|(?:Beratungsfolge|Sitzung|Vorlage|Drucksache|Berichterstatter(?:in)?|Vorlagen?-?Nr\.?|Status|Zuständig|Federführend|Dezernat|Amt)\b.*:|.*:$)")
        .expect("agenda skip regex")
});

/// Agenda items from TOP headings, titled from the Tagesordnung list where
/// it has the number; list-only items when the document has no headings.
pub(crate) fn agenda(doc: &Doc) -> Vec<FoundAgenda> {
    let list = agenda_list(doc);
    let is_head = |i: usize| {
        let l = doc.line(i);
        AGENDA_HEAD.is_match(l) || AGENDA_PUNKT.is_match(l)
    };
    let list_lines: Vec<usize> = list.iter().map(|f| f.line).collect();
    let mut heads: Vec<Found> = Vec::new();
    for i in 0..doc.len() {
        if list_lines.contains(&i) {
            continue;
        }
        let line = doc.line(i);
        let Some(c) = AGENDA_HEAD
            .captures(line)
            .or_else(|| AGENDA_PUNKT.captures(line))
        else {
            continue;
        };
        let number = c[1].to_string();
        if heads.iter().any(|h| h.number.as_deref() == Some(&number)) {
            continue;
        }
        let rest = c.get(2).map_or("", |m| m.as_str()).trim();
        let mut title = String::new();
        if !rest.is_empty() && plausible_title(rest) {
            title = wrapped_title(doc, i, rest, &|j| is_head(j)).0;
        } else if rest.is_empty() {
            for j in i + 1..(i + 6).min(doc.len()) {
                let l = doc.line(j);
                if is_head(j) {
                    break;
                }
                if AGENDA_SKIP.is_match(l) {
                    continue;
                }
                if plausible_title(l) {
                    title = wrapped_title(doc, j, l, &|k| is_head(k)).0;
                }
                break;
            }
        } else {
            // A heading that runs on into a sentence: not an agenda heading.
            continue;
        }
        if let Some(from_list) = list.iter().find(|f| f.number.as_deref() == Some(&number)) {
            title = from_list.title.clone();
        }
        heads.push(Found {
            number: Some(number),
            title,
            line: i,
            end: doc.len(),
        });
    }
    // Items the list announces but the text never heads keep their list row.
    let mut items = heads;
    let mut list_only = Vec::new();
    for f in list {
        if !items.iter().any(|h| h.number == f.number) {
            list_only.push(f.line);
            items.push(f);
        }
    }
    items.sort_by_key(|f| f.line);
    set_ends(doc, &mut items, &|_| false);
    for f in items.iter_mut().filter(|f| list_only.contains(&f.line)) {
        f.end = f.end.min(f.line + 1);
    }
    // In agenda order, whatever order the text gives them in.
    items.sort_by_key(|f| number_key(f.number.as_deref().unwrap_or("")));
    items
        .into_iter()
        .map(|item| {
            let (beschluss, abstimmung) = decision(doc, &item);
            let votes = abstimmung.as_deref().and_then(parse_votes);
            FoundAgenda {
                item,
                beschluss,
                abstimmung,
                votes,
            }
        })
        .collect()
}

/// "2.10" sorts after "2.9".
fn number_key(n: &str) -> Vec<u32> {
    n.split('.')
        .map(|p| p.parse().unwrap_or(u32::MAX))
        .collect()
}

/// The rows of a "Tagesordnung" list.
fn agenda_list(doc: &Doc) -> Vec<Found> {
    let mut out: Vec<Found> = Vec::new();
    for i in 0..doc.len() {
        if !AGENDA_LIST_HEAD.is_match(doc.line(i)) {
            continue;
        }
        let mut misses = 0;
        let mut j = i + 1;
        while j < doc.len() && misses < 3 {
            let line = doc.line(j);
            if let Some(c) = AGENDA_LIST_ROW.captures(line) {
                let number = c[1].to_string();
                let rest = c[2].trim();
                if rest.chars().count() <= 300
                    && !out.iter().any(|f| f.number.as_deref() == Some(&number))
                {
                    let (title, next) =
                        wrapped_title(doc, j, rest, &|k| AGENDA_LIST_ROW.is_match(doc.line(k)));
                    out.push(Found {
                        number: Some(number),
                        title: title.trim_end_matches(['.', ' ']).to_string(),
                        line: j,
                        end: doc.len(),
                    });
                    misses = 0;
                    j = next;
                    continue;
                }
            }
            if line.chars().count() > 300 {
                break;
            }
            misses += 1;
            j += 1;
        }
        if !out.is_empty() {
            break;
        }
    }
    out
}

/// The Beschluss text and the Abstimmungsergebnis recorded inside an item.
fn decision(doc: &Doc, item: &Found) -> (Option<String>, Option<String>) {
    let mut beschluss = None;
    let mut abstimmung = None;
    for j in item.line + 1..item.end {
        let line = doc.line(j);
        if beschluss.is_none() {
            if let Some(c) = BESCHLUSS.captures(line) {
                let mut text = c[1].trim().to_string();
                let mut k = j + 1;
                while k < item.end && text.chars().count() < 1500 {
                    let l = doc.line(k);
                    if ABSTIMMUNG.is_match(l) || BESCHLUSS.is_match(l) {
                        break;
                    }
                    if !text.is_empty() {
                        text.push(' ');
                    }
                    text.push_str(l);
                    if ends_sentence(l) && (VOTE_EINSTIMMIG.is_match(l) || k > j + 3) {
                        break;
                    }
                    k += 1;
                }
                if !text.is_empty() {
                    beschluss = Some(text);
                }
            }
        }
        if abstimmung.is_none() {
            if let Some(c) = ABSTIMMUNG.captures(line) {
                let rest = c[1].trim();
                let text = if rest.is_empty() {
                    doc.line(j + 1).to_string()
                } else {
                    rest.to_string()
                };
                if parse_votes(&text).is_some() {
                    abstimmung = Some(text);
                }
            }
        }
    }
    (beschluss, abstimmung)
}

/// "25 Ja, 3 Nein, 1 Enthaltung", "einstimmig".
pub(crate) fn parse_votes(s: &str) -> Option<Votes> {
    let get = |re: &Regex| -> Option<u32> { re.captures(s).and_then(|c| c[1].parse().ok()) };
    let ja = get(&VOTE_JA);
    let nein = get(&VOTE_NEIN);
    let enthaltung = get(&VOTE_ENTH);
    let einstimmig = VOTE_EINSTIMMIG.is_match(s);
    if ja.is_none() && nein.is_none() && enthaltung.is_none() && !einstimmig {
        return None;
    }
    Some(Votes {
        ja,
        nein,
        enthaltung,
        einstimmig,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::structure::doc::doc_of as doc;

    /// The word test in front of [`handlungsfelder`] changes no answer.
    #[test]
    fn handlungsfelder_guard_changes_nothing() {
        let mut with = 0;
        for text in crate::test_texts::repository_texts() {
            let d = doc(&text);
            let found = handlungsfelder(&d);
            assert_eq!(found, handlungsfelder_unguarded(&d));
            with += usize::from(!found.is_empty());
        }
        assert!(with > 0, "no Handlungsfelder in tests/data");
    }

    /// Every line regex is anchored in every branch, so its first-byte
    /// guard is on (see `structure::start`).
    #[test]
    fn line_regexes_are_guarded() {
        // Lines for the forms tests/data does not hold.
        let none: &[&str] = &[];
        for (re, written) in [
            (&*STICHWORT, none),
            (&*HF_EXPLICIT, none),
            (
                &*HF_BARE,
                &["Handlungsfeld B", "Handlungsfeld IV:", "Handlungsfeld 12"],
            ),
            (&*CHAPTER, none),
            (&*AGENDA_HEAD, none),
            (
                &*AGENDA_PUNKT,
                &[
                    "Punkt 5 der Tagesordnung: Haushalt",
                    "punkt 3.1. der tagesordnung",
                ],
            ),
            (&*AGENDA_LIST_HEAD, none),
            (&*AGENDA_LIST_ROW, none),
            (&*CLOSING, none),
            (&*BESCHLUSS, none),
            (&*ABSTIMMUNG, none),
        ] {
            assert!(re.is_guarded(), "{re:?} has no first-byte guard");
            crate::structure::start::tests::assert_guard_agrees_on_repository_lines(re, written);
        }
    }

    #[test]
    fn stichwort_forms() {
        let d = doc("1.3 Stichwort: Grüne Woche\nText.\nStichwort – Radwege\nMehr Text.");
        let s = stichworte(&d);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].number.as_deref(), Some("1.3"));
        assert_eq!(s[0].title, "Grüne Woche");
        assert_eq!(s[1].number, None);
        assert_eq!(s[1].title, "Radwege");
        assert_eq!(s[0].end, 2);
    }

    #[test]
    fn stichwort_wrapped_lowercase() {
        let d = doc("1.2 Stichwort: Projekt zur Fachkräftesicherung in der Medizin\nund Pflege\nDas Netzwerk wird ausgebaut.");
        assert_eq!(
            stichworte(&d)[0].title,
            "Projekt zur Fachkräftesicherung in der Medizin und Pflege"
        );
    }

    #[test]
    fn handlungsfeld_forms() {
        let d = doc("Handlungsfeld A – Wohnen\nText.\nHandlungsfeld B: Arbeitsmarkt & Bildung\nText.\nHandlungsfeld 3\nKultur und Sport\nText.");
        let h = handlungsfelder(&d);
        let got: Vec<_> = h
            .iter()
            .map(|f| (f.number.clone().unwrap_or_default(), f.title.clone()))
            .collect();
        assert_eq!(
            got,
            [
                ("A".into(), "Wohnen".into()),
                ("B".into(), "Arbeitsmarkt & Bildung".into()),
                ("3".into(), "Kultur und Sport".into())
            ]
        );
    }

    #[test]
    fn handlungsfeld_chapters() {
        let d = doc("4 Methode\nText.\n5 Handlungsfelder und Maßnahmen\n5.1 Wohnen\nText.\n8 Siehe auch Handlungsfeld 6\n5.2 Sprache und Bildung\nText.\n6 Empfehlungen\nText.");
        let h = handlungsfelder(&d);
        assert_eq!(h.len(), 2);
        assert_eq!(h[1].title, "Sprache und Bildung");
        assert_eq!(h[1].end, 8);
    }

    #[test]
    fn agenda_with_list_and_votes() {
        let d = doc("Tagesordnung:\n1. Eröffnung der Sitzung\n2. Bebauungsplan Nord\n2.1 Satzungsbeschluss\nTOP 1\nDer Vorsitzende eröffnet.\nTOP 2.1: Satzungsbeschluss Bebauungsplan\nBeschluss: Der Stadtrat beschließt die Satzung.\nAbstimmungsergebnis: 25 Ja, 3 Nein, 1 Enthaltung");
        let a = agenda(&d);
        let nums: Vec<_> = a
            .iter()
            .map(|x| x.item.number.clone().unwrap_or_default())
            .collect();
        assert_eq!(nums, ["1", "2", "2.1"]);
        assert_eq!(a[0].item.title, "Eröffnung der Sitzung");
        assert_eq!(a[2].item.title, "Satzungsbeschluss");
        let v = a[2].votes.clone().expect("votes");
        assert_eq!((v.ja, v.nein, v.enthaltung), (Some(25), Some(3), Some(1)));
        assert!(a[2]
            .beschluss
            .as_deref()
            .unwrap_or("")
            .starts_with("Der Stadtrat"));
    }

    #[test]
    fn agenda_title_below_heading() {
        let d = doc("Tagesordnungspunkt 5.1:\nBeratungsfolge:\n25.03.2026 Ausschuss für Soziales\nAnfrage der Fraktion X betreffend Ärzte\nEs wird verwiesen.");
        let a = agenda(&d);
        assert_eq!(a[0].item.title, "Anfrage der Fraktion X betreffend Ärzte");
    }

    #[test]
    fn votes() {
        assert!(parse_votes("einstimmig beschlossen").is_some_and(|v| v.einstimmig));
        assert_eq!(
            parse_votes("Bei 31 Ja-Stimmen und 11 Nein-Stimmen").map(|v| (v.ja, v.nein)),
            Some((Some(31), Some(11)))
        );
        assert!(parse_votes("vertagt").is_none());
    }
}
