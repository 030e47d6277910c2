#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Usage: hostile_cli_test.sh PGOPIPE SUPPORT_DIR WORK_DIR. Prints "N passed, N failed".
set -uo pipefail
pgopipe=$1 support=$2 work=$3
source "$(cd "$(dirname "$0")" && pwd)/../../support/cli_checks.sh"
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
export PGOPIPE_STORE=$work/store
no_escape() { ! grep -q $'\x1b' "$1"; }  # no raw ESC byte in the file

python3 "$support/hostile_inputs.py" in || { echo "cannot write the hostile inputs"; exit 1; }

# Amplification: 23 KB of gzip holding 12 million empty samples stops at the sample limit.
fails_with "amplification: merge names the limit" 4 "limits.max_samples" \
  "$pgopipe" merge -j1 in/amplify.pb.gz -o amp-out.pb.gz
check "amplification: the message names the input" grep -q "amplify.pb.gz" err.txt
check "amplification: no output written" test ! -e amp-out.pb.gz
fails_with "amplification: show names the limit" 4 "limits.max_samples" "$pgopipe" show in/amplify.pb.gz
fails_with "amplification: flamegraph names the limit" 4 "limits.max_samples" \
  "$pgopipe" flamegraph in/amplify.pb.gz -o amp.svg
printf 'limits:\n  max_strings: 3\n' > small-limits.yaml
fails_with "limits are configurable" 4 "limits.max_strings" \
  "$pgopipe" --config small-limits.yaml merge in/normal.pb.gz -o n.pb.gz
fails_with "limits from the environment" 4 "limits.max_strings" \
  env PGOPIPE_LIMITS_MAX_STRINGS=2 "$pgopipe" show in/normal.pb.gz
fails_with "a zero limit is a config error" 3 "limits.max_functions" \
  env PGOPIPE_LIMITS_MAX_FUNCTIONS=0 "$pgopipe" show in/normal.pb.gz

# Depth: a 25,000-frame stack is drawn, cut at limits.max_stack_depth with a note.
check "deep stack: flamegraph completes" "$pgopipe" flamegraph in/deep.pb.gz -o deep.svg
check "deep stack: the graph says it is truncated" grep -q "deeper than 1024 frames truncated" deep.svg
check "deep stack: merge completes" "$pgopipe" merge -j1 in/deep.pb.gz -o deep-merged.pb.gz
check "deep stack: show completes" "$pgopipe" show in/deep.pb.gz

# Numbers: duration_nanos = 1 counts as 10 ms (weight 6000), not 6e10, and says so: 5 samples
# of main.work weigh as much as a busy minute's 30000 of main.idle (at 6e10 main.idle would
# vanish); the result is scaled back to the inputs' 30005 samples.
"$pgopipe" merge -j1 --normalize duration in/tiny-duration.pb.gz in/busy-minute.pb.gz -o dur.pb.gz 2> err.txt
check "tiny duration: warned" grep -q "duration_nanos 1 is below 10 ms" err.txt
"$pgopipe" show dur.pb.gz --json > dur.json
check "tiny duration: weight 6000, so both functions hold half of the inputs' 30005 samples" python3 -c '
import json, sys
s = json.load(open("dur.json"))
counts = {f["name"]: f["count"] for f in s["hottest"]}
sys.exit(0 if counts.get("main.work") == counts.get("main.idle") and abs(s["total"] - 30005) <= 2 else 1)'
"$pgopipe" merge -j1 --normalize duration in/huge-values.pb.gz -o huge.pb.gz 2> err.txt
check "huge values: clamped and warned" grep -q "exceed the 64-bit range; clamped" err.txt
check "huge values: saturated, not wrapped, then scaled back to the input's 2^62" \
  bash -c "'$pgopipe' show huge.pb.gz --json | grep -q '\"total\": 4611686018427387904'"

# Terminal output: escape sequences in names never reach the terminal raw.
"$pgopipe" show in/escapes.pb.gz > show.txt 2>&1
check "show escapes control characters" no_escape show.txt
check "show prints them visibly" grep -qF 'evil\x1b[2J' show.txt
"$pgopipe" show $'in/no\x1b]0;title\x07such.pb' > show-missing.txt 2>&1
check "logs escape control characters" no_escape show-missing.txt
check "logs keep the name visible" grep -qF 'no\x1b]0;title\x07such.pb' show-missing.txt

# One damaged object in a local store: skipped with a warning, listed by ls --check.
for i in 1 2 3; do "$pgopipe" push in/normal.pb.gz --app web --collected-at ${i}m --allow-duplicate > /dev/null || exit 1; done
victim=$(find store -name '*.meta.json' | sort | head -1)
echo '{"app": "web", "format": ' > "$victim"
"$pgopipe" ls --app web --since 1h > ls.txt 2> err.txt
check "damaged sidecar: ls still lists the rest" test "$(wc -l < ls.txt)" -eq 2
check "damaged sidecar: named warning" grep -q "skipping damaged object web/" err.txt
check "damaged sidecar: counted" grep -q "1 damaged object(s) skipped" err.txt
fails_with "ls --check exits 6" 6 "1 damaged object(s)" "$pgopipe" ls --app web --since 1h --check
check "ls --check lists the damaged key" grep -q "^web/.*metadata is not valid JSON" out.txt
check "pull serves the rest" "$pgopipe" pull --app web --since 1h -o pulled
check "pull counted it" bash -c "'$pgopipe' pull --app web --since 1h -o pulled2 2>&1 | grep -q '1 damaged object(s) skipped'"
check "gc serves the rest" bash -c "'$pgopipe' gc --app web --older-than 0s --dry-run 2>&1 | grep -q '1 damaged object(s) skipped'"

# Hostile S3 servers (tests/support/hostile_s3.py, one per mode): each must be up first.
export AWS_ACCESS_KEY_ID=hostile AWS_SECRET_ACCESS_KEY=hostile-secret AWS_EC2_METADATA_DISABLED=true
server_pid=""
start_server() {  # start_server MODE: sets PGOPIPE_S3_ENDPOINT to a fresh hostile server
  stop_server
  coproc SERVER { exec python3 "$support/hostile_s3.py" "$1"; }
  server_pid=$SERVER_PID
  local line=""
  read -r -t 10 line <&"${SERVER[0]}" || true
  case $line in port\ *) export PGOPIPE_S3_ENDPOINT=http://127.0.0.1:${line#port };;
    *) echo "FAIL: hostile_s3.py $1 did not start"; failed=$((failed + 1)); return 1;; esac
  curl -sf "$PGOPIPE_S3_ENDPOINT/__stats" > /dev/null || { echo "FAIL: server $1 not answering"; return 1; }
}
stop_server() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2> /dev/null; wait "$server_pid" 2> /dev/null; fi
  server_pid=""
}
trap stop_server EXIT
list_requests() { curl -sf "$PGOPIPE_S3_ENDPOINT/__stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["list_requests"])'; }
s3=(--store s3://pgopipe-test/p)

if start_server repeat-token; then
  fails_with "repeated continuation token is detected" 5 "repeated continuation token" \
    timeout 60 "$pgopipe" ls --app web --since 30m "${s3[@]}"
  check "repeated token: a handful of requests" test "$(list_requests)" -le 10
fi
if start_server fresh-tokens; then
  fails_with "a listing that repeats its keys is detected" 5 "the listing does not advance" \
    timeout 60 "$pgopipe" ls --app web --since 30m "${s3[@]}"
fi
if start_server empty-pages; then
  fails_with "an endless listing stops at the page cap" 5 "more than 1000 pages" \
    timeout 120 "$pgopipe" ls --app web --since 30m "${s3[@]}"
  check "empty pages: capped requests" test "$(list_requests)" -le 2002
fi
if start_server huge-listing; then
  fails_with "an oversized listing page is refused" 5 "exceeds 16777216 bytes" \
    timeout 60 "$pgopipe" ls --app web --since 30m "${s3[@]}"
fi
if start_server stray-keys; then
  "$pgopipe" push in/normal.pb.gz --app web --collected-at 1m --allow-duplicate "${s3[@]}" > /dev/null 2>&1
  good=$("$pgopipe" push in/normal.pb.gz --app web --collected-at 2m --allow-duplicate "${s3[@]}" 2> /dev/null | cut -f2)
  # A second object whose metadata headers are malformed (size is not a number).
  bad=${good%.pb.gz}x.pb.gz
  curl -sf -X PUT --data-binary @in/normal.pb.gz -H "x-amz-meta-app: web" -H "x-amz-meta-format: pprof-gzip" \
    -H "x-amz-meta-collected-at: $(date -u +%Y-%m-%dT%H:%M:%SZ)" -H "x-amz-meta-sha256: 00" \
    -H "x-amz-meta-size: lots" "$PGOPIPE_S3_ENDPOINT/pgopipe-test/p/$bad" || echo "cannot PUT $bad"
  "$pgopipe" ls --app web --since 1h "${s3[@]}" > ls.txt 2> err.txt
  check "s3: the good objects are listed" test "$(wc -l < ls.txt)" -eq 2
  check "s3: a key outside the prefix is skipped by name" grep -q "skipping damaged object elsewhere/stray.pb.gz" err.txt
  check "s3: a key with '..' is skipped" grep -q "skipping damaged object p/web/.*\.\./escape" err.txt
  check "s3: malformed metadata is skipped by name" grep -q "skipping damaged object $bad" err.txt
  fails_with "s3: ls --check exits 6" 6 "damaged object(s)" "$pgopipe" ls --app web --since 1h --check "${s3[@]}"
fi

# Redirects from a scraped endpoint: refused by default, same host only when asked, and the
# URL's credentials never reach the log.
export HOSTILE_PROFILE=$work/in/normal.pb.gz
if start_server honest; then
  base=${PGOPIPE_S3_ENDPOINT#http://}
  scrape() { "$pgopipe" collect http --app web --count 1 --interval 1s --url "$@"; }
  fails_with "redirects are not followed by default" 4 "not followed" \
    scrape "http://user:hunter2@$base/__redirect?to=http://evil.invalid/x"
  check "the redirect target is named" grep -q "redirect to http://evil.invalid/x" err.txt
  check "credentials are not logged" bash -c "! grep -q hunter2 err.txt"
  fails_with "a redirect to another host is refused" 4 "another scheme or host" \
    scrape "http://$base/__redirect?to=http://evil.invalid/x" --follow-redirects
  check "a same-host redirect is followed when asked" \
    scrape "http://$base/__redirect?to=/__profile" --follow-redirects
fi
stop_server

cli_checks_summary
