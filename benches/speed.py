#!/usr/bin/python3
"""Indexing and query speed of ratsuche against SQLite FTS5, Xapian and
Lucene's GermanAnalyzer on a folder of .txt files (issue 6), in one run.

    CARGO_TARGET_DIR=... nice -n 10 /usr/bin/python3 benches/speed.py \
        [--corpus ../shared/realworld/karlsruhe/file-contents] [--threads 1,2] \
        [--skip lucene,xapian] [--only index|query] [--work DIR] [--profile release-lto]

Run from the repository root after `cargo build --release` (or `cargo build
--profile P` for `--profile P`: the `ratsuche` binary measured is
`$CARGO_TARGET_DIR/P/ratsuche`) and `cargo bench --bench query_latency
--no-run` (the query bench always uses the bench profile). What one run does:

1. Writes the corpus as peer units (`WORK/units.jsonl`: one unit per .txt
   file, id = file stem, title = the paper's name from MANIFEST.tsv, text =
   the whole file) and derives the query set (`WORK/queries.tsv`, see
   `make_queries`).
2. ratsuche: `ratsuche index CORPUS --index WORK/index-tN` into a fresh
   directory under `/usr/bin/time -v`, once per --threads value
   (`--threads N`: N workers do all per-file work, analysis included; the
   index writer adds one light thread that records tokens): wall time,
   CPU time, peak RSS, index size. Then `benches/query_latency.rs` on the
   last index: per-query latency (one thread, warm) and queries/s with all
   cores.
3. Each peer (`benches/peers/`) under `/usr/bin/time -v` on the same units
   and queries with --depth 10 and --passes 2: in-process index time and
   per-query latencies of the second (warm) pass from its --stats JSON, peak
   RSS of the whole process (which also holds all units in memory, and the
   in-memory index). Lucene runs twice: as configured for the relevance
   bench (`lucene`: in memory, one thread, nothing stored but the id) and
   doing the work `ratsuche index` does (`lucene-disk`: the text stored, the
   index written to `WORK/lucene-index` and committed, as many threads as
   ratsuche's largest --threads, a 256 MB RAM buffer like ratsuche's writer
   memory); for both, "index CPU s" is the JVM's CPU time while indexing.
4. Prints one markdown table per workload, and writes it with all figures to
   `WORK/report.md` and `WORK/results.json`.

Peers index whole files (one document each); ratsuche cuts each file into
passages (its index holds more, smaller documents). MB/s is always bytes of
.txt input per second of the engine's indexing time.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT / "benches" / "peers"
KARLSRUHE = ROOT.parent / "shared" / "realworld" / "karlsruhe"
JAR = "anserini-1.7.1-fatjar.jar"

# Words that make no query on their own (title words of every paper).
STOP = set(
    """der die das den dem des ein eine einer eines einem einen und oder für
    von vom zur zum mit auf aus bei bis nach über unter durch gegen ohne als
    auch sowie im in an am ist sind wird werden wurde wie was wer wo wann
    warum welche welcher nicht noch mehr sich seit beim ins dass zu so sie es
    er antrag anfrage stellungnahme vorlage beschlussvorlage änderungsantrag
    ergänzungsantrag fraktion fraktionen stadt karlsruhe karlsruher cdu spd
    fdp grüne grünen linke afd kult freie wähler gemeinderat gemeinderats
    ortschaftsrat top anlage haushalt stand""".split()
)


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def timed(cmd, env=None, cwd=None):
    """Run cmd under /usr/bin/time -v; return (wall s, cpu s, peak RSS MB, stdout)."""
    full = ["/usr/bin/time", "-v"] + [str(c) for c in cmd]
    p = subprocess.run(full, env=env, cwd=cwd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(full)}\n{p.stderr[-3000:]}")
    err = p.stderr

    def field(name):
        m = re.search(re.escape(name) + r": (.*)", err)
        if not m:
            sys.exit(f"/usr/bin/time gave no {name!r}:\n{err[-2000:]}")
        return m.group(1).strip()

    wall = 0.0
    for part in field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":"):
        wall = wall * 60 + float(part)
    cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    rss_mb = int(field("Maximum resident set size (kbytes)")) / 1024
    return wall, cpu, rss_mb, p.stdout


def dir_mb(path):
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file()) / 1e6


def manifest_titles(manifest):
    titles = {}
    if manifest and manifest.exists():
        with open(manifest, encoding="utf-8") as f:
            header = f.readline().rstrip("\n").split("\t")
            i_id, i_name = header.index("id"), header.index("name")
            for line in f:
                cols = line.rstrip("\n").split("\t")
                titles[cols[i_id]] = cols[i_name]
    return titles


def make_units(corpus, titles, out):
    files = sorted(corpus.rglob("*.txt"))
    if not files:
        sys.exit(f"{corpus}: no .txt files")
    total = 0
    with open(out, "w", encoding="utf-8") as f:
        for p in files:
            data = p.read_bytes()
            total += len(data)
            text = data.decode("utf-8", errors="replace")
            title = titles.get(p.stem.split("-")[0], "")
            f.write(json.dumps({"id": p.stem, "title": title, "text": text}, ensure_ascii=False) + "\n")
    return len(files), total


def make_queries(titles, relevance_tsv, out, every=7):
    """Deterministic query set: the judged queries of the relevance set, then
    from every `every`-th paper title (MANIFEST order, distinct titles) its
    first one, two or three content words (cycling 1-2-3: users type short
    queries) — words of ≥ 4 letters that are not in STOP. Duplicates dropped."""
    queries, seen = [], set()

    def add(qid, q):
        key = q.lower()
        if q and key not in seen:
            seen.add(key)
            queries.append((qid, q))

    with open(relevance_tsv, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            add(cols[0], cols[2])
    distinct = list(dict.fromkeys(t for t in titles.values() if t))
    for n, title in enumerate(distinct[::every]):
        words = [w for w in re.findall(r"[A-Za-zÄÖÜäöüß][A-Za-zÄÖÜäöüß-]*[A-Za-zÄÖÜäöüß]", title)
                 if len(w) >= 4 and w.lower() not in STOP]
        if words:
            add(f"t{n:04d}", " ".join(words[: 1 + n % 3]))
    with open(out, "w", encoding="utf-8") as f:
        for qid, q in queries:
            f.write(f"{qid}\t{q}\n")
    return len(queries)


def pct(values, p):
    s = sorted(values)
    k = max(1, -(-len(s) * p // 100))
    return s[int(k) - 1]


def lucene_cmd(work):
    peers_dir = Path(os.environ.get("RATSUCHE_PEERS_DIR", "/work/peers"))
    jar = peers_dir / JAR
    if not jar.exists():
        sys.exit(f"{jar} missing: run `cargo bench --bench relevance` once (it fetches the jar) or set RATSUCHE_PEERS_DIR")
    classes = work / "classes"
    classes.mkdir(exist_ok=True)
    src = PEERS / "LuceneGerman.java"
    cls = classes / "LuceneGerman.class"
    if not cls.exists() or cls.stat().st_mtime < src.stat().st_mtime:
        sh(["javac", "-cp", str(jar), "-d", str(classes), str(src)])
    return ["java", "-cp", f"{jar}:{classes}", "LuceneGerman"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=KARLSRUHE / "file-contents")
    ap.add_argument("--manifest", type=Path, default=KARLSRUHE / "MANIFEST.tsv",
                    help="titles for units and queries (the generated corpora reuse Karlsruhe's)")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--skip", default="", help="peers to leave out: fts5,xapian,lucene,lucene-disk")
    ap.add_argument("--only", choices=["index", "query"], help="ratsuche only, one workload")
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    ap.add_argument("--work", type=Path, default=target / "speed")
    ap.add_argument("--label", default="", help="name of this run in the report")
    ap.add_argument("--profile", default="release", choices=["release", "release-lto"],
                    help="cargo profile of the ratsuche binary that indexes (queries always run "
                         "benches/query_latency.rs, built with the bench profile)")
    args = ap.parse_args()
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    ratsuche = target / args.profile / "ratsuche"
    if args.only != "query" and not ratsuche.exists():
        sys.exit(f"{ratsuche} missing: cargo build --profile {args.profile} first")

    titles = manifest_titles(args.manifest)
    units = work / "units.jsonl"
    queries = work / "queries.tsv"
    n_files, n_bytes = make_units(args.corpus, titles, units)
    n_queries = make_queries(titles, ROOT / "tests/data/relevance/queries.tsv", queries)
    mb = n_bytes / 1e6
    print(f"corpus {args.corpus}: {n_files} files, {mb:.1f} MB; {n_queries} queries", flush=True)
    results = {"corpus": str(args.corpus), "files": n_files, "bytes": n_bytes, "queries": n_queries,
               "date": time.strftime("%Y-%m-%d %H:%M"), "load_before": os.getloadavg(),
               "index_profile": None if args.only == "query" else args.profile,
               "index": [], "query": []}

    last_index = None
    if args.only != "query":
        for t in [int(x) for x in args.threads.split(",") if x]:
            idx = work / f"index-t{t}"
            shutil.rmtree(idx, ignore_errors=True)
            env = dict(os.environ, RUST_LOG="warn")
            wall, cpu, rss, _ = timed([ratsuche, "index", args.corpus, "--index", idx,
                                       "--threads", str(t)], env=env)
            row = {"engine": f"ratsuche {t} thread{'s' if t > 1 else ''}", "seconds": wall, "cpu": cpu,
                   "rss_mb": rss, "index_mb": dir_mb(idx)}
            results["index"].append(row)
            print(f"  {row}", flush=True)
            last_index = idx
    else:
        last_index = sorted(work.glob("index-t*"))[-1]

    if args.only != "index":
        stats = work / "ratsuche.stats.json"
        sh(["cargo", "bench", "-q", "--bench", "query_latency", "--", "--index", last_index,
            "--queries", queries, "--stats", stats, "--passes", "2"], cwd=ROOT)
        s = json.loads(stats.read_text())
        results["query"].append({"engine": "ratsuche", "times": s["query_seconds"],
                                 "parallel_qps": n_queries / s["parallel_seconds"], "threads": s["threads"]})

    if args.only is None:
        skip = set(args.skip.split(","))
        python = os.environ.get("RELEVANCE_PYTHON", "/usr/bin/python3")
        peers = {"fts5": [python, PEERS / "fts5.py"], "xapian": [python, PEERS / "xapian_peer.py"]}
        lucene_index = work / "lucene-index"
        if not {"lucene", "lucene-disk"} <= skip:
            java = lucene_cmd(work)
            peers["lucene"] = java
            most = max(int(x) for x in args.threads.split(",") if x)
            peers["lucene-disk"] = java + ["--threads", str(most), "--store", "yes",
                                           "--index-dir", lucene_index, "--ram-mb", "256"]
        for name, cmd in peers.items():
            if name in skip:
                continue
            shutil.rmtree(lucene_index, ignore_errors=True)
            stats = work / f"{name}.stats.json"
            wall, cpu, rss, _ = timed(cmd + ["--units", units, "--queries", queries, "--run", work / f"{name}.trec",
                                             "--depth", "10", "--passes", "2", "--stats", stats])
            s = json.loads(stats.read_text())
            row = {"engine": name, "seconds": s["index_seconds"], "process_seconds": wall, "cpu": cpu,
                   "index_cpu": s.get("index_cpu_seconds"), "rss_mb": rss,
                   "index_mb": dir_mb(lucene_index) if name == "lucene-disk" else None}
            results["index"].append(row)
            results["query"].append({"engine": name, "times": s["query_seconds"], "parallel_qps": None})
            print(f"  {name}: index {s['index_seconds']:.1f} s, process {wall:.1f} s, RSS {rss:.0f} MB", flush=True)

    lines = [f"{args.label or args.corpus}: {n_files} files, {mb:.1f} MB, {n_queries} queries, "
             f"{results['date']}, load average before {results['load_before'][0]:.1f}; "
             + (f"ratsuche indexing: profile {args.profile}; " if args.only != "query"
                else "index reused from the work directory; ")
             + "ratsuche queries: bench profile", ""]
    if results["index"]:
        by_name = {r["engine"]: r for r in results["index"]}

        def ratio(r, peer):
            return f"{by_name[peer]['seconds'] / r['seconds']:.2f}" if peer in by_name else "–"

        # "CPU s": the whole process (ratsuche's run is nothing but indexing);
        # "index CPU s": the peer's CPU while indexing, where it reports it.
        lines += ["| engine | index s | MB/s | docs/s | CPU s | index CPU s | peak RSS MB | index MB "
                  "| MB/s ÷ Lucene | MB/s ÷ Lucene on disk |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for r in results["index"]:
            size = f"{r['index_mb']:.0f}" if r["index_mb"] is not None else "(in memory)"
            index_cpu = r.get("index_cpu") or (r["cpu"] if r["engine"].startswith("ratsuche") else None)
            index_cpu = f"{index_cpu:.1f}" if index_cpu is not None else "–"
            lines.append(f"| {r['engine']} | {r['seconds']:.1f} | {mb / r['seconds']:.2f} | "
                         f"{n_files / r['seconds']:.0f} | {r['cpu']:.1f} | {index_cpu} | {r['rss_mb']:.0f} | "
                         f"{size} | {ratio(r, 'lucene')} | {ratio(r, 'lucene-disk')} |")
        t = {r["engine"]: r["seconds"] for r in results["index"]}
        if "ratsuche 1 thread" in t and "ratsuche 2 threads" in t:
            lines += ["", f"speed-up 1 → 2 threads: {t['ratsuche 1 thread'] / t['ratsuche 2 threads']:.2f}×"]
        lines.append("")
    if results["query"]:
        lines += ["| engine | p50 ms | p90 ms | p99 ms | max ms | queries/s (1 thread) | queries/s (all cores) |",
                  "|---|---|---|---|---|---|---|"]
        for r in results["query"]:
            ts = r["times"]
            par = f"{r['parallel_qps']:.0f} ({r['threads']} threads)" if r["parallel_qps"] else "–"
            lines.append(f"| {r['engine']} | {pct(ts, 50) * 1e3:.3f} | {pct(ts, 90) * 1e3:.3f} | "
                         f"{pct(ts, 99) * 1e3:.3f} | {max(ts) * 1e3:.3f} | {len(ts) / sum(ts):.0f} | {par} |")
    report = "\n".join(lines) + "\n"
    print(report)
    (work / "report.md").write_text(report)
    for r in results["query"]:
        r["times"] = [round(x, 7) for x in r["times"]]
    (work / "results.json").write_text(json.dumps(results))


if __name__ == "__main__":
    main()
