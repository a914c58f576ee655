//! Page furniture: running headers, running footers and page numbers.
//!
//! Furniture repeats on every page, so left in place it matches every query
//! naming the authority ("Landratsamt Ilm-Kreis"), splits paragraphs that run
//! over a page break, and gets glued onto a hyphenated word at the page end.
//! It is recognised by where it stands and by repetition, never by content
//! alone, because the same words also occur in the body.
//!
//! Only the first and last [`EDGE_LINES`] lines of a page (its *edges*) are
//! ever considered, and a line is dropped by one of three rules:
//!
//! 1. **Page numbers.** "Seite 3 von 12", "Seite 3", "S. 3", "Page 3 of 12",
//!    "Blatt 3", "- 3 -", "– 3 –" and "3 von 12" say what they are and are
//!    dropped anywhere in an edge. A bare "3" or "3/12" could also be a table
//!    cell, so it is dropped only when it sits on the very edge (only other
//!    furniture between it and the page boundary) and its number is the
//!    page's number, or differs from it by the same offset on at least two
//!    pages (printed numbering that starts after a cover page).
//! 2. **Running headers and footers.** A line whose text, with digit runs
//!    masked and case ignored, stands in the same edge (top or bottom) on at
//!    least half of the pages (and at least two) is furniture, provided it
//!    also sits on the very edge of its page and the same text is not a body
//!    line (outside the edges) on as many pages. With geometry the positions
//!    must also agree within [`Y_TOLERANCE`] points (measured from the top
//!    for headers, from the bottom for footers), which keeps a body line
//!    "Landratsamt Wartburgkreis" in an address block apart from the header
//!    with the same words.
//! 3. **A lone page's header.** One page cannot show repetition. Only with
//!    geometry, its first line is dropped when it is short (at most half the
//!    page width), stands in the top [`TOP_BAND`] of the page, is not set
//!    larger than the body, and is followed by a gap of more than
//!    [`HEADER_GAP`] times the page's usual line spacing. Without geometry a
//!    one-page document keeps everything but its page number.
//!
//! Limits: a heading that happens to open at least half of the pages (for
//! example "Begründung" at the top of two pages of a four-page paper, right
//! under the header) is taken for furniture unless geometry or body
//! occurrences say otherwise; headers that alternate between odd and even
//! pages count as repeated only if each variant reaches half the pages; a
//! multi-line footer block is only removed line by line, each line having to
//! qualify on its own.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::model::{Line, Page};

/// How many lines at the top and at the bottom of a page may be furniture.
pub const EDGE_LINES: usize = 3;
/// How far (points) the positions of two copies of a running header may differ.
pub const Y_TOLERANCE: f32 = 6.0;
/// Share of the page height, from the top, where a lone page's header stands.
pub const TOP_BAND: f32 = 0.08;
/// Gap below a lone page's header, in multiples of the usual line spacing.
pub const HEADER_GAP: f32 = 2.5;

/// Remove page numbers and running headers/footers from a document's pages.
pub fn remove_furniture(pages: &mut [Page]) {
    let filled = pages.iter().filter(|p| !p.lines.is_empty()).count();
    let offsets = page_number_offsets(pages);
    let repeated = RepeatedLines::find(pages, filled);

    for (index, page) in pages.iter_mut().enumerate() {
        let len = page.lines.len();
        let mut drop = vec![false; len];
        let furniture = |i: usize, side: Side| {
            let line = &page.lines[i];
            let is_number = match parse_page_number(&line.text) {
                Some(PageNumber::Explicit) => return Verdict::Anywhere,
                Some(PageNumber::Bare(n)) => {
                    offsets.contains(&(i64::from(n) - i64::from(page.number)))
                }
                None => false,
            };
            if is_number || repeated.contains(index, i, side) {
                Verdict::OnEdge
            } else {
                Verdict::Body
            }
        };

        let mut on_edge = true;
        for (i, flag) in drop.iter_mut().enumerate().take(len.min(EDGE_LINES)) {
            match furniture(i, Side::Top) {
                Verdict::Anywhere => *flag = true,
                Verdict::OnEdge if on_edge => *flag = true,
                _ => on_edge = false,
            }
        }
        let mut on_edge = true;
        for i in (len.saturating_sub(EDGE_LINES)..len).rev() {
            match furniture(i, Side::Bottom) {
                Verdict::Anywhere => drop[i] = true,
                Verdict::OnEdge if on_edge => drop[i] = true,
                _ => on_edge = false,
            }
        }

        let mut i = 0;
        page.lines.retain(|_| {
            i += 1;
            !drop[i - 1]
        });

        if filled == 1 && lone_page_header(page) {
            page.lines.remove(0);
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Furniture wherever it stands in the edge.
    Anywhere,
    /// Furniture if only furniture separates it from the page boundary.
    OnEdge,
    Body,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Side {
    Top,
    Bottom,
}

/// What a line says about pagination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PageNumber {
    /// Labelled or decorated ("Seite 3", "- 3 -", "3 von 12"): certainly a page number.
    Explicit,
    /// A bare "3" or "3/12": a page number only in the right place.
    Bare(u32),
}

/// Recognise a line that is nothing but a page number (see module docs).
fn parse_page_number(text: &str) -> Option<PageNumber> {
    let lower = text.trim().to_lowercase();
    for dash in ['-', '–', '—'] {
        if let Some(inner) = lower
            .strip_prefix(dash)
            .and_then(|rest| rest.strip_suffix(dash))
        {
            return number(inner.trim()).map(|_| PageNumber::Explicit);
        }
    }
    for label in ["seite", "page", "blatt", "s."] {
        if let Some(rest) = lower.strip_prefix(label) {
            let rest = rest.trim_start();
            let rest = rest.strip_prefix(':').unwrap_or(rest).trim_start();
            return count(rest).map(|_| PageNumber::Explicit);
        }
    }
    let (n, total, spelled) = count(&lower)?;
    match (total, spelled) {
        (Some(_), true) => Some(PageNumber::Explicit),
        _ => Some(PageNumber::Bare(n)),
    }
}

/// "3", "3/12", "3 / 12", "3 von 12", "3 of 12" → (3, total, whether the
/// total was introduced by a word). The total may not be below the number.
fn count(text: &str) -> Option<(u32, Option<u32>, bool)> {
    if let Some(n) = number(text) {
        return Some((n, None, false));
    }
    let (n, total, spelled) = if let Some((n, total)) = text.split_once('/') {
        (n, total, false)
    } else if let Some((n, total)) = text.split_once(" von ") {
        (n, total, true)
    } else {
        let (n, total) = text.split_once(" of ")?;
        (n, total, true)
    };
    let (n, total) = (number(n.trim())?, number(total.trim())?);
    (n <= total).then_some((n, Some(total), spelled))
}

/// One to four ASCII digits.
fn number(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Offsets (printed number minus page number) under which a bare number at a
/// page edge counts as page number: 0 always, and an offset shared by at
/// least two pages.
fn page_number_offsets(pages: &[Page]) -> Vec<i64> {
    let mut counts: HashMap<i64, usize> = HashMap::default();
    for page in pages {
        let mut seen = Vec::new();
        for (i, line) in page.lines.iter().enumerate() {
            if !in_edge(i, page.lines.len()) {
                continue;
            }
            if let Some(PageNumber::Bare(n)) = parse_page_number(&line.text) {
                let offset = i64::from(n) - i64::from(page.number);
                if !seen.contains(&offset) {
                    seen.push(offset);
                    *counts.entry(offset).or_default() += 1;
                }
            }
        }
    }
    let mut offsets = vec![0];
    offsets.extend(
        counts
            .into_iter()
            .filter(|&(offset, n)| offset != 0 && n >= 2)
            .map(|(offset, _)| offset),
    );
    offsets
}

fn in_edge(i: usize, len: usize) -> bool {
    i < EDGE_LINES || i + EDGE_LINES >= len
}

/// The text a running header keeps from page to page: lower case, each run
/// of digits replaced by `#` ("Seite 3 von 12" → "seite # von #"). A line
/// without letters keeps its digits: masked, every bare page number and
/// table figure would repeat; such lines must repeat verbatim (a date) and
/// bare page numbers are left to the page-number rule.
fn mask(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    mask_into(text, &mut out);
    out
}

/// [`mask`] into `out` (cleared first), to reuse one buffer.
fn mask_into(text: &str, out: &mut String) {
    out.clear();
    if !text.chars().any(char::is_alphabetic) {
        out.push_str(text);
        return;
    }
    let mut in_digits = false;
    for c in text.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('#');
            }
            in_digits = true;
        } else {
            in_digits = false;
            out.extend(c.to_lowercase());
        }
    }
}

/// Edge lines that repeat on enough pages to be running headers/footers.
struct RepeatedLines {
    /// (page index, line index, side) of every line found to repeat.
    hits: HashSet<(usize, usize, Side)>,
}

/// One line in a page edge, as the repetition count sees it.
struct EdgeLine {
    page: usize,
    line: usize,
    /// Distance from the edge's page boundary, if the page has geometry.
    distance: Option<f32>,
}

impl RepeatedLines {
    fn find(pages: &[Page], filled: usize) -> RepeatedLines {
        let needed = filled.div_ceil(2).max(2);
        let mut edges: HashMap<(Side, String), Vec<EdgeLine>> = HashMap::default();
        for (p, page) in pages.iter().enumerate() {
            let len = page.lines.len();
            for (i, line) in page.lines.iter().enumerate() {
                let sides = [
                    (i < EDGE_LINES).then_some(Side::Top),
                    (i + EDGE_LINES >= len).then_some(Side::Bottom),
                ];
                if sides == [None, None] {
                    continue;
                }
                let key = mask(&line.text);
                for side in sides.into_iter().flatten() {
                    edges
                        .entry((side, key.clone()))
                        .or_default()
                        .push(EdgeLine {
                            page: p,
                            line: i,
                            distance: edge_distance(page, line, side),
                        });
                }
            }
        }

        // On how many pages an edge line's text also stands in the body;
        // counted only for the texts that repeat often enough to matter
        // (most documents have none, and then the body is not read).
        // Value: (pages, last page counted).
        let mut body_pages: HashMap<&str, (usize, usize)> = edges
            .iter()
            .filter(|(_, lines)| lines.len() >= needed)
            .map(|((_, key), _)| (key.as_str(), (0, usize::MAX)))
            .collect();
        if !body_pages.is_empty() {
            let mut key = String::new();
            for (p, page) in pages.iter().enumerate() {
                let len = page.lines.len();
                for (i, line) in page.lines.iter().enumerate() {
                    if i < EDGE_LINES || i + EDGE_LINES >= len {
                        continue;
                    }
                    mask_into(&line.text, &mut key);
                    if let Some((count, last)) = body_pages.get_mut(key.as_str()) {
                        if *last != p {
                            *last = p;
                            *count += 1;
                        }
                    }
                }
            }
        }

        let mut hits = HashSet::default();
        for ((side, key), lines) in &edges {
            if lines.len() < needed {
                continue;
            }
            let in_body = body_pages.get(key.as_str()).map_or(0, |&(n, _)| n);
            for candidate in lines {
                let mut pages_alike: Vec<usize> = lines
                    .iter()
                    .filter(|other| match (candidate.distance, other.distance) {
                        (Some(a), Some(b)) => (a - b).abs() <= Y_TOLERANCE,
                        _ => true,
                    })
                    .map(|other| other.page)
                    .collect();
                pages_alike.dedup();
                if pages_alike.len() >= needed && in_body < pages_alike.len() {
                    hits.insert((candidate.page, candidate.line, *side));
                }
            }
        }
        RepeatedLines { hits }
    }

    fn contains(&self, page: usize, line: usize, side: Side) -> bool {
        self.hits.contains(&(page, line, side))
    }
}

/// Distance of a line's baseline from the top (headers) or the bottom
/// (footers) of its page; `None` without geometry.
fn edge_distance(page: &Page, line: &Line, side: Side) -> Option<f32> {
    if !(page.height > 0.0 && line.y > 0.0) {
        return None;
    }
    Some(match side {
        Side::Top => line.y,
        Side::Bottom => page.height - line.y,
    })
}

/// Rule 3 of the module docs: is the first line of this (only) page a header?
fn lone_page_header(page: &Page) -> bool {
    let lines = &page.lines;
    if page.height <= 0.0 || lines.len() < 3 {
        return false;
    }
    let (first, second) = (&lines[0], &lines[1]);
    let Some(spacing) = median(
        lines[1..]
            .windows(2)
            .map(|pair| pair[1].y - pair[0].y)
            .filter(|&dy| dy > 0.0),
    ) else {
        return false;
    };
    let body_size = median(lines.iter().map(|l| l.font_size).filter(|&s| s > 0.0));
    let short = first.width > 0.0 && (page.width <= 0.0 || first.width <= page.width / 2.0);
    let high = first.y > 0.0 && first.y <= page.height * TOP_BAND;
    let not_larger = match body_size {
        Some(size) => first.font_size <= size * 1.1,
        None => true,
    };
    short && high && not_larger && second.y - first.y > HEADER_GAP * spacing
}

fn median(values: impl Iterator<Item = f32>) -> Option<f32> {
    let mut values: Vec<f32> = values.filter(|v| v.is_finite()).collect();
    if values.is_empty() {
        return None;
    }
    values.sort_by(f32::total_cmp);
    Some(values[values.len() / 2])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TextSource;

    /// A4 page whose lines carry geometry: `(text, x, y, width)`, 11 pt.
    fn a4(number: u32, lines: &[(&str, f32, f32, f32)]) -> Page {
        Page {
            number,
            width: 595.3,
            height: 841.9,
            lines: lines
                .iter()
                .map(|&(text, x, y, width)| Line {
                    text: text.into(),
                    x,
                    y,
                    width,
                    font_size: 11.0,
                })
                .collect(),
            source: TextSource::Native,
        }
    }

    fn plain(number: u32, lines: &[&str]) -> Page {
        Page {
            number,
            width: 0.0,
            height: 0.0,
            lines: lines.iter().map(|&t| Line::plain(t)).collect(),
            source: TextSource::Native,
        }
    }

    fn texts(pages: &[Page]) -> Vec<Vec<&str>> {
        pages
            .iter()
            .map(|p| p.lines.iter().map(|l| l.text.as_str()).collect())
            .collect()
    }

    /// The three pages of fixture `000_*`, a few body lines each, with the
    /// positions LibreOffice gave them.
    fn ilm_kreis() -> Vec<Page> {
        let header = ("Landratsamt Ilm-Kreis", 450.7, 43.0, 88.0);
        vec![
            a4(
                1,
                &[
                    header,
                    (
                        "Der Kreistag des Ilm-Kreises möge zur Kenntnis nehmen:",
                        71.0,
                        82.0,
                        280.5,
                    ),
                    ("1.1 Stichwort: Grüne Woche", 71.0, 109.5, 159.8),
                    (
                        "Vom 17. bis 26. Januar 2025 findet die Grüne Woche in Berlin statt.",
                        71.0,
                        128.5,
                        467.0,
                    ),
                    ("Seite 1 von 3", 262.0, 812.0, 71.0),
                ],
            ),
            a4(
                2,
                &[
                    header,
                    ("Zuhören", 71.0, 82.0, 45.0),
                    (
                        "In allen Institutionen Informationsaufnahme zur Verbesserung der",
                        71.0,
                        96.5,
                        467.0,
                    ),
                    ("Vorteile für den Landkreis:", 71.0, 111.0, 140.0),
                    ("Seite 2 von 3", 262.0, 812.0, 71.0),
                ],
            ),
            a4(
                3,
                &[
                    header,
                    ("Sicherung der ärztlichen Versorgung", 71.0, 82.0, 200.0),
                    ("Landratsamt Ilm-Kreis", 71.0, 96.5, 88.0),
                    ("Seite 3 von 3", 262.0, 812.0, 71.0),
                ],
            ),
        ]
    }

    #[test]
    fn removes_running_header_and_footer_of_a_multi_page_document() {
        let mut pages = ilm_kreis();
        remove_furniture(&mut pages);
        assert_eq!(
            texts(&pages),
            vec![
                vec![
                    "Der Kreistag des Ilm-Kreises möge zur Kenntnis nehmen:",
                    "1.1 Stichwort: Grüne Woche",
                    "Vom 17. bis 26. Januar 2025 findet die Grüne Woche in Berlin statt.",
                ],
                vec![
                    "Zuhören",
                    "In allen Institutionen Informationsaufnahme zur Verbesserung der",
                    "Vorteile für den Landkreis:",
                ],
                // The body line with the header's words stays: it is not on
                // the edge and not where the header stands.
                vec![
                    "Sicherung der ärztlichen Versorgung",
                    "Landratsamt Ilm-Kreis",
                ],
            ]
        );
    }

    #[test]
    fn header_words_in_the_body_stay_without_geometry() {
        // Fixture 002: the addressee "Landratsamt Wartburgkreis" is the third
        // line of page 1, right under the running header with the same words.
        let mut pages = vec![
            plain(
                1,
                &[
                    "Landratsamt Wartburgkreis",
                    "Kreisrat Patrick Wieschke, Katharinenstraße147a, 99817 Eisenach",
                    "Landratsamt Wartburgkreis",
                    "Landrat Dr. Brodführer",
                    "Seite 1 von 2",
                ],
            ),
            plain(
                2,
                &[
                    "Landratsamt Wartburgkreis",
                    "Mit freundlichen Grüßen",
                    "Patrick Wieschke",
                    "Seite 2 von 2",
                ],
            ),
        ];
        remove_furniture(&mut pages);
        assert_eq!(
            texts(&pages),
            vec![
                vec![
                    "Kreisrat Patrick Wieschke, Katharinenstraße147a, 99817 Eisenach",
                    "Landratsamt Wartburgkreis",
                    "Landrat Dr. Brodführer",
                ],
                vec!["Mit freundlichen Grüßen", "Patrick Wieschke"],
            ]
        );
    }

    #[test]
    fn repetition_with_digits_masked() {
        let mut pages: Vec<Page> = (1..=4)
            .map(|n| {
                let footer = format!("Drucksache 2025/{} – Stand 0{n}.03.2025", 100 + n);
                let body = ["Vorwort", "Einleitung", "Ziele", "Fazit"][n as usize - 1];
                Page {
                    lines: vec![Line::plain(body), Line::plain(footer)],
                    ..plain(n, &[])
                }
            })
            .collect();
        remove_furniture(&mut pages);
        assert_eq!(
            texts(&pages),
            [["Vorwort"], ["Einleitung"], ["Ziele"], ["Fazit"]]
        );
    }

    #[test]
    fn header_must_repeat_on_half_of_the_pages() {
        let mut pages = vec![
            plain(1, &["Sachstand", "Text eins"]),
            plain(2, &["Text zwei", "mehr"]),
            plain(3, &["Text drei", "mehr"]),
            plain(4, &["Text vier", "mehr"]),
            plain(5, &["Sachstand", "Text fünf"]),
        ];
        let before = texts(&pages).concat().len();
        remove_furniture(&mut pages);
        // "Sachstand" opens 2 of 5 pages: below half, so it stays. "mehr"
        // closes 3 of 5 pages: a footer.
        assert_eq!(pages[0].lines[0].text, "Sachstand");
        assert_eq!(pages[4].lines[0].text, "Sachstand");
        assert_eq!(texts(&pages).concat().len(), before - 3);
    }

    #[test]
    fn a_line_that_is_body_text_elsewhere_stays() {
        // "Ziel:" opens two of three pages but is also a body line on three.
        let mut pages = vec![
            plain(1, &["Ziel:", "a", "b", "c", "Ziel:", "d", "e", "f"]),
            plain(2, &["Ziel:", "g", "h", "i", "Ziel:", "j", "k", "l"]),
            plain(3, &["m", "n", "o", "p", "Ziel:", "q", "r", "s"]),
        ];
        let expected = texts(&pages)
            .into_iter()
            .map(|p| p.into_iter().map(String::from).collect::<Vec<_>>())
            .collect::<Vec<_>>();
        remove_furniture(&mut pages);
        let got: Vec<Vec<String>> = texts(&pages)
            .into_iter()
            .map(|p| p.into_iter().map(String::from).collect())
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn headers_at_different_positions_do_not_match() {
        // Same words, but at the top edge on one page and 200 pt lower on the
        // other (the first line of a page that starts with white space).
        let mut pages = vec![
            a4(
                1,
                &[("Anlage", 71.0, 43.0, 40.0), ("Text", 71.0, 82.0, 30.0)],
            ),
            a4(
                2,
                &[("Anlage", 71.0, 243.0, 40.0), ("Text", 71.0, 282.0, 30.0)],
            ),
        ];
        remove_furniture(&mut pages);
        assert_eq!(pages[0].lines[0].text, "Anlage");
        assert_eq!(pages[1].lines[0].text, "Anlage");
    }

    #[test]
    fn recognises_page_number_variants() {
        for text in [
            "Seite 3 von 12",
            "seite 3 VON 12",
            "Seite: 3",
            "Seite 3",
            "Seite 3/12",
            "S. 3",
            "Page 3 of 12",
            "page 3",
            "Blatt 3",
            "- 3 -",
            "– 3 –",
            "—3—",
            "3 von 12",
        ] {
            assert_eq!(
                parse_page_number(text),
                Some(PageNumber::Explicit),
                "{text}"
            );
        }
        assert_eq!(parse_page_number("3"), Some(PageNumber::Bare(3)));
        assert_eq!(parse_page_number("3/12"), Some(PageNumber::Bare(3)));
        assert_eq!(parse_page_number("3 / 12"), Some(PageNumber::Bare(3)));
        for text in [
            "Seite 13 von 12",
            "Seiten 3",
            "3.",
            "12345",
            "1.1",
            "2025-03",
            "S. 3 ff.",
            "3 Ziele",
            "Seite",
            "- -",
            "",
        ] {
            assert_eq!(parse_page_number(text), None, "{text}");
        }
    }

    #[test]
    fn drops_page_numbers_near_the_edges_only() {
        let mut pages = vec![plain(
            1,
            &[
                "- 1 -",
                "Tagesordnung",
                "Seite 1",
                "a",
                "b",
                "c",
                "Seite 1",
                "d",
                "e",
                "Page 1 of 1",
            ],
        )];
        remove_furniture(&mut pages);
        assert_eq!(
            texts(&pages),
            vec![vec!["Tagesordnung", "a", "b", "c", "Seite 1", "d", "e"]]
        );
    }

    #[test]
    fn bare_numbers_must_match_the_page_and_stand_on_the_edge() {
        let mut pages = vec![
            plain(1, &["Anzahl der Teilnehmer", "12", "Text", "1"]),
            plain(2, &["Ergebnis", "Summe", "7"]),
            plain(3, &["3/4", "Fazit", "mehr Text"]),
        ];
        remove_furniture(&mut pages);
        assert_eq!(
            texts(&pages),
            vec![
                vec!["Anzahl der Teilnehmer", "12", "Text"],
                vec!["Ergebnis", "Summe", "7"],
                vec!["Fazit", "mehr Text"],
            ]
        );
    }

    #[test]
    fn bare_numbers_with_a_shared_offset() {
        // A cover page, then printed numbers 1, 2, 3 on pages 2, 3, 4.
        let mut pages = vec![
            plain(1, &["Integrationskonzept", "Ilm-Kreis 2018"]),
            plain(2, &["Vorwort", "Mit aktuell rund 60 Millionen", "1"]),
            plain(3, &["Einleitung", "Im Rahmen der Sozialplanung", "2"]),
            plain(4, &["Ziele", "Handlungsziel 3.5", "3"]),
        ];
        remove_furniture(&mut pages);
        assert!(pages[1..].iter().all(|p| p.lines.len() == 2));
        assert_eq!(pages[0].lines.len(), 2);
    }

    #[test]
    fn a_one_page_text_keeps_everything_but_its_page_number() {
        let mut pages = vec![plain(
            1,
            &[
                "Landratsamt Ilm-Kreis",
                "Projekte im Regionalmanagement und Regionalbudget",
                "Handlungsfeld B: Arbeitsmarkt & Bildung",
                "Seite 1 von 1",
            ],
        )];
        remove_furniture(&mut pages);
        assert_eq!(
            texts(&pages),
            vec![vec![
                "Landratsamt Ilm-Kreis",
                "Projekte im Regionalmanagement und Regionalbudget",
                "Handlungsfeld B: Arbeitsmarkt & Bildung",
            ]]
        );
    }

    /// Fixture 003 (one page) as LibreOffice placed it.
    fn projekte(header: (&'static str, f32, f32, f32)) -> Vec<Page> {
        vec![a4(
            1,
            &[
                header,
                (
                    "Projekte im Regionalmanagement und Regionalbudget",
                    71.0,
                    89.5,
                    330.0,
                ),
                (
                    "Handlungsfeld B: Arbeitsmarkt & Bildung",
                    71.0,
                    112.0,
                    250.0,
                ),
                ("KMU International", 71.0, 134.5, 100.0),
                (
                    "Fachkräftesicherung und -gewinnung sind zentrale Themen zur Siche-",
                    71.0,
                    153.0,
                    467.0,
                ),
                (
                    "rung der Zukunftsfähigkeit der regionalen Wirtschaft. Gerade im",
                    71.0,
                    167.5,
                    467.0,
                ),
                (
                    "Ilm-Kreis ergeben sich hier besondere Handlungsbedarfe für KMU.",
                    71.0,
                    182.0,
                    467.0,
                ),
                ("Seite 1 von 1", 262.0, 812.0, 71.0),
            ],
        )]
    }

    #[test]
    fn a_one_page_document_loses_a_header_its_geometry_shows() {
        let mut pages = projekte(("Landratsamt Ilm-Kreis", 450.7, 43.0, 88.0));
        remove_furniture(&mut pages);
        assert_eq!(pages[0].lines.len(), 6);
        assert_eq!(
            pages[0].lines[0].text,
            "Projekte im Regionalmanagement und Regionalbudget"
        );
    }

    #[test]
    fn a_one_page_document_keeps_a_first_line_that_is_not_clearly_a_header() {
        // Too low on the page.
        let mut low = projekte(("Landratsamt Ilm-Kreis", 450.7, 75.0, 88.0));
        low[0].lines[1].y = 120.0;
        // Too wide.
        let mut wide = projekte((
            "Landratsamt Ilm-Kreis, Amt für Wirtschaftsförderung und Kreisentwicklung",
            71.0,
            43.0,
            400.0,
        ));
        // Too close to the next line.
        let mut close = projekte(("Landratsamt Ilm-Kreis", 450.7, 60.0, 88.0));
        // Larger than the body: a title.
        let mut title = projekte(("Regionalbudget", 71.0, 43.0, 150.0));
        title[0].lines[0].font_size = 16.0;
        for pages in [&mut low, &mut wide, &mut close, &mut title] {
            let first = pages[0].lines[0].text.clone();
            remove_furniture(pages);
            assert_eq!(pages[0].lines[0].text, first);
            assert_eq!(pages[0].lines.len(), 7);
        }
    }

    #[test]
    fn mask_hides_digit_runs_and_case() {
        assert_eq!(mask("Seite 12 von 47"), "seite # von #");
        assert_eq!(mask("Stand: 01.03.2025"), "stand: #.#.#");
        assert_eq!(mask("ÄMTER"), "ämter");
        assert_eq!(mask("12,5"), "12,5");
    }

    #[test]
    fn odd_pages_do_not_panic() {
        let mut pages = vec![
            plain(1, &[]),
            plain(2, &["1"]),
            plain(0, &["0"]),
            plain(u32::MAX, &["9999", "x"]),
            Page {
                height: 10.0,
                width: -1.0,
                ..plain(5, &["a", "b", "c"])
            },
        ];
        remove_furniture(&mut pages);
        assert_eq!(pages.len(), 5);
        remove_furniture(&mut []);
    }
}
