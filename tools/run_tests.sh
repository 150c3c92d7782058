#!/usr/bin/env bash
# Builds tokmeter with warnings as errors and runs the whole test suite.
# Usage: tools/run_tests.sh [extra cmake -D options...]
# BUILD_DIR (default build) selects the build directory.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${BUILD_DIR:-build}"
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTKM_WERROR=ON -DTKM_BUILD_TESTS=ON "$@"
cmake --build "$dir" -j"$(nproc)"
ctest --test-dir "$dir" --output-on-failure -j"$(nproc)"
