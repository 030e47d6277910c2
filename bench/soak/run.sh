#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Soak benchmark: N processes of an instrumented program (clang-19 -fprofile-instr-generate,
# linked with the in-process collector) upload one raw profile every 2-3 s each to a local
# moto S3 server for DURATION seconds, while `pgopipe merge --app soak --since ...` merges
# the window in a loop. Reports objects/s stored, upload failures, S3 retries, spool drops,
# whether every interval arrived exactly once (each process's interval numbers 1..K, each
# stored once, no two objects with the same bytes), and each merge's wall time and peak RSS
# (/usr/bin/time -v).
# Usage: bench/soak/run.sh [BUILD_DIR]   (default: build; needs pgopipe and the collector
#        test program tests/integration/collector/collector_busy_collector built there)
# Environment: N (default 8), DURATION seconds (default 180), MERGE_PAUSE seconds (default 5).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../scripts/lib.sh"
build=$(realpath "${1:-$repo_root/build}")
pgopipe="$build/cli/pgopipe"
busy="$build/tests/integration/collector/collector_busy_collector"
for exe in "$pgopipe" "$busy"; do
  [ -x "$exe" ] || { echo "missing $exe (build it first: ninja -C $build pgopipe collector_busy_collector)" >&2; exit 1; }
done
[ -n "${PGOPIPE_TEST_PYTHON:-}" ] || ensure_python_tools
n=${N:-8} duration=${DURATION:-180} merge_pause=${MERGE_PAUSE:-5}

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  stop_bench_s3
  rm -rf "$work"
}
trap cleanup EXIT

start_bench_s3 "$work" soak
endpoint=$bench_s3_endpoint
export AWS_ACCESS_KEY_ID=soak AWS_SECRET_ACCESS_KEY=soak PGOPIPE_CONFIG= PGOPIPE_STORE=
store=s3://soak/profiles

echo "soak: $n collector processes x ${duration}s, intervals 2-3 s, merging in a loop (moto at $endpoint)"
start=$(date +%s.%N)
for i in $(seq 1 "$n"); do
  interval=$(awk "BEGIN{printf \"%dms\", 2000 + ($i - 1) * 1000 / $n}")
  # The program burns CPU; niced so the uploads and merges compete less with it.
  env PGOPIPE_STORE="$store" PGOPIPE_APP=soak PGOPIPE_INTERVAL="$interval" \
      PGOPIPE_S3_ENDPOINT="$endpoint" PGOPIPE_LABELS="proc=$i" PGOPIPE_LOG_LEVEL=debug \
      PGOPIPE_SPOOL_DIR="$work/spool-$i" LLVM_PROFILE_FILE="$work/end-$i.profraw" \
      nice -n 10 "$busy" "$duration" > "$work/collector-$i.out" 2> "$work/collector-$i.err" &
  pids+=($!)
done

merges=0
: > "$work/merges.txt"
collectors_running() { for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
while collectors_running; do
  sleep "$merge_pause"
  merges=$((merges + 1))
  if /usr/bin/time -v -o "$work/time-merge" "$pgopipe" merge --store "$store" --s3-endpoint "$endpoint" \
       --app soak --since 10m -o "$work/merged.profdata" --log-level warn > /dev/null 2> "$work/merge.err"; then
    status=ok
  else
    status="failed($(tail -1 "$work/merge.err"))"
  fi
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time-merge")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time-merge")
  echo "$merges $wall $rss $status" >> "$work/merges.txt"
done
for p in "${pids[@]}"; do wait "$p" || echo "a collector process exited with $?" >&2; done
pids=()
end=$(date +%s.%N)

"$pgopipe" ls --store "$store" --s3-endpoint "$endpoint" --app soak --since 1h --json \
  --log-level warn > "$work/listed.json"
listed=$("$PGOPIPE_TEST_PYTHON" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$work/listed.json")
# Per object: each process's intervals 1..K (K from its own log) stored exactly once each, and
# no two objects with the same bytes (sha256).
identity=$("$PGOPIPE_TEST_PYTHON" - "$work" "$n" <<'PY'
import collections, json, re, sys
work, n = sys.argv[1], int(sys.argv[2])
objs = json.load(open(f"{work}/listed.json"))
seqs = collections.defaultdict(list)
for o in objs:
    seqs[o["meta"]["labels"]["proc"]].append(int(o["meta"]["labels"]["seq"]))
problems = []
for i in range(1, n + 1):
    m = re.findall(r"stopped after (\d+) interval\(s\)", open(f"{work}/collector-{i}.err").read())
    k = int(m[-1]) if m else -1
    got = sorted(seqs.get(str(i), []))
    if got != list(range(1, k + 1)):
        missing = sorted(set(range(1, k + 1)) - set(got))
        dup = sorted(s for s, c in collections.Counter(got).items() if c > 1)
        problems.append(f"proc {i}: {k} intervals, missing {missing[:10]}, duplicated {dup[:10]}")
shas = collections.Counter(o["meta"]["sha256"] for o in objs)
same = [s for s, c in shas.items() if c > 1]
if same:
    problems.append(f"{len(same)} objects stored twice with the same bytes")
print("; ".join(problems) if problems else "ok")
PY
)
logs=("$work"/collector-*.err "$work"/collector-*.out)
count() { cat "${logs[@]}" | grep -c -- "$1" || true; }
produced=$(cat "$work"/collector-*.err | sed -n 's/.*stopped after \([0-9]*\) interval(s).*/\1/p' | awk '{s+=$1} END {print s+0}')
elapsed=$(awk "BEGIN{print $end - $start}")

echo
printf '%-44s %s\n' "collector processes x duration" "$n x ${duration}s (wall $(printf %.0f "$elapsed")s)"
printf '%-44s %s\n' "intervals produced (collector logs)" "$produced"
printf '%-44s %s\n' "objects stored (pgopipe ls)" "$listed"
printf '%-44s %s\n' "every interval once (per process seq, sha256)" "$identity"
printf '%-44s %.2f\n' "objects/s stored" "$(awk "BEGIN{print $listed / $elapsed}")"
printf '%-44s %s\n' "S3 PUT attempts (collector debug log)" "$(count 's3: PUT')"
printf '%-44s %s\n' "S3 requests retried (s3: retrying / failed)" "$(( $(count 's3: retrying') + $(count 'failed: ') ))"
printf '%-44s %s\n' "uploads failed after retries (spooled)" "$(count 'spooling the profile')"
printf '%-44s %s\n' "spool drops / profiles lost" "$(count 'dropped') / $(count 'LOST')"
printf '%-44s %s\n' "merges run (ok)" "$merges ($(grep -c ' ok$' "$work/merges.txt" || true))"
to_seconds() { awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }' <<<"$1"; }
max_rss=0 max_wall=0 sum_wall=0 last_wall=0
while read -r _ wall rss _; do
  s=$(to_seconds "$wall")
  sum_wall=$(awk "BEGIN{print $sum_wall + $s}")
  max_wall=$(awk "BEGIN{print ($s > $max_wall) ? $s : $max_wall}")
  max_rss=$(( rss > max_rss ? rss : max_rss ))
  last_wall=$s
done < "$work/merges.txt"
printf '%-44s mean %.2f s, max %.2f s, last %.2f s\n' "merge time per run (10 min window)" \
  "$(awk "BEGIN{print $merges ? $sum_wall / $merges : 0}")" "$max_wall" "$last_wall"
printf '%-44s %.1f MiB\n' "merger peak RSS (max over runs)" "$(awk "BEGIN{print $max_rss / 1024}")"
echo
echo "merge runs (n, wall, peak RSS KiB, status):"
cat "$work/merges.txt"
if [ "$produced" != "$listed" ] || [ "$identity" != ok ]; then
  echo "MISMATCH: $produced intervals produced, $listed objects stored; per object: $identity" >&2
  exit 1
fi
