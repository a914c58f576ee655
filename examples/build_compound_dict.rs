//! Rebuilds the decompounding dictionary `src/analysis/dict/de_words.tsv`
//! from a directory of extracted council texts.
//!
//! ```text
//! cargo run --release --example build_compound_dict -- \
//!     ../shared/realworld/karlsruhe/file-contents src/analysis/dict/de_words.tsv
//! ```
//!
//! The output is a word list with counts, never text: one `word<TAB>count`
//! line per word, most frequent first. See `src/analysis/dict/README.md` for
//! where the shipped list came from and why the thresholds are what they are.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::PathBuf;

use ratsuche::analysis::stopwords::GERMAN_STOP_WORDS;
use ratsuche::analysis::tokenizer::CouncilTokenizer;
use tantivy::tokenizer::{TokenStream, Tokenizer};

// # Thresholds
//
// A word must occur this often in all, and in this many distinct files: the
// file count keeps out names and typos that one long document repeats.
const MIN_COUNT: u32 = 5;
const MIN_FILES: u32 = 3;
// Shorter words are never compound parts (see `decompound::MIN_PART_CHARS`).
const MIN_CHARS: usize = 3;
const MAX_CHARS: usize = 40;
// Abbreviations ("Verw.", "mind.", "bearb.") look like words but must never
// become compound parts ("bearb" + "eitung"): a word followed by a full stop
// at least this often is one. Ordinary words end a sentence far less often.
const MAX_FULL_STOP_SHARE: f64 = 0.3;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = args.as_slice() else {
        anyhow::bail!("usage: build_compound_dict <dir of .txt files> <output.tsv>");
    };

    // # Counting
    //
    // The project's own tokenizer, so dictionary words are cut exactly as
    // tokens are at index time. Words broken across lines ("wün-\nschenswert")
    // would otherwise teach the dictionary fragments such as "wün" and
    // "schenswert": both halves of such a break are skipped.
    let mut count: HashMap<String, u32> = HashMap::new();
    let mut files: HashMap<String, u32> = HashMap::new();
    let mut full_stops: HashMap<String, u32> = HashMap::new();
    let mut tokenizer = CouncilTokenizer::default();
    let mut paths: Vec<PathBuf> = walkdir::WalkDir::new(input)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    for path in &paths {
        let text = std::fs::read_to_string(path)?;
        let mut seen = HashSet::new();
        let mut stream = tokenizer.token_stream(&text);
        let mut skip_next = false;
        while stream.advance() {
            let token = stream.token();
            let broken = is_line_break_hyphen(&text[token.offset_to..]);
            if std::mem::replace(&mut skip_next, broken) || broken {
                continue;
            }
            let word = token.text.to_lowercase();
            let chars = word.chars().count();
            if !(MIN_CHARS..=MAX_CHARS).contains(&chars) || !word.chars().all(char::is_alphabetic) {
                continue;
            }
            *count.entry(word.clone()).or_default() += 1;
            if text[token.offset_to..].starts_with('.') {
                *full_stops.entry(word.clone()).or_default() += 1;
            }
            if seen.insert(word.clone()) {
                *files.entry(word).or_default() += 1;
            }
        }
    }

    // # Filtering and writing
    let stop: HashSet<&str> = GERMAN_STOP_WORDS.iter().copied().collect();
    let mut words: Vec<(&String, u32)> = count
        .iter()
        .filter(|(w, &c)| {
            let stops = full_stops.get(*w).copied().unwrap_or(0);
            c >= MIN_COUNT
                && files[*w] >= MIN_FILES
                && f64::from(stops) < MAX_FULL_STOP_SHARE * f64::from(c)
                && !stop.contains(w.as_str())
        })
        .map(|(w, &c)| (w, c))
        .collect();
    words.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut out = std::io::BufWriter::new(std::fs::File::create(output)?);
    for (word, c) in &words {
        writeln!(out, "{word}\t{c}")?;
    }
    out.flush()?;
    eprintln!(
        "{} files, {} distinct words, {} written to {output}",
        paths.len(),
        count.len(),
        words.len()
    );
    Ok(())
}

/// Whether the text right after a token is a hyphen ending the line.
fn is_line_break_hyphen(after: &str) -> bool {
    after
        .strip_prefix('-')
        .map(|rest| rest.trim_start_matches([' ', '\t', '\r']).starts_with('\n'))
        .unwrap_or(false)
}
