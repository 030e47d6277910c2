#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `pgopipe rebuild` end to end on a tiny CMake project (builds in < 1 s) with real profiles:
# clang-19 instrumented runs pushed with --collected-at. Checks: published (exit 0) with a
# profile llvm-profdata-19 reads, unchanged (10) without building, gated (11) by a rigged
# benchmark, stage failures (5, 8) leaving the manifest byte-equal, the lock (concurrent runs,
# an expired lock, --wait), config errors (3) naming file:line:key, and an S3 store (moto).
# Usage: rebuild_test.sh PGOPIPE REPO_ROOT WORK_DIR
set -uo pipefail
pgopipe=$(realpath "$1")
repo=$2
work=$3
here=$repo/tests/integration/rebuild
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1

source "$repo/tests/support/script_checks.sh"

for tool in clang-19 llvm-profdata-19 cmake ninja; do
  command -v "$tool" > /dev/null || { echo "PGOPIPE-SKIP: $tool not on PATH (scripts/install-deps.sh)"; exit 77; }
done

# Profiles: the tiny program instrumented, run in mode a (and later b), pushed into the store.
CC=clang-19 cmake -S "$here/tiny" -B instr -G Ninja -DPGO=generate \
  "-DPGOPIPE_CMAKE_MODULE_DIR=$repo/cmake-modules" > instr.log 2>&1 && cmake --build instr >> instr.log 2>&1 ||
  { cat instr.log; echo "FAIL: instrumented build"; exit 1; }
push_profiles() { # store mode count
  local i
  for i in $(seq 1 "$3"); do
    LLVM_PROFILE_FILE="$work/raw-$2-$i.profraw" ./instr/tiny "$2" 200000 > /dev/null
    "$pgopipe" push --store "$1" --app tiny --label env=prod \
      --collected-at "$(date -u -d "-$((i * 3)) min" +%Y-%m-%dT%H:%M:%SZ)" "$work/raw-$2-$i.profraw" \
      > /dev/null 2>&1 || fail "push to $1"
  done
}
push_profiles "$work/store" a 3

write_config() { # file store build_dir [extra yaml lines...]
  local file=$1 store=$2 build=$3
  shift 3
  {
    echo "app: tiny"
    echo "store: $store"
    echo "window: {since: 1h, half_life: 6h, labels: {env: prod}}"
    echo "build:"
    echo "  source: $here/tiny"
    echo "  dir: $build"
    echo "  args: [-G, Ninja, -DCMAKE_C_COMPILER=clang-19, -DPGOPIPE_CMAKE_MODULE_DIR=$repo/cmake-modules]"
    echo "report: {dir: ./report}"
    # The tiny program gains ~nothing from PGO: a wide gate keeps timing noise from gating
    # the runs meant to publish; the gate test rigs an 8x slowdown.
    echo "gate: {max_slowdown: 0.5}"
    printf '%s\n' "$@"
    echo "benchmark:"
    echo "  command: [\"{build_dir}/tiny\", a, \"2000000\"]"
    echo "  runs: 3"
  } > "$file"
}
manifest=$work/store/tiny/published/manifest.json

# A run that stalls (SIGSTOP, as a paused VM or a swapped-out process) past the lock's ttl
# mid-benchmark; a second run breaks the expired lock and takes it. When the first run
# resumes it must notice, stop and publish nothing (exit 12); the second one publishes.
# Usage: stall_case STORE NAME LIST_COMMAND...   (LIST_COMMAND prints the store's keys)
stall_case() {
  local store=$1 name=$2
  shift 2
  local c
  for c in 1 2; do
    write_config "$name-$c.yaml" "$store" "./builds-$name-$c" "lock: {ttl: 3s}"
    sed -i "s|  command: .*|  command: [sleep, \"0.2\"]|; s|  runs: 3|  runs: 12|; s|dir: ./report}|dir: ./report-$name-$c}|" "$name-$c.yaml"
  done
  "$pgopipe" rebuild --config "$name-1.yaml" > "$name-1.log" 2>&1 &
  local p1=$! p2 r1 r2
  for _ in $(seq 1 300); do grep -q "benchmark pair 1/" "$name-1.log" && break; sleep 0.1; done
  kill -STOP "$p1"
  sleep 4  # longer than the ttl: the stalled run's lock expires
  "$pgopipe" rebuild --config "$name-2.yaml" > "$name-2.log" 2>&1 &
  p2=$!
  for _ in $(seq 1 300); do grep -q "benchmark pair 1/" "$name-2.log" && break; sleep 0.1; done
  kill -CONT "$p1"
  wait "$p1"; r1=$?
  wait "$p2"; r2=$?
  expect_rc 12 $r1 "$name: the run whose lock expired while it was stalled does not publish"
  expect_rc 0 $r2 "$name: the run that took the expired lock over publishes"
  grep -q "breaking the expired lock" "$name-2.log" && pass "$name: second run broke the expired lock" ||
    fail "$name: no 'breaking the expired lock' in $name-2.log"
  grep -q "lost the lock" "$name-1.log" && pass "$name: first run says it lost the lock" ||
    { fail "$name: no 'lost the lock' in $name-1.log"; tail -n 5 "$name-1.log"; }
  local dirs
  dirs=$("$@" | grep -o 'published/[^/"]*/profile\.' | wc -l)
  [[ $dirs -eq 1 ]] && pass "$name: exactly one profile published" || fail "$name: $dirs profiles published"
}
# The state of an app's lock in a local store: the top generation's "state" ("none" if none).
lock_state() { # store_dir
  python3 - "$1/tiny/published/lock" <<'PY'
import json, os, sys
d = sys.argv[1]
gens = sorted(f for f in os.listdir(d) if f.isdigit()) if os.path.isdir(d) else []
print(json.load(open(os.path.join(d, gens[-1])))["state"] if gens else "none")
PY
}

# 1. Published: exit 0, manifest written last pointing at a profile llvm-profdata reads.
write_config pgo.yaml ./store ./builds "publish: {binary: true}"
"$pgopipe" rebuild --config pgo.yaml --json > run1.json 2> run1.log
expect_rc 0 $? "first rebuild publishes"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["outcome"] == "published" and j["speedup"] > 0' run1.json &&
  pass "--json: stdout is only the result" || { fail "--json output"; cat run1.json; }
grep -q "stage fetch: 3 instr profiles" run1.log && pass "fetch stage logged" || fail "no fetch stage line in run1.log"
grep -Eq "stage benchmark: speedup [0-9.]+x \(95 % CI" run1.log && pass "benchmark logged with CI" ||
  fail "no benchmark line"
if [[ -f $manifest ]]; then
  key=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["profile_key"])' "$manifest")
  llvm-profdata-19 show "store/$key" > show.out 2>&1 && grep -q "Total functions" show.out &&
    pass "llvm-profdata-19 reads the published profile" || fail "llvm-profdata-19 show store/$key"
  # The oracle: llvm-profdata-19 merging the same window (collected 3, 6 and 9 min ago) with
  # the decay weights 2^(-age / 6h) scaled so the newest counts 1000: 1000, 994, 989.
  llvm-profdata-19 merge -weighted-input=1000,raw-a-1.profraw -weighted-input=994,raw-a-2.profraw \
    -weighted-input=989,raw-a-3.profraw -o window-ref.profdata
  python3 "$here/counts_close.py" "store/$key" window-ref.profdata > close.out 2>&1 &&
    pass "published counts equal llvm-profdata-19's merge of the window" ||
    { fail "published profile differs from llvm-profdata-19's merge of the window"; cat close.out; }
  [[ -f report/report.json && -f report/report.html && -f report/report.md ]] && pass "reports written" || fail "no report/report.{json,html,md}"
  grep -q "flamegraph.svg" "$manifest" && pass "flame graph published" || fail "no flamegraph.svg in the manifest"
  bin_key=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("binary_key", ""))' "$manifest")
  bin_sha=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("binary_sha256", ""))' "$manifest")
  [[ -n $bin_key && -f store/$bin_key ]] && cmp -s "store/$bin_key" builds/pgo/tiny &&
    [[ $(sha256sum < builds/pgo/tiny | cut -d' ' -f1) == "$bin_sha" ]] &&
    pass "publish.binary: the PGO binary is in the store with its sha256" ||
    fail "publish.binary: '$bin_key' missing or not builds/pgo/tiny"
  python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["verdict"] in ("improvement confirmed", "no significant change", "regression") and j["pairs"] >= 3' run1.json &&
    pass "--json: the gate's verdict and pairs" || fail "--json: no verdict/pairs"
else
  fail "no manifest after publishing"
fi
[[ $(lock_state store) == released ]] && pass "lock released" || fail "lock left behind: $(lock_state store)"

# 2. Unchanged: same window again, a fresh build dir must not even be created.
# compact: true compacts the window's closed hours first; the rollups give the same profile.
write_config pgo2.yaml ./store ./builds-unchanged "compact: true"
"$pgopipe" rebuild --config pgo2.yaml > run2.log 2>&1
expect_rc 10 $? "second rebuild without new profiles is unchanged"
grep -Eq "compacted [0-9]+ raw profile\(s\) into [0-9]+ hour, [0-9]+ quarter and [0-9]+ day rollup\(s\) before the fetch" run2.log &&
  pass "compact: true compacts before the fetch" || fail "no compaction line in run2.log"
[[ ! -e builds-unchanged ]] && pass "nothing rebuilt" || fail "builds-unchanged was created"

# 3. Gated: new profiles (mode b) change the profile; the rigged benchmark makes PGO 8x slower.
push_profiles "$work/store" b 3
cp "$manifest" manifest.before
write_config gated.yaml ./store ./builds
sed -i "s|  command: .*|  command: [sh, $here/slow_pgo.sh, \"{variant}\", \"{build_dir}/tiny\", a, \"2000000\"]|" gated.yaml
"$pgopipe" rebuild --config gated.yaml > run3.log 2>&1
expect_rc 11 $? "a slower PGO build is gated"
cmp -s manifest.before "$manifest" && pass "gated run published nothing" || fail "manifest changed by a gated run"

# 4. A stage failure after the lock (the benchmark command fails): Tool error naming the
#    variant and command, manifest byte-equal, lock released.
write_config broken.yaml ./store ./builds
sed -i "s|  command: .*|  command: [\"{build_dir}/tiny-missing\", a]|" broken.yaml
"$pgopipe" rebuild --config broken.yaml > run4.log 2>&1
expect_rc 8 $? "a failing benchmark command is a tool error"
grep -q "benchmark of the baseline build" run4.log && grep -q "tiny-missing" run4.log &&
  pass "error names the variant and the command" || { fail "benchmark error message"; cat run4.log; }
cmp -s manifest.before "$manifest" && pass "failed run left the manifest byte-equal" || fail "manifest changed"
[[ $(lock_state store) == released ]] && pass "lock released after failure" || fail "lock left after failure"

# 4b. Hung commands: benchmark.timeout / build.timeout kill them (with their process group),
#     the run fails as a tool error saying so, the lock is released, nothing is published.
write_config hung.yaml ./store ./builds
sed -i 's|  command: .*|  command: [sh, -c, "sleep 60 \& sleep 60"]|; s|  runs: 3|  runs: 3\n  timeout: 1s|' hung.yaml
start=$SECONDS
"$pgopipe" rebuild --config hung.yaml > hung.log 2>&1
expect_rc 8 $? "a hung benchmark is killed after benchmark.timeout"
[[ $((SECONDS - start)) -lt 40 ]] && pass "the hung benchmark did not hold the run" || fail "took $((SECONDS - start)) s"
grep -q "timed out after 1s" hung.log && pass "timeout named" || { fail "no 'timed out' in hung.log"; tail -n 3 hung.log; }
printf '#!/bin/sh\nsleep 60\n' > hang-cc.sh && chmod +x hang-cc.sh
write_config hungbuild.yaml ./store ./builds-hung
sed -i "s|-DCMAKE_C_COMPILER=clang-19|-DCMAKE_C_COMPILER=$work/hang-cc.sh, -DAPI_TOKEN=tok-s3cret|" hungbuild.yaml
sed -i 's|^  args: \(.*\)$|  args: \1\n  timeout: 2s|' hungbuild.yaml
"$pgopipe" rebuild --config hungbuild.yaml > hungbuild.log 2>&1
expect_rc 8 $? "a hung build is killed after build.timeout"
grep -q "timed out after 2s" hungbuild.log && pass "build timeout named" || { fail "no 'timed out' in hungbuild.log"; tail -n 3 hungbuild.log; }
# A secret passed as a build arg stays out of the log and the report's stage details.
grep -q "API_TOKEN=\*\*\*" report/report.json && ! grep -q "tok-s3cret" hungbuild.log report/report.json &&
  pass "build-arg secret redacted in log and report" || fail "tok-s3cret in hungbuild.log or report/report.json"
cmp -s manifest.before "$manifest" && pass "timed-out runs left the manifest byte-equal" || fail "manifest changed"
[[ $(lock_state store) == released ]] && pass "lock released after the timeouts" || fail "lock $(lock_state store)"

# 5. Store down (an S3 endpoint on a closed port): store error exit 5.
write_config down.yaml s3://pgopipe-test/down ./builds-down "s3: {endpoint: 'http://127.0.0.1:9', retries: 0, timeout: 3s}"
AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=y "$pgopipe" rebuild --config down.yaml > run5.log 2>&1
expect_rc 5 $? "an unreachable store is a store error"

# 6. The lock: two runs at once -> exactly one publishes, the other exits 12 (busy).
"$pgopipe" rebuild --config pgo.yaml > c1.log 2>&1 &
p1=$!
"$pgopipe" rebuild --config pgo.yaml > c2.log 2>&1 &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
codes=$(printf '%s\n' $r1 $r2 | sort -n | tr '\n' ' ')
[[ $codes == "0 12 " ]] && pass "concurrent runs: one published, one busy ($codes)" ||
  { fail "concurrent runs exited $codes (expected 0 and 12)"; tail -n 5 c1.log c2.log; }
grep -h "busy: another rebuild holds" c1.log c2.log > /dev/null && pass "busy run names the holder" ||
  fail "no busy message"

# A held lock: busy at once, and still busy after --wait 2s; an expired one is broken.
lock=store/tiny/published/lock/000000000900  # above every generation taken so far
future=$(date -u -d "+1 hour" +%Y-%m-%dT%H:%M:%SZ)
past=$(date -u -d "-1 hour" +%Y-%m-%dT%H:%M:%SZ)
printf '{"host":"elsewhere","pid":1,"started":"%s","expires":"%s","token":"t"}\n' "$past" "$future" > "$lock"
start=$SECONDS
"$pgopipe" rebuild --config pgo.yaml --wait 2s > w.log 2>&1
rc=$?
expect_rc 12 $rc "a held lock is busy after --wait"
[[ $((SECONDS - start)) -ge 2 ]] && pass "--wait waited" || fail "--wait returned after $((SECONDS - start)) s"
printf '{"host":"elsewhere","pid":1,"started":"%s","expires":"%s","token":"t"}\n' "$past" "$past" > "$lock"
"$pgopipe" rebuild --config pgo.yaml > e.log 2>&1
expect_rc 10 $? "an expired lock is broken (then unchanged)"
grep -q "breaking the expired lock" e.log && pass "expired lock broken with a warning" || fail "no warning"
# A crashed run's lock broken by hand: --unlock needs --yes and names the holder.
lock=store/tiny/published/lock/000000000950
printf '{"host":"crashed-host","pid":4242,"started":"%s","expires":"%s","state":"held","token":"t"}\n' "$past" "$future" > "$lock"
"$pgopipe" rebuild --config pgo.yaml --unlock > u1.log 2>&1
expect_rc 2 $? "--unlock without --yes is refused"
[[ -e $lock && $(lock_state store) == held ]] && pass "the refused --unlock left the lock" || fail "--unlock without --yes broke the lock"
"$pgopipe" rebuild --config pgo.yaml --unlock --yes > u2.log 2>&1
expect_rc 0 $? "--unlock --yes breaks the lock"
grep -q "held by host crashed-host, pid 4242, since $past" u2.log && pass "--unlock says whose lock it was" ||
  { fail "--unlock output"; cat u2.log; }
[[ $(lock_state store) == released ]] && pass "lock released by --unlock" || fail "lock still $(lock_state store)"

# 7. Config errors: unknown key and wrong type name file:line:key, exit 3.
write_config bad1.yaml ./store ./builds "compare: {unchanged_above: 0.99, min_overlap: 1}"
"$pgopipe" rebuild --config bad1.yaml > bad1.log 2>&1
expect_rc 3 $? "unknown key"
grep -q "bad1.yaml:10: compare.min_overlap: unknown key" bad1.log && pass "unknown key named with line" ||
  { fail "unknown key message"; cat bad1.log; }
write_config bad2.yaml ./store ./builds
sed -i 's/  runs: 3/  runs: [3]/' bad2.yaml
"$pgopipe" rebuild --config bad2.yaml > bad2.log 2>&1
expect_rc 3 $? "wrong type"
grep -q "bad2.yaml:13: benchmark.runs: expected a single value, not a list" bad2.log &&
  pass "wrong type named with line" || { fail "wrong type message"; cat bad2.log; }
# pgo.yaml's s3 keys are checked by pgopipe's config with pgo.yaml's line as their origin.
write_config bad3.yaml ./store ./builds "s3: {retries: many}"
"$pgopipe" rebuild --config bad3.yaml > bad3.log 2>&1
expect_rc 3 $? "bad s3 value"
grep -q "bad3.yaml:10: s3.retries: 'many' is not valid" bad3.log &&
  pass "bad s3 value named with pgo.yaml's line" || { fail "bad s3 value message"; cat bad3.log; }

# 8. S3 (moto, SigV4 on): publish, then unchanged; exclusive lock create through If-None-Match.
if start_moto; then
  peer() { "$PGOPIPE_TEST_PYTHON" "$repo/tests/support/s3_peer.py" "$@"; }
  push_profiles s3://pgopipe-test/t a 2
  write_config s3.yaml s3://pgopipe-test/t ./builds-s3
  "$pgopipe" rebuild --config s3.yaml > s3a.log 2>&1
  expect_rc 0 $? "rebuild publishes into S3"
  "$pgopipe" rebuild --config s3.yaml > s3b.log 2>&1
  expect_rc 10 $? "second S3 rebuild is unchanged"
  # Concurrent runs on S3: the lock is created with If-None-Match: *, so only one publishes.
  push_profiles s3://pgopipe-test/t b 2
  "$pgopipe" rebuild --config s3.yaml > s3c1.log 2>&1 &
  p1=$!
  "$pgopipe" rebuild --config s3.yaml > s3c2.log 2>&1 &
  p2=$!
  wait $p1; r1=$?
  wait $p2; r2=$?
  codes=$(printf '%s\n' $r1 $r2 | sort -n | tr '\n' ' ')
  [[ $codes == "0 12 " ]] && pass "concurrent S3 runs: one published, one busy" ||
    { fail "concurrent S3 runs exited $codes (expected 0 and 12)"; tail -n 5 s3c1.log s3c2.log; }
  # Lock expiry during a long benchmark, on S3.
  push_profiles s3://pgopipe-test/stall a 2
  stall_case s3://pgopipe-test/stall s3stall peer list pgopipe-test stall/tiny/published/
  # The store answering 503 to everything (a proxy in front of moto): store error exit 5,
  # and the published manifest, read past the proxy, is byte-equal before and after.
  peer get pgopipe-test t/tiny/published/manifest.json manifest-s3.before > /dev/null
  mkfifo proxy.in
  exec 8<> proxy.in
  moto_port=${PGOPIPE_S3_ENDPOINT##*:}
  "$PGOPIPE_TEST_PYTHON" "$repo/tests/support/fault_proxy.py" "$moto_port" < proxy.in > proxy.out 2> proxy.out.err &
  proxy_pid=$!
  push_profiles s3://pgopipe-test/t a 1
  if started "fault proxy" "$proxy_pid" proxy.out; then
    echo 'rules [{"fault": "status", "status": 503}]' >&8
    for _ in $(seq 1 100); do [[ $(sed -n 2p proxy.out) == ok ]] && break; sleep 0.1; done
    [[ $(sed -n 2p proxy.out) == ok ]] || fail "fault proxy did not take the 503 rule: $(cat proxy.out)"
    PGOPIPE_S3_ENDPOINT=http://127.0.0.1:$(head -n 1 proxy.out) PGOPIPE_S3_RETRIES=1 \
      "$pgopipe" rebuild --config s3.yaml > s3d.log 2>&1
    expect_rc 5 $? "an S3 store answering 503 is a store error"
    echo stats >&8
    for _ in $(seq 1 100); do [[ -n $(sed -n 3p proxy.out) ]] && break; sleep 0.1; done
    faults=$(sed -n 3p proxy.out | python3 -c 'import json,sys; print(json.load(sys.stdin)["faults"])' 2> /dev/null)
    [[ ${faults:-0} -ge 1 ]] && pass "the proxy answered $faults request(s) with 503" ||
      fail "the proxy answered no request with 503 (stats: $(sed -n 3p proxy.out))"
    grep -q "503" s3d.log && pass "the store error names the 503" || { fail "no 503 in the error"; cat s3d.log; }
  fi
  peer get pgopipe-test t/tiny/published/manifest.json manifest-s3.after > /dev/null
  [[ -s manifest-s3.before ]] && cmp -s manifest-s3.before manifest-s3.after &&
    pass "S3 manifest byte-equal after the failed run" || fail "S3 manifest changed or unreadable"
  kill "$proxy_pid" 2> /dev/null
  exec 8>&-
  wait "$proxy_pid" 2> /dev/null
  stop_moto
  "$pgopipe" rebuild --config s3.yaml > s3c.log 2>&1
  expect_rc 5 $? "S3 store killed mid-life is a store error"
  unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY PGOPIPE_S3_ENDPOINT
fi

# 9. CPU samples: perf samples of a -g build pushed as pprof are converted (binary found by
#    build ID in window.binary_dir) into a sample profile, published, then unchanged; then
#    converted again for a newer source (--source-diff).
CC=clang-19 cmake -S "$here/tiny" -B plain -G Ninja "-DCMAKE_C_FLAGS=-g -fdebug-info-for-profiling" \
  -DCMAKE_EXE_LINKER_FLAGS=-Wl,--build-id "-DPGOPIPE_CMAKE_MODULE_DIR=$repo/cmake-modules" > plain.log 2>&1 &&
  cmake --build plain >> plain.log 2>&1 && mkdir -p bins && cp plain/tiny bins/
# The program runs longer than the recording (the sampler stops it after its one profile) and
# is sampled at 999 Hz: ~2,000 samples, so the line the diff below rewrites (~6 % of them) is
# never left without samples on a loaded machine.
if "$pgopipe" collect perf --store "$work/samples" --app tinys --duration 2s --count 1 --frequency 999 -- \
     ./plain/tiny a 30000000000 > perf.log 2>&1; then
  cat > samples.yaml <<YAML
app: tinys
store: ./samples
window: {since: 1h, binary_dir: ./bins}
build:
  source: $here/tiny
  dir: ./builds-samples
  args: [-G, Ninja, -DCMAKE_C_COMPILER=clang-19, "-DCMAKE_C_FLAGS=-g -fdebug-info-for-profiling", "-DCMAKE_EXE_LINKER_FLAGS=-Wl,--build-id", "-DPGOPIPE_CMAKE_MODULE_DIR=$repo/cmake-modules"]
benchmark: {command: ["{build_dir}/tiny", a, "2000000"], runs: 3}
gate: {max_slowdown: 0.5}
report: {dir: ./report-samples}
YAML
  "$pgopipe" rebuild --config samples.yaml > s1.log 2>&1
  expect_rc 0 $? "CPU samples are converted and published"
  grep -q "stage convert: 1 merged" s1.log && pass "convert stage logged" || fail "no convert stage line"
  key=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["profile_key"])' samples/tinys/published/manifest.json 2> /dev/null)
  llvm-profdata-19 show --sample "samples/$key" 2> /dev/null | grep -q "step\|main" &&
    pass "published sample profile names the program's functions" || fail "llvm-profdata-19 show --sample samples/$key"
  "$pgopipe" rebuild --config samples.yaml > s2.log 2>&1
  expect_rc 10 $? "same samples again are unchanged"
  # With the diff from the profiled source to today's (`git diff PROFILED HEAD`), the samples
  # on the line it rewrites are dropped and named, and the provenance says so; a diff that does
  # not exist is a usage error before anything runs.
  printf -- '--- a/tiny.c\n+++ b/tiny.c\n@@ -11 +11 @@\n-    return x + 17;\n+    return x + 19;\n' > tiny.diff
  "$pgopipe" rebuild --config samples.yaml --source-diff tiny.diff > s3.log 2>&1
  rc=$?
  [[ $rc == 0 || $rc == 10 ]] && pass "rebuild --source-diff runs (exit $rc)" || { fail "rebuild --source-diff: exit $rc"; cat s3.log; }
  grep -q "sample(s) on lines tiny.diff changes: dropped" s3.log &&
    pass "samples on the rewritten line are dropped and named" || { fail "no dropped-samples warning"; cat s3.log; }
  "$pgopipe" rebuild --config samples.yaml --source-diff missing.diff > s4.log 2>&1
  expect_rc 2 $? "a --source-diff that does not exist is a usage error"
elif grep -q "perf_event_paranoid" perf.log; then
  skip "perf is not permitted here (perf_event_paranoid, see perf.log): $(tail -n 1 perf.log)"
else
  fail "pgopipe collect perf failed:"; cat perf.log
fi

# 10. SIGTERM (a scheduler stopping the job) mid-benchmark: the run stops at the next run
#     boundary, releases the lock and publishes nothing; the next run can start at once.
rm -rf sig-store && cp -r store sig-store && rm -rf sig-store/tiny/published
write_config sig.yaml ./sig-store ./builds-sig
sed -i 's|  command: .*|  command: [sleep, "0.3"]|; s|  runs: 3|  runs: 50|' sig.yaml
"$pgopipe" rebuild --config sig.yaml > sig.log 2>&1 &
sig_pid=$!
for _ in $(seq 1 100); do grep -q "benchmark pair 1/" sig.log && break; sleep 0.1; done
kill -TERM "$sig_pid"
wait "$sig_pid"
expect_rc 1 $? "SIGTERM ends the run with an error"
grep -q "interrupted by a signal" sig.log && pass "interruption named" || fail "no interruption message"
[[ $(lock_state sig-store) != held && ! -e sig-store/tiny/published/manifest.json ]] &&
  pass "interrupted run released the lock and published nothing" || fail "lock or manifest after SIGTERM"

# 11. Lock expiry during a long benchmark on the local store (the S3 case runs in 8.).
rm -rf stall-store && cp -r store stall-store && rm -rf stall-store/tiny/published
stall_case ./stall-store stall find stall-store -type f

script_checks_exit "rebuild tests"
