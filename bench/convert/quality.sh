#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Sample-PGO quality, pgopipe convert vs llvm-profgen on the SAME perf samples, in one run.
# Per program: -O2 baseline | IR-instrumented PGO | sample PGO from pgopipe's profile |
# sample PGO from llvm-profgen (IP-only: a one-entry fake branch stack per sample plus
# --leading-ip-only); both sample builds use enable_pgo()'s flags (-fdebug-info-for-profiling
# -fsample-profile-use-profi). Training input differs from the benchmark input. The sampled
# "production" binary is built as a user would: -O2 -g -fdebug-info-for-profiling
# -fno-omit-frame-pointer, sampled with perf record -e cpu-clock -g.
#
# "applied": clang's sample loader emits an AppliedSamples optimisation record for each
# instruction of a function whose profile it matched and applied. A profiled function
# counts as applied when at least one such record names it; the share is over the
# functions with samples in the profile (by count and weighted by their samples).
#
# EXTRA="name=flags;name=flags" also builds sample PGO from pgopipe's profile with each set of
# extra compiler flags, profi off unless they add it (e.g. EXTRA="flat=" for the profile without
# profile inference, EXTRA="accurate=-fprofile-sample-accurate"), and prints, per
# program, each one's speed-up and the share of the IR-instrumented gain it recovers. An entry
# "name=flags|convert options" converts the same perf.data again with those `pgopipe convert`
# options for that build (e.g. EXTRA="sum=|--line-counts sum").
#
# LEVERS=1 adds, per program, the builds #17's lever table reports: IR PGO without indirect-call
# promotion and without any value profile (how much of the IR gain value profiles carry, which IP
# samples cannot give); the production build with and without pseudo-probes (their cost); sample
# PGO from a probe-based profile (llvm-profgen, IP-only, from a perf record of the probed
# build); and pgopipe's profile linked by lld with and without a symbol ordering file of the
# sampled functions, hottest first (function ordering).
#
# CEILING=1 adds, per program, sample PGO from the exact execution and call counts of the
# training run (exact_profile in lib.sh: callgrind, needs valgrind): what a line-based sample
# profile carries at best, against which a converter of IP samples is measured; and each
# sample profile's distance from those exact counts (profile_distance.py).
#
# Every program also times its -O2 binaries a second time as their own variant ("again"): its
# speed-up and "share of the IR gain" are this run's noise, in the units the others report.
#
# usage: bench/convert/quality.sh [path/to/pgopipe] [runs]   (env PROGRAMS, PERF_FREQ, EXTRA, LEVERS=1, CEILING=1, KEEP=1)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
pgopipe=$(realpath "${1:-$repo/build/cli/pgopipe}")
runs=${2:-5}
programs=${PROGRAMS:-"service shapes interp"}
source "$here/lib.sh"
bench_workdir quality

# LEVERS=1's builds (see the header); adds to the caller's variants and rows.
build_levers() {
  build ir_noicp -O2 -fprofile-use="$PWD/instr.profdata" "${ir[@]}" -Wno-backend-plugin -mllvm -disable-icp
  build ir_novp -O2 -fprofile-use="$PWD/instr.profdata" "${ir[@]}" -Wno-backend-plugin -mllvm -disable-icp \
    -mllvm -disable-memop-opt
  build prod_probes -O2 -g -fdebug-info-for-profiling -fno-omit-frame-pointer -fpseudo-probe-for-profiling
  perf record -q -e cpu-clock -F "${PERF_FREQ:-4000}" -g -o probes.data ./prod_probes/prog "${train[@]}" >/dev/null 2>>perf.log
  fake_lbr probes.data >fake-probes.txt
  llvm-profgen-19 --perfscript=fake-probes.txt --binary="$PWD/prod_probes/prog" --leading-ip-only \
    --output=probes.afdo 2>>profgen.log
  build spgo_probes "${sflags[@]}" -fpseudo-probe-for-profiling -fprofile-sample-use="$PWD/probes.afdo"
  llvm-profdata-19 show --sample pgopipe.afdo | awk -F': ' '/^Function: / {split($3, v, ", "); if (v[1] > 0) print v[1], $2}' |
    sort -rn | awk '{print $2}' >order.txt
  local lld=(-fuse-ld=lld -ffunction-sections -Wno-unused-command-line-argument) link_saved=("${link[@]}")
  build spgo_lld "${sflags[@]}" -fprofile-sample-use="$PWD/pgopipe.afdo" "${lld[@]}"
  link+=(-Wl,--symbol-ordering-file="$PWD/order.txt" -Wl,--no-warn-symbol-ordering)
  build spgo_order "${sflags[@]}" -fprofile-sample-use="$PWD/pgopipe.afdo" "${lld[@]}"
  link=("${link_saved[@]}")
  variants+=(ir_noicp ir_novp prod prod_probes spgo_probes spgo_lld spgo_order)
  rows+=("ir_noicp=IR PGO without indirect-call promotion (-disable-icp)"
    "ir_novp=IR PGO without value profiles (-disable-icp -disable-memop-opt)"
    "prod=the sampled production build (-g -fdebug-info-for-profiling -fno-omit-frame-pointer)"
    "prod_probes=the production build with -fpseudo-probe-for-profiling"
    "spgo_probes=probe-based profile (llvm-profgen, IP-only, $(sample_count probes.data) samples)"
    "spgo_lld=pgopipe profile, -ffunction-sections, lld"
    "spgo_order=pgopipe profile, -ffunction-sections, lld + symbol ordering file ($(wc -l <order.txt) functions)")
}

# CEILING=1: each sample profile's distance from the exact counts (profile_distance.py), a
# measure of the profile alone that no timing noise moves.
print_distances() {
  local p d=()
  for p in exact pgopipe profgen x_*; do
    [[ -f $p.afdo ]] && llvm-profdata-19 merge --sample --text "$p.afdo" -o "$p.txt" && d+=("$p.txt")
  done
  python3 "$here/profile_distance.py" "${d[@]}" | sed 's/\.txt:/:/' | paste -sd';' |
    awk '{printf "|   distance from the exact counts (lines, functions; 0 = the same): %s | | | | | | |\n", $0}'
}

bench_one() {
  local name=$1
  mkdir -p "$name" && pushd "$name" >/dev/null
  local t0=$SECONDS
  build base -O2
  cp -a base again  # the A/A control: the same binaries timed as another variant
  train_ir_profile instr_gen instr.profdata
  build instr -O2 -fprofile-use="$PWD/instr.profdata" "${ir[@]}" -Wno-backend-plugin
  sample_production prod perf.data pgopipe.afdo
  local nsamples
  nsamples=$(sample_count perf.data)
  fake_lbr perf.data >fake.txt
  llvm-profgen-19 --perfscript=fake.txt --binary="$PWD/prod/prog" --leading-ip-only --output=profgen.afdo 2>profgen.log
  # Both sample profiles are built as enable_pgo() builds them (profi on); EXTRA builds and the
  # LEVERS builds leave profi off unless their flags add it.
  local sflags=(-O2 -g -fdebug-info-for-profiling) profi=(-fsample-profile-use-profi)
  build spgo_pgopipe "${sflags[@]}" "${profi[@]}" -fprofile-sample-use="$PWD/pgopipe.afdo"
  build spgo_profgen "${sflags[@]}" "${profi[@]}" -fprofile-sample-use="$PWD/profgen.afdo"
  local variants=(base again instr spgo_pgopipe spgo_profgen) extra xname xflags
  local rows=("again=the -O2 build timed again as its own variant (A/A control: this run's noise)")
  IFS=';' read -ra extra <<<"${EXTRA:-}"
  for x in "${extra[@]}"; do
    xname=${x%%=*} xspec=${x#*=} xprofile=$PWD/pgopipe.afdo
    read -ra xflags <<<"${xspec%%|*}"
    if [[ $xspec == *"|"* ]]; then
      read -ra xconvert <<<"${xspec#*|}"
      xprofile=$PWD/x_$xname.afdo
      "$pgopipe" convert perf.data -o "$xprofile" --binary "$PWD/prod/prog" "${xconvert[@]}" 2>"x_$xname.log"
    fi
    build "x_$xname" "${sflags[@]}" -fprofile-sample-use="$xprofile" "${xflags[@]}"
    variants+=("x_$xname") rows+=("x_$xname=pgopipe profile + $xspec")
  done
  if [[ ${CEILING:-0} == 1 ]]; then
    exact_profile prod exact.afdo
    build spgo_exact "${sflags[@]}" "${profi[@]}" -fprofile-sample-use="$PWD/exact.afdo"
    variants+=(spgo_exact)
    rows+=("spgo_exact=exact execution and call counts of the training run (callgrind), as a sample profile: the ceiling for IP samples")
  fi
  [[ ${LEVERS:-0} == 1 ]] && build_levers
  declare -A t
  time_variants "$runs" "${variants[@]}"
  printf '| %s | %s | %.3f s | %.3f s (%s×) | %.3f s (%s×) %s | %.3f s (%s×) %s | %ss |\n' "$name" "$nsamples" \
    "${t[base]}" "${t[instr]}" "$(speedup instr)" \
    "${t[spgo_pgopipe]}" "$(speedup spgo_pgopipe)" "$(applied pgopipe.afdo spgo_pgopipe)" \
    "${t[spgo_profgen]}" "$(speedup spgo_profgen)" "$(applied profgen.afdo spgo_profgen)" "$((SECONDS - t0))"
  for x in "${rows[@]}"; do
    awk -v n="${x%%=*}" -v f="${x#*=}" -v b="${t[base]}" -v i="${t[instr]}" -v v="${t[${x%%=*}]}" \
      'BEGIN {printf "|   %s: %s | | | | %.3f s (%.3f×, %.0f %% of the IR gain) | | |\n", n, f, v, b / v, 100 * (b / v - 1) / (b / i - 1)}'
  done
  [[ ${CEILING:-0} == 1 ]] && print_distances
  popd >/dev/null
}

echo "median CPU time (task-clock) of $runs interleaved runs; speedup = -O2 / variant; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| program | samples | -O2 | IR-instr PGO | sample PGO, pgopipe (applied) | sample PGO, llvm-profgen (applied) | bench time |"
echo "|---|---|---|---|---|---|---|"
ir=(-mllvm -static-func-full-module-prefix=false)
for p in $programs; do
  bench_program "$p" || exit 2
  bench_one "$p"
done
