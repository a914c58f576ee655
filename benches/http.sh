#!/usr/bin/env bash
# Load benchmark of `ratsuche serve` with wrk (not a test): /api/search on
# an index of the Karlsruhe corpus, at 1, 16 and 64 connections, rotating
# over the requests in benches/http-queries.lua. Prints wrk's report and
# one RESULT line per run (requests/s, p50/p99/max latency, errors).
#
#   benches/http.sh                 # 20 s per run
#   DURATION=60s benches/http.sh
#
# The index is built once under $CARGO_TARGET_DIR/http-bench (a few
# minutes) and reused; delete that folder to rebuild it. Needs wrk
# (Debian package `wrk`) and ../shared/realworld/karlsruhe.
set -euo pipefail
cd "$(dirname "$0")/.."

target=${CARGO_TARGET_DIR:-target}
corpus=${KARLSRUHE:-../shared/realworld/karlsruhe/file-contents}
work=$target/http-bench
index=$work/karlsruhe-index
duration=${DURATION:-20s}
addr=127.0.0.1:${PORT:-7879}

command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is missing" >&2; exit 1; }
[ -d "$corpus" ] || { echo "no Karlsruhe corpus at $corpus" >&2; exit 1; }

cargo build --release --bin ratsuche
bin=$target/release/ratsuche
mkdir -p "$work"
if [ ! -f "$index/meta.json" ]; then
  echo "indexing $corpus into $index (once)"
  # Exit code 1: some files failed and are listed; the rest is indexed.
  ( time "$bin" index "$corpus" --index "$index" ) 2>&1 | tail -n 20 || true
fi

"$bin" serve --addr "$addr" --index "$index" &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -fsS "http://$addr/health" >/dev/null 2>&1 && break
  sleep 0.2
done
echo "health: $(curl -fsS "http://$addr/health")"

# Every request of the script must succeed before it is timed; this also
# warms the page cache and the searcher.
grep -o '"/api/search[^"]*"' benches/http-queries.lua | tr -d '"' | while read -r path; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://$addr$path")
  if [ "$code" != 200 ]; then
    echo "$path answered $code" >&2
    exit 1
  fi
done

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for connections in 1 16 64; do
  threads=$(( connections < 2 ? 1 : 2 ))
  echo "== $connections connections, $threads threads, $duration"
  wrk --latency -t "$threads" -c "$connections" -d "$duration" --timeout 15s \
    -s benches/http-queries.lua "http://$addr/"
done

# Reference in the same run: the HTTP stack alone (/health answers from a
# cached count), so the search's share of the cost is visible.
echo "== reference: GET /health, 16 connections, 2 threads, $duration"
wrk --latency -t 2 -c 16 -d "$duration" --timeout 15s "http://$addr/health"
