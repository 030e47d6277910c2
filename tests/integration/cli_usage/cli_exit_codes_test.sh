#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Usage: cli_exit_codes_test.sh PGOPIPE DATA_DIR WORK_DIR. Prints "N passed, N failed".
# README's exit-code table, row by row, for each command a row applies to. Row 1 (internal
# error) is a bug and cannot be provoked; rows 10-12 belong to rebuild (integration.rebuild).
set -uo pipefail
pgopipe=$1 data=$2 work=$3
source "$(cd "$(dirname "$0")" && pwd)/../../support/cli_checks.sh"
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
export PGOPIPE_STORE=$work/store
profile=$data/llvm/sample_a.txt
mkdir -p store
"$pgopipe" push "$profile" --app full > /dev/null 2>&1

exits() {  # exits NAME CODE COMMAND...: the command exits CODE (stderr in err.txt)
  local name=$1 code=$2; shift 2
  "$@" > out.txt 2> err.txt; local rc=$?
  if [ "$rc" -eq "$code" ]; then passed=$((passed + 1));
  else failed=$((failed + 1)); echo "FAIL: $name (exit $rc, wanted $code)"; head -c 1000 err.txt; fi
}

# 0: success. An empty window is an answer for ls.
exits "0: ls of a full window" 0 "$pgopipe" ls --app full --since 1h
exits "0: ls of an empty window" 0 "$pgopipe" ls --app empty --since 1h
check "0: ls of an empty window prints no profile" test ! -s out.txt
exits "0: show" 0 "$pgopipe" show "$profile"
exits "0: pull of a full window" 0 "$pgopipe" pull --app full --since 1h -o pulled

# 2: usage, for every command.
for c in push ls pull gc merge show convert rebuild flamegraph help completion man "collect http" \
         "collect perf" "collect spool" "build cmake" "build docker"; do
  # shellcheck disable=SC2086
  fails_with "2: $c --bogus" 2 "unknown option '--bogus'" "$pgopipe" $c --bogus
done
fails_with "2: a bad value" 2 "--line-counts" "$pgopipe" convert in.pb.gz -o o.afdo --line-counts x

# 3: configuration.
for c in "ls --app full --since 1h" "push $profile --app full" "merge $profile -o m.afdo" "show $profile"; do
  # shellcheck disable=SC2086
  fails_with "3: --config missing.yaml ($c)" 3 "missing.yaml" "$pgopipe" --config missing.yaml $c
done
fails_with "3: a config file that does not parse" 3 "bad.yaml" \
  bash -c "printf 'store: [\n' > bad.yaml; '$pgopipe' --config bad.yaml ls --app full --since 1h"
fails_with "3: a bad environment value" 3 "PGOPIPE_CONCURRENCY" \
  env PGOPIPE_CONCURRENCY=zero "$pgopipe" ls --app full --since 1h

# 4: input, for each command that reads a file.
fails_with "4: push of a missing file" 4 "nofile" "$pgopipe" push nofile --app full
check "4: push of a missing file stored nothing" test "$("$pgopipe" ls --app full --since 1h 2>/dev/null | wc -l)" -eq 1
fails_with "4: show of a missing file" 4 "nofile" "$pgopipe" show nofile
fails_with "4: merge of a missing file" 4 "nofile" "$pgopipe" merge nofile -o m.afdo
fails_with "4: flamegraph of a missing file" 4 "nofile" "$pgopipe" flamegraph nofile -o f.svg
fails_with "4: show of a file that is not a profile" 4 "not a recognised profile" "$pgopipe" show /etc/hostname

# 5: store.
for c in "ls --app full --since 1h" "pull --app full --since 1h -o p5" "merge --app full --since 1h -o m5.afdo"; do
  # shellcheck disable=SC2086
  fails_with "5: missing store ($c)" 5 "no-such-store" "$pgopipe" --store ./no-such-store $c
done

# 6: integrity.
cp -r store damaged && for m in damaged/full/*/*/*/*/*.meta.json; do echo '{' > "$m"; done
fails_with "6: ls --check lists a damaged object" 6 "damaged object" "$pgopipe" --store ./damaged ls --check --app full --since 1h

# 7: local I/O.
fails_with "7: pull into a path under a file" 7 "Not a directory" "$pgopipe" pull --app full --since 1h -o "$profile/x"
fails_with "7: merge into a path under a file" 7 "" "$pgopipe" merge "$profile" -o "$profile/x.afdo"

# 8: external tool.
mkdir -p proj && printf 'cmake_minimum_required(VERSION 3.25)\nproject(p NONE)\n' > proj/CMakeLists.txt
fails_with "8: build cmake whose cmake fails" 8 "" "$pgopipe" build cmake -S proj -B proj/b --cmake /bin/false

# 9: nothing found: pull and merge of an empty window (ls answers 0, above).
fails_with "9: pull of an empty window" 9 "no profiles of empty" "$pgopipe" pull --app empty --since 1h -o p9
fails_with "9: merge of an empty window" 9 "no profiles of empty" "$pgopipe" merge --app empty --since 1h -o m9.afdo

cli_checks_summary
