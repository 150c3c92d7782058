#!/usr/bin/env bash
# run.sh [compare.js options] [FILE...] — the side-by-side comparison in one go:
#   1. `npm ci` here (the peers and the corpus text packages, pinned by
#      package-lock.json);
#   2. builds the corpora that are missing: bench/make_corpus.sh (prose.txt,
#      code.txt) and bench/make_corpora_npm.sh (novel.txt, multilingual.txt,
#      email.txt);
#   3. runs compare.js with the given options.
# tkm_bench comes from --tokmeter-bench PATH or $TKM_BENCH; with neither, it is
# built here with the CLI (Release, no tests) into ${TKM_BUILD_DIR:-<repo>/build-compare}.
# Exits with compare.js's status: 1 when a peer's token count differs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$here"
npm ci --no-audit --no-fund >&2
corpus="$repo/bench/corpus"
if [ ! -s "$corpus/prose.txt" ] || [ ! -s "$corpus/code.txt" ]; then
  bash "$repo/bench/make_corpus.sh"
fi
if [ ! -s "$corpus/novel.txt" ] || [ ! -s "$corpus/multilingual.txt" ] || [ ! -s "$corpus/email.txt" ]; then
  bash "$repo/bench/make_corpora_npm.sh"
fi
have_bench=0
for a in "$@"; do [ "$a" = "--tokmeter-bench" ] && have_bench=1; done
if [ "$have_bench" = 0 ] && [ -z "${TKM_BENCH:-}" ]; then
  build="${TKM_BUILD_DIR:-$repo/build-compare}"
  cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DTKM_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" -j "$(nproc)" --target tkm_bench tokmeter_cli >/dev/null
  export TKM_BENCH="$build/bench/tkm_bench"
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
exec node "$here/compare.js" "$@"
