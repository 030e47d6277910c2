# SPDX-License-Identifier: Apache-2.0
# The demo's rebuild step (source it; needs $pgopipe and a `fail` function): runs
# `pgopipe rebuild --config pgo.yaml --json` in the current directory, shows its stage lines,
# sets $outcome (published or gated; any other exit fails the demo) and defines
# `json_field NAME`, a field of the run's JSON report.
demo_rebuild() {
  local rc
  set +e
  "$pgopipe" rebuild --config pgo.yaml --json > rebuild.out 2> rebuild.log
  rc=$?
  set -e
  grep -E 'stage [a-z]+:|rebuild (published|gated|unchanged)|pair [0-9]+/' rebuild.log | sed 's/^/  /'
  case $rc in
    0) outcome="published" ;;
    11) outcome="gated (the speedup's interval does not clear 1.0: not published)" ;;
    *) tail -40 rebuild.log; fail "pgopipe rebuild exited $rc" ;;
  esac
}
json_field() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1])).get(sys.argv[2]); print("" if v is None else v)' rebuild.out "$1"; }
