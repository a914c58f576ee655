//! Batch throughput: 10,000 queries over the Karlsruhe corpus, 1 and 2
//! rayon threads, one shared searcher (what `ratsuche batch` does).
//!
//! `cargo bench --bench batch` (needs `../shared/realworld/karlsruhe`; see
//! `benches/README.md`). The first run indexes all 12,692 Karlsruhe texts
//! into `<target>/bench-data/karlsruhe-index` (minutes); later runs reuse it
//! (`ingest` is incremental: unchanged files are only hashed).
//! `BATCH_QUERIES=n` changes the number of queries.
//!
//! Queries are derived from the paper titles in `MANIFEST.tsv`: 1–4 content
//! words of one title (letters only, ≥ 4 characters, not a stop word, not an
//! all-capitals party name), chosen by a fixed-seed generator, so every run
//! asks the same 10,000 queries. Each timed run checks that every query ran
//! (no errors) and counts hits, so a broken search cannot look fast. The
//! 1-thread run is the reference the 2-thread run is compared to.

use std::path::{Path, PathBuf};
use std::time::Instant;

use ratsuche::analysis::{analyze_query, Lang};
use ratsuche::index::PassageIndex;
use ratsuche::ingest::{ingest, IngestOptions, NoProgress};
use ratsuche::search::batch::{self, BatchOptions, BatchQuery};

fn karlsruhe_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realworld/karlsruhe");
    assert!(
        root.join("MANIFEST.tsv").is_file(),
        "{} is missing: this bench needs the shared data",
        root.display()
    );
    root
}

/// `<target>/bench-data`: the bench binary lives in `<target>/release/deps/`.
fn bench_data() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    let target = exe
        .ancestors()
        .nth(3)
        .expect("bench binary inside <target>/<profile>/deps")
        .to_path_buf();
    target.join("bench-data")
}

/// A fixed-seed xorshift64*: deterministic across runs and platforms.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Content words of a title: letters (and inner hyphens), ≥ 4 characters,
/// not all capitals, and not removed by the German query chain.
fn content_words(title: &str) -> Vec<String> {
    let mut words: Vec<String> = title
        .split(|c: char| !(c.is_alphabetic() || c == '-'))
        .map(|w| w.trim_matches('-'))
        .filter(|w| w.chars().count() >= 4)
        .filter(|w| w.chars().any(char::is_lowercase))
        .filter(|w| !matches!(*w, "Anfrage" | "Antrag" | "Stellungnahme" | "Fraktion"))
        .filter(|w| !analyze_query(Lang::German, w).is_empty())
        .map(str::to_string)
        .collect();
    let mut seen = std::collections::HashSet::new();
    words.retain(|w| seen.insert(w.clone()));
    words
}

fn queries(root: &Path, n: usize) -> Vec<BatchQuery> {
    let manifest = std::fs::read_to_string(root.join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    let mut titles: Vec<Vec<String>> = manifest
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').nth(6))
        .map(content_words)
        .filter(|w| !w.is_empty())
        .collect();
    titles.sort();
    titles.dedup();
    assert!(titles.len() > 1000, "only {} titles", titles.len());
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    (0..n)
        .map(|i| {
            let words = &titles[rng.below(titles.len())];
            let k = 1 + rng.below(4.min(words.len()));
            let start = rng.below(words.len() - k + 1);
            BatchQuery {
                id: format!("q{i}"),
                query: words[start..start + k].join(" "),
            }
        })
        .collect()
}

/// CPU time (user + system) of this process so far, from
/// `/proc/self/stat` (Linux; 0 elsewhere): on a shared machine the wall
/// clock says more about the neighbours than about us.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the parenthesised command name; utime and stime are the
    // 14th and 15th fields of the whole line, in clock ticks (100 Hz).
    let Some(rest) = stat.rsplit_once(')').map(|(_, rest)| rest) else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not supported.
    let root = karlsruhe_root();
    let n: usize = std::env::var("BATCH_QUERIES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);

    let dir = bench_data().join("karlsruhe-index");
    let index = PassageIndex::open_or_create(&dir).expect("bench index");
    let started = Instant::now();
    let report = ingest(
        &index,
        &[root.join("file-contents")],
        &IngestOptions::default(),
        &mut NoProgress,
    )
    .expect("indexing Karlsruhe");
    let files = index.indexed_files().expect("indexed files").len();
    println!(
        "index {}: {files} files ({} newly indexed, {} unchanged, {} failed) in {:.1} s",
        dir.display(),
        report.indexed,
        report.unchanged,
        report.failed.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(files > 10_000, "index holds only {files} files");

    let queries = queries(&root, n);
    let reader = index.reader().expect("reader");
    let searcher = reader.searcher();
    println!(
        "{} queries from paper titles, e.g. {:?}, {:?}, {:?}; {} passages in the index",
        queries.len(),
        queries[0].query,
        queries[1].query,
        queries[2].query,
        searcher.num_docs()
    );
    // (wall seconds, CPU seconds of the process, hits, queries with hits)
    let run = |queries: &[BatchQuery], threads: usize, limit: usize| {
        let opts = BatchOptions {
            threads: Some(threads),
            limit,
            ..BatchOptions::default()
        };
        let (mut hits, mut with_hits) = (0, 0);
        let cpu = cpu_seconds();
        let started = Instant::now();
        let summary = batch::run(
            &index,
            &searcher,
            queries,
            &opts,
            |_| {},
            |record| {
                hits += record.hits.len();
                with_hits += usize::from(!record.hits.is_empty());
                std::hint::black_box(record);
                Ok(())
            },
        )
        .expect("batch run");
        let secs = started.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - cpu;
        assert_eq!(summary.queries, queries.len());
        assert_eq!(summary.failed, 0, "queries failed");
        (secs, cpu, hits, with_hits)
    };

    // Warm up the page cache and the term dictionaries.
    let _ = run(&queries[..queries.len().min(1000)], 2, 10);
    let mut per_thread = Vec::new();
    for (threads, limit) in [(1, 10), (2, 10), (1, 1)] {
        let (secs, cpu, hits, with_hits) = run(&queries, threads, limit);
        let qps = queries.len() as f64 / secs;
        println!(
            "batch/{threads}_thread{}_limit{limit}: {} queries in {secs:.2} s = {qps:.0} queries/s; \
             CPU {cpu:.1} s = {:.2} ms/query ({hits} hits; {with_hits} queries with hits)",
            if threads == 1 { "" } else { "s" },
            queries.len(),
            cpu * 1000.0 / queries.len() as f64
        );
        if limit != 10 {
            continue;
        }
        assert!(
            with_hits * 10 >= queries.len() * 9,
            "fewer than 90 % of title queries found anything: {with_hits}"
        );
        per_thread.push(qps);
    }
    println!(
        "ratio 2 threads / 1 thread: {:.2}",
        per_thread[1] / per_thread[0]
    );
}
