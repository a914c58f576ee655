"""Shared plumbing of the peer runners in this folder (python3, stdlib only).

Every runner takes the same arguments, so the relevance bench (and the speed
benches of issue 6) can call them alike:

    RUNNER --units UNITS.jsonl --queries QUERIES.tsv --run OUT.trec
           [--depth 100] [--stats STATS.json] [--tag NAME] [--passes 1]

* UNITS.jsonl: one JSON object per line with at least "id", "title" and
  "text" (the passages ratsuche indexes, dumped by benches/relevance.rs).
  Ids are passed through unchanged to the run.
* QUERIES.tsv: `ID<TAB>QUERY` per line (a line without a tab is a query whose
  id is its line number). Blank lines and lines starting with '#' are skipped.
* OUT.trec: a TREC run, `qid Q0 unit_id rank score tag`, at most --depth
  lines per query.
* STATS.json: {"engine", "units", "index_seconds", "query_seconds": [...],
  "fallback": [qid, ...]} with wall-clock times measured inside the runner
  (process start-up and reading the files excluded); with --passes N the
  queries run N times and the timings are those of the last (warm) pass.

Queries are ANDed; when AND finds nothing the runner retries with OR, as
ratsuche does, and lists the query id under "fallback".
"""

import argparse
import json
import sys


def parse_args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--units", required=True, help="JSONL of units (id, title, text)")
    p.add_argument("--queries", required=True, help="TSV: ID<TAB>QUERY")
    p.add_argument("--run", required=True, help="TREC run to write")
    p.add_argument("--depth", type=int, default=100, help="hits per query")
    p.add_argument("--stats", help="JSON file for timings")
    p.add_argument("--tag", help="run tag (default: the engine name)")
    p.add_argument("--passes", type=int, default=1,
                   help="run the queries this often; run and timings are the last pass's (warm)")
    return p.parse_args()


def read_units(path):
    units = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                u = json.loads(line)
            except json.JSONDecodeError as e:
                sys.exit(f"{path}:{n}: not JSON: {e}")
            if "id" not in u:
                sys.exit(f"{path}:{n}: unit without \"id\"")
            units.append((str(u["id"]), u.get("title") or "", u.get("text") or ""))
    return units


def read_queries(path):
    queries = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            if "\t" in line:
                qid, text = line.split("\t", 1)
            else:
                qid, text = str(n), line
            queries.append((qid.strip(), text.strip()))
    return queries


def split_query(text):
    """The query as (is_phrase, chunk) pairs: double-quoted phrases whole,
    everything else split at whitespace. An unclosed quote reads to the end."""
    out = []
    rest = text
    while rest:
        q = rest.find('"')
        if q < 0:
            out += [(False, w) for w in rest.split()]
            break
        out += [(False, w) for w in rest[:q].split()]
        end = rest.find('"', q + 1)
        if end < 0:
            end = len(rest)
        phrase = rest[q + 1:end].strip()
        if phrase:
            out.append((True, phrase))
        rest = rest[end + 1:]
    return [(p, c) for p, c in out if any(ch.isalnum() for ch in c)]


def write_run(path, results, tag):
    """results: [(qid, [(unit_id, score), ...])] in query order."""
    with open(path, "w", encoding="utf-8") as f:
        for qid, hits in results:
            for rank, (uid, score) in enumerate(hits, 1):
                f.write(f"{qid} Q0 {uid} {rank} {score:.6f} {tag}\n")


def write_stats(path, engine, units, index_seconds, query_seconds, fallback):
    if not path:
        return
    with open(path, "w", encoding="utf-8") as f:
        json.dump(
            {
                "engine": engine,
                "units": units,
                "index_seconds": index_seconds,
                "query_seconds": query_seconds,
                "fallback": fallback,
            },
            f,
        )
