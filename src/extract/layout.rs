//! Positioned glyphs → words → lines, in reading order.
//!
//! PDF producers place text however they like: one glyph at a time, whole
//! lines with kerning arrays, words positioned one by one with no space
//! characters, columns interleaved. So words and lines are inferred from
//! geometry alone:
//!
//! 1. **Runs**: glyphs that follow each other in the stream on one baseline
//!    without a big jump. Inside a run a word break is an explicit space or a
//!    gap wider than [`WORD_GAP`] × font size — kerning (a few hundredths of
//!    an em) never splits a word.
//! 2. **Segments**: runs on the same baseline that nearly touch are merged, so
//!    a line written in several pieces becomes one.
//! 3. **Reading order**: a recursive XY cut. A vertical gutter splits a region
//!    into columns only when the parts look like columns of running text (many
//!    rows, lines mostly filling the column); otherwise the region is cut at
//!    large vertical gaps, and leaves are read row by row, left to right — so
//!    tables are read a row at a time, and two-column pages column by column.
//!
//! Text in other directions (rotated margin notes) is laid out the same way in
//! its own frame and appended after the page's horizontal text.

use crate::model::Line;

use super::content::Glyph;
use super::{Deadline, CHECK_EVERY};

/// A gap wider than this fraction of the font size between two glyphs is a
/// word break. Kerning in TJ arrays is a few hundredths of an em; the
/// narrowest word spaces in real fonts are about 0.2 em.
pub const WORD_GAP: f32 = 0.15;
/// A column of running text is at least this many font sizes wide.
const MIN_COLUMN_EMS: f32 = 12.0;
/// Runs on one baseline closer than this (× font size) are one segment.
const SEGMENT_GAP: f32 = 1.5;

#[derive(Debug, Clone)]
struct Word {
    x1: f32,
    text: String,
}

#[derive(Debug, Clone)]
struct Seg {
    words: Vec<Word>,
    x0: f32,
    x1: f32,
    /// Baseline, from the top (y grows downwards).
    base: f32,
    size: f32,
}

impl Seg {
    fn top(&self) -> f32 {
        self.base - self.size * 0.8
    }
    fn bottom(&self) -> f32 {
        self.base + self.size * 0.25
    }
    fn width(&self) -> f32 {
        self.x1 - self.x0
    }
}

/// A glyph in a horizontal frame, y down.
struct G<'a> {
    text: &'a str,
    x0: f32,
    x1: f32,
    base: f32,
    size: f32,
    space: bool,
}

/// Lay out a page's glyphs into lines in reading order.
/// `height` is the displayed page height (to turn y up into y down).
/// `None` when `deadline` passed first.
pub fn lines(glyphs: &[Glyph], height: f32, deadline: Deadline) -> Option<Vec<Line>> {
    // Group glyphs by writing direction (quantized to 1°), horizontal first.
    let mut groups: Vec<((i32, i32), Vec<&Glyph>)> = Vec::new();
    for g in glyphs {
        let key = (
            (g.dir.0 * 60.0).round() as i32,
            (g.dir.1 * 60.0).round() as i32,
        );
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(g),
            None => groups.push((key, vec![g])),
        }
    }
    groups.sort_by_key(|(k, v)| (*k != (60, 0), std::cmp::Reverse(v.len())));

    let mut out = Vec::new();
    for (_, group) in groups {
        let (dx, dy) = group[0].dir;
        let horizontal = (dx - 1.0).abs() < 1e-3 && dy.abs() < 1e-3;
        let gs: Vec<G> = group
            .iter()
            .map(|g| {
                // Rotate into the text's own frame; then flip y to point down.
                let (x, y) = if horizontal {
                    (g.x, height - g.y)
                } else {
                    (g.x * dx + g.y * dy, -(-g.x * dy + g.y * dx))
                };
                G {
                    text: &g.text,
                    x0: x,
                    x1: x + g.advance.max(0.0),
                    base: y,
                    size: g.size.max(0.1),
                    space: g.is_space,
                }
            })
            .collect();
        let segs = segments(runs(&gs));
        if deadline.passed() {
            return None;
        }
        let mut leaves = Vec::new();
        let mut steps = 0;
        if !order(segs, &mut leaves, 0, &mut steps, deadline) {
            return None;
        }
        for leaf in leaves {
            out.extend(leaf_lines(leaf));
        }
    }
    Some(out)
}

fn runs(gs: &[G]) -> Vec<Seg> {
    let mut out: Vec<Seg> = Vec::new();
    let mut cur: Option<Seg> = None;
    let mut pending_space = false;
    let mut last: Option<&G> = None;
    for g in gs {
        if g.space {
            pending_space = true;
            continue;
        }
        let continues = match (&cur, last) {
            (Some(run), Some(p)) => {
                let size = run.size.max(g.size);
                let gap = g.x0 - p.x1;
                (g.base - p.base).abs() < 0.5 * size
                    && gap > -0.6 * size
                    && gap < SEGMENT_GAP * size
            }
            _ => false,
        };
        if continues {
            let run = cur.as_mut().expect("continues implies a current run");
            let p = last.expect("continues implies a previous glyph");
            // Fake bold: the same glyph painted again at (almost) the same spot.
            if g.text == p.text
                && (g.x0 - p.x0).abs() < 0.15 * g.size
                && (g.base - p.base).abs() < 0.1 * g.size
            {
                continue;
            }
            let gap = g.x0 - p.x1;
            let word = run.words.last_mut().expect("runs have a word");
            if pending_space || gap > WORD_GAP * run.size.max(g.size) {
                run.words.push(Word {
                    x1: g.x1,
                    text: g.text.to_string(),
                });
            } else {
                word.text.push_str(g.text);
                word.x1 = word.x1.max(g.x1);
            }
            run.x1 = run.x1.max(g.x1);
            run.size = run.size.max(g.size);
        } else {
            if let Some(run) = cur.take() {
                out.push(run);
            }
            cur = Some(Seg {
                words: vec![Word {
                    x1: g.x1,
                    text: g.text.to_string(),
                }],
                x0: g.x0,
                x1: g.x1,
                base: g.base,
                size: g.size,
            });
        }
        pending_space = false;
        last = Some(g);
    }
    if let Some(run) = cur {
        out.push(run);
    }
    out
}

/// Merge runs on one baseline that nearly touch, left to right.
fn segments(mut runs: Vec<Seg>) -> Vec<Seg> {
    runs.sort_by(|a, b| a.base.total_cmp(&b.base).then(a.x0.total_cmp(&b.x0)));
    // Rows of runs with (nearly) the same baseline.
    let mut rows: Vec<Vec<Seg>> = Vec::new();
    for r in runs {
        match rows.last_mut() {
            Some(row) if (r.base - row[0].base).abs() < 0.35 * r.size.max(row[0].size) => {
                row.push(r)
            }
            _ => rows.push(vec![r]),
        }
    }
    let mut out = Vec::new();
    for mut row in rows {
        row.sort_by(|a, b| a.x0.total_cmp(&b.x0));
        let mut acc: Option<Seg> = None;
        for r in row {
            match acc.as_mut() {
                Some(a) if r.x0 - a.x1 < SEGMENT_GAP * a.size.max(r.size) => {
                    // Same text painted twice (shadow / fake bold as two runs).
                    if (r.x0 - a.x0).abs() < 0.15 * r.size && same_text(a, &r) {
                        continue;
                    }
                    let gap = r.x0 - a.x1;
                    let mut words = r.words.into_iter();
                    if gap <= WORD_GAP * a.size.max(r.size) {
                        if let (Some(last), Some(first)) = (a.words.last_mut(), words.next()) {
                            last.text.push_str(&first.text);
                            last.x1 = last.x1.max(first.x1);
                        }
                    }
                    a.words.extend(words);
                    a.x1 = a.x1.max(r.x1);
                    a.size = a.size.max(r.size);
                }
                _ => {
                    if let Some(a) = acc.take() {
                        out.push(a);
                    }
                    acc = Some(r);
                }
            }
        }
        if let Some(a) = acc {
            out.push(a);
        }
    }
    out
}

fn same_text(a: &Seg, b: &Seg) -> bool {
    a.words.len() == b.words.len() && a.words.iter().zip(&b.words).all(|(x, y)| x.text == y.text)
}

fn median_size(segs: &[Seg]) -> f32 {
    let mut sizes: Vec<f32> = segs.iter().map(|s| s.size).collect();
    sizes.sort_by(f32::total_cmp);
    sizes.get(sizes.len() / 2).copied().unwrap_or(10.0)
}

/// Number of distinct rows (baselines) among segments.
fn row_count(segs: &[&Seg]) -> usize {
    let mut bases: Vec<f32> = segs.iter().map(|s| s.base).collect();
    bases.sort_by(f32::total_cmp);
    let mut n = 0;
    let mut last = f32::NEG_INFINITY;
    for b in bases {
        if b - last > 2.0 {
            n += 1;
            last = b;
        }
    }
    n
}

/// Does this side of a candidate gutter look like a column of running text?
/// At least four rows, at least [`MIN_COLUMN_EMS`] font sizes wide (table
/// cells and label columns are narrower), most lines filling the width.
fn column_like(side: &[&Seg], med: f32) -> bool {
    if row_count(side) < 4 {
        return false;
    }
    let x0 = side.iter().map(|s| s.x0).fold(f32::INFINITY, f32::min);
    let x1 = side.iter().map(|s| s.x1).fold(f32::NEG_INFINITY, f32::max);
    let width = x1 - x0;
    if width < MIN_COLUMN_EMS * med {
        return false;
    }
    let full = side.iter().filter(|s| s.width() >= 0.6 * width).count();
    full * 2 >= side.len()
}

fn find_vertical_cut(segs: &[Seg], med: f32) -> Option<f32> {
    let mut iv: Vec<(f32, f32)> = segs.iter().map(|s| (s.x0, s.x1)).collect();
    iv.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut best: Option<(f32, f32)> = None; // (width, cut x)
    let mut reach = iv[0].1;
    for &(x0, x1) in &iv[1..] {
        if x0 > reach {
            let w = x0 - reach;
            if w >= med.max(6.0) && best.is_none_or(|(bw, _)| w > bw) {
                best = Some((w, (reach + x0) / 2.0));
            }
        }
        reach = reach.max(x1);
    }
    best.map(|(_, x)| x)
}

/// Recursive XY cut into `out`. Each level costs O(n log n) in the
/// segments it splits, up to 64 levels deep; `steps` counts segments
/// handled so the clock is read every [`CHECK_EVERY`] of them. False when
/// `deadline` passed (`out` is then incomplete).
fn order(
    segs: Vec<Seg>,
    out: &mut Vec<Vec<Seg>>,
    depth: usize,
    steps: &mut usize,
    deadline: Deadline,
) -> bool {
    let before = *steps / CHECK_EVERY;
    *steps += segs.len();
    if *steps / CHECK_EVERY != before && deadline.passed() {
        return false;
    }
    if segs.len() <= 1 || depth > 64 {
        out.push(segs);
        return true;
    }
    let med = median_size(&segs);
    if let Some(cut) = find_vertical_cut(&segs, med) {
        let left: Vec<&Seg> = segs.iter().filter(|s| s.x1 <= cut).collect();
        let right: Vec<&Seg> = segs.iter().filter(|s| s.x0 >= cut).collect();
        if column_like(&left, med) && column_like(&right, med) {
            let (l, r): (Vec<Seg>, Vec<Seg>) = segs.into_iter().partition(|s| s.x1 <= cut);
            return order(l, out, depth + 1, steps, deadline)
                && order(r, out, depth + 1, steps, deadline);
        }
    }
    // Cut at large vertical gaps (between paragraphs, sections, page furniture).
    let mut sorted = segs;
    sorted.sort_by(|a, b| a.top().total_cmp(&b.top()));
    let mut chunks: Vec<Vec<Seg>> = vec![Vec::new()];
    let mut bottom = f32::NEG_INFINITY;
    for s in sorted {
        if bottom.is_finite() && s.top() - bottom >= 0.8 * med {
            chunks.push(Vec::new());
        }
        bottom = bottom.max(s.bottom());
        chunks.last_mut().expect("non-empty").push(s);
    }
    if chunks.len() > 1 {
        chunks
            .into_iter()
            .all(|c| order(c, out, depth + 1, steps, deadline))
    } else {
        out.extend(chunks);
        true
    }
}

/// A leaf region: rows by baseline, each row one line, left to right.
fn leaf_lines(mut segs: Vec<Seg>) -> Vec<Line> {
    segs.sort_by(|a, b| a.base.total_cmp(&b.base));
    let mut rows: Vec<Vec<Seg>> = Vec::new();
    for s in segs {
        match rows.last_mut() {
            Some(row) if (s.base - row[0].base).abs() < 0.5 * s.size.max(row[0].size) => {
                row.push(s)
            }
            _ => rows.push(vec![s]),
        }
    }
    rows.into_iter()
        .filter_map(|mut row| {
            row.sort_by(|a, b| a.x0.total_cmp(&b.x0));
            let text = row
                .iter()
                .flat_map(|s| s.words.iter().map(|w| w.text.trim()))
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            if text.is_empty() {
                return None;
            }
            let x0 = row.iter().map(|s| s.x0).fold(f32::INFINITY, f32::min);
            let x1 = row.iter().map(|s| s.x1).fold(f32::NEG_INFINITY, f32::max);
            // The row's main segment gives baseline and size (not a superscript).
            let main = row
                .iter()
                .max_by(|a, b| a.width().total_cmp(&b.width()))
                .expect("non-empty row");
            Some(Line {
                text,
                x: x0,
                y: main.base,
                width: x1 - x0,
                font_size: main.size,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Glyphs for `text` at (x, y) in device space (y up), Helvetica-like widths.
    fn word_glyphs(text: &str, x: f32, y: f32, size: f32, out: &mut Vec<Glyph>) -> f32 {
        let mut x = x;
        for c in text.chars() {
            let adv = if c == ' ' { 0.28 * size } else { 0.55 * size };
            out.push(Glyph {
                text: c.to_string(),
                x,
                y,
                advance: adv,
                size,
                dir: (1.0, 0.0),
                is_space: c == ' ',
            });
            x += adv;
        }
        x
    }

    fn texts(lines: &[Line]) -> Vec<&str> {
        lines.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn kerning_gaps_do_not_split_words_and_gaps_do() {
        let mut g = Vec::new();
        // "Wort" with tiny kerning gaps, then a word placed 0.3 em away without a space glyph.
        let mut x = 100.0;
        for c in "Wort".chars() {
            g.push(Glyph {
                text: c.into(),
                x,
                y: 700.0,
                advance: 5.5,
                size: 10.0,
                dir: (1.0, 0.0),
                is_space: false,
            });
            x += 5.5 + 0.3; // 0.03 em kerning
        }
        word_glyphs("Satz", x + 3.0, 700.0, 10.0, &mut g);
        assert_eq!(
            texts(&lines(&g, 800.0, Deadline::NEVER).unwrap()),
            vec!["Wort Satz"]
        );
    }

    #[test]
    fn lines_top_to_bottom() {
        let mut g = Vec::new();
        word_glyphs("zweite Zeile", 72.0, 686.0, 10.0, &mut g);
        word_glyphs("erste Zeile", 72.0, 700.0, 10.0, &mut g);
        assert_eq!(
            texts(&lines(&g, 800.0, Deadline::NEVER).unwrap()),
            vec!["erste Zeile", "zweite Zeile"]
        );
    }

    #[test]
    fn two_columns_read_column_by_column() {
        let mut g = Vec::new();
        for i in 0..6 {
            let y = 700.0 - i as f32 * 12.0;
            word_glyphs(
                &format!("links zeile nummer {i} text"),
                50.0,
                y,
                10.0,
                &mut g,
            );
            word_glyphs(
                &format!("rechts zeile nummer {i} text"),
                320.0,
                y,
                10.0,
                &mut g,
            );
        }
        let ls = lines(&g, 800.0, Deadline::NEVER).unwrap();
        let t = texts(&ls);
        assert_eq!(t.len(), 12);
        assert!(t[..6].iter().all(|l| l.starts_with("links")), "{t:?}");
        assert!(t[6..].iter().all(|l| l.starts_with("rechts")), "{t:?}");
    }

    #[test]
    fn table_rows_read_row_by_row() {
        let mut g = Vec::new();
        let rows = [
            ("Projektträger:", "Stadt Ilmenau"),
            ("Kosten:", "10.000 Euro"),
            ("Laufzeit:", "2025"),
            ("Ort:", "Arnstadt"),
        ];
        for (i, (a, b)) in rows.iter().enumerate() {
            let y = 700.0 - i as f32 * 14.0;
            word_glyphs(a, 50.0, y, 10.0, &mut g);
            word_glyphs(b, 250.0, y, 10.0, &mut g);
        }
        let t: Vec<String> = lines(&g, 800.0, Deadline::NEVER)
            .unwrap()
            .into_iter()
            .map(|l| l.text)
            .collect();
        assert_eq!(t[0], "Projektträger: Stadt Ilmenau");
        assert_eq!(t[3], "Ort: Arnstadt");
    }

    #[test]
    fn rotated_text_comes_after_horizontal() {
        let mut g = Vec::new();
        word_glyphs("Haupttext", 72.0, 700.0, 10.0, &mut g);
        let mut y = 100.0;
        for c in "Rand".chars() {
            g.push(Glyph {
                text: c.into(),
                x: 20.0,
                y,
                advance: 5.5,
                size: 10.0,
                dir: (0.0, 1.0),
                is_space: false,
            });
            y += 5.5;
        }
        assert_eq!(
            texts(&lines(&g, 800.0, Deadline::NEVER).unwrap()),
            vec!["Haupttext", "Rand"]
        );
    }

    #[test]
    fn fake_bold_is_not_doubled() {
        let mut g = Vec::new();
        word_glyphs("Fett", 72.0, 700.0, 10.0, &mut g);
        word_glyphs("Fett", 72.3, 700.0, 10.0, &mut g);
        assert_eq!(
            texts(&lines(&g, 800.0, Deadline::NEVER).unwrap()),
            vec!["Fett"]
        );
    }
}
