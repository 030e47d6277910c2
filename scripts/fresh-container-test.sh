#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the README's test command as a new user would: in a fresh Debian 12 container, as
# root, from a clone in /root/pgopipe (a 0700 home), with CI=true. The clone is made from
# this checkout's HEAD (`git clone`, so only committed files count). Takes about 40 minutes
# on 2 cores. Prints the container's log and exits with its exit code.
# With --demo N it first runs the README's main command (scripts/demo.sh) N times in the same
# container, each on a fresh demo store, and prints each run's speedup and verdict;
# --demo-only skips the test command afterwards.
# Usage: scripts/fresh-container-test.sh [--demo N [--demo-only]] [--keep]   (--keep: leave the container)
set -euo pipefail
repo_root=$(cd "$(dirname "$0")/.." && pwd)
keep='' demo_runs=0 tests=1
while [ $# -gt 0 ]; do
  case $1 in
    --keep) keep=--keep ;;
    --demo) demo_runs=${2:?--demo needs a count}; shift ;;
    --demo-only) tests=0 ;;
    *) echo "usage: $0 [--demo N [--demo-only]] [--keep]" >&2; exit 2 ;;
  esac
  shift
done
bash "$repo_root/scripts/docker-base.sh"
bundle=$(mktemp -d /tmp/pgopipe-fresh.XXXXXX)
trap 'rm -rf "$bundle"' EXIT
git -C "$repo_root" bundle create "$bundle/pgopipe.bundle" HEAD > /dev/null 2>&1
name=pgopipe-fresh-$$
# A host that reaches package registries through a TLS-intercepting proxy trusts extra CAs
# (/usr/local/share/ca-certificates); the container gets the same trust, nothing else.
extra_ca=()
if compgen -G "/usr/local/share/ca-certificates/*.crt" > /dev/null; then
  extra_ca=(-v /usr/local/share/ca-certificates:/host-ca:ro)
fi
# The disk-full tests' tmpfs mounts need SYS_ADMIN, perf needs SYS_PTRACE and no seccomp
# filter; --privileged would be simpler but VMs that restrict capabilities refuse it.
docker run --name "$name" --cap-add SYS_ADMIN --cap-add SYS_PTRACE --security-opt seccomp=unconfined \
  --security-opt apparmor=unconfined -e CI=true -e DEMO_RUNS="$demo_runs" -e RUN_TESTS="$tests" -v "$bundle:/bundle:ro" \
  "${extra_ca[@]}" debian:bookworm bash -c 'set -e
           apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq git ca-certificates > /dev/null
           if [ -d /host-ca ]; then
             cp /host-ca/*.crt /usr/local/share/ca-certificates/ && update-ca-certificates > /dev/null
             export PIP_CERT=/etc/ssl/certs/ca-certificates.crt  # pip has its own CA list otherwise
           fi
           chmod 700 /root
           git clone -q /bundle/pgopipe.bundle /root/pgopipe
           cd /root/pgopipe
           for run in $(seq 1 "$DEMO_RUNS"); do
             echo "== demo run $run of $DEMO_RUNS: bash scripts/demo.sh"
             demo_rc=0
             bash scripts/demo.sh > "/tmp/demo-$run.log" 2>&1 || demo_rc=$?
             grep -E "^(speedup|gate verdict|rebuild outcome|total demo time|sample PGO|profiles scraped)" "/tmp/demo-$run.log" || true
             [ "$demo_rc" = 0 ] || { echo "demo run $run failed (exit $demo_rc)"; tail -40 "/tmp/demo-$run.log"; exit 1; }
           done
           [ "$RUN_TESTS" = 0 ] || bash scripts/test.sh' || true
rc=$(docker inspect -f '{{.State.ExitCode}}' "$name")
[ "$keep" = --keep ] || docker rm "$name" > /dev/null
echo "pgopipe: fresh-container test exited $rc (clone in /root/pgopipe, CI=true)"
exit "$rc"
