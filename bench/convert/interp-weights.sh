#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Why IP samples cannot carry interp's instrumented-PGO gain: the branch weights clang puts on
# the dispatch switch of bench/convert/interp.c with each profile, side by side, as a share of
# all the switch's weight. The instrumented profile counts how often each opcode ran; the
# sample profiles (pgopipe's line-based one, and llvm-profgen's pseudo-probe one) see where the
# time went, from the same training run's 4 kHz IP samples. The last column is a line-based
# profile of exact execution counts of the production binary (exact_profile in lib.sh:
# callgrind, needs valgrind): what a perfect sampler would give a line-based profile.
#
# usage: bench/convert/interp-weights.sh [path/to/pgopipe]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
pgopipe=$(realpath "${1:-$here/../../build/cli/pgopipe}")
src=$here/interp.c train=150000

source "$here/lib.sh"
bench_workdir interp-weights
# switch_weights FILE.ll: the dispatch switch's case values and weights, "value weight" per line
# (the default destination first, as value "default").
switch_weights() {
  awk '/^define .*@run\(/ {f = 1} f && /^}/ {f = 0} f' "$1" | awk '/switch i32/ {s = 1} s {print} s && /\]/ {exit}' |
    tr '\n' ' ' >switch.txt
  local id
  id=$(grep -oE '!prof ![0-9]+' switch.txt | head -1 | cut -d' ' -f2)
  grep -oE 'i32 [0-9]+, label' switch.txt | awk '{print $2}' >values.txt
  grep "^$id = " "$1" | grep -oE 'i32 [0-9]+' | awk '{print $2}' >weights.txt
  { echo default; cat values.txt; } | paste -d' ' - weights.txt
}

clang-19 -O2 -fprofile-generate="$PWD/raw" "$src" -o gen
./gen "$train" >/dev/null
llvm-profdata-19 merge -o ir.profdata raw/*.profraw
clang-19 -O2 -fprofile-use=ir.profdata -S -emit-llvm "$src" -o ir.ll

clang-19 -O2 -g -fdebug-info-for-profiling -fno-omit-frame-pointer "$src" -o prod
perf record -q -e cpu-clock -F 4000 -g -o perf.data ./prod "$train" >/dev/null 2>&1
"$pgopipe" convert perf.data -o lines.afdo --binary "$PWD/prod" 2>/dev/null
clang-19 -O2 -g -fdebug-info-for-profiling -fprofile-sample-use=lines.afdo -S -emit-llvm "$src" -o lines.ll
mkdir -p exact && cp prod exact/prog
exact_profile exact exact.afdo
clang-19 -O2 -g -fdebug-info-for-profiling -fprofile-sample-use=exact.afdo -S -emit-llvm "$src" -o exact.ll

clang-19 -O2 -g -fdebug-info-for-profiling -fno-omit-frame-pointer -fpseudo-probe-for-profiling "$src" -o probes
perf record -q -e cpu-clock -F 4000 -g -o probes.data ./probes "$train" >/dev/null 2>&1
fake_lbr probes.data >fake.txt
llvm-profgen-19 --perfscript=fake.txt --binary="$PWD/probes" --leading-ip-only --output=probes.afdo 2>/dev/null
clang-19 -O2 -g -fdebug-info-for-profiling -fpseudo-probe-for-profiling -fprofile-sample-use=probes.afdo -S -emit-llvm \
  "$src" -o probes.ll

switch_weights ir.ll >ir.txt
switch_weights lines.ll >lines.txt
switch_weights probes.ll >probes.txt
switch_weights exact.ll >exact.txt
ops=(PUSH LOAD STORE ADD SUB MUL DIV MOD LT EQ JMP JZ JNZ DUP POP HALT PRINT TRAP)
echo "interp's dispatch switch: each case's share of the switch's branch weight"
echo "| case | instrumented (executions) | pgopipe, line-based IP samples | llvm-profgen, pseudo-probe IP samples | line-based, exact counts |"
echo "|---|---|---|---|---|"
awk -v ops="${ops[*]}" '
  BEGIN {n = split(ops, op, " ")}
  FNR == 1 {f++}
  {w[f, $1] = $2; t[f] += $2; if (f == 1) order[++rows] = $1}
  END {
    for (i = 1; i <= rows; i++) {
      v = order[i]
      name = v == "default" ? "default (bad opcode)" : op[v + 1]
      printf "| %s | %.1f %% | %.1f %% | %.1f %% | %.1f %% |\n", name, 100 * w[1, v] / t[1], 100 * w[2, v] / t[2],
        100 * w[3, v] / t[3], 100 * w[4, v] / t[4]
    }
  }' ir.txt lines.txt probes.txt exact.txt
