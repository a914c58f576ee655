#!/bin/bash
# Peak RSS of `ratsuche index CORPUS --threads 2`, split into anonymous memory and
# mapped file pages, sampled from /proc/PID/status every 0.2 s (benches/README.md,
# "Measuring tools"; the runs: benches/HISTORY.md). Not a test; run a release build first.
corpus=${1:?usage: rss_split.sh CORPUS [INDEX_DIR]}; idx=${2:-${CARGO_TARGET_DIR:-target}/rss-split-index}
rm -rf "$idx"
${CARGO_TARGET_DIR:-target}/release/ratsuche index "$corpus" --index "$idx" --threads 2 > /dev/null 2>&1 &
pid=$!
peak=0; pa=0; pf=0
while kill -0 $pid 2>/dev/null; do
  if [ -r /proc/$pid/status ]; then
    read r a f < <(awk '/^VmRSS/{r=$2}/^RssAnon/{a=$2}/^RssFile/{f=$2}END{print r,a,f}' /proc/$pid/status)
    [ -n "$r" ] && [ "$r" -gt "$peak" ] && { peak=$r; pa=$a; pf=$f; }
    [ -n "$a" ] && [ "$a" -gt "${maxa:-0}" ] && maxa=$a
    [ -n "$f" ] && [ "$f" -gt "${maxf:-0}" ] && maxf=$f
  fi
  sleep 0.2
done
echo "peak VmRSS ${peak} kB (anon ${pa} kB, file ${pf} kB at that moment); max RssAnon ${maxa} kB; max RssFile ${maxf} kB"
