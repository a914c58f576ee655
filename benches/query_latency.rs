//! Query latency of ratsuche's library search on an existing index, timed in
//! process (index opening and reading the query file excluded), so it can be
//! set against the in-process timings of the peers in `benches/peers/`.
//!
//!     cargo bench --bench query_latency -- --index DIR --queries Q.tsv \
//!         [--stats OUT.json] [--passes 2] [--limit 10] [--mode both|full|ids]
//!
//! `benches/speed.py` calls it (see `benches/README.md`, "The benches"). Two
//! modes, both by default, one after the other in the same run:
//!
//! * `full`: `search::search_with`, the default request of every front end
//!   (best passage per document, `--limit` hits **with snippets, headings
//!   and facets**).
//! * `ids`: `search::rank_with`, the same search — same parser, synonyms,
//!   typo correction, fallback and ranking — giving document ids and
//!   scores only, like the peers of `benches/peers/`.
//!
//! What one run does:
//!
//! 1. Opens the index and one searcher (as `ratsuche serve` keeps one).
//! 2. Runs every query once in both modes and checks that `ids` gives the
//!    same documents, passages and scores in the same order as `full`
//!    (and the same errors), so the faster mode cannot be a different
//!    search.
//! 3. Per mode: runs every query `--passes` times one after the other on
//!    one thread; the first passes warm the caches, the last one is timed
//!    query by query. Then runs all queries again spread over all cores
//!    (rayon's pool, one searcher shared) and times the whole batch:
//!    queries per second.
//!
//! Prints p50/p90/p99/max per mode and writes the `full` timings as the
//! peers' stats JSON (`common.py`: engine, units, index_seconds = null,
//! query_seconds) plus `parallel_seconds`, `threads` and `hits`; the `ids`
//! figures go under `"ids_only"` with the same keys.
//!
//! A query the search rejects (a syntax error) is counted under `errors`
//! and still timed: the time to answer with an error is what a user waits.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use ratsuche::index::PassageIndex;
use ratsuche::search::{self, SearchRequest};
use rayon::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `search_with`: hits with snippets, headings and facets.
    Full,
    /// `rank_with`: ids and scores.
    Ids,
}

impl Mode {
    fn label(self) -> &'static str {
        match self {
            Mode::Full => "ratsuche (hits with snippets + facets)",
            Mode::Ids => "ratsuche (ids + scores only)",
        }
    }
}

struct Args {
    index: PathBuf,
    queries: PathBuf,
    stats: Option<PathBuf>,
    passes: usize,
    limit: usize,
    modes: Vec<Mode>,
}

fn parse_args() -> Result<Args> {
    let mut index = None;
    let mut queries = None;
    let mut stats = None;
    let mut passes = 2;
    let mut limit = search::DEFAULT_LIMIT;
    let mut modes = vec![Mode::Full, Mode::Ids];
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        // cargo bench passes `--bench` to harness = false binaries.
        if arg == "--bench" {
            continue;
        }
        let mut value = || {
            it.next().with_context(|| {
                format!("{arg} needs a value (see the header of query_latency.rs)")
            })
        };
        match arg.as_str() {
            "--index" => index = Some(PathBuf::from(value()?)),
            "--queries" => queries = Some(PathBuf::from(value()?)),
            "--stats" => stats = Some(PathBuf::from(value()?)),
            "--passes" => {
                passes = value()?
                    .parse()
                    .context("--passes must be a whole number ≥ 1")?
            }
            "--limit" => {
                limit = value()?
                    .parse()
                    .context("--limit must be a whole number ≥ 1")?
            }
            "--mode" => {
                modes = match value()?.as_str() {
                    "both" => vec![Mode::Full, Mode::Ids],
                    "full" => vec![Mode::Full],
                    "ids" => vec![Mode::Ids],
                    other => bail!("--mode must be both, full or ids, not {other:?}"),
                }
            }
            other => bail!("unknown argument {other:?} (see the header of query_latency.rs)"),
        }
    }
    let (Some(index), Some(queries)) = (index, queries) else {
        bail!("usage: query_latency --index DIR --queries Q.tsv [--stats OUT.json] [--passes N] [--limit N] [--mode both|full|ids]");
    };
    if passes == 0 || limit == 0 {
        bail!("--passes and --limit must be at least 1");
    }
    Ok(Args {
        index,
        queries,
        stats,
        passes,
        limit,
        modes,
    })
}

/// `ID<TAB>QUERY` lines (common.py's format); `#` lines and blanks skipped.
fn read_queries(path: &PathBuf) -> Result<Vec<(String, String)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        match line.split_once('\t') {
            Some((id, q)) => out.push((id.trim().to_string(), q.trim().to_string())),
            None => out.push(((n + 1).to_string(), line.trim().to_string())),
        }
    }
    if out.is_empty() {
        bail!("{}: no queries", path.display());
    }
    Ok(out)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// What both modes must agree on: per hit (doc id, passage, score).
type Ranked = Vec<(String, u64, f32)>;

fn answer(
    mode: Mode,
    index: &PassageIndex,
    searcher: &tantivy::Searcher,
    request: &SearchRequest,
) -> ratsuche::error::Result<Ranked> {
    Ok(match mode {
        Mode::Full => search::search_with(index, searcher, request)?
            .hits
            .into_iter()
            .map(|h| (h.doc_id, h.passage_index, h.score))
            .collect(),
        Mode::Ids => search::rank_with(index, searcher, request)?
            .hits
            .into_iter()
            .map(|h| (h.doc_id, h.passage_index, h.score))
            .collect(),
    })
}

/// One mode's figures.
struct Run {
    mode: Mode,
    timings: Vec<f64>,
    hits: usize,
    errors: usize,
    parallel_seconds: f64,
}

fn main() -> Result<()> {
    let args = parse_args()?;
    let queries = read_queries(&args.queries)?;
    let index = PassageIndex::open(&args.index)
        .with_context(|| format!("opening index {}", args.index.display()))?;
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let units = searcher.num_docs();
    let request = |q: &str| {
        let mut r = SearchRequest::new(q);
        r.limit = args.limit;
        r
    };

    if args.modes.len() == 2 {
        for (id, q) in &queries {
            let full = answer(Mode::Full, &index, &searcher, &request(q)).ok();
            let ids = answer(Mode::Ids, &index, &searcher, &request(q)).ok();
            if full != ids {
                bail!("query {id} ({q:?}): ids-only mode ranked {ids:?}, the full search {full:?}");
            }
        }
        println!(
            "checked: both modes give the same hits for all {} queries",
            queries.len()
        );
    }

    let mut runs = Vec::new();
    for &mode in &args.modes {
        let mut timings = Vec::with_capacity(queries.len());
        let mut hits = 0usize;
        let mut errors = 0usize;
        for pass in 0..args.passes {
            let last = pass + 1 == args.passes;
            for (_, q) in &queries {
                let start = Instant::now();
                let result = answer(mode, &index, &searcher, &request(q));
                let elapsed = start.elapsed().as_secs_f64();
                if last {
                    timings.push(elapsed);
                    match result {
                        Ok(r) => hits += r.len(),
                        Err(_) => errors += 1,
                    }
                }
            }
        }
        let start = Instant::now();
        let parallel_hits: usize = queries
            .par_iter()
            .map(|(_, q)| {
                answer(mode, &index, &searcher, &request(q))
                    .map(|r| r.len())
                    .unwrap_or(0)
            })
            .sum();
        let parallel_seconds = start.elapsed().as_secs_f64();
        if parallel_hits != hits {
            bail!("the parallel pass found {parallel_hits} hits, the sequential one {hits}");
        }
        runs.push(Run {
            mode,
            timings,
            hits,
            errors,
            parallel_seconds,
        });
    }

    let threads = rayon::current_num_threads();
    let ms = |s: f64| s * 1000.0;
    for run in &runs {
        let mut sorted = run.timings.clone();
        sorted.sort_by(f64::total_cmp);
        println!(
            "{}: {} queries on {} passages ({} errors, {} hits): p50 {:.3} ms  p90 {:.3} ms  p99 {:.3} ms  max {:.3} ms  mean {:.3} ms; {} threads: {:.0} queries/s",
            run.mode.label(),
            queries.len(),
            units,
            run.errors,
            run.hits,
            ms(percentile(&sorted, 50.0)),
            ms(percentile(&sorted, 90.0)),
            ms(percentile(&sorted, 99.0)),
            ms(*sorted.last().unwrap_or(&0.0)),
            ms(sorted.iter().sum::<f64>() / sorted.len() as f64),
            threads,
            queries.len() as f64 / run.parallel_seconds,
        );
    }
    if let Some(path) = &args.stats {
        let figures = |run: &Run| {
            serde_json::json!({
                "query_seconds": run.timings,
                "errors": run.errors,
                "hits": run.hits,
                "parallel_seconds": run.parallel_seconds,
            })
        };
        // The top level stays the default request (what speed.py reads).
        let main = runs
            .iter()
            .find(|r| r.mode == Mode::Full)
            .unwrap_or(&runs[0]);
        let mut stats = serde_json::json!({
            "engine": "ratsuche",
            "mode": if main.mode == Mode::Full { "full" } else { "ids" },
            "units": units,
            "index_seconds": null,
            "query_seconds": main.timings,
            "fallback": [],
            "errors": main.errors,
            "hits": main.hits,
            "threads": threads,
            "parallel_seconds": main.parallel_seconds,
        });
        if let Some(ids) = runs
            .iter()
            .find(|r| r.mode == Mode::Ids && main.mode != Mode::Ids)
        {
            stats["ids_only"] = figures(ids);
        }
        std::fs::write(path, serde_json::to_vec(&stats)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
