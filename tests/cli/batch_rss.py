#!/usr/bin/env python3
"""tokmeter batch on a 100,000-line Batch API file, generated here (never
committed), with bounded memory.

Usage: batch_rss.py path/to/tokmeter [LINES] [LIMIT_MB]

The file mixes short and long chat requests and holds three bad lines
(malformed JSON, a wrong type, an unknown model). Checks:
  - exit 2 (bad lines), each bad line reported on stderr with its number;
  - --json is one document whose per-line records add up to its summary
    (requests, prompt tokens, cost in nano-dollars);
  - the peak RSS of tokmeter (/usr/bin/time, else getrusage) stays under LIMIT_MB
    (default 64) for both the text and the --json run; it is printed.
"""
import json
import os
import resource
import subprocess
import sys
import tempfile

tokmeter = sys.argv[1]
n_lines = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
limit_mb = float(sys.argv[3]) if len(sys.argv) > 3 else 64.0
bad = {n_lines // 4: 'malformed', n_lines // 2: 'type', 3 * n_lines // 4: 'model'}

words = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron "
         "pi rho sigma tau upsilon phi chi psi omega").split()


def line(i):
    if bad.get(i) == 'malformed':
        return '{"custom_id": "r%d", "method": "POST", "url": "/v1/chat/completions", "body": {' % i
    content = " ".join(words[(i * 7 + k) % len(words)] for k in range(5 + i % 200))
    body = {"model": "gpt-4o-mini",
            "messages": [{"role": "system", "content": "You are a terse assistant."},
                         {"role": "user", "content": 42 if bad.get(i) == 'type' else
                          "Request %d: %s" % (i, content)}],
            "max_tokens": 50 + i % 500}
    if bad.get(i) == 'model':
        body["model"] = "gpt-4o-mimi"
    return json.dumps({"custom_id": "r%d" % i, "method": "POST",
                       "url": "/v1/chat/completions", "body": body})


def run(args, path, d, tag):
    """Run tokmeter batch; outputs go to files so this process stays small.
    The peak RSS comes from /usr/bin/time when it exists, else from
    getrusage(RUSAGE_CHILDREN) (Linux carries a child's pre-exec RSS, a copy
    of this small process, into that figure, so it can only over-estimate)."""
    out_p, err_p, rss_p = (os.path.join(d, tag + x) for x in (".out", ".err", ".rss"))
    cmd = [tokmeter, "batch"] + args + [path]
    timer = "/usr/bin/time"
    use_time = os.access(timer, os.X_OK)
    if use_time:
        cmd = [timer, "-f", "%M", "-o", rss_p] + cmd
    with open(out_p, "wb") as out, open(err_p, "wb") as err:
        rc = subprocess.call(cmd, stdout=out, stderr=err)
    if use_time:
        with open(rss_p) as f:
            rss_kb = int(f.read().split()[-1])
    else:
        rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(err_p) as f:
        err_text = f.read()
    return rc, out_p, err_text, rss_kb


failures = []
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "batch.jsonl")
    with open(path, "w") as f:
        for i in range(1, n_lines + 1):
            f.write(line(i) + "\n")
    size_mb = os.path.getsize(path) / 1e6

    rc_text, out_text, err, rss_text = run(["--tpm", "2000000", "--rpm", "5000"], path, d, "text")
    rc_json, out_json, _, rss_json = run(["--json"], path, d, "json")

    if rc_text != 2:
        failures.append("text run: exit %d, want 2" % rc_text)
    for i in bad:
        if ("batch.jsonl:%d:" % i) not in err:
            failures.append("bad line %d not reported: %s" % (i, err[:500]))
    with open(out_text) as f:
        rows = sum(1 for _ in f)
    # header + one row per good line + the summary lines
    if rows < n_lines - len(bad) + 1:
        failures.append("text run: %d output lines" % rows)

    if rc_json != 2:
        failures.append("json run: exit %d, want 2" % rc_json)
    with open(out_json) as f:
        doc = json.load(f)
    recs = doc["lines"]
    ok = [r for r in recs if "error" not in r]
    errs = [r["line"] for r in recs if "error" in r]
    s = doc["summary"]
    if len(recs) != n_lines or sorted(errs) != sorted(bad):
        failures.append("json run: %d records, bad lines %s" % (len(recs), errs))
    if s["requests"] != len(ok) or s["bad_lines"] != len(bad):
        failures.append("summary counts %s" % s)
    if s["prompt_tokens"] != sum(r["prompt_tokens"] for r in ok):
        failures.append("summary prompt_tokens != sum of lines")
    if s["cost"]["total_nanousd_min"] != sum(r["cost_nanousd_min"] for r in ok):
        failures.append("summary cost != sum of lines")
    if s["cost"]["total_nanousd_max"] != sum(r["cost_nanousd_max"] for r in ok):
        failures.append("summary max cost != sum of lines")

peak_mb = max(rss_text, rss_json) / 1024.0
print("batch: %d lines (%.1f MB), peak RSS %.1f MB (text run %.1f MB, --json run %.1f MB), "
      "limit %.0f MB" % (n_lines, size_mb, peak_mb, rss_text / 1024.0, rss_json / 1024.0, limit_mb))
if peak_mb > limit_mb:
    failures.append("peak RSS %.1f MB over %.0f MB" % (peak_mb, limit_mb))
for f in failures:
    print("FAIL " + f)
sys.exit(1 if failures else 0)
