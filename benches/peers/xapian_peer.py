#!/usr/bin/python3
"""Xapian peer (Debian's python3-xapian, so run it with /usr/bin/python3):
units indexed in an in-memory database by a TermGenerator with the German
Snowball stemmer (STEM_SOME: unstemmed terms plus Z-prefixed stems), the
title with within-document frequency 3 (ratsuche's title boost), text with 1;
BM25 weighting (Xapian's default). Queries go through Xapian's QueryParser
with the German stemmer, STEM_SOME and AND as default operator (its default
flags: phrases, boolean operators, +/-); if AND finds nothing the query is
parsed again with OR. See common.py for arguments and formats.
"""

import sys
import time

import common

try:
    import xapian
except ImportError:
    sys.exit(
        "xapian_peer.py: the xapian module is missing; install Debian's python3-xapian "
        "(apt-get install python3-xapian) and run this script with /usr/bin/python3"
    )

ENGINE = "xapian"
TITLE_WDF = 3


def main():
    args = common.parse_args(__doc__)
    units = common.read_units(args.units)
    queries = common.read_queries(args.queries)
    stemmer = xapian.Stem("german")
    start = time.perf_counter()
    db = xapian.WritableDatabase("", xapian.DB_BACKEND_INMEMORY)
    tg = xapian.TermGenerator()
    tg.set_stemmer(stemmer)
    tg.set_stemming_strategy(xapian.TermGenerator.STEM_SOME)
    for uid, title, text in units:
        doc = xapian.Document()
        tg.set_document(doc)
        tg.index_text(title, TITLE_WDF)
        tg.increase_termpos()
        tg.index_text(text)
        doc.set_data(uid)
        db.add_document(doc)
    index_seconds = time.perf_counter() - start

    def parser(op):
        qp = xapian.QueryParser()
        qp.set_stemmer(stemmer)
        qp.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
        qp.set_database(db)
        qp.set_default_op(op)
        return qp

    qp_and, qp_or = parser(xapian.Query.OP_AND), parser(xapian.Query.OP_OR)
    enquire = xapian.Enquire(db)
    for _ in range(max(1, args.passes)):
        results, timings, fallback = [], [], []
        for qid, text in queries:
            start = time.perf_counter()

            def run(qp):
                try:
                    query = qp.parse_query(text, xapian.QueryParser.FLAG_DEFAULT)
                except xapian.QueryParserError:
                    # Malformed syntax: search the words literally.
                    query = qp.parse_query(text, 0)
                enquire.set_query(query)
                return [(m.document.get_data().decode(), m.weight) for m in enquire.get_mset(0, args.depth)]

            hits = run(qp_and)
            if not hits:
                fallback.append(qid)
                hits = run(qp_or)
            timings.append(time.perf_counter() - start)
            results.append((qid, hits))
    common.write_run(args.run, results, args.tag or ENGINE)
    common.write_stats(args.stats, ENGINE, len(units), index_seconds, timings, fallback)


if __name__ == "__main__":
    main()
