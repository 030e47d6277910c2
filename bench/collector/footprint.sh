#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# What the installed collector (libpgopipe-collector.a) adds to a service: the size of a
# hello-world built with clang-19 -fprofile-instr-generate with and without it (unstripped and
# stripped), its shared-library dependencies, and on a service-sized instrumented program
# (FUNCS generated functions) the collector thread's CPU per interval and the peak extra RSS
# (VmHWM, collector on at a 100 ms interval vs off, RUNS interleaved pairs).
# Usage: bench/collector/footprint.sh BUILD_DIR [FUNCS] [RUNS]
set -euo pipefail
build=${1:?usage: footprint.sh BUILD_DIR [FUNCS] [RUNS]}
funcs=${2:-5000}
runs=${3:-5}
archive=$(realpath "$build/collector/libpgopipe-collector.a")
include=$(realpath "$(dirname "$0")/../../collector/include")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
link_collector=(-Wl,-u,pgopipe_collector_start "$archive" -lstdc++ -lm -lpthread)

printf '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n' > hello.c
clang-19 -O2 -fprofile-instr-generate hello.c -o hello-plain
clang-19 -O2 -fprofile-instr-generate -I"$include" hello.c "${link_collector[@]}" -o hello-collector
strip -o hello-plain.stripped hello-plain
strip -o hello-collector.stripped hello-collector
size_of() { stat -c %s "$1"; }
echo "hello world, clang-19 -O2 -fprofile-instr-generate:"
for v in plain collector; do
  printf '  %-10s %8d bytes, %8d stripped\n' "$v" "$(size_of hello-$v)" "$(size_of hello-$v.stripped)"
done
echo "  added: $(( $(size_of hello-collector) - $(size_of hello-plain) )) bytes," \
     "$(( $(size_of hello-collector.stripped) - $(size_of hello-plain.stripped) )) stripped"
echo "  ldd hello-plain:     $(ldd hello-plain | awk '{print $1}' | sort | tr '\n' ' ')"
echo "  ldd hello-collector: $(ldd hello-collector | awk '{print $1}' | sort | tr '\n' ' ')"

# A service-sized program: FUNCS functions with a branch each, all called every round.
{
  echo '#include <stdlib.h>'
  for ((i = 0; i < funcs; i++)); do
    echo "__attribute__((noinline)) unsigned f$i(unsigned x) { return (x & 1) ? x * 3 + $i : x / 2 + $i; }"
  done
  echo 'typedef unsigned (*fn)(unsigned);'
  echo 'static fn table[] = {'
  for ((i = 0; i < funcs; i++)); do echo "  f$i,"; done
  echo '};'
  echo 'int main(int argc, char** argv) { long rounds = argc > 1 ? atol(argv[1]) : 2000; volatile unsigned s = 0;'
  echo '  for (long r = 0; r < rounds; ++r) for (unsigned i = 0; i < sizeof table / sizeof *table; ++i) s += table[i](r + i);'
  echo '  return 0; }'
} > big.c
clang-19 -O1 -fprofile-instr-generate big.c -o big-plain
clang-19 -O1 -fprofile-instr-generate big.c "${link_collector[@]}" -o big-collector
rss() {  # peak RSS in KiB of "$@": its VmHWM, polled while it runs (the mark only grows;
         # wait4's ru_maxrss would count the forking shell's RSS from before the exec)
  "$@" > /dev/null 2>> "$dir/err" &
  local pid=$! hwm=0 v
  while kill -0 "$pid" 2> /dev/null; do
    v=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" 2> /dev/null || true)
    [[ -n $v ]] && hwm=$v
    sleep 0.01
  done
  wait "$pid"
  echo "$hwm"
}
plain=() with=()
for ((i = 0; i < runs; i++)); do
  plain+=("$(LLVM_PROFILE_FILE=$dir/p.profraw rss ./big-plain 3000)")
  with+=("$(PGOPIPE_APP=bench PGOPIPE_SPOOL_DIR=$dir/spool-$i PGOPIPE_INTERVAL=100ms \
            LLVM_PROFILE_FILE=$dir/w.profraw rss ./big-collector 3000)")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
p=$(median "${plain[@]}")
w=$(median "${with[@]}")
bytes=$(stat -c %s "$(ls "$dir"/spool-0/*.prof | head -1)")
echo "service-sized program: $funcs instrumented functions, one interval's raw profile $bytes bytes"
echo "  peak RSS without the collector ${p} KiB, with it ${w} KiB (medians of $runs): extra $((w - p)) KiB"
grep 'stopped after' "$dir/err" | sed 's/.*info: /  /' | sort | uniq -c | sort -rn | head -3 || true
grep -h 'stopped after' "$dir/err" | sed -n 's/.*stopped after \([0-9]*\) interval(s); collector thread CPU time \([0-9.]*\) ms (at most \([0-9.]*\) ms.*/\1 \2 \3/p' |
  awk '{n += $1; t += $2; if ($3 > m) m = $3} END {printf "  collector thread CPU: %.2f ms per interval on average (%d intervals), at most %.2f ms for one\n", t / n, n, m}'
