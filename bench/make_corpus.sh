#!/usr/bin/env bash
# Builds the benchmark corpora into bench/corpus/ (not committed), from text
# every Debian 12 machine has, by a fixed procedure:
#   prose.txt  the GNU/Apache/MPL/Artistic licence texts in
#              /usr/share/common-licenses (package base-files), concatenated in
#              sorted order and repeated to ~8 MB;
#   code.txt   the C sources and headers of PCRE2's and cmocka's public
#              headers in /usr/include (pcre2.h, cmocka.h, ...) plus this
#              repository's src/*.c, repeated to ~8 MB.
# The golden test vectors are never used as bench data.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus
repeat_to() { # file target_bytes
  local src="$1" want="$2" tmp
  tmp=$(mktemp)
  cp "$src" "$tmp"
  while [ "$(stat -c %s "$src")" -lt "$want" ]; do cat "$tmp" >> "$src"; done
  rm -f "$tmp"
}
find /usr/share/common-licenses -maxdepth 1 -type f | LC_ALL=C sort | xargs cat > corpus/prose.txt
repeat_to corpus/prose.txt 8000000
cat /usr/include/pcre2.h /usr/include/cmocka.h /usr/include/xxhash.h ../src/*.c > corpus/code.txt
repeat_to corpus/code.txt 8000000
ls -l corpus
