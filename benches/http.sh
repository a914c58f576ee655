#!/usr/bin/env bash
# Load benchmark of `ratsuche serve` with wrk (not a test): /api/search on
# an index of the Karlsruhe corpus, at 1, 16 and 64 connections, rotating
# over the requests in benches/http-queries.lua. Prints wrk's report and
# one RESULT line per run (requests/s, p50/p99/max latency, errors).
#
# Two server runs, labelled in every RESULT line:
#   cold    `serve --cache-mb 0`: the result cache is off, every request
#           is a full search (the 20 requests repeat, but nothing is kept).
#   cached  the default cache: after the first round every request is
#           answered from the cache of recent results — what repeated
#           queries cost, not what a search costs.
# MODES="cold" (or "cached") runs one of them.
#
#   benches/http.sh                 # 20 s per run
#   DURATION=60s benches/http.sh
#   BIN=/path/to/ratsuche benches/http.sh   # time a given build (no cargo build)
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

if [ -n "${BIN:-}" ]; then
  bin=$BIN
else
  cargo build --release --bin ratsuche
  bin=$target/release/ratsuche
fi
mkdir -p "$work"
if [ ! -f "$index/meta.json" ]; then
  echo "indexing $corpus into $index (once)"
  # Exit code 1: some files failed and are listed; the rest is indexed.
  ( time "$bin" index "$corpus" --index "$index" ) 2>&1 | tail -n 20 || true
fi

modes=${MODES:-cold cached}
server=
trap 'if [ -n "$server" ]; then kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; fi' EXIT
for mode in $modes; do
  case $mode in
    cold) cache_mb=0 ;;
    cached) cache_mb=32 ;;
    *) echo "unknown mode $mode (cold or cached)" >&2; exit 1 ;;
  esac
  "$bin" serve --addr "$addr" --index "$index" --cache-mb "$cache_mb" &
  server=$!
  for _ in $(seq 100); do
    curl -fsS "http://$addr/health" >/dev/null 2>&1 && break
    sleep 0.2
  done
  echo "== server: $mode (--cache-mb $cache_mb); health: $(curl -fsS "http://$addr/health")"

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
    echo "== $mode: $connections connections, $threads threads, $duration, load $(cut -d' ' -f1-3 /proc/loadavg)"
    wrk --latency -t "$threads" -c "$connections" -d "$duration" --timeout 15s \
      -s benches/http-queries.lua "http://$addr/" | sed "s/^RESULT /RESULT mode=$mode connections=$connections /"
  done

  if [ "$mode" = cold ] || [ "$modes" = cached ]; then
    # Reference in the same run: the HTTP stack alone (/health answers from
    # a cached count), so the search's share of the cost is visible.
    echo "== reference: GET /health, 16 connections, 2 threads, $duration"
    wrk --latency -t 2 -c 16 -d "$duration" --timeout 15s "http://$addr/health"
  fi
  kill "$server"
  wait "$server" 2>/dev/null || true
  server=
done
