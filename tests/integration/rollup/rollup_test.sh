#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Rollups end to end, on the local store and on S3 (moto):
#  - `pgopipe compact` writes hour and day rollups; a rerun writes nothing;
#  - window merges over rollups equal raw merges (--raw): instrumented profiles by
#    `llvm-profdata-19 show --counts --all-functions`, pprof by `go tool pprof -top` per function,
#    for whole days and for a window that starts and ends mid-hour;
#  - a late upload into a compacted hour becomes a new generation, merged once;
#  - time decay over rollups stays within the documented bound;
#  - two compactors at once leave one generation per hour (local store);
#  - gc keeps raw objects of hours not compacted yet, and removes rollups on their own cutoff.
# Usage: rollup_test.sh PGOPIPE GEN_PROFILES REPO_ROOT WORK_DIR
set -uo pipefail
pgopipe=$(realpath "$1")
gen_profiles=$(realpath "$2")
repo=$3
work=$4
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
source "$repo/tests/support/script_checks.sh"
export PGOPIPE_CONFIG= PGOPIPE_STORE=
have_go=1
command -v go > /dev/null || { have_go=0; skip "go not on PATH: pprof comparisons by go tool pprof skipped (scripts/lib.sh ensure_go installs it)"; }

# Inputs: 30 small CPU profiles (60 s each) and 12 instrumented runs of pgo_prog.
"$gen_profiles" --count 30 --seed 7 --samples 40 --out pp > /dev/null || { echo "FAIL: gen_profiles"; exit 1; }
clang++-19 -O1 -fprofile-instr-generate "$repo/tests/data/llvm/pgo_prog.cpp" -o prog || { echo "FAIL: cannot build pgo_prog"; exit 1; }
mkdir -p raw
for i in $(seq 1 12); do LLVM_PROFILE_FILE=raw/run-$i.profraw ./prog $((i * 37)) word$i > /dev/null; done

day0=$(date -u -d "3 days ago" +%Y-%m-%dT00:00:00Z)
at() { date -u -d "$day0 + $1 minutes" +%Y-%m-%dT%H:%M:%SZ; }  # minutes after day0

populate() { # store app
  local i=0 f
  for f in pp/*.pb.gz; do
    "$pgopipe" push --store "$1" --app "$2" --label env=prod --collected-at "$(at $((i * 55 + 7)))" "$f" > /dev/null 2>&1 || fail "push $f"
    i=$((i + 1))
  done
  for i in $(seq 1 12); do  # two runs per hour, 45 minutes apart, every third hour
    "$pgopipe" push --store "$1" --app "$2" --label env=prod --collected-at "$(at $(((i - 1) / 2 * 180 + (i % 2 ? 5 : 50))))" \
      raw/run-$i.profraw > /dev/null 2>&1 || fail "push run-$i"
  done
}
json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
instr_view() { llvm-profdata-19 show --counts --all-functions "$1" 2> /dev/null | grep -v '^Instrumentation level'; }
pprof_view() { go tool pprof -top -nodecount=100000 -unit=ns "$1" 2> /dev/null | sed '1,/flat%/d' | awk '{print $1, $NF}' | sort; }

# compare STORE APP LABEL KIND SINCE UNTIL: the rollup merge equals the raw merge.
compare() {
  local store=$1 app=$2 label=$3 kind=$4 since=$5 until=$6 ext
  [[ $kind == instr ]] && ext=profdata || ext=pb.gz
  "$pgopipe" merge --store "$store" --app "$app" --kind "$kind" --since "$since" --until "$until" -o "r-$label.$ext" 2> "r-$label.log" ||
    { fail "$label: merge over rollups"; cat "r-$label.log"; return; }
  "$pgopipe" merge --store "$store" --app "$app" --kind "$kind" --since "$since" --until "$until" --raw -o "w-$label.$ext" 2> "w-$label.log" ||
    { fail "$label: raw merge"; cat "w-$label.log"; return; }
  if [[ $kind == instr ]]; then
    instr_view "r-$label.$ext" > "r-$label.txt"; instr_view "w-$label.$ext" > "w-$label.txt"
  elif [[ $have_go == 1 ]]; then
    pprof_view "r-$label.$ext" > "r-$label.txt"; pprof_view "w-$label.$ext" > "w-$label.txt"
  else
    return
  fi
  [[ -s "w-$label.txt" ]] && cmp -s "r-$label.txt" "w-$label.txt" &&
    pass "$label: rollup merge equals raw merge ($(wc -l < "w-$label.txt") lines; $(grep -o 'merged [0-9]* of [0-9]*' "r-$label.log"))" ||
    { fail "$label: rollup and raw merges differ"; diff "r-$label.txt" "w-$label.txt" | head -10; }
}

run_store() { # store app
  local store=$1 app=$2
  populate "$store" "$app"
  "$pgopipe" compact --store "$store" --app "$app" --since 5d --json > c1.json 2> c1.log
  expect_rc 0 $? "$app: compact"
  local hours quarters days
  hours=$(json_field hour_generations < c1.json) quarters=$(json_field quarter_generations < c1.json)
  days=$(json_field day_generations < c1.json)
  [[ $hours -gt 20 && $quarters -eq 5 && $days -eq 2 ]] &&
    pass "$app: $hours hour, $quarters quarter and $days day rollups written ($(json_field raw_profiles < c1.json) raw profiles)" ||
    { fail "$app: compact wrote $hours hour / $quarters quarter / $days day rollups"; cat c1.log; }
  "$pgopipe" compact --store "$store" --app "$app" --since 5d --json > c2.json 2> c2.log
  [[ $(json_field hour_generations < c2.json) == 0 && $(json_field quarter_generations < c2.json) == 0 &&
     $(json_field day_generations < c2.json) == 0 && $(json_field parts < c2.json) == 0 ]] &&
    pass "$app: a second compact writes nothing ($(json_field up_to_date < c2.json) periods up to date)" || { fail "$app: rerun wrote rollups"; cat c2.json; }

  local whole_since=$day0 whole_until
  whole_until=$(date -u -d "$day0 + 2 days" +%Y-%m-%dT%H:%M:%SZ)
  compare "$store" "$app" "$app-days-instr" instr "$whole_since" "$whole_until"
  compare "$store" "$app" "$app-days-pprof" pprof "$whole_since" "$whole_until"
  compare "$store" "$app" "$app-mid-instr" instr "$(at 150)" "$(at $((24 * 60 + 200)))"
  compare "$store" "$app" "$app-mid-pprof" pprof "$(at 150)" "$(at $((24 * 60 + 200)))"
  # That window (02:30 on day 0 to 03:20 on day 1) holds the quarters 06, 12 and 18 of day 0 whole.
  local quarter_rows
  quarter_rows=$("$pgopipe" ls --store "$store" --app "$app" --since "$(at 150)" --until "$(at $((24 * 60 + 200)))" --json 2> /dev/null |
    python3 -c 'import json,sys; print(sum("/rollup/quarter/" in o["key"] for o in json.load(sys.stdin)))')
  [[ $quarter_rows -ge 3 ]] && pass "$app: the mid-day window reads $quarter_rows quarter-rollup parts" ||
    fail "$app: the mid-day window reads $quarter_rows quarter-rollup parts"
  local rows raw_rows
  rows=$("$pgopipe" ls --store "$store" --app "$app" --since "$whole_since" --until "$whole_until" --json 2> /dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
  raw_rows=$("$pgopipe" ls --store "$store" --app "$app" --since "$whole_since" --until "$whole_until" --raw --json 2> /dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
  [[ $raw_rows -eq 42 && $rows -eq 3 ]] && pass "$app: ls reads 3 day-rollup parts (2 days of pprof, 1 of instr) instead of 42 raw objects (--raw)" ||
    fail "$app: ls shows $rows rows with rollups, $raw_rows raw"

  # A late upload into a compacted hour: a new generation, merged exactly once.
  "$pgopipe" push --store "$store" --app "$app" --label env=prod --collected-at "$(at 305)" pp/gen-0003.pb.gz --allow-duplicate > /dev/null 2>&1 || fail "late push"
  "$pgopipe" push --store "$store" --app "$app" --label env=prod --collected-at "$(at 306)" raw/run-3.profraw --allow-duplicate > /dev/null 2>&1 || fail "late push"
  "$pgopipe" compact --store "$store" --app "$app" --since 5d --json > c3.json 2> c3.log
  [[ $(json_field hour_generations < c3.json) == 1 && $(json_field quarter_generations < c3.json) == 1 &&
     $(json_field day_generations < c3.json) == 1 && $(json_field raw_profiles < c3.json) == 2 &&
     $(json_field parts < c3.json) == 6 ]] &&
    pass "$app: two late uploads became one new hour, quarter and day generation (2 parts each)" ||
    { fail "$app: late arrival compaction"; cat c3.json c3.log; }
  compare "$store" "$app" "$app-late-instr" instr "$whole_since" "$whole_until"
  compare "$store" "$app" "$app-late-pprof" pprof "$whole_since" "$whole_until"
  grep -q "merged 13 of 13" "r-$app-late-instr.log" && grep -q "merged 31 of 31" "r-$app-late-pprof.log" &&
    pass "$app: each late profile counts once (13 instrumented, 31 pprof)" ||
    fail "$app: $(grep -ho 'merged [0-9]* of [0-9]*' "r-$app-late-instr.log" "r-$app-late-pprof.log")"
}

run_store "$work/store" web
# Time decay over two whole days: merges with a half-life read hour rollups (never day rollups,
# whose midpoint would be hours off), so each function's share stays within 2^(30m/6h)-1 (and
# differs: the hours hold two runs 45 minutes apart).
two_days=$(date -u -d "$day0 + 2 days" +%Y-%m-%dT%H:%M:%SZ)
"$pgopipe" merge --store "$work/store" --app web --kind instr --since "$day0" --until "$two_days" --half-life 6h -o decay-r.profdata 2> /dev/null &&
  "$pgopipe" merge --store "$work/store" --app web --kind instr --since "$day0" --until "$two_days" --half-life 6h --raw -o decay-w.profdata 2> /dev/null ||
  fail "decayed merges"
python3 - "$(instr_view decay-r.profdata)" "$(instr_view decay-w.profdata)" <<'PY' && pass "decay over hour rollups: every function's share within 2^(0.5/6)-1 of the raw merge's" || fail "decay error beyond the bound"
import re, sys
def shares(text):
    counts = {}
    for block in text.split("\n  ")[0:]:
        pass
    cur = None
    for line in text.splitlines():
        if line.startswith("  ") and line.rstrip().endswith(":") and not line.startswith("    "):
            cur = line.strip()[:-1]
        m = re.match(r"\s+Block counts: \[(.*)\]", line)
        if m and cur:
            counts[cur] = sum(int(x) for x in m.group(1).split(",") if x.strip())
    total = sum(counts.values()) or 1
    return {k: v / total for k, v in counts.items()}
r, w = shares(sys.argv[1]), shares(sys.argv[2])
bound = 2 ** (0.5 / 6) - 1
worst = max(abs(r[k] - w[k]) / w[k] for k in w if w[k] > 0.001)
print(f"worst relative share error {worst:.4f}, bound {bound:.4f}")
sys.exit(0 if set(r) == set(w) and 0 < worst <= bound + 0.002 else 1)
PY

# Two compactors at once on a fresh app: one generation per hour, still equal to raw.
populate "$work/store" twin
"$pgopipe" compact --store "$work/store" --app twin --since 5d > twin1.log 2>&1 &
"$pgopipe" compact --store "$work/store" --app twin --since 5d > twin2.log 2>&1
rc2=$?
wait $!
rc1=$?
[[ $rc1 -eq 0 && $rc2 -eq 0 ]] && pass "two concurrent compactors both succeed" || { fail "concurrent compact: $rc1 $rc2"; cat twin1.log twin2.log; }
extra=$(find "$work/store/twin/rollup" -name 'g0002*' | wc -l)
[[ $extra -eq 0 ]] && pass "one generation per hour and day after two compactors" || fail "$extra second-generation files"
compare "$work/store" twin twin-instr instr "$day0" "$(date -u -d "$day0 + 2 days" +%Y-%m-%dT%H:%M:%SZ)"

"$pgopipe" gc --store "$work/store" --app web > gc-none.out 2> gc-none.log
expect_rc 2 $? "gc without a cutoff is a usage error"
grep -q "gc needs --older-than (raw profiles), --rollups-older-than, or both" gc-none.log &&
  pass "  naming both cutoffs" || { fail "unclear gc usage error"; cat gc-none.log; }

# gc: raw objects of compacted hours go; an uncompacted late upload stays unless --uncompacted.
"$pgopipe" push --store "$work/store" --app web --label env=prod --collected-at "$(at 420)" raw/run-5.profraw --allow-duplicate > /dev/null 2>&1
cutoff=$(date -u -d "$day0 + 1 day" +%Y-%m-%dT%H:%M:%SZ)
"$pgopipe" gc --store "$work/store" --app web --older-than "$cutoff" > gc.out 2> gc.log
expect_rc 0 $? "gc of compacted raw objects"
grep -q "kept 1 profile(s) of hours not compacted yet" gc.log && pass "gc keeps the upload of an hour not compacted yet" || { fail "gc did not keep the uncompacted upload"; cat gc.log; }
left=$("$pgopipe" ls --store "$work/store" --app web --since "$day0" --until "$cutoff" --raw --json 2> /dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[[ $left -eq 1 ]] && pass "only the uncompacted raw object is left of day 0" || fail "$left raw objects left"
"$pgopipe" merge --store "$work/store" --app web --kind instr --since "$day0" --until "$(date -u -d "$day0 + 2 days" +%Y-%m-%dT%H:%M:%SZ)" -o after-gc.profdata 2> /dev/null
instr_view after-gc.profdata > after-gc.txt
cmp -s after-gc.txt r-web-late-instr.txt && pass "the window merge over rollups is unchanged after raw gc" || fail "rollup merge changed after gc"
"$pgopipe" gc --store "$work/store" --app web --older-than "$cutoff" --uncompacted > /dev/null 2>&1
left=$("$pgopipe" ls --store "$work/store" --app web --since "$day0" --until "$cutoff" --raw --json 2> /dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[[ $left -eq 0 ]] && pass "gc --uncompacted removes it too" || fail "$left raw objects left after --uncompacted"
"$pgopipe" gc --store "$work/store" --app web --rollups-older-than "$cutoff" > gcr.out 2> gcr.log
expect_rc 0 $? "gc of rollups"
left=$(find "$work/store/web/rollup" -path "*$(date -u -d "$day0" +%Y/%m/%d)*" -type f | wc -l)
[[ $left -eq 0 ]] && pass "gc --rollups-older-than removes day 0's rollups" || fail "$left rollup files of day 0 left"
day1=$(find "$work/store/web/rollup" -type f -name 'g*.json' | wc -l)
[[ $day1 -gt 0 ]] && pass "rollups after the cutoff stay ($day1 manifests)" || fail "gc removed the later rollups"

if start_moto; then
  run_store "s3://pgopipe-test/rollups" api  # the endpoint comes from PGOPIPE_S3_ENDPOINT
  stop_moto
fi
script_checks_exit rollup_test
