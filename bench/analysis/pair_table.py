#!/usr/bin/env python3
"""pair_table.py — the pairs of tokens whose concatenation is a token of 3
bytes or more, for one rank file: what a complete pair table (left token,
right token) -> merged token would hold instead of the per-context pair memo.

    bench/analysis/pair_table.py data/o200k_base.tiktoken

Prints the number of pairs, how many left tokens have any, the largest
numbers of partners, and the table's size with a region per left token
(power-of-two regions at load <= 3/4, 8-byte slots). Session 10 built such a
table (exactly sized regions, 4.7 MB for o200k) and measured it slower than
the memo and the byte-hash table's tags: bench/README.md, session 10.
"""
import base64
import collections
import sys

ranks = {}
with open(sys.argv[1], 'rb') as f:
    for line in f:
        b, r = line.split()
        ranks[base64.b64decode(b)] = int(r)
partners = collections.Counter()
pairs = 0
for t in ranks:
    if len(t) < 3:
        continue  # 2-byte concatenations come from the direct pair table
    for k in range(1, len(t)):
        a, b = t[:k], t[k:]
        if a in ranks and b in ranks:
            pairs += 1
            partners[ranks[a]] += 1
vals = sorted(partners.values(), reverse=True)
print('%d tokens, %d pairs, %d left tokens with partners' % (len(ranks), pairs, len(partners)))
print('most partners:', vals[:10], 'median', vals[len(vals) // 2])
slots = 0
for v in vals:
    s = 1
    while s * 3 < v * 4:
        s *= 2
    slots += s
print('power-of-two regions: %d slots, %.1f MB at 8 bytes' % (slots, slots * 8 / 2**20))
