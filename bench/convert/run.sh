#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Sample-PGO quality and conversion speed, pgopipe convert vs llvm-profgen, in one run:
# for each CPU-bound workload: -O2 baseline, instrumented PGO, sample PGO from pgopipe's
# converted profile, sample PGO from llvm-profgen on the same perf samples (IP-only: a
# one-entry fake branch stack per sample + --leading-ip-only). Then conversion time and peak
# RSS on ~1M replicated samples. Usage: bench/convert/run.sh [path/to/pgopipe] [runs]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
pgopipe=$(realpath "${1:-$here/../../build/cli/pgopipe}")
runs=${2:-5}
cc=clang-19
work=$(mktemp -d /tmp/pgopipe-bench-convert.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
user_time() { /usr/bin/time -f %U "$@" 2>&1 >/dev/null | tail -1; }
peak_rss_kb() { grep "Maximum resident" "$1" | awk '{print $NF}'; }
cpu_s() { awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$1"; }
wall_s() { grep "Elapsed (wall" "$1" | awk '{print $NF}' | awk -F: '{print ($1*60)+$2}'; }

# perf script -> llvm-profgen's LBR format with a fake one-entry branch stack per IP sample.
fake_lbr() {
  perf script -i "$1" --show-mmap-events -F ip -G 2>/dev/null |
    awk '/PERF_RECORD/ {print " " $0; next} NF==1 {printf " %s 0x%s/0x%s/P/-/-/0\n", $1, $1, $1}'
}

bench_one() {
  local name=$1 src=$2; shift 2
  local args=("$@")
  mkdir -p "$name" && pushd "$name" >/dev/null
  $cc -O2 "$src" -o base
  $cc -O2 -fprofile-instr-generate "$src" -o instr_gen
  LLVM_PROFILE_FILE=instr.profraw ./instr_gen "${args[@]}" >/dev/null
  llvm-profdata-19 merge -o instr.profdata instr.profraw
  $cc -O2 -fprofile-instr-use=instr.profdata "$src" -o instr
  # The "production" binary that gets sampled: debug info for profiling, frame pointers.
  $cc -O2 -g -fdebug-info-for-profiling -fno-omit-frame-pointer "$src" -o "$PWD/prod"
  perf record -q -e cpu-clock -g -o perf.data ./prod "${args[@]}" >/dev/null 2>perf.log
  local nsamples
  nsamples=$(perf script -i perf.data -F ip -G 2>/dev/null | wc -l)
  /usr/bin/time -v "$pgopipe" convert perf.data --to llvm-sample -o pgopipe.afdo --binary "$PWD/prod" \
    2>pgopipe.time >/dev/null
  /usr/bin/time -v bash -c "$(declare -f fake_lbr); fake_lbr perf.data > fake.txt && \
    llvm-profgen-19 --perfscript=fake.txt --binary=$PWD/prod --leading-ip-only --output=profgen.afdo" \
    2>profgen.time >/dev/null
  local sflags=(-O2 -gline-tables-only -fdebug-info-for-profiling)
  $cc "${sflags[@]}" -fprofile-sample-use=pgopipe.afdo "$src" -o spgo_pgopipe -Rpass=sample-profile 2>pgopipe.remarks
  $cc "${sflags[@]}" -fprofile-sample-use=profgen.afdo "$src" -o spgo_profgen -Rpass=sample-profile 2>profgen.remarks
  declare -A t
  for v in base instr spgo_pgopipe spgo_profgen; do : >"t.$v"; done
  for ((i = 0; i < runs; i++)); do
    for v in base instr spgo_pgopipe spgo_profgen; do user_time "./$v" "${args[@]}" >>"t.$v"; done
  done
  for v in base instr spgo_pgopipe spgo_profgen; do t[$v]=$(median <"t.$v"); done
  local fn_p fn_g
  fn_p=$(llvm-profdata-19 show --sample pgopipe.afdo | grep -c '^Function:' || true)
  fn_g=$(llvm-profdata-19 show --sample profgen.afdo | grep -c '^Function:' || true)
  printf '%-9s samples=%-6s base=%.3fs  instr=%.3fs (%.3fx)  spgo-pgopipe=%.3fs (%.3fx)  spgo-profgen=%.3fs (%.3fx)\n' \
    "$name" "$nsamples" "${t[base]}" "${t[instr]}" "$(echo "${t[base]} / ${t[instr]}" | bc -l)" \
    "${t[spgo_pgopipe]}" "$(echo "${t[base]} / ${t[spgo_pgopipe]}" | bc -l)" \
    "${t[spgo_profgen]}" "$(echo "${t[base]} / ${t[spgo_profgen]}" | bc -l)"
  printf '%-9s profile functions: pgopipe=%s profgen=%s; sample-profile remarks: pgopipe=%s profgen=%s\n' \
    "$name" "$fn_p" "$fn_g" "$(grep -c 'remark:' pgopipe.remarks || true)" "$(grep -c 'remark:' profgen.remarks || true)"
  printf '%-9s convert perf.data: pgopipe %.2fs wall %ss cpu %s KB; perf script+llvm-profgen %.2fs wall %ss cpu %s KB\n' "$name" \
    "$(wall_s pgopipe.time)" "$(cpu_s pgopipe.time)" "$(peak_rss_kb pgopipe.time)" \
    "$(wall_s profgen.time)" "$(cpu_s profgen.time)" "$(peak_rss_kb profgen.time)"
  popd >/dev/null
}

echo "runs per variant: $runs (median user time; speedup = baseline / variant)"
bench_one interp "$here/interp.c" 200000
bench_one sorthash "$here/sorthash.c" 2500000

# Conversion speed on ~1M samples: the interp samples replicated, same input for both tools.
cd interp
perf script -i perf.data --show-mmap-events -F comm,pid,tid,event,ip,dso > one.txt
fake_lbr perf.data > fake_one.txt
n=$(grep -c 'cpu-clock' one.txt)
reps=$(( (1000000 + n - 1) / n ))
{ grep PERF_RECORD one.txt; for ((i = 0; i < reps; i++)); do grep -v PERF_RECORD one.txt; echo; done; } > big.txt
{ grep PERF_RECORD fake_one.txt; for ((i = 0; i < reps; i++)); do grep -v PERF_RECORD fake_one.txt; done; } > big_fake.txt
/usr/bin/time -v "$pgopipe" convert big.txt -o big_pgopipe.afdo --binary "$PWD/prod" 2>big_pgopipe.time >/dev/null
/usr/bin/time -v llvm-profgen-19 --perfscript=big_fake.txt --binary="$PWD/prod" --leading-ip-only \
  --output=big_profgen.afdo 2>big_profgen.time >/dev/null
printf 'convert %d samples from text: pgopipe (perf script with stacks, %s MB) %.2fs wall %ss cpu %s KB; llvm-profgen (IP-only fake-LBR script, %s MB) %.2fs wall %ss cpu %s KB\n' \
  $((n * reps)) "$(($(stat -c %s big.txt) >> 20))" "$(wall_s big_pgopipe.time)" "$(cpu_s big_pgopipe.time)" \
  "$(peak_rss_kb big_pgopipe.time)" "$(($(stat -c %s big_fake.txt) >> 20))" "$(wall_s big_profgen.time)" \
  "$(cpu_s big_profgen.time)" "$(peak_rss_kb big_profgen.time)"
