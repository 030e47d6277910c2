# SPDX-License-Identifier: Apache-2.0
# Check helpers for the CLI test scripts (source it): each check counts into $passed or
# $failed and names a failure; the script ends with `cli_checks_summary`.
passed=0 failed=0
check() {  # check NAME COMMAND...: the command must succeed
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $name"; fi
}
fails_with() {  # fails_with NAME CODE NEEDLE COMMAND...: exit CODE and NEEDLE on stderr
  local name=$1 code=$2 needle=$3; shift 3
  "$@" > out.txt 2> err.txt; local rc=$?
  if [ "$rc" -eq "$code" ] && grep -qF -- "$needle" err.txt; then passed=$((passed + 1));
  else failed=$((failed + 1)); echo "FAIL: $name (exit $rc, wanted $code with '$needle')"; head -c 2000 err.txt; fi
}
cli_checks_summary() {  # prints "N passed, N failed"; returns 1 when a check failed
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
