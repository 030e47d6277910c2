#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# How far sample profiles' body counts are from exact ones, without timing anything: for each
# function with at least 0.1 % of the exact profile's total, half the L1 distance between the
# shares of its lines (nested inline lines included) in the two profiles, averaged with the
# functions' exact shares as weights; 0 is the same distribution, 1 disjoint. Also the same
# distance over the functions' totals. quality.sh's CEILING=1 prints it for each profile.
#
# usage: profile_distance.py EXACT.txt CANDIDATE.txt...   (LLVM text sample profiles, as
# `llvm-profdata merge --sample --text` writes them)
import sys


def parse(path):
    """Top-level functions: {'total', 'lines': {path: count}} from a text sample profile."""
    functions, stack = {}, []
    for raw in open(path):
        if not raw.strip():
            continue
        indent = len(raw) - len(raw.lstrip(' '))
        text = raw.strip()
        if indent == 0:
            name, total, _head = text.rsplit(':', 2)
            functions[name] = {'total': int(total), 'lines': {}}
            lines, stack = functions[name]['lines'], [(0, '')]
            continue
        while stack and stack[-1][0] >= indent:
            stack.pop()
        prefix = stack[-1][1] if stack else ''
        key, rest = text.split(': ', 1)
        first = rest.split()[0]
        if first.isdigit():
            lines[prefix + key] = int(first)
        else:  # an inlined call site: "offset: callee:total"
            stack.append((indent, f'{prefix}{key}/{first.rsplit(":", 1)[0]}/'))
    return functions


def distance(a, b):
    sa, sb = sum(a.values()), sum(b.values())
    if not sa or not sb:
        return 1.0
    return 0.5 * sum(abs(a.get(k, 0) / sa - b.get(k, 0) / sb) for k in set(a) | set(b))


exact = parse(sys.argv[1])
total = sum(f['total'] for f in exact.values())
for path in sys.argv[2:]:
    cand = parse(path)
    weighted = weights = 0.0
    for name, f in exact.items():
        share = f['total'] / total
        if share < 0.001 or not f['lines']:
            continue
        weighted += share * distance(f['lines'], cand.get(name, {'lines': {}})['lines'])
        weights += share
    functions = distance({n: f['total'] for n, f in exact.items()}, {n: f['total'] for n, f in cand.items()})
    print(f'{path}: lines {weighted / weights:.3f}, functions {functions:.3f}')
