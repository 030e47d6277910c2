#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Usage: merge_cli_test.sh PGOPIPE DATA_DIR WORK_DIR. Prints "N passed, N failed".
set -uo pipefail
pgopipe=$1 data=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
export PGOPIPE_STORE=$work/store
source "$here/../../support/cli_checks.sh"
same_counts() { diff <(llvm-profdata-19 show --all-functions --counts "$1") \
                     <(llvm-profdata-19 show --all-functions --counts "$2") > /dev/null; }

clang++-19 -O1 -fprofile-instr-generate "$data/pgo_prog.cpp" -o prog || { echo "cannot build"; exit 1; }
for n in 1 2 3; do LLVM_PROFILE_FILE=p$n.profraw ./prog $((n * 1000)) > /dev/null; done

# Files, with an explicit weight, agree with llvm-profdata.
check "weighted file merge" "$pgopipe" merge p1.profraw p2.profraw p3.profraw --weight p2.profraw=3 -o m.profdata
llvm-profdata-19 merge p1.profraw -weighted-input=3,p2.profraw p3.profraw -o ref.profdata
check "weighted counts equal llvm-profdata" same_counts m.profdata ref.profdata
check "show names the format" bash -c "'$pgopipe' show m.profdata --json | grep -q '\"format\": \"llvm-indexed\"'"

# A store window with time decay: a profile 6 h old counts half of a fresh one (half-life 6h).
"$pgopipe" push p1.profraw --app svc --collected-at 1m > /dev/null
"$pgopipe" push p2.profraw --app svc --collected-at 361m > /dev/null
"$pgopipe" push p3.profraw --app svc --collected-at 30d > /dev/null   # outside the window
check "store window merge" "$pgopipe" merge --app svc --since 24h --half-life 6h -o s.profdata
llvm-profdata-19 merge -weighted-input=1000,p1.profraw -weighted-input=500,p2.profraw -o sref.profdata
check "decayed weights are 1000:500" same_counts s.profdata sref.profdata
check "show reports the merge span" bash -c "'$pgopipe' show s.profdata | grep -q '^merged: *2 input'"
check "provenance covers the window" bash -c "'$pgopipe' show s.profdata --json | grep -q first_collected"

# Bad inputs under each failure mode; a failed merge writes nothing.
head -c 100 p1.profraw > truncated.profraw
: > empty.profraw
fails_with "any: first bad input fails" 4 "truncated.profraw" "$pgopipe" merge p1.profraw truncated.profraw -o bad.profdata
check "any: no output left" test ! -e bad.profdata
check "warn: skips and merges the rest" "$pgopipe" merge p1.profraw truncated.profraw empty.profraw --failure-mode warn -o w.profdata
check "warn: names each skipped input" bash -c "'$pgopipe' merge p1.profraw truncated.profraw --failure-mode warn -o w2.profdata 2>&1 | grep -q 'truncated.profraw: skipped'"
check "warn: summary line" bash -c "'$pgopipe' merge p1.profraw truncated.profraw --failure-mode warn -o w3.profdata 2>&1 | grep -q 'merged 1 of 2 instr input(s).*skipped 1'"
llvm-profdata-19 merge p1.profraw -o p1.profdata
check "warn result equals the good input alone" same_counts w.profdata p1.profdata
fails_with "all: every input bad fails" 4 "none of the 2 inputs" "$pgopipe" merge truncated.profraw empty.profraw --failure-mode all -o a.profdata
check "all: no output left" test ! -e a.profdata

# Kinds never mix; unknown bytes and bad arguments are named.
printf 'main:100:1\n 1: 100\n' > s.afdo.txt
fails_with "mixing instr and sample" 4 "found instr in" "$pgopipe" merge p1.profraw s.afdo.txt -o x.out
fails_with "output format of another kind" 2 "cannot hold" "$pgopipe" merge p1.profraw --output-format text -o x.out
fails_with "weight for a non-input" 2 "not an input" "$pgopipe" merge p1.profraw --weight nope=2 -o x.out
fails_with "empty window" 9 "no profiles of svc" "$pgopipe" merge --app svc --since 2h --until 1h -o x.out
check "no stray outputs" test ! -e x.out
check "no temp files left" bash -c "! ls -A | grep -q '\.tmp-'"

# pprof through the CLI against `go tool pprof` on the inputs (pprof_oracle.py): files, then a
# store window with time decay and duration normalisation (the default: one minute each).
skipped=0
if ! command -v go > /dev/null; then
  echo "PGOPIPE-SKIP: go is not installed: the pprof merges were not checked"
  skipped=1
else
  oracle() { python3 "$here/pprof_oracle.py" "$@"; }
  export GOTOOLCHAIN=local
  (cd "$data/../pprof/cpuburn" && go build -o "$work/cpuburn" .) || { echo "FAIL: go build cpuburn"; exit 1; }
  for n in 1 2 3; do ./cpuburn -cpuprofile g$n.pb.gz -duration $((n * 400 + 400))ms -seed $n > /dev/null; done
  check "pprof file merge" "$pgopipe" merge g1.pb.gz g2.pb.gz --normalize none -o gm.pb.gz
  check "pprof file merge equals go tool pprof's values" oracle gm.pb.gz g1.pb.gz=1 g2.pb.gz=1
  check "pprof weighted file merge" "$pgopipe" merge g1.pb.gz g2.pb.gz --weight g2.pb.gz=3 --normalize none -o gw.pb.gz
  check "pprof weights scale go tool pprof's values" oracle gw.pb.gz g1.pb.gz=1 g2.pb.gz=3
  "$pgopipe" push g1.pb.gz --app gsvc --collected-at 1m > /dev/null
  "$pgopipe" push g2.pb.gz --app gsvc --collected-at 361m > /dev/null
  "$pgopipe" push g3.pb.gz --app gsvc --collected-at 30d > /dev/null   # outside the window
  check "pprof store window merge" "$pgopipe" merge --app gsvc --since 24h --half-life 6h -o gs.pb.gz
  # Weights 2^(-age/6h): 1 min -> 0.998, 361 min -> 0.499; each scaled to one minute, and the
  # result back to the inputs' total samples.
  check "pprof window: decay and normalisation as go tool pprof's values predict" \
    oracle gs.pb.gz --normalize g1.pb.gz=0.99808 g2.pb.gz=0.49904
  check "pprof window without normalisation" "$pgopipe" merge --app gsvc --since 24h --half-life 6h --normalize none -o gn.pb.gz
  check "pprof window: decay alone" oracle gn.pb.gz g1.pb.gz=0.99808 g2.pb.gz=0.49904
fi

cli_checks_summary || exit 1
[ "$skipped" -eq 0 ] || exit 77
