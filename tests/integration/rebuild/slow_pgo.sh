#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A rigged benchmark for the gate test: slow_pgo.sh VARIANT PROGRAM ARGS... runs PROGRAM
# once for the baseline and three times for the PGO variant, so PGO looks 3x slower.
variant=$1
shift
"$@" > /dev/null || exit $?
if [ "$variant" = pgo ]; then
  "$@" > /dev/null || exit $?
  "$@" > /dev/null || exit $?
fi
