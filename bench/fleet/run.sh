#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Fleet benchmark: a generated fleet of small CPU profiles (<= 8 KiB each, 60 s each, a pool of
# distinct gen_profiles outputs) uploaded with `pgopipe push` over DAYS days, PER_HOUR per
# hour, on the local store; then `pgopipe compact` (throughput, and the cost of a rerun that
# has nothing to do), and `pgopipe merge --since 7d` over rollups against the same merge with
# --raw (ROUNDS interleaved pairs, medians): wall time, peak RSS (/usr/bin/time -v), objects read, and whether the two outputs
# agree per function (`go tool pprof -top`). Then a scaled-down fleet (S3_PER_HOUR per hour)
# on a local S3 server (moto) for the same comparison with HTTP requests counted.
#
#   bench/fleet/run.sh [BUILD_DIR]        env: PER_HOUR=600 DAYS=7 S3_PER_HOUR=20 ROUNDS=3
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
source "$root/scripts/lib.sh"
[ -n "${PGOPIPE_TEST_PYTHON:-}" ] || ensure_python_tools
pgopipe=$build/cli/pgopipe
per_hour=${PER_HOUR:-600} days=${DAYS:-7} s3_per_hour=${S3_PER_HOUR:-20} rounds=${ROUNDS:-3}
work=${PGOPIPE_BENCH_DIR:-$build/bench-fleet}
ninja -C "$build" gen_profiles pgopipe > /dev/null
rm -rf "$work" && mkdir -p "$work"
cleanup() { stop_bench_s3; }
trap cleanup EXIT
export PGOPIPE_CONFIG= PGOPIPE_STORE=

echo "generating the profile pool (gen_profiles, 4 samples each, kept if <= 8 KiB)"
"$build/bench/merge_pprof/gen_profiles" --count $((per_hour * 3)) --seed 11 --samples 4 --out "$work/gen" > /dev/null
mkdir -p "$work/pool"
find "$work/gen" -name '*.pb.gz' -size -8193c -exec mv {} "$work/pool/" \;
mapfile -t pool < <(find "$work/pool" -name '*.pb.gz' | sort)
[ "${#pool[@]}" -ge "$per_hour" ] || { echo "only ${#pool[@]} profiles <= 8 KiB, need $per_hour" >&2; exit 1; }

until_t=$(date -u +%Y-%m-%dT%H:00:00Z)                 # the window ends at the current hour
since_t=$(date -u -d "$until_t - $days days + 17 minutes" +%Y-%m-%dT%H:%M:%SZ)  # and starts mid-hour

populate() { # store per_hour [s3 flags...]
  local store=$1 n=$2 h b batch files
  shift 2
  for ((h = days * 24; h >= 1; h--)); do
    for ((b = 0; b < 6; b++)); do
      batch=$(( (n + 5 - b) / 6 ))
      files=()
      for ((i = 0; i < batch; i++)); do files+=("${pool[$(( (h * n + b * 101 + i) % ${#pool[@]} ))]}"); done
      [ "${#files[@]}" -gt 0 ] || continue
      "$pgopipe" push --store "$store" "$@" --app fleet --label env=prod \
        --collected-at "$(date -u -d "$until_t - $h hours + $((b * 10 + 3)) minutes" +%Y-%m-%dT%H:%M:%SZ)" "${files[@]}" > /dev/null 2>&1
    done
  done
}
timed() { # name command...: wall seconds into $work/<name>.wall, peak RSS into $work/<name>.time
  local name=$1 start=$EPOCHREALTIME
  shift
  /usr/bin/time -v -o "$work/$name.time" "$@" > "$work/$name.out" 2> "$work/$name.log"
  seconds_since "$start" > "$work/$name.wall"  # time -v's hundredths are too coarse for a 0.1 s merge
}
wall() { cat "$work/$1.wall"; }
rss() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$work/$1.time"; }
per_function() { go tool pprof -top -nodecount=1000000 -unit=ns "$1" 2> /dev/null | sed '1,/flat%/d' | awk '{print $1, $NF}' | sort; }
agree() { # a b
  command -v go > /dev/null || { echo "not checked (no go)"; return; }
  cmp -s <(per_function "$1") <(per_function "$2") && echo "identical per function ($(per_function "$1" | wc -l) functions)" ||
    echo "DIFFERENT"
}
requests() { grep -c -- '-> HTTP' "$work/$1.log" || true; }

run_fleet() { # label store per_hour [s3 flags...]
  local label=$1 store=$2 n=$3
  shift 3
  echo "[$label] pushing $((n * days * 24)) profiles over $days days"
  local t0=$SECONDS
  populate "$store" "$n" "$@"
  echo "[$label] pushed in $((SECONDS - t0)) s"
  local v=()
  [ "$label" = s3 ] && v=(--log-level debug)
  timed "$label-compact" "$pgopipe" compact --store "$store" "$@" --app fleet --since $((days + 1))d --json
  timed "$label-compact-again" "$pgopipe" compact --store "$store" "$@" --app fleet --since $((days + 1))d --json
  local r rollup_walls=() raw_walls=() rollup_rss=() raw_rss=()
  for ((r = 0; r < rounds; r++)); do
    timed "$label-rollup" "$pgopipe" merge --store "$store" "$@" "${v[@]}" --app fleet --since "$since_t" --until "$until_t" -o "$work/$label-rollup.pb.gz"
    rollup_walls+=("$(wall "$label-rollup")") rollup_rss+=("$(rss "$label-rollup")")
    timed "$label-raw" "$pgopipe" merge --store "$store" "$@" "${v[@]}" --app fleet --since "$since_t" --until "$until_t" --raw -o "$work/$label-raw.pb.gz"
    raw_walls+=("$(wall "$label-raw")") raw_rss+=("$(rss "$label-raw")")
  done
  local compacted read_rollup read_raw rollup_wall raw_wall
  rollup_wall=$(median "${rollup_walls[@]}") raw_wall=$(median "${raw_walls[@]}")
  compacted=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["raw_profiles"])' "$work/$label-compact.out")
  read_rollup=$("$pgopipe" ls --store "$store" "$@" --app fleet --since "$since_t" --until "$until_t" --json 2> /dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
  read_raw=$("$pgopipe" ls --store "$store" "$@" --app fleet --since "$since_t" --until "$until_t" --raw --json 2> /dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
  echo
  echo "[$label] compact: $compacted raw profiles in $(wall "$label-compact") s ($(python3 -c "print(round($compacted / max($(wall "$label-compact"), 0.01)))") objects/s), peak RSS $(rss "$label-compact") MiB; rerun (no-op): $(wall "$label-compact-again") s"
  printf '[%s] %-32s %9s %10s %14s %10s\n' "$label" "merge --since ${days}d (median)" "wall (s)" "objects" "peak RSS (MiB)" "requests"
  printf '[%s] %-32s %9s %10s %14s %10s\n' "$label" "over rollups" "$rollup_wall" "$read_rollup" "$(median "${rollup_rss[@]}")" "$(requests "$label-rollup")"
  printf '[%s] %-32s %9s %10s %14s %10s\n' "$label" "--raw" "$raw_wall" "$read_raw" "$(median "${raw_rss[@]}")" "$(requests "$label-raw")"
  echo "[$label] rounds: rollups ${rollup_walls[*]} s; raw ${raw_walls[*]} s"
  echo "[$label] speedup (medians of $rounds interleaved pairs): $(python3 -c "print(f'{$raw_wall / max($rollup_wall, 0.01):.1f}x')"); outputs: $(agree "$work/$label-rollup.pb.gz" "$work/$label-raw.pb.gz")"
  echo
}

run_fleet local "$work/store" "$per_hour"
[ "$s3_per_hour" -gt 0 ] || exit 0  # S3_PER_HOUR=0: the local store only
start_bench_s3 "$work" fleet
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench
run_fleet s3 s3://fleet/profiles "$s3_per_hour" --s3-endpoint "$bench_s3_endpoint"
