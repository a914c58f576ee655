//! [`Decompounder`]: adds the parts of German compounds next to the compound,
//! so "Fachkräftesicherung" is found by "Fachkräfte" and by "Sicherung".
//!
//! Takes lowercased, stop-word-filtered German tokens (before the feminine
//! rule and stemming); gives every token unchanged and, after a compound,
//! its parts **at the same position** (position increment 0) and with the
//! compound's offsets. The parts then run through the rest of the chain like
//! any word: the part `ärzte` of "Ärztenetzwerk" is stemmed to `arzt`, the
//! term a query "Ärzte" or "Ärztin" looks up.
//!
//! It belongs to the *indexing* chain only ([`GERMAN`](super::GERMAN)); the
//! query chain ([`GERMAN_QUERY`](super::GERMAN_QUERY)) leaves words whole, so
//! a query "Netzwerk" is one term that matches the indexed part, and a query
//! "Fachkräftesicherung" is one term that matches the indexed compound
//! (see the module docs of [`super`] for why the two chains differ).
//!
//! # Splitting
//!
//! [`split_compound`] runs a dynamic programme over the word's characters.
//! Every part must be a word of the [`Dictionary`] (built from council texts,
//! see `src/analysis/dict/README.md`):
//!
//! * a part has at least [`MIN_PART_CHARS`] characters, and a
//!   three-character part must be one of [`SHORT_PARTS`] (`amt`, `bad`,
//!   `rat`, `tag`, …): short dictionary entries are otherwise mostly
//!   fragments, and "Referat" must not become "ref" + "rat";
//! * a non-final part may be followed by a linking element (*Fuge*) `-es-`,
//!   `-en-`, `-er-`, `-s-`, `-n-` or `-e-` ("Kreistag·s·beschluss",
//!   "Kind·er·garten"), which is not part of the emitted part; or it may have
//!   lost a final `-e`/`-en` ("Schul·hof" → `schule`, "Wohn·raum" →
//!   `wohnen`). Umlaut plurals need no rule: "Ärzte", "Fachkräfte" and
//!   "Häuser" are dictionary words themselves and are emitted as written;
//! * the final part is a dictionary word as written (it carries the
//!   compound's inflection: "Stadtbäumen" → `stadt`, `bäumen`), and never one
//!   of [`BOUND_FINAL`] (suffixes like `-ung`, `-heit`, `-schaft`, `-lich`
//!   that broken words leave in any corpus vocabulary);
//! * among all splits the one with the **fewest parts** wins ("Nahverkehrs-
//!   plan" → `nahverkehr`, `plan`, not `nah`, `verkehr`, `plan`), ties going
//!   to the highest product of part frequencies;
//! * a word is left whole if it is on [`NEVER_SPLIT`] (weekdays, names,
//!   lexicalised words like "Bürgermeister"), or if it is itself far more
//!   frequent than its parts ([`MAX_WHOLE_TO_PARTS_RATIO`] times their
//!   geometric mean): such a word is an established unit whose "split" is a
//!   coincidence ("Transport" ≠ "trans" + "port").
//!
//! # Recursion
//!
//! At index time the parts of a part are added too ([`index_parts`]): the
//! fewest-parts rule splits "Linienbusverkehr" into `linie` +
//! `busverkehr`, and `busverkehr` is then split into `bus` + `verkehr`, so
//! a query "Bus" finds it. A part is split further only when it is rarer
//! than its own parts (`split_part`), so established words such as
//! "Netzwerk" or "Fachkräfte" stay whole inside a compound.
//!
//! # Speed
//!
//! The dictionary is a byte trie ([`Dictionary`]). The dynamic programme
//! runs forward over the split points; from each one it walks the trie once
//! and so knows the count of every word starting there (as written, minus
//! a linking element, or with an ending restored) without hashing a
//! substring, and it stops as soon as no dictionary word starts with what
//! follows. Whether a word may be a part at all (length, [`SHORT_PARTS`],
//! [`BOUND_INITIAL`], [`BOUND_FINAL`]) is a flag on its trie node.
//!
//! Splitting still costs far more than stemming, so decompositions are
//! cached per thread exactly like stems ([`super::stem`]): a bounded
//! `HashMap` cleared when full ([`CACHE_CAPACITY`]). Words shorter than two
//! minimal parts, or containing anything but letters, are never looked up.
//! The recursion's splits of parts are cached the same way
//! ([`PART_CACHE_CAPACITY`]): a few thousand parts end most compounds.
//! The cache hashes with FxHash (`rustc-hash`): it is not
//! collision-resistant, but a text made to collide slows only this bounded
//! per-thread cache.

use std::cell::RefCell;

use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

use super::gender::feminine_base_len;

/// The dictionary shipped with the crate: `word<TAB>count` lines.
const GERMAN_WORDS: &str = include_str!("dict/de_words.tsv");

/// Shortest part, in characters.
pub const MIN_PART_CHARS: usize = 3;

/// The only three-character words that may be parts ("Bau·amt", "Hallen·bad",
/// "Gemeinde·rat", "Kreis·tag", "Nah·verkehr"). Everything else of that length
/// in a corpus vocabulary is too often a fragment or an abbreviation.
#[rustfmt::skip]
pub const SHORT_PARTS: &[&str] = &[
    "akt", "alt", "amt", "arm", "art", "ast", "bad", "bär", "bau", "bio", "box",
    "bus", "dom", "ehe", "eis", "fuß", "gas", "gut", "hof", "job", "kur", "lkw",
    "lob", "mai", "mut", "nah", "neu", "not", "ohr", "öko", "ort", "ost", "pkw",
    "rad", "rat", "rot", "ruf", "see", "ski", "süd", "tag", "tal", "tat", "tee",
    "tod", "ton", "tor", "tür", "uhr", "wal", "web", "weg", "zoo", "zug",
];

/// Linking elements, tried on every non-final part.
pub const FUGEN: &[&str] = &["es", "en", "er", "s", "n", "e"];

/// Bytes of the longest linking element in [`FUGEN`]; the splitter's early
/// stop relies on it (a test checks it against the list).
const LONGEST_FUGE: usize = 2;

/// Endings that may be restored on a non-final part ("Schul·hof" → `schule`,
/// "Wohn·raum" → `wohnen`).
pub const ELIDED: &[&str] = &["e", "en"];

/// Never a final part: derivational suffixes and inflected word ends. They
/// are dictionary "words" only because text extraction breaks words
/// ("Verwal-tung") or gender forms are split ("Bürger*innen"), and splitting
/// at them would turn every derivation into a compound ("Sicher·ung").
#[rustfmt::skip]
pub const BOUND_FINAL: &[&str] = &[
    "ung", "ungen", "rung", "rungen", "lung", "nung", "tung", "erung",
    "heit", "heiten", "keit", "keiten", "igkeit", "schaft", "schaften",
    "nis", "nisse", "lich", "liche", "lichen", "licher", "liches", "lichem",
    "lichkeit", "lichkeiten", "ation", "ationen", "ieren", "iert", "ierte",
    "ierten", "isch", "ische", "ischen", "sche", "schen", "chen", "ende",
    "enden", "ten", "tes", "ern", "reich", "reiche", "reichen", "los", "lose",
    "losen", "loser", "halt", "nahme", "nden", "ierung", "lierung",
    // Gender forms "Bürger*innen", "Ärzt:innen" make `innen` one of the most
    // frequent tokens; "Ärztinnen" is no "Ärzt" + "innen".
    "innen",
];

/// Never a non-final part: participle and verb prefixes that happen to be in
/// the vocabulary as fragments ("abge·grenzt").
#[rustfmt::skip]
pub const BOUND_INITIAL: &[&str] = &[
    "trans", "abge", "ange", "aufge", "ausge", "einge", "zuge", "vorge", "nachge",
    "mitge", "ver", "unter", "untere",
];

/// Words that look like compounds of dictionary words but must stay whole:
/// their parts are not what they mean ("Diens·tag", "Karls·ruhe", "Bürger·
/// meister" is no master).
#[rustfmt::skip]
pub const NEVER_SPLIT: &[&str] = &[
    "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag",
    "sonnabend", "sonntag", "karlsruhe", "bürgermeister", "bürgermeisterin",
    "haushalt", "haushalte", "unternehmen", "stellungnahme", "stellungnahmen",
];

/// A word is left whole when its own corpus count exceeds the geometric
/// mean of its parts' counts by this factor (Koehn & Knight 2003 use factor
/// 1; since the compound is kept anyway, only clearly lexicalised words need
/// protecting, and a lower factor loses "Gemeinde·rat"-like splits that
/// searchers expect).
pub const MAX_WHOLE_TO_PARTS_RATIO: f64 = 20.0;

/// Words of the German dictionary with their corpus counts, held as a byte
/// trie: [`split_with`] walks it once from each split point and so learns
/// the counts of every dictionary word starting there, instead of hashing
/// each candidate substring (and giving up as soon as no word can start
/// with what it has read).
pub struct Dictionary {
    trie: Trie,
    words: usize,
}

impl Dictionary {
    /// Parses `word<TAB>count` lines (other lines are ignored; a word listed
    /// twice keeps its last count).
    pub fn parse(tsv: &str) -> Dictionary {
        let words: Vec<(&str, u32)> = tsv
            .lines()
            .filter_map(|line| {
                let (word, count) = line.split_once('\t')?;
                Some((word, count.trim().parse().ok()?))
            })
            .collect();
        // Sorted by bytes; a word listed twice keeps its last count. The
        // first eight bytes as one number decide most comparisons without a
        // `memcmp`; the line number orders equal words.
        let head = |word: &str| {
            let mut bytes = [0u8; 8];
            let n = word.len().min(8);
            bytes[..n].copy_from_slice(&word.as_bytes()[..n]);
            u64::from_be_bytes(bytes)
        };
        let mut keyed: Vec<(u64, &str, usize, u32)> = words
            .iter()
            .enumerate()
            .map(|(line, &(word, count))| (head(word), word, line, count))
            .collect();
        keyed.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| a.1.as_bytes().cmp(b.1.as_bytes()))
                .then(a.2.cmp(&b.2))
        });
        let mut unique = words;
        unique.clear();
        for (_, word, _, count) in keyed {
            match unique.last_mut() {
                Some(last) if last.0 == word => last.1 = count,
                _ => unique.push((word, count)),
            }
        }
        Dictionary {
            words: unique.len(),
            trie: Trie::build(&unique),
        }
    }

    /// The dictionary shipped with the crate, parsed on first use.
    pub fn german() -> &'static Dictionary {
        static GERMAN: OnceLock<Dictionary> = OnceLock::new();
        GERMAN.get_or_init(|| Dictionary::parse(GERMAN_WORDS))
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.words
    }

    /// Whether the dictionary is empty.
    pub fn is_empty(&self) -> bool {
        self.words == 0
    }

    /// Corpus count of `word` (0 if unknown).
    pub fn count(&self, word: &str) -> u32 {
        let mut node = Trie::ROOT;
        for &byte in word.as_bytes() {
            match self.trie.child(node, byte) {
                Some(next) => node = next,
                None => return 0,
            }
        }
        self.trie.count(node)
    }

    /// The dictionary word a non-final segment stands for, with its count:
    /// the segment itself or minus a linking element, else the segment with
    /// an elided ending restored. Returns the length (bytes) of the segment's
    /// prefix that the word starts with and the ending to append. `walk`
    /// holds the trie nodes of the segment's prefixes; `chars` is the
    /// segment's length in characters.
    fn initial_part(&self, segment: &str, chars: usize, walk: &Walk) -> Option<Choice> {
        // The segment as written or minus a linking element, whichever is the
        // more frequent word (the later candidate on a tie): "straßen" →
        // `straße`, "ergebnis" stays (not the fragment "ergebni"). The bound
        // prefixes are only compared once a word is found (most segments
        // are none).
        let bytes = segment.as_bytes();
        let mut as_written: Option<Choice> = None;
        let mut consider = |len: usize| {
            let count = walk.part_count(&self.trie, len, Trie::NOT_INITIAL);
            if count > 0 && as_written.is_none_or(|best| count >= best.count) {
                as_written = Some(Choice {
                    len,
                    restored: "",
                    count,
                });
            }
        };
        consider(bytes.len());
        for fuge in FUGEN {
            let fuge = fuge.as_bytes();
            // By hand: `ends_with` on byte slices calls `memcmp`.
            if bytes.len() > fuge.len()
                && bytes[bytes.len() - fuge.len()..]
                    .iter()
                    .zip(fuge)
                    .all(|(a, b)| a == b)
            {
                consider(bytes.len() - fuge.len());
            }
        }
        let choice = match as_written {
            Some(choice) => choice,
            None => {
                if segment.ends_with('e') || chars < 4 {
                    return None;
                }
                ELIDED
                    .iter()
                    .map(|&e| Choice {
                        len: segment.len(),
                        restored: e,
                        // The restored word has more characters than the
                        // segment (at least 4): no short-part rule applies.
                        count: walk.count_with(&self.trie, segment.len(), e),
                    })
                    .filter(|c| c.count > 0)
                    .max_by_key(|c| c.count)?
            }
        };
        (!BOUND_INITIAL.contains(&segment)).then_some(choice)
    }
}

/// A byte trie of words with counts, laid out for few cache lines per step.
///
/// Every node is one *record* in `data`, and a node is named by the offset
/// of its record: `[count, flags << 24 | edges]`, then the edges' bytes in
/// order (four to a `u32`, little-endian, the last word padded), then the
/// edges' child nodes in the same order. A step reads the record's header,
/// bytes and one child, which sit together (a node with one edge is 16
/// bytes); the child's count and flags are the first words of its own
/// record, which the next step reads anyway. Records are in depth-first
/// order, so a node's first child follows it directly and a walk down
/// the rarely branching end of a word touches consecutive memory. (Nodes
/// and edges in two arrays took two or three cache misses a step on the
/// first splits of an index run, where the trie is still cold.)
struct Trie {
    /// The root's children by byte (`u32::MAX`: none), the step every walk
    /// starts with.
    root: Box<[u32; 256]>,
    data: Vec<u32>,
}

impl Trie {
    const ROOT: u32 = 0;
    /// Long enough to be a part: [`MIN_PART_CHARS`] characters, or one of
    /// [`SHORT_PARTS`] at exactly that length.
    const PART: u8 = 1;
    /// One of [`BOUND_INITIAL`].
    const NOT_INITIAL: u8 = 2;
    /// One of [`BOUND_FINAL`].
    const NOT_FINAL: u8 = 4;
    /// Bits of a record's second word that hold its number of edges.
    const EDGES: u32 = (1 << 24) - 1;

    /// The trie of `words`, which must be sorted by bytes and unique.
    fn build(words: &[(&str, u32)]) -> Trie {
        // Sorted words share their prefix with the word before: only the
        // rest needs new nodes, each child of the previous word's path, and
        // every node's children are created in byte order. Nodes are
        // numbered in the order they are created: depth first.
        let mut word_counts: Vec<u32> = vec![0];
        let mut part: Vec<bool> = vec![false];
        let mut links: Vec<(u32, u8, u32)> = Vec::new(); // (parent, byte, child)
        let mut path: Vec<u32> = vec![0];
        let mut previous: &[u8] = &[];
        for &(text, count) in words {
            let word = text.as_bytes();
            let shared = word
                .iter()
                .zip(previous)
                .take_while(|(a, b)| a == b)
                .count();
            path.truncate(shared + 1);
            for &byte in &word[shared..] {
                let child = word_counts.len() as u32;
                word_counts.push(0);
                part.push(false);
                links.push((path[path.len() - 1], byte, child));
                path.push(child);
            }
            word_counts[path[word.len()] as usize] = count;
            if text.chars().count() > MIN_PART_CHARS {
                part[path[word.len()] as usize] = true;
            }
            previous = word;
        }
        // Edges per node (a node's links are in byte order, mixed with those
        // of its subtree)…
        let nodes = word_counts.len();
        let mut degree = vec![0u32; nodes];
        for &(parent, _, _) in &links {
            degree[parent as usize] += 1;
        }
        // … give each record's size and so its offset.
        let size = |edges: u32| 2 + edges.div_ceil(4) + edges;
        let mut offset = Vec::with_capacity(nodes);
        let mut next = 0u32;
        for &edges in &degree {
            assert!(edges <= Self::EDGES, "a trie node with {edges} edges");
            offset.push(next);
            next = next
                .checked_add(size(edges))
                .expect("a trie of fewer than 2^32 u32s");
        }
        let mut data = vec![0u32; next as usize];
        for node in 0..nodes {
            let at = offset[node] as usize;
            data[at] = word_counts[node];
            data[at + 1] =
                (if part[node] { u32::from(Self::PART) } else { 0 }) << 24 | degree[node];
        }
        let mut filled = vec![0u32; nodes];
        let mut root = Box::new([u32::MAX; 256]);
        for (parent, byte, child) in links {
            let (p, i) = (parent as usize, filled[parent as usize]);
            let at = offset[p] as usize + 2;
            data[at + (i / 4) as usize] |= u32::from(byte) << (8 * (i % 4));
            data[at + degree[p].div_ceil(4) as usize + i as usize] = offset[child as usize];
            filled[p] += 1;
            if parent == 0 {
                root[usize::from(byte)] = offset[child as usize];
            }
        }
        let mut trie = Trie { root, data };
        for (words, flag) in [
            (SHORT_PARTS, Self::PART),
            (BOUND_INITIAL, Self::NOT_INITIAL),
            (BOUND_FINAL, Self::NOT_FINAL),
        ] {
            for word in words {
                if let Some(node) = trie.find(word) {
                    trie.data[node as usize + 1] |= u32::from(flag) << 24;
                }
            }
        }
        trie
    }

    /// The node of `word`, if some dictionary word starts with it.
    fn find(&self, word: &str) -> Option<u32> {
        word.bytes()
            .try_fold(Self::ROOT, |node, byte| self.child(node, byte))
    }

    fn child(&self, node: u32, byte: u8) -> Option<u32> {
        if node == Self::ROOT {
            let child = self.root[usize::from(byte)];
            return (child != u32::MAX).then_some(child);
        }
        let at = node as usize;
        let edges = (self.data[at + 1] & Self::EDGES) as usize;
        let words = edges.div_ceil(4);
        let record = self.data.get(at + 2..at + 2 + words + edges)?;
        let (bytes, children) = record.split_at(words);
        // Each word of four edge bytes is searched at once: a byte of `x`
        // is zero where the edge byte is `byte`, and the lowest set bit of
        // `found` marks the first such byte (bits above it may be false).
        for (w, &four) in bytes.iter().enumerate() {
            let x = four ^ (u32::from(byte) * 0x0101_0101);
            let found = x.wrapping_sub(0x0101_0101) & !x & 0x8080_8080;
            if found != 0 {
                // A match in the last word's padding is none.
                return children
                    .get(w * 4 + (found.trailing_zeros() / 8) as usize)
                    .copied();
            }
        }
        None
    }

    fn count(&self, node: u32) -> u32 {
        self.data[node as usize]
    }

    fn flags(&self, node: u32) -> u8 {
        (self.data[node as usize + 1] >> 24) as u8
    }
}

/// The trie nodes of every prefix of a string that some word starts with:
/// `nodes[k]` is the node of the string's first `k` bytes.
#[derive(Default)]
struct Walk {
    nodes: Vec<u32>,
}

impl Walk {
    /// Walks `text` from the root as far as the trie goes.
    fn fill(&mut self, trie: &Trie, text: &[u8]) {
        self.nodes.clear();
        self.nodes.push(Trie::ROOT);
        let mut node = Trie::ROOT;
        for &byte in text {
            match trie.child(node, byte) {
                Some(next) => {
                    node = next;
                    self.nodes.push(node);
                }
                None => break,
            }
        }
    }

    /// Length in bytes of the longest prefix some word starts with.
    fn reach(&self) -> usize {
        self.nodes.len() - 1
    }

    /// Count of the first `len` bytes as a compound part (0 if no word,
    /// too short, or flagged with `not`).
    fn part_count(&self, trie: &Trie, len: usize, not: u8) -> u32 {
        let Some(&node) = self.nodes.get(len) else {
            return 0;
        };
        if trie.flags(node) & (Trie::PART | not) == Trie::PART {
            trie.count(node)
        } else {
            0
        }
    }

    /// Dictionary count of the first `len` bytes followed by `suffix`.
    fn count_with(&self, trie: &Trie, len: usize, suffix: &str) -> u32 {
        let Some(&(mut node)) = self.nodes.get(len) else {
            return 0;
        };
        for &byte in suffix.as_bytes() {
            match trie.child(node, byte) {
                Some(next) => node = next,
                None => return 0,
            }
        }
        trie.count(node)
    }
}

/// How a segment of the word becomes a part: its first `len` bytes plus
/// `restored`.
#[derive(Clone, Copy)]
struct Choice {
    len: usize,
    restored: &'static str,
    count: u32,
}

/// The best split of `word[..end]` found so far, as a back pointer.
#[derive(Clone, Copy)]
struct Cell {
    parts: usize,
    log_count: f64,
    /// Byte offset where the last part's segment starts.
    start: usize,
    choice: Choice,
}

/// Splits a lowercased word into its parts with the [`Dictionary::german`]
/// dictionary; `None` if it is not a compound. See the module docs.
///
/// ```
/// use ratsuche::analysis::decompound::split_compound;
///
/// assert_eq!(split_compound("kreistagsbeschluss").unwrap(), ["kreistag", "beschluss"]);
/// assert_eq!(split_compound("halle"), None);
/// ```
///
/// A feminine person noun is split by its masculine base (the base
/// [`gender`](super::gender) cuts it to), so "Sachbearbeiterinnen" gives the
/// parts of "Sachbearbeiter", and "Lehrerinnen" is not read as "Lehre" +
/// "Rinnen".
pub fn split_compound(word: &str) -> Option<Vec<String>> {
    let base = feminine_base_len(word).map_or(word, |len| &word[..len]);
    split_with(Dictionary::german(), base)
}

/// Most levels [`index_parts`] splits parts of parts.
pub const MAX_SPLIT_DEPTH: usize = 3;

/// The parts the index adds for `word`: its [`split_compound`] parts, then
/// the parts of those parts that are clearly compounds themselves
/// (`split_part`: rarer than their own parts), and so on
/// ("Linienbusverkehr" → `linie`, `busverkehr`, `bus`, `verkehr`), each
/// once; `None` if `word` is not a compound. A part is split by the same
/// rules as a word on its own, so the index holds the same terms for
/// "Busverkehr" inside a compound as for "Busverkehr" alone.
///
/// ```
/// use ratsuche::analysis::decompound::index_parts;
///
/// let parts = index_parts("linienbusverkehr").unwrap();
/// assert!(parts.iter().any(|p| p == "bus"), "{parts:?}");
/// ```
pub fn index_parts(word: &str) -> Option<Vec<String>> {
    let mut parts = split_compound(word)?;
    let mut level = 0..parts.len();
    for _ in 1..MAX_SPLIT_DEPTH {
        let mut next = Vec::new();
        for i in level.clone() {
            for sub in split_part_cached(&parts[i]).into_iter().flatten() {
                if !parts.contains(&sub) && !next.contains(&sub) {
                    next.push(sub);
                }
            }
        }
        if next.is_empty() {
            break;
        }
        level = parts.len()..parts.len() + next.len();
        parts.extend(next);
    }
    Some(parts)
}

/// A part's own parts, if it is clearly a compound: split by
/// [`split_compound`] and no more frequent than the geometric mean of its
/// parts (Koehn & Knight's factor 1, not [`MAX_WHOLE_TO_PARTS_RATIO`]).
/// Parts are the established words of a compound; the looser rule for
/// whole words would split "Netzwerk" in "Ärztenetzwerk" into `netz` +
/// `werk` and "Fachkräfte" into `fach` + `kräfte`, so "Werk" would find
/// every Ärztenetzwerk.
fn split_part(part: &str) -> Option<Vec<String>> {
    let parts = split_compound(part)?;
    let dict = Dictionary::german();
    let log_sum: f64 = parts
        .iter()
        .map(|p| f64::from(dict.count(p).max(1)).ln())
        .sum();
    let geometric_mean = (log_sum / parts.len() as f64).exp();
    (f64::from(dict.count(part)) <= geometric_mean).then_some(parts)
}

/// Parts a thread's cache of [`split_part`] results holds before it is
/// cleared. Parts are dictionary words, and a few thousand of them make up
/// most compounds: Karlsruhe's words need ~345,000 part splits, of ~30,000
/// distinct parts.
pub const PART_CACHE_CAPACITY: usize = 50_000;

thread_local! {
    static PART_SPLITS: RefCell<HashMap<String, Option<Vec<String>>>> =
        RefCell::new(HashMap::default());
}

/// [`split_part`] through this thread's cache: the same parts, each part
/// split once instead of once per compound it ends.
fn split_part_cached(part: &str) -> Option<Vec<String>> {
    PART_SPLITS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(found) = cache.get(part) {
            return found.clone();
        }
        let found = split_part(part);
        if cache.len() >= PART_CACHE_CAPACITY {
            cache.clear();
        }
        cache.insert(part.to_string(), found.clone());
        found
    })
}

/// Whether `word` can be a compound at all (cheap; no dictionary lookup).
fn may_be_compound(word: &str) -> bool {
    if word.len() < 2 * MIN_PART_CHARS {
        return false;
    }
    // An ASCII word has as many characters as bytes.
    let letters = if word.is_ascii() {
        word.bytes().all(|b| b.is_ascii_alphabetic())
    } else {
        word.chars().count() >= 2 * MIN_PART_CHARS && word.chars().all(char::is_alphabetic)
    };
    letters && !NEVER_SPLIT.contains(&word)
}

/// The buffers of [`split_with`], kept per thread: a split is run for
/// every new word of an index run, and allocating them each time cost
/// more than a third of it.
#[derive(Default)]
struct Scratch {
    bounds: Vec<usize>,
    best: Vec<Option<Cell>>,
    walk: Walk,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// [`split_compound`] with any dictionary.
pub fn split_with(dict: &Dictionary, word: &str) -> Option<Vec<String>> {
    if !may_be_compound(word) {
        return None;
    }
    // `split_in` never calls back into `split_with`, so the borrow cannot
    // fail today; a fresh scratch keeps a future re-entry from panicking.
    SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut scratch) => split_in(dict, word, &mut scratch),
        Err(_) => split_in(dict, word, &mut Scratch::default()),
    })
}

/// [`split_with`] of a word that may be a compound, in `scratch`.
fn split_in(dict: &Dictionary, word: &str, scratch: &mut Scratch) -> Option<Vec<String>> {
    let Scratch { bounds, best, walk } = scratch;
    // Char boundaries; best[k] is the best split of word[..bounds[k]].
    bounds.clear();
    bounds.extend(word.char_indices().map(|(i, _)| i));
    bounds.push(word.len());
    let last = bounds.len() - 1;
    best.clear();
    best.resize(bounds.len(), None);
    // Forward over the split points: best[start] is final once every part
    // ending at `start` has been tried, and the parts ending at any `end`
    // are offered in the order of their starts, so ties go the same way as
    // in a loop over ends.
    for start in 0..=last - MIN_PART_CHARS {
        let (parts, log_count) = match (start, &best[start]) {
            (0, _) => (0, 0.0),
            (_, Some(cell)) => (cell.parts, cell.log_count),
            (_, None) => continue,
        };
        walk.fill(&dict.trie, &word.as_bytes()[bounds[start]..]);
        for end in start + MIN_PART_CHARS..=last {
            let segment = &word[bounds[start]..bounds[end]];
            // Every candidate word starts with the segment minus at most a
            // linking element: once no word starts with that, no longer
            // segment can match either.
            if segment.len() > walk.reach() + LONGEST_FUGE {
                break;
            }
            let choice = if end == last {
                // The whole word is no split of itself.
                let count = match start {
                    0 => 0,
                    _ => walk.part_count(&dict.trie, segment.len(), Trie::NOT_FINAL),
                };
                if count == 0 {
                    continue;
                }
                Choice {
                    len: segment.len(),
                    restored: "",
                    count,
                }
            } else {
                match dict.initial_part(segment, end - start, walk) {
                    Some(choice) => choice,
                    None => continue,
                }
            };
            if choice.count == 0 {
                continue;
            }
            let cell = Cell {
                parts: parts + 1,
                log_count: log_count + f64::from(choice.count).ln(),
                start: bounds[start],
                choice,
            };
            let better = match &best[end] {
                None => true,
                Some(b) => {
                    cell.parts < b.parts || (cell.parts == b.parts && cell.log_count > b.log_count)
                }
            };
            if better {
                best[end] = Some(cell);
            }
        }
    }
    let found = best[last]?;
    let geometric_mean = (found.log_count / found.parts as f64).exp();
    if f64::from(dict.count(word)) > MAX_WHOLE_TO_PARTS_RATIO * geometric_mean {
        return None;
    }
    // Follow the back pointers from the end of the word.
    let mut parts = Vec::with_capacity(found.parts);
    let mut cell = found;
    loop {
        let Choice { len, restored, .. } = cell.choice;
        let mut part = String::with_capacity(len + restored.len());
        part.push_str(&word[cell.start..cell.start + len]);
        part.push_str(restored);
        parts.push(part);
        if cell.start == 0 {
            break;
        }
        let index = bounds.binary_search(&cell.start).expect("a char boundary");
        cell = best[index].expect("a split of the prefix");
    }
    parts.reverse();
    Some(parts)
}

/// Entries a thread's decomposition cache holds before it is cleared. In
/// the index chains [`super::memo::Memo`] already runs this filter once per
/// distinct word as written, so what reaches the cache is the lowercased
/// form of a word new to the memo: it hits only for another spelling of
/// a word seen before ("Kreistag", "KREISTAG"), which the frequent words
/// are. (Without the memo, Karlsruhe's ~255,000 distinct words that may be
/// compounds needed 250,000 entries, ~25 MB per thread.)
pub const CACHE_CAPACITY: usize = 50_000;

thread_local! {
    static CACHE: RefCell<HashMap<String, Option<Box<[String]>>>> =
        RefCell::new(HashMap::default());
}

/// Calls `f` with the cached parts of `word` (or `None`), splitting on a miss.
fn with_parts<R>(word: &str, f: impl FnOnce(Option<&[String]>) -> R) -> R {
    // Most tokens are short or contain digits: no need to cache those.
    if !may_be_compound(word) {
        return f(None);
    }
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(parts) = cache.get(word) {
            return f(parts.as_deref());
        }
        if cache.len() >= CACHE_CAPACITY {
            cache.clear();
        }
        let parts = index_parts(word).map(Vec::into_boxed_slice);
        let result = f(parts.as_deref());
        cache.insert(word.to_string(), parts);
        result
    })
}

/// Token filter adding compound parts at the compound's position (German
/// indexing chain only).
#[derive(Clone, Copy, Debug, Default)]
pub struct Decompounder;

impl TokenFilter for Decompounder {
    type Tokenizer<T: Tokenizer> = DecompounderFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> DecompounderFilter<T> {
        // Parse the dictionary now, not inside the first document's tokens.
        Dictionary::german();
        DecompounderFilter {
            inner: tokenizer,
            buffers: PartBuffers::default(),
        }
    }
}

/// [`Tokenizer`] wrapper built by [`Decompounder`].
#[derive(Clone)]
pub struct DecompounderFilter<T> {
    inner: T,
    /// Lent to each token stream: a memoised chain makes one stream per
    /// new word, and buffers of its own would be allocated each time.
    buffers: PartBuffers,
}

/// The buffers of a [`DecompounderTokenStream`].
#[derive(Clone, Default)]
struct PartBuffers {
    /// Parts of the last compound, emitted after it in order, concatenated
    /// (one buffer reused for every compound instead of a `String` each).
    parts: String,
    /// End (byte offset in `parts`) of each part.
    part_ends: Vec<usize>,
    /// The part being emitted (a copy of the compound token, buffers reused).
    part: Token,
}

impl<T: Tokenizer> Tokenizer for DecompounderFilter<T> {
    type TokenStream<'a> = DecompounderTokenStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        let buffers = &mut self.buffers;
        buffers.parts.clear();
        buffers.part_ends.clear();
        DecompounderTokenStream {
            tail: self.inner.token_stream(text),
            parts: &mut buffers.parts,
            part_ends: &mut buffers.part_ends,
            next_part: 0,
            part: &mut buffers.part,
        }
    }
}

/// Token stream of [`DecompounderFilter`]: the tail's tokens, each followed
/// by its parts.
pub struct DecompounderTokenStream<'a, T> {
    tail: T,
    /// Parts of the last compound, emitted after it in order, concatenated.
    parts: &'a mut String,
    /// End (byte offset in `parts`) of each part.
    part_ends: &'a mut Vec<usize>,
    /// Index into `part_ends` of the part to emit next; `0` with no parts
    /// means the current token is the tail's.
    next_part: usize,
    /// The part being emitted (a copy of the compound token).
    part: &'a mut Token,
}

impl<T: TokenStream> DecompounderTokenStream<'_, T> {
    fn emitting_part(&self) -> bool {
        self.next_part > 0
    }
}

impl<T: TokenStream> TokenStream for DecompounderTokenStream<'_, T> {
    fn advance(&mut self) -> bool {
        if self.emitting_part() || !self.part_ends.is_empty() {
            if self.next_part < self.part_ends.len() {
                let compound = self.tail.token();
                let from = match self.next_part {
                    0 => 0,
                    i => self.part_ends[i - 1],
                };
                self.part.text.clear();
                self.part
                    .text
                    .push_str(&self.parts[from..self.part_ends[self.next_part]]);
                self.part.position = compound.position;
                self.part.offset_from = compound.offset_from;
                self.part.offset_to = compound.offset_to;
                self.part.position_length = compound.position_length;
                self.next_part += 1;
                return true;
            }
            self.parts.clear();
            self.part_ends.clear();
            self.next_part = 0;
        }
        if !self.tail.advance() {
            return false;
        }
        let (parts, part_ends) = (&mut *self.parts, &mut *self.part_ends);
        with_parts(&self.tail.token().text, |found| {
            for part in found.into_iter().flatten() {
                parts.push_str(part);
                part_ends.push(parts.len());
            }
        });
        true
    }

    fn token(&self) -> &Token {
        if self.emitting_part() {
            self.part
        } else {
            self.tail.token()
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        if self.emitting_part() {
            self.part
        } else {
            self.tail.token_mut()
        }
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::{LowerCaser, TextAnalyzer};

    use super::*;
    use crate::analysis::test_util::{assert_token, collect_tokens, texts};
    use crate::analysis::tokenizer::CouncilTokenizer;

    #[test]
    fn cached_part_splits_are_the_part_splits() {
        // Runs on its own test thread: the cache starts empty.
        let parts = index_parts("linienbusverkehr").unwrap();
        assert!(parts.iter().any(|p| p == "bus"), "{parts:?}");
        assert!(PART_SPLITS.with(|c| c.borrow().contains_key("busverkehr")));
        let mut lower = TextAnalyzer::builder(CouncilTokenizer::default())
            .filter(LowerCaser)
            .build();
        let mut checked = 0;
        for text in crate::test_texts::repository_texts() {
            let mut stream = lower.token_stream(&text);
            while let Some(token) = stream.next() {
                for part in split_compound(&token.text).into_iter().flatten() {
                    let want = split_part(&part);
                    assert_eq!(split_part_cached(&part), want, "{part}");
                    assert_eq!(split_part_cached(&part), want, "{part} (cached)");
                    checked += 1;
                }
            }
        }
        assert!(checked > 1_000, "only {checked} parts checked");
    }

    #[test]
    fn longest_fuge_is_the_longest_linking_element() {
        let longest = FUGEN.iter().map(|f| f.len()).max().unwrap();
        assert_eq!(LONGEST_FUGE, longest, "update LONGEST_FUGE with FUGEN");
    }

    fn dict() -> Dictionary {
        Dictionary::parse(
            "kreistag\t50\nkreis\t200\ntag\t900\nbeschluss\t500\nhalle\t300\nhall\t40\n\
             ärzte\t100\nnetzwerk\t300\nschule\t400\nhof\t300\nref\t90\nrat\t100\n\
             referat\t130\nsicher\t200\nung\t30\ntrans\t16\nport\t13\ntransport\t2000\n\
             wohnen\t300\nraum\t500\nnahverkehr\t100\nnah\t50\nverkehr\t3000\nplan\t3000\n",
        )
    }

    fn split(word: &str) -> Option<Vec<String>> {
        split_with(&dict(), word)
    }

    #[test]
    fn linking_elements_are_dropped() {
        assert_eq!(
            split("kreistagsbeschluss").unwrap(),
            ["kreistag", "beschluss"]
        );
        assert_eq!(split("ärztenetzwerk").unwrap(), ["ärzte", "netzwerk"]);
        assert_eq!(split("hallenbeschluss").unwrap(), ["halle", "beschluss"]);
    }

    #[test]
    fn elided_endings_are_restored() {
        assert_eq!(split("schulhof").unwrap(), ["schule", "hof"]);
        assert_eq!(split("wohnraum").unwrap(), ["wohnen", "raum"]);
    }

    #[test]
    fn fewest_parts_win() {
        assert_eq!(split("nahverkehrsplan").unwrap(), ["nahverkehr", "plan"]);
        assert_eq!(split("kreistag").unwrap(), ["kreis", "tag"]);
    }

    #[test]
    fn fragments_and_suffixes_are_no_parts() {
        // "hall" + "e": the final part is too short; "sicher" + "ung": a suffix;
        // "ref" + "rat": "ref" is no allowed short part.
        assert_eq!(split("halle"), None);
        assert_eq!(split("sicherung"), None);
        assert_eq!(split("referat"), None);
        assert_eq!(split("hallen"), None);
    }

    #[test]
    fn frequent_words_with_implausible_splits_stay_whole() {
        // 2000 > 20 × √(16 × 13).
        assert_eq!(split("transport"), None);
    }

    #[test]
    fn never_split_and_non_letters() {
        assert_eq!(split("dienstag"), None);
        assert_eq!(split("kreistag2025"), None);
        assert_eq!(split("tag"), None);
    }

    #[test]
    fn parts_follow_the_compound_at_its_position() {
        let mut analyzer = TextAnalyzer::builder(CouncilTokenizer::default())
            .filter(LowerCaser)
            .filter(Decompounder)
            .build();
        let t = collect_tokens(&mut analyzer, "Der Kreistagsbeschluss zur Halle");
        assert_eq!(
            texts(&t),
            [
                "der",
                "kreistagsbeschluss",
                "kreistag",
                "beschluss",
                "kreis",
                "tag",
                "zur",
                "halle"
            ]
        );
        assert_token(&t[1], 1, "kreistagsbeschluss", 4, 22);
        assert_token(&t[2], 1, "kreistag", 4, 22);
        assert_token(&t[3], 1, "beschluss", 4, 22);
        // Parts of parts follow, at the same position.
        assert_token(&t[5], 1, "tag", 4, 22);
        assert_token(&t[6], 2, "zur", 23, 26);
        assert_token(&t[7], 3, "halle", 27, 32);
    }

    #[test]
    fn compound_at_the_end_of_the_text_emits_all_parts() {
        let mut analyzer = TextAnalyzer::builder(CouncilTokenizer::default())
            .filter(LowerCaser)
            .filter(Decompounder)
            .build();
        let t = collect_tokens(&mut analyzer, "Fachkräftesicherung");
        assert_eq!(
            texts(&t),
            ["fachkräftesicherung", "fachkräfte", "sicherung"]
        );
        assert!(t.iter().all(|t| t.position == 0));
    }

    #[test]
    fn feminine_forms_are_split_by_their_base() {
        assert_eq!(split_compound("lehrerinnen"), None);
        assert_eq!(split_compound("ärztinnen"), None);
        assert_eq!(
            split_compound("sachbearbeiterinnen"),
            split_compound("sachbearbeiter")
        );
        assert!(split_compound("sachbearbeiter").is_some());
    }

    #[test]
    fn parts_of_parts_are_split_too_each_once() {
        let parts = index_parts("linienbusverkehr").unwrap();
        assert_eq!(&parts[..2], split_compound("linienbusverkehr").unwrap());
        for part in ["bus", "verkehr"] {
            assert!(parts.iter().any(|p| p == part), "{parts:?}");
        }
        let mut unique = parts.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), parts.len(), "{parts:?}");
        assert_eq!(index_parts("halle"), None);
        // Established parts stay whole ("Netzwerk" is more frequent than
        // "Netz" and "Werk").
        assert_eq!(index_parts("ärztenetzwerk").unwrap(), ["ärzte", "netzwerk"]);
    }

    #[test]
    fn dictionary_counts_whole_words_only_last_listing_wins() {
        let d = Dictionary::parse("kreis\t5\nkreistag\t7\nkreis\t9\nrat\tx\n\tbad\närzte\t3\n");
        assert_eq!(d.len(), 3);
        assert_eq!(d.count("kreis"), 9);
        assert_eq!(d.count("kreistag"), 7);
        assert_eq!(d.count("ärzte"), 3);
        for unknown in ["krei", "kreist", "kreistage", "rat", "", "ä"] {
            assert_eq!(d.count(unknown), 0, "{unknown:?}");
        }
    }

    #[test]
    fn trie_gives_every_shipped_count_and_nothing_else() {
        // The shipped list against a plain map, last listing winning.
        let mut want: std::collections::HashMap<&str, u32> = Default::default();
        for line in GERMAN_WORDS.lines() {
            if let Some((word, count)) = line.split_once('\t') {
                if let Ok(count) = count.trim().parse() {
                    want.insert(word, count);
                }
            }
        }
        let dict = Dictionary::german();
        assert_eq!(dict.len(), want.len());
        let mut absent = 0;
        for (&word, &count) in &want {
            assert_eq!(dict.count(word), count, "{word}");
            // Every prefix and a few extensions: a word's count or 0.
            for (end, _) in word.char_indices() {
                let prefix = &word[..end];
                assert_eq!(dict.count(prefix), want.get(prefix).copied().unwrap_or(0));
            }
            for tail in ["\0", "q", "zz", "ß", "\u{ff}"] {
                let longer = format!("{word}{tail}");
                let count = want.get(longer.as_str()).copied().unwrap_or(0);
                absent += usize::from(count == 0);
                assert_eq!(dict.count(&longer), count, "{longer}");
            }
        }
        assert!(absent > 100_000, "{absent}");
        // Nodes with many edges (more than one word of edge bytes) exist.
        let trie = &dict.trie;
        let wide = trie.find("ver").expect("a node");
        assert!(trie.data[wide as usize + 1] & Trie::EDGES > 8);
    }

    #[test]
    fn trie_nodes_know_bytes_in_every_position_of_their_edge_words() {
        // One node ("k") with the edge bytes 0x01, 0x7f, 0xc3 ("ä") and
        // 'a'..='f' (three words of edge bytes, the last padded with 0):
        // each is found, their neighbours and the padding are not.
        let words = [
            "k\u{1}", "k\u{7f}", "kä", "ka", "kb", "kc", "kd", "ke", "kf",
        ];
        let tsv: String = words
            .iter()
            .enumerate()
            .map(|(i, w)| format!("{w}\t{}\n", i + 1))
            .collect();
        let d = Dictionary::parse(&tsv);
        for (i, w) in words.iter().enumerate() {
            assert_eq!(d.count(w), i as u32 + 1, "{w:?}");
        }
        for w in ["k\u{0}", "k\u{2}", "k`", "kg", "kz", "k", "kaa"] {
            assert_eq!(d.count(w), 0, "{w:?}");
        }
    }

    #[test]
    fn shipped_dictionary_loads() {
        let dict = Dictionary::german();
        assert!(dict.len() > 10_000, "{} words", dict.len());
        assert!(dict.count("beschluss") > 0);
    }
}
