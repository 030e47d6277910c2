# SPDX-License-Identifier: Apache-2.0
"""Checks a pprof merged by `pgopipe merge` against `go tool pprof` on its inputs.

Usage: pprof_oracle.py MERGED [--normalize] INPUT=DECAY_WEIGHT...
The expected value of every function (flat and cum, for each sample type) is the sum over
the inputs of `go tool pprof -top`'s value times the input's weight: DECAY_WEIGHT, times
60 s / the input's duration (as `go tool pprof` prints it) with --normalize, and then, with
--normalize, every value scaled so each sample type's total is the inputs' own (unweighted)
total, as pgopipe restores it after weighting each input as one minute. pgopipe rounds
each weighted sample value to an integer (as pprof's own scaling does), so a value may be off
by half a unit per sample: each must agree within 1 % + 2 units + 0.5 per input sample.
"""
import re
import subprocess
import sys

HEADER = re.compile(r"Duration: ([0-9.]+)(ms|s|m|h)\b")
INLINE_LABEL = re.compile(r" \((partial-)?inline\)$")
SCALE = {"ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def top(path, index):
    """{function: (flat, cum)} and the duration in seconds, from `go tool pprof -top`."""
    unit = "-unit=ns" if index == "cpu" else "-unit=minimum"
    out = subprocess.run(["go", "tool", "pprof", "-top", "-nodecount=1000000", "-nodefraction=0",
                          "-edgefraction=0", unit,
                          f"-sample_index={index}", path],
                         check=True, capture_output=True, text=True).stdout
    rows, table, duration = {}, False, None
    for line in out.splitlines():
        m = HEADER.search(line)
        if m:
            duration = float(m.group(1)) * SCALE[m.group(2)]
        if "flat%" in line:
            table = True
            continue
        if table and line.strip():
            f = line.split()
            # A function's "(inline)" / "(partial-inline)" label says how pprof found its frames
            # folded into locations, which a merge may legitimately change: values count per function.
            name = INLINE_LABEL.sub("", " ".join(f[5:]))
            flat, cum = rows.get(name, (0, 0))
            rows[name] = (flat + int(f[0].rstrip("ns")), cum + int(f[3].rstrip("ns")))
    return rows, duration


def main(argv):
    merged, normalize = argv[1], "--normalize" in argv
    inputs = [a.rsplit("=", 1) for a in argv[2:] if a != "--normalize"]
    failures, checked = [], 0
    samples = {}  # function -> input samples containing it (bounds the rounding error)
    for path, _ in inputs:
        for name, (_, cum) in top(path, "samples")[0].items():
            samples[name] = samples.get(name, 0) + cum
    for index in ("samples", "cpu"):
        expected, raw_total, weighted_total = {}, 0.0, 0.0
        for path, weight in inputs:
            rows, duration = top(path, index)
            w = float(weight) * (60.0 / duration if normalize else 1.0)
            for name, (flat, cum) in rows.items():
                e = expected.setdefault(name, [0.0, 0.0])
                e[0] += w * flat
                e[1] += w * cum
                raw_total += flat
                weighted_total += w * flat
        if normalize and weighted_total > 0:
            for e in expected.values():
                e[0] *= raw_total / weighted_total
                e[1] *= raw_total / weighted_total
        ours, _ = top(merged, index)
        for name in set(expected) | set(ours):
            want = expected.get(name, [0.0, 0.0])
            got = ours.get(name, (0, 0))
            for what, w, g in (("flat", want[0], got[0]), ("cum", want[1], got[1])):
                checked += 1
                if abs(g - w) > 0.01 * w + 2 + 0.5 * samples.get(name, 0):
                    failures.append(f"{index} {what} {name}: pgopipe {g}, expected {w:.1f}")
    print(f"pprof_oracle: {checked} values of {len(inputs)} input(s) checked, "
          f"{len(failures)} off")
    for f in failures[:20]:
        print("  " + f)
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
