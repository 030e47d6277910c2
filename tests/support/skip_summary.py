# SPDX-License-Identifier: Apache-2.0
"""Prints the skipped tests of a ctest run and fails on a skip the allow-list does not permit.

Usage: skip_summary.py CTEST_JUNIT_XML ALLOWLIST STAGE
Reads the JUnit file of `ctest --output-junit` (with untruncated output). Exit 1 when a
skipped test gave a reason no allow-list pattern matches (under CI=true only patterns of
scope "always"), gave no reason at all, or when a test passed although its output shows a
skipped GoogleTest test or a PGOPIPE-SKIP line (a skip ctest was not told about).
"""
import os
import re
import sys
import xml.etree.ElementTree as ET

GTEST_SKIP_HEAD = re.compile(r"^\S.*:\d+: Skipped$")   # file.cpp:42: Skipped
SKIP_LINE = re.compile(r"PGOPIPE-SKIP: (.*)")
SKIP_SEEN = re.compile(r"^\[  SKIPPED \] [A-Za-z_]|PGOPIPE-SKIP: ", re.M)


def reasons(output):
    """The skip reasons a test printed: GTEST_SKIP messages and PGOPIPE-SKIP lines."""
    found, lines, i = [], output.splitlines(), 0
    while i < len(lines):
        if GTEST_SKIP_HEAD.match(lines[i]):
            message = []
            i += 1
            while i < len(lines) and lines[i].strip() and not lines[i].startswith("[  SKIPPED ]"):
                message.append(lines[i].strip())
                i += 1
            found.append(" ".join(message) or "(GTEST_SKIP without a message)")
            continue
        m = SKIP_LINE.search(lines[i])
        if m:
            found.append(m.group(1).strip())
        i += 1
    return list(dict.fromkeys(found))


def load_allowlist(path, ci):
    patterns = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            scope, pattern = line.split(None, 1)
            if scope not in ("always", "local"):
                sys.exit(f"{path}: unknown scope {scope!r} (always|local)")
            if scope == "always" or not ci:
                patterns.append(re.compile(pattern))
    return patterns


def main():
    junit, allowlist, stage = sys.argv[1:4]
    ci = os.environ.get("CI", "").lower() == "true"
    allowed = load_allowlist(allowlist, ci)
    skipped, bad = [], []
    for case in ET.parse(junit).getroot().iter("testcase"):
        name, status = case.get("name"), case.get("status")
        out = case.findtext("system-out") or ""
        if status == "notrun" and case.find("skipped") is not None:
            why = reasons(out)
            skipped.append((name, why))
            if not why:
                bad.append(f"{name}: skipped without printing a reason")
            for r in why:
                if not any(p.search(r) for p in allowed):
                    bad.append(f"{name}: skip reason not in {os.path.basename(allowlist)}"
                               f"{' (scope always, CI=true)' if ci else ''}: {r}")
        elif status == "run" and SKIP_SEEN.search(out):
            bad.append(f"{name}: Passed although its output shows a skip (register it so ctest "
                       "shows Skipped: pgopipe_add_gtest_suite, gtest_discover_tests or exit 77)")
    print(f"pgopipe: {stage} stage: {len(skipped)} skipped test(s)")
    for name, why in skipped:
        print(f"  SKIPPED {name}: " + ("; ".join(why) if why else "(no reason printed)"))
    for b in bad:
        print(f"pgopipe: UNEXPECTED SKIP: {b}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
