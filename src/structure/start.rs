//! Line regexes anchored at the line start, with a guard on the first two
//! bytes.
//!
//! Takes a regex that begins with `^`; gives [`StartRegex`], whose
//! `is_match`/`captures` answer exactly as the regex does, but skip the
//! regex engine for a line whose first byte, or first two, rule a match out. The
//! recognisers try several such regexes on every line of every document
//! (labels, questions, agenda headings), and most lines start with a letter
//! none of them can start with; one regex call costs hundreds of
//! instructions even when it fails at the first byte, the guard a handful.
//!
//! The table of possible first bytes is computed from the regex itself,
//! once, when the `StartRegex` is built: from the start state of the
//! regex's lazy DFA (`regex-automata`, the engine under `regex`), every
//! ASCII byte that does not lead to the dead state may begin a match. Only
//! ASCII bytes are ever ruled out; a line starting with a non-ASCII
//! character always goes to the regex (under `(?i)`, `ſ` matches `s` and
//! the Kelvin sign `k`, and `\d`, `\w`, `\s` match beyond ASCII). A
//! pattern that is not anchored at the start in every branch
//! (`^Frage|Antwort`, `[^.]x`), or whose DFA cannot be built, gets no
//! guard: every line goes to the regex. The same DFA gives the possible
//! pairs of first bytes (a line starting `Au` cannot start `Antwort`), so
//! a line whose first byte passes may still be turned away by its second
//! (qa's labels start with `A`, `B`, `Z`; most lines starting so do not go
//! on as they do). Hand-written lists were the first
//! version; they had to be kept in step with each regex by a test. The
//! price of computing them: about 20 M instructions (a few milliseconds)
//! once per process, mostly compiling the Unicode classes of the patterns
//! into an NFA, ~2 M of it the pairs (callgrind, `ratsuche index` of one
//! Karlsruhe file).

use regex::{Captures, Regex};
use regex_automata::hybrid::dfa::DFA;
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::{Anchored, Input};

/// A regex anchored at the start of a line, guarded by its possible first
/// ASCII bytes and pairs of them (see the module docs).
#[derive(Debug)]
pub(crate) struct StartRegex {
    re: Regex,
    /// `firsts[b]`: a match may start with ASCII byte `b`.
    firsts: [bool; 128],
    /// Bit `c` of `seconds[b]`: a match may start with ASCII bytes `b`, `c`.
    seconds: Box<[u128; 128]>,
}

impl StartRegex {
    /// Panics on an invalid regex (the patterns are constants).
    pub fn new(pattern: &str) -> StartRegex {
        let (firsts, seconds) = first_bytes(pattern).unwrap_or(([true; 128], [u128::MAX; 128]));
        StartRegex {
            re: Regex::new(pattern).unwrap_or_else(|e| panic!("line regex {pattern}: {e}")),
            firsts,
            seconds: Box::new(seconds),
        }
    }

    /// The regex may match `line`, going by its first two bytes.
    #[inline]
    fn may_match(&self, line: &str) -> bool {
        match *line.as_bytes() {
            [b, c, ..] if b < 128 && c < 128 => (self.seconds[usize::from(b)] >> c) & 1 != 0,
            [b, ..] if b < 128 => self.firsts[usize::from(b)],
            _ => true,
        }
    }

    // Inlined, so a caller rejects a line at its first byte without a call
    // (the compiler stopped inlining `captures` into `qa::classify` once
    // more callers used it: 865,761 calls, +19 M instructions on 1,500
    // Karlsruhe files).
    #[inline]
    pub fn is_match(&self, line: &str) -> bool {
        self.may_match(line) && self.re.is_match(line)
    }

    #[inline]
    pub fn captures<'h>(&self, line: &'h str) -> Option<Captures<'h>> {
        if self.may_match(line) {
            self.re.captures(line)
        } else {
            None
        }
    }

    /// True when some ASCII first byte is ruled out (the pattern is
    /// anchored and its DFA was built).
    #[cfg(test)]
    pub fn is_guarded(&self) -> bool {
        self.firsts.iter().any(|may| !may)
    }
}

/// The ASCII bytes a match of `pattern` can start with, and the pairs of
/// ASCII bytes (bit `c` of row `b`), or `None` when no byte can be ruled
/// out safely: the pattern is not anchored at the start in every branch, or
/// its lazy DFA cannot be built or stepped.
///
/// A pair is ruled out when the DFA is dead after both bytes and was no
/// match state after the first (regex-automata reports a match one byte
/// late: a match state after `b` means the regex matched before `b`, e.g.
/// the empty match of `^x?`). A pair whose first byte is ruled out is too.
fn first_bytes(pattern: &str) -> Option<([bool; 128], [u128; 128])> {
    let hir = regex_syntax::parse(pattern).ok()?;
    if !hir
        .properties()
        .look_set_prefix()
        .contains(regex_syntax::hir::Look::Start)
    {
        return None;
    }
    // From the syntax tree just parsed (not the pattern again), without
    // capture states: only match or no match matters here.
    let nfa = thompson::Compiler::new()
        .configure(thompson::Config::new().which_captures(WhichCaptures::None))
        .build_from_hir(&hir)
        .ok()?;
    let dfa = DFA::builder()
        .configure(DFA::config().unicode_word_boundary(true))
        .build_from_nfa(nfa)
        .ok()?;
    let mut cache = dfa.create_cache();
    let start = dfa
        .start_state_forward(&mut cache, &Input::new("").anchored(Anchored::Yes))
        .ok()?;
    let mut firsts = [false; 128];
    let mut seconds = [0u128; 128];
    for b in 0u8..128 {
        let after = dfa.next_state(&mut cache, start, b).ok()?;
        if after.is_dead() {
            continue;
        }
        firsts[usize::from(b)] = true;
        if after.is_match() {
            seconds[usize::from(b)] = u128::MAX;
            continue;
        }
        for c in 0u8..128 {
            if !dfa.next_state(&mut cache, after, c).ok()?.is_dead() {
                seconds[usize::from(b)] |= 1 << c;
            }
        }
    }
    Some((firsts, seconds))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The guard never skips a line the regex matches: every ASCII first
    /// byte in front of lines that match once it is there.
    pub(crate) fn assert_guard_is_sound(re: &StartRegex, rests: &[&str]) {
        for b in 0u8..128 {
            for rest in rests {
                let line = format!("{}{rest}", b as char);
                assert_eq!(
                    re.is_match(&line),
                    re.re.is_match(&line),
                    "{} on {line:?}",
                    re.re.as_str()
                );
                // Every second byte too, before the rest without its first
                // character.
                let tail = rest.get(rest.chars().next().map_or(0, char::len_utf8)..);
                for c in 0u8..128 {
                    let line = format!("{}{}{}", b as char, c as char, tail.unwrap_or(""));
                    assert_eq!(
                        re.is_match(&line),
                        re.re.is_match(&line),
                        "{} on {line:?}",
                        re.re.as_str()
                    );
                }
            }
        }
    }

    /// The guard answers as the regex on every line of `tests/data`'s texts
    /// (and each line's rest after its first word), and
    /// [`assert_guard_is_sound`] holds for the first lines it matches and
    /// for `written`, lines the regex matches that the caller wrote for
    /// forms `tests/data` lacks. Fails when the regex matches none of
    /// them: a guard that is never asked about a match is not tested.
    pub(crate) fn assert_guard_agrees_on_repository_lines(re: &StartRegex, written: &[&str]) {
        let mut matched: Vec<String> = Vec::new();
        for line in written {
            assert!(
                re.re.is_match(line),
                "{line:?} is no match of {}",
                re.re.as_str()
            );
            assert!(re.is_match(line), "the guard skips {line:?}");
            matched.push(line.to_string());
        }
        for text in crate::test_texts::repository_texts() {
            for line in text.lines() {
                let rest = line.split_once(' ').map_or("", |(_, r)| r);
                for l in [line, line.trim(), rest] {
                    let want = re.re.is_match(l);
                    assert_eq!(re.is_match(l), want, "{} on {l:?}", re.re.as_str());
                    assert_eq!(
                        re.captures(l).map(|c| c.get(0).map(|m| m.range())),
                        re.re.captures(l).map(|c| c.get(0).map(|m| m.range())),
                    );
                    if want {
                        matched.push(l.to_string());
                    }
                }
            }
        }
        assert!(
            !matched.is_empty(),
            "{} matches no line of tests/data: pass lines it matches",
            re.re.as_str()
        );
        let rests: Vec<&str> = matched
            .iter()
            .take(3 + written.len())
            .filter_map(|l| l.get(l.chars().next().map_or(0, char::len_utf8)..))
            .collect();
        assert_guard_is_sound(re, &rests);
    }

    #[test]
    fn guard_answers_as_the_regex() {
        let re = StartRegex::new(r"(?i)^(?:\d+\.\s+)?Frage\s+(\d+)");
        assert!(re.is_guarded());
        for line in [
            "Frage 3",
            "frage 3",
            "2. Frage 3",
            "Die Frage 3",
            "",
            "ä Frage 3",
        ] {
            assert_eq!(re.is_match(line), re.re.is_match(line), "{line}");
            assert_eq!(
                re.captures(line).map(|c| c[1].to_string()),
                re.re.captures(line).map(|c| c[1].to_string())
            );
        }
        // A Unicode digit goes to the regex (`\d` matches it).
        assert!(re.is_match("٣. Frage 3"));
        assert_guard_is_sound(&re, &["rage 3", ". Frage 3", " Frage 3", ""]);
    }

    #[test]
    fn the_table_holds_exactly_the_possible_first_bytes() {
        let re = StartRegex::new(r"(?i)^(?:zu\s+)?TOP");
        let allowed: Vec<char> = (0u8..128)
            .filter(|&b| re.firsts[usize::from(b)])
            .map(char::from)
            .collect();
        assert_eq!(allowed, vec!['T', 'Z', 't', 'z']);
        let seconds = |b: u8| -> Vec<char> {
            (0u8..128)
                .filter(|&c| (re.seconds[usize::from(b)] >> c) & 1 != 0)
                .map(char::from)
                .collect()
        };
        assert_eq!(seconds(b'T'), vec!['O', 'o']);
        assert_eq!(seconds(b'z'), vec!['U', 'u']);
        assert_eq!(seconds(b'A'), Vec::<char>::new());
        assert!(!re.may_match("Tu") && re.may_match("To") && re.may_match("T"));
        assert!(re.is_match("zu TOP 3") && re.is_match("Top 3"));
        assert!(!re.is_match("Der TOP 3"));
    }

    #[test]
    fn a_match_within_the_first_byte_allows_every_pair() {
        // A match that has ended by the first byte is reported one byte
        // late, as a match state after it: no pair starting with that byte
        // may be ruled out. `^x` has matched once "x" is read; `^x?` matches
        // the empty line before any byte.
        let re = StartRegex::new(r"^x");
        assert!(re.may_match("xz") && !re.may_match("zx"));
        let re = StartRegex::new(r"^x?");
        assert!(re.may_match("xz") && re.may_match("zz"));
        // Without such a match, the second byte counts.
        let re = StartRegex::new(r"^x?y");
        assert!(re.may_match("xy") && !re.may_match("xz") && !re.may_match("z"));
    }

    #[test]
    fn a_pattern_anchored_in_one_branch_only_is_not_guarded() {
        // "Die Antwort" matches; a guard built from the first branch alone
        // would skip it.
        let re = StartRegex::new(r"(?i)^Frage|Antwort");
        assert!(!re.is_guarded());
        assert!(re.is_match("Die Antwort"));
        // `^` inside a class is no anchor.
        let re = StartRegex::new(r"[^.]Frage");
        assert!(!re.is_guarded());
        assert!(re.is_match("Die Frage"));
    }
}
