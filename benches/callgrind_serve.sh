#!/usr/bin/env bash
# Instructions per /api/search request of `ratsuche serve` (result cache
# off), counted by callgrind — a figure that does not move with the load
# of the shared machine, unlike wrk's requests/s. Not a test.
#
#   benches/callgrind_serve.sh BIN INDEX [ROUNDS]     # ROUNDS default 5
#
# Starts BIN serve --cache-mb 0 under callgrind, answers the 20 requests
# of benches/http-queries.lua once (warm-up: searcher, segment cache,
# decompounder and stem caches), zeroes the counters, answers them ROUNDS
# times more over one keep-alive connection (as wrk does), dumps, and
# prints the total and per-request instruction count (every thread: the
# tokio workers, the blocking pool). The profile stays in
# $OUT (default /tmp/callgrind-serve.out) for callgrind_annotate.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$1
index=$2
rounds=${3:-5}
out=${OUT:-/tmp/callgrind-serve.out}
addr=127.0.0.1:${PORT:-7891}

paths=$(grep -o '"/api/search[^"]*"' benches/http-queries.lua | tr -d '"')
urls() { for _ in $(seq "$1"); do for p in $paths; do echo "http://$addr$p"; done; done; }

rm -f "$out" "$out".*
valgrind --tool=callgrind --callgrind-out-file="$out" --dump-instr=no \
  "$bin" serve --addr "$addr" --index "$index" --cache-mb 0 >/dev/null 2>/tmp/callgrind-serve.log &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 600); do
  curl -fsS "http://$addr/health" >/dev/null 2>&1 && break
  sleep 0.2
done
# shellcheck disable=SC2046
curl -fsS $(urls 1) >/dev/null
callgrind_control -z "$pid" >/dev/null
requests=$((rounds * $(echo "$paths" | wc -l)))
# shellcheck disable=SC2046
curl -fsS $(urls "$rounds") >/dev/null
callgrind_control -d "$pid" >/dev/null
sleep 1
kill "$pid"
wait "$pid" 2>/dev/null || true
trap - EXIT
# The dump after zeroing is the highest-numbered part file.
dump=$(ls -v "$out".* 2>/dev/null | tail -n 1)
total=$(callgrind_annotate "$dump" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
echo "requests=$requests instructions=$total per_request=$((total / requests)) profile=$dump"
