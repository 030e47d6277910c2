#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# How much of PGO's gain the collector's interval profiles carry, on the example service:
# one instrumented run (IR instrumentation, in-process collector, interval INTERVAL) serves
# the training traffic; its end-of-run profile (the runtime's own .profraw at exit) and the
# collector's interval uploads of the same traffic (every object in the store, merged by
# llvm-profdata-19 like the end-of-run profile, so only the profiles' content differs) each
# build a PGO binary; -O2, end-of-run PGO and collector PGO then run interleaved (order
# rotated every round) on another seed, and the table shows the median CPU time of each.
# When both profiles build byte-identical binaries, that binary is the one PGO arm.
# Usage: bench/collector/gain.sh PGOPIPE_BUILD_DIR [PAIRS]   (env: TRAIN_SECONDS, INTERVAL,
#        BENCH_REQUESTS, WORK_DIR to keep the builds). The build dir provides the collector.
set -euo pipefail
pgopipe_build=$(realpath "${1:?usage: gain.sh PGOPIPE_BUILD_DIR [PAIRS]}")
pairs=${2:-12}
repo=$(cd "$(dirname "$0")/../.." && pwd)
train_seconds=${TRAIN_SECONDS:-15}
interval=${INTERVAL:-3s}
requests=${BENCH_REQUESTS:-600000}
if [[ -n "${WORK_DIR:-}" ]]; then
  work=$(realpath -m "$WORK_DIR")
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
cd "$work"
export CC=clang-19 CXX=clang++-19
args=(-G Ninja -DCMAKE_BUILD_TYPE=Release "-DPGOPIPE_CMAKE_MODULE_DIR=$repo/cmake-modules"
      "-DCMAKE_PROJECT_INCLUDE=$repo/examples/demo/collector.cmake" "-DPGOPIPE_BUILD_DIR=$pgopipe_build"
      -DPGO_INSTRUMENTATION=IR)
build() {  # build DIR PGO_VALUE
  cmake -S "$repo/examples/service" -B "$1" "-DPGO=$2" "${args[@]}" > "$1.log" 2>&1 &&
    cmake --build "$1" -j2 >> "$1.log" 2>&1 || { tail -30 "$1.log"; echo "gain.sh: build $1 failed" >&2; exit 1; }
}

echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min), $(nproc) CPUs"
build instr generate
echo "== training: ${train_seconds}s of traffic (seed 1), collector interval $interval"
PGOPIPE_STORE=$work/store PGOPIPE_APP=gain PGOPIPE_INTERVAL=$interval PGOPIPE_SPOOL_DIR=$work/spool \
  LLVM_PROFILE_FILE=$work/end.profraw ./instr/service --duration "$train_seconds" --seed 1 --quiet > train.out 2> train.err
"$pgopipe_build/cli/pgopipe" collect spool --dir "$work/spool" --store "$work/store" --once 2>> train.err
intervals=$(find store -name '*.profraw' | wc -l)
llvm-profdata-19 merge -o end.profdata end.profraw
find store -name '*.profraw' -print0 | xargs -0 llvm-profdata-19 merge -o collector.profdata
ic() { llvm-profdata-19 show --all-functions --ic-targets "$1" | grep -c '^\s*\[' || true; }
echo "   $intervals interval uploads; indirect-call target entries: end-of-run $(ic end.profdata), collector $(ic collector.profdata)"
build o2 off
build pgo-end "$work/end.profdata"
build pgo-collector "$work/collector.profdata"

# Equal bytes make equal speed: when both profiles built the same binary, it runs as one arm
# and the collector profile's gain is the end-of-run profile's by construction (timing two
# copies of one binary against each other would measure only this machine's noise).
identical=0
if cmp -s pgo-end/service pgo-collector/service; then
  identical=1
  names=(o2 pgo-end)
  echo "== the end-of-run and collector profiles built byte-identical binaries (sha256 $(sha256sum pgo-end/service | cut -c1-16)): one PGO arm"
else
  names=(o2 pgo-end pgo-collector)
  echo "== the two PGO binaries differ: three arms"
fi
declare -A times
cpu() {  # cpu BINARY: user+sys seconds of one benchmark run, to the microsecond (wait4's rusage)
  python3 -c 'import os, subprocess, sys
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(p.pid, 0)
sys.exit(f"gain.sh: {sys.argv[1]} exited with status {status}") if status else print(f"{usage.ru_utime + usage.ru_stime:.4f}")' \
    "$1" --requests "$requests" --seed 42 --quiet
}
arms=${#names[@]}
echo "== $pairs interleaved rounds of $requests requests (seed 42), order rotated; one warm-up round"
for n in "${names[@]}"; do cpu "$n/service" > /dev/null; done
for ((i = 0; i < pairs; i++)); do
  for ((k = 0; k < arms; k++)); do
    n=${names[$(((i + k) % arms))]}
    times[$n]+="$(cpu "$n/service") "
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
for n in "${names[@]}"; do printf '   %-14s %s\n' "$n" "${times[$n]}"; done
m_o2=$(median <<< "${times[o2]}")
m_end=$(median <<< "${times[pgo-end]}")
if [[ $identical == 1 ]]; then
  awk -v o="$m_o2" -v e="$m_end" 'BEGIN {
    printf "median CPU: -O2 %.4f s | PGO (end-of-run = collector profile) %.4f s (%.3fx)\n", o, e, o / e
    printf "collector gain / end-of-run gain: 100 %% (the same binary)\n" }'
else
  m_col=$(median <<< "${times[pgo-collector]}")
  awk -v o="$m_o2" -v e="$m_end" -v c="$m_col" 'BEGIN {
    ge = o / e - 1; gc = o / c - 1
    printf "median CPU: -O2 %.4f s | end-of-run PGO %.4f s (%.3fx) | collector PGO %.4f s (%.3fx)\n", o, e, o / e, c, o / c
    printf "collector gain / end-of-run gain: %.1f %%\n", ge > 0 ? 100 * gc / ge : 0 }'
fi
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
