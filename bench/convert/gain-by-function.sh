#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Where the example service's IR-PGO gain comes from, and which part of it sample PGO from
# pgopipe's profile (built as enable_pgo() builds it) recovers: the -O2, IR-PGO and sample-PGO
# binaries each run the benchmark input ROUNDS times under perf record (cpu-clock, 4 kHz, no
# stacks), and the samples are summed per symbol (libc's memcmp/memcpy included: IR PGO's
# value profiles specialise calls to them by size). Printed: the symbols where the IR build
# saves the most samples over -O2 that the sample build does not, and the totals.
#
# usage: bench/convert/gain-by-function.sh [path/to/pgopipe] [rounds]   (env TOP, default 15)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
pgopipe=$(realpath "${1:-$repo/build/cli/pgopipe}")
rounds=${2:-3}
LAYOUTS=1
source "$here/lib.sh"
bench_workdir gain
bench_program service
ir=(-mllvm -static-func-full-module-prefix=false)

build base -O2 -g
train_ir_profile instr_gen instr.profdata
build instr -O2 -g -fprofile-use="$PWD/instr.profdata" "${ir[@]}" -Wno-backend-plugin
sample_production prod perf.data pgopipe.afdo
build spgo -O2 -g -fdebug-info-for-profiling -fsample-profile-use-profi -fprofile-sample-use="$PWD/pgopipe.afdo"

# samples VARIANT: "symbol<TAB>samples" over all rounds, sorted by symbol.
samples() {
  local r
  for ((r = 0; r < rounds; r++)); do
    perf record -q -e cpu-clock -F 4000 -o "rec.$1.$r" "./$1/prog" "${bench[@]}" >/dev/null 2>>perf.log
    perf report -i "rec.$1.$r" --stdio --sort symbol -n -q 2>/dev/null
  done | awk 'NF > 3 {n = $2; $1 = $2 = $3 = ""; sub(/^ +/, ""); sub(/( +-)+$/, ""); s[$0] += n} END {for (k in s) print k "\t" s[k]}' |
    sort -t$'\t' -k1,1
}
for v in base instr spgo; do samples "$v" >"n.$v"; done
join -t$'\t' -a1 -a2 -e0 -o 0,1.2,2.2 n.base n.instr | join -t$'\t' -a1 -a2 -e0 -o 0,1.2,1.3,2.2 - n.spgo >all.tsv
awk -F'\t' -v top="${TOP:-15}" -v rounds="$rounds" '
  {b += $2; i += $3; s += $4; sym[NR] = $1; vb[NR] = $2; vi[NR] = $3; vs[NR] = $4}
  END {
    printf "samples over %d rounds: -O2 %d, IR PGO %d (saves %d), sample PGO %d (saves %d, %.0f %% of the IR saving)\n\n",
      rounds, b, i, b - i, s, b - s, 100 * (b - s) / (b - i)
    print "| symbol | -O2 | IR PGO | sample PGO | IR saving not recovered |"
    print "|---|---|---|---|---|"
    for (k = 1; k <= NR; k++) miss[k] = (vs[k] - vi[k])
    for (n = 0; n < top; n++) {
      best = 0
      for (k = 1; k <= NR; k++) if (!(k in done) && (!best || miss[k] > miss[best])) best = k
      if (!best) break
      done[best] = 1
      name = sym[best]; if (length(name) > 70) name = substr(name, 1, 67) "..."
      printf "| `%s` | %d | %d | %d | %+d (%.1f %% of the IR saving) |\n", name, vb[best], vi[best], vs[best], miss[best], 100 * miss[best] / (b - i)
    }
  }' all.tsv
