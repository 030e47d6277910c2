#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Go services end to end with real Go toolchain runs (`go version -m` and `go tool pprof` as
# the oracles): `pgopipe build go` without and with a profile and with --write-default-pgo,
# non-CPU and non-pprof profiles refused (exit 4), merged pprof totals equal to the inputs',
# and `pgopipe rebuild` with build.kind go: published (a pprof go build accepts), unchanged
# (10), gated (11) by a rigged benchmark, a heap-profile window refused, and an S3 store.
# Usage: go_test.sh PGOPIPE REPO_ROOT WORK_DIR
set -uo pipefail
pgopipe=$(realpath "$1")
repo=$2
work=$3
here=$repo/tests/integration/go
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1

source "$repo/tests/support/script_checks.sh"
command -v go > /dev/null || { echo "PGOPIPE-SKIP: go not on PATH (scripts/lib.sh ensure_go installs it)"; exit 77; }
echo "using $(go version)"

cp -r "$here/testprog" prog
(cd prog && go build -o ../plain .) > build.log 2>&1 || { cat build.log; echo "FAIL: plain go build"; exit 1; }
./plain -n 150000000 -cpuprofile a1.pprof > /dev/null && ./plain -n 100000000 -cpuprofile a2.pprof > /dev/null &&
  ./plain -n 100000000 -mode b -cpuprofile b1.pprof > /dev/null && ./plain -n 1000 -heapprofile heap.pprof > /dev/null ||
  { echo "FAIL: cannot write the test profiles"; exit 1; }

# 1. pgopipe build go: off, with a profile (absolute path recorded), default.pgo.
"$pgopipe" build go -C prog -o off.bin > off.out 2> off.log
expect_rc 0 $? "build go without a profile"
[[ ! -s off.out ]] && pass "the build's output goes to stderr" || fail "build go wrote to stdout: $(head -c 200 off.out)"
settings=$(go version -m off.bin | grep -- '-pgo=' || true)
[[ -z $settings || $settings == *"-pgo=off"* ]] && pass "no profile: no -pgo setting ($settings)" ||
  fail "no profile but go version -m shows: $settings"
"$pgopipe" build go -C prog --profile a1.pprof -o pgo.bin 2> pgo.log
expect_rc 0 $? "build go with a profile"
go version -m pgo.bin | grep -q -- "build	-pgo=$work/a1.pprof$" && pass "go version -m shows -pgo=<absolute profile path>" ||
  { fail "go version -m lacks -pgo=$work/a1.pprof"; go version -m pgo.bin; }
cmp -s <(./off.bin -n 1000000) <(./pgo.bin -n 1000000) && pass "both builds print the same checksum" ||
  fail "the PGO build's checksum differs"
"$pgopipe" build go -C prog --profile a1.pprof --write-default-pgo -o auto.bin 2> auto.log
expect_rc 0 $? "build go --write-default-pgo"
cmp -s a1.pprof prog/default.pgo && pass "default.pgo written into the main package" || fail "prog/default.pgo missing or different"
go version -m auto.bin | grep -q -- "-pgo=$work/prog/default.pgo" && pass "-pgo=auto picked up default.pgo" ||
  { fail "auto.bin was not built with default.pgo"; go version -m auto.bin; }
rm -f prog/default.pgo
"$pgopipe" build go -C prog -o trim.bin . -- -trimpath 2> trim.log
expect_rc 0 $? "build go with go build arguments after --"
go version -m trim.bin | grep -q -- "-trimpath=true" && pass "arguments after -- reach go build, packages before it" ||
  { fail "-trimpath did not reach go build"; go version -m trim.bin; cat trim.log; }
"$pgopipe" build go -C prog --profile heap.pprof -o heap.bin 2> heap.log
expect_rc 4 $? "a heap profile is refused"
grep -q "heap.pprof is not a CPU profile (sample types \[alloc_objects/count" heap.log && pass "the refusal names the file and its sample types" ||
  { fail "unclear refusal"; cat heap.log; }
[[ ! -e heap.bin ]] && pass "nothing was built with the heap profile" || fail "heap.bin was built"
echo "not a profile" > text.txt
"$pgopipe" build go -C prog --profile text.txt -o text.bin 2> text.log
expect_rc 4 $? "a file that is not pprof is refused"

# 2. Merged pprof: totals equal to the inputs' (duration normalisation keeps its weighting only).
total_ms() { go tool pprof -top -unit=ms "$1" 2> /dev/null | sed -n 's/.*Total samples = \([0-9.]*\)ms.*/\1/p'; }
"$pgopipe" merge a1.pprof a2.pprof b1.pprof -o merged.pb.gz 2> merge.log
expect_rc 0 $? "merge three CPU profiles"
want=$(python3 -c "print(sum(float(x) for x in '$(total_ms a1.pprof) $(total_ms a2.pprof) $(total_ms b1.pprof)'.split()))")
got=$(total_ms merged.pb.gz)
python3 -c "import sys; w,g=float('$want'),float('${got:-0}'); sys.exit(0 if w > 0 and abs(w-g) <= 0.01*w + 10 else 1)" &&
  pass "go tool pprof reads the merged total as the inputs' total (${got}ms vs ${want}ms)" ||
  fail "merged total ${got:-none}ms, inputs ${want}ms"
pct=$(go tool pprof -top merged.pb.gz 2> /dev/null | sed -n 's/.*Total samples = .*(\([0-9.]*\)%).*/\1/p')
python3 -c "import sys; sys.exit(0 if 0 < float('${pct:-0}') <= 200 else 1)" &&
  pass "the merged profile's samples fit its summed duration (${pct} %)" || fail "merged profile reads ${pct:-?} % of its duration"

# 3. pgopipe rebuild with build.kind go.
push() { # store app file minutes_ago
  "$pgopipe" push --store "$1" --app "$2" --label env=prod \
    --collected-at "$(date -u -d "-$4 min" +%Y-%m-%dT%H:%M:%SZ)" "$3" > /dev/null 2>&1 || fail "push $3 to $1"
}
write_config() { # file store app [extra yaml lines...]
  local file=$1 store=$2 app=$3
  shift 3
  {
    echo "app: $app"
    echo "store: $store"
    echo "window: {since: 1h, labels: {env: prod}}"
    echo "build: {kind: go, source: $work/prog, package: ., dir: ./builds-$app}"
    echo "report: {dir: ./report-$app}"
    echo "gate: {max_slowdown: 0.5}"  # the gated case rigs an 8x slowdown
    printf '%s\n' "$@"
    echo "benchmark:"
    echo "  command: [\"{binary}\", -n, \"30000000\"]"
    echo "  runs: 3"
  } > "$file"
}
rebuild_cases() { # store label
  local store=$1 label=$2 manifest_cmd
  push "$store" goprog a1.pprof 5
  push "$store" goprog a2.pprof 3
  write_config "$label.yaml" "$store" goprog
  "$pgopipe" rebuild --config "$label.yaml" > "$label-1.log" 2>&1
  expect_rc 0 $? "$label: a go rebuild publishes"
  python3 - report-goprog/report.json <<'PY' && pass "$label: the window is merged, not converted" || fail "$label: stages in report.json"
import json, sys
stages = {s["name"]: s for s in json.load(open(sys.argv[1]))["stages"]}
assert stages["merge"]["status"] == "ok", stages["merge"]
assert stages["convert"]["status"] == "skipped" and "go build -pgo reads pprof" in stages["convert"]["detail"], stages["convert"]
PY
  go version -m "builds-goprog/pgo/goprog" | grep -q -- "-pgo=$work/builds-goprog/pgo-profile.pb.gz" &&
    pass "$label: the PGO variant was built with the merged profile" ||
    { fail "$label: builds-goprog/pgo/goprog lacks -pgo"; go version -m builds-goprog/pgo/goprog; }
  go version -m "builds-goprog/baseline/goprog" | grep -q -- "-pgo=$work" && fail "$label: the baseline used a profile" ||
    pass "$label: the baseline was built -pgo=off"
  "$pgopipe" pull --store "$store" --app goprog --since 1h -o pulled > /dev/null 2>&1
  "$pgopipe" --store "$store" ls --app goprog --since 1h > /dev/null 2>&1
  key=$(python3 -c "import json,sys; print(json.load(open('report-goprog/report.json'))['published_key'])" 2> /dev/null)
  [[ $key == goprog/published/*/profile.pb.gz ]] && pass "$label: published $key" || fail "$label: published key '$key'"
  cp "report-goprog/report.json" "$label-report1.json"
  "$pgopipe" rebuild --config "$label.yaml" > "$label-2.log" 2>&1
  expect_rc 10 $? "$label: the same window again is unchanged"
  grep -q "same sha256\|overlap" "$label-2.log" && pass "$label: unchanged says why" || fail "$label: unchanged without a reason"
  push "$store" goprog b1.pprof 1
  push "$store" goprog b1.pprof 2
  write_config "$label-gated.yaml" "$store" goprog
  sed -i "s|  command: .*|  command: [sh, $repo/tests/integration/rebuild/slow_pgo.sh, \"{variant}\", \"{binary}\", -n, \"30000000\"]|" "$label-gated.yaml"
  "$pgopipe" rebuild --config "$label-gated.yaml" > "$label-3.log" 2>&1
  expect_rc 11 $? "$label: a rigged 8x slower PGO build is gated"
  grep -q "overlap" "$label-3.log" && pass "$label: the changed window was compared by pprof overlap" ||
    fail "$label: no overlap with the published profile in the log"
}
rebuild_cases "$work/store" local
go tool pprof -top "$(ls store/goprog/published/*/profile.pb.gz | head -1)" > published.top 2>&1 &&
  grep -q "main.work" published.top && pass "go tool pprof reads the published profile" ||
  { fail "go tool pprof cannot read the published profile"; cat published.top; }

push "$work/store" heapapp heap.pprof 2
write_config heap.yaml "$work/store" heapapp
"$pgopipe" rebuild --config heap.yaml > heap-rebuild.log 2>&1
expect_rc 4 $? "a window of heap profiles is refused for a go build"
grep -q "is not a CPU profile" heap-rebuild.log && pass "the refusal says it is not a CPU profile" ||
  { fail "unclear heap window refusal"; tail -n 3 heap-rebuild.log; }

# 4. The same on S3 (moto).
if start_moto; then
  rm -rf builds-goprog report-goprog
  rebuild_cases s3://pgopipe-test/go s3
  stop_moto
fi

script_checks_exit "go tests"
