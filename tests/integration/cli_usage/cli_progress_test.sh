#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Usage: cli_progress_test.sh PGOPIPE DATA_DIR WORK_DIR. Prints "N passed, N failed".
# Long operations draw a progress bar on a terminal (run under script(1)) and stay quiet when
# stderr is piped: merge of a store window, convert.
set -uo pipefail
pgopipe=$1 data=$2 work=$3
source "$(cd "$(dirname "$0")" && pwd)/../../support/cli_checks.sh"
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
export PGOPIPE_STORE=$work/store
on_terminal() { script -qec "$1" /dev/null | tr -d '\r'; }

for s in a b c; do "$pgopipe" push "$data/llvm/sample_$s.txt" --app svc --collected-at 1m > /dev/null 2>&1; done
check "three profiles in the window" test "$("$pgopipe" ls --app svc --since 1h 2> /dev/null | wc -l)" -eq 3
on_terminal "'$pgopipe' merge --app svc --since 1h -o tty.afdo" > merge_tty.txt
check "merge of a window on a terminal shows its progress" grep -q "merge \[#*\] 3/3" merge_tty.txt
"$pgopipe" merge --app svc --since 1h -o piped.afdo > /dev/null 2> merge_piped.txt
check "merge of a window piped shows none" bash -c "! grep -q 'merge \[' merge_piped.txt"
check "  and merged" test -s piped.afdo

printf 'int main(void){volatile unsigned long s=0;for(unsigned long i=0;i<300000000UL;i++)s+=i;return 0;}\n' > busy.c
clang-19 -O1 -g -Wl,--build-id busy.c -o busy || exit 1
if perf record -q -o busy.perf.data -- ./busy > /dev/null 2>&1; then
  on_terminal "'$pgopipe' convert busy.perf.data --binary busy -o tty.afdo" > convert_tty.txt
  check "convert on a terminal shows its progress" grep -q "convert \[#*\] 2/2" convert_tty.txt
  "$pgopipe" convert busy.perf.data --binary busy -o piped.afdo > /dev/null 2> convert_piped.txt
  check "convert piped shows none" bash -c "! grep -q 'convert \[' convert_piped.txt"
  check "  and converted" test -s piped.afdo
else
  echo "SKIP: perf record is not permitted here; the convert progress checks did not run"
fi

cli_checks_summary
