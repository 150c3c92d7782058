#!/usr/bin/env python3
"""char_premerge.py — how many multi-byte characters of a text could start a
merge already whole, for one rank file.

    bench/analysis/char_premerge.py data/o200k_base.tiktoken bench/corpus/multilingual.txt

Starting a merge from whole characters instead of bytes gives tiktoken's
result for a character c when (a sufficient condition):
  - merging c's bytes alone gives the single token c, and
  - every merge inside c ranks below every token that crosses c's boundary:
    tokens longer than a proper prefix of c that end with it, longer than a
    proper suffix that start with it, and tokens other than c containing c.
Why: while c is unfinished, one of its inner pairs is available at a rank
no higher than its highest inner merge, and any merge touching c's bytes
from outside makes a crossing token, which ranks higher; so c's bytes join
only each other, as they would alone, before anything else touches them.
Each other merge the byte-level run takes ranks below that inner pair, and
every pair the whole-character start adds (a neighbour with c) makes a
crossing token, which ranks above it: so the whole-character run takes the
same merges in the same order, minus c's inner ones.
The script prints the share of the text's 2- and 3-byte characters for
which the condition holds, by script. An analysis aid (seconds per
rank file), not part of the build or the tests; session 4 found 28 % for
o200k on bench/corpus/multilingual.txt, so the idea was not built.
"""
import base64
import collections
import sys
import unicodedata


def main(rank_path, text_path):
    ranks = {}
    with open(rank_path) as f:
        for line in f:
            tok, r = line.split()
            ranks[base64.b64decode(tok)] = int(r)
    inf = 1 << 30

    def merge(b):
        """tiktoken's merge of b alone; returns the parts and the highest rank used."""
        parts, top = [bytes([x]) for x in b], -1
        while True:
            best = None
            for i in range(len(parts) - 1):
                r = ranks.get(parts[i] + parts[i + 1])
                if r is not None and (best is None or r < best[0]):
                    best = (r, i)
            if best is None:
                return parts, top
            r, i = best
            top = max(top, r)
            parts[i:i + 2] = [parts[i] + parts[i + 1]]

    min_end = collections.defaultdict(lambda: inf)      # proper prefix -> longer token ending with it
    min_start = collections.defaultdict(lambda: inf)    # proper suffix -> longer token starting with it
    min_contain = collections.defaultdict(lambda: inf)  # character -> other token containing it
    for w, r in ranks.items():
        n = len(w)
        for k in (1, 2):
            if n > k:
                min_end[w[-k:]] = min(min_end[w[-k:]], r)
                min_start[w[:k]] = min(min_start[w[:k]], r)
        for i in range(n):
            for cl in (2, 3):
                if i + cl <= n and (i > 0 or i + cl < n):
                    min_contain[w[i:i + cl]] = min(min_contain[w[i:i + cl]], r)

    def qualifies(c):
        parts, top = merge(c)
        if len(parts) != 1:
            return False
        bound = min_contain[c]
        for k in range(1, len(c)):
            bound = min(bound, min_end[c[:k]], min_start[c[k:]])
        return top < bound

    with open(text_path, encoding="utf-8") as f:
        counts = collections.Counter(ch for ch in f.read() if 0x80 <= ord(ch) < 0x10000)
    total = sum(counts.values())
    good = 0
    by_script, good_by_script = collections.Counter(), collections.Counter()
    for ch, k in counts.items():
        script = unicodedata.name(ch, "?").split()[0]
        by_script[script] += k
        if qualifies(ch.encode()):
            good += k
            good_by_script[script] += k
    print(f"2- and 3-byte characters: {total}, qualifying: {good} ({100 * good / total:.1f} %)")
    for script, k in by_script.most_common(25):
        print(f"  {script:<12} {k:>8}  {100 * good_by_script[script] / k:5.1f} %")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: char_premerge.py RANK_FILE TEXT_FILE")
    main(sys.argv[1], sys.argv[2])
