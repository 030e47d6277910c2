#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# End-to-end demo on the local store: build the example service instrumented with the
# in-process collector, serve "production" traffic while profiles stream to the store, merge
# the window, rebuild with the merged profile and benchmark the PGO build against -O2.
# Usage: run.sh PATH_TO_PGOPIPE (PGOPIPE_BUILD_DIR defaults to the binary's build tree).
# Knobs: PGOPIPE_DEMO_KEEP=1 keeps the work dir; PGOPIPE_DEMO_SECONDS (training traffic,
# default 15), PGOPIPE_DEMO_INTERVAL (collector interval, default 5s), PGOPIPE_DEMO_ROUNDS
# (benchmark rounds, default 5), PGOPIPE_DEMO_REQUESTS (requests per benchmark run),
# PGOPIPE_DEMO_INSTRUMENTATION (IR or FRONTEND, default IR).
set -euo pipefail
pgopipe=$(realpath "${1:?usage: run.sh PATH_TO_PGOPIPE}")
repo_root=$(cd "$(dirname "$0")/../.." && pwd)
pgopipe_build=${PGOPIPE_BUILD_DIR:-$(dirname "$(dirname "$pgopipe")")}
pgopipe_build=$(realpath "$pgopipe_build")
seconds=${PGOPIPE_DEMO_SECONDS:-15}
interval=${PGOPIPE_DEMO_INTERVAL:-5s}
rounds=${PGOPIPE_DEMO_ROUNDS:-5}
requests=${PGOPIPE_DEMO_REQUESTS:-200000}
jobs=$(nproc)
# IR (default) or FRONTEND: clang's instrumentation for the training build.
instrumentation=${PGOPIPE_DEMO_INSTRUMENTATION:-IR}

work=$(mktemp -d "${TMPDIR:-/tmp}/pgopipe-demo.XXXXXX")
if [[ ${PGOPIPE_DEMO_KEEP:-0} == 1 ]]; then
  trap 'echo "demo: work dir kept: $work"' EXIT
else
  trap 'rm -rf "$work"' EXIT
fi
cd "$work"
export PGOPIPE_STORE="$work/store"
export CC=clang-19 CXX=clang++-19

stage=""
start_all=$SECONDS
step() { stage=$1; echo; echo "==> [$((SECONDS - start_all))s] $1"; }
fail() { echo "demo: FAILED at stage '$stage': $*" >&2; exit 1; }
trap_err() { fail "command exited with status $? (log above)"; }
trap trap_err ERR

for tool in clang-19 clang++-19 cmake ninja; do
  command -v "$tool" >/dev/null || fail "$tool not found on PATH (run scripts/install-deps.sh)"
done

# Every service build: the example project with pgopipe's module and the collector target.
service_args=(-G Ninja -DCMAKE_BUILD_TYPE=Release
              "-DPGOPIPE_CMAKE_MODULE_DIR=$repo_root/cmake-modules"
              "-DCMAKE_PROJECT_INCLUDE=$repo_root/examples/demo/collector.cmake"
              "-DPGOPIPE_BUILD_DIR=$pgopipe_build"
              "-DPGOPIPE_EXECUTABLE=$pgopipe" "-DPGO_INSTRUMENTATION=$instrumentation")

step "1/5 build the service instrumented (-DPGO=generate, in-process collector linked)"
cmake -S "$repo_root/examples/service" -B instr -DPGO=generate "${service_args[@]}" > instr.log 2>&1 ||
  { cat instr.log; fail "configure of the instrumented build failed"; }
grep -q "libpgopipe_collector.a" instr/build.ninja || fail "the collector is not linked into the instrumented service"
cmake --build instr -j"$jobs" >> instr.log 2>&1 || { tail -40 instr.log; fail "instrumented build failed"; }
echo "built instr/service"

step "2/5 serve production traffic for ${seconds}s (collector uploads every $interval to $PGOPIPE_STORE)"
PGOPIPE_APP=demo PGOPIPE_INTERVAL=$interval PGOPIPE_LABELS=env=demo PGOPIPE_SPOOL_DIR="$work/spool" \
  LLVM_PROFILE_FILE="$work/default-%p.profraw" \
  ./instr/service --duration "$seconds" --seed 1 --quiet | tee train.out
grep -q '^checksum:' train.out || fail "the instrumented service printed no checksum"

step "3/5 list and merge the last hour of profiles"
"$pgopipe" ls --app demo --since 1h | tee ls.out
"$pgopipe" merge --app demo --since 1h -o merged.profdata | tee merge.out
profiles=$(grep -c 'demo/' ls.out || true)
[[ $profiles -gt 0 ]] || fail "no profiles in the store for app demo"
"$pgopipe" show merged.profdata --top 5

step "4/5 build the baseline (-O2, PGO=off) and the PGO build (merged.profdata)"
"$pgopipe" build cmake -S "$repo_root/examples/service" -B base --pgo off -j "$jobs" -- \
  "${service_args[@]}" > base.log 2>&1 || { tail -40 base.log; fail "baseline build failed"; }
echo "built base/service"
"$pgopipe" build cmake -S "$repo_root/examples/service" -B pgo --profile "$work/merged.profdata" \
  -j "$jobs" -- "${service_args[@]}" > pgo.log 2>&1 || { tail -40 pgo.log; fail "PGO build failed"; }
grep -q 'fprofile-use\|fprofile-instr-use' pgo/build.ninja ||
  fail "the PGO build did not get a -fprofile-use flag"
echo "built pgo/service"

step "5/5 benchmark: $rounds interleaved rounds, $requests requests of seed 42 (training used seed 1)"
run_one() { # variant round
  "./$1/service" --requests "$requests" --seed 42 --quiet > "bench-$1-$2.out" ||
    fail "$1/service exited with status $?"
  grep '^cpu_seconds:' "bench-$1-$2.out" | awk '{print $2}' >> "cpu-$1.txt"
  grep '^checksum:' "bench-$1-$2.out" | awk '{print $2}' >> "sum-$1.txt"
  printf '  round %d %-4s cpu %ss\n' "$2" "$1" "$(tail -1 "cpu-$1.txt")"
}
for round in $(seq 1 "$rounds"); do
  run_one base "$round"
  run_one pgo "$round"
done
[[ $(sort -u sum-base.txt sum-pgo.txt | wc -l) -eq 1 ]] ||
  fail "checksums differ between the builds: $(sort -u sum-base.txt sum-pgo.txt | tr '\n' ' ')"
median() { sort -g "$1" | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
base_cpu=$(median cpu-base.txt)
pgo_cpu=$(median cpu-pgo.txt)
speedup=$(awk -v b="$base_cpu" -v p="$pgo_cpu" 'BEGIN {printf "%.2f", b / p}')

stage=summary
echo
echo "==================== pgopipe demo summary ===================="
echo "profiles merged:        $profiles (collector interval $interval, ${seconds}s of traffic)"
echo "checksum (both builds): $(head -1 sum-base.txt)"
echo "baseline -O2 median:    ${base_cpu}s CPU ($rounds rounds, $requests requests)"
echo "PGO build median:       ${pgo_cpu}s CPU"
echo "speedup:                ${speedup}x"
echo "total demo time:        $((SECONDS - start_all))s"
echo "note: per-interval collector profiles carry block counts but no value profiles"
echo "      (indirect-call targets), so clang's indirect-call promotion gets no data here."
echo "=============================================================="

# The sample-based path (perf sampler -> converter -> sample PGO), after the instrumented one.
if [[ -x "$work/base/service" ]]; then export PGOPIPE_DEMO_BASELINE="$work/base/service"; fi
stage="sample path"
"$repo_root/examples/demo/sample_path.sh" "$pgopipe"
