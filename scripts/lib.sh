# SPDX-License-Identifier: Apache-2.0
# Shared set-up for scripts/test.sh, scripts/demo.sh and the benchmarks (sourced, not run).

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache_dir=${PGOPIPE_CACHE:-$HOME/.cache/pgopipe}
mkdir -p "$cache_dir"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Go >= 1.21 (go build -pgo): the one on PATH if new enough, else Debian's backport.
ensure_go() {
  local v
  if command -v go >/dev/null 2>&1; then
    v=$(go env GOVERSION 2>/dev/null | sed 's/^go//')
    if [ "$(printf '%s\n1.21\n' "${v%%[a-z]*}" | sort -V | head -1)" = "1.21" ]; then return 0; fi
  fi
  if [ -x /usr/lib/go-1.23/bin/go ]; then export PATH=/usr/lib/go-1.23/bin:$PATH; return 0; fi
  echo "pgopipe: installing Go 1.23 from bookworm-backports"
  local uri
  uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '/^deb / && $3 ~ /^bookworm$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$uri" ] || uri=http://deb.debian.org/debian
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" \
    | as_root tee /etc/apt/sources.list.d/pgopipe-backports.sources >/dev/null
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends golang-1.23-go
  export PATH=/usr/lib/go-1.23/bin:$PATH
}

# A virtualenv with the S3 test server (moto) and an independent S3 client (boto3).
ensure_python_tools() {
  local venv=$cache_dir/venv
  local want="moto[server]==5.0.28 boto3==1.35.99"
  if [ ! -f "$venv/.pgopipe-ok" ] || [ "$(cat "$venv/.pgopipe-ok")" != "$want" ]; then
    echo "pgopipe: creating $venv with $want"
    rm -rf "$venv"
    /usr/bin/python3 -m venv "$venv"
    # shellcheck disable=SC2086
    "$venv/bin/pip" install -q --disable-pip-version-check $want
    echo "$want" > "$venv/.pgopipe-ok"
  fi
  export PGOPIPE_TEST_PYTHON=$venv/bin/python
}

# Configures and builds pgopipe in $1 with extra CMake arguments.
# Uses ccache where the machine has it (reruns and the sanitizer stage rebuild little). Paths
# are hashed relative to the checkout and without the working directory, so another clone of
# the same sources (CI's fresh clone) reuses what this one compiled.
build_pgopipe() {
  local build_dir=$1; shift
  local launcher=()
  if command -v ccache >/dev/null 2>&1; then
    local ccache="env;CCACHE_BASEDIR=$repo_root;CCACHE_NOHASHDIR=true;ccache"
    launcher=(-DCMAKE_C_COMPILER_LAUNCHER="$ccache" -DCMAKE_CXX_COMPILER_LAUNCHER="$ccache")
  fi
  cmake -S "$repo_root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" "$@" >/dev/null
  cmake --build "$build_dir" -j"$(nproc)"
}

# Starts a local moto S3 server without authentication holding BUCKET, for a benchmark; sets
# $bench_s3_endpoint and $bench_s3_pid. The server runs until its stdin (a FIFO held open on
# fd 7) closes: call stop_bench_s3 from the caller's EXIT trap.
# Usage: start_bench_s3 WORK_DIR BUCKET   (needs $PGOPIPE_TEST_PYTHON, see ensure_python_tools)
start_bench_s3() {
  local work=$1 bucket=$2
  mkfifo "$work/server.in"
  "$PGOPIPE_TEST_PYTHON" "$repo_root/tests/support/moto_launcher.py" --no-auth --bucket "$bucket" \
    < "$work/server.in" > "$work/server.json" 2> "$work/server.log" &
  bench_s3_pid=$!
  exec 7> "$work/server.in"
  for _ in $(seq 100); do [ -s "$work/server.json" ] && break; sleep 0.1; done
  bench_s3_endpoint=$("$PGOPIPE_TEST_PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["endpoint"])' "$work/server.json")
}

# The median of the numbers given as arguments (the lower middle one of an even count).
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# Seconds (3 decimals) since START, a value of $EPOCHREALTIME: the shell's microsecond clock,
# for wall times too short for the hundredths of `time -v`.
seconds_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f\n", b - a }'; }

# Stops the server start_bench_s3 started (if any) and waits for it.
stop_bench_s3() {
  exec 7>&- 2>/dev/null || true
  [ -n "${bench_s3_pid:-}" ] && wait "$bench_s3_pid" 2>/dev/null || true
}
