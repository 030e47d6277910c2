#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Makes sure a Docker engine is running and a local `debian:bookworm` base image exists,
# without a registry: installs docker.io + debootstrap, starts dockerd if no engine answers,
# and imports a debootstrap'ed minbase bookworm as debian:bookworm (and -slim).
# Exits 0 when the engine and image are ready, 1 with a message when they cannot be.
set -euo pipefail

mirror=${PGOPIPE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
image=${PGOPIPE_BASE_IMAGE:-debian:bookworm}

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v debootstrap >/dev/null || need+=(debootstrap)
if [ ${#need[@]} -gt 0 ]; then
  echo "pgopipe: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  echo "pgopipe: starting dockerd (log: /tmp/pgopipe-dockerd.log)"
  "${sudo_cmd[@]}" sh -c 'nohup dockerd >/tmp/pgopipe-dockerd.log 2>&1 &'
  for _ in $(seq 1 30); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  if ! docker info >/dev/null 2>&1; then
    echo "pgopipe: the Docker engine did not start; see /tmp/pgopipe-dockerd.log" >&2
    exit 1
  fi
fi

if ! docker image inspect "$image" >/dev/null 2>&1; then
  root=$(mktemp -d /tmp/pgopipe-rootfs.XXXXXX)
  trap '"${sudo_cmd[@]}" rm -rf "$root"' EXIT
  echo "pgopipe: debootstrap --variant=minbase bookworm ($mirror) -> $image"
  "${sudo_cmd[@]}" debootstrap --variant=minbase bookworm "$root" "$mirror" >/dev/null
  "${sudo_cmd[@]}" tar -C "$root" -c . | docker import - "$image" >/dev/null
fi
docker image inspect "${image}-slim" >/dev/null 2>&1 || docker tag "$image" "${image}-slim"
echo "pgopipe: Docker engine ready, base image $image"
