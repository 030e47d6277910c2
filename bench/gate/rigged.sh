#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The rigged benchmark of bench/gate/run.sh: rigged.sh VARIANT PROGRAM MODE N runs
# PROGRAM MODE N for the baseline and PROGRAM MODE N*1.05 for the PGO variant, so the
# "PGO build" is 5 % slower by construction.
variant=$1 program=$2 mode=$3 n=$4
if [ "$variant" = pgo ]; then n=$((n * 105 / 100)); fi
exec "$program" "$mode" "$n" > /dev/null
