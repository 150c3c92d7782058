#!/usr/bin/env python3
"""cli_batch.py — `tokmeter batch` on one thread against several, on a
generated Batch API file.

    bench/cli_batch.py path/to/tokmeter [--requests N] [--rounds R] [--jobs J]
                       [--corpus FILE] [--keep FILE]

The file: N chat requests (default 10,000), each a system message and a user
message of 50-600 words drawn from the corpus (default bench/corpus/prose.txt,
made by bench/make_corpus.sh) by a fixed linear congruential generator, so
the same corpus always gives the same file (about 22 MB for 10,000). --keep
writes it to FILE as well.

First `tokmeter batch --json` runs once with --jobs 1 and once with --jobs J
(default: the online CPUs) and their outputs must be identical (exit 1 if
not). Then R rounds (default 7), each timing --jobs 1 and --jobs J by the
wall clock in alternating order (this VM's speed drifts within minutes), and
it prints the median and quartiles of each and the speed-up of the medians.
No time is asserted: ctest runs it once on 600 requests as a smoke test.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
ap = argparse.ArgumentParser()
ap.add_argument('tokmeter')
ap.add_argument('--requests', type=int, default=10000)
ap.add_argument('--rounds', type=int, default=7)
ap.add_argument('--jobs', type=int, default=os.cpu_count() or 2)
ap.add_argument('--corpus', default=os.path.join(here, 'corpus', 'prose.txt'))
ap.add_argument('--keep')
a = ap.parse_args()

with open(a.corpus, encoding='utf-8', errors='replace') as f:
    words = f.read().split()
if not words:
    sys.exit('cli_batch.py: no words in %s' % a.corpus)

x = 12345


def rnd(n):
    """The next value of a fixed LCG, in [0, n)."""
    global x
    x = (x * 6364136223846793005 + 1442695040888963407) % (1 << 64)
    return (x >> 33) % n


def request(i):
    k = 50 + rnd(551)
    start = rnd(len(words))
    text = ' '.join(words[(start + j) % len(words)] for j in range(k))
    return ('{"custom_id": "r%d", "method": "POST", "url": "/v1/chat/completions", '
            '"body": {"model": "gpt-4o", "messages": [{"role": "system", "content": '
            '"You are a helpful assistant."}, {"role": "user", "content": %s}], '
            '"max_tokens": 256}}\n') % (i, json.dumps(text, ensure_ascii=False))


tmp = tempfile.mkdtemp()
path = a.keep or os.path.join(tmp, 'batch.jsonl')
with open(path, 'w', encoding='utf-8') as f:
    for i in range(a.requests):
        f.write(request(i))
size = os.path.getsize(path)


def run(jobs, out=subprocess.DEVNULL, as_json=False):
    cmd = [a.tokmeter, 'batch', '--jobs', str(jobs)] + (['--json'] if as_json else []) + [path]
    r = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE)
    if r.returncode != 0:
        sys.exit('cli_batch.py: %s exited %d: %s' % (' '.join(cmd), r.returncode,
                                                     r.stderr.decode(errors='replace')))


outs = []
for jobs in (1, a.jobs):
    with tempfile.TemporaryFile() as f:
        run(jobs, f, as_json=True)
        f.seek(0)
        outs.append(f.read())
if outs[0] != outs[1]:
    sys.exit('cli_batch.py: --jobs 1 and --jobs %d wrote different output' % a.jobs)

times = {1: [], a.jobs: []}
for r in range(a.rounds):
    for jobs in ((1, a.jobs) if r % 2 == 0 else (a.jobs, 1)):
        t = time.perf_counter()
        run(jobs)
        times[jobs].append((time.perf_counter() - t) * 1000)


def summary(v):
    v = sorted(v)
    return statistics.median(v), v[len(v) // 4], v[(3 * len(v)) // 4]


m1, m2 = summary(times[1]), summary(times[a.jobs])
print('tokmeter batch: %d requests, %.1f MB, %d rounds; outputs of --jobs 1 and --jobs %d agree'
      % (a.requests, size / 1e6, a.rounds, a.jobs))
print('  --jobs 1: median %.0f ms (quartiles %.0f-%.0f)' % m1)
print('  --jobs %d: median %.0f ms (quartiles %.0f-%.0f)' % ((a.jobs,) + m2))
print('  speed-up of the medians: %.2fx' % (m1[0] / m2[0]))
if not a.keep:
    os.remove(path)
os.rmdir(tmp)
