#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# End-to-end demo on the local store: build the example service instrumented with the
# in-process collector, serve "production" traffic while profiles stream to the store, merge
# run `pgopipe rebuild` (merge the window, build -O2 and PGO, benchmark them interleaved, gate,
# publish into the store) and print the speedup with its interval, the gate's verdict, the
# number of benchmark pairs it took and the report's path.
# Usage: run.sh PATH_TO_PGOPIPE (PGOPIPE_BUILD_DIR defaults to the binary's build tree).
# Knobs: PGOPIPE_DEMO_KEEP=1 keeps the work dir; PGOPIPE_DEMO_SECONDS (training traffic,
# default 15), PGOPIPE_DEMO_INTERVAL (collector interval, default 5s), PGOPIPE_DEMO_MIN_PAIRS /
# PGOPIPE_DEMO_MAX_PAIRS (benchmark pairs the gate may use, default 10..60), PGOPIPE_DEMO_REPORT_DIR (default ./pgopipe-demo-report), PGOPIPE_DEMO_REQUESTS (requests per benchmark run),
# PGOPIPE_DEMO_INSTRUMENTATION (IR or FRONTEND, default IR).
set -euo pipefail
pgopipe=$(realpath "${1:?usage: run.sh PATH_TO_PGOPIPE}")
repo_root=$(cd "$(dirname "$0")/../.." && pwd)
pgopipe_build=${PGOPIPE_BUILD_DIR:-$(dirname "$(dirname "$pgopipe")")}
pgopipe_build=$(realpath "$pgopipe_build")
seconds=${PGOPIPE_DEMO_SECONDS:-15}
interval=${PGOPIPE_DEMO_INTERVAL:-5s}
min_pairs=${PGOPIPE_DEMO_MIN_PAIRS:-10}
max_pairs=${PGOPIPE_DEMO_MAX_PAIRS:-60}
requests=${PGOPIPE_DEMO_REQUESTS:-200000}
jobs=$(nproc)
# IR (default) or FRONTEND: clang's instrumentation for the training build.
instrumentation=${PGOPIPE_DEMO_INSTRUMENTATION:-IR}

report_dir=$(realpath -m "${PGOPIPE_DEMO_REPORT_DIR:-pgopipe-demo-report}")
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
grep -q "libpgopipe-collector.a" instr/build.ninja || fail "the collector is not linked into the instrumented service"
cmake --build instr -j"$jobs" >> instr.log 2>&1 || { tail -40 instr.log; fail "instrumented build failed"; }
echo "built instr/service"

step "2/5 serve production traffic for ${seconds}s (collector spools every $interval; pgopipe collect spool uploads to $PGOPIPE_STORE)"
PGOPIPE_APP=demo PGOPIPE_INTERVAL=$interval PGOPIPE_LABELS=env=demo PGOPIPE_SPOOL_DIR="$work/spool" \
  LLVM_PROFILE_FILE="$work/default-%p.profraw" \
  ./instr/service --duration "$seconds" --seed 1 --quiet | tee train.out
grep -q '^checksum:' train.out || fail "the instrumented service printed no checksum"
"$pgopipe" collect spool --dir "$work/spool" --once

step "3/5 pgopipe rebuild: fetch + merge the last hour, compare, build -O2 and PGO, benchmark, gate, publish"
"$pgopipe" ls --app demo --since 1h > ls.out
profiles=$(grep -c 'demo/' ls.out || true)
[[ $profiles -gt 0 ]] || fail "no profiles in the store for app demo"
cat > pgo.yaml <<YAML
app: demo
store: $PGOPIPE_STORE
window: {since: 1h, half_life: 6h, labels: {env: demo}}
build:
  source: $repo_root/examples/service
  dir: $work/builds
  jobs: $jobs
  args: [$(printf '"%s", ' "${service_args[@]}")]
benchmark:
  command: ["{build_dir}/service", --requests, "$requests", --seed, "42", --quiet]
  min_runs: $min_pairs
  max_runs: $max_pairs
  max_time: 10m
  metric: cpu
gate: {max_slowdown: 0}
report: {dir: $report_dir}
YAML
source "$repo_root/examples/demo/rebuild_step.sh"
demo_rebuild
merged=$(json_field profiles_merged)
speedup=$(printf '%.3f' "$(json_field speedup)")
speedup_low=$(printf '%.3f' "$(json_field speedup_low)")
speedup_high=$(printf '%.3f' "$(json_field speedup_high)")
pairs=$(json_field pairs)
verdict=$(json_field verdict)

step "4/5 check both builds compute the same thing (seed 42)"
"$work/builds/baseline/service" --requests 20000 --seed 42 --quiet | grep '^checksum:' > sum-base.txt
"$work/builds/pgo/service" --requests 20000 --seed 42 --quiet | grep '^checksum:' > sum-pgo.txt
cmp -s sum-base.txt sum-pgo.txt || fail "checksums differ: $(cat sum-base.txt sum-pgo.txt | tr '\n' ' ')"
echo "  $(cat sum-base.txt) in both builds"

step "5/5 the published profile"
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print("  " + m["profile_key"] + "  sha256 " + m["profile_sha256"][:12])' \
  "$PGOPIPE_STORE/demo/published/manifest.json" 2> /dev/null || echo "  nothing published ($outcome)"

stage=summary
echo
echo "==================== pgopipe demo summary ===================="
echo "profiles in the store:  $profiles (collector interval $interval, ${seconds}s of traffic)"
echo "profiles merged:        $merged"
echo "rebuild outcome:        $outcome"
echo "speedup (PGO over -O2): ${speedup}x CPU from the collector's interval profiles, 95 % interval ${speedup_low}..${speedup_high}"
echo "gate verdict:           $verdict after $pairs interleaved pairs ($requests requests each)"
echo "report:                 $report_dir/report.html"
echo "total demo time:        $((SECONDS - start_all))s"
echo "=============================================================="

# The sample-based path (perf sampler -> converter -> sample PGO), after the instrumented one.
if [[ -x "$work/builds/baseline/service" ]]; then export PGOPIPE_DEMO_BASELINE="$work/builds/baseline/service"; fi
stage="sample path"
"$repo_root/examples/demo/sample_path.sh" "$pgopipe"

# The Go path (net/http/pprof scraped by pgopipe collect http -> go build -pgo), last.
stage="go path"
"$repo_root/examples/demo/go_path.sh" "$pgopipe"
