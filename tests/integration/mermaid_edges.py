#!/usr/bin/env python3
"""Read a Mermaid flowchart from `reuselab graph --mermaid` on stdin; print
its edges as 'FROM -LABEL- TO' with node ids replaced by the names they
show, one per line, sorted.  Fails on an edge to an undeclared id."""
import re
import sys

names, edges = {}, []
for line in sys.stdin:
    m = re.match(r'\s*([nl]\d+)(?:\["|\(\(")([^"<]*)', line)
    if m:
        names[m.group(1)] = m.group(2)
        continue
    m = re.match(r'\s*([nl]\d+) ---\|"([^"]*)"\| ([nl]\d+)$', line)
    if m:
        edges.append("%s -%s- %s" % (names[m.group(1)], m.group(2), names[m.group(3)]))
print("\n".join(sorted(edges)))
