#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Exact execution counts of one program, from a callgrind run, as an address-level pprof that
# `pgopipe convert` reads: each instruction of the program with its execution count as a
# one-frame sample, and each call between two of its functions as a two-frame sample [callee
# entry, return address] with its call count. Converted with --line-counts max and
# --stacks-as-recorded, this is the sample profile a perfect sampler would give: body counts
# are how often each line ran, call targets how often each call was made. quality.sh's
# CEILING=1 uses it to measure what a line-based sample profile can carry at best.
#
# usage: callgrind_to_pprof.py CALLGRIND_OUT PROGRAM OUT
#   CALLGRIND_OUT from valgrind --tool=callgrind --dump-instr=yes --compress-pos=no
#   --compress-strings=no; PROGRAM the file that ran (its build ID and executable segment name
#   the mapping). Only the standard library is used; the pprof is written uncompressed.
import collections
import re
import subprocess
import sys

callgrind_out, program, out = sys.argv[1:4]


def readelf(*args):
    return subprocess.run(['readelf', *args, program], capture_output=True, text=True, check=True).stdout


build_id = re.search(r'Build ID: ([0-9a-f]+)', readelf('-n')).group(1)
text = next(line.split() for line in readelf('-lW').splitlines()
            if line.strip().startswith('LOAD') and 'E' in line.split()[-2:-1][0])
offset, vaddr, memsz = int(text[1], 16), int(text[2], 16), int(text[5], 16)

# Callgrind names objects by path and reports addresses as the object's own (ELF) addresses.
executed = collections.Counter()  # address -> executions
calls = collections.Counter()     # (call site, callee entry) -> calls
ob = cob = pending = None
with open(callgrind_out) as f:
    for line in f:
        if line.startswith('ob='):
            ob = line[3:].strip()
        elif line.startswith('cob='):
            cob = line[4:].strip()
        elif line.startswith('fn='):
            cob = None
        elif line.startswith('calls='):
            count, target = line[6:].split()[:2]
            pending = (int(count), int(target, 16), cob or ob)
        elif line.startswith('0x'):
            fields = line.split()
            addr, cost = int(fields[0], 16), int(fields[-1])
            if pending:  # the cost line after calls=: the call site and its inclusive cost
                count, target, callee = pending
                if ob == program and callee == program:
                    calls[(addr, target)] += count
                pending = cob = None
            elif ob == program:
                executed[addr] += cost


def inside(a):
    return vaddr <= a < vaddr + memsz


entered = collections.Counter()
for (site, target), n in calls.items():
    entered[target] += n


# A minimal protobuf writer for profile.proto's fields used here.
def varint(v):
    b = bytearray()
    while True:
        x, v = v & 0x7f, v >> 7
        b.append(x | 0x80 if v else x)
        if not v:
            return bytes(b)


def bytes_field(num, payload):
    return varint(num << 3 | 2) + varint(len(payload)) + payload


def int_field(num, v):
    return varint(num << 3) + varint(v)


msg = bytearray()
msg += bytes_field(1, int_field(1, 1) + int_field(2, 2))  # sample_type: samples/count
msg += bytes_field(3, int_field(1, 1) + int_field(2, vaddr) + int_field(3, vaddr + memsz) +
                   int_field(4, offset) + int_field(5, 3) + int_field(6, 4))  # the mapping
locations = {}


def sample(stack, n):
    ids = [locations.setdefault(a, len(locations) + 1) for a in stack]
    msg.extend(bytes_field(2, bytes_field(1, b''.join(map(varint, ids))) + bytes_field(2, varint(n))))


for addr, n in sorted(executed.items()):
    if inside(addr) and n > entered[addr]:
        sample([addr], n - entered[addr])
for (site, target), n in sorted(calls.items()):
    if inside(site) and inside(target):
        sample([target, site + 1], n)  # a return address: convert steps back onto the call
for addr, i in locations.items():
    msg += bytes_field(4, int_field(1, i) + int_field(2, 1) + int_field(3, addr))
for s in ['', 'samples', 'count', program, build_id]:
    msg += bytes_field(6, s.encode())
with open(out, 'wb') as f:
    f.write(msg)
print(f'{program}: {sum(executed.values())} instructions executed at {len(executed)} addresses, '
      f'{sum(calls.values())} calls over {len(calls)} call edges', file=sys.stderr)
