#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A report.html written by the report library (report_demo, from the LLVM sample profile in
# tests/data/llvm) opened in a real headless Chromium: the screenshot is a PNG that is not
# one colour and shows the flame graph's root frame colour, the DOM holds the inline flame
# graph <svg> and the hot function, the app name is text (escaped), and the console is clean.
# Chromium comes from scripts/install-deps.sh; without it this test fails.
set -euo pipefail
demo=$1 src=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || fail "chromium not found on PATH: run scripts/install-deps.sh (Debian package chromium)"

"$demo" "$src/tests/data/llvm/sample_a.txt" "$work/report"
html="$work/report/report.html"
[ -s "$html" ] || fail "report_demo wrote no report.html"
url="file://$html"
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --no-default-browser-check
       --user-data-dir="$work/profile" --enable-logging=stderr --v=0)

start=$(date +%s.%N)
timeout 60 "$browser" "${flags[@]}" --window-size=1280,2000 --screenshot="$work/shot.png" "$url" \
  > "$work/shot.out" 2> "$work/shot.err" || fail "chromium --screenshot failed: $(tail -5 "$work/shot.err")"
timeout 60 "$browser" "${flags[@]}" --dump-dom "$url" > "$work/dom.html" 2> "$work/dom.err" \
  || fail "chromium --dump-dom failed: $(tail -5 "$work/dom.err")"
end=$(date +%s.%N)

# Console: any uncaught exception or error message from the page fails the test. A canary
# page that throws proves this Chromium still reports console messages on stderr.
printf '<!DOCTYPE html><title>canary</title><script>throw new Error("canary")</script>\n' > "$work/canary.html"
timeout 60 "$browser" "${flags[@]}" --dump-dom "file://$work/canary.html" > /dev/null 2> "$work/canary.err" || true
grep "CONSOLE" "$work/canary.err" | grep -q "Uncaught Error: canary" \
  || fail "this Chromium does not log console errors to stderr; the console check would be blind"
if grep -h "CONSOLE" "$work/shot.err" "$work/dom.err" | grep -Ei "Uncaught|error"; then
  fail "the page logged console errors (above)"
fi

# DOM: the flame graph is inline, names the hottest frames, and the markup in the app name
# stayed text.
grep -q '<svg xmlns="http://www.w3.org/2000/svg"' "$work/dom.html" || fail "no inline <svg in the DOM"
for name in _Z3bari inline2 "merged window"; do
  grep -q "$name" "$work/dom.html" || fail "DOM lacks $name"
done
grep -q '&lt;demo &amp; "co"&gt;' "$work/dom.html" || fail "app name not rendered as escaped text"
grep -q '<demo ' "$work/dom.html" && fail "app name became markup"
[ "$(grep -c '<script' "$work/dom.html")" = 0 ] || fail "the DOM has a <script> element"

# Screenshot: a real PNG, not one colour, showing the flame graph's root frame ("all").
all_colour=$(python3 -c '
h = 1469598103934665603
for c in b"all":
    h = ((h ^ c) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
part = lambda s: ((h >> s) & 0xFFFF) / 65535.0
print(f"{205 + int(50 * part(32))},{int(230 * part(0))},{int(55 * part(16))}")')
python3 "$here/png_check.py" "$work/shot.png" "$all_colour"
echo "report.html $(stat -c %s "$html") bytes; chromium screenshot + DOM in $(python3 -c "print(round($end-$start,2))") s"
echo "PASS"
