#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the .deb (cpack -G DEB) from a pgopipe build tree and installs it in a fresh
# debian:bookworm container with `apt-get install ./pgopipe_*.deb`, which must resolve every
# dependency; then, inside, as a user following the README's install section would:
# pgopipe --version and its man page and completions, a CMake consumer using
# find_package(pgopipe) and enable_pgo(app COLLECT) built -DPGO=generate, run so its collector
# spools a profile, `pgopipe collect spool` into a local store, a window merge that
# llvm-profdata-19 reads, and the consumer rebuilt with the merged profile.
# Usage: deb_package_test.sh <repo> <pgopipe build dir> <scratch dir>
# Prints "PGOPIPE-SKIP: ..." and exits 77 (ctest: skipped) when no engine can be started.
set -euo pipefail
repo=$1 build=$2 work=$3
rm -rf "$work" && mkdir -p "$work"

source "$repo/tests/support/docker_test_lib.sh"
docker_ready_or_skip "the .deb was NOT installed"
docker_require_space
(cd "$build" && cpack -G DEB -B "$work/deb" > "$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; echo "FAIL: cpack"; exit 1; }
deb=$(ls "$work"/deb/pgopipe_*.deb)
echo "built $(basename "$deb"): $(dpkg-deb -f "$deb" Depends)"

mkdir -p "$work/ctx/consumer"
cp "$deb" "$work/ctx/"
cat > "$work/ctx/consumer/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(consumer LANGUAGES CXX)
find_package(pgopipe CONFIG REQUIRED)
add_executable(app main.cpp)
enable_pgo(app COLLECT)
CMAKE
cat > "$work/ctx/consumer/main.cpp" <<'CPP'
#include <cstdio>
static unsigned work(unsigned n) {
  unsigned s = 0;
  for (unsigned i = 0; i < n; ++i) s = s * 31 + (i % 7 == 0 ? i : i / 3);
  return s;
}
int main() { std::printf("checksum %u\n", work(20000000)); }
CPP
cat > "$work/ctx/inside.sh" <<'INSIDE'
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq /ctx/pgopipe_*.deb > /tmp/apt.log 2>&1 || { tail -30 /tmp/apt.log; echo "FAIL: apt-get install ./pgopipe_*.deb"; exit 1; }
echo "PASS: apt-get install resolved the package's dependencies"
pgopipe --version
test -s /usr/share/man/man1/pgopipe.1 && test -s /usr/share/bash-completion/completions/pgopipe
echo "PASS: man page and bash completion installed"
cd /tmp
export PGOPIPE_STORE=/tmp/store CC=clang-19 CXX=clang++-19
cmake -S /ctx/consumer -B instr -G Ninja -DPGO=generate > cfg.log 2>&1 || { cat cfg.log; echo "FAIL: configure -DPGO=generate"; exit 1; }
cmake --build instr > build.log 2>&1 || { cat build.log; echo "FAIL: build -DPGO=generate"; exit 1; }
grep -q libpgopipe-collector.a instr/build.ninja && echo "PASS: enable_pgo(app COLLECT) linked the installed collector"
PGOPIPE_APP=consumer PGOPIPE_SPOOL_DIR=/tmp/spool LLVM_PROFILE_FILE=/tmp/raw-%p.profraw ./instr/app
pgopipe collect spool --dir /tmp/spool --once
pgopipe push --app consumer --allow-duplicate /tmp/raw-*.profraw  # the collector spooled the same bytes
pgopipe ls --app consumer --since 1h
pgopipe merge --app consumer --since 1h -o /tmp/consumer.profdata
llvm-profdata-19 show /tmp/consumer.profdata | grep -q "Total functions" && echo "PASS: the window merge is a .profdata llvm-profdata-19 reads"
cmake -S /ctx/consumer -B pgo -G Ninja -DPGO=/tmp/consumer.profdata > cfg2.log 2>&1 && cmake --build pgo > build2.log 2>&1 ||
  { cat cfg2.log build2.log; echo "FAIL: build with the merged profile"; exit 1; }
grep -rqE -- "-fprofile-(instr-)?use=[^ ]*\.profdata" pgo/build.ninja pgo/CMakeFiles &&
  echo "PASS: the consumer rebuilt with the merged profile"
[ "$(./pgo/app)" = "$(env -u PGOPIPE_STORE ./instr/app 2> /dev/null)" ] && echo "PASS: both builds print the same checksum"
echo "INSIDE-DONE"
INSIDE
extra_ca=()
if compgen -G "/usr/local/share/ca-certificates/*.crt" > /dev/null; then
  extra_ca=(-v /usr/local/share/ca-certificates:/host-ca:ro)
fi
set +e
docker run --rm -v "$work/ctx:/ctx:ro" "${extra_ca[@]}" debian:bookworm bash -c \
  'if [ -d /host-ca ]; then cp /host-ca/*.crt /usr/local/share/ca-certificates/ 2>/dev/null; fi; bash /ctx/inside.sh' \
  2>&1 | tee "$work/inside.log"
set -e
passes=$(grep -c '^PASS:' "$work/inside.log" || true)
if grep -q '^INSIDE-DONE' "$work/inside.log" && [[ $passes -eq 6 ]]; then
  echo "deb package: 6 of 6 checks passed in a fresh container"
else
  echo "FAIL: deb package: $passes of 6 checks passed (log: $work/inside.log)"
  exit 1
fi
