//! Dates in German (and some English) council text.
//!
//! Takes text, gives every date precise to the day as an ISO date or an ISO
//! `start/end` range, plus the document's main date. Council papers write
//! dates many ways ("10.11.2025", "10. November 2025", "am 5. März",
//! "vom 17. bis 26. Januar 2025", "01.08.-15.09.17", "3 November 2025"), and
//! search by date only works when they all come out the same. Ranges are
//! matched before single dates so "17. bis 26. Januar 2025" is one range, not
//! a stray "26. Januar 2025". Dates without a year take it from context
//! (see [`find_dates`]); month-only mentions are not day-precise and are only
//! used for the main date ("Stand: Oktober 2025" → `2025-10`).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::LazyLock;

use regex::{Captures, Regex};

/// A calendar day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ymd {
    pub y: i32,
    pub m: u32,
    pub d: u32,
}

impl Ymd {
    /// A valid calendar day, or `None`.
    pub fn new(y: i32, m: u32, d: u32) -> Option<Ymd> {
        if !(1900..=2100).contains(&y) || !(1..=12).contains(&m) || d == 0 {
            return None;
        }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let days = match m {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        (d <= days).then_some(Ymd { y, m, d })
    }
}

impl fmt::Display for Ymd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.y, self.m, self.d)
    }
}

/// A day or a range of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DateValue {
    Day(Ymd),
    Range(Ymd, Ymd),
}

impl fmt::Display for DateValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateValue::Day(d) => d.fmt(f),
            DateValue::Range(a, b) => write!(f, "{a}/{b}"),
        }
    }
}

/// One date found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateMention {
    /// Byte offset of the match in the scanned text.
    pub start: usize,
    pub end: usize,
    pub value: DateValue,
    /// True when the year was not printed and came from context.
    pub year_inferred: bool,
}

const MONTHS_DE: &str = r"Januar|Jänner|Februar|März|Maerz|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember|Jan\.|Feb\.|Febr\.|Mär\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept\.|Sep\.|Okt\.|Nov\.|Dez\.";
const MONTHS_EN: &str =
    r"January|February|March|April|May|June|July|August|September|October|November|December";
/// A four-digit year or a two-digit one.
const YEAR: &str = r"(?:19|20)[0-9]{2}";
const DASH: &str = r"(?:-|–|—|bis(?:\s+(?:zum|einschließlich|einschl\.))?)";

/// "03.-26.01.2018", "01.08.-15.09.17", "17.01. bis 26.01.2025",
/// "01.01.2025 - 31.12.2025".
static RANGE_NUM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?-u:\b)([0-9]{{1,2}})\.(?:([0-9]{{1,2}})\.(?:({YEAR}|[0-9]{{2}})(?-u:\b))?)?\s*{DASH}\s*([0-9]{{1,2}})\.([0-9]{{1,2}})\.(?:({YEAR}|[0-9]{{2}})(?-u:\b))?"
    ))
    .expect("range regex")
});

/// "17. bis 26. Januar 2025", "1. Januar bis 30. Juni 2025".
static RANGE_TXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?-u:\b)([0-9]{{1,2}})\.\s*(?:({MONTHS_DE})\s*(?:({YEAR})\s*)?)?{DASH}\s*([0-9]{{1,2}})\.\s*({MONTHS_DE})(?:\s*({YEAR})(?-u:\b))?"
    ))
    .expect("range regex")
});

/// "10.11.2025", "1.3.2025", "10. 11. 2025".
static NUM_FULL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?-u:\b)([0-9]{{1,2}})\.\s?([0-9]{{1,2}})\.\s?({YEAR})(?-u:\b)"
    ))
    .expect("date regex")
});

/// "15.09.17" (two-digit day, month and year only, to spare section numbers).
static NUM_SHORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)([0-9]{2})\.([0-9]{2})\.([0-9]{2})(?-u:\b)").expect("date regex")
});

/// "am 05.03." — a numeric date without year needs a preposition in front,
/// or "5.3." would be every other section number.
static NUM_NOYEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:am|vom|bis(?:\s+zum)?|zum|ab|seit|den|dem|spätestens|bis\s+spätestens)\s+([0-9]{1,2})\.([0-9]{1,2})\.(?:\s|$|[,;:)])")
        .expect("date regex")
});

/// "10. November 2025", "5. März".
static TXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?-u:\b)([0-9]{{1,2}})\.\s*({MONTHS_DE})(?:\s*({YEAR})(?-u:\b))?"
    ))
    .expect("date regex")
});

/// "3 November 2025", "3rd of November, 2025".
static EN_DMY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?-u:\b)([0-9]{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({MONTHS_EN}),?\s+({YEAR})(?-u:\b)"
    ))
    .expect("date regex")
});

/// "November 3, 2025".
static EN_MDY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?-u:\b)({MONTHS_EN})\s+([0-9]{{1,2}})(?:st|nd|rd|th)?,\s*({YEAR})(?-u:\b)"
    ))
    .expect("date regex")
});

/// "2025-09-30".
static ISO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?-u:\b)({YEAR})-([0-9]{{2}})-([0-9]{{2}})(?-u:\b)"
    ))
    .expect("date regex")
});

/// "Oktober 2025" (for "Stand:" only).
static MONTH_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^({MONTHS_DE}|{MONTHS_EN})\s*({YEAR})(?-u:\b)")).expect("date regex")
});

static YEAR_ONLY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"(?-u:\b)({YEAR})(?-u:\b)")).expect("year regex"));

/// Month number of a German or English month name (or abbreviation).
pub fn month_number(name: &str) -> Option<u32> {
    let n = name.trim_end_matches('.').to_lowercase();
    let m = match n.as_str() {
        "januar" | "jänner" | "jan" | "january" => 1,
        "februar" | "feb" | "febr" | "february" => 2,
        "märz" | "maerz" | "mär" | "march" => 3,
        "april" | "apr" => 4,
        "mai" | "may" => 5,
        "juni" | "jun" | "june" => 6,
        "juli" | "jul" | "july" => 7,
        "august" | "aug" => 8,
        "september" | "sept" | "sep" => 9,
        "oktober" | "okt" | "october" => 10,
        "november" | "nov" => 11,
        "dezember" | "dez" | "december" => 12,
        _ => return None,
    };
    Some(m)
}

fn num(c: &Captures, i: usize) -> Option<u32> {
    c.get(i).and_then(|m| m.as_str().parse().ok())
}

fn year(c: &Captures, i: usize) -> Option<i32> {
    let s = c.get(i)?.as_str();
    let y: i32 = s.parse().ok()?;
    Some(if s.len() == 2 {
        // Two-digit years in council papers are this century unless they
        // clearly are not.
        if y >= 70 {
            1900 + y
        } else {
            2000 + y
        }
    } else {
        y
    })
}

/// Resolves the year of dates printed without one.
struct YearContext<'a> {
    text: &'a str,
    years: Vec<(usize, i32)>,
    default: Option<i32>,
}

impl<'a> YearContext<'a> {
    fn new(text: &'a str, default: Option<i32>) -> Self {
        let years = YEAR_ONLY
            .captures_iter(text)
            .filter_map(|c| {
                let m = c.get(1)?;
                Some((m.start(), m.as_str().parse().ok()?))
            })
            .collect();
        YearContext {
            text,
            years,
            default,
        }
    }

    /// The year for a date at `pos`: a year earlier in the same line
    /// (paragraph), else the document's own year, else the nearest year
    /// printed before it (within a few pages of text), else the nearest after.
    fn at(&self, pos: usize) -> Option<i32> {
        let line_start = self.text[..pos].rfind('\n').map_or(0, |i| i + 1);
        let k = self.years.partition_point(|(p, _)| *p < pos);
        let before = k.checked_sub(1).map(|i| &self.years[i]);
        if let Some(&(p, y)) = before {
            if p >= line_start {
                return Some(y);
            }
        }
        if self.default.is_some() {
            return self.default;
        }
        if let Some(&(p, y)) = before {
            if pos - p < 4000 {
                return Some(y);
            }
        }
        self.years
            .get(k)
            .filter(|(p, _)| *p - pos < 4000)
            .map(|&(_, y)| y)
    }
}

/// Reads (year, month, day, year inferred) from a match.
type DayFn<'a> = dyn Fn(&Captures) -> Option<(i32, u32, u32, bool)> + 'a;

/// Which of the forms [`find_dates`] has to look for: `noyear` when
/// [`NUM_NOYEAR`] can match, `short` when [`NUM_SHORT`] can, `month` when
/// [`TXT`] or [`RANGE_TXT`] can.
///
/// None of these regexes has a literal the regex engine could search for,
/// so each runs its automaton over every byte of the text. For the first
/// two, few papers hold either form (a day and month without year, "am 05.03. um"; or a
/// two-digit year, "15.09.17": 79 and 133 of the first 1,500 Karlsruhe
/// texts). Every match of either holds digits around full stops, which one
/// pass over the full stops checks: `noyear` needs `D.D.` (D one or two
/// digits) followed by whitespace, `,` `;` `:` `)` or the end (as
/// NUM_NOYEAR's tail), `short` needs `DD.DD.DD`. A false flag means the
/// regex has no match; a true one only that it may have.
///
/// `short` is exact: the check is NUM_SHORT itself, `DD.DD.DD` with no ASCII
/// letter, digit or `_` on either side (its `(?-u:\b)`s). Without those
/// ends every `10.11.2025` looked like a two-digit year (601 of the first
/// 750 Karlsruhe texts instead of 53).
///
/// `month`: [`TXT`] and [`RANGE_TXT`] both end in a number with a full stop,
/// optional whitespace and a German month name (`5. März`, `5.März`, `17.
/// bis 26. Januar`); 315 of those 750 texts have no such place. The
/// month names are [`MONTHS_DE`]'s alternatives, matched case-sensitively as
/// the regexes do, after the whitespace `\s*` takes (Unicode `White_Space`,
/// as `char::is_whitespace`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DotForms {
    noyear: bool,
    short: bool,
    month: bool,
}

/// [`MONTHS_DE`]'s alternatives as plain strings (`Jan\.` → `Jan.`).
static MONTH_NAMES_DE: LazyLock<Vec<String>> = LazyLock::new(|| {
    MONTHS_DE
        .split('|')
        .map(|m| m.replace("\\.", "."))
        .collect()
});

fn dot_forms(text: &str) -> DotForms {
    let b = text.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    // `(?-u:\b)` next to a digit: the byte beside it is no ASCII word byte.
    let word = |i: usize| {
        b.get(i)
            .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_')
    };
    let mut forms = DotForms {
        noyear: false,
        short: false,
        month: false,
    };
    for k in memchr::memchr_iter(b'.', b) {
        if k == 0 || !digit(k - 1) {
            continue;
        }
        if !forms.month {
            // `k + 1` follows an ASCII byte: a char boundary.
            let rest = text[k + 1..].trim_start();
            // Every German month name starts with one of these capitals.
            forms.month = rest
                .as_bytes()
                .first()
                .is_some_and(|c| b"JFMASOND".contains(c))
                && MONTH_NAMES_DE.iter().any(|m| rest.starts_with(m.as_str()));
        }
        if !digit(k + 1) {
            continue;
        }
        // The full stop after the second number, if any.
        let second = if b.get(k + 2) == Some(&b'.') {
            Some(k + 2)
        } else if digit(k + 2) && b.get(k + 3) == Some(&b'.') {
            Some(k + 3)
        } else {
            None
        };
        if let Some(s) = second {
            // `s + 1` follows an ASCII byte: a char boundary.
            if text[s + 1..]
                .chars()
                .next()
                .is_none_or(|c| c.is_whitespace() || matches!(c, ',' | ';' | ':' | ')'))
            {
                forms.noyear = true;
            }
        }
        if k >= 2
            && digit(k - 2)
            && (k == 2 || !word(k - 3))
            && digit(k + 2)
            && b.get(k + 3) == Some(&b'.')
            && digit(k + 4)
            && digit(k + 5)
            && !word(k + 6)
        {
            forms.short = true;
        }
        if forms.noyear && forms.short && forms.month {
            break;
        }
    }
    forms
}

/// Every date precise to the day in `text`, in text order.
///
/// `default_year` (the document's own year, if known) resolves dates printed
/// without a year when their paragraph names none.
pub fn find_dates(text: &str, default_year: Option<i32>) -> Vec<DateMention> {
    // The years are looked up only for dates printed without one (few
    // documents have any): found on first use.
    let years = std::cell::OnceCell::new();
    let ctx = || years.get_or_init(|| YearContext::new(text, default_year));
    let forms = dot_forms(text);
    let mut out: Vec<DateMention> = Vec::new();
    // Spans already claimed (start → end; they never overlap each other).
    let mut taken: BTreeMap<usize, usize> = BTreeMap::new();
    let free = |taken: &BTreeMap<usize, usize>, s: usize, e: usize| {
        taken.range(..e).next_back().is_none_or(|(_, &b)| b <= s)
    };

    // Ranges first.
    let range_txt = forms.month.then(|| RANGE_TXT.captures_iter(text));
    for c in range_txt.into_iter().flatten() {
        let m = c.get(0).expect("match");
        let (Some(d1), Some(d2)) = (num(&c, 1), num(&c, 4)) else {
            continue;
        };
        let Some(m2) = c.get(5).and_then(|m| month_number(m.as_str())) else {
            continue;
        };
        let m1 = c
            .get(2)
            .and_then(|m| month_number(m.as_str()))
            .unwrap_or(m2);
        let (y2, inferred) = match year(&c, 6) {
            Some(y) => (Some(y), false),
            None => (year(&c, 3).or_else(|| ctx().at(m.start())), true),
        };
        let Some(y2) = y2 else { continue };
        let y1 = year(&c, 3).unwrap_or(if m1 > m2 { y2 - 1 } else { y2 });
        if let (Some(a), Some(b)) = (Ymd::new(y1, m1, d1), Ymd::new(y2, m2, d2)) {
            if a < b {
                taken.insert(m.start(), m.end());
                out.push(DateMention {
                    start: m.start(),
                    end: m.end(),
                    value: DateValue::Range(a, b),
                    year_inferred: inferred,
                });
            }
        }
    }
    for c in RANGE_NUM.captures_iter(text) {
        let m = c.get(0).expect("match");
        if !free(&taken, m.start(), m.end()) {
            continue;
        }
        let (Some(d1), Some(d2), Some(m2)) = (num(&c, 1), num(&c, 4), num(&c, 5)) else {
            continue;
        };
        let m1 = num(&c, 2).unwrap_or(m2);
        let (y2, inferred) = match year(&c, 6) {
            Some(y) => (Some(y), false),
            None => (year(&c, 3).or_else(|| ctx().at(m.start())), true),
        };
        let Some(y2) = y2 else { continue };
        // "1.-3." alone is no range of dates; a range needs a month.
        if c.get(2).is_none() && c.get(6).is_none() && c.get(3).is_none() {
            // "03.-26.01." without any year: accept only with a preposition
            // context, which the single-date scan handles; skip here.
            continue;
        }
        let y1 = year(&c, 3).unwrap_or(if m1 > m2 { y2 - 1 } else { y2 });
        if let (Some(a), Some(b)) = (Ymd::new(y1, m1, d1), Ymd::new(y2, m2, d2)) {
            if a < b {
                taken.insert(m.start(), m.end());
                out.push(DateMention {
                    start: m.start(),
                    end: m.end(),
                    value: DateValue::Range(a, b),
                    year_inferred: inferred,
                });
            }
        }
    }

    let mut single = |re: &Regex, f: &DayFn| {
        for c in re.captures_iter(text) {
            let m = c.get(0).expect("match");
            if !free(&taken, m.start(), m.end()) {
                continue;
            }
            if let Some((y, mo, d, inferred)) = f(&c) {
                if let Some(day) = Ymd::new(y, mo, d) {
                    taken.insert(m.start(), m.end());
                    out.push(DateMention {
                        start: m.start(),
                        end: m.end(),
                        value: DateValue::Day(day),
                        year_inferred: inferred,
                    });
                }
            }
        }
    };
    single(&ISO, &|c| {
        Some((year(c, 1)?, num(c, 2)?, num(c, 3)?, false))
    });
    single(&NUM_FULL, &|c| {
        Some((year(c, 3)?, num(c, 2)?, num(c, 1)?, false))
    });
    if forms.short {
        single(&NUM_SHORT, &|c| {
            Some((year(c, 3)?, num(c, 2)?, num(c, 1)?, false))
        });
    }
    if forms.month {
        single(&TXT, &|c| {
            let mo = month_number(c.get(2)?.as_str())?;
            match year(c, 3) {
                Some(y) => Some((y, mo, num(c, 1)?, false)),
                None => Some((ctx().at(c.get(0)?.start())?, mo, num(c, 1)?, true)),
            }
        });
    }
    single(&EN_DMY, &|c| {
        Some((
            year(c, 3)?,
            month_number(c.get(2)?.as_str())?,
            num(c, 1)?,
            false,
        ))
    });
    single(&EN_MDY, &|c| {
        Some((
            year(c, 3)?,
            month_number(c.get(1)?.as_str())?,
            num(c, 2)?,
            false,
        ))
    });
    if forms.noyear {
        single(&NUM_NOYEAR, &|c| {
            let pos = c.get(1)?.start();
            Some((ctx().at(pos)?, num(c, 2)?, num(c, 1)?, true))
        });
    }

    out.sort_by_key(|d| d.start);
    out
}

/// The sorted (as strings, so a range sorts by its start), de-duplicated ISO
/// strings of `dates`.
pub fn iso_list(dates: &[DateMention]) -> Vec<String> {
    let mut v: Vec<String> = dates.iter().map(|d| d.value.to_string()).collect();
    v.sort();
    v.dedup();
    v
}

/// A day date at the very start of `s` (after whitespace): numeric, German
/// or English. Returns the date and the bytes consumed.
pub fn date_at_start(s: &str) -> Option<(Ymd, usize)> {
    let trimmed = s.trim_start();
    // Every form tried begins with an ASCII digit (`\b[0-9]`): a line that
    // does not cannot hold one at its start, and the five regexes (each of
    // which would scan the whole line for a match elsewhere) are spared.
    if !trimmed.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    date_at_start_unguarded(s)
}

/// [`date_at_start`] without the first-digit guard.
fn date_at_start_unguarded(s: &str) -> Option<(Ymd, usize)> {
    let trimmed = s.trim_start();
    let skip = s.len() - trimmed.len();
    for re in [&*NUM_FULL, &*TXT, &*ISO, &*EN_DMY, &*NUM_SHORT] {
        if let Some(c) = re.captures(trimmed) {
            let m = c.get(0)?;
            if m.start() != 0 {
                continue;
            }
            let d = if std::ptr::eq(re, &*ISO) {
                Ymd::new(year(&c, 1)?, num(&c, 2)?, num(&c, 3)?)
            } else if std::ptr::eq(re, &*TXT) || std::ptr::eq(re, &*EN_DMY) {
                Ymd::new(year(&c, 3)?, month_number(c.get(2)?.as_str())?, num(&c, 1)?)
            } else {
                Ymd::new(year(&c, 3)?, num(&c, 2)?, num(&c, 1)?)
            };
            if let Some(d) = d {
                return Some((d, skip + m.end()));
            }
        }
    }
    None
}

/// "Oktober 2025" at the start of `s` → `2025-10`.
pub fn month_at_start(s: &str) -> Option<String> {
    let c = MONTH_YEAR.captures(s.trim_start())?;
    let m = month_number(c.get(1)?.as_str())?;
    let y: i32 = c.get(2)?.as_str().parse().ok()?;
    Some(format!("{y:04}-{m:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(text: &str) -> Vec<String> {
        iso_list(&find_dates(text, None))
    }

    #[test]
    fn numeric_dates() {
        assert_eq!(iso("Datum: 10.11.2025"), ["2025-11-10"]);
        assert_eq!(
            iso("am 1.3.2025 und am 05. 03. 2025"),
            ["2025-03-01", "2025-03-05"]
        );
        assert_eq!(iso("Stand 15.09.17"), ["2017-09-15"]);
        assert_eq!(iso("am 31.02.2025"), Vec::<String>::new());
    }

    #[test]
    fn section_numbers_are_not_dates() {
        assert!(iso("1.1 Stichwort: Grüne Woche\n5.1. Sprache").is_empty());
        assert!(iso("Kosten 88.168,20 € und 1.500.000 €").is_empty());
        assert!(iso("Zum 10. Mal wurde im 4. Semester").is_empty());
    }

    #[test]
    fn text_dates() {
        assert_eq!(iso("am 10. November 2025"), ["2025-11-10"]);
        assert_eq!(iso("am 06. September 2017"), ["2017-09-06"]);
        assert_eq!(iso("der 1. Mai 2024"), ["2024-05-01"]);
    }

    #[test]
    fn iso_and_english_dates() {
        assert_eq!(iso("due 2025-09-30."), ["2025-09-30"]);
        assert_eq!(iso("on 3 November 2025"), ["2025-11-03"]);
        assert_eq!(iso("on November 3, 2025"), ["2025-11-03"]);
    }

    #[test]
    fn ranges() {
        assert_eq!(
            iso("Vom 17. bis 26. Januar 2025 findet"),
            ["2025-01-17/2025-01-26"]
        );
        assert_eq!(
            iso("vom 1. Januar bis 30. Juni 2025"),
            ["2025-01-01/2025-06-30"]
        );
        assert_eq!(iso("Laufzeit: 01.08.-15.09.17"), ["2017-08-01/2017-09-15"]);
        assert_eq!(iso("03.-26.01.2018"), ["2018-01-03/2018-01-26"]);
        assert_eq!(
            iso("vom 01.08.2017 bis 15.09.2017"),
            ["2017-08-01/2017-09-15"]
        );
        assert_eq!(iso("17.12. bis 6.1.2025"), ["2024-12-17/2025-01-06"]);
    }

    #[test]
    fn year_from_context() {
        let d = find_dates(
            "Im Jahr 2024 gab es Konferenzen am 23. Oktober und am 5. November.",
            None,
        );
        assert_eq!(iso_list(&d), ["2024-10-23", "2024-11-05"]);
        assert!(d.iter().all(|d| d.year_inferred));
        assert_eq!(
            iso_list(&find_dates("Sitzung am 5. März", Some(2026))),
            ["2026-03-05"]
        );
        assert_eq!(
            iso_list(&find_dates("am 05.03. um 10 Uhr", Some(2026))),
            ["2026-03-05"]
        );
        // No year anywhere: nothing to resolve from, so nothing is claimed.
        assert!(iso("am 5. März").is_empty());
    }

    #[test]
    fn dates_across_line_breaks() {
        assert_eq!(iso("am 5.\nNovember 2024"), ["2024-11-05"]);
    }

    #[test]
    fn start_helpers() {
        assert_eq!(
            date_at_start(" 10.11.2025 x").map(|(d, _)| d.to_string()),
            Some("2025-11-10".into())
        );
        assert_eq!(month_at_start("Oktober 2025"), Some("2025-10".into()));
        assert_eq!(date_at_start("x 10.11.2025"), None);
    }

    /// The first-digit guard of `date_at_start` never changes its answer:
    /// on every line of `tests/data`'s texts, and on each line from every
    /// word on (the callers pass line rests).
    #[test]
    fn date_at_start_guard_agrees() {
        let (mut lines, mut found) = (0, 0);
        for text in crate::test_texts::repository_texts() {
            for line in text.lines() {
                for (at, _) in line.match_indices(' ').chain([(0, "")]) {
                    let rest = &line[at..];
                    let want = date_at_start_unguarded(rest);
                    assert_eq!(date_at_start(rest), want, "{rest:?}");
                    found += usize::from(want.is_some());
                }
                lines += 1;
            }
        }
        assert!(lines > 1000 && found > 20, "{found} dates in {lines} lines");
    }

    #[test]
    fn month_names_are_the_regex_alternatives_as_literals() {
        // `dot_forms` matches the names as plain strings: each alternative
        // must be a literal (with `\.` as its only escape), and each must
        // start with a capital of the first check there.
        for (name, alternative) in MONTH_NAMES_DE.iter().zip(MONTHS_DE.split('|')) {
            assert_eq!(regex::escape(name), alternative);
            assert!(b"JFMASOND".contains(&name.as_bytes()[0]), "{name}");
        }
        assert_eq!(MONTH_NAMES_DE.len(), MONTHS_DE.split('|').count());
    }

    /// `dot_forms` says no only where the regexes find nothing: on every
    /// text of `tests/data`, each of its lines, and odd cases.
    #[test]
    fn dot_forms_never_miss_a_match() {
        let mut texts = crate::test_texts::repository_texts();
        for odd in [
            "am 5.3.",
            "am 5.3.\nx",
            "ab 05.03.) x",
            "am 5.3.x",
            "seit 5.12.,",
            "vom 1.1.\u{a0}bis",
            "15.09.17",
            "15.09.2017",
            "x15.09.17",
            "Stand 15.09.17.",
            "1.2.3",
            "12.3",
            ".5.3.",
            "5.",
            "10.11.2025",
            "a10.11.25",
            "_10.11.25",
            "10.11.25_",
            "10.11.25ä",
            "ä10.11.25",
            "(10.11.25)",
            "5. März",
            "5.März",
            "5.\n\u{2003}Jan. 2025",
            "17. bis 26. Januar 2025",
            "1. Januar bis 30. Juni",
            "5. märz",
            "5 . März",
            "Nr. 5. Mai",
            "5.\u{a0}Mai",
        ] {
            texts.push(odd.to_string());
        }
        let (mut noyear, mut short, mut month, mut no_month) = (0, 0, 0, 0);
        for text in &texts {
            for t in text.lines().chain([text.as_str()]) {
                let forms = dot_forms(t);
                if NUM_NOYEAR.is_match(t) {
                    assert!(forms.noyear, "{t:?}");
                    noyear += 1;
                }
                // Exact: the pass is the regex.
                assert_eq!(forms.short, NUM_SHORT.is_match(t), "{t:?}");
                short += usize::from(forms.short);
                if TXT.is_match(t) || RANGE_TXT.is_match(t) {
                    assert!(forms.month, "{t:?}");
                    month += 1;
                }
                no_month += usize::from(!forms.month);
            }
        }
        assert!(
            noyear >= 5 && short >= 3 && month >= 20 && no_month >= 1000,
            "{noyear} {short} {month} {no_month}"
        );
        // And it does rule out texts without the forms.
        assert_eq!(
            dot_forms("Stichwort 1.1, Kosten 3.500,00 € am 1.2.2025"),
            DotForms {
                noyear: false,
                short: false,
                month: false,
            }
        );
        assert_eq!(
            dot_forms("am 5.3. und 15.09.17 und 1.\tApr. 2025"),
            DotForms {
                noyear: true,
                short: true,
                month: true,
            }
        );
    }

    #[test]
    fn validity() {
        assert!(Ymd::new(2024, 2, 29).is_some());
        assert!(Ymd::new(2025, 2, 29).is_none());
        assert!(Ymd::new(2025, 13, 1).is_none());
    }
}
