# SPDX-License-Identifier: Apache-2.0
"""svg_check.py SVG NEEDLE...: the file parses as XML (xml.dom.minidom), its root is <svg>,
it has frames with <title> tooltips, and every NEEDLE occurs in some tooltip.
A NEEDLE "text:T" must occur in a <text> element instead; "sum:NAME=N" requires the values of
all frames named exactly NAME (tooltips "NAME (1,234 UNIT, P%)") to add up to N."""
import re
import sys
import xml.dom.minidom

FRAME = re.compile(r"^(.*) \(([0-9,]+) .*, [0-9.]+%\)$")

doc = xml.dom.minidom.parse(sys.argv[1])
root = doc.documentElement
if root.tagName != "svg":
    sys.exit(f"{sys.argv[1]}: root element is <{root.tagName}>, not <svg>")
titles = [t.firstChild.data for t in doc.getElementsByTagName("title") if t.firstChild]
if not titles:
    sys.exit(f"{sys.argv[1]}: no frame tooltips")
texts = " ".join(t.firstChild.data for t in doc.getElementsByTagName("text") if t.firstChild)
for needle in sys.argv[2:]:
    if needle.startswith("sum:"):
        name, want = needle[4:].rsplit("=", 1)
        values = [int(m.group(2).replace(",", "")) for m in map(FRAME.match, titles)
                  if m and m.group(1) == name]
        if sum(values) != int(want):
            sys.exit(f"{sys.argv[1]}: frames named {name!r} add up to {sum(values)} ({values}), "
                     f"expected {want}")
    elif needle.startswith("text:"):
        if needle[5:] not in texts:
            sys.exit(f"{sys.argv[1]}: no text contains {needle[5:]!r}")
    elif not any(needle in t for t in titles):
        sys.exit(f"{sys.argv[1]}: no frame named {needle!r} among {len(titles)} frames")
print(f"{sys.argv[1]}: well-formed, {len(titles)} frames, found {sys.argv[2:]}")
