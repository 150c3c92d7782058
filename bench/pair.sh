#!/usr/bin/env bash
# pair.sh — compare two tkm_bench binaries on one file by paired, alternating
# runs, the measurement this project's 2-vCPU VMs allow: their speed drifts
# by 10-30 % within minutes (other tenants share the L3), so two binaries
# timed minutes apart are not comparable, but two timed back to back are.
#
#   bench/pair.sh ROUNDS ENCODING FILE BENCH_A BENCH_B
#
# Each round runs both binaries (--cpu, 0.3 s of encode and of count each),
# in alternating order, and takes B's MB/s over A's. Prints the mean MB/s of
# each and the median ratio B / A, for encode, count and both together. A
# ratio within about +-5 % of 1 is noise; use 8 rounds or more, and repeat a
# run before believing a small difference. Cachegrind's instruction and
# branch-miss counts (bench/README.md) are the repeatable complement.
set -euo pipefail
if [ $# -ne 5 ]; then
  echo "usage: $0 ROUNDS ENCODING FILE BENCH_A BENCH_B" >&2
  exit 2
fi
rounds=$1 enc=$2 file=$3 a=$4 b=$5
one() { # binary -> "encode count" MB/s
  "$1" --cpu --seconds 0.3 -e "$enc" "$file" | grep -v " load " |
    awk '{e = ""; c = ""; for (i = 1; i <= NF; i++) {
            if ($i == "encode" && e == "") e = $(i + 1)
            if ($i == "count" && c == "") c = $(i + 1) }
          print e, c}'
}
for r in $(seq "$rounds"); do
  if [ $((r % 2)) -eq 0 ]; then ra=$(one "$a"); rb=$(one "$b")
  else rb=$(one "$b"); ra=$(one "$a"); fi
  echo "$ra $rb"
done | python3 -c '
import statistics as st, sys
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
ae = [r[0] for r in rows]; ac = [r[1] for r in rows]
be = [r[2] for r in rows]; bc = [r[3] for r in rows]
re = [y / x for x, y in zip(ae, be)]; rc = [y / x for x, y in zip(ac, bc)]
print(f"encode A {st.mean(ae):.1f} B {st.mean(be):.1f} MB/s, median B/A {st.median(re):.3f}")
print(f"count  A {st.mean(ac):.1f} B {st.mean(bc):.1f} MB/s, median B/A {st.median(rc):.3f}")
print(f"both   median B/A {st.median(re + rc):.3f} over {len(rows)} rounds")
'
