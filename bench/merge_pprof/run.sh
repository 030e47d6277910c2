#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# pprof merge benchmark: `pgopipe merge` (the CLI users run, --normalize none so the values
# are comparable) vs `go tool pprof -proto` on the same inputs, in one run: N generated service-sized profiles (gen_profiles, fixed
# seed) plus two real Go CPU profiles (tests/data/pprof/cpuburn). Prints wall time, peak RSS
# (/usr/bin/time -v), the time ratio, and checks that both outputs give the same -top table.
#
# ROUNDS interleaved rounds (default 3); every figure is the median of its tool's rounds.
#
#   bench/merge_pprof/run.sh [BUILD_DIR] [COUNT]        (defaults: build 1000; env ROUNDS=3)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/scripts/lib.sh"
build=$(cd "${1:-$root/build}" && pwd)
count=${2:-1000} rounds=${ROUNDS:-3}
work=${PGOPIPE_BENCH_DIR:-$build/bench-merge-pprof}
inputs=$work/inputs-$count
mkdir -p "$work"
ninja -C "$build" gen_profiles pgopipe >/dev/null

if [[ ! -f $inputs/.complete ]]; then
  echo "generating $count service-sized profiles (seed 42) into $inputs"
  rm -rf "$inputs"
  "$build/bench/merge_pprof/gen_profiles" --count "$count" --seed 42 --out "$inputs"
  echo "recording two real Go CPU profiles"
  (cd "$root/tests/data/pprof/cpuburn" && GOTOOLCHAIN=local go build -o "$work/cpuburn" .)
  for seed in 1 2; do
    "$work/cpuburn" -cpuprofile "$inputs/real-go-$seed.pb.gz" -duration 2s -seed "$seed" >/dev/null
  done
  touch "$inputs/.complete"
fi
files=("$inputs"/*.pb.gz)
# Real Go CPU profiles have the same sample types as the generated ones, so all merge.
total_mb=$(du -cm "${files[@]}" | tail -1 | cut -f1)
cat "${files[@]}" >/dev/null  # warm the page cache for both tools

# measure NAME CMD... : runs CMD under /usr/bin/time -v; appends its wall (s, from the shell's
# microsecond clock), CPU (s) and peak RSS (MB) to walls_NAME, cpus_NAME and rsss_NAME.
declare -A walls cpus rsss
measure() {
  local name=$1 start=$EPOCHREALTIME
  shift
  /usr/bin/time -v -o "$work/$name.time" "$@"
  local wall rss cpu
  wall=$(seconds_since "$start")
  cpu=$(awk -F': ' '/User time|System time/ {s+=$2} END {printf "%.1f", s}' "$work/$name.time")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$work/$name.time")
  walls[$name]+="$wall " cpus[$name]+="$cpu " rsss[$name]+="$rss "
}

last() { awk '{print $NF}' <<< "${walls[$1]}"; }  # the latest wall time of a tool

echo "merging ${#files[@]} profiles ($total_mb MB gzipped), $rounds interleaved rounds"
# /usr/bin/time runs the pgopipe binary itself (a shell function would not be found).
merge=("$build/cli/pgopipe" merge --format pprof --normalize none)
for ((r = 1; r <= rounds; r++)); do  # the tools take turns, so the machine's load hits all alike
  measure go bash -c 'go tool pprof -proto "$@" > "'"$work"'/ref.pb.gz" 2>"'"$work"'/go.err"' _ "${files[@]}"
  measure ours1 "${merge[@]}" -j 1 -o "$work/ours1.pb.gz" "${files[@]}" 2> "$work/pgopipe-1.err"
  measure ours2 "${merge[@]}" -j 2 -o "$work/ours2.pb.gz" "${files[@]}" 2> "$work/pgopipe-2.err"
  echo "round $r: go tool pprof $(last go) s, pgopipe -j 1 $(last ours1) s, -j 2 $(last ours2) s"
done
for name in go ours1 ours2; do
  printf -v "wall_$name" '%s' "$(median ${walls[$name]})"
  printf -v "cpu_$name" '%s' "$(median ${cpus[$name]})"
  printf -v "rss_$name" '%s' "$(median ${rsss[$name]})"
done

top() { go tool pprof -top -nodecount=1000000 -unit=ns -sample_index="$2" "$1" 2>/dev/null | sed '1,/flat%/d' | awk '{$3=""; print}' | sort; }
agree=yes
# cpu/nanoseconds per function (flat and cum); sample counts are the same values / period.
ref_top=$(top "$work/ref.pb.gz" 1)
for out in ours1 ours2; do
  if [[ "$(top "$work/$out.pb.gz" 1)" != "$ref_top" ]]; then agree=NO; fi
done

printf '\n%-34s %9s %12s %14s   (medians of %s rounds)\n' "tool" "wall (s)" "CPU (s)" "peak RSS (MB)" "$rounds"
printf '%-34s %9s %12s %14s\n' "go tool pprof -proto" "$wall_go" "$cpu_go" "$rss_go"
printf '%-34s %9s %12s %14s\n' "pgopipe merge -j 1" "$wall_ours1" "$cpu_ours1" "$rss_ours1"
printf '%-34s %9s %12s %14s\n' "pgopipe merge -j 2" "$wall_ours2" "$cpu_ours2" "$rss_ours2"
awk -v g="$wall_go" -v a="$wall_ours1" -v b="$wall_ours2" -v cg="$cpu_go" -v ca="$cpu_ours1" -v cb="$cpu_ours2" \
    -v rg="$rss_go" -v ra="$rss_ours1" -v rb="$rss_ours2" 'BEGIN {
  printf "\nwall-time speed-up vs go tool pprof: %.1fx (1 worker), %.1fx (2 workers)\n", g/a, g/b
  printf "CPU-time ratio (go / pgopipe): %.1fx (1 worker), %.1fx (2 workers)\n", cg/ca, cg/cb
  printf "peak RSS: %.2fx (1 worker), %.2fx (2 workers) of go tool pprof'"'"'s\n", ra/rg, rb/rg }'
echo "per-function -top tables (cpu, ns) identical to go tool pprof's: $agree"
[[ $agree == yes ]]
