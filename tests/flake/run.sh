#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the timing-sensitive tests FLAKE_RUNS times (default 20) while `stress` keeps
# FLAKE_STRESS_CPU workers (default: one per CPU) spinning, and prints each test's flake
# count (failed runs). Logs of failed runs stay in BUILD_DIR/flake-logs.
# Usage: tests/flake/run.sh [BUILD_DIR]   (a build of scripts/test.sh or the README's steps)
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
build=$(realpath "${1:-$repo_root/build}")
runs=${FLAKE_RUNS:-20}
cpu=${FLAKE_STRESS_CPU:-$(nproc)}

if ! command -v stress > /dev/null 2>&1; then
  echo "pgopipe: installing stress"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends stress
fi
ensure_go
ensure_python_tools

# name | executable (relative to the build) | GoogleTest filter. FLAKE_ALL=1 adds the slower
# per-interval and gc-race tests.
cases=(
  "collector.sigterm|tests/integration/collector/collector_integration_test|*SigtermFlushesThePartialInterval*"
  "collector.store_down_up|tests/integration/collector/collector_integration_test|*StoreDownThenUp*"
  "collector.http_gaps|tests/integration/collector/collector_http_test|HttpScraperTest.ProfilesArrive*"
  "store_cli.server_killed|tests/integration/pgopipe_store_cli_tests|*ServerKilledMidPull*"
)
if [ "${FLAKE_ALL:-0}" = 1 ]; then
  cases+=(
    "collector.per_interval|tests/integration/collector/collector_integration_test|*OneObjectPerInterval*"
    "collector.http_all|tests/integration/collector/collector_http_test|HttpScraperTest.*"
    "faults.gc_race|tests/integration/faults/pgopipe_gc_race_test|*"
  )
fi
for c in "${cases[@]}"; do
  IFS='|' read -r _ exe _ <<< "$c"
  [ -x "$build/$exe" ] || { echo "pgopipe: $build/$exe is missing: build the tests first" >&2; exit 1; }
done

logs=$build/flake-logs
rm -rf "$logs" && mkdir -p "$logs"
setsid stress --cpu "$cpu" > "$logs/stress.log" 2>&1 &
stress_pid=$!
trap 'kill -- -"$stress_pid" 2> /dev/null || true; wait "$stress_pid" 2> /dev/null || true' EXIT
sleep 2
echo "pgopipe: $runs runs of ${#cases[@]} timing-sensitive tests under stress --cpu $cpu; load before: $(cut -d' ' -f1-3 /proc/loadavg)"

declare -A failed
total=0
for run in $(seq 1 "$runs"); do
  for c in "${cases[@]}"; do
    IFS='|' read -r name exe filter <<< "$c"
    log=$logs/$name-$run.log
    if (cd "$build" && "$build/$exe" --gtest_filter="$filter") > "$log" 2>&1 &&
       ! grep -q '^\[  SKIPPED \]' "$log"; then
      rm -f "$log"
    else
      failed[$name]=$(( ${failed[$name]:-0} + 1 ))
      total=$((total + 1))
    fi
  done
  echo "pgopipe: run $run/$runs done, $total failure(s) so far, load $(cut -d' ' -f1-3 /proc/loadavg)"
done

echo "pgopipe: flake counts after $runs runs each under stress --cpu $cpu (load $(cut -d' ' -f1-3 /proc/loadavg)):"
for c in "${cases[@]}"; do
  IFS='|' read -r name _ _ <<< "$c"
  echo "  $name: ${failed[$name]:-0} of $runs failed"
done
[ "$total" -eq 0 ] || { echo "pgopipe: logs of failed runs in $logs" >&2; exit 1; }
