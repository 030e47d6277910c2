#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Pull benchmark against a local S3 server (moto): 1,000 small profiles + 50 larger ones
# (3 MiB each) are uploaded once, then `pgopipe pull` with the default concurrency is timed
# against a sequential pull of the same keys (--concurrency 1). Prints wall time, the time
# ratio and peak RSS (/usr/bin/time -v) of each.
# Usage: bench/store_pull/run.sh [path/to/pgopipe]   (default: build/cli/pgopipe)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../scripts/lib.sh"
pgopipe=$(realpath "${1:-$repo_root/build/cli/pgopipe}")
[ -x "$pgopipe" ] || { echo "no pgopipe binary at $pgopipe (build it first)" >&2; exit 1; }
[ -n "${PGOPIPE_TEST_PYTHON:-}" ] || ensure_python_tools
small=${SMALL:-1000} large=${LARGE:-50} large_mib=${LARGE_MIB:-3}

work=$(mktemp -d)
cleanup() {
  stop_bench_s3
  rm -rf "$work"
}
trap cleanup EXIT

start_bench_s3 "$work" bench
endpoint=$bench_s3_endpoint
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench PGOPIPE_CONFIG= PGOPIPE_STORE=
common=(--store s3://bench/profiles --s3-endpoint "$endpoint" --app bench)

echo "generating $small small (1-16 KiB) and $large larger (${large_mib} MiB) profiles..."
mkdir -p "$work/in"
"$PGOPIPE_TEST_PYTHON" - "$work/in" "$small" "$large" "$large_mib" <<'PY'
import os, random, sys
out, small, large, mib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(1)
for i in range(small):
    with open(f"{out}/small-{i:04d}.prof", "wb") as f:
        f.write(os.urandom(rng.randint(1024, 16384)))
for i in range(large):
    with open(f"{out}/large-{i:02d}.prof", "wb") as f:
        f.write(os.urandom(mib << 20))
PY
echo "uploading..."
t=$(date -u -d '-30 minutes' +%Y-%m-%dT%H:%M:%SZ)
# Random bytes measure the transfer alone: stored as kind unknown.
"$pgopipe" push "$work"/in/*.prof "${common[@]}" --allow-unknown --collected-at "$t" --concurrency 8 --log-level warn > /dev/null

run() {  # name, extra args...
  local name=$1; shift
  rm -rf "$work/out-$name"
  /usr/bin/time -v -o "$work/time-$name" "$pgopipe" pull "${common[@]}" --since 2h \
    -o "$work/out-$name" --log-level warn "$@" > /dev/null
  local n wall rss
  n=$(find "$work/out-$name" -type f | wc -l)
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time-$name")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time-$name")
  echo "$name $n $wall $rss"
}
to_seconds() { awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }' <<<"$1"; }

read -r _ n_par wall_par rss_par < <(run parallel)
read -r _ n_seq wall_seq rss_seq < <(run sequential --concurrency 1)
expected=$((small + large))
[ "$n_par" -eq "$expected" ] && [ "$n_seq" -eq "$expected" ] || {
  echo "pulled $n_par / $n_seq files, expected $expected" >&2; exit 1; }
s_par=$(to_seconds "$wall_par") s_seq=$(to_seconds "$wall_seq")
printf '\n%-40s %10s %14s\n' "pull of $expected objects from moto" "wall (s)" "peak RSS (MiB)"
printf '%-40s %10.2f %14.1f\n' "pgopipe pull (default concurrency 4)" "$s_par" "$(awk "BEGIN{print $rss_par/1024}")"
printf '%-40s %10.2f %14.1f\n' "pgopipe pull --concurrency 1" "$s_seq" "$(awk "BEGIN{print $rss_seq/1024}")"
printf 'speed-up (sequential / parallel): %.2fx\n' "$(awk "BEGIN{print $s_seq/$s_par}")"
