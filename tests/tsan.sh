#!/usr/bin/env bash
# tests/tsan.sh — build the library, test_threads and the CLI with clang's
# ThreadSanitizer; run test_threads, then `tokmeter batch` and `tokmeter
# count` on several threads (tools/cli/jobs.c: whichever thread completes a
# prefix of jobs emits it; batch workers capture their diagnostics). Any
# TSan report fails.
#
# Environment: BUILD_DIR (default build-tsan, relative to the repo), CC
# (default clang).
set -euo pipefail
cd "$(dirname "$0")/.."

dir="${BUILD_DIR:-build-tsan}"
export CC="${CC:-clang}"
flags="-fsanitize=thread -fno-omit-frame-pointer -g"

cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTKM_BUILD_TESTS=ON \
  -DTKM_BUILD_CLI=ON -DTKM_BUILD_BENCH=OFF -DTKM_SANITIZE=OFF \
  -DCMAKE_C_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" \
  -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=thread" >/dev/null
cmake --build "$dir" -j"$(nproc)" --target test_threads tokmeter_cli

bin="$dir/tests/test_threads"
log="$dir/tsan.log"
# exitcode: TSan's status when it reported anything (the test itself may
# have passed); halt_on_error=0 to list every race, not just the first.
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=0:exitcode=66:second_deadlock_stack=1:history_size=4}"
set +e
"$bin" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
reports=$(grep -c '^WARNING: ThreadSanitizer' "$log" || true)
if [ "$rc" -ne 0 ] || [ "$reports" -ne 0 ]; then
  echo "tsan.sh: test_threads failed (exit $rc, $reports ThreadSanitizer reports; log: $log)" >&2
  exit 1
fi
echo "tsan.sh: test_threads passed under ThreadSanitizer, no reports"

# The CLI's threads, on the CLI test fixtures (batch_many.jsonl spans three
# of batch's chunks, with bad lines of every kind; tree/ is a directory).
fx="$dir/cli-fixtures"
rm -rf "$fx"
cp -R tests/cli/data "$fx"
python3 tests/cli/make_fixtures.py "$fx"
cli="$(pwd)/$dir/tools/cli/tokmeter"
log="$dir/tsan-cli.log"
: > "$log"
for args in "batch -v --jobs 3 batch_many.jsonl" "batch --json --jobs 2 batch_many.jsonl" \
            "count --jobs 2 -e o200k_base tree prompts"; do
  set +e
  (cd "$fx" && $cli $args > /dev/null 2>> "../$(basename "$log")")
  rc=$?
  set -e
  # batch exits 2 on this file's bad lines, count 0; 66 is a TSan report
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ]; then
    echo "tsan.sh: tokmeter $args exited $rc (66: a ThreadSanitizer report; log: $log)" >&2
    exit 1
  fi
done
reports=$(grep -c '^WARNING: ThreadSanitizer' "$log" || true)
if [ "$reports" -ne 0 ]; then
  echo "tsan.sh: $reports ThreadSanitizer reports from the CLI (log: $log)" >&2
  exit 1
fi
echo "tsan.sh: tokmeter batch and count passed under ThreadSanitizer, no reports"
