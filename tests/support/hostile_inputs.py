#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes hostile profiles for the robustness tests and bench/hostile: small files that decode
into far more than they weigh, stacks deeper than any walk should recurse, absurd durations
and symbol names holding terminal escape sequences. The protobuf wire format is written by
hand, so the files are exactly what a crafted upload would be.

  hostile_inputs.py OUT_DIR [--empty-samples N] [--depth N] [--bomb-mb N]
"""
import argparse
import gzip
import os
import zlib


def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(number, payload):  # length-delimited field
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def field_varint(number, value):
    return varint(number << 3) + varint(value)


def packed(values):
    return b"".join(varint(v) for v in values)


class Profile:
    """A pprof Profile message built field by field (ids are 1-based indices)."""

    def __init__(self, duration_nanos=10_000_000_000):
        self.strings = [""]
        self.body = bytearray()
        for kind, unit in (("samples", "count"), ("cpu", "nanoseconds")):
            self.body += field(1, field_varint(1, self.s(kind)) + field_varint(2, self.s(unit)))
        self.tail = field(11, field_varint(1, self.s("cpu")) + field_varint(2, self.s("nanoseconds")))
        self.tail += field_varint(12, 10_000_000) + field_varint(10, duration_nanos)
        self.functions = 0
        self.locations = 0

    def s(self, text):
        if text not in self.strings:
            self.strings.append(text)
        return self.strings.index(text)

    def function(self, name):
        self.functions += 1
        msg = field_varint(1, self.functions) + field_varint(2, self.s(name)) + field_varint(4, self.s("x.go"))
        self.body += field(5, msg)
        return self.functions

    def location(self, function_id, address):
        self.locations += 1
        line = field_varint(1, function_id) + field_varint(2, 10)
        self.body += field(4, field_varint(1, self.locations) + field_varint(3, address) + field(4, line))
        return self.locations

    def sample(self, location_ids, count=1, cpu=None):
        cpu = count * 10_000_000 if cpu is None else cpu
        msg = field(1, packed(location_ids)) + field(2, packed([count, cpu]))
        self.body += field(2, msg)

    def raw(self, extra=b""):
        table = b"".join(field(6, t.encode()) for t in self.strings)
        return bytes(self.body) + extra + table + self.tail


def write(path, data, compress=True):
    with open(path, "wb") as f:
        f.write(gzip.compress(data, 9) if compress else data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--empty-samples", type=int, default=12_000_000)
    ap.add_argument("--depth", type=int, default=25_000)
    ap.add_argument("--bomb-mb", type=int, default=0, help="also write bomb.pb.gz: N MiB of zeros")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)

    # Amplification: millions of empty sample records (2 bytes each) in a few KB of gzip.
    p = Profile()
    write(os.path.join(a.out, "amplify.pb.gz"), p.raw(b"\x12\x00" * a.empty_samples))

    # A plain gzip bomb: zeros (not even protobuf) beyond the decompressed-size limit.
    if a.bomb_mb > 0:
        z = zlib.compressobj(9, zlib.DEFLATED, 31)
        with open(os.path.join(a.out, "bomb.pb.gz"), "wb") as f:
            for _ in range(a.bomb_mb):
                f.write(z.compress(bytes(1 << 20)))
            f.write(z.flush())

    # Depth: one sample whose stack repeats one location `depth` times.
    p = Profile()
    loc = p.location(p.function("recurse"), 0x1000)
    p.sample([loc] * a.depth)
    write(os.path.join(a.out, "deep.pb.gz"), p.raw())

    # Numbers: a profile claiming to cover one nanosecond, and one with huge counts.
    for name, duration, count in (("tiny-duration.pb.gz", 1, 5), ("normal.pb.gz", 60_000_000_000, 5),
                                  ("huge-values.pb.gz", 1, (1 << 62))):
        p = Profile(duration_nanos=duration)
        loc = p.location(p.function("main.work"), 0x2000)
        p.sample([loc], count, cpu=min(count * 10_000_000, (1 << 62)))
        write(os.path.join(a.out, name), p.raw())
    # A busy minute of another function: what a tiny duration must not drown.
    p = Profile(duration_nanos=60_000_000_000)
    loc = p.location(p.function("main.idle"), 0x2100)
    p.sample([loc], 30000, cpu=30000 * 10_000_000)
    write(os.path.join(a.out, "busy-minute.pb.gz"), p.raw())

    # Terminal output: function names holding ESC[2J (clear screen) and an OSC title.
    p = Profile()
    loc = p.location(p.function("evil\x1b[2J\x1b]0;pwned\x07name"), 0x3000)
    p.sample([loc], 7)
    write(os.path.join(a.out, "escapes.pb.gz"), p.raw())


if __name__ == "__main__":
    main()
