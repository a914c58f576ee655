//! Query latency of ratsuche's library search on an existing index, timed in
//! process (index opening and reading the query file excluded), so it can be
//! set against the in-process timings of the peers in `benches/peers/`.
//!
//!     cargo bench --bench query_latency -- --index DIR --queries Q.tsv \
//!         [--stats OUT.json] [--passes 2] [--limit 10]
//!
//! `benches/speed.py` calls it (see `benches/README.md`, "Speed"). What one
//! run does:
//!
//! 1. Opens the index and one searcher (as `ratsuche serve` keeps one).
//! 2. Runs every query `--passes` times one after the other on one thread
//!    (`search::search_with`, the default request: best passage per document,
//!    `--limit` hits); the first passes warm the caches, the last one is
//!    timed query by query.
//! 3. Runs all queries again spread over all cores (rayon's pool, one
//!    searcher shared) and times the whole batch: queries per second.
//!
//! Prints p50/p90/p99/max and writes the timings as the peers' stats JSON
//! (`common.py`: engine, units, index_seconds = null, query_seconds) plus
//! `parallel_seconds`, `threads` and `hits`.
//!
//! A query the search rejects (a syntax error) is counted under `errors`
//! and still timed: the time to answer with an error is what a user waits.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use ratsuche::index::PassageIndex;
use ratsuche::search::{self, SearchRequest};
use rayon::prelude::*;

struct Args {
    index: PathBuf,
    queries: PathBuf,
    stats: Option<PathBuf>,
    passes: usize,
    limit: usize,
}

fn parse_args() -> Result<Args> {
    let mut index = None;
    let mut queries = None;
    let mut stats = None;
    let mut passes = 2;
    let mut limit = search::DEFAULT_LIMIT;
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
            other => bail!("unknown argument {other:?} (see the header of query_latency.rs)"),
        }
    }
    let (Some(index), Some(queries)) = (index, queries) else {
        bail!("usage: query_latency --index DIR --queries Q.tsv [--stats OUT.json] [--passes N] [--limit N]");
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

    let mut timings = Vec::with_capacity(queries.len());
    let mut hits = 0usize;
    let mut errors = 0usize;
    for pass in 0..args.passes {
        let last = pass + 1 == args.passes;
        for (_, q) in &queries {
            let start = Instant::now();
            let result = search::search_with(&index, &searcher, &request(q));
            let elapsed = start.elapsed().as_secs_f64();
            if last {
                timings.push(elapsed);
                match result {
                    Ok(r) => hits += r.hits.len(),
                    Err(_) => errors += 1,
                }
            }
        }
    }

    let threads = rayon::current_num_threads();
    let start = Instant::now();
    let parallel_hits: usize = queries
        .par_iter()
        .map(|(_, q)| {
            search::search_with(&index, &searcher, &request(q))
                .map(|r| r.hits.len())
                .unwrap_or(0)
        })
        .sum();
    let parallel_seconds = start.elapsed().as_secs_f64();
    if parallel_hits != hits {
        bail!("the parallel pass found {parallel_hits} hits, the sequential one {hits}");
    }

    let mut sorted = timings.clone();
    sorted.sort_by(f64::total_cmp);
    let ms = |s: f64| s * 1000.0;
    println!(
        "ratsuche: {} queries on {} passages ({} errors, {} hits): p50 {:.3} ms  p90 {:.3} ms  p99 {:.3} ms  max {:.3} ms  mean {:.3} ms; {} threads: {:.0} queries/s",
        queries.len(),
        units,
        errors,
        hits,
        ms(percentile(&sorted, 50.0)),
        ms(percentile(&sorted, 90.0)),
        ms(percentile(&sorted, 99.0)),
        ms(*sorted.last().unwrap_or(&0.0)),
        ms(sorted.iter().sum::<f64>() / sorted.len() as f64),
        threads,
        queries.len() as f64 / parallel_seconds,
    );
    if let Some(path) = &args.stats {
        let stats = serde_json::json!({
            "engine": "ratsuche",
            "units": units,
            "index_seconds": null,
            "query_seconds": timings,
            "fallback": [],
            "errors": errors,
            "hits": hits,
            "threads": threads,
            "parallel_seconds": parallel_seconds,
        });
        std::fs::write(path, serde_json::to_vec(&stats)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
