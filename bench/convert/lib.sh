# SPDX-License-Identifier: Apache-2.0
# Helpers shared by the sample-PGO quality benches (quality.sh, stale.sh); source it. build()
# compiles the globals srcs (sources), cc, lang (language flags) and link (link flags).

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# CPU time of one run in seconds, from perf stat's task-clock (ms resolution; /usr/bin/time
# has 10 ms, too coarse for sub-second runs).
cpu_time() { perf stat -x, -e task-clock -o cpu.tmp -- "$@" >/dev/null && awk -F, '/task-clock/ {print $1 / 1000}' cpu.tmp; }

# build DIR FLAGS...: compiles every source of the program (2 at a time) and links DIR/prog.
build() {
  local dir=$1; shift
  mkdir -p "$dir"
  printf '%s\n' "${srcs[@]}" | xargs -P 2 -I{} sh -c \
    'f={}; b=$(basename "$f"); exec "$0" "$@" -c "$f" -o "'"$dir"'/$b.o" \
       -fsave-optimization-record -foptimization-record-passes=sample-profile \
       -foptimization-record-file="'"$dir"'/$b.opt.yaml"' "$cc" "${lang[@]}" "$@"
  "$cc" "$@" -Wno-unused-command-line-argument "$dir"/*.o -o "$dir/prog" "${link[@]}"
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

# time_variants RUNS VARIANT...: runs every ./VARIANT/prog "${bench[@]}" RUNS times, the
# variants interleaved, and sets t[VARIANT] (the caller declares `declare -A t`) to the median.
time_variants() {
  local runs=$1 v i
  shift
  for v in "$@"; do : > "t.$v"; done
  for ((i = 0; i < runs; i++)); do
    for v in "$@"; do cpu_time "./$v/prog" "${bench[@]}" >> "t.$v"; done
  done
  for v in "$@"; do t[$v]=$(median < "t.$v"); done
}

# speedup VARIANT: -O2's median time over VARIANT's, "1.234".
speedup() { awk -v b="${t[base]}" -v x="${t[$1]}" 'BEGIN {printf "%.3f", b / x}'; }
