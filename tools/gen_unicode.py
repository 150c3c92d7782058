#!/usr/bin/env python3
# gen_unicode.py — generate tokmeter's Unicode tables and PCRE2 patterns.
#
# Usage: tools/gen_unicode.py [UCD_DIR] [--probe PATH] [--cc CC] [--check]
#   UCD_DIR defaults to ../shared/reference/ucd-16.0.0 relative to the repo
#   root. Writes src/unicode_data.{c,h} and src/builtin_patterns.{c,h}.
#   --check writes nothing and fails if the files on disk are out of date.
#
# Approach
# --------
# tiktoken 0.14 pre-tokenizes with Rust regex / fancy-regex, whose classes
# are Unicode 16.0: \p{..} are General Categories, \s is White_Space and
# (?i:..) is simple case folding (CaseFolding.txt status C and S). tokmeter
# needs the same classes twice:
#
#  1. src/unicode_data.{c,h}: a two-stage table giving a flag byte per code
#     point (letter, number, White_Space, o200k "upper-ish", o200k
#     "lower-ish", mark), built straight from DerivedGeneralCategory.txt and
#     PropList.txt. 256-entry blocks are deduplicated; stage 1 maps cp>>8 to
#     a block number.
#
#  2. src/builtin_patterns.{c,h}: the three built-in tiktoken patterns and an
#     exact PCRE2 10.42 translation of each. PCRE2 has Unicode 14 tables and
#     LINK_SIZE=2 (64 KB compiled patterns), so fully expanding every class
#     into ranges risks the size limit. Instead each class keeps PCRE2's own
#     \p{..} items and adds or subtracts only the code points on which
#     PCRE2's view and UCD 16.0 disagree:
#       - the patterns are parsed by a tiny translator that understands just
#         the syntax tiktoken's patterns use;
#       - \s and \S become explicit White_Space ranges from PropList.txt (PCRE2
#         without PCRE2_UCP would give ASCII whitespace only);
#       - $ becomes \z (end of subject, as in Rust regex without (?m));
#       - (?i:..) is removed and every letter inside becomes an explicit class
#         of its simple-case-folding orbit {x : fold(x) == fold(letter)},
#         computed from CaseFolding.txt, so PCRE2's caseless tables never
#         matter;
#       - for every character class, tools/pcre2_probe.c (built and run by
#         this script) reports which code points PCRE2 matches with the
#         class's plain \p{..} items. Code points missing from PCRE2's view
#         are appended as ranges inside the brackets; code points PCRE2 has
#         but UCD 16.0 does not are removed with a (?!..) lookahead (positive
#         class) or added back with an alternative (negated class);
#       - every final fragment is probed again and must match exactly the
#         UCD 16.0 set for every scalar value, or the script fails. Quantifiers,
#         possessive (++, ?+, {1,3}+) and lookahead syntax are copied
#         unchanged, and an adjusted class always stays one atom matching one
#         code point, so atomic/possessive semantics are preserved.
#     The translation is therefore tied to the Unicode version of the PCRE2
#     library that was probed; it is recorded in builtin_patterns.h.
#
#  3. For tests/test_unicode.c, builtin_patterns.c also carries every class
#     fragment with a flag description of its members, the (?i) letter
#     fragments, and each pattern's "recipe": the list of pieces (class,
#     fold letter, or copied text) whose concatenation is both the original
#     and the translated pattern. The test parses the UCD itself, checks
#     every fragment for every scalar value, and checks that the recipes
#     reassemble both patterns, so the whole translation is verified.
#
# The output is a pure function of the UCD files and the probed PCRE2, so
# running the script twice gives byte-identical files.

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_UCD = os.path.normpath(os.path.join(REPO, '..', 'shared', 'reference', 'ucd-16.0.0'))
NCP = 0x110000

# --- flag bits (keep in sync with the header text emitted below) -----------
F_L, F_N, F_WS, F_UP, F_LO, F_M = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
FLAG_NAMES = [('TKM_UC_L', F_L, 'letter: Lu Ll Lt Lm Lo'),
              ('TKM_UC_N', F_N, 'number: Nd Nl No'),
              ('TKM_UC_WS', F_WS, 'White_Space property (PropList.txt)'),
              ('TKM_UC_UP', F_UP, 'o200k upper-ish class: Lu Lt Lm Lo Mn Mc Me'),
              ('TKM_UC_LO', F_LO, 'o200k lower-ish class: Ll Lm Lo Mn Mc Me'),
              ('TKM_UC_M', F_M, 'mark: Mn Mc Me')]

GC_FLAGS = {
    'Lu': F_L | F_UP, 'Ll': F_L | F_LO, 'Lt': F_L | F_UP,
    'Lm': F_L | F_UP | F_LO, 'Lo': F_L | F_UP | F_LO,
    'Mn': F_M | F_UP | F_LO, 'Mc': F_M | F_UP | F_LO, 'Me': F_M | F_UP | F_LO,
    'Nd': F_N, 'Nl': F_N, 'No': F_N,
}
ALL_GC = ['Lu', 'Ll', 'Lt', 'Lm', 'Lo', 'Mn', 'Mc', 'Me', 'Nd', 'Nl', 'No',
          'Pc', 'Pd', 'Ps', 'Pe', 'Pi', 'Pf', 'Po', 'Sm', 'Sc', 'Sk', 'So',
          'Zs', 'Zl', 'Zp', 'Cc', 'Cf', 'Cs', 'Co', 'Cn']
# Property names the translator accepts in \p{..}, with their member GCs.
PROP_GCS = {'L': ['Lu', 'Ll', 'Lt', 'Lm', 'Lo'], 'N': ['Nd', 'Nl', 'No'],
            'M': ['Mn', 'Mc', 'Me'], 'Lu': ['Lu'], 'Ll': ['Ll'], 'Lt': ['Lt'],
            'Lm': ['Lm'], 'Lo': ['Lo']}

# --- the built-in patterns, exactly as tiktoken 0.14 openai_public.py ------
PAT_R50K = (r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s""")
PAT_CL100K = (r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""")
PAT_O200K = "|".join([
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
    r"""\p{N}{1,3}""",
    r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
    r"""\s*[\r\n]+""",
    r"""\s+(?!\S)""",
    r"""\s+""",
])
PATTERNS = [('r50k', PAT_R50K), ('cl100k', PAT_CL100K), ('o200k', PAT_O200K)]

# Flag masks that the classes of the patterns reduce to (checked below).
PROPSET_MASK = {
    frozenset(['L']): F_L, frozenset(['N']): F_N, frozenset(['L', 'N']): F_L | F_N,
    frozenset(['Lu', 'Lt', 'Lm', 'Lo', 'M']): F_UP,
    frozenset(['Ll', 'Lm', 'Lo', 'M']): F_LO,
}


def die(msg):
    sys.exit('gen_unicode.py: error: ' + msg)


# --- code point sets as Python ints used as bit sets ----------------------
def bits_from_ranges(ranges):
    b = 0
    for lo, hi in ranges:
        b |= ((1 << (hi - lo + 1)) - 1) << lo
    return b


def ranges_from_bits(b):
    # bin() lists the most significant bit first; reverse so index == cp.
    s = bin(b)[2:][::-1]
    return [(m.start(), m.end() - 1) for m in re.finditer('1+', s)]


ALL = (1 << NCP) - 1
SURR = bits_from_ranges([(0xD800, 0xDFFF)])
SCALARS = ALL & ~SURR


# --- UCD parsing ----------------------------------------------------------
def ucd_lines(path):
    """Yield (lo, hi, [fields...]) for the data lines of a UCD file."""
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if not line:
                continue
            fields = [x.strip() for x in line.split(';')]
            cps = fields[0].split('..')
            lo = int(cps[0], 16)
            hi = int(cps[-1], 16)
            yield lo, hi, fields[1:]


def ucd_version(path):
    with open(path, encoding='utf-8') as f:
        first = f.readline()
    m = re.match(r'#\s*\S+-(\d+\.\d+\.\d+)\.txt', first)
    if not m:
        die('cannot read the Unicode version from ' + path)
    return m.group(1)


class Ucd:
    def __init__(self, ucd_dir):
        files = {n: os.path.join(ucd_dir, n + '.txt')
                 for n in ('DerivedGeneralCategory', 'PropList', 'CaseFolding')}
        versions = {ucd_version(p) for p in files.values()}
        if len(versions) != 1:
            die('UCD files disagree on the version: %s' % sorted(versions))
        self.version = versions.pop()

        # General category per code point; absent == Cn.
        self.gc_ranges = {g: [] for g in ALL_GC}
        for lo, hi, f in ucd_lines(files['DerivedGeneralCategory']):
            if f[0] not in self.gc_ranges:
                die('unknown general category %r' % f[0])
            self.gc_ranges[f[0]].append((lo, hi))
        self.gc_bits = {g: bits_from_ranges(r) for g, r in self.gc_ranges.items()}
        listed = 0
        for g in ALL_GC:
            if listed & self.gc_bits[g]:
                die('general category ranges overlap (%s)' % g)
            listed |= self.gc_bits[g]
        self.gc_bits['Cn'] |= ALL & ~listed

        self.ws_ranges = [(lo, hi) for lo, hi, f in ucd_lines(files['PropList'])
                          if f[0] == 'White_Space']
        self.ws_bits = bits_from_ranges(self.ws_ranges)

        # Simple case folding: statuses C and S (F is full folding, T Turkic).
        self.fold = {}
        for lo, hi, f in ucd_lines(files['CaseFolding']):
            if f[0] in ('C', 'S'):
                if lo != hi:
                    die('unexpected range in CaseFolding.txt')
                self.fold[lo] = int(f[1], 16)

    def prop_bits(self, name):
        if name not in PROP_GCS:
            die('unsupported property \\p{%s}' % name)
        b = 0
        for g in PROP_GCS[name]:
            b |= self.gc_bits[g]
        return b

    def fold_orbit(self, cp):
        """All code points with the same simple case folding as cp."""
        target = self.fold.get(cp, cp)
        orbit = {target}
        orbit.update(c for c, t in self.fold.items() if t == target)
        return sorted(orbit)

    def flags(self):
        """bytearray of the flag byte of every code point."""
        out = bytearray(NCP)
        for g, fl in GC_FLAGS.items():
            for lo, hi in self.gc_ranges[g]:
                out[lo:hi + 1] = bytes([fl]) * (hi - lo + 1)
        for lo, hi in self.ws_ranges:
            for cp in range(lo, hi + 1):
                out[cp] |= F_WS
        return out

    def flag_bits(self, mask):
        b = 0
        for g, fl in GC_FLAGS.items():
            if fl & mask:
                b |= self.gc_bits[g]
        if mask & F_WS:
            b |= self.ws_bits
        return b


# --- PCRE2 probe ----------------------------------------------------------
class Probe:
    def __init__(self, exe):
        self.exe = exe
        self.cache = {}
        self.version = None
        self.unicode = None

    def sets(self, frags):
        todo = [f for f in dict.fromkeys(frags) if f not in self.cache]
        if todo:
            for f in todo:
                if '\n' in f:
                    die('fragment contains a newline')
            p = subprocess.run([self.exe], input='\n'.join(todo) + '\n',
                               capture_output=True, text=True, check=False)
            if p.returncode != 0:
                die('pcre2_probe failed: ' + p.stderr.strip())
            lines = p.stdout.split('\n')
            m = re.match(r'# pcre2 (\S+) \S+ unicode (\S+)', lines[0])
            if not m:
                die('unexpected pcre2_probe output')
            self.version, self.unicode = m.group(1), m.group(2)
            for f, line in zip(todo, lines[1:1 + len(todo)]):
                rs = [tuple(int(x, 16) for x in r.split('-')) for r in line.split()]
                self.cache[f] = bits_from_ranges(rs)
        return [self.cache[f] for f in frags]

    def one(self, frag):
        return self.sets([frag])[0]

    def compiled_sizes(self, patterns):
        """Compile whole patterns with the core's options; sizes in bytes."""
        p = subprocess.run([self.exe, '--size'], input='\n'.join(patterns) + '\n',
                           capture_output=True, text=True, check=False)
        if p.returncode != 0:
            die('a translated pattern does not compile: ' + p.stderr.strip())
        lines = p.stdout.split('\n')[1:1 + len(patterns)]
        if any(not ln.isdigit() for ln in lines):
            die('a translated pattern does not JIT-compile: %r' % lines)
        return [int(ln) for ln in lines]


def build_probe(cc):
    tmp = tempfile.mkdtemp(prefix='tkm_probe_')
    exe = os.path.join(tmp, 'pcre2_probe')
    src = os.path.join(REPO, 'tools', 'pcre2_probe.c')
    cmd = [cc, '-std=c11', '-O2', src, '-lpcre2-8', '-o', exe]
    p = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if p.returncode != 0:
        die('cannot build the probe (%s): %s' % (' '.join(cmd), p.stderr.strip()))
    return tmp, exe


# --- PCRE2 text helpers ---------------------------------------------------
def pcre_cp(cp):
    """One code point for use inside a PCRE2 class (or as an atom)."""
    if cp < 0x80 and chr(cp).isalnum():
        return chr(cp)
    return '\\x{%x}' % cp


def pcre_ranges(ranges):
    out = []
    for lo, hi in ranges:
        if lo == hi:
            out.append(pcre_cp(lo))
        elif hi == lo + 1:
            out.append(pcre_cp(lo) + pcre_cp(hi))
        else:
            out.append(pcre_cp(lo) + '-' + pcre_cp(hi))
    return ''.join(out)


# --- the translator -------------------------------------------------------
class ClassInfo:
    """One distinct character class of the patterns, after translation."""

    def __init__(self, name, pcre2, mask, negated, literals, target, n_add, n_rem):
        self.name = name          # the class as written in tiktoken's pattern
        self.pcre2 = pcre2        # PCRE2 fragment, one atom matching one cp
        self.mask = mask          # TKM_UC_* flags that are members
        self.negated = negated    # the class is the complement
        self.literals = literals  # extra member code points (ASCII)
        self.target = target      # exact UCD set (bits) the fragment matches
        self.n_add = n_add        # code points added to PCRE2's view
        self.n_rem = n_rem        # code points removed from PCRE2's view


class Translator:
    def __init__(self, ucd, probe):
        self.ucd = ucd
        self.probe = probe
        self.classes = {}     # name -> ClassInfo
        self.folds = {}       # letters -> (name, fragment) for (?i:..) letters
        self.ws_text = pcre_ranges(ucd.ws_ranges)

    # A class is a list of items: ('p', NAME), ('s',), ('c', cp).
    def class_fragment(self, name, items, negated, caseless):
        ucd = self.ucd
        texts = []
        inner16 = 0
        props = set()
        literals = []
        letters = []
        for it in items:
            if it[0] == 'p':
                if caseless:
                    die('\\p{..} inside (?i:..) is not supported')
                texts.append('\\p{%s}' % it[1])
                inner16 |= ucd.prop_bits(it[1])
                props.add(it[1])
            elif it[0] == 's':
                texts.append(self.ws_text)
                inner16 |= ucd.ws_bits
                props.add('s')
            else:
                cps = ucd.fold_orbit(it[1]) if caseless else [it[1]]
                if caseless and len(cps) > 1:
                    letters.append(chr(it[1]))
                texts.append(pcre_ranges([(c, c) for c in cps]))
                for c in cps:
                    inner16 |= 1 << c
                literals.extend(cps)
        inner16 &= SCALARS
        base = ''.join(texts)
        inner_pcre = self.probe.one('[' + base + ']') & SCALARS
        add = inner16 & ~inner_pcre
        rem = inner_pcre & ~inner16
        add_text = pcre_ranges(ranges_from_bits(add))
        rem_text = pcre_ranges(ranges_from_bits(rem))
        if not negated:
            target = inner16
            if len(items) == 1 and items[0][0] == 'p' and not add and not rem:
                frag = base
            else:
                frag = '[' + base + add_text + ']'
            if rem:
                frag = '(?:(?![' + rem_text + '])' + frag + ')'
        else:
            target = SCALARS & ~inner16
            frag = '[^' + base + add_text + ']'
            if rem:
                frag = '(?:' + frag + '|[' + rem_text + '])'

        got = self.probe.one(frag) & SCALARS
        if got != target:
            diff = ranges_from_bits(got ^ target)[:5]
            die('translated class %s is not exact; first differences %s' % (name, diff))

        if letters:
            key = ''.join(letters)
            if self.folds.get(key, (name, frag)) != (name, frag):
                die('inconsistent fold class for ' + key)
            self.folds[key] = (name, frag)
            if props or len(letters) != len(items):
                die('mixed caseless class %s is not supported' % name)
            return frag, ('fold', key)

        # Describe the class as flags + literals so the test can check it.
        pset = frozenset(p for p in props if p != 's')
        mask = PROPSET_MASK.get(pset, 0) if pset else 0
        if pset and not mask:
            die('no flag mask for class ' + name)
        if 's' in props:
            mask |= F_WS
        lit_bits = 0
        for c in literals:
            lit_bits |= 1 << c
        expect = (ucd.flag_bits(mask) | lit_bits) & SCALARS
        if expect != inner16:
            die('flag description of class %s is wrong' % name)
        if any(c >= 0x80 for c in literals):
            die('non-ASCII literal in class ' + name)
        key = name
        if key in self.classes and self.classes[key].pcre2 != frag:
            die('inconsistent translation of ' + key)
        self.classes[key] = ClassInfo(name, frag, mask, negated,
                                      ''.join(chr(c) for c in literals), target,
                                      bin(add).count('1'), bin(rem).count('1'))
        return frag, ('class', key)

    def translate(self, pat):
        """Translate one pattern. Returns a list of pieces (original text,
        PCRE2 text, ref): ref is ('class', key) or ('fold', key) for a
        translated class, None for text that is copied or rewritten."""
        pieces = []
        stack = []      # kinds of open groups: 'i' for (?i:..), '' otherwise
        i = 0
        n = len(pat)

        def emit(orig, text=None, ref=None):
            text = orig if text is None else text
            if ref is None and pieces and pieces[-1][2] is None and orig == text \
                    and pieces[-1][0] == pieces[-1][1]:
                # Merge runs of copied text into one piece.
                pieces[-1] = (pieces[-1][0] + orig, pieces[-1][1] + text, None)
            else:
                pieces.append((orig, text, ref))

        def emit_class(orig, frag_ref):
            emit(orig, frag_ref[0], frag_ref[1])

        def caseless():
            return 'i' in stack

        def escape_item(j):
            """Parse an escape at pat[j] == '\\'; return (item, name, end)."""
            c = pat[j + 1]
            if c == 'p':
                m = re.compile(r'\{([A-Za-z]+)\}').match(pat, j + 2)
                if not m:
                    die('bad \\p at %d' % j)
                return ('p', m.group(1)), pat[j:m.end()], m.end()
            if c == 's':
                return ('s',), '\\s', j + 2
            if c == 'r':
                return ('c', 0x0D), '\\r', j + 2
            if c == 'n':
                return ('c', 0x0A), '\\n', j + 2
            die('unsupported escape \\%s' % c)
            return None

        while i < n:
            c = pat[i]
            if c == '\\':
                if pat[i + 1] == 'S':
                    emit_class('\\S', self.class_fragment('\\S', [('s',)], True, False))
                    i += 2
                    continue
                item, name, i = escape_item(i)
                if item[0] == 'c':
                    # \r and \n have no case variants; keep them as written.
                    emit(name)
                else:
                    emit_class(name, self.class_fragment(name, [item], False, caseless()))
            elif c == '[':
                j = i + 1
                negated = pat[j] == '^'
                if negated:
                    j += 1
                items = []
                while pat[j] != ']':
                    if pat[j] == '\\':
                        item, _, j = escape_item(j)
                    elif pat[j] in '[-^':
                        die('unsupported class syntax at %d' % j)
                    else:
                        item = ('c', ord(pat[j]))
                        j += 1
                    items.append(item)
                name = pat[i:j + 1]
                emit_class(name, self.class_fragment(name, items, negated, caseless()))
                i = j + 1
            elif c == '(':
                if pat.startswith('(?i:', i):
                    # Case-insensitivity is compiled into explicit classes.
                    stack.append('i')
                    emit('(?i:', '(?:')
                    i += 4
                elif pat.startswith('(?:', i) or pat.startswith('(?!', i):
                    stack.append('')
                    emit(pat[i:i + 3])
                    i += 3
                else:
                    die('unsupported group at %d' % i)
            elif c == ')':
                if not stack:
                    die('unbalanced ) at %d' % i)
                stack.pop()
                emit(')')
                i += 1
            elif c == '$':
                # Rust regex without (?m): $ is the end of the text only.
                emit('$', '\\z')
                i += 1
            elif c in '|?*+':
                emit(c)
                i += 1
            elif c == '{':
                m = re.compile(r'\{\d+(,\d*)?\}').match(pat, i)
                if not m:
                    die('bad quantifier at %d' % i)
                emit(m.group(0))
                i = m.end()
            elif c in '.^]':
                die('unsupported syntax %r at %d' % (c, i))
            else:
                cp = ord(c)
                if caseless() and len(self.ucd.fold_orbit(cp)) > 1:
                    emit_class(c, self.class_fragment(c, [('c', cp)], False, True))
                elif cp < 0x80 and (c.isalnum() or c in " '/"):
                    emit(c)
                else:
                    die('unsupported literal U+%04X' % cp)
                i += 1
        if stack:
            die('unclosed group')
        if ''.join(p[0] for p in pieces) != pat:
            die('pieces do not reassemble the pattern')
        return pieces


def skeleton(pieces):
    """The translation with every class shown as <its tiktoken text>."""
    out = []
    for orig, text, ref in pieces:
        if ref is None:
            out.append(text)
        elif ref[0] == 'fold':
            out.append('<(?i)%s>' % orig)
        else:
            out.append('<%s>' % orig)
    return ''.join(out)


# --- C output helpers -----------------------------------------------------
GEN_NOTE = 'generated by tools/gen_unicode.py from UCD %s; do not edit'
C_LIMIT = 4095   # longest string literal ISO C requires (-Woverlength-strings)
# One regex atom of the texts we emit: a \x{..} or \p{..} item, an escape,
# a <class> placeholder of a skeleton, or any single character.
ATOM_RE = re.compile(r'\\x\{[0-9a-fA-F]+\}|\\p\{[A-Za-z]+\}|\\.|<[^<>]+>|.', re.S)


def c_string_literal(s, indent='    ', width=76):
    """s as one or more adjacent C string literals."""
    def esc(ch, prev):
        if ch == '\\':
            return '\\\\'
        if ch == '"':
            return '\\"'
        if ch == '?' and prev == '?':
            return '\\?'       # never form a trigraph
        if ch in '\r\n':
            return {'\r': '\\r', '\n': '\\n'}[ch]
        o = ord(ch)
        if 0x20 <= o < 0x7F:
            return ch
        raise ValueError('non-printable character in pattern text')
    pieces = []
    cur = ''
    prev = ''
    # Break lines only between regex atoms so each line stays readable.
    for atom in ATOM_RE.findall(s):
        e = ''
        for ch in atom:
            e += esc(ch, prev)
            prev = ch
        if cur and len(cur) + len(e) > width:
            pieces.append(cur)
            cur = ''
        cur += e
    pieces.append(cur)
    return ('\n' + indent).join('"%s"' % p for p in pieces)


def wrap_comment(s, indent=' *     ', width=72):
    """s (a regex) wrapped between atoms for a block comment."""
    lines = []
    cur = ''
    for atom in ATOM_RE.findall(s):
        if cur and len(cur) + len(atom) > width:
            lines.append(cur)
            cur = ''
        cur += atom
    lines.append(cur)
    return '\n'.join(indent + c_comment_text(x) for x in lines)


def c_char_array_init(s, indent='    ', per_line=12):
    """s as a brace-enclosed list of character constants plus the NUL."""
    def ch(c):
        if c == '\\':
            return "'\\\\'"
        if c == "'":
            return "'\\''"
        if 0x20 <= ord(c) < 0x7F:
            return "'%s'" % c
        raise ValueError('non-printable character in pattern text')
    items = [ch(c) for c in s] + ['0']
    lines = []
    for k in range(0, len(items), per_line):
        lines.append(indent + ', '.join(items[k:k + per_line]) + ',')
    return '{\n' + '\n'.join(lines) + '\n}'


def c_string_def(qual_name, s):
    """A definition `const char NAME[] = ...;` valid for any length."""
    if len(s) <= C_LIMIT:
        return 'const char %s[] =\n    %s;\n' % (qual_name, c_string_literal(s))
    # Longer than ISO C's literal limit: a char array of character constants.
    return 'const char %s[] = %s;\n' % (qual_name, c_char_array_init(s))


def c_static_string_def(name, s):
    return 'static ' + c_string_def(name, s)


def c_comment_text(s):
    return s.replace('*/', '*\\/')


# --- generation -----------------------------------------------------------
def gen_unicode_data(ucd):
    flags = ucd.flags()
    blocks = {}
    stage1 = []
    order = []
    for b in range(NCP // 256):
        blk = bytes(flags[b * 256:(b + 1) * 256])
        if blk not in blocks:
            blocks[blk] = len(order)
            order.append(blk)
        stage1.append(blocks[blk])
    nblocks = len(order)
    # The leading blocks whose stage-1 entry names themselves: below that
    # limit a code point's flags are tkm_uc_stage2[cp], without the stage-1
    # load. The scanner relies on it for every 2-byte UTF-8 sequence.
    direct = 0
    while direct < len(stage1) and stage1[direct] == direct:
        direct += 1
    if direct * 256 < 0x800:
        die('stage 1 is not the identity below U+0800 (the scanner needs it)')
    s1_type = 'uint8_t' if nblocks <= 256 else 'uint16_t'
    s1_size = len(stage1) * (1 if nblocks <= 256 else 2)
    s2_size = nblocks * 256
    note = GEN_NOTE % ucd.version

    h = []
    h.append('/* unicode_data.h — %s. */\n' % note)
    h.append('/*\n'
             ' * Internal (not public API): per-code-point character classes of\n'
             ' * Unicode %s as tiktoken\'s regex engine sees them. General\n'
             ' * categories come from DerivedGeneralCategory.txt (unassigned code\n'
             ' * points get 0), White_Space from PropList.txt. The lookup is a\n'
             ' * two-stage table: stage 1, indexed by cp >> 8, names one of the\n'
             ' * %d distinct 256-entry blocks of stage 2 (%d + %d bytes).\n'
             ' * tkm_uc_flags() is static inline so the scanner\'s hot loop inlines it.\n'
             ' * Below TKM_UC_DIRECT_LIMIT stage 1 is the identity (each block is\n'
             ' * its own, the first of stage 2), so tkm_uc_flags_direct() reads\n'
             ' * stage 2 alone: every 2-byte UTF-8 sequence is in that range.\n'
             ' */\n' % (ucd.version, nblocks, s1_size, s2_size))
    h.append('#ifndef TKM_UNICODE_DATA_H\n#define TKM_UNICODE_DATA_H\n\n'
             '#include <stdint.h>\n\n')
    h.append('#define TKM_UC_UNICODE_VERSION "%s"\n\n' % ucd.version)
    for nm, v, desc in FLAG_NAMES:
        h.append('#define %-9s 0x%02x /* %s */\n' % (nm, v, desc))
    h.append('\n#define TKM_UC_STAGE1_LEN %du\n' % len(stage1))
    h.append('#define TKM_UC_STAGE2_BLOCKS %du\n\n' % nblocks)
    h.append('extern const %s tkm_uc_stage1[TKM_UC_STAGE1_LEN];\n' % s1_type)
    h.append('extern const uint8_t tkm_uc_stage2[TKM_UC_STAGE2_BLOCKS * 256u];\n\n')
    h.append('/* The TKM_UC_* flags of code point cp; 0 for cp > 0x10FFFF. */\n'
             'static inline uint8_t tkm_uc_flags(uint32_t cp)\n'
             '{\n'
             '    if (cp > 0x10FFFFu)\n'
             '        return 0;\n'
             '    return tkm_uc_stage2[(uint32_t)tkm_uc_stage1[cp >> 8] * 256u + (cp & 0xFFu)];\n'
             '}\n\n')
    h.append('/* Code points below this (at least U+0800) have tkm_uc_stage1[cp >> 8]\n'
             ' * == cp >> 8. */\n'
             '#define TKM_UC_DIRECT_LIMIT 0x%04xu\n\n' % (direct * 256))
    h.append('/* tkm_uc_flags(cp) for cp < TKM_UC_DIRECT_LIMIT, with one load instead\n'
             ' * of two dependent ones. */\n'
             'static inline uint8_t tkm_uc_flags_direct(uint32_t cp)\n'
             '{\n'
             '    return tkm_uc_stage2[cp];\n'
             '}\n\n#endif /* TKM_UNICODE_DATA_H */\n')

    c = []
    c.append('/* unicode_data.c — %s. */\n' % note)
    c.append('#include "unicode_data.h"\n\n')
    c.append('/* Stage 1: block number of each 256-code-point block (cp >> 8). */\n')
    c.append('const %s tkm_uc_stage1[TKM_UC_STAGE1_LEN] = {\n' % s1_type)
    for k in range(0, len(stage1), 16):
        c.append('    ' + ', '.join('%d' % x for x in stage1[k:k + 16]) + ',\n')
    c.append('};\n\n')
    c.append('/* Stage 2: the distinct blocks, 256 flag bytes each. */\n')
    c.append('const uint8_t tkm_uc_stage2[TKM_UC_STAGE2_BLOCKS * 256u] = {\n')
    for bi, blk in enumerate(order):
        c.append('    /* block %d */\n' % bi)
        for k in range(0, 256, 16):
            c.append('    ' + ', '.join('0x%02x' % x for x in blk[k:k + 16]) + ',\n')
    c.append('};\n')
    return ''.join(h), ''.join(c), (nblocks, s1_size, s2_size)


def gen_patterns(ucd, probe, tr, translated):
    note = GEN_NOTE % ucd.version
    h = []
    h.append('/* builtin_patterns.h — %s. */\n' % note)
    h.append('/*\n'
             ' * Internal (not public API): tiktoken 0.14\'s built-in pre-tokenizer\n'
             ' * patterns (tkm_pattern_*), exactly as tiktoken_ext/openai_public.py\n'
             ' * writes them, and an exact PCRE2 translation of each\n'
             ' * (tkm_pcre2_pattern_*) that reproduces tiktoken\'s Unicode %s\n'
             ' * classes on a PCRE2 whose own tables are older.\n'
             ' *\n'
             ' * Compile the translations with exactly\n'
             ' *     PCRE2_UTF | PCRE2_DOLLAR_ENDONLY\n'
             ' * (PCRE2_UCP is harmless: the translations use no \\s, \\d, \\w, \\b or\n'
             ' * POSIX classes; PCRE2_CASELESS, PCRE2_MULTILINE, PCRE2_DOTALL and\n'
             ' * PCRE2_EXTENDED must NOT be set), JIT-compile them, and match\n'
             ' * valid UTF-8 with PCRE2_NO_UTF_CHECK.\n'
             ' *\n'
             ' * The translations add and remove code points relative to PCRE2\'s\n'
             ' * own \\p{..} tables, probed from PCRE2 %s (Unicode %s). They are\n'
             ' * exact only with a PCRE2 whose Unicode version is\n'
             ' * TKM_PCRE2_UNICODE_VERSION (compare pcre2_config(\n'
             ' * PCRE2_CONFIG_UNICODE_VERSION)); rerun tools/gen_unicode.py for any\n'
             ' * other. tests/test_unicode.c checks every class per code point.\n'
             ' */\n' % (ucd.version, probe.version, probe.unicode))
    h.append('#ifndef TKM_BUILTIN_PATTERNS_H\n#define TKM_BUILTIN_PATTERNS_H\n\n'
             '#include <stddef.h>\n#include <stdint.h>\n\n')
    h.append('#define TKM_PATTERNS_UNICODE_VERSION "%s"\n' % ucd.version)
    h.append('#define TKM_PCRE2_PROBED_VERSION "%s"\n' % probe.version)
    h.append('#define TKM_PCRE2_UNICODE_VERSION "%s"\n\n' % probe.unicode)
    for name, _ in PATTERNS:
        h.append('extern const char tkm_pattern_%s[];\n' % name)
        h.append('extern const char tkm_pcre2_pattern_%s[];\n' % name)
    h.append('\n/*\n'
             ' * For tests: every character class of the patterns with its PCRE2\n'
             ' * fragment (one atom matching one code point). A code point cp with\n'
             ' * flags f = tkm_uc_flags(cp) belongs to the class iff\n'
             ' *     negated != ((f & mask) != 0 || cp is in literals).\n'
             ' */\n'
             'typedef struct tkm_pcre2_class {\n'
             '    const char *name;     /* the class as tiktoken writes it */\n'
             '    const char *pcre2;    /* its exact PCRE2 translation */\n'
             '    uint8_t mask;         /* TKM_UC_* flags that are members */\n'
             '    uint8_t negated;      /* 1: the class is the complement */\n'
             '    const char *literals; /* further ASCII members, NUL-terminated */\n'
             '} tkm_pcre2_class;\n\n'
             'extern const tkm_pcre2_class tkm_pcre2_classes[];\n'
             'extern const size_t tkm_pcre2_class_count;\n\n'
             '/*\n'
             ' * For tests: the translation of a letter or letter class inside\n'
             ' * (?i:..). The fragment matches cp iff the simple case folding\n'
             ' * (CaseFolding.txt C+S) of cp equals that of one of the letters.\n'
             ' */\n'
             'typedef struct tkm_pcre2_fold {\n'
             '    const char *name;    /* as tiktoken writes it: "s" or "[sdmt]" */\n'
             '    const char *letters; /* the letters it stands for */\n'
             '    const char *pcre2;\n'
             '} tkm_pcre2_fold;\n\n'
             'extern const tkm_pcre2_fold tkm_pcre2_folds[];\n'
             'extern const size_t tkm_pcre2_fold_count;\n\n'
             '/*\n'
             ' * For tests: how each translation was built. Concatenating the pieces\'\n'
             ' * `original` gives tkm_pattern_*, concatenating their `pcre2` gives\n'
             ' * tkm_pcre2_pattern_*. A piece is a translated class (class_index >= 0,\n'
             ' * texts equal to that class\'s name and pcre2), a (?i) letter class\n'
             ' * (fold_index >= 0, likewise), or text copied unchanged, except for the\n'
             ' * two rewrites "$" -> "\\\\z" and "(?i:" -> "(?:".\n'
             ' */\n'
             'typedef struct tkm_pcre2_piece {\n'
             '    const char *original;\n'
             '    const char *pcre2;\n'
             '    int class_index;\n'
             '    int fold_index;\n'
             '} tkm_pcre2_piece;\n\n'
             'typedef struct tkm_pcre2_recipe {\n'
             '    const char *name;\n'
             '    const char *original; /* tkm_pattern_* */\n'
             '    const char *pcre2;    /* tkm_pcre2_pattern_* */\n'
             '    const tkm_pcre2_piece *pieces;\n'
             '    size_t n_pieces;\n'
             '} tkm_pcre2_recipe;\n\n'
             'extern const tkm_pcre2_recipe tkm_pcre2_recipes[];\n'
             'extern const size_t tkm_pcre2_recipe_count;\n\n'
             '#endif /* TKM_BUILTIN_PATTERNS_H */\n')

    c = []
    c.append('/* builtin_patterns.c — %s. */\n' % note)
    c.append('/*\n'
             ' * Pattern texts longer than the 4095 characters ISO C guarantees for a\n'
             ' * string literal are written as arrays of character constants.\n'
             ' */\n')
    c.append('#include "builtin_patterns.h"\n\n#include "unicode_data.h"\n\n')
    for name, pat in PATTERNS:
        pieces = translated[name]
        text = ''.join(p[1] for p in pieces)
        c.append('/* tiktoken 0.14 %s pattern. */\n' % name)
        c.append(c_string_def('tkm_pattern_' + name, pat))
        c.append('\n/*\n * PCRE2 translation of tkm_pattern_%s (%d bytes). Its structure, with\n'
                 ' * <class> standing for the class\'s entry in tkm_pcre2_classes (or\n'
                 ' * <(?i)x> for tkm_pcre2_folds):\n' % (name, len(text)))
        c.append(wrap_comment(skeleton(pieces)) + '\n */\n')
        c.append(c_string_def('tkm_pcre2_pattern_' + name, text))
        c.append('\n')

    c.append('/* ---- For tests/test_unicode.c ---- */\n\n')
    keys = sorted(tr.classes)
    class_index = {key: k for k, key in enumerate(keys)}
    for k, key in enumerate(keys):
        ci = tr.classes[key]
        c.append('/* %s: %d code points added to and %d removed from PCRE2\'s view. */\n'
                 % (c_comment_text(ci.name), ci.n_add, ci.n_rem))
        c.append(c_static_string_def('class_%d' % k, ci.pcre2))
    c.append('\nconst tkm_pcre2_class tkm_pcre2_classes[] = {\n')
    for k, key in enumerate(keys):
        ci = tr.classes[key]
        mask = ' | '.join(nm for nm, v, _ in FLAG_NAMES if ci.mask & v) or '0'
        c.append('    {%s, class_%d, %s, %d, %s},\n'
                 % (c_string_literal(ci.name), k, mask, 1 if ci.negated else 0,
                    c_string_literal(ci.literals)))
    c.append('};\n\nconst size_t tkm_pcre2_class_count =\n'
             '    sizeof tkm_pcre2_classes / sizeof tkm_pcre2_classes[0];\n\n')
    fkeys = sorted(tr.folds)
    fold_index = {key: k for k, key in enumerate(fkeys)}
    c.append('const tkm_pcre2_fold tkm_pcre2_folds[] = {\n')
    for letters in fkeys:
        fname, frag = tr.folds[letters]
        c.append('    {%s, %s, %s},\n' % (c_string_literal(fname), c_string_literal(letters),
                                          c_string_literal(frag)))
    c.append('};\n\nconst size_t tkm_pcre2_fold_count =\n'
             '    sizeof tkm_pcre2_folds / sizeof tkm_pcre2_folds[0];\n\n')

    for name, _ in PATTERNS:
        c.append('static const tkm_pcre2_piece pieces_%s[] = {\n' % name)
        for orig, text, ref in translated[name]:
            if ref is None:
                c.append('    {%s, %s, -1, -1},\n' % (c_string_literal(orig),
                                                      c_string_literal(text)))
            elif ref[0] == 'class':
                k = class_index[ref[1]]
                c.append('    {%s, class_%d, %d, -1},\n' % (c_string_literal(orig), k, k))
            else:
                k = fold_index[ref[1]]
                c.append('    {%s, %s, -1, %d},\n' % (c_string_literal(orig),
                                                      c_string_literal(text), k))
        c.append('};\n\n')
    c.append('const tkm_pcre2_recipe tkm_pcre2_recipes[] = {\n')
    for name, _ in PATTERNS:
        c.append('    {"%s", tkm_pattern_%s, tkm_pcre2_pattern_%s, pieces_%s,\n'
                 '     sizeof pieces_%s / sizeof pieces_%s[0]},\n'
                 % (name, name, name, name, name, name))
    c.append('};\n\nconst size_t tkm_pcre2_recipe_count =\n'
             '    sizeof tkm_pcre2_recipes / sizeof tkm_pcre2_recipes[0];\n')
    return ''.join(h), ''.join(c)


def report(ucd, probe, tr, sizes):
    """Print what differs between PCRE2's tables and UCD 16 (to stderr)."""
    err = sys.stderr
    nblocks, s1, s2 = sizes
    print('unicode_data: %d unique blocks, stage1 %d bytes, stage2 %d bytes, total %d'
          % (nblocks, s1, s2, s1 + s2), file=err)
    print('PCRE2 %s with Unicode %s vs UCD %s' % (probe.version, probe.unicode, ucd.version),
          file=err)
    for key in sorted(tr.classes):
        ci = tr.classes[key]
        print('  class %-34s +%d -%d' % (ci.name, ci.n_add, ci.n_rem), file=err)
    views = {name: probe.one('\\p{%s}' % name) & SCALARS for name in ['L', 'N', 'M']}
    for name in ['L', 'N', 'M']:
        u16 = ucd.prop_bits(name) & SCALARS
        print('  \\p{%s}: %d added, %d removed' % (
            name, bin(u16 & ~views[name]).count('1'), bin(views[name] & ~u16).count('1')),
            file=err)
    # General-category changes of code points PCRE2 already had assigned.
    pv = dict(zip(ALL_GC, probe.sets(['\\p{%s}' % g for g in ALL_GC])))
    changes = []
    for g_old in ALL_GC:
        if g_old in ('Cn', 'Cs'):
            continue
        for g_new in ALL_GC:
            if g_new == g_old:
                continue
            both = pv[g_old] & ucd.gc_bits[g_new] & SCALARS
            for lo, hi in ranges_from_bits(both):
                changes.append((lo, hi, g_old, g_new))
    changes.sort()
    print('  category changes of previously assigned code points: %d ranges' % len(changes),
          file=err)
    for lo, hi, a, b in changes:
        print('    U+%04X%s: %s -> %s' % (lo, '' if lo == hi else '..U+%04X' % hi, a, b),
              file=err)


def write_if_changed(path, text, check):
    old = None
    if os.path.exists(path):
        with open(path, encoding='utf-8') as f:
            old = f.read()
    if old == text:
        return True
    if check:
        print('out of date: ' + os.path.relpath(path, REPO), file=sys.stderr)
        return False
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('ucd_dir', nargs='?', default=DEFAULT_UCD)
    ap.add_argument('--probe', help='prebuilt tools/pcre2_probe.c executable')
    ap.add_argument('--cc', default=os.environ.get('CC', 'cc'))
    ap.add_argument('--check', action='store_true',
                    help='write nothing; fail if the generated files differ')
    ap.add_argument('--quiet', action='store_true')
    args = ap.parse_args()

    ucd = Ucd(args.ucd_dir)
    tmp = None
    if args.probe:
        exe = args.probe
    else:
        tmp, exe = build_probe(args.cc)
    try:
        probe = Probe(exe)
        tr = Translator(ucd, probe)
        translated = {name: tr.translate(pat) for name, pat in PATTERNS}
        texts = {name: ''.join(p[1] for p in translated[name]) for name, _ in PATTERNS}
        sizes_c = probe.compiled_sizes([texts[name] for name, _ in PATTERNS])
        uh, uc, sizes = gen_unicode_data(ucd)
        ph, pc = gen_patterns(ucd, probe, tr, translated)
        if not args.quiet:
            report(ucd, probe, tr, sizes)
            for (name, _), sz in zip(PATTERNS, sizes_c):
                print('  %s: translation %d chars, compiled %d bytes'
                      % (name, len(texts[name]), sz), file=sys.stderr)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    ok = True
    src = os.path.join(REPO, 'src')
    for fname, text in (('unicode_data.h', uh), ('unicode_data.c', uc),
                        ('builtin_patterns.h', ph), ('builtin_patterns.c', pc)):
        ok &= write_if_changed(os.path.join(src, fname), text, args.check)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
