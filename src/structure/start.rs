//! Line regexes anchored at the line start, with a first-byte guard.
//!
//! Takes a regex that begins with `^`; gives [`StartRegex`], whose
//! `is_match`/`captures` answer exactly as the regex does, but skip the
//! regex engine for a line whose first byte rules a match out. The
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
//! guard: every line goes to the regex. Hand-written lists were the first
//! version; they had to be kept in step with each regex by a test. The
//! price of computing them: about 18 M instructions (a few milliseconds)
//! once per process, mostly compiling the Unicode classes of the patterns
//! into an NFA (callgrind, `ratsuche index` of one Karlsruhe file).

use regex::{Captures, Regex};
use regex_automata::hybrid::dfa::DFA;
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::{Anchored, Input};

/// A regex anchored at the start of a line, guarded by its possible first
/// ASCII bytes (see the module docs).
#[derive(Debug)]
pub(crate) struct StartRegex {
    re: Regex,
    /// `firsts[b]`: a match may start with ASCII byte `b`.
    firsts: [bool; 128],
}

impl StartRegex {
    /// Panics on an invalid regex (the patterns are constants).
    pub fn new(pattern: &str) -> StartRegex {
        StartRegex {
            re: Regex::new(pattern).unwrap_or_else(|e| panic!("line regex {pattern}: {e}")),
            firsts: first_bytes(pattern).unwrap_or([true; 128]),
        }
    }

    /// The regex may match `line`, going by its first byte.
    #[inline]
    fn may_match(&self, line: &str) -> bool {
        match line.as_bytes().first() {
            Some(&b) if b < 128 => self.firsts[usize::from(b)],
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

/// The ASCII bytes a match of `pattern` can start with, or `None` when no
/// byte can be ruled out safely: the pattern is not anchored at the start
/// in every branch, or its lazy DFA cannot be built or stepped.
fn first_bytes(pattern: &str) -> Option<[bool; 128]> {
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
    for (b, may) in (0u8..128).zip(firsts.iter_mut()) {
        *may = !dfa.next_state(&mut cache, start, b).ok()?.is_dead();
    }
    Some(firsts)
}

#[cfg(test)]
mod tests {
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
            }
        }
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
        assert!(re.is_match("zu TOP 3") && re.is_match("Top 3"));
        assert!(!re.is_match("Der TOP 3"));
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
