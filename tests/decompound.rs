//! Compound splitting: the hand-labelled test set and searches through a
//! real tantivy index.
//!
//! `tests/data/decompound/compounds.tsv` holds compounds and non-compounds
//! from Karlsruhe council papers with the split a human expects (conventions
//! in the README beside it). Splits are compared after the feminine rule,
//! stemming and umlaut folding, i.e. as the index sees the parts:
//! `kreistags` and `kreistag`, `straßen` and `straße`, `leiterin` and
//! `leiter` are the same part.

use ratsuche::analysis::decompound::{index_parts, split_compound};
use ratsuche::analysis::gender::feminine_base_len;
use ratsuche::analysis::german_normalize::normalize;
use ratsuche::analysis::stem::stem_raw;
use ratsuche::analysis::{analyze, analyze_query, query_tokenizers, register, Lang, GERMAN};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, STORED,
};
use tantivy::{doc, Index, IndexWriter, TantivyDocument, Term};

const COMPOUNDS: &str = include_str!("data/decompound/compounds.tsv");

/// A part as the index sees it: feminine ending cut, stemmed, folded.
fn key(part: &str) -> String {
    let base = feminine_base_len(part).map_or(part, |len| &part[..len]);
    normalize(&stem_raw(Lang::German, base))
}

struct Labelled<'a> {
    word: &'a str,
    /// Acceptable splits; one single-part split for a non-compound.
    splits: Vec<Vec<&'a str>>,
}

fn test_set() -> Vec<Labelled<'static>> {
    COMPOUNDS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let (word, expected) = line.split_once('\t').expect("word<TAB>split");
            Labelled {
                word,
                splits: expected
                    .split('|')
                    .map(|s| s.split('+').collect())
                    .collect(),
            }
        })
        .collect()
}

#[test]
fn test_set_is_well_formed() {
    let set = test_set();
    let compounds = set.iter().filter(|l| l.splits[0].len() > 1).count();
    assert!(compounds >= 300, "{compounds} compounds");
    assert!(
        set.len() - compounds >= 50,
        "{} non-compounds",
        set.len() - compounds
    );
    for l in &set {
        assert_eq!(l.word, l.word.to_lowercase(), "{}", l.word);
        // All alternatives agree on whether the word is a compound.
        let compound = l.splits[0].len() > 1;
        assert!(
            l.splits.iter().all(|s| (s.len() > 1) == compound),
            "{}",
            l.word
        );
        if !compound {
            assert_eq!(l.splits[0][0], l.word);
        }
    }
}

/// Precision: of the words the splitter splits, the share split exactly as
/// labelled (same parts, compared as the index sees them). Recall: of the
/// labelled compounds, the share split exactly so. A wrong split of a
/// compound counts against both; a split non-compound against precision.
#[test]
fn splits_match_the_labelled_test_set() {
    let (mut correct, mut split, mut compounds) = (0usize, 0usize, 0usize);
    let mut errors = Vec::new();
    for l in test_set() {
        let is_compound = l.splits[0].len() > 1;
        compounds += usize::from(is_compound);
        let got = split_compound(l.word);
        let Some(got) = got else {
            if is_compound {
                errors.push(format!("missed  {} (expected {:?})", l.word, l.splits[0]));
            }
            continue;
        };
        split += 1;
        let got_keys: Vec<String> = got.iter().map(|p| key(p)).collect();
        let ok = is_compound
            && l.splits
                .iter()
                .any(|s| s.iter().map(|p| key(p)).eq(got_keys.iter().cloned()));
        if ok {
            correct += 1;
        } else {
            errors.push(format!(
                "wrong   {} → {got:?} (expected {:?})",
                l.word, l.splits[0]
            ));
        }
    }
    let precision = correct as f64 / split as f64;
    let recall = correct as f64 / compounds as f64;
    println!(
        "decompounding: precision {precision:.3} ({correct}/{split}), recall {recall:.3} \
         ({correct}/{compounds})\n{}",
        errors.join("\n")
    );
    assert!(precision >= PRECISION_AT_LEAST, "precision {precision:.3}");
    assert!(recall >= RECALL_AT_LEAST, "recall {recall:.3}");
}

/// Index-time recursion ([`index_parts`]) against the labels: every part
/// that is split further and is itself a labelled word must be labelled a
/// compound with the same parts. Prints how many sub-splits were checked.
#[test]
fn parts_of_parts_agree_with_the_labels() {
    let set = test_set();
    let labels: std::collections::HashMap<&str, &Vec<Vec<&str>>> =
        set.iter().map(|l| (l.word, &l.splits)).collect();
    let (mut checked, mut agree, mut extended) = (0usize, 0usize, 0usize);
    let (mut errors, mut gained) = (Vec::new(), Vec::new());
    for l in &set {
        let (Some(top), Some(all)) = (split_compound(l.word), index_parts(l.word)) else {
            continue;
        };
        if all.len() == top.len() {
            continue;
        }
        extended += 1;
        gained.push(format!("{}: +{:?}", l.word, &all[top.len()..]));
        for part in &top {
            let Some(sub) = split_compound(part).filter(|sub| sub.iter().all(|p| all.contains(p)))
            else {
                continue;
            };
            let Some(splits) = labels.get(part.as_str()) else {
                continue;
            };
            checked += 1;
            let sub_keys: Vec<String> = sub.iter().map(|p| key(p)).collect();
            if splits
                .iter()
                .any(|s| s.iter().map(|p| key(p)).eq(sub_keys.iter().cloned()))
            {
                agree += 1;
            } else {
                errors.push(format!(
                    "{} → {part} → {sub:?} (labelled {:?})",
                    l.word, splits[0]
                ));
            }
        }
    }
    println!(
        "recursive parts: {extended} words gain parts of parts; {agree}/{checked} sub-splits of \
         labelled parts agree with their labels\n{}\n{}",
        errors.join("\n"),
        gained.join("; ")
    );
    assert!(
        agree as f64 >= PRECISION_AT_LEAST * checked as f64,
        "{agree}/{checked}"
    );
}

/// Set a little below what the splitter achieves (see the printed figures).
const PRECISION_AT_LEAST: f64 = 0.95;
const RECALL_AT_LEAST: f64 = 0.88;

// --- Through a real index -------------------------------------------------

const DOCS: &[&str] = &[
    "Maßnahmen zur Fachkräftesicherung in der Pflege",
    "Das Ärztenetzwerk Südstadt stellt sich vor",
    "Fortschreibung des Nahverkehrsplans 2025",
    "Der Kreistagsbeschluss vom Mai wird umgesetzt",
    "Die Halle am Festplatz wird saniert",
    "Fachkräfte-Sicherung im Handwerk",
    "Sicherung von Fachkräften für Kitas",
    "Das Referat für Transport und Verwaltung",
];

fn schema() -> Schema {
    let mut builder = Schema::builder();
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(GERMAN)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    builder.add_text_field(
        "body",
        TextOptions::default().set_indexing_options(indexing),
    );
    builder.add_u64_field("id", STORED);
    builder.build()
}

struct Fixture {
    index: Index,
    body: Field,
    id: Field,
}

fn fixture() -> tantivy::Result<Fixture> {
    let index = Index::create_in_ram(schema());
    register(&index);
    let body = index.schema().get_field("body")?;
    let id = index.schema().get_field("id")?;
    let mut writer: IndexWriter = index.writer(15_000_000)?;
    for (i, text) in DOCS.iter().enumerate() {
        writer.add_document(doc!(body => *text, id => i as u64))?;
    }
    writer.commit()?;
    Ok(Fixture { index, body, id })
}

impl Fixture {
    /// The wiring the search side needs: the query chain via
    /// `query_tokenizers()`, all words required.
    fn parser(&self) -> QueryParser {
        let mut parser = QueryParser::new(self.index.schema(), vec![self.body], query_tokenizers());
        parser.set_conjunction_by_default();
        parser
    }

    /// Ids of the documents `query` finds, sorted.
    fn ids(&self, query: &dyn Query) -> Vec<u64> {
        let searcher = self.index.reader().expect("reader").searcher();
        let top = searcher
            .search(query, &TopDocs::with_limit(100).order_by_score())
            .expect("search");
        let mut ids: Vec<u64> = top
            .into_iter()
            .map(|(_, address)| {
                let doc: TantivyDocument = searcher.doc(address).expect("doc");
                doc.get_first(self.id).and_then(|v| v.as_u64()).expect("id")
            })
            .collect();
        ids.sort_unstable();
        ids
    }

    fn find(&self, query: &str) -> Vec<u64> {
        let query = self
            .parser()
            .parse_query(query)
            .unwrap_or_else(|e| panic!("{query}: {e}"));
        self.ids(&*query)
    }
}

#[test]
fn issue_4_parts_find_their_compounds() -> tantivy::Result<()> {
    let f = fixture()?;
    for (query, expected) in [
        // Parts find the compound (and the documents writing them apart).
        ("Fachkräfte", &[0, 5, 6][..]),
        ("Sicherung", &[0, 5, 6]),
        ("Netzwerk Ärzte", &[1]),
        ("Ärzte", &[1]),
        ("Ärztin", &[1]),
        ("Netzwerk", &[1]),
        ("Nahverkehr Plan", &[2]),
        ("Nahverkehr", &[2]),
        ("Kreistag Beschluss", &[3]),
        ("Beschluss", &[3]),
        // Compounds find themselves.
        ("Fachkräftesicherung", &[0]),
        ("Ärztenetzwerk", &[1]),
        ("Nahverkehrsplan", &[2]),
        ("Kreistagsbeschluss", &[3]),
        ("Halle", &[4]),
        // No fragments. ("hall" would find "Halle", but through the stemmer,
        // which makes `hall` of both: "Halle" itself is one term, see
        // `index_and_query_terms`.)
        ("Rat", &[]),
        ("Port", &[]),
        ("Trans", &[]),
        ("Walt", &[]),
        // Parts of parts: `kreistag` (rarer than "Kreis" and "Tag") is split
        // further, as the word "Kreistag" alone is (labelled `kreis+tag`);
        // `netzwerk` (more frequent than its "parts") is not.
        ("Kreis", &[3]),
        ("Netz", &[]),
    ] {
        assert_eq!(f.find(query), expected, "query {query}");
    }
    Ok(())
}

#[test]
fn parts_share_the_compounds_position() -> tantivy::Result<()> {
    let f = fixture()?;
    // A phrase over the compound's neighbours still matches: the parts do
    // not push the following words to later positions.
    assert_eq!(f.find("\"Kreistagsbeschluss vom Mai\""), [3]);
    assert_eq!(f.find("\"Beschluss vom Mai\""), [3]);
    assert_eq!(f.find("\"Ärztenetzwerk Südstadt\""), [1]);
    assert_eq!(f.find("\"Netzwerk Südstadt\""), [1]);
    Ok(())
}

/// Why queries use their own chain: with the indexing chain on both sides,
/// tantivy's query parser turns the query's compound and parts (all at one
/// position) into a phrase requiring every term at that position, which only
/// the compound itself satisfies. It gains nothing over a whole-word query.
#[test]
fn indexing_chain_on_queries_gains_nothing() -> tantivy::Result<()> {
    let f = fixture()?;
    let mut same_chain = QueryParser::for_index(&f.index, vec![f.body]);
    same_chain.set_conjunction_by_default();
    let query = same_chain
        .parse_query("Fachkräftesicherung")
        .expect("parse");
    assert!(format!("{query:?}").contains("PhraseQuery"), "{query:?}");
    assert_eq!(f.ids(&*query), [0]);
    assert_eq!(f.find("Fachkräftesicherung"), [0]);
    Ok(())
}

/// The documented recipe for finding a compound query written apart:
/// `compound OR (part₁ AND part₂ …)`, each word through the query chain.
#[test]
fn compound_query_expansion_finds_the_compound_written_apart() -> tantivy::Result<()> {
    let f = fixture()?;
    let term = |word: &str| -> Box<dyn Query> {
        let terms = analyze_query(Lang::German, word);
        assert_eq!(terms.len(), 1, "{word}");
        Box::new(TermQuery::new(
            Term::from_field_text(f.body, &terms[0]),
            IndexRecordOption::WithFreqs,
        ))
    };
    let word = "fachkräftesicherung";
    let parts = split_compound(word).expect("a compound");
    let all_parts = BooleanQuery::new(parts.iter().map(|p| (Occur::Must, term(p))).collect());
    let expanded = BooleanQuery::new(vec![
        (Occur::Should, term(word)),
        (Occur::Should, Box::new(all_parts)),
    ]);
    assert_eq!(f.ids(&expanded), [0, 5, 6]);
    Ok(())
}

#[test]
fn index_and_query_terms() {
    assert_eq!(
        analyze(Lang::German, "Kreistagsbeschluss"),
        [
            "kreistagsbeschluss",
            "kreistag",
            "beschluss",
            "kreis",
            "tag"
        ]
    );
    assert_eq!(
        analyze_query(Lang::German, "Kreistagsbeschluss"),
        ["kreistagsbeschluss"]
    );
    // Non-compounds are indexed as one term.
    for word in [
        "Halle",
        "Hallen",
        "Verwaltung",
        "Sicherung",
        "Referat",
        "Transport",
        "Dienstag",
        "Karlsruhe",
    ] {
        assert_eq!(analyze(Lang::German, word).len(), 1, "{word}");
    }
}

/// Indexing speed with and without compound splitting over real council
/// text; prints tokens per second. Not an assertion of speed, but of work:
/// the decompounding chain must give more tokens than the query chain.
/// Run with `cargo test --release --test decompound -- --ignored --nocapture`.
#[test]
#[ignore = "timing; needs ../shared"]
fn timing_over_karlsruhe_texts() {
    use std::time::Instant;
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/realworld/karlsruhe/file-contents"
    );
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("karlsruhe corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    let texts: Vec<String> = paths
        .iter()
        .take(2000)
        .map(|p| std::fs::read_to_string(p).unwrap_or_default())
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut counts = Vec::new();
    for (name, mut analyzer) in [
        (
            "index (decompounding)",
            ratsuche::analysis::analyzer(Lang::German),
        ),
        (
            "query (no decompounding)",
            ratsuche::analysis::query_analyzer(Lang::German),
        ),
    ] {
        for pass in ["cold", "warm"] {
            let start = Instant::now();
            let mut tokens = 0usize;
            for text in &texts {
                let mut stream = analyzer.token_stream(text);
                while stream.advance() {
                    tokens += 1;
                }
            }
            let secs = start.elapsed().as_secs_f64();
            println!(
                "{name}, {pass} cache: {tokens} tokens from {:.1} MB in {secs:.2} s = {:.2} M tokens/s",
                bytes as f64 / 1e6,
                tokens as f64 / secs / 1e6
            );
            counts.push(tokens);
        }
    }
    assert!(counts[0] > counts[2], "{counts:?}");
}
