//! Line regexes anchored at the line start, with a first-byte guard.
//!
//! Takes a regex that begins with `^` and the ASCII characters its match can
//! start with; gives [`StartRegex`], whose `is_match`/`captures` answer
//! exactly as the regex does, but skip the regex engine for a line whose
//! first character rules a match out. The recognisers try several such
//! regexes on every line of every document (labels, questions, agenda
//! headings), and most lines start with a letter none of them can start
//! with; one regex call costs hundreds of instructions even when it fails at
//! the first byte, the guard a handful.
//!
//! The guard only ever skips a line that starts with an ASCII character not
//! in the list, compared case-insensitively. A line starting with a
//! non-ASCII character always goes to the regex: under `(?i)`, `ſ` matches
//! `s` and the Kelvin sign `k`, and `\d`, `\w`, `\s` match beyond ASCII.
//! The lists are checked against each regex's DFA in the tests: no ASCII
//! byte outside the list leads anywhere but to the dead state.

use regex::{Captures, Regex};

/// A regex anchored at the start of a line, guarded by its possible first
/// ASCII characters (see the module docs).
#[derive(Debug)]
pub(crate) struct StartRegex {
    re: Regex,
    /// `firsts[b]`: the match may start with ASCII byte `b`.
    firsts: [bool; 128],
    #[cfg(test)]
    listed: &'static str,
}

impl StartRegex {
    /// `firsts`: every ASCII character a match can start with, lower case
    /// (upper case is let through too). Panics on an invalid regex (the
    /// patterns are constants).
    pub fn new(pattern: &str, firsts: &'static str) -> StartRegex {
        let mut table = [false; 128];
        for b in firsts.bytes() {
            table[usize::from(b.to_ascii_lowercase())] = true;
            table[usize::from(b.to_ascii_uppercase())] = true;
        }
        StartRegex {
            re: Regex::new(pattern).unwrap_or_else(|e| panic!("line regex {pattern}: {e}")),
            firsts: table,
            #[cfg(test)]
            listed: firsts,
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

    pub fn is_match(&self, line: &str) -> bool {
        self.may_match(line) && self.re.is_match(line)
    }

    pub fn captures<'h>(&self, line: &'h str) -> Option<Captures<'h>> {
        if self.may_match(line) {
            self.re.captures(line)
        } else {
            None
        }
    }
}

/// Asserts that `re`'s list of first characters is complete: from the
/// regex's anchored start, every ASCII byte outside the list leads to the
/// DFA's dead state, so no match can start with it.
#[cfg(test)]
pub(crate) fn assert_firsts_complete(re: &StartRegex) {
    use regex_automata::hybrid::dfa::DFA;
    use regex_automata::{Anchored, Input};

    let pattern = re.re.as_str();
    // Every match must begin at the line start: `^` in one branch of an
    // alternation, or inside a class (`[^.]`), is not enough.
    let hir = regex_syntax::parse(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"));
    assert!(
        hir.properties()
            .look_set_prefix()
            .contains(regex_syntax::hir::Look::Start),
        "{pattern} is not anchored at the start in every branch"
    );
    let dfa = DFA::builder()
        .configure(DFA::config().unicode_word_boundary(true))
        .build(pattern)
        .unwrap_or_else(|e| panic!("{pattern}: {e}"));
    let mut cache = dfa.create_cache();
    let start = dfa
        .start_state_forward(&mut cache, &Input::new("").anchored(Anchored::Yes))
        .unwrap_or_else(|e| panic!("{pattern}: {e}"));
    for b in 0u8..128 {
        let next = dfa
            .next_state(&mut cache, start, b)
            .unwrap_or_else(|e| panic!("{pattern}: {e}"));
        if !next.is_dead() {
            assert!(
                re.firsts[usize::from(b)],
                "{pattern} can start with {:?}, not in {:?}",
                b as char,
                re.listed
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_answers_as_the_regex() {
        let re = StartRegex::new(r"(?i)^(?:\d+\.\s+)?Frage\s+(\d+)", "0123456789f");
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
        assert_firsts_complete(&re);
    }

    #[test]
    #[should_panic(expected = "can start with")]
    fn an_incomplete_list_fails_the_check() {
        assert_firsts_complete(&StartRegex::new(r"(?i)^(?:zu\s+)?TOP", "t"));
    }

    #[test]
    #[should_panic(expected = "not anchored at the start in every branch")]
    fn a_branch_without_the_anchor_fails_the_check() {
        // "Die Antwort" matches the regex, but the guard would skip it.
        assert_firsts_complete(&StartRegex::new(r"(?i)^Frage|Antwort", "fa"));
    }

    #[test]
    #[should_panic(expected = "not anchored at the start in every branch")]
    fn a_caret_in_a_class_is_no_anchor() {
        assert_firsts_complete(&StartRegex::new(r"[^.]Frage", "f"));
    }
}
