#!/usr/bin/env python3
"""Dump `/api/search` answers of one `ratsuche serve` build, for comparing
two builds' results (not a timing).

    /usr/bin/python3 benches/api_dump.py BIN INDEX QUERIES.tsv OUT.jsonl [--port 7890]
    diff <(… main …) <(… branch …)

Starts `BIN serve --cache-mb 0` on INDEX, requests every query of
QUERIES.tsv (`ID<TAB>QUERY`) with the default request, then with
`limit=20`, `sort=date` and `offset=10` variants for every 10th query, and
the requests of `benches/http-queries.lua`; writes one line per request:
the request path and the whole JSON answer without `took_ms` (the only
field that differs between runs). Hits, order, scores, snippets,
highlights, corrections, synonyms and facets are all in it. Stdlib only.
"""

import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path


def main() -> int:
    args = sys.argv[1:]
    port = 7890
    if "--port" in args:
        at = args.index("--port")
        port = int(args[at + 1])
        del args[at : at + 2]
    if len(args) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    binary, index, queries, out = args
    paths = []
    for n, line in enumerate(Path(queries).read_text(encoding="utf-8").splitlines()):
        if not line.strip() or line.startswith("#"):
            continue
        query = line.split("\t", 1)[-1].strip()
        q = urllib.parse.quote(query)
        paths.append(f"/api/search?q={q}")
        if n % 10 == 0:
            paths.append(f"/api/search?q={q}&limit=20")
            paths.append(f"/api/search?q={q}&sort=date")
            paths.append(f"/api/search?q={q}&offset=10")
    lua = (Path(__file__).parent / "http-queries.lua").read_text(encoding="utf-8")
    paths += re.findall(r'"(/api/search[^"]*)"', lua)

    addr = f"127.0.0.1:{port}"
    server = subprocess.Popen(
        [binary, "serve", "--addr", addr, "--index", index, "--cache-mb", "0"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://{addr}/health", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        with open(out, "w", encoding="utf-8") as sink:
            for path in paths:
                try:
                    with urllib.request.urlopen(f"http://{addr}{path}", timeout=30) as r:
                        status, body = r.status, r.read()
                except urllib.error.HTTPError as e:
                    status, body = e.code, e.read()
                answer = json.loads(body)
                answer.pop("took_ms", None)
                sink.write(
                    json.dumps({"path": path, "status": status, "answer": answer},
                               ensure_ascii=False, sort_keys=True) + "\n"
                )
    finally:
        server.terminate()
        server.wait()
    print(f"{len(paths)} requests → {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
