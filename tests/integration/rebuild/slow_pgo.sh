#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A rigged benchmark for the gate test: slow_pgo.sh VARIANT PROGRAM ARGS... runs PROGRAM
# once for the baseline and eight times for the PGO variant, so PGO looks at least 4x slower
# even where the profile itself makes the program twice as fast (Go's PGO on go_test.sh's
# program, depending on the toolchain), far past every gate these tests set.
variant=$1
shift
runs=1
if [ "$variant" = pgo ]; then runs=8; fi
while [ "$runs" -gt 0 ]; do
  "$@" > /dev/null || exit $?
  runs=$((runs - 1))
done
