//! `clean`: extracted pages → pages fit for indexing.
//!
//! # Brief overview
//!
//! Three steps, in this order, each in its own module:
//!
//! 1. [`normalize`]: one spelling per character (NFC, ligatures, soft
//!    hyphens, invisible characters, bullets, whitespace), per line.
//! 2. [`furniture`]: running headers/footers and page numbers removed.
//! 3. [`dehyphenate`]: words broken at line ends joined again, across line
//!    and page breaks, keeping the hyphens German needs.
//!
//! The order matters. Normalization comes first so the other two compare
//! clean text (a header spelled with a no-break space on one page is still
//! the same header). Furniture goes before dehyphenation so a word broken at
//! the end of a page joins the first body line of the next page, not its
//! running header ("ins-" + "Landratsamt Ilm-Kreis").
//!
//! Page boundaries survive: the output has the same pages with the same
//! numbers (a page may end up with no lines), so every passage still knows
//! its page. Rules use geometry when the extractor provides it and fall back
//! to text alone for plain-text input, where all coordinates are zero.
//!
//! # Example
//!
//! ```
//! use ratsuche::clean::clean;
//! use ratsuche::model::{Line, Page, TextSource};
//!
//! let page = |number, lines: &[&str]| Page {
//!     number,
//!     width: 0.0,
//!     height: 0.0,
//!     lines: lines.iter().map(|&t| Line::plain(t)).collect(),
//!     source: TextSource::Native,
//! };
//! let pages = clean(vec![
//!     page(1, &["Landratsamt Ilm-Kreis", "\u{F0B7} Zusammenarbeit mit Fachkräf-", "Seite 1 von 2"]),
//!     page(2, &["Landratsamt Ilm-Kreis", "teagenturen und dem Ilm-", "Kreis", "Seite 2 von 2"]),
//! ]);
//! assert_eq!(pages[0].text(), "Zusammenarbeit mit Fachkräfteagenturen");
//! assert_eq!(pages[1].text(), "und dem Ilm-Kreis");
//! ```

pub mod dehyphenate;
pub mod furniture;
pub mod normalize;

use crate::model::Page;

/// Clean a document's pages: normalize characters, remove page furniture,
/// undo line-end hyphenation. Never panics; pages keep their numbers.
pub fn clean(mut pages: Vec<Page>) -> Vec<Page> {
    normalize::normalize_pages(&mut pages);
    furniture::remove_furniture(&mut pages);
    dehyphenate::dehyphenate(&mut pages);
    pages
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Line, TextSource};

    fn plain(number: u32, lines: &[&str]) -> Page {
        Page {
            number,
            width: 0.0,
            height: 0.0,
            lines: lines.iter().map(|&t| Line::plain(t)).collect(),
            source: TextSource::Native,
        }
    }

    #[test]
    fn a_footer_is_never_glued_across_a_page_break() {
        // Fixture 001, pages 22/23: "ins-" ends page 22 above the footer,
        // page 23 opens with the running header.
        let pages = clean(vec![
            plain(
                22,
                &[
                    "Landratsamt Ilm-Kreis",
                    "MitarbeiterIn oder ehemalige MitarbeiterIn in Rente als PatIn zur Seite gestellt. Diese/r steht ins-",
                    "Seite 22 von 47",
                ],
            ),
            plain(
                23,
                &[
                    "Landratsamt Ilm-Kreis",
                    "besondere in der Anfangszeit bei Fragen rund um das Thema Arbeit",
                    "Seite 23 von 47",
                ],
            ),
        ]);
        assert!(pages[0].text().ends_with("Diese/r steht insbesondere"));
        assert_eq!(
            pages[1].text(),
            "in der Anfangszeit bei Fragen rund um das Thema Arbeit"
        );
    }

    #[test]
    fn text_file_pages_without_geometry() {
        let pages = clean(vec![
            plain(
                1,
                &[
                    "Kreisverwaltung Heinsberg",
                    "Sitzung:\u{A0}öffentlich",
                    "Tagesordnungs-",
                    "punkt 5",
                    "- 1 -",
                ],
            ),
            plain(
                2,
                &[
                    "Kreisverwaltung Heinsberg",
                    "Beantwortung der Fragen 1 bis 4",
                    "- 2 -",
                ],
            ),
        ]);
        assert_eq!(
            pages[0].text(),
            "Sitzung: öffentlich\nTagesordnungspunkt\n5"
        );
        assert_eq!(pages[1].text(), "Beantwortung der Fragen 1 bis 4");
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        let odd = [
            "",
            " ",
            "-",
            "–",
            "\u{AD}",
            "a\u{AD}",
            "ß",
            "é",
            "\u{301}",
            "\u{F0B7}",
            "•",
            "1",
            "0",
            "- -",
            "Seite",
            "Seite 99999 von 1",
            "\u{FEFF}",
            "\u{0}",
            "x-",
            "-x",
            "日本-",
            "語",
            "😀-",
            "a -",
            "ﬁ",
            "\u{200B}-\u{200B}",
        ];
        let mut pages: Vec<Page> = odd
            .iter()
            .enumerate()
            .map(|(i, &t)| plain(i as u32, &[t, t, t]))
            .collect();
        pages.push(plain(99, &[]));
        pages.push(Page {
            width: f32::NAN,
            height: f32::INFINITY,
            lines: vec![Line {
                text: "Ilm-".into(),
                x: f32::NAN,
                y: -1.0,
                width: 0.0,
                font_size: f32::NAN,
            }],
            ..plain(100, &[])
        });
        pages.push(plain(101, &["kreis", "-", "\u{AD}"]));
        let numbers: Vec<u32> = pages.iter().map(|p| p.number).collect();
        let cleaned = clean(pages.clone());
        assert_eq!(
            cleaned.iter().map(|p| p.number).collect::<Vec<_>>(),
            numbers
        );
        assert!(cleaned
            .iter()
            .flat_map(|p| &p.lines)
            .all(|l| !l.text.is_empty()));
        // Every prefix and single page too.
        for n in 0..pages.len() {
            clean(pages[..n].to_vec());
            clean(vec![pages[n].clone()]);
        }
        assert!(clean(Vec::new()).is_empty());
    }

    #[test]
    fn cleaning_twice_changes_nothing_more() {
        let once = clean(vec![
            plain(
                1,
                &[
                    "Landratsamt Ilm-Kreis",
                    "• Praxis-",
                    "touren und Ilm-",
                    "Kreis",
                    "Seite 1 von 2",
                ],
            ),
            plain(2, &["Landratsamt Ilm-Kreis", "Zuhören", "Seite 2 von 2"]),
        ]);
        assert_eq!(clean(once.clone()), once);
    }
}
