#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Collector overhead beyond the instrumentation itself: the same instrumented CPU-bound
# program (tests/data/collector/busy.c) with and without the collector (interval 1 s,
# local store), alternating runs, median of each. Usage: bench/collector/run.sh BUILD_DIR [ROUNDS] [RUNS]
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR [ROUNDS] [RUNS]}
rounds=${2:-200000}
runs=${3:-7}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
bin=$build/tests/integration/collector
plain=() with=() plain_cpu=() with_cpu=() thread_ms=()
cpu() { awk '{printf "%.2f", $1 + $2}' "$dir/time"; }  # user + system seconds, all threads
for ((i = 0; i < runs; i++)); do
  plain+=("$(LLVM_PROFILE_FILE=$dir/p.profraw /usr/bin/time -o "$dir/time" -f '%U %S' \
             "$bin/collector_busy_plain" -n "$rounds")")
  plain_cpu+=("$(cpu)")
  with+=("$(PGOPIPE_STORE=$dir/store PGOPIPE_APP=bench PGOPIPE_INTERVAL=1s \
            PGOPIPE_SPOOL_DIR=$dir/spool LLVM_PROFILE_FILE=$dir/w.profraw \
            /usr/bin/time -o "$dir/time" -f '%U %S' \
            "$bin/collector_busy_collector" -n "$rounds" 2>"$dir/err")")
  with_cpu+=("$(cpu)")
  thread_ms+=("$(sed -n 's/.*collector thread CPU time \([0-9.]*\) ms.*/\1/p' "$dir/err")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
p=$(median "${plain[@]}")
w=$(median "${with[@]}")
objects=$(find "$dir/store" -name '*.profraw' | wc -l)
echo "instrumented, no collector:   ${p}s (median of $runs: ${plain[*]})"
echo "instrumented, collector 1 s:  ${w}s (median of $runs: ${with[*]}); $objects objects uploaded"
pc=$(median "${plain_cpu[@]}")
tm=$(median "${thread_ms[@]}")
wc=$(median "${with_cpu[@]}")
echo "process CPU time (user+sys): ${pc}s without, ${wc}s with the collector"
awk -v p="$p" -v w="$w" -v pc="$pc" -v wc="$wc" 'BEGIN {
  printf "collector overhead: wall %+.2f%%, process CPU %+.2f%%\n", (w - p) / p * 100, (wc - pc) / pc * 100 }'
awk -v tm="$tm" -v wc="$wc" -v n="$objects" -v runs="$runs" 'BEGIN {
  per = tm / (n / runs)
  printf "collector thread CPU (its own getrusage): %.1f ms per run = %.3f%% of the process CPU time\n", tm, tm / 10 / wc
  printf "  = %.2f ms per interval = %.3f%% of one core at a 1 s interval\n", per, per / 10 }'
echo "(wall and process CPU ratios are only meaningful on an otherwise idle machine)"
