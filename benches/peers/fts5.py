#!/usr/bin/python3
"""SQLite FTS5 peer: units indexed in an in-memory FTS5 table with the
unicode61 tokenizer (remove_diacritics 2, so ä and a match; no stemming, no
stop words), ranked by FTS5's bm25() with the title weighted 3 like
ratsuche's title boost. Query words (and "phrases") are ANDed; if that finds
nothing they are ORed. See common.py for arguments and formats.
"""

import sqlite3
import time

import common

ENGINE = "fts5"
TITLE_WEIGHT = 3.0


def fts_query(chunks, op):
    # Every chunk quoted: FTS5 tokenizes a string into a phrase, and no word
    # of the user's is read as FTS5 syntax (AND, NEAR, column filters).
    return f" {op} ".join('"' + c.replace('"', '""') + '"' for _, c in chunks)


def main():
    args = common.parse_args(__doc__)
    units = common.read_units(args.units)
    queries = common.read_queries(args.queries)
    db = sqlite3.connect(":memory:")
    start = time.perf_counter()
    db.execute(
        "CREATE VIRTUAL TABLE u USING fts5(id UNINDEXED, title, text, "
        "tokenize = 'unicode61 remove_diacritics 2')"
    )
    db.executemany("INSERT INTO u (id, title, text) VALUES (?, ?, ?)", units)
    db.commit()
    index_seconds = time.perf_counter() - start
    sql = (
        f"SELECT id, bm25(u, {TITLE_WEIGHT}, 1.0) AS s FROM u WHERE u MATCH ? "
        "ORDER BY s LIMIT ?"
    )
    for _ in range(max(1, args.passes)):
        results, timings, fallback = [], [], []
        for qid, text in queries:
            chunks = common.split_query(text)
            start = time.perf_counter()
            hits = []
            if chunks:
                hits = db.execute(sql, (fts_query(chunks, "AND"), args.depth)).fetchall()
                if not hits and len(chunks) > 1:
                    fallback.append(qid)
                    hits = db.execute(sql, (fts_query(chunks, "OR"), args.depth)).fetchall()
            timings.append(time.perf_counter() - start)
            # bm25() is lower-is-better; the run wants higher-is-better.
            results.append((qid, [(uid, -s) for uid, s in hits]))
    common.write_run(args.run, results, args.tag or ENGINE)
    common.write_stats(args.stats, ENGINE, len(units), index_seconds, timings, fallback)


if __name__ == "__main__":
    main()
