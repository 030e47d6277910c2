#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs every Debian package pgopipe needs to build, test and run its demo.
# Idempotent: packages already present are left alone. Needs root (or sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates curl
  clang-19 lld-19 llvm-19 llvm-19-dev llvm-19-tools libclang-rt-19-dev
  libprotobuf-dev protobuf-compiler
  libboost1.81-dev libboost-filesystem1.81-dev
  libyaml-cpp-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev googletest
  libcurl4-openssl-dev libcli11-dev nlohmann-json3-dev zlib1g-dev libdeflate-dev libzstd-dev
  linux-perf python3 python3-venv
  valgrind  # bench/convert/quality.sh CEILING=1: exact counts
  libssl-dev
  chromium
)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "pgopipe: installing ${#missing[@]} Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "pgopipe: all Debian packages present"
fi
