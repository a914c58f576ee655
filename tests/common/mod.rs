//! Shared helpers for the integration tests: the extraction scorer's metric
//! in Rust, fixture paths and the `pdftotext` reference.
//!
//! # The metric
//!
//! [`compare`] mirrors `compare()` in `../shared/tools/extract-score/score.py`
//! (the scorer the project reports extraction quality with), so a figure
//! printed by `cargo test` can be put next to one printed by `score.py`:
//!
//! - [`normalize`]: NFC, ligatures (ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ) expanded, soft hyphen and
//!   zero-width characters removed, U+2010/U+2011 → `-`, `’` → `'`,
//!   whitespace runs → one space, lower case (`str::to_lowercase`, which like
//!   Python's `str.lower` keeps `ß`).
//! - [`tokens`]: score.py's `TOKEN_RE`
//!   (`\d+(?:[.,]\d+)+|[^\W_]+(?:[-'’][^\W_]+)*`). Python's `[^\W_]` is "a
//!   character for which `str.isalnum()` holds", i.e. the letter categories
//!   plus the numeric ones, written here as `[\p{L}\p{N}]`; Python's `\d` is
//!   `\p{Nd}`. Unlike Rust's `char::is_alphanumeric`, this leaves out combining
//!   marks (`Other_Alphabetic`), as Python does.
//! - precision/recall/F1 over the multisets of words, as score.py.
//! - order: `1 - levenshtein(ref, ext) / max(len)` over the word sequences,
//!   which is what rapidfuzz's `Levenshtein.normalized_similarity` computes on
//!   two lists (unit costs). The distance is exact, computed with Ukkonen's
//!   banded dynamic programme: a path of cost `d` never leaves the diagonals
//!   `|i - j| <= d`, so a band of half-width `k` gives the exact distance
//!   whenever the result is `<= k`; otherwise `k` is doubled. Good extractions
//!   differ by a few hundred words out of 14 000, so the band stays narrow and
//!   the longest fixture costs milliseconds even in a debug build, where a full
//!   14k × 14k table (200 M cells) would take tens of seconds. A hopeless
//!   extraction degrades to the full table, which is still correct.
//! - glued and split words (and split at a hyphen, i.e. line-end
//!   hyphenation left in), as score.py counts them, for diagnostics.
//!
//! Checked against score.py: on pdftotext's output for the fixtures the
//! figures agree to 1e-6 (test `metric_agrees_with_score_py_on_pdftotext`).

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

/// score.py's `TOKEN_RE` (see the module docs for the character classes).
static TOKEN_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\p{Nd}+(?:[.,]\p{Nd}+)+|[\p{L}\p{N}]+(?:[-'’][\p{L}\p{N}]+)*").unwrap()
});

/// Python's `str.isspace()`: Unicode White_Space plus the information
/// separators U+001C..U+001F, which Rust does not count as whitespace.
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// score.py's `normalize`.
pub fn normalize(text: &str) -> String {
    let nfc: String = text.nfc().collect();
    let mut out = String::with_capacity(nfc.len());
    let mut in_space = false;
    for c in nfc.chars() {
        let expanded: &str = match c {
            '\u{fb00}' => "ff",
            '\u{fb01}' => "fi",
            '\u{fb02}' => "fl",
            '\u{fb03}' => "ffi",
            '\u{fb04}' => "ffl",
            '\u{fb05}' | '\u{fb06}' => "st",
            '\u{ad}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}' | '\u{2060}' => "",
            '\u{2010}' | '\u{2011}' => "-",
            '’' => "'",
            c if is_py_space(c) => {
                if !in_space {
                    out.push(' ');
                }
                in_space = true;
                continue;
            }
            c => {
                out.push(c);
                in_space = false;
                continue;
            }
        };
        // A deleted character between two spaces does not end the run
        // (score.py deletes before collapsing).
        if !expanded.is_empty() {
            out.push_str(expanded);
            in_space = false;
        }
    }
    out.to_lowercase()
}

/// The words of an already normalized text, with their byte spans.
pub fn tokens_with_spans(norm: &str) -> Vec<(&str, usize, usize)> {
    TOKEN_RE
        .find_iter(norm)
        .map(|m| (m.as_str(), m.start(), m.end()))
        .collect()
}

/// The words of a text after [`normalize`], as score.py counts them.
pub fn tokens(text: &str) -> Vec<String> {
    let norm = normalize(text);
    tokens_with_spans(&norm)
        .into_iter()
        .map(|(t, _, _)| t.to_owned())
        .collect()
}

/// Word counts, remembering the order in which words were first seen (so
/// "most common" lists break ties the way Python's `Counter` does).
#[derive(Default)]
pub struct Counts<'a> {
    pub count: HashMap<&'a str, usize>,
    pub first_seen: Vec<&'a str>,
}

impl<'a> Counts<'a> {
    pub fn of(words: &[&'a str]) -> Counts<'a> {
        let mut c = Counts::default();
        for &w in words {
            let n = c.count.entry(w).or_insert(0);
            if *n == 0 {
                c.first_seen.push(w);
            }
            *n += 1;
        }
        c
    }

    pub fn get(&self, w: &str) -> usize {
        self.count.get(w).copied().unwrap_or(0)
    }

    pub fn contains(&self, w: &str) -> bool {
        self.count.contains_key(w)
    }

    pub fn total(&self) -> usize {
        self.count.values().sum()
    }

    /// Matched words: sum over words of min(count here, count there).
    pub fn overlap(&self, other: &Counts) -> usize {
        self.count.iter().map(|(w, &c)| c.min(other.get(w))).sum()
    }

    /// `(self - other).most_common(n)` as in Python.
    pub fn most_common_excess(&self, other: &Counts, n: usize) -> Vec<(String, usize)> {
        let mut v: Vec<(String, usize)> = self
            .first_seen
            .iter()
            .filter_map(|&w| {
                let d = self.get(w).saturating_sub(other.get(w));
                (d > 0).then(|| (w.to_owned(), d))
            })
            .collect();
        v.sort_by_key(|e| std::cmp::Reverse(e.1)); // stable: ties keep first-seen order
        v.truncate(n);
        v
    }
}

/// What [`compare`] measures for one document (score.py's per-file row).
#[derive(Debug, Clone, Default)]
pub struct Scores {
    pub ref_words: usize,
    pub ext_words: usize,
    /// Matched words (multiset intersection).
    pub tp: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Normalized Levenshtein similarity of the word sequences.
    pub order: f64,
    pub glued: usize,
    pub split: usize,
    /// Splits with a hyphen in the gap: line-end hyphenation left in.
    pub split_hy: usize,
    pub glued_examples: Vec<String>,
    pub split_examples: Vec<String>,
    pub missing_examples: Vec<(String, usize)>,
    pub extra_examples: Vec<(String, usize)>,
}

impl Scores {
    /// One line for `--nocapture` output.
    pub fn summary(&self) -> String {
        format!(
            "P={:.4} R={:.4} F1={:.4} order={:.4} ref={} ext={} tp={} glued={} split={}({})",
            self.precision,
            self.recall,
            self.f1,
            self.order,
            self.ref_words,
            self.ext_words,
            self.tp,
            self.glued,
            self.split,
            self.split_hy
        )
    }

    /// The words that went wrong, for a failure message or a report.
    pub fn examples(&self) -> String {
        format!(
            "missing {:?}\n  extra {:?}\n  glued {:?}\n  split {:?}",
            self.missing_examples, self.extra_examples, self.glued_examples, self.split_examples
        )
    }
}

/// score.py's F1 from counts.
pub fn f1_of(tp: usize, ref_words: usize, ext_words: usize) -> (f64, f64, f64) {
    let p = if ext_words > 0 {
        tp as f64 / ext_words as f64
    } else {
        0.0
    };
    let r = if ref_words > 0 {
        tp as f64 / ref_words as f64
    } else {
        0.0
    };
    let f1 = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    (p, r, f1)
}

/// score.py's `compare(ref_text, ext_text)` (the figures this suite uses).
pub fn compare(ref_text: &str, ext_text: &str) -> Scores {
    let rn = normalize(ref_text);
    let en = normalize(ext_text);
    let rt: Vec<&str> = tokens_with_spans(&rn)
        .into_iter()
        .map(|(t, _, _)| t)
        .collect();
    let et_sp = tokens_with_spans(&en);
    let et: Vec<&str> = et_sp.iter().map(|&(t, _, _)| t).collect();
    let rc = Counts::of(&rt);
    let ec = Counts::of(&et);
    let tp = rc.overlap(&ec);
    let (precision, recall, f1) = f1_of(tp, rt.len(), et.len());

    // split: two consecutive extracted words that form one reference word
    let (mut split, mut split_hy) = (0, 0);
    let mut split_examples = Vec::new();
    let mut in_split = HashSet::new();
    for (i, pair) in et_sp.windows(2).enumerate() {
        let ((a, _, ea), (b, sb, _)) = (pair[0], pair[1]);
        if rc.contains(a) && rc.contains(b) {
            continue;
        }
        let gap = &en[ea..sb];
        if rc.contains(&format!("{a}{b}")) || rc.contains(&format!("{a}-{b}")) {
            split += 1;
            in_split.insert(i);
            in_split.insert(i + 1);
            if gap.contains('-') {
                split_hy += 1;
            }
            if split_examples.len() < 5 {
                split_examples.push(format!("{a}{gap}{b}"));
            }
        }
    }
    // glued: an extracted word that is 2-3 consecutive reference words
    let mut concat = HashSet::new();
    for i in 0..rt.len().saturating_sub(1) {
        concat.insert(format!("{}{}", rt[i], rt[i + 1]));
        if i + 2 < rt.len() {
            concat.insert(format!("{}{}{}", rt[i], rt[i + 1], rt[i + 2]));
        }
    }
    let glued_words: Vec<String> = et
        .iter()
        .enumerate()
        .filter(|&(i, w)| {
            !rc.contains(w)
                && concat.contains(*w)
                && !in_split.contains(&i)
                && !py_isdigit(&w.replace('-', ""))
        })
        .map(|(_, w)| w.to_string())
        .collect();

    Scores {
        ref_words: rt.len(),
        ext_words: et.len(),
        tp,
        precision,
        recall,
        f1,
        order: seq_similarity(&rt, &et),
        glued: glued_words.len(),
        split,
        split_hy,
        glued_examples: glued_words.into_iter().take(5).collect(),
        split_examples,
        missing_examples: rc.most_common_excess(&ec, 8),
        extra_examples: ec.most_common_excess(&rc, 8),
    }
}

/// Python's `str.isdigit()` (Numeric_Type Decimal or Digit): decimal digits
/// plus the superscript, subscript and circled digits that occur in text.
static DIGITS_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^[\p{Nd}\u{b2}\u{b3}\u{b9}\u{2070}\u{2074}-\u{2079}\u{2080}-\u{2089}\u{2460}-\u{2468}]+$",
    )
    .unwrap()
});

fn py_isdigit(s: &str) -> bool {
    DIGITS_RE.is_match(s)
}

/// rapidfuzz's `Levenshtein.normalized_similarity` on two word lists.
pub fn seq_similarity<'a>(a: &[&'a str], b: &[&'a str]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    // Compare word ids, not strings, in the inner loop.
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let mut intern = |ws: &[&'a str]| -> Vec<u32> {
        ws.iter()
            .map(|w| {
                let n = ids.len() as u32;
                *ids.entry(*w).or_insert(n)
            })
            .collect()
    };
    let (a, b) = (intern(a), intern(b));
    let d = levenshtein(&a, &b);
    1.0 - d as f64 / a.len().max(b.len()) as f64
}

/// Exact Levenshtein distance (unit costs) between two sequences, by banded
/// DP with a doubling band (Ukkonen); see the module docs.
pub fn levenshtein(a: &[u32], b: &[u32]) -> usize {
    let (n, m) = (a.len(), b.len());
    if n == 0 || m == 0 {
        return n.max(m);
    }
    let longest = n.max(m);
    let mut k = n.abs_diff(m).max(32).min(longest);
    loop {
        let d = banded(a, b, k);
        if d <= k || k >= longest {
            return d;
        }
        k = (k * 2).min(longest);
    }
}

/// Levenshtein distance restricted to alignments with `|i - j| <= k`
/// (larger than or equal to the true distance; equal when that is `<= k`).
fn banded(a: &[u32], b: &[u32], k: usize) -> usize {
    const INF: u32 = u32::MAX / 2;
    let (n, m) = (a.len(), b.len());
    // Full-width rows, only the band is written: cells a row never writes
    // stay INF, except the one left of the band, which is reset each row.
    let mut prev = vec![INF; m + 1];
    let mut cur = vec![INF; m + 1];
    for (j, cell) in prev.iter_mut().enumerate().take(k.min(m) + 1) {
        *cell = j as u32;
    }
    for i in 1..=n {
        let lo = i.saturating_sub(k);
        let hi = (i + k).min(m);
        if lo == 0 {
            cur[0] = i as u32;
        } else {
            cur[lo - 1] = INF;
        }
        let ai = a[i - 1];
        for j in lo.max(1)..=hi {
            let sub = prev[j - 1] + u32::from(ai != b[j - 1]);
            let del = prev[j] + 1;
            let ins = cur[j - 1] + 1;
            cur[j] = sub.min(del).min(ins);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[m].min(INF) as usize
}

/// Word recall of `ours` against `reference`, with score.py's words.
pub fn word_recall(reference: &str, ours: &str) -> (usize, usize) {
    let rn = normalize(reference);
    let on = normalize(ours);
    let rt: Vec<&str> = tokens_with_spans(&rn)
        .into_iter()
        .map(|(t, _, _)| t)
        .collect();
    let ot: Vec<&str> = tokens_with_spans(&on)
        .into_iter()
        .map(|(t, _, _)| t)
        .collect();
    let tp = Counts::of(&rt).overlap(&Counts::of(&ot));
    (tp, rt.len())
}

/// A path inside this repository.
pub fn repo_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// `pdftotext FILE -` (UTF-8, pages separated by form feeds). Panics with
/// an install hint when pdftotext is missing: a reference that silently
/// goes away would make a comparison pass for the wrong reason.
pub fn pdftotext(pdf: &Path) -> Result<String, String> {
    let out = match Command::new("pdftotext").arg(pdf).arg("-").output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            panic!(
                "pdftotext is not installed: install poppler-utils (apt-get install poppler-utils)"
            )
        }
        Err(e) => panic!("cannot run pdftotext: {e}"),
    };
    if !out.status.success() {
        return Err(format!(
            "pdftotext failed on {} ({}): {}",
            pdf.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
