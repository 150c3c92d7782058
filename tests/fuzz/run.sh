#!/usr/bin/env bash
# tests/fuzz/run.sh — build the libFuzzer targets with clang (ASan + UBSan)
# and run each for a bounded time on a copy of its seed corpus.
#
# Environment:
#   FUZZ_SECONDS  seconds per fuzzer (default 45: 9 targets, 7 minutes in all)
#   FUZZ_TARGETS  space-separated subset (default: all in tests/fuzz/tests.cmake)
#   BUILD_DIR     build directory (default build-fuzz, relative to the repo)
#   CC            compiler (default clang)
# Extra arguments are passed to every fuzzer (e.g. -jobs=2 -workers=2).
# image_header, chat_json and batch_line compile the CLI sources they test
# into the fuzzer (tests/fuzz/tests.cmake), so the CLI itself is not built;
# chat_json and batch_line need jansson (pkg-config), as the CLI does.
#
# Exits non-zero when a fuzzer crashed, leaked, timed out or ran out of
# memory; the crashing input is printed, and it must be added to
# tests/fuzz/corpus/<target>/ as a regression seed once fixed.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)

seconds="${FUZZ_SECONDS:-45}"
dir="${BUILD_DIR:-build-fuzz}"
targets="${FUZZ_TARGETS:-roundtrip count fastpath ranks model_table image_header chat_json batch_line merge}"
export CC="${CC:-clang}"

if ! command -v "$CC" >/dev/null 2>&1; then
  echo "run.sh: $CC not found; libFuzzer needs clang" >&2
  exit 1
fi

echo "== configuring $dir ($CC, ASan + UBSan + libFuzzer)"
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTKM_BUILD_FUZZERS=ON \
  -DTKM_SANITIZE=ON -DTKM_BUILD_TESTS=ON -DTKM_BUILD_CLI=OFF -DTKM_BUILD_BENCH=OFF >/dev/null
build_targets=()
for t in $targets; do build_targets+=(--target "fuzz_$t"); done
echo "== building ${build_targets[*]}"
cmake --build "$dir" -j"$(nproc)" "${build_targets[@]}"

# UBSan must abort (the build uses -fno-sanitize-recover=all too) so that
# libFuzzer records the input; leaks are reported by LSan at exit of a run.
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}"

work="$dir/fuzz-work"
failed=()
summary=()
details=()
for t in $targets; do
  bin="$dir/tests/fuzz_$t"
  [ -x "$bin" ] || bin=$(find "$dir" -name "fuzz_$t" -type f -perm -u+x | head -n1)
  if [ -z "$bin" ] || [ ! -x "$bin" ]; then
    echo "run.sh: fuzz_$t was not built" >&2
    failed+=("$t")
    continue
  fi
  seeds="$repo/tests/fuzz/corpus/$t"
  corpus="$work/$t/corpus"
  artifacts="$work/$t/artifacts"
  rm -rf "$work/$t"
  mkdir -p "$corpus" "$artifacts"
  cp -R "$seeds/." "$corpus/"
  # <target>.dict when there is one (ranks, model_table, chat_json,
  # batch_line), else text.dict (special tokens, UTF-8 edge cases).
  dict=()
  d="$repo/tests/fuzz/$t.dict"
  [ -f "$d" ] || d="$repo/tests/fuzz/text.dict"
  [ -f "$d" ] && dict=(-dict="$d")
  log="$work/$t/fuzz.log"
  echo "== fuzz_$t for ${seconds}s (log: $log)"
  set +e
  "$bin" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" "$@" "$corpus" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
  cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -n1 | grep -Eo '[0-9]+' || true)
  units=$(find "$corpus" -type f | wc -l)
  line="fuzz_$t: ${execs:-?} executions, ${speed:-?} exec/s, coverage ${cov:-?}, corpus $units files"
  if [ "$rc" -ne 0 ]; then
    line="$line: FAILED (exit $rc)"
    failed+=("$t")
    echo "---- fuzz_$t failed; last lines of $log:"
    tail -n 40 "$log"
    # What CI shows of a run may be only its last lines, so the finding
    # itself (the report, its first frames, the input) is repeated after
    # the summary: a finding that cannot be read cannot be fixed.
    seed=$(sed -n 's/^INFO: Seed: *//p' "$log" | head -n1)
    d="---- fuzz_$t (exit $rc, libFuzzer -seed=${seed:-?})"$'\n'
    d+=$(grep -E 'ERROR|SUMMARY|check failed|runtime error|Test unit written|timeout|out-of-memory|^ *#[0-9]+ ' "$log" |
         grep -v 'in fuzzer::\|in main \|libc\.so\|in _start' | head -n 24 || true)
    for a in "$artifacts"/*; do
      [ -e "$a" ] || continue
      n=$(wc -c <"$a")
      d+=$'\n'"crashing input: $a ($n bytes, sha256 $(sha256sum "$a" | cut -c1-16))"
      if [ "$n" -le 3072 ]; then
        d+=$'\n'"  base64 (decode with: base64 -d > input): $(base64 -w0 "$a")"
      else
        d+=$'\n'"  first 3072 bytes, base64: $(head -c 3072 "$a" | base64 -w0)"
      fi
      d+=$'\n'"  reproduce: $bin $a"
      d+=$'\n'"         or, without libFuzzer, in any build: tests/fuzz_${t}_replay $a"
      d+=$'\n'"  once fixed, add it as a regression seed: cp $a tests/fuzz/corpus/$t/"
    done
    echo "$d"
    details+=("$d")
  fi
  echo "$line"
  summary+=("$line")
done

echo
echo "== fuzzing summary (${seconds}s each)"
printf '%s\n' "${summary[@]}"
if [ "${#failed[@]}" -ne 0 ]; then
  echo
  printf '%s\n' "${details[@]}"
  echo "FAILED: ${failed[*]}" >&2
  echo "Each crashing input listed above must be added to tests/fuzz/corpus/<target>/ as a regression seed." >&2
  exit 1
fi
echo "all fuzzers ran ${seconds}s without a finding"
