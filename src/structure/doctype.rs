//! What kind of council paper a document is.
//!
//! Takes the [`Doc`] and what the item recognisers found, gives a
//! [`DocType`]. The type is a search facet and decides which date is the
//! main one, so it must come from the text alone (plain-text input has no
//! fonts to find a title by).
//!
//! Every type collects points from cues; a cue in the first lines (where the
//! letterhead and title sit) counts more than one in the body. The cues are
//! the genre's own vocabulary ("Niederschrift", "Beschlussvorlage",
//! "Informationen des Landrats", "Projektträger:") and structure (Stichwort
//! items make an information sheet, answered questions an Antwort). An
//! inquiry and its reply in one file is `anfrage_antwort`: it has both the
//! inquiry's marks (a question list, "bitte um Beantwortung") and answers.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use regex::Regex;

use super::doc::Doc;
use super::DocType;

/// What the other recognisers found, as evidence for the type.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Evidence {
    pub stichworte: usize,
    pub handlungsfelder: usize,
    pub agenda_heads: usize,
    pub answered: usize,
    pub questions: usize,
    /// A run of two or more questions without answers between them.
    pub question_list: bool,
}

struct Cue {
    ty: DocType,
    re: Regex,
    /// ASCII literals, lowercase, at least one of which every match of `re`
    /// contains (see [`Prefilter`]).
    needles: &'static [&'static str],
    /// Points in the first lines (title zone).
    title: f32,
    /// Points anywhere else (counted once).
    body: f32,
}

fn cue(ty: DocType, re: &str, needles: &'static [&'static str], title: f32, body: f32) -> Cue {
    Cue {
        ty,
        re: Regex::new(re).expect("doctype cue regex"),
        needles,
        title,
        body,
    }
}

static CUES: LazyLock<Vec<Cue>> = LazyLock::new(|| {
    use DocType::*;
    vec![
        // Information
        cue(
            Information,
            r"(?i)^(?:\d+\.?\s+)?(?:Informationen?|Mitteilungen?|Bericht)\s+(?:des|der)\s+(?:Landrat|Landrätin|Oberbürgermeister|Bürgermeister|Verwaltung|Kreisverwaltung|Stadtverwaltung)",
            &["information", "mitteilung", "bericht"],
            9.0,
            3.0,
        ),
        cue(
            Information,
            r"(?i)\b(?:Informationsvorlage|Mitteilungsvorlage|Informationsdrucksache|Mitteilungsdrucksache|Informationsblatt|Kenntnisgabe)\b",
            &["vorlage", "drucksache", "informationsblatt", "kenntnisgabe"],
            9.0,
            1.0,
        ),
        cue(
            Information,
            r"(?i)^Information(?:en)?\s*(?:\(|:|$)",
            &["information"],
            3.0,
            1.0,
        ),
        cue(
            Information,
            r"(?i)\bnimmt\b[^.]{0,120}\bzur Kenntnis\b",
            &["nimmt"],
            2.5,
            2.0,
        ),
        cue(
            Information,
            r"(?i)\bmöge(?:n)?\s+(?:dies\s+)?(?:zur Kenntnis nehmen|Kenntnis nehmen)|\bwird um Kenntnisnahme gebeten|\bzur Kenntnisnahme\b",
            &["kenntnis"],
            3.0,
            1.5,
        ),
        // Konzept
        cue(
            Konzept,
            r"(?i)^(?:\w+[- ])?(?:\w*konzept(?:ion)?|Leitbild|Strategie|Masterplan|Entwicklungsplan|Aktionsplan)\b",
            &[
                "konzept",
                "leitbild",
                "strategie",
                "masterplan",
                "entwicklungsplan",
                "aktionsplan",
            ],
            5.0,
            0.0,
        ),
        cue(
            Konzept,
            r"(?i)^(?:\d+\.?\s+)?(?:Vorwort|Inhaltsverzeichnis|Einleitung|Präambel)$",
            &["vorwort", "inhaltsverzeichnis", "einleitung", "ambel"],
            2.0,
            1.0,
        ),
        cue(
            Konzept,
            r"(?i)^(?:\d+(?:\.\d+)*\.?\s+)?(?:Leitbild|Leitlinien|Handlungsfelder|Maßnahmenplan|Fazit(?: & Ausblick| und Ausblick)?|Ausblick|Zielsetzung)\b",
            &[
                "leitbild",
                "leitlinien",
                "handlungsfelder",
                "nahmenplan",
                "fazit",
                "ausblick",
                "zielsetzung",
            ],
            1.0,
            1.5,
        ),
        // Anfrage
        cue(
            Anfrage,
            r"(?i)^(?:(?:Kleine|Große|Schriftliche|Mündliche|Einwohner)\s*)?Anfrage\b",
            &["anfrage"],
            6.0,
            1.0,
        ),
        cue(
            Anfrage,
            r"(?i)\b(?:bitte[tn]?|ersuche[n]?)\s+(?:ich\s+|wir\s+)?(?:Sie\s+)?um\s+(?:die\s+)?Beantwortung|\bfolgende(?:n)?\s+(?:Fragen|Anfrage)\b|\bAnfrage\s+gem(?:äß|\.)",
            &["beantwortung", "folgende", "anfrage"],
            3.0,
            3.0,
        ),
        cue(Anfrage, r"(?i)^Fragen\s*:?$", &["fragen"], 2.0, 2.0),
        // Antwort
        cue(
            Antwort,
            r"(?i)\b(?:Beantwortung\s+(?:Ihrer|der|Ihrer\s+\w+)\s+Anfrage|Antwort\s+(?:der\s+Verwaltung\s+)?(?:auf|zu[mr]?)\s+(?:die\s+|Ihre\s+)?Anfrage|Stellungnahme\s+(?:der\s+Verwaltung\s+)?zu[mr]?\s+(?:Anfrage|Ihrer Anfrage)|beantworte[nt]?\s+(?:ich|wir)?\s*(?:Ihre|die)\s+(?:Anfrage|Fragen)|nachfolgend\s+die\s+Beantwortung)",
            &["antwort", "anfrage"],
            6.0,
            4.0,
        ),
        cue(
            Antwort,
            r"(?i)^(?:Antwort|Beantwortung|Stellungnahme)(?:\s+der\s+Verwaltung)?\b",
            &["antwort", "stellungnahme"],
            4.0,
            1.0,
        ),
        // Niederschrift
        cue(
            Niederschrift,
            r"(?i)^(?:Sitzungs)?(?:Niederschrift|Protokoll|Ergebnisprotokoll|Beschlussprotokoll|Protokollauszug|Auszug aus (?:der|dem) (?:Niederschrift|Protokoll)|Beschlussauszug|Sitzungsbericht)\b",
            &["niederschrift", "protokoll", "auszug", "sitzungsbericht"],
            10.0,
            2.0,
        ),
        cue(
            Niederschrift,
            r"(?i)^(?:Anwesend|Anwesenheit|Teilnehmer(?:innen)?|Entschuldigt|Es fehlten|Beginn|Ende|Sitzungsleitung|Vorsitz|Schriftführ(?:er|erin|ung))\b\s*:?",
            &[
                "anwesen",
                "teilnehmer",
                "entschuldigt",
                "fehlten",
                "beginn",
                "ende",
                "sitzungsleitung",
                "vorsitz",
                "schriftf",
            ],
            2.0,
            2.0,
        ),
        cue(
            Niederschrift,
            r"(?i)^Abstimmungsergebnis",
            &["abstimmungsergebnis"],
            2.0,
            3.0,
        ),
        cue(
            Niederschrift,
            r"(?i)\b(?:Der|Die)\s+Vorsitzende\s+(?:eröffnet|stellt|ruft|schließt)",
            &["vorsitzende"],
            2.0,
            2.0,
        ),
        cue(
            Niederschrift,
            r"(?i)^Sitzung\s*:\s*(?:öffentlich|nichtöffentlich|nicht öffentlich)",
            &["sitzung"],
            3.0,
            0.0,
        ),
        // Beschlussvorlage
        cue(
            Beschlussvorlage,
            r"(?i)^(?:Beschlussvorlage|Sitzungsvorlage|Verwaltungsvorlage|Vorlage\s+(?:für|an)\s+(?:den|die|das)|Beschlussantrag\s+der\s+Verwaltung|Drucksache)\b",
            &["vorlage", "beschlussantrag", "drucksache"],
            9.0,
            1.0,
        ),
        cue(
            Beschlussvorlage,
            r"(?i)^(?:Beschlussvorschlag|Beschlussempfehlung|Beschlussentwurf|Empfehlung\s+der\s+Verwaltung|Antrag\s+der\s+Verwaltung)\s*:?",
            &[
                "beschlussvorschlag",
                "empfehlung",
                "beschlussentwurf",
                "antrag",
            ],
            4.0,
            4.0,
        ),
        cue(
            Beschlussvorlage,
            r"(?i)^Beratungsfolge",
            &["beratungsfolge"],
            2.0,
            2.0,
        ),
        cue(
            Beschlussvorlage,
            r"(?i)^(?:Finanzielle Auswirkungen|Haushaltsmäßige Auswirkungen|Kosten(?:\s+und\s+Finanzierung)?|Deckungsvorschlag)\b",
            &["finanzielle", "haushalts", "kosten", "deckungsvorschlag"],
            1.0,
            1.0,
        ),
        cue(
            Beschlussvorlage,
            r"(?i)\b(?:Entscheidung|beschließend)\b",
            &["entscheidung", "beschlie"],
            0.5,
            0.5,
        ),
        // Projekt
        cue(
            Projekt,
            r"(?i)^(?:Projektträger|Projektlaufzeit|Laufzeit|Projektkosten|Gesamtkosten|Fördersumme|Förderquote|Projektziel|Projektbeschreibung|Projektsteckbrief|Projektskizze|Projektname|Projekttitel|Kooperationspartner|Zuwendungsempfänger|Förderprogramm)\b\s*:",
            &[
                "projekt",
                "laufzeit",
                "gesamtkosten",
                "rdersumme",
                "rderquote",
                "kooperationspartner",
                "zuwendungsempf",
                "rderprogramm",
            ],
            3.0,
            3.0,
        ),
        cue(
            Projekt,
            r"(?i)^(?:Projekte?|Projektblatt|Projektsteckbrief|Vorhaben)\b",
            &["projekt", "vorhaben"],
            3.0,
            0.0,
        ),
        cue(
            Projekt,
            r"(?i)\b(?:Projektträger|Projektlaufzeit|Gesamtausgaben|Regionalbudget|LEADER)\b",
            &["projekt", "gesamtausgaben", "regionalbudget", "leader"],
            1.0,
            1.0,
        ),
        // Sonstiges: motions, statutes, invitations.
        cue(
            Sonstiges,
            r"(?i)^(?:(?:Interfraktioneller|Gemeinsamer|Dringlichkeits|Änderungs|Ergänzungs)\s*)?Antrag\b",
            &["antrag"],
            6.0,
            0.0,
        ),
        cue(
            Sonstiges,
            r"(?i)^(?:Satzung|Einladung|Bekanntmachung|Tagesordnung)\b",
            &["satzung", "einladung", "bekanntmachung", "tagesordnung"],
            6.0,
            0.0,
        ),
    ]
});

/// Which lines each cue's regex has to be tried on.
///
/// Running every cue's regex on every line was the largest single cost of
/// structure recognition: 28 regex calls per line, most of them on lines
/// that cannot match. Every cue lists ASCII literals ("needles"), one of
/// which every match of its regex contains; one Aho-Corasick scan of the
/// document finds the lines holding a needle, and a cue's regex runs only
/// on those lines. The outcome is the same as trying every line because:
///
/// * the needles are matched ASCII-case-insensitively, and under `(?i)` the
///   only non-ASCII characters that match an ASCII letter are `ſ` (long s,
///   U+017F) and `K` (Kelvin sign, U+212A) (`fold_partners_of_ascii_letters`
///   test). A document holding `ſ` is scanned the old way, every line; the
///   Kelvin sign never reaches here, since [`Doc::new`]'s NFC normalisation
///   maps it to `K` (`long_s_scans_every_line_and_kelvin_is_normalised`);
/// * needles contain no whitespace or line break, so a needle found in
///   [`Doc::text`] lies inside one line.
struct Prefilter {
    ac: AhoCorasick,
    /// For each needle (pattern id), the cues (bit i = `CUES[i]`) it stands for.
    cues_of: Vec<u32>,
}

static PREFILTER: LazyLock<Prefilter> = LazyLock::new(|| {
    // `cues_of` holds one bit per cue (checked by every test that types a
    // document, so a 33rd cue fails the tests, not a user's run).
    assert!(
        CUES.len() <= u32::BITS as usize,
        "more cues than bits in cues_of"
    );
    let mut needles: Vec<&'static str> = Vec::new();
    let mut cues_of: Vec<u32> = Vec::new();
    for (i, c) in CUES.iter().enumerate() {
        for &n in c.needles {
            match needles.iter().position(|&m| m == n) {
                Some(p) => cues_of[p] |= 1 << i,
                None => {
                    needles.push(n);
                    cues_of.push(1 << i);
                }
            }
        }
    }
    let ac = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(&needles)
        .expect("doctype needles");
    Prefilter { ac, cues_of }
});

/// For each cue, the lines (ascending) its regex must be tried on; `None`
/// when the document must be scanned line by line (see [`Prefilter`]).
fn candidate_lines(doc: &Doc) -> Option<Vec<Vec<usize>>> {
    let text = doc.text.as_bytes();
    if memchr::memmem::find(text, "ſ".as_bytes()).is_some() {
        return None;
    }
    let pf = &*PREFILTER;
    let mut lines: Vec<Vec<usize>> = vec![Vec::new(); CUES.len()];
    // Matches come in order of their end, so their lines never go back.
    let mut line = 0;
    for m in pf.ac.find_overlapping_iter(&doc.text) {
        while line + 1 < doc.len() && doc.line_start(line + 1) <= m.start() {
            line += 1;
        }
        let mut cues = pf.cues_of[m.pattern().as_usize()];
        while cues != 0 {
            let i = cues.trailing_zeros() as usize;
            cues &= cues - 1;
            if lines[i].last() != Some(&line) {
                lines[i].push(line);
            }
        }
    }
    Some(lines)
}

/// For each cue, whether its regex matched a line of the title zone (lines
/// before `title_end`) and a line after it. `candidates` are the lines to
/// try per cue ([`candidate_lines`]); `None` tries every line.
fn cue_hits(doc: &Doc, title_end: usize, candidates: Option<&[Vec<usize>]>) -> Vec<(bool, bool)> {
    let all_lines: Vec<usize> = match candidates {
        Some(_) => Vec::new(),
        None => (0..doc.len()).collect(),
    };
    CUES.iter()
        .enumerate()
        .map(|(ci, c)| {
            let lines = candidates.map_or(&all_lines, |lines| &lines[ci]);
            let mut in_title = false;
            let mut in_body = false;
            for &i in lines {
                if c.re.is_match(doc.line(i)) {
                    if i < title_end {
                        in_title = true;
                    } else {
                        in_body = true;
                    }
                }
                if in_title && in_body {
                    break;
                }
            }
            (in_title, in_body)
        })
        .collect()
}

/// The type of a paper from its text and what the recognisers found.
pub(crate) fn classify(doc: &Doc, ev: &Evidence) -> DocType {
    use DocType::*;
    let title_end = doc.head_end().min(12);
    let mut score = [0.0f32; 9];
    let idx = |t: DocType| t as usize;
    let candidates = candidate_lines(doc);
    let hits = cue_hits(doc, title_end, candidates.as_deref());
    for (c, (in_title, in_body)) in CUES.iter().zip(hits) {
        if in_title {
            score[idx(c.ty)] += c.title;
        } else if in_body {
            score[idx(c.ty)] += c.body;
        }
    }

    // Structure as evidence.
    if ev.stichworte >= 2 {
        score[idx(Information)] += 6.0;
    } else if ev.stichworte == 1 {
        score[idx(Information)] += 2.0;
    }
    let long = doc.text.len() > 25_000;
    if ev.handlungsfelder >= 3 {
        score[idx(Konzept)] += 3.0;
    }
    if long {
        score[idx(Konzept)] += 2.0;
        let konzept_words = doc.text.matches("onzept").count();
        if konzept_words >= 10 {
            score[idx(Konzept)] += 4.0;
        }
    }
    if ev.agenda_heads >= 1 {
        score[idx(Niederschrift)] += 2.0;
    }
    if ev.agenda_heads >= 3 {
        score[idx(Niederschrift)] += 2.0;
    }
    if ev.answered >= 1 {
        score[idx(Antwort)] += 3.0 + ev.answered.min(5) as f32 * 0.5;
    }
    if ev.question_list {
        score[idx(Anfrage)] += 3.0;
    } else if ev.questions >= 1 && ev.answered == 0 {
        score[idx(Anfrage)] += 2.0;
    }

    // Inquiry and reply together: both halves must be there.
    let inquiry = score[idx(Anfrage)];
    let reply = score[idx(Antwort)];
    if inquiry >= 5.0 && reply >= 5.0 && ev.answered >= 1 {
        score[idx(AnfrageAntwort)] = inquiry + reply;
    }

    let order = [
        Information,
        Konzept,
        Anfrage,
        Antwort,
        AnfrageAntwort,
        Niederschrift,
        Beschlussvorlage,
        Projekt,
    ];
    let mut best = Sonstiges;
    let mut best_score = 4.0f32;
    for t in order {
        if score[idx(t)] > best_score {
            best = t;
            best_score = score[idx(t)];
        }
    }
    if score[idx(Sonstiges)] >= best_score && score[idx(Sonstiges)] > 4.0 {
        return Sonstiges;
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::structure::doc::doc_of;

    /// The prefilter's premise: under `(?i)` no character outside ASCII
    /// matches an ASCII letter except `ſ` (U+017F, as `s`) and the Kelvin
    /// sign (U+212A, as `k`).
    #[test]
    fn fold_partners_of_ascii_letters() {
        let letter = Regex::new(r"(?i)^[a-z]$").unwrap();
        let partners: Vec<char> = (0x80..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|c| letter.is_match(c.encode_utf8(&mut [0; 4])))
            .collect();
        assert_eq!(partners, vec!['\u{17f}', '\u{212a}']);
    }

    /// Every needle is ASCII lowercase without whitespace, as the
    /// prefilter's argument needs.
    #[test]
    fn needles_are_ascii_lowercase_words() {
        for c in CUES.iter() {
            assert!(!c.needles.is_empty(), "{} has no needle", c.re);
            for n in c.needles {
                assert!(
                    !n.is_empty()
                        && n.bytes()
                            .all(|b| b.is_ascii_graphic() && !b.is_ascii_uppercase()),
                    "needle {n:?} of {}",
                    c.re
                );
            }
        }
    }

    /// Every cue's regex matches nothing once its needles are gone: each
    /// needle, cut in two by a `#`, on every line that held it.
    #[test]
    fn a_cue_needs_one_of_its_needles() {
        let texts = crate::test_texts::repository_texts();
        let mut matched = 0;
        for c in CUES.iter() {
            for text in &texts {
                for line in text.lines() {
                    if !c.re.is_match(line) {
                        continue;
                    }
                    matched += 1;
                    let mut broken = line.to_string();
                    for n in c.needles {
                        let lower = broken.to_ascii_lowercase();
                        let mut cut = String::new();
                        let mut rest = broken.as_str();
                        let mut lower_rest = lower.as_str();
                        while let Some(p) = lower_rest.find(n) {
                            let mid = p + 1;
                            cut.push_str(&rest[..mid]);
                            cut.push('#');
                            rest = &rest[mid..];
                            lower_rest = &lower_rest[mid..];
                        }
                        cut.push_str(rest);
                        broken = cut;
                    }
                    assert!(
                        !c.re.is_match(&broken),
                        "{} matches {broken:?} without a needle",
                        c.re
                    );
                }
            }
        }
        assert!(matched > 40, "only {matched} cue matches in tests/data");
    }

    fn same_hits(text: &str) {
        let doc = doc_of(text);
        let title_end = doc.head_end().min(12);
        let candidates = candidate_lines(&doc);
        assert_eq!(
            cue_hits(&doc, title_end, candidates.as_deref()),
            cue_hits(&doc, title_end, None),
            "{}",
            text.chars().take(200).collect::<String>()
        );
    }

    /// The prefiltered scan finds what trying every line finds, on every
    /// text of the repository.
    #[test]
    fn prefilter_finds_what_every_line_finds() {
        let texts = crate::test_texts::repository_texts();
        assert!(texts.len() > 5);
        for text in &texts {
            same_hits(text);
        }
        same_hits(
            "Niederschrift\nDer Vorsitzende eröffnet die Sitzung.\nFragen:\nAnfrage gem. § 4",
        );
    }

    #[test]
    fn long_s_scans_every_line_and_kelvin_is_normalised() {
        assert!(candidate_lines(&doc_of("Beſchlussvorlage")).is_none());
        // The Kelvin sign is gone before the prefilter sees the text: NFC
        // maps it to `K`, so the needle "kenntnis" finds the line.
        let kelvin = doc_of("\u{212a}enntnisgabe");
        assert!(!kelvin.text.contains('\u{212a}'), "{:?}", kelvin.text);
        let lines = candidate_lines(&kelvin).expect("no ſ: prefiltered");
        assert!(lines.iter().any(|l| l == &[0]), "{lines:?}");
        // The regexes do match both spellings, which is why they matter.
        assert!(CUES.iter().any(|c| c.re.is_match("\u{212a}enntnisgabe")));
        assert!(CUES.iter().any(|c| c.re.is_match("Beſchlussvorlage")));
    }

    #[test]
    #[ignore = "needs ../shared"]
    fn prefilter_finds_what_every_line_finds_in_karlsruhe() {
        let mut n = 0;
        for text in crate::test_texts::karlsruhe_texts() {
            same_hits(&text);
            n += 1;
        }
        assert!(n > 12_000, "only {n} Karlsruhe texts");
    }
}
