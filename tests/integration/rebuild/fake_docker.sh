#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A stand-in for the docker CLI in the rebuild test (no daemon needed): records each call in
# $FAKE_DOCKER_LOG; `build` succeeds, `run IMAGE` runs $FAKE_DOCKER_PROGRAM in its place.
echo "$*" >> "$FAKE_DOCKER_LOG"
case $1 in
  build) exit 0 ;;
  run) exec "$FAKE_DOCKER_PROGRAM" a 2000000 > /dev/null ;;
  *) echo "fake docker: unsupported command $1" >&2; exit 2 ;;
esac
