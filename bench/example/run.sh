#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Measures what PGO gives the example service, built by clang-19 with profiles merged by
# `pgopipe merge` (checked equal to llvm-profdata-19's merge of the same runs):
#   -O2 baseline | frontend (instrumented) PGO | IR PGO
# Each PGO variant is trained on one workload (seed 1) and benchmarked on another (seed 42).
# The binaries run interleaved (A/B/C, A/B/C, ...); the table shows median wall and CPU
# time per run and the speedup over -O2 (>1 means faster).
#
# usage: bench/example/run.sh [ROUNDS]      (env: BENCH_REQUESTS, TRAIN_REQUESTS, MIX,
#                                             WORK_DIR to keep the build directory,
#                                             SERVICE_SRC to measure another source tree,
#                                             PGOPIPE: the pgopipe binary, default build/cli/pgopipe)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${SERVICE_SRC:-"$here/../../examples/service/src"}
rounds=${1:-7}
bench_requests=${BENCH_REQUESTS:-200000}
train_requests=${TRAIN_REQUESTS:-100000}
mix=${MIX:-default}
cxx=${CXX:-clang++-19}
profdata=${LLVM_PROFDATA:-llvm-profdata-19}
pgopipe=$(realpath "${PGOPIPE:-$here/../../build/cli/pgopipe}")
[[ -x $pgopipe ]] || { echo "no pgopipe at $pgopipe: build it or set PGOPIPE" >&2; exit 1; }

if [[ -n "${WORK_DIR:-}" ]]; then
  work=$WORK_DIR
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
cd "$work"
mapfile -t sources < <(ls "$src"/*.cpp)
common=(-std=c++20 -O2 -I"$src")
ir_static=(-mllvm -static-func-full-module-prefix=false)

build() {  # build OUTPUT FLAGS...
  local out=$1
  shift
  "$cxx" "${common[@]}" "$@" "${sources[@]}" -o "$out"
}

echo "== building (work dir $work)"
t0=$(date +%s.%N)
build o2 &
build instr-gen -fprofile-instr-generate &
wait
build ir-gen -fprofile-generate="$work/ir-raw" "${ir_static[@]}"

echo "== training: $train_requests requests, seed 1, mix $mix"
LLVM_PROFILE_FILE="$work/instr-%p.profraw" ./instr-gen --requests "$train_requests" --seed 1 --mix "$mix" --quiet >/dev/null
./ir-gen --requests "$train_requests" --seed 1 --mix "$mix" --quiet >/dev/null
"$pgopipe" merge -o instr.profdata "$work"/instr-*.profraw
"$pgopipe" merge -o ir.profdata "$work"/ir-raw/*.profraw
"$profdata" merge -o instr-ref.profdata "$work"/instr-*.profraw
"$profdata" merge -o ir-ref.profdata "$work"/ir-raw/*.profraw
counts() { "$profdata" show --all-functions --counts "$1"; }
for k in instr ir; do
  cmp -s <(counts $k.profdata) <(counts $k-ref.profdata) ||
    { echo "pgopipe merge and llvm-profdata merge disagree on the $k profile" >&2; exit 1; }
done

build instr-pgo -fprofile-instr-use=instr.profdata &
build ir-pgo -fprofile-use=ir.profdata "${ir_static[@]}" &
wait
t1=$(date +%s.%N)
printf '   builds + training took %.1f s\n' "$(echo "$t1 - $t0" | bc)"

variants=(o2 instr-pgo ir-pgo)
echo "== benchmark: $bench_requests requests, seed 42, mix $mix, $rounds interleaved rounds"
for ((r = 1; r <= rounds; r++)); do
  for v in "${variants[@]}"; do
    /usr/bin/time -v -o "time-$v-$r.txt" ./"$v" --requests "$bench_requests" --seed 42 \
      --mix "$mix" --quiet >"out-$v-$r.txt"
    awk -v v="$v" '/^elapsed_seconds:/ {w=$2} /^cpu_seconds:/ {c=$2} /^checksum:/ {s=$2}
                   END {print v, w, c, s}' "out-$v-$r.txt" >>results.txt
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "time-$v-$r.txt")
    echo "$v $rss" >>rss.txt
  done
  printf '   round %d:' "$r"
  tail -n ${#variants[@]} results.txt | awk '{printf "  %s %.3fs", $1, $2}'
  echo
done

if [[ $(awk '{print $4}' results.txt | sort -u | wc -l) -ne 1 ]]; then
  echo "checksums differ between builds:" >&2
  sort -u -k1,1 -k4,4 results.txt >&2
  exit 1
fi

median() {  # median VARIANT COLUMN
  awk -v v="$1" -v c="$2" '$1 == v {print $c}' results.txt | sort -n |
    awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}

echo
echo "checksum (identical in all builds): $(awk 'NR == 1 {print $4}' results.txt)"
printf '%-12s %12s %12s %14s %13s %14s\n' build "median wall" "median CPU" "wall speedup" \
  "CPU speedup" "peak RSS (KB)"
base_w=$(median o2 2)
base_c=$(median o2 3)
for v in "${variants[@]}"; do
  w=$(median "$v" 2)
  c=$(median "$v" 3)
  rss=$(awk -v v="$v" '$1 == v {print $2}' rss.txt | sort -n | tail -1)
  printf '%-12s %11.3fs %11.3fs %13.3fx %12.3fx %14s\n' "$v" "$w" "$c" \
    "$(echo "$base_w / $w" | bc -l)" "$(echo "$base_c / $c" | bc -l)" "$rss"
done
echo "(speedup = -O2 median / variant median; $rounds runs each, interleaved; load: $(cut -d' ' -f1-3 /proc/loadavg))"
