#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Smoke test of examples/go-service: go vet; a -pgo=off build serves POST /ingest and a CPU
# profile on /debug/pprof/profile while loadgen drives it; a build with that profile makes
# the PGO decisions the example's README describes (tokenize inlined, the Decoder call
# devirtualized) and prints the same -bench checksum as the -pgo=off build.
# usage: example_go_service_test.sh SOURCE_DIR WORK_DIR     exit 77 = skipped
set -euo pipefail
src=${1:?usage: example_go_service_test.sh SOURCE_DIR WORK_DIR}/examples/go-service
work=${2:?usage: example_go_service_test.sh SOURCE_DIR WORK_DIR}
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v go > /dev/null || { echo "PGOPIPE-SKIP: go is not installed"; exit 77; }
v=$(go env GOVERSION | sed 's/^go//')
[[ $(printf '%s\n1.21\n' "${v%%[a-z]*}" | sort -V | head -1) == 1.21 ]] ||
  { echo "PGOPIPE-SKIP: go >= 1.21 is not installed (found $v)"; exit 77; }
# The Go build cache lives beside the work dir: -pgo builds recompile the standard library.
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOCACHE=$work.gocache
cd "$src"
go vet ./... || fail "go vet"
go build -pgo=off -o "$work/off" ./cmd/server
go build -o "$work/loadgen" ./cmd/loadgen

"$work/off" -addr 127.0.0.1:0 2> "$work/server.log" &
server=$!
trap 'kill $server 2> /dev/null || true' EXIT
for _ in $(seq 100); do grep -q 'listening on' "$work/server.log" && break; sleep 0.1; done
addr=$(sed -n 's/.*listening on //p' "$work/server.log")
[[ -n $addr ]] || fail "the server did not start: $(cat "$work/server.log")"
answer=$(curl -sf -X POST --data-binary $'svc=auth status=503 latency_us=12 user=u1\nnot a line\n' "http://$addr/ingest")
grep -q '"lines":1,"bad":1,"errors":1' <<< "$answer" || fail "unexpected /ingest answer: $answer"
"$work/loadgen" -url "http://$addr/ingest" -duration 6s > "$work/loadgen.out" &
loadgen=$!
sleep 1
curl -sf -o "$work/cpu.pprof" "http://$addr/debug/pprof/profile?seconds=4" || fail "no CPU profile"
wait $loadgen || fail "loadgen: $(cat "$work/loadgen.out")"
grep -q '^failed: 0$' "$work/loadgen.out" || fail "loadgen saw failures: $(cat "$work/loadgen.out")"
kill $server; wait $server 2> /dev/null || true
go tool pprof -top "$work/cpu.pprof" 2> /dev/null | grep -q 'ingest.tokenize' ||
  fail "the scraped profile does not show the hot path"

# The profile's decisions, as the compiler reports them for the service's package.
go build -pgo="$work/cpu.pprof" -gcflags='pgopipe.example/go-service/internal/ingest=-m' \
  -o "$work/pgo" ./cmd/server 2> "$work/pgo.m"
grep -q 'inlining call to tokenize' "$work/pgo.m" || fail "tokenize was not inlined with the profile"
grep -q 'PGO devirtualizing interface call p.schema\[f\].Decode to (\*uintDecoder).Decode' "$work/pgo.m" ||
  fail "Decoder.Decode was not devirtualized with the profile"
go build -pgo=off -gcflags='pgopipe.example/go-service/internal/ingest=-m' -o /dev/null ./cmd/server 2> "$work/off.m"
! grep -q 'inlining call to tokenize' "$work/off.m" || fail "tokenize is inlined without a profile"
go version -m "$work/pgo" | grep -q -- "-pgo=$work/cpu.pprof" || fail "go version -m shows no -pgo"

off=$("$work/off" -bench 200 | sed -n 's/^checksum: //p')
pgo=$("$work/pgo" -bench 200 | sed -n 's/^checksum: //p')
[[ -n $off && $off == "$pgo" ]] || fail "checksums differ: off $off, pgo $pgo"
echo "go-service: served and profiled; PGO inlines tokenize and devirtualizes Decode; checksum $off in both builds"
