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
    /// Points in the first lines (title zone).
    title: f32,
    /// Points anywhere else (counted once).
    body: f32,
}

fn cue(ty: DocType, re: &str, title: f32, body: f32) -> Cue {
    Cue {
        ty,
        re: Regex::new(re).expect("doctype cue regex"),
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
            9.0,
            3.0,
        ),
        cue(
            Information,
            r"(?i)\b(?:Informationsvorlage|Mitteilungsvorlage|Informationsdrucksache|Mitteilungsdrucksache|Informationsblatt|Kenntnisgabe)\b",
            9.0,
            1.0,
        ),
        cue(
            Information,
            r"(?i)^Information(?:en)?\s*(?:\(|:|$)",
            3.0,
            1.0,
        ),
        cue(
            Information,
            r"(?i)\bnimmt\b[^.]{0,120}\bzur Kenntnis\b",
            2.5,
            2.0,
        ),
        cue(
            Information,
            r"(?i)\bmöge(?:n)?\s+(?:dies\s+)?(?:zur Kenntnis nehmen|Kenntnis nehmen)|\bwird um Kenntnisnahme gebeten|\bzur Kenntnisnahme\b",
            3.0,
            1.5,
        ),
        // Konzept
        cue(
            Konzept,
            r"(?i)^(?:\w+[- ])?(?:\w*konzept(?:ion)?|Leitbild|Strategie|Masterplan|Entwicklungsplan|Aktionsplan)\b",
            5.0,
            0.0,
        ),
        cue(
            Konzept,
            r"(?i)^(?:\d+\.?\s+)?(?:Vorwort|Inhaltsverzeichnis|Einleitung|Präambel)$",
            2.0,
            1.0,
        ),
        cue(
            Konzept,
            r"(?i)^(?:\d+(?:\.\d+)*\.?\s+)?(?:Leitbild|Leitlinien|Handlungsfelder|Maßnahmenplan|Fazit(?: & Ausblick| und Ausblick)?|Ausblick|Zielsetzung)\b",
            1.0,
            1.5,
        ),
        // Anfrage
        cue(
            Anfrage,
            r"(?i)^(?:(?:Kleine|Große|Schriftliche|Mündliche|Einwohner)\s*)?Anfrage\b",
            6.0,
            1.0,
        ),
        cue(
            Anfrage,
            r"(?i)\b(?:bitte[tn]?|ersuche[n]?)\s+(?:ich\s+|wir\s+)?(?:Sie\s+)?um\s+(?:die\s+)?Beantwortung|\bfolgende(?:n)?\s+(?:Fragen|Anfrage)\b|\bAnfrage\s+gem(?:äß|\.)",
            3.0,
            3.0,
        ),
        cue(Anfrage, r"(?i)^Fragen\s*:?$", 2.0, 2.0),
        // Antwort
        cue(
            Antwort,
            r"(?i)\b(?:Beantwortung\s+(?:Ihrer|der|Ihrer\s+\w+)\s+Anfrage|Antwort\s+(?:der\s+Verwaltung\s+)?(?:auf|zu[mr]?)\s+(?:die\s+|Ihre\s+)?Anfrage|Stellungnahme\s+(?:der\s+Verwaltung\s+)?zu[mr]?\s+(?:Anfrage|Ihrer Anfrage)|beantworte[nt]?\s+(?:ich|wir)?\s*(?:Ihre|die)\s+(?:Anfrage|Fragen)|nachfolgend\s+die\s+Beantwortung)",
            6.0,
            4.0,
        ),
        cue(
            Antwort,
            r"(?i)^(?:Antwort|Beantwortung|Stellungnahme)(?:\s+der\s+Verwaltung)?\b",
            4.0,
            1.0,
        ),
        // Niederschrift
        cue(
            Niederschrift,
            r"(?i)^(?:Sitzungs)?(?:Niederschrift|Protokoll|Ergebnisprotokoll|Beschlussprotokoll|Protokollauszug|Auszug aus (?:der|dem) (?:Niederschrift|Protokoll)|Beschlussauszug|Sitzungsbericht)\b",
            10.0,
            2.0,
        ),
        cue(
            Niederschrift,
            r"(?i)^(?:Anwesend|Anwesenheit|Teilnehmer(?:innen)?|Entschuldigt|Es fehlten|Beginn|Ende|Sitzungsleitung|Vorsitz|Schriftführ(?:er|erin|ung))\b\s*:?",
            2.0,
            2.0,
        ),
        cue(Niederschrift, r"(?i)^Abstimmungsergebnis", 2.0, 3.0),
        cue(
            Niederschrift,
            r"(?i)\b(?:Der|Die)\s+Vorsitzende\s+(?:eröffnet|stellt|ruft|schließt)",
            2.0,
            2.0,
        ),
        cue(
            Niederschrift,
            r"(?i)^Sitzung\s*:\s*(?:öffentlich|nichtöffentlich|nicht öffentlich)",
            3.0,
            0.0,
        ),
        // Beschlussvorlage
        cue(
            Beschlussvorlage,
            r"(?i)^(?:Beschlussvorlage|Sitzungsvorlage|Verwaltungsvorlage|Vorlage\s+(?:für|an)\s+(?:den|die|das)|Beschlussantrag\s+der\s+Verwaltung|Drucksache)\b",
            9.0,
            1.0,
        ),
        cue(
            Beschlussvorlage,
            r"(?i)^(?:Beschlussvorschlag|Beschlussempfehlung|Beschlussentwurf|Empfehlung\s+der\s+Verwaltung|Antrag\s+der\s+Verwaltung)\s*:?",
            4.0,
            4.0,
        ),
        cue(Beschlussvorlage, r"(?i)^Beratungsfolge", 2.0, 2.0),
        cue(
            Beschlussvorlage,
            r"(?i)^(?:Finanzielle Auswirkungen|Haushaltsmäßige Auswirkungen|Kosten(?:\s+und\s+Finanzierung)?|Deckungsvorschlag)\b",
            1.0,
            1.0,
        ),
        cue(
            Beschlussvorlage,
            r"(?i)\b(?:Entscheidung|beschließend)\b",
            0.5,
            0.5,
        ),
        // Projekt
        cue(
            Projekt,
            r"(?i)^(?:Projektträger|Projektlaufzeit|Laufzeit|Projektkosten|Gesamtkosten|Fördersumme|Förderquote|Projektziel|Projektbeschreibung|Projektsteckbrief|Projektskizze|Projektname|Projekttitel|Kooperationspartner|Zuwendungsempfänger|Förderprogramm)\b\s*:",
            3.0,
            3.0,
        ),
        cue(
            Projekt,
            r"(?i)^(?:Projekte?|Projektblatt|Projektsteckbrief|Vorhaben)\b",
            3.0,
            0.0,
        ),
        cue(
            Projekt,
            r"(?i)\b(?:Projektträger|Projektlaufzeit|Gesamtausgaben|Regionalbudget|LEADER)\b",
            1.0,
            1.0,
        ),
        // Sonstiges: motions, statutes, invitations.
        cue(
            Sonstiges,
            r"(?i)^(?:(?:Interfraktioneller|Gemeinsamer|Dringlichkeits|Änderungs|Ergänzungs)\s*)?Antrag\b",
            6.0,
            0.0,
        ),
        cue(
            Sonstiges,
            r"(?i)^(?:Satzung|Einladung|Bekanntmachung|Tagesordnung)\b",
            6.0,
            0.0,
        ),
    ]
});

/// The type of a paper from its text and what the recognisers found.
pub(crate) fn classify(doc: &Doc, ev: &Evidence) -> DocType {
    use DocType::*;
    let title_end = doc.head_end().min(12);
    let mut score = [0.0f32; 9];
    let idx = |t: DocType| t as usize;
    for c in CUES.iter() {
        let mut in_title = false;
        let mut in_body = false;
        for i in 0..doc.len() {
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
