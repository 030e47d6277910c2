#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Usage: cli_push_test.sh PGOPIPE PROFILE_PROTO WORK_DIR. Prints "N passed, N failed".
# push knows what it stores: what is not a profile (or does not parse) is refused with exit 4
# and nothing stored unless --allow-unknown; the build ID comes from the profile's bytes
# (.profraw binary ID, pprof main mapping, perf.data build-id list); the same bytes twice in an
# hour are skipped unless --allow-duplicate.
set -uo pipefail
pgopipe=$1 proto=$2 work=$3
source "$(cd "$(dirname "$0")" && pwd)/../../support/cli_checks.sh"
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
export PGOPIPE_STORE=$work/store
count() { "$pgopipe" ls --app "$1" --since 1h "${@:2}" 2>/dev/null | wc -l; }

# A real .profraw with a binary ID, and files that are not profiles.
printf 'int main(void){volatile unsigned long s=0;for(unsigned long i=0;i<200000000UL;i++)s+=i;return 0;}\n' > busy.c
clang-19 -O1 -fprofile-instr-generate -Wl,--build-id busy.c -o busy-instr || exit 1
LLVM_PROFILE_FILE=run.profraw ./busy-instr
binary_id=$(readelf -n busy-instr | awk '/Build ID/ {print $3}')
check "the test binary has a build ID" test -n "$binary_id"
: > empty.pb.gz
head -c 4096 /dev/urandom > random.pb.gz
head -c 100 run.profraw > truncated.profraw

for f in empty.pb.gz random.pb.gz truncated.profraw; do
  fails_with "push $f is refused as input" 4 "$f" "$pgopipe" push "$f" --app a
  check "push $f created no store" test ! -e store
done
fails_with "a refused file among good ones stores none of them" 4 "random.pb.gz" \
  "$pgopipe" push run.profraw random.pb.gz --app a
check "  (no store)" test ! -e store
"$pgopipe" push random.pb.gz --app unknown --allow-unknown > /dev/null 2>&1; rc=$?
check "--allow-unknown stores it" test "$rc" -eq 0 -a "$(count unknown --kind unknown)" -eq 1

# The build ID comes from the bytes: as show prints it, and ls --build-id finds it.
"$pgopipe" push run.profraw --app instr > /dev/null 2> push.txt
check "show prints the .profraw's binary ID" bash -c "'$pgopipe' show run.profraw | grep -q '$binary_id'"
check "push takes the .profraw's binary ID" test "$(count instr --build-id "$binary_id")" -eq 1
"$pgopipe" push run.profraw --app given --build-id abc123 > /dev/null 2>&1
check "--build-id wins over the profile's" test "$(count given --build-id abc123)" -eq 1

cat > profile.txt <<'PB'
sample_type { type: 1 unit: 2 }
sample { location_id: 1 value: 5 }
mapping { id: 1 memory_start: 4096 memory_limit: 8192 filename: 3 build_id: 4 }
mapping { id: 2 memory_start: 16384 memory_limit: 20480 filename: 5 build_id: 6 }
location { id: 1 mapping_id: 1 address: 4200 }
string_table: ["", "cpu", "nanoseconds", "/usr/bin/app", "c0ffee0123456789", "/lib/libc.so.6", "beef"]
PB
protoc --proto_path="$(dirname "$proto")" --encode=perftools.profiles.Profile "$(basename "$proto")" \
  < profile.txt > main.pb || exit 1
"$pgopipe" push main.pb --app pprof > /dev/null 2>&1
check "push takes the pprof main mapping's build ID" test "$(count pprof --build-id c0ffee0123456789)" -eq 1
check "  not another mapping's" test "$(count pprof --build-id beef)" -eq 0
# collect http takes the scraped profile's main mapping build ID too (served by python's http.server).
mkdir -p served && cp main.pb served/
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd served && exec python3 -m http.server --bind 127.0.0.1 "$port" > ../http.log 2>&1) & server=$!
for _ in $(seq 50); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $port))" 2> /dev/null && break; sleep 0.1; done
timeout 60 "$pgopipe" collect http --url "http://127.0.0.1:$port/main.pb" --app scraped --count 1 > /dev/null 2>&1
kill "$server"; wait "$server" 2> /dev/null
check "collect http takes the pprof main mapping's build ID" test "$(count scraped --build-id c0ffee0123456789)" -eq 1
head -c 40 main.pb > truncated.pb
fails_with "a truncated pprof is refused" 4 "truncated.pb" "$pgopipe" push truncated.pb --app pprof

clang-19 -O1 -Wl,--build-id busy.c -o busy
exe_id=$(readelf -n busy | awk '/Build ID/ {print $3}')
if perf record -q -o busy.perf.data -- ./busy > /dev/null 2>&1; then
  "$pgopipe" push busy.perf.data --app perf > /dev/null 2>&1
  check "push takes the profiled executable's ID from perf.data" test "$(count perf --build-id "$exe_id")" -eq 1
  head -c 3000 busy.perf.data > truncated.perf.data
  fails_with "a truncated perf.data is refused" 4 "truncated perf.data" "$pgopipe" push truncated.perf.data --app perf
else
  echo "SKIP: perf record is not permitted here; the perf.data build ID checks did not run"
fi

# The same bytes twice in an hour: skipped with a note, exit 0; --allow-duplicate stores them.
# Two collection times in one hour, both within count's last hour, whatever the minute now.
if (( 10#$(date -u +%M) >= 3 )); then hour=$(date -u +%Y-%m-%dT%H) first=00 second=01
else hour=$(date -u -d '-1 hour' +%Y-%m-%dT%H) first=58 second=59; fi
"$pgopipe" push run.profraw --app dup --collected-at "$hour:$first:00Z" > /dev/null 2>&1
"$pgopipe" push run.profraw --app dup --collected-at "$hour:$second:00Z" > /dev/null 2> dup.txt; rc=$?
check "a duplicate push exits 0" test "$rc" -eq 0
check "  says it skipped the file" grep -q "skipped, the same bytes are already stored" dup.txt
check "  and stored nothing" test "$(count dup)" -eq 1
"$pgopipe" push run.profraw run.profraw --app dup2 > /dev/null 2> dup2.txt
check "the same file twice on one line is stored once" test "$(count dup2)" -eq 1
check "  naming the earlier file" grep -q "earlier in this push" dup2.txt
"$pgopipe" push run.profraw --app dup --collected-at "$hour:$second:30Z" --allow-duplicate > /dev/null 2>&1
check "--allow-duplicate stores it again" test "$(count dup)" -eq 2
"$pgopipe" push run.profraw --app dup --collected-at 3h > /dev/null 2>&1
check "the same bytes in another hour are stored" \
  test "$("$pgopipe" ls --app dup --since 4h 2>/dev/null | wc -l)" -eq 3

cli_checks_summary
