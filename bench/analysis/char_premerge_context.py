#!/usr/bin/env python3
"""char_premerge_context.py — char_premerge.py's condition judged at each
character's place in its piece instead of for the character alone.

    bench/analysis/char_premerge_context.py data/o200k_base.tiktoken \
        bench/corpus/multilingual.txt [BYTES] [--two-byte]

char_premerge.py starts a merge from a whole character c when every token
that can cross c's boundary ranks above c's own merges, over all tokens
of the vocabulary. A token crossing c's boundary in a piece contains the
two bytes on either side of that boundary, so it is enough to ask it of
the tokens holding those two bytes next to each other: with cross[x, y] the
lowest rank of a token in which byte y follows byte x, c (bytes p[a..b))
can start whole when merging its bytes alone gives c, and every rank of
that merge is below cross[p[a-1], p[a]] (if a > 0) and below
cross[p[b-1], p[b]] (if b < n). The argument of char_premerge.py then
holds unchanged: the crossing tokens that could form are the same or
fewer.

For the first BYTES (default 2,000,000) of the text, pre-tokenised with
the encoding's pattern, it merges every distinct piece that is no token
(what misses the piece cache) from bytes and from whole characters where
the condition allows, checks that both give the same ids, and prints the
share of multi-byte characters that qualify and the share of merge steps
saved; with --oracle, the condition over the tokens that actually occur
in the piece across the boundary, an upper bound. --two-byte limits it to
2-byte characters. Needs the `regex` module (pip install regex). An
analysis aid, not part of the build or tests.

Session 8 (o200k, the first 2 MB of multilingual.txt): 56 % of the
multi-byte characters qualify (28 % under char_premerge.py's condition),
17.1 % of the steps are saved (2-byte characters only: 72 % and 12.5 %;
--oracle 20.4 %), and all 68,690 pieces agree. Built for 2-byte
characters, it measured 3 % slower with bench/ab.c: the set-up of a
piece's parts and the boundary tests cost what the saved steps saved.
"""
import base64
import collections
import sys

import regex

PATTERNS = {
    "o200k_base": r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+""",
    "cl100k_base": r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+""",
}
INF = 1 << 62


def main(rank_path, text_path, nbytes, two_byte, oracle):
    ranks = {}
    with open(rank_path, "rb") as f:
        for line in f:
            tok, r = line.split()
            ranks[base64.b64decode(tok)] = int(r)
    name = next(k for k in PATTERNS if k in rank_path)
    cross = {}
    for w, r in ranks.items():
        for k in range(len(w) - 1):
            key = (w[k], w[k + 1])
            if cross.get(key, INF) > r:
                cross[key] = r
    max_len = max(len(w) for w in ranks)

    def merge(parts):
        """tiktoken's merge from the given parts: (parts, steps, highest rank)."""
        parts, steps, top = list(parts), 0, -1
        while len(parts) > 1:
            best, at = INF, -1
            for i in range(len(parts) - 1):
                r = ranks.get(parts[i] + parts[i + 1], INF)
                if r < best:
                    best, at = r, i
            if at < 0:
                break
            parts[at:at + 2] = [parts[at] + parts[at + 1]]
            steps, top = steps + 1, max(top, best)
        return parts, steps, top

    own = {}

    def own_top(cb):
        """The highest rank of merging cb alone, or None if that is not one token."""
        if cb not in own:
            parts, _, top = merge([bytes([x]) for x in cb])
            own[cb] = top if len(parts) == 1 else None
        return own[cb]

    def crossed(b, at, top):
        """Whether a token ranked at or below top can cross boundary at of b."""
        if oracle:
            for s in range(max(0, at - max_len + 1), at):
                for e in range(at + 1, min(len(b), s + max_len) + 1):
                    if ranks.get(b[s:e], INF) <= top:
                        return True
            return False
        return cross.get((b[at - 1], b[at]), INF) <= top

    with open(text_path, "rb") as f:
        text = f.read()[:nbytes].decode("utf-8", "ignore")
    seen, st = set(), collections.Counter()
    for m in regex.finditer(PATTERNS[name], text):
        piece = m.group()
        b = piece.encode()
        if piece in seen or b in ranks or len(b) < 3 or len(b) > 64:
            continue
        seen.add(piece)
        ref, steps, _ = merge([bytes([x]) for x in b])
        parts, pos = [], 0
        for ch in piece:
            cb = ch.encode()
            whole = False
            if len(cb) > 1 and (len(cb) == 2 or not two_byte):
                top = own_top(cb)
                whole = (top is not None and not (pos > 0 and crossed(b, pos, top))
                         and not (pos + len(cb) < len(b) and crossed(b, pos + len(cb), top)))
                st["chars"] += 1
                st["whole"] += whole
            parts.extend([cb] if whole else [bytes([x]) for x in cb])
            pos += len(cb)
        got, steps2, _ = merge(parts)
        st["pieces"] += 1
        st["steps"] += steps
        st["steps_whole"] += steps2
        st["mismatches"] += got != ref
    print(f"{name}: {st['pieces']} pieces, {st['chars']} multi-byte characters, "
          f"{100 * st['whole'] / max(1, st['chars']):.1f} % start whole; merge steps "
          f"{st['steps']} -> {st['steps_whole']} "
          f"(-{100 * (1 - st['steps_whole'] / max(1, st['steps'])):.1f} %); "
          f"mismatches: {st['mismatches']}")
    return 1 if st["mismatches"] else 0


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) not in (2, 3):
        sys.exit("usage: char_premerge_context.py RANK_FILE TEXT_FILE [BYTES] [--two-byte] [--oracle]")
    sys.exit(main(args[0], args[1], int(args[2]) if len(args) == 3 else 2_000_000,
                  "--two-byte" in sys.argv, "--oracle" in sys.argv))
