#!/usr/bin/env python3
"""svg_labels.py PAGE.html: exit 1 when two interface labels (class "ifl")
of the page's lab drawing cover each other, judged by their text's extent
(11 px monospace: about 6.6 px a character, 12 px high).  Prints the count."""
import re
import sys

page = open(sys.argv[1], encoding='utf-8').read()
labels = re.findall(r'<text class="ifl" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>', page)
boxes = [(float(x) - 3.3 * len(t), float(y) - 9, float(x) + 3.3 * len(t), float(y) + 3, t)
         for x, y, t in labels]
bad = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]
       if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]]
print('%d labels, %d overlapping pairs' % (len(labels), len(bad)))
for a, b in bad:
    print('  %s at (%.0f,%.0f) and %s at (%.0f,%.0f)' % (a[4], a[0], a[1], b[4], b[0], b[1]))
sys.exit(1 if bad or not labels else 0)
