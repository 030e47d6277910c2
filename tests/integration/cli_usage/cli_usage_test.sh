#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Usage: cli_usage_test.sh PGOPIPE DATA_DIR WORK_DIR. Prints "N passed, N failed".
# The CLI's edges: numbers and IDs are validated, errors reach stderr at any log level, and
# human output demangles C++ names while --json keeps them raw.
set -uo pipefail
pgopipe=$1 data=$2 work=$3
source "$(cd "$(dirname "$0")" && pwd)/../../support/cli_checks.sh"
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
export PGOPIPE_STORE=$work/store
profile=$data/llvm/sample_a.txt

# Numbers and IDs.
fails_with "merge -j -3 is refused" 2 "--jobs" "$pgopipe" merge -j -3 "$profile" -o m.txt
check "merge -j -3 wrote nothing" test ! -e m.txt
fails_with "merge -j 0 is refused" 2 "--jobs" "$pgopipe" merge -j 0 "$profile" -o m.txt
fails_with "build cmake -j 0 is refused" 2 "--jobs" "$pgopipe" build cmake -j 0 -S . -B b
fails_with "--concurrency 0 is refused, naming the flag" 3 "--concurrency" \
  "$pgopipe" --concurrency 0 ls --app a --since 1h
fails_with "--concurrency 65 is refused" 3 "concurrency" "$pgopipe" --concurrency 65 ls --app a --since 1h
fails_with "ls --build-id nothex is refused, naming the value" 2 "nothex" \
  "$pgopipe" ls --app a --since 1h --build-id nothex
fails_with "push --build-id nothex is refused" 2 "nothex" \
  "$pgopipe" push "$profile" --app a --build-id nothex
check "push --build-id nothex stored nothing" test ! -e store/a
mkdir -p store  # an empty directory is an empty store
check "a hex build ID is accepted" "$pgopipe" ls --app a --since 1h --build-id 4F3a09

# Errors reach stderr at every log level; warnings and info follow the level.
fails_with "--log-level off still prints the error" 4 "no-such-file.pb.gz" \
  "$pgopipe" --log-level off show no-such-file.pb.gz
fails_with "--log-level error prints the error" 4 "no-such-file.pb.gz" \
  "$pgopipe" --log-level error show no-such-file.pb.gz

# show: demangled for people, raw in --json.
"$pgopipe" show "$data/llvm/sample_b.txt" > show.txt 2>&1
"$pgopipe" show "$data/llvm/sample_b.txt" --json > show.json 2>&1
raw=$(grep -o '"name": "_Z[^"]*"' show.json | head -1 | cut -d'"' -f4)
check "the sample profile has a mangled hot function" test -n "$raw"
check "show prints no mangled name" bash -c "! grep -q '  _Z' show.txt"
check "show --json keeps the mangled name" grep -qF "\"$raw\"" show.json

# A mistyped local store is an error naming it, never an empty store that gets created.
for cmd in "ls --app hot --since 1d" "pull --app hot --since 1d -o pulled" "merge --app hot --since 1d -o m.pb.gz" \
           "gc --app hot --older-than 7d"; do
  # shellcheck disable=SC2086
  fails_with "read-only $cmd: a missing store is a store error" 5 "no-such-store" \
    "$pgopipe" --store ./no-such-store $cmd
  check "read-only $cmd: the store was not created" test ! -e no-such-store
done
"$pgopipe" --store ./new-store push "$profile" --app hot > /dev/null 2> push.txt
check "push creates the store" test -d new-store/hot
check "push says it created the store" grep -q "created the local store" push.txt
"$pgopipe" --store ./new-store push "$profile" --app hot --collected-at 1m --allow-duplicate > /dev/null 2> push2.txt
check "a second push does not say so again" bash -c "! grep -q 'created the local store' push2.txt"
check "ls reads the store push made" test "$("$pgopipe" --store ./new-store ls --app hot --since 1h | wc -l)" -eq 2

# ls: a header and aligned columns on a terminal; piped and --json output keep their layout.
"$pgopipe" --store ./new-store push "$data/llvm/sample_c.txt" --app hot --label team=storage-and-search \
  > /dev/null 2>&1
script -qec "'$pgopipe' --store ./new-store ls --app hot --since 1h 2>/dev/null" /dev/null | tr -d '\r' > ls_tty.txt
"$pgopipe" --store ./new-store ls --app hot --since 1h > ls_pipe.txt 2>/dev/null
check "ls on a terminal starts with a header" grep -q "^COLLECTED  *FORMAT  *SIZE  *BUILD ID  *HOST  *LABELS  *KEY$" ls_tty.txt
check "ls on a terminal lists every profile below it" test "$(wc -l < ls_tty.txt)" -eq 4
check "ls on a terminal aligns the key column" \
  test "$(awk '{print index($0, "KEY") - 1; exit}' ls_tty.txt)" -eq "$(awk 'NR == 2 {print index($0, "hot/") - 1}' ls_tty.txt)"
check "ls on a terminal aligns the labels column" \
  test "$(awk '{print index($0, "LABELS"); exit}' ls_tty.txt)" -eq "$(grep -m1 -bo 'team=' <(sed -n '/team=/p' ls_tty.txt | head -1) | cut -d: -f1 | awk '{print $1 + 1}')"
check "piped ls has no header" bash -c "! grep -q '^COLLECTED' ls_pipe.txt"
check "piped ls keeps its fixed layout" \
  grep -qE '^[0-9T:.Z-]+  sample-text {6} +[0-9]+  - {12}[^ ]+ +-  hot/' ls_pipe.txt
"$pgopipe" --store ./new-store ls --app hot --since 1h --json > ls.json 2>/dev/null
check "ls --json is unchanged by a terminal" bash -c "script -qec \"'$pgopipe' --store ./new-store ls --app hot --since 1h --json 2>/dev/null\" /dev/null | tr -d '\r' | cmp -s - ls.json"

# merge warns when the output's extension belongs to another kind of profile.
"$pgopipe" merge -j1 "$profile" -o merged.profdata > /dev/null 2> ext.txt
check "merge of a sample profile into .profdata succeeds" test -s merged.profdata
check "and warns that the extension is another kind's" grep -q "but its extension is" ext.txt
"$pgopipe" merge -j1 "$profile" -o merged.afdo > /dev/null 2> ext2.txt
check "a matching extension gets no warning" bash -c "! grep -q 'but its extension is' ext2.txt"

# build cmake: the child build's output goes to stderr (stdout is data).
mkdir -p proj && printf 'cmake_minimum_required(VERSION 3.25)\nproject(p C)\nmessage(STATUS "configure-says-hello")\n' > proj/CMakeLists.txt
"$pgopipe" build cmake -S proj -B proj/build --pgo off > build.out 2> build.err
check "build cmake ran the configure" grep -q "configure-says-hello" build.err
check "build cmake printed nothing on stdout" test ! -s build.out

cli_checks_summary
