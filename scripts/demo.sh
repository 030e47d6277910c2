#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The main job on the embedded default (local) store: builds pgopipe and runs the demo.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

bash "$repo_root/scripts/install-deps.sh"
ensure_go  # the demo's Go path (Go from bookworm-backports where none is installed)
build_dir=${PGOPIPE_BUILD_DIR:-$repo_root/build}
build_pgopipe "$build_dir" -DPGOPIPE_BUILD_TESTS=OFF
exec bash "$repo_root/examples/demo/run.sh" "$build_dir/cli/pgopipe"
