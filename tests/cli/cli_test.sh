#!/usr/bin/env bash
# CLI behaviour: round trips, counts, exit codes and diagnostics.
# Usage: cli_test.sh path/to/tokmeter path/to/vectors
# Token-level truth: the first ordinary case of each golden vector file is
# encoded through the CLI and compared with the generated ids.
set -u
T="$1"
V="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() { # name expected_rc actual_rc
  if [ "$2" = "$3" ]; then pass=$((pass + 1)); else echo "FAIL $1: exit $3, want $2"; fail=$((fail + 1)); fi
}
same() { # name file_a file_b
  if cmp -s "$2" "$3"; then pass=$((pass + 1)); else echo "FAIL $1: outputs differ"; fail=$((fail + 1)); fi
}
contains() { # name file pattern
  if grep -q -- "$3" "$2"; then pass=$((pass + 1)); else echo "FAIL $1: no '$3' in: $(cat "$2")"; fail=$((fail + 1)); fi
}

# Golden vectors through the CLI (hex input -> bytes -> encode -> ids).
for enc in r50k_base p50k_base p50k_edit cl100k_base o200k_base o200k_harmony; do
  line=$(grep -v '^#' "$V/$enc.tsv" | awk -F'\t' '$2 == "ordinary" && length($3) > 40 { print; exit }')
  python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.argv[1]))' \
    "$(cut -f3 <<<"$line")" > "$tmp/in"
  cut -f4 <<<"$line" | tr ' ' '\n' | sed '/^$/d' > "$tmp/want"
  "$T" encode -e "$enc" "$tmp/in" > "$tmp/got"
  check "encode $enc" 0 $?
  same "vector ids $enc" "$tmp/want" "$tmp/got"
  "$T" decode -e "$enc" "$tmp/got" > "$tmp/back"
  check "decode $enc" 0 $?
  same "round trip $enc" "$tmp/in" "$tmp/back"
  n=$("$T" count -e "$enc" "$tmp/in" | cut -f1)
  [ "$n" = "$(wc -l < "$tmp/want")" ]; check "count $enc" 0 $?
done

# stdin, several files, totals, models.
printf 'Hello world' > "$tmp/a"
printf 'Goodbye, world!\n' > "$tmp/b"
"$T" count -m gpt-4o "$tmp/a" "$tmp/b" > "$tmp/out"; check "count two files" 0 $?
contains "total line" "$tmp/out" "	total$"
a=$("$T" count -m gpt-4o - < "$tmp/a" | cut -f1)
b=$("$T" count -e o200k_base "$tmp/a" | cut -f1)
[ "$a" = "$b" ]; check "stdin equals file, model equals encoding" 0 $?

# Special tokens: text by default, ids when allowed, unknown names rejected.
printf 'x<|endoftext|>' > "$tmp/sp"
"$T" encode -e cl100k_base "$tmp/sp" > "$tmp/plain"; check "special as text" 0 $?
"$T" encode -e cl100k_base --allowed-special all "$tmp/sp" > "$tmp/allowed"; check "allowed all" 0 $?
contains "special id" "$tmp/allowed" "^100257$"
"$T" encode -e cl100k_base --allowed-special '<|endoftext|>' "$tmp/sp" > "$tmp/allowed1"
same "allowed by name" "$tmp/allowed" "$tmp/allowed1"
"$T" encode -e cl100k_base --allowed-special '<|nope|>' "$tmp/sp" 2> "$tmp/err"; check "unknown special" 2 $?

# Errors and exit codes.
"$T" 2> "$tmp/err"; check "no command" 2 $?
"$T" frobnicate 2> "$tmp/err"; check "unknown command" 2 $?
"$T" count -e nope "$tmp/a" 2> "$tmp/err"; check "unknown encoding" 2 $?
contains "lists encodings" "$tmp/err" "o200k_harmony"
"$T" count -m claude-3 "$tmp/a" 2> "$tmp/err"; check "unknown model" 2 $?
"$T" count -e cl100k_base "$tmp/missing" 2> "$tmp/err"; check "missing file" 2 $?
contains "names the file" "$tmp/err" "missing"
"$T" count "$tmp/a" 2> "$tmp/err"; check "no encoding" 2 $?
"$T" count -e cl100k_base --bogus "$tmp/a" 2> "$tmp/err"; check "unknown option" 2 $?
printf 'line one\nab\377cd\n' > "$tmp/bad"
"$T" count -e cl100k_base "$tmp/bad" 2> "$tmp/err"; check "invalid utf8 strict" 2 $?
contains "file:line:col" "$tmp/err" "bad:2:3:"
"$T" count -e cl100k_base --invalid-utf8 lossless "$tmp/bad" > /dev/null; check "lossless" 0 $?
"$T" encode -e cl100k_base --invalid-utf8 lossless "$tmp/bad" > "$tmp/ids"
"$T" decode -e cl100k_base "$tmp/ids" > "$tmp/back"
same "lossless round trip" "$tmp/bad" "$tmp/back"
"$T" count -e cl100k_base --invalid-utf8 replace "$tmp/bad" > /dev/null; check "replace" 0 $?
printf '15339 abc\n' > "$tmp/ids"
"$T" decode -e cl100k_base "$tmp/ids" 2> "$tmp/err"; check "bad id text" 2 $?
contains "id position" "$tmp/err" "ids:1:7:"
printf '15339\n100261\n' > "$tmp/ids"
"$T" decode -e cl100k_base "$tmp/ids" 2> "$tmp/err"; check "unknown id" 2 $?
contains "unknown id position" "$tmp/err" "ids:2:1:"
# --jobs: the same output, in input order, whatever the number of threads.
mkdir -p "$tmp/many/sub"
for i in $(seq 1 60); do
  python3 -c 'import sys; n=int(sys.argv[1]); print(("word%d " % n) * (n * 37 % 500))' "$i" \
    > "$tmp/many/sub/f$i.txt"
done
"$T" count -e cl100k_base --jobs 1 "$tmp/many" > "$tmp/j1"; check "jobs 1" 0 $?
for j in 2 3 8; do
  "$T" count -e cl100k_base --jobs $j "$tmp/many" > "$tmp/jn"; check "jobs $j" 0 $?
  same "jobs $j output equals jobs 1" "$tmp/j1" "$tmp/jn"
done
"$T" count -e cl100k_base "$tmp/many" > "$tmp/jn"; same "default jobs" "$tmp/j1" "$tmp/jn"
"$T" check -m gpt-4o --jobs 1 "$tmp/many" > "$tmp/c1"; check "check jobs 1" 0 $?
"$T" check -m gpt-4o --jobs 4 "$tmp/many" > "$tmp/c4"; same "check jobs 4" "$tmp/c1" "$tmp/c4"
# The per-file counts equal counting each file alone.
sum=0
for f in "$tmp"/many/sub/*.txt; do sum=$((sum + $("$T" count -e cl100k_base "$f" | cut -f1))); done
[ "$(tail -1 "$tmp/j1" | cut -f1)" = "$sum" ]; check "total is the sum" 0 $?

"$T" --version > "$tmp/out"; check "version" 0 $?
"$T" --help > "$tmp/out"; check "help" 0 $?
contains "help lists exit codes" "$tmp/out" "exit status"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
