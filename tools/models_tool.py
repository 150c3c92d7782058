#!/usr/bin/env python3
"""models_tool.py - validate tokmeter's model table and import prices from litellm.

Usage:
  models_tool.py validate data/models.tkm
      Parse the table (the format is documented in include/tokmeter_account.h
      and in the header of data/models.tkm) and check it:
        - every price parses as an exact decimal with at most 9 decimals
          (nano-dollars per 1M units) and every key is known;
        - cached input <= input, for every service tier and the long tier;
        - batch prices are about 50% of the standard ones (45-55%);
        - limits are consistent (max_input <= context, max_output <= context);
        - every chat model has an encoding, a chat format and message rules;
        - no duplicate model names or aliases;
        - every model cites an existing [source] and a verified date.
      Exit status 0 when the table is valid, 1 otherwise (problems on stderr).

  models_tool.py selftest
      Check that the validator accepts a good table and reports each kind of
      problem above in a bad one.

  models_tool.py import LITELLM_JSON NAME [NAME...] [--source ID]
      Print [model] sections for litellm entries NAME (prices converted from
      USD per token to exact USD per 1M tokens), ready to paste and complete.

  models_tool.py update TABLE LITELLM_JSON [--source ID] [--write]
      For every model of TABLE whose source is ID (default: every model whose
      name is a litellm key), compare the price and limit keys with litellm
      and print the differences; with --write, rewrite those keys in place.

Python 3 standard library only.
"""

import json
import re
import sys
from decimal import Decimal, InvalidOperation

PRICE_KEYS = [
    "input", "cached_input", "output",
    "batch_input", "batch_cached_input", "batch_output",
    "flex_input", "flex_cached_input", "flex_output",
    "priority_input", "priority_cached_input", "priority_output",
    "long_input", "long_cached_input", "long_output",
    "image_input", "image_output", "minute", "chars",
]
INT_KEYS = ["context", "max_input", "max_output", "long_threshold", "tool_call"]
OTHER_KEYS = ["base", "aliases", "kind", "encoding", "format", "message", "tools", "image",
              "image_price", "rate", "source", "verified"]
MODEL_KEYS = set(PRICE_KEYS + INT_KEYS + OTHER_KEYS)
SOURCE_KEYS = {"url", "as_of", "verified", "note"}
KINDS = {"chat", "completion", "embedding", "image", "transcription", "speech"}
FORMATS = {"chatml", "harmony", "none"}
ENCODINGS = {"r50k_base", "p50k_base", "p50k_edit", "cl100k_base", "o200k_base", "o200k_harmony"}
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SNAPSHOT_RE = re.compile(r"-\d{4}-\d{2}-\d{2}$")


class TableError(Exception):
    pass


class Section:
    def __init__(self, kind, name, line):
        self.kind = kind
        self.name = name
        self.line = line
        self.keys = {}   # key -> (value, line)
        self.rates = []  # (value, line)

    def get(self, key, default=None):
        v = self.keys.get(key)
        return v[0] if v else default


def parse(text):
    """Return (version, sources, models, templates); sections keep their own keys,
    models also get .resolved: the keys after applying base inheritance."""
    version = None
    sections = []
    cur = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            m = re.fullmatch(r"\[(source|template|model)\s+(\S+)\]", line)
            if not m:
                raise TableError(f"line {lineno}: bad section header {line!r}")
            cur = Section(m.group(1), m.group(2), lineno)
            sections.append(cur)
            continue
        key, sep, val = line.partition("=")
        if not sep:
            raise TableError(f"line {lineno}: expected 'key = value'")
        key, val = key.strip(), val.strip()
        if cur is None:
            if key != "version":
                raise TableError(f"line {lineno}: only 'version' may precede the first section")
            version = val
            continue
        allowed = SOURCE_KEYS if cur.kind == "source" else MODEL_KEYS
        if key not in allowed:
            raise TableError(f"line {lineno}: unknown key {key!r} in [{cur.kind}]")
        if key == "base" and cur.keys:
            raise TableError(f"line {lineno}: 'base' must be the first key of a section")
        if key == "rate":
            cur.rates.append((val, lineno))
            continue
        if key in cur.keys:
            raise TableError(f"line {lineno}: duplicate key {key!r}")
        cur.keys[key] = (val, lineno)

    sources = {s.name: s for s in sections if s.kind == "source"}
    byname = {}
    models, templates = [], []
    for s in sections:
        if s.kind == "source":
            continue
        resolved = {}
        b = s.get("base")
        if b is not None:
            if b not in byname:
                raise TableError(f"line {s.line}: base {b!r} is not defined earlier")
            resolved.update(byname[b].resolved)
            resolved.pop("aliases", None)
        for k, (v, _) in s.keys.items():
            if k != "base":
                resolved[k] = v
        s.resolved = resolved
        byname[s.name] = s
        (models if s.kind == "model" else templates).append(s)
    return version, sources, models, templates


def dec(val, what):
    try:
        d = Decimal(val)
    except InvalidOperation:
        raise TableError(f"{what}: {val!r} is not a decimal")
    if d < 0 or d.as_tuple().exponent < -9:
        raise TableError(f"{what}: {val!r} must be >= 0 with at most 9 decimals")
    return d


def validate(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    problems, summary = check_text(text)
    for p in problems:
        print(f"{path}: {p}", file=sys.stderr)
    if problems:
        return 1
    print(f"{path}: ok: {summary}")
    return 0


def check_text(text):
    """Return (problems, summary) for a table's text."""
    problems = []
    try:
        version, sources, models, _templates = parse(text)
    except TableError as e:
        return [str(e)], ""
    if not version:
        problems.append("no table-wide 'version'")
    for s in sources.values():
        if not s.get("url"):
            problems.append(f"source {s.name}: no url")
        if not DATE_RE.match(s.get("verified", "")):
            problems.append(f"source {s.name}: no verified date YYYY-MM-DD")

    seen = {}
    for m in models:
        r = m.resolved
        where = f"model {m.name} (line {m.line})"

        def err(msg):
            problems.append(f"{where}: {msg}")

        names = [m.name] + r.get("aliases", "").split() if "aliases" in m.keys else [m.name]
        for n in names:
            if n in seen:
                err(f"name {n!r} already used by {seen[n]}")
            seen[n] = m.name

        kind = r.get("kind")
        if kind not in KINDS:
            err(f"kind {kind!r} is not one of {sorted(KINDS)}")
        enc = r.get("encoding", "?")
        if enc != "?" and enc not in ENCODINGS:
            err(f"unknown encoding {enc!r}")
        if kind == "chat":
            if enc == "?":
                err("chat model without an encoding")
            fmt = r.get("format")
            if fmt not in ("chatml", "harmony"):
                err(f"chat model needs format chatml or harmony, not {fmt!r}")
            if fmt == "chatml" and len(r.get("message", "?").split()) != 3:
                err("chatml model needs 'message = PER_MESSAGE PER_NAME REPLY'")
        if "format" in r and r["format"] not in FORMATS:
            err(f"format {r['format']!r}")

        src = r.get("source")
        if not src or src not in sources:
            err(f"source {src!r} is not a [source] section")
        ver = r.get("verified") or (sources[src].get("verified") if src in sources else None)
        if not ver or not DATE_RE.match(ver):
            err("no verified date")

        prices = {}
        for k in PRICE_KEYS:
            v = r.get(k, "?")
            if v != "?":
                try:
                    prices[k] = dec(v, f"{where}: {k}")
                except TableError as e:
                    problems.append(str(e))
        ints = {}
        for k in INT_KEYS:
            v = r.get(k, "?")
            if v != "?":
                if not re.fullmatch(r"-?\d+", v):
                    err(f"{k} = {v!r} is not an integer")
                else:
                    ints[k] = int(v)
        for tier in ("", "batch_", "flex_", "priority_", "long_"):
            i, c = prices.get(tier + "input"), prices.get(tier + "cached_input")
            if i is not None and c is not None and c > i:
                err(f"{tier}cached_input {c} > {tier}input {i}")
        for k in ("input", "cached_input", "output"):
            s, b = prices.get(k), prices.get("batch_" + k)
            if s is not None and b is not None and s > 0:
                ratio = b / s
                if not (Decimal("0.45") <= ratio <= Decimal("0.55")):
                    err(f"batch_{k} is {ratio:.0%} of {k}, not about 50%")
        ctx, mi, mo = ints.get("context"), ints.get("max_input"), ints.get("max_output")
        for k, v in (("context", ctx), ("max_input", mi), ("max_output", mo)):
            if v is not None and v <= 0:
                err(f"{k} must be positive")
        if ctx is not None and mi is not None and mi > ctx:
            err(f"max_input {mi} > context {ctx}")
        if ctx is not None and mo is not None and mo > ctx:
            err(f"max_output {mo} > context {ctx}")
        lt = ints.get("long_threshold")
        if lt is not None:
            if ctx is not None and lt >= ctx:
                err(f"long_threshold {lt} >= context {ctx}")
            for k in ("input", "output"):
                if prices.get("long_" + k) is None:
                    err(f"long_threshold without long_{k}")
        img = r.get("image", "?").split()
        if img and img[0] not in ("?", "none", "tile", "patch"):
            err(f"image family {img[0]!r}")
        if img and img[0] == "tile" and (len(img) != 6 or not all(x.isdigit() for x in img[1:])):
            err("image = tile BASE TILE FIT_PX SHORT_PX TILE_PX")
        if img and img[0] == "patch":
            if len(img) != 4 or not img[1].isdigit() or not img[2].isdigit():
                err("image = patch PATCH_PX MAX_PATCHES MULTIPLIER")
        tools = r.get("tools", "?")
        if tools != "?" and len(tools.split()) != 6:
            err("tools needs 6 integers")
        ip = r.get("image_price")
        if ip:
            for item in ip.split(","):
                parts = item.split()
                if len(parts) != 3 or not re.fullmatch(r"\d+x\d+", parts[1]):
                    err(f"image_price item {item.strip()!r}")
                else:
                    try:
                        dec(parts[2], f"{where}: image_price")
                    except TableError as e:
                        problems.append(str(e))
        for val, line in m.rates:
            parts = val.split()
            if len(parts) != 4 or parts[0] not in ("free", "1", "2", "3", "4", "5"):
                problems.append(f"line {line}: rate = TIER RPM TPM RPD")
    return problems, f"version {version}, {len(models)} models, {len(sources)} sources"


SELFTEST_HEAD = """version = t
[source s]
url = https://example.invalid
verified = 2026-11-22
"""
SELFTEST_CASES = [
    # (model section body, substring the problem report must contain)
    ("kind = chat\nencoding = o200k_base\nformat = chatml\nmessage = 3 1 3\nsource = s\n", None),
    ("kind = embedding\ninput = 1\ncached_input = 2\nsource = s\n", "cached_input 2 > input 1"),
    ("kind = embedding\ninput = 1\nbatch_input = 0.8\nsource = s\n", "not about 50%"),
    ("kind = embedding\ncontext = 100\nmax_input = 200\nsource = s\n", "max_input 200 > context 100"),
    ("kind = embedding\ncontext = 100\nmax_output = 101\nsource = s\n", "max_output 101 > context 100"),
    ("kind = chat\nformat = chatml\nmessage = 3 1 3\nsource = s\n", "chat model without an encoding"),
    ("kind = embedding\nsource = nowhere\n", "is not a [source] section"),
    ("kind = embedding\ninput = 0.0000000001\nsource = s\n", "at most 9 decimals"),
    ("kind = embedding\nlong_threshold = 10\nsource = s\n", "long_threshold without long_input"),
]


def selftest():
    """The validator must accept a good table and catch every kind of problem."""
    failures = 0
    for body, expect in SELFTEST_CASES:
        problems, _ = check_text(SELFTEST_HEAD + "[model m]\n" + body)
        ok = (not problems) if expect is None else any(expect in p for p in problems)
        if not ok:
            failures += 1
            print(f"selftest: expected {expect!r}, got {problems}", file=sys.stderr)
    problems, _ = check_text(SELFTEST_HEAD + "[model a]\nkind = speech\nsource = s\n"
                             "[model b]\naliases = a\nkind = speech\nsource = s\n")
    if not any("already used" in p for p in problems):
        failures += 1
        print(f"selftest: duplicate alias not caught: {problems}", file=sys.stderr)
    print(f"selftest: {len(SELFTEST_CASES) + 1 - failures}/{len(SELFTEST_CASES) + 1} ok")
    return 1 if failures else 0


# ---------------------------------------------------------------------------
# litellm import
# ---------------------------------------------------------------------------

LITELLM_MAP = [
    ("input_cost_per_token", "input"),
    ("cache_read_input_token_cost", "cached_input"),
    ("output_cost_per_token", "output"),
    ("input_cost_per_token_batches", "batch_input"),
    ("output_cost_per_token_batches", "batch_output"),
    ("input_cost_per_token_flex", "flex_input"),
    ("cache_read_input_token_cost_flex", "flex_cached_input"),
    ("output_cost_per_token_flex", "flex_output"),
    ("input_cost_per_token_priority", "priority_input"),
    ("cache_read_input_token_cost_priority", "priority_cached_input"),
    ("output_cost_per_token_priority", "priority_output"),
    ("input_cost_per_image_token", "image_input"),
    ("output_cost_per_image_token", "image_output"),
]


def per_million(x):
    """USD per unit (a JSON float) -> exact decimal string of USD per 1M units."""
    d = (Decimal(repr(x)) * 1000000).normalize()
    s = format(d, "f")
    if "." in s:
        whole, frac = s.split(".")
        frac = frac.rstrip("0")
        s = whole + ("." + frac if frac else "")
    if "." not in s:
        s += ".00"
    elif len(s.split(".")[1]) == 1:
        s += "0"
    return s


def from_litellm(e):
    """Our price and limit keys for one litellm entry."""
    out = {}
    for lk, k in LITELLM_MAP:
        if lk in e:
            out[k] = per_million(e[lk])
    for lk, v in e.items():
        m = re.fullmatch(r"(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost)"
                         r"_above_(\d+)k_tokens", lk)
        if m:
            out["long_threshold"] = str(int(m.group(2)) * 1000)
            out["long_" + {"input_cost_per_token": "input", "output_cost_per_token": "output",
                           "cache_read_input_token_cost": "cached_input"}[m.group(1)]] = per_million(v)
    if "input_cost_per_second" in e:
        out["minute"] = format((Decimal(repr(e["input_cost_per_second"])) * 60).normalize(), "f")
    if "input_cost_per_character" in e:
        out["chars"] = per_million(e["input_cost_per_character"])
    if "max_input_tokens" in e:
        out["max_input"] = str(e["max_input_tokens"])
    if "max_output_tokens" in e:
        out["max_output"] = str(e["max_output_tokens"])
    return out


def cmd_import(args):
    source = "litellm"
    if "--source" in args:
        i = args.index("--source")
        source = args[i + 1]
        del args[i:i + 2]
    path, names = args[0], args[1:]
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    kinds = {"chat": "chat", "responses": "chat", "completion": "completion",
             "embedding": "embedding", "image_generation": "image",
             "audio_transcription": "transcription", "audio_speech": "speech"}
    for n in names:
        e = data.get(n)
        if not isinstance(e, dict):
            print(f"# {n}: not in {path}", file=sys.stderr)
            continue
        print(f"[model {n}]")
        print(f"kind = {kinds.get(e.get('mode'), '?')}")
        for k, v in from_litellm(e).items():
            print(f"{k} = {v}")
        print(f"source = {source}")
        print()
    return 0


def cmd_update(args):
    write = "--write" in args
    args = [a for a in args if a != "--write"]
    source = None
    if "--source" in args:
        i = args.index("--source")
        source = args[i + 1]
        del args[i:i + 2]
    table, path = args[0], args[1]
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    with open(table, encoding="utf-8") as f:
        text = f.read()
    _v, _s, models, _t = parse(text)
    lines = text.splitlines(keepends=True)
    changes = 0
    for m in models:
        if source is not None and m.resolved.get("source") != source:
            continue
        e = data.get(m.name)
        if not isinstance(e, dict):
            continue
        for k, v in from_litellm(e).items():
            cur = m.resolved.get(k)
            if cur is not None and cur != "?" and k in PRICE_KEYS and Decimal(cur) == Decimal(v):
                continue
            if cur == v:
                continue
            print(f"{m.name}: {k}: {cur} -> {v}")
            changes += 1
            if write and k in m.keys:
                ln = m.keys[k][1] - 1
                lines[ln] = f"{k} = {v}\n"
    if write and changes:
        with open(table, "w", encoding="utf-8") as f:
            f.write("".join(lines))
    print(f"{changes} difference(s)" + (" (keys not set in a section itself are only reported)"
                                        if write else ""))
    return 0


def main(argv):
    if len(argv) == 2 and argv[1] == "selftest":
        return selftest()
    if len(argv) >= 3 and argv[1] == "validate":
        return max(validate(p) for p in argv[2:])
    if len(argv) >= 4 and argv[1] == "import":
        return cmd_import(argv[2:])
    if len(argv) >= 4 and argv[1] == "update":
        return cmd_update(argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
