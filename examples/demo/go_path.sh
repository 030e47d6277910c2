#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The demo's Go path: the example Go service (examples/go-service) serves load while
# `pgopipe collect http` scrapes its net/http/pprof CPU profiles into the local store, then
# `pgopipe rebuild` with build.kind go merges the window (never converted), builds it
# -pgo=off and -pgo=<merged profile>, benchmarks both interleaved, gates and publishes.
# Usage: go_path.sh PATH_TO_PGOPIPE (run from the demo's work dir; PGOPIPE_STORE set).
# Knobs: PGOPIPE_DEMO_GO_SCRAPES (profiles scraped, default 3), PGOPIPE_DEMO_GO_SECONDS
# (seconds each, default 5), PGOPIPE_DEMO_GO_REQUESTS (-bench requests per benchmark run,
# default 1000), PGOPIPE_DEMO_MIN_PAIRS / PGOPIPE_DEMO_MAX_PAIRS, PGOPIPE_DEMO_REPORT_DIR.
set -euo pipefail
pgopipe=$(realpath "${1:?usage: go_path.sh PATH_TO_PGOPIPE}")
repo_root=$(cd "$(dirname "$0")/../.." && pwd)
scrapes=${PGOPIPE_DEMO_GO_SCRAPES:-3}
seconds=${PGOPIPE_DEMO_GO_SECONDS:-5}
requests=${PGOPIPE_DEMO_GO_REQUESTS:-1000}
min_pairs=${PGOPIPE_DEMO_MIN_PAIRS:-10}
max_pairs=${PGOPIPE_DEMO_MAX_PAIRS:-60}
report_dir=$(realpath -m "${PGOPIPE_DEMO_REPORT_DIR:-pgopipe-demo-report}")-go
: "${PGOPIPE_STORE:?PGOPIPE_STORE must name the demo store}"
start=$SECONDS
mkdir -p go-path && cd go-path
say() { echo "==> [go path, $((SECONDS - start))s] $*"; }
fail() { echo "demo: Go path FAILED: $*" >&2; exit 1; }
command -v go > /dev/null || fail "go not found on PATH (scripts/demo.sh installs it)"
server_pid=""
load_pid=""
cleanup() { for p in $load_pid $server_pid; do kill "$p" 2> /dev/null || true; done; }
trap cleanup EXIT

echo
say "9/11 build the Go service ($(go version | cut -d' ' -f3)) and serve load while pgopipe collect http scrapes ${scrapes} CPU profiles of ${seconds}s"
service=$repo_root/examples/go-service
"$pgopipe" build go -C "$service" -o "$PWD/server" ./cmd/server 2> build.log || { tail -20 build.log; fail "go build of the server"; }
"$pgopipe" build go -C "$service" -o "$PWD/loadgen" ./cmd/loadgen 2>> build.log || { tail -20 build.log; fail "go build of the load generator"; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
./server -addr "127.0.0.1:$port" > server.log 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/debug/pprof/" > /dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/debug/pprof/" > /dev/null || fail "the server did not come up (server.log: $(tail -2 server.log))"
./loadgen -url "http://127.0.0.1:$port/ingest" -duration $((scrapes * (seconds + 2) + 10))s > loadgen.log 2>&1 &
load_pid=$!
"$pgopipe" collect http --app go-demo --label env=demo --count "$scrapes" --interval 1s \
  --url "http://127.0.0.1:$port/debug/pprof/profile?seconds=$seconds" 2> collect.log ||
  { tail -20 collect.log; fail "pgopipe collect http"; }
cleanup
server_pid="" load_pid=""
profiles=$("$pgopipe" ls --app go-demo --since 1h 2> /dev/null | grep -c 'go-demo/' || true)
[[ $profiles -gt 0 ]] || fail "no Go profiles in the store"
echo "  $profiles pprof CPU profile(s) of the Go service in $PGOPIPE_STORE"

say "10/11 pgopipe rebuild (build.kind go): merge the window, go build -pgo=off and -pgo=<merged>, benchmark, gate, publish"
cat > pgo.yaml <<YAML
app: go-demo
store: $PGOPIPE_STORE
window: {since: 1h, labels: {env: demo}}
build: {kind: go, source: $service, package: ./cmd/server, dir: $PWD/builds}
benchmark:
  command: ["{binary}", -bench, "$requests"]
  min_runs: $min_pairs
  max_runs: $max_pairs
  max_time: 10m
  metric: cpu
gate: {max_slowdown: 0}
report: {dir: $report_dir}
YAML
source "$repo_root/examples/demo/rebuild_step.sh"
demo_rebuild

say "11/11 both Go builds compute the same thing"
builds/baseline/go-demo -bench 50 | grep checksum > sum-base.txt
builds/pgo/go-demo -bench 50 | grep checksum > sum-pgo.txt
cmp -s sum-base.txt sum-pgo.txt || fail "checksums differ: $(cat sum-base.txt sum-pgo.txt | tr '\n' ' ')"
echo "  $(cat sum-base.txt) in both builds; the PGO one was built with $(go version -m builds/pgo/go-demo | sed -n 's/.*build\t-pgo=//p')"

echo
echo "==================== pgopipe demo: Go path ===================="
echo "profiles scraped:       $profiles (pgopipe collect http, ${seconds}s each)"
echo "profiles merged:        $(json_field profiles_merged)"
echo "rebuild outcome:        $outcome"
printf 'speedup (-pgo over off): %.3fx CPU, 95 %% interval %.3f..%.3f\n' "$(json_field speedup)" "$(json_field speedup_low)" "$(json_field speedup_high)"
echo "gate verdict:           $(json_field verdict) after $(json_field pairs) interleaved pairs (-bench $requests each)"
echo "report:                 $report_dir/report.html"
echo "==============================================================="
