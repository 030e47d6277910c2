#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds pgopipe and runs the whole test suite (unit and integration, with a real S3
# server), installing everything it needs first. Usage: scripts/test.sh [ctest args...]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

bash "$repo_root/scripts/install-deps.sh"
ensure_go
ensure_python_tools

# run_ctest STAGE BUILD_DIR [ctest args...]: runs ctest in BUILD_DIR with a JUnit report, then
# prints the stage's skipped tests with their reasons; fails when a test failed, or skipped for
# a reason tests/skip-allowlist.txt does not permit (under CI=true: only scope "always").
run_ctest() {
  local stage=$1 dir=$2 rc=0; shift 2
  local junit=$dir/ctest-$stage.xml
  rm -f "$junit"
  # --no-tests=error: a build configured without tests must fail the stage, not pass it empty.
  (cd "$dir" && ctest --no-tests=error --output-on-failure --output-junit "$junit" --test-output-size-passed 8000000 \
     --test-output-size-failed 8000000 "$@") || rc=$?
  python3 "$repo_root/tests/support/skip_summary.py" "$junit" "$repo_root/tests/skip-allowlist.txt" \
    "$stage" || rc=1
  return "$rc"
}

build_dir=${PGOPIPE_BUILD_DIR:-$repo_root/build}
# The Docker example builds wherever a Docker engine can be started (it skips loudly otherwise).
# Tests ON explicitly: the demo configures the same build dir with them off, and CMake keeps
# that setting in its cache.
build_pgopipe "$build_dir" -DPGOPIPE_BUILD_TESTS=ON -DPGOPIPE_DOCKER_TESTS="${PGOPIPE_DOCKER_TESTS:-ON}"
normal_started=$(date +%s)
normal_rc=0
run_ctest normal "$build_dir" --timeout 900 -j2 "$@" || normal_rc=$?
repo=$repo_root source "$repo_root/tests/support/docker_test_lib.sh"
docker_remove_dangling_since "$normal_started"
((normal_rc == 0)) || exit "$normal_rc"

# PGOPIPE_TEST_QUICK=1: stop after the normal stage above (a developer's quick run). CI, which
# sets no knob, goes on with the sanitizer and fuzz stages below.
if [ "${PGOPIPE_TEST_QUICK:-0}" = 1 ]; then exit 0; fi
echo "pgopipe: normal stage done after ${SECONDS} s"

# Sanitizer stage: the whole suite again, built by clang-19 with ASan+UBSan and libFuzzer's
# coverage hooks (-O1, line tables only: quicker to build, exact stack traces). Every
# library hands -fsanitize to what links it, so the collector's test programs run the
# instrumented collector too. Excluded: the docker label (images and the .deb are built from
# the normal stage's build; the sanitizer build is not one users install), the example label
# (the example services' own tests run no pgopipe code) and the fuzz label (the next stage).
stage_start=$SECONDS
asan_dir=${PGOPIPE_ASAN_BUILD_DIR:-$repo_root/build-asan}
asan_flags="-O1 -gline-tables-only -DNDEBUG"
CC=clang-19 CXX=clang++-19 build_pgopipe "$asan_dir" -DPGOPIPE_BUILD_TESTS=ON -DPGOPIPE_SANITIZE=ON -DPGOPIPE_FUZZ=ON \
  -DPGOPIPE_FUZZ_SECONDS="${PGOPIPE_FUZZ_SECONDS:-45}" \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="$asan_flags" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$asan_flags"
echo "pgopipe: sanitizer build took $((SECONDS - stage_start)) s"
# Reports go to files too: a pgopipe child process whose stderr a test does not show still
# fails the stage. The directory is world-writable and sticky (like /tmp) and outside the
# clone: a test process that drops privileges to `nobody` must be able to write its report
# even when the clone sits in a 0700 home such as /root (else the runtime dies at start with
# "Can't create directory").
reports=$(mktemp -d /tmp/pgopipe-sanitizer-reports.XXXXXX)
chmod 1777 "$reports"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:check_initialization_order=1:log_path=$reports/asan
export LSAN_OPTIONS=suppressions=$repo_root/tests/sanitizers/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan
suite_rc=0
run_ctest sanitizer "$asan_dir" --timeout 900 -j2 -LE 'fuzz|docker|example' "$@" || suite_rc=$?
# A child that a multi-threaded host forks and that then exits (the collector's pre-forking
# host test) makes LeakSanitizer warn that it could not suspend the parent's threads; a file
# holding only that warning reports no finding and is named, not failed on.
benign='^==[0-9]+==Running thread [0-9]+ was not suspended\. False leaks are possible\.$'
for f in "$reports"/*; do
  [ -e "$f" ] || continue
  if ! grep -qvE "$benign" "$f"; then
    echo "pgopipe: $f holds only LeakSanitizer's fork warning (no finding): $(head -1 "$f")"
    rm -f "$f"
  fi
done
if [ -n "$(ls -A "$reports")" ]; then
  echo "pgopipe: sanitizer reports:" >&2
  for f in "$reports"/*; do echo "== $f" >&2; cat "$f" >&2; done
  suite_rc=1
else
  rm -rf "$reports"
fi
[ "$suite_rc" -eq 0 ] || exit "$suite_rc"
unset ASAN_OPTIONS UBSAN_OPTIONS  # the fuzz tests set their own
echo "pgopipe: sanitizer stage took $((SECONDS - stage_start)) s"

# Fuzz smoke stage: every harness for PGOPIPE_FUZZ_SECONDS (45 s) on its seeds, two at a
# time. A crash fails CI; libFuzzer's "Test unit written to ..." line names the reproducer.
stage_start=$SECONDS
rm -rf "$asan_dir"/tests/fuzz/artifacts_*  # only this run's reproducers are listed below
if ! run_ctest fuzz "$asan_dir" -j2 -L fuzz; then
  echo "pgopipe: fuzz smoke failed; reproducers:" >&2
  find "$asan_dir/tests/fuzz" -path '*/artifacts_*/*' -type f >&2
  exit 1
fi
grep -E '^[0-9]+/[0-9]+ Test: fuzz_|^Done [0-9]+ runs in|stat::average_exec_per_sec|stat::peak_rss_mb' \
  "$asan_dir/Testing/Temporary/LastTest.log" || true
echo "pgopipe: fuzz smoke stage took $((SECONDS - stage_start)) s"
