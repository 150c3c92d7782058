#!/usr/bin/env bash
# Installs tokmeter's build dependencies (Debian 12 packages) and builds it
# into build/. Safe to run again. Usage: tools/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(build-essential cmake pkg-config python3
          libpcre2-dev libutf8proc-dev libxxhash-dev libcmocka-dev libjansson-dev
          clang libclang-rt-14-dev)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DTKM_WERROR=ON >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
echo "tokmeter built: build/tools/cli/tokmeter" >&2
