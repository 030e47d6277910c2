#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Pull benchmark against a local S3 server (moto): 1,000 small profiles + 50 larger ones
# (3 MiB each) are uploaded once, then `pgopipe pull` with the default concurrency is timed
# against a sequential pull of the same keys (--concurrency 1). Prints wall time, the time
# ratio and peak RSS (/usr/bin/time -v) of each. Then the same 1,000 small objects (their own
# app) through tests/support/fault_proxy.py adding DELAY_MS (20) to every request, as a
# distant store would: --concurrency 16 against --concurrency 1, side by side with the ratio
# and the client connections each pull opened (kept alive: at most one per worker); first in
# front of moto, then in front of gofakes3 (a Go S3 server that keeps up with 16 workers).
# Usage: bench/store_pull/run.sh [path/to/pgopipe]   (default: build/cli/pgopipe)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../scripts/lib.sh"
pgopipe=$(realpath "${1:-$repo_root/build/cli/pgopipe}")
[ -x "$pgopipe" ] || { echo "no pgopipe binary at $pgopipe (build it first)" >&2; exit 1; }
[ -n "${PGOPIPE_TEST_PYTHON:-}" ] || ensure_python_tools
small=${SMALL:-1000} large=${LARGE:-50} large_mib=${LARGE_MIB:-3} delay_ms=${DELAY_MS:-20}

work=$(mktemp -d)
cleanup() {
  exec 8>&- 2>/dev/null || true
  [ -n "${proxy_pid:-}" ] && wait "$proxy_pid" 2>/dev/null || true
  [ -n "${fake_pid:-}" ] && kill "$fake_pid" 2>/dev/null || true
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
        f.write(b"x" + os.urandom(rng.randint(1024, 16384)))  # "x": never a format's magic
for i in range(large):
    with open(f"{out}/large-{i:02d}.prof", "wb") as f:
        f.write(b"x" + os.urandom(mib << 20))
PY
echo "uploading..."
t=$(date -u -d '-30 minutes' +%Y-%m-%dT%H:%M:%SZ)
# Random bytes measure the transfer alone: stored as kind unknown.
"$pgopipe" push "$work"/in/*.prof "${common[@]}" --allow-unknown --collected-at "$t" --concurrency 8 --log-level warn > /dev/null
"$pgopipe" push "$work"/in/small-*.prof --store s3://bench/profiles --s3-endpoint "$endpoint" --app latency \
  --allow-unknown --collected-at "$t" --concurrency 8 --log-level warn > /dev/null

run() {  # name, extra args... (${common[@]} names the store and app)
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

# The delayed case: fault_proxy.py in front of an S3 server, delaying every request by
# $delay_ms ms; run against moto and then against gofakes3 (a Go S3 server, pinned, built
# with the Go toolchain): moto is one Python process whose own rate bounds the parallel pull
# on a 2-core machine, so only a server that keeps up measures what the latency makes matter.
start_proxy() {  # server port -> proxy_pid, proxy_port (control lines go to fd 8)
  rm -f "$work/proxy.in" "$work/proxy.out"
  mkfifo "$work/proxy.in"
  "$PGOPIPE_TEST_PYTHON" "$repo_root/tests/support/fault_proxy.py" "$1" < "$work/proxy.in" > "$work/proxy.out" &
  proxy_pid=$!
  exec 8> "$work/proxy.in"
  for _ in $(seq 100); do [ -s "$work/proxy.out" ] && break; sleep 0.1; done
  proxy_port=$(head -1 "$work/proxy.out")
}
stop_proxy() { exec 8>&-; wait "$proxy_pid" 2>/dev/null || true; proxy_pid=; }
proxy() {  # control line -> the proxy's answer
  local before; before=$(wc -l < "$work/proxy.out")
  echo "$1" >&8
  for _ in $(seq 100); do [ "$(wc -l < "$work/proxy.out")" -gt "$before" ] && break; sleep 0.05; done
  tail -1 "$work/proxy.out"
}
delayed() {  # name, concurrency -> "name files wall rss requests connections"
  proxy "rules [{\"fault\": \"delay\", \"ms\": $delay_ms}]" > /dev/null
  local line stats
  line=$(common=(--store s3://bench/profiles --s3-endpoint "http://127.0.0.1:$proxy_port" --app latency)
         run "$1" --concurrency "$2")
  stats=$(proxy stats)
  echo "$line $("$PGOPIPE_TEST_PYTHON" -c 'import json,sys; s=json.loads(sys.argv[1]); print(s["requests"], s["connections"])' "$stats")"
}
latency_case() {  # server-name server-port: the two delayed pulls through a proxy to that server
  start_proxy "$2"
  read -r _ n16 wall16 rss16 req16 conn16 < <(delayed delayed16 16)
  read -r _ n1 wall1 rss1 req1 conn1 < <(delayed delayed1 1)
  stop_proxy
  [ "$n16" -eq "$small" ] && [ "$n1" -eq "$small" ] || {
    echo "delayed pulls got $n16 / $n1 files, expected $small" >&2; exit 1; }
  s16=$(to_seconds "$wall16") s1=$(to_seconds "$wall1")
  printf '\n%-40s %10s %14s %9s %12s\n' "$1: pull of $small objects, +${delay_ms} ms/request" "wall (s)" "peak RSS (MiB)" "requests" "connections"
  printf '%-40s %10.2f %14.1f %9s %12s\n' "pgopipe pull --concurrency 16" "$s16" "$(awk "BEGIN{print $rss16/1024}")" "$req16" "$conn16"
  printf '%-40s %10.2f %14.1f %9s %12s\n' "pgopipe pull --concurrency 1" "$s1" "$(awk "BEGIN{print $rss1/1024}")" "$req1" "$conn1"
  printf '%s: speed-up with %s ms per request (concurrency 1 / 16): %.2fx\n' "$1" "$delay_ms" "$(awk "BEGIN{print $s1/$s16}")"
}
latency_case moto "${endpoint##*:}"

ensure_go
gobin=${XDG_CACHE_HOME:-$HOME/.cache}/pgopipe/gobin
[ -x "$gobin/gofakes3" ] || GOBIN=$gobin GOFLAGS=-mod=mod go install github.com/johannesboyne/gofakes3/cmd/gofakes3@v1.2.0
fake_port=$("$PGOPIPE_TEST_PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$gobin/gofakes3" -backend memory -initialbucket bench -host "127.0.0.1:$fake_port" -quiet > "$work/gofakes3.log" 2>&1 &
fake_pid=$!
for _ in $(seq 100); do (exec 3<> "/dev/tcp/127.0.0.1/$fake_port") 2> /dev/null && break; sleep 0.1; done
"$pgopipe" push "$work"/in/small-*.prof --store s3://bench/profiles --s3-endpoint "http://127.0.0.1:$fake_port" --app latency \
  --allow-unknown --collected-at "$t" --concurrency 8 --log-level warn > /dev/null
latency_case gofakes3 "$fake_port"
