#!/usr/bin/env bash
# Instructions per query of the library search, counted by callgrind (not
# a test; load-independent, unlike query_latency's wall-clock times).
#
#   benches/callgrind_query.sh QUERY_LATENCY_EXE INDEX QUERIES.tsv [ids|full]
#
# QUERY_LATENCY_EXE is the bench binary (`cargo bench --bench
# query_latency --no-run` prints its path). Runs it under callgrind twice,
# with `--passes 1` and `--passes 2` (both also run the parallel pass), so
# the difference is exactly one warm sequential pass over all queries;
# prints it per query (the mean: heavy queries weigh in). Profiles stay in
# /tmp/callgrind-query.{1,2}.out for callgrind_annotate.
set -euo pipefail
exe=$1
index=$2
queries=$3
mode=${4:-ids}
count=$(grep -cv '^\(#\|\s*$\)' "$queries")
total() {
  callgrind_annotate "$1" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}'
}
for passes in 1 2; do
  valgrind --tool=callgrind --callgrind-out-file=/tmp/callgrind-query.$passes.out \
    "$exe" --index "$index" --queries "$queries" --passes "$passes" --mode "$mode" \
    >/dev/null 2>/tmp/callgrind-query.$passes.log
done
one=$(total /tmp/callgrind-query.1.out)
two=$(total /tmp/callgrind-query.2.out)
echo "mode=$mode queries=$count pass_instructions=$((two - one)) per_query=$(((two - one) / count))"
