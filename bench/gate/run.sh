#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# How often the rebuild gate decides wrongly: DECISIONS full `pgopipe rebuild` runs of a tiny
# CMake project (tests/integration/rebuild/tiny, real profile, fresh store each time) whose
# benchmark is
#   A/A:    the same -O2 binary for both variants: any "improvement confirmed" is a false claim;
#   rigged: the same binary doing 5 % more work for the PGO variant: any publish ships a
#           5 % regression (the gate tolerates 2 %: gate.max_slowdown 0.02).
# Prints, per case, the verdicts, how many runs published and the pairs each decision took.
# Usage: bench/gate/run.sh PATH_TO_PGOPIPE [DECISIONS] [N]   (N: loop length of one run)
set -euo pipefail
pgopipe=$(realpath "${1:?usage: run.sh PATH_TO_PGOPIPE [DECISIONS] [N]}")
decisions=${2:-20}
n=${3:-60000000}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
tiny=$repo/tests/integration/rebuild/tiny
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export CC=clang-19

echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min), $(nproc) CPUs"
cmake -S "$tiny" -B instr -G Ninja -DPGO=generate "-DPGOPIPE_CMAKE_MODULE_DIR=$repo/cmake-modules" > build.log 2>&1
cmake --build instr >> build.log 2>&1
LLVM_PROFILE_FILE=$work/train.profraw ./instr/tiny a 2000000 > /dev/null
"$pgopipe" push --store "$work/seed-store" --app tiny "$work/train.profraw" > /dev/null 2>&1
clang-19 -O2 "$tiny/tiny.c" -o work-bin

run_case() {  # run_case NAME COMMAND_YAML
  local name=$1 command=$2 i
  echo "== $name: $decisions rebuilds"
  : > "$name.tsv"
  for ((i = 1; i <= decisions; i++)); do
    rm -rf store && cp -r seed-store store
    cat > "$name.yaml" <<YAML
app: tiny
store: $work/store
window: {since: 1h}
build: {source: $tiny, dir: $work/builds, args: [-G, Ninja, -DCMAKE_C_COMPILER=clang-19, "-DPGOPIPE_CMAKE_MODULE_DIR=$repo/cmake-modules"]}
benchmark: {command: $command, min_runs: 10, max_runs: 60, max_time: 5m, metric: cpu}
gate: {max_slowdown: 0.02}
report: {dir: $work/report}
YAML
    set +e
    "$pgopipe" rebuild --config "$name.yaml" --json > out.json 2> rebuild.log
    local rc=$?
    set -e
    [[ $rc == 0 || $rc == 11 ]] || { tail -20 rebuild.log; echo "rebuild exited $rc" >&2; exit 1; }
    python3 - "$rc" out.json >> "$name.tsv" <<'PY'
import json, sys
j = json.load(open(sys.argv[2]))
print("\t".join([j["outcome"], j["verdict"], str(j["pairs"]), "%.3f" % j["speedup"],
                 "%.3f" % j["speedup_low"], "%.3f" % j["speedup_high"], str(j["decided"])]))
PY
    printf '   %2d: %s\n' "$i" "$(tail -1 "$name.tsv" | tr '\t' ' ')"
  done
  python3 - "$name" "$name.tsv" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[2]) if l.strip()]
pairs = [int(r[2]) for r in rows]
verdicts = {}
for r in rows:
    verdicts[r[1]] = verdicts.get(r[1], 0) + 1
published = sum(r[0] == "published" for r in rows)
print(f"{sys.argv[1]}: {len(rows)} decisions; published {published}/{len(rows)}; verdicts "
      + ", ".join(f"{k} {v}" for k, v in sorted(verdicts.items()))
      + f"; pairs median {statistics.median(pairs)}, min {min(pairs)}, max {max(pairs)};"
      + f" undecided at a limit {sum(r[6] == 'False' for r in rows)}")
PY
}

run_case aa "[\"$work/work-bin\", a, \"$n\"]"
run_case rigged "[\"$here/rigged.sh\", \"{variant}\", \"$work/work-bin\", a, \"$n\"]"
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
