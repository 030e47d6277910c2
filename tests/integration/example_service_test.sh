#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Smoke test of examples/service: builds the standalone CMake project with clang-19 and with
# GCC at -O2, checks both print the same checksum for every traffic mix (the output must
# not depend on the compiler), that SIGTERM ends a --duration run cleanly and that bad
# usage exits with status 2.
# usage: example_service_test.sh SOURCE_DIR [WORK_DIR]     exit 77 = skipped
set -euo pipefail
src=${1:?usage: example_service_test.sh SOURCE_DIR [WORK_DIR]}/examples/service
if [[ -n ${2:-} ]]; then
  work=$2
  rm -rf "$work"  # fresh builds every run
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
requests=5000

fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in clang++-19 g++ cmake ninja; do
  command -v "$tool" >/dev/null || { echo "PGOPIPE-SKIP: $tool is not installed"; exit 77; }
done

configure_and_build() {  # configure_and_build NAME COMPILER
  cmake -S "$src" -B "$work/$1" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER="$2" \
    -DCMAKE_CXX_FLAGS_RELEASE=-O2 >"$work/$1.configure.log" 2>&1 ||
    { cat "$work/$1.configure.log" >&2; return 1; }
  ninja -C "$work/$1" >"$work/$1.build.log" 2>&1 || { cat "$work/$1.build.log" >&2; return 1; }
  if grep -q 'warning:' "$work/$1.build.log"; then
    cat "$work/$1.build.log" >&2
    echo "compiler warnings with $2" >&2
    return 1
  fi
}

configure_and_build clang clang++-19 &
clang_pid=$!
configure_and_build gcc g++ &
gcc_pid=$!
wait "$clang_pid" || fail "clang-19 build of $src"
wait "$gcc_pid" || fail "GCC build of $src"

field() { awk -v k="$1:" '$1 == k {print $2}' "$2"; }

for mix in default compute storage; do
  for c in clang gcc; do
    "$work/$c/service" --requests "$requests" --seed 11 --mix "$mix" --quiet >"$work/$c-$mix.out" ||
      fail "$c build exited with $? on mix $mix"
    [[ $(field requests "$work/$c-$mix.out") == "$requests" ]] ||
      fail "$c build served $(field requests "$work/$c-$mix.out") requests, not $requests"
  done
  a=$(field checksum "$work/clang-$mix.out")
  b=$(field checksum "$work/gcc-$mix.out")
  [[ $a =~ ^[0-9a-f]{16}$ ]] || fail "no checksum in the clang output for mix $mix"
  [[ $a == "$b" ]] || fail "mix $mix: clang checksum $a != GCC checksum $b"
  echo "mix $mix: clang and GCC both print checksum $a"
done

# Another seed gives other traffic, hence another checksum.
"$work/clang/service" --requests "$requests" --seed 12 --quiet >"$work/seed12.out"
[[ $(field checksum "$work/seed12.out") != $(field checksum "$work/clang-default.out") ]] ||
  fail "seeds 11 and 12 gave the same checksum"

# SIGTERM ends a --duration run with status 0 after printing the summary.
"$work/clang/service" --duration 60 --quiet >"$work/term.out" &
pid=$!
sleep 1
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
[[ $status == 0 ]] || fail "service exited with status $status after SIGTERM"
served=$(field requests "$work/term.out")
[[ -n $served && $served -gt 0 ]] || fail "no summary after SIGTERM: $(cat "$work/term.out")"
echo "SIGTERM: clean exit after $served requests"

status=0
"$work/clang/service" --requests 10 --mix no-such-mix 2>/dev/null || status=$?
[[ $status == 2 ]] || fail "an unknown --mix exited with $status, not 2"
echo "PASS"
