#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds examples/docker-go (the Go example service, go build -pgo=${PGO}) with a Docker
# engine through `pgopipe build docker`: PGO=off, then with a CPU profile of the off image's
# own benchmark run. Checks with `go version -m` that only the second binary was built with
# the profile (-pgo=<its path in the context>), and that both answer the same checksum; then
# `pgopipe rebuild` with build.kind docker and build.profile pprof publishes from a store window.
# Usage: docker_go_example.sh <repo> <pgopipe executable> <scratch dir>
# Prints "PGOPIPE-SKIP: ..." and exits 77 (ctest: skipped) when no engine can be started.
set -euo pipefail
repo=$1 pgopipe=$2 work=$3
rm -rf "$work" && mkdir -p "$work"

source "$repo/tests/support/docker_test_lib.sh"
docker_ready_or_skip "the Docker Go example was NOT built"
docker_require_space
# `go version -m` reads the build settings of the binaries copied out of the images.
source "$repo/scripts/lib.sh"
ensure_go

# The context is a copy of the module (pgopipe stages the profile inside it during a build).
cp -r "$repo/examples/go-service" "$work/ctx"
dockerfile=$repo/examples/docker-go/Dockerfile
tag=pgopipe-go-example

build() {  # build VARIANT [--profile FILE]: through `pgopipe build docker`
  local variant=$1; shift
  local start=$SECONDS
  "$pgopipe" build docker --context "$work/ctx" -f "$dockerfile" --tag "$tag:$variant" "$@" \
    -- --label "$docker_test_label" \
    > "$work/$variant.log" 2>&1 || { cat "$work/$variant.log"; echo "pgopipe build docker ($variant) failed"; exit 1; }
  test ! -e "$work/ctx/.pgopipe" || { echo "pgopipe build docker left the profile copy in the context"; exit 1; }
  local id
  id=$(docker create "$tag:$variant")
  docker cp "$id:/usr/local/bin/server" "$work/server-$variant" > /dev/null
  docker rm "$id" > /dev/null
  go version -m "$work/server-$variant" > "$work/$variant.buildinfo"
  echo "PGO=$variant image: $((SECONDS - start)) s, $(head -1 "$work/$variant.buildinfo")"
}

build off
if grep -E -- '-pgo=' "$work/off.buildinfo" | grep -v -- '-pgo=off'; then
  echo "the PGO=off image was built with a profile"; exit 1
fi

# A CPU profile of the off image's benchmark (the same handlers the server runs).
mkdir -p "$work/out" && chmod 777 "$work/out"
docker run --rm -v "$work/out:/out" "$tag:off" -bench 1500 -cpuprofile /out/cpu.pprof
test -s "$work/out/cpu.pprof" || { echo "the off image wrote no CPU profile"; exit 1; }
go tool pprof -top "$work/out/cpu.pprof" 2> /dev/null | grep -q 'internal/ingest' ||
  { echo "the CPU profile does not show the service's hot path"; exit 1; }

build pgo --profile "$work/out/cpu.pprof"
cat "$work/pgo.buildinfo"
# pgopipe stages it as .pgopipe/<stem>.<pid>.<random>.pprof in the context (/src in the image).
grep -qE -- '-pgo=/src/\.pgopipe/cpu\.[0-9]+\.[0-9a-f]+\.pprof$' "$work/pgo.buildinfo" ||
  { echo "the PGO image's binary was not built with the staged profile"; exit 1; }

# Same answers from both images (and from a build on this host).
sum() { sed -n 's/^checksum: //p'; }
off=$(docker run --rm "$tag:off" -bench 300 | sum)
pgo=$(docker run --rm "$tag:pgo" -bench 300 | sum)
host=$(cd "$work/ctx" && go run ./cmd/server -bench 300 | sum)
echo "checksums: off $off, pgo $pgo, host $host"
[[ -n $off && $off == "$pgo" && $off == "$host" ]] || { echo "the images' checksums differ"; exit 1; }

# pgopipe rebuild with build.kind docker and build.profile pprof: the window's CPU profile is
# merged (never converted) and handed to the Dockerfile; both variants built and benchmarked
# as images. The gate is wide: this checks the path, bench/go/gain.sh measures the gain.
"$pgopipe" push --store "$work/store" --app go-image "$work/out/cpu.pprof" > /dev/null
cat > "$work/pgo.yaml" <<YAML
app: go-image
store: $work/store
window: {since: 1h}
build: {kind: docker, source: $work/ctx, dockerfile: $dockerfile, image: $tag-rebuild, profile: pprof,
       args: [--label, $docker_test_label]}
benchmark: {command: [docker, run, --rm, "{image}", -bench, "300"], runs: 3, metric: wall}
gate: {max_slowdown: 0.9}
report: {dir: $work/report}
YAML
"$pgopipe" rebuild --config "$work/pgo.yaml" > "$work/rebuild.log" 2>&1 || { tail -30 "$work/rebuild.log"; echo "pgopipe rebuild (docker, pprof) failed"; exit 1; }
grep -q '"status": "skipped"' "$work/report/report.json" && grep -q 'go build -pgo reads pprof' "$work/report/report.json" ||
  { echo "the rebuild converted the pprof window instead of handing it to the image"; exit 1; }
ls "$work"/store/go-image/published/*/profile.pb.gz > /dev/null || { echo "no pprof profile published"; exit 1; }
echo "docker Go example: PGO=off and PGO=<profile> images built, the profile used, checksums equal; rebuild published"
