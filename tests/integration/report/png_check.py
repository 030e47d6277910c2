# SPDX-License-Identifier: Apache-2.0
"""png_check.py PNG [R,G,B]: the file is a PNG (decoded with zlib, no third-party modules),
its pixels are not all one colour, and, when given, the exact colour R,G,B occurs."""
import struct
import sys
import zlib

path = sys.argv[1]
want = tuple(int(v) for v in sys.argv[2].split(",")) if len(sys.argv) > 2 else None
data = open(path, "rb").read()
if len(data) < 100 or data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit(f"{path}: not a PNG ({len(data)} bytes)")
pos, idat, ihdr = 8, [], None
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        ihdr = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat.append(body)
    elif kind == b"IEND":
        break
    pos += 12 + length
width, height, depth, colour_type, _, _, interlace = ihdr
if depth != 8 or colour_type not in (2, 6) or interlace != 0:
    sys.exit(f"{path}: unsupported PNG layout depth={depth} colour={colour_type} interlace={interlace}")
bpp = 3 if colour_type == 2 else 4
raw = zlib.decompress(b"".join(idat))
stride = width * bpp
if len(raw) != height * (stride + 1):
    sys.exit(f"{path}: pixel data has {len(raw)} bytes, expected {height * (stride + 1)}")


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


prev = bytearray(stride)
first = None
varied = False
found = want is None
for y in range(height):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    if f == 1:
        for i in range(bpp, stride):
            line[i] = (line[i] + line[i - bpp]) & 0xFF
    elif f == 2:
        line = bytearray((a + b) & 0xFF for a, b in zip(line, prev))
    elif f == 3:
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
    elif f == 4:
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            upleft = prev[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + paeth(left, prev[i], upleft)) & 0xFF
    if first is None:
        first = bytes(line[:3])
    if not varied and any(line[i:i + 3] != first for i in range(0, stride, bpp)):
        varied = True
    if not found:
        target = bytes(want)
        found = any(line[i:i + 3] == target for i in range(0, stride, bpp))
    if varied and found:
        break
    prev = line
if not varied:
    sys.exit(f"{path}: all {width}x{height} pixels are one colour {tuple(first)}")
if not found:
    sys.exit(f"{path}: colour {want} does not occur in the screenshot")
print(f"{path}: {width}x{height} PNG, {len(data)} bytes, not one colour"
      + (f", colour {want} present (row {y})" if want else ""))
