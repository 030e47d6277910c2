#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds examples/docker with a Docker engine: PGO=off, PGO=generate (then runs it to
# collect a profile), and with the merged profile through `pgopipe build docker`.
# Usage: docker_example.sh <repo> <pgopipe build dir> <pgopipe executable> <scratch dir>
# Prints "PGOPIPE-SKIP: ..." (ctest: skipped) when no engine can be started.
set -euo pipefail
repo=$1 build=$2 pgopipe=$3 work=$4
rm -rf "$work" && mkdir -p "$work"

if ! out=$(bash "$repo/scripts/docker-base.sh" 2>&1); then
  echo "$out"
  echo "PGOPIPE-SKIP: no Docker engine could be started here (see above); the Docker example was NOT built"
  exit 0
fi
echo "$out"

# An image holding only the CMake package stands in for the full pgopipe image.
cmake --install "$build" --component pgopipe_cmake --prefix "$work/pkg/usr/local" >/dev/null
printf 'FROM scratch\nCOPY usr /usr\n' > "$work/pkg/Dockerfile"
docker build -q -t pgopipe-cmake:test "$work/pkg" >/dev/null

cp -r "$repo/examples/docker" "$work/ctx"
args=(--build-arg PGOPIPE_IMAGE=pgopipe-cmake:test)
start=$SECONDS
docker build "${args[@]}" -t pgopipe-example:off "$work/ctx" > "$work/off.log" 2>&1 \
  || { cat "$work/off.log"; exit 1; }
grep -q "PGO wordfreq: PGO off" "$work/off.log" || { cat "$work/off.log"; echo "no PGO=off build"; exit 1; }
echo "PGO=off image: $((SECONDS - start)) s"

start=$SECONDS
docker build "${args[@]}" --build-arg PGO=generate -t pgopipe-example:instr "$work/ctx" \
  > "$work/instr.log" 2>&1 || { cat "$work/instr.log"; exit 1; }
mkdir -p "$work/out" && chmod 777 "$work/out"
docker run --rm -e LLVM_PROFILE_FILE=/out/wordfreq-%p.profraw -v "$work/out:/out" \
  pgopipe-example:instr 100000
ls "$work"/out/*.profraw >/dev/null || { echo "the instrumented container wrote no profile"; exit 1; }
llvm-profdata-19 merge -o "$work/wordfreq.profdata" "$work"/out/*.profraw
echo "PGO=generate image + profile: $((SECONDS - start)) s"

start=$SECONDS
"$pgopipe" build docker --context "$work/ctx" --tag pgopipe-example:pgo \
  --profile "$work/wordfreq.profdata" -- "${args[@]}" > "$work/pgo.log" 2>&1 \
  || { cat "$work/pgo.log"; exit 1; }
grep -q "optimised with /src/.pgopipe/wordfreq.profdata (INSTR_IR)" "$work/pgo.log" \
  || { cat "$work/pgo.log"; echo "the profile was not applied"; exit 1; }
grep -q "pgo: wordfreq: profile .* applied; no out-of-date profile data" "$work/pgo.log" \
  || { cat "$work/pgo.log"; echo "no PGO report"; exit 1; }
test ! -e "$work/ctx/.pgopipe" || { echo "the profile copy was left in the context"; exit 1; }
docker run --rm pgopipe-example:pgo 1000
echo "PGO=<profile> image: $((SECONDS - start)) s"
echo "docker example: off, generate and profile-optimised images built"
