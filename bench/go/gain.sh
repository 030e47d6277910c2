#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Go PGO gain on examples/go-service: -pgo=off | -pgo=<profiles scraped by `pgopipe collect
# http` from the running service under load, merged by `pgopipe merge`> | -pgo=<one direct
# profile of the same service fetched with curl>. The three builds run `server -bench N`
# interleaved (order rotated every round, one warm-up round); the table shows each build's
# median CPU time (user+sys of the whole process, wait4), its speedup over -pgo=off and its
# peak RSS. Builds go through `pgopipe build go` when this pgopipe has it, else `go build`.
# usage: bench/go/gain.sh [ROUNDS]     (env: PGOPIPE (default build/cli/pgopipe),
#        BENCH_REQUESTS (3000), SCRAPES (3), SCRAPE_SECONDS (10), WORK_DIR to keep the files)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
src=$repo/examples/go-service
rounds=${1:-15}
requests=${BENCH_REQUESTS:-3000}
scrapes=${SCRAPES:-3}
seconds=${SCRAPE_SECONDS:-10}
pgopipe=$(realpath "${PGOPIPE:-$repo/build/cli/pgopipe}")
[[ -x $pgopipe ]] || { echo "no pgopipe at $pgopipe: build it or set PGOPIPE" >&2; exit 1; }
# shellcheck source=../../scripts/lib.sh
source "$repo/scripts/lib.sh"
ensure_go
if [[ -n "${WORK_DIR:-}" ]]; then
  work=$(realpath -m "$WORK_DIR")
  mkdir -p "$work"
else
  work=$(mktemp -d)
fi
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  [[ -n "${WORK_DIR:-}" ]] || rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

use_pgopipe=0
"$pgopipe" build --help 2> /dev/null | grep -q "^  go " && use_pgopipe=1
build() {  # build OUTPUT PROFILE|off
  if [[ $use_pgopipe == 1 ]]; then
    local prof=()
    [[ $2 == off ]] || prof=(--profile "$2")
    "$pgopipe" build go -C "$src" "${prof[@]}" -o "$work/$1" ./cmd/server 2> "$1.log"
  else
    (cd "$src" && go build "-pgo=$2" -o "$work/$1" ./cmd/server) 2> "$1.log"
  fi || { cat "$1.log" >&2; echo "gain.sh: building $1 failed" >&2; exit 1; }
}

echo "== $(go version); builds by $([[ $use_pgopipe == 1 ]] && echo 'pgopipe build go' || echo 'go build')"
echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min), $(nproc) CPUs"
build off off
(cd "$src" && go build -o "$work/loadgen" ./cmd/loadgen)

echo "== serving (-pgo=off build) under loadgen; 1 direct profile (curl, ${seconds}s), then $scrapes scrapes by pgopipe collect http"
./off -addr 127.0.0.1:0 2> server.log & pids+=($!)
for _ in $(seq 100); do grep -q 'listening on' server.log && break; sleep 0.1; done
addr=$(sed -n 's/.*listening on //p' server.log)
[[ -n $addr ]] || { cat server.log >&2; exit 1; }
./loadgen -url "http://$addr/ingest" -duration "$(((scrapes + 1) * (seconds + 2) + 5))s" > loadgen.out 2>&1 & pids+=($!)
sleep 2
curl -sf -o direct.pb.gz "http://$addr/debug/pprof/profile?seconds=$seconds"
t0=$(date +%s.%N)
"$pgopipe" --store "$work/store" collect http --app go-service --count "$scrapes" --interval 1s \
  --url "http://$addr/debug/pprof/profile?seconds=$seconds" 2> collect.log || { cat collect.log >&2; exit 1; }
"$pgopipe" --store "$work/store" merge --app go-service --since 1h -o merged.pb.gz 2> merge.log ||
  { cat merge.log >&2; exit 1; }
t1=$(date +%s.%N)
kill "${pids[1]}"; wait "${pids[1]}" || { echo "gain.sh: loadgen failed" >&2; cat loadgen.out >&2; exit 1; }
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true; pids=()
stored=$(find store -type f -name '*.pb.gz' | wc -l)
printf '   %s stored profiles; scrape + merge took %.1f s; loadgen: %s\n' "$stored" "$(echo "$t1 - $t0" | bc)" \
  "$(tr '\n' ' ' < loadgen.out)"
for p in direct.pb.gz merged.pb.gz; do
  echo "   $p: $(go tool pprof -top "$p" 2>/dev/null | grep -m1 'Total samples')"
done

build pgo-merged "$work/merged.pb.gz"
build pgo-direct "$work/direct.pb.gz"
for n in pgo-merged pgo-direct; do
  go version -m "$n" | grep -q -- "-pgo=$work/" || { echo "gain.sh: $n was not built with its profile" >&2; exit 1; }
done
names=(off pgo-merged pgo-direct)
sums=$(for n in "${names[@]}"; do ./"$n" -bench "$requests" | grep checksum; done | sort -u | wc -l)
[[ $sums == 1 ]] || { echo "gain.sh: the builds' checksums differ" >&2; exit 1; }

run() {  # run BINARY: "CPU_SECONDS MAXRSS_KB" of one benchmark run (wait4's rusage)
  python3 -c 'import os, subprocess, sys
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, u = os.wait4(p.pid, 0)
sys.exit(f"gain.sh: {sys.argv[1]} exited with status {status}") if status else print(f"{u.ru_utime + u.ru_stime:.4f} {u.ru_maxrss}")' \
    "$1" -bench "$requests"
}
echo "== $rounds interleaved rounds of -bench $requests, order rotated; one warm-up round"
for n in "${names[@]}"; do run "./$n" > /dev/null; done
: > results.txt
for ((i = 0; i < rounds; i++)); do
  for ((k = 0; k < ${#names[@]}; k++)); do
    n=${names[$(((i + k) % ${#names[@]}))]}
    echo "$n $(run "./$n")" >> results.txt
  done
done
median() { awk -v n="$1" '$1 == n {print $2}' results.txt | sort -n |
  awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
for n in "${names[@]}"; do printf '   %-11s %s\n' "$n" "$(awk -v n="$n" '$1 == n {printf "%s ", $2}' results.txt)"; done
echo
echo "checksum (identical in all builds): $(./off -bench "$requests" | sed -n 's/checksum: //p')"
printf '%-40s %12s %14s %14s\n' build "median CPU" "CPU speedup" "peak RSS (KB)"
base=$(median off)
labels=("-pgo=off" "-pgo=merged ($stored scrapes, pgopipe)" "-pgo=direct (1 profile, curl)")
for k in "${!names[@]}"; do
  n=${names[$k]}
  m=$(median "$n")
  rss=$(awk -v n="$n" '$1 == n {print $3}' results.txt | sort -n | tail -1)
  printf '%-40s %11.3fs %13.3fx %14s\n' "${labels[$k]}" "$m" "$(echo "$base / $m" | bc -l)" "$rss"
done
echo "(speedup = -pgo=off median / build median; $rounds runs each, interleaved; load after: $(cut -d' ' -f1-3 /proc/loadavg))"
