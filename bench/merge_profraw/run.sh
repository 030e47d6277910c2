#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Side-by-side benchmark: merge N real .profraw files (from runs of a generated C++ program with
# FUNCTIONS functions) with `pgopipe merge` (the CLI) and with `llvm-profdata-19 merge`, both at
# JOBS threads, under /usr/bin/time -v; prints wall times, their ratio and peak RSS, and checks
# that both outputs show the same counts.
#   bench/merge_profraw/run.sh [BUILD_DIR]   (env: RUNS=500 FUNCTIONS=3000 JOBS=2 REPEAT=3 WORK=dir)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../../scripts/lib.sh"
build="$(cd "${1:-$here/../../build}" && pwd)"
runs="${RUNS:-500}" functions="${FUNCTIONS:-3000}" jobs="${JOBS:-2}" repeat="${REPEAT:-3}"
work="${WORK:-${TMPDIR:-/tmp}/pgopipe-bench-profraw}"
driver="$build/cli/pgopipe"
[[ -x "$driver" ]] || { echo "build pgopipe first: ninja -C $build pgopipe" >&2; exit 1; }
mkdir -p "$work/src" "$work/raw"

stamp="$work/inputs-$functions-$runs"
if [[ ! -e "$stamp" ]]; then
  rm -f "$work"/raw/*.profraw "$work"/inputs-*
  echo "generating a program with $functions functions and running it $runs times..."
  python3 "$here/gen_program.py" "$functions" 4 "$work/src"
  objs=()
  for src in "$work"/src/*.cpp; do
    clang-19 --driver-mode=g++ -O1 -fprofile-instr-generate -c "$src" -o "${src%.cpp}.o" &
    objs+=("${src%.cpp}.o")
    (( ${#objs[@]} % 2 == 0 )) && wait
  done
  wait
  clang-19 --driver-mode=g++ -fprofile-instr-generate -Wl,--build-id "${objs[@]}" -o "$work/prog"
  for ((i = 1; i <= runs; i++)); do
    LLVM_PROFILE_FILE="$work/raw/run-$i.profraw" "$work/prog" "$i" > /dev/null
  done
  touch "$stamp"
fi
inputs=("$work"/raw/*.profraw)
echo "inputs: ${#inputs[@]} .profraw files, $(du -sh "$work/raw" | cut -f1) in total, $(stat -c %s "${inputs[0]}") bytes each"

measure() {  # measure NAME COMMAND... -> "seconds peak_kb" of one run
  # Wall time from the shell's microsecond clock (time -v reports hundredths, too coarse for
  # runs of a fifth of a second); peak RSS from time -v.
  local log="$work/$1.time"; shift
  local start=$EPOCHREALTIME
  /usr/bin/time -v "$@" 2> "$log" > /dev/null || { cat "$log" >&2; exit 1; }
  local wall rss
  wall=$(seconds_since "$start")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  echo "$wall $rss"
}

ours_t=() ours_m=() ref_t=() ref_m=()
for ((r = 1; r <= repeat; r++)); do  # alternate the tools so machine noise hits both alike
  read -r t m < <(measure pgopipe "$driver" merge --format instr -j "$jobs" -o "$work/pgopipe.profdata" "${inputs[@]}")
  ours_t+=("$t"); ours_m+=("$m")
  read -r t m < <(measure llvm-profdata llvm-profdata-19 merge -j "$jobs" -o "$work/llvm.profdata" "${inputs[@]}")
  ref_t+=("$t"); ref_m+=("$m")
  echo "round $r: pgopipe ${ours_t[-1]} s ${ours_m[-1]} KB | llvm-profdata ${ref_t[-1]} s ${ref_m[-1]} KB"
done
ot=$(median "${ours_t[@]}") om=$(median "${ours_m[@]}") rt=$(median "${ref_t[@]}") rm=$(median "${ref_m[@]}")

show() { llvm-profdata-19 show --all-functions --counts --ic-targets "$1"; }
if cmp -s <(show "$work/pgopipe.profdata") <(show "$work/llvm.profdata"); then same=yes; else same=NO; fi
echo
echo "merge of ${#inputs[@]} .profraw ($functions functions), $jobs threads, median of $repeat:"
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }
echo "  pgopipe        $ot s  peak RSS $(calc "$om / 1024") MB"
echo "  llvm-profdata  $rt s  peak RSS $(calc "$rm / 1024") MB"
echo "  time ratio pgopipe/llvm-profdata = $(calc "$ot / $rt"), peak RSS ratio = $(calc "$om / $rm"), same counts: $same"
[[ "$same" == yes ]]
