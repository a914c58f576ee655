//! Relevance report: ratsuche against SQLite FTS5, Xapian and Lucene's
//! GermanAnalyzer on the judged query set in `tests/data/relevance/`.
//!
//!     cargo bench --bench relevance                 # everything
//!     cargo bench --bench relevance -- --units-only # list the units, no ranking
//!     RELEVANCE_SKIP=lucene cargo bench --bench relevance
//!
//! # What one run does
//!
//! 1. Indexes `corpus/` and `tests/data/relevance/docs/` with ratsuche's own
//!    pipeline into a temporary index, then reads every passage back from it
//!    ([`eval::units`]) and writes them as `units.jsonl`: the units every
//!    engine indexes, so all of them rank the same passages.
//! 2. Runs the queries of `queries.tsv` through ratsuche's library search
//!    (`eval::ratsuche_run`, passage by passage, 100 deep).
//! 3. Runs the peers in `benches/peers/` as subprocesses on `units.jsonl`
//!    and the same queries, and reads their TREC runs: `fts5.py` and
//!    `xapian_peer.py` with `/usr/bin/python3` (Debian's python3-xapian;
//!    override with `RELEVANCE_PYTHON`), `LuceneGerman.java` compiled with
//!    `javac` against the anserini fat jar of PyPI's `pyserini==1.6.0` sdist,
//!    which is fetched with `pip download` into `$RATSUCHE_PEERS_DIR` (default
//!    `<target dir>/peers`) when missing.
//! 4. Scores every run with [`eval`] against `qrels.txt` and prints the
//!    tables (overall, per category, and every query where a peer beats
//!    ratsuche) as markdown; the same text goes to `<target>/relevance/report.md`,
//!    runs and units stay in `<target>/relevance/`.
//!
//! A peer that cannot run stops the report with the reason (set
//! `RELEVANCE_SKIP=fts5,xapian,lucene` to leave peers out knowingly).

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use ratsuche::eval::{self, JudgedQuery, Qrels, Run, Scores};
use ratsuche::index::PassageIndex;
use ratsuche::ingest::{ingest, IngestOptions, NoProgress};

const PYSERINI: &str = "pyserini==1.6.0";
const JAR: &str = "anserini-1.7.1-fatjar.jar";

struct Setup {
    root: PathBuf,
    data: PathBuf,
    work: PathBuf,
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let units_only = args.iter().any(|a| a == "--units-only");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let setup = Setup {
        data: root.join("tests/data/relevance"),
        work: target.join("relevance"),
        root,
    };
    std::fs::create_dir_all(setup.work.join("runs"))
        .with_context(|| format!("creating {}", setup.work.display()))?;

    // 1. ratsuche's index and the shared units.
    let tmp = tempfile::tempdir()?;
    let index = PassageIndex::open_or_create(&tmp.path().join("index"))?;
    let inputs = [setup.root.join("corpus"), setup.data.join("docs")];
    let report = ingest(&index, &inputs, &IngestOptions::default(), &mut NoProgress)?;
    if report.has_failures() {
        bail!("indexing failed for {:?}", report.failed);
    }
    let units = eval::units(&index)?;
    let units_path = setup.work.join("units.jsonl");
    let mut jsonl = String::new();
    for unit in &units {
        jsonl.push_str(&serde_json::to_string(unit)?);
        jsonl.push('\n');
    }
    std::fs::write(&units_path, jsonl)?;
    if units_only {
        for u in &units {
            println!(
                "{}\t{}\t{}",
                u.id,
                u.text.len(),
                u.title.chars().take(80).collect::<String>()
            );
        }
        eprintln!("{} units written to {}", units.len(), units_path.display());
        return Ok(());
    }

    // 2. Queries, judgments, ratsuche's run.
    let queries_path = setup.data.join("queries.tsv");
    let qrels_path = setup.data.join("qrels.txt");
    let queries = eval::parse_queries(&read(&queries_path)?)
        .with_context(|| format!("{}", queries_path.display()))?;
    let qrels = eval::parse_qrels(&read(&qrels_path)?)
        .with_context(|| format!("{}", qrels_path.display()))?;
    let problems = eval::check_judgments(&queries, &qrels, &units);
    if !problems.is_empty() {
        bail!(
            "judgments do not fit the units:\n  {}",
            problems.join("\n  ")
        );
    }
    let plain_queries = setup.work.join("queries.tsv");
    std::fs::write(
        &plain_queries,
        queries
            .iter()
            .map(|q| format!("{}\t{}\n", q.id, q.text))
            .collect::<String>(),
    )?;

    let mut runs: Vec<(String, Run, f64)> = Vec::new();
    let start = Instant::now();
    let run = eval::ratsuche_run(&index, &queries)?;
    let seconds = start.elapsed().as_secs_f64();
    std::fs::write(
        setup.work.join("runs/ratsuche.trec"),
        eval::format_run(&run, "ratsuche"),
    )?;
    runs.push(("ratsuche".into(), run, seconds));

    // 3. Peers.
    let skip: HashSet<String> = std::env::var("RELEVANCE_SKIP")
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty())
        .collect();
    for peer in ["fts5", "xapian", "lucene"] {
        if skip.contains(peer) {
            eprintln!("{peer}: skipped (RELEVANCE_SKIP)");
            continue;
        }
        let run_path = setup.work.join(format!("runs/{peer}.trec"));
        let start = Instant::now();
        run_peer(
            &setup,
            &target,
            peer,
            &units_path,
            &plain_queries,
            &run_path,
        )
        .with_context(|| format!("peer {peer} (set RELEVANCE_SKIP={peer} to leave it out)"))?;
        let seconds = start.elapsed().as_secs_f64();
        let run = eval::parse_run(&read(&run_path)?)
            .with_context(|| format!("{}", run_path.display()))?;
        runs.push((peer.into(), run, seconds));
    }

    // 4. Scores and tables.
    let text = report_text(&queries, &qrels, &runs, units.len());
    print!("{text}");
    std::fs::write(setup.work.join("report.md"), &text)?;
    eprintln!("report, units and runs in {}", setup.work.display());
    Ok(())
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

fn run_peer(
    setup: &Setup,
    target: &Path,
    peer: &str,
    units: &Path,
    queries: &Path,
    run: &Path,
) -> Result<()> {
    let peers = setup.root.join("benches/peers");
    let depth = eval::RUN_DEPTH.to_string();
    let common_args = |cmd: &mut Command| {
        cmd.arg("--units")
            .arg(units)
            .arg("--queries")
            .arg(queries)
            .arg("--run")
            .arg(run)
            .arg("--depth")
            .arg(&depth)
            .arg("--stats")
            .arg(run.with_extension("stats.json"));
    };
    let mut cmd = match peer {
        "fts5" | "xapian" => {
            let python =
                std::env::var("RELEVANCE_PYTHON").unwrap_or_else(|_| "/usr/bin/python3".into());
            let script = if peer == "fts5" {
                "fts5.py"
            } else {
                "xapian_peer.py"
            };
            let mut cmd = Command::new(&python);
            cmd.arg(peers.join(script));
            cmd
        }
        "lucene" => {
            let dir = std::env::var_os("RATSUCHE_PEERS_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| target.join("peers"));
            let jar = ensure_jar(&dir)?;
            let classes = dir.join("classes");
            let source = peers.join("LuceneGerman.java");
            let class = classes.join("LuceneGerman.class");
            let stale = match (std::fs::metadata(&class), std::fs::metadata(&source)) {
                (Ok(c), Ok(s)) => c.modified()? < s.modified()?,
                _ => true,
            };
            if stale {
                std::fs::create_dir_all(&classes)?;
                let mut javac = Command::new("javac");
                javac
                    .arg("-cp")
                    .arg(&jar)
                    .arg("-d")
                    .arg(&classes)
                    .arg(&source);
                check_status(&mut javac, "javac (a JDK 17 is needed)")?;
            }
            let mut cmd = Command::new("java");
            let mut cp = jar.into_os_string();
            cp.push(":");
            cp.push(&classes);
            cmd.arg("-cp").arg(cp).arg("LuceneGerman");
            cmd
        }
        other => bail!("unknown peer {other}"),
    };
    common_args(&mut cmd);
    check_status(&mut cmd, peer)
}

/// Run a command; on failure, the error carries its stderr.
fn check_status(cmd: &mut Command, what: &str) -> Result<()> {
    let out = cmd
        .output()
        .with_context(|| format!("cannot start {what}: {:?}", cmd.get_program()))?;
    if !out.status.success() {
        bail!(
            "{what} failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

/// The anserini fat jar in `dir`, fetched from PyPI's pyserini sdist
/// (`pip download`) and unpacked when it is not there yet.
fn ensure_jar(dir: &Path) -> Result<PathBuf> {
    let jar = dir.join(JAR);
    if jar.exists() {
        return Ok(jar);
    }
    std::fs::create_dir_all(dir)?;
    eprintln!(
        "lucene: fetching {PYSERINI} from PyPI into {} (about 165 MB)",
        dir.display()
    );
    let mut pip = Command::new("pip");
    pip.args([
        "download",
        PYSERINI,
        "--no-deps",
        "--no-binary",
        ":all:",
        "-d",
    ])
    .arg(dir);
    check_status(
        &mut pip,
        "pip download (needs pip and network; or put the jar into RATSUCHE_PEERS_DIR yourself)",
    )?;
    let sdist = dir.join("pyserini-1.6.0.tar.gz");
    let member = format!("pyserini-1.6.0/pyserini/resources/jars/{JAR}");
    let mut tar = Command::new("tar");
    tar.arg("xzf").arg(&sdist).arg("-C").arg(dir).arg(&member);
    check_status(&mut tar, "tar (unpacking the jar from the sdist)")?;
    std::fs::rename(dir.join(&member), &jar)?;
    let _ = std::fs::remove_dir_all(dir.join("pyserini-1.6.0"));
    Ok(jar)
}

fn report_text(
    queries: &[JudgedQuery],
    qrels: &Qrels,
    runs: &[(String, Run, f64)],
    units: usize,
) -> String {
    let scored: Vec<(&str, BTreeMap<String, Scores>)> = runs
        .iter()
        .map(|(name, run, _)| (name.as_str(), eval::score_run(run, queries, qrels)))
        .collect();
    let mut categories: Vec<&str> = Vec::new();
    for q in queries {
        if !categories.contains(&q.category.as_str()) {
            categories.push(&q.category);
        }
    }
    let mean_of = |scores: &BTreeMap<String, Scores>, category: Option<&str>| {
        Scores::mean(
            queries
                .iter()
                .filter(|q| category.is_none_or(|c| q.category == c))
                .map(|q| &scores[&q.id]),
        )
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} queries, {} units, {} judgments; nDCG@{c} (gain 2^g-1), recall@{c} and MRR \
         (relevant: grade >= {r})\n",
        queries.len(),
        units,
        qrels.values().map(|j| j.len()).sum::<usize>(),
        c = eval::CUTOFF,
        r = eval::RELEVANT,
    );
    let _ = writeln!(
        out,
        "| engine | nDCG@10 | recall@10 | MRR | seconds (all queries) |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|");
    for ((name, scores), (_, _, seconds)) in scored.iter().zip(runs) {
        let m = mean_of(scores, None);
        let _ = writeln!(
            out,
            "| {name} | {:.3} | {:.3} | {:.3} | {seconds:.2} |",
            m.ndcg, m.recall, m.rr
        );
    }
    let _ = writeln!(out, "\nnDCG@10 / recall@10 / MRR per category:\n");
    let _ = write!(out, "| category (queries) |");
    for (name, _) in &scored {
        let _ = write!(out, " {name} |");
    }
    let _ = write!(out, "\n|---|");
    for _ in &scored {
        let _ = write!(out, "---|");
    }
    out.push('\n');
    for category in &categories {
        let n = queries.iter().filter(|q| q.category == *category).count();
        let _ = write!(out, "| {category} ({n}) |");
        for (_, scores) in &scored {
            let m = mean_of(scores, Some(category));
            let _ = write!(out, " {:.3} / {:.3} / {:.3} |", m.ndcg, m.recall, m.rr);
        }
        out.push('\n');
    }

    // Queries where some peer beats ratsuche on nDCG@10.
    let (ours, peers) = scored
        .split_first()
        .expect("ratsuche's run is always there");
    let mut lines = String::new();
    for q in queries {
        let mine = ours.1[&q.id].ndcg;
        let best = peers
            .iter()
            .map(|(name, s)| (*name, s[&q.id].ndcg))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let Some((best_name, best_ndcg)) = best else {
            break;
        };
        if best_ndcg <= mine + 1e-9 {
            continue;
        }
        let top = |name: &str| -> String {
            let run = &runs.iter().find(|(n, _, _)| n == name).expect("run").1;
            let judged = &qrels[&q.id];
            eval::dedup(run.get(&q.id).map(Vec::as_slice).unwrap_or_default())
                .iter()
                .take(3)
                .map(|u| {
                    format!(
                        "{u}={}",
                        judged.get(*u).map_or("-".into(), |g| g.to_string())
                    )
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        let _ = write!(
            lines,
            "| {} | {} | `{}` | {mine:.3} |",
            q.id, q.category, q.text
        );
        for (_, s) in peers {
            let _ = write!(lines, " {:.3} |", s[&q.id].ndcg);
        }
        let _ = writeln!(lines, " {} | {} |", top("ratsuche"), top(best_name));
    }
    if !lines.is_empty() {
        let _ = write!(out, "\nQueries where a peer beats ratsuche (nDCG@10; top 3 as unit=grade, `-` unjudged):\n\n| id | category | query | ratsuche |");
        for (name, _) in peers {
            let _ = write!(out, " {name} |");
        }
        let _ = write!(
            out,
            " ratsuche top 3 | best peer top 3 |\n|---|---|---|---|"
        );
        for _ in peers {
            let _ = write!(out, "---|");
        }
        let _ = writeln!(out, "---|---|");
        out.push_str(&lines);
    }
    out
}
