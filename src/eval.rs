//! `eval`: relevance evaluation — judged queries, runs, and the metrics
//! nDCG@k, recall@k and reciprocal rank.
//!
//! Takes a query set (`queries.tsv`), graded judgments in TREC qrels format
//! and ranked lists of *unit ids* (one per engine: ratsuche's own, or a TREC
//! run file written by another engine); gives per-query and mean scores. The
//! relevance bench (`benches/relevance.rs`) and the ranking regression test
//! (`tests/relevance.rs`) share this code, so the figures they print are the
//! same computation.
//!
//! # Units
//!
//! The unit of retrieval is the passage ratsuche indexes (a Stichwort item, a
//! Handlungsfeld, an agenda item, a question/answer pair, or a page of other
//! text). [`units`] reads them back from a built index, so every engine is
//! given exactly the passages ratsuche searches. A unit's id says *what* it
//! is rather than where the chunker put it, so judgments survive re-chunking:
//!
//! * a numbered part: `DOC:KIND:NUMBER` (`000_f6b0283b3a559d13:stichwort:1.2`)
//! * anything else: `DOC:KIND:pPAGE` (`001_a00c5b5ad5e75977:text:p12`)
//!
//! where `DOC` is the file name up to its first dot ([`doc_name`]). Two
//! passages may share an id (a long page split in two); a ranked list keeps
//! only the first occurrence of each id ([`dedup`]) before it is scored.
//!
//! # Metrics
//!
//! Grades are 0 (judged not relevant) to 3. nDCG@k uses the exponential gain
//! `2^grade - 1` and the discount `1 / log2(rank + 1)`, normalised by the
//! ideal ordering of all judged units of the query. Recall@k and reciprocal
//! rank count a unit as relevant from grade [`RELEVANT`] (2) on; reciprocal
//! rank looks at the whole list (engines are asked for [`RUN_DEPTH`] hits).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde::Serialize;
use tantivy::schema::Value;
use tantivy::TantivyDocument;

use crate::error::{Error, Result};
use crate::index::PassageIndex;
use crate::search::{self, Hit, SearchRequest};

/// The lowest grade that counts as relevant for recall and reciprocal rank.
pub const RELEVANT: u32 = 2;
/// How many hits each engine is asked for per query.
pub const RUN_DEPTH: usize = 100;
/// The cut-off of nDCG and recall.
pub const CUTOFF: usize = 10;

/// A malformed line in a queries, qrels or run file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

fn parse_error(line: usize, message: impl Into<String>) -> ParseError {
    ParseError {
        line,
        message: message.into(),
    }
}

/// One judged query: `ID<TAB>CATEGORY<TAB>QUERY<TAB>NEED` in `queries.tsv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JudgedQuery {
    pub id: String,
    /// keyword, inflected, compound, phrase, year, typo, abbreviation, question.
    pub category: String,
    pub text: String,
    /// The information need in words: what the judge looked for.
    pub need: String,
}

/// Read `queries.tsv` (blank lines and `#` comments skipped).
pub fn parse_queries(text: &str) -> std::result::Result<Vec<JudgedQuery>, ParseError> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 3 {
            return Err(parse_error(
                n,
                "expected ID<TAB>CATEGORY<TAB>QUERY[<TAB>NEED]",
            ));
        }
        let id = cols[0].trim().to_string();
        if id.is_empty() || id.contains(char::is_whitespace) {
            return Err(parse_error(n, format!("bad query id {:?}", cols[0])));
        }
        if !seen.insert(id.clone()) {
            return Err(parse_error(n, format!("query id {id} given twice")));
        }
        out.push(JudgedQuery {
            id,
            category: cols[1].trim().to_string(),
            text: cols[2].trim().to_string(),
            need: cols
                .get(3)
                .map(|s| s.trim().to_string())
                .unwrap_or_default(),
        });
    }
    Ok(out)
}

/// Judgments: query id → unit id → grade.
pub type Qrels = BTreeMap<String, HashMap<String, u32>>;

/// Read TREC qrels (`QID 0 UNIT_ID GRADE`, grades 0..=3).
pub fn parse_qrels(text: &str) -> std::result::Result<Qrels, ParseError> {
    let mut qrels = Qrels::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split_whitespace().collect();
        let [qid, _iteration, unit, grade] = cols[..] else {
            return Err(parse_error(n, "expected QID 0 UNIT_ID GRADE"));
        };
        let grade: u32 = grade
            .parse()
            .ok()
            .filter(|g| *g <= 3)
            .ok_or_else(|| parse_error(n, format!("grade {grade:?} is not 0..=3")))?;
        let judged = qrels.entry(qid.to_string()).or_default();
        if judged.insert(unit.to_string(), grade).is_some() {
            return Err(parse_error(n, format!("{qid} judges {unit} twice")));
        }
    }
    Ok(qrels)
}

/// Ranked unit ids per query id.
pub type Run = BTreeMap<String, Vec<String>>;

/// Read a TREC run (`QID Q0 UNIT_ID RANK SCORE TAG`), each query's lines
/// ordered by their rank column.
pub fn parse_run(text: &str) -> std::result::Result<Run, ParseError> {
    let mut ranked: BTreeMap<String, Vec<(u64, String)>> = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.len() != 6 {
            return Err(parse_error(n, "expected QID Q0 UNIT_ID RANK SCORE TAG"));
        }
        let rank: u64 = cols[3]
            .parse()
            .map_err(|_| parse_error(n, format!("rank {:?} is not a number", cols[3])))?;
        ranked
            .entry(cols[0].to_string())
            .or_default()
            .push((rank, cols[2].to_string()));
    }
    Ok(ranked
        .into_iter()
        .map(|(qid, mut list)| {
            list.sort_by_key(|(rank, _)| *rank);
            (qid, list.into_iter().map(|(_, unit)| unit).collect())
        })
        .collect())
}

/// Write a run in TREC format (scores are `1/rank`: only the order is kept).
pub fn format_run(run: &Run, tag: &str) -> String {
    let mut out = String::new();
    for (qid, units) in run {
        for (i, unit) in units.iter().enumerate() {
            let rank = i + 1;
            out.push_str(&format!(
                "{qid} Q0 {unit} {rank} {:.6} {tag}\n",
                1.0 / rank as f64
            ));
        }
    }
    out
}

/// The ranked list with repeated unit ids removed (first occurrence kept).
pub fn dedup(ranked: &[String]) -> Vec<&str> {
    let mut seen = HashSet::new();
    ranked
        .iter()
        .map(String::as_str)
        .filter(|unit| seen.insert(*unit))
        .collect()
}

fn gain(grade: u32) -> f64 {
    f64::from((1u32 << grade) - 1)
}

fn discount(rank: usize) -> f64 {
    // rank is 1-based: 1 / log2(rank + 1).
    1.0 / ((rank + 1) as f64).log2()
}

/// nDCG at `k` of a deduplicated ranked list; 0 when nothing is relevant.
pub fn ndcg_at(ranked: &[&str], judged: &HashMap<String, u32>, k: usize) -> f64 {
    let dcg: f64 = ranked
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, unit)| gain(judged.get(*unit).copied().unwrap_or(0)) * discount(i + 1))
        .sum();
    let mut ideal: Vec<u32> = judged.values().copied().filter(|g| *g > 0).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, g)| gain(*g) * discount(i + 1))
        .sum();
    if idcg == 0.0 {
        0.0
    } else {
        dcg / idcg
    }
}

fn is_relevant(judged: &HashMap<String, u32>, unit: &str) -> bool {
    judged.get(unit).is_some_and(|g| *g >= RELEVANT)
}

/// Share of the relevant units (grade ≥ [`RELEVANT`]) in the first `k`.
pub fn recall_at(ranked: &[&str], judged: &HashMap<String, u32>, k: usize) -> f64 {
    let relevant = judged.values().filter(|g| **g >= RELEVANT).count();
    if relevant == 0 {
        return 0.0;
    }
    let found = ranked
        .iter()
        .take(k)
        .filter(|unit| is_relevant(judged, unit))
        .count();
    found as f64 / relevant as f64
}

/// 1 / rank of the first relevant unit (grade ≥ [`RELEVANT`]), 0 if none.
pub fn reciprocal_rank(ranked: &[&str], judged: &HashMap<String, u32>) -> f64 {
    ranked
        .iter()
        .position(|unit| is_relevant(judged, unit))
        .map_or(0.0, |i| 1.0 / (i + 1) as f64)
}

/// The three figures of one query (or their means).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Scores {
    pub ndcg: f64,
    pub recall: f64,
    pub rr: f64,
}

impl Scores {
    /// Score a ranked list (deduplicated here) against one query's judgments.
    pub fn of(ranked: &[String], judged: &HashMap<String, u32>) -> Scores {
        let ranked = dedup(ranked);
        Scores {
            ndcg: ndcg_at(&ranked, judged, CUTOFF),
            recall: recall_at(&ranked, judged, CUTOFF),
            rr: reciprocal_rank(&ranked, judged),
        }
    }

    /// The mean of each figure; zeros for an empty list.
    pub fn mean<'a>(all: impl IntoIterator<Item = &'a Scores>) -> Scores {
        let (mut sum, mut n) = (Scores::default(), 0usize);
        for s in all {
            sum.ndcg += s.ndcg;
            sum.recall += s.recall;
            sum.rr += s.rr;
            n += 1;
        }
        if n == 0 {
            return sum;
        }
        let n = n as f64;
        Scores {
            ndcg: sum.ndcg / n,
            recall: sum.recall / n,
            rr: sum.rr / n,
        }
    }
}

/// Per-query scores of a run; a query the run does not answer scores 0.
pub fn score_run(run: &Run, queries: &[JudgedQuery], qrels: &Qrels) -> BTreeMap<String, Scores> {
    let empty = HashMap::new();
    queries
        .iter()
        .map(|q| {
            let ranked = run.get(&q.id).map(Vec::as_slice).unwrap_or_default();
            let judged = qrels.get(&q.id).unwrap_or(&empty);
            (q.id.clone(), Scores::of(ranked, judged))
        })
        .collect()
}

/// What is wrong with a query set and its judgments against the units of
/// an index: queries without judgments or without a relevant unit, and
/// judged units the index does not hold (a judgment naming a unit the
/// pipeline no longer produces would silently count as a miss for every
/// engine). Empty when everything fits.
pub fn check_judgments(queries: &[JudgedQuery], qrels: &Qrels, units: &[Unit]) -> Vec<String> {
    let ids: HashSet<&str> = units.iter().map(|u| u.id.as_str()).collect();
    let mut problems = Vec::new();
    for q in queries {
        match qrels.get(&q.id) {
            None => problems.push(format!("{}: no judgments", q.id)),
            Some(j) if !j.values().any(|g| *g >= RELEVANT) => {
                problems.push(format!("{}: no unit of grade >= {RELEVANT}", q.id))
            }
            Some(_) => {}
        }
    }
    for (qid, judged) in qrels {
        if !queries.iter().any(|q| &q.id == qid) {
            problems.push(format!("{qid}: judged but not in the query set"));
        }
        let mut missing: Vec<&String> = judged
            .keys()
            .filter(|u| !ids.contains(String::as_str(u)))
            .collect();
        missing.sort();
        for unit in missing {
            problems.push(format!("{qid}: judged unit {unit} is not in the index"));
        }
    }
    problems
}

/// The document part of a unit id: the file name up to its first dot
/// (`corpus/000_f6b0283b3a559d13.lo.pdf` → `000_f6b0283b3a559d13`).
pub fn doc_name(file: &str) -> String {
    let name = Path::new(file)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.to_string());
    let stem = name.split('.').next().unwrap_or_default();
    sanitize(if stem.is_empty() { &name } else { stem })
}

/// The id of a unit (see the module docs).
pub fn unit_id(doc: &str, kind: &str, number: Option<&str>, page: u64) -> String {
    match number.map(str::trim).filter(|n| !n.is_empty()) {
        Some(number) => format!("{doc}:{kind}:{}", sanitize(number)),
        None => format!("{doc}:{kind}:p{page}"),
    }
}

/// Whitespace (which would break a TREC line) replaced by `_`.
fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_whitespace() { '_' } else { c })
        .collect()
}

/// The unit id of one of ratsuche's hits.
pub fn hit_unit_id(hit: &Hit) -> String {
    unit_id(
        &doc_name(&hit.file),
        &hit.kind,
        hit.number.as_deref(),
        hit.page,
    )
}

/// One passage of the index, as given to every engine (one JSONL line).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unit {
    pub id: String,
    pub doc: String,
    pub file: String,
    pub kind: String,
    pub number: Option<String>,
    pub page: u64,
    pub title: String,
    pub text: String,
}

/// Every non-empty passage of the index, ordered by file and position.
pub fn units(index: &PassageIndex) -> Result<Vec<Unit>> {
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let f = index.fields();
    let mut out: Vec<(String, u64, Unit)> = Vec::new();
    for segment in searcher.segment_readers() {
        let store = segment
            .get_store_reader(16)
            .map_err(|e| Error::io(index.dir(), e))?;
        let alive = segment.alive_bitset();
        for doc_id in 0..segment.max_doc() {
            if alive.is_some_and(|a| a.is_deleted(doc_id)) {
                continue;
            }
            let doc: TantivyDocument = store.get(doc_id)?;
            let text_of = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str().map(str::to_string))
            };
            let u64_of = |field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0);
            let text = text_of(f.text).unwrap_or_default();
            if text.trim().is_empty() {
                continue;
            }
            let file = text_of(f.file).unwrap_or_default();
            let kind = text_of(f.kind).unwrap_or_default();
            let number = text_of(f.number);
            let page = u64_of(f.page);
            let doc_name = doc_name(&file);
            out.push((
                file.clone(),
                u64_of(f.passage_index),
                Unit {
                    id: unit_id(&doc_name, &kind, number.as_deref(), page),
                    doc: doc_name,
                    file,
                    kind,
                    number,
                    page,
                    title: text_of(f.title).unwrap_or_default(),
                    text,
                },
            ));
        }
    }
    out.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    Ok(out.into_iter().map(|(_, _, unit)| unit).collect())
}

/// ratsuche's run: every query through the library's search entry point
/// ([`search::search_with`], so query-language changes count), passage by
/// passage (`all_passages`), [`RUN_DEPTH`] deep, as unit ids.
pub fn ratsuche_run(index: &PassageIndex, queries: &[JudgedQuery]) -> Result<Run> {
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let mut run = Run::new();
    for q in queries {
        let mut request = SearchRequest::new(q.text.clone());
        request.all_passages = true;
        request.limit = RUN_DEPTH;
        let results = search::search_with(index, &searcher, &request)?;
        run.insert(q.id.clone(), results.hits.iter().map(hit_unit_id).collect());
    }
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(pairs: &[(&str, u32)]) -> HashMap<String, u32> {
        pairs.iter().map(|(u, g)| (u.to_string(), *g)).collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn ndcg_of_the_ideal_order_is_one_and_of_nothing_zero() {
        let j = judged(&[("a", 3), ("b", 1), ("c", 0)]);
        assert!(close(ndcg_at(&["a", "b"], &j, 10), 1.0));
        assert!(close(ndcg_at(&["c", "x"], &j, 10), 0.0));
    }

    #[test]
    fn ndcg_matches_a_hand_computed_example() {
        // Judged: a=3, b=2, c=1. Ranked: b, x, a.
        // DCG  = 3/log2(2) + 0 + 7/log2(4) = 3 + 3.5 = 6.5
        // IDCG = 7/log2(2) + 3/log2(3) + 1/log2(4) = 7 + 1.892789 + 0.5
        let j = judged(&[("a", 3), ("b", 2), ("c", 1)]);
        let idcg = 7.0 + 3.0 / 3f64.log2() + 0.5;
        assert!(close(ndcg_at(&["b", "x", "a"], &j, 10), 6.5 / idcg));
        // Cut at 2: a (rank 3) no longer counts; the ideal is cut too.
        let idcg2 = 7.0 + 3.0 / 3f64.log2();
        assert!(close(ndcg_at(&["b", "x", "a"], &j, 2), 3.0 / idcg2));
    }

    #[test]
    fn recall_and_rr_count_grades_from_two() {
        let j = judged(&[("a", 3), ("b", 2), ("c", 1)]);
        // c (grade 1) is not relevant for recall/RR.
        assert!(close(recall_at(&["c", "b"], &j, 10), 0.5));
        assert!(close(recall_at(&["c", "b", "a"], &j, 2), 0.5));
        assert!(close(reciprocal_rank(&["c", "x", "a"], &j), 1.0 / 3.0));
        assert!(close(reciprocal_rank(&["c", "x"], &j), 0.0));
    }

    #[test]
    fn scores_dedup_repeated_units() {
        let j = judged(&[("a", 3), ("b", 3)]);
        let ranked: Vec<String> = ["a", "a", "b"].iter().map(|s| s.to_string()).collect();
        let s = Scores::of(&ranked, &j);
        assert!(close(s.ndcg, 1.0));
        assert!(close(s.recall, 1.0));
        let mean = Scores::mean(&[s, Scores::default()]);
        assert!(close(mean.ndcg, 0.5));
        assert!(close(mean.rr, 0.5));
    }

    #[test]
    fn parses_qrels_queries_and_runs() {
        let qrels =
            parse_qrels("q1 0 d:text:p1 3\nq1 0 d:qa:2 0\n\nq2 0 e:stichwort:1.2 1\n").unwrap();
        assert_eq!(qrels["q1"]["d:text:p1"], 3);
        assert_eq!(qrels["q2"].len(), 1);
        assert!(parse_qrels("q1 0 a 4").is_err());
        assert!(parse_qrels("q1 0 a 1\nq1 0 a 2").is_err());
        assert_eq!(parse_qrels("q1 a 1").unwrap_err().line, 1);

        let queries = parse_queries("# c\nq1\tkeyword\tArztlotse\tneed\nq2\ttypo\tFoo").unwrap();
        assert_eq!(queries.len(), 2);
        assert_eq!(queries[1].need, "");
        assert!(parse_queries("q1\tkeyword").is_err());
        assert!(parse_queries("q1\ta\tb\nq1\ta\tc").is_err());

        let run = parse_run("q1 Q0 b 2 0.5 x\nq1 Q0 a 1 0.9 x\n").unwrap();
        assert_eq!(run["q1"], ["a", "b"]);
        assert_eq!(parse_run(&format_run(&run, "t")).unwrap(), run);
        assert!(parse_run("q1 Q0 a one 0.5 x").is_err());
    }

    #[test]
    fn check_judgments_names_missing_units_and_unjudged_queries() {
        let unit = |id: &str| Unit {
            id: id.into(),
            doc: "d".into(),
            file: "d.txt".into(),
            kind: "text".into(),
            number: None,
            page: 1,
            title: String::new(),
            text: "x".into(),
        };
        let queries = parse_queries("q1\tkeyword\ta\nq2\tkeyword\tb\nq3\tkeyword\tc").unwrap();
        let qrels = parse_qrels("q1 0 d:text:p1 3\nq2 0 d:text:p1 1\nq2 0 d:text:p9 2\n").unwrap();
        let problems = check_judgments(&queries, &qrels, &[unit("d:text:p1")]);
        assert_eq!(
            problems,
            [
                "q3: no judgments",
                "q2: judged unit d:text:p9 is not in the index"
            ]
        );
        let qrels = parse_qrels("q1 0 d:text:p1 1").unwrap();
        let problems = check_judgments(&queries[..1], &qrels, &[unit("d:text:p1")]);
        assert_eq!(problems, ["q1: no unit of grade >= 2"]);
    }

    #[test]
    fn unit_ids_name_parts_by_number_and_text_by_page() {
        assert_eq!(doc_name("corpus/000_f6.lo.pdf"), "000_f6");
        assert_eq!(doc_name("r01 info.txt"), "r01_info");
        assert_eq!(
            unit_id("000_f6", "stichwort", Some("1.2"), 1),
            "000_f6:stichwort:1.2"
        );
        assert_eq!(unit_id("d", "text", None, 12), "d:text:p12");
        assert_eq!(unit_id("d", "stichwort", Some(" "), 3), "d:stichwort:p3");
    }
}
