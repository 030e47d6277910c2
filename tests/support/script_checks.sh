# SPDX-License-Identifier: Apache-2.0
# Check helpers for the end-to-end test scripts (source it after setting $repo): PASS/FAIL
# lines counted into $failures, loud skips counted into $skips (each a "PGOPIPE-SKIP:" line
# scripts/test.sh checks against tests/skip-allowlist.txt), exit-code checks, and the moto S3
# server the S3 cases run against. The script ends with `script_checks_exit NAME`.
failures=0
skips=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
skip() { echo "PGOPIPE-SKIP: $*"; skips=$((skips + 1)); }
expect_rc() {  # expect_rc EXPECTED ACTUAL WHAT
  if [[ $2 -eq $1 ]]; then pass "$3 (exit $2)"; else fail "$3: exit $2, expected $1"; fi
}
# started WHAT PID FILE: waits until the support process PID wrote FILE (its ready line);
# a process that exits or stays silent for 20 s is a failure, never a silently absent fixture.
started() {
  local _
  for _ in $(seq 1 200); do
    [[ -s $3 ]] && return 0
    kill -0 "$2" 2> /dev/null || break
    sleep 0.1
  done
  fail "$1 did not start (pid $2, no line in $3)"
  cat "$3" "$3.err" 2> /dev/null
  return 1
}
# start_moto: starts the moto S3 server (bucket pgopipe-test) in the current directory and
# exports its credentials, region and endpoint (PGOPIPE_S3_ENDPOINT); returns 1 after a skip
# (no $PGOPIPE_TEST_PYTHON) or a failure. stop_moto ends it.
start_moto() {
  if [[ -z ${PGOPIPE_TEST_PYTHON:-} ]]; then
    skip "S3 cases need PGOPIPE_TEST_PYTHON (moto); run through scripts/test.sh"
    return 1
  fi
  mkfifo moto.in
  exec 7<> moto.in
  "$PGOPIPE_TEST_PYTHON" "$repo/tests/support/moto_launcher.py" --bucket pgopipe-test < moto.in > moto.json 2> moto.json.err &
  moto_pid=$!
  started "moto S3 server" "$moto_pid" moto.json || return 1
  field() { python3 -c 'import json,sys; print(json.loads(open("moto.json").readline())[sys.argv[1]])' "$1"; }
  export AWS_ACCESS_KEY_ID=$(field access_key) AWS_SECRET_ACCESS_KEY=$(field secret_key)
  export AWS_DEFAULT_REGION=$(field region) PGOPIPE_S3_ENDPOINT=$(field endpoint)
}
stop_moto() {
  kill "$moto_pid" 2> /dev/null
  exec 7>&-
  wait "$moto_pid" 2> /dev/null
}
# script_checks_exit NAME: the summary line, then exit 1 on a failure, 77 (ctest: Skipped,
# the reasons are the PGOPIPE-SKIP lines) on a skip, else 0.
script_checks_exit() {
  echo "$1: $failures failure(s), $skips skipped part(s)"
  [[ $failures -eq 0 ]] || exit 1
  [[ $skips -eq 0 ]] || exit 77
  exit 0
}
