#!/usr/bin/env bash
# The CLI's golden cases: every tests/cli/cases/NAME/ holds
#   cmd              one shell command line ("tokmeter" is the binary under test)
#   stdin            optional: fed to the command
#   expected_stdout  what it must print on stdout
#   expected_stderr  what it must print on stderr
#   expected_rc      its exit status
# Commands run in a scratch copy of tests/cli/data, with the binary fixtures of
# make_fixtures.py added, so every path in the outputs is short and relative.
#
# Usage: run_cases.sh path/to/tokmeter [--regen] [NAME...]
#   --regen writes the expected_* files from the current outputs (then review
#   every changed file by hand before committing it).
set -u
T=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
regen=0
if [ "${1:-}" = "--regen" ]; then regen=1; shift; fi
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin"
ln -s "$T" "$work/bin/tokmeter"
cp -R "$here/data" "$work/data"
python3 "$here/make_fixtures.py" "$work/data" || exit 1

if [ $# -gt 0 ]; then names=("$@"); else
  names=()
  for c in "$here"/cases/*/; do names+=("$(basename "$c")"); done
fi
pass=0
fail=0
for name in "${names[@]}"; do
  c="$here/cases/$name"
  [ -f "$c/cmd" ] || { echo "FAIL $name: no such case"; fail=$((fail + 1)); continue; }
  in=/dev/null
  [ -f "$c/stdin" ] && in="$c/stdin"
  (cd "$work/data" && PATH="$work/bin:$PATH" LC_ALL=C bash -o pipefail -c "$(cat "$c/cmd")") \
    < "$in" > "$work/out" 2> "$work/err"
  rc=$?
  if [ $regen -eq 1 ]; then
    cp "$work/out" "$c/expected_stdout"
    cp "$work/err" "$c/expected_stderr"
    echo "$rc" > "$c/expected_rc"
    echo "regenerated $name (rc $rc)"
    continue
  fi
  ok=1
  if [ "$rc" != "$(cat "$c/expected_rc")" ]; then
    echo "FAIL $name: exit $rc, want $(cat "$c/expected_rc")"; ok=0
  fi
  if ! diff -u "$c/expected_stdout" "$work/out" > "$work/diff"; then
    echo "FAIL $name: stdout differs"; cat "$work/diff"; ok=0
  fi
  if ! diff -u "$c/expected_stderr" "$work/err" > "$work/diff"; then
    echo "FAIL $name: stderr differs"; cat "$work/diff"; ok=0
  fi
  if [ $ok -eq 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
[ $regen -eq 1 ] && exit 0
echo "$pass cases passed, $fail failed"
[ "$fail" -eq 0 ]
