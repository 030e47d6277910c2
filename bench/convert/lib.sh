# SPDX-License-Identifier: Apache-2.0
# Helpers shared by the sample-PGO benches (quality.sh, stale.sh, run.sh, interp-weights.sh);
# source it. build() compiles the globals srcs (sources), cc, lang (language flags) and link
# (link flags).

bench_convert_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)  # this folder: programs and helpers

# bench_workdir NAME: makes a scratch directory for the bench and goes there; it is removed on
# exit, or kept (and named) with KEEP=1.
bench_workdir() {
  work=$(mktemp -d "/tmp/pgopipe-bench-$1.XXXXXX")
  if [[ ${KEEP:-0} == 1 ]]; then trap 'echo "kept $work"' EXIT; else trap 'rm -rf "$work"' EXIT; fi
  cd "$work"
}

# bench_program NAME: sets the globals build() and the benches use for one program: cc, lang,
# link, srcs, and its training (train) and benchmark (bench) arguments. The service trains on
# TRAIN_REQUESTS (default 600,000: ≥ 5,000 samples at 4 kHz) and runs BENCH_REQUESTS (200,000).
bench_program() {
  local c=$bench_convert_dir
  case $1 in
    service)
      cc=clang++-19 lang=(-std=c++20 -I"$c/../../examples/service/src") link=()
      mapfile -t srcs < <(ls "$c"/../../examples/service/src/*.cpp)
      train=(--requests "${TRAIN_REQUESTS:-600000}" --seed 1 --quiet)
      bench=(--requests "${BENCH_REQUESTS:-200000}" --seed 42 --quiet) ;;
    shapes) cc=clang-19 lang=() link=() srcs=("$c/shapes.c") train=(10000) bench=(20000) ;;
    interp) cc=clang-19 lang=() link=() srcs=("$c/interp.c") train=(150000) bench=(200000) ;;
    sorthash) cc=clang-19 lang=() link=() srcs=("$c/sorthash.c") train=(2000000) bench=(2500000) ;;
    *) echo "unknown program $1" >&2; return 2 ;;
  esac
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# CPU time of one run in seconds, from perf stat's task-clock (ms resolution; /usr/bin/time
# has 10 ms, too coarse for sub-second runs).
cpu_time() { perf stat -x, -e task-clock -o cpu.tmp -- "$@" >/dev/null && awk -F, '/task-clock/ {print $1 / 1000}' cpu.tmp; }

# Code layout alone moves these programs' times by several per cent: the same objects linked
# with their code 16 bytes further on can run 5 % faster or slower, as much as a profile's
# effect. So each build is linked LAYOUTS times (default 3), layout L with a 16·L-byte pad in
# front of the program's code, and a variant's time is the median over all its layouts' runs.
LAYOUTS=${LAYOUTS:-3}

# layout_exe DIR L: the program of layout L in DIR.
layout_exe() { if (($2 > 0)); then echo "$1/prog.$2"; else echo "$1/prog"; fi; }

# layout_pad L: an object of 16·L bytes of code, built once per working directory, linked
# before the program's objects.
layout_pad() {
  local pad=$PWD/layout-pad.$1.o
  [[ -f $pad ]] ||
    printf '.section .text.unlikely.pgopipe_layout_pad,"ax"\n.globl pgopipe_layout_pad\npgopipe_layout_pad:\n.fill %d,1,0x90\n.section .note.GNU-stack,"",@progbits\n' $((16 * $1)) |
    clang-19 -c -x assembler - -o "$pad"
  echo "$pad"
}

# build DIR FLAGS...: compiles every source of the program (2 at a time) and links DIR/prog
# and its other layouts DIR/prog.L (L = 1 .. LAYOUTS-1).
build() {
  local dir=$1; shift
  mkdir -p "$dir"
  printf '%s\n' "${srcs[@]}" | xargs -P 2 -I{} sh -c \
    'f={}; b=$(basename "$f"); exec "$0" "$@" -c "$f" -o "'"$dir"'/$b.o" \
       -fsave-optimization-record -foptimization-record-passes=sample-profile \
       -foptimization-record-file="'"$dir"'/$b.opt.yaml"' "$cc" "${lang[@]}" "$@"
  local l pad
  for ((l = 0; l < LAYOUTS; l++)); do
    pad=()
    ((l == 0)) || pad=("$(layout_pad "$l")")
    "$cc" "$@" -Wno-unused-command-line-argument "${pad[@]}" "$dir"/*.o -o "$(layout_exe "$dir" "$l")" "${link[@]}"
  done
}

# train_ir_profile GEN_DIR PROFDATA: builds GEN_DIR with IR instrumentation (plus the global
# ir flags), runs the training input and merges its counters into PROFDATA.
train_ir_profile() {
  build "$1" -O2 -fprofile-generate="$PWD/$1.raw" "${ir[@]}"
  "./$1/prog" "${train[@]}" >/dev/null
  llvm-profdata-19 merge -o "$2" "$1.raw"/*.profraw
}

# sample_production PROD_DIR PERF_DATA AFDO: builds PROD_DIR as a user builds the binary they
# sample (-O2 -g -fdebug-info-for-profiling -fno-omit-frame-pointer), records its training run
# with frame-pointer stacks at PERF_FREQ (default 4 kHz) into PERF_DATA, and converts that with
# pgopipe into AFDO (perf's and pgopipe's messages in perf.log and convert.log).
sample_production() {
  build "$1" -O2 -g -fdebug-info-for-profiling -fno-omit-frame-pointer
  perf record -q -e cpu-clock -F "${PERF_FREQ:-4000}" -g -o "$2" "./$1/prog" "${train[@]}" >/dev/null 2>perf.log
  "$pgopipe" convert "$2" -o "$3" --binary "$PWD/$1/prog" 2>convert.log
}

# exact_profile PROD_DIR AFDO: the sample profile a perfect sampler would give for PROD_DIR's
# training run: callgrind counts every instruction's executions and every call (on a copy
# without debug info, which valgrind 3.19 cannot read from clang 19; the code is the same),
# callgrind_to_pprof.py turns that into address samples, and pgopipe converts them with each
# line's count the maximum of its instructions' (how often it ran). A ceiling for any
# converter of IP samples. Needs valgrind.
exact_profile() {
  strip --strip-debug -o "$PWD/$1/prog.nodebug" "$1/prog"
  valgrind --tool=callgrind --dump-instr=yes --compress-pos=no --compress-strings=no \
    --callgrind-out-file="$PWD/$1/callgrind.out" "$PWD/$1/prog.nodebug" "${train[@]}" >/dev/null 2>callgrind.log
  python3 "$bench_convert_dir/callgrind_to_pprof.py" "$PWD/$1/callgrind.out" "$PWD/$1/prog.nodebug" "$PWD/$1/exact.pb" 2>>callgrind.log
  "$pgopipe" convert "$PWD/$1/exact.pb" -o "$2" --binary "$PWD/$1/prog" --stacks-as-recorded --line-counts max \
    2>>callgrind.log
}

# sample_count PERF_DATA: the samples in a perf.data.
sample_count() { perf script -i "$1" -F ip -G 2>/dev/null | wc -l; }

# fake_lbr PERF_DATA: perf script in llvm-profgen's LBR format, a one-entry fake branch stack
# per IP sample (what llvm-profgen's --leading-ip-only reads when there is no LBR).
fake_lbr() {
  perf script -i "$1" --show-mmap-events -F ip -G 2>/dev/null |
    awk '/PERF_RECORD/ {print " " $0; next} NF==1 {printf " %s 0x%s/0x%s/P/-/-/0\n", $1, $1, $1}'
}

# applied PROFILE DIR: "applied/profiled functions (share of samples)".
applied() {
  llvm-profdata-19 show --sample "$1" | awk -F': ' '/^Function: / {split($3, v, ", "); if (v[1] > 0) print $2, v[1]}' \
    | sort -u -k1,1 > "$2/profiled.txt"
  cat "$2"/*.opt.yaml | awk '/^Name: *AppliedSamples/ {a=1; next} /^--- / {a=0} a && /^Function:/ {print $2}' \
    | sort -u > "$2/applied.txt"
  join "$2/profiled.txt" "$2/applied.txt" > "$2/both.txt" || true
  awk -v f="$2/both.txt" 'BEGIN {while ((getline l < f) > 0) {split(l, x, " "); hit[x[1]] = 1}}
       {n++; s += $2; if ($1 in hit) {a++; as += $2}}
       END {printf "%d/%d fns (%.0f%% of samples)", a, n, n ? 100 * as / s : 0}' "$2/profiled.txt"
}

# time_variants RUNS VARIANT...: runs every layout of ./VARIANT/prog "${bench[@]}" RUNS times,
# the variants and layouts interleaved, and sets t[VARIANT] (the caller declares `declare -A
# t`) to the median over all of them.
time_variants() {
  local runs=$1 v i l
  shift
  for v in "$@"; do : > "t.$v"; done
  for ((i = 0; i < runs; i++)); do
    for ((l = 0; l < LAYOUTS; l++)); do
      for v in "$@"; do cpu_time "$(layout_exe "./$v" "$l")" "${bench[@]}" >> "t.$v"; done
    done
  done
  for v in "$@"; do t[$v]=$(median < "t.$v"); done
}

# speedup VARIANT: -O2's median time over VARIANT's, "1.234".
speedup() { awk -v b="${t[base]}" -v x="${t[$1]}" 'BEGIN {printf "%.3f", b / x}'; }
