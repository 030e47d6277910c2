#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every product source dir/file.cpp has tests/unit/dir_file_test.cpp, or is named in the table
# "Sources without a unit test of their own" in tests/README.md with the tests that pin it.
# Also fails when the table names a source that has its own unit test or no longer exists.
set -u
root=${1:?usage: unit_test_names.sh SOURCE_DIR}
cd "$root" || exit 1
table=$(sed -n '/^## Sources without a unit test of their own/,/^## /p' tests/README.md | grep '^| ' | cut -d'|' -f2)
listed() { # dir/file.cpp
  local dir=${1%/*} file=${1##*/}
  # A row names "dir/file.cpp" or, after a first full path of the same folder, "file.cpp".
  grep -Eq "(^|[ ,])$1([ ,]|$)" <<< "$table" ||
    grep -E "(^|[ ,])$dir/[a-z_]+\.cpp" <<< "$table" | grep -Eq "[ ,]$file([ ,]|$)"
}
bad=0
for src in $(find core cli collector merger builder rebuild report -name '*.cpp' | sort); do
  test_file="tests/unit/$(tr / _ <<< "${src%.cpp}")_test.cpp"
  if [[ -f $test_file ]]; then
    if listed "$src"; then echo "listed in tests/README.md but has $test_file: $src"; bad=1; fi
  elif ! listed "$src"; then
    echo "no $test_file and not in tests/README.md's table: $src"; bad=1
  fi
done
for named in $(grep -Eo '[a-z_]+/[a-z_/]+\.cpp' <<< "$table"); do
  [[ -f $named ]] || { echo "tests/README.md names a source that does not exist: $named"; bad=1; }
done
[[ $bad == 0 ]] && echo "every source has its unit test or a named pinning test"
exit $bad
