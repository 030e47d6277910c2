#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds pgopipe and runs the whole test suite (unit and integration, with a real S3
# server), installing everything it needs first. Usage: scripts/test.sh [ctest args...]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

bash "$repo_root/scripts/install-deps.sh"
ensure_go
ensure_python_tools

build_dir=${PGOPIPE_BUILD_DIR:-$repo_root/build}
# The Docker example builds wherever a Docker engine can be started (it skips loudly otherwise).
build_pgopipe "$build_dir" -DPGOPIPE_DOCKER_TESTS="${PGOPIPE_DOCKER_TESTS:-ON}"
cd "$build_dir"
ctest --output-on-failure --timeout 900 -j2 "$@"
