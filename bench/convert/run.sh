#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Sample PGO, pgopipe convert vs llvm-profgen, in one run:
#  1. quality (quality.sh): per program -O2 | IR-instrumented PGO | sample PGO from pgopipe |
#     sample PGO from llvm-profgen on the same perf samples, with the share of profiled
#     functions clang applied; programs: examples/service, shapes, interp (env PROGRAMS);
#  2. conversion speed and peak RSS on ~1M samples (interp's samples replicated), both tools
#     side by side: IP-only input for both (the same information), and pgopipe on the full
#     perf script with call stacks.
# Usage: bench/convert/run.sh [path/to/pgopipe] [runs]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
pgopipe=$(realpath "${1:-$here/../../build/cli/pgopipe}")
runs=${2:-7}
"$here/quality.sh" "$pgopipe" "$runs"

source "$here/lib.sh"
bench_workdir convert
peak_rss_mb() { awk '/Maximum resident/ {printf "%.0f", $NF / 1024}' "$1"; }
cpu_s() { awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$1"; }
wall_s() { awk '/Elapsed \(wall/ {n = split($NF, t, ":"); printf "%.2f", t[n - 1] * 60 + t[n]}' "$1"; }
size_mb() { echo $(($(stat -c %s "$1") >> 20)); }

clang-19 -O2 -g -fdebug-info-for-profiling -fno-omit-frame-pointer "$here/interp.c" -o "$PWD/prod"
perf record -q -e cpu-clock -g -o perf.data ./prod 200000 >/dev/null 2>perf.log
perf script -i perf.data --show-mmap-events -F comm,pid,tid,event,ip,dso >stacks.txt 2>/dev/null
perf script -i perf.data --show-mmap-events -F comm,pid,tid,event,ip,dso -G >ip.txt 2>/dev/null
fake_lbr perf.data >fake.txt
n=$(grep -c 'cpu-clock' ip.txt)
reps=$(((1000000 + n - 1) / n))
replicate() { # IN OUT [blank line after each copy]
  { grep PERF_RECORD "$1"; for ((i = 0; i < reps; i++)); do grep -v PERF_RECORD "$1"; [[ -z ${3:-} ]] || echo; done; } >"$2"
}
replicate stacks.txt big_stacks.txt blank
replicate ip.txt big_ip.txt
replicate fake.txt big_fake.txt
measure() { # LABEL INPUT TIMEFILE
  printf '| %s | %s MB | %s s | %s s | %s MB |\n' "$1" "$(size_mb "$2")" "$(wall_s "$3")" "$(cpu_s "$3")" "$(peak_rss_mb "$3")"
}
/usr/bin/time -v "$pgopipe" convert big_ip.txt -o a.afdo --binary "$PWD/prod" 2>t.pgopipe_ip >/dev/null
/usr/bin/time -v llvm-profgen-19 --perfscript=big_fake.txt --binary="$PWD/prod" --leading-ip-only \
  --output=b.afdo 2>t.profgen >/dev/null
/usr/bin/time -v "$pgopipe" convert big_stacks.txt -o c.afdo --binary "$PWD/prod" 2>t.pgopipe_stacks >/dev/null
/usr/bin/time -v "$pgopipe" convert perf.data -o d.afdo --binary "$PWD/prod" 2>t.pgopipe_data >/dev/null
echo
echo "conversion of $((n * reps)) samples (interp's $n replicated $reps times); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| converter, input | input size | wall | CPU | peak RSS |"
echo "|---|---|---|---|---|"
measure "pgopipe, IP-only perf script" big_ip.txt t.pgopipe_ip
measure "llvm-profgen-19, IP-only perf script with fake branch stacks" big_fake.txt t.profgen
measure "pgopipe, perf script with call stacks" big_stacks.txt t.pgopipe_stacks
measure "pgopipe, perf.data of $n samples (runs perf script itself)" perf.data t.pgopipe_data
