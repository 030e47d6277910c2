#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Usage: cli_help_test.sh PGOPIPE WORK_DIR. Prints "N passed, N failed".
# Typos and help: unknown commands and flags are named first with a suggestion, `pgopipe help
# [COMMAND [SUB]]` works, every command's help has a purpose, examples and the global options,
# and choice options read `a|b|c` with no parser internals.
set -uo pipefail
pgopipe=$1 work=$2
source "$(cd "$(dirname "$0")" && pwd)/../../support/cli_checks.sh"
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
export PGOPIPE_STORE=$work/store

# Unknown words come first, with a suggestion; never "a subcommand is required" or "--x is required".
fails_with "a mistyped command is named with a suggestion" 2 "unknown command 'pussh' for 'pgopipe'; did you mean 'push'?" \
  "$pgopipe" pussh
check "  and not as a missing subcommand" bash -c "! grep -qi 'subcommand is required' err.txt"
fails_with "a mistyped flag is named before any missing required flag" 2 \
  "unknown option '--sincee' for 'pgopipe ls'; did you mean '--since'?" "$pgopipe" ls --sincee 1h
check "  and --since is not reported as missing" bash -c "! grep -q 'required' err.txt"
fails_with "an unknown flag far from any is named without a suggestion" 2 "unknown option '--bogus' for 'pgopipe merge'" \
  "$pgopipe" merge --bogus
check "  and --output is not reported as missing" bash -c "! grep -q 'required' err.txt"
fails_with "--flag=value is named by its flag" 2 "unknown option '--outptu'" "$pgopipe" merge --outptu=x a.txt
fails_with "a mistyped subcommand of build is named" 2 "did you mean 'cmake'?" "$pgopipe" build cmak
fails_with "a global flag is suggested from a subcommand" 2 "did you mean '--store'?" "$pgopipe" ls --stor x
fails_with "no command at all says so" 2 "a command is required" "$pgopipe"

# pgopipe help [COMMAND [SUB]].
"$pgopipe" help > help.txt 2>&1; rc=$?
check "pgopipe help exits 0" test "$rc" -eq 0
check "pgopipe help lists the commands" grep -q "^  push " help.txt
"$pgopipe" help ls > help_ls.txt 2>&1
check "pgopipe help ls shows ls's options" grep -q -- "--since" help_ls.txt
check "pgopipe help ls matches ls --help" bash -c "diff <('$pgopipe' ls --help) help_ls.txt"
"$pgopipe" help build cmake > help_bc.txt 2>&1
check "pgopipe help build cmake shows its options" grep -q -- "--source" help_bc.txt
fails_with "pgopipe help of an unknown command suggests one" 2 "did you mean 'merge'?" "$pgopipe" help merg

# Every command: a one-line purpose, examples, the global options; no parser internals.
commands=(push ls pull gc merge show convert rebuild flamegraph help completion man collect build
          "collect http" "collect perf" "collect spool" "build cmake" "build docker" "build go")
for c in "${commands[@]}"; do
  # shellcheck disable=SC2086
  "$pgopipe" help $c > h.txt 2>&1
  check "help $c: starts with a one-line purpose" bash -c "head -1 h.txt | grep -q '^[A-Z]'"
  check "help $c: has examples" grep -q "^Examples:" h.txt
  check "help $c: examples run pgopipe $c" grep -q "^  pgopipe $c" h.txt
  check "help $c: names the global options" grep -q -- "--store URL  --json  --log-level" h.txt
  check "help $c: no parser internals" bash -c "! grep -Eq 'ENUM|->|IsMember|TEXT:\\{|INT in \\[' h.txt"
done
"$pgopipe" help convert > h.txt
check "convert --line-counts reads flow|blocks|sum|max|mean" grep -q -- "--line-counts flow|blocks|sum|max|mean" h.txt
"$pgopipe" help build cmake > h.txt
check "build cmake --pgo reads generate|auto|off" grep -q -- "--pgo generate|auto|off" h.txt
check "-j reads N (1..1024), no validator internals" bash -c "'$pgopipe' help merge | grep -q -- '-j,--jobs N (1..1024) '"
fails_with "a number out of range names its bounds plainly" 2 "--jobs: must be a whole number from 1 to 1024, not '0'" \
  "$pgopipe" merge -j 0 a.txt -o m.txt
check "--build-id reads HEX" bash -c "'$pgopipe' help ls | grep -q -- '--build-id HEX '"
fails_with "a bad choice names the choices plainly" 2 "--line-counts: 'median' is not one of flow, blocks, sum, max or mean" \
  "$pgopipe" convert in.pb.gz -o out.afdo --line-counts median
check "  without parser internals" bash -c "! grep -Eq 'Check|FAILED|->' err.txt"
fails_with "merge --failure-mode is checked while parsing" 2 "'some' is not one of any, all or warn" \
  "$pgopipe" merge --failure-mode some a.txt -o m.txt

cli_checks_summary
