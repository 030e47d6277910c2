#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Stale profiles on the example service: the gain of a profile collected from an OLDER version
# of the source, applied to today's, against a fresh profile, for both profile kinds, in one
# run. The older version is today's examples/service/src with stale-service.patch applied: it
# edits two hot functions (svc::run_program gains a step budget, so every line of its
# dispatch loop moves; JsonWriter::string calls a helper), has a function today's source
# removed (short_escape) and lacks one today's source added (mix_hash, inlined into
# call_builtin). Behaviour is identical (same checksum).
#
# Variants (interleaved, median CPU):
#   base            -O2
#   instr_fresh     -fprofile-use with today's instrumented profile
#   instr_stale     -fprofile-use with the older source's instrumented profile
#   sample_fresh    -fprofile-sample-use with pgopipe convert's profile of today's build
#   sample_stale    -fprofile-sample-use with the older build's profile
#   sample_salvage  the same stale profile with clang's stale-profile matching
#                   (-mllvm -salvage-stale-profile)
#   sample_diff     the older build's samples converted with --source-diff (the diff from the
#                   older source to today's, as `git diff OLD NEW` gives it): lines move to their
#                   new place, samples on rewritten lines are dropped
# Safety, per changed function (run_program, call_builtin, JsonWriter::string):
#   instr: its hash in the stale profile differs from today's, so clang drops its counts
#   (the hash check); sample: whether clang applied samples to it (AppliedSamples remarks),
#   clang's own staleness report (-mllvm -report-profile-staleness), and `pgopipe show
#   --against` today's build (changed functions by their inlined call sites).
#
# usage: bench/convert/stale.sh [path/to/pgopipe] [runs]   (env PERF_FREQ, KEEP=1)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
pgopipe=$(realpath "${1:-$repo/build/cli/pgopipe}")
runs=${2:-7}
source "$here/lib.sh"
bench_workdir stale

cp -r "$repo/examples/service/src" new
cp -r new old
patch -s -d old -p1 < "$here/stale-service.patch"
cc=clang++-19 link=()
train=(--requests "${TRAIN_REQUESTS:-400000}" --seed 1 --quiet)
bench=(--requests "${BENCH_REQUESTS:-200000}" --seed 42 --quiet)
changed=(run_program call_builtin JsonWriter6string)
ir=(-mllvm -static-func-full-module-prefix=false)
sflags=(-O2 -g -fdebug-info-for-profiling -mllvm -report-profile-staleness)

# use_source new|old: the sources build() compiles.
use_source() { lang=(-std=c++20 -I"$PWD/$1"); mapfile -t srcs < <(ls "$PWD/$1"/*.cpp); }

# Profiles from each version of the source, as production would produce them.
for version in new old; do
  use_source $version
  train_ir_profile "gen_$version" "$version.profdata"
  sample_production "prod_$version" "$version.perf" "$version.afdo"
done
for f in $(cd new && ls); do
  diff -u --label "a/$f" --label "b/$f" "old/$f" "new/$f" || true
done > old-to-new.diff
"$pgopipe" convert old.perf -o old-diff.afdo --binary "$PWD/prod_old/prog" --source-diff old-to-new.diff \
  2> convert-diff.log

# Today's source, built with each profile (compiler diagnostics kept per variant).
use_source new
build base -O2
build instr_fresh -O2 -fprofile-use="$PWD/new.profdata" "${ir[@]}" 2> instr_fresh.log
build instr_stale -O2 -fprofile-use="$PWD/old.profdata" "${ir[@]}" 2> instr_stale.log
build sample_fresh "${sflags[@]}" -fprofile-sample-use="$PWD/new.afdo" 2> sample_fresh.log
build sample_stale "${sflags[@]}" -fprofile-sample-use="$PWD/old.afdo" 2> sample_stale.log
build sample_salvage "${sflags[@]}" -fprofile-sample-use="$PWD/old.afdo" -mllvm -salvage-stale-profile \
  2> sample_salvage.log
build sample_diff "${sflags[@]}" -fprofile-sample-use="$PWD/old-diff.afdo" 2> sample_diff.log

variants=(base instr_fresh instr_stale sample_fresh sample_stale sample_salvage sample_diff)
for v in "${variants[@]}"; do
  ./$v/prog "${bench[@]}" | grep checksum > "$v.sum"
  cmp -s base.sum "$v.sum" || { echo "$v answers differently from -O2" >&2; exit 1; }
done
declare -A t
time_variants "$runs" "${variants[@]}"
share() { awk -v b="${t[base]}" -v f="${t[$1]}" -v s="${t[$2]}" 'BEGIN {printf "%.0f", 100 * (b / s - 1) / (b / f - 1)}'; }

echo "median CPU time (task-clock) of $runs interleaved runs; speedup = -O2 / variant; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| profile | fresh | stale | stale, clang's matching | stale, --source-diff | share of the fresh gain: stale / matching / --source-diff |"
echo "|---|---|---|---|---|---|"
printf '| instrumented | %s× | %s× | (hash check drops) | | %s %% |\n' "$(speedup instr_fresh)" "$(speedup instr_stale)" \
  "$(share instr_fresh instr_stale)"
printf '| sample (pgopipe convert) | %s× | %s× | %s× | %s× | %s %% / %s %% / %s %% |\n' "$(speedup sample_fresh)" \
  "$(speedup sample_stale)" "$(speedup sample_salvage)" "$(speedup sample_diff)" "$(share sample_fresh sample_stale)" \
  "$(share sample_fresh sample_salvage)" "$(share sample_fresh sample_diff)"

# The hash check: a changed function's record must carry a different hash (clang drops it).
hashes() { llvm-profdata-19 show --all-functions "$1" | awk '/^  [^ ].*:$/ {n = $1} /Hash:/ {print n, $2}' | sort; }
hashes new.profdata > new.hash
hashes old.profdata > old.hash
echo "instrumented, clang drops (hash mismatch): $(grep -ho 'hash mismatch) [^ ]*' instr_stale.log | cut -d' ' -f3 | sort -u | paste -sd' ')"
for f in "${changed[@]}"; do
  n=$(grep -c "$f" new.hash || true)
  same=$(join new.hash old.hash | awk -v f="$f" 'index($1, f) && $2 == $3' | wc -l)
  echo "instrumented, $f: $n record(s) today, $same with the stale profile's hash (applied)"
done

# AppliedSamples remarks name the functions clang gave samples to.
applied_fns() { cat "$1"/*.opt.yaml | awk '/^Name: *AppliedSamples/ {a=1; next} /^--- / {a=0} a && /^Function:/ {print $2}' | sort -u; }
for v in sample_fresh sample_stale sample_salvage sample_diff; do
  applied_fns $v > "$v.applied"
  list=""
  for f in "${changed[@]}"; do grep -q "$f" "$v.applied" && list+=" $f"; done
  echo "sample, $v: samples applied to changed functions:${list:- none}"
  # clang's staleness report, summed over the objects.
  sum_pairs() { grep -o "([0-9]*/[0-9]*) $1" "$v.log" | tr -d '()' | awk -F'[/ ]' '{a += $1; b += $2} END {print a + 0, b + 0}'; }
  read -r bad all < <(sum_pairs "of callsites' profile are invalid")
  read -r rec mis < <(sum_pairs "of callsites and")
  echo "  clang ($v): $bad of $all profiled call sites invalid, $rec of $mis recovered by matching"
done
echo "pgopipe show --against (stale profiles vs today's builds):"
"$pgopipe" show old.profdata --against "$PWD/gen_new/prog" | grep -A3 '^matches:'
"$pgopipe" show old.afdo --against "$PWD/prod_new/prog" | grep -A3 '^matches:'
"$pgopipe" show old-diff.afdo --against "$PWD/prod_new/prog" | grep -A3 '^matches:'
echo "--source-diff: $(grep -o '[0-9]* sample(s) on lines .*' convert-diff.log || echo 'no samples dropped')"

