//! Synonym and abbreviation groups for query expansion.
//!
//! Takes the text of a synonym file (one group per line, variants separated
//! by commas, `#` comments; a one-way line `A, B => C, D` expands A and B to
//! C and D but not back; see `dict/synonyms.txt`); gives [`Synonyms`],
//! which maps the *analysed* form of each variant (German query chain:
//! lowercase, stemmed, umlauts folded) to the variants of its groups. The
//! search turns a query word or run of words equal to a variant into an OR
//! of all variants of its groups ("ÖPNV" → `ÖPNV OR Nahverkehr OR
//! "öffentlicher Personennahverkehr"`). Comparing analysed forms makes
//! inflected queries ("Kindertagesstätten") hit their group too.
//!
//! Expansion happens at query time only, so editing the file needs no
//! re-indexing. The groups ship compiled in (`include_str!`);
//! [`SYNONYMS_ENV`] names a file that replaces them.

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use super::{analyze_query, Lang};
use crate::error::{Error, Result};

/// Environment variable naming a synonym file that replaces the built-in one.
pub const SYNONYMS_ENV: &str = "RATSUCHE_SYNONYMS";

/// The built-in groups.
pub const BUILTIN: &str = include_str!("dict/synonyms.txt");

/// Parsed synonym groups.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    /// Each group's variants as written: what a match on the group expands
    /// to (for a one-way line, its right side).
    groups: Vec<Vec<String>>,
    /// Analysed form of a variant → the groups it expands to (for a
    /// one-way line only its left side is a key).
    by_key: HashMap<Vec<String>, Vec<usize>>,
    /// Most analysed tokens of any variant.
    max_tokens: usize,
}

impl Synonyms {
    /// Parse a synonym file's text. A group needs at least two variants
    /// that analyse to something (a variant of stop words only is an error,
    /// as it could never match); a one-way line `A, B => C` needs a variant
    /// on each side.
    pub fn parse(text: &str) -> std::result::Result<Synonyms, String> {
        let mut synonyms = Synonyms::default();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let error = |message: String| format!("line {}: {message}", n + 1);
            let (from, to) = match line.split_once("=>") {
                Some((left, right)) => {
                    if right.contains("=>") {
                        return Err(error("a line may have only one \"=>\"".into()));
                    }
                    let (from, to) = (variants_of(left), variants_of(right));
                    if from.is_empty() || to.is_empty() {
                        return Err(error(
                            "a one-way line needs variants on both sides of \"=>\"".into(),
                        ));
                    }
                    (from, to)
                }
                None => {
                    let variants = variants_of(line);
                    if variants.len() < 2 {
                        return Err(error(
                            "a group needs at least two variants separated by commas".into(),
                        ));
                    }
                    (variants.clone(), variants)
                }
            };
            for variant in &to {
                if Synonyms::key(variant).is_empty() {
                    return Err(error(format!(
                        "{variant:?} has no searchable word (only stop words?)"
                    )));
                }
            }
            let group = synonyms.groups.len();
            for variant in &from {
                let key = Synonyms::key(variant);
                if key.is_empty() {
                    return Err(error(format!(
                        "{variant:?} has no searchable word (only stop words?)"
                    )));
                }
                synonyms.max_tokens = synonyms.max_tokens.max(key.len());
                let groups = synonyms.by_key.entry(key).or_default();
                if !groups.contains(&group) {
                    groups.push(group);
                }
            }
            synonyms.groups.push(to);
        }
        Ok(synonyms)
    }

    /// The built-in groups (`dict/synonyms.txt`).
    pub fn builtin() -> &'static Synonyms {
        static BUILT: OnceLock<Synonyms> = OnceLock::new();
        BUILT.get_or_init(|| Synonyms::parse(BUILTIN).expect("dict/synonyms.txt is valid"))
    }

    /// Read a synonym file.
    pub fn load(path: &Path) -> Result<Synonyms> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Synonyms::parse(&text).map_err(|message| {
            Error::io(
                path,
                std::io::Error::new(std::io::ErrorKind::InvalidData, message),
            )
        })
    }

    /// The groups in use: the file named by [`SYNONYMS_ENV`] if it is set
    /// (read once per process), else the built-in ones.
    pub fn global() -> Result<&'static Synonyms> {
        static FROM_ENV: OnceLock<std::result::Result<Synonyms, String>> = OnceLock::new();
        match std::env::var_os(SYNONYMS_ENV).filter(|p| !p.is_empty()) {
            None => Ok(Synonyms::builtin()),
            Some(path) => FROM_ENV
                .get_or_init(|| Synonyms::load(Path::new(&path)).map_err(|e| e.to_string()))
                .as_ref()
                .map_err(|message| {
                    Error::io(
                        Path::new(&path),
                        std::io::Error::other(format!("{SYNONYMS_ENV}: {message}")),
                    )
                }),
        }
    }

    /// The analysed form variants are compared by.
    pub fn key(text: &str) -> Vec<String> {
        analyze_query(Lang::German, text)
    }

    /// Every variant of every group `key` is in, other than those with the
    /// same key (the query itself), each once, in file order. Empty when
    /// `key` is in no group.
    pub fn variants(&self, key: &[String]) -> Vec<&str> {
        let Some(groups) = self.by_key.get(key) else {
            return Vec::new();
        };
        let mut out: Vec<&str> = Vec::new();
        for &group in groups {
            for variant in &self.groups[group] {
                if Synonyms::key(variant) != key && !out.contains(&variant.as_str()) {
                    out.push(variant);
                }
            }
        }
        out
    }

    /// True when `key` is a variant of some group.
    pub fn contains(&self, key: &[String]) -> bool {
        self.by_key.contains_key(key)
    }

    /// The most analysed tokens any variant has (how many query words a
    /// multi-word match may span).
    pub fn max_tokens(&self) -> usize {
        self.max_tokens
    }

    /// Number of groups.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

/// The comma-separated, non-empty variants of one side of a line.
fn variants_of(side: &str) -> Vec<String> {
    side.split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Vec<String> {
        Synonyms::key(s)
    }

    #[test]
    fn builtin_groups_parse_and_cover_the_council_abbreviations() {
        let s = Synonyms::builtin();
        assert!(s.len() >= 40, "{}", s.len());
        for (word, expected) in [
            ("ÖPNV", "Nahverkehr"),
            ("Nahverkehr", "öffentlicher Personennahverkehr"),
            ("KV", "Kassenärztliche Vereinigung"),
            ("VZÄ", "Vollzeitäquivalent"),
            ("VbE", "Stelle"),
            ("Personennahverkehr", "ÖPNV"),
            ("SGB", "Sozialgesetzbuch"),
            ("Kitas", "Kindertagesstätte"),
            ("Kindertagesstätten", "Kitas"),
            ("Kindertageseinrichtungen", "Kita"),
            ("KT", "Kreistag"),
            ("LRA", "Landratsamt"),
            ("BV", "Beschlussvorlage"),
            ("TOP", "Tagesordnungspunkt"),
        ] {
            let variants = s.variants(&key(word));
            assert!(variants.contains(&expected), "{word}: {variants:?}");
            assert!(!variants.contains(&word), "{word}: {variants:?}");
        }
        assert!(s.variants(&key("Haushaltsplan")).is_empty());
        // "Stelle" is a one-way target: VZÄ finds it, it does not find VZÄ.
        assert!(s.variants(&key("Stelle")).is_empty());
        assert!(s.variants(&key("Stellen")).is_empty());
        assert!(s.max_tokens() >= 3);
    }

    #[test]
    fn a_file_replaces_the_builtin_groups_and_errors_name_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("synonyms.txt");
        std::fs::write(&path, "Radweg, Fahrradweg\n").unwrap();
        let own = Synonyms::load(&path).unwrap();
        assert_eq!(own.variants(&key("Radwege")), ["Fahrradweg"]);
        assert!(own.variants(&key("ÖPNV")).is_empty());
        std::fs::write(&path, "nur eins\n").unwrap();
        let err = Synonyms::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("synonyms.txt") && err.contains("line 1"),
            "{err}"
        );
        let missing = Synonyms::load(&dir.path().join("none.txt")).unwrap_err();
        assert!(missing.to_string().contains("none.txt"), "{missing}");
    }

    #[test]
    fn bad_files_name_the_line() {
        let err = Synonyms::parse("# c\nA, B\nnur eins\n").unwrap_err();
        assert!(err.starts_with("line 3:"), "{err}");
        let err = Synonyms::parse("Kita, und\n").unwrap_err();
        assert!(err.contains("\"und\""), "{err}");
        let ok = Synonyms::parse("A, B\nB, C\n").unwrap();
        assert_eq!(ok.variants(&key("B")), ["A", "C"]);
        for bad in ["A =>\n", "=> B\n", "A => B => C\n", "A => und\n"] {
            let err = Synonyms::parse(bad).unwrap_err();
            assert!(err.starts_with("line 1:"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn one_way_lines_expand_left_to_right_only() {
        let s = Synonyms::parse("VZÄ, VbE => Vollzeitäquivalent, Stelle\nVZÄ, VbE\n").unwrap();
        assert_eq!(
            s.variants(&key("VZÄ")),
            ["Vollzeitäquivalent", "Stelle", "VbE"]
        );
        assert_eq!(
            s.variants(&key("VbE")),
            ["Vollzeitäquivalent", "Stelle", "VZÄ"]
        );
        assert!(s.variants(&key("Stelle")).is_empty());
        assert!(s.variants(&key("Vollzeitäquivalent")).is_empty());
        assert!(!s.contains(&key("Stelle")));
    }
}
