# SPDX-License-Identifier: Apache-2.0
"""counts_close.py A B: two instrumented profiles have the same functions and block counts
within 0.5 % + 1 (per `llvm-profdata-19 show --all-functions --counts`). Exit 1 otherwise."""
import re
import subprocess
import sys


def counts(path):
    out = subprocess.run(["llvm-profdata-19", "show", "--all-functions", "--counts", path],
                         check=True, capture_output=True, text=True).stdout
    funcs, name = {}, None
    for line in out.splitlines():
        m = re.match(r"^  (\S.*):$", line)
        if m:
            name = m.group(1)
        m = re.match(r"^\s+Block counts: \[(.*)\]$", line)
        if m and name:
            funcs[name] = [int(x) for x in m.group(1).split(",") if x.strip()]
    return funcs


a, b = counts(sys.argv[1]), counts(sys.argv[2])
bad = [f"{f}: functions differ" for f in set(a) ^ set(b)]
for f in set(a) & set(b):
    if len(a[f]) != len(b[f]) or any(abs(x - y) > 0.005 * max(x, y) + 1 for x, y in zip(a[f], b[f])):
        bad.append(f"{f}: {a[f]} vs {b[f]}")
total = sum(sum(v) for v in a.values())
print(f"counts_close: {len(a)} functions, {total} counts in {sys.argv[1]}; {len(bad)} differ")
for line in bad[:10]:
    print("  " + line)
sys.exit(1 if bad or not a or total == 0 else 0)
