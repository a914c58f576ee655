#!/usr/bin/python3
"""Memory of `ratsuche serve` while it answers many distinct queries (not a
timing): how the resident set grows with the words a server has seen.

    /usr/bin/python3 benches/serve_mem.py BIN INDEX [--queries 100000] [--port 7860]

Starts `BIN serve --cache-mb 0` on INDEX, sends N distinct one- and
two-word queries (words of five letters or more from the paper names in
Karlsruhe's MANIFEST.tsv, drawn by `random.Random(7)`) from 16 client
threads, and prints every five seconds the server's VmRSS, RssAnon (heap and
caches), RssFile (the mapped index), VmHWM and thread count from
`/proc/PID/status`. Stdlib only; needs ../shared beside the repository.
"""

import argparse
import random
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

MANIFEST = Path(__file__).resolve().parent.parent.parent / "shared/realworld/karlsruhe/MANIFEST.tsv"


def queries(n):
    if not MANIFEST.exists():
        sys.exit(f"{MANIFEST} missing: this bench needs ../shared beside the repository")
    words = set()
    with open(MANIFEST, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        name = header.index("name")
        for line in f:
            for w in line.rstrip("\n").split("\t")[name].split():
                w = w.strip(".,;:()\"'").lower()
                if len(w) >= 5 and w.isalpha():
                    words.add(w)
    words = sorted(words)
    rng = random.Random(7)
    return [" ".join(rng.sample(words, rng.choice([1, 1, 2]))) for _ in range(n)]


def status(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, value = line.split(":", 1)
            fields[key] = value.strip()
    mb = lambda k: int(fields[k].split()[0]) // 1024
    return (f"rss {mb('VmRSS')} MB, anon {mb('RssAnon')} MB, file {mb('RssFile')} MB, "
            f"hwm {mb('VmHWM')} MB, threads {fields['Threads']}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bin")
    ap.add_argument("index")
    ap.add_argument("--queries", type=int, default=100_000)
    ap.add_argument("--port", type=int, default=7860)
    args = ap.parse_args()
    qs = queries(args.queries)
    server = subprocess.Popen([args.bin, "serve", "--index", args.index, "--addr",
                               f"127.0.0.1:{args.port}", "--cache-mb", "0"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{args.port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/health", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    else:
        server.kill()
        sys.exit("the server did not answer /health")
    print(f"start: {status(server.pid)}", flush=True)
    done = [0]
    failed = [0]

    def ask(q):
        try:
            urllib.request.urlopen(f"{base}/api/search?" + urllib.parse.urlencode({"q": q}), timeout=30).read()
        except OSError:
            failed[0] += 1
        done[0] += 1

    finished = threading.Event()

    def sample():
        while not finished.wait(5):
            print(f"{done[0]:7d} queries: {status(server.pid)}", flush=True)

    threading.Thread(target=sample, daemon=True).start()
    started = time.time()
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(ask, qs))
    finished.set()
    print(f"end, {len(qs)} queries ({failed[0]} failed) in {time.time() - started:.0f} s: "
          f"{status(server.pid)}", flush=True)
    server.terminate()
    server.wait()


if __name__ == "__main__":
    main()
