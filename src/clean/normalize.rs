//! Character normalization of single lines.
//!
//! Everything after this step compares text: the furniture detector compares
//! lines across pages, the dehyphenator looks at the last and first word of
//! neighbouring lines, the index compares tokens with queries. Each of those
//! needs one spelling per word, so this step rewrites what PDFs encode in
//! several ways and drops what carries no text at all:
//!
//! - **NFC.** PDFs may spell `ä` as `a` + U+0308 (combining diaeresis); a
//!   query typed on a keyboard is precomposed. NFC makes both the same.
//! - **Ligatures** (`ﬁ` `ﬂ` `ﬀ` `ﬃ` `ﬄ` `ﬅ` `ﬆ`) are expanded. NFC keeps them
//!   (they are compatibility characters) and NFKC would also rewrite `²`, `½`
//!   and `…`, so the seven ligatures are mapped by hand. U+F001 and U+F002 are
//!   the old Adobe private-use code points for `fi` and `fl` and are mapped
//!   too.
//! - **Soft hyphens** (U+00AD) are invisible break opportunities: inside a
//!   line they are dropped. At the *end* of a line one marks where the
//!   typesetter broke a word, so it is kept as the last character for
//!   [`super::dehyphenate`] to join the word (and turned into `-` there if
//!   nothing follows).
//! - **Hyphen look-alikes** U+2010 (hyphen) and U+2011 (non-breaking hyphen)
//!   become `-`, so `Ilm‑Kreis` is found by `Ilm-Kreis`.
//! - **Invisible characters** (zero-width space/joiners, word joiner, BOM,
//!   control characters) are dropped: they split or glue words unseen.
//! - **Private-use characters** (U+E000–U+F8FF) are glyphs of symbol fonts
//!   (OpenSymbol's bullet is U+F0B7) with no meaning outside their font;
//!   they are dropped wherever they stand.
//! - **Bullets** (`•`, `▪`, `●`, `◦`, `‣`, …) at the start of a line are list
//!   markers, not text. Elsewhere they are left alone (`A • B` may be a
//!   separator). A leading `-` or `–` is *not* treated as a bullet: it is
//!   just as often a dash that wrapped to the line start.
//! - **Whitespace**: every Unicode space (no-break space U+00A0, narrow
//!   no-break space, tabs, …) becomes one ASCII space, runs collapse, ends are
//!   trimmed. Later steps split words on `' '`.
//!
//! Lines that end up empty are removed; a page keeps its number even when all
//! its lines go.

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use crate::model::Page;

/// Soft hyphen, kept only as the last character of a line (see module docs).
pub(crate) const SOFT_HYPHEN: char = '\u{AD}';

/// Normalize every line of every page, dropping lines that become empty.
pub fn normalize_pages(pages: &mut [Page]) {
    for page in pages {
        for line in &mut page.lines {
            // Most lines are already normal, or normal but for trailing
            // spaces: leave their buffer alone (cut it, at most).
            if !is_normalized(&line.text) {
                match normal_when_trimmed(&line.text) {
                    Some(len) => line.text.truncate(len),
                    None => line.text = normalize_not_normal(&line.text),
                }
            }
        }
        page.lines.retain(|line| !line.text.is_empty());
    }
}

/// Whether [`normalize_line`] would return `text` unchanged: NFC, no
/// character the rules rewrite or drop, single spaces between words only,
/// no leading bullet. A cheap scan (no allocation, no Unicode
/// decomposition for the usual Latin text), so the common case of a line
/// that is already clean costs almost nothing; anything unusual answers
/// `false` and takes the full path.
pub(crate) fn is_normalized(text: &str) -> bool {
    let mut chars = text.chars();
    match chars.next() {
        None => return true,
        Some(c) if c.is_whitespace() || is_bullet(c) => return false,
        _ => {}
    }
    if text.ends_with(' ') {
        return false;
    }
    // ASCII (most of a German line) is checked for control characters and
    // double spaces in branch-free passes the compiler vectorises (no early
    // exit: a line is short, and almost every line passes).
    let bytes = text.as_bytes();
    let mut control = false;
    let mut beyond_ascii = false;
    for &b in bytes {
        control |= b < 0x20 || b == 0x7f;
        beyond_ascii |= b >= 0x80;
    }
    let double_space = bytes
        .iter()
        .zip(&bytes[1..])
        .fold(false, |d, (&a, &b)| d | ((a == b' ') & (b == b' ')));
    if control || double_space {
        return false;
    }
    // Then only the characters beyond ASCII are decoded (none when the line
    // is all ASCII: the scan starts at its end).
    let mut beyond_latin = false;
    let mut i = if beyond_ascii { 0 } else { bytes.len() };
    while let Some(k) = bytes[i..].iter().position(|&b| b >= 0x80) {
        let Some(c) = text[i + k..].chars().next() else {
            break;
        };
        i += k + c.len_utf8();
        match c {
            '\u{FB00}'..='\u{FB06}' | '\u{2010}' | '\u{2011}' | SOFT_HYPHEN => return false,
            c if is_private_use(c) || c.is_whitespace() || is_invisible(c) => return false,
            // Below U+0300 every character is NFC and a starter.
            c if c >= '\u{300}' => beyond_latin = true,
            _ => {}
        }
    }
    !beyond_latin || is_nfc_quick(text.chars()) == IsNormalized::Yes
}

/// The rules of [`is_normalized`] as first written (a reference for tests).
#[cfg(test)]
fn is_normalized_reference(text: &str) -> bool {
    let mut chars = text.chars();
    match chars.next() {
        None => return true,
        Some(c) if c.is_whitespace() || is_bullet(c) => return false,
        _ => {}
    }
    if text.ends_with(' ') || text.contains("  ") {
        return false;
    }
    let mut beyond_latin = false;
    for c in text.chars() {
        if c.is_ascii() {
            if c.is_ascii_control() {
                return false;
            }
            continue;
        }
        match c {
            '\u{FB00}'..='\u{FB06}' | '\u{2010}' | '\u{2011}' | SOFT_HYPHEN => return false,
            c if is_private_use(c) || c.is_whitespace() || is_invisible(c) => return false,
            c if c >= '\u{300}' => beyond_latin = true,
            _ => {}
        }
    }
    !beyond_latin || is_nfc_quick(text.chars()) == IsNormalized::Yes
}

/// Normalize the text of one line (see the module docs for the rules).
pub fn normalize_line(text: &str) -> String {
    if is_normalized(text) {
        return text.to_string();
    }
    if let Some(len) = normal_when_trimmed(text) {
        return text[..len].to_string();
    }
    normalize_not_normal(text)
}

/// [`normalize_line`] of a line that is neither normal ([`is_normalized`])
/// nor normal but for trailing spaces ([`normal_when_trimmed`]); callers
/// check both first.
///
/// Many such lines are normal but for other ASCII spaces (double or
/// leading). If the line with its ASCII spaces trimmed and collapsed is
/// normal, that is [`normalize_slow`]'s answer too: every other character
/// is one the rules keep as it is, none is whitespace, a soft hyphen or a
/// leading bullet, and NFC stays NFC when spaces (starters that compose
/// with nothing) are removed.
fn normalize_not_normal(text: &str) -> String {
    let collapsed = collapse_spaces(text);
    if is_normalized(&collapsed) {
        return collapsed;
    }
    normalize_slow(text)
}

/// `text`'s words (split at ASCII spaces) joined by one space: ends
/// trimmed, runs of spaces collapsed. One pass over the bytes, copying
/// the text between runs; `str::split` searched for each space anew (about
/// 1,100 instructions a line on Karlsruhe's lines that need it).
fn collapse_spaces(text: &str) -> String {
    let t = text.trim_matches(' ');
    let b = t.as_bytes();
    let mut out = String::with_capacity(t.len());
    let (mut start, mut i) = (0, 0);
    while i < b.len() {
        if b[i] == b' ' && b.get(i + 1) == Some(&b' ') {
            // Keep the first space of the run, skip the rest (spaces are
            // one byte: every cut is a char boundary).
            out.push_str(&t[start..=i]);
            while b.get(i + 1) == Some(&b' ') {
                i += 1;
            }
            start = i + 1;
        }
        i += 1;
    }
    out.push_str(&t[start..]);
    out
}

/// The length of `text` without its trailing ASCII spaces, if that is a
/// normal line: then it is [`normalize_slow`]'s answer, since a normal
/// line has no leading space and no double space, so collapsing the spaces
/// of `text` leaves exactly it. The usual case for text files, whose lines
/// often end with a space; it spares the copy that collapsing makes.
fn normal_when_trimmed(text: &str) -> Option<usize> {
    let trimmed = text.trim_end_matches(' ');
    (trimmed.len() < text.len() && is_normalized(trimmed)).then_some(trimmed.len())
}

/// [`normalize_line`] without the shortcut for lines already normal.
fn normalize_slow(text: &str) -> String {
    // A soft hyphen at the very end (possibly followed by spaces or invisible
    // characters) marks a line-end word break; remember it before the
    // character filter drops all soft hyphens.
    let mut tail = text
        .chars()
        .rev()
        .filter(|&c| !is_invisible(c))
        .skip_while(|c| c.is_whitespace());
    let ends_soft = tail.next() == Some(SOFT_HYPHEN)
        && tail
            .next()
            .is_some_and(|c| !c.is_whitespace() && c != SOFT_HYPHEN);

    let mut expanded = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{FB00}' => expanded.push_str("ff"),
            '\u{FB01}' | '\u{F001}' => expanded.push_str("fi"),
            '\u{FB02}' | '\u{F002}' => expanded.push_str("fl"),
            '\u{FB03}' => expanded.push_str("ffi"),
            '\u{FB04}' => expanded.push_str("ffl"),
            '\u{FB05}' | '\u{FB06}' => expanded.push_str("st"),
            '\u{2010}' | '\u{2011}' => expanded.push('-'),
            SOFT_HYPHEN => {}
            c if is_private_use(c) => {}
            // Whitespace controls (tab, newline, …) become spaces below.
            c if c.is_whitespace() => expanded.push(' '),
            c if is_invisible(c) => {}
            c => expanded.push(c),
        }
    }

    let composed: std::borrow::Cow<str> = if is_nfc_quick(expanded.chars()) == IsNormalized::Yes {
        expanded.as_str().into()
    } else {
        expanded.nfc().collect::<String>().into()
    };
    let body = strip_leading_bullets(&composed);

    let mut out = String::with_capacity(body.len() + 2);
    for word in body.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    // A soft hyphen standing alone (" \u{AD}") marks nothing: no word to join.
    if ends_soft && out.chars().last().is_some_and(|c| c.is_alphanumeric()) {
        out.push(SOFT_HYPHEN);
    }
    out
}

/// Characters that occupy no space and carry no text.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' // zero-width space
            | '\u{200C}' // zero-width non-joiner
            | '\u{200D}' // zero-width joiner
            | '\u{200E}' // left-to-right mark
            | '\u{200F}' // right-to-left mark
            | '\u{2060}' // word joiner
            | '\u{FEFF}' // zero-width no-break space / BOM
            | '\u{FFFC}' // object replacement character
    ) || (c.is_control() && !c.is_whitespace())
}

fn is_private_use(c: char) -> bool {
    ('\u{E000}'..='\u{F8FF}').contains(&c)
}

/// List markers that are dropped at the start of a line.
fn is_bullet(c: char) -> bool {
    matches!(
        c,
        '•' | '‣'
            | '⁃'
            | '∙'
            | '·'
            | '▪'
            | '▫'
            | '■'
            | '□'
            | '●'
            | '○'
            | '◦'
            | '◆'
            | '◇'
            | '►'
            | '▶'
            | '▸'
            | '➢'
            | '➤'
            | '✓'
            | '✔'
            | '☐'
            | '☑'
            | '☒'
    )
}

fn strip_leading_bullets(text: &str) -> &str {
    text.trim_start_matches(|c: char| is_bullet(c) || c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Line, TextSource};

    /// Lines of every kind the rules touch, and clean ones.
    const SAMPLES: &[&str] = &[
        "",
        "Zuhören",
        "Fachkräfte für Größe",
        "Fachkra\u{308}fte",
        "Straße 1",
        "a  b",
        " a",
        "a ",
        "a\tb",
        "Seite\u{A0}1",
        "Ilm\u{2011}Kreis",
        "o\u{FB00}en",
        "Fach\u{AD}kräfte",
        "abwechslungsrei\u{AD}",
        "\u{F0B7} Ausbau",
        "• Netz",
        "Gotha • Erfurt",
        "– Coaching",
        "x\u{200B}y",
        "x\u{7}y",
        "x\u{85}y",
        "x\u{7F}y",
        "Ελλάδα 日本語 😀",
        "e\u{301}",
        "\u{1E9B}\u{323}",
        "Å Ω ﬁ",
        "Seite 1  ",
        "  vom:  14.11.12 ",
        " ",
        "   ",
        "Gemeinschaftli- ",
        "Text \u{AD} ",
        "abwechslungsrei\u{AD} ",
        " • Netz ",
        "• ",
        "a \u{A0} b ",
        "a\t b ",
        "Fachkra\u{308}fte ",
        "e \u{301} ",
        "x\u{200B} y ",
        " \u{F0B7} Ausbau",
        "Ilm\u{2011}Kreis ",
        "a \u{e4} b",
        "a  \u{e4}",
        "\u{e4}  a",
        "\u{e4} \u{a0}a",
        "\u{201e}x\u{201c}  y",
        "x\u{b}y",
    ];

    /// `collapse_spaces` gives the words joined by one space, as splitting
    /// and joining does: on every line of `tests/data` and odd cases.
    #[test]
    fn collapse_spaces_joins_the_words() {
        let plain = |t: &str| {
            t.split(' ')
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let mut lines: Vec<String> = crate::test_texts::repository_texts()
            .iter()
            .flat_map(|t| t.lines().map(str::to_string).collect::<Vec<_>>())
            .collect();
        for odd in [
            "",
            " ",
            "   ",
            "a",
            " a",
            "a ",
            "a  b",
            "  a   b  c  ",
            "ä  ö",
            "\u{a0} x  y\t z",
        ] {
            lines.push(odd.to_string());
        }
        let mut doubled = 0;
        for line in &lines {
            for l in [line.clone(), line.replace(' ', "  "), format!("  {line} ")] {
                assert_eq!(collapse_spaces(&l), plain(&l), "{l:?}");
                doubled += usize::from(l.contains("  "));
            }
        }
        assert!(doubled > 1000, "{doubled}");
    }

    #[test]
    fn shortcut_only_for_lines_the_rules_leave_alone() {
        for &s in SAMPLES {
            if is_normalized(s) {
                assert_eq!(normalize_slow(s), s, "{s:?}");
            }
            assert_eq!(is_normalized(s), is_normalized_reference(s), "{s:?}");
            assert_eq!(normalize_line(s), normalize_slow(s), "{s:?}");
            if !is_normalized(s) && normal_when_trimmed(s).is_none() {
                assert_eq!(normalize_not_normal(s), normalize_slow(s), "{s:?}");
            }
        }
        for s in [
            "Zuhören",
            "Fachkräfte für Größe",
            "Gotha • Erfurt",
            "– Coaching",
            "Ελλάδα 日本語 😀",
        ] {
            assert!(is_normalized(s), "{s:?}");
        }
        for s in [
            "a  b",
            " a",
            "a ",
            "Fachkra\u{308}fte",
            "• Netz",
            "x\u{200B}y",
            "Seite\u{A0}1",
        ] {
            assert!(!is_normalized(s), "{s:?}");
        }
    }

    /// `normalize_pages` (which cuts trailing spaces in place) gives what
    /// the full rules give, on the samples and on the samples with spaces
    /// added at the end.
    #[test]
    fn pages_shortcut_agrees_with_the_full_rules() {
        let lines: Vec<String> = SAMPLES
            .iter()
            .flat_map(|s| [s.to_string(), format!("{s} "), format!("{s}   ")])
            .collect();
        let mut pages = [Page {
            number: 1,
            width: 0.0,
            height: 0.0,
            lines: lines.iter().map(Line::plain).collect(),
            source: TextSource::Native,
        }];
        normalize_pages(&mut pages);
        let got: Vec<&str> = pages[0].lines.iter().map(|l| l.text.as_str()).collect();
        let want: Vec<String> = lines
            .iter()
            .map(|l| normalize_slow(l))
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(got, want);
        assert!(lines.iter().any(|l| normal_when_trimmed(l).is_some()));
    }

    /// The shortcuts answer as the full rules do on every line of real
    /// council text.
    #[test]
    fn shortcuts_agree_on_repository_texts() {
        let mut lines = 0;
        for text in crate::test_texts::repository_texts() {
            for line in text.lines() {
                assert_eq!(normalize_line(line), normalize_slow(line), "{line:?}");
                assert_eq!(
                    is_normalized(line),
                    is_normalized_reference(line),
                    "{line:?}"
                );
                lines += 1;
            }
        }
        assert!(lines > 1000, "only {lines} lines");
    }

    #[test]
    #[ignore = "needs ../shared"]
    fn shortcuts_agree_on_karlsruhe() {
        for text in crate::test_texts::karlsruhe_texts() {
            for line in text.lines() {
                assert_eq!(normalize_line(line), normalize_slow(line), "{line:?}");
                assert_eq!(
                    is_normalized(line),
                    is_normalized_reference(line),
                    "{line:?}"
                );
            }
        }
    }

    #[test]
    fn composes_decomposed_umlauts() {
        let decomposed = "Fachkra\u{308}fte fu\u{308}r Gro\u{308}ße";
        assert_eq!(normalize_line(decomposed), "Fachkräfte für Größe");
    }

    #[test]
    fn expands_ligatures() {
        assert_eq!(
            normalize_line("o\u{FB00}en, \u{FB01}nden, \u{FB02}ießen"),
            "offen, finden, fließen"
        );
        assert_eq!(normalize_line("Ko\u{FB03}zient"), "Koffizient");
        assert_eq!(normalize_line("Sto\u{FB04}ager"), "Stofflager");
        assert_eq!(normalize_line("Fe\u{FB05}, Fe\u{FB06}"), "Fest, Fest");
        assert_eq!(normalize_line("Ge\u{F001}lde"), "Gefilde");
    }

    #[test]
    fn drops_soft_hyphens_inside_a_line() {
        assert_eq!(
            normalize_line("Fach\u{AD}kräfte\u{AD}agenturen"),
            "Fachkräfteagenturen"
        );
    }

    #[test]
    fn keeps_a_line_end_soft_hyphen_as_marker() {
        assert_eq!(
            normalize_line("ein abwechslungsrei\u{AD}"),
            "ein abwechslungsrei\u{AD}"
        );
        // Trailing space or zero-width characters after it do not hide it.
        assert_eq!(normalize_line("Fachkräf\u{AD} \u{200B}"), "Fachkräf\u{AD}");
        // A soft hyphen after a space has no word to mark.
        assert_eq!(normalize_line("Text \u{AD}"), "Text");
    }

    #[test]
    fn removes_zero_width_and_control_characters() {
        assert_eq!(
            normalize_line("Ilm\u{200B}-\u{200D}Kreis\u{FEFF}\u{7}"),
            "Ilm-Kreis"
        );
    }

    #[test]
    fn maps_hyphen_lookalikes_to_ascii_hyphen() {
        assert_eq!(normalize_line("Ilm\u{2011}Kreis"), "Ilm-Kreis");
        assert_eq!(normalize_line("Job\u{2010}Center"), "Job-Center");
    }

    #[test]
    fn drops_private_use_and_bullets_at_line_start() {
        assert_eq!(
            normalize_line("\u{F0B7} Ausbau eines nachhaltigen Ärztenetzwerks"),
            "Ausbau eines nachhaltigen Ärztenetzwerks"
        );
        assert_eq!(normalize_line("• Netzwerkaufbau"), "Netzwerkaufbau");
        assert_eq!(normalize_line("▪Praxistouren"), "Praxistouren");
        assert_eq!(normalize_line(" ◦  ● Zuhören"), "Zuhören");
        // A bullet used as a separator inside the line stays.
        assert_eq!(normalize_line("Gotha • Erfurt"), "Gotha • Erfurt");
        // A leading dash is not a bullet.
        assert_eq!(
            normalize_line("– Coaching- ermöglicht"),
            "– Coaching- ermöglicht"
        );
    }

    #[test]
    fn collapses_all_kinds_of_whitespace() {
        assert_eq!(
            normalize_line("  Seite\u{A0}1 \t von\u{202F}3  "),
            "Seite 1 von 3"
        );
    }

    #[test]
    fn removes_lines_that_become_empty_but_keeps_pages() {
        let mut pages = vec![Page {
            number: 7,
            width: 0.0,
            height: 0.0,
            lines: vec![
                Line::plain("\u{F0B7}"),
                Line::plain("Zuhören"),
                Line::plain(" \u{A0}\u{200B} "),
                Line::plain("•"),
            ],
            source: TextSource::Native,
        }];
        normalize_pages(&mut pages);
        assert_eq!(pages[0].number, 7);
        assert_eq!(pages[0].text(), "Zuhören");

        let mut blank = vec![Page {
            lines: vec![Line::plain("   ")],
            ..pages[0].clone()
        }];
        normalize_pages(&mut blank);
        assert_eq!(blank.len(), 1);
        assert!(blank[0].lines.is_empty());
    }
}
