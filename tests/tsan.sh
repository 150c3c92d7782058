#!/usr/bin/env bash
# tests/tsan.sh — build the library and test_threads with clang's
# ThreadSanitizer and run test_threads; any TSan report fails.
#
# Environment: BUILD_DIR (default build-tsan, relative to the repo), CC
# (default clang).
set -euo pipefail
cd "$(dirname "$0")/.."

dir="${BUILD_DIR:-build-tsan}"
export CC="${CC:-clang}"
flags="-fsanitize=thread -fno-omit-frame-pointer -g"

cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTKM_BUILD_TESTS=ON \
  -DTKM_BUILD_CLI=OFF -DTKM_BUILD_BENCH=OFF -DTKM_SANITIZE=OFF \
  -DCMAKE_C_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" \
  -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=thread" >/dev/null
cmake --build "$dir" -j"$(nproc)" --target test_threads

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
