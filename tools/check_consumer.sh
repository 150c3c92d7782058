#!/usr/bin/env bash
# Installs tokmeter into a temporary prefix and builds a small consumer
# program against it twice: with pkg-config and with CMake's find_package.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for shared in OFF ON; do
  prefix="$tmp/prefix-$shared"
  cmake -S . -B "$tmp/build-$shared" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=$shared \
    -DTKM_BUILD_TESTS=OFF -DTKM_BUILD_BENCH=OFF -DCMAKE_INSTALL_PREFIX="$prefix" >/dev/null
  cmake --build "$tmp/build-$shared" -j"$(nproc)" >/dev/null
  cmake --install "$tmp/build-$shared" >/dev/null

  cat > "$tmp/consumer.c" <<'C'
#include <tokmeter.h>
#include <stdio.h>
int main(void)
{
    tkm_encoding *enc = NULL;
    if (tkm_encoding_load_for_model("gpt-4o", NULL, &enc) != TKM_OK)
        return 1;
    size_t n = 0;
    tkm_status st = tkm_count(enc, "hello world", 11, NULL, &n, NULL);
    tkm_encoding_free(enc);
    printf("tokmeter %s: %zu tokens\n", tkm_version_string(), n);
    return st == TKM_OK && n > 0 ? 0 : 1;
}
C
  # pkg-config
  flags="--libs"
  [ "$shared" = OFF ] && flags="--libs --static"
  # shellcheck disable=SC2046
  cc -std=c11 -o "$tmp/consumer-pc" "$tmp/consumer.c" \
    $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig:$prefix/lib/x86_64-linux-gnu/pkgconfig" pkg-config --cflags $flags tokmeter)
  LD_LIBRARY_PATH="$prefix/lib:$prefix/lib/x86_64-linux-gnu" "$tmp/consumer-pc"

  # find_package
  mkdir -p "$tmp/cm-$shared"
  cat > "$tmp/cm-$shared/CMakeLists.txt" <<'C'
cmake_minimum_required(VERSION 3.16)
project(consumer C)
find_package(tokmeter REQUIRED)
add_executable(consumer ../consumer.c)
target_link_libraries(consumer PRIVATE tokmeter::tokmeter)
C
  cmake -S "$tmp/cm-$shared" -B "$tmp/cm-$shared/build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
  cmake --build "$tmp/cm-$shared/build" >/dev/null
  LD_LIBRARY_PATH="$prefix/lib:$prefix/lib/x86_64-linux-gnu" "$tmp/cm-$shared/build/consumer"
  echo "consumer ok (BUILD_SHARED_LIBS=$shared): pkg-config and find_package"

  # bench/ab.c (tkm_ab) against the installed shared library loaded twice:
  # it must load both, run both, and find the same token counts.
  if [ "$shared" = ON ]; then
    # (a copy: dlopen loads one file once, whatever the path)
    so=$(find "$prefix" -name 'libtokmeter.so' | head -n 1)
    cp "$so" "$tmp/libtokmeter-copy.so"
    cc -std=c11 -D_POSIX_C_SOURCE=200809L -I"$prefix/include" -o "$tmp/tkm_ab" bench/ab.c -ldl
    "$tmp/tkm_ab" --rounds 3 "$so" "$tmp/libtokmeter-copy.so" README.md
    "$tmp/tkm_ab" --count --rounds 3 -e cl100k_base "$so" "$tmp/libtokmeter-copy.so" README.md
    echo "tkm_ab ok against the installed shared library"
  fi
done
