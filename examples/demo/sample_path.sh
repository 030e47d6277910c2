#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The demo's sample-based path: no instrumentation. Build the service as it would ship
# (-O2 -g -fdebug-info-for-profiling, frame pointers for stacks), sample it with perf while it
# serves traffic (pprof profiles with build IDs flow into the store), merge the window,
# convert it to an LLVM sample profile (binary found by build ID), rebuild with PGO=<afdo>
# and benchmark against -O2.
# Usage: sample_path.sh PATH_TO_PGOPIPE (run from the demo's work dir; PGOPIPE_STORE set).
# Knobs: PGOPIPE_DEMO_SAMPLE_SECONDS (sampled traffic, default 12), PGOPIPE_DEMO_ROUNDS,
# PGOPIPE_DEMO_REQUESTS, PGOPIPE_DEMO_BASELINE (an -O2 service binary to reuse).
set -euo pipefail
pgopipe=$(realpath "${1:?usage: sample_path.sh PATH_TO_PGOPIPE}")
repo_root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${PGOPIPE_DEMO_SAMPLE_SECONDS:-12}
rounds=${PGOPIPE_DEMO_ROUNDS:-5}
requests=${PGOPIPE_DEMO_REQUESTS:-200000}
jobs=$(nproc)
: "${PGOPIPE_STORE:?PGOPIPE_STORE must name the demo store}"
export CC=${CC:-clang-19} CXX=${CXX:-clang++-19}
start=$SECONDS
mkdir -p sample-path && cd sample-path
say() { echo "==> [sample path, $((SECONDS - start))s] $*"; }
notice() { echo; echo "!!!!! demo: sample-based path SKIPPED: $* !!!!!"; exit 0; }
fail() { echo "demo: sample-based path FAILED: $*" >&2; exit 1; }

if ! command -v perf >/dev/null; then notice "perf not found (install linux-perf)"; fi
if ! perf record -q -e cpu-clock -o probe.data -- true >probe.log 2>&1; then
  notice "perf record is not permitted here (kernel.perf_event_paranoid=$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo '?')): $(head -1 probe.log)"
fi

echo
say "6/8 build the service as shipped (-O2 -g -fdebug-info-for-profiling -fno-omit-frame-pointer) and sample it with perf for ${seconds}s"
module=(-G Ninja -DCMAKE_BUILD_TYPE=Release "-DPGOPIPE_CMAKE_MODULE_DIR=$repo_root/cmake-modules")
"$pgopipe" build cmake -S "$repo_root/examples/service" -B sampled --pgo off -j "$jobs" -- "${module[@]}" \
  "-DCMAKE_CXX_FLAGS=-g -fdebug-info-for-profiling -fno-omit-frame-pointer" > sampled.log 2>&1 ||
  { tail -40 sampled.log; fail "build of the sampled service failed"; }
# 5 s recordings back to back; the traffic ends inside the last one (12 s by default).
collect_status=0
"$pgopipe" collect perf --app demo-sampled --label env=demo --frequency 4000 --duration 5s --interval 5s \
  -- ./sampled/service --duration "$seconds" --seed 1 --quiet > collect.log 2>&1 || collect_status=$?
tail -4 collect.log
if [[ $collect_status -ne 0 ]]; then
  echo "demo: warning: the perf sampler exited with status $collect_status (log above); using the profiles it stored"
fi
"$pgopipe" ls --app demo-sampled --since 1h | tee ls.out
profiles=$(grep -c 'demo-sampled/' ls.out || true)
[[ $profiles -gt 0 ]] || fail "the perf sampler stored no profile for app demo-sampled"

say "7/8 merge the window and convert it to a sample profile (binary looked up by build ID)"
"$pgopipe" merge --app demo-sampled --since 1h -o sampled.pb.gz
mkdir -p binaries && cp sampled/service binaries/
"$pgopipe" convert sampled.pb.gz --to llvm-sample -o sampled.afdo --binary-dir binaries
"$pgopipe" build cmake -S "$repo_root/examples/service" -B spgo --profile "$PWD/sampled.afdo" -j "$jobs" \
  -- "${module[@]}" > spgo.log 2>&1 || { tail -40 spgo.log; fail "sample-PGO build failed"; }
grep -q 'fprofile-sample-use' spgo/build.ninja || fail "the PGO build did not get -fprofile-sample-use"
grep -q 'fsample-profile-use-profi' spgo/build.ninja || fail "the PGO build did not get profile inference (-fsample-profile-use-profi)"
baseline=${PGOPIPE_DEMO_BASELINE:-}
if [[ -z $baseline ]]; then
  "$pgopipe" build cmake -S "$repo_root/examples/service" -B base --pgo off -j "$jobs" -- "${module[@]}" \
    > base.log 2>&1 || { tail -40 base.log; fail "baseline build failed"; }
  baseline=base/service
fi

say "8/8 benchmark: $rounds interleaved rounds, $requests requests of seed 42 (sampling used seed 1)"
run_one() { # name binary round
  "$2" --requests "$requests" --seed 42 --quiet > "bench-$1-$3.out" || fail "$2 exited with status $?"
  awk '/^cpu_seconds:/ {print $2}' "bench-$1-$3.out" >> "cpu-$1.txt"
  awk '/^checksum:/ {print $2}' "bench-$1-$3.out" >> "sum-$1.txt"
}
for round in $(seq 1 "$rounds"); do
  run_one base "$baseline" "$round"
  run_one spgo ./spgo/service "$round"
  printf '  round %d  -O2 cpu %ss  sample-PGO cpu %ss\n' "$round" "$(tail -1 cpu-base.txt)" "$(tail -1 cpu-spgo.txt)"
done
[[ $(sort -u sum-base.txt sum-spgo.txt | wc -l) -eq 1 ]] || fail "checksums differ between the builds"
median() { sort -g "$1" | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
base_cpu=$(median cpu-base.txt)
spgo_cpu=$(median cpu-spgo.txt)
echo
echo "==================== sample-based path summary ===================="
echo "perf profiles merged:   $profiles (app demo-sampled, ${seconds}s of traffic at 4000 Hz)"
echo "baseline -O2 median:    ${base_cpu}s CPU ($rounds rounds, $requests requests)"
echo "sample-PGO median:      ${spgo_cpu}s CPU"
echo "sample PGO speedup: $(awk -v b="$base_cpu" -v p="$spgo_cpu" 'BEGIN {printf "%.2f", b / p}')x"
echo "sample path time:       $((SECONDS - start))s"
echo "note: IP-only samples (no LBR here) give line counts and call edges, not branch counts:"
echo "      sample PGO recovers part of what instrumented PGO gains."
echo "===================================================================="
