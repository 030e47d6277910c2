#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `pgopipe flamegraph` on real profiles: a Go CPU profile (tests/data/pprof/cpuburn), the
# LLVM sample profile of tests/data/llvm, and a .profdata from a clang-19 instrumented run.
# Each SVG must parse as XML and name the profile's hottest function; bad inputs must fail
# with the Input exit code (4) and name the file.
set -euo pipefail
pgopipe=$1 src=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. Go CPU profile, checked against `go tool pprof -top` (hottest function, frame values).
export GOTOOLCHAIN=local
(cd "$src/tests/data/pprof/cpuburn" && go build -o "$work/cpuburn" .) || fail "cannot build the Go test program"
"$work/cpuburn" -cpuprofile "$work/cpu.pb.gz" -duration 1500ms -seed 3 >/dev/null
start=$(date +%s.%N)
"$pgopipe" flamegraph "$work/cpu.pb.gz" -o "$work/cpu.svg" --title "cpuburn <go>"
end=$(date +%s.%N)
# The oracle is `go tool pprof -top`: its hottest (flat) function must be a frame, and the
# frames of main.main (once per stack) must add up to its cum value, in both sample types.
pprof_top() { # SAMPLE_INDEX -> "flat cum name" rows (counts, nanoseconds), hottest first
  go tool pprof -top -nodecount=100000 -nodefraction=0 -edgefraction=0 -unit=ns -sample_index="$1" "$work/cpu.pb.gz" 2>/dev/null |
    awk 'f { sub(/ns$/, "", $1); sub(/ns$/, "", $4); n = $6; for (i = 7; i <= NF; ++i) n = n " " $i
             print $1, $4, n } /flat%/ { f = 1 }'
}
pprof_top samples > "$work/top_samples.txt"
pprof_top cpu > "$work/top_cpu.txt"
hot=$(head -n 1 "$work/top_samples.txt" | cut -d' ' -f3-)
[ -n "$hot" ] || fail "go tool pprof -top printed no rows"
cum_of() { awk -v n="$2" '{ name = $3; for (i = 4; i <= NF; ++i) name = name " " $i } name == n { print $2 }' "$1"; }
main_cpu=$(cum_of "$work/top_cpu.txt" main.main) main_samples=$(cum_of "$work/top_samples.txt" main.main)
[ -n "$main_cpu" ] && [ -n "$main_samples" ] || fail "main.main not in go tool pprof -top"
python3 "$here/svg_check.py" "$work/cpu.svg" "$hot" main.main "text:cpuburn <go>" "text:Total:" \
  "text:sample type: cpu/nanoseconds" "sum:main.main=$main_cpu"
echo "go profile: $(stat -c %s "$work/cpu.pb.gz") bytes -> $(stat -c %s "$work/cpu.svg") bytes SVG in $(python3 -c "print(round($end-$start,3))") s; hottest $hot (go tool pprof), main.main cum $main_cpu ns / $main_samples samples"
"$pgopipe" flamegraph "$work/cpu.pb.gz" -o "$work/cpu_samples.svg" --sample-type samples --width 800
python3 "$here/svg_check.py" "$work/cpu_samples.svg" "$hot" "text:Total:" "sum:main.main=$main_samples"
grep -q 'width="800"' "$work/cpu_samples.svg" || fail "--width 800 not applied"
"$pgopipe" flamegraph "$work/cpu.pb.gz" -o "$work/again.svg" --title "cpuburn <go>"
cmp -s "$work/cpu.svg" "$work/again.svg" || fail "same profile, different SVG bytes"

# 2. LLVM sample profile (text): inlined call sites are frames above their caller.
"$pgopipe" flamegraph "$src/tests/data/llvm/sample_a.txt" -o "$work/sample.svg"
python3 "$here/svg_check.py" "$work/sample.svg" main inline2 _Z3bari "text:sample_a.txt"

# 3. clang-19 instrumented profile: flat, one frame per function (main is under 0.1 % of
#    the counts and not drawn).
cat > "$work/instr.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
static unsigned hot_loop(unsigned n) { unsigned s = 0; for (unsigned i = 0; i < n; ++i) s += i * i % 7; return s; }
static unsigned cold_once(unsigned x) { return x ^ 42u; }
int main(int argc, char** argv) {
  unsigned s = cold_once((unsigned)argc);
  for (int k = 0; k < 2000; ++k) s += hot_loop(1000u + (unsigned)k);
  printf("%u\n", s);
  return argv[0] == NULL;
}
C
clang-19 -O1 -fprofile-instr-generate -o "$work/instr" "$work/instr.c"
LLVM_PROFILE_FILE="$work/instr.profraw" "$work/instr" >/dev/null
llvm-profdata-19 merge -o "$work/instr.profdata" "$work/instr.profraw"
"$pgopipe" flamegraph "$work/instr.profdata" -o "$work/instr.svg"
python3 "$here/svg_check.py" "$work/instr.svg" hot_loop "text:flat: instrumented profiles carry no call stacks"
"$pgopipe" flamegraph "$work/instr.profraw" -o "$work/raw.svg"   # the raw file draws the same
python3 "$here/svg_check.py" "$work/raw.svg" hot_loop "text:flat: instrumented profiles carry no call stacks"

# 4. Bad inputs: exit code 4 (Input) naming the file, bad flags 2 (Usage), no output left behind.
set +e
"$pgopipe" flamegraph "$work/missing.pb.gz" -o "$work/x.svg" 2> "$work/err1.txt"; rc1=$?
echo "just some text" > "$work/notes.txt"
"$pgopipe" flamegraph "$work/notes.txt" -o "$work/y.svg" 2> "$work/err2.txt"; rc2=$?
"$pgopipe" flamegraph "$work/cpu.pb.gz" -o "$work/z.svg" --sample-type nope 2> "$work/err3.txt"; rc3=$?
"$pgopipe" flamegraph "$work/instr.profdata" -o "$work/w.svg" --sample-type cpu 2> "$work/err4.txt"; rc4=$?
set -e
[ "$rc1" = 4 ] && grep -q "missing.pb.gz" "$work/err1.txt" || fail "missing file: rc=$rc1 $(cat "$work/err1.txt")"
[ "$rc2" = 4 ] && grep -q "notes.txt" "$work/err2.txt" || fail "text file: rc=$rc2 $(cat "$work/err2.txt")"
[ "$rc3" = 2 ] && grep -q "available: samples, cpu" "$work/err3.txt" || fail "bad sample type: rc=$rc3 $(cat "$work/err3.txt")"
[ "$rc4" = 2 ] && grep -q "pprof profiles only" "$work/err4.txt" || fail "sample type on .profdata: rc=$rc4 $(cat "$work/err4.txt")"
for f in x y z w; do [ ! -e "$work/$f.svg" ] || fail "a failed run left $f.svg"; done
echo "PASS"
