# SPDX-License-Identifier: Apache-2.0
# Sourced by the tests that need a Docker engine (label "docker"). Needs $repo set.
#
# Every image these tests build carries the label below, so that a rerun can remove what the
# previous run left behind (the images its tags pointed to before, now untagged) and the
# engine's data root does not grow with every run. Multi-stage builds also leave each build
# stage's image behind, untagged and without the label; scripts/test.sh removes those once
# the docker tests are done (docker_remove_dangling_since), never while one is building.

docker_test_label=org.pgopipe.test=1
# Free space the docker tests need in the engine's data root: the C++ example image with
# clang, the Go image, and a container that installs the .deb with clang, side by side.
docker_test_min_free_gb=${PGOPIPE_DOCKER_MIN_FREE_GB:-8}

# docker_ready_or_skip WHAT: returns when an engine and the base image are ready (see
# scripts/docker-base.sh); otherwise prints why and "PGOPIPE-SKIP: ... WHAT" and exits 77.
docker_ready_or_skip() {
  local out
  if ! out=$(bash "$repo/scripts/docker-base.sh" 2>&1); then
    echo "$out"
    echo "PGOPIPE-SKIP: no Docker engine could be started here (see above); $1"
    exit 77
  fi
  echo "$out"
}

# docker_prune_test_images: removes the untagged images of earlier test runs (and the layers
# only they use); tagged images stay, so their layers keep serving as build cache.
# The docker tests run side by side and the engine runs one prune at a time: a prune that
# finds another running leaves the work to it.
docker_prune_test_images() {
  local out
  out=$(docker image prune -f --filter "label=$docker_test_label" 2>&1) ||
    grep -q "prune operation is already running" <<< "$out" || { echo "$out"; return 1; }
}

# docker_require_space: prunes earlier runs' leftovers, then fails with the free space named
# when the data root still has less than the tests need (a full disk fails mid-build with
# errors that name a random file instead).
docker_require_space() {
  docker_prune_test_images
  local root free_kb
  root=$(docker info -f '{{.DockerRootDir}}' 2> /dev/null || echo /var/lib/docker)
  free_kb=$(df -Pk "$root" 2> /dev/null | awk 'NR == 2 {print $4}')
  if [[ -n $free_kb ]] && ((free_kb < docker_test_min_free_gb * 1024 * 1024)); then
    echo "FAIL: the Docker data root $root has $((free_kb / 1024 / 1024)) GB free; the docker tests" \
      "need $docker_test_min_free_gb GB (docker system df shows what uses it)"
    exit 1
  fi
}

# docker_remove_dangling_since EPOCH: removes the untagged images created since EPOCH (the
# build stages the docker tests left); a no-op without a running engine.
docker_remove_dangling_since() {
  command -v docker > /dev/null && docker info > /dev/null 2>&1 || return 0
  local id created removed=0
  while read -r id created; do
    [[ -n $id ]] && (($(date -d "$created" +%s) >= $1)) || continue
    if docker rmi "$id" > /dev/null 2>&1; then removed=$((removed + 1)); fi
  done < <(docker images -q --no-trunc --filter dangling=true | xargs -r docker image inspect -f '{{.Id}} {{.Created}}')
  ((removed == 0)) || echo "pgopipe: removed $removed untagged image(s) the docker tests left"
}
