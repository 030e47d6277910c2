#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Hostile-input benchmark: feeds the amplification, depth and endless-listing inputs of
# tests/support (hostile_inputs.py, hostile_s3.py) to the built or installed `pgopipe` and
# reports exit code, wall time and peak RSS (/usr/bin/time -v) of each. Every input must
# either exit 4 (input) / 5 (store) naming the limit that stopped it, or complete within
# 512 MB peak RSS; the script fails otherwise.
#
#   bench/hostile/run.sh [PGOPIPE]      (default: build/cli/pgopipe, else pgopipe on PATH)
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
pgopipe=${1:-$root/build/cli/pgopipe}
[[ -x $pgopipe ]] || pgopipe=$(command -v pgopipe) || { echo "no pgopipe binary" >&2; exit 1; }
pgopipe=$(realpath "$pgopipe")
if [[ ! -x /usr/bin/time ]]; then
  echo "installing GNU time (for /usr/bin/time -v)"
  apt-get install -y -qq time > /dev/null || { echo "cannot install time" >&2; exit 1; }
fi
work=${PGOPIPE_BENCH_DIR:-$(mktemp -d /tmp/pgopipe-bench-hostile.XXXXXX)}
mkdir -p "$work" && cd "$work" || exit 1
export PGOPIPE_STORE=$work/store
python3 "$root/tests/support/hostile_inputs.py" in --empty-samples 12000000 --depth 25000

# A bigger bomb too: 100 million empty samples (200 MB decompressed) in ~200 KB of gzip.
python3 "$root/tests/support/hostile_inputs.py" big --empty-samples 100000000 --depth 25000 --bomb-mb 1024

limit_mb=512
bad=0
printf '%-44s %5s %9s %14s  %s\n' "input / command" "exit" "wall (s)" "peak RSS (MB)" "verdict"
# run LABEL NEEDLE COMMAND...: exit 4/5 with NEEDLE on stderr, or exit 0 within the limit.
run() {
  local label=$1 needle=$2; shift 2
  /usr/bin/time -v -o time.txt "$@" > out.txt 2> err.txt
  local rc=$?
  local wall rss verdict
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' time.txt)
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' time.txt)
  rc=$(awk -F': ' '/Exit status/ {print $2}' time.txt)
  if { [[ $rc == 4 || $rc == 5 ]] && grep -qF -- "$needle" err.txt; } || { [[ $rc == 0 ]] && ((rss <= limit_mb)); }; then
    verdict="ok: $( [[ $rc == 0 ]] && echo completed || echo "stopped by $needle")"
  else
    verdict="FAILED ($(tail -c 200 err.txt | tr '\n' ' '))"
    bad=$((bad + 1))
  fi
  printf '%-44s %5s %9s %14s  %s\n' "$label" "$rc" "$wall" "$rss" "$verdict"
}

for f in in/amplify.pb.gz big/amplify.pb.gz; do
  size=$(( $(stat -c %s "$f") / 1024 ))
  run "merge -j1 $f (${size} KB)" limits.max_samples "$pgopipe" merge -j1 "$f" -o merged.pb.gz
  run "show $f" limits.max_samples "$pgopipe" show "$f"
  run "flamegraph $f" limits.max_samples "$pgopipe" flamegraph "$f" -o amp.svg
done
size=$(( $(stat -c %s big/bomb.pb.gz) / 1024 ))
run "merge -j1 big/bomb.pb.gz (${size} KB, 1 GiB of zeros)" limits.max_decompressed_bytes \
  "$pgopipe" merge -j1 big/bomb.pb.gz -o bomb.pb.gz
run "flamegraph big/bomb.pb.gz" limits.max_decompressed_bytes "$pgopipe" flamegraph big/bomb.pb.gz -o bomb.svg
run "flamegraph in/deep.pb.gz (25,000 frames)" limits.max_stack_depth "$pgopipe" flamegraph in/deep.pb.gz -o deep.svg
run "merge -j1 in/deep.pb.gz (25,000 frames)" limits.max_stack_depth "$pgopipe" merge -j1 in/deep.pb.gz -o deep.pb.gz
run "show in/deep.pb.gz (25,000 frames)" limits.max_stack_depth "$pgopipe" show in/deep.pb.gz

# Endless listings from a hostile S3 server (one per mode; it must be up before the run).
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret AWS_EC2_METADATA_DISABLED=true
for mode in repeat-token fresh-tokens empty-pages; do
  coproc SERVER { exec python3 "$root/tests/support/hostile_s3.py" "$mode"; }
  read -r -t 10 line <&"${SERVER[0]}" || line=""
  if [[ $line != port\ * ]]; then echo "hostile_s3.py $mode did not start" >&2; bad=$((bad + 1)); continue; fi
  export PGOPIPE_S3_ENDPOINT=http://127.0.0.1:${line#port }
  needle="the listing does not advance"
  [[ $mode == empty-pages ]] && needle="pages"
  run "ls, S3 listing: $mode" "$needle" "$pgopipe" ls --app web --since 30m --store s3://pgopipe-test/p
  requests=$(curl -sf "$PGOPIPE_S3_ENDPOINT/__stats")
  printf '%-44s %s\n' "" "server saw: $requests"
  kill "$SERVER_PID" 2> /dev/null
  wait "$SERVER_PID" 2> /dev/null
done

echo "(inputs and logs in $work)"
[[ $bad -eq 0 ]]
