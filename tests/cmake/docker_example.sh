#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds examples/docker with a Docker engine: PGO=off, PGO=generate (then runs it to
# collect a profile), and with the merged profile through `pgopipe build docker`; then
# `pgopipe rebuild` with build.kind docker on that profile (both variants as images).
# Usage: docker_example.sh <repo> <pgopipe build dir> <pgopipe executable> <scratch dir>
# Prints "PGOPIPE-SKIP: ..." and exits 77 (ctest: skipped) when no engine can be started.
set -euo pipefail
repo=$1 build=$2 pgopipe=$3 work=$4
rm -rf "$work" && mkdir -p "$work"

source "$repo/tests/support/docker_test_lib.sh"
docker_ready_or_skip "the Docker example was NOT built"
docker_require_space

# The job count inside a real container follows its CPU quota (1 CPU here), not the host.
# The host's pgopipe runs through the host's loader and libraries, mounted read-only.
jobs=$(docker run --rm --cpus=1 -v /:/host:ro debian:bookworm /host/lib64/ld-linux-x86-64.so.2 \
  --library-path /host/lib/x86_64-linux-gnu:/host/usr/lib/x86_64-linux-gnu "/host$pgopipe" \
  build cmake -S "/host$repo/tests/cmake/project" -B /tmp/b --cmake /bin/false 2>&1 || true)
echo "$jobs"
grep -q "building with 1 job(s) (cgroup" <<<"$jobs" \
  || { echo "pgopipe in a 1-CPU container did not plan 1 job"; exit 1; }

# An image holding only the CMake package stands in for the full pgopipe image.
cmake --install "$build" --component pgopipe_cmake --prefix "$work/pkg/usr/local" >/dev/null
printf 'FROM scratch\nCOPY usr /usr\n' > "$work/pkg/Dockerfile"
docker build -q --label "$docker_test_label" -t pgopipe-cmake:test "$work/pkg" >/dev/null

cp -r "$repo/examples/docker" "$work/ctx"
args=(--build-arg PGOPIPE_IMAGE=pgopipe-cmake:test --label "$docker_test_label")

# Builds the image (and its build stage, to inspect the flags even when layers are cached).
# Usage: image <tag> <docker build args...>
image() {
  local tag=$1; shift
  docker build "${args[@]}" "$@" --target build -t "$tag-build" "$work/ctx" > "$work/$tag.log" 2>&1 \
    && docker build "${args[@]}" "$@" -t "$tag" "$work/ctx" >> "$work/$tag.log" 2>&1 \
    || { cat "$work/$tag.log"; echo "docker build of $tag failed"; exit 1; }
  docker run --rm "$tag-build" cat /build/build.ninja > "$work/$tag.ninja"
}

start=$SECONDS
image pgopipe-example-off
if grep -q -- "-fprofile" "$work/pgopipe-example-off.ninja"; then
  echo "the PGO=off image was built with profile flags"; exit 1
fi
echo "PGO=off image: $((SECONDS - start)) s"

start=$SECONDS
image pgopipe-example-instr --build-arg PGO=generate
grep -q -- "-fprofile-generate" "$work/pgopipe-example-instr.ninja" \
  || { echo "the PGO=generate image is not instrumented"; exit 1; }
mkdir -p "$work/out" && chmod 777 "$work/out"
docker run --rm -e LLVM_PROFILE_FILE=/out/wordfreq-%p.profraw -v "$work/out:/out" \
  pgopipe-example-instr 100000
ls "$work"/out/*.profraw >/dev/null || { echo "the instrumented container wrote no profile"; exit 1; }
llvm-profdata-19 merge -o "$work/wordfreq.profdata" "$work"/out/*.profraw
echo "PGO=generate image + profile: $((SECONDS - start)) s"

# With the profile through `pgopipe build docker`: its build stage first, to inspect it.
start=$SECONDS
for target in build final; do
  tag=pgopipe-example-pgo; extra=()
  if [ $target = build ]; then tag=$tag-build; extra=(--target build); fi
  "$pgopipe" build docker --context "$work/ctx" --tag $tag --profile "$work/wordfreq.profdata" \
    -- "${args[@]}" "${extra[@]}" > "$work/pgo-$target.log" 2>&1 \
    || { cat "$work/pgo-$target.log"; exit 1; }
  test ! -e "$work/ctx/.pgopipe" || { echo "the profile copy was left in the context"; exit 1; }
done
# The profile travels as .pgopipe/<stem>.<pid>.<random>.profdata (one name per build, so a
# build killed midway never blocks the next one).
docker run --rm pgopipe-example-pgo-build grep -xE 'PGO:STRING=\.pgopipe/wordfreq\.[0-9]+\.[0-9a-f]+\.profdata' \
  /build/CMakeCache.txt || { echo "the PGO image was not configured with the staged profile"; exit 1; }
docker run --rm pgopipe-example-pgo-build grep -q -- "-fprofile-use=/build/pgo/profile-" \
  /build/build.ninja || { echo "the PGO image was not built with -fprofile-use"; exit 1; }
# Recompiling inside the build stage shows the compiler's verdict on the profile.
docker run --rm pgopipe-example-pgo-build sh -c 'touch /src/main.cpp && cmake --build /build' \
  > "$work/pgo-rebuild.log" 2>&1 || { cat "$work/pgo-rebuild.log"; exit 1; }
cat "$work/pgo-rebuild.log"
grep -q "pgo: wordfreq: profile .* applied; no out-of-date profile data" "$work/pgo-rebuild.log" \
  || { echo "no PGO report from the build inside the image"; exit 1; }
docker run --rm pgopipe-example-pgo 1000
echo "PGO=<profile> image: $((SECONDS - start)) s"

# `pgopipe rebuild` with build.kind docker on the same context: the container's profile pushed
# into a local store, both variants built as images by this engine (the layers above are
# reused) and benchmarked through `docker run --rm {image}`. Published (0) and gated (11) both
# prove the pipeline ran end to end; wall time, since the docker client's own CPU time is not
# the program's.
start=$SECONDS
for raw in "$work"/out/*.profraw; do
  "$pgopipe" push --store "$work/store" --app wordfreq --label env=test \
    --collected-at "$(date -u -d "-1 min" +%Y-%m-%dT%H:%M:%SZ)" "$raw" > "$work/push.log" 2>&1 \
    || { cat "$work/push.log"; echo "pgopipe push of $raw failed"; exit 1; }
done
# publish.image: the approved image goes to a local registry (Debian's docker-registry).
if ! command -v docker-registry > /dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-registry > /dev/null 2>&1 || true
fi
registry_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
registry_pid=""
publish_line=""
if command -v docker-registry > /dev/null; then
  cat > "$work/registry.yml" <<REG
version: 0.1
storage: {filesystem: {rootdirectory: $work/registry}}
http: {addr: 127.0.0.1:$registry_port}
REG
  docker-registry serve "$work/registry.yml" > "$work/registry.log" 2>&1 &
  registry_pid=$!
  trap '[[ -n $registry_pid ]] && kill "$registry_pid" 2> /dev/null' EXIT
  publish_line="publish: {image: 127.0.0.1:$registry_port/wordfreq:pgo}"
else
  echo "PGOPIPE-SKIP: docker-registry is not installable here; publish.image NOT tested"
  partial_skip=1  # the rest still runs; the test ends as skipped (exit 77)
fi
cat > "$work/rebuild.yaml" <<YAML
app: wordfreq
store: ./store
window: {since: 1h, labels: {env: test}}
build:
  kind: docker
  source: ./ctx
  image: pgopipe-example-rebuild
  args: [--build-arg, PGOPIPE_IMAGE=pgopipe-cmake:test, --label, $docker_test_label]
benchmark: {command: [docker, run, --rm, "{image}", "2000000"], runs: 2, metric: wall}
gate: {max_slowdown: 0.5}
report: {dir: ./rebuild-report}
$publish_line
YAML
# Untagging keeps the cached layers but proves the run below tags both images itself.
docker image rm pgopipe-example-rebuild:baseline pgopipe-example-rebuild:pgo > /dev/null 2>&1 || true
rc=0
"$pgopipe" rebuild --config "$work/rebuild.yaml" > "$work/rebuild.log" 2>&1 || rc=$?
cat "$work/rebuild.log"
manifest=$work/store/wordfreq/published/manifest.json
case $rc in
  0) outcome=published
     test -s "$manifest" || { echo "rebuild published (exit 0) but $manifest is missing"; exit 1; } ;;
  11) outcome=gated
     test ! -e "$manifest" || { echo "a gated rebuild wrote $manifest"; exit 1; } ;;
  *) echo "pgopipe rebuild with build.kind docker exited $rc (expected 0 or 11)"; exit 1 ;;
esac
for variant in baseline pgo; do
  docker image inspect "pgopipe-example-rebuild:$variant" > /dev/null \
    || { echo "rebuild left no image pgopipe-example-rebuild:$variant"; exit 1; }
done
test ! -e "$work/ctx/.pgopipe" || { echo "rebuild left its profile copy in the context"; exit 1; }
if [[ -n $publish_line && $outcome == published ]]; then
  tags=$(curl -fsS "http://127.0.0.1:$registry_port/v2/wordfreq/tags/list")
  grep -q '"pgo"' <<< "$tags" || { echo "publish.image: the registry has no wordfreq:pgo ($tags)"; exit 1; }
  grep -q "\"image\": \"127.0.0.1:$registry_port/wordfreq:pgo\"" "$manifest" ||
    { echo "publish.image: the manifest does not record the pushed image"; exit 1; }
  echo "publish.image: pushed to the local registry ($tags) and recorded in the manifest"
fi
python3 - "$work/rebuild-report/report.json" "$outcome" <<'PY' || { echo "report.json does not record the benchmark"; exit 1; }
import json, sys
r = json.load(open(sys.argv[1]))
b = r["benchmark"]
assert r["outcome"] == sys.argv[2], r["outcome"]
assert r["profiles"]["merged"] >= 1, r["profiles"]
assert len(b["baseline_seconds"]) == 2 and len(b["pgo_seconds"]) == 2, b
assert all(t > 0 for t in b["baseline_seconds"] + b["pgo_seconds"]), b
assert b["speedup"] > 0, b
print(f"rebuild report: {r['outcome']}, speedup {b['speedup']:.3f}x "
      f"({b['speedup_low']:.3f}-{b['speedup_high']:.3f})")
PY
echo "rebuild (build.kind docker): exit $rc ($outcome) in $((SECONDS - start)) s"
echo "docker example: off, generate and profile-optimised images built; docker rebuild $outcome"
[ -z "${partial_skip:-}" ] || exit 77
